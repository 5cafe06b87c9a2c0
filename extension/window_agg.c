/*
 * window_agg.c
 *    The window aggregates repeat_call_stats, leakage_stats, sla_stats and
 *    stale_stats: transition, combine, serialize, deserialize and final
 *    functions over an internal state, so that they run in parallel plans.
 *
 * repeat_call_stats and leakage_stats keep every event of their group as a
 * 16-byte record in a cmw_set (common/cm_window.c): member ids interned to
 * dense int32s (staged and interned 64 rows at a time), events appended to
 * one array that grows by a quarter of its size in the aggregate context.
 * The final function sorts by (member, time) in place and scans once.
 * sla_stats keeps counts and the time to close of every closed case (8
 * bytes each) for exact percentiles; stale_stats keeps counts only.
 * docs/windows.md defines the results and the memory they take.
 *
 * In a parallel plan each worker puts its state in canonical form before it
 * serializes it (members in byte order, events sorted), so that the leader's
 * combine function merges two states in one linear pass.  Serialized states
 * carry every length and are checked against the bytes that are left before
 * anything is allocated or copied; event records are copied in the server's
 * own byte order (states only travel between the processes of one server)
 * and each one is validated.
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

/* Kinds of state, also the first word of a serialized state. */
#define KIND_REPEAT		0x434d5701	/* "CMW" 1 */
#define KIND_LEAKAGE	0x434d5702
#define KIND_SLA		0x434d5703
#define KIND_STALE		0x434d5704

/* State of repeat_call_stats and leakage_stats. */
typedef struct EventState
{
	int32		kind;
	Interval	within;			/* the window as given on the first row */
	int64		window;			/* ... in microseconds */
	cmw_set		set;
} EventState;

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

static const Interval repeat_default = {0, 7, 0};	/* 7 days */
static const Interval leakage_default = {INT64CONST(24) * USECS_PER_HOUR, 0, 0};
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

/* A finite time from argument argno, or the error. */
static inline int64
finite_time(FunctionCallInfo fcinfo, int argno, const char *fn, const char *arg)
{
	TimestampTz t = PG_GETARG_TIMESTAMPTZ(argno);

	if (TIMESTAMP_NOT_FINITE(t))
		costmodel_infinite_time(fn, arg);
	return t;
}

/* The window argument argno (or the default when it is absent). */
static inline const Interval *
window_arg(FunctionCallInfo fcinfo, int argno, const Interval *deflt,
		   const char *fn, const char *arg, const char *deflt_text)
{
	if (PG_NARGS() <= argno)
		return deflt;
	if (PG_ARGISNULL(argno))
		costmodel_window_null(fn, arg, deflt_text);
	return PG_GETARG_INTERVAL_P(argno);
}

/* ------------------------------------------------------------- allocation */

/* cmw_alloc in a memory context: huge allocations, errors on failure. */
static void *
mcx_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocHuge((MemoryContext) ctx, size);
}

/* Resize a chunk (it stays in its own context). */
static void *
mcx_grow(void *ctx, void *ptr, size_t size)
{
	return repalloc_huge(ptr, size);
}

/* Free a chunk. */
static void
mcx_release(void *ctx, void *ptr)
{
	pfree(ptr);
}

/* An allocator for the set functions over context cxt. */
static cmw_alloc
allocator(MemoryContext cxt)
{
	cmw_alloc	a;

	a.alloc = mcx_alloc;
	a.grow = mcx_grow;
	a.release = mcx_release;
	a.ctx = cxt;
	return a;
}

/* Raise the error for a state past the limits of cm_window.c. */
static void
too_large(const char *fn)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s: too many members or events in one group", fn),
			 errdetail("A group holds at most 2^31-2 distinct members and 4 GB of member ids."),
			 errhint("Group by a finer key, such as day or segment.")));
}

/* -------------------------------------------------------------- event state */

/* A new event state in cxt for the window within. */
static EventState *
event_state_new(MemoryContext cxt, int32 kind, const Interval *within,
				const char *fn, const char *arg)
{
	int64		window = costmodel_window_usec(within, fn, arg);
	EventState *st = MemoryContextAllocZero(cxt, sizeof(EventState));
	cmw_alloc	a = allocator(cxt);

	st->kind = kind;
	st->within = *within;
	st->window = window;
	cmw_set_init(&st->set, &a);
	return st;
}

