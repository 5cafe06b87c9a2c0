/*
 * trace_srf.c
 *    The set-returning functions trace_header, trace_requests,
 *    trace_responses, trace_exceptions and trace_problems: one trace
 *    document in (jsonb, or text), rows of the matching table out.
 *
 * They run the shared normaliser (common/cm_trace.c) over the stored jsonb
 * through jsonb_access.c, and return rows in materialize mode.
 *
 * They are called once per document, often for millions of documents in
 * one INSERT ... SELECT, so the per-call work is kept small: the column map,
 * a copy of the row type and a scratch buffer for the row's text and
 * numeric values are made once per query (fn_extra), the tuplestore is set
 * up without copying the row type each call (what InitMaterializedSRF
 * does), and a row's values are built in the scratch buffer, which
 * tuplestore_putvalues copies from, instead of one allocation per value.
 */
#include "postgres.h"

#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

#include "catalog/pg_type.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "cm_trace.h"
#include "detoast_fast.h"
#include "jsonb_access.h"
#include "jsonb_numeric.h"
#include "row_writer.h"

/*
 * Rows written by row_writer.c compared with heap_form_minimal_tuple's, per
 * backend; every row in an assert-enabled build.
 */
#define ROWS_CHECKED	1000
static int	rows_to_check = ROWS_CHECKED;

/*
 * What the row callback needs.  It lives in fn_extra, so the column map and
 * the per-document memory context are built once per query, not per row of
 * the outer query.
 */
typedef struct srf_sink
{
	cm_sink		sink;
	cm_table	table;
	Tuplestorestate *store;		/* this call's result */
	TupleDesc	desc;			/* the row type, for tuplestore_putvalues */
	int			natts;
	int		   *attnum;			/* column i of the table → attribute index */
	Datum	   *values;
	bool	   *nulls;
	char	   *scratch;		/* the current row's text and numeric values */
	size_t		scratch_size;
	MemoryContext doccxt;		/* reset after every document */
	row_writer *writer;			/* NULL: rows are formed the generic way */
} srf_sink;

/* The SQL type a cell kind is returned as. */
static Oid
kind_type(cm_kind kind)
{
	switch (kind)
	{
		case CMK_TEXT:
			return TEXTOID;
		case CMK_INT:
			return INT4OID;
		case CMK_BOOL:
			return BOOLOID;
		case CMK_MONEY:
		case CMK_RATE:
			return NUMERICOID;
		case CMK_TS:
			return TIMESTAMPTZOID;
		case CMK_DATE:
			return DATEOID;
	}
	return InvalidOid;
}

/*
 * One cell as a Datum of its SQL type.  Text and numerics are built in the
 * scratch space at *buf, which must have room for them (cell_room).
 */
static Datum
cell_datum(const cm_cell *c, cm_kind kind, char **buf)
{
	char	   *p = *buf;

	switch (kind)
	{
		case CMK_TEXT:
			SET_VARSIZE(p, VARHDRSZ + c->len);
			memcpy(VARDATA(p), c->s, (size_t) c->len);
			*buf += INTALIGN(VARHDRSZ + (size_t) c->len);
			return PointerGetDatum(p);
		case CMK_INT:
			return Int32GetDatum((int32) c->i);
		case CMK_BOOL:
			return BoolGetDatum(c->i != 0);
		case CMK_MONEY:
			*buf += INTALIGN(SCALED_NUMERIC_SIZE);
			return NumericGetDatum(costmodel_scaled_numeric(c->i, 2, p));
		case CMK_RATE:
			*buf += INTALIGN(SCALED_NUMERIC_SIZE);
			return NumericGetDatum(costmodel_scaled_numeric(c->i, 4, p));
		case CMK_TS:
			return TimestampTzGetDatum(cm_cell_timestamptz(c));
		case CMK_DATE:
			return DateADTGetDatum(cm_cell_date(c));
	}
	return (Datum) 0;
}

/* Scratch bytes cell_datum may take for a cell (text and numerics). */
static size_t
cell_room(const cm_cell *c, cm_kind kind)
{
	switch (kind)
	{
		case CMK_TEXT:
			return INTALIGN(VARHDRSZ + (size_t) c->len);
		case CMK_MONEY:
		case CMK_RATE:
			return INTALIGN(SCALED_NUMERIC_SIZE);
		default:
			return 0;
	}
}

/*
 * The cells of a row as Datums and null flags in s->values and s->nulls,
 * text and numerics built in the scratch buffer; a row that does not fit
 * grows it and starts again.
 */
