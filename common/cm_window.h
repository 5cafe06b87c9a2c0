/*
 * cm_window.h
 *    Time-window logic for the operations questions: repeat calls,
 *    digital-to-call leakage, SLA breach and hours-to-close percentiles.
 *
 * An event set (cmw_set) interns member ids into a small dictionary
 * (bytes -> dense int32) and keeps events as 16-byte records
 * {member, flags, at} in one growable array.  cmw_sort orders the records
 * by (member, at) in place; the counting functions then scan each member's
 * run once.  Nothing here knows about PostgreSQL: memory comes from the
 * caller's allocator (palloc in the backend, malloc in the loader), and
 * every allocation failure is reported as a false / negative result.
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

/* Event flags. */
#define CMW_CALL		0x1u	/* a phone call */
#define CMW_FAILURE		0x2u	/* a failed or abandoned digital attempt */
#define CMW_FLAGS_ALL	(CMW_CALL | CMW_FAILURE)

/* Where memory comes from.  alloc/grow return NULL on failure (or never). */
typedef struct cmw_alloc
{
	void	   *(*alloc) (void *ctx, size_t size);
	void	   *(*grow) (void *ctx, void *ptr, size_t size);
	void		(*release) (void *ctx, void *ptr);
	void	   *ctx;
} cmw_alloc;

/* One event: 16 bytes. */
typedef struct cmw_event
{
	int32_t		member;			/* dense id from the set's dictionary */
	uint32_t	flags;			/* CMW_* */
	int64_t		at;				/* microseconds */
} cmw_event;

/* A hash slot: member id + 1 (0 = empty) and 32 bits of the id's hash. */
typedef struct cmw_slot
{
	uint32_t	id1;
	uint32_t	hash;
} cmw_slot;

/* Rows staged by cmw_stage are interned together, this many at a time. */
#define CMW_BATCH	64

/* Members (interned ids) and their events. */
typedef struct cmw_set
{
	cmw_alloc	mem;
	/* dictionary */
	char	   *bytes;			/* member ids back to back, in id order */
	size_t		nbytes;
	size_t		capbytes;
	uint32_t   *offs;			/* member m is bytes[offs[m], offs[m + 1]) */
	int32_t		nmembers;
	int32_t		capmembers;		/* room in offs, less the one past the end */
	cmw_slot   *slots;			/* linear probing, load <= 3/4; rebuilt lazily */
	uint32_t	nslots;			/* a power of two, or 0 */
	/* events */
	cmw_event  *ev;
	size_t		n;
	size_t		cap;
	bool		borrowed;		/* ev belongs to the caller: copy before writing */
	size_t		nsorted;		/* the events are sorted when nsorted == n */
	bool		id_order;		/* members are numbered in cmw_id_cmp order */
	/* staged member ids of the last nstaged events: (uint32 length, bytes) */
	char	   *stage;
	size_t		nstage;
	size_t		capstage;
	size_t		nstaged;
} cmw_set;

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

/* 64-bit hash of len bytes. */
uint64_t	cmw_hash(const void *p, size_t len);

/* An empty set using allocator mem (allocates nothing yet). */
void		cmw_set_init(cmw_set *s, const cmw_alloc *mem);

/* Free everything the set holds; it is empty afterwards. */
void		cmw_set_free(cmw_set *s);

/*
 * The dense id of member (len bytes), added when new; -1 when out of memory
 * or past 2^31-1 members or 4 GB of member-id bytes.  *added (may be NULL)
 * tells whether the member was new.
 */
int32_t		cmw_member(cmw_set *s, const char *id, size_t len, bool *added);

/* Member id's bytes. */
static inline const char *
cmw_member_bytes(const cmw_set *s, int32_t member, size_t *len)
{
	*len = s->offs[member + 1] - s->offs[member];
	return s->bytes + s->offs[member];
}

/* Room for at least extra more events (in memory of the set's own); false when out of memory. */
bool		cmw_reserve(cmw_set *s, size_t extra);

/*
 * Use the caller's n events at ev (8-byte aligned) without copying them, for
 * reading a set back from a buffer that outlives it.  The set copies them
 * before it would write to them.
 */
void		cmw_borrow_events(cmw_set *s, cmw_event *ev, size_t n);

/* Append one event of a known member; false when out of memory. */
static inline bool
cmw_add(cmw_set *s, int32_t member, int64_t at, uint32_t flags)
{
	cmw_event  *e;

	if (s->n == s->cap && !cmw_reserve(s, 1))
		return false;
	e = &s->ev[s->n++];
	e->member = member;
	e->flags = flags;
	e->at = at;
	return true;
}

/*
 * Append one event of member id (len bytes).  The id is copied to a small
 * staging buffer and interned later, CMW_BATCH ids at a time, so that their
 * dictionary look-ups overlap in memory.  Call cmw_flush before reading the
 * events or the members.  False when out of memory or past the limits.
 */
bool		cmw_stage(cmw_set *s, const char *id, size_t len, int64_t at,
					  uint32_t flags);

/* Intern the staged ids; false when out of memory or past the limits. */
bool		cmw_flush(cmw_set *s);

/*
 * Add every member and event of src to dst (both flushed); false when out of
 * memory.  When both are canonical (cmw_canonical), so is the result, and
 * the merge is one linear pass over both; else src's members are interned
 * into dst and its events appended.
 */
bool		cmw_merge(cmw_set *dst, const cmw_set *src);

/* Order of two member ids: bytes (unsigned), then length. */
int			cmw_id_cmp(const char *a, size_t alen, const char *b, size_t blen);

/*
 * Put the set in canonical form: members numbered in cmw_id_cmp order and
 * events sorted by (member, at).  Canonical sets from different processes
 * merge in linear time (cmw_merge).  False when out of memory.
 */
bool		cmw_canonicalize(cmw_set *s);

/* Is the set canonical (and flushed)? */
static inline bool
cmw_canonical(const cmw_set *s)
{
	return s->id_order && s->nsorted == s->n && s->nstaged == 0;
}

/*
 * Append member id (len bytes) as the next id without looking it up: for
 * reading a canonical set back, the caller checks that the ids ascend in
 * cmw_id_cmp order.  Returns the id, or -1 when out of memory or limits.
 */
int32_t		cmw_push_member(cmw_set *s, const char *id, size_t len);

/* Mark a set built with cmw_push_member and sorted events as canonical. */
void		cmw_set_canonical(cmw_set *s);

/* A copy of src with allocator mem, sized to fit; false when out of memory. */
bool		cmw_copy(cmw_set *dst, const cmw_set *src, const cmw_alloc *mem);

/*
 * Order the events by (member, at) in place, without extra memory (an
 * in-place radix sort on the member id, then by time within each member).
 * Flushes staged ids first; false when that fails.
 */
bool		cmw_sort(cmw_set *s);

/* Repeat calls over a sorted set (every event is taken as a call). */
void		cmw_repeats(const cmw_set *s, int64_t window, cmw_repeat_counts *out);

/* Failures, leaked failures, calls and leaked calls over a sorted set. */
void		cmw_leakage(const cmw_set *s, int64_t window, cmw_leak_counts *out);

/*
 * The p-th percentile (0 <= p <= 1) of v[0..n) by linear interpolation
 * between the closest ranks, as PostgreSQL's percentile_cont, scaled by
 * 1/unit.  Reorders v.  n must be > 0.
 */
double		cmw_percentile_cont(int64_t *v, size_t n, double p, double unit);

#endif							/* CM_WINDOW_H */
