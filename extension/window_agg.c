/*
 * window_agg.c
 *    The case aggregates sla_stats and stale_stats (transition, combine,
 *    serialize, deserialize and final functions over an internal state, so
 *    that they run in parallel plans), and what every window aggregate and
 *    window function shares: the argument checks, the checks of a
 *    serialized state and the result row.  repeat_call_stats and
 *    leakage_stats are in window_events.c.
 *
 * sla_stats keeps counts and the time to close of every closed case (8
 * bytes each) for exact percentiles; stale_stats keeps counts only.
 * docs/windows.md defines the results and the memory they take.
 * Serialized states carry every length and are checked against the bytes
 * that are left before anything is allocated or copied.
 */
#include "postgres.h"

#include "access/xact.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "common/int.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "cm_window.h"
#include "window_agg.h"

/* Kinds of case state, also the first word of a serialized state. */
#define KIND_SLA		0x434d5703	/* "CMW" 3 (1 and 2: window_shared.h) */
#define KIND_STALE		0x434d5704

/* State of sla_stats and stale_stats. */
typedef struct CaseState
{
	int32		kind;
	Interval	within;			/* sla or threshold as given */
	int64		window;			/* ... in microseconds */
	TimestampTz as_of;
	int64		cases;			/* sla: cases; stale: open cases */
	int64		open_cases;		/* sla only */
	int64		breached;		/* sla: breached; stale: stale */
	int64	   *closed;			/* sla: microseconds to close, per closed case */
	int64		nclosed;
	int64		capclosed;
	MemoryContext cxt;
} CaseState;

static const Interval sla_default = {0, 7, 0};	/* 7 days */
static const Interval stale_default = {INT64CONST(48) * USECS_PER_HOUR, 0, 0};

/* ---------------------------------------------------------- argument checks */

/* An interval as text, for messages. */
static char *
interval_text(const Interval *iv)
{
	return DatumGetCString(DirectFunctionCall1(interval_out,
											   PointerGetDatum(iv)));
}

/* The window iv as microseconds (a day is 24 hours), or an error. */
int64
costmodel_window_usec(const Interval *iv, const char *fn, const char *arg)
{
	int64		usec = 0;

	/* PostgreSQL 17 encodes +/-infinity with every field at its extreme */
	if ((iv->month == PG_INT32_MAX && iv->day == PG_INT32_MAX && iv->time == PG_INT64_MAX) ||
		(iv->month == PG_INT32_MIN && iv->day == PG_INT32_MIN && iv->time == PG_INT64_MIN))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: %s must be a finite interval", fn, arg),
				 errhint("Pass a positive window such as '7 days' or '24 hours'.")));
	switch (cmw_window_usec(iv->month, iv->day, iv->time, &usec))
	{
		case CMW_WINDOW_OK:
			break;
		case CMW_WINDOW_MONTHS:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: %s must not have a month or year part: \"%s\"",
							fn, arg, interval_text(iv)),
					 errdetail("A month has no fixed length, so the window would be ambiguous."),
					 errhint("Give the window in days or hours, e.g. '30 days'; a day counts as 24 hours.")));
			break;
		case CMW_WINDOW_NOT_POSITIVE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: %s must be a positive interval, not \"%s\"",
							fn, arg, interval_text(iv)),
					 errhint("Pass a positive window such as '7 days' or '24 hours'.")));
			break;
		case CMW_WINDOW_TOO_LONG:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: %s is too long: \"%s\"", fn, arg, interval_text(iv)),
					 errhint("Pass a window shorter than 290,000 years.")));
			break;
	}
	return usec;
}

/* Raise the error for a NULL window; deflt is the default, as text. */
void
costmodel_window_null(const char *fn, const char *arg, const char *deflt)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("%s: %s must not be NULL", fn, arg),
			 errhint("Omit the argument to use the default, %s.", deflt)));
}

