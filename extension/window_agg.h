/*
 * window_agg.h
 *    Argument checks shared by the window aggregates (window_agg.c) and the
 *    per-row window functions (window_fn.c): the window interval and
 *    finite times.
 */
#ifndef COSTMODEL_WINDOW_AGG_H
#define COSTMODEL_WINDOW_AGG_H

#include "postgres.h"

#include "datatype/timestamp.h"

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

#endif							/* COSTMODEL_WINDOW_AGG_H */
