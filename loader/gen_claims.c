/*
 * gen_claims.c
 *    costmodel-gen claims: claims exports from four billing systems, each in
 *    its own layout, the way real exports differ (header spellings, column
 *    order, delimiters, quoting, date and money formats, status spellings, a
 *    UTF-8 BOM with CRLF line ends), plus a few deliberately bad rows, later
 *    re-exports of claims, and two files that account for every row:
 *    claims_manifest.csv (each bad or re-exported row) and
 *    claims_summary.csv (each file's layout and counts).  docs/sources.md
 *    documents the layouts.
 *
 * The claim model (gen_claim_make) is shared with the experience
 * subcommand, which writes its claims in the canonical layout.
 */
#include "gen_claims.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Catalogues                                                           */
/* ------------------------------------------------------------------ */

/* A procedure: code, claim type, median billed amount (cents), place of service. */
typedef struct proc_def
{
	const char *code;
	gen_claim_type type;
	int64_t		median;
	const char *pos;
	uint32_t	weight;
} proc_def;

static const proc_def procs[] = {
	{"99213", CT_MEDICAL, 15000, "11", 160},
	{"99214", CT_MEDICAL, 21000, "11", 110},
	{"99203", CT_MEDICAL, 17000, "11", 40},
	{"99285", CT_MEDICAL, 120000, "23", 25},
	{"80053", CT_MEDICAL, 4500, "81", 80},
	{"85025", CT_MEDICAL, 3000, "81", 80},
	{"36415", CT_MEDICAL, 1200, "11", 70},
	{"0337U", CT_MEDICAL, 25000, "81", 6},
	{"71046", CT_MEDICAL, 12000, "22", 35},
	{"93000", CT_MEDICAL, 6000, "11", 35},
	{"97110", CT_MEDICAL, 9500, "11", 60},
	{"90837", CT_MEDICAL, 16000, "10", 40},
	{"70553", CT_MEDICAL, 220000, "22", 12},
	{"74177", CT_MEDICAL, 150000, "22", 12},
	{"45378", CT_MEDICAL, 180000, "24", 10},
	{"29881", CT_MEDICAL, 650000, "24", 4},
	{"J1100", CT_MEDICAL, 1500, "11", 15},
	{"E0601", CT_MEDICAL, 90000, "12", 5},
	{"99396", CT_PREVENTIVE, 24000, "11", 40},
	{"G0439", CT_PREVENTIVE, 17500, "11", 25},
	{"77067", CT_PREVENTIVE, 25000, "22", 20},
	{"90686", CT_PREVENTIVE, 2500, "11", 30},
	{"G0008", CT_PREVENTIVE, 1500, "11", 15},
	/* pharmacy: 11-digit NDCs (illustrative) */
	{"00093505601", CT_PHARMACY, 1800, "01", 40},
	{"00378180110", CT_PHARMACY, 1200, "01", 40},
	{"68180051301", CT_PHARMACY, 900, "01", 35},
	{"00169413212", CT_PHARMACY, 95000, "01", 10},
	{"00074433902", CT_PHARMACY, 690000, "01", 4},
	{"00003089421", CT_PHARMACY, 58000, "01", 12},
	{"00597015230", CT_PHARMACY, 56000, "01", 10},
};

#define NPROCS			lengthof(procs)

static const char *const dx_medical[] = {
	"E119", "I10", "E785", "M545", "J069", "K219", "F329", "M1711", "G4733", "R079", "N390", "J449"
};
static const char *const dx_preventive[] = {"Z0000", "Z0001", "Z1231", "Z1211", "Z23"};

#define NDX_MED			lengthof(dx_medical)
#define NDX_PREV		lengthof(dx_preventive)

static const char *const payers[] = {
	"Blue Harbor Health Plan", "Blue Harbor Medicare Advantage", "Northwind Health",
	"Contoso Care", "Fabrikam Insurance", "State Medicaid"
};
static const uint32_t other_payer_w[] = {0, 0, 40, 30, 20, 10};

#define PAYER_PLAN		0
#define PAYER_MAPD		1

static const char *const denials[] = {
	"Prior authorization required", "Not medically necessary", "Out of network",
	"Duplicate claim", "Missing information", "Coverage terminated", "Non-covered service"
};
static const uint32_t denial_w[] = {25, 18, 14, 12, 16, 6, 9};