/* Raise the error for a window that differs between rows of one group. */
void
costmodel_window_changed(const char *fn, const char *arg,
						 const Interval *first, const Interval *now)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: %s changed within a group, from \"%s\" to \"%s\"",
					fn, arg, interval_text(first), interval_text(now)),
			 errdetail("Every row of a group must use the same %s.", arg),
			 errhint("Pass a constant, or add the %s to GROUP BY (or PARTITION BY).", arg)));
}

/* Raise the error for an infinite time in argument arg. */
void
costmodel_infinite_time(const char *fn, const char *arg)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("%s: %s must be finite, not infinity or -infinity", fn, arg),
			 errhint("Filter out the rows with an infinite %s, or replace it with NULL.", arg)));
}

/* -------------------------------------------------- serialized states */

/* Raise the error for a serialized state that is too large for a bytea. */
void
costmodel_window_state_too_large(const char *fn, Size need)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s: a partial state of %zu bytes is too large to pass between parallel processes",
					fn, need),
			 errdetail("A serialized state is limited to 1 GB: about 85 million events, or 130 million closed cases, of one group in one process."),
			 errhint("Group by a finer key, or SET max_parallel_workers_per_gather = 0 for this query.")));
}

/* Raise the error for a corrupt serialized state. */
void
costmodel_window_corrupt(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid serialized window aggregate state: %s", what)));
}

/* A read-only StringInfo over the bytes of b. */
void
costmodel_window_read_bytea(StringInfo buf, bytea *b)
{
	buf->data = VARDATA_ANY(b);
	buf->len = VARSIZE_ANY_EXHDR(b);
	buf->maxlen = 0;
	buf->cursor = 0;
}

/* Read an interval window and its microseconds, checked. */
void
costmodel_window_read_window(StringInfo buf, Interval *within, int64 *window)
{
	int64		usec = 0;

	within->time = pq_getmsgint64(buf);
	within->day = (int32) pq_getmsgint(buf, 4);
	within->month = (int32) pq_getmsgint(buf, 4);
	*window = pq_getmsgint64(buf);
	if (cmw_window_usec(within->month, within->day, within->time, &usec) != CMW_WINDOW_OK ||
		usec != *window)
		costmodel_window_corrupt("bad window");
}

/* ------------------------------------------------------------------- results */

/* A composite result of the final function's declared row type. */
Datum
costmodel_window_result_row(FunctionCallInfo fcinfo, Datum *values, bool *nulls)
{
	TupleDesc	td;

	if (fcinfo->flinfo->fn_extra == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "window aggregate final function must return a row type");
		fcinfo->flinfo->fn_extra = BlessTupleDesc(CreateTupleDescCopy(td));
		MemoryContextSwitchTo(old);
	}
	td = (TupleDesc) fcinfo->flinfo->fn_extra;
	return HeapTupleGetDatum(heap_form_tuple(td, values, nulls));
}

/* part / whole, or NULL (nulls[i]) when whole is 0. */
void
costmodel_window_set_rate(Datum *values, bool *nulls, int i, int64 part, int64 whole)
{
	nulls[i] = whole == 0;
	values[i] = Float8GetDatum(whole == 0 ? 0.0 : (double) part / (double) whole);
}

/* --------------------------------------------------------------- case state */

/* The name of the aggregate a case state belongs to. */
static const char *
case_fn(const CaseState *st)
{
	return st->kind == KIND_SLA ? "sla_stats" : "stale_stats";
}

/* The as_of argument argno, or the transaction start (now()) when absent. */
static TimestampTz
as_of_arg(FunctionCallInfo fcinfo, int argno, const char *fn)
{
	TimestampTz t;

	if (PG_NARGS() <= argno)
		return GetCurrentTransactionStartTimestamp();
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: as_of must not be NULL", fn),
				 errhint("Omit the argument to use now(), or pass a time.")));
	t = PG_GETARG_TIMESTAMPTZ(argno);
	if (TIMESTAMP_NOT_FINITE(t))
		costmodel_infinite_time(fn, "as_of");
	return t;
}

