/*
 * load_binary.c
 *    COPY binary format for costmodel-load.
 *
 * The server reads binary rows without parsing text: a timestamp is an
 * int64 of microseconds since 2000-01-01, a date an int32 of days, and a
 * numeric its base-10000 digits, which costs the server far less than
 * timestamptz_in and numeric_in (see docs/loader.md for the figures).  The
 * client also saves the formatting and the escaping of text.  A row is an
 * int16 field count, then per field an int32 length (-1 for NULL) and the
 * bytes, all in network byte order; a COPY is the 19-byte header, the rows
 * and an int16 -1.  Rows are kept in the batch buffers without the header,
 * so that dropping a duplicate document's rows works as for text.
 */
#include "load_binary.h"
#include "load.h"

#include <stdlib.h>
#include <string.h>

/* Microseconds and days from 1970-01-01 to 2000-01-01, PostgreSQL's epoch. */
#define PG_EPOCH_USEC	INT64_C(946684800000000)
#define PG_EPOCH_DAYS	10957

#define NUMERIC_POS		0x0000
#define NUMERIC_NEG		0x4000

static const char header[19] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
static const char trailer[2] = {'\377', '\377'};

/* The SQL type of each cell kind. */
const char *
load_binary_type(cm_kind kind)
{
	switch (kind)
	{
		case CMK_TEXT:
			return "text";
		case CMK_INT:
			return "integer";
		case CMK_BOOL:
			return "boolean";
		case CMK_MONEY:
		case CMK_RATE:
			return "numeric";
		case CMK_TS:
			return "timestamp with time zone";
		case CMK_DATE:
			return "date";
	}
	return "?";
}

/* Store v big-endian. */
static inline void
put16(char *p, uint16_t v)
{
	p[0] = (char) (v >> 8);
	p[1] = (char) v;
}

static inline void
put32(char *p, uint32_t v)
{
	p[0] = (char) (v >> 24);
	p[1] = (char) (v >> 16);
	p[2] = (char) (v >> 8);
	p[3] = (char) v;
}

static inline void
put64(char *p, uint64_t v)
{
	put32(p, (uint32_t) (v >> 32));
	put32(p + 4, (uint32_t) v);
}

/*
 * Write the numeric v / 10^scale (scale 2 or 4) in numeric's binary form at
 * p: ndigits, weight, sign, dscale, then base-10000 digits without leading
 * or trailing zero digits.  Returns the bytes written (at most 8 + 2 * 7).
 */
static int
put_numeric(char *p, int64_t v, int scale)
{
	uint64_t	u = v < 0 ? (uint64_t) 0 - (uint64_t) v : (uint64_t) v;
	uint64_t	unit = scale == 2 ? 100 : 10000;
	uint64_t	ip = u / unit;
	uint16_t	frac = (uint16_t) ((u % unit) * (10000 / unit));
	uint16_t	groups[6];
	int			ng = 0,
				nd = 0,
				weight;
	uint16_t	digits[7];

	while (ip > 0)
	{
		groups[ng++] = (uint16_t) (ip % 10000);
		ip /= 10000;
	}
	/* the integer groups, most significant first, then the fraction */
	for (int i = ng - 1; i >= 0; i--)
		digits[nd++] = groups[i];
	digits[nd++] = frac;
	weight = ng - 1;
	/* strip zero digits at both ends (a zero has no digits at all) */
	while (nd > 0 && digits[nd - 1] == 0)
		nd--;
	{
		int			lead = 0;

		while (lead < nd && digits[lead] == 0)
			lead++;
		if (lead > 0)
		{
			memmove(digits, digits + lead, (size_t) (nd - lead) * sizeof(uint16_t));
			nd -= lead;
			weight -= lead;
		}
	}
	if (nd == 0)
		weight = 0;
	put16(p, (uint16_t) nd);
	put16(p + 2, (uint16_t) (int16_t) weight);
	put16(p + 4, v < 0 && nd > 0 ? NUMERIC_NEG : NUMERIC_POS);
	put16(p + 6, (uint16_t) scale);
	for (int i = 0; i < nd; i++)
		put16(p + 8 + 2 * i, digits[i]);
	return 8 + 2 * nd;
}

