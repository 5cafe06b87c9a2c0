/*
 * row_writer.h
 *    Rows of the trace tables written straight into minimal tuples, for the
 *    trace functions' tuplestore.
 */
#ifndef ROW_WRITER_H
#define ROW_WRITER_H

#include "postgres.h"

#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "datatype/timestamp.h"
#include "utils/date.h"

#include "cm_trace.h"

typedef struct row_writer row_writer;

/* Days between the Unix and PostgreSQL epochs. */
#define CM_EPOCH_SHIFT_DAYS	(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE)

/* A CMK_TS cell (microseconds since 1970) as a timestamptz. */
static inline TimestampTz
cm_cell_timestamptz(const cm_cell *c)
{
	return (TimestampTz) (c->i - (int64) CM_EPOCH_SHIFT_DAYS * USECS_PER_DAY);
}

/* A CMK_DATE cell (days since 1970) as a date. */
static inline DateADT
cm_cell_date(const cm_cell *c)
{
	return (DateADT) (c->i - CM_EPOCH_SHIFT_DAYS);
}

/*
 * A writer of rows of table def into tuples of row type desc, whose
 * attributes are the table's columns in order (no dropped ones); NULL when
 * the row type is not one it can write (then form tuples the generic way).
 * Allocated in the current memory context.
 */
extern row_writer *row_writer_create(TupleDesc desc, const cm_table_def *def);

/*
 * The row of cells as a minimal tuple, the same bytes heap_form_minimal_tuple
 * makes of their Datums: in the writer's buffer, valid until the next call.
 */
extern MinimalTuple row_writer_form(row_writer *w, const cm_cell *cells);

#endif							/* ROW_WRITER_H */
