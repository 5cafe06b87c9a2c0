/*
 * load_traces.c
 *    The "traces" command: NDJSON trace documents into the costmodel tables.
 *
 * Each line is parsed by the stream's one json-c tokener, normalised by
 * cm_trace_normalize() and its rows appended, as COPY text, to one buffer
 * per table.  A batch remembers where each document's rows start and end in
 * every buffer, so a duplicate can be dropped after the fact: a trace_id
 * seen earlier in the batch is dropped at once (a hash set per batch), and
 * before writing, one query asks the server which of the batch's trace_ids
 * it already holds.  Then one transaction COPYs the five tables, inserts the
 * batch's rejects into costmodel.trace_reject and commits.  A unique
 * violation or deadlock (a concurrent loader won the race) rolls the batch
 * back and redoes it once after checking again.
 *
 * Two batches take turns: while a writer thread runs one batch's
 * transaction, the reader fills the other, so parsing and the server's work
 * overlap.  The writer owns the connection; batches are written in order, so
 * each duplicate check sees every earlier batch committed.  Memory is
 * bounded by the two batches: no trace_id outlives its batch.
 */
#include "load_traces.h"
#include "load_copy.h"
#include "load_input.h"
#include "jsonc_access.h"
#include "pg_json_check.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cm_trace.h"

/* A batch is also written once its COPY text reaches this size. */
#define BATCH_MAX_BYTES		(64 * 1024 * 1024)
#define JSON_DEPTH			64
#define PROGRESS_TTY_SECS	0.5
#define PROGRESS_LOG_SECS	10.0

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

static const char *const dup_check_sql =
"SELECT trace_id FROM costmodel.fact_trace WHERE trace_id = ANY ($1::pg_catalog.text[])";

/* Options of the command. */
typedef struct trace_opts
{
	int			batch_size;
	size_t		max_line;
	const char *reject_file;
	const char *source;			/* overrides the name recorded with rejects */
	bool		dry_run;
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

/* The documents and rejects not yet written. */
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
	int64_t		dups;			/* duplicates found in this batch */
} batch;

/* Counts for the summary. */
typedef struct totals
{
	int64_t		read;
	int64_t		loaded;
	int64_t		dups;
	int64_t		rejected;
	int64_t		rows[CMT_NTABLES];
	int64_t		rejects_stored;
	int64_t		bytes;			/* input bytes of finished files */
} totals;

/* The whole state of one run. */
typedef struct loader
{
	trace_opts	opt;
	load_global *g;
	PGconn	   *conn;
	char	   *copy_cmd[CMT_NTABLES];
	cmj_ops		ops;
	jca_arena	arena;
	cm_sink		sink;
	batch		batches[2];
	batch	   *cur;			/* the batch being filled by the reader */
	/* the writer thread: takes one full batch at a time */
	pthread_t	writer;
	bool		writer_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	batch	   *job;			/* handed over, not yet taken */
	bool		busy;			/* a batch is handed over or being written */
	bool		stop;
	/* the document being normalised */
	int32_t		cur_rows[CMT_NTABLES];
	bool		cur_has_key;
	size_t		cur_key_off;
	size_t		cur_key_len;
	FILE	   *rejf;
	totals		t;
	/* progress */
	const load_input *in;
	double		t0;
	double		last_progress;
	bool		progress_tty;
	bool		progress_on;
	bool		progress_shown;
} loader;

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

