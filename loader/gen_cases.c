/*
 * gen_cases.c
 *    costmodel-gen cases: a patient-advocacy system's extract as canonical
 *    CSVs, deterministically from a seed:
 *      advocates.csv, cases.csv (with the case metadata JSON in a quoted
 *      column), case_events.csv, case_interactions.csv, case_feedback.csv.
 *
 * The extract is taken at the end of the range: nothing happens after it,
 * and cases still open then are active.  Planted patterns, which
 * test/gen_sources_test.sh checks:
 *   - prior_auth and claim_denial cases take longest and escalate most;
 *   - each missing document lengthens a case by about 40%, each handoff by
 *     about 20%;
 *   - CSAT falls with handoffs, missing documents, escalation and a missed
 *     7-day SLA;
 *   - assignment is skewed, so some advocates carry more active cases
 *     than their capacity.
 */
#include "gen_cases.h"

#include <stdlib.h>
#include <string.h>

enum
{
	FI_ADVOCATES, FI_CASES, FI_EVENTS, FI_INTERACTIONS, FI_FEEDBACK, NFILES
};

static const char *const file_names[NFILES] = {
	"advocates.csv", "cases.csv", "case_events.csv", "case_interactions.csv", "case_feedback.csv"
};

static const char *const file_headers[NFILES] = {
	"advocate_id,name,team,capacity,hired_at",
	"case_id,member_id,case_type,urgency,status,opened_at,resolved_at,advocate_id,metadata",
	"event_id,case_id,event_type,occurred_at,actor",
	"interaction_id,case_id,channel,occurred_at,duration_minutes,direction",
	"case_id,submitted_at,csat,comment",
};

enum
{
	CT_BILLING_DISPUTE, CT_PRIOR_AUTH, CT_PROVIDER_SEARCH, CT_CARE_COORDINATION,
	CT_CLAIM_DENIAL, NCTYPE
};

static const char *const ctype_names[NCTYPE] = {
	"billing_dispute", "prior_auth", "provider_search", "care_coordination", "claim_denial"
};
static const uint32_t ctype_w[NCTYPE] = {30, 20, 15, 15, 20};
/* median resolution time, hours */
static const int64_t ctype_hours[NCTYPE] = {120, 192, 60, 144, 240};
/* chance of an escalation, ppm */
static const uint32_t ctype_escalate[NCTYPE] = {100000, 280000, 40000, 80000, 320000};
/* chance of at least one missing document, ppm */
static const uint32_t ctype_missing[NCTYPE] = {200000, 450000, 100000, 250000, 450000};
/* team that handles the type: 0 Billing, 1 Clinical, 2 Access */
static const int ctype_team[NCTYPE] = {0, 1, 2, 1, 0};

static const char *const teams[] = {"Billing", "Clinical", "Access"};

static const char *const urgencies[] = {"low", "medium", "high", "critical"};
static const uint32_t urgency_w[] = {30, 40, 22, 8};

static const char *const intake_sources[] = {"phone", "portal", "email", "referral", "provider"};
static const uint32_t intake_w[] = {45, 25, 12, 10, 8};

static const char *const barrier_names[] = {
	"language", "transportation", "cost", "health_literacy", "disability", "housing", "technology"
};
static const char *const document_names[] = {
	"eob", "id_card", "medical_records", "itemized_bill", "denial_letter", "prior_auth_form",
	"referral"
};
static const char *const flag_names[] = {
	"interpreter", "caregiver_proxy", "hearing_impaired", "vision_impaired", "behavioral_health",
	"frequent_caller"
};

static const char *const channels[] = {"phone", "email", "chat", "portal", "sms", "in_person"};
static const uint32_t channel_w[] = {40, 25, 10, 15, 7, 3};

