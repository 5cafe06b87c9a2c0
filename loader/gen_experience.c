/*
 * gen_experience.c
 *    costmodel-gen experience: a health plan's member-experience extract as
 *    canonical CSVs, deterministically from a seed:
 *      members.csv, calls.csv, digital_interactions.csv, surveys.csv,
 *      pharmacy_fills.csv, enrollments.csv and claims.csv.
 *
 * Every member is generated in turn from its own random stream, so the
 * output does not depend on how much is generated before it.  The planted
 * patterns, which test/gen_sources_test.sh checks:
 *   - calls: exactly --calls calls (or about two per member per 90 days),
 *     spread over members by their activity.  A member's calls form chains:
 *     a first contact, then repeats each less than 7 days after the
 *     previous call; a first contact is more than 7 days after the member's
 *     previous call.  The chance of a repeat is set so that 23.5% of all
 *     calls are repeats (as long as members average well under one call a
 *     week).  About 32.6% of calls are negative: repeats, unresolved and
 *     transferred calls, calls after a failure, and At Risk members more so;
 *   - topics: Pharmacy and Billing first, then Claims and Benefits;
 *   - leakage: 40% of Billing and 55% of ID Card first contacts (and 15%
 *     of Claims) follow a failed digital bill_pay / id_card (claims_check)
 *     attempt of the same member 5 minutes to 23 hours earlier;
 *   - 30% of Pharmacy first contacts follow a denied fill (20 minutes to
 *     36 hours earlier), 35% of Claims first contacts a denied claim
 *     (adjudicated 1 to 4 days earlier);
 *   - surveys after calls score by the call's sentiment and resolution.
 */
#include "gen_experience.h"
#include "gen_claims.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Files                                                                */
/* ------------------------------------------------------------------ */

enum
{
	FI_MEMBERS, FI_CALLS, FI_DIGITAL, FI_SURVEYS, FI_FILLS, FI_ENROLLMENTS, FI_CLAIMS, NFILES
};

static const char *const file_names[NFILES] = {
	"members.csv", "calls.csv", "digital_interactions.csv", "surveys.csv",
	"pharmacy_fills.csv", "enrollments.csv", "claims.csv"
};

static const char *const file_headers[NFILES - 1] = {
	"member_id,age,gender,plan_type,tenure_months,segment,state,zip_code,join_date",
	"call_id,member_id,called_at,call_topic,handle_time_minutes,sentiment,sentiment_score,"
	"transferred,resolved,source_is_repeat",
	"interaction_id,member_id,interacted_at,interaction_type,outcome,failure_reason,"
	"session_duration_seconds,channel",
	"survey_id,member_id,surveyed_at,survey_type,nps_score,csat_score,effort_score,feedback_text",
	"rx_id,member_id,filled_at,drug_name,copay_amount,days_supply,pharmacy_type,denied,denied_reason",
	"enrollment_id,member_id,enrolled_at,plan_type,premium_amount,change_type,change_reason",
};

/* ------------------------------------------------------------------ */
/* Catalogues                                                           */
/* ------------------------------------------------------------------ */

enum
{
	T_ID_CARD, T_BILLING, T_CLAIMS, T_PHARMACY, T_BENEFITS, T_PRIOR_AUTH, T_FIND_PROVIDER,
	T_ENROLLMENT, T_OTHER, NTOPIC
};

static const char *const topic_names[NTOPIC] = {
	"ID Card", "Billing", "Claims", "Pharmacy", "Benefits", "Prior Authorization",
	"Find a Provider", "Enrollment", "Other"
};
static const uint32_t topic_w[NTOPIC] = {8, 22, 14, 24, 12, 6, 6, 4, 4};
/* median handle time, hundredths of a minute */
static const int64_t topic_handle[NTOPIC] = {500, 900, 1100, 800, 1000, 1400, 700, 1200, 600};

enum
{
	D_LOGIN, D_BILL_PAY, D_CLAIMS_CHECK, D_ID_CARD, D_FIND_PROVIDER, D_BENEFITS, D_RX_REFILL,
	NDTYPE
};

static const char *const dtype_names[NDTYPE] = {
	"login", "bill_pay", "claims_check", "id_card", "find_provider", "benefits_lookup", "rx_refill"
};
static const uint32_t dtype_w[NDTYPE] = {30, 15, 18, 10, 12, 10, 5};
static const uint32_t dtype_fail_ppm[NDTYPE] = {100000, 180000, 60000, 160000, 50000, 40000, 90000};
static const uint32_t dtype_abandon_ppm[NDTYPE] = {40000, 80000, 50000, 40000, 90000, 60000, 70000};
static const char *const dtype_reasons[NDTYPE][4] = {
	{"invalid_credentials", "account_locked", "mfa_timeout", NULL},
	{"payment_declined", "session_timeout", "system_error", "invalid_account"},
	{"system_error", "session_timeout", NULL, NULL},
	{"card_not_available", "download_error", "system_error", NULL},
	{"search_error", "session_timeout", NULL, NULL},
	{"page_error", "session_timeout", NULL, NULL},
	{"refill_too_soon", "system_error", "pharmacy_unavailable", NULL},
};