/* Append an event of member text m (interned later, in a batch). */
static inline void
event_add(EventState *st, text *m, int64 at, uint32 flags, const char *fn)
{
	if (!cmw_stage(&st->set, VARDATA_ANY(m), VARSIZE_ANY_EXHDR(m), at, flags))
		too_large(fn);
}

/* Intern the staged member ids of st. */
static void
event_flush(EventState *st, const char *fn)
{
	if (!cmw_flush(&st->set))
		too_large(fn);
}

PG_FUNCTION_INFO_V1(costmodel_repeat_call_trans);
/* repeat_call_stats transition: (state, member_id, called_at [, within]). */
Datum
costmodel_repeat_call_trans(PG_FUNCTION_ARGS)
{
	static const char fn[] = "repeat_call_stats";
	MemoryContext aggcxt;
	EventState *st;
	const Interval *within;
	int64		at;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "%s transition called in non-aggregate context", fn);
	within = window_arg(fcinfo, 3, &repeat_default, fn, "within", "7 days");
	if (PG_ARGISNULL(0))
		st = event_state_new(aggcxt, KIND_REPEAT, within, fn, "within");
	else
	{
		st = (EventState *) PG_GETARG_POINTER(0);
		costmodel_window_same(within, &st->within, st->window, fn, "within");
	}
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	at = finite_time(fcinfo, 2, fn, "called_at");
	event_add(st, PG_GETARG_TEXT_PP(1), at, CMW_CALL, fn);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(costmodel_leakage_trans);
/* leakage_stats transition: (state, member_id, at, is_call, is_failure [, within]). */
Datum
costmodel_leakage_trans(PG_FUNCTION_ARGS)
{
	static const char fn[] = "leakage_stats";
	MemoryContext aggcxt;
	EventState *st;
	const Interval *within;
	uint32		flags;
	int64		at;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "%s transition called in non-aggregate context", fn);
	within = window_arg(fcinfo, 5, &leakage_default, fn, "within", "24 hours");
	if (PG_ARGISNULL(0))
		st = event_state_new(aggcxt, KIND_LEAKAGE, within, fn, "within");
	else
	{
		st = (EventState *) PG_GETARG_POINTER(0);
		costmodel_window_same(within, &st->within, st->window, fn, "within");
	}
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	/* NULL flags are false; a call is never a failure */
	if (!PG_ARGISNULL(3) && PG_GETARG_BOOL(3))
		flags = CMW_CALL;
	else if (!PG_ARGISNULL(4) && PG_GETARG_BOOL(4))
		flags = CMW_FAILURE;
	else
		PG_RETURN_POINTER(st);	/* neither: cannot matter */
	at = finite_time(fcinfo, 2, fn, "at");
	event_add(st, PG_GETARG_TEXT_PP(1), at, flags, fn);
	PG_RETURN_POINTER(st);
}

/* The name of the aggregate an event state belongs to. */
static const char *
event_fn(const EventState *st)
{
	return st->kind == KIND_REPEAT ? "repeat_call_stats" : "leakage_stats";
}

PG_FUNCTION_INFO_V1(costmodel_window_events_combine);
/* Combine two event states; copies the second when the first is NULL. */
Datum
costmodel_window_events_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	EventState *dst;
	EventState *src;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "window_events_combine called in non-aggregate context");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	src = (EventState *) PG_GETARG_POINTER(1);
	event_flush(src, event_fn(src));
	if (PG_ARGISNULL(0))
	{
		cmw_alloc	a = allocator(aggcxt);

		dst = MemoryContextAlloc(aggcxt, sizeof(EventState));
		*dst = *src;
		if (!cmw_copy(&dst->set, &src->set, &a))
			too_large(event_fn(src));
		PG_RETURN_POINTER(dst);
	}
	dst = (EventState *) PG_GETARG_POINTER(0);
	event_flush(dst, event_fn(dst));
	if (dst->kind != src->kind)
		elog(ERROR, "window_events_combine: states of different aggregates");
	if (dst->window != src->window)
		costmodel_window_changed(event_fn(dst), "within", &dst->within, &src->within);
	if (!cmw_merge(&dst->set, &src->set))
		too_large(event_fn(dst));
	PG_RETURN_POINTER(dst);
}

