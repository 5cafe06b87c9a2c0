/*
 * load_traces.c
 *    The "traces" command: NDJSON trace documents into the costmodel tables.
 *
 * Parsing.  Each line is read by the fast JSON reader (json_tape.c), which
 * validates and lays the document out in one pass; a line it does not take
 * (bad JSON, invalid UTF-8, deep nesting) goes the slow way - PostgreSQL's
 * JSON lexer, then json-c - which loads it or names the exact reject
 * reason.  cm_trace_normalize() turns the document into rows, appended in
 * COPY binary (or text) format to one buffer per table.  A batch remembers
 * where each document's rows lie in every buffer, so that a duplicate can be
 * cut out after the fact: a trace_id seen earlier in the batch or the batch
 * before at once (hash sets), one already in the database when the batch's
 * COPY hits the primary key - then one query finds them all, they are cut
 * out and the batch is written again (docs/loader.md).
 *
 * Writing.  Each batch is one transaction: COPY into the five tables, the
 * rejects into costmodel.trace_reject, the batch's counts into its
 * costmodel.load_log row, and the ledger's committed offset of its range
 * moved from where the batch starts to where it ends (load_ledger.c).  A
 * crash at any point leaves either the whole batch with its ledger update
 * or neither, and a re-run continues after the last committed batch.  A
 * lost connection is retried with backoff; afterwards the ledger says
 * whether the batch in flight was committed, and it is redone only if not.
 * A unique violation or deadlock (a concurrent loader committed the same
 * traces) rolls the batch back and redoes it after checking again.
 *
 * Threads.  With --jobs N there are N workers, each with its own
 * connection: a parser thread and a writer thread that take turns on two
 * batches, so parsing overlaps the server's work.  Workers take the
 * source's byte ranges (split at line starts by the first pass) one at a
 * time.  The main thread keeps the control connection, which holds the
 * source's advisory lock, and shows progress.  Memory is bounded by two
 * batches per worker: no trace_id outlives its batch.
 */
#include "load_traces.h"
#include "load_binary.h"
#include "load_copy.h"
#include "load_input.h"
#include "load_ledger.h"
#include "json_tape.h"
#include "jsonc_access.h"
#include "pg_json_check.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cm_trace.h"

/* A batch is also written once its COPY data reaches this size. */
#define BATCH_MAX_BYTES		(16 * 1024 * 1024)
#define JSON_DEPTH			64
#define PROGRESS_TTY_SECS	0.5
#define PROGRESS_LOG_SECS	10.0
#define CTRL_CHECK_SECS		1.0
/* Redo a batch at most this often after unique violations or deadlocks. */
#define MAX_CONFLICT_REDOS	10
/* After a batch met traces already in the database, check this many first. */
#define PRECHECK_BATCHES	8

/* COPY order: the trace first, in case the schema adds foreign keys to it. */
static const cm_table copy_order[CMT_NTABLES] = {
	CMT_TRACE, CMT_REQUEST, CMT_RESPONSE, CMT_EXCEPTION, CMT_PROBLEM
};

static const char *const reject_insert_sql =
"INSERT INTO costmodel.trace_reject (source, line_no, byte_offset, reason, path, raw)"
" SELECT * FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]),"
" pg_catalog.unnest($2::pg_catalog.int8[]), pg_catalog.unnest($3::pg_catalog.int8[]),"
" pg_catalog.unnest($4::pg_catalog.text[]), pg_catalog.unnest($5::pg_catalog.text[]),"
" pg_catalog.unnest($6::pg_catalog.text[]))"
" ON CONFLICT (source, line_no, byte_offset) DO NOTHING";

/*
 * One index probe per trace_id: a LATERAL subquery with LIMIT cannot be
 * flattened, so the planner cannot pick a sequential scan of the growing
 * table with a hashed "= ANY" (it did, before autovacuum's ANALYZE caught
 * up, making each batch's check cost the whole table).
 */
static const char *const dup_check_sql =
"SELECT k.id FROM pg_catalog.unnest($1::pg_catalog.text[]) AS k(id),"
" LATERAL (SELECT FROM costmodel.fact_trace f"
" WHERE f.trace_id OPERATOR(pg_catalog.=) k.id LIMIT 1) AS hit";

static const char *const log_batch_sql =
"UPDATE costmodel.load_log SET rows_read = rows_read OPERATOR(pg_catalog.+) $2,"
" rows_loaded = rows_loaded OPERATOR(pg_catalog.+) $3,"
" rows_duplicate = rows_duplicate OPERATOR(pg_catalog.+) $4,"
" rows_rejected = rows_rejected OPERATOR(pg_catalog.+) $5,"
" duplicate_keys_in_file = duplicate_keys_in_file OPERATOR(pg_catalog.+) $6"
" WHERE load_id OPERATOR(pg_catalog.=) $1";

/* Why a run stops early. */
enum
{
	STOP_NONE = 0,
	STOP_REJECTS,				/* --max-rejects exceeded */
	STOP_TAKEN					/* another loader took the source over */
};

/* Options of the command. */
typedef struct trace_opts
{
	int			batch_size;
	size_t		max_line;
	const char *reject_file;
	const char *source;			/* overrides the name recorded with rejects */
	bool		dry_run;
	int			jobs;
	const char *import_id;
	int64_t		max_rejects;	/* -1: no limit */
	double		max_rejects_pct;	/* < 0: no limit */
	double		retry_seconds;
	bool		text_copy;		/* --copy-format=text */
	bool		json_c;			/* --parser=json-c */
} trace_opts;

/* Where one document's rows sit in the batch's table buffers. */
typedef struct doc_rec
{
	size_t		start[CMT_NTABLES];
	size_t		end[CMT_NTABLES];
	int32_t		rows[CMT_NTABLES];
	size_t		key_off;		/* trace_id in batch.keys */
	size_t		key_len;
	bool		dup;			/* already in the database */
} doc_rec;

/* One rejected line; the texts are in batch.rejtext, repaired to UTF-8. */
typedef struct reject_rec
{
	int64_t		line_no;
	int64_t		byte_offset;
	size_t		source_off,
				source_len;
	size_t		reason_off,
				reason_len;
	size_t		path_off,
				path_len;
	bool		has_path;
	size_t		raw_off,
				raw_len;
} reject_rec;

/* The documents and rejects of a run of lines, not yet written. */
typedef struct batch
{
	load_buf	table[CMT_NTABLES];
	int32_t		rows[CMT_NTABLES];	/* rows of the kept documents */
	doc_rec    *docs;
	int			ndocs;
	int			docs_cap;
	load_buf	keys;
	int32_t    *hash;			/* doc index + 1, 0 for empty */
	uint32_t	hash_mask;
	reject_rec *rejects;
	int			nrejects;
	int			rejects_cap;
	load_buf	rejtext;
	int			lines;			/* lines read into this batch */
	int64_t		dups;			/* duplicates found so far */
	int64_t		batch_dups;		/* of those, found in the input (this or the last batch) */
	/* the input the batch covers: [start, end) and the lines before each */
	ledger_range *range;
	int64_t		start,
				end;
	int64_t		start_lines,
				end_lines;
} batch;

/* How often one reason was given, for the dry run's report. */
typedef struct reason_count
{
	char		reason[96];
	int64_t		n;
} reason_count;

#define MAX_REASONS		32

/*
 * The trace_ids of the batch handed to the writer last.  A repeated line
 * (a client's retry) usually follows the first within a few hundred lines,
 * often just across a batch boundary; this set catches it without asking
 * the server, so that most batches need no duplicate check at all.
 */
typedef struct key_set
{
	load_buf	keys;
	size_t	   *off;
	uint32_t   *len;
	int			n;
	int			cap;
	int32_t    *hash;			/* index + 1, 0 for empty */
	uint32_t	hash_mask;
} key_set;

/* Counts for the summary. */
typedef struct totals
{
	int64_t		read;
	int64_t		loaded;
	int64_t		dups;
	int64_t		rejected;
	int64_t		rows[CMT_NTABLES];
	int64_t		rejects_stored;
	int64_t		bytes;
	int64_t		batches;
	double		parser_waited;	/* seconds the parser waited for the writer */
	double		writer_waited;	/* seconds the writer waited for a batch */
} totals;

struct loader;

/* One worker: a parser thread, a writer thread and a connection. */
typedef struct worker
{
	struct loader *L;
	int			id;
	PGconn	   *conn;
	/* parsing */
	jt_reader	jt;
	cmj_ops		tape_ops;
	jca_arena	arena;
	cmj_ops		jsonc_ops;
	json_tokener *tok;
	cm_sink		sink;
	batch		batches[2];
	batch	   *cur;			/* the batch being filled */
	key_set		prev;			/* trace_ids of the last batch handed over */
	int			precheck;		/* batches to check for loaded traces first */
	int			conflicts;		/* redos of the batch being written */
	int32_t		cur_rows[CMT_NTABLES];
	bool		cur_has_key;
	size_t		cur_key_off;
	size_t		cur_key_len;
	/* the writer thread: takes one full batch at a time */
	pthread_t	parser;
	pthread_t	writer;
	bool		writer_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	batch	   *job;			/* handed over, not yet taken */
	bool		busy;			/* a batch is handed over or being written */
	bool		stop;
	/* batches committed (or, in a dry run, counted) by this worker */
	totals		t;
	/* dry run: rejects by reason (the rest in the last entry) */
	reason_count reasons[MAX_REASONS];
	int			nreasons;
} worker;