static const char *const first_names[] = {
	"Maria", "James", "Aisha", "Wei", "Carlos", "Emily", "Priya", "Daniel", "Fatima", "Lucas",
	"Grace", "Omar", "Hannah", "Tomas", "Keisha", "Ivan"
};
static const char *const last_names[] = {
	"Garcia", "Smith", "Okafor", "Chen", "Rivera", "Johnson", "Patel", "O'Brien", "Haddad",
	"Silva", "Kim", "Nguyen", "Novak", "Brown", "Williams", "Petrov"
};

static const char *const comments_low[] = {
	"Passed around between too many people",
	"Took weeks, and I had to send the same papers twice",
	"Nobody called me back",
};
static const char *const comments_mid[] = {"Got there in the end", "OK, but slow"};
static const char *const comments_high[] = {
	"My advocate was wonderful", "Fixed my bill quickly, thank you", "Clear, kind and fast"
};

#define TAG_ADVOCATE	UINT64_C(0x61647663)	/* "advc" */
#define TAG_CASE		UINT64_C(0x63617365)	/* "case" */

/* One advocate: team, capacity and how much work is routed to them. */
typedef struct advocate
{
	int			team;
	int			capacity;
	uint32_t	weight;
} advocate;

typedef struct cases_gen
{
	const gen_source_opts *o;
	gen_file	f[NFILES];
	int64_t		next_event,
				next_interaction;
	int64_t		end_sec;		/* the extract: the end of the range */
	advocate   *adv;
	int			nadv;
} cases_gen;

/* One timeline entry of a case. */
typedef struct event
{
	int64_t		sec;
	const char *type;
	int			actor;			/* advocate number, or -1 .. -4: member, system, provider, insurer */
} event;

#define MAX_EVENTS		32

/* Append an advocate id: ADV and 3 (or more) digits. */
static void
gb_advocate(gbuf *b, int a)
{
	GB_LIT(b, "ADV");
	gb_pad(b, (uint64_t) a + 1, 3);
}

/* Append a case id: CS and 7 digits. */
static void
gb_case(gbuf *b, int64_t c)
{
	GB_LIT(b, "CS");
	gb_pad(b, (uint64_t) c + 1, 7);
}

/* Append k distinct names of a list as a JSON array. */
static void
json_list(gbuf *b, gen_rng *r, const char *const *names, int n, int k)
{
	uint32_t	taken = 0;

	gb_ch(b, '[');
	for (int i = 0; i < k; i++)
	{
		int			x;

		do
			x = (int) gen_below(r, (uint32_t) n);
		while (taken & (1u << x));
		taken |= 1u << x;
		if (i > 0)
			gb_ch(b, ',');
		gb_q(b, names[x]);
	}
	gb_ch(b, ']');
}

/* Append a JSON text as a quoted CSV field (quotes doubled). */
static void
csv_json(gbuf *b, const gbuf *json)
{
	gb_ch(b, '"');
	for (size_t i = 0; i < json->len; i++)
	{
		if (json->p[i] == '"')
			gb_ch(b, '"');
		gb_ch(b, json->p[i]);
	}
	gb_ch(b, '"');
}

/* Write advocates.csv and set up their routing weights. */
static bool
make_advocates(cases_gen *g, int64_t ncases)
{
	/* about 7 active cases per advocate-capacity of 14 on average */
	int64_t		n = ncases * 7 / g->o->days / 12;

	g->nadv = (int) (n < 3 ? 3 : n > 999 ? 999 : n);
	g->adv = calloc((size_t) g->nadv, sizeof(advocate));
	if (g->adv == NULL)
		return false;
	for (int a = 0; a < g->nadv; a++)
	{
		gen_rng		r;
		gbuf	   *b = &g->f[FI_ADVOCATES].b;
		advocate   *v = &g->adv[a];
		int64_t		hired;

		gen_rng_for(&r, g->o->seed, TAG_ADVOCATE, (uint64_t) a);
		v->team = a % 3;
		v->capacity = 8 + (int) gen_below(&r, 13);
		v->weight = (uint32_t) gen_lognormal(&r, 1000, 45875);	/* sigma 0.7: skewed routing */
		hired = gen_sec(g->o->first_day - 30 - (int32_t) gen_below(&r, 8 * 365), 780);
		gb_advocate(b, a);
		gb_ch(b, ',');
		gb_csv(b, first_names[gen_below(&r, lengthof(first_names))], ',');
		gb_ch(b, ' ');
		gb_csv(b, last_names[gen_below(&r, lengthof(last_names))], ',');
		gb_ch(b, ',');
		gb_str(b, teams[v->team]);
		gb_ch(b, ',');
		gb_int(b, v->capacity);
		gb_ch(b, ',');
		gb_ts(b, hired);
		gb_ch(b, '\n');
		gen_file_row(&g->f[FI_ADVOCATES]);
	}
	return true;
}