static const char *const status_canonical[CST_COUNT] = {
	"submitted", "pending", "approved", "paid", "partially_paid", "denied", "adjusted", "voided"
};
static const char *const type_canonical[] = {"medical", "pharmacy", "preventive"};

/* Adjudicated outcomes: approved, paid, partially paid, denied, adjusted, voided. */
static const uint32_t outcome_w[CST_COUNT] = {0, 0, 50, 740, 40, 130, 25, 15};

/* Providers: per state, numbers 0..49 are practices and 50..59 pharmacies. */
#define PROV_PER_STATE	60
#define PROV_PRACTICES	50

/* ------------------------------------------------------------------ */
/* The claim model                                                      */
/* ------------------------------------------------------------------ */

/* Pick a procedure of a claim type. */
static int
pick_proc(gen_rng *r, gen_claim_type type)
{
	uint32_t	w[NPROCS];

	for (int i = 0; i < NPROCS; i++)
		w[i] = procs[i].type == type ? procs[i].weight : 0;
	return gen_pick(r, w, NPROCS);
}

/* Make a claim for member m (number member) with service on service_day;
 * nothing is adjudicated after last_day.  force_denied: always denied. */
void
gen_claim_make(gen_claim *c, gen_rng *r, const gen_member *m, int64_t member,
			   int32_t service_day, int32_t last_day, bool force_denied,
			   int payer_of_plan)
{
	static const uint32_t type_w[] = {70, 18, 12};
	int64_t		lag;
	uint32_t	ow[CST_COUNT];

	c->member = member;
	c->type = force_denied ? CT_MEDICAL : (gen_claim_type) gen_pick(r, type_w, 3);
	c->proc = pick_proc(r, c->type);
	c->dx = c->type == CT_PREVENTIVE ? (int) gen_below(r, NDX_PREV) : (int) gen_below(r, NDX_MED);
	c->provider = m->state * PROV_PER_STATE
		+ (c->type == CT_PHARMACY ? PROV_PRACTICES + (int) gen_below(r, PROV_PER_STATE - PROV_PRACTICES)
		   : (int) gen_below(r, PROV_PRACTICES));
	if (payer_of_plan >= 0)
		c->payer = payer_of_plan;
	else if (gen_chance(r, 800000))
		c->payer = m->plan == GEN_PLAN_MAPD ? PAYER_MAPD : PAYER_PLAN;
	else
		c->payer = gen_pick(r, other_payer_w, lengthof(other_payer_w));
	c->service_day = service_day;
	c->amount = gen_lognormal(r, procs[c->proc].median, 22938);	/* sigma 0.35 */
	if (gen_chance(r, 500000))
		c->amount = (c->amount + 50) / 100 * 100;	/* whole dollars */
	if (c->amount < 100)
		c->amount = 100;
	c->denial = -1;
	c->paid = -1;
	c->adjudicated = -1;

	lag = 3 + gen_lognormal(r, 12, 39322);	/* sigma 0.6 */
	if (lag > 90)
		lag = 90;
	if (service_day + lag > last_day && !force_denied)
	{
		c->status = gen_chance(r, 600000) ? CST_PENDING : CST_SUBMITTED;
		return;
	}
	if (service_day + lag > last_day)
		lag = last_day - service_day;
	memcpy(ow, outcome_w, sizeof(ow));
	if (c->type == CT_PREVENTIVE)
		ow[CST_DENIED] = 30;
	c->status = force_denied ? CST_DENIED : (gen_claim_status) gen_pick(r, ow, CST_COUNT);
	c->adjudicated = gen_sec(service_day + (int32_t) lag, gen_business_minute(r)) + gen_below(r, 60);
	switch (c->status)
	{
		case CST_PAID:
		case CST_ADJUSTED:
			c->paid = c->amount * gen_range(r, 45, 92) / 100;
			break;
		case CST_PARTIALLY_PAID:
			c->paid = c->amount * gen_range(r, 15, 45) / 100;
			break;
		case CST_DENIED:
			c->denial = gen_pick(r, denial_w, lengthof(denial_w));
			c->paid = 0;
			break;
		case CST_VOIDED:
			c->paid = 0;
			break;
		default:
			break;				/* approved: not paid yet */
	}
}

/* Append a provider id: PRV and 5 digits. */
static void
gb_provider(gbuf *b, int provider)
{
	GB_LIT(b, "PRV");
	gb_pad(b, (uint64_t) provider + 1, 5);
}

