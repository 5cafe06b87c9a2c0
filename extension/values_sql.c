/*
 * values_sql.c
 *    parse_money, parse_rate, parse_timestamp and parse_bool: the shared
 *    value parsers (common/cm_values.c) as SQL functions, for cleaning data
 *    that is already in the database.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "cm_values.h"

#define EPOCH_SHIFT_USEC \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)

/* Report an unreadable value: an error when strict, else a NULL result. */
static void
unreadable(const char *what, text *value, const char *why, bool strict)
{
	char	   *detail;

	if (!strict)
		return;
	detail = pstrdup(why ? why : "the text is not in any accepted form");
	detail[0] = pg_toupper((unsigned char) detail[0]);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid %s: \"%s\"", what, text_to_cstring(value)),
			 errdetail("%s.", detail),
			 errhint("See docs/trace-format.md for the accepted forms; pass strict => false to get NULL instead of an error.")));
}

PG_FUNCTION_INFO_V1(costmodel_parse_money);
/* parse_money(value, decimal_comma, strict): money text as numeric(14,2). */
Datum
costmodel_parse_money(PG_FUNCTION_ARGS)
{
	text	   *value;
	int64_t		cents;
	const char *why;
	cmv_status	st;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	value = PG_GETARG_TEXT_PP(0);
	st = cmv_money(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value),
				   !PG_ARGISNULL(1) && PG_GETARG_BOOL(1), &cents, &why);
	if (st == CMV_INVALID)
		unreadable("amount", value, why, PG_ARGISNULL(2) || PG_GETARG_BOOL(2));
	if (st != CMV_OK)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(int64_div_fast_to_numeric(cents, 2));
}

PG_FUNCTION_INFO_V1(costmodel_parse_rate);
/* parse_rate(value, strict): a rate as a fraction numeric(7,4). */
Datum
costmodel_parse_rate(PG_FUNCTION_ARGS)
{
	text	   *value;
	int32_t		bp4;
	const char *why;
	cmv_status	st;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	value = PG_GETARG_TEXT_PP(0);
	st = cmv_rate(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value), &bp4, &why);
	if (st == CMV_INVALID)
		unreadable("rate", value, why, PG_ARGISNULL(1) || PG_GETARG_BOOL(1));
	if (st != CMV_OK)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(int64_div_fast_to_numeric(bp4, 4));
}

PG_FUNCTION_INFO_V1(costmodel_parse_timestamp);
/* parse_timestamp(value, strict): timestamp text as timestamptz. */
Datum
costmodel_parse_timestamp(PG_FUNCTION_ARGS)
{
	text	   *value;
	cmv_usec	t;
	const char *why;
	cmv_status	st;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	value = PG_GETARG_TEXT_PP(0);
	st = cmv_timestamp(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value), false, &t, &why);
	if (st == CMV_INVALID)
		unreadable("timestamp", value, why, PG_ARGISNULL(1) || PG_GETARG_BOOL(1));
	if (st != CMV_OK)
		PG_RETURN_NULL();
	PG_RETURN_TIMESTAMPTZ((TimestampTz) (t - EPOCH_SHIFT_USEC));
}

PG_FUNCTION_INFO_V1(costmodel_parse_bool);
/* parse_bool(value, strict): boolean text as boolean. */
Datum
costmodel_parse_bool(PG_FUNCTION_ARGS)
{
	text	   *value;
	bool		b;
	const char *why;
	cmv_status	st;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	value = PG_GETARG_TEXT_PP(0);
	st = cmv_bool(VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value), &b, &why);
	if (st == CMV_INVALID)
		unreadable("boolean", value, why, PG_ARGISNULL(1) || PG_GETARG_BOOL(1));
	if (st != CMV_OK)
		PG_RETURN_NULL();
	PG_RETURN_BOOL(b);
}
