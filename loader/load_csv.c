/*
 * load_csv.c
 *    The "csv" command: CSV exports into the source tables of issue 3.
 *
 * A file is read record by record (load_csv_read.c).  Its header is matched
 * to the target's columns (common/cm_csv_schema.c) by folded name and
 * aliases, or by a map file; a missing required column rejects the file.
 * Each record's fields are checked for UTF-8 (or converted from Latin-1),
 * read by the shared value parsers (common/cm_values.c, cm_enums.c) and
 * written as one COPY text row into a batch; a row that cannot be read is
 * rejected with its line, byte offset, column, value and reason.  A key
 * seen earlier in the same file is a duplicate: the first row wins.
 *
 * A writer thread writes each batch in one transaction: the foreign keys
 * are checked, the server is asked which keys it already has, new rows are
 * COPYed straight into the table (the fast path of a first load), and rows
 * with known keys go through a temporary staging table and
 * INSERT ... ON CONFLICT DO UPDATE ... WHERE the row differs, so that an
 * identical row is a duplicate and a changed one an update.  The batch's
 * rejects go into costmodel.load_reject and its counts into the file's
 * costmodel.load_log row in the same transaction, so the log always matches
 * the committed rows.  If the database refuses the batch (a CHECK the
 * loader does not mirror, say), the batch is redone through the staging
 * table under savepoints, halving until the offending rows are isolated and
 * rejected with the server's message.  A concurrent loader's unique
 * violation redoes the batch through the staging table, once.
 */
#include "load_csv.h"
#include "load_copy.h"
#include "load_csv_map.h"
#include "load_csv_read.h"
#include "pg_json_check.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cm_csv.h"
#include "cm_csv_schema.h"
#include "cm_enums.h"
#include "cm_trace.h"
#include "cm_values.h"

#define MAXCOLS				64
#define SAMPLE_REJECTS		10
#define PROGRESS_TTY_SECS	0.5
#define PROGRESS_LOG_SECS	10.0
#define JSON_DEPTH			64

/* What became of a row of a batch. */
enum
{
	ROW_PENDING = 0,
	ROW_NEW,					/* key not in the table: COPY straight in */
	ROW_EXISTING,				/* key in the table: through the staging table */
	ROW_REJECTED				/* by a foreign key or by the database */
};

/* How the writer applies a batch. */
typedef enum
{
	MODE_FAST = 0,				/* new rows by COPY, known keys by upsert */
	MODE_SAFE,					/* every row by upsert (after a concurrent conflict) */
	MODE_BISECT					/* by upsert under savepoints, isolating bad rows */
} write_mode;

/* One row of a batch. */
typedef struct row_rec
{
	size_t		start;			/* COPY text in batch.copy */
	size_t		end;
	size_t		key_off;		/* in batch.keys */
	size_t		key_len;
	size_t		fk_off;			/* in batch.keys */
	size_t		fk_len;
	bool		has_fk;
	int64_t		line_no;
	int64_t		offset;
	uint64_t	nulls;			/* column bits, for the per-column counts */
	uint64_t	unreadable;
	uint64_t	normalised;
	uint8_t		state;
} row_rec;

/* One rejected row; the texts are in batch.rejtext. */
typedef struct reject_rec
{
	int64_t		line_no;
	int64_t		byte_offset;
	size_t		col_off,
				col_len;
	bool		has_col;
	size_t		val_off,
				val_len;
	bool		has_val;
	size_t		reason_off,
				reason_len;
	size_t		raw_off,
				raw_len;
} reject_rec;

typedef struct csv_file csv_file;

/* Rows and rejects of one file not yet written. */
typedef struct batch
{
	csv_file   *file;
	load_buf	copy;
	row_rec    *rows;
	int			nrows;
	int			rows_cap;
	load_buf	keys;
	reject_rec *rejects;
	int			nrejects;
	int			rejects_cap;
	int			reader_rejects; /* rejects[0 .. reader_rejects) are the reader's */
	size_t		reader_rejtext;
	load_buf	rejtext;
	int64_t		read;			/* records read into this batch */
	int64_t		infile_dups;
	/* set by the writer */
	int64_t		loaded;
	int64_t		updated;
	int64_t		dups;
	int64_t		db_rejects;
} batch;

/* The keys of one file, to find a key seen earlier in the file. */
typedef struct keyset
{
	load_buf	text;
	size_t	   *off;
	uint32_t   *len;
	int64_t		n;
	int64_t		cap;
	int64_t    *slots;			/* key index + 1, 0 for empty */
	uint64_t	mask;
} keyset;

/* How a target column is filled in this file. */
typedef enum
{
	FILL_NONE = 0,				/* NULL in every row */
	FILL_FIELD,					/* from a field of the file */
	FILL_CONSTANT,				/* the map's constant */
	FILL_AUX,					/* the map's lookup, sum or first */
	FILL_DERIVED,				/* computed from another column */
	FILL_JOIN,					/* the map's join of several fields */
	FILL_FILE_NAME,				/* the file's name without directory and extension */
	FILL_LOADER					/* provenance */
} fill_kind;

/* The state of one file being loaded. */
struct csv_file
{
	const char *path;			/* as given */
	char	   *name;			/* source_file: absolute path or "stdin" */
	int64_t		load_id;
	int64_t		loaded_at;		/* microseconds since 1970 */
	double		t0;
	char		delim;
	cm_csv_encoding encoding;
	int			nheader;		/* fields in the header */
	int		   *col_of_field;	/* per header field: target column or -1 */
	fill_kind	fill[MAXCOLS];
	int			field_of[MAXCOLS];	/* FILL_FIELD: the field */
	char	   *header[MAXCOLS];	/* FILL_FIELD: the header as found */
	bool		decimal_comma[MAXCOLS];
	bool		dc_explicit[MAXCOLS];	/* decimal_comma was given, not detected */
	int		   *join_fields[MAXCOLS];	/* FILL_JOIN: the fields, -1 if absent */
	char	   *stem;			/* the file's name without directory and extension */
	const char *date_format[MAXCOLS];
	int64_t		nulls[MAXCOLS];
	int64_t		unreadable[MAXCOLS];
	int64_t		normalised[MAXCOLS];
	load_buf	ignored;		/* headers matching no column, as an array literal */
	int			nignored;
	load_buf	ignored_text;	/* the same for the report */
	/* totals */
	int64_t		read;
	int64_t		loaded;
	int64_t		updated;
	int64_t		dups;
	int64_t		infile_dups;
	int64_t		rejected;
	keyset		keys;
	char	   *samples[SAMPLE_REJECTS];
	int			nsamples;
	char	   *message;		/* why the file was rejected, or a note */
	bool		file_rejected;
	char		sha[65];
	int64_t		bytes;
	int64_t		blank_lines;
};

/* Options of the command. */
typedef struct csv_opts
{
	const char *source;
	const char *map_path;
	int			encoding;		/* -1: from the map, else utf8 */
	char		delim;			/* 0: from the map, else detected */
	int			decimal_comma;	/* -1: from the map, else no */
	const char *date_format;
	int			batch_size;
	size_t		max_record;
	bool		dry_run;
	bool		no_refresh;
	bool		list_columns;
} csv_opts;

/* The whole state of one run. */
typedef struct loader
{
	csv_opts	opt;
	load_global *g;
	PGconn	   *conn;
	const cmc_source *src;
	int			ncols;
	int			key_col;
	int			fk_col;			/* the column with a foreign key, or -1 */
	const cmc_source *fk_src;
	int			fk_key;			/* key column of fk_src */
	cm_column	defcols[MAXCOLS];
	cm_table_def def;
	int64_t		dec_max[MAXCOLS];	/* CMC_DEC2: largest cents the type holds */
	csv_map		map;
	bool		have_map;
	char	   *copy_target;
	char	   *copy_stage;
	char	   *upsert_sql;
	char	   *exists_sql;
	char	   *fk_sql;
	char	   *truncate_sql;
	char	   *same_sql;		/* deletes staged rows equal to (or older than) the stored */
	bool		stage_ready;
	json_tokener *tok;
	/* the reader's current row */
	csv_file   *F;
	cm_cell		cells[MAXCOLS];
	load_buf	scratch;		/* converted texts of the current row */
	/* batches and the writer thread */
	batch		batches[2];
	batch	   *cur;
	pthread_t	writer;
	bool		writer_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	batch	   *job;
	bool		busy;
	bool		stop;
	/* totals over all files */
	int64_t		files;
	int64_t		files_rejected;
	int64_t		read;
	int64_t		loaded;
	int64_t		updated;
	int64_t		dups;
	int64_t		rejected;
	int64_t		bytes_done;
	/* progress */
	const csv_reader *reader;
	double		t0;
	double		last_progress;
	bool		progress_tty;
	bool		progress_on;
	bool		progress_shown;
} loader;

/* ---------------------------------------------------------------- helpers */

/* Append a NUL-terminated string. */
static void
buf_puts(load_buf *b, const char *s)
{
	load_buf_append(b, s, strlen(s));
}

/* NUL-terminate a buffer without counting the NUL. */
static void
buf_terminate(load_buf *b)
{
	load_buf_reserve(b, 1);
	b->data[b->len] = '\0';
}

/* Strip ASCII white space from both ends. */
static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && (**s == ' ' || **s == '\t' || **s == '\r' || **s == '\n'))
		(*s)++, (*len)--;
	while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' ||
						(*s)[*len - 1] == '\r' || (*s)[*len - 1] == '\n'))
		(*len)--;
}

/* Compare s/len with a NUL-terminated string, both folded. */
static bool
fold_eq(const char *s, size_t len, const char *t)
{
	char		a[256],
				b[256];

	if (cm_fold(s, len, a, sizeof(a)) == (size_t) -1 ||
		cm_fold(t, strlen(t), b, sizeof(b)) == (size_t) -1)
		return false;
	return strcmp(a, b) == 0;
}

/* Room for n bytes in the row's scratch buffer; stable until the next row. */
static char *
scratch(loader *L, size_t n)
{
	char	   *p;

	if (L->scratch.cap - L->scratch.len < n)
		load_die(LOAD_EXIT_ERROR, "internal error: row scratch space exhausted");
	p = L->scratch.data + L->scratch.len;
	L->scratch.len += n;
	return p;
}

/* ---------------------------------------------------------------- keys */

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

/* Double a key set's slots. */
static void
keyset_grow(keyset *k)
{
	uint64_t	size = k->mask ? 2 * (k->mask + 1) : 4096;

	free(k->slots);
	k->slots = load_malloc(size * sizeof(int64_t));
	memset(k->slots, 0, size * sizeof(int64_t));
	k->mask = size - 1;
	for (int64_t e = 0; e < k->n; e++)
	{
		uint64_t	i = hash_key(k->text.data + k->off[e], k->len[e]) & k->mask;

		while (k->slots[i] != 0)
			i = (i + 1) & k->mask;
		k->slots[i] = e + 1;
	}
}

/* Add key s/len; false if it was there already. */
static bool
keyset_add(keyset *k, const char *s, size_t len)
{
	uint64_t	i;

	if ((uint64_t) (k->n + 1) * 2 > k->mask)
		keyset_grow(k);
	i = hash_key(s, len) & k->mask;
	while (k->slots[i] != 0)
	{
		int64_t		e = k->slots[i] - 1;

		if (k->len[e] == len && memcmp(k->text.data + k->off[e], s, len) == 0)
			return false;
		i = (i + 1) & k->mask;
	}
	if (k->n == k->cap)
	{
		k->cap = k->cap ? 2 * k->cap : 4096;
		k->off = load_realloc(k->off, (size_t) k->cap * sizeof(size_t));
		k->len = load_realloc(k->len, (size_t) k->cap * sizeof(uint32_t));
	}
	k->off[k->n] = k->text.len;
	k->len[k->n] = (uint32_t) len;
	load_buf_append(&k->text, s, len);
	k->slots[i] = ++k->n;
	return true;
}

/* Is key s/len in the set? */
static bool
keyset_has(const keyset *k, const char *s, size_t len)
{
	uint64_t	i;

	if (k->n == 0)
		return false;
	i = hash_key(s, len) & k->mask;
	while (k->slots[i] != 0)
	{
		int64_t		e = k->slots[i] - 1;

		if (k->len[e] == len && memcmp(k->text.data + k->off[e], s, len) == 0)
			return true;
		i = (i + 1) & k->mask;
	}
	return false;
}

/* Free a key set. */
static void
keyset_free(keyset *k)
{
	load_buf_free(&k->text);
	free(k->off);
	free(k->len);
	free(k->slots);
	memset(k, 0, sizeof(*k));
}

/* ---------------------------------------------------------------- batches */

/* Forget a batch's contents, keeping its memory. */
static void
batch_reset(batch *b)
{
	b->file = NULL;
	b->copy.len = 0;
	b->nrows = 0;
	b->keys.len = 0;
	b->nrejects = 0;
	b->reader_rejects = 0;
	b->reader_rejtext = 0;
	b->rejtext.len = 0;
	b->read = 0;
	b->infile_dups = 0;
	b->loaded = b->updated = b->dups = b->db_rejects = 0;
}

/* Free a batch's memory. */
static void
batch_free(batch *b)
{
	load_buf_free(&b->copy);
	load_buf_free(&b->keys);
	load_buf_free(&b->rejtext);
	free(b->rows);
	free(b->rejects);
}

/* Keep a reject line for the printed report (at most SAMPLE_REJECTS per file). */
static void
add_sample(loader *L, csv_file *F, int64_t line_no, int64_t offset, const char *col,
		   const char *reason, const char *val, size_t val_len)
{
	char		buf[512];
	load_buf	v = {0};

	if (L->writer_started)
		pthread_mutex_lock(&L->mu);
	if (F->nsamples < SAMPLE_REJECTS)
	{
		if (val)
			load_utf8_repair(&v, val, val_len, 80);
		snprintf(buf, sizeof(buf), "line %lld (byte %lld)%s%s: %s%s%.*s%s",
				 (long long) line_no, (long long) offset, col ? ", " : "", col ? col : "",
				 reason, val ? ": \"" : "", (int) v.len, v.data ? v.data : "", val ? "\"" : "");
		F->samples[F->nsamples] = load_malloc(strlen(buf) + 1);
		strcpy(F->samples[F->nsamples++], buf);
	}
	if (L->writer_started)
		pthread_mutex_unlock(&L->mu);
	load_buf_free(&v);
}

/*
 * Record a rejected row in batch b: line, offset, column (or NULL), the
 * offending value (or NULL), the reason and the raw text (converted from
 * the file's encoding and repaired to UTF-8, cut to LOAD_CSV_RAW_MAX bytes).
 */
