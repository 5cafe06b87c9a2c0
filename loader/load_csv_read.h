/*
 * load_csv_read.h
 *    The record reader of costmodel-load csv: lines from load_input (plain,
 *    gzip or standard input), a UTF-8 byte-order mark skipped, the delimiter
 *    detected from the first lines, and records assembled by the cm_csv
 *    tokenizer across quoted newlines.  Every byte read is hashed (SHA-256)
 *    for costmodel.load_log.
 */
#ifndef LOAD_CSV_READ_H
#define LOAD_CSV_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_csv.h"
#include "load_copy.h"
#include "load_csv_sha256.h"
#include "load_input.h"

/* A line kept for delimiter detection, replayed afterwards. */
typedef struct csv_ahead_line
{
	size_t		off;			/* in ahead.data */
	size_t		len;
	int64_t		line_no;
	int64_t		offset;
	bool		too_long;
	int64_t		full_len;
} csv_ahead_line;

/* One record, valid until the next call. */
typedef struct csv_record
{
	const cm_csv_field *fields; /* texts in parser->buf */
	int			nfields;
	const char *text;			/* parser->buf */
	const char *raw;			/* the record as it stands in the file */
	size_t		raw_len;
	bool		raw_cut;		/* raw is only the start of the record */
	int64_t		line_no;		/* of its first line */
	int64_t		offset;			/* of its first byte */
	int			lines;
	const char *error;			/* why the record cannot be read, or NULL */
	int64_t		error_off;
} csv_record;

typedef struct csv_reader
{
	load_input	in;
	bool		open;
	cm_csv_parser parser;
	char		delim;
	bool		bom;			/* the file started with a UTF-8 BOM */
	size_t		max_record;
	/* lines read ahead for detection */
	load_buf	ahead;
	csv_ahead_line *lines;
	int			nlines;
	int			next_line;
	/* a record spanning lines, as written */
	load_buf	raw;
	int64_t		blank_lines;
	/* content hash and size */
	csv_sha256	sha;
	int64_t		bytes;
	char		errmsg[300];
} csv_reader;

/*
 * Open path ("-" is standard input), read ahead and settle the delimiter
 * (delim, or detected when 0).  False with r->errmsg set when the file
 * cannot be read or is UTF-16.
 */
bool		csv_reader_open(csv_reader *r, const char *path, char delim, size_t max_record);

/* The next record: 1, or 0 at the end, or -1 on a read error (r->errmsg). */
int			csv_reader_next(csv_reader *r, csv_record *rec);

/* Read the rest of the input (for its hash); false on a read error. */
bool		csv_reader_drain(csv_reader *r);

/* Finish the hash: 64 hex digits and a NUL. */
void		csv_reader_sha256(csv_reader *r, char out[65]);

void		csv_reader_close(csv_reader *r);

#endif							/* LOAD_CSV_READ_H */
