/*
 * cm_csv.h
 *    The CSV dialect and tokenizer of costmodel-load csv: delimiter
 *    detection, a streaming record tokenizer fed one physical line at a time
 *    (RFC 4180 quoting, with embedded delimiters, quotes and newlines; CRLF
 *    line ends), conversion of Latin-1 and Windows-1252 text to UTF-8, UTF-8
 *    validation, and per-column date formats.
 *
 * Plain C99; no PostgreSQL or json-c headers.  Memory comes from a realloc
 * function supplied by the caller (which must not return NULL).
 */
#ifndef CM_CSV_H
#define CM_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The delimiters that detection chooses from, in order of preference. */
#define CM_CSV_DELIMITERS	",;\t|"

/* Lines of a file's start that delimiter detection looks at. */
#define CM_CSV_DETECT_LINES	50

typedef void *(*cm_csv_realloc) (void *p, size_t size);

/* One field of a record: its unquoted text is parser.buf[off .. off + len). */
typedef struct cm_csv_field
{
	size_t		off;
	size_t		len;
	int64_t		raw_off;		/* stream offset of the field's first byte */
	bool		quoted;
} cm_csv_field;

/* The tokenizer.  Fields of the current record stay valid until cm_csv_clear. */
typedef struct cm_csv_parser
{
	char		delim;
	cm_csv_realloc realloc_fn;
	int			state;
	char	   *buf;			/* the unquoted field texts, back to back */
	size_t		len;
	size_t		cap;
	cm_csv_field *fields;
	int			nfields;
	int			fcap;
	bool		started;		/* a record is being read */
	int64_t		rec_off;		/* stream offset of the record's first byte */
	int64_t		rec_line;		/* line number of the record's first line */
	int			lines;			/* physical lines in the record so far */
	size_t		raw_len;		/* bytes of the record, newlines included */
	const char *error;			/* first malformation found, or NULL */
	int64_t		error_off;		/* its stream offset */
} cm_csv_parser;

void		cm_csv_init(cm_csv_parser *p, char delim, cm_csv_realloc realloc_fn);
void		cm_csv_free(cm_csv_parser *p);

/*
 * Feed one physical line (without its "\n"; a "\r" before it is the CRLF
 * line end unless it lies inside a quoted field) that starts at stream
 * offset offset.  Returns true when the record is complete, false when a
 * quoted field continues on the next line.
 */
bool		cm_csv_feed(cm_csv_parser *p, const char *line, size_t len,
						int64_t offset, int64_t line_no);

/* End the record at the end of the input (an open quote is an error). */
void		cm_csv_finish(cm_csv_parser *p);

/* Forget the current record, keeping the memory. */
void		cm_csv_clear(cm_csv_parser *p);

/* Is the line empty or white space only (a blank line between records)? */
bool		cm_csv_blank(const char *line, size_t len);

/*
 * The delimiter of a file whose first lines are sample/len ("\n"-separated,
 * already UTF-8): the candidate of CM_CSV_DELIMITERS that splits the header
 * into at least two fields and the most records into as many fields as the
 * header, counting outside quotes; ties go to the earlier candidate.  A
 * header no candidate splits gives ','.
 */
char		cm_csv_detect(const char *sample, size_t len);

/* Name of a delimiter for messages: "comma", "semicolon", "tab", "pipe". */
const char *cm_csv_delim_name(char delim);

/* Input encodings. */
typedef enum cm_csv_encoding
{
	CM_ENC_UTF8 = 0,
	CM_ENC_LATIN1,				/* ISO 8859-1 */
	CM_ENC_WIN1252				/* Windows-1252 (Latin-1 with 0x80-0x9F printable) */
} cm_csv_encoding;

/* The encoding called name ("utf8", "latin1", "win1252" and aliases), or -1. */
int			cm_csv_encoding_find(const char *name);
const char *cm_csv_encoding_name(cm_csv_encoding enc);

/*
 * Convert s/len from enc to UTF-8 into out, which has room for 3 * len
 * bytes; returns the bytes written.  (UTF-8 input is copied.)
 */
size_t		cm_csv_to_utf8(cm_csv_encoding enc, const char *s, size_t len, char *out);

/* Index of the first byte of s/len that is not valid UTF-8 (or is NUL), or len. */
size_t		cm_csv_utf8_invalid(const char *s, size_t len);

/*
 * A per-column date format such as "DD.MM.YYYY" or "MM/DD/YY HH:MI": the
 * tokens YYYY, YY (00-69 is 20xx), MM, M, DD, D, HH, MI, SS and MON (Jan ..
 * Dec); a space matches one or more spaces; any other character matches
 * itself.  cm_csv_date_format_check returns NULL for a usable format, else
 * why not.  cm_csv_date_reformat rewrites s/len as ISO 8601
 * ("YYYY-MM-DD[ HH:MI:SS]" followed by whatever text follows the format,
 * such as a fraction or a zone) for the shared parsers cmv_timestamp and
 * cmv_date to read; false when s does not match the format.
 */
const char *cm_csv_date_format_check(const char *fmt);
bool		cm_csv_date_reformat(const char *fmt, const char *s, size_t len,
								 char *out, size_t outsize, size_t *outlen);

#endif							/* CM_CSV_H */
