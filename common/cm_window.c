/*
 * cm_window.c
 *    Time-window logic shared by the costmodel aggregates: the member
 *    dictionary (ids interned to arena keys, rows staged and interned in
 *    batches), the pool and the segmented event lists of many groups, the
 *    in-place (member, at) sort of 12-byte event records, the repeat-call
 *    and leakage scans, and exact percentiles.  See cm_window.h for the
 *    contracts and docs/windows.md for the definitions and the memory.
 *
 * Plain C99; no PostgreSQL headers.
 */
#include "cm_window.h"

#include <math.h>

/*
 * Arrays grow by a quarter: at most a fifth of one is unused.  Large arrays
 * grow by remapping their pages (realloc), not by copying, so the extra
 * steps cost little.
 */
#define GROW(cap)			((cap) + (cap) / 4)
#define MIN_ARENA			4096
#define MIN_STAGE			1024
#define MIN_SLOTS			512
#define POOL_FIRST_BLOCK	1024
#define POOL_MAX_BLOCK		(64 * 1024)
#define POOL_BLOCK_HDR		8	/* the chain link at the start of a block */
#define SMALL_SORT			24	/* insertion sort at or below this */
#define QUICK_SORT			4096	/* quicksort below this, else radix */
#define DIGIT_BITS			10	/* member-key radix digit width */

/* ---------------------------------------------------------------- window */

/* A window of months, days and microseconds as microseconds (a day = 24 h). */
cmw_wstatus
cmw_window_usec(int32_t months, int32_t days, int64_t usec, int64_t *out)
{
	const int64_t max_days = INT64_MAX / CMW_USECS_PER_DAY;
	int64_t		d;

	if (months != 0)
		return CMW_WINDOW_MONTHS;
	if (days > max_days)
		return CMW_WINDOW_TOO_LONG;
	if (days < -max_days)
		return CMW_WINDOW_NOT_POSITIVE;
	d = (int64_t) days * CMW_USECS_PER_DAY;
	if (usec > 0 && d > INT64_MAX - usec)
		return CMW_WINDOW_TOO_LONG;
	if (usec < 0 && d < INT64_MIN - usec)
		return CMW_WINDOW_NOT_POSITIVE;
	if (d + usec <= 0)
		return CMW_WINDOW_NOT_POSITIVE;
	*out = d + usec;
	return CMW_WINDOW_OK;
}

/* ------------------------------------------------------------------ hash */

/* Rotate x left by r bits. */
static inline uint64_t
rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

/* Scramble one 64-bit word before it is folded into the hash. */
static inline uint64_t
scramble(uint64_t k)
{
	k *= UINT64_C(0x87c37b91114253d5);
	k = rotl64(k, 31);
	k *= UINT64_C(0x4cf5ad432745937f);
	return k;
}

