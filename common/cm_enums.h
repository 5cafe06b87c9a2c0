/*
 * cm_enums.h
 *    Canonical spellings of the enumerated columns of the source tables
 *    (claim status, case status, gender, plan type ...) and the one function
 *    that maps a source spelling onto them: "APPROVED", "Approved" and "A"
 *    are all the claim status "approved".
 *
 * Used by the CSV loader for every enumerated column and by the SQL
 * function costmodel.canonical_enum(), so both map a spelling the same way.
 * Plain C99; no PostgreSQL or json-c headers.
 */
#ifndef CM_ENUMS_H
#define CM_ENUMS_H

#include <stdbool.h>
#include <stddef.h>

/* The enumerations; each is one CHECKed list of the source tables. */
typedef enum cm_enum_id
{
	CME_GENDER = 0,
	CME_PLAN_TYPE,
	CME_SEGMENT,
	CME_SENTIMENT,
	CME_DIGITAL_OUTCOME,
	CME_DIGITAL_CHANNEL,
	CME_SURVEY_TYPE,
	CME_PHARMACY_TYPE,
	CME_CHANGE_TYPE,
	CME_CASE_TYPE,
	CME_URGENCY,
	CME_CASE_STATUS,
	CME_EVENT_TYPE,
	CME_CASE_CHANNEL,
	CME_DIRECTION,
	CME_CLAIM_TYPE,
	CME_CLAIM_STATUS,
	CME_NENUMS
} cm_enum_id;

/* One enumeration: its name and its canonical values (NULL-terminated). */
typedef struct cm_enum_def
{
	const char *name;			/* e.g. "claim_status" */
	const char *const *values;	/* canonical spellings, as stored */
} cm_enum_def;

extern const cm_enum_def cm_enums[CME_NENUMS];

/*
 * The canonical value of s/len in enumeration e, or NULL when the text is
 * none of its spellings.  Matching ignores case, white space, "_", "-", "."
 * and "/"; besides the canonical values themselves, each enumeration has a
 * list of known source spellings (see cm_enums.c and docs/csv-loading.md).
 */
const char *cm_enum_canonical(cm_enum_id e, const char *s, size_t len);

/* The enumeration called name, or -1. */
int			cm_enum_find(const char *name);

/*
 * Fold s/len for comparison: ASCII letters to lower case, ASCII digits
 * kept, other ASCII characters dropped, bytes >= 0x80 kept as they are.
 * Writes at most outsize - 1 bytes and a NUL; returns the folded length,
 * or (size_t) -1 when the folded text does not fit.
 */
size_t		cm_fold(const char *s, size_t len, char *out, size_t outsize);

#endif							/* CM_ENUMS_H */
