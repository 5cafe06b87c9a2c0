/*
 * gen_traces.c
 *    costmodel-gen traces: writes realistic cost-estimator traces (format
 *    version 1) as NDJSON, deterministically from a seed.
 *
 * The file is laid out in the order a line is made (the output buffer and
 * the calendar, once sections 1 and 2, are in gen_common.c):
 *   3. the reference catalogues (plans, provider types, service codes, ...);
 *   4. the member and provider pools, fixed for every seed so that files
 *      made with different seeds describe the same people;
 *   5. the arrival schedule (weekday and business-hour pattern);
 *   6. the trace model: request lines, results, exceptions and cost sharing;
 *   7. serialisation, including the messy forms;
 *   8. client retries (duplicate lines) and malformed lines;
 *   9. the driver, gen_traces_run().
 * Each trace is built as a small struct first and then written, so the
 * messy forms can be chosen among those that apply to it.
 *
 * Planted patterns, for tests and demos to find: 0337U has a ~60% rate-not-
 * found rate; network 00248 has a provider-not-found spike (~40% of its
 * results) on the 10th day of the range (the middle day of shorter ranges);
 * ~1.5% of requests get 404 member not found and ~1% time out (504).  Unless
 * --clean: ~10% of traces carry one to three messy forms (MESSY_PPM), ~1% of
 * lines are repeated within the next 200 lines (DUPLICATE_PPM), and ~0.1%
 * are malformed (MALFORMED_PPM).
 */
#include "gen_traces.h"
#include "gen_common.h"
#include "gen_rand.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* 3. Catalogues                                                        */
/* ------------------------------------------------------------------ */

/* Health plans, with their cost sharing; amounts in cents, rates in 1/10000. */
typedef struct plan_def
{
	const char *plan_id;
	const char *product;
	int64_t		ded,
				oop;			/* in-network individual limits */
	int64_t		oon_ded,
				oon_oop;		/* 0: no out-of-network benefits */
	int32_t		coins,
				oon_coins;
	int64_t		copay_pcp,
				copay_pt,
				copay_er;		/* 0: deductible and coinsurance apply */
	uint32_t	weight;
} plan_def;

static const plan_def plans[] = {
	{"PPO-GOLD-1500", "PPO", 150000, 500000, 300000, 1000000, 2000, 4000, 2500, 4000, 25000, 24},
	{"PPO-SILVER-2500", "PPO", 250000, 650000, 500000, 1300000, 3000, 5000, 3500, 5000, 35000, 16},
	{"PPO-PLATINUM-250", "PPO", 25000, 250000, 75000, 500000, 1000, 3000, 1500, 2500, 15000, 6},
	{"HMO-SILVER-3000", "HMO", 300000, 700000, 0, 0, 3000, 0, 3000, 4500, 30000, 14},
	{"HMO-GOLD-1000", "HMO", 100000, 450000, 0, 0, 2000, 0, 2000, 3000, 20000, 10},
	{"EPO-BRONZE-6000", "EPO", 600000, 900000, 0, 0, 4000, 0, 5000, 0, 0, 8},
	{"HDHP-HSA-3200", "HDHP", 320000, 700000, 640000, 1400000, 2000, 4000, 0, 0, 0, 14},
	{"POS-PLATINUM-500", "POS", 50000, 300000, 100000, 600000, 1000, 3000, 2000, 3000, 15000, 8},
};

/* Provider types and their NUCC taxonomy codes. */
enum
{
	PT_PCP, PT_IM, PT_PHYS, PT_RAD, PT_LAB, PT_HOSP, PT_ASC, PT_CARD,
	PT_GI, PT_ORTHO, PT_OPHTH, PT_DME, PT_EM, PT_BH, PT_INF, PT_NEURO,
	NPTYPE
};

typedef struct ptype_def
{
	const char *name;
	const char *taxonomy;
	uint32_t	weight;
} ptype_def;

static const ptype_def ptypes[NPTYPE] = {
	[PT_PCP] = {"primary_care_physician", "207Q00000X", 300},
	[PT_IM] = {"internal_medicine", "207R00000X", 200},
	[PT_PHYS] = {"physical_therapist", "225100000X", 200},
	[PT_RAD] = {"radiology_group", "2085R0202X", 110},
	[PT_LAB] = {"independent_lab", "291U00000X", 110},
	[PT_HOSP] = {"hospital_outpatient", "282N00000X", 120},
	[PT_ASC] = {"ambulatory_surgery_center", "261QA1903X", 60},
	[PT_CARD] = {"cardiologist", "207RC0000X", 100},
	[PT_GI] = {"gastroenterologist", "207RG0100X", 60},
	[PT_ORTHO] = {"orthopedic_surgeon", "207X00000X", 80},
	[PT_OPHTH] = {"ophthalmologist", "207W00000X", 60},
	[PT_DME] = {"dme_supplier", "332B00000X", 60},
	[PT_EM] = {"emergency_physician", "207P00000X", 80},
	[PT_BH] = {"psychologist", "103T00000X", 120},
	[PT_INF] = {"infusion_center", "261QI0500X", 40},
	[PT_NEURO] = {"neurologist", "2084N0400X", 60},
};

#define B(t)	(1u << (t))

/* CMS place-of-service codes used here. */
enum
{
	POS_02, POS_10, POS_11, POS_12, POS_19, POS_21, POS_22, POS_23, POS_24,
	POS_81, NPOS
};
static const char *const pos_codes[NPOS] = {
	"02", "10", "11", "12", "19", "21", "22", "23", "24", "81"
};

enum
{
	SYS_CPT, SYS_HCPCS, SYS_PLA, SYS_CAT2
};
static const char *const code_systems[] = {"CPT", "HCPCS", "CPT-PLA", "CPT-II"};

enum
{
	CAT_OFFICE, CAT_PT, CAT_IMAGING, CAT_LAB, CAT_SURGERY, CAT_PREVENTIVE,
	CAT_DME, CAT_DRUGS, CAT_CARDIO, CAT_EMERGENCY, CAT_BH, CAT_QUALITY,
	NCATS
};
static const char *const categories[NCATS] = {
	"Office Visit", "Physical Therapy", "Imaging", "Lab", "Surgery",
	"Preventive", "DME", "Drugs", "Cardiology", "Emergency",
	"Behavioral Health", "Quality Reporting"
};

/* How a code's modifiers are chosen. */
enum
{
	MOD_NONE, MOD_25, MOD_GP, MOD_PROFTECH, MOD_SIDE, MOD_JW
};

/* Diagnosis code sets (ICD-10-CM). */
enum
{
	DX_OFFICE, DX_PT, DX_IMG, DX_LAB, DX_ONC, DX_COLO, DX_KNEE, DX_EYE,
	DX_PREV, DX_SLEEP, DX_DIAB, DX_DRUG, DX_CARD, DX_ER, DX_BH, NDX
};
static const char *const dx_sets[NDX][5] = {
	[DX_OFFICE] = {"I10", "E11.9", "J06.9", "E78.5", "R51.9"},
	[DX_PT] = {"M54.50", "M25.561", "M25.511", "S83.511A", "M17.11"},
	[DX_IMG] = {"R51.9", "G43.909", "R05.9", "J18.9", "R10.9"},
	[DX_LAB] = {"E11.9", "E78.5", "Z13.1", "D64.9", "R53.83"},
	[DX_ONC] = {"C34.90", "C50.911", "C18.9", "C61", "C25.9"},
	[DX_COLO] = {"K63.5", "K57.30", "R19.5", "K92.1", "D12.6"},
	[DX_KNEE] = {"M23.211", "M23.221", "S83.241A", "M17.11", "M23.91"},
	[DX_EYE] = {"H25.11", "H25.12", "H25.13", "H26.9", "H25.9"},
	[DX_PREV] = {"Z00.00", "Z00.01", "Z12.11", "Z13.220", "Z12.31"},
	[DX_SLEEP] = {"G47.33", "G47.30", "G47.31", "R06.83", "G47.33"},
	[DX_DIAB] = {"E11.65", "E11.9", "E10.9", "E11.65", "O24.419"},
	[DX_DRUG] = {"G43.709", "G43.909", "M54.50", "R52", "G24.3"},
	[DX_CARD] = {"I48.91", "R00.2", "I25.10", "R07.9", "I50.9"},
	[DX_ER] = {"R07.9", "S93.401A", "R10.9", "S61.412A", "R55"},
	[DX_BH] = {"F41.1", "F32.1", "F43.10", "F90.0", "F33.1"},
};

/* A service code: system, benefit, price range and who performs it where. */
typedef struct code_def
{
	const char *code;
	uint8_t		sys;
	uint8_t		cat;
	uint8_t		mods;
	uint8_t		dx;
	int32_t		lo,
				hi;				/* billed per unit, cents */
	uint16_t	qlo,
				qhi;			/* quantity range */
	uint32_t	who;			/* bit set of provider types */
	uint8_t		pos[3];
	uint8_t		posw[3];		/* weights of pos[]; 0 ends the list */
	uint16_t	pa;				/* prior authorisation, per mille */
	uint16_t	rnf;			/* rate not found, per mille; 0: default */
	uint32_t	weight;
} code_def;

