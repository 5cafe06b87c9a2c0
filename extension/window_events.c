/*
 * window_events.c
 *    repeat_call_stats and leakage_stats: transition, combine, serialize,
 *    deserialize and final functions over an internal state, so that they
 *    run in parallel plans.
 *
 * A group's state (EventState, 64 bytes from its pool) keeps its events as
 * 12-byte records {member key, time} (common/cm_window.c): in 8-event
 * segments while the group is small, in one array past 688 events.  Member
 * ids are interned into the dictionary that every group of the plan node
 * shares (window_shared.c), staged and interned 64 rows at a time.  The
 * final function sorts the events by (member, time), in place for a large
 * group and in the node's scratch area for a small one, and scans once.
 * docs/windows.md defines the results and the memory they take.
 *
 * In a parallel plan a worker serializes each group with the ids of the
 * members it uses, numbered locally; the leader's deserialize function
 * checks every length and record and keeps the bytes where they are (an
 * EventLight), and its combine function interns those ids into the
 * leader's own dictionary and appends the events renumbered.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "port/pg_bswap.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "cm_window.h"
#include "window_agg.h"
#include "window_shared.h"

/* The kind of a deserialized state, which only the combine function reads. */
#define KIND_LIGHT		0x00800000

/* State of one group. */
typedef struct EventState
{
	int32		kind;			/* KIND_REPEAT or KIND_LEAKAGE */
	int32		wid;			/* its window: node->windows[wid] */
	WinNode    *node;
	cmw_events	ev;
} EventState;

/* A deserialized state: ids and events where the bytea has them. */
typedef struct EventLight
{
	int32		kind;			/* KIND_REPEAT or KIND_LEAKAGE, | KIND_LIGHT */
	Interval	within;
	int64		window;
	uint32		nmembers;
	const char *members;		/* nmembers (uint32 length, bytes), checked */
	const cmw_event *ev;		/* local member numbers as keys */
	uint64		n;
} EventLight;

static const Interval repeat_default = {0, 7, 0};	/* 7 days */
static const Interval leakage_default = {INT64CONST(24) * USECS_PER_HOUR, 0, 0};

/* Raise the error for a group past the limits of cm_window.c. */
static void
too_large(const char *fn)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s: too many members or events", fn),
			 errdetail("One aggregate holds at most 8 GB of distinct member ids (2^31 - 1 keys)."),
			 errhint("Split the query, for example by a range of member ids.")));
}

/* The window of a group, in microseconds. */
static inline int64
state_window(const EventState *st)
{
	return st->node->windows[st->wid].usec;
}

/* A full state of this aggregate kind from argument argno, or an error. */
static EventState *
full_state(FunctionCallInfo fcinfo, int argno, const char *caller)
{
	EventState *st = (EventState *) PG_GETARG_POINTER(argno);

	if (st->kind != KIND_REPEAT && st->kind != KIND_LEAKAGE)
		elog(ERROR, "%s: not a repeat_call_stats or leakage_stats state", caller);
	return st;
}

/* A new group in node, in aggregate context aggcxt, for the window within. */
static EventState *
event_state_new(WinNode *node, MemoryContext aggcxt, int32 kind,
				const Interval *within, const char *fn)
{
	int64		usec = costmodel_window_usec(within, fn, "within");
	WinPool    *wp = costmodel_win_pool(node, aggcxt);
	EventState *st = cmw_pool_alloc(&wp->pool, sizeof(EventState));

	if (st == NULL)
		too_large(fn);
	st->kind = kind;
	st->wid = costmodel_win_window(node, within, usec);
	st->node = node;
	cmw_events_init(&st->ev);
	node->groups++;
	return st;
}

/* This row's group: new on its first row, else checked for the same window. */
static inline EventState *
event_state(FunctionCallInfo fcinfo, MemoryContext aggcxt, int32 kind,
			const Interval *within, const char *fn)
{
	EventState *st;
	const WinWindow *w;

	if (PG_ARGISNULL(0))
		return event_state_new(costmodel_win_node(fcinfo, kind, false), aggcxt,
							   kind, within, fn);
	st = (EventState *) PG_GETARG_POINTER(0);
	w = &st->node->windows[st->wid];
	costmodel_window_same(within, &w->within, w->usec, fn, "within");
	return st;
}