/* Pick an advocate, of the team 80% of the time, by routing weight. */
static int
pick_advocate(cases_gen *g, gen_rng *r, int team, int not)
{
	uint64_t	total = 0,
				x;
	bool		same = gen_chance(r, 800000) && g->nadv >= 3;

	for (int a = 0; a < g->nadv; a++)
		if ((!same || g->adv[a].team == team) && a != not)
			total += g->adv[a].weight;
	if (total == 0)
		return (int) gen_below(r, (uint32_t) g->nadv);
	x = gen_next(r) % total;
	for (int a = 0; a < g->nadv; a++)
		if ((!same || g->adv[a].team == team) && a != not)
		{
			if (x < g->adv[a].weight)
				return a;
			x -= g->adv[a].weight;
		}
	return g->nadv - 1;
}

/* Add an event at sec if it happens before the extract; false if not. */
static bool
add_event(event *ev, int *n, int64_t sec, const char *type, int actor, int64_t end_sec)
{
	if (sec >= end_sec || *n >= MAX_EVENTS)
		return false;
	ev[*n].sec = sec;
	ev[*n].type = type;
	ev[*n].actor = actor;
	(*n)++;
	return true;
}

/* Sort events by time (stable). */
static void
sort_events(event *ev, int n)
{
	for (int i = 1; i < n; i++)
	{
		event		x = ev[i];
		int			j = i;

		while (j > 0 && ev[j - 1].sec > x.sec)
		{
			ev[j] = ev[j - 1];
			j--;
		}
		ev[j] = x;
	}
}