static void
row_datums(srf_sink *s, const cm_table_def *def, const cm_cell *cells)
{
	char	   *buf;
	char	   *end;

	memset(s->nulls, true, sizeof(bool) * s->natts);
again:
	buf = s->scratch;
	end = s->scratch + s->scratch_size;
	for (int i = 0; i < def->ncolumns; i++)
	{
		int			a = s->attnum[i];
		cm_kind		kind = def->columns[i].kind;

		s->nulls[a] = cells[i].isnull;
		if (cells[i].isnull)
			continue;
		if (end - buf < (ptrdiff_t) cell_room(&cells[i], kind))
		{
			s->scratch_size = 2 * s->scratch_size + cell_room(&cells[i], kind);
			s->scratch = repalloc(s->scratch, s->scratch_size);
			goto again;
		}
		s->values[a] = cell_datum(&cells[i], kind, &buf);
	}
}

/* Stop if tuple differs from what heap_form_minimal_tuple makes of the cells. */
static void
check_row(srf_sink *s, const cm_table_def *def, const cm_cell *cells, MinimalTuple tuple)
{
	MinimalTuple ref;

	row_datums(s, def, cells);
	ref = heap_form_minimal_tuple(s->desc, s->values, s->nulls);
	if (ref->t_len != tuple->t_len || memcmp(ref, tuple, ref->t_len) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("costmodel: a row of %s written differs from heap_form_minimal_tuple", def->name),
				 errhint("The tuple format is not the one this costmodel build writes; report it with the PostgreSQL version.")));
	pfree(ref);
}

/*
 * Row callback: put a row of the wanted table into the tuplestore, written
 * by the row writer where the row type allows, else formed from Datums.
 */
static void
put_row(cm_sink *sink, cm_table t, const cm_cell *cells)
{
	srf_sink   *s = (srf_sink *) sink;
	const cm_table_def *def = &cm_tables[t];
	MinimalTuple tuple;
	HeapTupleData htup;

	if (t != s->table)
		return;
	if (s->writer == NULL)
	{
		row_datums(s, def, cells);
		tuplestore_putvalues(s->store, s->desc, s->values, s->nulls);
		return;
	}
	tuple = row_writer_form(s->writer, cells);
#ifdef USE_ASSERT_CHECKING
	check_row(s, def, cells, tuple);
#else
	if (rows_to_check > 0)
	{
		rows_to_check--;
		check_row(s, def, cells, tuple);
	}
#endif
	/* a minimal tuple seen as a heap tuple, as tuplestore.c itself does */
	htup.t_len = tuple->t_len + MINIMAL_TUPLE_OFFSET;
	htup.t_data = (HeapTupleHeader) ((char *) tuple - MINIMAL_TUPLE_OFFSET);
	ItemPointerSetInvalid(&htup.t_self);
	htup.t_tableOid = InvalidOid;
	tuplestore_puttuple(s->store, &htup);
}

/*
 * Map the table's columns onto the result row type, which is the table's
 * own row type; dropped columns are skipped.  A mismatch means the install
 * script and the library disagree.
 */
static void
map_columns(srf_sink *s, TupleDesc desc)
{
	const cm_table_def *def = &cm_tables[s->table];
	int			col = 0;

	s->natts = desc->natts;
	s->attnum = palloc(sizeof(int) * def->ncolumns);
	s->values = palloc0(sizeof(Datum) * desc->natts);
	s->nulls = palloc(sizeof(bool) * desc->natts);
	for (int a = 0; a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);

		if (att->attisdropped)
			continue;
		if (col >= def->ncolumns ||
			att->atttypid != kind_type(def->columns[col].kind) ||
			strcmp(NameStr(att->attname), def->columns[col].name) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("row type of costmodel.%s does not match the costmodel library",
							def->name),
					 errdetail("Column %d is \"%s\"; the library expects \"%s\".",
							   a + 1, NameStr(att->attname),
							   col < def->ncolumns ? def->columns[col].name : "(none)"),
					 errhint("The extension's SQL objects and costmodel.so come from different versions; run ALTER EXTENSION costmodel UPDATE.")));
		s->attnum[col++] = a;
	}
	if (col != def->ncolumns)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("row type of costmodel.%s does not match the costmodel library",
						def->name),
				 errdetail("It has %d columns; the library expects %d.", col, def->ncolumns),
				 errhint("The extension's SQL objects and costmodel.so come from different versions; run ALTER EXTENSION costmodel UPDATE.")));
}

/*
 * Set up materialize mode for this call: a tuplestore in per-query memory.
 * The row type comes from our own copy, so the executor has none to check
 * or free (setDesc stays NULL, as the protocol allows).
 */
static void
begin_result(FunctionCallInfo fcinfo, srf_sink *s)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext oldcxt;

	oldcxt = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	s->store = tuplestore_begin_heap((rsinfo->allowedModes & SFRM_Materialize_Random) != 0,
									 false, work_mem);
	MemoryContextSwitchTo(oldcxt);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = s->store;
	rsinfo->setDesc = NULL;
}

