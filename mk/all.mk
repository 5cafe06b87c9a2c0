# mk/all.mk: every area's fragment.  Included by the Makefile and by the
# loader programs' makefiles; a new area adds one line here.
COMMON_OBJS =
EXT_OBJS =
LOAD_OBJS =
GEN_OBJS =
SQL_PARTS =
REGRESS =
include mk/traces.mk
include mk/sources.mk
include mk/windows.mk
include mk/csv.mk
include mk/loader6.mk
include mk/marts.mk
include mk/marts_estimator.mk
include mk/marts_experience.mk
include mk/marts_advocacy.mk
include mk/marts_claims.mk
include mk/marts_last.mk
