/*
 * gen_common.h
 *    Helpers shared by the costmodel-gen generators: a growable output
 *    buffer with fast number formatting, the proleptic Gregorian calendar,
 *    CSV files in an output directory, and the member pool that the
 *    experience, cases and claims generators share.
 *
 * The buffer and calendar came out of gen_traces.c unchanged, so that the
 * traces output stays byte for byte the same.
 */
#ifndef GEN_COMMON_H
#define GEN_COMMON_H

#include "gen_rand.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define lengthof(a)		((int) (sizeof(a) / sizeof((a)[0])))

/* ------------------------------------------------------------------ */
/* Output buffer                                                        */
/* ------------------------------------------------------------------ */

/* Bytes waiting to be written; a failed allocation sets oom and drops data. */
typedef struct gbuf
{
	char	   *p;
	size_t		len;
	size_t		cap;
	bool		oom;
} gbuf;

#define GB_INITIAL		(4u << 20)	/* room for many lines */
#define GB_FLUSH_AT		(1u << 20)	/* hand over once this much is ready */

/* Make room for n more bytes; false (and oom set) if memory ran out. */
bool		gb_grow(gbuf *b, size_t n);

/* Append n bytes. */
static inline void
gb_mem(gbuf *b, const char *s, size_t n)
{
	if (b->len + n > b->cap && !gb_grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

/* Append one byte. */
static inline void
gb_ch(gbuf *b, char c)
{
	if (b->len + 1 > b->cap && !gb_grow(b, 1))
		return;
	b->p[b->len++] = c;
}

#define GB_LIT(b, s)	gb_mem((b), (s), sizeof(s) - 1)

/* Append a NUL-terminated string as is. */
static inline void
gb_str(gbuf *b, const char *s)
{
	gb_mem(b, s, strlen(s));
}

/* Append an unsigned decimal, zero-padded to at least width digits. */
void		gb_pad(gbuf *b, uint64_t v, int width);

/* Append a signed decimal. */
void		gb_int(gbuf *b, int64_t v);

/* Append cents as dollars with two decimals: -1234.50. */
void		gb_cents(gbuf *b, int64_t cents);

/* Append non-negative cents with thousands separators: 1,234.50. */
void		gb_cents_grouped(gbuf *b, int64_t cents);

/* Append a string known to need no escaping, in double quotes. */
void		gb_q(gbuf *b, const char *s);

/* Append a string as a JSON string literal, escaped. */
void		gb_jstr(gbuf *b, const char *s);

/* ------------------------------------------------------------------ */
/* Calendar: day numbers count days from 1970-01-01                     */
/* ------------------------------------------------------------------ */

#define MS_PER_MIN		INT64_C(60000)
#define MS_PER_DAY		INT64_C(86400000)

/* Days from 1970-01-01 to a proleptic Gregorian date (Hinnant's method). */
int32_t		days_from_civil(int y, int m, int d);

/* The date of a day number (inverse of days_from_civil). */
void		civil_from_days(int32_t z, int *y, int *m, int *d);

/* Day of the week, 0 = Sunday (1970-01-01 was a Thursday). */
int			weekday(int32_t z);

/* Floor division of a millisecond time into days. */
int32_t		day_of_ms(int64_t ms);

/* Append YYYY-MM-DD, or YYYYMMDD when compact. */
void		gb_date(gbuf *b, int32_t day, bool compact);

/* Append MM/DD/YYYY. */
void		gb_us_date(gbuf *b, int32_t day);

/*
 * Append an ISO 8601 time for UTC instant ms, written in local time at
 * offset_min minutes east of UTC ("Z" when zulu), with or without millis.
 */
void		gb_iso(gbuf *b, int64_t ms, int offset_min, bool zulu, bool millis);

/* ------------------------------------------------------------------ */
/* Output files in a directory                                          */
/* ------------------------------------------------------------------ */

/* Outcomes of the directory-writing generators. */
typedef enum gen_status
{
	GEN_OK = 0,
	GEN_CANT_CREATE,			/* a file could not be created */
	GEN_WRITE_FAILED,			/* a write failed */
	GEN_NO_MEMORY
} gen_status;

/* One output file: rows are formatted into b and written in large chunks. */
typedef struct gen_file
{
	char	   *path;			/* dir/name, for messages */
	FILE	   *fp;
	gbuf		b;
	int64_t		rows;			/* data rows written, header excluded */
	bool		failed;			/* a write failed (reported once) */
} gen_file;

/* Create dir (and its parents) if missing; false with a message on failure. */
bool		gen_make_dir(const char *dir);

/* Create dir/name; false with a message on stderr on failure. */
bool		gen_file_open(gen_file *f, const char *dir, const char *name);

/* Write out whatever the buffer holds. */
void		gen_file_flush(gen_file *f);

/* Count a finished row; write the buffer out once it holds GB_FLUSH_AT bytes. */
static inline void
gen_file_row(gen_file *f)
{
	f->rows++;
	if (f->b.len >= GB_FLUSH_AT)
		gen_file_flush(f);
}

/* Flush and close; returns GEN_OK, GEN_WRITE_FAILED or GEN_NO_MEMORY. */
gen_status	gen_file_close(gen_file *f);

/* Close every file of an array, returning the first failure. */
gen_status	gen_files_close(gen_file *files, int n);

/* Append a CSV text field: quoted (quotes doubled) when it holds delim, a quote, CR or LF. */
void		gb_csv(gbuf *b, const char *s, char delim);

/* ------------------------------------------------------------------ */
/* Time of day                                                          */
/* ------------------------------------------------------------------ */

/* A minute of the UTC day when US members call: business hours, Eastern to Pacific. */
int			gen_business_minute(gen_rng *r);

/* True with probability weekday weight for day z (fewer contacts at weekends). */
bool		gen_keep_day(gen_rng *r, int32_t z);

/* ------------------------------------------------------------------ */
/* The member pool shared by experience, cases and claims               */
/* ------------------------------------------------------------------ */

#define GEN_NPLAN		5
#define GEN_NSEGMENT	5
#define GEN_SEG_HIGH	0
#define GEN_SEG_MEDIUM	1
#define GEN_SEG_LOW		2
#define GEN_SEG_AT_RISK	3
#define GEN_SEG_NEW		4
#define GEN_PLAN_MAPD	0

extern const char *const gen_plan_types[GEN_NPLAN];	/* MAPD PPO HMO POS EPO */
extern const char *const gen_segments[GEN_NSEGMENT];	/* High Value ... New */

/* A US state with a ZIP prefix and cities, for addresses and service locations. */
typedef struct gen_state
{
	const char *code;
	int			zip_lo,
				zip_hi;			/* ZIP codes zip_lo00..zip_hi99 */
	const char *cities[3];
} gen_state;

extern const gen_state gen_states[];
extern const int gen_nstates;

/* One member.  Everything follows from the seed and the member's number. */
typedef struct gen_member
{
	uint8_t		plan;			/* current plan type (index in gen_plan_types) */
	uint8_t		first_plan;		/* plan before a change in the range; = plan if none */
	uint8_t		segment;
	uint8_t		state;			/* index in gen_states */
	uint8_t		gender;			/* 0 F, 1 M, 2 U */
	uint8_t		age;
	uint16_t	tenure_months;	/* at the end of the range */
	uint32_t	zip;
	int32_t		join_day;
	int32_t		change_day;		/* day of the plan change, or INT32_MIN for none */
	uint32_t	activity;		/* relative contact propensity, 1/1000 units */
} gen_member;

/* The member pool of a seed: n members for a range of days from first_day. */
gen_member *gen_members_build(uint64_t seed, int64_t n, int32_t first_day, int days);

/* Append a member id: M followed by 7 (or more) digits, for member number i (0-based). */
void		gb_member_id(gbuf *b, int64_t i);

/* Running sums of the members' activity, for gen_pick_member(); NULL if out of memory. */
uint64_t   *gen_members_cumulative(const gen_member *pool, int64_t n);

/* A member number drawn with probability proportional to its activity. */
int64_t		gen_pick_member(gen_rng *r, const uint64_t *cum, int64_t n);

/* A day of the range, weekdays more likely than weekends. */
int32_t		gen_pick_day(gen_rng *r, int32_t first_day, int days);

/* An independent random stream for (seed, stream tag, index). */
void		gen_rng_for(gen_rng *r, uint64_t seed, uint64_t tag, uint64_t index);

/* ------------------------------------------------------------------ */
/* Options of the experience, cases and claims subcommands              */
/* ------------------------------------------------------------------ */

#define GEN_MAX_MEMBERS		INT64_C(9999999)
#define GEN_MAX_CALLS		INT64_C(100000000)

/* What to generate; the same seed, members and start give the same people. */
typedef struct gen_source_opts
{
	int64_t		members;		/* size of the member pool, 1..GEN_MAX_MEMBERS */
	int64_t		calls;			/* experience: calls to write; -1: from members and days */
	uint64_t	seed;
	int32_t		first_day;		/* day number of the first day of the range */
	int			days;			/* length of the range */
	const char *output_dir;		/* created if missing */
} gen_source_opts;

/* The UTC second at minute m of day z. */
static inline int64_t
gen_sec(int32_t z, int64_t minute)
{
	return ((int64_t) z * 1440 + minute) * 60;
}

/* Append a UTC second as ISO 8601 with Z: 2025-03-04T14:05:09Z. */
static inline void
gb_ts(gbuf *b, int64_t sec)
{
	gb_iso(b, sec * 1000, 0, true, false);
}

#endif							/* GEN_COMMON_H */
