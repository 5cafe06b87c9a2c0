/*
 * csv_sql.c
 *    canonical_enum() and csv_columns(): the CSV loader's enumeration
 *    spellings (common/cm_enums.c) and per-source column table
 *    (common/cm_csv_schema.c) as SQL functions, so that SQL cleaning code
 *    maps a spelling exactly as costmodel-load csv does, and the tests can
 *    compare the loader's column table with the catalog.
 */
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "cm_csv_schema.h"
#include "cm_enums.h"

/* The enumeration named name, or an error listing the names. */
static cm_enum_id
find_enum(const char *name)
{
	int			e = cm_enum_find(name);

	if (e < 0)
	{
		StringInfoData names;

		initStringInfo(&names);
		for (int i = 0; i < CME_NENUMS; i++)
			appendStringInfo(&names, "%s%s", i ? ", " : "", cm_enums[i].name);
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown enumeration \"%s\"", name),
				 errhint("Known enumerations: %s.", names.data)));
	}
	return (cm_enum_id) e;
}

PG_FUNCTION_INFO_V1(costmodel_canonical_enum);
/* canonical_enum(enum_name, value): the canonical spelling of value, or NULL. */
Datum
costmodel_canonical_enum(PG_FUNCTION_ARGS)
{
	cm_enum_id	e = find_enum(text_to_cstring(PG_GETARG_TEXT_PP(0)));
	text	   *value = PG_GETARG_TEXT_PP(1);
	const char *v = cm_enum_canonical(e, VARDATA_ANY(value), VARSIZE_ANY_EXHDR(value));

	if (v == NULL)
		PG_RETURN_NULL();
	PG_RETURN_TEXT_P(cstring_to_text(v));
}

/* A text[] of the NULL-terminated strings list (an empty array for NULL). */
static Datum
text_array(const char *const *list)
{
	int			n = 0;
	Datum	   *elems;

	while (list && list[n])
		n++;
	elems = palloc(sizeof(Datum) * (n ? n : 1));
	for (int i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(list[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}

/* A bound in the column's SQL units: cents and thousandths become decimals. */
static Datum
bound(const cmc_column *c, int64 v)
{
	int			scale = c->type == CMC_DEC2 ? 2 : c->type == CMC_DEC3 ? 3 : 0;

	return NumericGetDatum(int64_div_fast_to_numeric(v, scale));
}

#define CSV_COLUMNS_NATTS 15

PG_FUNCTION_INFO_V1(costmodel_csv_columns);
/* csv_columns(): one row per column of every CSV loading target. */
Datum
costmodel_csv_columns(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext rowcxt;
	MemoryContext oldcxt;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (rsinfo->setDesc->natts != CSV_COLUMNS_NATTS)
		elog(ERROR, "csv_columns: expected %d result columns, got %d",
			 CSV_COLUMNS_NATTS, rsinfo->setDesc->natts);
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "csv_columns row",
								   ALLOCSET_SMALL_SIZES);
	for (int s = 0; s < cmc_nsources; s++)
	{
		const cmc_source *src = &cmc_sources[s];

		for (int i = 0; i < src->ncolumns; i++)
		{
			const cmc_column *c = &src->columns[i];
			Datum		values[CSV_COLUMNS_NATTS];
			bool		nulls[CSV_COLUMNS_NATTS];

			oldcxt = MemoryContextSwitchTo(rowcxt);
			memset(nulls, 0, sizeof(nulls));
			values[0] = CStringGetTextDatum(src->name);
			values[1] = Int32GetDatum(i + 1);
			values[2] = CStringGetTextDatum(c->name);
			values[3] = CStringGetTextDatum(c->sql_type);
			values[4] = CStringGetTextDatum(cmc_type_name(c));
			values[5] = BoolGetDatum((c->flags & CMC_REQUIRED) != 0);
			values[6] = BoolGetDatum((c->flags & CMC_KEY) != 0);
			values[7] = BoolGetDatum((c->flags & CMC_DERIVED) != 0);
			values[8] = BoolGetDatum((c->flags & CMC_PROVENANCE) != 0);
			values[9] = text_array(c->aliases);
			if (c->type == CMC_ENUM)
			{
				values[10] = CStringGetTextDatum(cm_enums[c->enum_id].name);
				values[11] = text_array(cm_enums[c->enum_id].values);
			}
			else
				nulls[10] = nulls[11] = true;
			if (c->has_min)
				values[12] = bound(c, c->min);
			else
				nulls[12] = true;
			if (c->has_max)
				values[13] = bound(c, c->max);
			else
				nulls[13] = true;
			if (c->fk_table)
				values[14] = CStringGetTextDatum(c->fk_table);
			else
				nulls[14] = true;
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
			MemoryContextSwitchTo(oldcxt);
			MemoryContextReset(rowcxt);
		}
	}
	MemoryContextDelete(rowcxt);
	return (Datum) 0;
}