/* Raise the error for an as_of that differs between rows of one group. */
static void
as_of_changed(const char *fn, TimestampTz first, TimestampTz now)
{
	/* timestamptz_to_str returns a static buffer: copy each result */
	char	   *a = pstrdup(timestamptz_to_str(first));
	char	   *b = pstrdup(timestamptz_to_str(now));

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: as_of changed within a group, from \"%s\" to \"%s\"", fn, a, b),
			 errdetail("Every row of a group must use the same as_of."),
			 errhint("Pass one as_of for the whole query, e.g. a constant or now().")));
}

/* The case state for this row: new on the first row, else checked. */
static CaseState *
case_state(FunctionCallInfo fcinfo, MemoryContext aggcxt, int32 kind,
		   const Interval *within, const char *arg, TimestampTz as_of)
{
	const char *fn = kind == KIND_SLA ? "sla_stats" : "stale_stats";
	CaseState  *st;

	if (PG_ARGISNULL(0))
	{
		int64		window = costmodel_window_usec(within, fn, arg);

		st = MemoryContextAllocZero(aggcxt, sizeof(CaseState));
		st->kind = kind;
		st->within = *within;
		st->window = window;
		st->as_of = as_of;
		st->cxt = aggcxt;
		return st;
	}
	st = (CaseState *) PG_GETARG_POINTER(0);
	costmodel_window_same(within, &st->within, st->window, fn, arg);
	if (as_of != st->as_of)
		as_of_changed(fn, st->as_of, as_of);
	return st;
}

/* Append one time to close (microseconds) to an sla state. */
static inline void
add_closed(CaseState *st, int64 usec)
{
	if (st->nclosed == st->capclosed)
	{
		int64		cap = st->capclosed < 256 ? 256 : st->capclosed + st->capclosed / 4;

		if (st->closed == NULL)
			st->closed = MemoryContextAllocHuge(st->cxt, cap * sizeof(int64));
		else
			st->closed = repalloc_huge(st->closed, cap * sizeof(int64));
		st->capclosed = cap;
	}
	st->closed[st->nclosed++] = usec;
}

PG_FUNCTION_INFO_V1(costmodel_sla_trans);
/* sla_stats transition: (state, opened_at, closed_at [, sla [, as_of]]). */
Datum
costmodel_sla_trans(PG_FUNCTION_ARGS)
{
	static const char fn[] = "sla_stats";
	MemoryContext aggcxt;
	CaseState  *st;
	const Interval *sla;
	TimestampTz opened;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "%s transition called in non-aggregate context", fn);
	sla = costmodel_window_arg(fcinfo, 3, &sla_default, fn, "sla", "7 days");
	st = case_state(fcinfo, aggcxt, KIND_SLA, sla, "sla", as_of_arg(fcinfo, 4, fn));
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	opened = costmodel_finite_time(fcinfo, 1, fn, "opened_at");
	st->cases++;
	if (PG_ARGISNULL(2))
	{
		st->open_cases++;
		if (cmw_exceeds(st->as_of, opened, st->window))
			st->breached++;
	}
	else
	{
		TimestampTz closed = costmodel_finite_time(fcinfo, 2, fn, "closed_at");
		int64		usec;

		if (pg_sub_s64_overflow(closed, opened, &usec))
			ereport(ERROR,
					(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
					 errmsg("%s: closed_at - opened_at is out of range", fn)));
		if (usec > st->window)
			st->breached++;
		add_closed(st, usec);
	}
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(costmodel_stale_trans);
/* stale_stats transition: (state, last_touch_at, is_open [, threshold [, as_of]]). */
Datum
costmodel_stale_trans(PG_FUNCTION_ARGS)
{
	static const char fn[] = "stale_stats";
	MemoryContext aggcxt;
	CaseState  *st;
	const Interval *threshold;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "%s transition called in non-aggregate context", fn);
	threshold = costmodel_window_arg(fcinfo, 3, &stale_default, fn, "threshold", "48 hours");
	st = case_state(fcinfo, aggcxt, KIND_STALE, threshold, "threshold",
					as_of_arg(fcinfo, 4, fn));
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || !PG_GETARG_BOOL(2))
		PG_RETURN_POINTER(st);
	st->cases++;
	if (cmw_exceeds(st->as_of, costmodel_finite_time(fcinfo, 1, fn, "last_touch_at"), st->window))
		st->breached++;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(costmodel_window_cases_combine);
