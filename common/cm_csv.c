/*
 * cm_csv.c
 *    CSV dialect and tokenizer; see cm_csv.h.
 *
 * The tokenizer is a four-state machine (field start, unquoted, quoted,
 * quote seen inside a quoted field) fed one physical line at a time, so a
 * record with a quoted newline simply takes several feeds.  It is lenient
 * where common exports are sloppy and strict where data would be lost:
 * a quote inside an unquoted field is kept as a character, spaces before an
 * opening quote are skipped, spaces after a closing quote are ignored; text
 * after a closing quote and an unterminated quote are errors of the record.
 */
#include "cm_csv.h"

#include <stdio.h>
#include <string.h>

enum
{
	ST_FIELD_START = 0,
	ST_UNQUOTED,
	ST_QUOTED,
	ST_QUOTE_IN_QUOTED
};

/* Set up a tokenizer for delimiter delim. */
void
cm_csv_init(cm_csv_parser *p, char delim, cm_csv_realloc realloc_fn)
{
	memset(p, 0, sizeof(*p));
	p->delim = delim;
	p->realloc_fn = realloc_fn;
}

/* Free the tokenizer's memory. */
void
cm_csv_free(cm_csv_parser *p)
{
	if (p->buf)
		p->realloc_fn(p->buf, 0);
	if (p->fields)
		p->realloc_fn(p->fields, 0);
	p->buf = NULL;
	p->fields = NULL;
	p->cap = 0;
	p->fcap = 0;
}

/* Forget the current record. */
void
cm_csv_clear(cm_csv_parser *p)
{
	p->state = ST_FIELD_START;
	p->len = 0;
	p->nfields = 0;
	p->started = false;
	p->lines = 0;
	p->raw_len = 0;
	p->error = NULL;
	p->error_off = 0;
}

/* Make room for extra more bytes in the field buffer. */
static void
reserve(cm_csv_parser *p, size_t extra)
{
	size_t		cap;

	if (p->cap - p->len >= extra)
		return;
	cap = p->cap ? p->cap : 1024;
	while (cap - p->len < extra)
		cap *= 2;
	p->buf = p->realloc_fn(p->buf, cap);
	p->cap = cap;
}

/* Start a new field at stream offset raw_off. */
static void
begin_field(cm_csv_parser *p, int64_t raw_off, bool quoted)
{
	cm_csv_field *f;

	if (p->nfields == p->fcap)
	{
		p->fcap = p->fcap ? 2 * p->fcap : 64;
		p->fields = p->realloc_fn(p->fields, (size_t) p->fcap * sizeof(cm_csv_field));
	}
	f = &p->fields[p->nfields++];
	f->off = p->len;
	f->len = 0;
	f->raw_off = raw_off;
	f->quoted = quoted;
}

/* Close the current field: its text ends at the end of the buffer. */
static void
end_field(cm_csv_parser *p)
{
	cm_csv_field *f = &p->fields[p->nfields - 1];

	f->len = p->len - f->off;
}

/* Note the record's first malformation. */
static void
set_error(cm_csv_parser *p, const char *why, int64_t off)
{
	if (p->error == NULL)
	{
		p->error = why;
		p->error_off = off;
	}
}