/* 64-bit hash of len bytes: 8-byte words folded in, then a final avalanche. */
uint64_t
cmw_hash(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint64_t	h = UINT64_C(0x9e3779b97f4a7c15) ^ (uint64_t) len;
	uint64_t	k;

	while (len >= 8)
	{
		memcpy(&k, b, 8);
		h ^= scramble(k);
		h = rotl64(h, 27) * 5 + UINT64_C(0x52dce729);
		b += 8;
		len -= 8;
	}
	if (len > 0)
	{
		k = 0;
		memcpy(&k, b, len);
		h ^= scramble(k);
	}
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

/* Fold a 64-bit hash into the 32 bits kept in a slot. */
static inline uint32_t
fold(uint64_t h)
{
	return (uint32_t) (h ^ (h >> 32));
}

/* Hint that p will be read soon. */
static inline void
prefetch(const void *p)
{
#if defined(__GNUC__)
	__builtin_prefetch(p);
#else
	(void) p;
#endif
}

/* ------------------------------------------------------------ allocation */

/*
 * Grow *ptr (elsize-byte elements, room for *cap) to hold at least need:
 * by a quarter, or to min, or to need.
 */
static bool
grow_array(const cmw_alloc *mem, void **ptr, size_t *cap, size_t need,
		   size_t elsize, size_t min)
{
	size_t		newcap = *cap < min ? min : GROW(*cap);
	void	   *p;

	if (newcap < need)
		newcap = need;
	if (newcap > SIZE_MAX / elsize)
		return false;
	if (*ptr == NULL)
		p = mem->alloc(mem->ctx, newcap * elsize);
	else
		p = mem->grow(mem->ctx, *ptr, newcap * elsize);
	if (p == NULL)
		return false;
	*ptr = p;
	*cap = newcap;
	return true;
}

/* ------------------------------------------------------------ dictionary */

/* An empty dictionary using allocator mem (allocates nothing yet). */
void
cmw_dict_init(cmw_dict *d, const cmw_alloc *mem)
{
	memset(d, 0, sizeof(*d));
	d->mem = *mem;
}

/* Free everything the dictionary holds; it is empty afterwards. */
void
cmw_dict_free(cmw_dict *d)
{
	cmw_alloc	mem = d->mem;

	if (d->arena)
		mem.release(mem.ctx, d->arena);
	if (d->slots)
		mem.release(mem.ctx, d->slots);
	if (d->stage)
		mem.release(mem.ctx, d->stage);
	cmw_dict_init(d, &mem);
}

/* Bytes an id of len bytes takes in the arena: length, bytes, padding to 4. */
static inline size_t
entry_size(size_t len)
{
	return ((len < 255 ? 1 : 5) + len + 3) & ~(size_t) 3;
}

/* Bits that every member key fits in (at least 1). */
unsigned
cmw_dict_key_bits(const cmw_dict *d)
{
	uint32_t	maxkey = d->narena >= 4 ? (uint32_t) (d->narena / 4 - 1) : 0;
	unsigned	bits = 1;

	while (bits < 31 && (maxkey >> bits) != 0)
		bits++;
	return bits;
}

/* Slots to hold n members at load <= 3/4: a power of two, at least MIN_SLOTS. */
static uint64_t
slots_for(uint64_t n)
{
	uint64_t	nslots = MIN_SLOTS;

	while (nslots * 3 < n * 4)
		nslots *= 2;
	return nslots;
}

/* (Re)build the slot table with room for one more member, from the old one. */
static bool
rehash(cmw_dict *d)
{
	uint64_t	nslots = slots_for((uint64_t) d->nmembers + 1);
	uint32_t	mask;
	cmw_slot   *slots;
	uint32_t	i;

	if (d->slots && nslots <= d->nslots)
		nslots = (uint64_t) d->nslots * 2;
	if (nslots > (uint64_t) UINT32_MAX / 2 + 1 || nslots > SIZE_MAX / sizeof(cmw_slot))
		return false;
	mask = (uint32_t) nslots - 1;
	slots = d->mem.alloc(d->mem.ctx, (size_t) nslots * sizeof(cmw_slot));
	if (slots == NULL)
		return false;
	memset(slots, 0, (size_t) nslots * sizeof(cmw_slot));
	if (d->slots)
	{
		for (i = 0; i < d->nslots; i++)
		{
			uint32_t	j;

			if (d->slots[i].key1 == 0)
				continue;
			for (j = d->slots[i].hash & mask; slots[j].key1 != 0; j = (j + 1) & mask)
				;
			slots[j] = d->slots[i];
		}
		d->mem.release(d->mem.ctx, d->slots);
	}
	d->slots = slots;
	d->nslots = (uint32_t) nslots;
	return true;
}

/* Append id (len bytes) to the arena as a new member; false on failure. */
static bool
append_entry(cmw_dict *d, const char *id, size_t len, uint32_t *key)
{
	size_t		need = entry_size(len);
	unsigned char *p;

	if (len > UINT32_MAX || d->narena / 4 >= CMW_MAX_KEY ||
		need > (size_t) CMW_MAX_KEY * 4 - d->narena)
		return false;
	if (d->narena + need > d->caparena)
	{
		void	   *a = d->arena;

		if (!grow_array(&d->mem, &a, &d->caparena, d->narena + need, 1, MIN_ARENA))
			return false;
		d->arena = a;
	}
	p = (unsigned char *) d->arena + d->narena;
	memset(p + need - 4, 0, 4);	/* the padding */
	if (len < 255)
	{
		p[0] = (unsigned char) len;
		if (len > 0)
			memcpy(p + 1, id, len);
	}
	else
	{
		uint32_t	l = (uint32_t) len;

		p[0] = 255;
		memcpy(p + 1, &l, sizeof(l));
		memcpy(p + 5, id, len);
	}
	*key = (uint32_t) (d->narena / 4);
	d->narena += need;
	d->nmembers++;
	return true;
}

/* Are the len bytes at a and b the same?  (Short ids: no library call.) */
static inline bool
same_bytes(const char *a, const char *b, size_t len)
{
	uint64_t	x,
				y;

	while (len >= 8)
	{
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return false;
		a += 8;
		b += 8;
		len -= 8;
	}
	while (len > 0)
	{
		if (*a++ != *b++)
			return false;
		len--;
	}
	return true;
}

/* Is member key (whose slot hash matched) the id of len bytes? */
static inline bool
is_member(const cmw_dict *d, uint32_t key, const char *id, size_t len)
{
	size_t		mlen;
	const char *m = cmw_dict_bytes(d, key, &mlen);

	return mlen == len && same_bytes(m, id, len);
}

/* The key of member id (len bytes, hash h), added when new; false on failure. */
static bool
intern(cmw_dict *d, const char *id, size_t len, uint32_t h, uint32_t *key,
	   bool *added)
{
	uint32_t	mask;
	uint32_t	i;

	if (added)
		*added = false;
	if (d->nslots == 0 && !rehash(d))
		return false;
	mask = d->nslots - 1;
	for (i = h & mask; d->slots[i].key1 != 0; i = (i + 1) & mask)
	{
		if (d->slots[i].hash == h && is_member(d, d->slots[i].key1 - 1, id, len))
		{
			*key = d->slots[i].key1 - 1;
			return true;
		}
	}

	/* new member: grow the table first if it would pass 3/4 full */
	if (((uint64_t) d->nmembers + 1) * 4 > (uint64_t) d->nslots * 3)
	{
		if (!rehash(d))
			return false;
		mask = d->nslots - 1;
		for (i = h & mask; d->slots[i].key1 != 0; i = (i + 1) & mask)
			;
	}
	if (!append_entry(d, id, len, key))
		return false;
	d->slots[i].key1 = *key + 1;
	d->slots[i].hash = h;
	if (added)
		*added = true;
	return true;
}

/* The key of member id (len bytes), added when new; false on failure. */
bool
cmw_dict_intern(cmw_dict *d, const char *id, size_t len, uint32_t *key,
				bool *added)
{
	return intern(d, id, len, fold(cmw_hash(id, len)), key, added);
}

/*
 * The keys of n <= CMW_BATCH ids.  A look-up reads two places that are
 * rarely in cache: the slot and the member's bytes in the arena.  So, for
 * all n ids at once: hash and prefetch the home slot; where the slot's hash
 * matches, prefetch the arena entry; then look up for real.  The memory
 * accesses of different ids overlap instead of waiting in turn.
 */
bool
cmw_dict_intern_many(cmw_dict *d, const char *const *ids, const uint32_t *lens,
					 size_t n, uint32_t *keys)
{
	uint32_t	h[CMW_BATCH];
	uint32_t	cand[CMW_BATCH];
	uint32_t	mask;
	size_t		i;

	if (d->nslots == 0 && !rehash(d))
		return false;
	mask = d->nslots - 1;
	for (i = 0; i < n; i++)
	{
		h[i] = fold(cmw_hash(ids[i], lens[i]));
		prefetch(&d->slots[h[i] & mask]);
	}
	for (i = 0; i < n; i++)
	{
		const cmw_slot *sl = &d->slots[h[i] & mask];

		cand[i] = sl->key1 != 0 && sl->hash == h[i] ? sl->key1 : 0;
		if (cand[i] != 0)
			prefetch(d->arena + (size_t) (cand[i] - 1) * 4);
	}
	for (i = 0; i < n; i++)
		if (!intern(d, ids[i], lens[i], h[i], &keys[i], NULL))
			return false;
	return true;
}

/* Stage member id for *target (its key written there on the next flush). */
bool
cmw_dict_stage(cmw_dict *d, const char *id, size_t len, uint32_t *target,
			   const void *owner)
{
	uint32_t	len32 = (uint32_t) len;
	size_t		need = sizeof(uint32_t) + len;
	cmw_pending *pe;

	if (len > UINT32_MAX - sizeof(uint32_t) || d->nstage > SIZE_MAX - need)
		return false;
	if (d->nstage + need > d->capstage)
	{
		void	   *p = d->stage;

		if (!grow_array(&d->mem, &p, &d->capstage, d->nstage + need, 1, MIN_STAGE))
			return false;
		d->stage = p;
	}
	memcpy(d->stage + d->nstage, &len32, sizeof(uint32_t));
	if (len > 0)
		memcpy(d->stage + d->nstage + sizeof(uint32_t), id, len);
	pe = &d->pend[d->npend++];
	pe->target = target;
	pe->owner = owner;
	pe->off = d->nstage;
	d->nstage += need;
	if (d->npend == CMW_BATCH)
		return cmw_dict_flush(d);
	return true;
}

/* Intern the staged ids and write their keys; false on failure. */
bool
cmw_dict_flush(cmw_dict *d)
{
	const char *ids[CMW_BATCH];
	uint32_t	lens[CMW_BATCH];
	uint32_t	keys[CMW_BATCH];
	uint32_t	i;

	if (d->npend == 0)
		return true;
	for (i = 0; i < d->npend; i++)
	{
		const char *p = d->stage + d->pend[i].off;

		memcpy(&lens[i], p, sizeof(uint32_t));
		ids[i] = p + sizeof(uint32_t);
	}
	if (!cmw_dict_intern_many(d, ids, lens, d->npend, keys))
		return false;
	for (i = 0; i < d->npend; i++)
	{
		uint32_t   *t = d->pend[i].target;

		*t = (keys[i] << 1) | (*t & CMW_FAILURE_BIT);
	}
	d->npend = 0;
	d->nstage = 0;
	return true;
}

/* Forget the staged rows whose target is in owner's memory. */
void
cmw_dict_drop(cmw_dict *d, const void *owner)
{
	uint32_t	i,
				k = 0;

	for (i = 0; i < d->npend; i++)
		if (d->pend[i].owner != owner)
			d->pend[k++] = d->pend[i];
	d->npend = k;
	if (k == 0)
		d->nstage = 0;
}

/* ------------------------------------------------------------------ pool */

/* An empty pool using allocator mem. */
void
cmw_pool_init(cmw_pool *p, const cmw_alloc *mem)
{
	memset(p, 0, sizeof(*p));
	p->mem = *mem;
	p->next_size = POOL_FIRST_BLOCK;
}

/* size bytes, 8-byte aligned, for as long as the pool lives; NULL on failure. */
void *
cmw_pool_alloc(cmw_pool *p, size_t size)
{
	char	   *r;

	if (size > SIZE_MAX / 2)
		return NULL;
	size = (size + 7) & ~(size_t) 7;
	if (size > p->left)
	{
		size_t		bsize = p->next_size;
		char	   *blk;

		while (bsize - POOL_BLOCK_HDR < size)
			bsize *= 2;
		blk = p->mem.alloc(p->mem.ctx, bsize);
		if (blk == NULL)
			return NULL;
		memcpy(blk, &p->blocks, sizeof(void *));
		p->blocks = blk;
		p->block = blk + POOL_BLOCK_HDR;
		p->left = bsize - POOL_BLOCK_HDR;
		if (p->next_size < POOL_MAX_BLOCK)
			p->next_size *= 2;
	}
	r = p->block;
	p->block += size;
	p->left -= size;
	return r;
}

/* Release the pool's blocks, segment blocks included. */
void
cmw_pool_free(cmw_pool *p)
{
	cmw_alloc	mem = p->mem;
	void	   *blk = p->blocks;
	size_t		i;

	while (blk != NULL)
	{
		void	   *next;

		memcpy(&next, blk, sizeof(void *));
		mem.release(mem.ctx, blk);
		blk = next;
	}
	for (i = 0; i < p->nsegblocks; i++)
		mem.release(mem.ctx, p->segblocks[i]);
	if (p->segblocks)
		mem.release(mem.ctx, p->segblocks);
	cmw_pool_init(p, &mem);
}

/* The segments of block b. */
static inline cmw_seg *
block_segs(cmw_segblock *b)
{
	return (cmw_seg *) (b + 1);
}

/* Put b on the pool's list of blocks with room. */
static void
avail_push(cmw_pool *p, cmw_segblock *b)
{
	b->prev_avail = NULL;
	b->next_avail = p->avail;
	if (p->avail)
		p->avail->prev_avail = b;
	p->avail = b;
	b->in_avail = true;
}

/* Take b off the pool's list of blocks with room. */
static void
avail_remove(cmw_pool *p, cmw_segblock *b)
{
	if (b->prev_avail)
		b->prev_avail->next_avail = b->next_avail;
	else
		p->avail = b->next_avail;
	if (b->next_avail)
		b->next_avail->prev_avail = b->prev_avail;
	b->in_avail = false;
}

/* A new segment block, entered in address order; NULL on failure. */
static cmw_segblock *
new_segblock(cmw_pool *p)
{
	cmw_segblock *b;
	size_t		i;

	if (p->nsegblocks == p->capsegblocks)
	{
		void	   *a = p->segblocks;

		if (!grow_array(&p->mem, &a, &p->capsegblocks, p->nsegblocks + 1,
						sizeof(cmw_segblock *), 16))
			return NULL;
		p->segblocks = a;
	}
	b = p->mem.alloc(p->mem.ctx, sizeof(cmw_segblock) + CMW_SEGS_PER_BLOCK * sizeof(cmw_seg));
	if (b == NULL)
		return NULL;
	memset(b, 0, sizeof(*b));
	/* usually the highest address yet: the search from the end is short */
	for (i = p->nsegblocks; i > 0 && (uintptr_t) p->segblocks[i - 1] > (uintptr_t) b; i--)
		p->segblocks[i] = p->segblocks[i - 1];
	p->segblocks[i] = b;
	p->nsegblocks++;
	avail_push(p, b);
	return b;
}

/* A segment from a block with room, or a new block; NULL on failure. */
static cmw_seg *
new_seg(cmw_pool *p)
{
	cmw_segblock *b = p->avail;
	cmw_seg    *s;

	if (b == NULL && (b = new_segblock(p)) == NULL)
		return NULL;
	if (b->free != NULL)
	{
		s = b->free;
		b->free = s->next;
	}
	else
		s = &block_segs(b)[b->ncarved++];
	b->nused++;
	if (b->free == NULL && b->ncarved == CMW_SEGS_PER_BLOCK)
		avail_remove(p, b);
	s->next = NULL;
	return s;
}

/* The block that segment s is in (binary search over the block addresses). */
static cmw_segblock *
block_of(const cmw_pool *p, const cmw_seg *s)
{
	size_t		lo = 0,
				hi = p->nsegblocks;

	while (hi - lo > 1)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if ((uintptr_t) p->segblocks[mid] <= (uintptr_t) s)
			lo = mid;
		else
			hi = mid;
	}
	return p->segblocks[lo];
}

