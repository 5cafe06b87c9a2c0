/*
 * cm_window.c
 *    Time-window logic shared by the costmodel aggregates and, later, the
 *    loader: member-id interning, the in-place (member, at) sort of 16-byte
 *    event records, the repeat-call and leakage scans, and exact
 *    percentiles.  See cm_window.h for the contracts and docs/windows.md for
 *    the definitions.
 *
 * Plain C99; no PostgreSQL headers.
 */
#include "cm_window.h"

#include <math.h>
#include <string.h>

/*
 * Arrays grow by a quarter: at most a fifth of one is unused, so a 16-byte
 * event takes at most 20 bytes.  Large arrays grow by remapping their pages
 * (realloc), not by copying, so the extra steps cost little.
 */
#define GROW(cap)			((cap) + (cap) / 4)
#define MIN_EVENTS			1024
#define MIN_MEMBERS			256
#define MIN_BYTES			4096
#define MIN_SLOTS			512
#define SMALL_SORT			24	/* insertion sort at or below this */
#define DIGIT_BITS			10	/* member-id radix digit width */

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

/* ------------------------------------------------------------ allocation */

/* Grow *ptr (elsize-byte elements, room for *cap) to hold at least need. */
static bool
grow_array(cmw_set *s, void **ptr, size_t *cap, size_t need, size_t elsize,
		   size_t min)
{
	size_t		newcap = *cap < min ? min : GROW(*cap);
	void	   *p;

	if (newcap < need)
		newcap = need;
	if (newcap > SIZE_MAX / elsize)
		return false;
	if (*ptr == NULL)
		p = s->mem.alloc(s->mem.ctx, newcap * elsize);
	else
		p = s->mem.grow(s->mem.ctx, *ptr, newcap * elsize);
	if (p == NULL)
		return false;
	*ptr = p;
	*cap = newcap;
	return true;
}

/* An empty set using allocator mem (allocates nothing yet). */
void
cmw_set_init(cmw_set *s, const cmw_alloc *mem)
{
	memset(s, 0, sizeof(*s));
	s->mem = *mem;
	s->id_order = true;
}

/* Free everything the set holds; it is empty afterwards. */
void
cmw_set_free(cmw_set *s)
{
	cmw_alloc	mem = s->mem;

	if (s->bytes)
		mem.release(mem.ctx, s->bytes);
	if (s->offs)
		mem.release(mem.ctx, s->offs);
	if (s->slots)
		mem.release(mem.ctx, s->slots);
	if (s->ev && !s->borrowed)
		mem.release(mem.ctx, s->ev);
	if (s->stage)
		mem.release(mem.ctx, s->stage);
	cmw_set_init(s, &mem);
}

/* Room for at least extra more events, in memory of the set's own. */
bool
cmw_reserve(cmw_set *s, size_t extra)
{
	size_t		cap = s->cap;
	void	   *p = s->ev;

	if (s->borrowed)
	{
		cmw_event  *own;

		if (extra > SIZE_MAX / sizeof(cmw_event) - s->n)
			return false;
		own = s->mem.alloc(s->mem.ctx, sizeof(cmw_event) * (s->n + (extra > 0 ? extra : 1)));
		if (own == NULL)
			return false;
		if (s->n > 0)
			memcpy(own, s->ev, sizeof(cmw_event) * s->n);
		s->ev = own;
		s->cap = s->n + (extra > 0 ? extra : 1);
		s->borrowed = false;
		return true;
	}
	if (extra <= s->cap - s->n)
		return true;
	if (extra > SIZE_MAX - s->n)
		return false;
	if (!grow_array(s, &p, &cap, s->n + extra, sizeof(cmw_event), MIN_EVENTS))
		return false;
	s->ev = p;
	s->cap = cap;
	return true;
}

/* Use the caller's n events at ev without copying them. */
void
cmw_borrow_events(cmw_set *s, cmw_event *ev, size_t n)
{
	if (s->ev && !s->borrowed)
		s->mem.release(s->mem.ctx, s->ev);
	s->ev = ev;
	s->n = s->cap = n;
	s->nsorted = 0;
	s->borrowed = true;
}