/* Raise the error for a serialized state that is too large for a bytea. */
static void
state_too_large(const char *fn, Size need)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s: a partial state of %zu bytes is too large to pass between parallel processes",
					fn, need),
			 errdetail("A serialized state is limited to 1 GB, about 60 million events per process and group."),
			 errhint("Group by a finer key, or SET max_parallel_workers_per_gather = 0 for this query.")));
}

PG_FUNCTION_INFO_V1(costmodel_window_events_serialize);
/*
 * Serialize an event state in canonical form: kind, window (time, day,
 * month, microseconds), member count, event count, each member as (length,
 * bytes) in ascending id order, then the event records sorted by (member,
 * at).
 */
Datum
costmodel_window_events_serialize(PG_FUNCTION_ARGS)
{
	EventState *st;
	StringInfoData buf;
	Size		need;
	int32		m;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "window_events_serialize called in non-aggregate context");
	st = (EventState *) PG_GETARG_POINTER(0);
	/* sorting here, in the worker, lets the leader merge in one pass */
	if (!cmw_canonicalize(&st->set))
		too_large(event_fn(st));

	need = 4 + 16 + 8 + 4 + 8 + (Size) st->set.nmembers * 4 + st->set.nbytes;
	if (st->set.n > (MaxAllocSize - VARHDRSZ - need) / sizeof(cmw_event))
		state_too_large(event_fn(st), need + st->set.n * sizeof(cmw_event));
	need += st->set.n * sizeof(cmw_event);
	if (need > MaxAllocSize - VARHDRSZ - 1)
		state_too_large(event_fn(st), need);

	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, (int) need);
	pq_sendint32(&buf, (uint32) st->kind);
	pq_sendint64(&buf, st->within.time);
	pq_sendint32(&buf, (uint32) st->within.day);
	pq_sendint32(&buf, (uint32) st->within.month);
	pq_sendint64(&buf, st->window);
	pq_sendint32(&buf, (uint32) st->set.nmembers);
	pq_sendint64(&buf, (int64) st->set.n);
	for (m = 0; m < st->set.nmembers; m++)
	{
		size_t		len;
		const char *id = cmw_member_bytes(&st->set, m, &len);

		pq_sendint32(&buf, (uint32) len);
		pq_sendbytes(&buf, id, (int) len);
	}
	if (st->set.n > 0)
		pq_sendbytes(&buf, (const char *) st->set.ev,
					 (int) (st->set.n * sizeof(cmw_event)));
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Raise the error for a corrupt serialized state. */
static void
corrupt(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid serialized window aggregate state: %s", what)));
}

/* A read-only StringInfo over the bytes of b. */
static void
read_bytea(StringInfo buf, bytea *b)
{
	buf->data = VARDATA_ANY(b);
	buf->len = VARSIZE_ANY_EXHDR(b);
	buf->maxlen = 0;
	buf->cursor = 0;
}

/* The bytes left to read in buf. */
static inline Size
remaining(StringInfo buf)
{
	return (Size) (buf->len - buf->cursor);
}

/* Read an interval window and its microseconds, checked. */
static void
read_window(StringInfo buf, Interval *within, int64 *window)
{
	int64		usec = 0;

	within->time = pq_getmsgint64(buf);
	within->day = (int32) pq_getmsgint(buf, 4);
	within->month = (int32) pq_getmsgint(buf, 4);
	*window = pq_getmsgint64(buf);
	if (cmw_window_usec(within->month, within->day, within->time, &usec) != CMW_WINDOW_OK ||
		usec != *window)
		corrupt("bad window");
}

PG_FUNCTION_INFO_V1(costmodel_window_events_deserialize);
/*
 * Deserialize an event state, checking every length against the bytes
 * left, the member ids' order and every event record.
 */