/* The state and city of a provider. */
static const gen_state *
provider_state(int provider, const char **city)
{
	const gen_state *st = &gen_states[provider / PROV_PER_STATE];

	*city = st->cities[provider % PROV_PER_STATE % 3];
	return st;
}

const char	gen_claim_canonical_header[] =
"claim_id,member_id,provider_id,payer,procedure_code,diagnosis_code,service_date,"
"claim_type,claim_amount,paid_amount,status,denial_reason,adjudicated_at,location,"
"place_of_service,source_system";

/* Append one claim as a canonical claims.csv row, with its newline. */
void
gen_claim_write_canonical(gbuf *b, const gen_claim *c, const char *id_prefix, int64_t id_no)
{
	const char *city;
	const gen_state *st = provider_state(c->provider, &city);

	gb_str(b, id_prefix);
	gb_pad(b, (uint64_t) id_no, 9);
	gb_ch(b, ',');
	gb_member_id(b, c->member);
	gb_ch(b, ',');
	gb_provider(b, c->provider);
	gb_ch(b, ',');
	gb_str(b, payers[c->payer]);
	gb_ch(b, ',');
	gb_str(b, procs[c->proc].code);
	gb_ch(b, ',');
	gb_str(b, c->type == CT_PREVENTIVE ? dx_preventive[c->dx] : dx_medical[c->dx]);
	gb_ch(b, ',');
	gb_date(b, c->service_day, false);
	gb_ch(b, ',');
	gb_str(b, type_canonical[c->type]);
	gb_ch(b, ',');
	gb_cents(b, c->amount);
	gb_ch(b, ',');
	if (c->paid >= 0)
		gb_cents(b, c->paid);
	gb_ch(b, ',');
	gb_str(b, status_canonical[c->status]);
	gb_ch(b, ',');
	if (c->denial >= 0)
		gb_str(b, denials[c->denial]);
	gb_ch(b, ',');
	if (c->adjudicated >= 0)
		gb_ts(b, c->adjudicated);
	GB_LIT(b, ",\"");
	gb_str(b, city);
	GB_LIT(b, ", ");
	gb_str(b, st->code);
	GB_LIT(b, "\",");
	gb_str(b, procs[c->proc].pos);
	GB_LIT(b, ",experience\n");
}

/* ------------------------------------------------------------------ */
/* The billing layouts                                                  */
/* ------------------------------------------------------------------ */

/* Canonical fields a layout can carry, in the order they are formatted. */
enum
{
	F_ID, F_MEMBER, F_PROVIDER, F_PAYER, F_PROC, F_DX, F_SERVICE, F_TYPE, F_AMOUNT,
	F_PAID, F_STATUS, F_DENIAL, F_ADJUDICATED, F_LOCATION, F_CITY, F_STATE, F_POS,
	F_ACCOUNT, NFIELDS
};

typedef enum date_fmt
{
	D_ISO, D_US, D_COMPACT
} date_fmt;
typedef enum money_fmt
{
	M_PLAIN, M_DECIMAL_COMMA, M_DOLLAR_GROUPED, M_GROUPED
} money_fmt;
typedef enum adj_fmt
{
	A_ISO_Z, A_US_DATE, A_COMPACT_DATE, A_SPACE_UTC
} adj_fmt;

/* One billing system's export layout. */
typedef struct layout
{
	const char *file;
	const char *system;			/* claims.source_system */
	const char *id_prefix;
	int			id_width;
	char		delim;
	const char *delim_name;
	bool		quote_all;		/* every field in double quotes, empty as "" */
	bool		bom;
	bool		crlf;
	date_fmt	dates;
	money_fmt	money;
	adj_fmt		adjudicated;
	const char *date_desc;
	const char *money_desc;
	const char *status_desc;
	int			ncols;
	int			cols[NFIELDS];	/* field per column */
	const char *header[NFIELDS];
	const char *status[CST_COUNT];
	const char *type[3];
	uint32_t	share;			/* percent of the claims */
	const char *bad_amount[2];	/* the unparseable amounts */
} layout;