/* Append one row of table def in COPY binary format. */
void
load_binary_row(load_buf *b, const cm_table_def *def, const cm_cell *cells)
{
	size_t		need = 2;
	char	   *p;

	for (int i = 0; i < def->ncolumns; i++)
		need += 4 + (cells[i].isnull ? 0 :
					 def->columns[i].kind == CMK_TEXT ? (size_t) cells[i].len : 24);
	load_buf_reserve(b, need);
	p = b->data + b->len;
	put16(p, (uint16_t) def->ncolumns);
	p += 2;
	for (int i = 0; i < def->ncolumns; i++)
	{
		const cm_cell *c = &cells[i];
		int			n;

		if (c->isnull)
		{
			put32(p, UINT32_MAX);
			p += 4;
			continue;
		}
		switch (def->columns[i].kind)
		{
			case CMK_TEXT:
				put32(p, (uint32_t) c->len);
				memcpy(p + 4, c->s, (size_t) c->len);
				p += 4 + c->len;
				break;
			case CMK_INT:
				put32(p, 4);
				put32(p + 4, (uint32_t) (int32_t) c->i);
				p += 8;
				break;
			case CMK_BOOL:
				put32(p, 1);
				p[4] = c->i ? 1 : 0;
				p += 5;
				break;
			case CMK_MONEY:
			case CMK_RATE:
				n = put_numeric(p + 4, c->i, def->columns[i].kind == CMK_MONEY ? 2 : 4);
				put32(p, (uint32_t) n);
				p += 4 + n;
				break;
			case CMK_TS:
				put32(p, 8);
				put64(p + 4, (uint64_t) (c->i - PG_EPOCH_USEC));
				p += 12;
				break;
			case CMK_DATE:
				put32(p, 4);
				put32(p + 4, (uint32_t) (int32_t) (c->i - PG_EPOCH_DAYS));
				p += 8;
				break;
		}
	}
	b->len = (size_t) (p - b->data);
}

/* "COPY costmodel.<table> (<columns>) FROM STDIN (FORMAT binary)", malloc'd. */
char *
load_binary_command(const cm_table_def *def)
{
	char	   *text = load_copy_command(def);
	const char *opt = " (FORMAT binary)";
	size_t		n = strlen(text);
	char	   *cmd = load_malloc(n + strlen(opt) + 1);

	memcpy(cmd, text, n);
	strcpy(cmd + n, opt);
	free(text);
	return cmd;
}

/* Send len bytes in chunks of LOAD_COPY_CHUNK; false if libpq failed. */
static bool
send_data(PGconn *conn, const char *data, size_t len)
{
	for (size_t off = 0; off < len;)
	{
		size_t		n = len - off < LOAD_COPY_CHUNK ? len - off : LOAD_COPY_CHUNK;

		if (PQputCopyData(conn, data + off, (int) n) <= 0)
			return false;
		off += n;
	}
	return true;
}

/*
 * Run command (a COPY FROM STDIN), send data[0..len) - framed by the header
 * and trailer when binary - end the COPY and drain every result.  Returns
 * the first failing result, or the PGRES_COMMAND_OK one; the caller checks
 * and clears it.  A failed send aborts the COPY with a message.
 */
PGresult *
load_copy_send(PGconn *conn, const char *command, bool binary,
			   const char *data, size_t len)
{
	PGresult   *res;
	PGresult   *final = NULL;
	bool		ok;

	if (!binary)
		return load_copy_run(conn, command, data, len);
	res = PQexec(conn, command);
	if (PQresultStatus(res) != PGRES_COPY_IN)
	{
		PGresult   *more;

		while ((more = PQgetResult(conn)) != NULL)
			PQclear(more);
		return res;
	}
	PQclear(res);
	ok = send_data(conn, header, sizeof(header)) && send_data(conn, data, len) &&
		send_data(conn, trailer, sizeof(trailer));
	(void) PQputCopyEnd(conn, ok ? NULL : "costmodel-load: sending COPY data failed");
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
	if (final == NULL || PQresultStatus(final) == PGRES_COPY_IN)
	{
		PQclear(final);
		final = PQmakeEmptyPGresult(conn, PGRES_FATAL_ERROR);
		if (final == NULL)
			load_oom();
	}
	return final;
}