/*
 * Give a chain of segments back: each to its block, and a block none of
 * whose segments is used any more to the allocator, so that groups that
 * moved to one array leave no memory behind.
 */
static void
free_segs(cmw_pool *p, cmw_seg *s)
{
	while (s != NULL)
	{
		cmw_seg    *next = s->next;
		cmw_segblock *b = block_of(p, s);

		s->next = b->free;
		b->free = s;
		if (!b->in_avail)
			avail_push(p, b);
		if (--b->nused == 0)
		{
			size_t		i;

			avail_remove(p, b);
			for (i = 0; p->segblocks[i] != b; i++)
				;
			memmove(&p->segblocks[i], &p->segblocks[i + 1],
					(p->nsegblocks - i - 1) * sizeof(cmw_segblock *));
			p->nsegblocks--;
			p->mem.release(p->mem.ctx, b);
		}
		s = next;
	}
}

/* ---------------------------------------------------------------- events */

/* Grow a large group's array to hold need events (records move: flush first). */
static bool
grow_large(cmw_events *g, cmw_pool *p, cmw_dict *d, size_t need)
{
	void	   *a = g->arr;

	if (!cmw_dict_flush(d) ||
		!grow_array(&p->mem, &a, &g->cap, need, sizeof(cmw_event), 0))
		return false;
	g->arr = a;
	return true;
}