static void
add_reject(loader *L, batch *b, int64_t line_no, int64_t offset, const char *col,
		   const char *val, size_t val_len, const char *reason, const char *raw,
		   size_t raw_len, cm_csv_encoding enc)
{
	reject_rec *r;

	if (b->nrejects == b->rejects_cap)
	{
		b->rejects_cap = b->rejects_cap ? 2 * b->rejects_cap : 256;
		b->rejects = load_realloc(b->rejects, (size_t) b->rejects_cap * sizeof(reject_rec));
	}
	r = &b->rejects[b->nrejects++];
	r->line_no = line_no;
	r->byte_offset = offset;
	r->has_col = col != NULL;
	r->col_off = b->rejtext.len;
	r->col_len = col ? load_utf8_repair(&b->rejtext, col, strlen(col), 256) : 0;
	r->has_val = val != NULL;
	r->val_off = b->rejtext.len;
	r->val_len = val ? load_utf8_repair(&b->rejtext, val, val_len, LOAD_CSV_VALUE_MAX) : 0;
	r->reason_off = b->rejtext.len;
	r->reason_len = load_utf8_repair(&b->rejtext, reason, strlen(reason), 1024);
	r->raw_off = b->rejtext.len;
	if (raw_len > LOAD_CSV_RAW_MAX)
		raw_len = LOAD_CSV_RAW_MAX;
	if (enc != CM_ENC_UTF8)
	{
		char	   *conv = load_malloc(3 * raw_len + 1);
		size_t		n = cm_csv_to_utf8(enc, raw, raw_len, conv);

		r->raw_len = load_utf8_repair(&b->rejtext, conv, n, LOAD_CSV_RAW_MAX);
		free(conv);
	}
	else
		r->raw_len = load_utf8_repair(&b->rejtext, raw, raw_len, LOAD_CSV_RAW_MAX);
	add_sample(L, b->file, line_no, offset, col, reason, val, val_len);
}

/* ---------------------------------------------------------------- values */

/* The outcome of reading one value. */
typedef enum
{
	V_OK = 0,
	V_NULL,						/* empty or a placeholder: NULL on purpose */
	V_BAD						/* could not be read */
} vres;

/* Read a code column (state, ZIP, place of service, ICD-10). */
static vres
read_code(loader *L, cmc_code code, const char *s, size_t len, cm_cell *c,
		  const char **why, bool *changed)
{
	char	   *out;
	size_t		n = 0;

	if (cmv_is_placeholder(s, len))
		return V_NULL;
	out = scratch(L, len + 8);
	switch (code)
	{
		case CODE_STATE:
			if (len != 2)
			{
				*why = "not a two-letter state code";
				return V_BAD;
			}
			for (size_t i = 0; i < 2; i++)
			{
				char		ch = s[i];

				if (ch >= 'a' && ch <= 'z')
					ch = (char) (ch - 'a' + 'A'), *changed = true;
				if (ch < 'A' || ch > 'Z')
				{
					*why = "not a two-letter state code";
					return V_BAD;
				}
				out[n++] = ch;
			}
			break;
		case CODE_ZIP5:
			{
				size_t		digits = 0;

				while (digits < len && s[digits] >= '0' && s[digits] <= '9')
					digits++;
				/* ZIP+4: keep the five-digit ZIP */
				if (digits == 5 && len == 10 && s[5] == '-')
				{
					bool		ok = true;

					for (size_t i = 6; i < 10; i++)
						ok = ok && s[i] >= '0' && s[i] <= '9';
					if (ok)
						len = 5, *changed = true;
				}
				if (digits != len || len < 3 || len > 5)
				{
					*why = "not a five-digit ZIP code";
					return V_BAD;
				}
				/* leading zeros lost by a spreadsheet */
				for (size_t i = len; i < 5; i++)
					out[n++] = '0', *changed = true;
				memcpy(out + n, s, len);
				n += len;
				break;
			}
		case CODE_POS2:
			{
				for (size_t i = 0; i < len; i++)
					if (s[i] < '0' || s[i] > '9')
					{
						*why = "not a two-digit place-of-service code";
						return V_BAD;
					}
				if (len == 1)
				{
					out[n++] = '0';
					*changed = true;
				}
				else if (len != 2)
				{
					*why = "not a two-digit place-of-service code";
					return V_BAD;
				}
				memcpy(out + n, s, len);
				n += len;
				break;
			}
		case CODE_ICD10:
			for (size_t i = 0; i < len; i++)
			{
				char		ch = s[i];

				if (ch == '.')
				{
					*changed = true;
					continue;
				}
				if (ch >= 'a' && ch <= 'z')
					ch = (char) (ch - 'a' + 'A'), *changed = true;
				if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
				{
					*why = "not a diagnosis code (letters and digits, an optional dot)";
					return V_BAD;
				}
				out[n++] = ch;
			}
			if (n == 0)
				return V_NULL;
			break;
		case CODE_NONE:
			memcpy(out, s, len);
			n = len;
			break;
	}
	c->s = out;
	c->len = (int) n;
	return V_OK;
}

/*
 * Read the text s/len of column ci into cell c.  *why gets the reason of a
 * V_BAD, or a note when a V_OK value was normalised (*normalised).
 */
static vres
read_value(loader *L, int ci, const char *s, size_t len, cm_cell *c, const char **why,
		   bool *normalised)
{
	const cmc_column *col = &L->src->columns[ci];
	csv_file   *F = L->F;
	const char *note = NULL;
	cmv_status	st;
	char		iso[128];
	size_t		isolen;

	*why = NULL;
	*normalised = false;
	trim(&s, &len);
	switch (col->type)
	{
		case CMC_ID:
			if (len == 0 || cmv_is_placeholder(s, len))
				return V_NULL;
			c->s = s;
			c->len = (int) len;
			return V_OK;

		case CMC_TEXT:
			if (len == 0 || cmv_is_placeholder(s, len))
				return V_NULL;
			c->s = s;
			c->len = (int) len;
			return V_OK;

		case CMC_INT:
			{
				int32_t		v;

				st = cmv_int32(s, len, &v, &note);
				if (st == CMV_NULL)
					return V_NULL;
				if (st == CMV_INVALID)
				{
					*why = note;
					return V_BAD;
				}
				if ((col->has_min && v < col->min) || (col->has_max && v > col->max))
				{
					*why = col->has_max ? "outside the allowed range" : "below the allowed minimum";
					return V_BAD;
				}
				c->i = v;
				break;
			}

		case CMC_DEC2:
			{
				int64_t		cents;

				st = cmv_money(s, len, F->decimal_comma[ci], &cents, &note);
				if (st == CMV_NULL)
					return V_NULL;
				if (st == CMV_INVALID)
				{
					*why = note;
					return V_BAD;
				}
				if (cents < col->min)
				{
					*why = "negative, but the column does not allow it";
					return V_BAD;
				}
				if (cents > L->dec_max[ci])
				{
					*why = "too large for the column";
					return V_BAD;
				}
				c->i = cents;
				break;
			}

		case CMC_DEC3:
			{
				/* three decimals: the shared money parser, one place further */
				char		buf[96];
				size_t		blen;
				int64_t		milli;
				const char *e = memchr(s, 'e', len);

				if (e == NULL)
					e = memchr(s, 'E', len);
				if (len + 8 > sizeof(buf))
				{
					*why = "not a readable number";
					return V_BAD;
				}
				if (e == NULL)
				{
					/* x is read as xe1: thousandths in the cents parser */
					memcpy(buf, s, len);
					memcpy(buf + len, "e1", 2);
					blen = len + 2;
				}
				else
				{
					/* xeN is read as xe(N+1) */
					char		ex[16];
					size_t		exlen = (size_t) (s + len - (e + 1));
					char	   *end;
					long		x;

					if (exlen == 0 || exlen >= sizeof(ex))
					{
						*why = "not a readable number";
						return V_BAD;
					}
					memcpy(ex, e + 1, exlen);
					ex[exlen] = '\0';
					x = strtol(ex, &end, 10);
					if (*end != '\0' || x < -1000 || x > 1000)
					{
						*why = "not a readable number";
						return V_BAD;
					}
					blen = (size_t) (e - s);
					memcpy(buf, s, blen);
					blen += (size_t) snprintf(buf + blen, sizeof(buf) - blen, "e%ld", x + 1);
				}
				st = cmv_money(buf, blen, F->decimal_comma[ci], &milli, &note);
				if (st == CMV_NULL || cmv_is_placeholder(s, len))
					return V_NULL;
				if (st == CMV_INVALID)
				{
					*why = "not a readable number";
					return V_BAD;
				}
				if (milli < col->min || milli > col->max)
				{
					*why = "outside the allowed range";
					return V_BAD;
				}
				/* the COPY row prints it with four decimals (CMK_RATE) */
				c->i = milli * 10;
				note = (note && strcmp(note, "exponent notation expanded") != 0) ? note : NULL;
				break;
			}

		case CMC_BOOL:
			{
				bool		b;

				st = cmv_bool(s, len, &b, &note);
				if (st == CMV_NULL)
					return V_NULL;
				if (st == CMV_INVALID)
				{
					*why = note;
					return V_BAD;
				}
				c->i = b;
				break;
			}

		case CMC_TS:
		case CMC_DATE:
			if (F->date_format[ci] && len > 0 && !cmv_is_placeholder(s, len))
			{
				if (!cm_csv_date_reformat(F->date_format[ci], s, len, iso, sizeof(iso), &isolen))
				{
					*why = "does not match the date format of the column";
					return V_BAD;
				}
				s = iso;
				len = isolen;
			}
			if (col->type == CMC_TS)
			{
				cmv_usec	t;

				st = cmv_timestamp(s, len, false, &t, &note);
				c->i = t;
			}
			else
			{
				cmv_days	d;

				st = cmv_date(s, len, false, &d, &note);
				c->i = d;
			}
			if (st == CMV_NULL)
				return V_NULL;
			if (st == CMV_INVALID)
			{
				*why = note;
				return V_BAD;
			}
			break;

		case CMC_ENUM:
			{
				const char *v = cm_enum_canonical(col->enum_id, s, len);

				if (v == NULL)
				{
					if (len == 0 || cmv_is_placeholder(s, len))
						return V_NULL;
					*why = "not one of the allowed values";
					return V_BAD;
				}
				if (strlen(v) != len || memcmp(v, s, len) != 0)
					note = "spelling mapped to the canonical value";
				c->s = v;
				c->len = (int) strlen(v);
				break;
			}

		case CMC_CODE:
			{
				bool		changed = false;
				vres		r = read_code(L, col->code, s, len, c, why, &changed);

				if (r == V_OK && changed)
					*normalised = true;
				return r;
			}

		case CMC_JSON:
			/* cases.metadata: read by read_metadata() */
			c->s = s;
			c->len = (int) len;
			return len == 0 ? V_NULL : V_OK;
	}
	if (note)
	{
		*why = note;
		*normalised = true;
	}
	return V_OK;
}

/* ---------------------------------------------------------------- case metadata */

/* PostgreSQL's btrim(): strip spaces (only) from both ends. */
static void
btrim(const char **s, size_t *len)
{
	while (*len > 0 && **s == ' ')
		(*s)++, (*len)--;
	while (*len > 0 && (*s)[*len - 1] == ' ')
		(*len)--;
}

/*
 * metadata->key as a list (an array of strings, or one string), joined with
 * commas as costmodel.case_metadata_list() does; *n gets the entry count as
 * the trigger counts it.  False when the value has another type.
 */
static bool
meta_list(loader *L, json_object *m, const char *key, cm_cell *c, int64_t *n)
{
	json_object *v;
	char	   *out;
	size_t		len = 0;

	c->isnull = true;
	*n = 0;
	if (!json_object_object_get_ex(m, key, &v) || v == NULL)
		return true;
	if (json_object_is_type(v, json_type_string))
	{
		const char *s = json_object_get_string(v);
		size_t		sl = (size_t) json_object_get_string_len(v);

		btrim(&s, &sl);
		if (sl == 0)
			return true;
		out = scratch(L, sl);
		memcpy(out, s, sl);
		len = sl;
	}
	else if (json_object_is_type(v, json_type_array))
	{
		size_t		total = 0;
		size_t		k = json_object_array_length(v);

		for (size_t i = 0; i < k; i++)
		{
			json_object *e = json_object_array_get_idx(v, i);

			if (e == NULL || !json_object_is_type(e, json_type_string))
				return false;
			total += (size_t) json_object_get_string_len(e) + 1;
		}
		out = scratch(L, total + 1);
		for (size_t i = 0; i < k; i++)
		{
			json_object *e = json_object_array_get_idx(v, i);
			const char *s = json_object_get_string(e);
			size_t		sl = (size_t) json_object_get_string_len(e);

			btrim(&s, &sl);
			if (sl == 0)
				continue;
			if (len > 0)
				out[len++] = ',';
			memcpy(out + len, s, sl);
			len += sl;
		}
		if (len == 0)
			return true;
	}
	else
		return false;
	c->isnull = false;
	c->s = out;
	c->len = (int) len;
	/* string_to_array(list, ',') */
	*n = 1;
	for (size_t i = 0; i < len; i++)
		if (out[i] == ',')
			(*n)++;
	return true;
}

/* metadata->key as a whole number, as case_metadata_int() reads it. */
static bool
meta_int(json_object *m, const char *key, cm_cell *c)
{
	json_object *v;

	c->isnull = true;
	if (!json_object_object_get_ex(m, key, &v) || v == NULL)
		return true;
	if (json_object_is_type(v, json_type_int))
	{
		int64_t		i = json_object_get_int64(v);

		if (i < 0 || i > 999999999)
			return false;
		c->i = i;
	}
	else if (json_object_is_type(v, json_type_string))
	{
		const char *s = json_object_get_string(v);
		size_t		len = (size_t) json_object_get_string_len(v);
		int			digits = 0;
		int64_t		i = 0;

		while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v'))
			s++, len--;
		while (len > 0 && *s >= '0' && *s <= '9' && digits < 10)
			i = i * 10 + (*s - '0'), s++, len--, digits++;
		while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f' || *s == '\v'))
			s++, len--;
		if (digits == 0 || digits > 9 || len != 0)
			return false;
		c->i = i;
	}
	else
		return false;
	c->isnull = false;
	return true;
}

/*
 * Read cases.metadata (cells[mi], its trimmed text) and fill the columns
 * derived from it, exactly as the cases_parse_metadata trigger will.  False
 * with *why when the text is not a JSON object of the expected shape: the
 * trigger would refuse it, so metadata is then NULL.
 */