/* Add an event of member text m (its id interned later, in a batch). */
static inline void
event_add(EventState *st, MemoryContext aggcxt, text *m, int64 at,
		  bool failure, const char *fn)
{
	WinPool    *wp = costmodel_win_pool(st->node, aggcxt);

	if (!cmw_events_add(&st->ev, &wp->pool, &st->node->dict, VARDATA_ANY(m),
						VARSIZE_ANY_EXHDR(m), at, failure))
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
	int64		at;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "%s transition called in non-aggregate context", fn);
	st = event_state(fcinfo, aggcxt, KIND_REPEAT,
					 costmodel_window_arg(fcinfo, 3, &repeat_default, fn, "within", "7 days"),
					 fn);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	at = costmodel_finite_time(fcinfo, 2, fn, "called_at");
	event_add(st, aggcxt, PG_GETARG_TEXT_PP(1), at, false, fn);
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
	bool		failure;
	int64		at;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "%s transition called in non-aggregate context", fn);
	st = event_state(fcinfo, aggcxt, KIND_LEAKAGE,
					 costmodel_window_arg(fcinfo, 5, &leakage_default, fn, "within", "24 hours"),
					 fn);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	/* NULL flags are false; a call is never a failure */
	if (!PG_ARGISNULL(3) && PG_GETARG_BOOL(3))
		failure = false;
	else if (!PG_ARGISNULL(4) && PG_GETARG_BOOL(4))
		failure = true;
	else
		PG_RETURN_POINTER(st);	/* neither: cannot matter */
	at = costmodel_finite_time(fcinfo, 2, fn, "at");
	event_add(st, aggcxt, PG_GETARG_TEXT_PP(1), at, failure, fn);
	PG_RETURN_POINTER(st);
}

/* Append a deserialized state's events to dst, interning its ids into dst's dictionary. */
static void
combine_light(EventState *dst, WinPool *wp, const EventLight *src, const char *fn)
{
	uint32	   *map = palloc(sizeof(uint32) * Max(src->nmembers, 1));
	const char *p = src->members;
	uint32		m;

	for (m = 0; m < src->nmembers; m += CMW_BATCH)
	{
		const char *ids[CMW_BATCH];
		uint32		lens[CMW_BATCH];
		uint32		k = Min(src->nmembers - m, CMW_BATCH);
		uint32		j;

		for (j = 0; j < k; j++)
		{
			uint32		len;

			memcpy(&len, p, sizeof(len));
			lens[j] = pg_ntoh32(len);
			ids[j] = p + sizeof(len);
			p += sizeof(len) + lens[j];
		}
		if (!cmw_dict_intern_many(&dst->node->dict, ids, lens, k, map + m))
			too_large(fn);
	}
	if (!cmw_events_append(&dst->ev, &wp->pool, &dst->node->dict, src->ev, src->n, map))
		too_large(fn);
	pfree(map);
}

PG_FUNCTION_INFO_V1(costmodel_window_events_combine);
/*
 * Combine two states: the second (deserialized, or a group of any node) is
 * added to the first; a NULL first becomes a new group of this node.
 */
Datum
costmodel_window_events_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	EventState *dst;
	int32		kind;
	const Interval *within;
	int64		window;
	const char *fn;
	WinNode    *node;
	WinPool    *wp;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		elog(ERROR, "window_events_combine called in non-aggregate context");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_POINTER(PG_GETARG_POINTER(0));
	}
	kind = *(int32 *) PG_GETARG_POINTER(1);
	if ((kind & ~KIND_LIGHT) != KIND_REPEAT && (kind & ~KIND_LIGHT) != KIND_LEAKAGE)
		elog(ERROR, "window_events_combine: not a repeat_call_stats or leakage_stats state");
	if (kind & KIND_LIGHT)
	{
		const EventLight *l = (const EventLight *) PG_GETARG_POINTER(1);

		within = &l->within;
		window = l->window;
	}
	else
	{
		const EventState *s = (const EventState *) PG_GETARG_POINTER(1);

		within = &s->node->windows[s->wid].within;
		window = state_window(s);
	}
	kind &= ~KIND_LIGHT;
	fn = costmodel_win_fn(kind);
	node = costmodel_win_node(fcinfo, kind, true);
	if (PG_ARGISNULL(0))
		dst = event_state_new(node, aggcxt, kind, within, fn);
	else
	{
		dst = full_state(fcinfo, 0, "window_events_combine");
		if (dst->kind != kind)
			elog(ERROR, "window_events_combine: states of different aggregates");
		if (state_window(dst) != window)
			costmodel_window_changed(fn, "within", &dst->node->windows[dst->wid].within, within);
	}
	wp = costmodel_win_pool(dst->node, aggcxt);
	if (*(int32 *) PG_GETARG_POINTER(1) & KIND_LIGHT)
		combine_light(dst, wp, (const EventLight *) PG_GETARG_POINTER(1), fn);
	else
	{
		EventState *src = (EventState *) PG_GETARG_POINTER(1);

		if (!cmw_events_append_group(&dst->ev, &wp->pool, &dst->node->dict,
									 &src->ev, &src->node->dict))
			too_large(fn);
	}
	PG_RETURN_POINTER(dst);
}

