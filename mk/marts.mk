# mk/marts.mk: the mart framework (issue 5): mart_publish and the registry,
# refresh_marts and refresh_log, schedule_refresh through pg_cron (libpq when
# pg_cron lives in another database), and grant_bi_access.  Each area's marts
# have their own fragment; the refresh, schedule and access parts come after
# them in mk/marts_last.mk.
EXT_OBJS    += extension/marts.o
SQL_PARTS   += extension/sql/40_marts_core.sql
SHLIB_LINK_INTERNAL += $(libpq)
REGRESS     += marts_core