static bool
read_metadata(loader *L, int mi, const char **why)
{
	const cmc_source *s = L->src;
	cm_cell    *cells = L->cells;
	cm_cell		derived[MAXCOLS];
	const char *text = cells[mi].s;
	size_t		len = (size_t) cells[mi].len;
	size_t		off;
	json_object *m;
	bool		ok = true;
	static const struct
	{
		const char *list;
		const char *count;
	}			lists[] = {
		{"barriers", "barrier_count"},
		{"submitted_documents", "submitted_document_count"},
		{"missing_docs", "missing_doc_count"},
		{"support_flags", "support_flag_count"},
	};

	if ((*why = pg_json_check(text, len, &off)) != NULL)
		return false;
	json_tokener_reset(L->tok);
	m = json_tokener_parse_ex(L->tok, text, (int) len);
	if (m == NULL)
	{
		*why = "not valid JSON";
		return false;
	}
	if (!json_object_is_type(m, json_type_object))
	{
		json_object_put(m);
		*why = "not a JSON object";
		return false;
	}
	for (int i = 0; i < s->ncolumns; i++)
		derived[i].isnull = true;

	/* intake_source: nullif(btrim(metadata->>'intake_source'), '') */
	{
		json_object *v;
		int			ci = cmc_column_find(s, "intake_source");

		if (json_object_object_get_ex(m, "intake_source", &v) && v != NULL)
		{
			if (json_object_is_type(v, json_type_object) || json_object_is_type(v, json_type_array))
				ok = false;
			else
			{
				const char *t = json_object_get_string(v);
				size_t		tl = strlen(t);

				btrim(&t, &tl);
				if (tl > 0)
				{
					char	   *o = scratch(L, tl);

					memcpy(o, t, tl);
					derived[ci].isnull = false;
					derived[ci].s = o;
					derived[ci].len = (int) tl;
				}
			}
		}
	}
	for (size_t k = 0; ok && k < sizeof(lists) / sizeof(lists[0]); k++)
	{
		int			li = cmc_column_find(s, lists[k].list);
		int			ni = cmc_column_find(s, lists[k].count);
		int64_t		n;

		ok = meta_list(L, m, lists[k].list, &derived[li], &n);
		derived[ni].isnull = false;
		derived[ni].i = n;
	}
	if (ok)
	{
		int			hi = cmc_column_find(s, "handoff_count");
		int			ci = cmc_column_find(s, "complexity");

		ok = meta_int(m, "handoff_count", &derived[hi]) &&
			meta_int(m, "complexity", &derived[ci]) &&
			(derived[ci].isnull || (derived[ci].i >= 1 && derived[ci].i <= 5));
	}
	json_object_put(m);
	if (!ok)
	{
		*why = "metadata has a value of the wrong type (lists must be arrays of strings, counts whole numbers, complexity 1-5)";
		return false;
	}
	for (int i = 0; i < s->ncolumns; i++)
		if (s->columns[i].flags & CMC_DERIVED)
			cells[i] = derived[i];
	return true;
}

/* ---------------------------------------------------------------- rows */

/* The field text of column ci in UTF-8: the parser's text, or converted. */
static void
field_text(loader *L, const csv_record *rec, int fi, const char **s, size_t *len)
{
	const cm_csv_field *f = &rec->fields[fi];

	*s = rec->text + f->off;
	*len = f->len;
	if (L->F->encoding != CM_ENC_UTF8)
	{
		char	   *out = scratch(L, 3 * f->len + 1);

		*len = cm_csv_to_utf8(L->F->encoding, *s, f->len, out);
		*s = out;
	}
}

/* Reject the record rec of the current file, with a column and value if known. */
static void
reject_record(loader *L, const csv_record *rec, int64_t offset, const char *col,
			  const char *val, size_t val_len, const char *reason)
{
	L->cur->read++;
	add_reject(L, L->cur, rec->line_no, offset, col, val, val_len, reason,
			   rec->raw, rec->raw_len, L->F->encoding);
	L->cur->reader_rejects = L->cur->nrejects;
	L->cur->reader_rejtext = L->cur->rejtext.len;
}

/* The name of header field fi, for messages. */
static const char *
field_name(loader *L, int fi, char *buf, size_t size)
{
	int			ci = fi < L->F->nheader ? L->F->col_of_field[fi] : -1;

	if (ci >= 0)
		return L->src->columns[ci].name;
	snprintf(buf, size, "field %d", fi + 1);
	return buf;
}

/* Parse one data record into a row of the current batch, or reject it. */
static void
handle_record(loader *L, const csv_record *rec)
{
	csv_file   *F = L->F;
	const cmc_source *src = L->src;
	batch	   *b = L->cur;
	cm_cell    *cells = L->cells;
	uint64_t	nulls = 0,
				unreadable = 0,
				normalised = 0;
	char		namebuf[32];
	char		reason[512];
	const char *raw_status = NULL;
	size_t		raw_status_len = 0;
	int			meta_col = -1;
	row_rec    *r;
	size_t		need;

	if (rec->error)
	{
		snprintf(reason, sizeof(reason), "%s", rec->error);
		if (strstr(rec->error, "limit"))
			snprintf(reason, sizeof(reason), "%s of %zu bytes", rec->error, L->opt.max_record);
		reject_record(L, rec, rec->error_off, NULL, NULL, 0, reason);
		return;
	}
	if (rec->nfields < F->nheader)
	{
		snprintf(reason, sizeof(reason), "%d fields, but the header has %d",
				 rec->nfields, F->nheader);
		reject_record(L, rec, rec->offset, NULL, NULL, 0, reason);
		return;
	}
	for (int i = F->nheader; i < rec->nfields; i++)
	{
		if (rec->fields[i].len > 0)
		{
			snprintf(reason, sizeof(reason), "%d fields, but the header has %d",
					 rec->nfields, F->nheader);
			reject_record(L, rec, rec->fields[i].raw_off, NULL, NULL, 0, reason);
			return;
		}
	}

	/* room for every converted text of the row */
	need = 12 * (rec->fields[rec->nfields - 1].off + rec->fields[rec->nfields - 1].len) +
		256 * (size_t) L->ncols + 4096;
	L->scratch.len = 0;
	load_buf_reserve(&L->scratch, need);

	/* every field must be valid UTF-8, used or not */
	if (F->encoding == CM_ENC_UTF8)
	{
		for (int i = 0; i < rec->nfields; i++)
		{
			const cm_csv_field *f = &rec->fields[i];
			size_t		bad = cm_csv_utf8_invalid(rec->text + f->off, f->len);

			if (bad < f->len)
			{
				snprintf(reason, sizeof(reason), "%s",
						 rec->text[f->off + bad] == '\0' ? "a NUL byte in the text" :
						 "not valid UTF-8 (is the file Latin-1? try --encoding latin1)");
				reject_record(L, rec, f->raw_off + (f->quoted ? 1 : 0) + (int64_t) bad,
							  field_name(L, i, namebuf, sizeof(namebuf)),
							  rec->text + f->off, f->len, reason);
				return;
			}
		}
	}

	for (int ci = 0; ci < L->ncols; ci++)
	{
		const cmc_column *col = &src->columns[ci];
		const csv_colmap *cm = &L->map.cols[ci];
		const char *s = NULL;
		size_t		len = 0;
		int64_t		off = rec->offset;
		const char *why;
		bool		norm;
		vres		v;
		cm_cell    *c = &cells[ci];

		c->isnull = false;
		c->s = NULL;
		c->len = 0;
		c->i = 0;
		switch (F->fill[ci])
		{
			case FILL_NONE:
				c->isnull = true;
				nulls |= UINT64_C(1) << ci;
				continue;
			case FILL_DERIVED:
				c->isnull = true;
				continue;
			case FILL_LOADER:
				if (strcmp(col->name, "source_file") == 0)
				{
					c->s = F->name;
					c->len = (int) strlen(F->name);
				}
				else if (strcmp(col->name, "loaded_at") == 0)
					c->i = F->loaded_at;
				else
					c->i = rec->line_no;	/* source_line */
				continue;
			case FILL_CONSTANT:
				s = cm->constant;
				len = strlen(s);
				break;
			case FILL_FILE_NAME:
				s = F->stem;
				len = strlen(s);
				break;
			case FILL_JOIN:
				{
					char	   *out = scratch(L, 3 * (rec->fields[rec->nfields - 1].off +
													rec->fields[rec->nfields - 1].len) + 16);
					size_t		n = 0;

					for (int k = 0; k < cm->njoin; k++)
					{
						const char *ps;
						size_t		pl;

						if (F->join_fields[ci][k] < 0)
							continue;
						field_text(L, rec, F->join_fields[ci][k], &ps, &pl);
						trim(&ps, &pl);
						if (pl == 0 || cmv_is_placeholder(ps, pl))
							continue;
						if (n > 0)
						{
							memcpy(out + n, ", ", 2);
							n += 2;
						}
						memcpy(out + n, ps, pl);
						n += pl;
					}
					s = out;
					len = n;
					break;
				}
			case FILL_FIELD:
				field_text(L, rec, F->field_of[ci], &s, &len);
				off = rec->fields[F->field_of[ci]].raw_off;
				break;
			case FILL_AUX:
				{
					const cm_csv_field *kf;
					const char *key;
					size_t		klen;
					const csv_aux_entry *e;

					if (cm->aux.kind == AUX_LOOKUP)
					{
						/* the column's own value is the key */
						if (F->field_of[ci] < 0)
						{
							c->isnull = true;
							nulls |= UINT64_C(1) << ci;
							continue;
						}
						kf = &rec->fields[F->field_of[ci]];
					}
					else
						kf = F->field_of[L->key_col] >= 0 ? &rec->fields[F->field_of[L->key_col]] : NULL;
					if (kf == NULL)
					{
						c->isnull = true;
						nulls |= UINT64_C(1) << ci;
						continue;
					}
					key = rec->text + kf->off;
					klen = kf->len;
					trim(&key, &klen);
					off = kf->raw_off;
					/* a NULL spelling of the key: NULL, no problem */
					for (int k = 0; k < cm->nnull; k++)
						if (fold_eq(key, klen, cm->null_vals[k]))
							klen = 0;
					if (klen == 0 || cmv_is_placeholder(key, klen))
					{
						c->isnull = true;
						nulls |= UINT64_C(1) << ci;
						if (col->flags & CMC_REQUIRED)
						{
							reject_record(L, rec, off, col->name, NULL, 0, "missing value");
							return;
						}
						continue;
					}
					e = csv_aux_get(&cm->aux, key, klen);
					if (e != NULL && !e->bad && cm->aux.kind == AUX_FIRST && !e->has_val)
					{
						/* the key is there, but no row passes the filter */
						c->isnull = true;
						if (col->flags & CMC_REQUIRED)
						{
							reject_record(L, rec, off, col->name, key, klen,
										  "no row of the map's auxiliary file passes its filter");
							return;
						}
						nulls |= UINT64_C(1) << ci;
						continue;
					}
					if (e == NULL || e->bad || (cm->aux.kind == AUX_LOOKUP && !e->has_val))
					{
						const char *w = e == NULL ? "no matching row in the map's auxiliary file" :
							e->bad ? "an amount in the map's auxiliary file cannot be read" :
							"no value in the map's auxiliary file";

						if (col->flags & CMC_REQUIRED)
						{
							snprintf(reason, sizeof(reason), "%s (%s)", w, cm->aux.file);
							reject_record(L, rec, off, col->name, key, klen, reason);
							return;
						}
						c->isnull = true;
						nulls |= UINT64_C(1) << ci;
						unreadable |= UINT64_C(1) << ci;
						continue;
					}
					if (cm->aux.kind == AUX_SUM)
					{
						if (e->sum < 0 || e->sum > L->dec_max[ci])
						{
							c->isnull = true;
							nulls |= UINT64_C(1) << ci;
							unreadable |= UINT64_C(1) << ci;
							continue;
						}
						c->i = e->sum;
						continue;
					}
					s = cm->aux.text + e->val_off;
					len = e->val_len;
					if (cm_csv_utf8_invalid(s, len) != len)
					{
						/* the auxiliary file is not UTF-8 */
						c->isnull = true;
						nulls |= UINT64_C(1) << ci;
						unreadable |= UINT64_C(1) << ci;
						continue;
					}
					break;
				}
		}

		/* the map's NULL spellings and value spellings */
		{
			const char *t = s;
			size_t		tl = len;

			trim(&t, &tl);
			if (col->type == CMC_ENUM && strcmp(col->name, "status") == 0)
			{
				raw_status = t;
				raw_status_len = tl;
			}
			for (int k = 0; k < cm->nnull; k++)
				if (fold_eq(t, tl, cm->null_vals[k]))
					len = 0;
			for (int k = 0; len > 0 && k < cm->nvalues; k++)
				if (fold_eq(t, tl, cm->from[k]))
				{
					s = cm->to[k];
					len = strlen(s);
					normalised |= UINT64_C(1) << ci;
					break;
				}
		}

		v = read_value(L, ci, s, len, c, &why, &norm);
		if (v == V_OK)
		{
			if (norm)
				normalised |= UINT64_C(1) << ci;
			if (col->type == CMC_JSON)
				meta_col = ci;
			continue;
		}
		if ((col->flags & CMC_REQUIRED) && !(col->flags & CMC_PROVENANCE))
		{
			const char *t = s;
			size_t		tl = len;

			trim(&t, &tl);
			if (v == V_NULL)
				reject_record(L, rec, off, col->name, t, tl, "missing value");
			else
				reject_record(L, rec, off, col->name, t, tl, why);
			return;
		}
		c->isnull = true;
		nulls |= UINT64_C(1) << ci;
		if (v == V_BAD)
			unreadable |= UINT64_C(1) << ci;
	}

	/* derived columns: case metadata, the claim status as spelled */
	if (meta_col >= 0)
	{
		const char *why;

		if (!read_metadata(L, meta_col, &why))
		{
			cells[meta_col].isnull = true;
			nulls |= UINT64_C(1) << meta_col;
			unreadable |= UINT64_C(1) << meta_col;
		}
	}
	for (int ci = 0; ci < L->ncols; ci++)
	{
		if (F->fill[ci] != FILL_DERIVED)
			continue;
		if (strcmp(src->columns[ci].name, "source_status") == 0 && raw_status_len > 0)
		{
			cells[ci].isnull = false;
			cells[ci].s = raw_status;
			cells[ci].len = (int) raw_status_len;
		}
	}
	for (int ci = 0; ci < L->ncols; ci++)
	{
		/* derived columns may have been filled (or emptied) just now */
		if (!(src->columns[ci].flags & CMC_DERIVED))
			continue;
		nulls &= ~(UINT64_C(1) << ci);
		if (cells[ci].isnull)
			nulls |= UINT64_C(1) << ci;
	}

	/* the table's cross-column CHECKs */
	{
		const char *rule = NULL;
		int			rc = -1;

		switch (src->rule)
		{
			case RULE_DIGITAL:
				{
					int			o = cmc_column_find(src, "outcome");

					rc = cmc_column_find(src, "failure_reason");
					if (!cells[rc].isnull && !cells[o].isnull && strcmp(cells[o].s, "success") == 0)
						rule = "a failure_reason is given for a successful interaction";
					break;
				}
			case RULE_PHARMACY:
				{
					int			d = cmc_column_find(src, "denied");

					rc = cmc_column_find(src, "denied_reason");
					if (!cells[rc].isnull && !cells[d].isnull && cells[d].i == 0)
						rule = "a denied_reason is given for a fill that was not denied";
					break;
				}
			case RULE_CASES:
				{
					int			o = cmc_column_find(src, "opened_at");

					rc = cmc_column_find(src, "resolved_at");
					if (!cells[rc].isnull && !cells[o].isnull && cells[rc].i < cells[o].i)
						rule = "resolved_at is before opened_at";
					break;
				}
			case RULE_NONE:
				break;
		}
		if (rule)
		{
			int64_t		off = F->field_of[rc] >= 0 ? rec->fields[F->field_of[rc]].raw_off : rec->offset;

			reject_record(L, rec, off, src->columns[rc].name, NULL, 0, rule);
			return;
		}
	}

	/* the first row of a key wins */
	b->read++;
	if (!keyset_add(&F->keys, cells[L->key_col].s, (size_t) cells[L->key_col].len))
	{
		b->infile_dups++;
		return;
	}
	if (b->nrows == b->rows_cap)
	{
		b->rows_cap = b->rows_cap ? 2 * b->rows_cap : 1024;
		b->rows = load_realloc(b->rows, (size_t) b->rows_cap * sizeof(row_rec));
	}
	r = &b->rows[b->nrows++];
	r->start = b->copy.len;
	load_copy_row(&b->copy, &L->def, cells);
	r->end = b->copy.len;
	r->key_off = b->keys.len;
	r->key_len = (size_t) cells[L->key_col].len;
	load_buf_append(&b->keys, cells[L->key_col].s, r->key_len);
	r->has_fk = L->fk_col >= 0 && !cells[L->fk_col].isnull;
	r->fk_off = b->keys.len;
	r->fk_len = 0;
	if (r->has_fk)
	{
		r->fk_len = (size_t) cells[L->fk_col].len;
		load_buf_append(&b->keys, cells[L->fk_col].s, r->fk_len);
	}
	r->line_no = rec->line_no;
	r->offset = rec->offset;
	r->nulls = nulls;
	r->unreadable = unreadable;
	r->normalised = normalised;
	r->state = ROW_PENDING;
}