/* Generate and write one case with its events, interactions and feedback. */
static void
put_case(cases_gen *g, gbuf *json, int64_t ci, int64_t member)
{
	static const char *const actors[] = {"member", "system", "provider", "insurer"};
	gen_rng		r;
	event		ev[MAX_EVENTS];
	int			nev = 0;
	int			type,
				urgency,
				complexity,
				handoffs,
				missing,
				nbarriers,
				nflags,
				nsubmitted,
				adv = -1,
				prev_adv = -1;
	bool		escalated,
				escalated_seen = false,
				resolved = false,
				reopened = false;
	int64_t		opened,
				hours,
				dur,
				resolved_at = -1,
				t;
	const char *status;
	gbuf	   *b = &g->f[FI_CASES].b;

	gen_rng_for(&r, g->o->seed, TAG_CASE, (uint64_t) ci);
	type = gen_pick(&r, ctype_w, NCTYPE);
	urgency = gen_pick(&r, urgency_w, 4);
	complexity = 1 + (int) gen_below(&r, 3)
		+ (type == CT_PRIOR_AUTH || type == CT_CLAIM_DENIAL ? (int) gen_below(&r, 3) : 0);
	if (complexity > 5)
		complexity = 5;
	handoffs = (int) gen_below(&r, 2) + (gen_chance(&r, 100000 * (uint32_t) complexity) ? 1 : 0)
		+ (gen_chance(&r, 150000) ? 1 + (int) gen_below(&r, 2) : 0);
	missing = gen_chance(&r, ctype_missing[type]) ? 1 + (gen_chance(&r, 300000) ? 1 : 0) : 0;
	nbarriers = gen_chance(&r, 350000) ? 1 + (int) gen_below(&r, 3) : 0;
	nflags = gen_chance(&r, 250000) ? 1 + (int) gen_below(&r, 2) : 0;
	nsubmitted = (int) gen_below(&r, 4);
	escalated = gen_chance(&r, ctype_escalate[type] + 50000 * (uint32_t) (complexity > 3 ? complexity - 3 : 0)
						   + (urgency == 3 ? 100000 : 0));

	opened = gen_sec(gen_pick_day(&r, g->o->first_day, g->o->days), gen_business_minute(&r))
		+ gen_below(&r, 60);
	hours = gen_lognormal(&r, ctype_hours[type], 39322);	/* sigma 0.6 */
	hours = hours * (100 + 40 * missing) / 100 * (100 + 20 * handoffs) / 100
		* (80 + 10 * complexity) / 100;
	if (escalated)
		hours = hours * 130 / 100;
	if (urgency >= 2)
		hours = hours * 85 / 100;
	if (hours < 2)
		hours = 2;
	dur = hours * 3600 + gen_below(&r, 3600);

	/* the timeline */
	add_event(ev, &nev, opened, "opened", gen_chance(&r, 500000) ? -1 : -2, g->end_sec);
	t = opened + 300 + (int64_t) gen_below(&r, 8 * 3600);
	if (t > opened + dur / 4)
		t = opened + dur / 4;
	if (t < g->end_sec)
	{
		int64_t		first = t + 1800 + (int64_t) gen_below(&r, 24 * 3600);

		adv = pick_advocate(g, &r, ctype_team[type], -1);
		add_event(ev, &nev, t, "assigned", adv, g->end_sec);
		if (first > opened + dur / 2)
			first = t + (opened + dur / 2 - t) / 2;
		add_event(ev, &nev, first, "first_response", adv, g->end_sec);
		for (int h = 0; h < handoffs; h++)
		{
			int64_t		at = opened + dur * (2 + h) / (handoffs + 3);

			prev_adv = adv;
			adv = pick_advocate(g, &r, ctype_team[type], prev_adv);
			if (!add_event(ev, &nev, at, "assigned", adv, g->end_sec))
			{
				adv = prev_adv;
				break;
			}
		}
	}
	if (missing > 0 || gen_chance(&r, 300000))
	{
		add_event(ev, &nev, opened + dur / 8, "docs_requested", adv >= 0 ? adv : -2, g->end_sec);
		add_event(ev, &nev, opened + dur * (missing > 0 ? 75 : 35) / 100, "docs_received", -1,
				  g->end_sec);
	}
	if (type == CT_PROVIDER_SEARCH || type == CT_CARE_COORDINATION || type == CT_PRIOR_AUTH)
		add_event(ev, &nev, opened + dur * 3 / 10, "provider_contacted", adv >= 0 ? adv : -2,
				  g->end_sec);
	if (type == CT_PRIOR_AUTH || type == CT_CLAIM_DENIAL || type == CT_BILLING_DISPUTE)
		add_event(ev, &nev, opened + dur * 4 / 10, "insurer_contacted", adv >= 0 ? adv : -2,
				  g->end_sec);
	if (escalated)
		escalated_seen = add_event(ev, &nev, opened + dur * (30 + (int64_t) gen_below(&r, 31)) / 100,
								   "escalated", adv >= 0 ? adv : -2, g->end_sec);
	if (adv >= 0 && add_event(ev, &nev, opened + dur, "resolved", adv, g->end_sec))
	{
		resolved = true;
		resolved_at = opened + dur;
		if (gen_chance(&r, 60000))
		{
			int64_t		again = resolved_at + 86400 * (1 + (int64_t) gen_below(&r, 10));

			if (add_event(ev, &nev, again, "reopened", -1, g->end_sec))
			{
				reopened = true;
				resolved = add_event(ev, &nev, again + dur / 3, "resolved", adv, g->end_sec);
				resolved_at = resolved ? again + dur / 3 : -1;
			}
		}
	}
	sort_events(ev, nev);

	/* the status at the extract */
	if (resolved)
		status = resolved_at < g->end_sec - 7 * 86400 && gen_chance(&r, 600000) ? "closed" : "resolved";
	else if (escalated_seen)
		status = "escalated";
	else if (missing > 0 && adv >= 0 && !reopened)
		status = "pending_docs";
	else
		status = adv >= 0 ? "in_progress" : "open";

	/* the metadata JSON */
	json->len = 0;
	GB_LIT(json, "{\"intake_source\":");
	gb_q(json, intake_sources[gen_pick(&r, intake_w, lengthof(intake_w))]);
	GB_LIT(json, ",\"barriers\":");
	json_list(json, &r, barrier_names, lengthof(barrier_names), nbarriers);
	GB_LIT(json, ",\"handoff_count\":");
	gb_int(json, handoffs);
	GB_LIT(json, ",\"complexity\":");
	gb_int(json, complexity);
	GB_LIT(json, ",\"submitted_documents\":");
	json_list(json, &r, document_names, lengthof(document_names), nsubmitted);
	GB_LIT(json, ",\"missing_docs\":");
	json_list(json, &r, document_names, lengthof(document_names), missing);
	GB_LIT(json, ",\"support_flags\":");
	json_list(json, &r, flag_names, lengthof(flag_names), nflags);
	gb_ch(json, '}');

	gb_case(b, ci);
	gb_ch(b, ',');
	gb_member_id(b, member);
	gb_ch(b, ',');
	gb_str(b, ctype_names[type]);
	gb_ch(b, ',');
	gb_str(b, urgencies[urgency]);
	gb_ch(b, ',');
	gb_str(b, status);
	gb_ch(b, ',');
	gb_ts(b, opened);
	gb_ch(b, ',');
	if (resolved)
		gb_ts(b, resolved_at);
	gb_ch(b, ',');
	if (adv >= 0)
		gb_advocate(b, adv);
	gb_ch(b, ',');
	csv_json(b, json);
	gb_ch(b, '\n');
	gen_file_row(&g->f[FI_CASES]);

	for (int e = 0; e < nev; e++)
	{
		gbuf	   *eb = &g->f[FI_EVENTS].b;

		GB_LIT(eb, "EV");
		gb_pad(eb, (uint64_t) ++g->next_event, 9);
		gb_ch(eb, ',');
		gb_case(eb, ci);
		gb_ch(eb, ',');
		gb_str(eb, ev[e].type);
		gb_ch(eb, ',');
		gb_ts(eb, ev[e].sec);
		gb_ch(eb, ',');
		if (ev[e].actor >= 0)
			gb_advocate(eb, ev[e].actor);
		else
			gb_str(eb, actors[-ev[e].actor - 1]);
		gb_ch(eb, '\n');
		gen_file_row(&g->f[FI_EVENTS]);
	}

	/* contacts between opening and resolution (or the extract) */
	{
		int64_t		until = resolved ? resolved_at : g->end_sec;
		int			n = 1 + (int) gen_below(&r, 2) + complexity / 2 + handoffs;

		if (n > 12)
			n = 12;
		for (int k = 0; k < n; k++)
		{
			gbuf	   *ib = &g->f[FI_INTERACTIONS].b;
			int			ch = gen_pick(&r, channel_w, lengthof(channel_w));
			int64_t		at = opened + (int64_t) (gen_next(&r) % (uint64_t) (until - opened + 1));
			int64_t		minutes;

			if (at >= g->end_sec)
				continue;
			minutes = ch == 0 ? 300 + (int64_t) gen_below(&r, 3500)
				: ch == 2 ? 500 + (int64_t) gen_below(&r, 1500)
				: ch == 5 ? 2000 + (int64_t) gen_below(&r, 4000) : 0;
			GB_LIT(ib, "CI");
			gb_pad(ib, (uint64_t) ++g->next_interaction, 9);
			gb_ch(ib, ',');
			gb_case(ib, ci);
			gb_ch(ib, ',');
			gb_str(ib, channels[ch]);
			gb_ch(ib, ',');
			gb_ts(ib, at);
			gb_ch(ib, ',');
			gb_cents(ib, minutes);
			gb_ch(ib, ',');
			gb_str(ib, gen_chance(&r, 450000) ? "inbound" : "outbound");
			gb_ch(ib, '\n');
			gen_file_row(&g->f[FI_INTERACTIONS]);
		}
	}

	/* feedback on resolved cases: handoffs, missing documents, escalation
	 * and a missed SLA lower it */
	if (resolved && gen_chance(&r, 450000))
	{
		int64_t		at = resolved_at + 3600 + (int64_t) gen_below(&r, 5 * 86400);
		int64_t		score = 460 - 45 * handoffs - 25 * missing - (escalated ? 50 : 0)
			- (resolved_at - opened > 7 * 86400 ? 40 : 0)
			+ (int64_t) gen_normal_q16(&r) * 60 / 65536;
		int			csat = (int) ((score + 50) / 100);
		gbuf	   *fb = &g->f[FI_FEEDBACK].b;

		csat = csat < 1 ? 1 : csat > 5 ? 5 : csat;
		if (at < g->end_sec)
		{
			gb_case(fb, ci);
			gb_ch(fb, ',');
			gb_ts(fb, at);
			gb_ch(fb, ',');
			gb_int(fb, csat);
			gb_ch(fb, ',');
			if (gen_chance(&r, 500000))
				gb_csv(fb, csat <= 2 ? comments_low[gen_below(&r, lengthof(comments_low))]
					   : csat == 3 ? comments_mid[gen_below(&r, lengthof(comments_mid))]
					   : comments_high[gen_below(&r, lengthof(comments_high))], ',');
			gb_ch(fb, '\n');
			gen_file_row(&g->f[FI_FEEDBACK]);
		}
	}
}