/* The group's events sorted by (member, at). */
static const cmw_event *
sorted_events(EventState *st)
{
	const cmw_event *ev = cmw_events_sorted(&st->ev, &st->node->dict, st->node->scratch);

	if (ev == NULL)
		too_large(costmodel_win_fn(st->kind));
	return ev;
}

PG_FUNCTION_INFO_V1(costmodel_window_events_serialize);
/*
 * Serialize a group: kind, window (time, day, month, microseconds), member
 * count, event count, each member the group uses as (length, bytes), then
 * the events as 12-byte records in the server's byte order (states only
 * travel between the processes of one server), sorted by (member, at), each
 * member numbered by its place in the list.
 */
Datum
costmodel_window_events_serialize(PG_FUNCTION_ARGS)
{
	EventState *st;
	const cmw_event *ev;
	const cmw_dict *dict;
	StringInfoData buf;
	size_t		n,
				i;
	uint32		nmembers = 0;
	Size		idbytes = 0;
	Size		need;
	uint32		local = 0;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "window_events_serialize called in non-aggregate context");
	st = full_state(fcinfo, 0, "window_events_serialize");
	ev = sorted_events(st);
	dict = &st->node->dict;
	n = st->ev.n;
	for (i = 0; i < n; i++)
	{
		if (i == 0 || cmw_event_member(&ev[i]) != cmw_event_member(&ev[i - 1]))
		{
			size_t		len;

			(void) cmw_dict_bytes(dict, cmw_event_member(&ev[i]), &len);
			nmembers++;
			idbytes += len;
		}
	}

	/* each term is checked against what is left, so that nothing overflows */
	need = 4 + 16 + 8 + 4 + 8;
	if (idbytes > MaxAllocSize || (Size) nmembers > (MaxAllocSize - need - idbytes) / 4)
		costmodel_window_state_too_large(costmodel_win_fn(st->kind), need + idbytes + (Size) nmembers * 4);
	need += idbytes + (Size) nmembers * 4;
	if (n > (MaxAllocSize - VARHDRSZ - 1 - need) / sizeof(cmw_event))
		costmodel_window_state_too_large(costmodel_win_fn(st->kind), need + n * sizeof(cmw_event));
	need += n * sizeof(cmw_event);

	pq_begintypsend(&buf);
	enlargeStringInfo(&buf, (int) need);
	pq_sendint32(&buf, (uint32) st->kind);
	pq_sendint64(&buf, st->node->windows[st->wid].within.time);
	pq_sendint32(&buf, (uint32) st->node->windows[st->wid].within.day);
	pq_sendint32(&buf, (uint32) st->node->windows[st->wid].within.month);
	pq_sendint64(&buf, state_window(st));
	pq_sendint32(&buf, nmembers);
	pq_sendint64(&buf, (int64) n);
	for (i = 0; i < n; i++)
	{
		if (i == 0 || cmw_event_member(&ev[i]) != cmw_event_member(&ev[i - 1]))
		{
			size_t		len;
			const char *id = cmw_dict_bytes(dict, cmw_event_member(&ev[i]), &len);

			pq_sendint32(&buf, (uint32) len);
			pq_sendbytes(&buf, id, (int) len);
		}
	}
	for (i = 0; i < n; i++)
	{
		cmw_event	e = ev[i];

		if (i > 0 && cmw_event_member(&ev[i]) != cmw_event_member(&ev[i - 1]))
			local++;
		e.key = (local << 1) | (e.key & CMW_FAILURE_BIT);
		memcpy(buf.data + buf.len, &e, sizeof(e));
		buf.len += sizeof(e);
	}
	buf.data[buf.len] = '\0';
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