/* A drug: name and tier (0 generic, 1 brand, 2 specialty). */
typedef struct drug_def
{
	const char *name;
	int			tier;
} drug_def;

static const drug_def drugs[] = {
	{"Atorvastatin 20 mg", 0}, {"Lisinopril 10 mg", 0}, {"Metformin 500 mg", 0},
	{"Levothyroxine 50 mcg", 0}, {"Amlodipine 5 mg", 0}, {"Omeprazole 20 mg", 0},
	{"Losartan 50 mg", 0}, {"Sertraline 50 mg", 0}, {"Gabapentin 300 mg", 0},
	{"Rosuvastatin 10 mg", 0}, {"Montelukast 10 mg", 0}, {"Hydrochlorothiazide 25 mg", 0},
	{"Eliquis 5 mg", 1}, {"Jardiance 10 mg", 1}, {"Ozempic 1 mg/0.75 mL", 1},
	{"Trulicity 1.5 mg/0.5 mL", 1}, {"Entresto 49-51 mg", 1}, {"Xarelto 20 mg", 1},
	{"Albuterol HFA 90 mcg", 1},
	{"Humira 40 mg/0.4 mL", 2}, {"Enbrel 50 mg/mL", 2}, {"Stelara 90 mg/mL", 2},
};
static const uint32_t drug_w[] = {
	14, 12, 12, 10, 10, 8, 8, 7, 6, 6, 4, 5,
	5, 3, 3, 2, 2, 2, 3,
	1, 1, 1
};

#define NDRUGS			lengthof(drugs)

static const char *const fill_denials[] = {
	"prior_auth_required", "refill_too_soon", "not_on_formulary", "quantity_limit_exceeded"
};
static const uint32_t fill_denial_w[] = {30, 35, 20, 15};
static const uint32_t call_fill_denial_w[] = {45, 15, 25, 15};

static const char *const change_reasons[] = {"cost", "network", "benefits", "moved", "employer_change"};

/* Monthly premium range per plan type, cents. */
static const int64_t premium_lo[GEN_NPLAN] = {0, 48000, 32000, 40000, 36000};
static const int64_t premium_hi[GEN_NPLAN] = {4500, 64000, 45000, 52000, 48000};

static const char *const feedback_negative[] = {
	"Had to call again, still not fixed",
	"Transferred twice, nobody could help",
	"Billing statement is wrong again",
	"The app would not let me pay my bill",
	"Waited on hold \"forever\"",
	"My prescription was denied at the pharmacy,\nand nobody told me why",
	"ID card never arrived, had to call",
};
static const char *const feedback_neutral[] = {
	"OK", "It was fine", "Took a while, but OK", "Average experience"
};
static const char *const feedback_positive[] = {
	"Great agent, solved it quickly", "Very helpful, thank you!", "Easy, fast, friendly",
	"Resolved on the first call"
};

static const char *const gender_codes[] = {"F", "M", "U"};

/* Stream tags, one per kind of random decision. */
#define TAG_ALLOC		UINT64_C(0x616c6c6f63)	/* "alloc" */
#define TAG_EXP			UINT64_C(0x657870)	/* "exp" */

/* Call ratios in parts per million. */
#define REPEAT_SHARE_PPM	235000
#define NEG_BASE_PPM		180000

/* ------------------------------------------------------------------ */
/* The generator state                                                  */
/* ------------------------------------------------------------------ */

/* One call of a member, as scheduled. */
typedef struct call
{
	int64_t		min;			/* minutes from the start of the range */
	int			topic;
	bool		repeat;
	bool		followed;		/* a repeat comes next */
	bool		same_topic;		/* a repeat about the previous call's topic */
	int64_t		gap;			/* minutes since the previous call (repeats) */
	int			gap_days;		/* scheduling: days after the previous call */
} call;

typedef struct exp_gen
{
	const gen_source_opts *o;
	gen_member *pool;
	uint32_t   *ncalls;			/* calls per member */
	uint32_t	repeat_ppm;		/* chance that a call after the first is a repeat */
	int32_t		first_day,
				last_day;
	int64_t		range_min;		/* minutes in the range */
	gen_file	f[NFILES];
	int64_t		next_id[NFILES];
	call	   *calls;			/* one member's calls */
	size_t		calls_cap;
	uint64_t   *u;				/* scratch for sorted offsets */
} exp_gen;

/* The member pool size used when only --calls is given: about 2 calls per
 * member per 90 days. */