/* Combine two case states; copies the second when the first is NULL. */
Datum
costmodel_window_cases_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	CaseState  *dst;
	CaseState  *src;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "window_cases_combine called in non-aggregate context");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	src = (CaseState *) PG_GETARG_POINTER(1);
	if (PG_ARGISNULL(0))
	{
		dst = MemoryContextAlloc(aggcxt, sizeof(CaseState));
		*dst = *src;
		dst->cxt = aggcxt;
		dst->closed = NULL;
		dst->nclosed = dst->capclosed = 0;
		if (src->nclosed > 0)
		{
			dst->closed = MemoryContextAllocHuge(aggcxt, src->nclosed * sizeof(int64));
			memcpy(dst->closed, src->closed, src->nclosed * sizeof(int64));
			dst->nclosed = dst->capclosed = src->nclosed;
		}
		PG_RETURN_POINTER(dst);
	}
	dst = (CaseState *) PG_GETARG_POINTER(0);
	if (dst->kind != src->kind)
		elog(ERROR, "window_cases_combine: states of different aggregates");
	if (dst->window != src->window)
		costmodel_window_changed(case_fn(dst), dst->kind == KIND_SLA ? "sla" : "threshold",
								 &dst->within, &src->within);
	if (dst->as_of != src->as_of)
		as_of_changed(case_fn(dst), dst->as_of, src->as_of);
	dst->cases += src->cases;
	dst->open_cases += src->open_cases;
	dst->breached += src->breached;
	if (src->nclosed > 0)
	{
		int64		need = dst->nclosed + src->nclosed;

		if (need > dst->capclosed)
		{
			if (dst->closed == NULL)
				dst->closed = MemoryContextAllocHuge(dst->cxt, need * sizeof(int64));
			else
				dst->closed = repalloc_huge(dst->closed, need * sizeof(int64));
			dst->capclosed = need;
		}
		memcpy(dst->closed + dst->nclosed, src->closed, src->nclosed * sizeof(int64));
		dst->nclosed = need;
	}
	PG_RETURN_POINTER(dst);
}

PG_FUNCTION_INFO_V1(costmodel_window_cases_serialize);
/*
 * Serialize a case state: kind, window (time, day, month, microseconds),
 * as_of, the three counts, the number of closed cases, then their times to
 * close.
 */
Datum
costmodel_window_cases_serialize(PG_FUNCTION_ARGS)
{
	CaseState  *st;
	StringInfoData buf;
	Size		need;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "window_cases_serialize called in non-aggregate context");
	st = (CaseState *) PG_GETARG_POINTER(0);
	need = 4 + 16 + 8 + 8 + 3 * 8 + 8;
	if ((Size) st->nclosed > (MaxAllocSize - VARHDRSZ - 1 - need) / sizeof(int64))
		costmodel_window_state_too_large(case_fn(st), need + st->nclosed * sizeof(int64));
	need += st->nclosed * sizeof(int64);

	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, (int) need);
	pq_sendint32(&buf, (uint32) st->kind);
	pq_sendint64(&buf, st->within.time);
	pq_sendint32(&buf, (uint32) st->within.day);
	pq_sendint32(&buf, (uint32) st->within.month);
	pq_sendint64(&buf, st->window);
	pq_sendint64(&buf, st->as_of);
	pq_sendint64(&buf, st->cases);
	pq_sendint64(&buf, st->open_cases);
	pq_sendint64(&buf, st->breached);
	pq_sendint64(&buf, st->nclosed);
	if (st->nclosed > 0)
		pq_sendbytes(&buf, (const char *) st->closed, (int) (st->nclosed * sizeof(int64)));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(costmodel_window_cases_deserialize);
