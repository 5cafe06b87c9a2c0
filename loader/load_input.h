/*
 * load_input.h
 *    Line reader over a file, a gzip file or standard input, keeping the
 *    1-based line number and the byte offset of each line in the
 *    uncompressed stream.
 */
#ifndef LOAD_INPUT_H
#define LOAD_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

/* Bytes of an over-long line kept for the reject record. */
#define LOAD_LINE_PREFIX	4096

/* One open input stream. */
typedef struct load_input
{
	gzFile		gz;
	char	   *buf;			/* unread data is buf[start..end) */
	size_t		cap;
	size_t		start;
	size_t		end;
	size_t		max_line;		/* longest line accepted, in bytes */
	size_t		max_cap;		/* the buffer never grows past this */
	bool		eof;
	int64_t		line_no;		/* lines returned so far */
	int64_t		offset;			/* stream offset of buf[start] */
	char		prefix[LOAD_LINE_PREFIX];
	char		errmsg[256];
	/* optional: sees every byte read, in order (set after load_input_open) */
	void		(*on_data) (void *arg, const void *data, size_t len);
	void	   *on_data_arg;
} load_input;

/* One line, without its newline. */
typedef struct load_line
{
	char	   *data;			/* data[len] is a writable NUL unless too_long */
	size_t		len;
	int64_t		line_no;		/* 1-based */
	int64_t		offset;			/* byte offset of the line's first byte */
	bool		too_long;		/* data is only the first bytes of the line */
	int64_t		full_len;		/* length of the whole line */
} load_line;

bool		load_input_open(load_input *in, const char *path, size_t max_line);
int			load_input_next(load_input *in, load_line *line);
bool		load_input_skip(load_input *in, int64_t offset, int64_t line_no,
							bool seek);
int64_t		load_input_consumed(const load_input *in);
void		load_input_close(load_input *in);

#endif							/* LOAD_INPUT_H */
