/*
 * load_input.c
 *    Line reader for costmodel-load.  Every input goes through zlib's gzread,
 *    which reads plain files transparently, so "x.ndjson" and "x.ndjson.gz"
 *    take the same path.  Lines are returned in place from one buffer that
 *    grows up to the line limit; a longer line is skipped to its newline
 *    without being buffered, keeping only its first bytes.
 */
#include "load_input.h"
#include "load.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INITIAL_CAP		(1024 * 1024)
#define GZ_BUFFER		(256 * 1024)

/* Open path ("-" is standard input) for reading lines of at most max_line bytes. */
bool
load_input_open(load_input *in, const char *path, size_t max_line)
{
	memset(in, 0, sizeof(*in));
	if (strcmp(path, "-") == 0)
	{
		int			fd = dup(0);

		if (fd < 0 || (in->gz = gzdopen(fd, "rb")) == NULL)
		{
			snprintf(in->errmsg, sizeof(in->errmsg), "cannot read standard input: %s",
					 strerror(errno ? errno : ENOMEM));
			if (fd >= 0)
				close(fd);
			return false;
		}
	}
	else if ((in->gz = gzopen(path, "rb")) == NULL)
	{
		snprintf(in->errmsg, sizeof(in->errmsg), "cannot open \"%s\": %s", path,
				 strerror(errno ? errno : ENOMEM));
		return false;
	}
	gzbuffer(in->gz, GZ_BUFFER);
	in->max_line = max_line;
	/* room for a whole line, its newline and a NUL */
	in->max_cap = max_line + 2;
	in->cap = in->max_cap < INITIAL_CAP ? in->max_cap : INITIAL_CAP;
	in->buf = load_malloc(in->cap);
	return true;
}

/* Read more bytes to buf[end..); returns bytes read, 0 at the end, -1 on error. */
static int
fill(load_input *in)
{
	size_t		room = in->cap - 1 - in->end;
	int			n;

	if (in->eof)
		return 0;
	if (room > INT_MAX)
		room = INT_MAX;
	n = gzread(in->gz, in->buf + in->end, (unsigned) room);
	if (n < 0)
	{
		int			zerr;
		const char *msg = gzerror(in->gz, &zerr);

		snprintf(in->errmsg, sizeof(in->errmsg), "%s",
				 zerr == Z_ERRNO ? strerror(errno) : msg);
		return -1;
	}
	if (n == 0)
	{
		int			zerr;

		/* the end of the file inside a gzip stream: truncated input */
		(void) gzerror(in->gz, &zerr);
		if (zerr == Z_BUF_ERROR)
		{
			snprintf(in->errmsg, sizeof(in->errmsg),
					 "unexpected end of file in gzip data (truncated?)");
			return -1;
		}
		in->eof = true;
	}
	if (in->on_data)
		in->on_data(in->on_data_arg, in->buf + in->end, (size_t) n);
	in->end += (size_t) n;
	return n;
}

/* Add up to n bytes of p to the kept prefix of an over-long line. */
static void
keep_prefix(load_input *in, size_t *kept, const char *p, size_t n)
{
	if (n > LOAD_LINE_PREFIX - *kept)
		n = LOAD_LINE_PREFIX - *kept;
	memcpy(in->prefix + *kept, p, n);
	*kept += n;
}

/*
 * Skip the rest of a line that is longer than max_line.  buf[start..end)
 * holds its first bytes, no newline among them.  Keeps the first
 * LOAD_LINE_PREFIX bytes, reads on to the newline (or the end) without
 * buffering the rest, and fills *line.
 */
static int
skip_long_line(load_input *in, load_line *line)
{
	size_t		kept = 0;
	int64_t		len = (int64_t) (in->end - in->start);
	bool		newline = false;

	keep_prefix(in, &kept, in->buf + in->start, in->end - in->start);
	in->start = in->end = 0;
	while (!newline)
	{
		char	   *nl;
		size_t		n;

		if (fill(in) < 0)
			return -1;
		if (in->end == 0)
			break;
		nl = memchr(in->buf, '\n', in->end);
		n = nl ? (size_t) (nl - in->buf) : in->end;
		keep_prefix(in, &kept, in->buf, n);
		len += (int64_t) n;
		if (nl)
		{
			in->start = n + 1;
			newline = true;
		}
		else
			in->end = 0;
	}
	line->data = in->prefix;
	line->len = kept;
	line->too_long = true;
	line->full_len = len;
	line->line_no = ++in->line_no;
	line->offset = in->offset;
	in->offset += len + (newline ? 1 : 0);
	return 1;
}

