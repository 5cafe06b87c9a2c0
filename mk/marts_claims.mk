# mk/marts_claims.mk: the claims marts (claims_monthly, payer_performance, ar_aging, load_report) (issue 5).
SQL_PARTS   += extension/sql/44_marts_claims.sql
REGRESS     += marts_claims