/* The whole state of one run. */
typedef struct loader
{
	trace_opts	opt;
	load_global *g;
	char	   *copy_cmd[CMT_NTABLES];
	bool		binary;
	FILE	   *rejf;
	pthread_mutex_t rej_mu;
	PGconn	   *ctrl;			/* the control connection: lock, ledger */
	worker	   *workers;
	int			nworkers;
	bool		log_table;		/* costmodel.load_log exists */
	/* the source being loaded */
	const char *path;
	const char *source;			/* recorded with rejects */
	bool		is_stdin;
	ledger		lg;
	int64_t		load_id;		/* its costmodel.load_log row, or 0 */
	char		load_id_text[24];
	int			next_range;
	pthread_mutex_t range_mu;
	load_sha256 stdin_sha;		/* standard input is hashed as it is read */
	int64_t		stdin_bytes;	/* -1 until it was read to the end */
	/* stopping early */
	int			stop;			/* STOP_ (atomic) */
	char		stop_msg[256];
	pthread_mutex_t stop_mu;
	/* the lines and rejects counted against --max-rejects (atomic) */
	int64_t		lim_read;
	int64_t		lim_rejected;
	/* workers still running, and a condition the main thread waits on */
	int			running;
	pthread_mutex_t done_mu;
	pthread_cond_t done_cv;
	/* progress (atomic counters) */
	int64_t		p_bytes;		/* input bytes parsed */
	int64_t		p_rows;			/* rows produced */
	int64_t		p_lines;
	int64_t		p_base;			/* bytes committed before this run */
	int64_t		p_total;		/* input bytes, -1 unknown */
	double		p_t0;
	double		last_progress;
	bool		progress_tty;
	bool		progress_on;
	bool		progress_shown;
	/* the run */
	totals		t;
	double		t0;
	int			sources_done;
	int			sources_skipped;
	double		first_pass_secs;
	int64_t		first_pass_bytes;
	/* COSTMODEL_LOAD_TEST_DELAY_MS: pause after each commit (fault tests) */
	long		test_delay_ms;
} loader;

/* ---------------------------------------------------------------- small helpers */

/* Atomic add; returns the new value. */
static inline int64_t
add64(int64_t *p, int64_t v)
{
	return __atomic_add_fetch(p, v, __ATOMIC_RELAXED);
}

/* Atomic load. */
static inline int64_t
get64(const int64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* Has the run been told to stop? */
static inline int
stopped(loader *L)
{
	return __atomic_load_n(&L->stop, __ATOMIC_ACQUIRE);
}

/* Stop the run for reason why (the first reason wins). */
static void
stop_run(loader *L, int why, const char *msg)
{
	pthread_mutex_lock(&L->stop_mu);
	if (L->stop == STOP_NONE)
	{
		snprintf(L->stop_msg, sizeof(L->stop_msg), "%s", msg);
		__atomic_store_n(&L->stop, why, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&L->stop_mu);
}

/* Write v in decimal into buf; returns buf. */
static const char *
i64(char *buf, int64_t v)
{
	snprintf(buf, 24, "%lld", (long long) v);
	return buf;
}

/* Human-readable byte count. */
static void
format_bytes(double n, char *buf, size_t size)
{
	if (n >= 1e9)
		snprintf(buf, size, "%.2f GB", n / 1e9);
	else if (n >= 1e6)
		snprintf(buf, size, "%.1f MB", n / 1e6);
	else
		snprintf(buf, size, "%.0f kB", n / 1e3);
}

/* ---------------------------------------------------------------- batch */

/* Set up an empty batch for up to batch_size documents. */
static void
batch_init(batch *b, int batch_size)
{
	uint32_t	size = 16;

	memset(b, 0, sizeof(*b));
	while (size < 2 * (uint32_t) batch_size)
		size *= 2;
	b->hash = load_malloc(size * sizeof(int32_t));
	memset(b->hash, 0, size * sizeof(int32_t));
	b->hash_mask = size - 1;
}

/* Forget the batch's contents, keeping its memory. */
static void
batch_reset(batch *b)
{
	for (int t = 0; t < CMT_NTABLES; t++)
	{
		b->table[t].len = 0;
		b->rows[t] = 0;
	}
	b->ndocs = 0;
	b->keys.len = 0;
	memset(b->hash, 0, (b->hash_mask + 1) * sizeof(int32_t));
	b->nrejects = 0;
	b->rejtext.len = 0;
	b->lines = 0;
	b->dups = 0;
	b->batch_dups = 0;
}

/* Free the batch's memory. */
static void
batch_free(batch *b)
{
	for (int t = 0; t < CMT_NTABLES; t++)
		load_buf_free(&b->table[t]);
	load_buf_free(&b->keys);
	load_buf_free(&b->rejtext);
	free(b->docs);
	free(b->rejects);
	free(b->hash);
}

/* Bytes of COPY data held by the batch. */
static size_t
batch_bytes(const batch *b)
{
	size_t		n = b->rejtext.len;

	for (int t = 0; t < CMT_NTABLES; t++)
		n += b->table[t].len;
	return n;
}

/* Documents of the batch that are not duplicates. */
static int
batch_kept(const batch *b)
{
	int			kept = 0;

	for (int i = 0; i < b->ndocs; i++)
		kept += !b->docs[i].dup;
	return kept;
}

/* Rows of all tables in the batch. */
static int64_t
batch_rows(const batch *b)
{
	int64_t		n = 0;

	for (int t = 0; t < CMT_NTABLES; t++)
		n += b->rows[t];
	return n;
}

/* FNV-1a hash of a trace_id. */
static uint32_t
hash_key(const char *s, size_t len)
{
	uint64_t	h = UINT64_C(14695981039346656037);

	for (size_t i = 0; i < len; i++)
	{
		h ^= (unsigned char) s[i];
		h *= UINT64_C(1099511628211);
	}
	return (uint32_t) (h ^ (h >> 32));
}

/*
 * Find trace_id s in the batch's hash set.  Returns the slot: a document
 * index + 1 if found, or 0 with *slot at the empty place for inserting.
 */
static int32_t
hash_find(const batch *b, const char *s, size_t len, uint32_t *slot)
{
	uint32_t	i = hash_key(s, len) & b->hash_mask;

	for (;; i = (i + 1) & b->hash_mask)
	{
		int32_t		d = b->hash[i];

		if (d == 0)
		{
			*slot = i;
			return 0;
		}
		if (b->docs[d - 1].key_len == len &&
			memcmp(b->keys.data + b->docs[d - 1].key_off, s, len) == 0)
		{
			*slot = i;
			return d;
		}
	}
}

/* Is trace_id s in the key set? */
static bool
key_set_has(const key_set *k, const char *s, size_t len)
{
	if (k->n == 0)
		return false;
	for (uint32_t i = hash_key(s, len) & k->hash_mask;; i = (i + 1) & k->hash_mask)
	{
		int32_t		d = k->hash[i];

		if (d == 0)
			return false;
		if (k->len[d - 1] == len && memcmp(k->keys.data + k->off[d - 1], s, len) == 0)
			return true;
	}
}

/* Make k the set of batch b's trace_ids. */
static void
key_set_fill(key_set *k, const batch *b)
{
	uint32_t	size = 16;

	k->keys.len = 0;
	load_buf_append(&k->keys, b->keys.data, b->keys.len);
	if (b->ndocs > k->cap)
	{
		k->cap = b->ndocs;
		k->off = load_realloc(k->off, (size_t) k->cap * sizeof(size_t));
		k->len = load_realloc(k->len, (size_t) k->cap * sizeof(uint32_t));
	}
	while (size < 2 * (uint32_t) b->ndocs)
		size *= 2;
	if (size - 1 != k->hash_mask || k->hash == NULL)
	{
		free(k->hash);
		k->hash = load_malloc(size * sizeof(int32_t));
		k->hash_mask = size - 1;
	}
	memset(k->hash, 0, size * sizeof(int32_t));
	k->n = b->ndocs;
	for (int i = 0; i < b->ndocs; i++)
	{
		uint32_t	h = hash_key(b->keys.data + b->docs[i].key_off, b->docs[i].key_len) & k->hash_mask;

		k->off[i] = b->docs[i].key_off;
		k->len[i] = (uint32_t) b->docs[i].key_len;
		while (k->hash[h] != 0)
			h = (h + 1) & k->hash_mask;
		k->hash[h] = i + 1;
	}
}

/* Free the key set. */
static void
key_set_free(key_set *k)
{
	load_buf_free(&k->keys);
	free(k->off);
	free(k->len);
	free(k->hash);
}

/* cm_sink.row: append one row; keep the trace's trace_id. */
static void
sink_row(cm_sink *sink, cm_table t, const cm_cell *cells)
{
	worker	   *w = sink->arg;

	if (w->L->binary)
		load_binary_row(&w->cur->table[t], &cm_tables[t], cells);
	else
		load_copy_row(&w->cur->table[t], &cm_tables[t], cells);
	w->cur_rows[t]++;
	if (t == CMT_TRACE)
	{
		/* column 0 of every table is the (trimmed) trace_id */
		w->cur_key_off = w->cur->keys.len;
		w->cur_key_len = (size_t) cells[0].len;
		load_buf_append(&w->cur->keys, cells[0].s, (size_t) cells[0].len);
		w->cur_has_key = true;
	}
}

/*
 * Keep the document just normalised, whose rows end the table buffers and
 * started at start[]; drop it if its trace_id is already in the batch or
 * was in the batch before.
 */
static void
add_doc(worker *w, const size_t *start)
{
	batch	   *b = w->cur;
	uint32_t	slot;
	doc_rec    *d;

	if (!w->cur_has_key)
		load_die(LOAD_EXIT_ERROR, "internal error: a loaded trace has no trace row");
	if (hash_find(b, b->keys.data + w->cur_key_off, w->cur_key_len, &slot) != 0 ||
		key_set_has(&w->prev, b->keys.data + w->cur_key_off, w->cur_key_len))
	{
		/* first one wins: cut this document's rows off again */
		for (int t = 0; t < CMT_NTABLES; t++)
			b->table[t].len = start[t];
		b->keys.len = w->cur_key_off;
		b->dups++;
		b->batch_dups++;
		return;
	}
	if (b->ndocs == b->docs_cap)
	{
		b->docs_cap = b->docs_cap ? 2 * b->docs_cap : 1024;
		b->docs = load_realloc(b->docs, (size_t) b->docs_cap * sizeof(doc_rec));
	}
	d = &b->docs[b->ndocs++];
	for (int t = 0; t < CMT_NTABLES; t++)
	{
		d->start[t] = start[t];
		d->end[t] = b->table[t].len;
		d->rows[t] = w->cur_rows[t];
		b->rows[t] += w->cur_rows[t];
	}
	d->key_off = w->cur_key_off;
	d->key_len = w->cur_key_len;
	d->dup = false;
	b->hash[slot] = b->ndocs;
}

/* ---------------------------------------------------------------- rejects */

/* Write s as a JSON string; each invalid UTF-8 byte becomes U+FFFD. */
static void
json_string(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len;)
	{
		unsigned char c = (unsigned char) s[i];
		size_t		n;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c), i++;
		else if (c == '\n')
			fputs("\\n", f), i++;
		else if (c == '\t')
			fputs("\\t", f), i++;
		else if (c == '\r')
			fputs("\\r", f), i++;
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c), i++;
		else if ((n = load_utf8_char(s + i, len - i)) == 0)
			fputs("\\ufffd", f), i++;
		else
			fwrite(s + i, 1, n, f), i += n;
	}
	fputc('"', f);
}

