/*
 * window_shared.c
 *    What the groups of one repeat_call_stats or leakage_stats call in one
 *    plan node share, and the memory they use.
 *
 * A node (WinNode) lives in the function's fn_extra, in the memory of the
 * whole query (fn_mcxt): one member dictionary for every group of the node,
 * in a context of its own, so that a member's id is stored once however
 * many groups it appears in.  Sorted aggregation resets the aggregate
 * context between groups; the dictionary stays.
 *
 * The groups' events live in a pool (WinPool) per aggregate context: a
 * child context of it, so that hash aggregation counts the events against
 * work_mem and every reset of the aggregate context frees them.  A reset
 * callback on the pool's context unlinks it from the node and drops rows
 * still staged for interning into its memory (cm_window.h).  The dictionary
 * is not a child of the aggregate context: hash aggregation does not count
 * it (docs/windows.md).
 *
 * Each node records the memory it used (peak of its pools and dictionary,
 * measured with MemoryContextMemAllocated as each pool goes) in a list of
 * this backend's last statement, which costmodel.window_memory_stats()
 * returns.
 */
#include "postgres.h"

#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
#include "access/xact.h"

#include "window_shared.h"

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

/* An allocator for the cm_window functions over context cxt. */
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

/* ------------------------------------------------------ memory statistics */

/* The memory one node used, as costmodel.window_memory_stats() shows it. */
typedef struct WinMemRecord
{
	int32		kind;
	bool		combine;
	int64		groups;
	int64		events;
	int64		members;
	int64		peak_events;
	Size		peak_bytes;
	Size		peak_states;
	Size		peak_dict;
} WinMemRecord;

/* The records of the nodes of this backend's last statement that had any. */
static WinMemRecord *mem_records;
static int	mem_nrecords;
static int	mem_caprecords;
static TimestampTz mem_statement;
static uint64 mem_generation;

/* Events in the node's pools, gone and live. */
static int64
node_events(const WinNode *node)
{
	int64		events = node->events;
	const WinPool *wp;

	for (wp = node->pools; wp != NULL; wp = wp->next)
		events += (int64) wp->pool.events;
	return events;
}

/* Copy the node's figures to its record, if that is still in the list. */
static void
record_update(const WinNode *node)
{
	WinMemRecord *r;

	if (node->generation != mem_generation || node->record >= mem_nrecords)
		return;
	r = &mem_records[node->record];
	r->kind = node->kind;
	r->combine = node->combine;
	r->groups = node->groups;
	r->events = node_events(node);
	r->members = node->dict.nmembers;
	r->peak_events = node->peak_events;
	r->peak_bytes = node->peak_bytes;
	r->peak_states = node->peak_states;
	r->peak_dict = node->peak_dict;
}

/* Give a new node a record; a new statement starts a new list. */
static void
record_new(WinNode *node)
{
	TimestampTz now = GetCurrentStatementStartTimestamp();

	if (mem_records == NULL || now != mem_statement)
	{
		mem_generation++;
		mem_nrecords = 0;
		mem_statement = now;
	}
	if (mem_nrecords == mem_caprecords)
	{
		int			cap = mem_caprecords < 8 ? 8 : mem_caprecords * 2;

		if (mem_records == NULL)
			mem_records = MemoryContextAlloc(TopMemoryContext, cap * sizeof(WinMemRecord));
		else
			mem_records = repalloc(mem_records, cap * sizeof(WinMemRecord));
		mem_caprecords = cap;
	}
	node->generation = mem_generation;
	node->record = mem_nrecords++;
	memset(&mem_records[node->record], 0, sizeof(WinMemRecord));
	record_update(node);
}

/*
 * Measure the node's pools and dictionary now, and keep the peak.  Pools
 * and the dictionary only grow while they live, so measuring just before
 * each pool goes finds the peak.
 */
static void
measure(WinNode *node)
{
	Size		states = 0;
	Size		dict = node->alive ? MemoryContextMemAllocated(node->cxt, true) : node->dict_bytes;
	int64		events = 0;
	const WinPool *wp;

	for (wp = node->pools; wp != NULL; wp = wp->next)
	{
		states += MemoryContextMemAllocated(wp->cxt, true);
		events += (int64) wp->pool.events;
	}
	if (states + dict > node->peak_bytes)
	{
		node->peak_bytes = states + dict;
		node->peak_states = states;
		node->peak_dict = dict;
		node->peak_events = events;
	}
}

/* ----------------------------------------------------------------- nodes */

/* The dictionary's context is going (the query ends): remember its size. */
static void
node_gone(void *arg)
{
	WinNode    *node = arg;

	node->dict_bytes = MemoryContextMemAllocated(node->cxt, true);
	node->alive = false;
	record_update(node);
}