/* Feed one physical line; true when the record is complete. */
bool
cm_csv_feed(cm_csv_parser *p, const char *line, size_t len, int64_t offset,
			int64_t line_no)
{
	const char	delim = p->delim;
	size_t		n = len;
	size_t		i = 0;
	bool		cr = false;

	if (!p->started)
	{
		p->started = true;
		p->rec_off = offset;
		p->rec_line = line_no;
		p->state = ST_FIELD_START;
		begin_field(p, offset, false);
	}
	p->lines++;
	p->raw_len += len + 1;
	/* a final CR is the CRLF line end unless a quoted field goes on */
	if (n > 0 && line[n - 1] == '\r')
	{
		cr = true;
		n--;
	}
	/* the whole line's bytes at most, plus a CR and a newline */
	reserve(p, len + 2);

	while (i < n)
	{
		char		c = line[i];

		switch (p->state)
		{
			case ST_FIELD_START:
				if (c == delim)
				{
					end_field(p);
					begin_field(p, offset + (int64_t) i + 1, false);
					i++;
					continue;
				}
				if (c == '"')
				{
					p->fields[p->nfields - 1].quoted = true;
					p->fields[p->nfields - 1].raw_off = offset + (int64_t) i;
					p->state = ST_QUOTED;
					i++;
					continue;
				}
				if (c == ' ' && delim != ' ')
				{
					/* spaces before an opening quote are not data */
					size_t		j = i;

					while (j < n && line[j] == ' ')
						j++;
					if (j < n && line[j] == '"')
					{
						i = j;
						continue;
					}
				}
				p->state = ST_UNQUOTED;
				continue;		/* read c again as unquoted text */

			case ST_UNQUOTED:
				{
					/* copy the run up to the next delimiter at once */
					const char *d = memchr(line + i, delim, n - i);
					size_t		run = d ? (size_t) (d - (line + i)) : n - i;

					memcpy(p->buf + p->len, line + i, run);
					p->len += run;
					i += run;
					if (d)
					{
						end_field(p);
						begin_field(p, offset + (int64_t) i + 1, false);
						p->state = ST_FIELD_START;
						i++;
					}
					continue;
				}

			case ST_QUOTED:
				{
					const char *q = memchr(line + i, '"', n - i);
					size_t		run = q ? (size_t) (q - (line + i)) : n - i;

					memcpy(p->buf + p->len, line + i, run);
					p->len += run;
					i += run;
					if (q)
					{
						p->state = ST_QUOTE_IN_QUOTED;
						i++;
					}
					continue;
				}

			case ST_QUOTE_IN_QUOTED:
				if (c == '"')
				{
					/* a doubled quote is one quote character */
					p->buf[p->len++] = '"';
					p->state = ST_QUOTED;
				}
				else if (c == delim)
				{
					end_field(p);
					begin_field(p, offset + (int64_t) i + 1, false);
					p->state = ST_FIELD_START;
				}
				else if (c == ' ' || c == '\t')
				{
					/* spaces after the closing quote are not data */
				}
				else
				{
					set_error(p, "text after the closing quote of a field",
							  offset + (int64_t) i);
					p->buf[p->len++] = c;
					p->state = ST_UNQUOTED;
				}
				i++;
				continue;
		}
	}

	if (p->state == ST_QUOTED)
	{
		/* the line end is part of the quoted field */
		if (cr)
			p->buf[p->len++] = '\r';
		p->buf[p->len++] = '\n';
		return false;
	}
	end_field(p);
	return true;
}

/* End the record at the end of the input. */
void
cm_csv_finish(cm_csv_parser *p)
{
	if (!p->started)
		return;
	if (p->state == ST_QUOTED)
	{
		/* drop the newline added after the last line */
		if (p->len > p->fields[p->nfields - 1].off)
			p->len--;
		set_error(p, "unterminated quoted field (the file ends inside quotes)",
				  p->fields[p->nfields - 1].raw_off);
	}
	end_field(p);
}

/* Is the line empty or white space only? */
bool
cm_csv_blank(const char *line, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r')
			return false;
	return true;
}

/*
 * Count the fields of up to max records of sample with delimiter delim;
 * counts[k] gets record k's field count.  Returns the number of records.
 * Blank lines are skipped.
 */
