/*
 * cm_window.h
 *    Time-window logic for the operations questions: repeat calls,
 *    digital-to-call leakage, SLA breach and hours-to-close percentiles.
 *
 * Three pieces, so that many groups of one aggregation share what they can:
 *
 *  - cmw_dict, a member dictionary: member ids interned to 31-bit keys (the
 *    id's offset in one arena, over 4), exact (a look-up compares the
 *    bytes).  One dictionary serves every group of an aggregation.
 *  - cmw_pool, where the groups live: their headers in bump-allocated
 *    blocks, their segments in blocks that go back to the allocator as soon
 *    as none of their segments is in use.
 *  - cmw_events, one group's events as 12-byte records {key, at}: in a chain
 *    of 8-event segments from the pool while the group is small, in one
 *    array that grows by a quarter once it passes CMW_SMALL_MAX events.
 *
 * Rows are staged: the record is written at once with its time, and its
 * member id is copied to the dictionary's staging area and interned with up
 * to CMW_BATCH - 1 others, so that their look-ups overlap in memory.  The
 * dictionary then writes each key into its record.  So records must not move
 * while staged: every function here that moves, frees or reads records
 * flushes the dictionary first.
 *
 * Nothing here knows about PostgreSQL: memory comes from the caller's
 * allocator (palloc in the backend, malloc in the tests), and every
 * allocation failure is reported as a false / NULL result.
 *
 * Times are microseconds on any fixed epoch; a window is a positive number
 * of microseconds (a day is 24 hours: the window is an elapsed duration).
 *
 * Plain C99; no PostgreSQL headers.
 */
#ifndef CM_WINDOW_H
#define CM_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Where memory comes from.  alloc/grow return NULL on failure (or never). */
typedef struct cmw_alloc
{
	void	   *(*alloc) (void *ctx, size_t size);
	void	   *(*grow) (void *ctx, void *ptr, size_t size);
	void		(*release) (void *ctx, void *ptr);
	void	   *ctx;
} cmw_alloc;

/*
 * One event: 12 bytes, 4-byte aligned.  key is the member's dictionary key
 * shifted left by one, with the low bit set for a failed digital attempt and
 * clear for a call.  at is an int64 in native byte order, read and written
 * through cmw_event_at / cmw_event_set.
 */
typedef struct cmw_event
{
	uint32_t	key;
	uint32_t	at[2];
} cmw_event;

#define CMW_FAILURE_BIT	1u

/* The event's time. */
static inline int64_t
cmw_event_at(const cmw_event *e)
{
	int64_t		t;

	memcpy(&t, e->at, sizeof(t));
	return t;
}

/* Set an event's key (member key << 1 | failure bit) and time. */
static inline void
cmw_event_set(cmw_event *e, uint32_t key, int64_t at)
{
	e->key = key;
	memcpy(e->at, &at, sizeof(at));
}

/* The event's member key. */
static inline uint32_t
cmw_event_member(const cmw_event *e)
{
	return e->key >> 1;
}

/* Is the event a failed digital attempt (else a call)? */
static inline bool
cmw_event_failure(const cmw_event *e)
{
	return (e->key & CMW_FAILURE_BIT) != 0;
}

/* ------------------------------------------------------------ dictionary */

/* Rows staged in a dictionary are interned together, this many at a time. */
#define CMW_BATCH	64

/* Member keys are below this (31 bits), so an arena holds at most 8 GB. */
#define CMW_MAX_KEY	UINT32_C(0x7fffffff)

/* A hash slot: member key + 1 (0 = empty) and 32 bits of the id's hash. */
typedef struct cmw_slot
{
	uint32_t	key1;
	uint32_t	hash;
} cmw_slot;

/* A staged row: where its key goes, who owns that place, where its id is. */
typedef struct cmw_pending
{
	uint32_t   *target;
	const void *owner;
	size_t		off;			/* (uint32 length, bytes) in stage */
} cmw_pending;

/*
 * Member ids interned to keys.  The arena holds the ids back to back, each
 * at a 4-byte boundary as a length byte (255: a uint32 length follows) and
 * the bytes; a member's key is its offset over 4.
 */
typedef struct cmw_dict
{
	cmw_alloc	mem;
	char	   *arena;
	size_t		narena;
	size_t		caparena;
	cmw_slot   *slots;			/* linear probing, load <= 3/4 */
	uint32_t	nslots;			/* a power of two, or 0 */
	uint32_t	nmembers;
	/* staged rows */
	char	   *stage;
	size_t		nstage;
	size_t		capstage;
	uint32_t	npend;
	cmw_pending pend[CMW_BATCH];
} cmw_dict;

