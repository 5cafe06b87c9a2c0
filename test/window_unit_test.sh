#!/usr/bin/env bash
# window_unit_test.sh: the plain-C window logic (common/cm_window.c) against
# brute force, without a server.  A small driver (below) is compiled against
# common/cm_window.c and runs thousands of random trials: member ids of 0 to
# 20 bytes that share prefixes, times with many ties and exact-edge gaps.
# For each trial the repeat and leakage counts from the definitions, by
# brute force over all pairs, must equal the counts from
#   - one set, staged row by row, sorted once;
#   - the rows split over 1 to 5 sets, each made canonical, read back as
#     deserialization does (members pushed in order, events borrowed) and
#     merged in turn (the parallel path: serialize in the workers, merge in
#     the leader), into a target that is sometimes itself borrowed;
#   - the same split merged by interning (the non-canonical path), and
#     copies.
# Also: percentiles against a full sort, and the window checks.
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

static void *
a_alloc(void *ctx, size_t n)
{
	(void) ctx;
	return malloc(n ? n : 1);
}

static void *
a_grow(void *ctx, void *p, size_t n)
{
	(void) ctx;
	return realloc(p, n);
}

static void
a_free(void *ctx, void *p)
{
	(void) ctx;
	free(p);
}

static const cmw_alloc mem = {a_alloc, a_grow, a_free, NULL};

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
	char		id[24];
	size_t		len;
	int64_t		at;
	uint32_t	flags;
} row;

