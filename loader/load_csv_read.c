/*
 * load_csv_read.c
 *    Records from a CSV file; see load_csv_read.h.
 *
 * The first CM_CSV_DETECT_LINES lines are read ahead and copied, so the
 * delimiter can be chosen from the header and the first rows; they are then
 * replayed.  A record on one line (the common case) is returned in place
 * from the line reader's buffer; a record that goes on over quoted newlines
 * keeps a copy of its lines, for the reject record.  A line longer than the
 * record limit, or a record that grows past it (an unterminated quote, most
 * likely), becomes a record with an error, and reading goes on at the next
 * line.
 */
#include "load_csv_read.h"
#include "load.h"

#include <stdlib.h>
#include <string.h>

/* Bytes of a record kept for its reject record when it is cut. */
#define RAW_KEEP	4096

/* load_input's hook: hash and count every byte. */
static void
on_data(void *arg, const void *data, size_t len)
{
	csv_reader *r = arg;

	csv_sha256_update(&r->sha, data, len);
	r->bytes += (int64_t) len;
}

/* Get the next physical line, from the read-ahead first; 1, 0 or -1. */
static int
next_line(csv_reader *r, load_line *ln)
{
	if (r->next_line < r->nlines)
	{
		const csv_ahead_line *a = &r->lines[r->next_line++];

		ln->data = r->ahead.data + a->off;
		ln->len = a->len;
		ln->line_no = a->line_no;
		ln->offset = a->offset;
		ln->too_long = a->too_long;
		ln->full_len = a->full_len;
		return 1;
	}
	if (!r->open)
		return 0;
	return load_input_next(&r->in, ln);
}

/* realloc for the tokenizer. */
static void *
tok_realloc(void *p, size_t size)
{
	if (size == 0)
	{
		free(p);
		return NULL;
	}
	return load_realloc(p, size);
}

/* Open a file and settle its delimiter. */
bool
csv_reader_open(csv_reader *r, const char *path, char delim, size_t max_record)
{
	load_line	ln;
	int			rc;
	bool		first = true;

	memset(r, 0, sizeof(*r));
	csv_sha256_init(&r->sha);
	r->max_record = max_record;
	if (!load_input_open(&r->in, path, max_record))
	{
		snprintf(r->errmsg, sizeof(r->errmsg), "%s", r->in.errmsg);
		return false;
	}
	r->open = true;
	r->in.on_data = on_data;
	r->in.on_data_arg = r;

	/* read ahead: the header and the first rows */
	r->lines = load_malloc(CM_CSV_DETECT_LINES * sizeof(csv_ahead_line));
	while (r->nlines < CM_CSV_DETECT_LINES && (rc = load_input_next(&r->in, &ln)) > 0)
	{
		csv_ahead_line *a = &r->lines[r->nlines++];
		const char *data = ln.data;
		size_t		len = ln.len;
		int64_t		offset = ln.offset;

		if (first)
		{
			first = false;
			if (len >= 2 && ((unsigned char) data[0] == 0xFF && (unsigned char) data[1] == 0xFE))
			{
				snprintf(r->errmsg, sizeof(r->errmsg),
						 "the file is UTF-16 (it starts with a UTF-16 byte-order mark); "
						 "convert it to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8");
				return false;
			}
			if (len >= 2 && ((unsigned char) data[0] == 0xFE && (unsigned char) data[1] == 0xFF))
			{
				snprintf(r->errmsg, sizeof(r->errmsg),
						 "the file is UTF-16 (it starts with a UTF-16 byte-order mark); "
						 "convert it to UTF-8 first, e.g. iconv -f UTF-16BE -t UTF-8");
				return false;
			}
			if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
			{
				r->bom = true;
				data += 3;
				len -= 3;
				offset += 3;
			}
		}
		a->off = r->ahead.len;
		a->len = len;
		a->line_no = ln.line_no;
		a->offset = offset;
		a->too_long = ln.too_long;
		a->full_len = ln.full_len;
		load_buf_append(&r->ahead, data, len);
		load_buf_append(&r->ahead, "\n", 1);
	}
	if (r->nlines < CM_CSV_DETECT_LINES && rc < 0)
	{
		snprintf(r->errmsg, sizeof(r->errmsg), "%s", r->in.errmsg);
		return false;
	}
	r->delim = delim ? delim : cm_csv_detect(r->ahead.data ? r->ahead.data : "", r->ahead.len);
	cm_csv_init(&r->parser, r->delim, tok_realloc);
	return true;
}

