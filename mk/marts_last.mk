# mk/marts_last.mk: the mart parts that come after every area's marts.
SQL_PARTS   += extension/sql/46_marts_refresh.sql extension/sql/47_marts_schedule.sql \
               extension/sql/48_marts_access.sql