static int
count_fields(const char *s, size_t len, char delim, int *counts, int max)
{
	int			nrec = 0;
	size_t		i = 0;

	while (i < len && nrec < max)
	{
		int			fields = 1;
		bool		inq = false;
		bool		any = false;

		/* skip blank lines */
		{
			size_t		j = i;

			while (j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r'))
				j++;
			if (j < len && s[j] == '\n')
			{
				i = j + 1;
				continue;
			}
			if (j >= len)
				break;
		}
		for (; i < len; i++)
		{
			char		c = s[i];

			any = true;
			if (inq)
			{
				if (c == '"')
				{
					if (i + 1 < len && s[i + 1] == '"')
						i++;
					else
						inq = false;
				}
			}
			else if (c == '"')
			{
				/* a quote opens a quoted field only at the field's start */
				size_t		k = i;

				while (k > 0 && s[k - 1] == ' ')
					k--;
				if (k == 0 || s[k - 1] == delim || s[k - 1] == '\n')
					inq = true;
			}
			else if (c == delim)
				fields++;
			else if (c == '\n')
			{
				i++;
				break;
			}
		}
		if (any)
			counts[nrec++] = fields;
	}
	return nrec;
}

/* Detect the delimiter of a file from its first lines. */
char
cm_csv_detect(const char *sample, size_t len)
{
	const char *cands = CM_CSV_DELIMITERS;
	char		best = ',';
	int			best_match = -1;
	int			best_fields = 1;

	for (int c = 0; cands[c]; c++)
	{
		int			counts[CM_CSV_DETECT_LINES];
		int			n = count_fields(sample, len, cands[c], counts, CM_CSV_DETECT_LINES);
		int			match = 0;

		if (n == 0 || counts[0] < 2)
			continue;
		for (int k = 1; k < n; k++)
			if (counts[k] == counts[0])
				match++;
		if (match > best_match || (match == best_match && counts[0] > best_fields))
		{
			best = cands[c];
			best_match = match;
			best_fields = counts[0];
		}
	}
	return best;
}

/* Name of a delimiter for messages. */
const char *
cm_csv_delim_name(char delim)
{
	switch (delim)
	{
		case ',':
			return "comma";
		case ';':
			return "semicolon";
		case '\t':
			return "tab";
		case '|':
			return "pipe";
		default:
			return "other";
	}
}

/* ---------------------------------------------------------------- encodings */

/* Windows-1252 0x80-0x9F as Unicode code points (0 for the five unassigned). */
static const unsigned short win1252_high[32] = {
	0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
	0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178
};

/* The encoding called name, or -1. */
int
cm_csv_encoding_find(const char *name)
{
	static const struct
	{
		const char *name;
		cm_csv_encoding enc;
	}			names[] = {
		{"utf8", CM_ENC_UTF8}, {"latin1", CM_ENC_LATIN1}, {"iso88591", CM_ENC_LATIN1},
		{"win1252", CM_ENC_WIN1252}, {"windows1252", CM_ENC_WIN1252},
		{"cp1252", CM_ENC_WIN1252}, {NULL, CM_ENC_UTF8}
	};
	char		folded[32];
	size_t		j = 0;

	/* "UTF-8", "ISO-8859-1", "windows-1252": compare lower case, alnum only */
	for (size_t i = 0; name[i] && j + 1 < sizeof(folded); i++)
	{
		char		c = name[i];

		if (c >= 'A' && c <= 'Z')
			c = (char) (c - 'A' + 'a');
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			folded[j++] = c;
	}
	folded[j] = '\0';
	for (int i = 0; names[i].name; i++)
		if (strcmp(folded, names[i].name) == 0)
			return (int) names[i].enc;
	return -1;
}

/* The canonical name of an encoding. */
const char *
cm_csv_encoding_name(cm_csv_encoding enc)
{
	switch (enc)
	{
		case CM_ENC_LATIN1:
			return "latin1";
		case CM_ENC_WIN1252:
			return "win1252";
		default:
			return "utf8";
	}
}

/* Write code point cp as UTF-8 at out; returns the bytes written. */
static size_t
put_utf8(unsigned cp, char *out)
{
	if (cp < 0x80)
	{
		out[0] = (char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		out[0] = (char) (0xC0 | (cp >> 6));
		out[1] = (char) (0x80 | (cp & 0x3F));
		return 2;
	}
	out[0] = (char) (0xE0 | (cp >> 12));
	out[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
	out[2] = (char) (0x80 | (cp & 0x3F));
	return 3;
}

/* Convert s/len from enc to UTF-8; out has room for 3 * len bytes. */
size_t
cm_csv_to_utf8(cm_csv_encoding enc, const char *s, size_t len, char *out)
{
	size_t		o = 0;

	if (enc == CM_ENC_UTF8)
	{
		memcpy(out, s, len);
		return len;
	}
	for (size_t i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];
		unsigned	cp = c;

		if (c < 0x80)
		{
			out[o++] = (char) c;
			continue;
		}
		if (enc == CM_ENC_WIN1252 && c < 0xA0 && win1252_high[c - 0x80] != 0)
			cp = win1252_high[c - 0x80];
		o += put_utf8(cp, out + o);
	}
	return o;
}

/* Index of the first byte that is not valid UTF-8 (or is NUL), or len. */
size_t
cm_csv_utf8_invalid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *) str;
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = s[i];
		size_t		n;
		unsigned char lo = 0x80,
					hi = 0xBF;

		if (c >= 0x01 && c < 0x80)
		{
			i++;
			continue;
		}
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
			return i;
		if (len - i < n || s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (size_t k = 2; k < n; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xBF)
				return i;
		i += n;
	}
	return len;
}

/* ---------------------------------------------------------------- date formats */

/* Format tokens, longest first so that "YYYY" wins over "YY". */
typedef enum
{
	TK_YYYY, TK_YY, TK_MON, TK_MM, TK_M, TK_DD, TK_D, TK_HH, TK_MI, TK_SS, TK_NONE
} date_token;

static const struct
{
	const char *text;
	date_token	tok;
}			date_tokens[] = {
	{"YYYY", TK_YYYY}, {"YY", TK_YY}, {"MON", TK_MON}, {"MI", TK_MI}, {"MM", TK_MM},
	{"M", TK_M}, {"DD", TK_DD}, {"D", TK_D}, {"HH", TK_HH}, {"SS", TK_SS},
	{NULL, TK_NONE}
};

/* The token at fmt, and its length; TK_NONE for a literal character. */
static date_token
token_at(const char *fmt, size_t *toklen)
{
	for (int i = 0; date_tokens[i].text; i++)
	{
		size_t		n = strlen(date_tokens[i].text);

		if (strncmp(fmt, date_tokens[i].text, n) == 0)
		{
			*toklen = n;
			return date_tokens[i].tok;
		}
	}
	*toklen = 1;
	return TK_NONE;
}

