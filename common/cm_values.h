/*
 * cm_values.h
 *    Value parsers shared by the trace normaliser, the CSV loader and the
 *    SQL functions parse_money / parse_timestamp / parse_bool.
 *
 * Every parser takes a (pointer, length) pair, never needs a terminating NUL,
 * and reports one of three outcomes: a value, an intentional NULL (empty text
 * or a placeholder such as "N/A"), or an unreadable value.  When the input
 * was not in canonical form, *why is set to a static sentence describing what
 * was normalised, so callers can list it as a data-quality note.
 *
 * Plain C99; no PostgreSQL or json-c headers.
 */
#ifndef CM_VALUES_H
#define CM_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum cmv_status
{
	CMV_OK = 0,					/* value produced */
	CMV_NULL,					/* empty or placeholder: NULL on purpose */
	CMV_INVALID					/* could not be read: NULL and a problem */
} cmv_status;

/* Microseconds from 1970-01-01 00:00:00 UTC. */
typedef int64_t cmv_usec;

/* Days from 1970-01-01. */
typedef int32_t cmv_days;

/* Money in integer cents.  decimal_comma reads "1.234,50". */
cmv_status	cmv_money(const char *s, size_t len, bool decimal_comma,
					  int64_t *cents, const char **why);

/*
 * For a number already known exactly as cents: is it an amount cmv_money
 * reads as it is (in range, nothing to note)?
 */
bool		cmv_money_exact(int64_t cents);

/* A rate in units of 1/10000: 0.4, 40 and "40%" all give 4000. */
cmv_status	cmv_rate(const char *s, size_t len, int32_t *bp4, const char **why);

/*
 * For a number already known exactly in units of 1/10000: is it a rate
 * cmv_rate reads as it is (a fraction from 0 to 1, nothing to note)?
 */
bool		cmv_rate_exact(int64_t bp4);

/* A boolean: true/false, t/f, yes/no, y/n, 1/0, on/off (any case). */
cmv_status	cmv_bool(const char *s, size_t len, bool *out, const char **why);

/* A whole number that fits in int32 ("4", 4.0, " 4 "). */
cmv_status	cmv_int32(const char *s, size_t len, int32_t *out, const char **why);

/* For a number known to be a whole number: does cmv_int32 read it as it is? */
bool		cmv_int32_exact(int64_t v);

/*
 * A point in time.  Accepts ISO 8601 (T or space, optional fraction, Z or
 * +hh:mm / +hhmm / +hh / UTC / GMT; no zone means UTC), a date alone
 * (midnight UTC), MM/DD/YYYY [HH:MM[:SS]], YYYYMMDD, and epoch numbers:
 * 9-10 digits are seconds, 11-16 digits are milliseconds.  is_json_number
 * says the text came from a JSON number, which is always epoch milliseconds.
 */
cmv_status	cmv_timestamp(const char *s, size_t len, bool is_json_number,
						  cmv_usec *out, const char **why);

/* A calendar date; a timestamp's date part is taken as written. */
cmv_status	cmv_date(const char *s, size_t len, bool is_json_number,
					 cmv_days *out, const char **why);

/* Canonical network status: "in_network", "out_of_network" or NULL if unknown. */
const char *cmv_network_status(const char *s, size_t len);

/*
 * Canonical exception type: one of cmv_exception_types[], or NULL when the
 * text names none of them (the caller then uses "Other").
 */
const char *cmv_exception_type(const char *s, size_t len);

extern const char *const cmv_exception_types[];

/* Is the text a placeholder for a missing value ("", "N/A", "null", ...)? */
bool		cmv_is_placeholder(const char *s, size_t len);

/* Formatting for text output (COPY text format); buffers must hold 40 bytes. */
int			cmv_format_money(int64_t cents, char *buf);
int			cmv_format_rate(int32_t bp4, char *buf);
int			cmv_format_timestamp(cmv_usec t, char *buf);
int			cmv_format_date(cmv_days d, char *buf);

/* Calendar helpers. */
cmv_days	cmv_days_from_civil(int y, int m, int d);
void		cmv_civil_from_days(cmv_days z, int *y, int *m, int *d);

#endif							/* CM_VALUES_H */