Datum
costmodel_window_events_deserialize(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	EventState *st;
	cmw_alloc	a;
	int32		kind;
	int32		nmembers;
	int64		nevents;
	int32		m;
	int64		i;
	uint32		allowed;
	const char *prev = NULL;
	int32		prevlen = 0;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "window_events_deserialize called in non-aggregate context");
	read_bytea(&buf, PG_GETARG_BYTEA_PP(0));

	kind = (int32) pq_getmsgint(&buf, 4);
	if (kind != KIND_REPEAT && kind != KIND_LEAKAGE)
		corrupt("unknown kind");
	st = palloc0(sizeof(EventState));
	st->kind = kind;
	read_window(&buf, &st->within, &st->window);
	nmembers = (int32) pq_getmsgint(&buf, 4);
	nevents = pq_getmsgint64(&buf);
	if (nmembers < 0 || (Size) nmembers > remaining(&buf) / 4)
		corrupt("bad member count");
	if (nevents < 0 || (uint64) nevents > remaining(&buf) / sizeof(cmw_event))
		corrupt("bad event count");
	if (nevents > 0 && nmembers == 0)
		corrupt("events without members");

	a = allocator(CurrentMemoryContext);
	cmw_set_init(&st->set, &a);
	for (m = 0; m < nmembers; m++)
	{
		int32		len = (int32) pq_getmsgint(&buf, 4);
		const char *id;

		if (len < 0 || (Size) len > remaining(&buf))
			corrupt("bad member length");
		id = pq_getmsgbytes(&buf, len);
		/* strictly ascending ids: also proves there are no duplicates */
		if (m > 0 && cmw_id_cmp(prev, prevlen, id, len) >= 0)
			corrupt("member ids out of order");
		if (cmw_push_member(&st->set, id, len) != m)
			too_large(event_fn(st));
		prev = id;
		prevlen = len;
	}

	if (remaining(&buf) != (Size) nevents * sizeof(cmw_event))
		corrupt("event bytes do not match the event count");
	if (nevents > 0)
	{
		const char *p = pq_getmsgbytes(&buf, (int) (nevents * sizeof(cmw_event)));

		/*
		 * The records are read where they are when they are aligned: the
		 * bytea outlives this state (both live until the combine function
		 * has used it), and the set copies them before it would write.
		 */
		if ((uintptr_t) p % sizeof(int64) == 0)
			cmw_borrow_events(&st->set, (cmw_event *) unconstify(char *, p), (size_t) nevents);
		else
		{
			if (!cmw_reserve(&st->set, (size_t) nevents))
				too_large(event_fn(st));
			memcpy(st->set.ev, p, (size_t) nevents * sizeof(cmw_event));
			st->set.n = (size_t) nevents;
		}
	}
	allowed = kind == KIND_REPEAT ? CMW_CALL : CMW_CALL | CMW_FAILURE;
	for (i = 0; i < nevents; i++)
	{
		const cmw_event *e = &st->set.ev[i];

		if (e->member < 0 || e->member >= nmembers)
			corrupt("member out of range");
		if ((e->flags & ~allowed) != 0 || e->flags == 0 ||
			e->flags == (CMW_CALL | CMW_FAILURE))
			corrupt("bad event flags");
		if (TIMESTAMP_NOT_FINITE(e->at))
			corrupt("infinite time");
		if (i > 0 && (e[-1].member > e->member ||
					  (e[-1].member == e->member && e[-1].at > e->at)))
			corrupt("events out of order");
	}
	cmw_set_canonical(&st->set);
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(st);
}

/* ------------------------------------------------------------------- results */

/* A composite result of the final function's declared row type. */
static Datum
result_row(FunctionCallInfo fcinfo, Datum *values, bool *nulls)
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
static void
set_rate(Datum *values, bool *nulls, int i, int64 part, int64 whole)
{
	nulls[i] = whole == 0;
	values[i] = Float8GetDatum(whole == 0 ? 0.0 : (double) part / (double) whole);
}

PG_FUNCTION_INFO_V1(costmodel_repeat_call_final);
/* (calls, repeat_calls, repeat_rate); zero counts for no rows. */
Datum
costmodel_repeat_call_final(PG_FUNCTION_ARGS)
{
	cmw_repeat_counts c = {0, 0};
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "repeat_call_stats final called in non-aggregate context");
	if (!PG_ARGISNULL(0))
	{
		EventState *st = (EventState *) PG_GETARG_POINTER(0);

		if (!cmw_sort(&st->set))
			too_large("repeat_call_stats");
		cmw_repeats(&st->set, st->window, &c);
	}
	values[0] = Int64GetDatum(c.calls);
	values[1] = Int64GetDatum(c.repeat_calls);
	set_rate(values, nulls, 2, c.repeat_calls, c.calls);
	PG_RETURN_DATUM(result_row(fcinfo, values, nulls));
}

