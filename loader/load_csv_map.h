/*
 * load_csv_map.h
 *    Header map files (--map FILE) of costmodel-load csv, and the auxiliary
 *    files a map can draw values from (lookups and per-key sums, as the
 *    Synthea claims map does with payers.csv and claims_transactions.csv).
 *    The format is described in docs/csv-loading.md.
 */
#ifndef LOAD_CSV_MAP_H
#define LOAD_CSV_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cm_csv.h"
#include "cm_csv_schema.h"

/* What an auxiliary directive computes for a column. */
typedef enum csv_aux_kind
{
	AUX_NONE = 0,
	AUX_LOOKUP,					/* the column's value is replaced by aux VALUE where aux KEY = it */
	AUX_SUM,					/* the sum of aux VALUE over the rows where aux KEY = the row's key */
	AUX_FIRST					/* aux VALUE of the first such row */
} csv_aux_kind;

/* One entry of an auxiliary table: a key and what was gathered for it. */
typedef struct csv_aux_entry
{
	size_t		key_off;
	size_t		key_len;
	int64_t		sum;			/* cents (AUX_SUM) */
	int64_t		rows;			/* matching rows */
	bool		bad;			/* a value could not be read */
	size_t		bad_line;		/* the aux line of the first such value */
	size_t		val_off;		/* AUX_LOOKUP / AUX_FIRST: the value text */
	size_t		val_len;
	bool		has_val;
} csv_aux_entry;

/* An auxiliary directive and, once built, its table. */
typedef struct csv_aux
{
	csv_aux_kind kind;
	char	   *file;			/* as written in the map */
	char	   *value_col;
	char	   *key_col;
	char	   *where_col;		/* NULL for no filter */
	char	  **where_vals;
	int			nwhere;
	bool		decimal_comma;
	/* the table, keyed by key text (open addressing) */
	char	   *text;			/* keys and values, back to back */
	size_t		text_len;
	size_t		text_cap;
	csv_aux_entry *entries;
	int64_t		nentries;
	int64_t		entries_cap;
	int64_t    *slots;			/* entry index + 1, 0 for empty */
	uint64_t	slot_mask;
	int64_t		rows_read;		/* data rows of the aux file */
} csv_aux;

/* What a map says about one target column. */
typedef struct csv_colmap
{
	char	   *header;			/* source header, or NULL (match by name and aliases) */
	char	   *date_format;
	int			decimal_comma;	/* -1: not set */
	char	   *constant;		/* value for every row, or NULL */
	char	  **null_vals;		/* source values that mean NULL */
	int			nnull;
	char	  **from;			/* source value spellings ... */
	char	  **to;				/* ... and what they stand for */
	int			nvalues;
	char	  **join;			/* headers whose values are joined with ", " */
	int			njoin;
	csv_aux		aux;
} csv_colmap;

/* A parsed map file. */
typedef struct csv_map
{
	char	   *path;
	char	   *source;			/* "source = NAME", or NULL */
	int			encoding;		/* cm_csv_encoding, or -1 */
	char		delim;			/* 0: detect */
	int			decimal_comma;	/* -1: not set */
	char	   *date_format;	/* default for date and timestamp columns */
	int			ncols;
	csv_colmap *cols;			/* one per column of the source */
} csv_map;

/* An empty map (no file) for source s. */
void		csv_map_init(csv_map *m, const cmc_source *s);

/*
 * Read map file path for source s into m (initialised by csv_map_init).
 * False with a message "FILE:LINE: why" in err on a syntax error.
 */
bool		csv_map_read(csv_map *m, const char *path, const cmc_source *s,
						 char *err, size_t errsize);
void		csv_map_free(csv_map *m);

/*
 * Build the tables of every auxiliary directive of m, reading the files
 * relative to directory dir.  False with a message in err.
 */
bool		csv_aux_build(csv_map *m, const char *dir, char *err, size_t errsize);

/* Forget the tables built by csv_aux_build (the directives stay). */
void		csv_aux_clear(csv_map *m);

/* The entry of key/len in aux table a, or NULL. */
const csv_aux_entry *csv_aux_get(const csv_aux *a, const char *key, size_t len);

/* Parse a map boolean ("yes", "no", "true", ...); -1 when it is none. */
int			csv_map_bool(const char *s);

#endif							/* LOAD_CSV_MAP_H */