int64_t
gen_experience_members_for(int64_t calls, int days)
{
	int64_t		m = calls * 45 / (days > 0 ? days : 1);

	if (m < 1)
		m = 1;
	return m > GEN_MAX_MEMBERS ? GEN_MAX_MEMBERS : m;
}

/* Append an id: prefix and a zero-padded number. */
static void
gb_id(gbuf *b, const char *prefix, int64_t n)
{
	gb_str(b, prefix);
	gb_pad(b, (uint64_t) n, 9);
}

/* Append a score in thousandths as -0.512 / 1.000. */
static void
gb_milli(gbuf *b, int v)
{
	if (v < 0)
	{
		gb_ch(b, '-');
		v = -v;
	}
	gb_pad(b, (uint64_t) (v / 1000), 1);
	gb_ch(b, '.');
	gb_pad(b, (uint64_t) (v % 1000), 3);
}

/* Append a boolean as true/false. */
static inline void
gb_bool(gbuf *b, bool v)
{
	if (v)
		GB_LIT(b, "true");
	else
		GB_LIT(b, "false");
}

/* The UTC second of a minute of the range, with random seconds. */
static inline int64_t
range_sec(const exp_gen *g, gen_rng *r, int64_t min)
{
	return gen_sec(g->first_day, min) + gen_below(r, 60);
}

/* ------------------------------------------------------------------ */
/* Rows                                                                 */
/* ------------------------------------------------------------------ */

/* Write the member's row. */
static void
put_member(exp_gen *g, int64_t i, const gen_member *m)
{
	gen_file   *f = &g->f[FI_MEMBERS];
	gbuf	   *b = &f->b;

	gb_member_id(b, i);
	gb_ch(b, ',');
	gb_int(b, m->age);
	gb_ch(b, ',');
	gb_str(b, gender_codes[m->gender]);
	gb_ch(b, ',');
	gb_str(b, gen_plan_types[m->plan]);
	gb_ch(b, ',');
	gb_int(b, m->tenure_months);
	gb_ch(b, ',');
	gb_str(b, gen_segments[m->segment]);
	gb_ch(b, ',');
	gb_str(b, gen_states[m->state].code);
	gb_ch(b, ',');
	gb_pad(b, m->zip, 5);
	gb_ch(b, ',');
	gb_date(b, m->join_day, false);
	gb_ch(b, '\n');
	gen_file_row(f);
}

/* Write one enrollment. */
static void
put_enrollment(exp_gen *g, int64_t i, int64_t sec, int plan, int64_t premium,
			   const char *change_type, const char *reason)
{
	gen_file   *f = &g->f[FI_ENROLLMENTS];
	gbuf	   *b = &f->b;

	gb_id(b, "EN", ++g->next_id[FI_ENROLLMENTS]);
	gb_ch(b, ',');
	gb_member_id(b, i);
	gb_ch(b, ',');
	gb_ts(b, sec);
	gb_ch(b, ',');
	gb_str(b, gen_plan_types[plan]);
	gb_ch(b, ',');
	gb_cents(b, premium);
	gb_ch(b, ',');
	gb_str(b, change_type);
	gb_ch(b, ',');
	if (reason)
		gb_str(b, reason);
	gb_ch(b, '\n');
	gen_file_row(f);
}

/* Write the member's enrollments: new, renewals each 1 January, a plan change. */
static void
put_enrollments(exp_gen *g, gen_rng *r, int64_t i, const gen_member *m)
{
	int64_t		premium = gen_range(r, premium_lo[m->plan], premium_hi[m->plan]);
	int64_t		first_premium = gen_range(r, premium_lo[m->first_plan], premium_hi[m->first_plan]);
	int			y,
				mo,
				d;

	put_enrollment(g, i, gen_sec(m->join_day, 300), m->first_plan, first_premium, "new", NULL);
	/* a renewal every 1 January of the range, after the member joined */
	civil_from_days(g->first_day, &y, &mo, &d);
	if (mo != 1 || d != 1)
		y++;
	for (int32_t jan1 = days_from_civil(y, 1, 1); jan1 <= g->last_day;
		 jan1 = days_from_civil(++y, 1, 1))
	{
		bool		changed = m->change_day != INT32_MIN && m->change_day <= jan1;

		if (jan1 > m->join_day)
			put_enrollment(g, i, gen_sec(jan1, 300), changed ? m->plan : m->first_plan,
						   changed ? premium : first_premium, "renewal", NULL);
	}
	if (m->change_day != INT32_MIN)
		put_enrollment(g, i, gen_sec(m->change_day, 300), m->plan, premium, "change",
					   m->plan == GEN_PLAN_MAPD && m->age >= 65 ? "turned_65"
					   : change_reasons[gen_below(r, lengthof(change_reasons))]);
}

