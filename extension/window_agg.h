/*
 * window_agg.h
 *    What the window aggregates (window_agg.c, window_events.c) and the
 *    per-row window functions (window_fn.c) share: the checks of the window
 *    interval and of finite times, the checks of a serialized state, and
 *    the result row.
 */
#ifndef COSTMODEL_WINDOW_AGG_H
#define COSTMODEL_WINDOW_AGG_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/timestamp.h"

/*
 * The window iv as microseconds (a day is 24 hours).  fn and arg name the
 * function and argument in the error raised for a month part, a window
 * that is not positive, or one too long.
 */
extern int64 costmodel_window_usec(const Interval *iv, const char *fn,
								   const char *arg);

/* Raise the error for a NULL window; deflt is the default, as text. */
extern void costmodel_window_null(const char *fn, const char *arg,
								  const char *deflt) pg_attribute_noreturn();

/* Raise the error for a window that differs between rows of one group. */
extern void costmodel_window_changed(const char *fn, const char *arg,
									 const Interval *first,
									 const Interval *now) pg_attribute_noreturn();

/* Raise the error for an infinite time in argument arg. */
extern void costmodel_infinite_time(const char *fn,
									const char *arg) pg_attribute_noreturn();

/*
 * Check that iv is the window already in use (*first, *window_usec): the
 * same bytes, or another spelling of the same duration.
 */
static inline void
costmodel_window_same(const Interval *iv, const Interval *first,
					  int64 window_usec, const char *fn, const char *arg)
{
	if (iv->time == first->time && iv->day == first->day &&
		iv->month == first->month)
		return;
	if (costmodel_window_usec(iv, fn, arg) != window_usec)
		costmodel_window_changed(fn, arg, first, iv);
}

/* A finite time from argument argno, or the error. */
static inline int64
costmodel_finite_time(FunctionCallInfo fcinfo, int argno, const char *fn, const char *arg)
{
	TimestampTz t = PG_GETARG_TIMESTAMPTZ(argno);

	if (TIMESTAMP_NOT_FINITE(t))
		costmodel_infinite_time(fn, arg);
	return t;
}

/* The window argument argno (or the default when it is absent). */
static inline const Interval *
costmodel_window_arg(FunctionCallInfo fcinfo, int argno, const Interval *deflt,
					 const char *fn, const char *arg, const char *deflt_text)
{
	if (PG_NARGS() <= argno)
		return deflt;
	if (PG_ARGISNULL(argno))
		costmodel_window_null(fn, arg, deflt_text);
	return PG_GETARG_INTERVAL_P(argno);
}

/* Raise the error for a serialized state that is too large for a bytea. */
extern void costmodel_window_state_too_large(const char *fn, Size need) pg_attribute_noreturn();

/* Raise the error for a corrupt serialized state. */
extern void costmodel_window_corrupt(const char *what) pg_attribute_noreturn();

/* A read-only StringInfo over the bytes of b. */
extern void costmodel_window_read_bytea(StringInfo buf, bytea *b);

/* The bytes left to read in buf. */
static inline Size
costmodel_window_remaining(StringInfo buf)
{
	return (Size) (buf->len - buf->cursor);
}

/* Read an interval window and its microseconds, checked. */
extern void costmodel_window_read_window(StringInfo buf, Interval *within, int64 *window);

/* A composite result of the final function's declared row type. */
extern Datum costmodel_window_result_row(FunctionCallInfo fcinfo, Datum *values, bool *nulls);

/* part / whole in values[i], or NULL (nulls[i]) when whole is 0. */
extern void costmodel_window_set_rate(Datum *values, bool *nulls, int i, int64 part,
									  int64 whole);

#endif							/* COSTMODEL_WINDOW_AGG_H */