/* Move a small group's events into one array with room for need (flush first). */
static bool
to_large(cmw_events *g, cmw_pool *p, cmw_dict *d, size_t need)
{
	size_t		cap = GROW(g->n);
	cmw_event  *a;
	cmw_seg    *s;
	size_t		i = 0;

	if (!cmw_dict_flush(d))
		return false;
	if (cap < need)
		cap = need;
	if (cap < CMW_SMALL_MAX + CMW_SMALL_MAX / 4)
		cap = CMW_SMALL_MAX + CMW_SMALL_MAX / 4;	/* > 8 kB: its own block */
	if (cap > SIZE_MAX / sizeof(cmw_event))
		return false;
	a = p->mem.alloc(p->mem.ctx, cap * sizeof(cmw_event));
	if (a == NULL)
		return false;
	for (s = g->head; s != NULL; s = s->next)
	{
		size_t		k = g->n - i < CMW_SEG_EVENTS ? g->n - i : CMW_SEG_EVENTS;

		memcpy(a + i, s->ev, k * sizeof(cmw_event));
		i += k;
	}
	free_segs(p, g->head);
	g->head = g->tail = NULL;
	g->arr = a;
	g->cap = cap;
	g->sorted = false;
	return true;
}

/* Room for extra more events without moving any later; false on failure. */
static bool
reserve(cmw_events *g, cmw_pool *p, cmw_dict *d, size_t extra)
{
	if (extra > SIZE_MAX / sizeof(cmw_event) - g->n)
		return false;
	if (g->arr != NULL)
		return g->n + extra <= g->cap || grow_large(g, p, d, g->n + extra);
	if (g->n + extra > CMW_SMALL_MAX)
		return to_large(g, p, d, g->n + extra);
	return true;
}

