/*
 * window_fn.c
 *    Per-row flags for the silver tables and for drill-down, as window
 *    functions over one member's rows in time order:
 *
 *      is_repeat_call(called_at, within)
 *          OVER (PARTITION BY member_id ORDER BY called_at)
 *      leaked_to_call(at, is_call, is_failure, within)
 *          OVER (PARTITION BY member_id ORDER BY at)
 *
 * They give, row by row, exactly what repeat_call_stats and leakage_stats
 * count (docs/windows.md).  Both need the rows in ascending time order and
 * raise an error when a time goes backwards.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/timestamp.h"
#include "windowapi.h"

#include "cm_window.h"
#include "window_agg.h"

static const Interval repeat_default = {0, 7, 0};	/* 7 days */
static const Interval leakage_default = {INT64CONST(24) * USECS_PER_HOUR, 0, 0};

/* What a window function remembers within one partition (zeroed at start). */
typedef struct PartState
{
	bool		have_window;
	Interval	within;			/* as given on the partition's first row */
	int64		window;			/* ... in microseconds */
	bool		have_prev;		/* prev_at is set */
	int64		prev_at;		/* time of the previous non-NULL row */
	/* leaked_to_call: failures so far, and the next call after a failure */
	bool		have_fail;
	int64		fail_max;		/* latest failure time so far */
	bool		have_fail_below;
	int64		fail_below;		/* latest failure time before fail_max */
	int64		scan_pos;		/* next row to look at for a call, or 0 */
	bool		have_next_call;
	int64		next_call_at;	/* first call found at or after scan_pos */
	int64		next_call_pos;
} PartState;

/* Check the window of this row against the partition's. */
static void
part_window(PartState *ps, WindowObject winobj, int nargs, int argno,
			const Interval *deflt, const char *fn, const char *deflt_text)
{
	bool		isnull = false;
	const Interval *iv;

	if (nargs <= argno)
		iv = deflt;
	else
	{
		iv = DatumGetIntervalP(WinGetFuncArgCurrent(winobj, argno, &isnull));
		if (isnull)
			costmodel_window_null(fn, "within", deflt_text);
	}
	if (!ps->have_window)
	{
		ps->window = costmodel_window_usec(iv, fn, "within");
		ps->within = *iv;
		ps->have_window = true;
	}
	else
		costmodel_window_same(iv, &ps->within, ps->window, fn, "within");
}

/* The current row's time (false when NULL); checks ascending order. */
static bool
current_time(PartState *ps, WindowObject winobj, const char *fn,
			 const char *arg, int64 *at)
{
	bool		isnull = false;
	Datum		d = WinGetFuncArgCurrent(winobj, 0, &isnull);

	if (isnull)
		return false;
	*at = DatumGetTimestampTz(d);
	if (TIMESTAMP_NOT_FINITE(*at))
		costmodel_infinite_time(fn, arg);
	if (ps->have_prev && *at < ps->prev_at)
		ereport(ERROR,
				(errcode(ERRCODE_WINDOWING_ERROR),
				 errmsg("%s: rows must be in ascending order of %s", fn, arg),
				 errhint("Use OVER (PARTITION BY member_id ORDER BY %s).", arg)));
	return true;
}

PG_FUNCTION_INFO_V1(costmodel_is_repeat_call);
/*
 * is_repeat_call(called_at, within): true when the previous call of the
 * partition is at most within before this one; false for the first call;
 * NULL when called_at is NULL.
 */
Datum
costmodel_is_repeat_call(PG_FUNCTION_ARGS)
{
	static const char fn[] = "is_repeat_call";
	WindowObject winobj = PG_WINDOW_OBJECT();
	PartState  *ps = WinGetPartitionLocalMemory(winobj, sizeof(PartState));
	int64		at;
	bool		repeat;

	part_window(ps, winobj, PG_NARGS(), 1, &repeat_default, fn, "7 days");
	if (!current_time(ps, winobj, fn, "called_at", &at))
		PG_RETURN_NULL();
	repeat = ps->have_prev && cmw_within(at, ps->prev_at, ps->window);
	ps->have_prev = true;
	ps->prev_at = at;
	PG_RETURN_BOOL(repeat);
}