/* ---------------------------------------------------------------- writing */

/* Append the COPY text of the batch rows with state want to out. */
static int
gather(const batch *b, uint8_t want, const int *idx, int n, load_buf *out)
{
	int			count = 0;

	out->len = 0;
	if (idx)
	{
		for (int k = 0; k < n; k++)
		{
			const row_rec *r = &b->rows[idx[k]];

			load_buf_append(out, b->copy.data + r->start, r->end - r->start);
			count++;
		}
		return count;
	}
	for (int i = 0; i < b->nrows; i++)
	{
		const row_rec *r = &b->rows[i];

		if (r->state != want)
			continue;
		load_buf_append(out, b->copy.data + r->start, r->end - r->start);
		count++;
	}
	return count;
}

/* Is res an error the data caused (a class 22 or 23 error, or a trigger's RAISE)? */
static bool
is_data_error(const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	return state && (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0 ||
					 strncmp(state, "P0", 2) == 0);
}

/* Is res a concurrent loader's unique violation or a deadlock? */
static bool
is_concurrent_conflict(const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	return state && (strcmp(state, "23505") == 0 || strcmp(state, "40P01") == 0);
}

/* Run a statement with text parameters; NULL result status is left to the caller. */
static PGresult *
exec_params(loader *L, const char *sql, int n, const char *const *params)
{
	return PQexecParams(L->conn, sql, n, NULL, params, NULL, NULL, 0);
}

/*
 * Check the batch's foreign keys: rows whose referenced key is not in the
 * referenced table are rejected.
 */
static void
check_fks(loader *L, batch *b)
{
	load_buf	arr = {0};
	const char *params[1];
	PGresult   *res;
	keyset		missing = {0};
	int			any = 0;

	load_array_begin(&arr);
	for (int i = 0; i < b->nrows; i++)
		if (b->rows[i].state != ROW_REJECTED && b->rows[i].has_fk)
		{
			load_array_text(&arr, b->keys.data + b->rows[i].fk_off, b->rows[i].fk_len);
			any++;
		}
	load_array_end(&arr);
	if (any == 0)
	{
		load_buf_free(&arr);
		return;
	}
	params[0] = arr.data;
	res = exec_params(L, L->fk_sql, 1, params);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		load_die_server(L->conn, res, "checking foreign keys");
	for (int t = 0; t < PQntuples(res); t++)
		keyset_add(&missing, PQgetvalue(res, t, 0), (size_t) PQgetlength(res, t, 0));
	PQclear(res);
	load_buf_free(&arr);
	if (missing.n == 0)
	{
		keyset_free(&missing);
		return;
	}
	for (int i = 0; i < b->nrows; i++)
	{
		row_rec    *r = &b->rows[i];
		char		reason[256];
		const cmc_column *col = &L->src->columns[L->fk_col];

		if (r->state == ROW_REJECTED || !r->has_fk)
			continue;
		if (!keyset_has(&missing, b->keys.data + r->fk_off, r->fk_len))
			continue;
		snprintf(reason, sizeof(reason),
				 "%s is not in costmodel.%s (load %s first)", col->name, col->fk_table,
				 col->fk_table);
		r->state = ROW_REJECTED;
		b->db_rejects++;
		add_reject(L, b, r->line_no, r->offset, col->name, b->keys.data + r->fk_off,
				   r->fk_len, reason, b->copy.data + r->start, r->end - r->start - 1,
				   CM_ENC_UTF8);
	}
	keyset_free(&missing);
}

/* Mark the batch's rows whose key the table already has as ROW_EXISTING. */
static void
mark_existing(loader *L, batch *b)
{
	load_buf	arr = {0};
	const char *params[1];
	PGresult   *res;
	keyset		found = {0};

	load_array_begin(&arr);
	for (int i = 0; i < b->nrows; i++)
		if (b->rows[i].state != ROW_REJECTED)
			load_array_text(&arr, b->keys.data + b->rows[i].key_off, b->rows[i].key_len);
	load_array_end(&arr);
	params[0] = arr.data;
	res = exec_params(L, L->exists_sql, 1, params);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		load_die_server(L->conn, res, "checking for loaded keys");
	for (int t = 0; t < PQntuples(res); t++)
		keyset_add(&found, PQgetvalue(res, t, 0), (size_t) PQgetlength(res, t, 0));
	PQclear(res);
	load_buf_free(&arr);
	for (int i = 0; i < b->nrows; i++)
	{
		row_rec    *r = &b->rows[i];

		if (r->state == ROW_REJECTED)
			continue;
		r->state = keyset_has(&found, b->keys.data + r->key_off, r->key_len) ?
			ROW_EXISTING : ROW_NEW;
	}
	keyset_free(&found);
}

/* Create the session's staging table once. */
static void
ensure_stage(loader *L)
{
	load_buf	sql = {0};

	if (L->stage_ready)
		return;
	buf_puts(&sql, "CREATE TEMP TABLE IF NOT EXISTS cm_stage_");
	buf_puts(&sql, L->src->name);
	buf_puts(&sql, " ON COMMIT DELETE ROWS AS SELECT ");
	for (int i = 0; i < L->ncols; i++)
	{
		if (i)
			buf_puts(&sql, ", ");
		buf_puts(&sql, L->src->columns[i].name);
	}
	buf_puts(&sql, " FROM costmodel.");
	buf_puts(&sql, L->src->name);
	buf_puts(&sql, " WITH NO DATA");
	buf_terminate(&sql);
	PQclear(load_exec(L->conn, "SET client_min_messages = warning", PGRES_COMMAND_OK,
					  "SET client_min_messages"));
	PQclear(load_exec(L->conn, sql.data, PGRES_COMMAND_OK, "creating the staging table"));
	load_buf_free(&sql);
	L->stage_ready = true;
}

/*
 * COPY the given rows into the staging table, drop those equal to the stored
 * rows (duplicates), and upsert the rest.  Returns the
 * failing result (the caller handles it), or NULL after adding the counts.
 */
