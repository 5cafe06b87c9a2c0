# mk/traces.mk: cost-estimator traces (issue 2) and the shared value parsers.
COMMON_OBJS += common/cm_values.o common/cm_json.o common/cm_trace.o common/cm_trace_schema.o
EXT_OBJS    += extension/costmodel.o extension/jsonb_access.o extension/jsonb_numeric.o \
               extension/trace_srf.o extension/detoast_fast.o extension/pglz_read.o extension/row_writer.o \
               extension/values_sql.o
LOAD_OBJS   += loader/load_main.o loader/load_input.o loader/jsonc_access.o \
               loader/load_copy.o loader/load_traces.o loader/pg_json_check.o
GEN_OBJS    += loader/gen_main.o loader/gen_rand.o loader/gen_traces.o
SQL_PARTS   += extension/sql/00_header.sql extension/sql/10_traces.sql \
               extension/sql/15_values.sql
REGRESS     += trace_srf trace_tolerance trace_bad trace_storage values
