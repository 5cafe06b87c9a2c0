#!/usr/bin/env bash
# window_unit_test.sh: the plain-C window logic (common/cm_window.c) against
# brute force, without a server.  A small driver (below) is compiled against
# common/cm_window.c and runs thousands of random trials: member ids of 0 to
# 20 bytes that share prefixes, some of 250 to 259 bytes (the long length
# form), times with many ties and exact-edge gaps, and now and then groups of
# thousands of events (past the segments, into one array, and into the radix
# sort).  Each trial's rows are spread over 1 to 6 groups that share one
# dictionary and one pool, interleaved as hash aggregation feeds them, and
# for every group the repeat and leakage counts from the definitions, by
# brute force over all pairs, must equal the counts from
#   - the shared-dictionary groups themselves (staged rows, sorted once);
#   - the parallel path: the rows split over 1 to 4 "workers", each with its
#     own dictionary and pool, every group "serialized" (sorted, members
#     numbered locally) and combined into a "leader" group whose dictionary
#     re-interns the members;
#   - a group copied from another group, of another dictionary and of the
#     same one.
# Also: staged rows of a pool that goes away are dropped (AddressSanitizer
# catches a write into freed memory), 100,000 members keep exact and stable
# keys, memory per event stays within 24 bytes for one group, 90, 400 and
# 625 groups (whose segments go back when they move to one array) and
# 20,000 one-member groups, percentiles match a full sort, and the window
# checks.
set -uo pipefail
cd "${COSTMODEL_ROOT:-.}"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CC=${CC:-cc}

cat > "$WORK/driver.c" <<'C'
#include "cm_window.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

/* A malloc allocator that counts the bytes it holds (ctx: a size_t). */
typedef struct counted
{
	size_t		size;
	size_t		pad;			/* keeps the payload 16-byte aligned */
} counted;

static void *
a_alloc(void *ctx, size_t n)
{
	counted    *c = malloc(sizeof(counted) + (n ? n : 1));

	if (c == NULL)
		return NULL;
	c->size = n;
	if (ctx)
		*(size_t *) ctx += n;
	return c + 1;
}

static void *
a_grow(void *ctx, void *p, size_t n)
{
	counted    *c = (counted *) p - 1;
	size_t		old = c->size;

	c = realloc(c, sizeof(counted) + (n ? n : 1));
	if (c == NULL)
		return NULL;
	c->size = n;
	if (ctx)
		*(size_t *) ctx += n - old;
	return c + 1;
}

static void
a_free(void *ctx, void *p)
{
	counted    *c = (counted *) p - 1;

	if (ctx)
		*(size_t *) ctx -= c->size;
	free(c);
}

/* An allocator counting into *bytes (or not counting, bytes NULL). */
static cmw_alloc
allocator(size_t *bytes)
{
	cmw_alloc	a = {a_alloc, a_grow, a_free, bytes};

	return a;
}

static void
check(int ok, const char *what, long trial)
{
	if (!ok)
	{
		if (failures < 20)
			printf("not ok - %s (trial %ld)\n", what, trial);
		failures++;
	}
}

static uint64_t rng = 88172645463325252ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

typedef struct row
{
	char		id[264];
	size_t		len;
	int64_t		at;
	int			failure;
	int			group;
} row;

/* Brute-force counts from the definitions over the rows of group g. */
static void
brute(const row *r, size_t n, int g, int64_t w, cmw_repeat_counts *rep, cmw_leak_counts *lk)
{
	size_t		i,
				j;

	memset(rep, 0, sizeof(*rep));
	memset(lk, 0, sizeof(*lk));
	for (i = 0; i < n; i++)
	{
		int			have = 0,
					leaked = 0;
		int64_t		prev = 0;

		if (r[i].group != g)
			continue;
		for (j = 0; j < n; j++)
		{
			if (j == i || r[j].group != g || r[j].len != r[i].len ||
				memcmp(r[j].id, r[i].id, r[i].len) != 0)
				continue;
			/* repeat: the predecessor in (at, index) order, every row a call */
			if (r[j].at < r[i].at || (r[j].at == r[i].at && j < i))
			{
				if (!have || r[j].at > prev)
					prev = r[j].at;
				have = 1;
			}
			/* leakage */
			if (r[i].failure && !r[j].failure && r[j].at > r[i].at && r[j].at - r[i].at <= w)
				leaked = 1;
			if (!r[i].failure && r[j].failure && r[j].at < r[i].at && r[i].at - r[j].at <= w)
				leaked = 1;
		}
		rep->calls++;
		if (have && r[i].at - prev <= w)
			rep->repeat_calls++;
		if (r[i].failure)
		{
			lk->failures++;
			lk->leaked_failures += leaked;
		}
		else
		{
			lk->calls++;
			lk->leaked_calls += leaked;
		}
	}
}