static PGresult *
stage_apply(loader *L, batch *b, const int *idx, int n, load_buf *send)
{
	PGresult   *res;
	int64_t		ins = 0,
				upd = 0;

	gather(b, 0, idx, n, send);
	res = load_copy_run(L->conn, L->copy_stage, send->data, send->len);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return res;
	PQclear(res);
	/* rows equal to the stored ones are duplicates: no update, no row lock */
	res = PQexec(L->conn, L->same_sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return res;
	PQclear(res);
	res = PQexec(L->conn, L->upsert_sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return res;
	for (int t = 0; t < PQntuples(res); t++)
	{
		if (PQgetvalue(res, t, 0)[0] == 't')
			ins++;
		else
			upd++;
	}
	PQclear(res);
	/* the rows deleted as equal, and any the upsert left alone, are duplicates */
	b->loaded += ins;
	b->updated += upd;
	b->dups += n - ins - upd;
	return NULL;
}

/* Run a statement that must succeed inside the batch transaction. */
static void
must(loader *L, const char *sql, const char *what)
{
	PQclear(load_exec(L->conn, sql, PGRES_COMMAND_OK, what));
}

/*
 * Apply rows idx[0..n) under a savepoint; when the database refuses them,
 * halve, until a single row is rejected with the server's message.
 */
static void
bisect(loader *L, batch *b, int *idx, int n, load_buf *send)
{
	PGresult   *res;
	int64_t		l = b->loaded,
				u = b->updated,
				d = b->dups;

	if (n == 0)
		return;
	must(L, "SAVEPOINT cm_row", "SAVEPOINT");
	res = stage_apply(L, b, idx, n, send);
	if (res == NULL)
	{
		must(L, L->truncate_sql, "TRUNCATE the staging table");
		must(L, "RELEASE SAVEPOINT cm_row", "RELEASE SAVEPOINT");
		return;
	}
	if (!is_data_error(res) || load_conn_lost(L->conn, res))
		load_die_server(L->conn, res, "writing a batch");
	b->loaded = l;
	b->updated = u;
	b->dups = d;
	must(L, "ROLLBACK TO SAVEPOINT cm_row", "ROLLBACK TO SAVEPOINT");
	must(L, "RELEASE SAVEPOINT cm_row", "RELEASE SAVEPOINT");
	if (n == 1)
	{
		row_rec    *r = &b->rows[idx[0]];
		const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		const char *colname = PQresultErrorField(res, PG_DIAG_COLUMN_NAME);
		char		reason[1024];

		snprintf(reason, sizeof(reason), "the database refused the row: %s%s%s",
				 msg ? msg : "error", detail ? " (" : "", detail ? detail : "");
		if (detail)
			strncat(reason, ")", sizeof(reason) - strlen(reason) - 1);
		r->state = ROW_REJECTED;
		b->db_rejects++;
		add_reject(L, b, r->line_no, r->offset, colname, NULL, 0, reason,
				   b->copy.data + r->start, r->end - r->start - 1, CM_ENC_UTF8);
		PQclear(res);
		return;
	}
	PQclear(res);
	bisect(L, b, idx, n / 2, send);
	bisect(L, b, idx + n / 2, n - n / 2, send);
}

/* Insert the batch's rejects into costmodel.load_reject. */
static void
insert_rejects(loader *L, batch *b)
{
	static const char *const sql =
		"INSERT INTO costmodel.load_reject (load_id, line_no, byte_offset, column_name, value, reason, raw)"
		" SELECT $1::pg_catalog.int8, * FROM ROWS FROM (pg_catalog.unnest($2::pg_catalog.int8[]),"
		" pg_catalog.unnest($3::pg_catalog.int8[]), pg_catalog.unnest($4::pg_catalog.text[]),"
		" pg_catalog.unnest($5::pg_catalog.text[]), pg_catalog.unnest($6::pg_catalog.text[]),"
		" pg_catalog.unnest($7::pg_catalog.text[]))"
		" ON CONFLICT (load_id, line_no) DO NOTHING";
	load_buf	arr[6] = {{0}};
	const char *params[7];
	char		id[24];
	PGresult   *res;

	snprintf(id, sizeof(id), "%lld", (long long) b->file->load_id);
	for (int i = 0; i < 6; i++)
		load_array_begin(&arr[i]);
	for (int i = 0; i < b->nrejects; i++)
	{
		const reject_rec *r = &b->rejects[i];
		const char *t = b->rejtext.data;

		load_array_int(&arr[0], r->line_no);
		load_array_int(&arr[1], r->byte_offset);
		if (r->has_col)
			load_array_text(&arr[2], t + r->col_off, r->col_len);
		else
			load_array_null(&arr[2]);
		if (r->has_val)
			load_array_text(&arr[3], t + r->val_off, r->val_len);
		else
			load_array_null(&arr[3]);
		load_array_text(&arr[4], t + r->reason_off, r->reason_len);
		load_array_text(&arr[5], t + r->raw_off, r->raw_len);
	}
	params[0] = id;
	for (int i = 0; i < 6; i++)
	{
		load_array_end(&arr[i]);
		params[i + 1] = arr[i].data;
	}
	res = exec_params(L, sql, 7, params);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		load_die_server(L->conn, res, "INSERT INTO costmodel.load_reject");
	PQclear(res);
	for (int i = 0; i < 6; i++)
		load_buf_free(&arr[i]);
}

/* Add the batch's counts to the file's costmodel.load_log row. */
static void
update_log_counts(loader *L, batch *b)
{
	static const char *const sql =
		"UPDATE costmodel.load_log SET rows_read = rows_read + $2, rows_loaded = rows_loaded + $3,"
		" rows_updated = rows_updated + $4, rows_duplicate = rows_duplicate + $5,"
		" rows_rejected = rows_rejected + $6, duplicate_keys_in_file = duplicate_keys_in_file + $7"
		" WHERE load_id = $1";
	char		v[7][24];
	const char *params[7];
	PGresult   *res;

	snprintf(v[0], 24, "%lld", (long long) b->file->load_id);
	snprintf(v[1], 24, "%lld", (long long) b->read);
	snprintf(v[2], 24, "%lld", (long long) b->loaded);
	snprintf(v[3], 24, "%lld", (long long) b->updated);
	snprintf(v[4], 24, "%lld", (long long) (b->dups + b->infile_dups));
	snprintf(v[5], 24, "%lld", (long long) b->nrejects);
	snprintf(v[6], 24, "%lld", (long long) b->infile_dups);
	for (int i = 0; i < 7; i++)
		params[i] = v[i];
	res = exec_params(L, sql, 7, params);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		load_die_server(L->conn, res, "updating costmodel.load_log");
	PQclear(res);
}

/* Undo the writer's marks on a batch before it is tried again. */
static void
batch_retry_reset(batch *b)
{
	for (int i = 0; i < b->nrows; i++)
		b->rows[i].state = ROW_PENDING;
	b->nrejects = b->reader_rejects;
	b->rejtext.len = b->reader_rejtext;
	b->loaded = b->updated = b->dups = b->db_rejects = 0;
}

/*
 * Write the batch in one transaction in the given mode.  Returns NULL on
 * success, or a failing result after a ROLLBACK for the caller to judge.
 */
static PGresult *
write_attempt(loader *L, batch *b, write_mode mode)
{
	load_buf	send = {0};
	PGresult   *res = NULL;

	must(L, "BEGIN", "BEGIN");
	if (L->fk_col >= 0 && b->nrows > 0)
		check_fks(L, b);
	if (mode == MODE_FAST && b->nrows > 0)
	{
		int			n;

		mark_existing(L, b);
		n = gather(b, ROW_NEW, NULL, 0, &send);
		if (n > 0)
		{
			res = load_copy_run(L->conn, L->copy_target, send.data, send.len);
			if (PQresultStatus(res) != PGRES_COMMAND_OK)
				goto fail;
			if (strtoll(PQcmdTuples(res), NULL, 10) != n)
				load_die(LOAD_EXIT_ERROR, "COPY costmodel.%s copied %s rows, expected %d",
						 L->src->name, PQcmdTuples(res), n);
			PQclear(res);
			res = NULL;
			b->loaded += n;
		}
		{
			int		   *idx = load_malloc((size_t) (b->nrows ? b->nrows : 1) * sizeof(int));
			int			k = 0;

			for (int i = 0; i < b->nrows; i++)
				if (b->rows[i].state == ROW_EXISTING)
					idx[k++] = i;
			if (k > 0)
			{
				ensure_stage(L);
				res = stage_apply(L, b, idx, k, &send);
			}
			free(idx);
			if (res)
				goto fail;
		}
	}
	else if (b->nrows > 0)
	{
		int		   *idx = load_malloc((size_t) b->nrows * sizeof(int));
		int			k = 0;

		for (int i = 0; i < b->nrows; i++)
			if (b->rows[i].state != ROW_REJECTED)
				idx[k++] = i;
		ensure_stage(L);
		if (mode == MODE_SAFE)
			res = k > 0 ? stage_apply(L, b, idx, k, &send) : NULL;
		else
			bisect(L, b, idx, k, &send);
		free(idx);
		if (res)
			goto fail;
	}
	if (b->nrejects > 0)
		insert_rejects(L, b);
	update_log_counts(L, b);
	must(L, "COMMIT", "COMMIT");
	load_buf_free(&send);
	return NULL;

fail:
	load_buf_free(&send);
	if (load_conn_lost(L->conn, res))
		load_die_server(L->conn, res, "writing a batch");
	{
		PGresult   *rb = PQexec(L->conn, "ROLLBACK");

		if (PQresultStatus(rb) != PGRES_COMMAND_OK)
			load_die_server(L->conn, rb, "ROLLBACK");
		PQclear(rb);
	}
	return res;
}

/* Write a batch: the fast path, then safer ones if the database refuses. */
static void
write_batch(loader *L, batch *b)
{
	PGresult   *res = write_attempt(L, b, MODE_FAST);

	if (res == NULL)
		return;
	if (is_concurrent_conflict(res))
	{
		/* another loader inserted some of these keys meanwhile */
		PQclear(res);
		batch_retry_reset(b);
		res = write_attempt(L, b, MODE_SAFE);
		if (res == NULL)
			return;
	}
	if (!is_data_error(res))
		load_die_server(L->conn, res, "writing a batch");
	PQclear(res);
	batch_retry_reset(b);
	res = write_attempt(L, b, MODE_BISECT);
	if (res != NULL)
		load_die_server(L->conn, res, "writing a batch");
}

/* Write (or in a dry run count) batch b, add it to its file's totals and empty it. */
static void
finish_batch(loader *L, batch *b)
{
	csv_file   *F = b->file;

	if (L->opt.dry_run)
	{
		b->loaded = b->nrows;
		for (int i = 0; i < b->nrows; i++)
			b->rows[i].state = ROW_NEW;
	}
	else
		write_batch(L, b);
	F->read += b->read;
	F->loaded += b->loaded;
	F->updated += b->updated;
	F->dups += b->dups + b->infile_dups;
	F->infile_dups += b->infile_dups;
	F->rejected += b->nrejects;
	for (int i = 0; i < b->nrows; i++)
	{
		const row_rec *r = &b->rows[i];

		if (r->state == ROW_REJECTED)
			continue;
		for (int c = 0; c < L->ncols; c++)
		{
			uint64_t	bit = UINT64_C(1) << c;

			F->nulls[c] += (r->nulls & bit) != 0;
			F->unreadable[c] += (r->unreadable & bit) != 0;
			F->normalised[c] += (r->normalised & bit) != 0;
		}
	}
	batch_reset(b);
}

/* The writer thread: write each batch handed over, in order, until told to stop. */
static void *
writer_main(void *arg)
{
	loader	   *L = arg;

	for (;;)
	{
		batch	   *b;

		pthread_mutex_lock(&L->mu);
		while (L->job == NULL && !L->stop)
			pthread_cond_wait(&L->cv, &L->mu);
		b = L->job;
		L->job = NULL;
		pthread_mutex_unlock(&L->mu);
		if (b == NULL)
			return NULL;
		finish_batch(L, b);
		pthread_mutex_lock(&L->mu);
		L->busy = false;
		pthread_cond_broadcast(&L->cv);
		pthread_mutex_unlock(&L->mu);
	}
}

/* Wait until the writer has finished the batch it holds, if any. */
static void
wait_writer_idle(loader *L)
{
	if (!L->writer_started)
		return;
	pthread_mutex_lock(&L->mu);
	while (L->busy)
		pthread_cond_wait(&L->cv, &L->mu);
	pthread_mutex_unlock(&L->mu);
}

/* Hand the current batch to the writer and go on with the other one. */
static void
flush_batch(loader *L)
{
	batch	   *b = L->cur;

	if (b->read == 0 && b->nrejects == 0)
		return;
	if (!L->writer_started)
	{
		finish_batch(L, b);
		return;
	}
	wait_writer_idle(L);
	pthread_mutex_lock(&L->mu);
	L->job = b;
	L->busy = true;
	pthread_cond_broadcast(&L->cv);
	pthread_mutex_unlock(&L->mu);
	L->cur = (b == &L->batches[0]) ? &L->batches[1] : &L->batches[0];
	L->cur->file = L->F;
}

/* Start the writer thread. */
static void
start_writer(loader *L)
{
	int			rc;

	pthread_mutex_init(&L->mu, NULL);
	pthread_cond_init(&L->cv, NULL);
	rc = pthread_create(&L->writer, NULL, writer_main, L);
	if (rc != 0)
		load_die(LOAD_EXIT_ERROR, "cannot start the writer thread: %s", strerror(rc));
	L->writer_started = true;
}

/* Let the writer finish and end. */
static void
stop_writer(loader *L)
{
	if (!L->writer_started)
		return;
	wait_writer_idle(L);
	pthread_mutex_lock(&L->mu);
	L->stop = true;
	pthread_cond_broadcast(&L->cv);
	pthread_mutex_unlock(&L->mu);
	pthread_join(L->writer, NULL);
	pthread_mutex_destroy(&L->mu);
	pthread_cond_destroy(&L->cv);
	L->writer_started = false;
}

/* ---------------------------------------------------------------- one file */

/* Print a progress line if it is time. */
static void
progress(loader *L, bool force)
{
	double		now,
				secs;
	int64_t		bytes;
	int64_t		rows;

	if (!L->progress_on)
		return;
	now = load_now();
	if (!force && now - L->last_progress < (L->progress_tty ? PROGRESS_TTY_SECS : PROGRESS_LOG_SECS))
		return;
	L->last_progress = now;
	secs = now - L->t0;
	bytes = L->bytes_done + (L->reader ? L->reader->bytes : 0);
	rows = L->read + (L->F ? L->F->keys.n : 0);
	fprintf(stderr, "%s%s: %.1f MB read, %lld rows, %.0f rows/s%s",
			L->progress_tty ? "\r" : "", LOAD_PROGNAME, (double) bytes / 1e6,
			(long long) rows, secs > 0 ? (double) rows / secs : 0.0,
			L->progress_tty ? "\033[K" : "\n");
	L->progress_shown = true;
}

/* Append a header name to the ignored list of the file. */
static void
note_ignored(csv_file *F, const char *s, size_t len)
{
	if (F->nignored == 0)
		load_array_begin(&F->ignored);
	load_array_text(&F->ignored, s, len);
	if (F->nignored > 0)
		buf_puts(&F->ignored_text, ", ");
	load_buf_append(&F->ignored_text, "\"", 1);
	load_buf_append(&F->ignored_text, s, len);
	load_buf_append(&F->ignored_text, "\"", 1);
	F->nignored++;
}

/* Describe how column ci is filled, for the report and load_log_column. */
static void
fill_desc(loader *L, csv_file *F, int ci, char *buf, size_t size)
{
	const csv_colmap *cm = &L->map.cols[ci];

	switch (F->fill[ci])
	{
		case FILL_FIELD:
			snprintf(buf, size, "%s", F->header[ci]);
			break;
		case FILL_CONSTANT:
			snprintf(buf, size, "(constant \"%s\")", cm->constant);
			break;
		case FILL_AUX:
			if (cm->aux.kind == AUX_LOOKUP)
				snprintf(buf, size, "%s (looked up in %s: %s)", F->header[ci], cm->aux.file,
						 cm->aux.value_col);
			else
				snprintf(buf, size, "(%s of %s: %s)", cm->aux.kind == AUX_SUM ? "sum" : "first",
						 cm->aux.file, cm->aux.value_col);
			break;
		case FILL_DERIVED:
			snprintf(buf, size, "(derived)");
			break;
		case FILL_JOIN:
			{
				size_t		n = (size_t) snprintf(buf, size, "(join of ");

				for (int k = 0; k < cm->njoin && n < size; k++)
					n += (size_t) snprintf(buf + n, size - n, "%s%s", k ? ", " : "", cm->join[k]);
				if (n < size)
					snprintf(buf + n, size - n, ")");
				break;
			}
		case FILL_FILE_NAME:
			snprintf(buf, size, "(file name \"%s\")", F->stem);
			break;
		case FILL_LOADER:
			snprintf(buf, size, "(loader)");
			break;
		case FILL_NONE:
			snprintf(buf, size, "(absent)");
			break;
	}
}

/* Is column ci of the source derived from a column that the file gives? */
static bool
derivable(loader *L, csv_file *F, int ci)
{
	const cmc_column *col = &L->src->columns[ci];
	int			from;

	if (!(col->flags & CMC_DERIVED))
		return false;
	from = cmc_column_find(L->src, strcmp(col->name, "source_status") == 0 ? "status" : "metadata");
	return from >= 0 && F->fill[from] != FILL_NONE;
}

/*
 * Match the header record to the target's columns.  Returns NULL, or a
 * malloc'd message when the file must be rejected.
 */
static char *
plan_columns(loader *L, csv_file *F, const csv_record *h)
{
	const cmc_source *src = L->src;
	load_buf	msg = {0};
	char		folded[256];
	int			nmissing = 0;

	F->nheader = h->nfields;
	F->col_of_field = load_malloc((size_t) h->nfields * sizeof(int));
	for (int ci = 0; ci < L->ncols; ci++)
	{
		const csv_colmap *cm = &L->map.cols[ci];

		F->field_of[ci] = -1;
		F->fill[ci] = FILL_NONE;
		F->decimal_comma[ci] = cm->decimal_comma >= 0 ? cm->decimal_comma > 0 :
			L->opt.decimal_comma >= 0 ? L->opt.decimal_comma > 0 : L->map.decimal_comma > 0;
		F->dc_explicit[ci] = cm->decimal_comma >= 0 || L->opt.decimal_comma >= 0 ||
			L->map.decimal_comma >= 0;
		F->date_format[ci] = cm->date_format ? cm->date_format :
			L->opt.date_format ? L->opt.date_format : L->map.date_format;
		if (src->columns[ci].flags & CMC_PROVENANCE)
			F->fill[ci] = FILL_LOADER;
		else if (cm->constant)
			F->fill[ci] = FILL_CONSTANT;
		else if (cm->aux.kind == AUX_SUM || cm->aux.kind == AUX_FIRST)
			F->fill[ci] = FILL_AUX;
		else if (cm->njoin > 0)
		{
			F->fill[ci] = FILL_JOIN;
			F->join_fields[ci] = load_malloc((size_t) cm->njoin * sizeof(int));
			for (int k = 0; k < cm->njoin; k++)
				F->join_fields[ci][k] = -1;
		}
	}

	/* the header must be text */
	for (int i = 0; i < h->nfields; i++)
	{
		const cm_csv_field *f = &h->fields[i];

		if (F->encoding == CM_ENC_UTF8 && cm_csv_utf8_invalid(h->text + f->off, f->len) != f->len)
		{
			load_buf_free(&msg);
			return strdup("the header line is not valid UTF-8 (is the file Latin-1? try --encoding latin1)");
		}
	}

	/* the map's headers first, then names and aliases */
	for (int i = 0; i < h->nfields; i++)
	{
		const cm_csv_field *f = &h->fields[i];
		const char *name = h->text + f->off;
		size_t		len = f->len;
		char	   *conv = NULL;
		int			match = -1;

		F->col_of_field[i] = -1;
		if (F->encoding != CM_ENC_UTF8)
		{
			conv = load_malloc(3 * len + 1);
			len = cm_csv_to_utf8(F->encoding, name, len, conv);
			name = conv;
		}
		trim(&name, &len);
		if (len == 0 || cm_fold(name, len, folded, sizeof(folded)) == (size_t) -1)
		{
			if (len > 0)
				note_ignored(F, name, len);
			free(conv);
			continue;
		}
		for (int ci = 0; ci < L->ncols && match < 0; ci++)
		{
			const char *mh = L->map.cols[ci].header;

			if (mh && fold_eq(name, len, mh))
				match = ci;
		}
		/* a part of a joined column */
		for (int ci = 0; ci < L->ncols && match < 0; ci++)
		{
			const csv_colmap *cm = &L->map.cols[ci];

			for (int k = 0; k < cm->njoin; k++)
				if (F->join_fields[ci][k] < 0 && fold_eq(name, len, cm->join[k]))
				{
					F->join_fields[ci][k] = i;
					F->col_of_field[i] = ci;
					match = -2;
					break;
				}
		}
		if (match == -2)
		{
			free(conv);
			continue;
		}
		for (int ci = 0; ci < L->ncols && match < 0; ci++)
		{
			const cmc_column *col = &src->columns[ci];

			if ((col->flags & CMC_PROVENANCE) || L->map.cols[ci].header)
				continue;
			if (fold_eq(name, len, col->name))
				match = ci;
			for (int k = 0; match < 0 && col->aliases && col->aliases[k]; k++)
				if (fold_eq(name, len, col->aliases[k]))
					match = ci;
		}
		if (match >= 0 && F->field_of[match] >= 0)
		{
			/* a second header for the same column: the first one wins */
			note_ignored(F, name, len);
			match = -1;
		}
		else if (match >= 0 && (F->fill[match] == FILL_CONSTANT || F->fill[match] == FILL_AUX))
		{
			note_ignored(F, name, len);
			match = -1;
		}
		else if (match >= 0)
		{
			F->field_of[match] = i;
			F->fill[match] = FILL_FIELD;
			F->header[match] = load_malloc(len + 1);
			memcpy(F->header[match], name, len);
			F->header[match][len] = '\0';
		}
		else
			note_ignored(F, name, len);
		F->col_of_field[i] = match;
		free(conv);
	}
	for (int ci = 0; ci < L->ncols; ci++)
	{
		if (F->fill[ci] == FILL_NONE && derivable(L, F, ci))
			F->fill[ci] = FILL_DERIVED;
		if (F->fill[ci] == FILL_NONE && (src->columns[ci].flags & CMC_FILE_NAME))
			F->fill[ci] = FILL_FILE_NAME;
		/* a lookup replaces the field's value */
		if (F->fill[ci] == FILL_FIELD && L->map.cols[ci].aux.kind == AUX_LOOKUP)
			F->fill[ci] = FILL_AUX;
	}

	/* every required column must be there */
	{
		load_buf	names = {0};

		for (int ci = 0; ci < L->ncols; ci++)
		{
			const cmc_column *col = &src->columns[ci];

			if (!(col->flags & CMC_REQUIRED) || F->fill[ci] != FILL_NONE)
				continue;
			buf_puts(&names, nmissing++ ? ", " : "");
			buf_puts(&names, col->name);
			if (L->map.cols[ci].header)
			{
				buf_puts(&names, " (the map names header \"");
				buf_puts(&names, L->map.cols[ci].header);
				buf_puts(&names, "\")");
			}
		}
		if (nmissing > 0)
		{
			buf_puts(&msg, nmissing > 1 ? "missing required columns " : "missing required column ");
			load_buf_append(&msg, names.data, names.len);
		}
		load_buf_free(&names);
	}
	if (nmissing == 0)
	{
		/* a header named in the map but absent from the file */
		for (int ci = 0; ci < L->ncols; ci++)
			if (L->map.cols[ci].header && F->fill[ci] == FILL_NONE)
			{
				buf_puts(&msg, "note: the map names header \"");
				buf_puts(&msg, L->map.cols[ci].header);
				buf_puts(&msg, "\" for ");
				buf_puts(&msg, src->columns[ci].name);
				buf_puts(&msg, ", but the file has no such column; ");
			}
		if (msg.len)
		{
			buf_terminate(&msg);
			F->message = msg.data;
		}
		return NULL;
	}
	buf_puts(&msg, ". Expected (");
	buf_puts(&msg, src->name);
	buf_puts(&msg, "): ");
	{
		bool		first = true;

		for (int ci = 0; ci < L->ncols; ci++)
		{
			const cmc_column *col = &src->columns[ci];

			if (col->flags & (CMC_PROVENANCE | CMC_DERIVED))
				continue;
			buf_puts(&msg, first ? "" : ", ");
			first = false;
			buf_puts(&msg, col->name);
			if (col->flags & CMC_REQUIRED)
				buf_puts(&msg, " (required)");
		}
	}
	buf_puts(&msg, ". Found: ");
	for (int i = 0; i < h->nfields; i++)
	{
		load_buf_append(&msg, i ? ", \"" : "\"", i ? 3 : 1);
		load_utf8_repair(&msg, h->text + h->fields[i].off, h->fields[i].len, 200);
		buf_puts(&msg, "\"");
	}
	buf_puts(&msg, ". Use --map FILE to map other headers (see costmodel-load csv --list-columns).");
	buf_terminate(&msg);
	return msg.data;
}

/* realloc for a temporary tokenizer. */
static void *
tmp_realloc(void *p, size_t size)
{
	if (size == 0)
	{
		free(p);
		return NULL;
	}
	return load_realloc(p, size);
}

/*
 * Decide the decimal comma of the amount columns not set by an option or
 * the map, from the rows read ahead: a column whose values read only with a
 * decimal comma ("19,85", "1.768,00"), and never only without one, has it.
 */
static void
detect_decimal_comma(loader *L, csv_file *F, const csv_reader *r)
{
	cm_csv_parser p;
	int64_t		only_comma[MAXCOLS] = {0};
	int64_t		only_point[MAXCOLS] = {0};
	load_buf	note = {0};

	cm_csv_init(&p, r->delim, tmp_realloc);
	for (int k = r->next_line; k < r->nlines; k++)
	{
		const csv_ahead_line *a = &r->lines[k];

		if (a->too_long || (!p.started && cm_csv_blank(r->ahead.data + a->off, a->len)))
			continue;
		if (!cm_csv_feed(&p, r->ahead.data + a->off, a->len, a->offset, a->line_no))
			continue;
		for (int ci = 0; ci < L->ncols; ci++)
		{
			int			fi = F->field_of[ci];
			int64_t		v;
			const char *why;
			cm_csv_field *f;
			cmv_status	with,
						without;

			if (F->dc_explicit[ci] || L->src->columns[ci].type != CMC_DEC2 ||
				F->fill[ci] != FILL_FIELD || fi >= p.nfields)
				continue;
			f = &p.fields[fi];
			with = cmv_money(p.buf + f->off, f->len, true, &v, &why);
			without = cmv_money(p.buf + f->off, f->len, false, &v, &why);
			only_comma[ci] += with == CMV_OK && without == CMV_INVALID;
			only_point[ci] += without == CMV_OK && with == CMV_INVALID;
		}
		cm_csv_clear(&p);
	}
	cm_csv_free(&p);
	for (int ci = 0; ci < L->ncols; ci++)
	{
		if (only_comma[ci] > 0 && only_point[ci] == 0)
		{
			F->decimal_comma[ci] = true;
			buf_puts(&note, note.len ? ", " : "decimal comma detected in ");
			buf_puts(&note, L->src->columns[ci].name);
		}
	}
	if (note.len)
	{
		if (F->message)
		{
			buf_puts(&note, "; ");
			buf_puts(&note, F->message);
			free(F->message);
		}
		buf_terminate(&note);
		F->message = note.data;
	}
}

/* The directory of a path, malloc'd ("." for none). */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char	   *d;

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	d = load_malloc((size_t) (slash - path) + 1);
	memcpy(d, path, (size_t) (slash - path));
	d[slash - path] = '\0';
	return d;
}

/* Record a rejected file in costmodel.load_log. */
static void
log_rejected_file(loader *L, csv_file *F)
{
	static const char *const sql =
		"INSERT INTO costmodel.load_log (source, file_name, map_file, delimiter, encoding,"
		" status, message, file_sha256, bytes, blank_lines, finished_at)"
		" VALUES ($1, $2, $3, $4, $5, 'rejected', $6, $7, $8, $9, pg_catalog.clock_timestamp())"
		" RETURNING load_id";
	const char *params[9];
	char		bytes[24],
				blanks[24];
	char		delim[2] = {F->delim, '\0'};
	PGresult   *res;

	snprintf(bytes, sizeof(bytes), "%lld", (long long) F->bytes);
	snprintf(blanks, sizeof(blanks), "%lld", (long long) F->blank_lines);
	params[0] = L->src->name;
	params[1] = F->name;
	params[2] = L->opt.map_path;
	params[3] = F->delim ? delim : NULL;
	params[4] = cm_csv_encoding_name(F->encoding);
	params[5] = F->message;
	params[6] = F->sha[0] ? F->sha : NULL;
	params[7] = bytes;
	params[8] = blanks;
	res = exec_params(L, sql, 9, params);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		load_die_server(L->conn, res, "INSERT INTO costmodel.load_log");
	F->load_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
}

/* Start the file's costmodel.load_log row; sets load_id and loaded_at. */
static void
log_start(loader *L, csv_file *F)
{
	static const char *const sql =
		"INSERT INTO costmodel.load_log (source, file_name, map_file, delimiter, encoding, status)"
		" VALUES ($1, $2, $3, $4, $5, 'running')"
		" RETURNING load_id, (EXTRACT(epoch FROM started_at) * 1000000)::pg_catalog.int8";
	const char *params[5];
	char		delim[2] = {F->delim, '\0'};
	PGresult   *res;

	params[0] = L->src->name;
	params[1] = F->name;
	params[2] = L->opt.map_path;
	params[3] = delim;
	params[4] = cm_csv_encoding_name(F->encoding);
	res = exec_params(L, sql, 5, params);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		load_die_server(L->conn, res, "INSERT INTO costmodel.load_log");
	F->load_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	F->loaded_at = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
}

/* Finish the file's costmodel.load_log row and write its per-column counts. */
static void
log_finish(loader *L, csv_file *F)
{
	static const char *const upd =
		"UPDATE costmodel.load_log SET finished_at = pg_catalog.clock_timestamp(), status = $2,"
		" file_sha256 = $3, bytes = $4, blank_lines = $5, columns_ignored = $6::pg_catalog.text[],"
		" message = $7 WHERE load_id = $1";
	static const char *const cols =
		"INSERT INTO costmodel.load_log_column (load_id, column_name, position, filled_from,"
		" nulls, unreadable, normalised)"
		" SELECT $1::pg_catalog.int8, * FROM ROWS FROM (pg_catalog.unnest($2::pg_catalog.text[]),"
		" pg_catalog.unnest($3::pg_catalog.int4[]), pg_catalog.unnest($4::pg_catalog.text[]),"
		" pg_catalog.unnest($5::pg_catalog.int8[]), pg_catalog.unnest($6::pg_catalog.int8[]),"
		" pg_catalog.unnest($7::pg_catalog.int8[]))";
	const char *params[7];
	char		id[24],
				bytes[24],
				blanks[24];
	load_buf	arr[6] = {{0}};
	PGresult   *res;

	snprintf(id, sizeof(id), "%lld", (long long) F->load_id);
	snprintf(bytes, sizeof(bytes), "%lld", (long long) F->bytes);
	snprintf(blanks, sizeof(blanks), "%lld", (long long) F->blank_lines);
	if (F->nignored > 0)
		load_array_end(&F->ignored);
	params[0] = id;
	params[1] = F->rejected > 0 ? "loaded_with_rejects" : "loaded";
	params[2] = F->sha;
	params[3] = bytes;
	params[4] = blanks;
	params[5] = F->nignored > 0 ? F->ignored.data : "{}";
	params[6] = F->message;
	res = exec_params(L, upd, 7, params);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		load_die_server(L->conn, res, "finishing costmodel.load_log");
	PQclear(res);

	for (int i = 0; i < 6; i++)
		load_array_begin(&arr[i]);
	for (int ci = 0; ci < L->ncols; ci++)
	{
		char		desc[600];

		load_array_text(&arr[0], L->src->columns[ci].name, strlen(L->src->columns[ci].name));
		if (F->fill[ci] == FILL_FIELD)
			load_array_int(&arr[1], F->field_of[ci] + 1);
		else
			load_array_null(&arr[1]);
		fill_desc(L, F, ci, desc, sizeof(desc));
		load_array_text(&arr[2], desc, strlen(desc));
		load_array_int(&arr[3], F->nulls[ci]);
		load_array_int(&arr[4], F->unreadable[ci]);
		load_array_int(&arr[5], F->normalised[ci]);
	}
	params[0] = id;
	for (int i = 0; i < 6; i++)
	{
		load_array_end(&arr[i]);
		params[i + 1] = arr[i].data;
	}
	res = exec_params(L, cols, 7, params);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		load_die_server(L->conn, res, "INSERT INTO costmodel.load_log_column");
	PQclear(res);
	for (int i = 0; i < 6; i++)
		load_buf_free(&arr[i]);
}

/* After a members file: bring dim_member up to date (type 2 versions). */
static void
refresh_members(loader *L)
{
	PGresult   *res = load_exec(L->conn,
								"SELECT new_members, changed_members, updated_members"
								" FROM costmodel.refresh_dim_member()",
								PGRES_TUPLES_OK, "costmodel.refresh_dim_member()");

	if (!L->g->quiet)
		printf("  dim_member: %s new, %s new versions, %s updated in place\n",
			   PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2));
	PQclear(res);
}