static const code_def codes[] = {
	{"99213", SYS_CPT, CAT_OFFICE, MOD_25, DX_OFFICE, 12000, 22000, 1, 1, B(PT_PCP) | B(PT_IM), {POS_11, POS_02, POS_10}, {85, 10, 5}, 0, 0, 140},
	{"99214", SYS_CPT, CAT_OFFICE, MOD_25, DX_OFFICE, 18000, 32000, 1, 1, B(PT_PCP) | B(PT_IM) | B(PT_CARD) | B(PT_NEURO), {POS_11, POS_02, POS_10}, {85, 10, 5}, 0, 0, 100},
	{"99203", SYS_CPT, CAT_OFFICE, MOD_NONE, DX_OFFICE, 15000, 26000, 1, 1, B(PT_PCP) | B(PT_IM) | B(PT_ORTHO) | B(PT_OPHTH), {POS_11, POS_22}, {90, 10}, 0, 0, 30},
	{"99395", SYS_CPT, CAT_PREVENTIVE, MOD_NONE, DX_PREV, 20000, 35000, 1, 1, B(PT_PCP) | B(PT_IM), {POS_11}, {1}, 0, 0, 30},
	{"G0438", SYS_HCPCS, CAT_PREVENTIVE, MOD_NONE, DX_PREV, 15000, 25000, 1, 1, B(PT_PCP), {POS_11}, {1}, 0, 0, 8},
	{"99283", SYS_CPT, CAT_EMERGENCY, MOD_25, DX_ER, 40000, 120000, 1, 1, B(PT_EM) | B(PT_HOSP), {POS_23}, {1}, 0, 0, 15},
	{"90834", SYS_CPT, CAT_BH, MOD_NONE, DX_BH, 11000, 20000, 1, 1, B(PT_BH), {POS_11, POS_02, POS_10}, {60, 30, 10}, 0, 0, 20},
	{"97110", SYS_CPT, CAT_PT, MOD_GP, DX_PT, 8000, 16000, 1, 4, B(PT_PHYS), {POS_11, POS_22, POS_12}, {85, 10, 5}, 0, 0, 70},
	{"97112", SYS_CPT, CAT_PT, MOD_GP, DX_PT, 9000, 17000, 1, 3, B(PT_PHYS), {POS_11, POS_22, POS_12}, {85, 10, 5}, 0, 0, 40},
	{"97140", SYS_CPT, CAT_PT, MOD_GP, DX_PT, 7000, 14000, 1, 3, B(PT_PHYS), {POS_11, POS_22}, {90, 10}, 0, 0, 30},
	{"70551", SYS_CPT, CAT_IMAGING, MOD_PROFTECH, DX_IMG, 120000, 350000, 1, 1, B(PT_RAD) | B(PT_HOSP), {POS_22, POS_11, POS_21}, {55, 40, 5}, 700, 0, 20},
	{"71046", SYS_CPT, CAT_IMAGING, MOD_PROFTECH, DX_IMG, 9000, 25000, 1, 1, B(PT_RAD) | B(PT_HOSP) | B(PT_PCP), {POS_11, POS_22, POS_23}, {50, 40, 10}, 0, 0, 40},
	{"74177", SYS_CPT, CAT_IMAGING, MOD_PROFTECH, DX_IMG, 90000, 300000, 1, 1, B(PT_RAD) | B(PT_HOSP), {POS_22, POS_11, POS_23}, {65, 25, 10}, 500, 0, 10},
	{"80053", SYS_CPT, CAT_LAB, MOD_NONE, DX_LAB, 4000, 15000, 1, 1, B(PT_LAB) | B(PT_HOSP) | B(PT_PCP), {POS_81, POS_11, POS_22}, {60, 25, 15}, 0, 0, 60},
	{"85025", SYS_CPT, CAT_LAB, MOD_NONE, DX_LAB, 2500, 9000, 1, 1, B(PT_LAB) | B(PT_HOSP) | B(PT_PCP), {POS_81, POS_11, POS_22}, {60, 25, 15}, 0, 0, 60},
	{"83036", SYS_CPT, CAT_LAB, MOD_NONE, DX_DIAB, 3000, 9000, 1, 1, B(PT_LAB) | B(PT_PCP), {POS_81, POS_11}, {60, 40}, 0, 0, 30},
	{"45378", SYS_CPT, CAT_SURGERY, MOD_NONE, DX_COLO, 150000, 400000, 1, 1, B(PT_GI) | B(PT_ASC) | B(PT_HOSP), {POS_24, POS_22, POS_21}, {58, 40, 2}, 100, 0, 15},
	{"29881", SYS_CPT, CAT_SURGERY, MOD_SIDE, DX_KNEE, 400000, 1200000, 1, 1, B(PT_ORTHO) | B(PT_ASC) | B(PT_HOSP), {POS_24, POS_22, POS_21}, {50, 45, 5}, 800, 0, 10},
	{"66984", SYS_CPT, CAT_SURGERY, MOD_SIDE, DX_EYE, 300000, 700000, 1, 1, B(PT_OPHTH) | B(PT_ASC), {POS_24, POS_22}, {80, 20}, 300, 0, 10},
	{"93000", SYS_CPT, CAT_CARDIO, MOD_NONE, DX_CARD, 4000, 12000, 1, 1, B(PT_CARD) | B(PT_PCP) | B(PT_IM), {POS_11, POS_22, POS_23}, {75, 15, 10}, 0, 0, 30},
	{"93306", SYS_CPT, CAT_CARDIO, MOD_PROFTECH, DX_CARD, 90000, 250000, 1, 1, B(PT_CARD) | B(PT_HOSP), {POS_11, POS_22, POS_21}, {45, 45, 10}, 200, 0, 10},
	{"J1885", SYS_HCPCS, CAT_DRUGS, MOD_NONE, DX_DRUG, 1000, 4000, 1, 2, B(PT_PCP) | B(PT_EM) | B(PT_ORTHO), {POS_11, POS_23, POS_22}, {60, 30, 10}, 0, 0, 15},
	{"J0585", SYS_HCPCS, CAT_DRUGS, MOD_JW, DX_DRUG, 800, 1500, 100, 200, B(PT_NEURO) | B(PT_INF), {POS_11, POS_19}, {70, 30}, 900, 0, 5},
	{"J3490", SYS_HCPCS, CAT_DRUGS, MOD_NONE, DX_DRUG, 500, 50000, 1, 1, B(PT_PCP) | B(PT_INF), {POS_11, POS_19}, {70, 30}, 100, 200, 3},
	{"G0121", SYS_HCPCS, CAT_PREVENTIVE, MOD_NONE, DX_PREV, 150000, 350000, 1, 1, B(PT_GI) | B(PT_ASC) | B(PT_HOSP), {POS_24, POS_22}, {60, 40}, 0, 0, 8},
	{"E0601", SYS_HCPCS, CAT_DME, MOD_NONE, DX_SLEEP, 70000, 180000, 1, 1, B(PT_DME), {POS_12}, {1}, 400, 0, 6},
	{"A4253", SYS_HCPCS, CAT_DME, MOD_NONE, DX_DIAB, 3000, 9000, 1, 4, B(PT_DME), {POS_12}, {1}, 0, 0, 8},
	{"0337U", SYS_PLA, CAT_LAB, MOD_NONE, DX_ONC, 80000, 300000, 1, 1, B(PT_LAB), {POS_81}, {1}, 200, 600, 6},
	{"0001U", SYS_PLA, CAT_LAB, MOD_NONE, DX_LAB, 30000, 70000, 1, 1, B(PT_LAB), {POS_81}, {1}, 0, 80, 3},
	{"0242U", SYS_PLA, CAT_LAB, MOD_NONE, DX_ONC, 300000, 550000, 1, 1, B(PT_LAB), {POS_81}, {1}, 500, 100, 4},
	{"1036F", SYS_CAT2, CAT_QUALITY, MOD_NONE, DX_OFFICE, 0, 0, 1, 1, B(PT_PCP) | B(PT_IM), {POS_11}, {1}, 0, 0, 12},
	{"3074F", SYS_CAT2, CAT_QUALITY, MOD_NONE, DX_OFFICE, 0, 0, 1, 1, B(PT_PCP) | B(PT_IM) | B(PT_CARD), {POS_11}, {1}, 0, 0, 10},
	{"3008F", SYS_CAT2, CAT_QUALITY, MOD_NONE, DX_OFFICE, 0, 0, 1, 1, B(PT_PCP) | B(PT_IM), {POS_11}, {1}, 0, 0, 6},
};

#define NCODES			lengthof(codes)
#define RNF_DEFAULT		15		/* per mille, for codes without their own */

/* Request channels. */
static const char *const channels[] = {
	"member_portal", "mobile_app", "call_center", "provider_portal", "api"
};
static const uint32_t channel_w[] = {38, 27, 15, 14, 6};

/* Networks, their share of in-network providers, and allowed/billed ratios. */
static const char *const networks[] = {"00248", "00311", "00517"};
static const uint32_t network_w[] = {45, 30, 25};
static const int32_t network_ratio_lo[] = {5200, 5800, 6400};
static const int32_t network_ratio_hi[] = {6200, 6800, 7600};

#define NET_00248		0

/* Service ZIP codes, grouped by region in fours. */
static const char *const zips[] = {
	"60614", "60601", "60640", "60302", "75201", "75080", "75034", "76102",
	"30309", "30030", "30144", "30518", "85004", "85251", "85281", "85308",
	"19103", "19010", "08002", "19380", "98101", "98004", "98052", "98402"
};

/* Facility names that appear in some messages (non-ASCII on purpose). */
static const char *const facilities[] = {
	"Café Clinic", "Clínica Santa María", "Zürich Imaging Center",
	"Brandão Diagnostics", "Søndergaard Physical Therapy", "Ñandú Family Health"
};

/* Canonical exception types, with the drifted spellings some sources use. */
enum
{
	EX_PROVIDER, EX_RATE, EX_BENEFIT, EX_ACCUM, EX_MEMBER, EX_TIMEOUT, EX_OTHER
};

typedef struct extype_def
{
	const char *name;
	const char *code;
	const char *lower;
	const char *title;
} extype_def;

static const extype_def extypes[] = {
	[EX_PROVIDER] = {"Provider not found", "PROVIDER_NOT_FOUND", "provider not found", "Provider Not Found"},
	[EX_RATE] = {"Rate not found", "RATE_NOT_FOUND", "rate not found", "Rate Not Found"},
	[EX_BENEFIT] = {"Benefit issues", "BENEFIT_ISSUE", "benefit issues", "Benefit Issues"},
	[EX_ACCUM] = {"Accumulator not found", "ACCUM_NOT_FOUND", "accumulator not found", "Accumulator Not Found"},
	[EX_MEMBER] = {"Member not found", "MEMBER_NOT_FOUND", "member not found", "Member Not Found"},
	[EX_TIMEOUT] = {"Timeout", "TIMEOUT", "timeout", "Time Out"},
	[EX_OTHER] = {"Other", "OTHER", "other", "OTHER"},
};

/* ------------------------------------------------------------------ */
/* 4. Member and provider pools                                         */
/* ------------------------------------------------------------------ */

#define NPROVIDERS		2000
#define NMEMBERS		20000
#define NGROUPS			300
#define POOL_SEED		UINT64_C(0x636f73746d6f6465)	/* fixed: same people for every seed */

typedef struct provider
{
	uint32_t	num;			/* PRV-NNNNN */
	char		npi[11];
	char		tin[11];		/* "" when the TIN is unknown */
	uint8_t		type;
	int8_t		net;			/* index into networks[], -1 out of network */
} provider;

