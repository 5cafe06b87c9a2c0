/*
 * load_csv_map.c
 *    Map files and auxiliary tables of costmodel-load csv; see
 *    load_csv_map.h and docs/csv-loading.md for the format:
 *
 *      # a comment line
 *      source = claims                  the source the map is for
 *      encoding = latin1                file options: encoding, delimiter,
 *      delimiter = semicolon            decimal_comma, date_format
 *      claim_id = Claim Nr.             column = header in the file
 *      service_date.date_format = DD.MM.YYYY
 *      claim_amount.decimal_comma = yes
 *      status.value.BEZAHLT = paid      a source spelling and its meaning
 *      payer.null = 0                   a source value that means NULL
 *      source_system.constant = acme    the same value in every row
 *      payer.lookup = payers.csv: NAME by Id
 *      claim_amount.sum = tx.csv: AMOUNT by CLAIMID where TYPE = CHARGE
 *      procedure_code.first = tx.csv: CODE by CLAIMID where TYPE = CHARGE
 *      location.join = City, State      headers joined with ", "
 */
#include "load_csv_map.h"
#include "load_csv_read.h"
#include "load.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cm_enums.h"
#include "cm_values.h"

/* malloc'd copy of s/len. */
static char *
dupn(const char *s, size_t len)
{
	char	   *p = load_malloc(len + 1);

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* Strip ASCII white space from both ends of s/len. */
static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && (**s == ' ' || **s == '\t' || **s == '\r'))
		(*s)++, (*len)--;
	while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' ||
						(*s)[*len - 1] == '\r'))
		(*len)--;
}

/* Parse a map boolean; -1 when it is none. */
int
csv_map_bool(const char *s)
{
	bool		b;
	const char *why;

	if (cmv_bool(s, strlen(s), &b, &why) != CMV_OK)
		return -1;
	return b ? 1 : 0;
}

/* An empty map for source s. */
void
csv_map_init(csv_map *m, const cmc_source *s)
{
	memset(m, 0, sizeof(*m));
	m->encoding = -1;
	m->decimal_comma = -1;
	m->ncols = s->ncolumns;
	m->cols = load_malloc((size_t) s->ncolumns * sizeof(csv_colmap));
	memset(m->cols, 0, (size_t) s->ncolumns * sizeof(csv_colmap));
	for (int i = 0; i < s->ncolumns; i++)
		m->cols[i].decimal_comma = -1;
}

/* Append a string to a malloc'd array of strings. */
static void
push(char ***arr, int *n, char *s)
{
	*arr = load_realloc(*arr, (size_t) (*n + 1) * sizeof(char *));
	(*arr)[(*n)++] = s;
}

/* Write "FILE:LINE: message" into err; returns false. */
static bool LOAD_PRINTF(5, 6)
map_error(char *err, size_t errsize, const char *path, int line, const char *fmt,...)
{
	va_list		ap;
	int			n = snprintf(err, errsize, "%s:%d: ", path, line);

	if (n < 0 || (size_t) n >= errsize)
		return false;
	va_start(ap, fmt);
	vsnprintf(err + n, errsize - (size_t) n, fmt, ap);
	va_end(ap);
	return false;
}

/* Find word w (case-insensitive, surrounded by spaces) in s; NULL if absent. */
static const char *
find_word(const char *s, const char *w)
{
	size_t		n = strlen(w);

	for (const char *p = s; *p; p++)
	{
		if ((p == s || p[-1] == ' ' || p[-1] == '\t') && strncasecmp(p, w, n) == 0 &&
			(p[n] == ' ' || p[n] == '\t'))
			return p;
	}
	return NULL;
}

/* A trimmed malloc'd copy of s[0..len), or NULL if empty. */
static char *
trimmed(const char *s, size_t len)
{
	trim(&s, &len);
	return len ? dupn(s, len) : NULL;
}

/*
 * Parse "FILE: VALUE by KEY [where COL = V1, V2]" into a.  For AUX_LOOKUP
 * the where part is not allowed.  False with err set.
 */