/* ------------------------------------------------------------ dictionary */

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

/* Slots to hold n members at load <= 3/4: a power of two, at least MIN_SLOTS. */
static uint64_t
slots_for(uint64_t n)
{
	uint64_t	nslots = MIN_SLOTS;

	while (nslots * 3 < n * 4)
		nslots *= 2;
	return nslots;
}

/*
 * (Re)build the slot table with room for one more member: from the old
 * table when there is one, else by hashing the members' bytes.
 */
static bool
rehash(cmw_set *s)
{
	uint64_t	nslots = slots_for((uint64_t) s->nmembers + 1);
	uint32_t	mask;
	cmw_slot   *slots;
	uint32_t	i;

	if (s->slots && nslots <= s->nslots)
		nslots = (uint64_t) s->nslots * 2;
	if (nslots > (uint64_t) UINT32_MAX / 2 + 1 || nslots > SIZE_MAX / sizeof(cmw_slot))
		return false;
	mask = (uint32_t) nslots - 1;
	slots = s->mem.alloc(s->mem.ctx, (size_t) nslots * sizeof(cmw_slot));
	if (slots == NULL)
		return false;
	memset(slots, 0, (size_t) nslots * sizeof(cmw_slot));
	if (s->slots)
	{
		for (i = 0; i < s->nslots; i++)
		{
			uint32_t	j;

			if (s->slots[i].id1 == 0)
				continue;
			for (j = s->slots[i].hash & mask; slots[j].id1 != 0; j = (j + 1) & mask)
				;
			slots[j] = s->slots[i];
		}
		s->mem.release(s->mem.ctx, s->slots);
	}
	else
	{
		int32_t		m;

		for (m = 0; m < s->nmembers; m++)
		{
			size_t		len;
			const char *id = cmw_member_bytes(s, m, &len);
			uint32_t	h = fold(cmw_hash(id, len));
			uint32_t	j;

			for (j = h & mask; slots[j].id1 != 0; j = (j + 1) & mask)
				;
			slots[j].id1 = (uint32_t) m + 1;
			slots[j].hash = h;
		}
	}
	s->slots = slots;
	s->nslots = (uint32_t) nslots;
	return true;
}

/* Append member bytes as the next id (no slot); -1 on failure. */
static int32_t
append_member(cmw_set *s, const char *id, size_t len)
{
	int32_t		m;

	if (s->nmembers == INT32_MAX - 1 || len > UINT32_MAX - s->nbytes)
		return -1;
	if (s->nbytes + len > s->capbytes)
	{
		void	   *p = s->bytes;

		if (!grow_array(s, &p, &s->capbytes, s->nbytes + len, 1, MIN_BYTES))
			return -1;
		s->bytes = p;
	}
	if (s->nmembers == s->capmembers)
	{
		void	   *p = s->offs;
		size_t		cap = s->offs ? (size_t) s->capmembers + 1 : 0;

		if (!grow_array(s, &p, &cap, cap + 2, sizeof(uint32_t), MIN_MEMBERS))
			return -1;
		if (cap > INT32_MAX)
			cap = INT32_MAX;
		s->offs = p;
		if (s->capmembers == 0)
			s->offs[0] = 0;
		s->capmembers = (int32_t) cap - 1;
	}
	m = s->nmembers++;
	if (len > 0)
		memcpy(s->bytes + s->nbytes, id, len);
	s->nbytes += len;
	s->offs[m + 1] = (uint32_t) s->nbytes;
	return m;
}

/* Append member id as the next id without a look-up (reading a canonical set). */
int32_t
cmw_push_member(cmw_set *s, const char *id, size_t len)
{
	if (s->slots)
	{
		/* the table would go stale: drop it, intern() rebuilds it */
		s->mem.release(s->mem.ctx, s->slots);
		s->slots = NULL;
		s->nslots = 0;
	}
	return append_member(s, id, len);
}

/* Mark a set built with cmw_push_member and sorted events as canonical. */
void
cmw_set_canonical(cmw_set *s)
{
	s->id_order = true;
	s->nsorted = s->n;
}