/* Room for one more event: its record, or NULL on failure. */
static inline cmw_event *
push(cmw_events *g, cmw_pool *p, cmw_dict *d)
{
	size_t		i;

	if (g->arr != NULL || g->n == CMW_SMALL_MAX)
	{
		if ((g->arr == NULL || g->n == g->cap) && !reserve(g, p, d, 1))
			return NULL;
		g->sorted = false;
		return &g->arr[g->n++];
	}
	i = g->n % CMW_SEG_EVENTS;
	if (i == 0)
	{
		cmw_seg    *s = new_seg(p);

		if (s == NULL)
			return NULL;
		if (g->tail)
			g->tail->next = s;
		else
			g->head = s;
		g->tail = s;
	}
	g->n++;
	return &g->tail->ev[i];
}

/* Add one event of member id, its id staged in d. */
bool
cmw_events_add(cmw_events *g, cmw_pool *p, cmw_dict *d, const char *id,
			   size_t len, int64_t at, bool failure)
{
	cmw_event  *e = push(g, p, d);

	if (e == NULL)
		return false;
	cmw_event_set(e, failure ? CMW_FAILURE_BIT : 0, at);
	p->events++;
	return cmw_dict_stage(d, id, len, &e->key, p);
}

/* The record of ev with its member renumbered through map (or kept). */
static inline cmw_event
mapped(const cmw_event *ev, const uint32_t *map)
{
	cmw_event	e = *ev;

	if (map)
		e.key = (map[ev->key >> 1] << 1) | (ev->key & CMW_FAILURE_BIT);
	return e;
}