typedef struct member
{
	uint32_t	num;			/* M + 9 digits */
	uint32_t	subscriber;		/* PFP + 9 digits */
	uint32_t	group;			/* 7 digits */
	uint8_t		rel;			/* 0 self, 1 spouse, 2 child */
	uint8_t		plan;
	uint8_t		zip;
} member;

static const char *const relationships[] = {"self", "spouse", "child"};

typedef struct pools
{
	provider	prov[NPROVIDERS];
	int			by_type[NPROVIDERS];	/* provider indexes grouped by type */
	int			type_start[NPTYPE];
	int			type_count[NPTYPE];
	member		mem[NMEMBERS];
} pools;

/* Fill npi with a 10-digit NPI whose last digit is the Luhn check digit. */
static void
make_npi(gen_rng *r, char *npi)
{
	char		full[16] = "80840";
	int			sum = 0;

	npi[0] = gen_chance(r, 900000) ? '1' : '2';
	for (int i = 1; i < 9; i++)
		npi[i] = (char) ('0' + gen_below(r, 10));
	memcpy(full + 5, npi, 9);
	/* double every second digit, starting with the rightmost payload digit */
	for (int i = 13, dbl = 1; i >= 0; i--, dbl = !dbl)
	{
		int			v = full[i] - '0';

		if (dbl)
			v = v * 2 > 9 ? v * 2 - 9 : v * 2;
		sum += v;
	}
	npi[9] = (char) ('0' + (10 - sum % 10) % 10);
	npi[10] = '\0';
}

/* Build the provider pool; every type gets at least one provider. */
static void
build_providers(pools *p, gen_rng *r)
{
	uint32_t	tw[NPTYPE];
	int			fill[NPTYPE];
	int			at = 0;

	for (int t = 0; t < NPTYPE; t++)
	{
		tw[t] = ptypes[t].weight;
		p->type_count[t] = 0;
	}
	for (int i = 0; i < NPROVIDERS; i++)
	{
		provider   *v = &p->prov[i];

		v->num = 10000 + (uint32_t) (((uint64_t) i * 7919 + 4231) % 90000);
		v->type = (uint8_t) (i < NPTYPE ? i : gen_pick(r, tw, NPTYPE));
		make_npi(r, v->npi);
		v->net = (int8_t) (gen_chance(r, 800000) ? gen_pick(r, network_w, 3) : -1);
		if (gen_chance(r, v->net >= 0 ? 950000 : 600000))
			snprintf(v->tin, sizeof(v->tin), "%02u-%07u",
					 10 + gen_below(r, 89), gen_below(r, 10000000));
		else
			v->tin[0] = '\0';
		p->type_count[v->type]++;
	}
	for (int t = 0; t < NPTYPE; t++)
	{
		p->type_start[t] = at;
		fill[t] = at;
		at += p->type_count[t];
	}
	for (int i = 0; i < NPROVIDERS; i++)
		p->by_type[fill[p->prov[i].type]++] = i;
}

/* Build the member pool: families in employer groups, one plan per family. */
static void
build_members(pools *p, gen_rng *r)
{
	uint32_t	pw[lengthof(plans)];
	uint32_t	size_w[] = {40, 25, 20, 15};
	uint8_t		group_plan[NGROUPS][2];
	uint8_t		group_zip[NGROUPS];
	int			n = 0;

	for (int i = 0; i < lengthof(plans); i++)
		pw[i] = plans[i].weight;
	for (int g = 0; g < NGROUPS; g++)
	{
		group_plan[g][0] = (uint8_t) gen_pick(r, pw, lengthof(plans));
		group_plan[g][1] = (uint8_t) gen_pick(r, pw, lengthof(plans));
		group_zip[g] = (uint8_t) (gen_below(r, lengthof(zips) / 4) * 4);
	}
	for (uint32_t fam = 0; n < NMEMBERS; fam++)
	{
		int			g = (int) gen_below(r, NGROUPS);
		int			size = 1 + gen_pick(r, size_w, 4);
		uint8_t		plan = group_plan[g][gen_below(r, 2)];
		uint8_t		zip = (uint8_t) (group_zip[g] + gen_below(r, 4));

		for (int k = 0; k < size && n < NMEMBERS; k++, n++)
		{
			member	   *m = &p->mem[n];

			m->num = (uint32_t) (((uint64_t) n * 48271 + 10007) % 1000000000);
			m->subscriber = (uint32_t) (((uint64_t) fam * 7919 + 123450000) % 1000000000);
			m->group = (uint32_t) (((uint64_t) g * 7927 + 1000) % 10000000);
			m->rel = (uint8_t) (k == 0 ? 0 : k == 1 ? 1 : 2);
			m->plan = plan;
			m->zip = zip;
		}
	}
}

/* ------------------------------------------------------------------ */
/* 5. Arrival schedule                                                  */
/* ------------------------------------------------------------------ */

/* Relative load by hour of day in US Central time (UTC-6), and weekday. */
static const uint8_t hour_w[24] = {
	2, 1, 1, 1, 1, 2, 5, 12, 30, 45, 50, 48,
	40, 45, 48, 45, 38, 25, 18, 16, 14, 10, 6, 4
};
static const uint8_t weekday_w[7] = {3, 11, 10, 10, 10, 9, 4};	/* Sun..Sat */

/*
 * Spreads count slots over the minutes of the range in proportion to the
 * load pattern: the slots up to minute m are floor((count * W(m) + phase) / W)
 * with W(m) the cumulative weight, W the total and phase a random start in
 * [0, W), so the total is exact and small counts are not all pushed to the
 * end.  Within a minute the milliseconds are random and sorted.
 */
typedef struct sched
{
	int64_t		count;
	int32_t		first_day;
	int64_t		nminutes;
	uint64_t	total_w;
	uint64_t	phase;			/* random start in [0, total_w): systematic sampling */
	int64_t		minute;			/* current minute, from the start */
	uint64_t	cum_w;			/* weight up to and including minute */
	int64_t		assigned;		/* slots up to and including minute */
	int32_t    *offs;			/* sorted ms offsets within the minute */
	int			noffs,
				pos,
				cap;
} sched;

/* Weight of minute m of the range. */
static uint32_t
minute_w(const sched *s, int64_t m)
{
	int32_t		day = s->first_day + (int32_t) (m / 1440);
	int			utc_hour = (int) (m % 1440 / 60);
	int			ct_hour = (utc_hour + 18) % 24;

	return (uint32_t) weekday_w[weekday(day)] * hour_w[ct_hour];
}

/* Compare two ints for qsort. */
static int
cmp_int32(const void *a, const void *b)
{
	int32_t		x = *(const int32_t *) a,
				y = *(const int32_t *) b;

	return (x > y) - (x < y);
}

/* Prepare the schedule; false when out of memory. */
static bool
sched_init(sched *s, gen_rng *r, int64_t count, int32_t first_day, int days)
{
	memset(s, 0, sizeof(*s));
	s->count = count;
	s->first_day = first_day;
	s->nminutes = (int64_t) days * 1440;
	s->minute = -1;
	for (int64_t m = 0; m < s->nminutes; m += 60)
		s->total_w += (uint64_t) minute_w(s, m) * 60;
	s->phase = gen_next(r) % s->total_w;
	s->cap = 64;
	s->offs = malloc(sizeof(int32_t) * s->cap);
	return s->offs != NULL;
}

/* The time of the next slot in epoch milliseconds; -1 when out of memory. */
static int64_t
sched_next(sched *s, gen_rng *r)
{
	while (s->pos >= s->noffs && s->minute + 1 < s->nminutes)
	{
		int64_t		target,
					n;

		s->minute++;
		s->cum_w += minute_w(s, s->minute);
		target = (int64_t) (((uint64_t) s->count * s->cum_w + s->phase) / s->total_w);
		n = target - s->assigned;
		s->assigned = target;
		if (n > s->cap)
		{
			int32_t    *p = realloc(s->offs, sizeof(int32_t) * (size_t) n);

			if (p == NULL)
				return -1;
			s->offs = p;
			s->cap = (int) n;
		}
		for (int i = 0; i < n; i++)
			s->offs[i] = (int32_t) gen_below(r, 60000);
		qsort(s->offs, (size_t) n, sizeof(int32_t), cmp_int32);
		s->noffs = (int) n;
		s->pos = 0;
	}
	if (s->pos >= s->noffs)		/* only if count exceeds the plan: clamp */
		return ((int64_t) s->first_day * 1440 + s->nminutes - 1) * MS_PER_MIN + 59999;
	return ((int64_t) s->first_day * 1440 + s->minute) * MS_PER_MIN + s->offs[s->pos++];
}

/* ------------------------------------------------------------------ */
/* 6. The trace model                                                   */
/* ------------------------------------------------------------------ */

#define MAX_LINES		3
#define MAX_PROVS		3
#define MAX_RESULTS		(MAX_LINES * MAX_PROVS)
#define MAX_EXC			2

enum
{
	SEV_ERROR, SEV_WARNING
};
static const char *const severities[] = {"error", "warning"};

enum
{
	RS_ESTIMATED, RS_NO_ESTIMATE, RS_PARTIAL
};
static const char *const result_statuses[] = {"estimated", "no_estimate", "partial"};

/* How the response part of a trace looks. */
enum
{
	RESP_FULL,					/* results */
	RESP_FAILED,				/* 4xx / 5xx: errors only */
	RESP_TIMEOUT,				/* status, latency and errors only */
	RESP_NULL,					/* "response": null */
	RESP_ABSENT					/* no response key */
};

typedef struct exc
{
	uint8_t		type;
	uint8_t		sev;
	const char *source;
	char		msg[160];
} exc;

typedef struct result
{
	int			line;
	int			prov;			/* index into pools.prov */
	uint8_t		status;
	int8_t		covered;		/* 1, 0, -1 unknown */
	int8_t		inn;			/* 1 in network, 0 out, -1 unknown */
	int8_t		pa;				/* prior authorisation; -1 unknown */
	bool		has_cost;
	int64_t		billed,
				allowed,
				plan_pays,
				total,
				copay,
				coins,
				ded;
	int32_t		rate;			/* coinsurance rate in 1/10000; -1 null */
	int			nexc;
	exc			ex[MAX_EXC];
} result;

typedef struct line
{
	int			code;
	int			pos;
	int			qty;
	int			zip;			/* -1: key absent */
	int			nmods;
	const char *mods[2];
	int			ndx;			/* 0: key absent */
	const char *dx[2];
	int32_t		planned;		/* day number */
	int			nprov;
	int			prov[MAX_PROVS];
} line;

