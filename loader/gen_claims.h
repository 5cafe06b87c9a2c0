/*
 * gen_claims.h
 *    The "claims" subcommand of costmodel-gen: billing-system claims exports
 *    in four inconsistent layouts, with a few deliberately bad rows and a
 *    manifest that accounts for every row.  Also the claim model that the
 *    "experience" subcommand uses for its canonical claims.csv.
 */
#ifndef GEN_CLAIMS_H
#define GEN_CLAIMS_H

#include "gen_common.h"

/* Claim statuses, in the canonical spelling order of claims.status. */
typedef enum gen_claim_status
{
	CST_SUBMITTED = 0,
	CST_PENDING,
	CST_APPROVED,
	CST_PAID,
	CST_PARTIALLY_PAID,
	CST_DENIED,
	CST_ADJUSTED,
	CST_VOIDED,
	CST_COUNT
} gen_claim_status;

/* Claim types, as in claims.claim_type. */
typedef enum gen_claim_type
{
	CT_MEDICAL = 0,
	CT_PHARMACY,
	CT_PREVENTIVE
} gen_claim_type;

/* One claim, before it is written in some layout. */
typedef struct gen_claim
{
	int64_t		member;			/* member number (0-based) */
	int			provider;		/* provider number (0-based) */
	int			payer;			/* index in the payer list */
	int			proc;			/* index in the procedure catalogue */
	int			dx;				/* index in the diagnosis list */
	gen_claim_type type;
	int32_t		service_day;
	int64_t		amount;			/* billed, cents */
	int64_t		paid;			/* cents; -1 for NULL (not adjudicated) */
	gen_claim_status status;
	int			denial;			/* index in the denial reasons, or -1 */
	int64_t		adjudicated;	/* UTC second, or -1 for NULL */
} gen_claim;

/* Make a claim for member m (number member) with service on service_day;
 * nothing is adjudicated after last_day.  force_denied: always denied. */
void		gen_claim_make(gen_claim *c, gen_rng *r, const gen_member *m, int64_t member,
						   int32_t service_day, int32_t last_day, bool force_denied,
						   int payer_of_plan);

/* The canonical header of claims.csv (experience), without a newline. */
extern const char gen_claim_canonical_header[];

/* Append one claim as a canonical claims.csv row, with its newline. */
void		gen_claim_write_canonical(gbuf *b, const gen_claim *c, const char *id_prefix,
									  int64_t id_no);

/* Write the billing exports, their manifest and summary into o->output_dir. */
gen_status	gen_claims_run(const gen_source_opts *o);

#endif							/* GEN_CLAIMS_H */
