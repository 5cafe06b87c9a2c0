/*
 * cm_csv_schema.h
 *    The targets of costmodel-load csv: for every source table, its columns
 *    with their types, whether they are required, the header aliases they
 *    answer to, their allowed values or ranges, and the foreign keys the
 *    loader checks.  This one table drives header matching, value parsing,
 *    the COPY rows, the upsert statement and the documentation
 *    (costmodel-load csv --list-columns, costmodel.csv_columns()).
 *
 * The columns must agree with extension/sql/20_sources.sql; the pg_regress
 * test csv_schema compares them with the catalog.  Plain C99.
 */
#ifndef CM_CSV_SCHEMA_H
#define CM_CSV_SCHEMA_H

#include <stdbool.h>
#include <stdint.h>

#include "cm_enums.h"

/* How a column's text is read; each maps to one SQL type. */
typedef enum cmc_type
{
	CMC_TEXT = 0,				/* text: trimmed, empty is NULL */
	CMC_ID,						/* text identifier: trimmed; empty or "N/A" is missing */
	CMC_INT,					/* integer/smallint in [min, max] (cmv_int32) */
	CMC_DEC2,					/* numeric(p,2) >= min cents (cmv_money) */
	CMC_DEC3,					/* numeric(p,3) in [min, max] thousandths */
	CMC_BOOL,					/* boolean (cmv_bool) */
	CMC_TS,						/* timestamptz (cmv_timestamp) */
	CMC_DATE,					/* date (cmv_date) */
	CMC_ENUM,					/* text: one of an enumeration (cm_enum_canonical) */
	CMC_CODE,					/* text normalised by a code rule (cmc_code) */
	CMC_JSON					/* jsonb: a JSON object (cases.metadata) */
} cmc_type;

/* Code rules of CMC_CODE columns. */
typedef enum cmc_code
{
	CODE_NONE = 0,
	CODE_STATE,					/* two letters, upper-cased: "ma" is MA */
	CODE_ZIP5,					/* five digits: 2138 is 02138, 02138-1234 is 02138 */
	CODE_POS2,					/* two digits: 1 is 01 */
	CODE_ICD10					/* upper case without the dot: e11.9 is E119 */
} cmc_code;

/* Column flags. */
#define CMC_REQUIRED	0x01	/* NOT NULL: a missing header rejects the file,
								 * a missing or unreadable value the row */
#define CMC_KEY			0x02	/* the primary key (also REQUIRED) */
#define CMC_PROVENANCE	0x04	/* written by the loader, never read from a file */
#define CMC_DERIVED		0x08	/* computed from another column when that one
								 * is given (cases' metadata, claims' status) */
#define CMC_FILE_NAME	0x10	/* when the file has no such column: the file's
								 * name without directory and extension */

/* One column of a target table. */
typedef struct cmc_column
{
	const char *name;
	cmc_type	type;
	unsigned	flags;
	const char *const *aliases; /* other header names, NULL-terminated, or NULL */
	cm_enum_id	enum_id;		/* CMC_ENUM */
	cmc_code	code;			/* CMC_CODE */
	int64_t		min;			/* CMC_INT, CMC_DEC2, CMC_DEC3 when has_min */
	int64_t		max;			/* when has_max */
	bool		has_min;
	bool		has_max;
	const char *fk_table;		/* checked: the value must be a key of this source */
	const char *sql_type;		/* the SQL type, as format_type() prints it */
} cmc_column;

/* Cross-column rules of a source, checked per row (the table's CHECKs). */
typedef enum cmc_rule
{
	RULE_NONE = 0,
	RULE_DIGITAL,				/* failure_reason only when outcome <> success */
	RULE_PHARMACY,				/* denied_reason only when denied */
	RULE_CASES					/* resolved_at >= opened_at */
} cmc_rule;

/* One target: a source table. */
typedef struct cmc_source
{
	const char *name;			/* --source NAME, also the table name */
	const char *summary;		/* for --help */
	int			ncolumns;
	const cmc_column *columns;
	cmc_rule	rule;
	const char *newer_column;	/* a stored row is replaced only by a row at least
								 * this new (NULL is oldest), or NULL */
} cmc_source;

extern const cmc_source cmc_sources[];
extern const int cmc_nsources;

/* The source called name, or NULL. */
const cmc_source *cmc_source_find(const char *name);

/* Index of column name in source s, or -1. */
int			cmc_column_find(const cmc_source *s, const char *name);

/* Index of the key column of s. */
int			cmc_key_column(const cmc_source *s);

/* A short name of a column type for listings ("timestamp", "money", ...). */
const char *cmc_type_name(const cmc_column *c);

#endif							/* CM_CSV_SCHEMA_H */
