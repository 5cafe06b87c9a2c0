# costmodel-gen: deterministic generator of realistic test data.
# Called from the top-level Makefile; paths are relative to the top directory.
PROGRAM = costmodel-gen
OBJS = loader/gen_main.o loader/gen_rand.o loader/gen_traces.o \
       common/cm_values.o

PG_CPPFLAGS = -Icommon -Iloader
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
            -fPIC  # common/*.o are shared with costmodel.so
PG_LIBS = -L$(pkglibdir) -lz

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)
