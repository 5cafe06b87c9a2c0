# costmodel-gen: deterministic generator of realistic test data.
# Called from the top-level Makefile; paths are relative to the top directory.
PROGRAM = costmodel-gen
include mk/all.mk
OBJS = $(GEN_OBJS) $(COMMON_OBJS)

PG_CPPFLAGS = -Icommon -Iloader
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
            -fPIC  # common/*.o are shared with costmodel.so
PG_LIBS = -lz

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS links programs against everything the server links (readline, xml2,
# selinux, ...); these programs need none of it.
LIBS :=