/* Write one digital interaction. */
static void
put_digital(exp_gen *g, gen_rng *r, int64_t i, const gen_member *m, int64_t sec, int type,
			int outcome, const char *reason)
{
	static const char *const outcomes[] = {"success", "failure", "abandoned"};
	gen_file   *f = &g->f[FI_DIGITAL];
	gbuf	   *b = &f->b;
	int64_t		dur = gen_lognormal(r, outcome == 0 ? 150 : outcome == 1 ? 200 : 90, 39322);
	uint32_t	app_ppm = m->age < 50 ? 650000 : m->age < 65 ? 450000 : 250000;

	gb_id(b, "DI", ++g->next_id[FI_DIGITAL]);
	gb_ch(b, ',');
	gb_member_id(b, i);
	gb_ch(b, ',');
	gb_ts(b, sec);
	gb_ch(b, ',');
	gb_str(b, dtype_names[type]);
	gb_ch(b, ',');
	gb_str(b, outcomes[outcome]);
	gb_ch(b, ',');
	if (reason)
		gb_str(b, reason);
	gb_ch(b, ',');
	gb_int(b, dur < 5 ? 5 : dur > 7200 ? 7200 : dur);
	gb_ch(b, ',');
	if (gen_chance(r, app_ppm))
		GB_LIT(b, "app");
	else
		GB_LIT(b, "web");
	gb_ch(b, '\n');
	gen_file_row(f);
}

/* A failure reason of a digital interaction type. */
static const char *
digital_reason(gen_rng *r, int type)
{
	int			n = 0;

	while (n < 4 && dtype_reasons[type][n] != NULL)
		n++;
	return dtype_reasons[type][gen_below(r, (uint32_t) n)];
}

/* Write one survey; a score below 0 is NULL. */
static void
put_survey(exp_gen *g, gen_rng *r, int64_t i, int64_t sec, const char *type, int nps, int csat,
		   int effort, int mood)
{
	gen_file   *f = &g->f[FI_SURVEYS];
	gbuf	   *b = &f->b;

	gb_id(b, "SV", ++g->next_id[FI_SURVEYS]);
	gb_ch(b, ',');
	gb_member_id(b, i);
	gb_ch(b, ',');
	gb_ts(b, sec);
	gb_ch(b, ',');
	gb_str(b, type);
	gb_ch(b, ',');
	if (nps >= 0 && !gen_chance(r, 50000))
		gb_int(b, nps);
	gb_ch(b, ',');
	if (csat >= 0 && !gen_chance(r, 50000))
		gb_int(b, csat);
	gb_ch(b, ',');
	if (effort >= 0 && !gen_chance(r, 100000))
		gb_int(b, effort);
	gb_ch(b, ',');
	if (gen_chance(r, 400000))
	{
		if (mood < 0)
			gb_csv(b, feedback_negative[gen_below(r, lengthof(feedback_negative))], ',');
		else if (mood == 0)
			gb_csv(b, feedback_neutral[gen_below(r, lengthof(feedback_neutral))], ',');
		else
			gb_csv(b, feedback_positive[gen_below(r, lengthof(feedback_positive))], ',');
	}
	gb_ch(b, '\n');
	gen_file_row(f);
}

/* Clamp v to [lo, hi]. */
static inline int
clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Survey scores for a mood (-1 negative, 0 neutral, 1 positive). */
static void
mood_scores(gen_rng *r, int mood, bool resolved, int extra_effort, int *nps, int *csat, int *effort)
{
	if (mood < 0)
	{
		*nps = (int) gen_below(r, 5) + (int) gen_below(r, 3);
		*csat = 1 + (int) gen_below(r, 2) + (gen_chance(r, 250000) ? 1 : 0);
		*effort = 4 + (int) gen_below(r, 4);
	}
	else if (mood == 0)
	{
		*nps = 5 + (int) gen_below(r, 4);
		*csat = 3 + (int) gen_below(r, 2);
		*effort = 2 + (int) gen_below(r, 4);
	}
	else
	{
		*nps = 7 + (int) gen_below(r, 4);
		*csat = 4 + (int) gen_below(r, 2);
		*effort = 1 + (int) gen_below(r, 3);
	}
	if (resolved && *nps < 10 && gen_chance(r, 300000))
		(*nps)++;
	*effort = clampi(*effort + extra_effort, 1, 7);
}