/* Bytes of COPY text held by the batch. */
static size_t
batch_bytes(const batch *b)
{
	size_t		n = b->rejtext.len;

	for (int t = 0; t < CMT_NTABLES; t++)
		n += b->table[t].len;
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

/* cm_sink.row: append one row as COPY text; keep the trace's trace_id. */
static void
sink_row(cm_sink *sink, cm_table t, const cm_cell *cells)
{
	loader	   *L = sink->arg;

	load_copy_row(&L->cur->table[t], &cm_tables[t], cells);
	L->cur_rows[t]++;
	if (t == CMT_TRACE)
	{
		/* column 0 of every table is the (trimmed) trace_id */
		L->cur_key_off = L->cur->keys.len;
		L->cur_key_len = (size_t) cells[0].len;
		load_buf_append(&L->cur->keys, cells[0].s, (size_t) cells[0].len);
		L->cur_has_key = true;
	}
}

/*
 * Keep the document just normalised, whose rows end the table buffers and
 * started at start[]; drop it if its trace_id is already in the batch.
 */
static void
add_doc(loader *L, const size_t *start)
{
	batch	   *b = L->cur;
	uint32_t	slot;
	doc_rec    *d;

	if (!L->cur_has_key)
		load_die(LOAD_EXIT_ERROR, "internal error: a loaded trace has no trace row");
	if (hash_find(b, b->keys.data + L->cur_key_off, L->cur_key_len, &slot) != 0)
	{
		/* first one wins: cut this document's rows off again */
		for (int t = 0; t < CMT_NTABLES; t++)
			b->table[t].len = start[t];
		b->keys.len = L->cur_key_off;
		b->dups++;
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
		d->rows[t] = L->cur_rows[t];
		b->rows[t] += L->cur_rows[t];
	}
	d->key_off = L->cur_key_off;
	d->key_len = L->cur_key_len;
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
write_reject_file(loader *L, const char *source, const load_line *ln,
				  int64_t offset, const char *reason, const char *path)
{
	FILE	   *f = L->rejf;

	fputs("{\"source\":", f);
	json_string(f, source, strlen(source));
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
}

/* Record line ln as rejected: in the batch, and in the reject file if any. */
static void
reject_line(loader *L, const char *source, const load_line *ln, int64_t offset,
			const char *reason, const char *path)
{
	batch	   *b = L->cur;
	reject_rec *r;

	L->t.rejected++;
	if (L->rejf)
		write_reject_file(L, source, ln, offset, reason, path);
	if (b->nrejects == b->rejects_cap)
	{
		b->rejects_cap = b->rejects_cap ? 2 * b->rejects_cap : 256;
		b->rejects = load_realloc(b->rejects, (size_t) b->rejects_cap * sizeof(reject_rec));
	}
	r = &b->rejects[b->nrejects++];
	r->line_no = ln->line_no;
	r->byte_offset = offset;
	r->source_off = b->rejtext.len;
	r->source_len = load_utf8_repair(&b->rejtext, source, strlen(source), 1024);
	r->reason_off = b->rejtext.len;
	r->reason_len = load_utf8_repair(&b->rejtext, reason, strlen(reason), 1024);
	r->has_path = path != NULL;
	r->path_off = b->rejtext.len;
	r->path_len = path ? load_utf8_repair(&b->rejtext, path, strlen(path), 1024) : 0;
	r->raw_off = b->rejtext.len;
	r->raw_len = load_utf8_repair(&b->rejtext, ln->data, ln->len, LOAD_TRACES_RAW_MAX);
}

/* Insert the batch's rejects into costmodel.trace_reject (one statement). */
static void
insert_rejects(loader *L, batch *b)
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
	res = PQexecParams(L->conn, reject_insert_sql, 6, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		load_die_server(L->conn, res, "INSERT INTO costmodel.trace_reject");
	L->t.rejects_stored += strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	for (int i = 0; i < 6; i++)
		load_buf_free(&arr[i]);
}

/* ---------------------------------------------------------------- writing */

/*
 * Ask the server which of the batch's trace_ids it already has; mark those
 * documents as duplicates.  Returns the number newly marked.
 */
static int
check_db_dups(loader *L, batch *b)
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
	res = PQexecParams(L->conn, dup_check_sql, 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		load_die_server(L->conn, res, "checking for loaded traces");
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
	load_buf_free(&arr);
	return marked;
}

/*
 * Remove the rows of documents marked as duplicates from the table buffers,
 * moving the kept rows down in order, and recount the rows per table.
 */
static void
compact(batch *b)
{
	for (int t = 0; t < CMT_NTABLES; t++)
	{
		size_t		w = 0;

		b->rows[t] = 0;
		for (int i = 0; i < b->ndocs; i++)
		{
			doc_rec    *d = &b->docs[i];
			size_t		n = d->end[t] - d->start[t];

			if (d->dup)
			{
				d->start[t] = d->end[t] = w;
				continue;
			}
			if (d->start[t] != w)
				memmove(b->table[t].data + w, b->table[t].data + d->start[t], n);
			d->start[t] = w;
			d->end[t] = w + n;
			w += n;
			b->rows[t] += d->rows[t];
		}
		b->table[t].len = w;
	}
}

/*
 * Is res worth one more try after a fresh duplicate check: a unique
 * violation or a deadlock, both caused by a concurrent loader?
 */
static bool
is_concurrent_conflict(const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	return state && (strcmp(state, "23505") == 0 || strcmp(state, "40P01") == 0);
}

/*
 * Write the batch in one transaction: check for duplicates, COPY the five
 * tables, insert the rejects, commit.  Redone once after a unique violation
 * or a deadlock.
 * Returns the number of documents written.
 */
static int
write_batch(loader *L, batch *b)
{
	bool		retried = false;
	int			kept;

again:
	if (b->ndocs > 0)
	{
		int			marked = check_db_dups(L, b);

		b->dups += marked;
		if (marked > 0)
			compact(b);
	}
	kept = 0;
	for (int i = 0; i < b->ndocs; i++)
		kept += !b->docs[i].dup;
	if (kept == 0 && b->nrejects == 0)
		return 0;

	PQclear(load_exec(L->conn, "BEGIN", PGRES_COMMAND_OK, "BEGIN"));
	for (int k = 0; k < CMT_NTABLES; k++)
	{
		cm_table	t = copy_order[k];
		PGresult   *res;
		char		what[64];

		if (b->table[t].len == 0)
			continue;
		snprintf(what, sizeof(what), "COPY costmodel.%s", cm_tables[t].name);
		res = load_copy_run(L->conn, L->copy_cmd[t], b->table[t].data, b->table[t].len);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
		{
			if (!retried && is_concurrent_conflict(res) && !load_conn_lost(L->conn, res))
			{
				/* another loader committed some of these traces meanwhile */
				PQclear(res);
				PQclear(load_exec(L->conn, "ROLLBACK", PGRES_COMMAND_OK, "ROLLBACK"));
				retried = true;
				goto again;
			}
			load_die_server(L->conn, res, what);
		}
		if (strtoll(PQcmdTuples(res), NULL, 10) != b->rows[t])
			load_die(LOAD_EXIT_ERROR, "%s copied %s rows, expected %d",
					 what, PQcmdTuples(res), b->rows[t]);
		PQclear(res);
	}
	if (b->nrejects > 0)
		insert_rejects(L, b);
	PQclear(load_exec(L->conn, "COMMIT", PGRES_COMMAND_OK, "COMMIT"));
	return kept;
}

/*
 * Write (or, in a dry run, only count) batch b, add it to the totals and
 * empty it.  Runs in the writer thread, or in the reader for a dry run.
 */
static void
finish_batch(loader *L, batch *b)
{
	int			kept = L->opt.dry_run ? b->ndocs : write_batch(L, b);

	L->t.loaded += kept;
	L->t.dups += b->dups;
	for (int t = 0; t < CMT_NTABLES; t++)
		L->t.rows[t] += b->rows[t];
	if (L->opt.dry_run)
		L->t.rejects_stored += b->nrejects;
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
	pthread_mutex_lock(&L->mu);
	while (L->busy)
		pthread_cond_wait(&L->cv, &L->mu);
	pthread_mutex_unlock(&L->mu);
}

/*
 * Hand the full batch to the writer (after it finished the previous one)
 * and go on filling the other batch; a dry run just counts it.
 */
static void
flush_batch(loader *L)
{
	batch	   *b = L->cur;

	if (b->lines == 0)
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

/* Let the writer finish its last batch and end. */
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

/* Parse, normalise and batch one line. */
static void
handle_line(loader *L, json_tokener *tok, const char *source, load_line *ln)
{
	struct json_object *obj;
	cmj_node	doc;
	cm_reject	rej;
	size_t		start[CMT_NTABLES];
	size_t		end;
	char		reason[128];

	L->t.read++;
	L->cur->lines++;
	if (ln->too_long)
	{
		snprintf(reason, sizeof(reason), "line longer than %zu bytes", L->opt.max_line);
		reject_line(L, source, ln, ln->offset, reason, NULL);
		return;
	}
	if (all_space(ln->data, ln->len))
	{
		reject_line(L, source, ln, ln->offset, "empty line", NULL);
		return;
	}

	/* the server's own grammar first: reject what jsonb would reject */
	{
		size_t		off = 0;
		const char *why = pg_json_check(ln->data, ln->len, &off);

		if (why)
		{
			reject_line(L, source, ln, ln->offset + (int64_t) off, why, NULL);
			return;
		}
	}

	/* the length includes the NUL after the line, so a bare number ends */
	json_tokener_reset(tok);
	obj = json_tokener_parse_ex(tok, ln->data, (int) ln->len + 1);
	end = json_tokener_get_parse_end(tok);
	if (obj == NULL)
	{
		enum json_tokener_error err = json_tokener_get_error(tok);

		if (err == json_tokener_continue)
			err = json_tokener_error_parse_eof;
		snprintf(reason, sizeof(reason), "not valid JSON: %s", json_tokener_error_desc(err));
		reject_line(L, source, ln, ln->offset + (int64_t) end, reason, NULL);
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
		reject_line(L, source, ln, ln->offset + (int64_t) end, reason, NULL);
		return;
	}

	jca_root(&L->ops, obj, &doc);
	for (int t = 0; t < CMT_NTABLES; t++)
	{
		start[t] = L->cur->table[t].len;
		L->cur_rows[t] = 0;
	}
	L->cur_has_key = false;
	memset(&rej, 0, sizeof(rej));
	if (cm_trace_normalize(&L->ops, &doc, &L->sink, &rej) == CM_REJECTED)
		reject_line(L, source, ln, ln->offset, rej.reason, rej.path[0] ? rej.path : NULL);
	else
		add_doc(L, start);
	json_object_put(obj);
	jca_arena_reset(&L->arena);
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

/* Print a progress line if it is time: \r on a terminal, else a plain line. */
static void
progress(loader *L, bool force)
{
	double		now,
				secs;
	int64_t		bytes;
	char		b[32];

	if (!L->progress_on)
		return;
	now = load_now();
	if (!force && now - L->last_progress < (L->progress_tty ? PROGRESS_TTY_SECS : PROGRESS_LOG_SECS))
		return;
	L->last_progress = now;
	secs = now - L->t0;
	bytes = L->t.bytes + (L->in ? load_input_consumed(L->in) : 0);
	format_bytes((double) bytes, b, sizeof(b));
	fprintf(stderr, "%s%s: %s read, %lld docs, %.0f docs/s%s",
			L->progress_tty ? "\r" : "", LOAD_PROGNAME, b, (long long) L->t.read,
			secs > 0 ? (double) L->t.read / secs : 0.0,
			L->progress_tty ? "\033[K" : "\n");
	L->progress_shown = true;
}

/* Load one input file ("-" is standard input). */
static void
load_file(loader *L, const char *path)
{
	load_input	in;
	load_line	ln;
	json_tokener *tok;
	bool		is_stdin = strcmp(path, "-") == 0;
	char	   *abs = (L->opt.source || is_stdin) ? NULL : realpath(path, NULL);
	const char *source = L->opt.source ? L->opt.source :
		is_stdin ? "stdin" : abs ? abs : path;
	int			rc;

	if (!load_input_open(&in, path, L->opt.max_line))
		load_die(LOAD_EXIT_ERROR, "%s", in.errmsg);
	/* one tokener per stream */
	tok = json_tokener_new_ex(JSON_DEPTH);
	if (tok == NULL)
		load_oom();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	L->in = &in;
	while ((rc = load_input_next(&in, &ln)) > 0)
	{
		handle_line(L, tok, source, &ln);
		if (L->cur->lines >= L->opt.batch_size || batch_bytes(L->cur) >= BATCH_MAX_BYTES)
			flush_batch(L);
		progress(L, false);
	}
	if (rc < 0)
		load_die(LOAD_EXIT_ERROR, "cannot read \"%s\" near byte %lld: %s",
				 strcmp(path, "-") == 0 ? "standard input" : path,
				 (long long) load_input_consumed(&in), in.errmsg);
	L->t.bytes += load_input_consumed(&in);
	L->in = NULL;
	json_tokener_free(tok);
	load_input_close(&in);
	free(abs);
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
}

/* Parse the command's options into L->opt; returns the index of the first file. */
static int
parse_options(loader *L, int argc, char **argv)
{
	enum
	{
		OPT_MAX_LINE = 300, OPT_REJECT_FILE, OPT_SOURCE
	};
	static const struct option longopts[] = {
		LOAD_GLOBAL_LONGOPTS,
		{"batch-size", required_argument, NULL, 'b'},
		{"max-line-bytes", required_argument, NULL, OPT_MAX_LINE},
		{"reject-file", required_argument, NULL, OPT_REJECT_FILE},
		{"source", required_argument, NULL, OPT_SOURCE},
		{"dry-run", no_argument, NULL, 'n'},
		{NULL, 0, NULL, 0}
	};
	int			c;
	int64_t		v;

	L->opt.batch_size = LOAD_TRACES_BATCH_DEFAULT;
	L->opt.max_line = (size_t) LOAD_TRACES_MAX_LINE_DEFAULT;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" LOAD_GLOBAL_SHORTOPTS "b:n", longopts, NULL)) != -1)
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
			default:
				if (!load_global_option(L->g, c, optarg, argv, optind))
					load_usage_error("invalid option: %s", argv[optind - 1]);
		}
	}
	return optind;
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
	for (int i = 0; i < nfiles; i++)
		if (strcmp(files[i], "-") != 0 && access(files[i], R_OK) != 0)
			load_die(LOAD_EXIT_ERROR, "cannot read \"%s\": %s", files[i], strerror(errno));
	if (L->opt.reject_file &&
		(L->rejf = fopen(L->opt.reject_file, "a")) == NULL)
		load_die(LOAD_EXIT_ERROR, "cannot open reject file \"%s\": %s",
				 L->opt.reject_file, strerror(errno));

	if (!L->opt.dry_run)
	{
		L->conn = load_connect(g);
		load_check_extension(L->conn);
	}
	for (int t = 0; t < CMT_NTABLES; t++)
		L->copy_cmd[t] = load_copy_command(&cm_tables[t]);
	jca_init(&L->ops, &L->arena);
	L->sink.row = sink_row;
	L->sink.want = CM_WANT_ALL;
	L->sink.arg = L;
	batch_init(&L->batches[0], L->opt.batch_size);
	batch_init(&L->batches[1], L->opt.batch_size);
	L->cur = &L->batches[0];
	L->progress_tty = isatty(STDERR_FILENO);
	L->progress_on = !g->quiet && (L->progress_tty || g->progress);
	L->t0 = L->last_progress = load_now();

	/* the server ingests one batch while the next is parsed */
	if (!L->opt.dry_run)
		start_writer(L);
	for (int i = 0; i < nfiles; i++)
		load_file(L, files[i]);
	flush_batch(L);
	stop_writer(L);
	secs = load_now() - L->t0;

	if (L->t.read != L->t.loaded + L->t.dups + L->t.rejected)
		load_die(LOAD_EXIT_ERROR, "internal error: read %lld != loaded %lld + duplicates %lld + rejected %lld",
				 (long long) L->t.read, (long long) L->t.loaded,
				 (long long) L->t.dups, (long long) L->t.rejected);
	if (L->rejf && fclose(L->rejf) != 0)
		load_die(LOAD_EXIT_ERROR, "cannot write reject file \"%s\": %s",
				 L->opt.reject_file, strerror(errno));
	if (L->progress_shown && L->progress_tty)
		fputs("\r\033[K", stderr);
	if (!g->quiet)
		summary(L, secs);
	if (fflush(stdout) != 0)
		load_die(LOAD_EXIT_ERROR, "cannot write the summary: %s", strerror(errno));

	code = L->t.rejected > 0 ? LOAD_EXIT_REJECTS : LOAD_EXIT_OK;
	if (L->conn)
		PQfinish(L->conn);
	for (int t = 0; t < CMT_NTABLES; t++)
		free(L->copy_cmd[t]);
	jca_arena_free(&L->arena);
	batch_free(&L->batches[0]);
	batch_free(&L->batches[1]);
	free(L);
	return code;
}