/* The node of this call (fcinfo's fn_extra), made on first use. */
WinNode *
costmodel_win_node(FunctionCallInfo fcinfo, int32 kind, bool combine)
{
	WinNode    *node = (WinNode *) fcinfo->flinfo->fn_extra;
	MemoryContext mcxt;
	cmw_alloc	a;

	if (node != NULL)
		return node;
	mcxt = fcinfo->flinfo->fn_mcxt;
	node = MemoryContextAllocZero(mcxt, sizeof(WinNode));
	node->kind = kind;
	node->combine = combine;
	node->cxt = AllocSetContextCreate(mcxt, "costmodel window dictionary",
									  ALLOCSET_DEFAULT_SIZES);
	a = allocator(node->cxt);
	cmw_dict_init(&node->dict, &a);
	node->scratch = MemoryContextAlloc(node->cxt, CMW_SMALL_MAX * sizeof(cmw_event));
	node->alive = true;
	node->gone.func = node_gone;
	node->gone.arg = node;
	MemoryContextRegisterResetCallback(node->cxt, &node->gone);
	record_new(node);
	fcinfo->flinfo->fn_extra = node;
	return node;
}

/* The index of window within (usec microseconds) in the node's windows. */
int32
costmodel_win_window(WinNode *node, const Interval *within, int64 usec)
{
	int32		i;

	/* usually one window per node; many only when it is a grouping key */
	if (node->nwindows > 0)
	{
		const Interval *w = &node->windows[node->last_window].within;

		if (w->time == within->time && w->day == within->day && w->month == within->month)
			return node->last_window;
	}
	for (i = 0; i < node->nwindows && i < 16; i++)
	{
		const Interval *w = &node->windows[i].within;

		if (w->time == within->time && w->day == within->day && w->month == within->month)
			return node->last_window = i;
	}
	if (node->nwindows == PG_INT32_MAX)
		elog(ERROR, "too many windows in one aggregate");
	if (node->nwindows == node->capwindows)
	{
		int32		cap = node->capwindows < 4 ? 4 : node->capwindows * 2;

		if (node->windows == NULL)
			node->windows = MemoryContextAlloc(node->cxt, cap * sizeof(WinWindow));
		else
			node->windows = repalloc_huge(node->windows, (Size) cap * sizeof(WinWindow));
		node->capwindows = cap;
	}
	node->windows[node->nwindows].within = *within;
	node->windows[node->nwindows].usec = usec;
	return node->last_window = node->nwindows++;
}

/* ----------------------------------------------------------------- pools */

/*
 * A pool's context is going (its aggregate context is reset or deleted):
 * measure, drop rows staged into it, unlink it.
 */
static void
pool_gone(void *arg)
{
	WinPool    *wp = arg;
	WinNode    *node = wp->node;
	WinPool   **link;

	measure(node);
	if (node->alive)
		cmw_dict_drop(&node->dict, &wp->pool);
	node->events += (int64) wp->pool.events;
	for (link = &node->pools; *link != NULL; link = &(*link)->next)
	{
		if (*link == wp)
		{
			*link = wp->next;
			break;
		}
	}
	if (node->last_pool == wp)
		node->last_pool = NULL;
	record_update(node);
}

/* The node's pool in aggregate context aggcxt, made on first use. */
WinPool *
costmodel_win_pool(WinNode *node, MemoryContext aggcxt)
{
	WinPool    *wp = node->last_pool;
	MemoryContext cxt;
	cmw_alloc	a;

	if (wp != NULL && wp->aggcxt == aggcxt)
		return wp;
	for (wp = node->pools; wp != NULL; wp = wp->next)
	{
		if (wp->aggcxt == aggcxt)
		{
			node->last_pool = wp;
			return wp;
		}
	}
	cxt = AllocSetContextCreate(aggcxt, "costmodel window events", ALLOCSET_SMALL_SIZES);
	wp = MemoryContextAllocZero(cxt, sizeof(WinPool));
	wp->node = node;
	wp->aggcxt = aggcxt;
	wp->cxt = cxt;
	a = allocator(cxt);
	cmw_pool_init(&wp->pool, &a);
	wp->gone.func = pool_gone;
	wp->gone.arg = wp;
	MemoryContextRegisterResetCallback(cxt, &wp->gone);
	wp->next = node->pools;
	node->pools = wp;
	node->last_pool = wp;
	return wp;
}

/* ---------------------------------------------------------- SQL function */

PG_FUNCTION_INFO_V1(costmodel_window_memory_stats);
/*
 * window_memory_stats(): one row per repeat_call_stats / leakage_stats call
 * and plan node of this backend's last statement that ran any: groups,
 * events, distinct members, and the peak memory of the groups' states and
 * the dictionary with the events held at that moment.
 */
Datum
costmodel_window_memory_stats(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < mem_nrecords; i++)
	{
		const WinMemRecord *r = &mem_records[i];
		Datum		values[10];
		bool		nulls[10] = {false};

		values[0] = CStringGetTextDatum(costmodel_win_fn(r->kind));
		values[1] = CStringGetTextDatum(r->combine ? "combine" : "transition");
		values[2] = Int64GetDatum(r->groups);
		values[3] = Int64GetDatum(r->events);
		values[4] = Int64GetDatum(r->members);
		values[5] = Int64GetDatum(r->peak_events);
		values[6] = Int64GetDatum((int64) r->peak_states);
		values[7] = Int64GetDatum((int64) r->peak_dict);
		values[8] = Int64GetDatum((int64) r->peak_bytes);
		values[9] = Float8GetDatum(r->peak_events > 0 ?
								   (double) r->peak_bytes / (double) r->peak_events : 0.0);
		nulls[9] = r->peak_events == 0;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