PG_FUNCTION_INFO_V1(costmodel_leakage_final);
/* (failures, leaked_failures, leakage_rate, calls, leaked_calls). */
Datum
costmodel_leakage_final(PG_FUNCTION_ARGS)
{
	cmw_leak_counts c = {0, 0, 0, 0};
	Datum		values[5];
	bool		nulls[5] = {false, false, false, false, false};

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "leakage_stats final called in non-aggregate context");
	if (!PG_ARGISNULL(0))
	{
		EventState *st = (EventState *) PG_GETARG_POINTER(0);

		if (!cmw_sort(&st->set))
			too_large("leakage_stats");
		cmw_leakage(&st->set, st->window, &c);
	}
	values[0] = Int64GetDatum(c.failures);
	values[1] = Int64GetDatum(c.leaked_failures);
	set_rate(values, nulls, 2, c.leaked_failures, c.failures);
	values[3] = Int64GetDatum(c.calls);
	values[4] = Int64GetDatum(c.leaked_calls);
	PG_RETURN_DATUM(result_row(fcinfo, values, nulls));
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
	sla = window_arg(fcinfo, 3, &sla_default, fn, "sla", "7 days");
	st = case_state(fcinfo, aggcxt, KIND_SLA, sla, "sla", as_of_arg(fcinfo, 4, fn));
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(st);
	opened = finite_time(fcinfo, 1, fn, "opened_at");
	st->cases++;
	if (PG_ARGISNULL(2))
	{
		st->open_cases++;
		if (cmw_exceeds(st->as_of, opened, st->window))
			st->breached++;
	}
	else
	{
		TimestampTz closed = finite_time(fcinfo, 2, fn, "closed_at");
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
	threshold = window_arg(fcinfo, 3, &stale_default, fn, "threshold", "48 hours");
	st = case_state(fcinfo, aggcxt, KIND_STALE, threshold, "threshold",
					as_of_arg(fcinfo, 4, fn));
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || !PG_GETARG_BOOL(2))
		PG_RETURN_POINTER(st);
	st->cases++;
	if (cmw_exceeds(st->as_of, finite_time(fcinfo, 1, fn, "last_touch_at"), st->window))
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
		state_too_large(case_fn(st), need + st->nclosed * sizeof(int64));
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
	read_bytea(&buf, PG_GETARG_BYTEA_PP(0));

	st = palloc0(sizeof(CaseState));
	st->cxt = CurrentMemoryContext;
	st->kind = (int32) pq_getmsgint(&buf, 4);
	if (st->kind != KIND_SLA && st->kind != KIND_STALE)
		corrupt("unknown kind");
	read_window(&buf, &st->within, &st->window);
	st->as_of = pq_getmsgint64(&buf);
	st->cases = pq_getmsgint64(&buf);
	st->open_cases = pq_getmsgint64(&buf);
	st->breached = pq_getmsgint64(&buf);
	st->nclosed = pq_getmsgint64(&buf);
	if (TIMESTAMP_NOT_FINITE(st->as_of))
		corrupt("infinite as_of");
	if (st->cases < 0 || st->open_cases < 0 || st->breached < 0 || st->nclosed < 0 ||
		st->open_cases > st->cases || st->breached > st->cases)
		corrupt("bad counts");
	if (st->kind == KIND_SLA ? st->nclosed != st->cases - st->open_cases
		: (st->nclosed != 0 || st->open_cases != 0))
		corrupt("counts do not add up");
	if (remaining(&buf) != (Size) st->nclosed * sizeof(int64))
		corrupt("closed-case bytes do not match the count");
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
	set_rate(values, nulls, 3, st ? st->breached : 0, st ? st->cases : 0);
	if (st && st->nclosed > 0)
	{
		/* selection reorders the times; the set of values stays the same */
		values[4] = Float8GetDatum(cmw_percentile_cont(st->closed, st->nclosed, 0.5,
													   (double) USECS_PER_HOUR));
		values[5] = Float8GetDatum(cmw_percentile_cont(st->closed, st->nclosed, 0.9,
													   (double) USECS_PER_HOUR));
		nulls[4] = nulls[5] = false;
	}
	PG_RETURN_DATUM(result_row(fcinfo, values, nulls));
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
	set_rate(values, nulls, 2, st ? st->breached : 0, st ? st->cases : 0);
	PG_RETURN_DATUM(result_row(fcinfo, values, nulls));
}