/* Print the processing report of a file. */
static void
report_file(loader *L, csv_file *F, double secs)
{
	if (L->g->quiet)
		return;
	if (L->opt.dry_run)
		printf("dry run, nothing written: ");
	printf("%s -> costmodel.%s", F->name, L->src->name);
	if (F->load_id > 0)
		printf(" (load_id %lld)", (long long) F->load_id);
	printf(": ");
	if (F->file_rejected)
	{
		printf("file rejected: %s\n", F->message);
		return;
	}
	printf("read %lld, loaded %lld, updated %lld, duplicates %lld, rejected %lld, in %.2f s\n",
		   (long long) F->read, (long long) F->loaded, (long long) F->updated,
		   (long long) F->dups, (long long) F->rejected, secs);
	printf("  %s-delimited, %s, %.1f kB, sha256 %s", cm_csv_delim_name(F->delim),
		   cm_csv_encoding_name(F->encoding), (double) F->bytes / 1e3, F->sha);
	if (L->have_map)
		printf(", map %s", L->opt.map_path);
	if (F->infile_dups)
		printf(", %lld repeated keys in the file (first kept)", (long long) F->infile_dups);
	if (F->blank_lines)
		printf(", %lld blank lines skipped", (long long) F->blank_lines);
	printf("\n");
	printf("  %-26s %-40s %10s %10s %10s\n", "column", "from", "nulls", "unreadable", "normalised");
	for (int ci = 0; ci < L->ncols; ci++)
	{
		char		desc[600];

		if (L->src->columns[ci].flags & CMC_PROVENANCE)
			continue;
		fill_desc(L, F, ci, desc, sizeof(desc));
		printf("  %-26s %-40.40s %10lld %10lld %10lld\n", L->src->columns[ci].name, desc,
			   (long long) F->nulls[ci], (long long) F->unreadable[ci],
			   (long long) F->normalised[ci]);
	}
	if (F->nignored)
		printf("  ignored columns: %.*s\n", (int) F->ignored_text.len, F->ignored_text.data);
	if (F->message)
		printf("  %s\n", F->message);
	if (F->rejected)
	{
		printf("  rejected rows (%lld", (long long) F->rejected);
		if (F->load_id > 0)
			printf("; all in costmodel.load_reject WHERE load_id = %lld", (long long) F->load_id);
		printf("):\n");
		for (int i = 0; i < F->nsamples; i++)
			printf("    %s\n", F->samples[i]);
		if (F->rejected > F->nsamples)
			printf("    ...\n");
	}
}