static cmw_event scratch[CMW_SMALL_MAX];

/* Brute-force counts of each group of the current trial. */
static cmw_repeat_counts want_r[8];
static cmw_leak_counts want_l[8];

/* Check group grp's counts (sorted through d) against brute force. */
static void
compare(cmw_events *g, cmw_dict *d, int grp, int64_t w, const char *what, long trial)
{
	cmw_repeat_counts got_r;
	cmw_leak_counts got_l;
	const cmw_event *s = cmw_events_sorted(g, d, scratch);
	size_t		i;
	char		msg[160];
	int			ordered = 1;

	check(s != NULL, "sorted view", trial);
	if (s == NULL)
		return;
	for (i = 1; i < g->n; i++)
		if (cmw_event_member(&s[i - 1]) > cmw_event_member(&s[i]) ||
			(cmw_event_member(&s[i - 1]) == cmw_event_member(&s[i]) &&
			 cmw_event_at(&s[i - 1]) > cmw_event_at(&s[i])))
			ordered = 0;
	snprintf(msg, sizeof msg, "%s: sorted by (member, at)", what);
	check(ordered, msg, trial);
	/* every event as a call for repeats; the same events with flags for leakage */
	cmw_repeats(s, g->n, w, &got_r);
	cmw_leakage(s, g->n, w, &got_l);
	snprintf(msg, sizeof msg, "%s: repeat counts (group %d)", what, grp);
	check(got_r.calls == want_r[grp].calls && got_r.repeat_calls == want_r[grp].repeat_calls,
		  msg, trial);
	snprintf(msg, sizeof msg, "%s: leakage counts (group %d)", what, grp);
	check(got_l.failures == want_l[grp].failures &&
		  got_l.leaked_failures == want_l[grp].leaked_failures &&
		  got_l.calls == want_l[grp].calls && got_l.leaked_calls == want_l[grp].leaked_calls,
		  msg, trial);
}

/* A group as deserialization sees it: members numbered locally, with their ids. */
typedef struct light
{
	size_t		nm;
	const char **ids;
	uint32_t   *lens;
	cmw_event  *ev;
	size_t		n;
} light;

/* "Serialize" group g of dictionary d (the ids stay in d's arena). */
static void
to_light(cmw_events *g, cmw_dict *d, light *l, long trial)
{
	const cmw_event *s = cmw_events_sorted(g, d, scratch);
	size_t		i;

	check(s != NULL, "sorted view to serialize", trial);
	l->n = g->n;
	l->nm = 0;
	l->ids = malloc((g->n + 1) * sizeof(char *));
	l->lens = malloc((g->n + 1) * sizeof(uint32_t));
	l->ev = malloc((g->n + 1) * sizeof(cmw_event));
	for (i = 0; s && i < g->n; i++)
	{
		if (i == 0 || cmw_event_member(&s[i]) != cmw_event_member(&s[i - 1]))
		{
			size_t		len;

			l->ids[l->nm] = cmw_dict_bytes(d, cmw_event_member(&s[i]), &len);
			l->lens[l->nm] = (uint32_t) len;
			l->nm++;
		}
		l->ev[i] = s[i];
		l->ev[i].key = (uint32_t) ((l->nm - 1) << 1) | (s[i].key & CMW_FAILURE_BIT);
	}
}

/* "Combine" a light group into dst: re-intern its members, append mapped. */
static void
combine_light(cmw_events *dst, cmw_pool *p, cmw_dict *d, const light *l, long trial)
{
	uint32_t   *map = malloc((l->nm + 1) * sizeof(uint32_t));
	size_t		m;

	for (m = 0; m < l->nm; m += CMW_BATCH)
	{
		size_t		k = l->nm - m < CMW_BATCH ? l->nm - m : CMW_BATCH;

		check(cmw_dict_intern_many(d, l->ids + m, l->lens + m, k, map + m), "intern many", trial);
	}
	check(cmw_events_append(dst, p, d, l->ev, l->n, map), "append mapped", trial);
	free(map);
}

static void
free_light(light *l)
{
	free(l->ids);
	free(l->lens);
	free(l->ev);
}