/*
 * Return the next line in *line: 1 for a line, 0 at the end of the input, -1
 * on a read error (in->errmsg says which).  The line stays valid until the
 * next call.  A last line without a newline is still a line.
 */
int
load_input_next(load_input *in, load_line *line)
{
	for (;;)
	{
		size_t		have = in->end - in->start;
		char	   *p = in->buf + in->start;
		char	   *nl = memchr(p, '\n', have);

		if (nl || (in->eof && have > 0))
		{
			size_t		len = nl ? (size_t) (nl - p) : have;

			if (len > in->max_line)
			{
				/* already complete in the buffer: keep a prefix, drop the rest */
				size_t		keep = len < LOAD_LINE_PREFIX ? len : LOAD_LINE_PREFIX;

				memcpy(in->prefix, p, keep);
				line->data = in->prefix;
				line->len = keep;
				line->too_long = true;
			}
			else
			{
				p[len] = '\0';	/* the newline's place, or the spare byte */
				line->data = p;
				line->len = len;
				line->too_long = false;
			}
			line->full_len = (int64_t) len;
			line->line_no = ++in->line_no;
			line->offset = in->offset;
			in->offset += (int64_t) len + (nl ? 1 : 0);
			in->start += len + (nl ? 1 : 0);
			return 1;
		}
		if (in->eof)
			return 0;

		/* no complete line: make room and read more */
		if (have > in->max_line)
			return skip_long_line(in, line);
		if (in->start > 0)
		{
			memmove(in->buf, p, have);
			in->start = 0;
			in->end = have;
		}
		if (in->end >= in->cap - 1 && in->cap < in->max_cap)
		{
			size_t		cap = in->cap * 2;

			if (cap > in->max_cap || cap < in->cap)
				cap = in->max_cap;
			in->buf = load_realloc(in->buf, cap);
			in->cap = cap;
		}
		if (fill(in) < 0)
			return -1;
	}
}

/*
 * Continue at byte offset of the uncompressed stream, which must be a line
 * start, numbering the next line line_no + 1.  With seek, the file is
 * positioned there (gzip data is decompressed up to it); else (a pipe) the
 * bytes up to it are read and dropped, passing through on_data.  False with
 * in->errmsg set on a read error or when the input ends before offset.
 */
bool
load_input_skip(load_input *in, int64_t offset, int64_t line_no, bool seek)
{
	in->start = in->end = 0;
	if (seek)
	{
		if (offset > 0 && gzseek(in->gz, (z_off_t) offset, SEEK_SET) != (z_off_t) offset)
		{
			int			zerr;
			const char *msg = gzerror(in->gz, &zerr);

			snprintf(in->errmsg, sizeof(in->errmsg), "cannot seek to byte %lld: %s",
					 (long long) offset, zerr == Z_ERRNO ? strerror(errno) : msg);
			return false;
		}
		in->offset = offset;
	}
	else
	{
		while (in->offset < offset)
		{
			int			n;

			in->start = in->end = 0;
			n = fill(in);
			if (n < 0)
				return false;
			if (n == 0)
			{
				snprintf(in->errmsg, sizeof(in->errmsg),
						 "the input ends at byte %lld, before byte %lld",
						 (long long) in->offset, (long long) offset);
				return false;
			}
			if (in->offset + n > offset)
			{
				/* keep the bytes past offset for the next line */
				in->start = (size_t) (offset - in->offset);
				in->offset = offset;
				break;
			}
			in->offset += n;
			in->end = 0;
		}
	}
	in->line_no = line_no;
	return true;
}

/* Bytes of uncompressed input consumed so far. */
int64_t
load_input_consumed(const load_input *in)
{
	return in->offset;
}

/* Close the stream and free the buffer. */
void
load_input_close(load_input *in)
{
	if (in->gz)
		gzclose(in->gz);
	free(in->buf);
	in->gz = NULL;
	in->buf = NULL;
}