typedef struct trace
{
	char		id[37];
	int64_t		recv;			/* epoch ms */
	int64_t		resp;
	int32_t		day;			/* day number of recv */
	int			year;			/* calendar year of recv: the plan year */
	int			seq;			/* request number within the day */
	int			channel;
	int			member;
	int			status;
	int			latency;
	int			shape;
	int64_t		estimate;
	bool		inn_acc,
				oon_acc;		/* accumulator blocks present */
	int64_t		inn_ded_met,
				inn_oop_met,
				oon_ded_met,
				oon_oop_met;
	int			nlines;
	line		lines[MAX_LINES];
	int			nres;
	result		res[MAX_RESULTS];
	int			nerr;
	exc			err[1];
	/* for malformed lines */
	bool		omit_id;
	bool		omit_services;
} trace;

/* The whole generator state. */
typedef struct gen
{
	const gen_traces_opts *o;
	gen_rng		r;
	pools	   *pl;
	sched		sc;
	int32_t		first_day;
	int32_t		spike_day;
	uint32_t	code_w[NCODES];
	uint32_t	cat_w[NCATS][NCODES];	/* code weights within a category */
	gbuf		out;
	int64_t		estimate_seq;
	int32_t		seq_day;
	int			seq;
} gen;

static void set_exc(exc *e, int type, int sev, const char *source,
					const char *fmt,...) __attribute__((format(printf, 5, 6)));

/* Set an exception's fields; the message is printf-formatted. */
static void
set_exc(exc *e, int type, int sev, const char *source, const char *fmt,...)
{
	va_list		ap;

	e->type = (uint8_t) type;
	e->sev = (uint8_t) sev;
	e->source = source;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

/* A facility suffix for a few messages, " at Café Clinic", else "". */
static const char *
facility_suffix(gen *g, char *buf, size_t size)
{
	if (!gen_chance(&g->r, 40000))
		return "";
	snprintf(buf, size, " at %s",
			 facilities[gen_below(&g->r, lengthof(facilities))]);
	return buf;
}

/* Write a version-4 UUID from the random stream. */
static void
make_uuid(gen_rng *r, char *out)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t	hi = gen_next(r),
				lo = gen_next(r);
	int			k = 0;

	hi = (hi & ~UINT64_C(0xF000)) | UINT64_C(0x4000);
	lo = (lo & ~(UINT64_C(0xC) << 60)) | (UINT64_C(0x8) << 60);
	for (int i = 0; i < 32; i++)
	{
		uint64_t	w = i < 16 ? hi : lo;
		int			shift = 60 - 4 * (i % 16);

		if (i == 8 || i == 12 || i == 16 || i == 20)
			out[k++] = '-';
		out[k++] = hex[(w >> shift) & 15];
	}
	out[k] = '\0';
}

/* Pick a provider of one of the types in who, different from those taken. */
static int
pick_provider(gen *g, uint32_t who, const int *taken, int ntaken)
{
	int			types[NPTYPE];
	int			nt = 0;
	int			p = 0;

	for (int t = 0; t < NPTYPE; t++)
		if (who & B(t))
			types[nt++] = t;
	for (int tries = 0; tries < 8; tries++)
	{
		int			t = types[gen_below(&g->r, (uint32_t) nt)];
		bool		dup = false;

		p = g->pl->by_type[g->pl->type_start[t] +
						   (int) gen_below(&g->r, (uint32_t) g->pl->type_count[t])];
		for (int i = 0; i < ntaken; i++)
			dup |= taken[i] == p;
		if (!dup)
			break;
	}
	return p;
}

/* Fill one request line for a member. */
static void
build_line(gen *g, trace *t, line *l, int prev_code)
{
	gen_rng    *r = &g->r;
	const code_def *c;
	uint32_t	pw[3];
	uint32_t	nprov_w[] = {65, 25, 10};
	int32_t		lead;
	const char *const *dx;

	/* half the follow-up lines stay in the first line's benefit category */
	if (prev_code >= 0 && gen_chance(r, 500000))
	{
		l->code = gen_pick(r, g->cat_w[codes[prev_code].cat], NCODES);
		if (l->code == prev_code)
			l->code = gen_pick(r, g->cat_w[codes[prev_code].cat], NCODES);
	}
	else
		l->code = gen_pick(r, g->code_w, NCODES);
	c = &codes[l->code];
	for (int i = 0; i < 3; i++)
		pw[i] = c->posw[i];
	l->pos = c->pos[gen_pick(r, pw, 3)];
	l->qty = (int) gen_range(r, c->qlo, c->qhi);
	l->zip = gen_chance(r, 900000) ? g->pl->mem[t->member].zip : -1;

	l->nmods = 0;
	switch (c->mods)
	{
		case MOD_GP:
			l->mods[l->nmods++] = "GP";
			break;
		case MOD_25:
			if (gen_chance(r, 80000))
				l->mods[l->nmods++] = "25";
			break;
		case MOD_PROFTECH:
			if (gen_chance(r, 200000))
				l->mods[l->nmods++] = "26";
			else if (gen_chance(r, 100000))
				l->mods[l->nmods++] = "TC";
			break;
		case MOD_SIDE:
			if (gen_chance(r, 900000))
				l->mods[l->nmods++] = gen_below(r, 2) ? "RT" : "LT";
			break;
		case MOD_JW:
			if (gen_chance(r, 150000))
				l->mods[l->nmods++] = "JW";
			break;
		default:
			break;
	}
	if ((l->pos == POS_02 || l->pos == POS_10) && gen_chance(r, 700000))
		l->mods[l->nmods++] = "95";

	dx = dx_sets[c->dx];
	l->ndx = gen_chance(r, c->cat == CAT_LAB ? 700000 : 920000)
		? 1 + (int) gen_chance(r, 250000) : 0;
	l->dx[0] = dx[gen_below(r, 5)];
	l->dx[1] = dx[gen_below(r, 5)];
	if (l->ndx == 2 && l->dx[0] == l->dx[1])
		l->ndx = 1;

	if (c->cat == CAT_EMERGENCY)
		lead = 0;
	else if (gen_chance(r, 20000))
		lead = -(int32_t) gen_range(r, 1, 7);	/* estimate after the fact */
	else
	{
		uint32_t	lw[] = {25, 45, 30};

		switch (gen_pick(r, lw, 3))
		{
			case 0:
				lead = 0;
				break;
			case 1:
				lead = (int32_t) gen_range(r, 1, 14);
				break;
			default:
				lead = (int32_t) gen_range(r, 15, 60);
				break;
		}
	}
	l->planned = t->day + lead;

	l->nprov = 1 + gen_pick(r, nprov_w, 3);
	for (int i = 0; i < l->nprov; i++)
		l->prov[i] = pick_provider(g, c->who, l->prov, i);
}

/* Split allowed into copay, deductible and coinsurance for one result. */
static void
share_cost(const plan_def *p, const code_def *c, bool inn_terms,
		   int64_t ded_left, int64_t oop_left, result *x)
{
	int64_t		copay_amt = 0;
	int32_t		rate = inn_terms ? p->coins : p->oon_coins;

	x->copay = x->coins = x->ded = 0;
	x->rate = -1;
	if (c->cat == CAT_QUALITY || (c->cat == CAT_PREVENTIVE && inn_terms))
		goto done;
	if (inn_terms && strcmp(p->product, "HDHP") != 0)
	{
		if (c->cat == CAT_OFFICE || c->cat == CAT_BH)
			copay_amt = p->copay_pcp;
		else if (c->cat == CAT_PT)
			copay_amt = p->copay_pt;
		else if (c->cat == CAT_EMERGENCY)
			copay_amt = p->copay_er;
	}
	if (ded_left < 0)
		ded_left = 0;
	if (oop_left < 0)
		oop_left = 0;
	if (copay_amt > 0)
	{
		x->copay = copay_amt < x->allowed ? copay_amt : x->allowed;
		if (x->copay > oop_left)
			x->copay = oop_left;
	}
	else
	{
		int64_t		over;

		x->rate = rate;
		x->ded = x->allowed < ded_left ? x->allowed : ded_left;
		x->coins = ((x->allowed - x->ded) * rate + 5000) / 10000;
		over = x->ded + x->coins - oop_left;
		if (over > 0)
		{
			int64_t		cut = over < x->coins ? over : x->coins;

			x->coins -= cut;
			x->ded -= over - cut;
		}
	}
done:
	x->total = x->copay + x->coins + x->ded;
	x->plan_pays = x->allowed - x->total;
}

/* Add an exception to a result, if there is room. */
static exc *
add_exc(result *x)
{
	return x->nexc < MAX_EXC ? &x->ex[x->nexc++] : NULL;
}

