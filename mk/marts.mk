# mk/marts.mk: the mart framework (issue 5): mart_publish, refresh_marts,
# refresh_log, schedule_refresh and grant_bi_access.  Each area's marts have
# their own fragment, included after this one so the framework comes first.
SQL_PARTS   += extension/sql/40_marts_core.sql
# REGRESS     += marts_core