/* Is a date format usable?  NULL if so, else why not. */
const char *
cm_csv_date_format_check(const char *fmt)
{
	bool		y = false,
				m = false,
				d = false;
	size_t		n;

	for (const char *f = fmt; *f; f += n)
	{
		switch (token_at(f, &n))
		{
			case TK_YYYY:
			case TK_YY:
				y = true;
				break;
			case TK_MON:
			case TK_MM:
			case TK_M:
				m = true;
				break;
			case TK_DD:
			case TK_D:
				d = true;
				break;
			default:
				break;
		}
	}
	if (!y || !m || !d)
		return "a date format needs a year (YYYY or YY), a month (MM, M or MON) and a day (DD or D)";
	return NULL;
}

/* Read between min and max digits at s[*i]; -1 if fewer than min. */
static int
read_digits(const char *s, size_t len, size_t *i, int min, int max)
{
	int			v = 0,
				n = 0;

	while (*i < len && n < max && s[*i] >= '0' && s[*i] <= '9')
	{
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		n++;
	}
	return n >= min ? v : -1;
}

/* Rewrite s/len, written in format fmt, as ISO 8601. */
bool
cm_csv_date_reformat(const char *fmt, const char *s, size_t len, char *out,
					 size_t outsize, size_t *outlen)
{
	static const char *const months[] = {
		"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"
	};
	int			y = -1,
				mo = -1,
				d = -1,
				h = -1,
				mi = -1,
				sec = -1;
	size_t		i = 0;
	size_t		n;
	int			w;

	/* surrounding white space is not part of the value */
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (const char *f = fmt; *f; f += n)
	{
		switch (token_at(f, &n))
		{
			case TK_YYYY:
				y = read_digits(s, len, &i, 4, 4);
				break;
			case TK_YY:
				y = read_digits(s, len, &i, 2, 2);
				if (y >= 0)
					y += y < 70 ? 2000 : 1900;
				break;
			case TK_MM:
				mo = read_digits(s, len, &i, 2, 2);
				break;
			case TK_M:
				mo = read_digits(s, len, &i, 1, 2);
				break;
			case TK_DD:
				d = read_digits(s, len, &i, 2, 2);
				break;
			case TK_D:
				d = read_digits(s, len, &i, 1, 2);
				break;
			case TK_HH:
				h = read_digits(s, len, &i, 1, 2);
				break;
			case TK_MI:
				mi = read_digits(s, len, &i, 2, 2);
				break;
			case TK_SS:
				sec = read_digits(s, len, &i, 2, 2);
				break;
			case TK_MON:
				mo = -1;
				if (len - i >= 3)
				{
					for (int k = 0; k < 12; k++)
					{
						int			c;

						for (c = 0; c < 3; c++)
						{
							char		ch = s[i + (size_t) c];

							if (ch >= 'A' && ch <= 'Z')
								ch = (char) (ch - 'A' + 'a');
							if (ch != months[k][c])
								break;
						}
						if (c == 3)
						{
							mo = k + 1;
							i += 3;
							break;
						}
					}
				}
				break;
			case TK_NONE:
				if (*f == ' ')
				{
					if (i >= len || s[i] != ' ')
						return false;
					while (i < len && s[i] == ' ')
						i++;
					continue;
				}
				if (i >= len || s[i] != *f)
					return false;
				i++;
				continue;
		}
		/* every token but a literal must have read something */
		switch (token_at(f, &n))
		{
			case TK_YYYY:
			case TK_YY:
				if (y < 0)
					return false;
				break;
			case TK_MON:
			case TK_MM:
			case TK_M:
				if (mo < 0)
					return false;
				break;
			case TK_DD:
			case TK_D:
				if (d < 0)
					return false;
				break;
			case TK_HH:
				if (h < 0)
					return false;
				break;
			case TK_MI:
				if (mi < 0)
					return false;
				break;
			case TK_SS:
				if (sec < 0)
					return false;
				break;
			default:
				break;
		}
	}
	if (y < 0 || mo < 0 || d < 0)
		return false;
	if (h >= 0)
		w = snprintf(out, outsize, "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, h,
					 mi < 0 ? 0 : mi, sec < 0 ? 0 : sec);
	else
		w = snprintf(out, outsize, "%04d-%02d-%02d", y, mo, d);
	if (w < 0 || (size_t) w + (len - i) >= outsize)
		return false;
	/* the rest (a fraction, a zone) is for the shared parser to judge */
	memcpy(out + w, s + i, len - i);
	*outlen = (size_t) w + (len - i);
	out[*outlen] = '\0';
	return true;
}
