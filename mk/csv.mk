# mk/csv.mk: costmodel-load csv (issue 3): the CSV dialect and tokenizer, the
# per-source column table and enumerations (shared with the extension's
# canonical_enum() and csv_columns()), the loader command, and the load log.
COMMON_OBJS += common/cm_csv.o common/cm_csv_schema.o common/cm_enums.o
EXT_OBJS    += extension/csv_sql.o
LOAD_OBJS   += loader/load_csv.o loader/load_csv_read.o loader/load_csv_map.o \
               loader/load_csv_sha256.o
SQL_PARTS   += extension/sql/28_load_log.sql
REGRESS     += csv_schema csv_enums