static const layout layouts[] = {
	{
		"billing_alpha.csv", "billing_alpha", "ALP", 8, ',', "comma", false, false, false,
		D_ISO, M_PLAIN, A_ISO_Z,
		"YYYY-MM-DD; Adjudicated_Date YYYY-MM-DDTHH:MM:SSZ", "1234.50", "upper case: APPROVED",
		15,
		{F_ID, F_MEMBER, F_PROVIDER, F_PAYER, F_PROC, F_DX, F_SERVICE, F_TYPE, F_AMOUNT, F_PAID,
		F_STATUS, F_DENIAL, F_ADJUDICATED, F_LOCATION, F_POS},
		{"Claim_ID", "Member_ID", "Provider_ID", "Payer", "Procedure_Code", "Diagnosis_Code",
			"Service_Date", "Claim_Type", "Claim_amnt", "Paid_amnt", "Status", "Denial_Reason",
		"Adjudicated_Date", "Location", "POS"},
		{"SUBMITTED", "PENDING", "APPROVED", "PAID", "PARTIALLY_PAID", "DENIED", "ADJUSTED", "VOIDED"},
		{"MEDICAL", "PHARMACY", "PREVENTIVE"},
		35, {"N/A", "12.3.4"}
	},
	{
		"billing_bravo.csv", "billing_bravo", "BRV-", 7, ';', "semicolon", true, true, true,
		D_US, M_DECIMAL_COMMA, A_US_DATE,
		"MM/DD/YYYY (adjudication date too: no time)", "1.234,50 (decimal comma, dot thousands)",
		"title case: Approved",
		15,
		{F_ID, F_MEMBER, F_PROVIDER, F_PAYER, F_PROC, F_DX, F_SERVICE, F_TYPE, F_AMOUNT, F_PAID,
		F_STATUS, F_DENIAL, F_ADJUDICATED, F_LOCATION, F_POS},
		{"claim id", "member id", "provider id", "payer name", "procedure code", "diagnosis",
			"date of service", "claim type", "claim amount", "paid amount", "claim status",
		"denial reason", "adjudication date", "service location", "place of service"},
		{"Submitted", "Pending", "Approved", "Paid", "Partially Paid", "Denied", "Adjusted", "Voided"},
		{"Medical", "Pharmacy", "Preventive"},
		25, {"TBD", "#VALUE!"}
	},
	{
		"billing_charlie.tsv", "billing_charlie", "CHL", 8, '\t', "tab", false, false, false,
		D_COMPACT, M_DOLLAR_GROUPED, A_COMPACT_DATE,
		"YYYYMMDD (AdjDate too: no time)", "$1,234.50", "codes: S P A PD PP D AJ V",
		15,
		{F_ID, F_MEMBER, F_PROVIDER, F_PAYER, F_PROC, F_DX, F_SERVICE, F_TYPE, F_AMOUNT, F_PAID,
		F_STATUS, F_DENIAL, F_ADJUDICATED, F_LOCATION, F_POS},
		{"ClaimID", "MemberID", "ProviderID", "PayerName", "ProcCode", "DiagCode", "ServiceDate",
		"ClaimType", "BilledAmt", "PaidAmt", "StatusCode", "DenialReason", "AdjDate", "ServiceLocation", "POS"},
		{"S", "P", "A", "PD", "PP", "D", "AJ", "V"},
		{"M", "RX", "PV"},
		25, {"$N/A", "$1.234.50"}
	},
	{
		"billing_delta.psv", "billing_delta", "DLT-", 7, '|', "pipe", false, false, false,
		D_US, M_GROUPED, A_SPACE_UTC,
		"DOS MM/DD/YYYY; Processed YYYY-MM-DD HH:MM:SS (UTC)", "1,234.50", "lower case: approved",
		17,
		{F_ID, F_ACCOUNT, F_MEMBER, F_PROVIDER, F_PAYER, F_PROC, F_DX, F_SERVICE, F_TYPE, F_AMOUNT,
		F_PAID, F_STATUS, F_DENIAL, F_ADJUDICATED, F_CITY, F_STATE, F_POS},
		{"Claim Number", "Patient Account", "Member", "Rendering Provider", "Payer", "CPT/HCPCS",
			"ICD-10", "DOS", "Type", "Charge", "Paid", "Status", "Reason", "Processed", "City",
		"State", "POS"},
		{"submitted", "pending", "approved", "paid", "partially paid", "denied", "adjusted", "void"},
		{"medical", "pharmacy", "preventive"},
		15, {"see attached", "1,23,4.5.6"}
	},
};

#define NLAYOUTS		lengthof(layouts)

