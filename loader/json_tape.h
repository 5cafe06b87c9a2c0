/*
 * json_tape.h
 *    The loader's fast JSON reader.  One pass over a line validates it
 *    strictly and lays its values out as a flat "tape" of nodes, which the
 *    trace normaliser reads through the cm_json.h interface.
 *
 * It accepts only what both PostgreSQL's jsonb input and json-c (strict,
 * UTF-8 validating) accept: RFC 8259 JSON in valid UTF-8, without \u0000 or
 * unpaired surrogate escapes, nested at most JT_MAX_DEPTH deep.  For any
 * other line it returns false, and the caller takes the slow path
 * (PostgreSQL's lexer, then json-c), which gives the same rows or the
 * exact reject reason.  Values are handed over as jsonc_access.c hands them
 * over: strings unescaped with their length, numbers in the canonical text
 * numeric prints, the last of duplicate keys.
 */
#ifndef JSON_TAPE_H
#define JSON_TAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_json.h"

/* Deeper documents take the slow path (json-c stops at 64). */
#define JT_MAX_DEPTH	32

typedef struct jt_node jt_node;
typedef struct jt_block jt_block;

/* One reader per stream: the tape and the scratch arena of one document. */
typedef struct jt_reader
{
	jt_node    *nodes;
	uint32_t	nnodes;
	uint32_t	cap;
	jt_block   *first;			/* arena: decoded strings, array indexes, */
	jt_block   *cur;			/* canonical numbers, normaliser scratch */
} jt_reader;

void		jt_init(jt_reader *r, cmj_ops *ops);
bool		jt_parse(jt_reader *r, const char *s, size_t len, cmj_node *root);
void		jt_reset(jt_reader *r);
void		jt_free(jt_reader *r);

#endif							/* JSON_TAPE_H */