/* The per-query state of a trace function, made on its first call. */
static srf_sink *
sink_state(FunctionCallInfo fcinfo, cm_table t)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	srf_sink   *s = (srf_sink *) fcinfo->flinfo->fn_extra;
	MemoryContext oldcxt;

	if (s != NULL)
		return s;
	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (!(rsinfo->allowedModes & SFRM_Materialize) || rsinfo->expectedDesc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("materialize mode required, but it is not allowed in this context")));
	oldcxt = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	s = palloc0(sizeof(srf_sink));
	s->table = t;
	s->sink.row = put_row;
	s->sink.want = CM_WANT(t);
	s->desc = CreateTupleDescCopy(rsinfo->expectedDesc);
	map_columns(s, s->desc);
	s->scratch_size = 1024;
	s->scratch = palloc(s->scratch_size);
	s->writer = row_writer_create(s->desc, &cm_tables[t]);
	s->doccxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt,
									  "costmodel trace document",
									  ALLOCSET_DEFAULT_SIZES);
	fcinfo->flinfo->fn_extra = s;
	MemoryContextSwitchTo(oldcxt);
	return s;
}

/* Normalise one jsonb document and return the rows of table t. */
static Datum
trace_rows(FunctionCallInfo fcinfo, Jsonb *jb, cm_table t)
{
	srf_sink   *s = sink_state(fcinfo, t);
	MemoryContext oldcxt;
	cmj_node	root;
	cm_reject	rej;
	cm_result	res;

	begin_result(fcinfo, s);

	/* everything the normaliser allocates goes away with this reset */
	oldcxt = MemoryContextSwitchTo(s->doccxt);
	costmodel_jsonb_root(jb, &root);
	res = cm_trace_normalize(&costmodel_jsonb_ops, &root, &s->sink, &rej);
	MemoryContextSwitchTo(oldcxt);
	MemoryContextReset(s->doccxt);

	if (res == CM_REJECTED)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("cannot read cost-estimator trace: %s", rej.reason),
				 errdetail("JSON path: %s", rej.path),
				 errhint("A trace must be a JSON object with a non-empty trace_id and a request.services array; see docs/trace-format.md.")));
	return (Datum) 0;
}

/*
 * A text argument read as jsonb.  A document jsonb cannot hold (not JSON, a
 * \u0000 escape, nesting deeper than the stack allows) is a rejected trace:
 * 22P02 with the reason, jsonb's own message as the detail, and a hint.
 */
static Jsonb *
text_to_jsonb(text *t)
{
	char	   *str = text_to_cstring(t);
	MemoryContext cxt = CurrentMemoryContext;
	Datum		jb = (Datum) 0;

	PG_TRY();
	{
		jb = DirectFunctionCall1(jsonb_in, CStringGetDatum(str));
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		if (edata->sqlerrcode != ERRCODE_INVALID_TEXT_REPRESENTATION &&
			edata->sqlerrcode != ERRCODE_UNTRANSLATABLE_CHARACTER &&
			edata->sqlerrcode != ERRCODE_STATEMENT_TOO_COMPLEX)
			PG_RE_THROW();
		FlushErrorState();
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("cannot read cost-estimator trace: not valid JSON for jsonb"),
				 errdetail("%s%s%s", edata->message,
						   edata->detail ? " " : "", edata->detail ? edata->detail : ""),
				 errhint("Each trace must be one complete JSON document; PostgreSQL cannot store \\u0000 in jsonb. See docs/trace-format.md.")));
	}
	PG_END_TRY();
	return DatumGetJsonbP(jb);
}

/* Declare the jsonb and text variants of one trace function. */
#define TRACE_SRF(sqlname, table) \
	PG_FUNCTION_INFO_V1(costmodel_##sqlname); \
	Datum costmodel_##sqlname(PG_FUNCTION_ARGS); \
	Datum \
	costmodel_##sqlname(PG_FUNCTION_ARGS) \
	{ \
		return trace_rows(fcinfo, (Jsonb *) costmodel_detoast(PG_GETARG_DATUM(0)), table); \
	} \
	PG_FUNCTION_INFO_V1(costmodel_##sqlname##_text); \
	Datum costmodel_##sqlname##_text(PG_FUNCTION_ARGS); \
	Datum \
	costmodel_##sqlname##_text(PG_FUNCTION_ARGS) \
	{ \
		return trace_rows(fcinfo, text_to_jsonb(PG_GETARG_TEXT_PP(0)), table); \
	}

/* trace_header(doc): the fact_trace row. */
TRACE_SRF(trace_header, CMT_TRACE)
/* trace_requests(doc): the fact_request rows. */
TRACE_SRF(trace_requests, CMT_REQUEST)
/* trace_responses(doc): the fact_response rows. */
TRACE_SRF(trace_responses, CMT_RESPONSE)
/* trace_exceptions(doc): the fact_exception rows. */
TRACE_SRF(trace_exceptions, CMT_EXCEPTION)
/* trace_problems(doc): every nulled or normalised value. */
TRACE_SRF(trace_problems, CMT_PROBLEM)