/* An empty dictionary using allocator mem (allocates nothing yet). */
void		cmw_dict_init(cmw_dict *d, const cmw_alloc *mem);

/* Free everything the dictionary holds; it is empty afterwards. */
void		cmw_dict_free(cmw_dict *d);

/* 64-bit hash of len bytes. */
uint64_t	cmw_hash(const void *p, size_t len);

/*
 * The key of member id (len bytes), added when new; false when out of
 * memory or past 2^31 - 1 keys (8 GB of ids).  *added (may be NULL) tells
 * whether the member was new.
 */
bool		cmw_dict_intern(cmw_dict *d, const char *id, size_t len,
							uint32_t *key, bool *added);

/* The keys of n <= CMW_BATCH ids at once (look-ups overlap); false on failure. */
bool		cmw_dict_intern_many(cmw_dict *d, const char *const *ids,
								 const uint32_t *lens, size_t n, uint32_t *keys);

/* Member key's id bytes. */
static inline const char *
cmw_dict_bytes(const cmw_dict *d, uint32_t key, size_t *len)
{
	const unsigned char *p = (const unsigned char *) d->arena + (size_t) key * 4;
	uint32_t	l;

	if (*p < 255)
	{
		*len = *p;
		return (const char *) p + 1;
	}
	memcpy(&l, p + 1, sizeof(l));
	*len = l;
	return (const char *) p + 5;
}

/* Bits that every member key fits in (at least 1). */
unsigned	cmw_dict_key_bits(const cmw_dict *d);

/*
 * Stage member id (len bytes) for *target: on the next flush its key is
 * written there as key << 1, keeping *target's low bit.  owner names the
 * memory *target is in (cmw_dict_drop).  Flushes when CMW_BATCH rows are
 * staged; false when that fails.
 */
bool		cmw_dict_stage(cmw_dict *d, const char *id, size_t len,
						   uint32_t *target, const void *owner);

/* Intern the staged ids and write their keys; false on failure. */
bool		cmw_dict_flush(cmw_dict *d);

/* Forget the staged rows whose target is in owner's memory (it is gone). */
void		cmw_dict_drop(cmw_dict *d, const void *owner);

/* ------------------------------------------------------------------ pool */

/* Events per segment, and events a group keeps in segments. */
#define CMW_SEG_EVENTS	8
#define CMW_SMALL_MAX	(86 * CMW_SEG_EVENTS)	/* 688: then an array of > 8 kB */

typedef struct cmw_seg
{
	struct cmw_seg *next;
	cmw_event	ev[CMW_SEG_EVENTS];
} cmw_seg;

/* Segments per segment block. */
#define CMW_SEGS_PER_BLOCK	64

/* A block of segments, given back to the allocator when none is in use. */
typedef struct cmw_segblock
{
	struct cmw_segblock *next_avail;	/* blocks with room */
	struct cmw_segblock *prev_avail;
	cmw_seg    *free;			/* segments given back */
	uint32_t	nused;			/* segments in use */
	uint32_t	ncarved;		/* segments handed out so far */
	bool		in_avail;
	/* then CMW_SEGS_PER_BLOCK segments */
} cmw_segblock;

/*
 * Memory for many groups: headers bump-allocated in blocks freed only all
 * at once, and segments in blocks of their own, each given back to the
 * allocator as soon as none of its segments is in use.
 */
typedef struct cmw_pool
{
	cmw_alloc	mem;
	char	   *block;			/* free space of the current bump block */
	size_t		left;
	size_t		next_size;		/* size of the next bump block */
	void	   *blocks;			/* every bump block, chained through its first word */
	cmw_segblock **segblocks;	/* every segment block, in address order */
	size_t		nsegblocks;
	size_t		capsegblocks;
	cmw_segblock *avail;		/* segment blocks with room */
	uint64_t	events;			/* events added to this pool's groups */
} cmw_pool;

/* An empty pool using allocator mem. */
void		cmw_pool_init(cmw_pool *p, const cmw_alloc *mem);

/* size bytes, 8-byte aligned, for as long as the pool lives; NULL on failure. */
void	   *cmw_pool_alloc(cmw_pool *p, size_t size);

/* Release the pool's blocks (not the groups' arrays: cmw_events_release). */
void		cmw_pool_free(cmw_pool *p);

/* ---------------------------------------------------------------- events */