/* Decide one result: exceptions first, then the cost. */
static void
build_result(gen *g, trace *t, result *x, bool inn_acc_missing,
			 bool oon_acc_missing)
{
	gen_rng    *r = &g->r;
	const line *l = &t->lines[x->line];
	const code_def *c = &codes[l->code];
	const provider *pv = &g->pl->prov[x->prov];
	const plan_def *p = &plans[g->pl->mem[t->member].plan];
	bool		inn = pv->net >= 0;
	bool		oon_covered = p->oon_ded > 0 || c->cat == CAT_EMERGENCY;
	bool		rate_billed = false;
	bool		error = false;
	uint32_t	rnf = (c->rnf ? c->rnf : RNF_DEFAULT) * 1000u;
	char		fac[64];
	exc		   *e;

	x->status = RS_ESTIMATED;
	x->covered = 1;
	x->inn = inn ? 1 : 0;
	x->pa = gen_chance(r, (uint32_t) c->pa * 1000u) ? 1 : 0;
	x->nexc = 0;

	if ((inn && pv->net == NET_00248 && t->day == g->spike_day &&
		 gen_chance(r, 400000)) || gen_chance(r, 10000))
	{
		e = add_exc(x);
		if (inn)
			set_exc(e, EX_PROVIDER, SEV_ERROR, "provider-directory",
					"Provider PRV-%05u (NPI %s) not found in network %s%s",
					pv->num, pv->npi, networks[pv->net],
					facility_suffix(g, fac, sizeof(fac)));
		else
			set_exc(e, EX_PROVIDER, SEV_ERROR, "provider-directory",
					"NPI %s not found in provider directory", pv->npi);
		x->covered = x->inn = x->pa = -1;
		error = true;
	}
	else if (!inn && !oon_covered)
	{
		set_exc(add_exc(x), EX_BENEFIT, SEV_ERROR, "benefits-svc",
				"Out-of-network services are not covered under %s plan %s",
				p->product, p->plan_id);
		x->covered = 0;
		error = true;
	}
	else if (gen_chance(r, rnf))
	{
		if (gen_chance(r, 850000) || c->sys == SYS_CAT2)
		{
			if (inn)
				set_exc(add_exc(x), EX_RATE, SEV_ERROR, "pricing-engine",
						"No contracted rate for %s under network %s%s",
						c->code, networks[pv->net],
						facility_suffix(g, fac, sizeof(fac)));
			else
				set_exc(add_exc(x), EX_RATE, SEV_ERROR, "pricing-engine",
						"No out-of-network fee schedule amount for %s at POS %s",
						c->code, pos_codes[l->pos]);
			error = true;
		}
		else
		{
			set_exc(add_exc(x), EX_RATE, SEV_WARNING, "pricing-engine",
					"No rate for %s; estimate based on billed charges", c->code);
			rate_billed = true;
			x->status = RS_PARTIAL;
		}
	}
	else if (gen_chance(r, 8000))
	{
		if (gen_below(r, 2))
			set_exc(add_exc(x), EX_BENEFIT, SEV_ERROR, "benefits-svc",
					"Service %s is not covered under plan %s", c->code, p->plan_id);
		else
			set_exc(add_exc(x), EX_BENEFIT, SEV_ERROR, "benefits-svc",
					"No benefit configured for \"%s\" in plan %s",
					categories[c->cat], p->plan_id);
		x->covered = 0;
		error = true;
	}
	else if (gen_chance(r, 8000))
	{
		set_exc(add_exc(x), EX_BENEFIT, SEV_WARNING, "benefits-svc",
				"Benefit \"%s\" visit limit may apply (%d/yr)",
				categories[c->cat], 20 + 10 * (int) gen_below(r, 3));
		x->status = RS_PARTIAL;
	}
	else if (gen_chance(r, 4000))
	{
		set_exc(add_exc(x), EX_OTHER, SEV_ERROR, "pricing-engine",
				"Unexpected pricing-engine error (ref %08x)",
				(unsigned) (gen_next(r) >> 32));
		error = true;
	}
	else if (l->nmods > 0 && gen_chance(r, 20000))
		set_exc(add_exc(x), EX_OTHER, SEV_WARNING, "pricing-engine",
				"Modifier %s ignored for pricing", l->mods[0]);

	if (error)
	{
		x->status = RS_NO_ESTIMATE;
		x->has_cost = false;
		return;
	}

	/* the cost */
	x->has_cost = true;
	if (c->sys == SYS_CAT2)
		x->billed = 0;
	else
		x->billed = gen_range(r, c->lo, c->hi) * l->qty *
			gen_range(r, 85, 120) / 100;
	if (rate_billed)
		x->allowed = x->billed;
	else if (inn)
		x->allowed = x->billed *
			gen_range(r, network_ratio_lo[pv->net], network_ratio_hi[pv->net]) / 10000;
	else
		x->allowed = x->billed * gen_range(r, 4000, 7000) / 10000;

	if (inn || p->oon_ded == 0)
	{
		bool		missing = inn && inn_acc_missing;

		share_cost(p, c, true,
				   missing ? p->ded : p->ded - t->inn_ded_met,
				   missing ? p->oop : p->oop - t->inn_oop_met, x);
		if (missing && (e = add_exc(x)) != NULL)
		{
			set_exc(e, EX_ACCUM, SEV_WARNING, "accumulator-svc",
					"In-network accumulators unavailable; deductible assumed unmet");
			x->status = RS_PARTIAL;
		}
	}
	else
	{
		share_cost(p, c, false,
				   oon_acc_missing ? p->oon_ded : p->oon_ded - t->oon_ded_met,
				   oon_acc_missing ? p->oon_oop : p->oon_oop - t->oon_oop_met, x);
		if (oon_acc_missing && (e = add_exc(x)) != NULL)
			set_exc(e, EX_ACCUM, SEV_WARNING, "accumulator-svc",
					"OON deductible accumulator unavailable");
	}
}

/* Latency of a successful or failed (non-timeout) request, in ms. */
static int
draw_latency(gen_rng *r, int64_t median)
{
	int64_t		v;

	if (gen_chance(r, 30000))	/* slow tail */
		v = gen_lognormal(r, median * 8, 52429);
	else
		v = gen_lognormal(r, median, 49152);
	if (v < 35)
		v = 35 + (int64_t) gen_below(r, 20);
	if (v > 29950)
		v = 29000 + (int64_t) gen_below(r, 950);
	return (int) v;
}

/* Accumulated amount met so far this plan year, rising with the date. */
static int64_t
draw_met(gen_rng *r, int64_t limit, int32_t day)
{
	int			y,
				m,
				d;
	int64_t		doy,
				cap_pm;

	civil_from_days(day, &y, &m, &d);
	doy = day - days_from_civil(y, 1, 1);
	cap_pm = 20 + doy * 1100 / 365;	/* per mille of the limit */
	if (cap_pm > 1000)
		cap_pm = 1000;
	if (gen_chance(r, 200000))
		return 0;
	return limit * (int64_t) gen_below(r, (uint32_t) cap_pm + 1) / 1000 / 100 * 100;
}

/* Build a complete trace for a slot at time recv. */
static void
build_trace(gen *g, trace *t, int64_t recv)
{
	gen_rng    *r = &g->r;
	const member *mb;
	const plan_def *p;
	uint32_t	nlines_w[] = {60, 28, 12};
	uint32_t	roll;
	bool		inn_missing = false,
				oon_missing = false,
				any_oon = false,
				any_error = false;
	int			nres = 0;
	int			month,
				mday;

	memset(t, 0, offsetof(trace, lines));
	t->omit_id = t->omit_services = false;
	make_uuid(r, t->id);
	t->recv = recv;
	t->day = day_of_ms(recv);
	civil_from_days(t->day, &t->year, &month, &mday);
	if (t->day != g->seq_day)
	{
		g->seq_day = t->day;
		g->seq = 0;
	}
	t->seq = ++g->seq;
	t->channel = gen_pick(r, channel_w, lengthof(channel_w));
	t->member = (int) gen_below(r, NMEMBERS);
	mb = &g->pl->mem[t->member];
	p = &plans[mb->plan];

	t->nlines = 1 + gen_pick(r, nlines_w, 3);
	for (int i = 0; i < t->nlines; i++)
		build_line(g, t, &t->lines[i], i > 0 ? t->lines[0].code : -1);

	/* request-level outcome */
	roll = gen_below(r, 1000000);
	t->nerr = 0;
	t->nres = 0;
	if (roll < 15000)
	{
		t->shape = RESP_FAILED;
		t->status = 404;
		t->latency = draw_latency(r, 250);
		set_exc(&t->err[0], EX_MEMBER, SEV_ERROR, "eligibility-svc",
				"Member M%09u not found for plan year %d", mb->num, t->year);
		t->nerr = 1;
	}
	else if (roll < 19000)
	{
		static const char *const why[] = {
			"quantity must be between 1 and 999",
			"planned_date is more than 365 days ahead",
			"service_location is not a valid place-of-service code",
			"at most 3 providers per service line"
		};

		t->shape = RESP_FAILED;
		t->status = 400;
		t->latency = 20 + (int) gen_below(r, 180);
		set_exc(&t->err[0], EX_OTHER, SEV_ERROR, "gateway",
				"Invalid request: %s", why[gen_below(r, lengthof(why))]);
		t->nerr = 1;
	}
	else if (roll < 23000)
	{
		static const int codes5[] = {500, 502, 503};

		t->shape = RESP_FAILED;
		t->status = codes5[gen_below(r, 3)];
		t->latency = draw_latency(r, 1500);
		set_exc(&t->err[0], EX_OTHER, SEV_ERROR, "gateway",
				"Upstream pricing-engine returned HTTP %d", t->status);
		t->nerr = 1;
	}
	else if (roll < 33000)
	{
		static const int shapes[] = {RESP_TIMEOUT, RESP_NULL, RESP_ABSENT};
		uint32_t	shape_w[] = {70, 15, 15};

		t->shape = shapes[gen_pick(r, shape_w, 3)];
		t->status = 504;
		t->latency = 30000 + (int) gen_below(r, 300);
		set_exc(&t->err[0], EX_TIMEOUT, SEV_ERROR, "gateway",
				"Upstream pricing-engine timed out after 30000 ms");
		t->nerr = 1;
	}
	else
		t->shape = RESP_FULL;

	if (t->shape == RESP_FULL)
	{
		for (int i = 0; i < t->nlines; i++)
			for (int k = 0; k < t->lines[i].nprov; k++)
				any_oon |= g->pl->prov[t->lines[i].prov[k]].net < 0;
		inn_missing = gen_chance(r, 5000);
		oon_missing = any_oon && p->oon_ded > 0 && gen_chance(r, 150000);
		t->inn_acc = !inn_missing;
		t->oon_acc = p->oon_ded > 0 && !oon_missing;
		t->inn_ded_met = draw_met(r, p->ded, t->day);
		t->inn_oop_met = t->inn_ded_met + draw_met(r, p->oop - p->ded, t->day) / 2;
		t->oon_ded_met = draw_met(r, p->oon_ded, t->day) / 4 / 100 * 100;
		t->oon_oop_met = t->oon_ded_met;

		for (int i = 0; i < t->nlines; i++)
			for (int k = 0; k < t->lines[i].nprov; k++)
			{
				result	   *x = &t->res[nres++];

				x->line = i;
				x->prov = t->lines[i].prov[k];
				build_result(g, t, x, inn_missing, oon_missing);
				for (int e = 0; e < x->nexc; e++)
					any_error |= x->ex[e].sev == SEV_ERROR;
			}
		t->nres = nres;
		t->status = any_error ? 207 : 200;
		t->latency = draw_latency(r, 440 + 70 * nres);
		t->estimate = 7000000 + ++g->estimate_seq;
	}
	t->resp = t->recv + t->latency;
}

/* ------------------------------------------------------------------ */
/* 7. Serialisation and the messy forms                                 */
/* ------------------------------------------------------------------ */

#define MESSY_PPM		100000	/* share of traces with messy forms */

