/*
 * cm_trace.h
 *    The trace normaliser: one cost-estimator trace document in, rows of
 *    fact_trace, fact_request, fact_response and fact_exception out, plus a
 *    list of every value that was nulled or normalised.
 *
 * Written once, against cm_json.h, and shared by costmodel.so and
 * costmodel-load.  The column lists below are the single definition of the
 * row shapes; the SQL install script must declare the same columns in the
 * same order (test/schema_sync checks it).
 */
#ifndef CM_TRACE_H
#define CM_TRACE_H

#include "cm_json.h"
#include "cm_values.h"

/* Kinds of cell value; each maps to one SQL type. */
typedef enum cm_kind
{
	CMK_TEXT,					/* text */
	CMK_INT,					/* integer */
	CMK_BOOL,					/* boolean */
	CMK_MONEY,					/* numeric(14,2), value in cents */
	CMK_RATE,					/* numeric(7,4), value in 1/10000 */
	CMK_TS,						/* timestamptz, microseconds since 1970 UTC */
	CMK_DATE					/* date, days since 1970-01-01 */
} cm_kind;

typedef struct cm_column
{
	const char *name;
	cm_kind		kind;
} cm_column;

/*
 * One output cell.  Text points at len bytes, not NUL-terminated.  A MONEY or
 * RATE cell read exactly from a JSON number also keeps that number's reader
 * handle (cmj_node.ref) in num, so that a writer that knows the reader may
 * copy the stored number instead of building one from i; NULL otherwise.
 */
typedef struct cm_cell
{
	bool		isnull;
	int			len;
	const char *s;
	int64_t		i;				/* INT, BOOL, MONEY, RATE, TS, DATE */
	const void *num;			/* MONEY, RATE: the JSON number's handle, or NULL */
} cm_cell;

typedef enum cm_table
{
	CMT_TRACE = 0,
	CMT_REQUEST,
	CMT_RESPONSE,
	CMT_EXCEPTION,
	CMT_PROBLEM,				/* the rows of costmodel.trace_problems() */
	CMT_NTABLES
} cm_table;

typedef struct cm_table_def
{
	const char *name;			/* SQL table name without schema */
	int			ncolumns;
	const cm_column *columns;
} cm_table_def;

extern const cm_table_def cm_tables[CMT_NTABLES];

/* Receives rows as the normaliser produces them. */
typedef struct cm_sink cm_sink;
struct cm_sink
{
	/* one row of table t; cells has cm_tables[t].ncolumns entries */
	void		(*row) (cm_sink *sink, cm_table t, const cm_cell *cells);
	/* tables the caller wants; rows of others are not built (bit per cm_table) */
	unsigned	want;
	void	   *arg;
};

#define CM_WANT(t)		(1u << (t))
#define CM_WANT_ALL		((1u << CMT_NTABLES) - 1)

/* Why a document was rejected. */
typedef struct cm_reject
{
	const char *reason;			/* static sentence */
	char		path[128];		/* JSON path of the offending value */
} cm_reject;

typedef enum cm_result
{
	CM_LOADED = 0,
	CM_REJECTED
} cm_result;

/* Longest trace_id accepted, in bytes. */
#define CM_MAX_TRACE_ID		200

/*
 * Normalise one document.  On CM_REJECTED no row has been emitted and *rej
 * says why.  Rows are emitted in table order: the trace row last, since it
 * carries counts of everything else.
 */
cm_result	cm_trace_normalize(const cmj_ops *ops, const cmj_node *doc,
							   cm_sink *sink, cm_reject *rej);

#endif							/* CM_TRACE_H */