/* Write the advocacy CSVs into o->output_dir. */
gen_status
gen_cases_run(const gen_source_opts *o)
{
	cases_gen	g;
	gen_member *pool = NULL;
	uint64_t   *cum = NULL;
	gbuf		json = {0};
	gen_status	st = GEN_OK;
	int			nopen = 0;
	int64_t		ncases = o->members * o->days / 500;
	gen_rng		r;

	if (ncases < 10)
		ncases = 10;
	memset(&g, 0, sizeof(g));
	g.o = o;
	g.end_sec = gen_sec(o->first_day + o->days, 0);
	if (!gen_make_dir(o->output_dir))
		return GEN_CANT_CREATE;
	pool = gen_members_build(o->seed, o->members, o->first_day, o->days);
	cum = pool ? gen_members_cumulative(pool, o->members) : NULL;
	if (cum == NULL)
	{
		st = GEN_NO_MEMORY;
		goto done;
	}
	for (; nopen < NFILES; nopen++)
	{
		if (!gen_file_open(&g.f[nopen], o->output_dir, file_names[nopen]))
		{
			nopen++;
			st = GEN_CANT_CREATE;
			goto done;
		}
		gb_str(&g.f[nopen].b, file_headers[nopen]);
		gb_ch(&g.f[nopen].b, '\n');
	}
	if (!make_advocates(&g, ncases))
	{
		st = GEN_NO_MEMORY;
		goto done;
	}
	gen_rng_for(&r, o->seed, TAG_CASE, UINT64_MAX);
	for (int64_t ci = 0; ci < ncases; ci++)
		put_case(&g, &json, ci, gen_pick_member(&r, cum, o->members));
	if (json.oom)
		st = GEN_NO_MEMORY;

done:
	{
		gen_status	cst = gen_files_close(g.f, nopen);

		if (st == GEN_OK)
			st = cst;
	}
	free(json.p);
	free(pool);
	free(cum);
	free(g.adv);
	return st;
}
