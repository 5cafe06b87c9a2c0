# mk/marts_estimator.mk: the cost-estimator marts (issue 5): estimator_daily, status_daily, line_outcomes_daily, service_daily, coverage_daily, costs_daily, exceptions_daily, exceptions_service_daily, service_performance, provider_performance.
SQL_PARTS   += extension/sql/41_marts_estimator.sql
REGRESS     += marts_estimator