/* Deliberately bad rows per file, in this order at seeded positions. */
typedef enum bad_kind
{
	BAD_NONE = 0,
	BAD_AMOUNT_1,
	BAD_AMOUNT_2,
	BAD_DATE_1,
	BAD_DATE_2,
	BAD_CLAIM_ID,
	BAD_MEMBER_ID,
	NBAD
} bad_kind;

#define BAD_PER_FILE	(NBAD - 1)
#define MAX_UPDATES		5
#define TAG_CLAIMS		UINT64_C(0x636c61696d73)	/* "claims" */

/* Append cents as 1.234,50 (decimal comma, dot thousands). */
static void
gb_cents_eu(gbuf *b, int64_t cents)
{
	size_t		start = b->len;

	gb_cents_grouped(b, cents);
	if (b->oom)
		return;
	for (size_t i = start; i < b->len; i++)
		b->p[i] = b->p[i] == ',' ? '.' : b->p[i] == '.' ? ',' : b->p[i];
}

/* Append money in a layout's format. */
static void
gb_money(gbuf *b, int64_t cents, money_fmt f)
{
	switch (f)
	{
		case M_PLAIN:
			gb_cents(b, cents);
			break;
		case M_DECIMAL_COMMA:
			gb_cents_eu(b, cents);
			break;
		case M_DOLLAR_GROUPED:
			gb_ch(b, '$');
			gb_cents_grouped(b, cents);
			break;
		case M_GROUPED:
			gb_cents_grouped(b, cents);
			break;
	}
}

/* Append a date in a layout's format. */
static void
gb_day(gbuf *b, int32_t day, date_fmt f)
{
	if (f == D_US)
		gb_us_date(b, day);
	else
		gb_date(b, day, f == D_COMPACT);
}

/* Append an impossible date of the given year: the second kind when second. */
static void
gb_bad_day(gbuf *b, int year, date_fmt f, bool second)
{
	switch (f)
	{
		case D_ISO:
			gb_pad(b, (uint64_t) year, 4);
			gb_str(b, second ? "-13-01" : "-02-30");
			break;
		case D_US:
			gb_str(b, second ? "13/45/" : "02/30/");
			gb_pad(b, (uint64_t) year, 4);
			break;
		case D_COMPACT:
			gb_pad(b, (uint64_t) year, 4);
			gb_str(b, second ? "1340" : "0230");
			break;
	}
}

/* Append an adjudication time in a layout's format. */
static void
gb_adjudicated(gbuf *b, int64_t sec, adj_fmt f)
{
	int32_t		day = (int32_t) (sec / 86400);
	int64_t		s = sec % 86400;

	switch (f)
	{
		case A_ISO_Z:
			gb_ts(b, sec);
			break;
		case A_US_DATE:
			gb_us_date(b, day);
			break;
		case A_COMPACT_DATE:
			gb_date(b, day, true);
			break;
		case A_SPACE_UTC:
			gb_date(b, day, false);
			gb_ch(b, ' ');
			gb_pad(b, (uint64_t) (s / 3600), 2);
			gb_ch(b, ':');
			gb_pad(b, (uint64_t) (s / 60 % 60), 2);
			gb_ch(b, ':');
			gb_pad(b, (uint64_t) (s % 60), 2);
			break;
	}
}

/* Format the fields of one claim into scratch; off[i]..off[i+1] is field i.
 * The claim id is id_layout's prefix and id_no. */