/* Write one pharmacy fill. */
static void
put_fill(exp_gen *g, gen_rng *r, int64_t i, const gen_member *m, int64_t sec, int drug,
		 int supply, bool denied, const char *reason)
{
	gen_file   *f = &g->f[FI_FILLS];
	gbuf	   *b = &f->b;
	int			tier = drugs[drug].tier;
	int64_t		copay;

	if (denied)
		copay = 0;
	else if (tier == 0)
		copay = m->plan == GEN_PLAN_MAPD ? 500 * (int64_t) gen_below(r, 2) : 500 * (int64_t) gen_below(r, 4);
	else if (tier == 1)
		copay = m->plan == GEN_PLAN_MAPD ? 4700 : 2500 + 500 * (int64_t) gen_below(r, 8);
	else
		copay = gen_range(r, 10000, 25000);
	if (supply == 90 && tier < 2)
		copay *= 2;

	gb_id(b, "RX", ++g->next_id[FI_FILLS]);
	gb_ch(b, ',');
	gb_member_id(b, i);
	gb_ch(b, ',');
	gb_ts(b, sec);
	gb_ch(b, ',');
	gb_csv(b, drugs[drug].name, ',');
	gb_ch(b, ',');
	gb_cents(b, copay);
	gb_ch(b, ',');
	gb_int(b, supply);
	gb_ch(b, ',');
	gb_str(b, tier == 2 ? "specialty" : supply == 90 ? "mail" : "retail");
	gb_ch(b, ',');
	gb_bool(b, denied);
	gb_ch(b, ',');
	if (denied)
		gb_str(b, reason);
	gb_ch(b, '\n');
	gen_file_row(f);
}

/* Write one claim of the member. */
static void
put_claim(exp_gen *g, gen_rng *r, int64_t i, const gen_member *m, int32_t service_day,
		  int32_t last_day, bool force_denied)
{
	gen_claim	c;
	gen_file   *f = &g->f[FI_CLAIMS];

	gen_claim_make(&c, r, m, i, service_day, last_day, force_denied,
				   m->plan == GEN_PLAN_MAPD ? 1 : 0);
	gen_claim_write_canonical(&f->b, &c, "CLM", ++g->next_id[FI_CLAIMS]);
	gen_file_row(f);
}

/* ------------------------------------------------------------------ */
/* Calls                                                                */
/* ------------------------------------------------------------------ */

/* Days from one call to a repeat: mostly the same or the next day, never 7. */
static const uint32_t repeat_gap_w[7] = {30, 28, 15, 10, 7, 5, 5};

