/*
 * load_copy.c
 *    COPY text format and protocol for costmodel-load.
 *
 * A row is tab-separated cells ending in a newline; NULL is \N, and a
 * backslash, tab, newline or carriage return inside text is escaped with a
 * backslash, as COPY's text format requires.  Typed cells are formatted by
 * the cm_values.h formatters, so the server parses exactly what the
 * normaliser computed.  load_copy_run() sends a finished buffer in large
 * chunks and checks every step of the protocol.
 */
#include "load_copy.h"
#include "load.h"

#include <stdlib.h>
#include <string.h>

/* Make room for extra more bytes (at least doubling). */
void
load_buf_grow(load_buf *b, size_t extra)
{
	size_t		cap = b->cap ? b->cap : 4096;

	while (cap - b->len < extra)
	{
		if (cap > SIZE_MAX / 2)
			load_oom();
		cap *= 2;
	}
	b->data = load_realloc(b->data, cap);
	b->cap = cap;
}

/* Append len bytes. */
void
load_buf_append(load_buf *b, const void *data, size_t len)
{
	load_buf_reserve(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

/* Free the buffer's memory. */
void
load_buf_free(load_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* Write v in decimal at p; returns the number of bytes. */
static int
format_int(int64_t v, char *p)
{
	char		tmp[24];
	int			n = 0,
				len = 0;
	uint64_t	u = v < 0 ? (uint64_t) 0 - (uint64_t) v : (uint64_t) v;

	do
	{
		tmp[n++] = (char) ('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		p[len++] = '-';
	while (n)
		p[len++] = tmp[--n];
	return len;
}

/* Does byte c need a backslash in COPY text format? */
static inline bool
needs_escape(unsigned char c)
{
	return c == '\\' || c == '\t' || c == '\n' || c == '\r';
}

/* Append text escaped for COPY text format; b has room for 2 * len bytes. */
static void
copy_text(load_buf *b, const char *s, size_t len)
{
	char	   *out = b->data + b->len;
	size_t		run = 0;

	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (!needs_escape(c))
			continue;
		memcpy(out, s + run, i - run);
		out += i - run;
		*out++ = '\\';
		*out++ = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : '\\';
		run = i + 1;
	}
	memcpy(out, s + run, len - run);
	out += len - run;
	b->len = (size_t) (out - b->data);
}

/* Append one row of table def in COPY text format. */
void
load_copy_row(load_buf *b, const cm_table_def *def, const cm_cell *cells)
{
	for (int i = 0; i < def->ncolumns; i++)
	{
		const cm_cell *c = &cells[i];
		char	   *p;

		load_buf_reserve(b, 48 + (c->isnull || def->columns[i].kind != CMK_TEXT ? 0 : 2 * (size_t) c->len));
		p = b->data + b->len;
		if (i > 0)
			*p++ = '\t', b->len++;
		if (c->isnull)
		{
			memcpy(p, "\\N", 2);
			b->len += 2;
			continue;
		}
		switch (def->columns[i].kind)
		{
			case CMK_TEXT:
				copy_text(b, c->s, (size_t) c->len);
				break;
			case CMK_INT:
				b->len += (size_t) format_int(c->i, p);
				break;
			case CMK_BOOL:
				*p = c->i ? 't' : 'f';
				b->len++;
				break;
			case CMK_MONEY:
				b->len += (size_t) cmv_format_money(c->i, p);
				break;
			case CMK_RATE:
				b->len += (size_t) cmv_format_rate((int32_t) c->i, p);
				break;
			case CMK_TS:
				b->len += (size_t) cmv_format_timestamp(c->i, p);
				break;
			case CMK_DATE:
				b->len += (size_t) cmv_format_date((cmv_days) c->i, p);
				break;
		}
	}
	load_buf_reserve(b, 1);
	b->data[b->len++] = '\n';
}

/* "COPY costmodel.<table> (<columns>) FROM STDIN", malloc'd. */
char *
load_copy_command(const cm_table_def *def)
{
	load_buf	b = {0};
	const char *head = "COPY costmodel.";

	load_buf_append(&b, head, strlen(head));
	load_buf_append(&b, def->name, strlen(def->name));
	load_buf_append(&b, " (", 2);
	for (int i = 0; i < def->ncolumns; i++)
	{
		if (i > 0)
			load_buf_append(&b, ", ", 2);
		load_buf_append(&b, def->columns[i].name, strlen(def->columns[i].name));
	}
	load_buf_append(&b, ") FROM STDIN", 13);	/* with the NUL */
	return b.data;
}

/*
 * Run command (a COPY FROM STDIN), send data[0..len) in chunks of
 * LOAD_COPY_CHUNK bytes, end the COPY and drain every result.  Returns the
 * first failing result, or the PGRES_COMMAND_OK one; the caller checks and
 * clears it.  A failed send aborts the COPY with a message.
 */
PGresult *
load_copy_run(PGconn *conn, const char *command, const char *data, size_t len)
{
	PGresult   *res = PQexec(conn, command);
	PGresult   *final = NULL;
	const char *abort_msg = NULL;
	size_t		off = 0;

	if (PQresultStatus(res) != PGRES_COPY_IN)
	{
		/* drain anything after the error so the connection stays usable */
		PGresult   *more;

		while ((more = PQgetResult(conn)) != NULL)
			PQclear(more);
		return res;
	}
	PQclear(res);

	while (off < len)
	{
		size_t		n = len - off < LOAD_COPY_CHUNK ? len - off : LOAD_COPY_CHUNK;

		if (PQputCopyData(conn, data + off, (int) n) <= 0)
		{
			abort_msg = "costmodel-load: sending COPY data failed";
			break;
		}
		off += n;
	}
	/* on a failed send this tells the server to abort; libpq may fail too */
	(void) PQputCopyEnd(conn, abort_msg);

	while ((res = PQgetResult(conn)) != NULL)
	{
		if (final == NULL ||
			(PQresultStatus(final) == PGRES_COMMAND_OK &&
			 PQresultStatus(res) != PGRES_COMMAND_OK))
		{
			PQclear(final);
			final = res;
		}
		else
			PQclear(res);
		/* a COPY still wanting data after an end means the connection broke */
		if (PQresultStatus(final) == PGRES_COPY_IN)
			break;
	}
	if (final == NULL || PQresultStatus(final) != PGRES_COMMAND_OK)
	{
		if (final == NULL || PQresultStatus(final) == PGRES_COPY_IN)
		{
			PQclear(final);
			final = PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR);
			if (final == NULL)
				load_oom();
		}
	}
	return final;
}

/*
 * Length of the valid UTF-8 character at s[0..len), or 0 if there is none
 * (a NUL counts as none: text cannot hold it).
 */
size_t
load_utf8_char(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *) str;
	unsigned char c = s[0];
	size_t		n;
	unsigned char lo = 0x80,
				hi = 0xBF;

	if (c >= 0x01 && c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
	{
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	}
	else
		return 0;				/* NUL, a continuation byte, or never valid */
	if (len < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

/*
 * Append s[0..len) as storable UTF-8 text of at most max bytes: each byte
 * that is not part of a valid character, and each NUL, becomes U+FFFD; the
 * text is cut at a character boundary.  Returns the bytes appended.
 */
size_t
load_utf8_repair(load_buf *b, const char *s, size_t len, size_t max)
{
	size_t		out = 0;
	size_t		i = 0;

	load_buf_reserve(b, max < 3 * len ? max : 3 * len);
	while (i < len)
	{
		size_t		n = load_utf8_char(s + i, len - i);
		const char *src = n ? s + i : "\xEF\xBF\xBD";
		size_t		w = n ? n : 3;

		if (out + w > max)
			break;
		memcpy(b->data + b->len + out, src, w);
		out += w;
		i += n ? n : 1;
	}
	b->len += out;
	return out;
}

/* Start an array literal. */
void
load_array_begin(load_buf *b)
{
	load_buf_append(b, "{", 1);
}

/* Append the separator if the literal already has an element. */
static void
array_sep(load_buf *b)
{
	if (b->len > 0 && b->data[b->len - 1] != '{')
		load_buf_append(b, ",", 1);
}

/* Append a text element (valid UTF-8 without NUL), quoted for array input. */
void
load_array_text(load_buf *b, const char *s, size_t len)
{
	char	   *p;

	array_sep(b);
	load_buf_reserve(b, 2 * len + 2);
	p = b->data + b->len;
	*p++ = '"';
	for (size_t i = 0; i < len; i++)
	{
		if (s[i] == '"' || s[i] == '\\')
			*p++ = '\\';
		*p++ = s[i];
	}
	*p++ = '"';
	b->len = (size_t) (p - b->data);
}

/* Append a NULL element. */
void
load_array_null(load_buf *b)
{
	array_sep(b);
	load_buf_append(b, "NULL", 4);
}

/* Append an integer element. */
void
load_array_int(load_buf *b, int64_t v)
{
	array_sep(b);
	load_buf_reserve(b, 24);
	b->len += (size_t) format_int(v, b->data + b->len);
}

/* End an array literal and NUL-terminate it (the NUL is not counted). */
void
load_array_end(load_buf *b)
{
	load_buf_append(b, "}", 2);
	b->len--;
}