PG_FUNCTION_INFO_V1(costmodel_window_events_deserialize);
/*
 * Deserialize a group, checking every length against the bytes left and
 * every event record (member in range, flag allowed, finite time).  The ids
 * and the records stay in the bytea, which outlives the state until the
 * combine function has used it (records are copied when misaligned).
 */
Datum
costmodel_window_events_deserialize(PG_FUNCTION_ARGS)
{
	StringInfoData buf;
	EventLight *l;
	int32		kind;
	int64		nevents;
	const char *p;
	uint32		m;
	int64		i;

	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "window_events_deserialize called in non-aggregate context");
	costmodel_window_read_bytea(&buf, PG_GETARG_BYTEA_PP(0));

	kind = (int32) pq_getmsgint(&buf, 4);
	if (kind != KIND_REPEAT && kind != KIND_LEAKAGE)
		costmodel_window_corrupt("unknown kind");
	l = palloc0(sizeof(EventLight));
	l->kind = kind | KIND_LIGHT;
	costmodel_window_read_window(&buf, &l->within, &l->window);
	l->nmembers = (uint32) pq_getmsgint(&buf, 4);
	nevents = pq_getmsgint64(&buf);
	if (l->nmembers > CMW_MAX_KEY || (Size) l->nmembers > costmodel_window_remaining(&buf) / 4)
		costmodel_window_corrupt("bad member count");
	if (nevents < 0 || (uint64) nevents > costmodel_window_remaining(&buf) / sizeof(cmw_event))
		costmodel_window_corrupt("bad event count");
	if (nevents > 0 && l->nmembers == 0)
		costmodel_window_corrupt("events without members");

	l->members = buf.data + buf.cursor;
	for (m = 0; m < l->nmembers; m++)
	{
		uint32		len = (uint32) pq_getmsgint(&buf, 4);

		if ((Size) len > costmodel_window_remaining(&buf))
			costmodel_window_corrupt("bad member length");
		(void) pq_getmsgbytes(&buf, (int) len);
	}

	if (costmodel_window_remaining(&buf) != (Size) nevents * sizeof(cmw_event))
		costmodel_window_corrupt("event bytes do not match the event count");
	l->n = (uint64) nevents;
	p = nevents > 0 ? pq_getmsgbytes(&buf, (int) (nevents * sizeof(cmw_event))) : NULL;
	if (p != NULL && (uintptr_t) p % sizeof(uint32) != 0)
	{
		cmw_event  *copy = palloc_extended((Size) nevents * sizeof(cmw_event), MCXT_ALLOC_HUGE);

		memcpy(copy, p, (Size) nevents * sizeof(cmw_event));
		p = (const char *) copy;
	}
	l->ev = (const cmw_event *) p;
	for (i = 0; i < nevents; i++)
	{
		const cmw_event *e = &l->ev[i];
		int64		at = cmw_event_at(e);

		if (cmw_event_member(e) >= l->nmembers)
			costmodel_window_corrupt("member out of range");
		if (kind == KIND_REPEAT && cmw_event_failure(e))
			costmodel_window_corrupt("bad event flags");
		if (TIMESTAMP_NOT_FINITE(at))
			costmodel_window_corrupt("infinite time");
	}
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(l);
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
		EventState *st = full_state(fcinfo, 0, "repeat_call_stats final");

		cmw_repeats(sorted_events(st), st->ev.n, state_window(st), &c);
	}
	values[0] = Int64GetDatum(c.calls);
	values[1] = Int64GetDatum(c.repeat_calls);
	costmodel_window_set_rate(values, nulls, 2, c.repeat_calls, c.calls);
	PG_RETURN_DATUM(costmodel_window_result_row(fcinfo, values, nulls));
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
		EventState *st = full_state(fcinfo, 0, "leakage_stats final");

		cmw_leakage(sorted_events(st), st->ev.n, state_window(st), &c);
	}
	values[0] = Int64GetDatum(c.failures);
	values[1] = Int64GetDatum(c.leaked_failures);
	costmodel_window_set_rate(values, nulls, 2, c.leaked_failures, c.failures);
	values[3] = Int64GetDatum(c.calls);
	values[4] = Int64GetDatum(c.leaked_calls);
	PG_RETURN_DATUM(costmodel_window_result_row(fcinfo, values, nulls));
}
