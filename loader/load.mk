# costmodel-load: the loader (NDJSON traces and CSV exports into PostgreSQL).
# Called from the top-level Makefile; paths are relative to the top directory.
PROGRAM = costmodel-load
OBJS = loader/load_main.o loader/load_input.o loader/jsonc_access.o \
       loader/load_copy.o loader/load_traces.o \
       common/cm_values.o common/cm_trace.o common/cm_trace_schema.o

PG_CPPFLAGS = -Icommon -Iloader -I$(libpq_srcdir) $(shell pkg-config --cflags json-c)
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
            -fPIC  # common/*.o are shared with costmodel.so
PG_LIBS = $(libpq_pgport) $(shell pkg-config --libs json-c) -lz -lpthread

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)