/* Order of two member ids: bytes (unsigned), then length. */
int
cmw_id_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t		common = alen < blen ? alen : blen;
	int			c = common > 0 ? memcmp(a, b, common) : 0;

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
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

/* Is member m (whose slot hash matched) the id of len bytes? */
static inline bool
is_member(const cmw_set *s, int32_t m, const char *id, size_t len)
{
	return s->offs[m + 1] - s->offs[m] == len &&
		same_bytes(s->bytes + s->offs[m], id, len);
}

/* The id of member (len bytes, hash h), added when new; -1 on failure. */
static int32_t
intern(cmw_set *s, const char *id, size_t len, uint32_t h, bool *added)
{
	uint32_t	mask;
	uint32_t	i;
	int32_t		m;

	if (added)
		*added = false;
	if (s->nslots == 0 && !rehash(s))
		return -1;
	mask = s->nslots - 1;
	for (i = h & mask; s->slots[i].id1 != 0; i = (i + 1) & mask)
	{
		if (s->slots[i].hash == h && is_member(s, (int32_t) s->slots[i].id1 - 1, id, len))
			return (int32_t) (s->slots[i].id1 - 1);
	}

	/* new member: grow the table first if it would pass 3/4 full */
	if (((uint64_t) s->nmembers + 1) * 4 > (uint64_t) s->nslots * 3)
	{
		if (!rehash(s))
			return -1;
		mask = s->nslots - 1;
		for (i = h & mask; s->slots[i].id1 != 0; i = (i + 1) & mask)
			;
	}
	m = append_member(s, id, len);
	if (m < 0)
		return -1;
	s->slots[i].id1 = (uint32_t) m + 1;
	s->slots[i].hash = h;
	if (m > 0)
		s->id_order = false;
	if (added)
		*added = true;
	return m;
}

/* The dense id of member (len bytes), added when new; -1 on failure. */
int32_t
cmw_member(cmw_set *s, const char *id, size_t len, bool *added)
{
	return intern(s, id, len, fold(cmw_hash(id, len)), added);
}

/*
 * Intern n <= CMW_BATCH ids.  Each look-up reads three places that are
 * rarely in cache: the slot, the member's offsets and its bytes.  So, for
 * all n ids at once: hash and prefetch the home slot; where the slot's hash
 * matches, prefetch the offsets; then the bytes; then look up for real.
 * The memory accesses of different ids overlap instead of waiting in turn.
 */
static bool
intern_batch(cmw_set *s, const char *const *ids, const uint32_t *lens,
			 size_t n, int32_t *out)
{
	uint32_t	h[CMW_BATCH];
	int32_t		cand[CMW_BATCH];
	uint32_t	mask;
	size_t		i;

	if (s->nslots == 0 && !rehash(s))
		return false;
	mask = s->nslots - 1;
	for (i = 0; i < n; i++)
	{
		h[i] = fold(cmw_hash(ids[i], lens[i]));
		prefetch(&s->slots[h[i] & mask]);
	}
	for (i = 0; i < n; i++)
	{
		const cmw_slot *sl = &s->slots[h[i] & mask];

		cand[i] = sl->id1 != 0 && sl->hash == h[i] ? (int32_t) sl->id1 - 1 : -1;
		if (cand[i] >= 0)
			prefetch(&s->offs[cand[i]]);
	}
	for (i = 0; i < n; i++)
		if (cand[i] >= 0)
			prefetch(s->bytes + s->offs[cand[i]]);
	for (i = 0; i < n; i++)
	{
		out[i] = intern(s, ids[i], lens[i], h[i], NULL);
		if (out[i] < 0)
			return false;
	}
	return true;
}

