# costmodel: PostgreSQL extension (costmodel.so) and the loader programs
# costmodel-load and costmodel-gen.  Built with PGXS.
#
#   make            build everything
#   make install    install the extension and the programs (needs write access
#                   to the PostgreSQL installation)
#   make check      all tests on a private throwaway cluster (see README)
#   make demo       the main job on a private cluster under .costmodel/
#   make bench      benchmarks, as ratios against baselines of the same run

EXTENSION  = costmodel
MODULE_big = costmodel

# Each area of the product lists its objects, SQL parts and tests in its own
# fragment under mk/; this file only puts them together.
include mk/all.mk

OBJS = $(EXT_OBJS) $(COMMON_OBJS)
DATA_built = costmodel--0.1.sql
PG_CPPFLAGS = -Icommon -I$(libpq_srcdir)
PG_CFLAGS = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
REGRESS_OPTS = --inputdir=. --load-extension=costmodel

PG_CONFIG ?= pg_config

# check, demo, bench and the cluster targets bring their own packages and
# cluster (scripts/), then call this Makefile again to build.  PGXS is not
# loaded for them: its own "check" target only says it is unsupported.
SCRIPT_GOALS = check demo psql stop bench deps print-regress
ifneq ($(filter $(SCRIPT_GOALS),$(MAKECMDGOALS)),)
print-regress:
	@echo $(REGRESS)
check:
	bash scripts/check.sh
demo:
	bash scripts/demo.sh
psql:
	bash scripts/cluster.sh psql
stop:
	bash scripts/cluster.sh stop
bench:
	bash bench/run.sh
deps:
	bash scripts/deps.sh
.PHONY: $(SCRIPT_GOALS)
else

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The install script, from its parts in order.
costmodel--0.1.sql: $(SQL_PARTS)
	cat $(SQL_PARTS) > $@

# The loader programs, each through its own small PGXS makefile.
all: programs
programs: $(COMMON_OBJS)
	$(MAKE) -f loader/load.mk PG_CONFIG=$(PG_CONFIG)
	$(MAKE) -f loader/gen.mk PG_CONFIG=$(PG_CONFIG)
install: install-programs
install-programs: programs
	$(MAKE) -f loader/load.mk PG_CONFIG=$(PG_CONFIG) install
	$(MAKE) -f loader/gen.mk PG_CONFIG=$(PG_CONFIG) install
clean: clean-programs
clean-programs:
	-$(MAKE) -f loader/load.mk PG_CONFIG=$(PG_CONFIG) clean
	-$(MAKE) -f loader/gen.mk PG_CONFIG=$(PG_CONFIG) clean
	rm -rf results/ regression.diffs regression.out test/out/

.PHONY: programs install-programs clean-programs
endif
