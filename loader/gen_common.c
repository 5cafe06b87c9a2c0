/*
 * gen_common.c
 *    Helpers shared by the costmodel-gen generators (see gen_common.h):
 *    the output buffer, the calendar, CSV output files, and the member pool.
 */
#include "gen_common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

/* ------------------------------------------------------------------ */
/* Output buffer                                                        */
/* ------------------------------------------------------------------ */

/* Make room for n more bytes; false (and oom set) if memory ran out. */
bool
gb_grow(gbuf *b, size_t n)
{
	size_t		cap = b->cap ? b->cap : GB_INITIAL;
	char	   *p;

	if (b->oom)
		return false;
	while (cap < b->len + n)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL)
	{
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

/* Append an unsigned decimal, zero-padded to at least width digits. */
void
gb_pad(gbuf *b, uint64_t v, int width)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";
	int			nd = 1;
	char	   *q,
			   *first;

	for (uint64_t t = v; t >= 10; t /= 10)
		nd++;
	if (nd < width)
		nd = width;
	if (b->len + nd > b->cap && !gb_grow(b, nd))
		return;
	first = b->p + b->len;
	q = first + nd;
	while (v >= 100)
	{
		int			k = (int) (v % 100) * 2;

		v /= 100;
		*--q = pairs[k + 1];
		*--q = pairs[k];
	}
	if (v >= 10)
	{
		*--q = pairs[v * 2 + 1];
		*--q = pairs[v * 2];
	}
	else
		*--q = (char) ('0' + v);
	while (q > first)
		*--q = '0';
	b->len += nd;
}

/* Append a signed decimal. */
void
gb_int(gbuf *b, int64_t v)
{
	if (v < 0)
	{
		gb_ch(b, '-');
		gb_pad(b, (uint64_t) 0 - (uint64_t) v, 1);
	}
	else
		gb_pad(b, (uint64_t) v, 1);
}

/* Append cents as dollars with two decimals: -1234.50. */
void
gb_cents(gbuf *b, int64_t cents)
{
	uint64_t	a;

	if (cents < 0)
	{
		gb_ch(b, '-');
		a = (uint64_t) 0 - (uint64_t) cents;
	}
	else
		a = (uint64_t) cents;
	gb_pad(b, a / 100, 1);
	gb_ch(b, '.');
	gb_pad(b, a % 100, 2);
}

/* Append non-negative cents with thousands separators: 1,234.50. */
void
gb_cents_grouped(gbuf *b, int64_t cents)
{
	uint64_t	d = (uint64_t) (cents < 0 ? 0 : cents) / 100;
	uint64_t	groups[8];
	int			n = 0;

	do
	{
		groups[n++] = d % 1000;
		d /= 1000;
	} while (d != 0 && n < 8);
	gb_pad(b, groups[--n], 1);
	while (n > 0)
	{
		gb_ch(b, ',');
		gb_pad(b, groups[--n], 3);
	}
	gb_ch(b, '.');
	gb_pad(b, (uint64_t) (cents < 0 ? 0 : cents) % 100, 2);
}

/* Append a string known to need no escaping, in double quotes. */
void
gb_q(gbuf *b, const char *s)
{
	size_t		n = strlen(s);

	if (b->len + n + 2 > b->cap && !gb_grow(b, n + 2))
		return;
	b->p[b->len] = '"';
	memcpy(b->p + b->len + 1, s, n);
	b->p[b->len + n + 1] = '"';
	b->len += n + 2;
}

/* Append a string as a JSON string literal, escaped. */
void
gb_jstr(gbuf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	gb_ch(b, '"');
	for (; *s; s++)
	{
		unsigned char c = (unsigned char) *s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		gb_mem(b, run, s - run);
		run = s + 1;
		if (c == '"' || c == '\\')
		{
			gb_ch(b, '\\');
			gb_ch(b, (char) c);
		}
		else
		{
			GB_LIT(b, "\\u00");
			gb_ch(b, hex[c >> 4]);
			gb_ch(b, hex[c & 15]);
		}
	}
	gb_mem(b, run, s - run);
	gb_ch(b, '"');
}