/* One group's events: segments while small, then one array. */
typedef struct cmw_events
{
	cmw_seg    *head;			/* small: first and last segment */
	cmw_seg    *tail;
	cmw_event  *arr;			/* large: cap records (head is NULL) */
	size_t		n;
	size_t		cap;
	bool		sorted;			/* large: arr is sorted */
} cmw_events;

/* An empty group. */
static inline void
cmw_events_init(cmw_events *g)
{
	memset(g, 0, sizeof(*g));
}

/*
 * Add one event of member id (len bytes) at time at, a failure or a call,
 * its id staged in d.  False when out of memory or past the limits.
 */
bool		cmw_events_add(cmw_events *g, cmw_pool *p, cmw_dict *d,
						   const char *id, size_t len, int64_t at, bool failure);

/*
 * Append n events whose keys are numbers into map (event member m becomes
 * map[m], the failure bit kept); with map NULL, keys are taken as they are
 * (events of the same dictionary).  False when out of memory.
 */
bool		cmw_events_append(cmw_events *g, cmw_pool *p, cmw_dict *d,
							  const cmw_event *ev, size_t n, const uint32_t *map);

/*
 * Append every event of src, whose keys are in dictionary sd (may be d).
 * False when out of memory or past the limits.
 */
bool		cmw_events_append_group(cmw_events *g, cmw_pool *p, cmw_dict *d,
									cmw_events *src, cmw_dict *sd);

/*
 * The group's events sorted by (member, at): a large group is sorted in
 * place; a small one is copied to scratch (room for CMW_SMALL_MAX events)
 * and sorted there.  Flushes d first; NULL when that fails.
 */
const cmw_event *cmw_events_sorted(cmw_events *g, cmw_dict *d, cmw_event *scratch);

/*
 * Give the group's memory back (array to the allocator, segments to the
 * pool) after flushing d; false, with nothing freed, when that fails.
 */
bool		cmw_events_release(cmw_events *g, cmw_pool *p, cmw_dict *d);

/*
 * Order ev[0..n) by (member, at) in place, without extra memory: a quicksort
 * when small, else an in-place radix sort over key_bits bits of the member
 * key, then by time within each member.
 */
void		cmw_sort_events(cmw_event *ev, size_t n, unsigned key_bits);

/* ------------------------------------------------------------- counting */

/* Result of a window check (cmw_window_usec). */
typedef enum cmw_wstatus
{
	CMW_WINDOW_OK = 0,
	CMW_WINDOW_MONTHS,			/* has a month part: ambiguous length */
	CMW_WINDOW_NOT_POSITIVE,	/* zero or negative */
	CMW_WINDOW_TOO_LONG			/* overflows 64-bit microseconds */
} cmw_wstatus;

typedef struct cmw_repeat_counts
{
	int64_t		calls;
	int64_t		repeat_calls;
} cmw_repeat_counts;

typedef struct cmw_leak_counts
{
	int64_t		failures;
	int64_t		leaked_failures;
	int64_t		calls;
	int64_t		leaked_calls;
} cmw_leak_counts;

#define CMW_USECS_PER_HOUR	INT64_C(3600000000)
#define CMW_USECS_PER_DAY	INT64_C(86400000000)

/* A window of months, days and microseconds as microseconds (a day = 24 h). */
cmw_wstatus cmw_window_usec(int32_t months, int32_t days, int64_t usec,
							int64_t *out);

/* later - earlier <= window, for later >= earlier, without overflow. */
static inline bool
cmw_within(int64_t later, int64_t earlier, int64_t window)
{
	return (uint64_t) later - (uint64_t) earlier <= (uint64_t) window;
}

/* later - earlier > window, for any two times, without overflow. */
static inline bool
cmw_exceeds(int64_t later, int64_t earlier, int64_t window)
{
	return later > earlier && !cmw_within(later, earlier, window);
}

/* Repeat calls over events sorted by (member, at), every one taken as a call. */
void		cmw_repeats(const cmw_event *ev, size_t n, int64_t window,
						cmw_repeat_counts *out);

/* Failures, leaked failures, calls and leaked calls over sorted events. */
void		cmw_leakage(const cmw_event *ev, size_t n, int64_t window,
						cmw_leak_counts *out);

/*
 * The p-th percentile (0 <= p <= 1) of v[0..n) by linear interpolation
 * between the closest ranks, as PostgreSQL's percentile_cont, scaled by
 * 1/unit.  Reorders v.  n must be > 0.
 */
double		cmw_percentile_cont(int64_t *v, size_t n, double p, double unit);

#endif							/* CM_WINDOW_H */