static bool
parse_aux(csv_aux *a, csv_aux_kind kind, const char *spec, const char *path, int line,
		  char *err, size_t errsize)
{
	const char *colon = strchr(spec, ':');
	const char *by;
	const char *where;
	const char *rest;

	a->kind = kind;
	if (colon == NULL)
		return map_error(err, errsize, path, line,
						 "expected \"FILE: VALUE_COLUMN by KEY_COLUMN\", found \"%s\"", spec);
	a->file = trimmed(spec, (size_t) (colon - spec));
	rest = colon + 1;
	by = find_word(rest, "by");
	if (a->file == NULL || by == NULL)
		return map_error(err, errsize, path, line,
						 "expected \"FILE: VALUE_COLUMN by KEY_COLUMN\", found \"%s\"", spec);
	a->value_col = trimmed(rest, (size_t) (by - rest));
	where = find_word(by + 2, "where");
	a->key_col = trimmed(by + 2, where ? (size_t) (where - (by + 2)) : strlen(by + 2));
	if (a->value_col == NULL || a->key_col == NULL)
		return map_error(err, errsize, path, line,
						 "expected \"FILE: VALUE_COLUMN by KEY_COLUMN\", found \"%s\"", spec);
	if (where)
	{
		const char *cond = where + 5;
		const char *eq = strchr(cond, '=');
		const char *v;

		if (kind == AUX_LOOKUP)
			return map_error(err, errsize, path, line, "a lookup takes no \"where\"");
		if (eq == NULL || (a->where_col = trimmed(cond, (size_t) (eq - cond))) == NULL)
			return map_error(err, errsize, path, line,
							 "expected \"where COLUMN = VALUE[, VALUE...]\" after \"where\"");
		v = eq + 1;
		for (;;)
		{
			const char *comma = strchr(v, ',');
			char	   *val = trimmed(v, comma ? (size_t) (comma - v) : strlen(v));

			if (val == NULL)
				return map_error(err, errsize, path, line, "an empty value after \"where %s =\"",
								 a->where_col);
			push(&a->where_vals, &a->nwhere, val);
			if (comma == NULL)
				break;
			v = comma + 1;
		}
	}
	return true;
}

/* Set a string option once; false if it was set already. */
static bool
set_once(char **slot, const char *value)
{
	if (*slot != NULL)
		return false;
	*slot = load_malloc(strlen(value) + 1);
	strcpy(*slot, value);
	return true;
}