static void
format_fields(gbuf *s, size_t *off, const layout *l, const gen_claim *c,
			  const layout *id_layout, int64_t id_no, bad_kind bad)
{
	const char *city;
	const gen_state *st = provider_state(c->provider, &city);
	int			y,
				m,
				d;

	s->len = 0;
	for (int f = 0; f < NFIELDS; f++)
	{
		off[f] = s->len;
		switch (f)
		{
			case F_ID:
				if (bad != BAD_CLAIM_ID)
				{
					gb_str(s, id_layout->id_prefix);
					gb_pad(s, (uint64_t) id_no, id_layout->id_width);
				}
				break;
			case F_MEMBER:
				if (bad != BAD_MEMBER_ID)
					gb_member_id(s, c->member);
				break;
			case F_PROVIDER:
				gb_provider(s, c->provider);
				break;
			case F_PAYER:
				gb_str(s, payers[c->payer]);
				break;
			case F_PROC:
				gb_str(s, procs[c->proc].code);
				break;
			case F_DX:
				gb_str(s, c->type == CT_PREVENTIVE ? dx_preventive[c->dx] : dx_medical[c->dx]);
				break;
			case F_SERVICE:
				if (bad == BAD_DATE_1 || bad == BAD_DATE_2)
				{
					civil_from_days(c->service_day, &y, &m, &d);
					gb_bad_day(s, y, l->dates, bad == BAD_DATE_2);
				}
				else
					gb_day(s, c->service_day, l->dates);
				break;
			case F_TYPE:
				gb_str(s, l->type[c->type]);
				break;
			case F_AMOUNT:
				if (bad == BAD_AMOUNT_1 || bad == BAD_AMOUNT_2)
					gb_str(s, l->bad_amount[bad == BAD_AMOUNT_2]);
				else
					gb_money(s, c->amount, l->money);
				break;
			case F_PAID:
				if (c->paid >= 0)
					gb_money(s, c->paid, l->money);
				break;
			case F_STATUS:
				gb_str(s, l->status[c->status]);
				break;
			case F_DENIAL:
				if (c->denial >= 0)
					gb_str(s, denials[c->denial]);
				break;
			case F_ADJUDICATED:
				if (c->adjudicated >= 0)
					gb_adjudicated(s, c->adjudicated, l->adjudicated);
				break;
			case F_LOCATION:
				gb_str(s, city);
				GB_LIT(s, ", ");
				gb_str(s, st->code);
				break;
			case F_CITY:
				gb_str(s, city);
				break;
			case F_STATE:
				gb_str(s, st->code);
				break;
			case F_POS:
				gb_str(s, procs[c->proc].pos);
				break;
			case F_ACCOUNT:
				GB_LIT(s, "PA");
				gb_pad(s, (uint64_t) (c->member * 7 + 13) % 10000000, 7);
				break;
		}
	}
	off[NFIELDS] = s->len;
}

/* Append one field, quoted as the layout quotes. */
static void
put_field(gbuf *b, const layout *l, const char *p, size_t n)
{
	bool		quote = l->quote_all;

	if (!quote && l->delim == ',')
		for (size_t i = 0; i < n; i++)
			if (p[i] == ',' || p[i] == '"')
				quote = true;
	if (!quote)
	{
		gb_mem(b, p, n);
		return;
	}
	gb_ch(b, '"');
	for (size_t i = 0; i < n; i++)
	{
		if (p[i] == '"')
			gb_ch(b, '"');
		gb_ch(b, p[i]);
	}
	gb_ch(b, '"');
}

/* Append the line end of a layout. */
static void
put_eol(gbuf *b, const layout *l)
{
	if (l->crlf)
		gb_ch(b, '\r');
	gb_ch(b, '\n');
}

/* Append a layout's header line. */
static void
put_header(gbuf *b, const layout *l)
{
	if (l->bom)
		GB_LIT(b, "\xEF\xBB\xBF");
	for (int i = 0; i < l->ncols; i++)
	{
		if (i > 0)
			gb_ch(b, l->delim);
		put_field(b, l, l->header[i], strlen(l->header[i]));
	}
	put_eol(b, l);
}

/* Append one claim in a layout, with the claim id of id_layout. */
static void
put_claim(gbuf *b, gbuf *scratch, const layout *l, const gen_claim *c,
		  const layout *id_layout, int64_t id_no, bad_kind bad)
{
	size_t		off[NFIELDS + 1];

	format_fields(scratch, off, l, c, id_layout, id_no, bad);
	if (scratch->oom)
	{
		b->oom = true;
		return;
	}
	for (int i = 0; i < l->ncols; i++)
	{
		int			f = l->cols[i];

		if (i > 0)
			gb_ch(b, l->delim);
		put_field(b, l, scratch->p + off[f], off[f + 1] - off[f]);
	}
	put_eol(b, l);
}

/* The column header and raw text of a bad row's bad field. */
static void
bad_field(gbuf *scratch, const layout *l, const gen_claim *c, int64_t id_no, bad_kind bad,
		  const char **column, gbuf *raw)
{
	size_t		off[NFIELDS + 1];
	int			f = bad == BAD_AMOUNT_1 || bad == BAD_AMOUNT_2 ? F_AMOUNT
		: bad == BAD_DATE_1 || bad == BAD_DATE_2 ? F_SERVICE
		: bad == BAD_CLAIM_ID ? F_ID : F_MEMBER;

	*column = "";
	for (int i = 0; i < l->ncols; i++)
		if (l->cols[i] == f)
			*column = l->header[i];
	format_fields(scratch, off, l, c, l, id_no, bad);
	raw->len = 0;
	gb_mem(raw, scratch->p + off[f], off[f + 1] - off[f]);
	gb_ch(raw, '\0');
}