/* Append one event of member id, staged for interning in a batch. */
bool
cmw_stage(cmw_set *s, const char *id, size_t len, int64_t at, uint32_t flags)
{
	uint32_t	len32 = (uint32_t) len;
	size_t		need = sizeof(uint32_t) + len;

	if (len > UINT32_MAX - sizeof(uint32_t) || s->nstage > (size_t) INT32_MAX - need)
		return false;
	if (s->nstage + need > s->capstage)
	{
		void	   *p = s->stage;

		if (!grow_array(s, &p, &s->capstage, s->nstage + need, 1, 256))
			return false;
		s->stage = p;
	}
	if (s->n == s->cap && !cmw_reserve(s, 1))
		return false;
	s->ev[s->n].member = -1 - (int32_t) s->nstage;
	s->ev[s->n].flags = flags;
	s->ev[s->n].at = at;
	s->n++;
	memcpy(s->stage + s->nstage, &len32, sizeof(uint32_t));
	if (len > 0)
		memcpy(s->stage + s->nstage + sizeof(uint32_t), id, len);
	s->nstage += need;
	s->nstaged++;
	if (s->nstaged >= CMW_BATCH)
		return cmw_flush(s);
	return true;
}

/* Intern the staged ids; false when out of memory or past the limits. */
bool
cmw_flush(cmw_set *s)
{
	size_t		first = s->n - s->nstaged;

	while (first < s->n)
	{
		const char *ids[CMW_BATCH];
		uint32_t	lens[CMW_BATCH];
		int32_t		out[CMW_BATCH];
		size_t		k = s->n - first < CMW_BATCH ? s->n - first : CMW_BATCH;
		size_t		i;

		for (i = 0; i < k; i++)
		{
			const char *p = s->stage + (size_t) (-1 - s->ev[first + i].member);

			memcpy(&lens[i], p, sizeof(uint32_t));
			ids[i] = p + sizeof(uint32_t);
		}
		if (!intern_batch(s, ids, lens, k, out))
			return false;
		for (i = 0; i < k; i++)
			s->ev[first + i].member = out[i];
		first += k;
	}
	s->nstaged = 0;
	s->nstage = 0;
	return true;
}

/* Intern src's members into dst and append its events; false on failure. */
static bool
merge_interned(cmw_set *dst, const cmw_set *src)
{
	int32_t    *map;
	int32_t		m;
	size_t		i;
	cmw_event  *out;

	if (src->n == 0 && src->nmembers == 0)
		return true;
	if (dst->nstaged != 0 || src->nstaged != 0 || !cmw_reserve(dst, src->n))
		return false;
	map = dst->mem.alloc(dst->mem.ctx, sizeof(int32_t) * ((size_t) src->nmembers + 1));
	if (map == NULL)
		return false;
	for (m = 0; m < src->nmembers; m += CMW_BATCH)
	{
		const char *ids[CMW_BATCH];
		uint32_t	lens[CMW_BATCH];
		int32_t		k = src->nmembers - m < CMW_BATCH ? src->nmembers - m : CMW_BATCH;
		int32_t		j;

		for (j = 0; j < k; j++)
		{
			size_t		len;

			ids[j] = cmw_member_bytes(src, m + j, &len);
			lens[j] = (uint32_t) len;
		}
		if (!intern_batch(dst, ids, lens, (size_t) k, map + m))
		{
			dst->mem.release(dst->mem.ctx, map);
			return false;
		}
	}
	out = dst->ev + dst->n;
	for (i = 0; i < src->n; i++)
	{
		out[i] = src->ev[i];
		out[i].member = map[src->ev[i].member];
	}
	dst->n += src->n;
	dst->mem.release(dst->mem.ctx, map);
	return true;
}

/* Allocate a copy of n bytes of p, or NULL (also for n == 0). */
static void *
dup_bytes(const cmw_alloc *mem, const void *p, size_t n, bool *failed)
{
	void	   *q;

	if (n == 0 || p == NULL)
		return NULL;
	q = mem->alloc(mem->ctx, n);
	if (q == NULL)
		*failed = true;
	else
		memcpy(q, p, n);
	return q;
}