/* Apply one "key = value" line of a map. */
static bool
map_line(csv_map *m, const cmc_source *s, const char *key, const char *value,
		 const char *path, int line, char *err, size_t errsize)
{
	const char *dot = strchr(key, '.');
	char		colname[128];
	const char *opt;
	int			ci;
	csv_colmap *cm;
	int			b;

	/* file options */
	if (dot == NULL)
	{
		if (strcmp(key, "source") == 0)
		{
			if (!set_once(&m->source, value))
				return map_error(err, errsize, path, line, "\"source\" given twice");
			if (strcmp(value, s->name) != 0)
				return map_error(err, errsize, path, line,
								 "this map is for source \"%s\", not \"%s\"", value, s->name);
			return true;
		}
		if (strcmp(key, "encoding") == 0)
		{
			if ((m->encoding = cm_csv_encoding_find(value)) < 0)
				return map_error(err, errsize, path, line,
								 "unknown encoding \"%s\" (utf8, latin1 or win1252)", value);
			return true;
		}
		if (strcmp(key, "delimiter") == 0)
		{
			if (strcmp(value, "comma") == 0 || strcmp(value, ",") == 0)
				m->delim = ',';
			else if (strcmp(value, "semicolon") == 0 || strcmp(value, ";") == 0)
				m->delim = ';';
			else if (strcmp(value, "tab") == 0)
				m->delim = '\t';
			else if (strcmp(value, "pipe") == 0 || strcmp(value, "|") == 0)
				m->delim = '|';
			else
				return map_error(err, errsize, path, line,
								 "unknown delimiter \"%s\" (comma, semicolon, tab or pipe)", value);
			return true;
		}
		if (strcmp(key, "decimal_comma") == 0)
		{
			if ((m->decimal_comma = csv_map_bool(value)) < 0)
				return map_error(err, errsize, path, line, "decimal_comma takes yes or no");
			return true;
		}
		if (strcmp(key, "date_format") == 0)
		{
			const char *why = cm_csv_date_format_check(value);

			if (why)
				return map_error(err, errsize, path, line, "date_format \"%s\": %s", value, why);
			if (!set_once(&m->date_format, value))
				return map_error(err, errsize, path, line, "\"date_format\" given twice");
			return true;
		}
	}

	/* column = header, or column.option = value */
	if ((dot ? (size_t) (dot - key) : strlen(key)) >= sizeof(colname))
		return map_error(err, errsize, path, line, "unknown column or option \"%s\"", key);
	memcpy(colname, key, dot ? (size_t) (dot - key) : strlen(key));
	colname[dot ? (size_t) (dot - key) : strlen(key)] = '\0';
	ci = cmc_column_find(s, colname);
	if (ci < 0 || (s->columns[ci].flags & CMC_PROVENANCE))
	{
		char		list[2048];
		size_t		n = 0;

		list[0] = '\0';
		for (int i = 0; i < s->ncolumns && n < sizeof(list) - 64; i++)
			if (!(s->columns[i].flags & CMC_PROVENANCE))
				n += (size_t) snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "",
									   s->columns[i].name);
		return map_error(err, errsize, path, line,
						 "\"%s\" is not a column of %s (its columns: %s; file options: source, encoding, delimiter, decimal_comma, date_format)",
						 colname, s->name, list);
	}
	cm = &m->cols[ci];
	if (dot == NULL)
	{
		if (cm->njoin || !set_once(&cm->header, value))
			return map_error(err, errsize, path, line, "column %s is mapped twice", colname);
		return true;
	}
	opt = dot + 1;
	if (strcmp(opt, "date_format") == 0)
	{
		const char *why = cm_csv_date_format_check(value);

		if (s->columns[ci].type != CMC_DATE && s->columns[ci].type != CMC_TS)
			return map_error(err, errsize, path, line, "%s is not a date or timestamp column",
							 colname);
		if (why)
			return map_error(err, errsize, path, line, "date_format \"%s\": %s", value, why);
		if (!set_once(&cm->date_format, value))
			return map_error(err, errsize, path, line, "%s.date_format given twice", colname);
		return true;
	}
	if (strcmp(opt, "decimal_comma") == 0)
	{
		if (s->columns[ci].type != CMC_DEC2 && s->columns[ci].type != CMC_DEC3)
			return map_error(err, errsize, path, line, "%s is not an amount or decimal column",
							 colname);
		if ((b = csv_map_bool(value)) < 0)
			return map_error(err, errsize, path, line, "decimal_comma takes yes or no");
		cm->decimal_comma = b;
		return true;
	}
	if (strcmp(opt, "constant") == 0)
	{
		if (!set_once(&cm->constant, value))
			return map_error(err, errsize, path, line, "%s.constant given twice", colname);
		return true;
	}
	if (strcmp(opt, "null") == 0)
	{
		push(&cm->null_vals, &cm->nnull, dupn(value, strlen(value)));
		return true;
	}
	if (strncmp(opt, "value.", 6) == 0 && opt[6] != '\0')
	{
		int			k = cm->nvalues;

		push(&cm->from, &k, dupn(opt + 6, strlen(opt + 6)));
		k = cm->nvalues;
		push(&cm->to, &k, dupn(value, strlen(value)));
		cm->nvalues = k;
		return true;
	}
	if (strcmp(opt, "join") == 0)
	{
		const char *v = value;

		if (cm->header || cm->njoin)
			return map_error(err, errsize, path, line, "%s is mapped twice", colname);
		for (;;)
		{
			const char *comma = strchr(v, ',');
			char	   *h = trimmed(v, comma ? (size_t) (comma - v) : strlen(v));

			if (h == NULL)
				return map_error(err, errsize, path, line, "an empty header in %s.join", colname);
			push(&cm->join, &cm->njoin, h);
			if (comma == NULL)
				break;
			v = comma + 1;
		}
		if (cm->njoin < 2)
			return map_error(err, errsize, path, line, "%s.join needs two or more headers", colname);
		return true;
	}
	if (strcmp(opt, "lookup") == 0 || strcmp(opt, "sum") == 0 || strcmp(opt, "first") == 0)
	{
		csv_aux_kind kind = opt[0] == 'l' ? AUX_LOOKUP : opt[0] == 's' ? AUX_SUM : AUX_FIRST;

		if (cm->aux.kind != AUX_NONE)
			return map_error(err, errsize, path, line,
							 "%s has two of lookup, sum and first", colname);
		if (kind == AUX_SUM && s->columns[ci].type != CMC_DEC2)
			return map_error(err, errsize, path, line,
							 "sum needs an amount column; %s is not one", colname);
		return parse_aux(&cm->aux, kind, value, path, line, err, errsize);
	}
	return map_error(err, errsize, path, line,
					 "unknown option \"%s\" of column %s (date_format, decimal_comma, constant, null, value.SPELLING, join, lookup, sum, first)",
					 opt, colname);
}