#define MAXG 6
#define MAXW 4

/* One random trial. */
static long
trial_once(long trial)
{
	size_t		n = (size_t) (next() % 300);
	size_t		nm = 1 + (size_t) (next() % 40);
	int64_t		w = 1 + (int64_t) (next() % 50);
	int			ngroups = 1 + (int) (next() % MAXG);
	int			nworkers = 1 + (int) (next() % MAXW);
	row		   *r;
	cmw_alloc	mem = allocator(NULL);
	cmw_dict	d,
				wd[MAXW],
				ld,
				cd;
	cmw_pool	p,
				wp[MAXW],
				lp,
				cp;
	cmw_events	g[MAXG],
				wg[MAXW][MAXG],
				lg[MAXG],
				same[MAXG],
				other[MAXG];
	size_t		i;
	int			k,
				x;

	if (trial % 100 == 7)
	{
		/* a large trial: groups pass the segments and the quicksort */
		n = 2000 + (size_t) (next() % 7000);
		nm = 1 + (size_t) (next() % 400);
		ngroups = 1 + (int) (next() % 2);
	}
	r = calloc(n + 1, sizeof(row));
	for (i = 0; i < n; i++)
	{
		size_t		m = (size_t) (next() % nm);
		size_t		j;

		/* ids "", "a", "aa", ... with shared prefixes, lengths 0-20; some long */
		r[i].len = m % 13 == 12 ? 250 + m % 10 : (m * 7) % 21;
		for (j = 0; j < r[i].len; j++)
			r[i].id[j] = (char) ('a' + (m + j * (m % 3)) % 26);
		if (m % 5 == 0 && r[i].len > 0)
			r[i].id[r[i].len - 1] = (char) 0xe9;	/* a high byte */
		r[i].at = (int64_t) (next() % 200) - 100;
		if (n > 1000)
			r[i].at = (int64_t) (next() % 20000) - 100;
		if (next() % 4 == 0 && i > 0)
			r[i].at = r[i - 1].at + w;	/* exactly at the edge */
		r[i].failure = next() % 3 == 0;
		r[i].group = (int) (next() % (uint64_t) ngroups);
	}
	for (k = 0; k < ngroups; k++)
		brute(r, n, k, w, &want_r[k], &want_l[k]);

	/* groups sharing one dictionary and pool, rows interleaved */
	cmw_dict_init(&d, &mem);
	cmw_pool_init(&p, &mem);
	for (k = 0; k < ngroups; k++)
		cmw_events_init(&g[k]);
	for (i = 0; i < n; i++)
		check(cmw_events_add(&g[r[i].group], &p, &d, r[i].id, r[i].len, r[i].at, r[i].failure),
			  "add", trial);
	for (k = 0; k < ngroups; k++)
		compare(&g[k], &d, k, w, "shared dictionary", trial);
	/* the counts again: a large group is sorted already, a small one re-sorted */
	for (k = 0; k < ngroups; k++)
		compare(&g[k], &d, k, w, "shared dictionary, counted twice", trial);

	/* the parallel path */
	for (x = 0; x < nworkers; x++)
	{
		cmw_dict_init(&wd[x], &mem);
		cmw_pool_init(&wp[x], &mem);
		for (k = 0; k < ngroups; k++)
			cmw_events_init(&wg[x][k]);
	}
	for (i = 0; i < n; i++)
	{
		x = (int) (next() % (uint64_t) nworkers);
		check(cmw_events_add(&wg[x][r[i].group], &wp[x], &wd[x], r[i].id, r[i].len,
							 r[i].at, r[i].failure), "add in a worker", trial);
	}
	cmw_dict_init(&ld, &mem);
	cmw_pool_init(&lp, &mem);
	for (k = 0; k < ngroups; k++)
	{
		cmw_events_init(&lg[k]);
		for (x = 0; x < nworkers; x++)
		{
			light		l;

			to_light(&wg[x][k], &wd[x], &l, trial);
			combine_light(&lg[k], &lp, &ld, &l, trial);
			free_light(&l);
		}
		compare(&lg[k], &ld, k, w, "parallel: serialized and combined", trial);
	}

	/* copies: from another dictionary, and within the same one */
	cmw_dict_init(&cd, &mem);
	cmw_pool_init(&cp, &mem);
	for (k = 0; k < ngroups; k++)
	{
		cmw_events_init(&other[k]);
		cmw_events_init(&same[k]);
		check(cmw_events_append_group(&other[k], &cp, &cd, &g[k], &d), "copy across dictionaries", trial);
		check(cmw_events_append_group(&same[k], &p, &d, &g[k], &d), "copy within a dictionary", trial);
	}
	for (k = 0; k < ngroups; k++)
	{
		compare(&other[k], &cd, k, w, "copied from another dictionary", trial);
		compare(&same[k], &d, k, w, "copied within the dictionary", trial);
	}
	check(cd.nmembers <= d.nmembers && ld.nmembers == d.nmembers,
		  "every dictionary holds each member once", trial);

	for (k = 0; k < ngroups; k++)
	{
		check(cmw_events_release(&g[k], &p, &d), "release", trial);
		check(cmw_events_release(&same[k], &p, &d), "release", trial);
		check(cmw_events_release(&other[k], &cp, &cd), "release", trial);
		check(cmw_events_release(&lg[k], &lp, &ld), "release", trial);
		for (x = 0; x < nworkers; x++)
			check(cmw_events_release(&wg[x][k], &wp[x], &wd[x]), "release", trial);
	}
	for (x = 0; x < nworkers; x++)
	{
		cmw_pool_free(&wp[x]);
		cmw_dict_free(&wd[x]);
	}
	cmw_pool_free(&p);
	cmw_pool_free(&lp);
	cmw_pool_free(&cp);
	cmw_dict_free(&d);
	cmw_dict_free(&ld);
	cmw_dict_free(&cd);
	free(r);
	return (long) n;
}

