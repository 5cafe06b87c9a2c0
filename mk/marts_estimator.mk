# mk/marts_estimator.mk: the cost-estimator marts (estimator_daily, exceptions_daily, costs_daily, service_performance, provider_performance, coverage_daily, status_daily) (issue 5).
SQL_PARTS   += extension/sql/41_marts_estimator.sql