/* Read a map file. */
bool
csv_map_read(csv_map *m, const char *path, const cmc_source *s, char *err, size_t errsize)
{
	FILE	   *f = fopen(path, "r");
	char	   *line = NULL;
	size_t		cap = 0;
	ssize_t		n;
	int			line_no = 0;
	bool		ok = true;

	if (f == NULL)
	{
		snprintf(err, errsize, "cannot open map file \"%s\": %s", path, strerror(errno));
		return false;
	}
	m->path = dupn(path, strlen(path));
	while (ok && (n = getline(&line, &cap, f)) >= 0)
	{
		const char *p = line;
		size_t		len = (size_t) n;
		const char *eq;
		char	   *key;
		char	   *value;

		line_no++;
		while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
			len--;
		/* a UTF-8 BOM at the start of the map */
		if (line_no == 1 && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
			p += 3, len -= 3;
		trim(&p, &len);
		if (len == 0 || p[0] == '#')
			continue;
		if (cm_csv_utf8_invalid(p, len) != len)
		{
			ok = map_error(err, errsize, path, line_no, "not valid UTF-8");
			break;
		}
		eq = memchr(p, '=', len);
		if (eq == NULL)
		{
			ok = map_error(err, errsize, path, line_no,
						   "expected \"column = header\" or \"option = value\", found \"%.*s\"",
						   (int) len, p);
			break;
		}
		key = trimmed(p, (size_t) (eq - p));
		value = trimmed(eq + 1, len - (size_t) (eq + 1 - p));
		if (key == NULL || value == NULL)
			ok = map_error(err, errsize, path, line_no,
						   "both sides of \"=\" must be given, found \"%.*s\"", (int) len, p);
		else
			ok = map_line(m, s, key, value, path, line_no, err, errsize);
		free(key);
		free(value);
	}
	if (ok && ferror(f))
	{
		snprintf(err, errsize, "cannot read map file \"%s\": %s", path, strerror(errno));
		ok = false;
	}
	free(line);
	fclose(f);
	return ok;
}

/* Free a map and its tables. */
void
csv_map_free(csv_map *m)
{
	csv_aux_clear(m);
	for (int i = 0; i < m->ncols; i++)
	{
		csv_colmap *c = &m->cols[i];

		free(c->header);
		free(c->date_format);
		free(c->constant);
		for (int k = 0; k < c->nnull; k++)
			free(c->null_vals[k]);
		free(c->null_vals);
		for (int k = 0; k < c->nvalues; k++)
		{
			free(c->from[k]);
			free(c->to[k]);
		}
		free(c->from);
		free(c->to);
		for (int k = 0; k < c->njoin; k++)
			free(c->join[k]);
		free(c->join);
		free(c->aux.file);
		free(c->aux.value_col);
		free(c->aux.key_col);
		free(c->aux.where_col);
		for (int k = 0; k < c->aux.nwhere; k++)
			free(c->aux.where_vals[k]);
		free(c->aux.where_vals);
	}
	free(m->cols);
	free(m->path);
	free(m->source);
	free(m->date_format);
	memset(m, 0, sizeof(*m));
}

/* ---------------------------------------------------------------- aux tables */

/* FNV-1a of a key. */
static uint64_t
hash_key(const char *s, size_t len)
{
	uint64_t	h = UINT64_C(14695981039346656037);

	for (size_t i = 0; i < len; i++)
	{
		h ^= (unsigned char) s[i];
		h *= UINT64_C(1099511628211);
	}
	return h;
}

/* Append text to a's text store; returns its offset. */
static size_t
aux_text(csv_aux *a, const char *s, size_t len)
{
	size_t		off;

	if (a->text_cap - a->text_len < len)
	{
		size_t		cap = a->text_cap ? a->text_cap : 65536;

		while (cap - a->text_len < len)
			cap *= 2;
		a->text = load_realloc(a->text, cap);
		a->text_cap = cap;
	}
	off = a->text_len;
	memcpy(a->text + off, s, len);
	a->text_len += len;
	return off;
}

/* Double the slot array and re-insert every entry. */
static void
aux_grow(csv_aux *a)
{
	uint64_t	size = a->slot_mask ? 2 * (a->slot_mask + 1) : 1024;

	free(a->slots);
	a->slots = load_malloc(size * sizeof(int64_t));
	memset(a->slots, 0, size * sizeof(int64_t));
	a->slot_mask = size - 1;
	for (int64_t e = 0; e < a->nentries; e++)
	{
		uint64_t	i = hash_key(a->text + a->entries[e].key_off, a->entries[e].key_len) & a->slot_mask;

		while (a->slots[i] != 0)
			i = (i + 1) & a->slot_mask;
		a->slots[i] = e + 1;
	}
}

/* The entry of key, made if absent. */
static csv_aux_entry *
aux_entry(csv_aux *a, const char *key, size_t len)
{
	uint64_t	i;
	csv_aux_entry *e;

	if ((uint64_t) (a->nentries + 1) * 2 > a->slot_mask)
		aux_grow(a);
	i = hash_key(key, len) & a->slot_mask;
	while (a->slots[i] != 0)
	{
		e = &a->entries[a->slots[i] - 1];
		if (e->key_len == len && memcmp(a->text + e->key_off, key, len) == 0)
			return e;
		i = (i + 1) & a->slot_mask;
	}
	if (a->nentries == a->entries_cap)
	{
		a->entries_cap = a->entries_cap ? 2 * a->entries_cap : 1024;
		a->entries = load_realloc(a->entries, (size_t) a->entries_cap * sizeof(csv_aux_entry));
	}
	e = &a->entries[a->nentries];
	memset(e, 0, sizeof(*e));
	e->key_off = aux_text(a, key, len);
	e->key_len = len;
	a->slots[i] = ++a->nentries;
	return e;
}

/* The entry of key/len in a, or NULL. */
const csv_aux_entry *
csv_aux_get(const csv_aux *a, const char *key, size_t len)
{
	uint64_t	i;

	if (a->slot_mask == 0)
		return NULL;
	i = hash_key(key, len) & a->slot_mask;
	while (a->slots[i] != 0)
	{
		const csv_aux_entry *e = &a->entries[a->slots[i] - 1];

		if (e->key_len == len && memcmp(a->text + e->key_off, key, len) == 0)
			return e;
		i = (i + 1) & a->slot_mask;
	}
	return NULL;
}

/* Index of the header named name (compared folded), or -1. */
static int
header_index(const csv_record *h, const char *name)
{
	char		want[256];
	char		got[256];

	if (cm_fold(name, strlen(name), want, sizeof(want)) == (size_t) -1)
		return -1;
	for (int i = 0; i < h->nfields; i++)
	{
		const cm_csv_field *f = &h->fields[i];

		if (cm_fold(h->text + f->off, f->len, got, sizeof(got)) != (size_t) -1 &&
			strcmp(got, want) == 0)
			return i;
	}
	return -1;
}

/* Is s/len (trimmed) one of a's where values (compared folded)? */
static bool
where_match(const csv_aux *a, const char *s, size_t len)
{
	char		got[256];
	char		want[256];

	if (cm_fold(s, len, got, sizeof(got)) == (size_t) -1)
		return false;
	for (int k = 0; k < a->nwhere; k++)
		if (cm_fold(a->where_vals[k], strlen(a->where_vals[k]), want, sizeof(want)) != (size_t) -1 &&
			strcmp(got, want) == 0)
			return true;
	return false;
}

/* Read one auxiliary file into the tables of every directive that names it. */
static bool
aux_read_file(csv_map *m, const char *file, const char *dir, char *err, size_t errsize)
{
	char		path[4096];
	csv_reader	r;
	csv_record	rec;
	int			rc;
	int			ncols = 0;
	int			which[64];
	int			vcol[64],
				kcol[64],
				wcol[64];
	bool		ok = true;

	if (file[0] == '/' || dir == NULL)
		snprintf(path, sizeof(path), "%s", file);
	else
		snprintf(path, sizeof(path), "%s/%s", dir, file);
	for (int i = 0; i < m->ncols && ncols < 64; i++)
		if (m->cols[i].aux.kind != AUX_NONE && strcmp(m->cols[i].aux.file, file) == 0)
			which[ncols++] = i;

	if (!csv_reader_open(&r, path, m->delim, (size_t) 64 << 20))
	{
		snprintf(err, errsize, "map %s: auxiliary file %s: %s", m->path, path, r.errmsg);
		csv_reader_close(&r);
		return false;
	}
	rc = csv_reader_next(&r, &rec);
	if (rc <= 0 || rec.error)
	{
		snprintf(err, errsize, "map %s: auxiliary file %s: %s", m->path, path,
				 rc < 0 ? r.errmsg : rc == 0 ? "the file is empty" : rec.error);
		csv_reader_close(&r);
		return false;
	}
	for (int k = 0; k < ncols; k++)
	{
		csv_aux    *a = &m->cols[which[k]].aux;

		vcol[k] = header_index(&rec, a->value_col);
		kcol[k] = header_index(&rec, a->key_col);
		wcol[k] = a->where_col ? header_index(&rec, a->where_col) : -1;
		if (vcol[k] < 0 || kcol[k] < 0 || (a->where_col && wcol[k] < 0))
		{
			snprintf(err, errsize, "map %s: auxiliary file %s has no column \"%s\"",
					 m->path, path,
					 vcol[k] < 0 ? a->value_col : kcol[k] < 0 ? a->key_col : a->where_col);
			csv_reader_close(&r);
			return false;
		}
		a->rows_read = 0;
	}
	while (ok && (rc = csv_reader_next(&r, &rec)) > 0)
	{
		for (int k = 0; k < ncols; k++)
		{
			csv_aux    *a = &m->cols[which[k]].aux;
			const cm_csv_field *kf,
					   *vf;
			const char *key,
					   *val;
			size_t		klen,
						vlen;
			csv_aux_entry *e;

			if (rec.error || kcol[k] >= rec.nfields || vcol[k] >= rec.nfields ||
				(wcol[k] >= rec.nfields))
			{
				snprintf(err, errsize, "map %s: auxiliary file %s, line %lld: %s",
						 m->path, path, (long long) rec.line_no,
						 rec.error ? rec.error : "too few fields");
				ok = false;
				break;
			}
			kf = &rec.fields[kcol[k]];
			vf = &rec.fields[vcol[k]];
			key = rec.text + kf->off;
			klen = kf->len;
			val = rec.text + vf->off;
			vlen = vf->len;
			trim(&key, &klen);
			trim(&val, &vlen);
			if (klen == 0)
				continue;
			/* every key gets an entry: a sum over no matching rows is 0 */
			e = aux_entry(a, key, klen);
			if (wcol[k] >= 0)
			{
				const cm_csv_field *wf = &rec.fields[wcol[k]];

				if (!where_match(a, rec.text + wf->off, wf->len))
					continue;
			}
			a->rows_read++;
			e->rows++;
			if (a->kind == AUX_SUM)
			{
				int64_t		cents;
				const char *why;
				cmv_status	st = cmv_money(val, vlen, a->decimal_comma, &cents, &why);

				if (st == CMV_OK)
					e->sum += cents;
				else if (st == CMV_INVALID && !e->bad)
				{
					e->bad = true;
					e->bad_line = (size_t) rec.line_no;
				}
			}
			else if (!e->has_val)
			{
				/* the value's text goes after the key in the store */
				e->val_off = aux_text(a, val, vlen);
				e->val_len = vlen;
				e->has_val = true;
			}
		}
	}
	if (ok && rc < 0)
	{
		snprintf(err, errsize, "map %s: auxiliary file %s: %s", m->path, path, r.errmsg);
		ok = false;
	}
	csv_reader_close(&r);
	return ok;
}

/* Build the tables of every auxiliary directive. */
bool
csv_aux_build(csv_map *m, const char *dir, char *err, size_t errsize)
{
	csv_aux_clear(m);
	for (int i = 0; i < m->ncols; i++)
	{
		bool		seen = false;

		if (m->cols[i].aux.kind == AUX_NONE)
			continue;
		m->cols[i].aux.decimal_comma = m->cols[i].decimal_comma > 0 ||
			(m->cols[i].decimal_comma < 0 && m->decimal_comma > 0);
		/* each file is read once, for all its directives */
		for (int j = 0; j < i; j++)
			if (m->cols[j].aux.kind != AUX_NONE && strcmp(m->cols[j].aux.file, m->cols[i].aux.file) == 0)
				seen = true;
		if (!seen && !aux_read_file(m, m->cols[i].aux.file, dir, err, errsize))
			return false;
	}
	return true;
}

/* Forget the built tables. */
void
csv_aux_clear(csv_map *m)
{
	for (int i = 0; i < m->ncols; i++)
	{
		csv_aux    *a = &m->cols[i].aux;

		free(a->text);
		free(a->entries);
		free(a->slots);
		a->text = NULL;
		a->entries = NULL;
		a->slots = NULL;
		a->text_len = a->text_cap = 0;
		a->nentries = a->entries_cap = 0;
		a->slot_mask = 0;
		a->rows_read = 0;
	}
}