/* Fill rec from the parser's finished record. */
static void
take_record(csv_reader *r, csv_record *rec, const char *raw, size_t raw_len)
{
	cm_csv_parser *p = &r->parser;

	rec->fields = p->fields;
	rec->nfields = p->nfields;
	rec->text = p->buf;
	/* a CRLF line end is not part of the record */
	if (raw_len > 0 && raw[raw_len - 1] == '\r')
		raw_len--;
	rec->raw = raw;
	rec->raw_len = raw_len;
	rec->raw_cut = false;
	rec->line_no = p->rec_line;
	rec->offset = p->rec_off;
	rec->lines = p->lines;
	rec->error = p->error;
	rec->error_off = p->error_off;
}

/* Append a line and its newline to the copy of a record that spans lines. */
static void
keep_raw(csv_reader *r, const char *data, size_t len)
{
	load_buf_append(&r->raw, data, len);
	load_buf_append(&r->raw, "\n", 1);
}

/* The next record. */
int
csv_reader_next(csv_reader *r, csv_record *rec)
{
	cm_csv_parser *p = &r->parser;
	load_line	ln;
	int			rc;

	cm_csv_clear(p);
	r->raw.len = 0;
	memset(rec, 0, sizeof(*rec));
	for (;;)
	{
		rc = next_line(r, &ln);
		if (rc < 0)
		{
			snprintf(r->errmsg, sizeof(r->errmsg), "%s", r->in.errmsg);
			return -1;
		}
		if (rc == 0)
		{
			if (!p->started)
				return 0;
			/* the input ends inside a quoted field */
			cm_csv_finish(p);
			take_record(r, rec, r->raw.data, r->raw.len > 0 ? r->raw.len - 1 : 0);
			return 1;
		}
		if (!p->started && !ln.too_long && cm_csv_blank(ln.data, ln.len))
		{
			r->blank_lines++;
			continue;
		}
		if (ln.too_long || (p->started && r->raw.len + ln.len > r->max_record))
		{
			/* give up on this record; go on at the next line */
			bool		started = p->started;

			if (!started)
			{
				cm_csv_feed(p, "", 0, ln.offset, ln.line_no);
				keep_raw(r, ln.data, ln.len);
			}
			take_record(r, rec, r->raw.data, r->raw.len > 0 ? r->raw.len - 1 : 0);
			rec->raw_cut = true;
			if (!started)
			{
				rec->line_no = ln.line_no;
				rec->offset = ln.offset;
			}
			rec->error = started ?
				"record longer than the limit (an unterminated quoted field?)" :
				"line longer than the limit";
			rec->error_off = started ? p->rec_off : ln.offset;
			if (r->raw.len > RAW_KEEP)
				r->raw.len = RAW_KEEP;
			rec->raw_len = r->raw.len;
			return 1;
		}
		if (cm_csv_feed(p, ln.data, ln.len, ln.offset, ln.line_no))
		{
			if (p->lines == 1)
				take_record(r, rec, ln.data, ln.len);
			else
			{
				keep_raw(r, ln.data, ln.len);
				take_record(r, rec, r->raw.data, r->raw.len - 1);
			}
			return 1;
		}
		/* a quoted field goes on: keep this line for the reject record */
		keep_raw(r, ln.data, ln.len);
	}
}

/* Read the rest of the input, for the hash. */
bool
csv_reader_drain(csv_reader *r)
{
	load_line	ln;
	int			rc;

	r->next_line = r->nlines;
	if (!r->open)
		return true;
	while ((rc = load_input_next(&r->in, &ln)) > 0)
		;
	if (rc < 0)
	{
		snprintf(r->errmsg, sizeof(r->errmsg), "%s", r->in.errmsg);
		return false;
	}
	return true;
}

/* Finish the content hash. */
void
csv_reader_sha256(csv_reader *r, char out[65])
{
	csv_sha256_hex(&r->sha, out);
}

/* Close the input and free the memory. */
void
csv_reader_close(csv_reader *r)
{
	if (r->open)
		load_input_close(&r->in);
	r->open = false;
	cm_csv_free(&r->parser);
	load_buf_free(&r->ahead);
	load_buf_free(&r->raw);
	free(r->lines);
	r->lines = NULL;
}
