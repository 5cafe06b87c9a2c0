/*
 * window_shared.h
 *    What the groups of one repeat_call_stats or leakage_stats call in one
 *    plan node share (window_shared.c): one member dictionary, kept in the
 *    function's fn_extra for the whole query, and one event pool per
 *    aggregate memory context; and the memory each node used, for
 *    costmodel.window_memory_stats().
 */
#ifndef COSTMODEL_WINDOW_SHARED_H
#define COSTMODEL_WINDOW_SHARED_H

#include "postgres.h"

#include "datatype/timestamp.h"
#include "fmgr.h"

#include "cm_window.h"

/* Kinds of event state, also the first word of a serialized state. */
#define KIND_REPEAT		0x434d5701	/* "CMW" 1 */
#define KIND_LEAKAGE	0x434d5702

/* A window some groups use: as given on their first row, and in microseconds. */
typedef struct WinWindow
{
	Interval	within;
	int64		usec;
} WinWindow;

struct WinNode;

/*
 * The events of the groups of one node in one aggregate memory context:
 * a child context of it, so that the context's reset frees them and hash
 * aggregation counts them against work_mem.
 */
typedef struct WinPool
{
	struct WinNode *node;
	MemoryContext aggcxt;		/* the aggregate context */
	MemoryContext cxt;			/* ours, a child of aggcxt */
	cmw_pool	pool;
	MemoryContextCallback gone;
	struct WinPool *next;
} WinPool;

/*
 * What every group of one aggregate call in one plan node shares: kept in
 * the function's fn_extra (memory of the whole query), since the aggregate
 * context of sorted aggregation is reset between groups.
 */
typedef struct WinNode
{
	int32		kind;			/* KIND_REPEAT or KIND_LEAKAGE */
	bool		combine;		/* made by the combine function */
	bool		alive;			/* cxt still exists */
	MemoryContext cxt;			/* the dictionary's, a child of fn_mcxt */
	cmw_dict	dict;
	cmw_event  *scratch;		/* room to sort a small group: CMW_SMALL_MAX events */
	WinWindow  *windows;		/* windows in use */
	int32		nwindows;
	int32		capwindows;
	int32		last_window;
	WinPool    *pools;			/* one per live aggregate context */
	WinPool    *last_pool;
	MemoryContextCallback gone;
	/* memory statistics (costmodel.window_memory_stats) */
	int64		groups;
	int64		events;			/* of pools that are gone */
	int64		peak_events;
	Size		peak_bytes;
	Size		peak_states;
	Size		peak_dict;
	Size		dict_bytes;		/* when the dictionary went */
	uint64		generation;
	int			record;
} WinNode;

/* The node of this call (fcinfo's fn_extra), made on first use. */
extern WinNode *costmodel_win_node(FunctionCallInfo fcinfo, int32 kind, bool combine);

/* The node's pool in aggregate context aggcxt, made on first use. */
extern WinPool *costmodel_win_pool(WinNode *node, MemoryContext aggcxt);

/* The index of window within (usec microseconds) in the node's windows. */
extern int32 costmodel_win_window(WinNode *node, const Interval *within, int64 usec);

/* The aggregate's name for a kind. */
static inline const char *
costmodel_win_fn(int32 kind)
{
	return kind == KIND_REPEAT ? "repeat_call_stats" : "leakage_stats";
}

#endif							/* COSTMODEL_WINDOW_SHARED_H */
