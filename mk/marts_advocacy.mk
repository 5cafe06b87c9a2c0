# mk/marts_advocacy.mk: the advocacy-operations marts (case_lifecycle, ops_kpis, advocate_caseload, bottlenecks, stale_cases) (issue 5).
SQL_PARTS   += extension/sql/43_marts_advocacy.sql
REGRESS     += marts_advocacy