static const char *const bad_names[NBAD] = {
	"", "bad_amount", "bad_amount", "bad_date", "bad_date", "missing_claim_id", "missing_member_id"
};

/* Append a manifest row; the claim id is id_layout's prefix and id_no, if has_id. */
static void
put_manifest(gen_file *mf, const layout *l, int64_t line, const char *kind, const char *column,
			 const char *raw, const layout *id_layout, int64_t id_no, bool has_id)
{
	gbuf	   *b = &mf->b;

	gb_str(b, l->file);
	gb_ch(b, ',');
	gb_int(b, line);
	gb_ch(b, ',');
	gb_str(b, kind);
	gb_ch(b, ',');
	gb_csv(b, column, ',');
	gb_ch(b, ',');
	gb_csv(b, raw, ',');
	gb_ch(b, ',');
	if (has_id)
	{
		gb_str(b, id_layout->id_prefix);
		gb_pad(b, (uint64_t) id_no, id_layout->id_width);
	}
	gb_ch(b, '\n');
	gen_file_row(mf);
}

/* An open claim of the first layout that the last layout exports again. */
typedef struct reexport
{
	gen_claim	c;
	int64_t		id_no;			/* its id number in the first layout */
} reexport;

/* Append claims_summary.csv. */
static void
put_summary(gen_file *sf, const int64_t *counts, const int64_t *bad_rows,
			const int64_t *updates)
{
	gbuf	   *b = &sf->b;

	GB_LIT(b, "file,source_system,delimiter,quoting,encoding,line_end,header_first_column,"
		   "date_format,money_format,status_style,data_rows,bad_rows,reexported_rows,"
		   "good_rows\n");
	for (int li = 0; li < NLAYOUTS; li++)
	{
		const layout *l = &layouts[li];

		gb_str(b, l->file);
		gb_ch(b, ',');
		gb_str(b, l->system);
		gb_ch(b, ',');
		gb_str(b, l->delim_name);
		gb_ch(b, ',');
		gb_str(b, l->quote_all ? "every field" : l->delim == ',' ? "when needed" : "none");
		gb_ch(b, ',');
		gb_str(b, l->bom ? "UTF-8 with BOM" : "UTF-8");
		gb_ch(b, ',');
		gb_str(b, l->crlf ? "CRLF" : "LF");
		gb_ch(b, ',');
		gb_csv(b, l->header[0], ',');
		gb_ch(b, ',');
		gb_csv(b, l->date_desc, ',');
		gb_ch(b, ',');
		gb_csv(b, l->money_desc, ',');
		gb_ch(b, ',');
		gb_csv(b, l->status_desc, ',');
		gb_ch(b, ',');
		gb_int(b, counts[li]);
		gb_ch(b, ',');
		gb_int(b, bad_rows[li]);
		gb_ch(b, ',');
		gb_int(b, updates[li]);
		gb_ch(b, ',');
		gb_int(b, counts[li] - bad_rows[li]);
		gb_ch(b, '\n');
		gen_file_row(sf);
	}
}