/* Append n events whose members are numbers into map (or keys, map NULL). */
bool
cmw_events_append(cmw_events *g, cmw_pool *p, cmw_dict *d, const cmw_event *ev,
				  size_t n, const uint32_t *map)
{
	size_t		i;

	if (n == 0)
		return true;
	if (!reserve(g, p, d, n))
		return false;
	if (g->arr != NULL)
	{
		for (i = 0; i < n; i++)
			g->arr[g->n + i] = mapped(&ev[i], map);
		g->n += n;
		g->sorted = false;
	}
	else
	{
		for (i = 0; i < n; i++)
		{
			cmw_event  *e = push(g, p, d);

			if (e == NULL)
				return false;
			*e = mapped(&ev[i], map);
		}
	}
	p->events += n;
	return true;
}

/* Append every event of src, whose keys are in dictionary sd (may be d). */
bool
cmw_events_append_group(cmw_events *g, cmw_pool *p, cmw_dict *d,
						cmw_events *src, cmw_dict *sd)
{
	cmw_seg    *s;
	size_t		left = src->n;
	size_t		i;

	if (!cmw_dict_flush(sd) || !cmw_dict_flush(d))
		return false;
	if (sd == d)
	{
		if (src->arr != NULL)
			return cmw_events_append(g, p, d, src->arr, src->n, NULL);
		for (s = src->head; s != NULL && left > 0; s = s->next)
		{
			size_t		k = left < CMW_SEG_EVENTS ? left : CMW_SEG_EVENTS;

			if (!cmw_events_append(g, p, d, s->ev, k, NULL))
				return false;
			left -= k;
		}
		return true;
	}
	/* another dictionary: intern each event's id into d */
	s = src->head;
	for (i = 0; i < src->n; i++)
	{
		const cmw_event *e = src->arr ? &src->arr[i] : &s->ev[i % CMW_SEG_EVENTS];
		size_t		len;
		const char *id = cmw_dict_bytes(sd, cmw_event_member(e), &len);

		if (!cmw_events_add(g, p, d, id, len, cmw_event_at(e), cmw_event_failure(e)))
			return false;
		if (src->arr == NULL && i % CMW_SEG_EVENTS == CMW_SEG_EVENTS - 1)
			s = s->next;
	}
	return true;
}

/* The group's events sorted by (member, at), in place or in scratch. */
const cmw_event *
cmw_events_sorted(cmw_events *g, cmw_dict *d, cmw_event *scratch)
{
	cmw_seg    *s;
	size_t		i = 0;

	if (!cmw_dict_flush(d))
		return NULL;
	if (g->arr != NULL)
	{
		if (!g->sorted)
			cmw_sort_events(g->arr, g->n, cmw_dict_key_bits(d));
		g->sorted = true;
		return g->arr;
	}
	for (s = g->head; s != NULL && i < g->n; s = s->next)
	{
		size_t		k = g->n - i < CMW_SEG_EVENTS ? g->n - i : CMW_SEG_EVENTS;

		memcpy(scratch + i, s->ev, k * sizeof(cmw_event));
		i += k;
	}
	cmw_sort_events(scratch, g->n, cmw_dict_key_bits(d));
	return scratch;
}

/* Give the group's memory back; false (and nothing freed) when d cannot flush. */
bool
cmw_events_release(cmw_events *g, cmw_pool *p, cmw_dict *d)
{
	/* staged keys may point into the group: write them while it is there */
	if (!cmw_dict_flush(d))
		return false;
	if (g->arr != NULL)
		p->mem.release(p->mem.ctx, g->arr);
	free_segs(p, g->head);
	cmw_events_init(g);
	return true;
}

/* ------------------------------------------------------------------ sort */

/* Does a go before b in (member, at) order? */
static inline bool
before(const cmw_event *a, const cmw_event *b)
{
	uint32_t	ma = a->key >> 1,
				mb = b->key >> 1;

	return ma < mb || (ma == mb && cmw_event_at(a) < cmw_event_at(b));
}

/* Swap two events. */
static inline void
swap_ev(cmw_event *a, cmw_event *b)
{
	cmw_event	t = *a;

	*a = *b;
	*b = t;
}

/* Insertion sort by (member, at). */
static void
insertion_member_at(cmw_event *ev, size_t n)
{
	size_t		i;

	for (i = 1; i < n; i++)
	{
		cmw_event	e = ev[i];
		size_t		j = i;

		while (j > 0 && before(&e, &ev[j - 1]))
		{
			ev[j] = ev[j - 1];
			j--;
		}
		ev[j] = e;
	}
}