/* Is the row at pos a call (true), and when (*at)?  NULL times are not. */
static bool
row_is_call(WindowObject winobj, int64 pos, int64 *at)
{
	bool		isnull = false,
				isout = false;
	Datum		d;

	d = WinGetFuncArgInPartition(winobj, 1, pos, WINDOW_SEEK_HEAD, false,
								 &isnull, &isout);
	if (isout || isnull || !DatumGetBool(d))
		return false;
	d = WinGetFuncArgInPartition(winobj, 0, pos, WINDOW_SEEK_HEAD, false,
								 &isnull, &isout);
	if (isout || isnull)
		return false;
	*at = DatumGetTimestampTz(d);
	return true;
}

/* Is there a row at pos? */
static bool
row_exists(WindowObject winobj, int64 pos)
{
	bool		isnull = false,
				isout = false;

	(void) WinGetFuncArgInPartition(winobj, 0, pos, WINDOW_SEEK_HEAD, false,
									&isnull, &isout);
	return !isout;
}

/* The first call strictly after t, scanning forward from the last one found. */
static bool
next_call_after(PartState *ps, WindowObject winobj, int64 t, int64 *call_at)
{
	int64		pos;

	if (ps->have_next_call && ps->next_call_at > t)
	{
		*call_at = ps->next_call_at;
		return true;
	}
	pos = ps->have_next_call ? ps->next_call_pos + 1 : ps->scan_pos;
	if (pos <= WinGetCurrentPosition(winobj))
		pos = WinGetCurrentPosition(winobj) + 1;
	ps->have_next_call = false;
	for (;; pos++)
	{
		int64		at;

		if (row_is_call(winobj, pos, &at))
		{
			if (at > t)
			{
				ps->have_next_call = true;
				ps->next_call_at = at;
				ps->next_call_pos = pos;
				ps->scan_pos = pos;
				*call_at = at;
				return true;
			}
		}
		else if (!row_exists(winobj, pos))
		{
			ps->scan_pos = pos;
			return false;
		}
	}
}

PG_FUNCTION_INFO_V1(costmodel_leaked_to_call);
/*
 * leaked_to_call(at, is_call, is_failure, within): for a failure, true when
 * the member calls within the window after it; for a call, true when a
 * failure lies within the window before it; NULL for other rows and for a
 * NULL time.  NULL flags count as false; a call is never a failure.
 */
Datum
costmodel_leaked_to_call(PG_FUNCTION_ARGS)
{
	static const char fn[] = "leaked_to_call";
	WindowObject winobj = PG_WINDOW_OBJECT();
	PartState  *ps = WinGetPartitionLocalMemory(winobj, sizeof(PartState));
	bool		isnull = false;
	bool		is_call,
				is_failure;
	Datum		d;
	int64		at;
	bool		result;

	part_window(ps, winobj, PG_NARGS(), 3, &leakage_default, fn, "24 hours");
	if (!current_time(ps, winobj, fn, "at", &at))
		PG_RETURN_NULL();
	ps->have_prev = true;
	ps->prev_at = at;
	d = WinGetFuncArgCurrent(winobj, 1, &isnull);
	is_call = !isnull && DatumGetBool(d);
	d = WinGetFuncArgCurrent(winobj, 2, &isnull);
	is_failure = !is_call && !isnull && DatumGetBool(d);

	if (is_call)
	{
		/* the latest failure strictly before this call (rows come in time order) */
		if (ps->have_fail && ps->fail_max < at)
			result = cmw_within(at, ps->fail_max, ps->window);
		else if (ps->have_fail_below)
			result = cmw_within(at, ps->fail_below, ps->window);
		else
			result = false;
	}
	else if (is_failure)
	{
		int64		c;

		if (!ps->have_fail)
		{
			ps->have_fail = true;
			ps->fail_max = at;
		}
		else if (at > ps->fail_max)
		{
			ps->have_fail_below = true;
			ps->fail_below = ps->fail_max;
			ps->fail_max = at;
		}
		result = next_call_after(ps, winobj, at, &c) && cmw_within(c, at, ps->window);
	}
	else
		PG_RETURN_NULL();
	PG_RETURN_BOOL(result);
}
