# mk/windows.mk: window aggregates and per-row window flags (issue 4):
# repeat calls, digital-to-call leakage, SLA breach and stale cases.
COMMON_OBJS += common/cm_window.o
EXT_OBJS    += extension/window_agg.o extension/window_events.o extension/window_shared.o \
               extension/window_fn.o
SQL_PARTS   += extension/sql/30_windows.sql
REGRESS     += window_fixtures window_bad window_parallel window_shared
