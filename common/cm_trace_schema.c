/*
 * cm_trace_schema.c
 *    The column lists of the trace tables: the one definition of the row
 *    shapes that the normaliser emits, the loader copies and the SQL
 *    functions return.
 */
#include "cm_trace.h"
#include "cm_trace_cols.h"

static const cm_column trace_cols[TR_NCOLS] = {
	[TR_TRACE_ID] = {"trace_id", CMK_TEXT},
	[TR_SCHEMA_VERSION] = {"schema_version", CMK_TEXT},
	[TR_SOURCE_SYSTEM] = {"source_system", CMK_TEXT},
	[TR_REQUEST_ID] = {"request_id", CMK_TEXT},
	[TR_RECEIVED_AT] = {"received_at", CMK_TS},
	[TR_CHANNEL] = {"channel", CMK_TEXT},
	[TR_MEMBER_ID] = {"member_id", CMK_TEXT},
	[TR_SUBSCRIBER_ID] = {"subscriber_id", CMK_TEXT},
	[TR_RELATIONSHIP] = {"relationship", CMK_TEXT},
	[TR_PLAN_ID] = {"plan_id", CMK_TEXT},
	[TR_GROUP_ID] = {"group_id", CMK_TEXT},
	[TR_PRODUCT_TYPE] = {"product_type", CMK_TEXT},
	[TR_PLAN_YEAR] = {"plan_year", CMK_INT},
	[TR_HAS_RESPONSE] = {"has_response", CMK_BOOL},
	[TR_RESPONDED_AT] = {"responded_at", CMK_TS},
	[TR_STATUS_CODE] = {"status_code", CMK_INT},
	[TR_LATENCY_MS] = {"latency_ms", CMK_INT},
	[TR_ESTIMATE_ID] = {"estimate_id", CMK_TEXT},
	[TR_ACCUMULATORS_AS_OF] = {"accumulators_as_of", CMK_DATE},
	[TR_INN_DEDUCTIBLE_LIMIT] = {"inn_deductible_limit", CMK_MONEY},
	[TR_INN_DEDUCTIBLE_MET] = {"inn_deductible_met", CMK_MONEY},
	[TR_INN_OOP_LIMIT] = {"inn_oop_limit", CMK_MONEY},
	[TR_INN_OOP_MET] = {"inn_oop_met", CMK_MONEY},
	[TR_OON_DEDUCTIBLE_LIMIT] = {"oon_deductible_limit", CMK_MONEY},
	[TR_OON_DEDUCTIBLE_MET] = {"oon_deductible_met", CMK_MONEY},
	[TR_OON_OOP_LIMIT] = {"oon_oop_limit", CMK_MONEY},
	[TR_OON_OOP_MET] = {"oon_oop_met", CMK_MONEY},
	[TR_LINE_COUNT] = {"line_count", CMK_INT},
	[TR_PROVIDER_COUNT] = {"provider_count", CMK_INT},
	[TR_REQUEST_ROW_COUNT] = {"request_row_count", CMK_INT},
	[TR_RESULT_COUNT] = {"result_count", CMK_INT},
	[TR_EXCEPTION_COUNT] = {"exception_count", CMK_INT},
	[TR_ERROR_COUNT] = {"error_count", CMK_INT},
	[TR_PROBLEM_COUNT] = {"problem_count", CMK_INT},
};

static const cm_column request_cols[RQ_NCOLS] = {
	[RQ_TRACE_ID] = {"trace_id", CMK_TEXT},
	[RQ_LINE_ID] = {"line_id", CMK_INT},
	[RQ_PROVIDER_ID] = {"provider_id", CMK_TEXT},
	[RQ_SERVICE_CODE] = {"service_code", CMK_TEXT},
	[RQ_SERVICE_LOCATION] = {"service_location", CMK_TEXT},
	[RQ_CODE_SYSTEM] = {"code_system", CMK_TEXT},
	[RQ_MODIFIERS] = {"modifiers", CMK_TEXT},
	[RQ_QUANTITY] = {"quantity", CMK_INT},
	[RQ_PLACE_ZIP] = {"place_zip", CMK_TEXT},
	[RQ_DIAGNOSIS_CODES] = {"diagnosis_codes", CMK_TEXT},
	[RQ_PLANNED_DATE] = {"planned_date", CMK_DATE},
	[RQ_PROVIDER_SEQ] = {"provider_seq", CMK_INT},
	[RQ_NPI] = {"npi", CMK_TEXT},
	[RQ_TIN] = {"tin", CMK_TEXT},
	[RQ_PROVIDER_TYPE] = {"provider_type", CMK_TEXT},
	[RQ_TAXONOMY] = {"taxonomy", CMK_TEXT},
	[RQ_NETWORK_ID] = {"network_id", CMK_TEXT},
};