/* ------------------------------------------------------------------ */
/* Calendar                                                             */
/* ------------------------------------------------------------------ */

/* Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's method). */
int32_t
days_from_civil(int y, int m, int d)
{
	int			era,
				yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The date of a day number (inverse of days_from_civil). */
void
civil_from_days(int32_t z, int *y, int *m, int *d)
{
	int			era,
				doe,
				yoe,
				doy,
				mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = yoe + era * 400 + (*m <= 2);
}

/* Day of the week, 0 = Sunday (1970-01-01 was a Thursday). */
int
weekday(int32_t z)
{
	int			w = (int) ((z + 4) % 7);

	return w < 0 ? w + 7 : w;
}

/* Floor division of a millisecond time into days. */
int32_t
day_of_ms(int64_t ms)
{
	return (int32_t) (ms >= 0 ? ms / MS_PER_DAY : -((-ms + MS_PER_DAY - 1) / MS_PER_DAY));
}

/* Append YYYY-MM-DD, or YYYYMMDD when compact. */
void
gb_date(gbuf *b, int32_t day, bool compact)
{
	int			y,
				m,
				d;

	civil_from_days(day, &y, &m, &d);
	gb_pad(b, (uint64_t) y, 4);
	if (!compact)
		gb_ch(b, '-');
	gb_pad(b, (uint64_t) m, 2);
	if (!compact)
		gb_ch(b, '-');
	gb_pad(b, (uint64_t) d, 2);
}

/* Append MM/DD/YYYY. */
void
gb_us_date(gbuf *b, int32_t day)
{
	int			y,
				m,
				d;

	civil_from_days(day, &y, &m, &d);
	gb_pad(b, (uint64_t) m, 2);
	gb_ch(b, '/');
	gb_pad(b, (uint64_t) d, 2);
	gb_ch(b, '/');
	gb_pad(b, (uint64_t) y, 4);
}

/*
 * Append an ISO 8601 time for UTC instant ms, written in local time at
 * offset_min minutes east of UTC ("Z" when zulu), with or without millis.
 */
void
gb_iso(gbuf *b, int64_t ms, int offset_min, bool zulu, bool millis)
{
	int64_t		local = ms + (int64_t) offset_min * MS_PER_MIN;
	int32_t		day = day_of_ms(local);
	int64_t		in_day = local - (int64_t) day * MS_PER_DAY;
	int			a;

	gb_date(b, day, false);
	gb_ch(b, 'T');
	gb_pad(b, (uint64_t) (in_day / 3600000), 2);
	gb_ch(b, ':');
	gb_pad(b, (uint64_t) (in_day / 60000 % 60), 2);
	gb_ch(b, ':');
	gb_pad(b, (uint64_t) (in_day / 1000 % 60), 2);
	if (millis)
	{
		gb_ch(b, '.');
		gb_pad(b, (uint64_t) (in_day % 1000), 3);
	}
	if (zulu)
	{
		gb_ch(b, 'Z');
		return;
	}
	a = offset_min < 0 ? -offset_min : offset_min;
	gb_ch(b, offset_min < 0 ? '-' : '+');
	gb_pad(b, (uint64_t) (a / 60), 2);
	gb_ch(b, ':');
	gb_pad(b, (uint64_t) (a % 60), 2);
}

/* ------------------------------------------------------------------ */
/* Output files in a directory                                          */
/* ------------------------------------------------------------------ */

/* Create dir (and its parents) if missing; false with a message on failure. */
bool
gen_make_dir(const char *dir)
{
	char	   *path = strdup(dir);
	struct stat st;

	if (path == NULL)
	{
		fprintf(stderr, "costmodel-gen: out of memory\n");
		return false;
	}
	for (char *p = path + 1;; p++)
	{
		if (*p == '/' || *p == '\0')
		{
			char		c = *p;

			*p = '\0';
			if (mkdir(path, 0777) != 0 && errno != EEXIST)
			{
				fprintf(stderr, "costmodel-gen: could not create directory \"%s\": %s\n",
						path, strerror(errno));
				free(path);
				return false;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	free(path);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
	{
		fprintf(stderr, "costmodel-gen: \"%s\" is not a directory\n", dir);
		return false;
	}
	return true;
}

/* Create dir/name; false with a message on stderr on failure. */
bool
gen_file_open(gen_file *f, const char *dir, const char *name)
{
	size_t		n = strlen(dir) + strlen(name) + 2;

	memset(f, 0, sizeof(*f));
	f->path = malloc(n);
	if (f->path == NULL)
	{
		fprintf(stderr, "costmodel-gen: out of memory\n");
		return false;
	}
	snprintf(f->path, n, "%s/%s", dir, name);
	f->fp = fopen(f->path, "wb");
	if (f->fp == NULL)
	{
		fprintf(stderr, "costmodel-gen: could not create \"%s\": %s\n",
				f->path, strerror(errno));
		return false;
	}
	return gb_grow(&f->b, GB_FLUSH_AT + (GB_FLUSH_AT >> 1));
}

/* Write out whatever the buffer holds. */
void
gen_file_flush(gen_file *f)
{
	if (f->b.len == 0)
		return;
	if (!f->failed && f->fp != NULL && fwrite(f->b.p, 1, f->b.len, f->fp) != f->b.len)
	{
		fprintf(stderr, "costmodel-gen: could not write to \"%s\": %s\n",
				f->path, strerror(errno));
		f->failed = true;
	}
	f->b.len = 0;
}

/* Flush and close; returns GEN_OK, GEN_WRITE_FAILED or GEN_NO_MEMORY. */
gen_status
gen_file_close(gen_file *f)
{
	gen_status	st = GEN_OK;

	if (f->fp != NULL)
	{
		gen_file_flush(f);
		if (fclose(f->fp) != 0 && !f->failed)
		{
			fprintf(stderr, "costmodel-gen: could not write to \"%s\": %s\n",
					f->path, strerror(errno));
			f->failed = true;
		}
		f->fp = NULL;
	}
	if (f->b.oom)
		st = GEN_NO_MEMORY;
	else if (f->failed)
		st = GEN_WRITE_FAILED;
	free(f->b.p);
	free(f->path);
	f->b.p = NULL;
	f->path = NULL;
	return st;
}

/* Close every file of an array, returning the first failure. */
gen_status
gen_files_close(gen_file *files, int n)
{
	gen_status	first = GEN_OK;

	for (int i = 0; i < n; i++)
	{
		gen_status	st = gen_file_close(&files[i]);

		if (first == GEN_OK)
			first = st;
	}
	return first;
}

/* Append a CSV text field: quoted (quotes doubled) when it holds delim, a quote, CR or LF. */
void
gb_csv(gbuf *b, const char *s, char delim)
{
	const char *p;

	for (p = s; *p; p++)
		if (*p == delim || *p == '"' || *p == '\r' || *p == '\n')
			break;
	if (*p == '\0')
	{
		gb_mem(b, s, p - s);
		return;
	}
	gb_ch(b, '"');
	for (p = s; *p; p++)
	{
		if (*p == '"')
			gb_ch(b, '"');
		gb_ch(b, *p);
	}
	gb_ch(b, '"');
}

/* ------------------------------------------------------------------ */
/* Time of day                                                          */
/* ------------------------------------------------------------------ */

/* Contact volume per UTC hour: US business hours, 8:00 Eastern to 20:00 Pacific. */
static const uint32_t utc_hour_w[24] = {
	9, 6, 3, 1, 0, 0, 0, 0, 0, 0, 0, 1,
	3, 9, 13, 15, 15, 14, 13, 13, 12, 11, 11, 10
};

/* Relative volume per weekday, Sunday first, in percent of a Monday. */
static const uint32_t weekday_pct[7] = {22, 100, 94, 90, 90, 84, 35};

/* A minute of the UTC day when US members call: business hours, Eastern to Pacific. */
int
gen_business_minute(gen_rng *r)
{
	return gen_pick(r, utc_hour_w, 24) * 60 + (int) gen_below(r, 60);
}

/* True with probability weekday weight for day z (fewer contacts at weekends). */
bool
gen_keep_day(gen_rng *r, int32_t z)
{
	return gen_below(r, 100) < weekday_pct[weekday(z)];
}

/* ------------------------------------------------------------------ */
/* The member pool                                                      */
/* ------------------------------------------------------------------ */

const char *const gen_plan_types[GEN_NPLAN] = {"MAPD", "PPO", "HMO", "POS", "EPO"};
const char *const gen_segments[GEN_NSEGMENT] = {
	"High Value", "Medium Value", "Low Value", "At Risk", "New"
};

const gen_state gen_states[] = {
	{"CA", 900, 961, {"Los Angeles", "San Diego", "Sacramento"}},
	{"TX", 750, 799, {"Houston", "Dallas", "Austin"}},
	{"FL", 320, 349, {"Miami", "Orlando", "Tampa"}},
	{"NY", 100, 149, {"New York", "Buffalo", "Rochester"}},
	{"PA", 150, 196, {"Philadelphia", "Pittsburgh", "Allentown"}},
	{"IL", 600, 629, {"Chicago", "Springfield", "Peoria"}},
	{"OH", 430, 459, {"Columbus", "Cleveland", "Cincinnati"}},
	{"GA", 300, 319, {"Atlanta", "Savannah", "Augusta"}},
	{"NC", 270, 289, {"Charlotte", "Raleigh", "Greensboro"}},
	{"MI", 480, 499, {"Detroit", "Grand Rapids", "Lansing"}},
	{"AZ", 850, 865, {"Phoenix", "Tucson", "Mesa"}},
	{"WA", 980, 994, {"Seattle", "Spokane", "Tacoma"}},
	{"MA", 10, 27, {"Boston", "Worcester", "Springfield"}},
	{"NJ", 70, 89, {"Newark", "Jersey City", "Trenton"}},
	{"VA", 220, 246, {"Richmond", "Virginia Beach", "Arlington"}},
	{"CO", 800, 816, {"Denver", "Colorado Springs", "Aurora"}},
};
const int	gen_nstates = lengthof(gen_states);

static const uint32_t state_w[] = {14, 11, 10, 8, 5, 5, 4, 4, 4, 4, 3, 3, 3, 3, 3, 2};
static const uint32_t plan_w[GEN_NPLAN] = {24, 26, 30, 10, 10};
static const uint32_t segment_w[4] = {22, 36, 24, 18};	/* members past 6 months */
static const uint32_t gender_w[3] = {52, 47, 1};

/* Contact propensity by segment, in percent. */
static const uint32_t segment_activity_pct[GEN_NSEGMENT] = {110, 100, 60, 180, 140};

#define TAG_MEMBER		UINT64_C(0x6d656d626572)	/* "member" */

/* An independent random stream for (seed, stream tag, index). */
void
gen_rng_for(gen_rng *r, uint64_t seed, uint64_t tag, uint64_t index)
{
	uint64_t	st = seed ^ (tag * UINT64_C(0x9e3779b97f4a7c15));

	st += index * UINT64_C(0xd1b54a32d192ed03);
	gen_rng_seed(r, gen_splitmix64(&st));
}

/* The member pool of a seed: n members for a range of days from first_day. */
gen_member *
gen_members_build(uint64_t seed, int64_t n, int32_t first_day, int days)
{
	gen_member *pool = calloc(n > 0 ? (size_t) n : 1, sizeof(gen_member));
	int32_t		last_day = first_day + days - 1;

	if (pool == NULL)
		return NULL;
	for (int64_t i = 0; i < n; i++)
	{
		gen_member *m = &pool[i];
		gen_rng		r;
		int64_t		act;
		const gen_state *st;

		gen_rng_for(&r, seed, TAG_MEMBER, (uint64_t) i);
		m->plan = (uint8_t) gen_pick(&r, plan_w, GEN_NPLAN);
		if (m->plan == GEN_PLAN_MAPD)
		{
			int			a = (int) gen_below(&r, 31),
						b = (int) gen_below(&r, 31);

			m->age = (uint8_t) (65 + (a < b ? a : b));
		}
		else
			m->age = (uint8_t) gen_range(&r, 18, 64);
		m->gender = (uint8_t) gen_pick(&r, gender_w, 3);
		if (gen_chance(&r, 120000))
			m->tenure_months = (uint16_t) gen_below(&r, 6);
		else
		{
			int64_t		t = 6 + gen_lognormal(&r, 36, 62259);	/* sigma 0.95 */

			m->tenure_months = (uint16_t) (t > 240 ? 240 : t);
		}
		m->segment = m->tenure_months < 6 ? GEN_SEG_NEW
			: (uint8_t) gen_pick(&r, segment_w, 4);
		m->state = (uint8_t) gen_pick(&r, state_w, gen_nstates);
		st = &gen_states[m->state];
		m->zip = (uint32_t) (st->zip_lo * 100
							 + (int) gen_below(&r, (uint32_t) ((st->zip_hi - st->zip_lo + 1) * 100)));
		m->join_day = last_day - (int32_t) m->tenure_months * 30 - (int32_t) gen_below(&r, 30);
		m->first_plan = m->plan;
		m->change_day = INT32_MIN;
		if (m->segment != GEN_SEG_NEW && gen_chance(&r, 60000))
		{
			int			other;

			/* a change in the range: turning 65 into MAPD, or a switch between the others */
			do
				other = 1 + (int) gen_below(&r, GEN_NPLAN - 1);
			while (other == m->plan);
			m->first_plan = (uint8_t) other;
			m->change_day = first_day + (int32_t) gen_below(&r, (uint32_t) days);
		}
		act = gen_lognormal(&r, 1000, 52429);	/* sigma 0.8 */
		act = act * segment_activity_pct[m->segment] / 100;
		if (m->plan == GEN_PLAN_MAPD)
			act = act * 130 / 100;
		m->activity = (uint32_t) (act < 50 ? 50 : act > 5000 ? 5000 : act);
	}
	return pool;
}

/* Append a member id: M followed by 7 (or more) digits, for member number i (0-based). */
void
gb_member_id(gbuf *b, int64_t i)
{
	gb_ch(b, 'M');
	gb_pad(b, (uint64_t) i + 1, 7);
}

/* Running sums of the members' activity, for gen_pick_member(); NULL if out of memory. */
uint64_t *
gen_members_cumulative(const gen_member *pool, int64_t n)
{
	uint64_t   *cum = malloc((n > 0 ? (size_t) n : 1) * sizeof(uint64_t));
	uint64_t	sum = 0;

	if (cum == NULL)
		return NULL;
	for (int64_t i = 0; i < n; i++)
	{
		sum += pool[i].activity;
		cum[i] = sum;
	}
	return cum;
}

/* A member number drawn with probability proportional to its activity. */
int64_t
gen_pick_member(gen_rng *r, const uint64_t *cum, int64_t n)
{
	uint64_t	x = gen_next(r) % cum[n - 1];
	int64_t		lo = 0,
				hi = n - 1;

	/* the first i with cum[i] > x */
	while (lo < hi)
	{
		int64_t		mid = lo + (hi - lo) / 2;

		if (cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* A day of the range, weekdays more likely than weekends. */
int32_t
gen_pick_day(gen_rng *r, int32_t first_day, int days)
{
	int32_t		z = first_day;

	for (int tries = 0; tries < 8; tries++)
	{
		z = first_day + (int32_t) gen_below(r, (uint32_t) days);
		if (gen_keep_day(r, z))
			break;
	}
	return z;
}