/* Free a file's state. */
static void
file_free(csv_file *F)
{
	free(F->name);
	free(F->stem);
	free(F->col_of_field);
	for (int i = 0; i < MAXCOLS; i++)
	{
		free(F->header[i]);
		free(F->join_fields[i]);
	}
	load_buf_free(&F->ignored);
	load_buf_free(&F->ignored_text);
	keyset_free(&F->keys);
	for (int i = 0; i < F->nsamples; i++)
		free(F->samples[i]);
	free(F->message);
}

/* Load one file ("-" is standard input). */
static void
load_file(loader *L, const char *path)
{
	csv_file   *F = load_malloc(sizeof(csv_file));
	csv_reader	r;
	csv_record	rec;
	bool		is_stdin = strcmp(path, "-") == 0;
	char	   *abs = is_stdin ? NULL : realpath(path, NULL);
	char		delim = L->opt.delim ? L->opt.delim : L->map.delim;
	int			rc;
	double		t0 = load_now();
	bool		opened;
	char	   *reject = NULL;

	memset(F, 0, sizeof(*F));
	F->path = path;
	F->name = strdup(is_stdin ? "stdin" : abs ? abs : path);
	{
		const char *base = strrchr(F->name, '/') ? strrchr(F->name, '/') + 1 : F->name;
		const char *dot = strchr(base, '.');

		F->stem = strndup(base, dot && dot > base ? (size_t) (dot - base) : strlen(base));
	}
	F->encoding = (cm_csv_encoding) (L->opt.encoding >= 0 ? L->opt.encoding :
									 L->map.encoding >= 0 ? L->map.encoding : CM_ENC_UTF8);
	L->F = F;
	L->cur->file = F;
	L->files++;

	opened = csv_reader_open(&r, path, delim, L->opt.max_record);
	F->delim = r.delim;
	if (!opened && !(r.open && strstr(r.errmsg, "UTF-16")))
		load_die(LOAD_EXIT_ERROR, "cannot read \"%s\": %s", is_stdin ? "standard input" : path,
				 r.errmsg);
	L->reader = &r;
	if (!opened)
		reject = strdup(r.errmsg);
	else if (r.bom && F->encoding != CM_ENC_UTF8)
		fprintf(stderr, "%s: warning: %s starts with a UTF-8 byte-order mark, but is read as %s\n",
				LOAD_PROGNAME, F->name, cm_csv_encoding_name(F->encoding));

	/* the header */
	if (opened)
	{
		rc = csv_reader_next(&r, &rec);
		if (rc < 0)
			load_die(LOAD_EXIT_ERROR, "cannot read \"%s\": %s", path, r.errmsg);
		if (rc == 0)
			reject = strdup("the file is empty: no header line");
		else if (rec.error)
		{
			char		m[400];

			snprintf(m, sizeof(m), "the header line cannot be read: %s", rec.error);
			reject = strdup(m);
		}
		else
		{
			reject = plan_columns(L, F, &rec);
			if (reject == NULL)
				detect_decimal_comma(L, F, &r);
		}
		if (reject == NULL && L->have_map)
		{
			char		err[1024];
			char	   *dir = is_stdin ? strdup(".") : dir_of(abs ? abs : path);

			if (!csv_aux_build(&L->map, dir, err, sizeof(err)))
				reject = strdup(err);
			free(dir);
		}
	}
	if (reject != NULL)
	{
		free(F->message);
		F->message = reject;
		/* the file is rejected as a whole */
		F->file_rejected = true;
		if (opened && !csv_reader_drain(&r))
			load_die(LOAD_EXIT_ERROR, "cannot read \"%s\": %s", path, r.errmsg);
		if (opened)
			csv_reader_sha256(&r, F->sha);
		F->bytes = r.bytes;
		F->blank_lines = r.blank_lines;
		if (!L->opt.dry_run)
			log_rejected_file(L, F);
		L->files_rejected++;
		report_file(L, F, load_now() - t0);
		L->bytes_done += r.bytes;
		L->reader = NULL;
		csv_reader_close(&r);
		L->F = NULL;
		file_free(F);
		free(F);
		free(abs);
		return;
	}

	if (!L->opt.dry_run)
	{
		wait_writer_idle(L);
		log_start(L, F);
	}
	else
		F->loaded_at = (int64_t) time(NULL) * 1000000;

	while ((rc = csv_reader_next(&r, &rec)) > 0)
	{
		handle_record(L, &rec);
		if (L->cur->nrows >= L->opt.batch_size ||
			L->cur->nrejects >= L->opt.batch_size ||
			L->cur->copy.len >= ((size_t) 64 << 20))
			flush_batch(L);
		progress(L, false);
	}
	if (rc < 0)
		load_die(LOAD_EXIT_ERROR, "cannot read \"%s\" near byte %lld: %s",
				 is_stdin ? "standard input" : path, (long long) r.bytes, r.errmsg);
	flush_batch(L);
	wait_writer_idle(L);
	csv_reader_sha256(&r, F->sha);
	F->bytes = r.bytes;
	F->blank_lines = r.blank_lines;
	L->bytes_done += r.bytes;
	L->reader = NULL;
	csv_reader_close(&r);

	if (F->read != F->loaded + F->updated + F->dups + F->rejected)
		load_die(LOAD_EXIT_ERROR,
				 "internal error: %s: read %lld != loaded %lld + updated %lld + duplicates %lld + rejected %lld",
				 F->name, (long long) F->read, (long long) F->loaded, (long long) F->updated,
				 (long long) F->dups, (long long) F->rejected);
	if (!L->opt.dry_run)
		log_finish(L, F);
	if (L->progress_shown && L->progress_tty)
		fputs("\r\033[K", stderr);
	report_file(L, F, load_now() - t0);
	if (!L->opt.dry_run && !L->opt.no_refresh && strcmp(L->src->name, "members") == 0)
		refresh_members(L);
	L->read += F->read;
	L->loaded += F->loaded;
	L->updated += F->updated;
	L->dups += F->dups;
	L->rejected += F->rejected;
	L->F = NULL;
	L->cur->file = NULL;
	file_free(F);
	free(F);
	free(abs);
}

/* ---------------------------------------------------------------- setup */

/* Build the statements of the source. */
static void
build_sql(loader *L)
{
	const cmc_source *s = L->src;
	const char *key = s->columns[L->key_col].name;
	load_buf	b = {0};
	load_buf	cols = {0};
	bool		first = true;

	for (int i = 0; i < L->ncols; i++)
	{
		if (i)
			buf_puts(&cols, ", ");
		buf_puts(&cols, s->columns[i].name);
	}
	buf_terminate(&cols);

	buf_puts(&b, "COPY costmodel.");
	buf_puts(&b, s->name);
	buf_puts(&b, " (");
	buf_puts(&b, cols.data);
	buf_puts(&b, ") FROM STDIN");
	buf_terminate(&b);
	L->copy_target = b.data;
	memset(&b, 0, sizeof(b));

	buf_puts(&b, "COPY pg_temp.cm_stage_");
	buf_puts(&b, s->name);
	buf_puts(&b, " (");
	buf_puts(&b, cols.data);
	buf_puts(&b, ") FROM STDIN");
	buf_terminate(&b);
	L->copy_stage = b.data;
	memset(&b, 0, sizeof(b));

	/* identical rows are duplicates: compare all but the key and provenance */
	buf_puts(&b, "INSERT INTO costmodel.");
	buf_puts(&b, s->name);
	buf_puts(&b, " AS t (");
	buf_puts(&b, cols.data);
	buf_puts(&b, ") SELECT ");
	buf_puts(&b, cols.data);
	buf_puts(&b, " FROM pg_temp.cm_stage_");
	buf_puts(&b, s->name);
	buf_puts(&b, " ON CONFLICT (");
	buf_puts(&b, key);
	buf_puts(&b, ") DO UPDATE SET ");
	for (int i = 0; i < L->ncols; i++)
	{
		if (i == L->key_col)
			continue;
		if (!first)
			buf_puts(&b, ", ");
		first = false;
		buf_puts(&b, s->columns[i].name);
		buf_puts(&b, " = EXCLUDED.");
		buf_puts(&b, s->columns[i].name);
	}
	buf_puts(&b, " WHERE (");
	first = true;
	for (int i = 0; i < L->ncols; i++)
	{
		if (i == L->key_col || (s->columns[i].flags & CMC_PROVENANCE))
			continue;
		buf_puts(&b, first ? "t." : ", t.");
		first = false;
		buf_puts(&b, s->columns[i].name);
	}
	buf_puts(&b, ") IS DISTINCT FROM (");
	first = true;
	for (int i = 0; i < L->ncols; i++)
	{
		if (i == L->key_col || (s->columns[i].flags & CMC_PROVENANCE))
			continue;
		buf_puts(&b, first ? "EXCLUDED." : ", EXCLUDED.");
		first = false;
		buf_puts(&b, s->columns[i].name);
	}
	buf_puts(&b, ")");
	if (s->newer_column)
	{
		/* an older export of the row does not replace a newer one */
		buf_puts(&b, " AND NOT (t.");
		buf_puts(&b, s->newer_column);
		buf_puts(&b, " IS NOT NULL AND (EXCLUDED.");
		buf_puts(&b, s->newer_column);
		buf_puts(&b, " IS NULL OR EXCLUDED.");
		buf_puts(&b, s->newer_column);
		buf_puts(&b, " OPERATOR(pg_catalog.<) t.");
		buf_puts(&b, s->newer_column);
		buf_puts(&b, "))");
	}
	buf_puts(&b, " RETURNING (t.xmax OPERATOR(pg_catalog.=) 0)");
	buf_terminate(&b);
	L->upsert_sql = b.data;
	memset(&b, 0, sizeof(b));

	/*
	 * A scalar subquery per staged row: an index probe on the key, whatever
	 * the planner thinks of the unanalysed staging table.
	 */
	buf_puts(&b, "DELETE FROM pg_temp.cm_stage_");
	buf_puts(&b, s->name);
	buf_puts(&b, " s WHERE (SELECT ROW(");
	first = true;
	for (int i = 0; i < L->ncols; i++)
	{
		if (i == L->key_col || (s->columns[i].flags & CMC_PROVENANCE))
			continue;
		buf_puts(&b, first ? "t." : ", t.");
		first = false;
		buf_puts(&b, s->columns[i].name);
	}
	buf_puts(&b, ") IS NOT DISTINCT FROM ROW(");
	first = true;
	for (int i = 0; i < L->ncols; i++)
	{
		if (i == L->key_col || (s->columns[i].flags & CMC_PROVENANCE))
			continue;
		buf_puts(&b, first ? "s." : ", s.");
		first = false;
		buf_puts(&b, s->columns[i].name);
	}
	buf_puts(&b, ")");
	if (s->newer_column)
	{
		buf_puts(&b, " OR (t.");
		buf_puts(&b, s->newer_column);
		buf_puts(&b, " IS NOT NULL AND (s.");
		buf_puts(&b, s->newer_column);
		buf_puts(&b, " IS NULL OR s.");
		buf_puts(&b, s->newer_column);
		buf_puts(&b, " OPERATOR(pg_catalog.<) t.");
		buf_puts(&b, s->newer_column);
		buf_puts(&b, "))");
	}
	buf_puts(&b, " FROM costmodel.");
	buf_puts(&b, s->name);
	buf_puts(&b, " t WHERE t.");
	buf_puts(&b, key);
	buf_puts(&b, " OPERATOR(pg_catalog.=) s.");
	buf_puts(&b, key);
	buf_puts(&b, ")");
	buf_terminate(&b);
	L->same_sql = b.data;
	memset(&b, 0, sizeof(b));

	buf_puts(&b, "SELECT ");
	buf_puts(&b, key);
	buf_puts(&b, " FROM costmodel.");
	buf_puts(&b, s->name);
	buf_puts(&b, " WHERE ");
	buf_puts(&b, key);
	buf_puts(&b, " OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.text[])");
	buf_terminate(&b);
	L->exists_sql = b.data;
	memset(&b, 0, sizeof(b));

	buf_puts(&b, "TRUNCATE pg_temp.cm_stage_");
	buf_puts(&b, s->name);
	buf_terminate(&b);
	L->truncate_sql = b.data;
	memset(&b, 0, sizeof(b));

	if (L->fk_col >= 0)
	{
		buf_puts(&b, "SELECT u.v FROM pg_catalog.unnest($1::pg_catalog.text[]) AS u(v)"
				 " WHERE NOT EXISTS (SELECT 1 FROM costmodel.");
		buf_puts(&b, L->fk_src->name);
		buf_puts(&b, " f WHERE f.");
		buf_puts(&b, L->fk_src->columns[L->fk_key].name);
		buf_puts(&b, " OPERATOR(pg_catalog.=) u.v) GROUP BY u.v");
		buf_terminate(&b);
		L->fk_sql = b.data;
	}
	load_buf_free(&cols);
}

/* Exit 1 with a hint unless the extension's CSV tables exist. */
static void
check_extension(loader *L)
{
	load_buf	sql = {0};
	PGresult   *res;
	bool		ok;

	buf_puts(&sql, "SELECT pg_catalog.to_regclass('costmodel.load_log') IS NOT NULL"
			 " AND pg_catalog.to_regclass('costmodel.");
	buf_puts(&sql, L->src->name);
	buf_puts(&sql, "') IS NOT NULL");
	buf_terminate(&sql);
	res = load_exec(L->conn, sql.data, PGRES_TUPLES_OK, "checking for the costmodel extension");
	ok = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	load_buf_free(&sql);
	if (!ok)
	{
		load_error("the costmodel tables do not exist in database \"%s\"", PQdb(L->conn));
		fprintf(stderr, "HINT: run CREATE EXTENSION costmodel in database \"%s\" first"
				" (or ALTER EXTENSION costmodel UPDATE).\n", PQdb(L->conn));
		PQfinish(L->conn);
		exit(LOAD_EXIT_ERROR);
	}
}