/* Staged rows of a pool that goes away are dropped, the others kept. */
static void
test_drop(void)
{
	cmw_alloc	mem = allocator(NULL);
	cmw_dict	d;
	cmw_pool	gone,
				kept;
	cmw_events	g1,
				g2;
	cmw_repeat_counts rc;
	const cmw_event *s;
	int			i,
				bad = 0;

	cmw_dict_init(&d, &mem);
	cmw_pool_init(&gone, &mem);
	cmw_pool_init(&kept, &mem);
	cmw_events_init(&g1);
	cmw_events_init(&g2);
	for (i = 0; i < 20; i++)
	{
		bad += !cmw_events_add(&g1, &gone, &d, "a", 1, i, false);
		bad += !cmw_events_add(&g2, &kept, &d, "b", 1, i * 10, false);
	}
	bad += d.npend != 40;
	/* the pool's memory is freed as a memory context would be: no flush first */
	cmw_dict_drop(&d, &gone);
	cmw_pool_free(&gone);
	bad += d.npend != 20;
	for (i = 20; i < 200; i++)	/* flushes several times */
		bad += !cmw_events_add(&g2, &kept, &d, "b", 1, i * 10, false);
	s = cmw_events_sorted(&g2, &d, scratch);
	bad += s == NULL;
	if (s)
	{
		cmw_repeats(s, g2.n, 10, &rc);
		bad += rc.calls != 200 || rc.repeat_calls != 199;
		for (i = 0; i < 200; i++)
			bad += cmw_event_member(&s[i]) != cmw_event_member(&s[0]);
	}
	printf("%s - staged rows of a pool that is freed are dropped; the other pool's rows keep their keys\n",
		   bad ? "not ok" : "ok");
	failures += bad;
	cmw_pool_free(&kept);
	cmw_dict_free(&d);
}