/* Brute-force counts from the definitions. */
static void
brute(const row *r, size_t n, int64_t w, cmw_repeat_counts *rep, cmw_leak_counts *lk)
{
	size_t		i,
				j;

	memset(rep, 0, sizeof(*rep));
	memset(lk, 0, sizeof(*lk));
	/* repeat: call k is a repeat when its predecessor in (at, index) order is within w */
	for (i = 0; i < n; i++)
	{
		int			have = 0;
		int64_t		prev = 0;

		rep->calls++;
		for (j = 0; j < n; j++)
		{
			if (j == i || r[j].len != r[i].len || memcmp(r[j].id, r[i].id, r[i].len) != 0)
				continue;
			if (r[j].at < r[i].at || (r[j].at == r[i].at && j < i))
			{
				if (!have || r[j].at > prev)
					prev = r[j].at;
				have = 1;
			}
		}
		if (have && r[i].at - prev <= w)
			rep->repeat_calls++;
	}
	/* leakage */
	for (i = 0; i < n; i++)
	{
		int			call = (r[i].flags & CMW_CALL) != 0;
		int			fail = !call && (r[i].flags & CMW_FAILURE) != 0;
		int			leaked = 0;

		if (!call && !fail)
			continue;
		for (j = 0; j < n; j++)
		{
			int			jcall = (r[j].flags & CMW_CALL) != 0;
			int			jfail = !jcall && (r[j].flags & CMW_FAILURE) != 0;

			if (r[j].len != r[i].len || memcmp(r[j].id, r[i].id, r[i].len) != 0)
				continue;
			if (fail && jcall && r[j].at > r[i].at && r[j].at - r[i].at <= w)
				leaked = 1;
			if (call && jfail && r[j].at < r[i].at && r[i].at - r[j].at <= w)
				leaked = 1;
		}
		if (fail)
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

/* Counts of a set, sorting it first. */
static void
counts(cmw_set *s, int64_t w, int leak, cmw_repeat_counts *rep, cmw_leak_counts *lk, long trial)
{
	check(cmw_sort(s), "sort", trial);
	if (leak)
		cmw_leakage(s, w, lk);
	else
		cmw_repeats(s, w, rep);
}

static int
same_leak(const cmw_leak_counts *a, const cmw_leak_counts *b)
{
	return a->failures == b->failures && a->leaked_failures == b->leaked_failures &&
		a->calls == b->calls && a->leaked_calls == b->leaked_calls;
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
	{
		size_t		n = (size_t) (next() % 300);
		size_t		nm = 1 + (size_t) (next() % 40);
		int64_t		w = 1 + (int64_t) (next() % 50);
		int			leak = (int) (next() % 2);
		int			parts = 1 + (int) (next() % 5);
		row		   *r = calloc(n + 1, sizeof(row));
		cmw_repeat_counts want_r,
					got_r;
		cmw_leak_counts want_l,
					got_l;
		cmw_set		one,
					merged,
					interned,
				   *split;
		cmw_event  *tbuf = NULL;
		cmw_event	tfirst;
		size_t		tn = 0;
		size_t		i;
		int			p;

		nrows += (long) n;
		for (i = 0; i < n; i++)
		{
			size_t		m = (size_t) (next() % nm);
			size_t		k;

			/* ids "", "a", "aa", ... "m7", "m7x": shared prefixes, lengths 0-20 */
			r[i].len = (m * 7) % 21;
			for (k = 0; k < r[i].len; k++)
				r[i].id[k] = (char) ('a' + (m + k * (m % 3)) % 26);
			if (m % 5 == 0 && r[i].len > 0)
				r[i].id[r[i].len - 1] = (char) 0xe9;	/* a high byte */
			r[i].at = (int64_t) (next() % 200) - 100;
			if (next() % 4 == 0 && i > 0)
				r[i].at = r[i - 1].at + w;	/* exactly at the edge */
			if (leak)
			{
				int			f = (int) (next() % 4);

				r[i].flags = f == 0 ? CMW_CALL : f == 1 ? CMW_FAILURE : f == 2 ? CMW_CALL | CMW_FAILURE : CMW_CALL;
			}
			else
				r[i].flags = CMW_CALL;
		}
		brute(r, n, w, &want_r, &want_l);

		/* one set */
		cmw_set_init(&one, &mem);
		for (i = 0; i < n; i++)
			check(cmw_stage(&one, r[i].id, r[i].len, r[i].at,
							(r[i].flags & CMW_CALL) ? CMW_CALL : r[i].flags), "stage", trial);
		counts(&one, w, leak, &got_r, &got_l, trial);
		if (leak)
			check(same_leak(&got_l, &want_l), "leakage, one set", trial);
		else
			check(got_r.calls == want_r.calls && got_r.repeat_calls == want_r.repeat_calls,
				  "repeats, one set", trial);

		/* split into parts, canonical merge and interned merge */
		split = calloc((size_t) parts, sizeof(cmw_set));
		for (p = 0; p < parts; p++)
			cmw_set_init(&split[p], &mem);
		for (i = 0; i < n; i++)
		{
			p = (int) (next() % (uint64_t) parts);
			check(cmw_stage(&split[p], r[i].id, r[i].len, r[i].at,
							(r[i].flags & CMW_CALL) ? CMW_CALL : r[i].flags), "stage part", trial);
		}
		cmw_set_init(&merged, &mem);
		cmw_set_init(&interned, &mem);
		for (p = 0; p < parts; p++)
		{
			cmw_set		copy,
						back;
			cmw_event  *buf;
			int32_t		m;

			check(cmw_flush(&split[p]), "flush", trial);
			check(cmw_merge(&interned, &split[p]), "interned merge", trial);
			check(cmw_canonicalize(&split[p]), "canonical form", trial);
			check(cmw_canonical(&split[p]), "canonical after canonical form", trial);
			/* read back as deserialization does: members pushed, events borrowed */
			cmw_set_init(&back, &mem);
			for (m = 0; m < split[p].nmembers; m++)
			{
				size_t		len;
				const char *id = cmw_member_bytes(&split[p], m, &len);

				check(cmw_push_member(&back, id, len) == m, "push member", trial);
			}
			buf = malloc(sizeof(cmw_event) * (split[p].n + 1));
			if (split[p].n > 0)
				memcpy(buf, split[p].ev, sizeof(cmw_event) * split[p].n);
			cmw_borrow_events(&back, buf, split[p].n);
			cmw_set_canonical(&back);
			if (p == 0 && trial % 2 == 0)
			{
				check(cmw_copy(&copy, &back, &mem), "copy", trial);
				cmw_set_free(&merged);
				merged = copy;
			}
			else if (p == 0)
			{
				/* a borrowed set as the target: it copies before it writes */
				cmw_set_free(&merged);
				check(cmw_copy(&copy, &back, &mem), "copy", trial);
				tbuf = malloc(sizeof(cmw_event) * (copy.n + 1));
				if (copy.n > 0)
					memcpy(tbuf, copy.ev, sizeof(cmw_event) * copy.n);
				tn = copy.n;
				if (tn > 0)
					tfirst = tbuf[0];
				cmw_borrow_events(&copy, tbuf, copy.n);
				cmw_set_canonical(&copy);
				merged = copy;
			}
			else
				check(cmw_merge(&merged, &back), "canonical merge", trial);
			check(cmw_canonical(&merged), "canonical after merge", trial);
			cmw_set_free(&back);
			free(buf);
		}
		/* members ascend, with no duplicates */
		for (i = 1; i < (size_t) merged.nmembers; i++)
		{
			size_t		la,
						lb;
			const char *ia = cmw_member_bytes(&merged, (int32_t) i - 1, &la);
			const char *ib = cmw_member_bytes(&merged, (int32_t) i, &lb);

			check(cmw_id_cmp(ia, la, ib, lb) < 0, "merged members ascend", trial);
		}
		check(merged.nmembers == one.nmembers, "merged member count", trial);
		check(merged.n == n && interned.n == n, "merged event count", trial);
		/* a canonical set looks ids up after a merge (the table is rebuilt) */
		for (i = 0; i < n && i < 5; i++)
		{
			bool		added = true;
			int32_t		m = cmw_member(&merged, r[i].id, r[i].len, &added);

			check(m >= 0 && !added, "look-up after a canonical merge", trial);
		}
		counts(&merged, w, leak, &got_r, &got_l, trial);
		if (leak)
			check(same_leak(&got_l, &want_l), "leakage, canonical merge", trial);
		else
			check(got_r.calls == want_r.calls && got_r.repeat_calls == want_r.repeat_calls,
				  "repeats, canonical merge", trial);
		counts(&interned, w, leak, &got_r, &got_l, trial);
		if (leak)
			check(same_leak(&got_l, &want_l), "leakage, interned merge", trial);
		else
			check(got_r.calls == want_r.calls && got_r.repeat_calls == want_r.repeat_calls,
				  "repeats, interned merge", trial);

		for (p = 0; p < parts; p++)
			cmw_set_free(&split[p]);
		free(split);
		cmw_set_free(&one);
		cmw_set_free(&merged);
		cmw_set_free(&interned);
		if (tbuf)
		{
			/* the borrowed target must have been copied, never written */
			check(tn == 0 || memcmp(&tbuf[0], &tfirst, sizeof(cmw_event)) == 0,
				  "borrowed events left alone", trial);
			free(tbuf);
		}
		free(r);
	}
	if (failures == 0)
		printf("ok - repeat and leakage counts equal brute force in 3000 random trials (%ld rows), "
			   "for one set, canonical merges and interned merges\n", nrows);

	/* many members: the dictionary grows and rehashes; ids stay dense and exact */
	{
		cmw_set		s;
		char		id[32];
		int			i,
					bad = 0;

		cmw_set_init(&s, &mem);
		for (i = 0; i < 300000; i++)
		{
			int			len = snprintf(id, sizeof id, "member-%d", i % 100000);

			if (!cmw_stage(&s, id, (size_t) len, i, CMW_CALL))
				bad++;
		}
		bad += !cmw_flush(&s);
		bad += s.nmembers != 100000;
		for (i = 0; i < 100000 && !bad; i++)
		{
			int			len = snprintf(id, sizeof id, "member-%d", i);
			bool		added;

			bad += cmw_member(&s, id, (size_t) len, &added) != i || added;
		}
		/* three calls per member, 100000 apart: sorted by (member, at), 2 repeats each */
		{
			cmw_repeat_counts rc;
			size_t		k;

			bad += !cmw_sort(&s);
			for (k = 1; k < s.n; k++)
				bad += s.ev[k - 1].member > s.ev[k].member ||
					(s.ev[k - 1].member == s.ev[k].member && s.ev[k - 1].at > s.ev[k].at);
			cmw_repeats(&s, 100000, &rc);
			bad += rc.calls != 300000 || rc.repeat_calls != 200000;
			cmw_repeats(&s, 99999, &rc);
			bad += rc.repeat_calls != 0;
			bad += !cmw_canonicalize(&s);
			cmw_repeats(&s, 100000, &rc);
			bad += rc.repeat_calls != 200000;
		}
		printf("%s - 100,000 members over 300,000 staged rows: dense ids, radix sort over 17 bits, exact counts\n",
			   bad ? "not ok" : "ok");
		failures += bad;
		cmw_set_free(&s);
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