/* Quicksort by (member, at): median-of-three pivot, recursion on the smaller side. */
static void
quick_member_at(cmw_event *ev, size_t n)
{
	while (n > SMALL_SORT)
	{
		size_t		mid = n / 2;
		cmw_event	pivot;
		size_t		i,
					j;

		if (before(&ev[mid], &ev[0]))
			swap_ev(&ev[mid], &ev[0]);
		if (before(&ev[n - 1], &ev[mid]))
		{
			swap_ev(&ev[n - 1], &ev[mid]);
			if (before(&ev[mid], &ev[0]))
				swap_ev(&ev[mid], &ev[0]);
		}
		pivot = ev[mid];

		/* Hoare partition: [0, j] <= pivot <= [j + 1, n) */
		i = 0;
		j = n - 1;
		for (;;)
		{
			while (before(&ev[i], &pivot))
				i++;
			while (before(&pivot, &ev[j]))
				j--;
			if (i >= j)
				break;
			swap_ev(&ev[i], &ev[j]);
			i++;
			j--;
		}
		if (j + 1 < n - (j + 1))
		{
			quick_member_at(ev, j + 1);
			ev += j + 1;
			n -= j + 1;
		}
		else
		{
			quick_member_at(ev + j + 1, n - (j + 1));
			n = j + 1;
		}
	}
	insertion_member_at(ev, n);
}

/* Insertion sort by at. */
static void
insertion_at(cmw_event *ev, size_t n)
{
	size_t		i;

	for (i = 1; i < n; i++)
	{
		cmw_event	e = ev[i];
		int64_t		t = cmw_event_at(&e);
		size_t		j = i;

		while (j > 0 && cmw_event_at(&ev[j - 1]) > t)
		{
			ev[j] = ev[j - 1];
			j--;
		}
		ev[j] = e;
	}
}

/* Quicksort by at: median-of-three pivot, recursion on the smaller side. */
static void
quick_at(cmw_event *ev, size_t n)
{
	while (n > SMALL_SORT)
	{
		size_t		mid = n / 2;
		int64_t		pivot;
		size_t		i,
					j;

		if (cmw_event_at(&ev[mid]) < cmw_event_at(&ev[0]))
			swap_ev(&ev[mid], &ev[0]);
		if (cmw_event_at(&ev[n - 1]) < cmw_event_at(&ev[mid]))
		{
			swap_ev(&ev[n - 1], &ev[mid]);
			if (cmw_event_at(&ev[mid]) < cmw_event_at(&ev[0]))
				swap_ev(&ev[mid], &ev[0]);
		}
		pivot = cmw_event_at(&ev[mid]);

		/* Hoare partition: [0, j] <= pivot <= [j + 1, n) */
		i = 0;
		j = n - 1;
		for (;;)
		{
			while (cmw_event_at(&ev[i]) < pivot)
				i++;
			while (cmw_event_at(&ev[j]) > pivot)
				j--;
			if (i >= j)
				break;
			swap_ev(&ev[i], &ev[j]);
			i++;
			j--;
		}
		if (j + 1 < n - (j + 1))
		{
			quick_at(ev, j + 1);
			ev += j + 1;
			n -= j + 1;
		}
		else
		{
			quick_at(ev + j + 1, n - (j + 1));
			n = j + 1;
		}
	}
	insertion_at(ev, n);
}

/* Sort one member's events (all keys equal) by at; cheap when already in order. */
static void
sort_at(cmw_event *ev, size_t n)
{
	size_t		i;

	for (i = 1; i < n; i++)
		if (cmw_event_at(&ev[i]) < cmw_event_at(&ev[i - 1]))
			break;
	if (i >= n)
		return;
	if (n <= SMALL_SORT)
		insertion_at(ev, n);
	else
		quick_at(ev, n);
}

/*
 * MSD radix sort on the member key (in-place "American flag" permutation),
 * bits [lo, lo + width) at this level, then by at within each member.
 */
static void
msd_member(cmw_event *ev, size_t n, unsigned lo, unsigned width)
{
	size_t		start[(1u << DIGIT_BITS) + 1];
	size_t		next[1u << DIGIT_BITS];
	uint32_t	nb = 1u << width;
	uint32_t	mask = nb - 1;
	uint32_t	d;
	size_t		i;

	if (n <= SMALL_SORT)
	{
		insertion_member_at(ev, n);
		return;
	}
	memset(start, 0, sizeof(size_t) * (nb + 1));
	for (i = 0; i < n; i++)
		start[((ev[i].key >> 1 >> lo) & mask) + 1]++;
	for (d = 0; d < nb; d++)
	{
		start[d + 1] += start[d];
		next[d] = start[d];
	}
	for (d = 0; d < nb; d++)
	{
		while (next[d] < start[d + 1])
		{
			cmw_event	e = ev[next[d]];
			uint32_t	k = (e.key >> 1 >> lo) & mask;

			while (k != d)
			{
				cmw_event	t = ev[next[k]];

				ev[next[k]++] = e;
				e = t;
				k = (e.key >> 1 >> lo) & mask;
			}
			ev[next[d]++] = e;
		}
	}
	for (d = 0; d < nb; d++)
	{
		size_t		len = start[d + 1] - start[d];

		if (len < 2)
			continue;
		if (lo == 0)
			sort_at(ev + start[d], len);
		else
			msd_member(ev + start[d], len, lo - DIGIT_BITS, DIGIT_BITS);
	}
}

