/*
 * gen_traces.h
 *    The "traces" subcommand of costmodel-gen: a deterministic stream of
 *    realistic cost-estimator traces, one JSON document per line (NDJSON),
 *    with the messy forms, client retries and malformed lines that the
 *    consumers must tolerate.
 *
 * The generator knows nothing about files: it hands finished lines, in large
 * chunks that always end on a line boundary, to a write callback.
 */
#ifndef GEN_TRACES_H
#define GEN_TRACES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Receives output bytes; returns false on a write error. */
typedef bool (*gen_write_fn) (void *arg, const char *buf, size_t len);

/* Limits the command line checks before calling gen_traces_run(). */
#define GEN_TRACES_MAX_COUNT	INT64_C(1000000000)
#define GEN_TRACES_MAX_DAYS		3660

/* What to generate. */
typedef struct gen_traces_opts
{
	int64_t		count;			/* output lines, duplicates and bad ones included */
	uint64_t	seed;			/* same seed and options: same bytes */
	int			start_year;		/* first day of the range, a valid date */
	int			start_month;
	int			start_day;
	int			days;			/* length of the range, 1..GEN_TRACES_MAX_DAYS */
	bool		clean;			/* no messy forms, duplicates or malformed lines */
} gen_traces_opts;

/* Outcomes of gen_traces_run(). */
typedef enum gen_traces_status
{
	GEN_TRACES_OK = 0,
	GEN_TRACES_WRITE_FAILED,	/* the callback returned false */
	GEN_TRACES_NO_MEMORY
} gen_traces_status;

/* Generate opts->count lines and pass them to write(arg, ...). */
gen_traces_status gen_traces_run(const gen_traces_opts *opts,
								 gen_write_fn write, void *arg);

#endif							/* GEN_TRACES_H */