/* A copy of src with allocator mem, sized to fit; false when out of memory. */
bool
cmw_copy(cmw_set *dst, const cmw_set *src, const cmw_alloc *mem)
{
	bool		failed = false;

	cmw_set_init(dst, mem);
	if (src->nstaged != 0)
		return false;
	dst->bytes = dup_bytes(mem, src->bytes, src->nbytes, &failed);
	dst->nbytes = dst->capbytes = dst->bytes ? src->nbytes : 0;
	dst->offs = src->nmembers > 0 ?
		dup_bytes(mem, src->offs, sizeof(uint32_t) * ((size_t) src->nmembers + 1), &failed) : NULL;
	dst->nmembers = dst->capmembers = dst->offs ? src->nmembers : 0;
	dst->slots = dup_bytes(mem, src->slots, sizeof(cmw_slot) * (size_t) src->nslots, &failed);
	dst->nslots = dst->slots ? src->nslots : 0;
	dst->ev = dup_bytes(mem, src->ev, sizeof(cmw_event) * src->n, &failed);
	dst->n = dst->cap = dst->ev ? src->n : 0;
	dst->nsorted = src->nsorted == src->n ? dst->n : 0;
	dst->id_order = src->id_order;
	if (failed)
	{
		cmw_set_free(dst);
		return false;
	}
	return true;
}

/* ------------------------------------------------------------------ sort */

/* Insertion sort by (member, at). */
static void
insertion_member_at(cmw_event *ev, size_t n)
{
	size_t		i;

	for (i = 1; i < n; i++)
	{
		cmw_event	e = ev[i];
		size_t		j = i;

		while (j > 0 && (ev[j - 1].member > e.member ||
						 (ev[j - 1].member == e.member && ev[j - 1].at > e.at)))
		{
			ev[j] = ev[j - 1];
			j--;
		}
		ev[j] = e;
	}
}

/* Insertion sort by at. */
static void
insertion_at(cmw_event *ev, size_t n)
{
	size_t		i;

	for (i = 1; i < n; i++)
	{
		cmw_event	e = ev[i];
		size_t		j = i;

		while (j > 0 && ev[j - 1].at > e.at)
		{
			ev[j] = ev[j - 1];
			j--;
		}
		ev[j] = e;
	}
}