/* Kinds of messiness; a messy trace carries one to three of them. */
enum
{
	M_AMOUNT = 1 << 0,			/* amounts as strings, "" / "N/A" for null */
	M_RATE = 1 << 1,			/* coinsurance_rate as 0.4, 40 or "40%" */
	M_BOOL = 1 << 2,			/* "true", "Y", "yes", 1 and opposites */
	M_TIME = 1 << 3,			/* offsets, date only, epoch ms, MM/DD/YYYY */
	M_NETWORK = 1 << 4,			/* network_status spellings, key absent */
	M_EXCTYPE = 1 << 5,			/* exception type spellings, bare strings */
	M_OBJARRAY = 1 << 6,		/* a single object where an array belongs */
	M_STRNUM = 1 << 7,			/* status_code "200", numbers as strings */
	M_EXTRA = 1 << 8,			/* unknown extra keys */
	M_SPARSE = 1 << 9			/* null and zero keys left out */
};

/* The writer of one document: where, the stream, and the messiness chosen. */
typedef struct emit
{
	gbuf	   *b;
	gen_rng    *r;
	uint32_t	kinds;
	uint32_t	used;
} emit;

/* Should this value be messy?  The first chance of a kind always is. */
static bool
mess(emit *e, uint32_t kind)
{
	if (!(e->kinds & kind))
		return false;
	if (!(e->used & kind))
	{
		e->used |= kind;
		return true;
	}
	return gen_chance(e->r, 500000);
}

/* Start a key in an object; *n counts the keys written so far. */
static inline void
key_(gbuf *b, int *n, const char *k, size_t len)
{
	if ((*n)++)
		GB_LIT(b, ", ");
	gb_mem(b, k, len);
}

#define KEY(e, n, k)	key_((e)->b, (n), "\"" k "\": ", sizeof("\"" k "\": ") - 1)

/* A money amount: 148.36, or messy "148.36" / "$1,148.36". */
static void
v_money(emit *e, int64_t cents)
{
	if (!mess(e, M_AMOUNT))
	{
		gb_cents(e->b, cents);
		return;
	}
	gb_ch(e->b, '"');
	if (gen_below(e->r, 2))
	{
		gb_ch(e->b, '$');
		gb_cents_grouped(e->b, cents);
	}
	else
		gb_cents(e->b, cents);
	gb_ch(e->b, '"');
}

/* An absent amount: null, or messy "" / "N/A". */
static void
v_money_null(emit *e)
{
	if (!mess(e, M_AMOUNT))
		GB_LIT(e->b, "null");
	else if (gen_below(e->r, 2))
		GB_LIT(e->b, "\"\"");
	else
		GB_LIT(e->b, "\"N/A\"");
}

/* A boolean (v < 0: null), or one of its messy spellings. */
static void
v_bool(emit *e, int v)
{
	static const char *const yes[] = {"\"true\"", "\"Y\"", "\"yes\"", "1"};
	static const char *const no[] = {"\"false\"", "\"N\"", "\"no\"", "0"};

	if (v < 0)
		GB_LIT(e->b, "null");
	else if (mess(e, M_BOOL))
		gb_str(e->b, (v ? yes : no)[gen_below(e->r, 4)]);
	else if (v)
		GB_LIT(e->b, "true");
	else
		GB_LIT(e->b, "false");
}

/* A rate in 1/10000 (-1: null): 0.40, or messy 0.4 / 40 / "40%". */
static void
v_rate(emit *e, int32_t bp)
{
	gbuf	   *b = e->b;

	if (bp < 0)
	{
		GB_LIT(b, "null");
		return;
	}
	if (!mess(e, M_RATE))
	{
		gb_pad(b, (uint64_t) (bp / 10000), 1);
		gb_ch(b, '.');
		gb_pad(b, (uint64_t) (bp % 10000 / 100), 2);
		return;
	}
	switch (gen_below(e->r, 3))
	{
		case 0:					/* shortest decimal */
			gb_pad(b, (uint64_t) (bp / 10000), 1);
			if (bp % 10000)
			{
				int			frac = bp % 10000;
				int			width = 4;

				while (frac % 10 == 0)
				{
					frac /= 10;
					width--;
				}
				gb_ch(b, '.');
				gb_pad(b, (uint64_t) frac, width);
			}
			break;
		case 1:					/* percent as a number */
			gb_pad(b, (uint64_t) (bp / 100), 1);
			break;
		default:				/* percent as text */
			gb_ch(b, '"');
			gb_pad(b, (uint64_t) (bp / 100), 1);
			GB_LIT(b, "%\"");
			break;
	}
}

/* An instant: "2025-03-04T14:22:05.123Z", or one of the messy forms. */
static void
v_ts(emit *e, int64_t ms)
{
	static const int offsets[] = {-300, -360, -420, -480, -240};
	gbuf	   *b = e->b;

	if (!mess(e, M_TIME))
	{
		gb_ch(b, '"');
		gb_iso(b, ms, 0, true, true);
		gb_ch(b, '"');
		return;
	}
	switch (gen_below(e->r, 5))
	{
		case 0:
			gb_ch(b, '"');
			gb_iso(b, ms, offsets[gen_below(e->r, lengthof(offsets))], false, true);
			gb_ch(b, '"');
			break;
		case 1:
			gb_ch(b, '"');
			gb_iso(b, ms, 0, true, false);
			gb_ch(b, '"');
			break;
		case 2:
			gb_ch(b, '"');
			gb_date(b, day_of_ms(ms), false);
			gb_ch(b, '"');
			break;
		case 3:
			gb_int(b, ms);
			break;
		default:
			gb_ch(b, '"');
			gb_us_date(b, day_of_ms(ms));
			gb_ch(b, '"');
			break;
	}
}

/* A date: "2025-03-18", or one of the messy forms. */
static void
v_date(emit *e, int32_t day)
{
	gbuf	   *b = e->b;

	if (!mess(e, M_TIME))
	{
		gb_ch(b, '"');
		gb_date(b, day, false);
		gb_ch(b, '"');
		return;
	}
	switch (gen_below(e->r, 4))
	{
		case 0:
			gb_ch(b, '"');
			gb_us_date(b, day);
			gb_ch(b, '"');
			break;
		case 1:
			gb_int(b, (int64_t) day * MS_PER_DAY);
			break;
		case 2:
			gb_ch(b, '"');
			gb_iso(b, (int64_t) day * MS_PER_DAY, 0, true, false);
			gb_ch(b, '"');
			break;
		default:
			gb_ch(b, '"');
			gb_date(b, day, false);
			GB_LIT(b, "T00:00:00-05:00\"");
			break;
	}
}

/* A whole number, or messy as a string. */
static void
v_num(emit *e, int64_t v)
{
	if (mess(e, M_STRNUM))
	{
		gb_ch(e->b, '"');
		gb_int(e->b, v);
		gb_ch(e->b, '"');
	}
	else
		gb_int(e->b, v);
}

/* Maybe add an unknown key to the object being written. */
static void
extra(emit *e, int *n)
{
	gbuf	   *b = e->b;

	if (!mess(e, M_EXTRA))
		return;
	switch (gen_below(e->r, 4))
	{
		case 0:
			KEY(e, n, "debug");
			GB_LIT(b, "{\"node\": \"ce-api-");
			gb_pad(b, 1 + gen_below(e->r, 12), 1);
			GB_LIT(b, "\", \"cache\": \"");
			gb_str(b, gen_below(e->r, 3) ? "miss" : "hit");
			GB_LIT(b, "\", \"timings_ms\": {\"eligibility\": ");
			gb_pad(b, 20 + gen_below(e->r, 200), 1);
			GB_LIT(b, ", \"pricing\": ");
			gb_pad(b, 100 + gen_below(e->r, 2000), 1);
			GB_LIT(b, "}}");
			break;
		case 1:
			KEY(e, n, "x_trace_flags");
			gb_str(b, gen_below(e->r, 2) ? "[\"sampled\", \"retry-safe\"]"
				   : "[\"canary\"]");
			break;
		case 2:
			KEY(e, n, "_ingest");
			GB_LIT(b, "{\"pipeline\": \"kafka-bridge\", \"offset\": ");
			gb_pad(b, gen_below(e->r, 100000000), 1);
			GB_LIT(b, ", \"partition\": ");
			gb_pad(b, gen_below(e->r, 16), 1);
			gb_ch(b, '}');
			break;
		default:
			KEY(e, n, "x_vendor_note");
			GB_LIT(b, "\"migrated from estimator v0.9\"");
			break;
	}
}

/* One exception or error: an object, or (when allowed) a bare string. */
static void
v_exc(emit *e, const exc *x, bool allow_bare)
{
	const extype_def *t = &extypes[x->type];
	gbuf	   *b = e->b;
	bool		drift = mess(e, M_EXCTYPE);
	int			n = 0;

	if (drift && allow_bare && gen_chance(e->r, 350000))
	{
		gb_q(b, gen_below(e->r, 2) ? t->name : t->lower);
		return;
	}
	gb_ch(b, '{');
	KEY(e, &n, "type");
	if (!drift)
		gb_q(b, t->name);
	else
		switch (gen_below(e->r, 3))
		{
			case 0:
				gb_q(b, t->code);
				break;
			case 1:
				gb_q(b, t->lower);
				break;
			default:
				gb_q(b, t->title);
				break;
		}
	KEY(e, &n, "code");
	gb_q(b, t->code);
	KEY(e, &n, "severity");
	gb_q(b, severities[x->sev]);
	KEY(e, &n, "message");
	gb_jstr(b, x->msg);
	KEY(e, &n, "source");
	gb_q(b, x->source);
	gb_ch(b, '}');
}

/* A list of exceptions: an array, or messy a lone object for one. */
static void
v_exc_list(emit *e, const exc *x, int nx)
{
	if (nx == 1 && mess(e, M_OBJARRAY))
	{
		v_exc(e, x, false);
		return;
	}
	gb_ch(e->b, '[');
	for (int i = 0; i < nx; i++)
	{
		if (i)
			GB_LIT(e->b, ", ");
		v_exc(e, &x[i], true);
	}
	gb_ch(e->b, ']');
}