/* Append one reject to the --reject-file. */
static void
write_reject_file(loader *L, const load_line *ln, int64_t offset,
				  const char *reason, const char *path)
{
	FILE	   *f = L->rejf;

	pthread_mutex_lock(&L->rej_mu);
	fputs("{\"source\":", f);
	json_string(f, L->source, strlen(L->source));
	fprintf(f, ",\"line\":%lld,\"byte_offset\":%lld,\"reason\":",
			(long long) ln->line_no, (long long) offset);
	json_string(f, reason, strlen(reason));
	fputs(",\"path\":", f);
	if (path)
		json_string(f, path, strlen(path));
	else
		fputs("null", f);
	fputs(",\"raw\":", f);
	json_string(f, ln->data, ln->len);
	fputs("}\n", f);
	if (ferror(f))
		load_die(LOAD_EXIT_ERROR, "cannot write reject file \"%s\": %s",
				 L->opt.reject_file, strerror(errno));
	pthread_mutex_unlock(&L->rej_mu);
}

/* Count one reject with reason in the worker's table of reasons. */
static void
tally(worker *w, const char *reason)
{
	int			i;

	for (i = 0; i < w->nreasons; i++)
		if (strncmp(w->reasons[i].reason, reason, sizeof(w->reasons[i].reason) - 1) == 0)
			break;
	if (i == w->nreasons)
	{
		if (w->nreasons == MAX_REASONS)
		{
			i = MAX_REASONS - 1;
			snprintf(w->reasons[i].reason, sizeof(w->reasons[i].reason), "other reasons");
		}
		else
			snprintf(w->reasons[w->nreasons++].reason, sizeof(w->reasons[i].reason), "%s", reason);
	}
	w->reasons[i].n++;
}

/* Record line ln as rejected: in the batch, and in the reject file if any. */
static void
reject_line(worker *w, const load_line *ln, int64_t offset, const char *reason,
			const char *path)
{
	loader	   *L = w->L;
	batch	   *b = w->cur;
	reject_rec *r;

	if (L->rejf)
		write_reject_file(L, ln, offset, reason, path);
	if (L->opt.dry_run)
		tally(w, reason);
	if (b->nrejects == b->rejects_cap)
	{
		b->rejects_cap = b->rejects_cap ? 2 * b->rejects_cap : 256;
		b->rejects = load_realloc(b->rejects, (size_t) b->rejects_cap * sizeof(reject_rec));
	}
	r = &b->rejects[b->nrejects++];
	r->line_no = ln->line_no;
	r->byte_offset = offset;
	r->source_off = b->rejtext.len;
	r->source_len = load_utf8_repair(&b->rejtext, L->source, strlen(L->source), 1024);
	r->reason_off = b->rejtext.len;
	r->reason_len = load_utf8_repair(&b->rejtext, reason, strlen(reason), 1024);
	r->has_path = path != NULL;
	r->path_off = b->rejtext.len;
	r->path_len = path ? load_utf8_repair(&b->rejtext, path, strlen(path), 1024) : 0;
	r->raw_off = b->rejtext.len;
	r->raw_len = load_utf8_repair(&b->rejtext, ln->data, ln->len, LOAD_TRACES_RAW_MAX);
}

/* ---------------------------------------------------------------- the server */

/*
 * How an attempt to write a batch ended: committed; the connection was lost
 * (committed or not: the ledger tells); a concurrent loader's conflict (redo
 * after checking again); or the ledger did not match (another run).
 */
typedef enum attempt
{
	ATTEMPT_OK,
	ATTEMPT_LOST,
	ATTEMPT_CONFLICT,
	ATTEMPT_STALE
} attempt;

/* Is res a unique violation or a deadlock, both caused by a concurrent loader? */
static bool
is_concurrent_conflict(const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	return state && (strcmp(state, "23505") == 0 || strcmp(state, "40P01") == 0);
}

/*
 * Classify the failed result res of step what: lost, or a conflict (rolled
 * back), or else a real error, which ends the program.  Clears res.
 */
static attempt
failed(worker *w, PGresult *res, const char *what)
{
	if (load_conn_lost(w->conn, res))
	{
		PQclear(res);
		return ATTEMPT_LOST;
	}
	if (is_concurrent_conflict(res) && w->conflicts < MAX_CONFLICT_REDOS)
	{
		PGresult   *rb;

		PQclear(res);
		rb = PQexec(w->conn, "ROLLBACK");
		if (PQresultStatus(rb) != PGRES_COMMAND_OK)
		{
			PQclear(rb);
			return ATTEMPT_LOST;
		}
		PQclear(rb);
		return ATTEMPT_CONFLICT;
	}
	load_die_server(w->conn, res, what);
}

/* Run a parameterless command; ATTEMPT_OK or how it failed. */
static attempt
command(worker *w, const char *sql)
{
	PGresult   *res = PQexec(w->conn, sql);

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return failed(w, res, sql);
	PQclear(res);
	return ATTEMPT_OK;
}

/*
 * Ask the server which of the batch's trace_ids it already has; mark those
 * documents as duplicates and cut their rows out.
 */
static attempt
check_db_dups(worker *w, batch *b)
{
	load_buf	arr = {0};
	const char *params[1];
	PGresult   *res;
	int			marked = 0;

	load_array_begin(&arr);
	for (int i = 0; i < b->ndocs; i++)
		if (!b->docs[i].dup)
			load_array_text(&arr, b->keys.data + b->docs[i].key_off, b->docs[i].key_len);
	load_array_end(&arr);
	params[0] = arr.data;
	res = PQexecParams(w->conn, dup_check_sql, 1, NULL, params, NULL, NULL, 0);
	load_buf_free(&arr);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return failed(w, res, "checking for loaded traces");
	for (int r = 0; r < PQntuples(res); r++)
	{
		uint32_t	slot;
		int32_t		d = hash_find(b, PQgetvalue(res, r, 0),
								  (size_t) PQgetlength(res, r, 0), &slot);

		if (d != 0 && !b->docs[d - 1].dup)
		{
			b->docs[d - 1].dup = true;
			marked++;
		}
	}
	PQclear(res);
	if (marked == 0)
		return ATTEMPT_OK;
	b->dups += marked;

	/* move the kept rows down in order and recount the rows per table */
	for (int t = 0; t < CMT_NTABLES; t++)
	{
		size_t		wpos = 0;

		b->rows[t] = 0;
		for (int i = 0; i < b->ndocs; i++)
		{
			doc_rec    *d = &b->docs[i];
			size_t		n = d->end[t] - d->start[t];

			if (d->dup)
			{
				d->start[t] = d->end[t] = wpos;
				continue;
			}
			if (d->start[t] != wpos)
				memmove(b->table[t].data + wpos, b->table[t].data + d->start[t], n);
			d->start[t] = wpos;
			d->end[t] = wpos + n;
			wpos += n;
			b->rows[t] += d->rows[t];
		}
		b->table[t].len = wpos;
	}
	return ATTEMPT_OK;
}

/* Insert the batch's rejects into costmodel.trace_reject (one statement). */
static attempt
insert_rejects(worker *w, batch *b, int64_t *stored)
{
	load_buf	arr[6] = {{0}};
	const char *params[6];
	PGresult   *res;

	for (int i = 0; i < 6; i++)
		load_array_begin(&arr[i]);
	for (int i = 0; i < b->nrejects; i++)
	{
		const reject_rec *r = &b->rejects[i];
		const char *t = b->rejtext.data;

		load_array_text(&arr[0], t + r->source_off, r->source_len);
		load_array_int(&arr[1], r->line_no);
		load_array_int(&arr[2], r->byte_offset);
		load_array_text(&arr[3], t + r->reason_off, r->reason_len);
		if (r->has_path)
			load_array_text(&arr[4], t + r->path_off, r->path_len);
		else
			load_array_null(&arr[4]);
		load_array_text(&arr[5], t + r->raw_off, r->raw_len);
	}
	for (int i = 0; i < 6; i++)
	{
		load_array_end(&arr[i]);
		params[i] = arr[i].data;
	}
	res = PQexecParams(w->conn, reject_insert_sql, 6, NULL, params, NULL, NULL, 0);
	for (int i = 0; i < 6; i++)
		load_buf_free(&arr[i]);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return failed(w, res, "INSERT INTO costmodel.trace_reject");
	*stored = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return ATTEMPT_OK;
}

/*
 * Move the range's committed offset from the batch's start to its end and
 * add its counts, in the batch's transaction; ATTEMPT_STALE when the ledger
 * does not stand at the batch's start or names another owner.
 */