/* Set up the column table of the source; dies on an ambiguous alias list. */
static void
setup_source(loader *L)
{
	const cmc_source *s = L->src;

	L->ncols = s->ncolumns;
	if (L->ncols > MAXCOLS)
		load_die(LOAD_EXIT_ERROR, "internal error: source %s has too many columns", s->name);
	L->key_col = cmc_key_column(s);
	L->fk_col = -1;
	for (int i = 0; i < L->ncols; i++)
	{
		const cmc_column *c = &s->columns[i];
		cm_kind		k = CMK_TEXT;

		switch (c->type)
		{
			case CMC_INT:
				k = CMK_INT;
				break;
			case CMC_DEC2:
				k = CMK_MONEY;
				break;
			case CMC_DEC3:
				k = CMK_RATE;
				break;
			case CMC_BOOL:
				k = CMK_BOOL;
				break;
			case CMC_TS:
				k = CMK_TS;
				break;
			case CMC_DATE:
				k = CMK_DATE;
				break;
			default:
				k = CMK_TEXT;
				break;
		}
		L->defcols[i].name = c->name;
		L->defcols[i].kind = k;
		L->dec_max[i] = INT64_MAX;
		if (c->type == CMC_DEC2)
		{
			int			p = 14;
			int64_t		m = 1;

			sscanf(c->sql_type, "numeric(%d,", &p);
			for (int d = 0; d < p; d++)
				m *= 10;
			L->dec_max[i] = m - 1;
		}
		if (c->fk_table && i != L->key_col)
			L->fk_col = i;
		else if (c->fk_table && L->fk_col < 0)
			L->fk_col = i;
	}
	if (L->fk_col >= 0)
	{
		L->fk_src = cmc_source_find(s->columns[L->fk_col].fk_table);
		if (L->fk_src == NULL)
			load_die(LOAD_EXIT_ERROR, "internal error: unknown foreign key table %s",
					 s->columns[L->fk_col].fk_table);
		L->fk_key = cmc_key_column(L->fk_src);
	}
	L->def.name = s->name;
	L->def.ncolumns = L->ncols;
	L->def.columns = L->defcols;

	/* no two columns may answer to the same folded header */
	for (int i = 0; i < L->ncols; i++)
	{
		const cmc_column *a = &s->columns[i];

		for (int j = i + 1; j < L->ncols; j++)
		{
			const cmc_column *b = &s->columns[j];
			const char *an[64],
					   *bn[64];
			int			na = 0,
						nb = 0;

			an[na++] = a->name;
			for (int k = 0; a->aliases && a->aliases[k] && na < 64; k++)
				an[na++] = a->aliases[k];
			bn[nb++] = b->name;
			for (int k = 0; b->aliases && b->aliases[k] && nb < 64; k++)
				bn[nb++] = b->aliases[k];
			for (int x = 0; x < na; x++)
				for (int y = 0; y < nb; y++)
					if (fold_eq(an[x], strlen(an[x]), bn[y]))
						load_die(LOAD_EXIT_ERROR,
								 "internal error: source %s: \"%s\" (%s) and \"%s\" (%s) fold alike",
								 s->name, an[x], a->name, bn[y], b->name);
		}
	}
}

/* Print the column table of one source (--list-columns). */
static void
list_columns(const cmc_source *s)
{
	printf("%s (costmodel.%s): %s\n", s->name, s->name, s->summary);
	for (int i = 0; i < s->ncolumns; i++)
	{
		const cmc_column *c = &s->columns[i];

		if (c->flags & CMC_PROVENANCE)
			continue;
		printf("  %-26s %-10s %-9s", c->name, cmc_type_name(c),
			   (c->flags & CMC_KEY) ? "key" : (c->flags & CMC_REQUIRED) ? "required" :
			   (c->flags & CMC_DERIVED) ? "derived" : "");
		if (c->aliases)
		{
			printf(" aliases: ");
			for (int k = 0; c->aliases[k]; k++)
				printf("%s%s", k ? ", " : "", c->aliases[k]);
		}
		if (c->type == CMC_ENUM)
		{
			printf("%svalues: ", c->aliases ? "; " : " ");
			for (int k = 0; cm_enums[c->enum_id].values[k]; k++)
				printf("%s%s", k ? ", " : "", cm_enums[c->enum_id].values[k]);
		}
		if (c->fk_table)
			printf("%sreferences %s", c->aliases || c->type == CMC_ENUM ? "; " : " ", c->fk_table);
		printf("\n");
	}
}

/* Print the command's section of --help. */
void
load_csv_help(void)
{
	printf("\ncsv --source=NAME [OPTION]... FILE...\n"
		   "  FILE is a CSV export with a header line, plain or gzip-compressed; \"-\"\n"
		   "  reads standard input.  The delimiter (comma, semicolon, tab or pipe) is\n"
		   "  detected; quoted fields may hold delimiters, quotes and newlines; a UTF-8\n"
		   "  byte-order mark and CRLF line ends are handled.\n"
		   "  -s, --source=NAME        the target table, one of");
	{
		/* the sources, wrapped at 79 columns */
		int			col = 51;

		for (int i = 0; i < cmc_nsources; i++)
		{
			int			w = (int) strlen(cmc_sources[i].name) + (i + 1 < cmc_nsources ? 1 : 0);

			if (col + 1 + w > 79)
			{
				printf("\n                          ");
				col = 26;
			}
			printf(" %s%s", cmc_sources[i].name, i + 1 < cmc_nsources ? "," : "");
			col += 1 + w;
		}
	}
	printf("\n"
		   "  -m, --map=FILE           header map: target column = source header, per-column\n"
		   "                           date formats, decimal comma, value spellings,\n"
		   "                           constants, lookups and sums from other files\n"
		   "                           (docs/csv-loading.md; a Synthea map is shipped in\n"
		   "                           loader/maps/)\n"
		   "  -E, --encoding=ENC       utf8 (default), latin1 or win1252; converted to UTF-8\n"
		   "      --delimiter=NAME     comma, semicolon, tab or pipe instead of detecting\n"
		   "      --decimal-comma      read amounts as 1.234,50\n"
		   "      --date-format=FMT    dates and timestamps in FMT, e.g. DD.MM.YYYY\n"
		   "                           (tokens YYYY YY MM M DD D HH MI SS MON)\n"
		   "  -b, --batch-size=N       rows per transaction (default %d)\n"
		   "      --max-record-bytes=N reject records longer than N bytes (default 16M)\n"
		   "      --no-refresh         members: do not call costmodel.refresh_dim_member()\n"
		   "  -n, --dry-run            read and check only; connect to no database\n"
		   "      --list-columns       print the columns, types and header aliases of\n"
		   "                           --source (or of every source) and exit\n"
		   "\n"
		   "  Headers match columns by name or alias, ignoring case, spaces and\n"
		   "  punctuation (Claim_ID, \"claim id\", ClaimID and \"Claim Number\" are all\n"
		   "  claim_id); other columns are reported and ignored.  A missing required\n"
		   "  column rejects the file.  A value that cannot be read is NULL in a\n"
		   "  nullable column, and rejects the row in a required one.  A key already\n"
		   "  loaded is updated if the row changed and counted as a duplicate if not; a\n"
		   "  key repeated within a file keeps its first row.  Each batch is one\n"
		   "  transaction.  Per file, a report goes to stdout and to costmodel.load_log,\n"
		   "  load_log_column and load_reject:\n"
		   "    read N, loaded N, updated N, duplicates N, rejected N, in S s\n",
		   LOAD_CSV_BATCH_DEFAULT);
}

/* Parse the command's options; returns the index of the first file. */
static int
parse_options(loader *L, int argc, char **argv)
{
	enum
	{
		OPT_DELIM = 300, OPT_DECIMAL_COMMA, OPT_DATE_FORMAT, OPT_MAX_RECORD,
		OPT_NO_REFRESH, OPT_LIST_COLUMNS
	};
	static const struct option longopts[] = {
		LOAD_GLOBAL_LONGOPTS,
		{"source", required_argument, NULL, 's'},
		{"map", required_argument, NULL, 'm'},
		{"encoding", required_argument, NULL, 'E'},
		{"delimiter", required_argument, NULL, OPT_DELIM},
		{"decimal-comma", no_argument, NULL, OPT_DECIMAL_COMMA},
		{"date-format", required_argument, NULL, OPT_DATE_FORMAT},
		{"batch-size", required_argument, NULL, 'b'},
		{"max-record-bytes", required_argument, NULL, OPT_MAX_RECORD},
		{"no-refresh", no_argument, NULL, OPT_NO_REFRESH},
		{"dry-run", no_argument, NULL, 'n'},
		{"list-columns", no_argument, NULL, OPT_LIST_COLUMNS},
		{NULL, 0, NULL, 0}
	};
	int			c;
	int64_t		v;

	L->opt.batch_size = LOAD_CSV_BATCH_DEFAULT;
	L->opt.max_record = (size_t) LOAD_CSV_MAX_RECORD_DEFAULT;
	L->opt.encoding = -1;
	L->opt.decimal_comma = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" LOAD_GLOBAL_SHORTOPTS "s:m:E:b:n", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 's':
				L->opt.source = optarg;
				break;
			case 'm':
				L->opt.map_path = optarg;
				break;
			case 'E':
				if ((L->opt.encoding = cm_csv_encoding_find(optarg)) < 0)
					load_usage_error("invalid --encoding \"%s\": utf8, latin1 or win1252", optarg);
				break;
			case OPT_DELIM:
				if (strcmp(optarg, "comma") == 0 || strcmp(optarg, ",") == 0)
					L->opt.delim = ',';
				else if (strcmp(optarg, "semicolon") == 0 || strcmp(optarg, ";") == 0)
					L->opt.delim = ';';
				else if (strcmp(optarg, "tab") == 0)
					L->opt.delim = '\t';
				else if (strcmp(optarg, "pipe") == 0 || strcmp(optarg, "|") == 0)
					L->opt.delim = '|';
				else
					load_usage_error("invalid --delimiter \"%s\": comma, semicolon, tab or pipe", optarg);
				break;
			case OPT_DECIMAL_COMMA:
				L->opt.decimal_comma = 1;
				break;
			case OPT_DATE_FORMAT:
				{
					const char *why = cm_csv_date_format_check(optarg);

					if (why)
						load_usage_error("invalid --date-format \"%s\": %s", optarg, why);
					L->opt.date_format = optarg;
					break;
				}
			case 'b':
				if (!load_parse_size(optarg, 1, LOAD_CSV_BATCH_MAX, &v))
					load_usage_error("invalid --batch-size \"%s\": must be 1 to %d",
									 optarg, LOAD_CSV_BATCH_MAX);
				L->opt.batch_size = (int) v;
				break;
			case OPT_MAX_RECORD:
				if (!load_parse_size(optarg, 1, LOAD_CSV_MAX_RECORD_MAX, &v))
					load_usage_error("invalid --max-record-bytes \"%s\": must be 1 to 1G", optarg);
				L->opt.max_record = (size_t) v;
				break;
			case OPT_NO_REFRESH:
				L->opt.no_refresh = true;
				break;
			case 'n':
				L->opt.dry_run = true;
				break;
			case OPT_LIST_COLUMNS:
				L->opt.list_columns = true;
				break;
			default:
				if (!load_global_option(L->g, c, optarg, argv, optind))
					load_usage_error("invalid option: %s", argv[optind - 1]);
		}
	}
	return optind;
}

/* The "csv" command; see --help. */
int
load_csv_main(load_global *g, int argc, char **argv)
{
	loader	   *L = load_malloc(sizeof(loader));
	char	  **files;
	int			nfiles;
	int			first;
	int			code;

	memset(L, 0, sizeof(*L));
	L->g = g;
	first = parse_options(L, argc, argv);
	files = argv + first;
	nfiles = argc - first;

	if (L->opt.list_columns)
	{
		for (int i = 0; i < cmc_nsources; i++)
			if (L->opt.source == NULL || strcmp(L->opt.source, cmc_sources[i].name) == 0)
			{
				list_columns(&cmc_sources[i]);
				if (L->opt.source == NULL && i + 1 < cmc_nsources)
					printf("\n");
			}
		free(L);
		return LOAD_EXIT_OK;
	}
	if (L->opt.source == NULL)
		load_usage_error("csv needs --source NAME (one of the source tables; see --list-columns)");
	if ((L->src = cmc_source_find(L->opt.source)) == NULL)
	{
		load_buf	names = {0};

		for (int i = 0; i < cmc_nsources; i++)
		{
			buf_puts(&names, i ? ", " : "");
			buf_puts(&names, cmc_sources[i].name);
		}
		buf_terminate(&names);
		load_usage_error("unknown --source \"%s\": one of %s", L->opt.source, names.data);
	}
	if (nfiles == 0)
		load_usage_error("csv needs at least one FILE (\"-\" for standard input)");
	for (int i = 0; i < nfiles; i++)
		if (strcmp(files[i], "-") != 0 && access(files[i], R_OK) != 0)
			load_die(LOAD_EXIT_ERROR, "cannot read \"%s\": %s", files[i], strerror(errno));
	setup_source(L);
	csv_map_init(&L->map, L->src);
	if (L->opt.map_path)
	{
		char		err[2048];

		if (!csv_map_read(&L->map, L->opt.map_path, L->src, err, sizeof(err)))
			load_die(LOAD_EXIT_USAGE, "%s", err);
		L->have_map = true;
	}
	build_sql(L);
	L->tok = json_tokener_new_ex(JSON_DEPTH);
	if (L->tok == NULL)
		load_oom();
	json_tokener_set_flags(L->tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);

	if (!L->opt.dry_run)
	{
		L->conn = load_connect(g);
		check_extension(L);
		/*
		 * The statements are simple and many: JIT compilation would cost more
		 * than it saves.  The staging table lives in temp buffers; they can
		 * only grow before the session's first temporary table.
		 */
		PQclear(load_exec(L->conn, "SET jit = off", PGRES_COMMAND_OK, "SET jit"));
		PQclear(load_exec(L->conn, "SET temp_buffers = '64MB'", PGRES_COMMAND_OK,
						  "SET temp_buffers"));
	}
	L->cur = &L->batches[0];
	L->progress_tty = isatty(STDERR_FILENO);
	L->progress_on = !g->quiet && (L->progress_tty || g->progress);
	L->t0 = L->last_progress = load_now();
	if (!L->opt.dry_run)
		start_writer(L);
	for (int i = 0; i < nfiles; i++)
		load_file(L, files[i]);
	stop_writer(L);

	if (!g->quiet && (nfiles > 1 || L->files_rejected))
		printf("total: %lld files (%lld rejected), read %lld, loaded %lld, updated %lld, duplicates %lld, rejected %lld, in %.2f s\n",
			   (long long) L->files, (long long) L->files_rejected, (long long) L->read,
			   (long long) L->loaded, (long long) L->updated, (long long) L->dups,
			   (long long) L->rejected, load_now() - L->t0);
	if (fflush(stdout) != 0)
		load_die(LOAD_EXIT_ERROR, "cannot write the report: %s", strerror(errno));

	code = (L->rejected > 0 || L->files_rejected > 0) ? LOAD_EXIT_REJECTS : LOAD_EXIT_OK;
	if (L->conn)
		PQfinish(L->conn);
	json_tokener_free(L->tok);
	csv_map_free(&L->map);
	batch_free(&L->batches[0]);
	batch_free(&L->batches[1]);
	load_buf_free(&L->scratch);
	free(L->copy_target);
	free(L->copy_stage);
	free(L->upsert_sql);
	free(L->exists_sql);
	free(L->fk_sql);
	free(L->truncate_sql);
	free(L->same_sql);
	free(L);
	return code;
}