static const cm_column response_cols[RS_NCOLS] = {
	[RS_TRACE_ID] = {"trace_id", CMK_TEXT},
	[RS_LINE_ID] = {"line_id", CMK_INT},
	[RS_PROVIDER_ID] = {"provider_id", CMK_TEXT},
	[RS_SERVICE_CODE] = {"service_code", CMK_TEXT},
	[RS_SERVICE_LOCATION] = {"service_location", CMK_TEXT},
	[RS_RESULT_SEQ] = {"result_seq", CMK_INT},
	[RS_RESULT_STATUS] = {"result_status", CMK_TEXT},
	[RS_COVERED] = {"covered", CMK_BOOL},
	[RS_NETWORK_STATUS] = {"network_status", CMK_TEXT},
	[RS_BENEFIT_CATEGORY] = {"benefit_category", CMK_TEXT},
	[RS_PRIOR_AUTH_REQUIRED] = {"prior_auth_required", CMK_BOOL},
	[RS_BILLED_AMOUNT] = {"billed_amount", CMK_MONEY},
	[RS_ALLOWED_AMOUNT] = {"allowed_amount", CMK_MONEY},
	[RS_IN_NETWORK_ESTIMATE] = {"in_network_estimate", CMK_MONEY},
	[RS_OUT_OF_NETWORK_ESTIMATE] = {"out_of_network_estimate", CMK_MONEY},
	[RS_PLAN_PAYS] = {"plan_pays", CMK_MONEY},
	[RS_PATIENT_TOTAL] = {"patient_total", CMK_MONEY},
	[RS_PATIENT_COPAY] = {"patient_copay", CMK_MONEY},
	[RS_PATIENT_COINSURANCE] = {"patient_coinsurance", CMK_MONEY},
	[RS_PATIENT_DEDUCTIBLE] = {"patient_deductible", CMK_MONEY},
	[RS_COINSURANCE_RATE] = {"coinsurance_rate", CMK_RATE},
	[RS_EXCEPTION_COUNT] = {"exception_count", CMK_INT},
	[RS_PRIMARY_EXCEPTION_TYPE] = {"primary_exception_type", CMK_TEXT},
	[RS_PRIMARY_EXCEPTION_CODE] = {"primary_exception_code", CMK_TEXT},
};

static const cm_column exception_cols[EX_NCOLS] = {
	[EX_TRACE_ID] = {"trace_id", CMK_TEXT},
	[EX_EXCEPTION_SEQ] = {"exception_seq", CMK_INT},
	[EX_LEVEL] = {"level", CMK_TEXT},
	[EX_LINE_ID] = {"line_id", CMK_INT},
	[EX_PROVIDER_ID] = {"provider_id", CMK_TEXT},
	[EX_SERVICE_CODE] = {"service_code", CMK_TEXT},
	[EX_EXCEPTION_TYPE] = {"exception_type", CMK_TEXT},
	[EX_RAW_TYPE] = {"raw_type", CMK_TEXT},
	[EX_CODE] = {"code", CMK_TEXT},
	[EX_SEVERITY] = {"severity", CMK_TEXT},
	[EX_MESSAGE] = {"message", CMK_TEXT},
	[EX_SOURCE] = {"source", CMK_TEXT},
};

static const cm_column problem_cols[PB_NCOLS] = {
	[PB_TRACE_ID] = {"trace_id", CMK_TEXT},
	[PB_PATH] = {"path", CMK_TEXT},
	[PB_REASON] = {"reason", CMK_TEXT},
	[PB_RAW_VALUE] = {"raw_value", CMK_TEXT},
};

#define NCOLS(a) ((int) (sizeof(a) / sizeof((a)[0])))

const cm_table_def cm_tables[CMT_NTABLES] = {
	[CMT_TRACE] = {"fact_trace", NCOLS(trace_cols), trace_cols},
	[CMT_REQUEST] = {"fact_request", NCOLS(request_cols), request_cols},
	[CMT_RESPONSE] = {"fact_response", NCOLS(response_cols), response_cols},
	[CMT_EXCEPTION] = {"fact_exception", NCOLS(exception_cols), exception_cols},
	[CMT_PROBLEM] = {"trace_problem", NCOLS(problem_cols), problem_cols},
};