/* 100,000 members: keys exact and stable while the dictionary grows. */
static void
test_many_members(void)
{
	cmw_alloc	mem = allocator(NULL);
	cmw_dict	d;
	cmw_pool	p;
	cmw_events	g;
	uint32_t   *keys = malloc(100000 * sizeof(uint32_t));
	char		id[32];
	int			i,
				bad = 0;

	cmw_dict_init(&d, &mem);
	cmw_pool_init(&p, &mem);
	cmw_events_init(&g);
	for (i = 0; i < 300000; i++)
	{
		int			len = snprintf(id, sizeof id, "member-%d", i % 100000);

		bad += !cmw_events_add(&g, &p, &d, id, (size_t) len, (i / 100000) * 100000, false);
	}
	bad += !cmw_dict_flush(&d);
	bad += d.nmembers != 100000;
	for (i = 0; i < 100000; i++)
	{
		int			len = snprintf(id, sizeof id, "member-%d", i);
		bool		added = true;
		size_t		blen;
		const char *b;

		bad += !cmw_dict_intern(&d, id, (size_t) len, &keys[i], &added) || added;
		b = cmw_dict_bytes(&d, keys[i], &blen);
		bad += blen != (size_t) len || memcmp(b, id, blen) != 0;
		if (i > 0)
			bad += keys[i] <= keys[i - 1];	/* keys follow first appearance */
	}
	/* three calls per member, 100000 apart: 2 repeats each within 100000 */
	{
		cmw_repeat_counts rc;
		const cmw_event *s = cmw_events_sorted(&g, &d, scratch);
		size_t		k;

		bad += s == NULL || g.arr == NULL;
		for (k = 1; s && k < g.n; k++)
			bad += cmw_event_member(&s[k - 1]) > cmw_event_member(&s[k]) ||
				(cmw_event_member(&s[k - 1]) == cmw_event_member(&s[k]) &&
				 cmw_event_at(&s[k - 1]) > cmw_event_at(&s[k]));
		if (s)
		{
			cmw_repeats(s, g.n, 100000, &rc);
			bad += rc.calls != 300000 || rc.repeat_calls != 200000;
			cmw_repeats(s, g.n, 99999, &rc);
			bad += rc.repeat_calls != 0;
		}
	}
	printf("%s - 100,000 members over 300,000 staged rows: exact, stable keys; radix sort over %u bits\n",
		   bad ? "not ok" : "ok", cmw_dict_key_bits(&d));
	failures += bad;
	bad += !cmw_events_release(&g, &p, &d);
	cmw_pool_free(&p);
	cmw_dict_free(&d);
	free(keys);
}

/*
 * Bytes per event (pool blocks, arrays, 64-byte group headers and the
 * dictionary, all counted) for events of 20,000 members spread over ngroups
 * groups (0: one group per member), rows in random order.
 */
static double
bytes_per_event(int ngroups, long *nevents)
{
	size_t		pool_bytes = 0,
				dict_bytes = 0;
	cmw_alloc	pm = allocator(&pool_bytes),
				dm = allocator(&dict_bytes);
	int			nmembers = 20000;
	int			ng = ngroups > 0 ? ngroups : nmembers;
	cmw_dict	d;
	cmw_pool	p;
	cmw_events **g = calloc((size_t) ng, sizeof(cmw_events *));
	long		n = 0,
				i;
	char		id[32];

	cmw_dict_init(&d, &dm);
	cmw_pool_init(&p, &pm);
	for (i = 0; i < 500000; i++)
	{
		int			m = (int) (next() % (uint64_t) nmembers);
		int			k = ngroups > 0 ? (int) (next() % (uint64_t) ngroups) : m;
		int			len = snprintf(id, sizeof id, "M%07d", m);

		if (g[k] == NULL)
		{
			/* the group's header, as the aggregate allocates it */
			g[k] = cmw_pool_alloc(&p, 64);
			cmw_events_init(g[k]);
		}
		if (!cmw_events_add(g[k], &p, &d, id, (size_t) len, (int64_t) (next() % 1000000), false))
			failures++;
		n++;
	}
	cmw_dict_flush(&d);
	*nevents = n;
	{
		double		r = (double) (pool_bytes + dict_bytes) / (double) n;

		for (i = 0; i < ng; i++)
			if (g[i])
				cmw_events_release(g[i], &p, &d);
		cmw_pool_free(&p);
		cmw_dict_free(&d);
		free(g);
		return r;
	}
}

static int
cmp64(const void *a, const void *b)
{
	int64_t		x = *(const int64_t *) a,
				y = *(const int64_t *) b;

	return x < y ? -1 : x > y;
}