/* Swap two events. */
static inline void
swap_ev(cmw_event *a, cmw_event *b)
{
	cmw_event	t = *a;

	*a = *b;
	*b = t;
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

		/* median of three into ev[mid] */
		if (ev[mid].at < ev[0].at)
			swap_ev(&ev[mid], &ev[0]);
		if (ev[n - 1].at < ev[mid].at)
		{
			swap_ev(&ev[n - 1], &ev[mid]);
			if (ev[mid].at < ev[0].at)
				swap_ev(&ev[mid], &ev[0]);
		}
		pivot = ev[mid].at;

		/* Hoare partition: [0, j] <= pivot <= [j + 1, n) */
		i = 0;
		j = n - 1;
		for (;;)
		{
			while (ev[i].at < pivot)
				i++;
			while (ev[j].at > pivot)
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

/* Sort one member's events by at; cheap when they are already in order. */
static void
sort_at(cmw_event *ev, size_t n)
{
	size_t		i;

	for (i = 1; i < n; i++)
		if (ev[i].at < ev[i - 1].at)
			break;
	if (i >= n)
		return;
	if (n <= SMALL_SORT)
		insertion_at(ev, n);
	else
		quick_at(ev, n);
}

/*
 * MSD radix sort on the member id (in-place "American flag" permutation),
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
		start[(((uint32_t) ev[i].member >> lo) & mask) + 1]++;
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
			uint32_t	k = ((uint32_t) e.member >> lo) & mask;

			while (k != d)
			{
				cmw_event	t = ev[next[k]];

				ev[next[k]++] = e;
				e = t;
				k = ((uint32_t) e.member >> lo) & mask;
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

/* Order the events by (member, at) in place; flushes staged ids first. */
bool
cmw_sort(cmw_set *s)
{
	unsigned	bits = 1;
	unsigned	lo;

	if (s->nstaged != 0 && !cmw_flush(s))
		return false;
	if (s->nsorted == s->n)
		return true;
	if (s->borrowed && !cmw_reserve(s, 0))
		return false;
	while (bits < 31 && ((uint32_t) s->nmembers - 1) >> bits)
		bits++;
	lo = bits > DIGIT_BITS ? ((bits - 1) / DIGIT_BITS) * DIGIT_BITS : 0;
	msd_member(s->ev, s->n, lo, bits - lo);
	s->nsorted = s->n;
	return true;
}

/* --------------------------------------------------------- canonical form */

/* Swap two member numbers. */
static inline void
swap_i32(int32_t *a, int32_t *b)
{
	int32_t		t = *a;

	*a = *b;
	*b = t;
}

/* Sort member numbers idx[0..n) by their ids (quicksort, insertion below 16). */
static void
sort_ids(const cmw_set *s, int32_t *idx, size_t n)
{
#define ID_CMP(a, b) cmw_id_cmp(s->bytes + s->offs[a], s->offs[(a) + 1] - s->offs[a], \
							   s->bytes + s->offs[b], s->offs[(b) + 1] - s->offs[b])
	while (n > 16)
	{
		size_t		mid = n / 2,
					i,
					j;
		int32_t		pivot;

		if (ID_CMP(idx[mid], idx[0]) < 0)
			swap_i32(&idx[mid], &idx[0]);
		if (ID_CMP(idx[n - 1], idx[mid]) < 0)
		{
			swap_i32(&idx[n - 1], &idx[mid]);
			if (ID_CMP(idx[mid], idx[0]) < 0)
				swap_i32(&idx[mid], &idx[0]);
		}
		pivot = idx[mid];
		i = 0;
		j = n - 1;
		for (;;)
		{
			while (ID_CMP(idx[i], pivot) < 0)
				i++;
			while (ID_CMP(idx[j], pivot) > 0)
				j--;
			if (i >= j)
				break;
			swap_i32(&idx[i], &idx[j]);
			i++;
			j--;
		}
		if (j + 1 < n - (j + 1))
		{
			sort_ids(s, idx, j + 1);
			idx += j + 1;
			n -= j + 1;
		}
		else
		{
			sort_ids(s, idx + j + 1, n - (j + 1));
			n = j + 1;
		}
	}
	{
		size_t		i;

		for (i = 1; i < n; i++)
		{
			int32_t		x = idx[i];
			size_t		j = i;

			while (j > 0 && ID_CMP(idx[j - 1], x) > 0)
			{
				idx[j] = idx[j - 1];
				j--;
			}
			idx[j] = x;
		}
	}
#undef ID_CMP
}

/* Replace the dictionary by a new one holding the members in order idx. */
static bool
reorder_members(cmw_set *s, const int32_t *idx)
{
	char	   *bytes = NULL;
	uint32_t   *offs;
	size_t		off = 0;
	int32_t		m;

	if (s->nbytes > 0 && (bytes = s->mem.alloc(s->mem.ctx, s->nbytes)) == NULL)
		return false;
	offs = s->mem.alloc(s->mem.ctx, sizeof(uint32_t) * ((size_t) s->nmembers + 1));
	if (offs == NULL)
	{
		if (bytes)
			s->mem.release(s->mem.ctx, bytes);
		return false;
	}
	offs[0] = 0;
	for (m = 0; m < s->nmembers; m++)
	{
		size_t		len;
		const char *id = cmw_member_bytes(s, idx[m], &len);

		if (len > 0)
			memcpy(bytes + off, id, len);
		off += len;
		offs[m + 1] = (uint32_t) off;
	}
	if (s->bytes)
		s->mem.release(s->mem.ctx, s->bytes);
	s->mem.release(s->mem.ctx, s->offs);
	if (s->slots)
		s->mem.release(s->mem.ctx, s->slots);
	s->bytes = bytes;
	s->capbytes = s->nbytes;
	s->offs = offs;
	s->capmembers = s->nmembers;
	s->slots = NULL;			/* rebuilt when a look-up needs it */
	s->nslots = 0;
	return true;
}

/* Put the set in canonical form: members in id order, events sorted. */
bool
cmw_canonicalize(cmw_set *s)
{
	if (s->nstaged != 0 && !cmw_flush(s))
		return false;
	if (!s->id_order)
	{
		size_t		nm = (size_t) s->nmembers;
		int32_t    *idx;
		int32_t    *rank;
		size_t		i;

		if (s->borrowed && !cmw_reserve(s, 0))
			return false;
		idx = s->mem.alloc(s->mem.ctx, sizeof(int32_t) * nm);
		if (idx == NULL)
			return false;
		for (i = 0; i < nm; i++)
			idx[i] = (int32_t) i;
		sort_ids(s, idx, nm);
		rank = s->mem.alloc(s->mem.ctx, sizeof(int32_t) * nm);
		if (rank == NULL || !reorder_members(s, idx))
		{
			if (rank)
				s->mem.release(s->mem.ctx, rank);
			s->mem.release(s->mem.ctx, idx);
			return false;
		}
		for (i = 0; i < nm; i++)
			rank[idx[i]] = (int32_t) i;
		for (i = 0; i < s->n; i++)
			s->ev[i].member = rank[s->ev[i].member];
		s->mem.release(s->mem.ctx, rank);
		s->mem.release(s->mem.ctx, idx);
		s->id_order = true;
		s->nsorted = 0;
	}
	return cmw_sort(s);
}

/* Does event a go after event b, given the two sets' new member numbers? */
static inline bool
after(const cmw_event *a, const int32_t *amap, const cmw_event *b,
	  const int32_t *bmap)
{
	int32_t		ma = amap[a->member],
				mb = bmap[b->member];

	return ma > mb || (ma == mb && a->at > b->at);
}

/*
 * Merge two canonical sets in one pass: the union of the member lists in id
 * order into new arrays, then the two event runs by (new member, at) into
 * dst's own array, grown in place and filled from the back, so that no
 * second copy of the events is ever allocated.
 */
static bool
merge_canonical(cmw_set *dst, const cmw_set *src)
{
	const cmw_alloc *mem = &dst->mem;
	size_t		nm = (size_t) dst->nmembers + (size_t) src->nmembers;
	size_t		nb = dst->nbytes + src->nbytes;
	int32_t    *dmap = NULL,
			   *smap = NULL;
	char	   *bytes = NULL;
	uint32_t   *offs = NULL;
	int32_t		i = 0,
				j = 0,
				k = 0;
	size_t		off = 0,
				a,
				b,
				o;
	cmw_event  *ev;

	if (nm > INT32_MAX - 2 || nb > UINT32_MAX || !cmw_reserve(dst, src->n))
		return false;
	dmap = mem->alloc(mem->ctx, sizeof(int32_t) * ((size_t) dst->nmembers + 1));
	smap = mem->alloc(mem->ctx, sizeof(int32_t) * ((size_t) src->nmembers + 1));
	bytes = nb > 0 ? mem->alloc(mem->ctx, nb) : NULL;
	offs = mem->alloc(mem->ctx, sizeof(uint32_t) * (nm + 1));
	if (!dmap || !smap || (nb > 0 && !bytes) || !offs)
	{
		if (dmap)
			mem->release(mem->ctx, dmap);
		if (smap)
			mem->release(mem->ctx, smap);
		if (bytes)
			mem->release(mem->ctx, bytes);
		if (offs)
			mem->release(mem->ctx, offs);
		return false;
	}

	/* members: the union in id order */
	offs[0] = 0;
	while (i < dst->nmembers || j < src->nmembers)
	{
		const char *id;
		size_t		len;
		int			c;

		if (i == dst->nmembers)
			c = 1;
		else if (j == src->nmembers)
			c = -1;
		else
		{
			size_t		dlen,
						slen;
			const char *did = cmw_member_bytes(dst, i, &dlen);
			const char *sid = cmw_member_bytes(src, j, &slen);

			c = cmw_id_cmp(did, dlen, sid, slen);
		}
		if (c <= 0)
			id = cmw_member_bytes(dst, i, &len);
		else
			id = cmw_member_bytes(src, j, &len);
		if (len > 0)
			memcpy(bytes + off, id, len);
		off += len;
		offs[k + 1] = (uint32_t) off;
		if (c <= 0)
			dmap[i++] = k;
		if (c >= 0)
			smap[j++] = k;
		k++;
	}

	/*
	 * events: merge from the back into dst's array; the write position never
	 * passes an unread dst event, since o == a + b
	 */
	ev = dst->ev;
	a = dst->n;
	b = src->n;
	o = a + b;
	while (b > 0)
	{
		if (a > 0 && after(&ev[a - 1], dmap, &src->ev[b - 1], smap))
		{
			cmw_event	e = ev[--a];

			e.member = dmap[e.member];
			ev[--o] = e;
		}
		else
		{
			ev[--o] = src->ev[--b];
			ev[o].member = smap[ev[o].member];
		}
	}
	for (o = 0; o < a; o++)
		ev[o].member = dmap[ev[o].member];

	mem->release(mem->ctx, dmap);
	mem->release(mem->ctx, smap);
	if (dst->bytes)
		mem->release(mem->ctx, dst->bytes);
	if (dst->offs)
		mem->release(mem->ctx, dst->offs);
	if (dst->slots)
		mem->release(mem->ctx, dst->slots);
	dst->bytes = bytes;
	dst->nbytes = off;
	dst->capbytes = nb;
	dst->offs = offs;
	dst->nmembers = k;
	dst->capmembers = (int32_t) nm;
	dst->slots = NULL;
	dst->nslots = 0;
	dst->n += src->n;
	dst->nsorted = dst->n;
	dst->id_order = true;
	return true;
}

/* Add every member and event of src to dst (both flushed); false on failure. */
bool
cmw_merge(cmw_set *dst, const cmw_set *src)
{
	if (dst->nstaged != 0 || src->nstaged != 0)
		return false;
	if (src->n == 0 && src->nmembers == 0)
		return true;
	if (cmw_canonical(dst) && cmw_canonical(src))
		return merge_canonical(dst, src);
	dst->nsorted = 0;
	return merge_interned(dst, src);
}

/* --------------------------------------------------------------- counting */

/* Repeat calls over a sorted set (every event is taken as a call). */
void
cmw_repeats(const cmw_set *s, int64_t window, cmw_repeat_counts *out)
{
	const cmw_event *ev = s->ev;
	int64_t		repeats = 0;
	size_t		i;

	for (i = 1; i < s->n; i++)
		if (ev[i].member == ev[i - 1].member &&
			cmw_within(ev[i].at, ev[i - 1].at, window))
			repeats++;
	out->calls = (int64_t) s->n;
	out->repeat_calls = repeats;
}

/* Is e a failure (a call is never a failure)? */
static inline bool
is_failure(const cmw_event *e)
{
	return (e->flags & (CMW_CALL | CMW_FAILURE)) == CMW_FAILURE;
}

/*
 * Failures, leaked failures, calls and leaked calls over a sorted set.
 *
 * Per member, the events are walked in groups of equal time.  A failure is
 * pending until the next group that holds a call: the first call strictly
 * after it, so it leaked when that call is within the window.  A call group
 * leaked when the latest failure strictly before it is within the window.
 */
void
cmw_leakage(const cmw_set *s, int64_t window, cmw_leak_counts *out)
{
	const cmw_event *ev = s->ev;
	size_t		i = 0;

	memset(out, 0, sizeof(*out));
	while (i < s->n)
	{
		int32_t		m = ev[i].member;
		size_t		pend = i;	/* failures from here on await a call */
		bool		have_fail = false;
		int64_t		last_fail = 0;

		while (i < s->n && ev[i].member == m)
		{
			int64_t		t = ev[i].at;
			size_t		g = i;
			int64_t		ncalls = 0,
						nfail = 0;

			for (; g < s->n && ev[g].member == m && ev[g].at == t; g++)
			{
				if (ev[g].flags & CMW_CALL)
					ncalls++;
				else if (is_failure(&ev[g]))
					nfail++;
			}
			if (ncalls > 0)
			{
				size_t		k;

				out->calls += ncalls;
				if (have_fail && cmw_within(t, last_fail, window))
					out->leaked_calls += ncalls;
				for (k = pend; k < i; k++)
					if (is_failure(&ev[k]) && cmw_within(t, ev[k].at, window))
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