/* Sort a few uint64 values in place. */
static void
sort_u64(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++)
	{
		uint64_t	x = v[i];
		int			j = i;

		while (j > 0 && v[j - 1] > x)
		{
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

/* Place a member's k calls in the range (see the file header). */
static void
schedule_calls(exp_gen *g, gen_rng *r, int k)
{
	call	   *c = g->calls;
	int			nbase = 0;
	int64_t		span_sum = 0,
				L = g->range_min,
				margin = 8640,
				gapmin = 10080 + 1,
				slack;
	int			mode;

	for (int j = 0; j < k; j++)
	{
		c[j].repeat = j > 0 && gen_chance(r, g->repeat_ppm);
		c[j].gap_days = c[j].repeat ? gen_pick(r, repeat_gap_w, 7) : 0;
		if (c[j].repeat)
			span_sum += (int64_t) (c[j].gap_days + 1) * 1440;
		else
			nbase++;
	}
	for (int j = 0; j < k; j++)
		c[j].followed = j + 1 < k && c[j + 1].repeat;

	slack = L - span_sum - (int64_t) (nbase - 1) * (gapmin + margin) - 5760;
	mode = 0;
	if (slack < 0)
	{
		margin = 0;
		slack = L - span_sum - (int64_t) (nbase - 1) * gapmin - 1440;
		mode = slack >= 0 ? 1 : 2;
	}
	if (mode == 2)
		slack = L - 1;

	for (int b = 0; b < nbase; b++)
		g->u[b] = (uint64_t) gen_range(r, 0, slack);
	sort_u64(g->u, nbase);

	{
		int			b = -1;
		int64_t		offset = 0,
					t = 0;

		for (int j = 0; j < k; j++)
		{
			if (!c[j].repeat)
			{
				int64_t		pos;

				b++;
				pos = (int64_t) g->u[b] + (mode == 2 ? 0 : offset);
				if (mode == 0)
				{
					int64_t		day = pos / 1440;
					int			wd = weekday(g->first_day + (int32_t) day);

					if ((wd == 6 || wd == 0) && gen_chance(r, 650000))
						day += wd == 6 ? 2 : 1;
					t = day * 1440 + gen_business_minute(r);
				}
				else
					t = pos;
				c[j].gap = 0;
			}
			else
			{
				int64_t		prev = t;

				if (c[j].gap_days == 0)
				{
					int64_t		d = 15 + gen_lognormal(r, 90, 65536);

					t = prev + (d > 1400 ? 1400 : d);
				}
				else
					t = (prev / 1440 + c[j].gap_days) * 1440 + gen_business_minute(r);
				c[j].gap = t - prev;
			}
			if (t >= L)
				t = L - 1;
			c[j].min = t;
			/* the next base starts after this chain */
			if (j + 1 == k || !c[j + 1].repeat)
			{
				int64_t		chain = 0;

				for (int i = j; i >= 0; i--)
				{
					if (c[i].repeat)
						chain += (int64_t) (c[i].gap_days + 1) * 1440;
					else
						break;
				}
				offset += chain + gapmin + margin;
			}
		}
	}
}

/* Write a member's calls, with what comes before them and the surveys after. */
static void
put_calls(exp_gen *g, gen_rng *r, int64_t i, const gen_member *m, int k)
{
	gen_file   *f = &g->f[FI_CALLS];
	gbuf	   *b = &f->b;
	call	   *c = g->calls;
	int64_t		end_sec = gen_sec(g->last_day, 1440);

	schedule_calls(g, r, k);
	for (int j = 0; j < k; j++)
	{
		call	   *x = &c[j];
		int64_t		sec = range_sec(g, r, x->min);
		bool		caused = false,
					resolved,
					transferred;
		uint32_t	neg;
		int			mood,
					score;
		int64_t		handle;

		if (x->repeat && gen_chance(r, 780000))
		{
			x->topic = c[j - 1].topic;
			x->same_topic = true;
		}
		else
		{
			x->topic = gen_pick(r, topic_w, NTOPIC);
			x->same_topic = x->repeat && x->topic == c[j - 1].topic;
		}

		/* what came before a first contact */
		if (!x->repeat)
		{
			int			dtype = -1;
			uint32_t	ppm = 0;

			if (x->topic == T_BILLING)
				dtype = D_BILL_PAY, ppm = 400000;
			else if (x->topic == T_ID_CARD)
				dtype = D_ID_CARD, ppm = 550000;
			else if (x->topic == T_CLAIMS)
				dtype = D_CLAIMS_CHECK, ppm = 150000;
			if (dtype >= 0 && gen_chance(r, ppm))
			{
				int64_t		before = 5 + gen_lognormal(r, 60, 65536);

				if (before > 1380)
					before = 1380;
				put_digital(g, r, i, m, sec - before * 60 - gen_below(r, 60), dtype, 1,
							digital_reason(r, dtype));
				caused = true;
			}
			if (x->topic == T_PHARMACY && gen_chance(r, 300000))
			{
				int64_t		before = 20 + (int64_t) gen_below(r, 36 * 60 - 20);

				put_fill(g, r, i, m, sec - before * 60, gen_pick(r, drug_w, NDRUGS),
						 gen_chance(r, 700000) ? 30 : 90, true,
						 fill_denials[gen_pick(r, call_fill_denial_w, 4)]);
				caused = true;
			}
			if (x->topic == T_CLAIMS && gen_chance(r, 350000))
			{
				int32_t		call_day = (int32_t) (sec / 86400);

				put_claim(g, r, i, m, call_day - 5 - (int32_t) gen_below(r, 26),
						  call_day - 1 - (int32_t) gen_below(r, 4), true);
				caused = true;
			}
		}

		resolved = x->followed ? gen_chance(r, 250000) : gen_chance(r, 900000);
		transferred = gen_chance(r, 100000
								 + (x->topic == T_CLAIMS || x->topic == T_PRIOR_AUTH
									|| x->topic == T_BENEFITS ? 100000 : 0)
								 + (resolved ? 0 : 80000));
		neg = NEG_BASE_PPM
			+ (x->repeat ? 170000 : 0)
			+ (resolved ? 0 : 130000)
			+ (caused ? 120000 : 0)
			+ (transferred ? 40000 : 0)
			+ (x->topic == T_BILLING || x->topic == T_CLAIMS || x->topic == T_PHARMACY
			   || x->topic == T_PRIOR_AUTH ? 50000 : 0)
			+ (m->segment == GEN_SEG_AT_RISK ? 90000 : 0);
		if (m->segment == GEN_SEG_HIGH)
			neg -= 60000;
		if (gen_chance(r, neg))
		{
			mood = -1;
			score = -(200 + (int) gen_below(r, 801));
		}
		else if (gen_chance(r, resolved ? 600000 : 250000))
		{
			mood = 1;
			score = 300 + (int) gen_below(r, 701);
		}
		else
		{
			mood = 0;
			score = -199 + (int) gen_below(r, 499);
		}
		handle = gen_lognormal(r, topic_handle[x->topic], 29491);	/* sigma 0.45 */
		if (transferred)
			handle = handle * 135 / 100;
		if (mood < 0)
			handle = handle * 120 / 100;
		handle = handle < 50 ? 50 : handle > 18000 ? 18000 : handle;

		gb_id(b, "CL", ++g->next_id[FI_CALLS]);
		gb_ch(b, ',');
		gb_member_id(b, i);
		gb_ch(b, ',');
		gb_ts(b, sec);
		gb_ch(b, ',');
		gb_str(b, topic_names[x->topic]);
		gb_ch(b, ',');
		gb_cents(b, handle);
		gb_ch(b, ',');
		gb_str(b, mood < 0 ? "negative" : mood == 0 ? "neutral" : "positive");
		gb_ch(b, ',');
		gb_milli(b, score);
		gb_ch(b, ',');
		gb_bool(b, transferred);
		gb_ch(b, ',');
		gb_bool(b, resolved);
		gb_ch(b, ',');
		/* the source's own flag: same topic within 3 days, and 3% noise */
		gb_bool(b, (x->repeat && x->same_topic && x->gap < 4320) != gen_chance(r, 30000));
		gb_ch(b, '\n');
		gen_file_row(f);

		if (gen_chance(r, 90000))
		{
			int64_t		at = sec + 1800 + (int64_t) gen_below(r, 48 * 3600);
			int			nps,
						csat,
						effort;

			mood_scores(r, mood, resolved, (x->repeat ? 1 : 0) + (transferred ? 1 : 0),
						&nps, &csat, &effort);
			if (at < end_sec)
				put_survey(g, r, i, at, "post_call", nps, csat, effort, mood);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Everything else of a member                                          */
/* ------------------------------------------------------------------ */

/* A count with the given mean in thousandths, varied by +-50%. */
static int
vary_count(gen_rng *r, int64_t mean_milli)
{
	return (int) ((mean_milli * gen_range(r, 500, 1500) / 1000 + gen_below(r, 1000)) / 1000);
}

/* Write a member's own digital interactions and their surveys. */
static void
put_member_digital(exp_gen *g, gen_rng *r, int64_t i, const gen_member *m)
{
	int			age_pct = m->age < 40 ? 150 : m->age < 65 ? 110 : 60;
	int			n = vary_count(r, (int64_t) m->activity * g->o->days * age_pct / 100 / 30);
	int64_t		end_sec = gen_sec(g->last_day, 1440);

	for (int k = 0; k < n; k++)
	{
		int32_t		day = gen_pick_day(r, g->first_day, g->o->days);
		int64_t		sec = gen_sec(day, gen_business_minute(r)) + gen_below(r, 60);
		int			type = gen_pick(r, dtype_w, NDTYPE);
		int			outcome = gen_chance(r, dtype_fail_ppm[type]) ? 1
			: gen_chance(r, dtype_abandon_ppm[type]) ? 2 : 0;

		put_digital(g, r, i, m, sec, type, outcome, outcome == 1 ? digital_reason(r, type) : NULL);
		if (gen_chance(r, 20000))
		{
			int			mood = outcome == 0 ? (gen_chance(r, 700000) ? 1 : 0) : -1;
			int			nps,
						csat,
						effort;
			int64_t		at = sec + 300 + (int64_t) gen_below(r, 7200);

			mood_scores(r, mood, outcome == 0, 0, &nps, &csat, &effort);
			if (at < end_sec)
				put_survey(g, r, i, at, "post_digital", nps, csat, effort, mood);
		}
	}
}

/* Write a member's periodic and annual surveys. */
static void
put_member_surveys(exp_gen *g, gen_rng *r, int64_t i, const gen_member *m)
{
	for (int kind = 0; kind < 2; kind++)
	{
		int			mood,
					nps,
					csat,
					effort;

		if (!gen_chance(r, kind == 0 ? 60000 : 40000))
			continue;
		mood = m->segment == GEN_SEG_AT_RISK ? (gen_chance(r, 550000) ? -1 : 0)
			: gen_chance(r, 200000) ? -1 : gen_chance(r, 500000) ? 1 : 0;
		mood_scores(r, mood, false, 0, &nps, &csat, &effort);
		put_survey(g, r, i,
				   gen_sec(gen_pick_day(r, g->first_day, g->o->days), gen_business_minute(r))
				   + gen_below(r, 60),
				   kind == 0 ? "periodic" : "annual", nps, kind == 0 ? csat : -1, effort, mood);
	}
}

/* Write a member's maintenance-drug fills. */
static void
put_member_fills(exp_gen *g, gen_rng *r, int64_t i, const gen_member *m)
{
	int			ndrugs;

	if (!gen_chance(r, m->plan == GEN_PLAN_MAPD ? 850000 : 500000))
		return;
	ndrugs = 1 + (int) gen_below(r, m->plan == GEN_PLAN_MAPD ? 4 : 2);
	for (int d = 0; d < ndrugs; d++)
	{
		int			drug = gen_pick(r, drug_w, NDRUGS);
		int			supply = drugs[drug].tier == 2 ? 30 : gen_chance(r, 700000) ? 30 : 90;
		int32_t		day = g->first_day - (int32_t) gen_below(r, (uint32_t) supply);

		while (day <= g->last_day)
		{
			if (day >= g->first_day)
			{
				int64_t		sec = gen_sec(day, gen_business_minute(r)) + gen_below(r, 60);

				if (gen_chance(r, 50000))
				{
					put_fill(g, r, i, m, sec, drug, supply, true,
							 fill_denials[gen_pick(r, fill_denial_w, 4)]);
					day += 1 + (int32_t) gen_below(r, 4);
					if (day > g->last_day)
						break;
					sec = gen_sec(day, gen_business_minute(r)) + gen_below(r, 60);
				}
				put_fill(g, r, i, m, sec, drug, supply, false, NULL);
			}
			day += supply - (int32_t) gen_below(r, 4);
		}
	}
}

/* Write a member's own claims. */
static void
put_member_claims(exp_gen *g, gen_rng *r, int64_t i, const gen_member *m)
{
	int			n = vary_count(r, (int64_t) m->activity * g->o->days * 70 / 100 / 30
							   * (m->plan == GEN_PLAN_MAPD ? 13 : 10) / 10);

	for (int k = 0; k < n; k++)
		put_claim(g, r, i, m, gen_pick_day(r, g->first_day, g->o->days), g->last_day, false);
}

/* ------------------------------------------------------------------ */
/* Driver                                                               */
/* ------------------------------------------------------------------ */

/* Spread the calls over members by activity; sets g->ncalls and g->repeat_ppm. */
static bool
allocate_calls(exp_gen *g, int64_t ncalls)
{
	uint64_t   *cum = gen_members_cumulative(g->pool, g->o->members);
	gen_rng		r;
	int64_t		active = 0;
	uint32_t	max = 0;

	g->ncalls = calloc((size_t) g->o->members, sizeof(uint32_t));
	if (cum == NULL || g->ncalls == NULL)
	{
		free(cum);
		return false;
	}
	gen_rng_for(&r, g->o->seed, TAG_ALLOC, 0);
	for (int64_t c = 0; c < ncalls; c++)
		g->ncalls[gen_pick_member(&r, cum, g->o->members)]++;
	free(cum);
	for (int64_t i = 0; i < g->o->members; i++)
	{
		active += g->ncalls[i] > 0;
		if (g->ncalls[i] > max)
			max = g->ncalls[i];
	}
	/* repeats are among the calls after each member's first */
	if (ncalls > active)
	{
		int64_t		ppm = (int64_t) REPEAT_SHARE_PPM * ncalls / (ncalls - active);

		g->repeat_ppm = (uint32_t) (ppm > 950000 ? 950000 : ppm);
	}
	g->calls_cap = max + 1;
	g->calls = malloc(g->calls_cap * sizeof(call));
	g->u = malloc(g->calls_cap * sizeof(uint64_t));
	return g->calls != NULL && g->u != NULL;
}

/* Write the experience CSVs into o->output_dir. */
gen_status
gen_experience_run(const gen_source_opts *o)
{
	exp_gen		g;
	gen_status	st = GEN_OK;
	int			nopen = 0;
	int64_t		ncalls = o->calls >= 0 ? o->calls : o->members * o->days / 45;

	memset(&g, 0, sizeof(g));
	g.o = o;
	g.first_day = o->first_day;
	g.last_day = o->first_day + o->days - 1;
	g.range_min = (int64_t) o->days * 1440;
	if (!gen_make_dir(o->output_dir))
		return GEN_CANT_CREATE;
	g.pool = gen_members_build(o->seed, o->members, o->first_day, o->days);
	if (g.pool == NULL || !allocate_calls(&g, ncalls))
	{
		st = GEN_NO_MEMORY;
		goto done;
	}
	for (; nopen < NFILES; nopen++)
		if (!gen_file_open(&g.f[nopen], o->output_dir, file_names[nopen]))
		{
			nopen++;
			st = GEN_CANT_CREATE;
			goto done;
		}
	for (int k = 0; k < NFILES; k++)
	{
		gb_str(&g.f[k].b, k == FI_CLAIMS ? gen_claim_canonical_header : file_headers[k]);
		gb_ch(&g.f[k].b, '\n');
	}

	for (int64_t i = 0; i < o->members; i++)
	{
		const gen_member *m = &g.pool[i];
		gen_rng		r;

		gen_rng_for(&r, o->seed, TAG_EXP, (uint64_t) i);
		put_member(&g, i, m);
		put_enrollments(&g, &r, i, m);
		put_calls(&g, &r, i, m, (int) g.ncalls[i]);
		put_member_digital(&g, &r, i, m);
		put_member_surveys(&g, &r, i, m);
		put_member_fills(&g, &r, i, m);
		put_member_claims(&g, &r, i, m);
	}

done:
	{
		gen_status	cst = gen_files_close(g.f, nopen);

		if (st == GEN_OK)
			st = cst;
	}
	free(g.pool);
	free(g.ncalls);
	free(g.calls);
	free(g.u);
	return st;
}