int
main(void)
{
	long		trial;
	long		nrows = 0;

	for (trial = 0; trial < 3000; trial++)
		nrows += trial_once(trial);
	if (failures == 0)
		printf("ok - repeat and leakage counts equal brute force in 3000 random trials (%ld rows) "
			   "over groups sharing a dictionary, the parallel path and copies\n", nrows);

	test_drop();
	test_many_members();

	/* memory per event */
	{
		long		n1,
					n2,
					n3,
					n4,
					n5;
		double		one = bytes_per_event(1, &n1);
		double		days = bytes_per_event(90, &n2);
		double		members = bytes_per_event(0, &n3);
		/* groups that leave their segments for one array all at about the same time */
		double		g625 = bytes_per_event(625, &n4);
		double		g400 = bytes_per_event(400, &n5);
		int			bad = one > 18 || days > 18 || members > 24 || g625 > 24 || g400 > 24;

		printf("%s - bytes per event, all memory counted: one group %.1f, 90 groups %.1f, "
			   "400 groups %.1f, 625 groups (800 events each) %.1f, "
			   "20,000 one-member groups %.1f (limit 24)\n",
			   bad ? "not ok" : "ok", one, days, g400, g625, members);
		failures += bad;
	}

	/* percentiles = linear interpolation over a full sort (percentile_cont) */
	{
		int			bad = 0;

		for (trial = 0; trial < 2000; trial++)
		{
			size_t		n = 1 + (size_t) (next() % 60);
			int64_t    *v = malloc(n * sizeof(int64_t));
			int64_t    *s = malloc(n * sizeof(int64_t));
			double		ps[] = {0, 0.1, 0.5, 0.9, 1};
			size_t		i,
						k;

			for (i = 0; i < n; i++)
				v[i] = (int64_t) (next() % 50) * 3600000000LL - 360000000000LL;
			memcpy(s, v, n * sizeof(int64_t));
			qsort(s, n, sizeof(int64_t), cmp64);
			for (k = 0; k < 5; k++)
			{
				double		pos = ps[k] * (double) (n - 1);
				size_t		lo = (size_t) pos;
				size_t		hi = lo + (pos > (double) lo);
				double		want = (double) s[lo] / 3600e6 +
					(pos - (double) lo) * ((double) s[hi] / 3600e6 - (double) s[lo] / 3600e6);
				double		got = cmw_percentile_cont(v, n, ps[k], 3600e6);

				bad += got != want;
			}
			free(v);
			free(s);
		}
		printf("%s - percentiles equal percentile_cont over a full sort (2000 trials)\n",
			   bad ? "not ok" : "ok");
		failures += bad;
	}

	/* window checks */
	{
		int64_t		u = 0;
		int			bad = 0;

		bad += cmw_window_usec(0, 7, 0, &u) != CMW_WINDOW_OK || u != 7 * CMW_USECS_PER_DAY;
		bad += cmw_window_usec(0, 1, -CMW_USECS_PER_HOUR, &u) != CMW_WINDOW_OK || u != 23 * CMW_USECS_PER_HOUR;
		bad += cmw_window_usec(0, 0, 1, &u) != CMW_WINDOW_OK || u != 1;
		bad += cmw_window_usec(1, 0, 0, &u) != CMW_WINDOW_MONTHS;
		bad += cmw_window_usec(-1, 30, 0, &u) != CMW_WINDOW_MONTHS;
		bad += cmw_window_usec(0, 0, 0, &u) != CMW_WINDOW_NOT_POSITIVE;
		bad += cmw_window_usec(0, 1, -CMW_USECS_PER_DAY, &u) != CMW_WINDOW_NOT_POSITIVE;
		bad += cmw_window_usec(0, -2000000000, INT64_MAX, &u) != CMW_WINDOW_NOT_POSITIVE;
		bad += cmw_window_usec(0, 2000000000, 0, &u) != CMW_WINDOW_TOO_LONG;
		bad += cmw_window_usec(0, 106751991, INT64_MAX / 2, &u) != CMW_WINDOW_TOO_LONG;
		bad += cmw_within(INT64_MAX, INT64_MIN + 1, INT64_MAX);	/* no overflow */
		bad += cmw_exceeds(100, 200, 1);	/* earlier later: never exceeds */
		bad += !cmw_exceeds(INT64_C(9000000000000000000), INT64_C(-200000000000000000), INT64_C(1) << 62);
		printf("%s - window checks: months refused, zero/negative refused, overflow caught\n",
			   bad ? "not ok" : "ok");
		failures += bad;
	}
	return failures > 0;
}
C

if ! $CC -std=c99 -O1 -g -Wall -Wextra -Werror -Icommon -fsanitize=address,undefined \
        -fno-sanitize-recover=undefined -o "$WORK/driver" "$WORK/driver.c" common/cm_window.c -lm \
        > "$WORK/cc.log" 2>&1; then
    # no sanitizers on this compiler: build plainly
    if ! $CC -std=c99 -O1 -g -Wall -Wextra -Werror -Icommon -o "$WORK/driver" \
            "$WORK/driver.c" common/cm_window.c -lm > "$WORK/cc.log" 2>&1; then
        echo "not ok - compile the driver against common/cm_window.c"
        sed 's/^/# /' "$WORK/cc.log"
        exit 1
    fi
    echo "ok - compiled the driver (without sanitizers)"
else
    echo "ok - compiled the driver with AddressSanitizer and UBSan"
fi
"$WORK/driver"
