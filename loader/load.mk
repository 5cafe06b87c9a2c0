# costmodel-load: the loader (NDJSON traces and CSV exports into PostgreSQL).
# Called from the top-level Makefile; paths are relative to the top directory.
PROGRAM = costmodel-load
include mk/all.mk
OBJS = $(LOAD_OBJS) $(COMMON_OBJS)

PG_CPPFLAGS = -Icommon -Iloader -I$(libpq_srcdir) $(shell pkg-config --cflags json-c)
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
            -fPIC  # common/*.o are shared with costmodel.so
PG_LIBS = -L$(libdir) -lpq -L$(pkglibdir) -lpgcommon -lpgport $(shell pkg-config --libs json-c) -lz -lpthread

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS links programs against everything the server links (readline, xml2,
# selinux, ...); these programs need none of it.
LIBS :=