/* One provider object of a request line. */
static void
emit_provider(emit *e, const provider *v)
{
	gbuf	   *b = e->b;
	bool		sparse = e->kinds & M_SPARSE;
	int			n = 0;

	gb_ch(b, '{');
	KEY(e, &n, "provider_id");
	GB_LIT(b, "\"PRV-");
	gb_pad(b, v->num, 5);
	gb_ch(b, '"');
	KEY(e, &n, "npi");
	gb_q(b, v->npi);
	if (v->tin[0] || !sparse)
	{
		KEY(e, &n, "tin");
		if (v->tin[0])
			gb_q(b, v->tin);
		else
			GB_LIT(b, "null");
	}
	KEY(e, &n, "provider_type");
	gb_q(b, ptypes[v->type].name);
	KEY(e, &n, "taxonomy");
	gb_q(b, ptypes[v->type].taxonomy);
	if (v->net >= 0 || !sparse)
	{
		KEY(e, &n, "network_id");
		if (v->net >= 0)
			gb_q(b, networks[v->net]);
		else
			GB_LIT(b, "null");
	}
	extra(e, &n);
	gb_ch(b, '}');
}

/* One request line (a service) with its providers. */
static void
emit_line(gen *g, emit *e, const line *l, int line_id)
{
	const code_def *c = &codes[l->code];
	gbuf	   *b = e->b;
	int			n = 0;

	gb_ch(b, '{');
	KEY(e, &n, "line_id");
	gb_pad(b, (uint64_t) line_id, 1);
	KEY(e, &n, "service_code");
	gb_q(b, c->code);
	KEY(e, &n, "code_system");
	gb_q(b, code_systems[c->sys]);
	KEY(e, &n, "modifiers");
	gb_ch(b, '[');
	for (int i = 0; i < l->nmods; i++)
	{
		if (i)
			GB_LIT(b, ", ");
		gb_q(b, l->mods[i]);
	}
	gb_ch(b, ']');
	KEY(e, &n, "quantity");
	v_num(e, l->qty);
	KEY(e, &n, "service_location");
	gb_q(b, pos_codes[l->pos]);
	if (l->zip >= 0)
	{
		KEY(e, &n, "place_zip");
		gb_q(b, zips[l->zip]);
	}
	if (l->ndx > 0)
	{
		KEY(e, &n, "diagnosis_codes");
		gb_ch(b, '[');
		for (int i = 0; i < l->ndx; i++)
		{
			if (i)
				GB_LIT(b, ", ");
			gb_q(b, l->dx[i]);
		}
		gb_ch(b, ']');
	}
	KEY(e, &n, "planned_date");
	v_date(e, l->planned);
	KEY(e, &n, "providers");
	if (l->nprov == 1 && mess(e, M_OBJARRAY))
		emit_provider(e, &g->pl->prov[l->prov[0]]);
	else
	{
		gb_ch(b, '[');
		for (int i = 0; i < l->nprov; i++)
		{
			if (i)
				GB_LIT(b, ", ");
			emit_provider(e, &g->pl->prov[l->prov[i]]);
		}
		gb_ch(b, ']');
	}
	gb_ch(b, '}');
}

/* The request object. */
static void
emit_request(gen *g, emit *e, const trace *t)
{
	const member *mb = &g->pl->mem[t->member];
	const plan_def *p = &plans[mb->plan];
	gbuf	   *b = e->b;
	int			n = 0,
				nm = 0,
				np = 0;

	gb_ch(b, '{');
	KEY(e, &n, "request_id");
	GB_LIT(b, "\"CE-");
	gb_date(b, t->day, true);
	gb_ch(b, '-');
	gb_pad(b, (uint64_t) t->seq, 6);
	gb_ch(b, '"');
	KEY(e, &n, "received_at");
	v_ts(e, t->recv);
	KEY(e, &n, "channel");
	gb_q(b, channels[t->channel]);

	KEY(e, &n, "member");
	gb_ch(b, '{');
	KEY(e, &nm, "member_id");
	GB_LIT(b, "\"M");
	gb_pad(b, mb->num, 9);
	gb_ch(b, '"');
	KEY(e, &nm, "subscriber_id");
	GB_LIT(b, "\"PFP");
	gb_pad(b, mb->subscriber, 9);
	gb_ch(b, '"');
	KEY(e, &nm, "relationship");
	gb_q(b, relationships[mb->rel]);
	KEY(e, &nm, "plan");
	gb_ch(b, '{');
	KEY(e, &np, "plan_id");
	gb_q(b, p->plan_id);
	KEY(e, &np, "group_id");
	gb_ch(b, '"');
	gb_pad(b, mb->group, 7);
	gb_ch(b, '"');
	KEY(e, &np, "product_type");
	gb_q(b, p->product);
	KEY(e, &np, "plan_year");
	v_num(e, t->year);
	GB_LIT(b, "}}");

	if (!t->omit_services)
	{
		KEY(e, &n, "services");
		gb_ch(b, '[');
		for (int i = 0; i < t->nlines; i++)
		{
			if (i)
				GB_LIT(b, ", ");
			emit_line(g, e, &t->lines[i], i + 1);
		}
		gb_ch(b, ']');
	}
	extra(e, &n);
	gb_ch(b, '}');
}

/* One accumulator block: deductible and out-of-pocket, individual. */
static void
emit_accum(emit *e, int64_t ded, int64_t ded_met, int64_t oop, int64_t oop_met)
{
	GB_LIT(e->b, "{\"deductible\": {\"individual\": {\"limit\": ");
	v_money(e, ded);
	GB_LIT(e->b, ", \"met\": ");
	v_money(e, ded_met);
	GB_LIT(e->b, "}}, \"out_of_pocket\": {\"individual\": {\"limit\": ");
	v_money(e, oop);
	GB_LIT(e->b, ", \"met\": ");
	v_money(e, oop_met);
	GB_LIT(e->b, "}}}");
}

/* The coverage object of a result. */
static void
emit_coverage(emit *e, const result *x, const code_def *c)
{
	static const char *const inn_drift[] = {"innetwork", "INN", "In-Network", "in_network"};
	static const char *const oon_drift[] = {"out-of-network", "OON", "OutOfNetwork", "out_of_network"};
	gbuf	   *b = e->b;
	bool		sparse = e->kinds & M_SPARSE;
	int			n = 0;

	gb_ch(b, '{');
	if (x->covered >= 0 || !sparse)
	{
		KEY(e, &n, "covered");
		v_bool(e, x->covered);
	}
	if (x->inn < 0)
	{
		if (!sparse)
		{
			KEY(e, &n, "network_status");
			GB_LIT(b, "null");
		}
	}
	else if (!mess(e, M_NETWORK))
	{
		KEY(e, &n, "network_status");
		gb_str(b, x->inn ? "\"in_network\"" : "\"out_of_network\"");
	}
	else if (gen_chance(e->r, 750000))
	{
		KEY(e, &n, "network_status");
		gb_q(b, (x->inn ? inn_drift : oon_drift)[gen_below(e->r, 4)]);
	}
	KEY(e, &n, "benefit_category");
	gb_q(b, categories[c->cat]);
	if (x->pa >= 0 || !sparse)
	{
		KEY(e, &n, "prior_auth_required");
		v_bool(e, x->pa);
	}
	gb_ch(b, '}');
}

/* The cost and patient_responsibility keys of a result. */
static void
emit_cost(emit *e, int *n, const result *x)
{
	gbuf	   *b = e->b;
	bool		sparse = e->kinds & M_SPARSE;
	int			nc = 0,
				np = 0;

	KEY(e, n, "cost");
	if (!x->has_cost)
		GB_LIT(b, "null");
	else
	{
		gb_ch(b, '{');
		KEY(e, &nc, "billed_amount");
		v_money(e, x->billed);
		KEY(e, &nc, "allowed_amount");
		v_money(e, x->allowed);
		if (x->inn || !sparse)
		{
			KEY(e, &nc, "in_network_estimate");
			if (x->inn)
				v_money(e, x->allowed);
			else
				v_money_null(e);
		}
		if (!x->inn || !sparse)
		{
			KEY(e, &nc, "out_of_network_estimate");
			if (!x->inn)
				v_money(e, x->allowed);
			else
				v_money_null(e);
		}
		KEY(e, &nc, "plan_pays");
		v_money(e, x->plan_pays);
		if ((e->kinds & M_AMOUNT) && gen_chance(e->r, 150000))
		{
			KEY(e, &nc, "adjustment_amount");
			GB_LIT(b, "\"(");
			gb_cents(b, gen_range(e->r, 100, 2500));
			GB_LIT(b, ")\"");
		}
		gb_ch(b, '}');
	}

	KEY(e, n, "patient_responsibility");
	if (!x->has_cost)
	{
		GB_LIT(b, "null");
		return;
	}
	gb_ch(b, '{');
	KEY(e, &np, "total");
	v_money(e, x->total);
	if (x->copay || !sparse)
	{
		KEY(e, &np, "copay");
		v_money(e, x->copay);
	}
	if (x->coins || !sparse)
	{
		KEY(e, &np, "coinsurance");
		v_money(e, x->coins);
	}
	if (x->rate >= 0 || !sparse)
	{
		KEY(e, &np, "coinsurance_rate");
		v_rate(e, x->rate);
	}
	KEY(e, &np, "deductible");
	v_money(e, x->ded);
	gb_ch(b, '}');
}

/* One result object. */
static void
emit_result(gen *g, emit *e, const trace *t, const result *x)
{
	const line *l = &t->lines[x->line];
	const code_def *c = &codes[l->code];
	gbuf	   *b = e->b;
	int			n = 0;

	gb_ch(b, '{');
	KEY(e, &n, "line_id");
	gb_pad(b, (uint64_t) x->line + 1, 1);
	KEY(e, &n, "service_code");
	gb_q(b, c->code);
	KEY(e, &n, "service_location");
	gb_q(b, pos_codes[l->pos]);
	KEY(e, &n, "provider_id");
	GB_LIT(b, "\"PRV-");
	gb_pad(b, g->pl->prov[x->prov].num, 5);
	gb_ch(b, '"');
	KEY(e, &n, "result_status");
	gb_q(b, result_statuses[x->status]);
	KEY(e, &n, "coverage");
	emit_coverage(e, x, c);
	emit_cost(e, &n, x);
	KEY(e, &n, "exceptions");
	v_exc_list(e, x->ex, x->nexc);
	extra(e, &n);
	gb_ch(b, '}');
}

