/*
 * pg_json_check.c
 *    The loader's first look at a line: PostgreSQL's JSON lexer
 *    (common/jsonapi.h, from libpgcommon), about 20 times faster than a
 *    json-c parse.  json-c accepts a few things jsonb does not (single-quoted
 *    strings, NaN, raw control characters, \u0000, lone surrogates); running
 *    the server's own grammar first makes the loader and the SQL functions
 *    reject the same documents.
 */
#include "postgres_fe.h"

#include "common/jsonapi.h"
#include "mb/pg_wchar.h"

#include "pg_json_check.h"

/* The reason for a lexer error, in the loader's words. */
static const char *
error_reason(JsonParseErrorType r)
{
	switch (r)
	{
		case JSON_UNICODE_CODE_POINT_ZERO:
			return "not valid JSON for PostgreSQL: \\u0000 cannot be stored in text";
		case JSON_UNICODE_HIGH_SURROGATE:
		case JSON_UNICODE_LOW_SURROGATE:
		case JSON_UNICODE_HIGH_ESCAPE:
			return "not valid JSON: a Unicode surrogate escape without its pair";
		case JSON_UNICODE_ESCAPE_FORMAT:
			return "not valid JSON: malformed \\u escape";
		case JSON_ESCAPING_INVALID:
			return "not valid JSON: invalid escape sequence";
		case JSON_ESCAPING_REQUIRED:
			return "not valid JSON: unescaped control character in a string";
		case JSON_EXPECTED_MORE:
			return "not valid JSON: the document ends too early";
		case JSON_EXPECTED_END:
			return "not valid JSON: extra text after the document";
		case JSON_INVALID_TOKEN:
			return "not valid JSON: invalid token";
		default:
			return "not valid JSON: unexpected token";
	}
}

/* Validate s/len as jsonb's input function would; see pg_json_check.h. */
const char *
pg_json_check(const char *s, size_t len, size_t *err_offset)
{
	JsonLexContext *lex;
	JsonParseErrorType r;
	const char *reason = NULL;

	/* need_escapes: the \u0000 and surrogate checks run only with it */
#if PG_VERSION_NUM >= 170000
	lex = makeJsonLexContextCstringLen(NULL, s, len, PG_UTF8, true);
#else
	lex = makeJsonLexContextCstringLen(unconstify(char *, s), (int) len, PG_UTF8, true);
#endif
	r = pg_parse_json(lex, &nullSemAction);
	if (r != JSON_SUCCESS)
	{
		reason = error_reason(r);
		*err_offset = lex->token_start ? (size_t) (lex->token_start - s) : 0;
	}
#if PG_VERSION_NUM >= 170000
	freeJsonLexContext(lex);
#else
	if (lex->strval)
	{
		pfree(lex->strval->data);
		pfree(lex->strval);
	}
	pfree(lex);
#endif
	return reason;
}
