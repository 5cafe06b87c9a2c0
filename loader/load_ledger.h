/*
 * load_ledger.h
 *    The load ledger of costmodel-load (costmodel.load_ledger and
 *    load_ledger_range; see docs/loader.md): the SHA-256 that identifies a
 *    source, the first pass over a file that computes it and splits the file
 *    into ranges for --jobs, taking over or creating a source's ledger rows
 *    under an advisory lock, ending a run, and the "status" command.
 */
#ifndef LOAD_LEDGER_H
#define LOAD_LEDGER_H

#include "load.h"

/* Most byte ranges a source is split into (the most --jobs). */
#define LOAD_MAX_JOBS		64

/* ---------------------------------------------------------------- SHA-256 */

/* A SHA-256 computation (FIPS 180-4). */
typedef struct load_sha256
{
	uint32_t	h[8];
	uint64_t	bytes;			/* message length so far */
	unsigned char block[64];
	size_t		used;			/* bytes in block */
} load_sha256;

void		load_sha256_init(load_sha256 *s);
void		load_sha256_update(load_sha256 *s, const void *data, size_t len);
void		load_sha256_hex(load_sha256 *s, char out[65]);
bool		load_sha256_accelerated(void);

/* ---------------------------------------------------------------- first pass */

/* Where a range starts: a byte offset at a line start, and the lines before it. */
typedef struct load_split
{
	int64_t		offset;
	int64_t		lines;
} load_split;

/* What the first pass learns about a file. */
typedef struct load_file_info
{
	char		sha256[65];		/* of the uncompressed content */
	int64_t		input_bytes;	/* uncompressed */
	int64_t		stored_bytes;	/* as stored */
	bool		compressed;
	int			nranges;
	load_split	split[LOAD_MAX_JOBS];	/* split[0] is {0, 0} */
	double		seconds;
} load_file_info;

bool		load_first_pass(const char *path, int nranges, load_file_info *info,
							char *err, size_t errsize);

/* ---------------------------------------------------------------- ledger */

/* One byte range of a source and its committed progress. */
typedef struct ledger_range
{
	int			no;
	int64_t		start;
	int64_t		end;			/* -1: to the end of the stream */
	int64_t		start_line;
	int64_t		committed;		/* offset after the last committed batch */
	int64_t		committed_lines;
	/* committed by earlier runs, when this run took the range over */
	int64_t		read;
	int64_t		loaded;
	int64_t		dups;
	int64_t		rejected;
} ledger_range;

/* What ledger_begin() found. */
typedef enum ledger_state
{
	LEDGER_NEW,					/* a new load */
	LEDGER_RESUME,				/* an unfinished load, taken over */
	LEDGER_FINISHED				/* finished before: nothing to do */
} ledger_state;

/* One source's ledger entry, as this run sees it. */
typedef struct ledger
{
	char	   *import_id;
	bool		named;			/* given with --import-id */
	char		token[40];		/* this run's owner token */
	const char *source;			/* path or "stdin", for display */
	const char *sha256;			/* NULL when not known yet (stdin) */
	int64_t		stored_bytes;	/* -1 unknown */
	int64_t		input_bytes;	/* -1 unknown */
	ledger_state state;
	int			nranges;
	ledger_range ranges[LOAD_MAX_JOBS];
	/* a finished load: when, and its totals */
	char		finished_at[64];
	char		finished_id[160];
	int64_t		fin_read,
				fin_loaded,
				fin_dups,
				fin_rejected;
	bool		locked;
} ledger;

/* The UPDATE that commits a batch's progress, with its 11 parameters. */
extern const char *const ledger_batch_sql;
/* The query that reads a range's progress after a lost connection. */
extern const char *const ledger_range_sql;

void		ledger_token(char *out, size_t size);
void		ledger_check_tables(PGconn *conn);
void		ledger_begin(PGconn *conn, ledger *lg, const load_split *splits,
						 int nsplits, bool quiet);
bool		ledger_relock(PGconn *conn, const ledger *lg);
void		ledger_end(PGconn *conn, ledger *lg, const char *status,
					   const char *message, double seconds);
void		ledger_unlock(PGconn *conn, ledger *lg);

#endif							/* LOAD_LEDGER_H */