/* Order ev[0..n) by (member, at) in place. */
void
cmw_sort_events(cmw_event *ev, size_t n, unsigned key_bits)
{
	unsigned	lo;

	if (n < QUICK_SORT)
	{
		quick_member_at(ev, n);
		return;
	}
	if (key_bits < 1)
		key_bits = 1;
	if (key_bits > 31)
		key_bits = 31;
	lo = key_bits > DIGIT_BITS ? ((key_bits - 1) / DIGIT_BITS) * DIGIT_BITS : 0;
	msd_member(ev, n, lo, key_bits - lo);
}

/* --------------------------------------------------------------- counting */

/* Repeat calls over sorted events (every one taken as a call). */
void
cmw_repeats(const cmw_event *ev, size_t n, int64_t window, cmw_repeat_counts *out)
{
	int64_t		repeats = 0;
	size_t		i;

	for (i = 1; i < n; i++)
		if (cmw_event_member(&ev[i]) == cmw_event_member(&ev[i - 1]) &&
			cmw_within(cmw_event_at(&ev[i]), cmw_event_at(&ev[i - 1]), window))
			repeats++;
	out->calls = (int64_t) n;
	out->repeat_calls = repeats;
}

/*
 * Failures, leaked failures, calls and leaked calls over sorted events.
 *
 * Per member, the events are walked in groups of equal time.  A failure is
 * pending until the next group that holds a call: the first call strictly
 * after it, so it leaked when that call is within the window.  A call group
 * leaked when the latest failure strictly before it is within the window.
 */
void
cmw_leakage(const cmw_event *ev, size_t n, int64_t window, cmw_leak_counts *out)
{
	size_t		i = 0;

	memset(out, 0, sizeof(*out));
	while (i < n)
	{
		uint32_t	m = cmw_event_member(&ev[i]);
		size_t		pend = i;	/* failures from here on await a call */
		bool		have_fail = false;
		int64_t		last_fail = 0;

		while (i < n && cmw_event_member(&ev[i]) == m)
		{
			int64_t		t = cmw_event_at(&ev[i]);
			size_t		g = i;
			int64_t		ncalls = 0,
						nfail = 0;

			for (; g < n && cmw_event_member(&ev[g]) == m && cmw_event_at(&ev[g]) == t; g++)
			{
				if (cmw_event_failure(&ev[g]))
					nfail++;
				else
					ncalls++;
			}
			if (ncalls > 0)
			{
				size_t		k;

				out->calls += ncalls;
				if (have_fail && cmw_within(t, last_fail, window))
					out->leaked_calls += ncalls;
				for (k = pend; k < i; k++)
					if (cmw_event_failure(&ev[k]) && cmw_within(t, cmw_event_at(&ev[k]), window))
						out->leaked_failures++;
				pend = i;
			}
			if (nfail > 0)
			{
				out->failures += nfail;
				have_fail = true;
				last_fail = t;
			}
			i = g;
		}
	}
}

/* ------------------------------------------------------------ percentiles */

/* Rearrange v so that v[k] is the k-th smallest (quickselect). */
static void
select_kth(int64_t *v, size_t n, size_t k)
{
	size_t		lo = 0,
				hi = n - 1;

	while (hi > lo)
	{
		size_t		mid = lo + (hi - lo) / 2;
		int64_t		pivot,
					t;
		size_t		i,
					j;

		if (v[mid] < v[lo])
		{
			t = v[mid]; v[mid] = v[lo]; v[lo] = t;
		}
		if (v[hi] < v[mid])
		{
			t = v[hi]; v[hi] = v[mid]; v[mid] = t;
			if (v[mid] < v[lo])
			{
				t = v[mid]; v[mid] = v[lo]; v[lo] = t;
			}
		}
		pivot = v[mid];
		i = lo;
		j = hi;
		for (;;)
		{
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i >= j)
				break;
			t = v[i]; v[i] = v[j]; v[j] = t;
			i++;
			j--;
		}
		/* [lo, j] <= pivot <= [j + 1, hi] */
		if (k <= j)
			hi = j;
		else
			lo = j + 1;
	}
}

/* The p-th percentile of v[0..n), as percentile_cont, in units of unit. */
double
cmw_percentile_cont(int64_t *v, size_t n, double p, double unit)
{
	double		pos = p * (double) (n - 1);
	size_t		first = (size_t) floor(pos);
	size_t		second = (size_t) ceil(pos);
	double		lo,
				hi;

	select_kth(v, n, first);
	lo = (double) v[first] / unit;
	if (second == first)
		return lo;
	/* the next rank is the smallest value above position first */
	{
		int64_t		next = v[first + 1];
		size_t		i;

		for (i = first + 2; i < n; i++)
			if (v[i] < next)
				next = v[i];
		hi = (double) next / unit;
	}
	return lo + (pos - (double) first) * (hi - lo);
}