/* Write the billing exports, their manifest and summary into o->output_dir. */
gen_status
gen_claims_run(const gen_source_opts *o)
{
	gen_member *pool = NULL;
	uint64_t   *cum = NULL;
	gen_file	files[NLAYOUTS + 2];
	gen_file   *mf = &files[NLAYOUTS],
			   *sf = &files[NLAYOUTS + 1];
	gbuf		scratch = {0},
				raw = {0};
	reexport	open_claims[MAX_UPDATES];
	int			nopen_claims = 0;
	int64_t		total,
				counts[NLAYOUTS],
				bad_rows[NLAYOUTS],
				updates[NLAYOUTS];
	int32_t		last_day = o->first_day + o->days - 1;
	gen_status	st = GEN_OK;
	int			nopen = 0;
	static const char *const extra[2] = {"claims_manifest.csv", "claims_summary.csv"};

	memset(files, 0, sizeof(files));
	if (!gen_make_dir(o->output_dir))
		return GEN_CANT_CREATE;
	pool = gen_members_build(o->seed, o->members, o->first_day, o->days);
	cum = pool ? gen_members_cumulative(pool, o->members) : NULL;
	if (cum == NULL)
	{
		st = GEN_NO_MEMORY;
		goto done;
	}
	for (; nopen < NLAYOUTS + 2; nopen++)
		if (!gen_file_open(&files[nopen], o->output_dir,
						   nopen < NLAYOUTS ? layouts[nopen].file : extra[nopen - NLAYOUTS]))
		{
			nopen++;
			st = GEN_CANT_CREATE;
			goto done;
		}
	GB_LIT(&mf->b, "file,line,kind,column,raw_value,claim_id\n");

	/* about one billing claim per member per 50 days, at least 20 per file */
	total = o->members * o->days / 50;
	for (int li = 0; li < NLAYOUTS; li++)
	{
		counts[li] = total * layouts[li].share / 100;
		if (counts[li] < 20)
			counts[li] = 20;
		bad_rows[li] = 0;
		updates[li] = 0;
	}

	for (int li = 0; li < NLAYOUTS; li++)
	{
		const layout *l = &layouts[li];
		gen_file   *f = &files[li];
		gen_rng		r;
		int64_t		bad_at[BAD_PER_FILE];

		gen_rng_for(&r, o->seed, TAG_CLAIMS, (uint64_t) li);
		/* distinct seeded positions for the bad rows */
		for (int k = 0; k < BAD_PER_FILE; k++)
		{
			bool		dup;

			do
			{
				bad_at[k] = (int64_t) (gen_next(&r) % (uint64_t) counts[li]);
				dup = false;
				for (int j = 0; j < k; j++)
					dup |= bad_at[j] == bad_at[k];
			} while (dup);
		}
		put_header(&f->b, l);
		for (int64_t row = 0; row < counts[li]; row++)
		{
			gen_claim	c;
			bad_kind	bad = BAD_NONE;
			int64_t		member = gen_pick_member(&r, cum, o->members);
			int64_t		id_no = row + 1;

			for (int k = 0; k < BAD_PER_FILE; k++)
				if (bad_at[k] == row)
					bad = (bad_kind) (k + 1);
			gen_claim_make(&c, &r, &pool[member], member,
						   gen_pick_day(&r, o->first_day, o->days), last_day, false, -1);
			put_claim(&f->b, &scratch, l, &c, l, id_no, bad);
			gen_file_row(f);
			if (bad != BAD_NONE)
			{
				const char *column;

				bad_field(&scratch, l, &c, id_no, bad, &column, &raw);
				put_manifest(mf, l, row + 2, bad_names[bad], column, raw.oom ? "" : raw.p,
							 l, id_no, bad != BAD_CLAIM_ID);
				bad_rows[li]++;
			}
			else if (li == 0 && nopen_claims < MAX_UPDATES
					 && (c.status == CST_PENDING || c.status == CST_SUBMITTED))
			{
				/* the first layout's first open claims come again, paid, in the last */
				open_claims[nopen_claims].c = c;
				open_claims[nopen_claims].id_no = id_no;
				nopen_claims++;
			}
		}
		if (li == NLAYOUTS - 1)
		{
			/* the last rows: the re-exports, adjudicated after the range */
			for (int k = 0; k < nopen_claims; k++)
			{
				gen_claim	u = open_claims[k].c;

				u.status = CST_PAID;
				u.paid = u.amount * gen_range(&r, 45, 92) / 100;
				u.adjudicated = gen_sec(last_day + 1 + (int32_t) gen_below(&r, 3),
										gen_business_minute(&r)) + gen_below(&r, 60);
				put_claim(&f->b, &scratch, l, &u, &layouts[0], open_claims[k].id_no, BAD_NONE);
				gen_file_row(f);
				put_manifest(mf, l, counts[li] + k + 2, "reexport", l->header[11],
							 l->status[CST_PAID], &layouts[0], open_claims[k].id_no, true);
				updates[li]++;
			}
			counts[li] += nopen_claims;
		}
	}
	put_summary(sf, counts, bad_rows, updates);

done:
	free(scratch.p);
	free(raw.p);
	free(pool);
	free(cum);
	{
		gen_status	cst = gen_files_close(files, nopen);

		if (st == GEN_OK)
			st = cst;
	}
	return st;
}