/* Deserialize a case state, checking every count and length. */
Datum
costmodel_window_cases_deserialize(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	CaseState  *st;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "window_cases_deserialize called in non-aggregate context");
	costmodel_window_read_bytea(&buf, PG_GETARG_BYTEA_PP(0));

	st = palloc0(sizeof(CaseState));
	st->cxt = CurrentMemoryContext;
	st->kind = (int32) pq_getmsgint(&buf, 4);
	if (st->kind != KIND_SLA && st->kind != KIND_STALE)
		costmodel_window_corrupt("unknown kind");
	costmodel_window_read_window(&buf, &st->within, &st->window);
	st->as_of = pq_getmsgint64(&buf);
	st->cases = pq_getmsgint64(&buf);
	st->open_cases = pq_getmsgint64(&buf);
	st->breached = pq_getmsgint64(&buf);
	st->nclosed = pq_getmsgint64(&buf);
	if (TIMESTAMP_NOT_FINITE(st->as_of))
		costmodel_window_corrupt("infinite as_of");
	if (st->cases < 0 || st->open_cases < 0 || st->breached < 0 || st->nclosed < 0 ||
		st->open_cases > st->cases || st->breached > st->cases)
		costmodel_window_corrupt("bad counts");
	if (st->kind == KIND_SLA ? st->nclosed != st->cases - st->open_cases
		: (st->nclosed != 0 || st->open_cases != 0))
		costmodel_window_corrupt("counts do not add up");
	if (costmodel_window_remaining(&buf) != (Size) st->nclosed * sizeof(int64))
		costmodel_window_corrupt("closed-case bytes do not match the count");
	if (st->nclosed > 0)
	{
		st->closed = MemoryContextAllocHuge(st->cxt, st->nclosed * sizeof(int64));
		memcpy(st->closed, pq_getmsgbytes(&buf, (int) (st->nclosed * sizeof(int64))),
			   st->nclosed * sizeof(int64));
		st->capclosed = st->nclosed;
	}
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(costmodel_sla_final);
/*
 * (cases, open_cases, breached, breach_rate, median_hours_to_close,
 * p90_hours_to_close); the percentiles are exact, as percentile_cont.
 */
Datum
costmodel_sla_final(PG_FUNCTION_ARGS)
{
	Datum		values[6];
	bool		nulls[6] = {false, false, false, true, true, true};
	CaseState  *st = NULL;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "sla_stats final called in non-aggregate context");
	if (!PG_ARGISNULL(0))
		st = (CaseState *) PG_GETARG_POINTER(0);
	values[0] = Int64GetDatum(st ? st->cases : 0);
	values[1] = Int64GetDatum(st ? st->open_cases : 0);
	values[2] = Int64GetDatum(st ? st->breached : 0);
	costmodel_window_set_rate(values, nulls, 3, st ? st->breached : 0, st ? st->cases : 0);
	if (st && st->nclosed > 0)
	{
		/* selection reorders the times; the set of values stays the same */
		values[4] = Float8GetDatum(cmw_percentile_cont(st->closed, st->nclosed, 0.5,
													   (double) USECS_PER_HOUR));
		values[5] = Float8GetDatum(cmw_percentile_cont(st->closed, st->nclosed, 0.9,
													   (double) USECS_PER_HOUR));
		nulls[4] = nulls[5] = false;
	}
	PG_RETURN_DATUM(costmodel_window_result_row(fcinfo, values, nulls));
}

PG_FUNCTION_INFO_V1(costmodel_stale_final);
/* (open_cases, stale_cases, stale_rate). */
Datum
costmodel_stale_final(PG_FUNCTION_ARGS)
{
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	CaseState  *st = NULL;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "stale_stats final called in non-aggregate context");
	if (!PG_ARGISNULL(0))
		st = (CaseState *) PG_GETARG_POINTER(0);
	values[0] = Int64GetDatum(st ? st->cases : 0);
	values[1] = Int64GetDatum(st ? st->breached : 0);
	costmodel_window_set_rate(values, nulls, 2, st ? st->breached : 0, st ? st->cases : 0);
	PG_RETURN_DATUM(costmodel_window_result_row(fcinfo, values, nulls));
}