/* The response object (not for RESP_NULL / RESP_ABSENT). */
static void
emit_response(gen *g, emit *e, const trace *t)
{
	const plan_def *p = &plans[g->pl->mem[t->member].plan];
	gbuf	   *b = e->b;
	int			n = 0;

	gb_ch(b, '{');
	if (t->shape != RESP_TIMEOUT)
	{
		KEY(e, &n, "responded_at");
		v_ts(e, t->resp);
	}
	KEY(e, &n, "status_code");
	v_num(e, t->status);
	KEY(e, &n, "latency_ms");
	v_num(e, t->latency);
	if (t->shape == RESP_FULL)
	{
		int			na = 0;

		KEY(e, &n, "estimate_id");
		GB_LIT(b, "\"EST-");
		gb_pad(b, (uint64_t) t->estimate, 7);
		gb_ch(b, '"');
		KEY(e, &n, "accumulators");
		gb_ch(b, '{');
		KEY(e, &na, "as_of");
		v_date(e, t->day);
		if (t->inn_acc)
		{
			KEY(e, &na, "in_network");
			emit_accum(e, p->ded, t->inn_ded_met, p->oop, t->inn_oop_met);
		}
		if (t->oon_acc)
		{
			KEY(e, &na, "out_of_network");
			emit_accum(e, p->oon_ded, t->oon_ded_met, p->oon_oop, t->oon_oop_met);
		}
		gb_ch(b, '}');
		KEY(e, &n, "results");
		gb_ch(b, '[');
		for (int i = 0; i < t->nres; i++)
		{
			if (i)
				GB_LIT(b, ", ");
			emit_result(g, e, t, &t->res[i]);
		}
		gb_ch(b, ']');
	}
	KEY(e, &n, "errors");
	v_exc_list(e, t->err, t->nerr);
	extra(e, &n);
	gb_ch(b, '}');
}

/* The whole document, without the final newline. */
static void
emit_trace(gen *g, const trace *t, uint32_t kinds)
{
	emit		em = {&g->out, &g->r, kinds, 0};
	emit	   *e = &em;
	int			n = 0;

	gb_ch(e->b, '{');
	if (!t->omit_id)
	{
		KEY(e, &n, "trace_id");
		gb_q(e->b, t->id);
	}
	KEY(e, &n, "schema_version");
	GB_LIT(e->b, "\"1.0\"");
	KEY(e, &n, "source_system");
	GB_LIT(e->b, "\"cost-estimator-api\"");
	KEY(e, &n, "request");
	emit_request(g, e, t);
	if (t->shape == RESP_NULL)
	{
		KEY(e, &n, "response");
		GB_LIT(e->b, "null");
	}
	else if (t->shape != RESP_ABSENT)
	{
		KEY(e, &n, "response");
		emit_response(g, e, t);
	}
	extra(e, &n);
	gb_ch(e->b, '}');
}

/* Choose the messy forms for a trace: none for most, one to three for some. */
static uint32_t
choose_mess(gen *g, const trace *t)
{
	uint32_t	cand[10];
	uint32_t	count_w[] = {70, 22, 8};
	uint32_t	kinds = 0;
	int			nc = 0,
				nk;
	bool		any_exc = t->nerr > 0,
				any_rate = false,
				any_cost = false;

	if (!gen_chance(&g->r, MESSY_PPM))
		return 0;
	for (int i = 0; i < t->nres; i++)
	{
		any_exc |= t->res[i].nexc > 0;
		any_cost |= t->res[i].has_cost;
		any_rate |= t->res[i].has_cost && t->res[i].rate >= 0;
	}
	cand[nc++] = M_TIME;
	cand[nc++] = M_STRNUM;
	cand[nc++] = M_EXTRA;
	cand[nc++] = M_OBJARRAY;
	if (t->shape == RESP_FULL)
		cand[nc++] = M_AMOUNT;
	if (any_rate)
		cand[nc++] = M_RATE;
	if (t->nres > 0)
	{
		cand[nc++] = M_BOOL;
		cand[nc++] = M_NETWORK;
	}
	if (any_cost)
		cand[nc++] = M_SPARSE;
	if (any_exc && t->shape != RESP_NULL && t->shape != RESP_ABSENT)
		cand[nc++] = M_EXCTYPE;
	nk = 1 + gen_pick(&g->r, count_w, 3);
	for (int i = 0; i < nk; i++)
		kinds |= cand[gen_below(&g->r, (uint32_t) nc)];
	return kinds;
}

/* ------------------------------------------------------------------ */
/* 8. Client retries and malformed lines                                */
/* ------------------------------------------------------------------ */

#define DUPLICATE_PPM	10000	/* share of lines later emitted again */
#define MALFORMED_PPM	1000	/* share of lines that are malformed */
#define MAX_PENDING		256
#define RETRY_DELAY		200		/* a retry comes within this many lines */

/* A line waiting to be emitted again as a client retry. */
typedef struct pending
{
	char	   *data;
	size_t		len;
	int64_t		due;			/* output line number */
} pending;

/* Write one malformed line for the slot at time recv. */
static void
emit_malformed(gen *g, trace *t, int64_t recv)
{
	gbuf	   *b = &g->out;
	size_t		start = b->len;

	switch (gen_below(&g->r, 6))
	{
		case 0:					/* truncated: cut mid-document, on a UTF-8 boundary */
			{
				size_t		len,
							cut;

				build_trace(g, t, recv);
				emit_trace(g, t, 0);
				len = b->len - start;
				cut = start + (size_t) gen_range(&g->r, 10, (int64_t) len - 2);
				while (cut > start && b->oom == false &&
					   ((unsigned char) b->p[cut] & 0xC0) == 0x80)
					cut--;
				if (!b->oom)
					b->len = cut;
				break;
			}
		case 1:					/* a bare array around a trace */
			gb_ch(b, '[');
			build_trace(g, t, recv);
			emit_trace(g, t, 0);
			gb_ch(b, ']');
			break;
		case 2:					/* a bare string */
			{
				char		msg[96];

				build_trace(g, t, recv);
				snprintf(msg, sizeof(msg), "%s: upstream connection reset, see gateway log",
						 t->id);
				gb_jstr(b, msg);
				break;
			}
		case 3:					/* no trace_id */
			build_trace(g, t, recv);
			t->omit_id = true;
			emit_trace(g, t, 0);
			break;
		case 4:					/* no request.services */
			build_trace(g, t, recv);
			t->omit_services = true;
			emit_trace(g, t, 0);
			break;
		default:				/* not JSON at all */
			switch (gen_below(&g->r, 3))
			{
				case 0:
					GB_LIT(b, "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>");
					break;
				case 1:
					gb_date(b, day_of_ms(recv), false);
					GB_LIT(b, " ERROR [ce-api] java.net.SocketException: Connection reset (trace dropped)");
					break;
				default:
					GB_LIT(b, "trace_id=");
					make_uuid(&g->r, t->id);
					gb_str(b, t->id);
					GB_LIT(b, " status=504 body=<empty>");
					break;
			}
			break;
	}
	gb_ch(b, '\n');
}

/* ------------------------------------------------------------------ */
/* 9. Driver                                                            */
/* ------------------------------------------------------------------ */

/* Hand the buffered lines to the writer; false if it failed. */
static bool
flush_out(gbuf *b, gen_write_fn write, void *arg)
{
	bool		ok = b->len == 0 || write(arg, b->p, b->len);

	b->len = 0;
	return ok;
}

/* Generate opts->count lines and pass them to write(arg, ...). */
gen_traces_status
gen_traces_run(const gen_traces_opts *opts, gen_write_fn write, void *arg)
{
	gen		   *g = calloc(1, sizeof(gen));
	pools	   *pl = malloc(sizeof(pools));
	trace	   *t = malloc(sizeof(trace));
	pending		pend[MAX_PENDING];
	int			npend = 0;
	gen_rng		pool_rng;
	gen_traces_status status = GEN_TRACES_OK;

	if (g == NULL || pl == NULL || t == NULL)
	{
		free(g);
		free(pl);
		free(t);
		return GEN_TRACES_NO_MEMORY;
	}
	g->o = opts;
	g->pl = pl;
	gen_rng_seed(&pool_rng, POOL_SEED);
	build_providers(pl, &pool_rng);
	build_members(pl, &pool_rng);
	for (int i = 0; i < NCODES; i++)
	{
		g->code_w[i] = codes[i].weight;
		g->cat_w[codes[i].cat][i] = codes[i].weight;
	}
	gen_rng_seed(&g->r, opts->seed);
	g->first_day = days_from_civil(opts->start_year, opts->start_month,
								   opts->start_day);
	g->spike_day = g->first_day + (opts->days > 9 ? 9 : opts->days / 2);
	g->seq_day = INT32_MIN;
	if (!sched_init(&g->sc, &g->r, opts->count, g->first_day, opts->days) ||
		!gb_grow(&g->out, GB_INITIAL))
		status = GEN_TRACES_NO_MEMORY;

	for (int64_t i = 0; i < opts->count && status == GEN_TRACES_OK; i++)
	{
		int64_t		recv = sched_next(&g->sc, &g->r);
		size_t		start = g->out.len;
		int			due = -1;

		if (recv < 0)
		{
			status = GEN_TRACES_NO_MEMORY;
			break;
		}
		for (int k = 0; k < npend && due < 0; k++)
			if (pend[k].due <= i)
				due = k;

		if (due >= 0)
		{
			gb_mem(&g->out, pend[due].data, pend[due].len);
			free(pend[due].data);
			pend[due] = pend[--npend];
		}
		else if (!opts->clean && gen_chance(&g->r, MALFORMED_PPM))
			emit_malformed(g, t, recv);
		else
		{
			build_trace(g, t, recv);
			emit_trace(g, t, opts->clean ? 0 : choose_mess(g, t));
			gb_ch(&g->out, '\n');
			if (!opts->clean && npend < MAX_PENDING &&
				gen_chance(&g->r, DUPLICATE_PPM) && !g->out.oom)
			{
				size_t		len = g->out.len - start;
				char	   *copy = malloc(len);

				if (copy != NULL)
				{
					memcpy(copy, g->out.p + start, len);
					pend[npend].data = copy;
					pend[npend].len = len;
					pend[npend].due = i + 1 + gen_below(&g->r, RETRY_DELAY);
					npend++;
				}
			}
		}
		if (g->out.oom)
			status = GEN_TRACES_NO_MEMORY;
		else if (g->out.len >= GB_FLUSH_AT && !flush_out(&g->out, write, arg))
			status = GEN_TRACES_WRITE_FAILED;
	}
	if (status == GEN_TRACES_OK && !flush_out(&g->out, write, arg))
		status = GEN_TRACES_WRITE_FAILED;

	for (int k = 0; k < npend; k++)
		free(pend[k].data);
	free(g->sc.offs);
	free(g->out.p);
	free(t);
	free(pl);
	free(g);
	return status;
}