static attempt
ledger_step(worker *w, batch *b, int kept)
{
	loader	   *L = w->L;
	char		v[10][24];
	const char *p[11];
	PGresult   *res;

	p[0] = L->lg.import_id;
	p[1] = i64(v[0], b->range->no);
	p[2] = i64(v[1], b->start);
	p[3] = i64(v[2], b->end);
	p[4] = i64(v[3], b->end_lines);
	p[5] = i64(v[4], b->lines);
	p[6] = i64(v[5], kept);
	p[7] = i64(v[6], b->dups);
	p[8] = i64(v[7], b->nrejects);
	p[9] = i64(v[8], batch_rows(b));
	p[10] = L->lg.token;
	res = PQexecParams(w->conn, ledger_batch_sql, 11, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return failed(w, res, "updating costmodel.load_ledger_range");
	if (strcmp(PQcmdTuples(res), "1") != 0)
	{
		PQclear(res);
		res = PQexec(w->conn, "ROLLBACK");
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			return failed(w, res, "ROLLBACK");
		PQclear(res);
		return ATTEMPT_STALE;
	}
	PQclear(res);
	if (L->load_id > 0)
	{
		p[0] = L->load_id_text;
		p[1] = i64(v[0], b->lines);
		p[2] = i64(v[1], kept);
		p[3] = i64(v[2], b->dups);
		p[4] = i64(v[3], b->nrejects);
		p[5] = i64(v[4], b->batch_dups);
		res = PQexecParams(w->conn, log_batch_sql, 6, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			return failed(w, res, "updating costmodel.load_log");
		PQclear(res);
	}
	return ATTEMPT_OK;
}

/*
 * One attempt at writing the batch in one transaction: check for traces
 * already loaded (if check), COPY the five tables, insert the rejects, move
 * the ledger, commit.  *stored gets the rejects stored.
 */
static attempt
try_batch(worker *w, batch *b, bool check, int64_t *stored)
{
	loader	   *L = w->L;
	attempt		a;
	int			kept;

	*stored = 0;
	if (check && b->ndocs > 0 && (a = check_db_dups(w, b)) != ATTEMPT_OK)
		return a;
	kept = batch_kept(b);
	if ((a = command(w, "BEGIN")) != ATTEMPT_OK)
		return a;
	for (int k = 0; k < CMT_NTABLES; k++)
	{
		cm_table	t = copy_order[k];
		PGresult   *res;
		char		what[64];

		if (b->table[t].len == 0)
			continue;
		snprintf(what, sizeof(what), "COPY costmodel.%s", cm_tables[t].name);
		res = load_copy_send(w->conn, L->copy_cmd[t], L->binary,
							 b->table[t].data, b->table[t].len);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			return failed(w, res, what);
		if (strtoll(PQcmdTuples(res), NULL, 10) != b->rows[t])
			load_die(LOAD_EXIT_ERROR, "%s copied %s rows, expected %d",
					 what, PQcmdTuples(res), b->rows[t]);
		PQclear(res);
	}
	if (b->nrejects > 0 && (a = insert_rejects(w, b, stored)) != ATTEMPT_OK)
		return a;
	if ((a = ledger_step(w, b, kept)) != ATTEMPT_OK)
		return a;
	return command(w, "COMMIT");
}

/* Add a committed (or, dry run, counted) batch to the worker's totals. */
static void
account(worker *w, batch *b, int64_t stored)
{
	w->t.read += b->lines;
	w->t.loaded += batch_kept(b);
	w->t.dups += b->dups;
	w->t.rejected += b->nrejects;
	w->t.rejects_stored += stored;
	w->t.bytes += b->end - b->start;
	w->t.batches++;
	for (int t = 0; t < CMT_NTABLES; t++)
		w->t.rows[t] += b->rows[t];
}

/*
 * After a lost connection: connect again, waiting 0.2, 0.5, 1, 2, then 5 s
 * between tries, for at most --retry-seconds since since.  False if that
 * time ran out or the run stops.
 */
static bool
reconnect(worker *w, double since)
{
	static const double delays[] = {0.2, 0.5, 1, 2, 5};
	loader	   *L = w->L;
	char		err[512] = "";

	if (w->conn)
		PQfinish(w->conn);
	w->conn = NULL;
	for (int i = 0;; i++)
	{
		double		d = delays[i < 4 ? i : 4];
		struct timespec ts;

		if (stopped(L))
			return false;
		if (load_now() + d - since > L->opt.retry_seconds)
		{
			if (err[0] && !L->g->quiet)
				load_error("worker %d: %s", w->id + 1, err);
			return false;
		}
		ts.tv_sec = (time_t) d;
		ts.tv_nsec = (long) ((d - (double) ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
		w->conn = load_connect_quiet(L->g, err, sizeof(err));
		if (w->conn)
			return true;
	}
}

/* Where the ledger says the batch's range stands, after a lost connection. */
typedef enum range_check
{
	RANGE_COMMITTED,			/* the batch was committed */
	RANGE_REDO,					/* it was not: write it again */
	RANGE_TAKEN,				/* another run owns the source now */
	RANGE_LOST					/* the connection broke again */
} range_check;

/* Read the range's committed offset and owner on a fresh connection. */
static range_check
check_range(worker *w, batch *b)
{
	loader	   *L = w->L;
	char		v[24];
	const char *p[3] = {L->lg.import_id, i64(v, b->range->no), L->lg.token};
	PGresult   *res = PQexecParams(w->conn, ledger_range_sql, 3, NULL, p, NULL, NULL, 0);
	int64_t		at;
	bool		ours;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		if (load_conn_lost(w->conn, res))
		{
			PQclear(res);
			return RANGE_LOST;
		}
		load_die_server(w->conn, res, "reading costmodel.load_ledger_range");
	}
	if (PQntuples(res) != 1)
		load_die(LOAD_EXIT_ERROR, "range %d of import %s is missing from the ledger",
				 b->range->no, L->lg.import_id);
	at = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	ours = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	PQclear(res);
	if (!ours)
		return RANGE_TAKEN;
	if (at == b->end)
		return RANGE_COMMITTED;
	if (at == b->start)
		return RANGE_REDO;
	load_die(LOAD_EXIT_ERROR,
			 "range %d of import %s is committed to byte %lld, but this batch covers bytes %lld to %lld",
			 b->range->no, L->lg.import_id, (long long) at, (long long) b->start,
			 (long long) b->end);
}

/* Exit 2: the connection could not be restored; say how to resume. */
LOAD_NORETURN static void
give_up(worker *w)
{
	loader	   *L = w->L;

	load_error("the connection to the server was lost and not restored within %.0f s",
			   L->opt.retry_seconds);
	fprintf(stderr, "%s: batches committed so far stay committed (import %s);\n"
			"%s: run the same command again to resume after the last committed batch%s.\n",
			LOAD_PROGNAME, L->lg.import_id, LOAD_PROGNAME,
			L->is_stdin && !L->lg.named ? " (standard input: give --import-id to resume; a plain re-run skips what is loaded as duplicates)" : "");
	load_exit(LOAD_EXIT_CONNECT);
}

/*
 * Write the batch: attempts until one commits, redoing it after conflicts,
 * reconnecting after a lost connection, and never committing it twice.
 */
static void
write_batch(worker *w, batch *b)
{
	loader	   *L = w->L;
	double		lost_since = 0;
	int64_t		stored;
	int64_t		dups0 = b->dups;
	bool		check = w->precheck > 0;

	w->conflicts = 0;
	for (;;)
	{
		attempt		a = try_batch(w, b, check, &stored);
		range_check rc;

		if (a == ATTEMPT_OK)
			break;
		if (a == ATTEMPT_CONFLICT)
		{
			/* traces already loaded, or just committed by another loader */
			w->conflicts++;
			check = true;
			w->precheck = PRECHECK_BATCHES;
			continue;
		}
		if (a == ATTEMPT_STALE)
		{
			stop_run(L, STOP_TAKEN, "another loader took this source over");
			return;
		}
		/* lost: reconnect, then ask the ledger whether the batch made it */
		if (lost_since == 0)
		{
			lost_since = load_now();
			if (!L->g->quiet)
				load_error("worker %d: connection lost; reconnecting (for up to %.0f s)",
						   w->id + 1, L->opt.retry_seconds);
		}
		do
		{
			if (!reconnect(w, lost_since))
			{
				if (stopped(L))
					return;
				give_up(w);
			}
			rc = check_range(w, b);
		} while (rc == RANGE_LOST);
		if (!L->g->quiet)
			load_error("worker %d: reconnected after %.1f s; the batch in flight was %s",
					   w->id + 1, load_now() - lost_since,
					   rc == RANGE_COMMITTED ? "committed" : rc == RANGE_REDO ? "not committed: writing it again" : "taken over");
		lost_since = 0;
		if (rc == RANGE_TAKEN)
		{
			stop_run(L, STOP_TAKEN, "another loader took this source over");
			return;
		}
		if (rc == RANGE_COMMITTED)
		{
			/* the rejects' count is not known; the table has them */
			stored = b->nrejects;
			break;
		}
	}
	/* a checked batch without loaded traces brings the next unchecked one closer */
	if (check && b->dups == dups0 && w->precheck > 0)
		w->precheck--;
	else if (b->dups > dups0)
		w->precheck = PRECHECK_BATCHES;
	account(w, b, stored);
}

/* ---------------------------------------------------------------- the writer thread */

/* The writer thread: write each batch handed over, in order, until told to stop. */
static void *
writer_main(void *arg)
{
	worker	   *w = arg;
	bool		first = true;

	for (;;)
	{
		batch	   *b;
		double		t0 = load_now();

		pthread_mutex_lock(&w->mu);
		while (w->job == NULL && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		b = w->job;
		w->job = NULL;
		pthread_mutex_unlock(&w->mu);
		if (b == NULL)
			return NULL;
		/* the wait for the first batch is the time to parse it: not idle */
		if (!first)
			w->t.writer_waited += load_now() - t0;
		first = false;
		if (stopped(w->L) != STOP_TAKEN)
			write_batch(w, b);
		batch_reset(b);
		if (w->L->test_delay_ms > 0)
		{
			struct timespec ts = {w->L->test_delay_ms / 1000, (w->L->test_delay_ms % 1000) * 1000000};

			nanosleep(&ts, NULL);
		}
		pthread_mutex_lock(&w->mu);
		w->busy = false;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
	}
}

/* Wait until the writer has finished the batch it holds, if any. */
static void
wait_writer_idle(worker *w)
{
	if (!w->writer_started)
		return;
	pthread_mutex_lock(&w->mu);
	while (w->busy)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
}

/* Start the worker's writer thread. */
static void
start_writer(worker *w)
{
	int			rc;

	w->stop = false;
	rc = pthread_create(&w->writer, NULL, writer_main, w);
	if (rc != 0)
		load_die(LOAD_EXIT_ERROR, "cannot start a writer thread: %s", strerror(rc));
	w->writer_started = true;
}

/* Let the writer finish its last batch and end. */
static void
stop_writer(worker *w)
{
	if (!w->writer_started)
		return;
	wait_writer_idle(w);
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->writer, NULL);
	w->writer_started = false;
}

/* ---------------------------------------------------------------- batches */

/* Start filling batch b where the input stands: range, byte and line. */
static void
batch_begin(batch *b, ledger_range *r, int64_t at, int64_t lines)
{
	b->range = r;
	b->start = b->end = at;
	b->start_lines = b->end_lines = lines;
}

/*
 * Is the reject limit exceeded once batch b is counted?  Counts b's lines
 * and rejects against --max-rejects (for a percentage, of the lines read).
 */
static bool
over_limit(loader *L, const batch *b)
{
	int64_t		read = add64(&L->lim_read, b->lines);
	int64_t		rejected = add64(&L->lim_rejected, b->nrejects);

	if (L->opt.max_rejects >= 0 && rejected > L->opt.max_rejects)
		return true;
	if (L->opt.max_rejects_pct >= 0 && b->nrejects > 0 &&
		(double) rejected * 100.0 > L->opt.max_rejects_pct * (double) read)
		return true;
	return false;
}

/*
 * The batch being filled is complete: check the reject limit, then hand it
 * to the writer (once it has finished the previous one) and go on filling
 * the other; a dry run just counts it.
 */
static void
flush_batch(worker *w)
{
	loader	   *L = w->L;
	batch	   *b = w->cur;
	int64_t		at = b->end,
				lines = b->end_lines;

	if (b->lines == 0)
		return;
	if (over_limit(L, b))
	{
		char		msg[256];

		if (L->opt.max_rejects >= 0)
			snprintf(msg, sizeof(msg), "more than %lld rejected lines (--max-rejects); stopped in the batch of lines %lld to %lld",
					 (long long) L->opt.max_rejects, (long long) b->start_lines + 1,
					 (long long) b->end_lines);
		else
			snprintf(msg, sizeof(msg), "more than %g%% of the lines rejected (--max-rejects); stopped in the batch of lines %lld to %lld",
					 L->opt.max_rejects_pct,
					 (long long) b->start_lines + 1, (long long) b->end_lines);
		stop_run(L, STOP_REJECTS, msg);
		batch_reset(b);
		return;
	}
	if (!w->writer_started)
	{
		key_set_fill(&w->prev, b);
		account(w, b, b->nrejects);
		batch_reset(b);
		batch_begin(b, b->range, at, lines);
		return;
	}
	key_set_fill(&w->prev, b);
	{
		double		t0 = load_now();

		wait_writer_idle(w);
		w->t.parser_waited += load_now() - t0;
	}
	pthread_mutex_lock(&w->mu);
	w->job = b;
	w->busy = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	w->cur = (b == &w->batches[0]) ? &w->batches[1] : &w->batches[0];
	batch_begin(w->cur, b->range, at, lines);
}

/* ---------------------------------------------------------------- reading */

/* Is every byte of s[0..len) JSON white space? */
static bool
all_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

/* Normalise the parsed document doc of line ln into the batch (or reject it). */
static void
normalise(worker *w, const cmj_ops *ops, const cmj_node *doc, const load_line *ln)
{
	size_t		start[CMT_NTABLES];
	cm_reject	rej;
	int64_t		rows0 = batch_rows(w->cur);

	for (int t = 0; t < CMT_NTABLES; t++)
	{
		start[t] = w->cur->table[t].len;
		w->cur_rows[t] = 0;
	}
	w->cur_has_key = false;
	memset(&rej, 0, sizeof(rej));
	if (cm_trace_normalize(ops, doc, &w->sink, &rej) == CM_REJECTED)
		reject_line(w, ln, ln->offset, rej.reason, rej.path[0] ? rej.path : NULL);
	else
	{
		add_doc(w, start);
		add64(&w->L->p_rows, batch_rows(w->cur) - rows0);
	}
}

/*
 * The slow path for a line the fast reader did not take: PostgreSQL's lexer
 * (reject what jsonb rejects), then json-c (its error names the reason).
 */
static void
slow_line(worker *w, load_line *ln)
{
	struct json_object *obj;
	cmj_node	doc;
	size_t		end;
	size_t		off = 0;
	char		reason[128];
	const char *why = pg_json_check(ln->data, ln->len, &off);

	if (why)
	{
		reject_line(w, ln, ln->offset + (int64_t) off, why, NULL);
		return;
	}
	/* the length includes the NUL after the line, so a bare number ends */
	json_tokener_reset(w->tok);
	obj = json_tokener_parse_ex(w->tok, ln->data, (int) ln->len + 1);
	end = json_tokener_get_parse_end(w->tok);
	if (obj == NULL)
	{
		enum json_tokener_error err = json_tokener_get_error(w->tok);

		if (err == json_tokener_continue)
			err = json_tokener_error_parse_eof;
		snprintf(reason, sizeof(reason), "not valid JSON: %s", json_tokener_error_desc(err));
		reject_line(w, ln, ln->offset + (int64_t) end, reason, NULL);
		return;
	}
	if (end < ln->len && !all_space(ln->data + end, ln->len - end))
	{
		/* a NUL byte after the document ended the parse early */
		while (ln->data[end] == ' ' || ln->data[end] == '\t' || ln->data[end] == '\r')
			end++;
		json_object_put(obj);
		snprintf(reason, sizeof(reason), "not valid JSON: %s",
				 json_tokener_error_desc(json_tokener_error_parse_unexpected));
		reject_line(w, ln, ln->offset + (int64_t) end, reason, NULL);
		return;
	}
	jca_root(&w->jsonc_ops, obj, &doc);
	normalise(w, &w->jsonc_ops, &doc, ln);
	json_object_put(obj);
	jca_arena_reset(&w->arena);
}

/* Parse, normalise and batch one line. */
static void
handle_line(worker *w, load_line *ln)
{
	char		reason[128];
	cmj_node	doc;

	w->cur->lines++;
	if (ln->too_long)
	{
		snprintf(reason, sizeof(reason), "line longer than %zu bytes", w->L->opt.max_line);
		reject_line(w, ln, ln->offset, reason, NULL);
		return;
	}
	if (all_space(ln->data, ln->len))
	{
		reject_line(w, ln, ln->offset, "empty line", NULL);
		return;
	}
	if (!w->L->opt.json_c && jt_parse(&w->jt, ln->data, ln->len, &doc))
		normalise(w, &w->tape_ops, &doc, ln);
	else
		slow_line(w, ln);
	jt_reset(&w->jt);
}

/* on_data hook for standard input: hash every byte read. */
static void
hash_stdin(void *arg, const void *data, size_t len)
{
	load_sha256_update(arg, data, len);
}

/* Parse range r of the source into batches. */
static void
parse_range(worker *w, ledger_range *r)
{
	loader	   *L = w->L;
	load_input	in;
	load_line	ln;
	int			rc = 0;
	int64_t		prev;

	if (!load_input_open(&in, L->path, L->opt.max_line))
		load_die(LOAD_EXIT_ERROR, "%s", in.errmsg);
	if (L->is_stdin)
	{
		in.on_data = hash_stdin;
		in.on_data_arg = &L->stdin_sha;
	}
	if ((r->committed > 0 || r->committed_lines > 0) &&
		!load_input_skip(&in, r->committed, r->committed_lines, !L->is_stdin))
		load_die(LOAD_EXIT_ERROR, "cannot continue \"%s\" at byte %lld, where the committed part of import %s ends: %s",
				 L->is_stdin ? "standard input" : L->path, (long long) r->committed,
				 L->lg.import_id, in.errmsg);
	batch_begin(w->cur, r, r->committed, r->committed_lines);
	prev = r->committed;
	while (!stopped(L) && (rc = load_input_next(&in, &ln)) > 0)
	{
		int64_t		at;

		if (r->end >= 0 && ln.offset >= r->end)
			break;
		handle_line(w, &ln);
		at = load_input_consumed(&in);
		w->cur->end = at;
		w->cur->end_lines = ln.line_no;
		add64(&L->p_bytes, at - prev);
		add64(&L->p_lines, 1);
		prev = at;
		if (w->cur->lines >= L->opt.batch_size || batch_bytes(w->cur) >= BATCH_MAX_BYTES)
			flush_batch(w);
	}
	if (!stopped(L) && rc < 0)
		load_die(LOAD_EXIT_ERROR, "cannot read \"%s\" near byte %lld: %s",
				 L->is_stdin ? "standard input" : L->path,
				 (long long) load_input_consumed(&in), in.errmsg);
	if (!stopped(L))
	{
		flush_batch(w);
		if (L->is_stdin && rc == 0)
			L->stdin_bytes = load_input_consumed(&in);
	}
	else
		batch_reset(w->cur);
	load_input_close(&in);
}

/* The next range of the source nobody works on, or NULL. */
static ledger_range *
next_range(loader *L)
{
	ledger_range *r = NULL;

	pthread_mutex_lock(&L->range_mu);
	while (L->next_range < L->lg.nranges && r == NULL)
	{
		ledger_range *c = &L->lg.ranges[L->next_range++];

		/* a range of a file is done when committed to its end */
		if (c->end < 0 || c->committed < c->end)
			r = c;
	}
	pthread_mutex_unlock(&L->range_mu);
	return r;
}

/* The parser thread of a worker: ranges until none is left. */
static void *
parser_main(void *arg)
{
	worker	   *w = arg;
	loader	   *L = w->L;
	ledger_range *r;

	while (!stopped(L) && (r = next_range(L)) != NULL)
		parse_range(w, r);
	wait_writer_idle(w);
	pthread_mutex_lock(&L->done_mu);
	L->running--;
	pthread_cond_broadcast(&L->done_cv);
	pthread_mutex_unlock(&L->done_mu);
	return NULL;
}

/* ---------------------------------------------------------------- progress */

/* Print progress if it is time: a bar on a terminal, else a plain line. */
static void
progress(loader *L, bool force)
{
	double		now = load_now(),
				secs;
	int64_t		done,
				rows;
	double		rate,
				mbs;
	char		b[32],
				tot[32];

	if (!L->progress_on)
		return;
	if (!force && now - L->last_progress < (L->progress_tty ? PROGRESS_TTY_SECS : PROGRESS_LOG_SECS))
		return;
	L->last_progress = now;
	secs = now - L->p_t0;
	done = get64(&L->p_bytes);
	rows = get64(&L->p_rows);
	rate = secs > 0 ? (double) rows / secs : 0;
	mbs = secs > 0 ? (double) done / 1e6 / secs : 0;
	format_bytes((double) (L->p_base + done), b, sizeof(b));
	if (L->p_total > 0)
	{
		double		frac = (double) (L->p_base + done) / (double) L->p_total;
		int64_t		left = L->p_total - L->p_base - done;
		double		eta = done > 0 && secs > 0 ? (double) left / ((double) done / secs) : -1;
		char		etas[32];

		if (frac > 1)
			frac = 1;
		format_bytes((double) L->p_total, tot, sizeof(tot));
		if (eta < 0)
			snprintf(etas, sizeof(etas), "?");
		else
			snprintf(etas, sizeof(etas), "%d:%02d", (int) eta / 60, (int) eta % 60);
		if (L->progress_tty)
		{
			char		bar[26];
			int			fill = (int) (frac * 24);

			for (int i = 0; i < 24; i++)
				bar[i] = i < fill ? '=' : i == fill ? '>' : ' ';
			bar[24] = '\0';
			fprintf(stderr, "\r%3.0f%% [%s] %s / %s  %.1f MB/s  %.0f rows/s  ETA %s\033[K",
					frac * 100, bar, b, tot, mbs, rate, etas);
		}
		else
			fprintf(stderr, "%s: %s: %.0f%%, %s of %s, %.1f MB/s, %.0f rows/s, ETA %s\n",
					LOAD_PROGNAME, L->source, frac * 100, b, tot, mbs, rate, etas);
	}
	else if (L->progress_tty)
		fprintf(stderr, "\r%s read  %.1f MB/s  %.0f rows/s\033[K", b, mbs, rate);
	else
		fprintf(stderr, "%s: %s: %s read, %.1f MB/s, %.0f rows/s\n",
				LOAD_PROGNAME, L->source, b, mbs, rate);
	L->progress_shown = true;
}

/* Clear the progress bar from the terminal. */
static void
progress_clear(loader *L)
{
	if (L->progress_shown && L->progress_tty)
		fputs("\r\033[K", stderr);
	L->progress_shown = false;
}

/* ---------------------------------------------------------------- the control connection */

/*
 * Keep the control connection, and with it the source's lock: when it broke
 * (a restart, pg_terminate_backend), connect again and take the lock again.
 * If another run has the lock by then, it takes the source over and this
 * run's commits stop matching the ledger.
 */
static void
check_ctrl(loader *L, bool use)
{
	static const double delays[] = {0.2, 0.5, 1, 2, 5};
	double		since;
	char		err[512] = "";

	if (L->ctrl && PQstatus(L->ctrl) == CONNECTION_OK && PQconsumeInput(L->ctrl) != 0)
	{
		PGresult   *res;

		if (!use)
			return;
		/* about to be used: make sure the session is still there */
		res = PQexec(L->ctrl, "SELECT 1");
		if (PQresultStatus(res) == PGRES_TUPLES_OK)
		{
			PQclear(res);
			return;
		}
		PQclear(res);
	}
	since = load_now();
	if (L->ctrl)
		PQfinish(L->ctrl);
	L->ctrl = NULL;
	for (int i = 0;; i++)
	{
		double		d = delays[i < 4 ? i : 4];
		struct timespec ts;

		if (load_now() + d - since > L->opt.retry_seconds)
		{
			load_error("the control connection to the server was lost and not restored within %.0f s: %s",
					   L->opt.retry_seconds, err);
			fprintf(stderr, "%s: batches committed so far stay committed (import %s); run the same command again to resume.\n",
					LOAD_PROGNAME, L->lg.import_id);
			load_exit(LOAD_EXIT_CONNECT);
		}
		ts.tv_sec = (time_t) d;
		ts.tv_nsec = (long) ((d - (double) ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
		if ((L->ctrl = load_connect_quiet(L->g, err, sizeof(err))) != NULL)
			break;
	}
	if (L->lg.locked && !ledger_relock(L->ctrl, &L->lg))
	{
		/* it will take the source over; this run's commits then stop */
		L->lg.locked = false;
		if (!L->g->quiet)
			load_error("warning: another loader holds import %s now", L->lg.import_id);
	}
}

/* ---------------------------------------------------------------- costmodel.load_log */

/* Start this run's costmodel.load_log row, when that table exists. */
static void
log_start(loader *L)
{
	const char *p[3] = {L->source, L->lg.sha256, NULL};
	char		b[24];
	PGresult   *res;

	L->load_id = 0;
	if (!L->log_table)
		return;
	p[2] = L->lg.input_bytes >= 0 ? i64(b, L->lg.input_bytes) : NULL;
	res = PQexecParams(L->ctrl,
					   "INSERT INTO costmodel.load_log (source, file_name, file_sha256, bytes, status, message)"
					   " VALUES ('traces', $1, $2, $3, 'running', NULL) RETURNING load_id",
					   3, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		load_die_server(L->ctrl, res, "INSERT INTO costmodel.load_log");
	L->load_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	snprintf(L->load_id_text, sizeof(L->load_id_text), "%lld", (long long) L->load_id);
	PQclear(res);
}

/* Finish this run's costmodel.load_log row. */
static void
log_end(loader *L, const char *status, const char *message)
{
	char		b[24];
	const char *p[5] = {L->load_id_text, status, message, L->lg.sha256, NULL};
	PGresult   *res;

	if (L->load_id <= 0)
		return;
	p[4] = L->lg.input_bytes >= 0 ? i64(b, L->lg.input_bytes) : NULL;
	res = PQexecParams(L->ctrl,
					   "UPDATE costmodel.load_log SET status = $2, message = $3,"
					   " finished_at = pg_catalog.clock_timestamp(),"
					   " file_sha256 = COALESCE(file_sha256, $4),"
					   " bytes = COALESCE(bytes, $5::pg_catalog.int8)"
					   " WHERE load_id OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
					   5, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		load_die_server(L->ctrl, res, "updating costmodel.load_log");
	PQclear(res);
}

/* ---------------------------------------------------------------- one source */

/* Set up worker w's parser state. */
static void
worker_init(loader *L, worker *w, int id)
{
	memset(w, 0, sizeof(*w));
	w->L = L;
	w->id = id;
	jt_init(&w->jt, &w->tape_ops);
	jca_init(&w->jsonc_ops, &w->arena);
	/* one tokener per stream */
	w->tok = json_tokener_new_ex(JSON_DEPTH);
	if (w->tok == NULL)
		load_oom();
	json_tokener_set_flags(w->tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	w->sink.row = sink_row;
	w->sink.want = CM_WANT_ALL;
	w->sink.arg = w;
	batch_init(&w->batches[0], L->opt.batch_size);
	batch_init(&w->batches[1], L->opt.batch_size);
	w->cur = &w->batches[0];
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
}

/* Free worker w. */
static void
worker_free(worker *w)
{
	if (w->conn)
		PQfinish(w->conn);
	jt_free(&w->jt);
	jca_arena_free(&w->arena);
	json_tokener_free(w->tok);
	batch_free(&w->batches[0]);
	batch_free(&w->batches[1]);
	key_set_free(&w->prev);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
}

/* Run the workers over the source's ranges until they are done or stopped. */
static void
run_workers(loader *L)
{
	int			n = L->nworkers;
	double		last_ctrl = load_now();

	L->next_range = 0;
	L->running = n;
	for (int i = 0; i < n; i++)
	{
		worker	   *w = &L->workers[i];
		int			rc;

		memset(&w->t, 0, sizeof(w->t));
		if (!L->opt.dry_run)
			start_writer(w);
		rc = pthread_create(&w->parser, NULL, parser_main, w);
		if (rc != 0)
			load_die(LOAD_EXIT_ERROR, "cannot start a parser thread: %s", strerror(rc));
	}
	pthread_mutex_lock(&L->done_mu);
	while (L->running > 0)
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000)
		{
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&L->done_cv, &L->done_mu, &ts);
		if (L->running == 0)
			break;
		pthread_mutex_unlock(&L->done_mu);
		progress(L, false);
		if (L->ctrl && load_now() - last_ctrl >= CTRL_CHECK_SECS)
		{
			check_ctrl(L, false);
			last_ctrl = load_now();
		}
		pthread_mutex_lock(&L->done_mu);
	}
	pthread_mutex_unlock(&L->done_mu);
	for (int i = 0; i < n; i++)
	{
		worker	   *w = &L->workers[i];

		pthread_join(w->parser, NULL);
		stop_writer(w);
		L->t.read += w->t.read;
		L->t.loaded += w->t.loaded;
		L->t.dups += w->t.dups;
		L->t.rejected += w->t.rejected;
		L->t.rejects_stored += w->t.rejects_stored;
		L->t.bytes += w->t.bytes;
		L->t.batches += w->t.batches;
		L->t.parser_waited += w->t.parser_waited;
		L->t.writer_waited += w->t.writer_waited;
		for (int t = 0; t < CMT_NTABLES; t++)
			L->t.rows[t] += w->t.rows[t];
	}
}

/* Read the file's identity and split points (the first pass). */
static void
identify(loader *L, load_file_info *info)
{
	char		err[512];

	if (!load_first_pass(L->path, L->opt.jobs, info, err, sizeof(err)))
		load_die(LOAD_EXIT_ERROR, "%s", err);
	L->first_pass_secs += info->seconds;
	L->first_pass_bytes += info->input_bytes;
}

/* The size of a plain (not gzip) file, for progress; -1 if unknown. */
static int64_t
plain_size(const char *path)
{
	struct stat st;
	unsigned char magic[2] = {0, 0};
	FILE	   *f = fopen(path, "rb");
	bool		gz;

	if (f == NULL)
		return -1;
	gz = fread(magic, 1, 2, f) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
	if (fstat(fileno(f), &st) != 0 || gz || !S_ISREG(st.st_mode))
	{
		fclose(f);
		return -1;
	}
	fclose(f);
	return (int64_t) st.st_size;
}

/* Say that the source was loaded before, on stdout. */
static void
say_finished(loader *L)
{
	ledger	   *lg = &L->lg;

	if (L->g->quiet)
		return;
	printf("%s: already loaded (import %s%s, finished %s: read %lld, loaded %lld, duplicates %lld, rejected %lld); nothing to do\n",
		   L->source, lg->finished_id[0] ? lg->finished_id : lg->import_id,
		   lg->finished_id[0] ? ", the same content" : "",
		   lg->finished_at, (long long) lg->fin_read, (long long) lg->fin_loaded,
		   (long long) lg->fin_dups, (long long) lg->fin_rejected);
}

/* Load one input file ("-" is standard input). */
static void
load_source(loader *L, const char *path)
{
	ledger	   *lg = &L->lg;
	load_file_info info;
	char	   *abs = NULL;
	char		autoid[64];
	load_split	one = {0, 0};
	const load_split *splits = &one;
	int			nsplits = 1;
	double		t0 = load_now();
	totals		before = L->t;

	memset(&info, 0, sizeof(info));
	L->path = path;
	L->is_stdin = strcmp(path, "-") == 0;
	if (!L->is_stdin)
		abs = realpath(path, NULL);
	L->source = L->opt.source ? L->opt.source : L->is_stdin ? "stdin" : abs ? abs : path;
	memset(lg, 0, sizeof(*lg));
	lg->source = L->is_stdin ? "stdin" : abs ? abs : path;
	lg->stored_bytes = lg->input_bytes = -1;
	L->stdin_bytes = -1;
	if (L->is_stdin)
		load_sha256_init(&L->stdin_sha);
	else if (L->opt.dry_run && L->opt.jobs == 1)
		lg->input_bytes = plain_size(path);	/* no ledger, no ranges: no first pass */
	else
	{
		identify(L, &info);
		lg->sha256 = info.sha256;
		lg->stored_bytes = info.stored_bytes;
		lg->input_bytes = info.input_bytes;
		splits = info.split;
		nsplits = info.nranges;
	}
	if (L->opt.import_id)
	{
		lg->import_id = (char *) L->opt.import_id;
		lg->named = true;
	}
	else if (lg->sha256)
		lg->import_id = (char *) lg->sha256;
	else
	{
		ledger_token(autoid, sizeof(autoid));
		memmove(autoid + 6, autoid, 33);
		memcpy(autoid, "stdin:", 6);
		lg->import_id = autoid;
	}
	ledger_token(lg->token, sizeof(lg->token));

	/* the ranges: from the ledger, or (dry run) straight from the first pass */
	if (L->opt.dry_run)
	{
		lg->state = LEDGER_NEW;
		lg->nranges = nsplits;
		for (int i = 0; i < nsplits; i++)
		{
			ledger_range *r = &lg->ranges[i];

			memset(r, 0, sizeof(*r));
			r->no = i;
			r->start = r->committed = splits[i].offset;
			r->start_line = r->committed_lines = splits[i].lines;
			r->end = i + 1 < nsplits ? splits[i + 1].offset : lg->input_bytes;
		}
	}
	else
	{
		check_ctrl(L, true);
		ledger_begin(L->ctrl, lg, splits, nsplits, L->g->quiet);
		if (lg->state == LEDGER_FINISHED)
		{
			say_finished(L);
			ledger_unlock(L->ctrl, lg);
			L->sources_skipped++;
			free(abs);
			return;
		}
	}

	/* what earlier runs committed counts against the limits and in progress */
	L->p_base = 0;
	L->lim_read = L->lim_rejected = 0;
	for (int i = 0; i < lg->nranges; i++)
	{
		ledger_range *r = &lg->ranges[i];

		L->p_base += r->committed - r->start;
		L->lim_read += r->read;
		L->lim_rejected += r->rejected;
	}
	if (lg->state == LEDGER_RESUME && !L->g->quiet)
	{
		char		b[32];

		format_bytes((double) L->p_base, b, sizeof(b));
		fprintf(stderr, "%s: %s: resuming import %s: %s in %lld lines were committed by earlier runs\n",
				LOAD_PROGNAME, L->source, lg->import_id, b, (long long) L->lim_read);
	}
	if (L->opt.jobs > 1 && lg->nranges == 1 && (L->is_stdin || info.compressed) &&
		!L->g->quiet)
		load_error("note: %s: %s is read by one worker (--jobs splits plain files only)",
				   L->source, L->is_stdin ? "standard input" : "gzip data");
	L->p_total = lg->input_bytes;
	L->p_bytes = L->p_rows = L->p_lines = 0;
	L->p_t0 = load_now();
	if (!L->opt.dry_run)
		log_start(L);

	run_workers(L);
	progress_clear(L);

	if (L->is_stdin && L->stdin_bytes >= 0 && !stopped(L))
	{
		static char hex[65];

		load_sha256_hex(&L->stdin_sha, hex);
		lg->sha256 = hex;
		lg->input_bytes = L->stdin_bytes;
	}
	if (!L->opt.dry_run)
	{
		int			why = stopped(L);
		double		secs = load_now() - t0;

		check_ctrl(L, true);
		if (why == STOP_NONE)
		{
			ledger_end(L->ctrl, lg, "finished", NULL, secs);
			log_end(L, L->t.rejected > before.rejected ? "loaded_with_rejects" : "loaded", NULL);
		}
		else if (why == STOP_REJECTS)
		{
			ledger_end(L->ctrl, lg, "failed", L->stop_msg, secs);
			log_end(L, "rejected", L->stop_msg);
		}
		else
			log_end(L, "rejected", L->stop_msg);
		ledger_unlock(L->ctrl, lg);
		if (lg->state == LEDGER_RESUME && !L->g->quiet)
		{
			int64_t		r = 0,
						l = 0,
						d = 0,
						j = 0;
			PGresult   *res;
			const char *p[1] = {lg->import_id};

			res = PQexecParams(L->ctrl,
							   "SELECT lines_read, loaded, duplicates, rejected FROM costmodel.load_status"
							   " WHERE import_id OPERATOR(pg_catalog.=) $1", 1, NULL, p, NULL, NULL, 0);
			if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
			{
				r = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
				l = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
				d = strtoll(PQgetvalue(res, 0, 2), NULL, 10);
				j = strtoll(PQgetvalue(res, 0, 3), NULL, 10);
			}
			PQclear(res);
			printf("%s: resumed import %s; over all its runs: read %lld, loaded %lld, duplicates %lld, rejected %lld\n",
				   L->source, lg->import_id, (long long) r, (long long) l, (long long) d, (long long) j);
		}
	}
	L->sources_done++;
	free(abs);
}

/* ---------------------------------------------------------------- summary and options */

/* Order reasons by count, then text. */
static int
cmp_reason(const void *a, const void *b)
{
	const reason_count *x = a,
			   *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->reason, y->reason);
}

/* Dry run: the rejects by reason, merged over the workers, most frequent first. */
static void
print_reasons(loader *L)
{
	reason_count all[MAX_REASONS * LOAD_MAX_JOBS];
	int			n = 0;

	for (int k = 0; k < L->nworkers; k++)
		for (int i = 0; i < L->workers[k].nreasons; i++)
		{
			const reason_count *r = &L->workers[k].reasons[i];
			int			j;

			for (j = 0; j < n; j++)
				if (strcmp(all[j].reason, r->reason) == 0)
					break;
			if (j == n)
				all[n++] = *r;
			else
				all[j].n += r->n;
		}
	if (n == 0)
		return;
	qsort(all, (size_t) n, sizeof(all[0]), cmp_reason);
	printf("  would reject:\n");
	for (int j = 0; j < n; j++)
		printf("  %12lld  %s\n", (long long) all[j].n, all[j].reason);
}

/* Print the summary to stdout. */
static void
summary(loader *L, double secs)
{
	char		b[32];

	if (L->opt.dry_run)
		printf("dry run, nothing written: ");
	printf("read %lld, loaded %lld, duplicates %lld, rejected %lld, in %.2f s (%.0f docs/s)\n",
		   (long long) L->t.read, (long long) L->t.loaded, (long long) L->t.dups,
		   (long long) L->t.rejected, secs, secs > 0 ? (double) L->t.read / secs : 0.0);
	for (int t = 0; t < CMT_NTABLES; t++)
		printf("  %-16s %12lld rows\n", cm_tables[t].name, (long long) L->t.rows[t]);
	printf("  %-16s %12lld rows\n", "trace_reject", (long long) L->t.rejects_stored);
	format_bytes((double) L->t.bytes, b, sizeof(b));
	printf("  %-16s %12s (%.1f MB/s)\n", "input", b,
		   secs > 0 ? (double) L->t.bytes / 1e6 / secs : 0.0);
	if (L->first_pass_bytes > 0)
		printf("  %-16s %12.2f s (SHA-256 and splitting, %.0f MB/s)\n", "first pass",
			   L->first_pass_secs,
			   L->first_pass_secs > 0 ? (double) L->first_pass_bytes / 1e6 / L->first_pass_secs : 0.0);
	if (!L->opt.dry_run && L->t.batches > 0)
		printf("  %-16s %12s parsers waited %.2f s for the server, the server %.2f s for the parsers\n",
			   "overlap", "", L->t.parser_waited, L->t.writer_waited);
	if (L->opt.dry_run)
		print_reasons(L);
}

/* Parse --max-rejects: N or N%. */
static void
parse_max_rejects(loader *L, const char *arg)
{
	size_t		len = strlen(arg);
	char	   *end;

	if (len > 0 && arg[len - 1] == '%')
	{
		double		v = strtod(arg, &end);

		if (end != arg + len - 1 || arg[0] < '0' || arg[0] > '9' || v < 0 || v > 100)
			load_usage_error("invalid --max-rejects \"%s\": must be a count or a percentage (0%% to 100%%)", arg);
		L->opt.max_rejects_pct = v;
		L->opt.max_rejects = -1;
	}
	else if (!load_parse_size(arg, 0, INT64_MAX, &L->opt.max_rejects))
		load_usage_error("invalid --max-rejects \"%s\": must be a count or a percentage (0%% to 100%%)", arg);
	else
		L->opt.max_rejects_pct = -1;
}

/* Parse the command's options into L->opt; returns the index of the first file. */
static int
parse_options(loader *L, int argc, char **argv)
{
	enum
	{
		OPT_MAX_LINE = 300, OPT_REJECT_FILE, OPT_SOURCE, OPT_IMPORT_ID, OPT_MAX_REJECTS,
		OPT_RETRY, OPT_COPY_FORMAT, OPT_PARSER
	};
	static const struct option longopts[] = {
		LOAD_GLOBAL_LONGOPTS,
		{"batch-size", required_argument, NULL, 'b'},
		{"max-line-bytes", required_argument, NULL, OPT_MAX_LINE},
		{"reject-file", required_argument, NULL, OPT_REJECT_FILE},
		{"source", required_argument, NULL, OPT_SOURCE},
		{"dry-run", no_argument, NULL, 'n'},
		{"jobs", required_argument, NULL, 'j'},
		{"import-id", required_argument, NULL, OPT_IMPORT_ID},
		{"max-rejects", required_argument, NULL, OPT_MAX_REJECTS},
		{"retry-seconds", required_argument, NULL, OPT_RETRY},
		{"copy-format", required_argument, NULL, OPT_COPY_FORMAT},
		{"parser", required_argument, NULL, OPT_PARSER},
		{NULL, 0, NULL, 0}
	};
	int			c;
	int64_t		v;

	L->opt.batch_size = LOAD_TRACES_BATCH_DEFAULT;
	L->opt.max_line = (size_t) LOAD_TRACES_MAX_LINE_DEFAULT;
	L->opt.jobs = 1;
	L->opt.max_rejects = -1;
	L->opt.max_rejects_pct = -1;
	L->opt.retry_seconds = LOAD_TRACES_RETRY_DEFAULT;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" LOAD_GLOBAL_SHORTOPTS "b:nj:", longopts, NULL)) != -1)
	{
		switch (c)
		{
			case 'b':
				if (!load_parse_size(optarg, 1, LOAD_TRACES_BATCH_MAX, &v))
					load_usage_error("invalid --batch-size \"%s\": must be 1 to %d",
									 optarg, LOAD_TRACES_BATCH_MAX);
				L->opt.batch_size = (int) v;
				break;
			case OPT_MAX_LINE:
				if (!load_parse_size(optarg, 1, LOAD_TRACES_MAX_LINE_MAX, &v))
					load_usage_error("invalid --max-line-bytes \"%s\": must be 1 to 1G", optarg);
				L->opt.max_line = (size_t) v;
				break;
			case OPT_REJECT_FILE:
				L->opt.reject_file = optarg;
				break;
			case OPT_SOURCE:
				if (optarg[0] == '\0')
					load_usage_error("--source must not be empty");
				L->opt.source = optarg;
				break;
			case 'n':
				L->opt.dry_run = true;
				break;
			case 'j':
				if (!load_parse_size(optarg, 1, LOAD_MAX_JOBS, &v))
					load_usage_error("invalid --jobs \"%s\": must be 1 to %d", optarg, LOAD_MAX_JOBS);
				L->opt.jobs = (int) v;
				break;
			case OPT_IMPORT_ID:
				if (optarg[0] == '\0' || strlen(optarg) > 200)
					load_usage_error("--import-id must be 1 to 200 bytes");
				L->opt.import_id = optarg;
				break;
			case OPT_MAX_REJECTS:
				parse_max_rejects(L, optarg);
				break;
			case OPT_RETRY:
				{
					char	   *end;
					double		s = strtod(optarg, &end);

					if (*optarg == '\0' || *end != '\0' || !(s >= 0 && s <= 86400))
						load_usage_error("invalid --retry-seconds \"%s\": must be 0 to 86400", optarg);
					L->opt.retry_seconds = s;
					break;
				}
			case OPT_COPY_FORMAT:
				if (strcmp(optarg, "binary") == 0)
					L->opt.text_copy = false;
				else if (strcmp(optarg, "text") == 0)
					L->opt.text_copy = true;
				else
					load_usage_error("invalid --copy-format \"%s\": must be binary or text", optarg);
				break;
			case OPT_PARSER:
				if (strcmp(optarg, "fast") == 0)
					L->opt.json_c = false;
				else if (strcmp(optarg, "json-c") == 0)
					L->opt.json_c = true;
				else
					load_usage_error("invalid --parser \"%s\": must be fast or json-c", optarg);
				break;
			default:
				if (!load_global_option(L->g, c, optarg, argv, optind))
					load_usage_error("invalid option: %s", argv[optind - 1]);
		}
	}
	return optind;
}

/*
 * Check that every column has the type binary COPY sends; false (use text)
 * when the tables were changed.
 */
static bool
binary_types_match(PGconn *conn)
{
	load_buf	names = {0},
				types = {0};
	const char *p[2];
	PGresult   *res;
	bool		ok;

	load_array_begin(&names);
	load_array_begin(&types);
	for (int t = 0; t < CMT_NTABLES; t++)
		for (int i = 0; i < cm_tables[t].ncolumns; i++)
		{
			char		qual[160];

			snprintf(qual, sizeof(qual), "%s.%s", cm_tables[t].name, cm_tables[t].columns[i].name);
			load_array_text(&names, qual, strlen(qual));
			load_array_text(&types, load_binary_type(cm_tables[t].columns[i].kind),
							strlen(load_binary_type(cm_tables[t].columns[i].kind)));
		}
	load_array_end(&names);
	load_array_end(&types);
	p[0] = names.data;
	p[1] = types.data;
	res = PQexecParams(conn,
					   "SELECT pg_catalog.count(*) FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]),"
					   " pg_catalog.unnest($2::pg_catalog.text[])) AS w(col, typ)"
					   " LEFT JOIN pg_catalog.pg_attribute a"
					   " ON a.attrelid OPERATOR(pg_catalog.=) ('costmodel.' OPERATOR(pg_catalog.||)"
					   "    pg_catalog.split_part(w.col, '.', 1))::pg_catalog.regclass"
					   " AND a.attname OPERATOR(pg_catalog.=) pg_catalog.split_part(w.col, '.', 2)"
					   " AND NOT a.attisdropped"
					   " WHERE a.attname IS NULL"
					   " OR pg_catalog.format_type(a.atttypid, NULL) OPERATOR(pg_catalog.<>) w.typ",
					   2, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		load_die_server(conn, res, "checking the column types");
	ok = strcmp(PQgetvalue(res, 0, 0), "0") == 0;
	PQclear(res);
	load_buf_free(&names);
	load_buf_free(&types);
	return ok;
}

/* Does costmodel.load_log exist with the columns this loader writes? */
static bool
have_load_log(PGconn *conn)
{
	PGresult   *res = load_exec(conn,
								"SELECT pg_catalog.count(*) FROM pg_catalog.pg_attribute"
								" WHERE attrelid OPERATOR(pg_catalog.=)"
								" pg_catalog.to_regclass('costmodel.load_log') AND NOT attisdropped"
								" AND attname OPERATOR(pg_catalog.=) ANY ('{load_id,source,file_name,"
								"file_sha256,bytes,status,message,finished_at,rows_read,rows_loaded,"
								"rows_duplicate,rows_rejected,duplicate_keys_in_file}')",
								PGRES_TUPLES_OK, "checking for costmodel.load_log");
	bool		ok = strcmp(PQgetvalue(res, 0, 0), "13") == 0;

	PQclear(res);
	return ok;
}

/* The "traces" command; see --help. */
int
load_traces_main(load_global *g, int argc, char **argv)
{
	static char *stdin_only[] = {"-"};
	loader	   *L = load_malloc(sizeof(loader));
	char	  **files;
	int			nfiles;
	int			first;
	double		secs;
	int			code;

	memset(L, 0, sizeof(*L));
	L->g = g;
	first = parse_options(L, argc, argv);
	files = argv + first;
	nfiles = argc - first;
	if (nfiles == 0)
	{
		files = stdin_only;
		nfiles = 1;
	}
	if (L->opt.import_id && nfiles > 1)
		load_usage_error("--import-id names one source; give one FILE");
	for (int i = 0; i < nfiles; i++)
		if (strcmp(files[i], "-") != 0 && access(files[i], R_OK) != 0)
			load_die(LOAD_EXIT_ERROR, "cannot read \"%s\": %s", files[i], strerror(errno));
	if (L->opt.reject_file &&
		(L->rejf = fopen(L->opt.reject_file, "a")) == NULL)
		load_die(LOAD_EXIT_ERROR, "cannot open reject file \"%s\": %s",
				 L->opt.reject_file, strerror(errno));
	/* a dead connection must give an error, not kill the process */
	signal(SIGPIPE, SIG_IGN);

	L->binary = !L->opt.text_copy;
	L->nworkers = L->opt.jobs;
	L->workers = load_malloc((size_t) L->nworkers * sizeof(worker));
	for (int i = 0; i < L->nworkers; i++)
		worker_init(L, &L->workers[i], i);
	if (!L->opt.dry_run)
	{
		L->ctrl = load_connect(g);
		load_check_extension(L->ctrl);
		ledger_check_tables(L->ctrl);
		if (L->binary && !binary_types_match(L->ctrl))
		{
			L->binary = false;
			if (!g->quiet)
				load_error("note: the trace tables' column types differ from what binary COPY sends; using text COPY");
		}
		L->log_table = have_load_log(L->ctrl);
		for (int i = 0; i < L->nworkers; i++)
			L->workers[i].conn = load_connect(g);
	}
	for (int t = 0; t < CMT_NTABLES; t++)
		L->copy_cmd[t] = L->binary ? load_binary_command(&cm_tables[t]) :
			load_copy_command(&cm_tables[t]);
	pthread_mutex_init(&L->rej_mu, NULL);
	pthread_mutex_init(&L->range_mu, NULL);
	pthread_mutex_init(&L->stop_mu, NULL);
	pthread_mutex_init(&L->done_mu, NULL);
	pthread_cond_init(&L->done_cv, NULL);
	L->progress_tty = isatty(STDERR_FILENO);
	L->progress_on = !g->quiet;
	if (getenv("COSTMODEL_LOAD_TEST_DELAY_MS"))
		L->test_delay_ms = atol(getenv("COSTMODEL_LOAD_TEST_DELAY_MS"));
	L->t0 = L->last_progress = load_now();

	for (int i = 0; i < nfiles && !stopped(L); i++)
		load_source(L, files[i]);
	secs = load_now() - L->t0;

	if (L->t.read != L->t.loaded + L->t.dups + L->t.rejected)
		load_die(LOAD_EXIT_ERROR, "internal error: read %lld != loaded %lld + duplicates %lld + rejected %lld",
				 (long long) L->t.read, (long long) L->t.loaded,
				 (long long) L->t.dups, (long long) L->t.rejected);
	if (L->rejf && fclose(L->rejf) != 0)
		load_die(LOAD_EXIT_ERROR, "cannot write reject file \"%s\": %s",
				 L->opt.reject_file, strerror(errno));
	if (!g->quiet)
		summary(L, secs);
	if (stopped(L))
		load_error("stopped: %s; the batches committed before stay%s", L->stop_msg,
				   L->opt.dry_run ? " (dry run: nothing was written)" : "; a re-run resumes after them");
	if (fflush(stdout) != 0)
		load_die(LOAD_EXIT_ERROR, "cannot write the summary: %s", strerror(errno));

	code = stopped(L) == STOP_REJECTS ? LOAD_EXIT_REJECT_LIMIT :
		stopped(L) == STOP_TAKEN ? LOAD_EXIT_ERROR :
		L->t.rejected > 0 ? LOAD_EXIT_REJECTS : LOAD_EXIT_OK;
	if (L->ctrl)
		PQfinish(L->ctrl);
	for (int i = 0; i < L->nworkers; i++)
		worker_free(&L->workers[i]);
	free(L->workers);
	for (int t = 0; t < CMT_NTABLES; t++)
		free(L->copy_cmd[t]);
	pthread_mutex_destroy(&L->rej_mu);
	pthread_mutex_destroy(&L->range_mu);
	pthread_mutex_destroy(&L->stop_mu);
	pthread_mutex_destroy(&L->done_mu);
	pthread_cond_destroy(&L->done_cv);
	free(L);
	return code;
}
