-- 44_marts_claims.sql: the claims marts (claims_monthly, payer_performance, ar_aging, load_report).
--
-- The rules every claims mart shares are written once: claim_status_group
-- (which statuses are decided, approved, denied, in process or voided) and
-- the view claim_facts (one row per claim with its breakdown keys, month,
-- denial reason, days to adjudicate and whether it is outstanding).
-- Days are UTC days; docs/marts-claims.md describes every column.

-- ---------------------------------------------------------------------------
-- Shared rules
-- ---------------------------------------------------------------------------

-- The decision group of a canonical claim status.
CREATE FUNCTION @extschema@.claim_status_group(status text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE status
    WHEN 'submitted' THEN 'in_process'
    WHEN 'pending' THEN 'in_process'
    WHEN 'approved' THEN 'approved'
    WHEN 'paid' THEN 'approved'
    WHEN 'partially_paid' THEN 'approved'
    WHEN 'adjusted' THEN 'approved'
    WHEN 'denied' THEN 'denied'
    WHEN 'rejected' THEN 'denied'
    WHEN 'voided' THEN 'voided'
END;

COMMENT ON FUNCTION @extschema@.claim_status_group(text) IS
  'The decision group of a claim status: in_process (submitted, pending), approved (approved, paid, partially_paid, adjusted), denied (denied, rejected) or voided. Decided claims are the approved and denied groups; the claims marts use it for approval and denial rates.';

-- Every claim with the derived values the claims marts share.
CREATE VIEW @extschema@.claim_facts AS
SELECT c.claim_id,
       coalesce(nullif(c.payer, ''), 'unknown') AS payer,
       coalesce(nullif(c.provider_id, ''), 'unknown') AS provider_id,
       coalesce(nullif(c.location, ''), 'unknown') AS location,
       c.status,
       g.status_group,
       c.service_date,
       pg_catalog.date_trunc('month', coalesce(c.service_date::timestamp,
                                                          c.loaded_at AT TIME ZONE 'UTC'))::date AS month_date,
       c.service_date IS NULL AS undated,
       c.claim_amount,
       c.paid_amount,
       CASE WHEN g.status_group = 'denied' THEN nullif(pg_catalog.btrim(c.denial_reason), '') END AS denial_reason,
       CASE WHEN g.status_group IN ('approved', 'denied')
            THEN (c.adjudicated_at AT TIME ZONE 'UTC')::date - c.service_date END AS days_to_adjudicate,
       c.status IN ('submitted', 'pending', 'approved') AS is_outstanding
  FROM @extschema@.claims c
 CROSS JOIN LATERAL (SELECT @extschema@.claim_status_group(c.status) AS status_group) g;

COMMENT ON VIEW @extschema@.claim_facts IS
  'Internal to the claims marts (not for BI): each claim with its breakdown keys (payer, provider_id, location; unknown when missing), its month (the service month, or the UTC month it was loaded when the service date is unknown), decision group, denial reason, days to adjudicate and whether it is outstanding.';
COMMENT ON COLUMN @extschema@.claim_facts.claim_id IS 'The claim.';
COMMENT ON COLUMN @extschema@.claim_facts.payer IS 'claims.payer; unknown when missing.';
COMMENT ON COLUMN @extschema@.claim_facts.provider_id IS 'claims.provider_id; unknown when missing.';
COMMENT ON COLUMN @extschema@.claim_facts.location IS 'claims.location ("City, ST"); unknown when missing.';
COMMENT ON COLUMN @extschema@.claim_facts.status IS 'The canonical status.';
COMMENT ON COLUMN @extschema@.claim_facts.status_group IS 'claim_status_group(status).';
COMMENT ON COLUMN @extschema@.claim_facts.service_date IS 'Date of service; NULL when unreadable in the source.';
COMMENT ON COLUMN @extschema@.claim_facts.month_date IS 'First day of the service month; of the UTC month of loaded_at when the service date is unknown (undated).';
COMMENT ON COLUMN @extschema@.claim_facts.undated IS 'The service date is unknown, so month_date is the load month.';
COMMENT ON COLUMN @extschema@.claim_facts.claim_amount IS 'Billed amount; NULL when unreadable in the source.';
COMMENT ON COLUMN @extschema@.claim_facts.paid_amount IS 'Paid amount; NULL while not paid.';
COMMENT ON COLUMN @extschema@.claim_facts.denial_reason IS 'The trimmed denial reason of a denied or rejected claim; NULL otherwise or when empty.';
COMMENT ON COLUMN @extschema@.claim_facts.days_to_adjudicate IS 'For a decided claim (approved or denied group): the UTC day of adjudicated_at - service_date, in whole days; NULL when either is unknown.';
COMMENT ON COLUMN @extschema@.claim_facts.is_outstanding IS 'Awaiting payment: status submitted, pending or approved (paid_amount not known yet).';

-- Statistics on claim_facts' grouping expressions, written exactly as the
-- view computes them (after ANALYZE the planner then knows there are few
-- groups and aggregates by hashing, instead of sorting every claim).
CREATE STATISTICS @extschema@.claims_mart_groups (ndistinct) ON
    (coalesce(nullif(payer, ''), 'unknown')),
    (coalesce(nullif(provider_id, ''), 'unknown')),
    (coalesce(nullif(location, ''), 'unknown')),
    status,
    (pg_catalog.date_trunc('month', coalesce(service_date::timestamp, loaded_at AT TIME ZONE 'UTC'))::date)
  FROM @extschema@.claims;
CREATE STATISTICS @extschema@.claims_mart_days (ndistinct) ON
    (coalesce(nullif(payer, ''), 'unknown')),
    (pg_catalog.date_trunc('month', coalesce(service_date::timestamp, loaded_at AT TIME ZONE 'UTC'))::date),
    (CASE WHEN @extschema@.claim_status_group(status) IN ('approved', 'denied')
          THEN (adjudicated_at AT TIME ZONE 'UTC')::date - service_date END)
  FROM @extschema@.claims;

COMMENT ON STATISTICS @extschema@.claims_mart_groups IS
  'Distinct counts of the claims marts'' breakdown keys (claim_facts: payer, provider_id, location, status, month_date), so that claims_monthly aggregates by hashing. The expressions must stay those of claim_facts.';
COMMENT ON STATISTICS @extschema@.claims_mart_days IS
  'Distinct counts of claim_facts'' payer, month_date and days_to_adjudicate, so that payer_performance''s histogram of days aggregates by hashing. The expressions must stay those of claim_facts.';

-- ---------------------------------------------------------------------------
-- claims_monthly
-- ---------------------------------------------------------------------------

-- claims_monthly: claims, billed, paid, approvals and denials.  Grain: month_date x payer x provider_id x location x status.
CREATE MATERIALIZED VIEW @extschema@.mv_claims_monthly AS
WITH g AS (
    -- status is in the grain, so the decision counts follow from it below
    SELECT f.month_date, f.payer, f.provider_id, f.location, f.status,
           pg_catalog.count(*) AS claims,
           pg_catalog.count(*) FILTER (WHERE f.undated) AS undated_claims,
           coalesce(pg_catalog.sum(f.claim_amount), 0.00) AS billed_amount,
           pg_catalog.count(f.claim_amount) AS claims_with_amount,
           coalesce(pg_catalog.sum(f.paid_amount), 0.00) AS paid_amount
      FROM @extschema@.claim_facts f
     GROUP BY f.month_date, f.payer, f.provider_id, f.location, f.status
), s AS (
    SELECT g.*, x.status_group,
           CASE WHEN x.status_group IN ('approved', 'denied') THEN g.claims ELSE 0 END AS decided_claims,
           CASE WHEN x.status_group = 'approved' THEN g.claims ELSE 0 END AS approved_claims,
           CASE WHEN x.status_group = 'denied' THEN g.claims ELSE 0 END AS denied_claims
      FROM g
     CROSS JOIN LATERAL (SELECT @extschema@.claim_status_group(g.status) AS status_group) x
)
SELECT s.month_date,
       s.payer,
       s.provider_id,
       s.location,
       s.status,
       s.status_group,
       d.fiscal_year,
       d.fiscal_quarter,
       d.fiscal_period,
       pr.provider_type,
       lo.city AS location_city,
       lo.state AS location_state,
       s.claims,
       s.undated_claims,
       s.billed_amount,
       s.claims - s.claims_with_amount AS claims_without_amount,
       s.paid_amount,
       s.decided_claims,
       s.approved_claims,
       s.denied_claims,
       pg_catalog.sum(s.approved_claims) OVER w::double precision
           / nullif(pg_catalog.sum(s.decided_claims) OVER w, 0) AS approval_rate,
       pg_catalog.sum(s.denied_claims) OVER w::double precision
           / nullif(pg_catalog.sum(s.decided_claims) OVER w, 0) AS denial_rate
  FROM s
  LEFT JOIN @extschema@.dim_date d ON d.date_key = s.month_date
  LEFT JOIN @extschema@.dim_provider pr ON pr.provider_id = s.provider_id
  LEFT JOIN @extschema@.dim_location lo ON lo.location = s.location
WINDOW w AS (PARTITION BY s.month_date, s.payer, s.provider_id, s.location)
WITH DATA;

CREATE UNIQUE INDEX mv_claims_monthly_key ON @extschema@.mv_claims_monthly (month_date, payer, provider_id, location, status);
CREATE INDEX mv_claims_monthly_payer ON @extschema@.mv_claims_monthly (payer, month_date);
CREATE INDEX mv_claims_monthly_provider ON @extschema@.mv_claims_monthly (provider_id, month_date);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_claims_monthly IS
  'Claims by service month, payer, provider, location and status: claims, billed and paid amounts, decided, approved and denied claims, and the approval and denial rates of the month x payer x provider x location. Counts and amounts add up over any rows; recompute rates from the counts when rolling up. Grain: month_date x payer x provider_id x location x status. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.month_date IS 'First day of the service month (dim_date key); for a claim whose service date is unknown, the UTC month it was loaded (see undated_claims).';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.payer IS 'The payer (claims.payer, dim_payer); unknown when missing.';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.provider_id IS 'The provider (claims.provider_id, dim_provider); unknown when missing. Drill-down key to claims.';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.location IS 'Where the service was rendered, "City, ST" (claims.location, dim_location); unknown when missing.';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.status IS 'Canonical claim status: submitted, pending, approved, paid, partially_paid, denied, rejected, adjusted or voided.';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.status_group IS 'claim_status_group(status): in_process, approved, denied or voided.';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.fiscal_year IS 'dim_date: fiscal year of month_date (setting fiscal_year_start_month).';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.fiscal_quarter IS 'dim_date: fiscal quarter of month_date, 1-4.';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.fiscal_period IS 'dim_date: fiscal period (month of the fiscal year) of month_date, 1-12.';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.provider_type IS 'dim_provider.provider_type (from the cost-estimator traces); NULL when unknown.';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.location_city IS 'dim_location.city: the part of location before the last comma.';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.location_state IS 'dim_location.state: the two-letter state after the last comma; NULL when there is none.';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.claims IS 'Number of claims.';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.undated_claims IS 'Of claims, those whose service date is unknown (placed in the month they were loaded).';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.billed_amount IS 'Sum of claim_amount (billed), dollars; claims without an amount add nothing (see claims_without_amount).';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.claims_without_amount IS 'Of claims, those whose billed amount is unknown.';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.paid_amount IS 'Sum of paid_amount, dollars (0 for denied and voided claims and for claims not paid yet).';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.decided_claims IS 'Of claims, those decided: the approved and denied status groups (not in process, not voided).';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.approved_claims IS 'Of claims, those approved: approved, paid, partially_paid or adjusted.';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.denied_claims IS 'Of claims, those denied or rejected.';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.approval_rate IS 'approved / decided claims of the row''s month x payer x provider x location over all its statuses (the same on each status row), 0..1; NULL when none is decided.';
COMMENT ON COLUMN @extschema@.mv_claims_monthly.denial_rate IS 'denied / decided claims of the row''s month x payer x provider x location over all its statuses (the same on each status row), 0..1; NULL when none is decided.';

SELECT @extschema@.mart_publish('claims_monthly', 400, 'claims');

-- ---------------------------------------------------------------------------
-- payer_performance
-- ---------------------------------------------------------------------------

-- payer_performance: each payer's volume, decisions, speed and top denial reasons per month.  Grain: payer x month_date.
CREATE MATERIALIZED VIEW @extschema@.mv_payer_performance AS
WITH g AS (
    SELECT f.payer, f.month_date,
           pg_catalog.count(*) AS claims,
           pg_catalog.count(*) FILTER (WHERE f.undated) AS undated_claims,
           coalesce(pg_catalog.sum(f.claim_amount), 0.00) AS billed_amount,
           coalesce(pg_catalog.sum(f.paid_amount), 0.00) AS paid_amount,
           pg_catalog.count(*) FILTER (WHERE f.status_group = 'in_process') AS in_process_claims,
           pg_catalog.count(*) FILTER (WHERE f.status_group = 'voided') AS voided_claims,
           pg_catalog.count(*) FILTER (WHERE f.status_group IN ('approved', 'denied')) AS decided_claims,
           pg_catalog.count(*) FILTER (WHERE f.status_group = 'approved') AS approved_claims,
           pg_catalog.count(*) FILTER (WHERE f.status_group = 'denied') AS denied_claims,
           pg_catalog.count(*) FILTER (WHERE f.status_group = 'denied' AND f.denial_reason IS NULL) AS denials_without_reason,
           pg_catalog.count(f.days_to_adjudicate) AS timed_decisions,
           pg_catalog.round(pg_catalog.avg(f.days_to_adjudicate), 2) AS avg_days_to_adjudicate
      FROM @extschema@.claim_facts f
     GROUP BY f.payer, f.month_date
), h AS (
    -- the days to adjudicate as a histogram (a narrow aggregate, not a sort
    -- of every claim): upto = decisions taking at most days
    SELECT f.payer, f.month_date, f.days_to_adjudicate AS days,
           pg_catalog.sum(pg_catalog.count(*)) OVER (PARTITION BY f.payer, f.month_date
                                                    ORDER BY f.days_to_adjudicate) AS upto
      FROM @extschema@.claim_facts f
     WHERE f.days_to_adjudicate IS NOT NULL
     GROUP BY f.payer, f.month_date, f.days_to_adjudicate
), pct AS (
    -- percentile_cont exactly: the values at 0-based ranks floor and ceil of
    -- p x (n - 1), interpolated in double precision as PostgreSQL does
    SELECT g.payer, g.month_date, q.p,
           pg_catalog.min(h.days) FILTER (WHERE h.upto > pg_catalog.floor(q.p * (g.timed_decisions - 1))) AS lo,
           pg_catalog.min(h.days) FILTER (WHERE h.upto > pg_catalog.ceil(q.p * (g.timed_decisions - 1))) AS hi,
           q.p * (g.timed_decisions - 1) - pg_catalog.floor(q.p * (g.timed_decisions - 1)) AS frac
      FROM g
      JOIN h ON h.payer = g.payer AND h.month_date = g.month_date
     CROSS JOIN (VALUES (0.5::double precision), (0.9::double precision)) AS q(p)
     GROUP BY g.payer, g.month_date, q.p, g.timed_decisions
), month_total AS (
    SELECT g.month_date, pg_catalog.sum(g.claims) AS claims
      FROM g
     GROUP BY g.month_date
), reason AS (
    SELECT f.payer, f.month_date, f.denial_reason, pg_catalog.count(*) AS claims,
           pg_catalog.row_number() OVER (PARTITION BY f.payer, f.month_date
                                         ORDER BY pg_catalog.count(*) DESC, f.denial_reason) AS reason_rank
      FROM @extschema@.claim_facts f
     WHERE f.denial_reason IS NOT NULL
     GROUP BY f.payer, f.month_date, f.denial_reason
)
SELECT g.payer,
       g.month_date,
       d.fiscal_year,
       d.fiscal_quarter,
       d.fiscal_period,
       g.claims,
       g.undated_claims,
       g.claims::double precision / m.claims AS submission_share,
       g.billed_amount,
       g.paid_amount,
       g.in_process_claims,
       g.voided_claims,
       g.decided_claims,
       g.decided_claims::double precision / g.claims AS adjudication_rate,
       g.approved_claims,
       g.approved_claims::double precision / nullif(g.decided_claims, 0) AS approval_rate,
       g.denied_claims,
       g.denied_claims::double precision / nullif(g.decided_claims, 0) AS denial_rate,
       g.timed_decisions,
       g.avg_days_to_adjudicate,
       pg_catalog.round((p50.lo + p50.frac * (p50.hi - p50.lo))::numeric, 2) AS median_days_to_adjudicate,
       pg_catalog.round((p90.lo + p90.frac * (p90.hi - p90.lo))::numeric, 2) AS p90_days_to_adjudicate,
       r1.denial_reason AS top_denial_reason_1,
       coalesce(r1.claims, 0) AS top_denial_reason_1_claims,
       r2.denial_reason AS top_denial_reason_2,
       coalesce(r2.claims, 0) AS top_denial_reason_2_claims,
       r3.denial_reason AS top_denial_reason_3,
       coalesce(r3.claims, 0) AS top_denial_reason_3_claims,
       g.denials_without_reason
  FROM g
  JOIN month_total m ON m.month_date = g.month_date
  LEFT JOIN pct p50 ON p50.payer = g.payer AND p50.month_date = g.month_date AND p50.p = 0.5
  LEFT JOIN pct p90 ON p90.payer = g.payer AND p90.month_date = g.month_date AND p90.p = 0.9
  LEFT JOIN reason r1 ON r1.payer = g.payer AND r1.month_date = g.month_date AND r1.reason_rank = 1
  LEFT JOIN reason r2 ON r2.payer = g.payer AND r2.month_date = g.month_date AND r2.reason_rank = 2
  LEFT JOIN reason r3 ON r3.payer = g.payer AND r3.month_date = g.month_date AND r3.reason_rank = 3
  LEFT JOIN @extschema@.dim_date d ON d.date_key = g.month_date
WITH DATA;

CREATE UNIQUE INDEX mv_payer_performance_key ON @extschema@.mv_payer_performance (payer, month_date);
CREATE INDEX mv_payer_performance_month ON @extschema@.mv_payer_performance (month_date);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_payer_performance IS
  'Each payer''s claims per service month: volume and share of the month''s submissions, billed and paid, adjudication, approval and denial rates, days from service to decision (average, median, 90th percentile) and the three most frequent denial reasons. Grain: payer x month_date. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.payer IS 'The payer (claims.payer, dim_payer); unknown when missing. Drill-down key.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.month_date IS 'First day of the service month (dim_date key); the UTC load month for claims without a service date.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.fiscal_year IS 'dim_date: fiscal year of month_date.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.fiscal_quarter IS 'dim_date: fiscal quarter of month_date, 1-4.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.fiscal_period IS 'dim_date: fiscal period of month_date, 1-12.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.claims IS 'Claims submitted to the payer.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.undated_claims IS 'Of claims, those without a service date (placed in their load month).';
COMMENT ON COLUMN @extschema@.mv_payer_performance.submission_share IS 'claims / all claims of the month (every payer), 0..1: the payer''s share of the submissions.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.billed_amount IS 'Sum of claim_amount (billed), dollars; claims without an amount add nothing.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.paid_amount IS 'Sum of paid_amount, dollars.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.in_process_claims IS 'Of claims, those submitted or pending.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.voided_claims IS 'Of claims, those voided.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.decided_claims IS 'Of claims, those decided (approved or denied status groups, see claim_status_group).';
COMMENT ON COLUMN @extschema@.mv_payer_performance.adjudication_rate IS 'decided_claims / claims, 0..1.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.approved_claims IS 'Of claims, those approved, paid, partially paid or adjusted.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.approval_rate IS 'approved_claims / decided_claims, 0..1; NULL when none is decided.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.denied_claims IS 'Of claims, those denied or rejected.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.denial_rate IS 'denied_claims / decided_claims, 0..1; NULL when none is decided.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.timed_decisions IS 'Decided claims with both a service date and an adjudication time.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.avg_days_to_adjudicate IS 'Average whole days from the service date to the UTC day of adjudicated_at over timed_decisions, rounded to 0.01.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.median_days_to_adjudicate IS 'Median of those days, exactly as percentile_cont(0.5) (computed from their histogram), rounded to 0.01.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.p90_days_to_adjudicate IS '90th percentile of those days, exactly as percentile_cont(0.9), rounded to 0.01.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.top_denial_reason_1 IS 'The most frequent denial reason of the denied claims (ties: alphabetical); NULL when none.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.top_denial_reason_1_claims IS 'Denied claims with top_denial_reason_1 (0 when none).';
COMMENT ON COLUMN @extschema@.mv_payer_performance.top_denial_reason_2 IS 'The second most frequent denial reason; NULL when none.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.top_denial_reason_2_claims IS 'Denied claims with top_denial_reason_2 (0 when none).';
COMMENT ON COLUMN @extschema@.mv_payer_performance.top_denial_reason_3 IS 'The third most frequent denial reason; NULL when none.';
COMMENT ON COLUMN @extschema@.mv_payer_performance.top_denial_reason_3_claims IS 'Denied claims with top_denial_reason_3 (0 when none).';
COMMENT ON COLUMN @extschema@.mv_payer_performance.denials_without_reason IS 'Denied claims without a denial reason.';

SELECT @extschema@.mart_publish('payer_performance', 410, 'claims');

-- ---------------------------------------------------------------------------
-- ar_aging
-- ---------------------------------------------------------------------------

-- ar_aging: outstanding claims per payer by days since service.  Grain: payer.
CREATE MATERIALIZED VIEW @extschema@.mv_ar_aging AS
WITH params AS MATERIALIZED (
    SELECT pg_catalog.now() AS as_of_at,
           (pg_catalog.now() AT TIME ZONE 'UTC')::date AS as_of_date
), o AS (
    SELECT f.payer, f.claim_amount, p.as_of_date - f.service_date AS age_days
      FROM @extschema@.claim_facts f
     CROSS JOIN params p
     WHERE f.is_outstanding
), g AS (
    SELECT o.payer,
           pg_catalog.count(*) AS outstanding_claims,
           coalesce(pg_catalog.sum(o.claim_amount), 0.00) AS outstanding_amount,
           pg_catalog.count(*) FILTER (WHERE o.claim_amount IS NULL) AS claims_without_amount,
           pg_catalog.count(*) FILTER (WHERE o.age_days <= 30) AS claims_0_30_days,
           coalesce(pg_catalog.sum(o.claim_amount) FILTER (WHERE o.age_days <= 30), 0.00) AS amount_0_30_days,
           pg_catalog.count(*) FILTER (WHERE o.age_days BETWEEN 31 AND 60) AS claims_31_60_days,
           coalesce(pg_catalog.sum(o.claim_amount) FILTER (WHERE o.age_days BETWEEN 31 AND 60), 0.00) AS amount_31_60_days,
           pg_catalog.count(*) FILTER (WHERE o.age_days BETWEEN 61 AND 90) AS claims_61_90_days,
           coalesce(pg_catalog.sum(o.claim_amount) FILTER (WHERE o.age_days BETWEEN 61 AND 90), 0.00) AS amount_61_90_days,
           pg_catalog.count(*) FILTER (WHERE o.age_days > 90) AS claims_over_90_days,
           coalesce(pg_catalog.sum(o.claim_amount) FILTER (WHERE o.age_days > 90), 0.00) AS amount_over_90_days,
           pg_catalog.count(*) FILTER (WHERE o.age_days IS NULL) AS claims_unknown_age,
           coalesce(pg_catalog.sum(o.claim_amount) FILTER (WHERE o.age_days IS NULL), 0.00) AS amount_unknown_age,
           pg_catalog.round(pg_catalog.avg(o.age_days), 2) AS avg_age_days,
           pg_catalog.max(o.age_days) AS oldest_age_days
      FROM o
     GROUP BY o.payer
), payers AS (
    SELECT DISTINCT f.payer FROM @extschema@.claim_facts f
)
SELECT y.payer,
       coalesce(g.outstanding_claims, 0) AS outstanding_claims,
       coalesce(g.outstanding_amount, 0.00) AS outstanding_amount,
       coalesce(g.claims_without_amount, 0) AS claims_without_amount,
       coalesce(g.claims_0_30_days, 0) AS claims_0_30_days,
       coalesce(g.amount_0_30_days, 0.00) AS amount_0_30_days,
       coalesce(g.claims_31_60_days, 0) AS claims_31_60_days,
       coalesce(g.amount_31_60_days, 0.00) AS amount_31_60_days,
       coalesce(g.claims_61_90_days, 0) AS claims_61_90_days,
       coalesce(g.amount_61_90_days, 0.00) AS amount_61_90_days,
       coalesce(g.claims_over_90_days, 0) AS claims_over_90_days,
       coalesce(g.amount_over_90_days, 0.00) AS amount_over_90_days,
       coalesce(g.claims_unknown_age, 0) AS claims_unknown_age,
       coalesce(g.amount_unknown_age, 0.00) AS amount_unknown_age,
       (g.amount_over_90_days / nullif(g.outstanding_amount, 0))::double precision AS share_over_90_days,
       g.avg_age_days,
       g.oldest_age_days,
       p.as_of_date,
       p.as_of_at
  FROM payers y
 CROSS JOIN params p
  LEFT JOIN g ON g.payer = y.payer
WITH DATA;

CREATE UNIQUE INDEX mv_ar_aging_key ON @extschema@.mv_ar_aging (payer);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_ar_aging IS
  'Accounts receivable by payer as of the refresh: the claims awaiting payment (status submitted, pending or approved) and their billed amount, aged by whole days from the service date to the UTC day of as_of_at, in buckets 0-30, 31-60, 61-90 and over 90 days. Every payer with claims has a row. Grain: payer. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_ar_aging.payer IS 'The payer (claims.payer, dim_payer); unknown when missing. Drill-down key.';
COMMENT ON COLUMN @extschema@.mv_ar_aging.outstanding_claims IS 'Claims awaiting payment: status submitted, pending or approved.';
COMMENT ON COLUMN @extschema@.mv_ar_aging.outstanding_amount IS 'Their billed amount (claim_amount), dollars = the four buckets + amount_unknown_age.';
COMMENT ON COLUMN @extschema@.mv_ar_aging.claims_without_amount IS 'Outstanding claims whose billed amount is unknown (they add nothing to the amounts).';
COMMENT ON COLUMN @extschema@.mv_ar_aging.claims_0_30_days IS 'Outstanding claims aged 30 days or less (a future service date counts here).';
COMMENT ON COLUMN @extschema@.mv_ar_aging.amount_0_30_days IS 'Their billed amount, dollars.';
COMMENT ON COLUMN @extschema@.mv_ar_aging.claims_31_60_days IS 'Outstanding claims aged 31 to 60 days.';
COMMENT ON COLUMN @extschema@.mv_ar_aging.amount_31_60_days IS 'Their billed amount, dollars.';
COMMENT ON COLUMN @extschema@.mv_ar_aging.claims_61_90_days IS 'Outstanding claims aged 61 to 90 days.';
COMMENT ON COLUMN @extschema@.mv_ar_aging.amount_61_90_days IS 'Their billed amount, dollars.';
COMMENT ON COLUMN @extschema@.mv_ar_aging.claims_over_90_days IS 'Outstanding claims aged more than 90 days (91 and up).';
COMMENT ON COLUMN @extschema@.mv_ar_aging.amount_over_90_days IS 'Their billed amount, dollars.';
COMMENT ON COLUMN @extschema@.mv_ar_aging.claims_unknown_age IS 'Outstanding claims without a service date (age unknown).';
COMMENT ON COLUMN @extschema@.mv_ar_aging.amount_unknown_age IS 'Their billed amount, dollars.';
COMMENT ON COLUMN @extschema@.mv_ar_aging.share_over_90_days IS 'amount_over_90_days / outstanding_amount, 0..1; NULL when nothing is outstanding.';
COMMENT ON COLUMN @extschema@.mv_ar_aging.avg_age_days IS 'Average age in days of the outstanding claims with a service date, rounded to 0.01.';
COMMENT ON COLUMN @extschema@.mv_ar_aging.oldest_age_days IS 'Age in days of the oldest outstanding claim.';
COMMENT ON COLUMN @extschema@.mv_ar_aging.as_of_date IS 'The UTC day of as_of_at: ages are as_of_date - service_date.';
COMMENT ON COLUMN @extschema@.mv_ar_aging.as_of_at IS 'When the mart was refreshed (the refresh transaction''s now()).';

SELECT @extschema@.mart_publish('ar_aging', 420, 'claims');

-- ---------------------------------------------------------------------------
-- load_report
-- ---------------------------------------------------------------------------

-- load_report: the processing log, one row per file load (CSV loads and trace loads).  Grain: loader x load_key.
CREATE MATERIALIZED VIEW @extschema@.mv_load_report AS
WITH csv AS (
    SELECT 'csv'::text AS loader,
           l.load_id::text AS load_key,
           l.load_id,
           NULL::text AS import_id,
           l.source,
           l.file_name,
           l.file_sha256,
           l.bytes,
           l.map_file,
           l.status,
           l.message,
           l.started_at,
           l.finished_at,
           pg_catalog.round(EXTRACT(epoch FROM l.finished_at - l.started_at), 3) AS duration_seconds,
           1 AS runs,
           l.rows_read,
           l.rows_loaded,
           l.rows_updated,
           l.rows_duplicate,
           l.rows_rejected,
           coalesce(c.values_unreadable, 0) AS values_unreadable,
           coalesce(c.values_normalised, 0) AS values_normalised,
           pg_catalog.cardinality(l.columns_ignored) AS columns_ignored_count,
           nullif(pg_catalog.array_to_string(l.columns_ignored, ', '), '') AS columns_ignored,
           l.loaded_by
      FROM @extschema@.load_log l
      LEFT JOIN (SELECT lc.load_id,
                        pg_catalog.sum(lc.unreadable)::bigint AS values_unreadable,
                        pg_catalog.sum(lc.normalised)::bigint AS values_normalised
                   FROM @extschema@.load_log_column lc
                  GROUP BY lc.load_id) c ON c.load_id = l.load_id
), traces AS (
    SELECT 'traces'::text AS loader,
           s.import_id AS load_key,
           NULL::bigint AS load_id,
           s.import_id,
           s.kind AS source,
           s.source AS file_name,
           l.content_sha256 AS file_sha256,
           s.input_bytes AS bytes,
           NULL::text AS map_file,
           s.status,
           s.message,
           s.started_at,
           s.finished_at,
           pg_catalog.round(s.seconds::numeric, 3) AS duration_seconds,
           s.runs,
           coalesce(s.lines_read, 0) AS rows_read,
           coalesce(s.loaded, 0) AS rows_loaded,
           0::bigint AS rows_updated,
           coalesce(s.duplicates, 0) AS rows_duplicate,
           coalesce(s.rejected, 0) AS rows_rejected,
           NULL::bigint AS values_unreadable,
           NULL::bigint AS values_normalised,
           0 AS columns_ignored_count,
           NULL::text AS columns_ignored,
           NULL::text AS loaded_by
      FROM @extschema@.load_status s
      JOIN @extschema@.load_ledger l ON l.import_id = s.import_id
), loads AS (
    SELECT * FROM csv
    UNION ALL
    SELECT * FROM traces
)
SELECT x.loader,
       x.load_key,
       x.load_id,
       x.import_id,
       x.source,
       x.file_name,
       x.file_sha256,
       x.bytes,
       x.map_file,
       x.status,
       x.message,
       x.started_at,
       x.finished_at,
       (x.started_at AT TIME ZONE 'UTC')::date AS started_date,
       d.week_start_date,
       d.month_start_date,
       d.fiscal_year,
       d.fiscal_quarter,
       x.duration_seconds,
       x.runs,
       x.rows_read,
       x.rows_loaded,
       x.rows_updated,
       x.rows_duplicate,
       x.rows_rejected,
       x.rows_rejected::double precision / nullif(x.rows_read, 0) AS reject_rate,
       pg_catalog.round(x.rows_read / nullif(x.duration_seconds, 0)) AS rows_per_second,
       x.values_unreadable,
       x.values_normalised,
       x.columns_ignored_count,
       x.columns_ignored,
       x.loaded_by,
       pg_catalog.now() AS as_of_at
  FROM loads x
  LEFT JOIN @extschema@.dim_date d ON d.date_key = (x.started_at AT TIME ZONE 'UTC')::date
WITH DATA;

CREATE UNIQUE INDEX mv_load_report_key ON @extschema@.mv_load_report (loader, load_key);
CREATE INDEX mv_load_report_started ON @extschema@.mv_load_report (started_at);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_load_report IS
  'The processing log, one row per file load: costmodel-load csv loads (load_log, with load_log_column''s unreadable and normalised values) and trace loads (load_ledger through load_status): status, timing, rows read, loaded, updated, duplicate and rejected. Grain: loader x load_key. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_load_report.loader IS 'csv (costmodel-load csv, load_log) or traces (costmodel-load traces, load_ledger).';
COMMENT ON COLUMN @extschema@.mv_load_report.load_key IS 'load_id as text for csv, import_id for traces.';
COMMENT ON COLUMN @extschema@.mv_load_report.load_id IS 'load_log.load_id (drill-down to load_log_column and load_reject); NULL for traces.';
COMMENT ON COLUMN @extschema@.mv_load_report.import_id IS 'load_ledger.import_id (drill-down to load_ledger_range); NULL for csv.';
COMMENT ON COLUMN @extschema@.mv_load_report.source IS 'The target: the source table of a csv load (calls, claims ...), or traces.';
COMMENT ON COLUMN @extschema@.mv_load_report.file_name IS 'The file (absolute path) or stdin; equals source_file of the rows a csv load wrote.';
COMMENT ON COLUMN @extschema@.mv_load_report.file_sha256 IS 'SHA-256 of the file''s uncompressed content; NULL until known.';
COMMENT ON COLUMN @extschema@.mv_load_report.bytes IS 'Uncompressed bytes of the file; NULL when unknown.';
COMMENT ON COLUMN @extschema@.mv_load_report.map_file IS 'The --map file of a csv load; NULL otherwise.';
COMMENT ON COLUMN @extschema@.mv_load_report.status IS 'csv: running, loaded, loaded_with_rejects or rejected; traces: running, interrupted, finished or failed (load_status).';
COMMENT ON COLUMN @extschema@.mv_load_report.message IS 'Why the file was rejected or the load failed, or a note.';
COMMENT ON COLUMN @extschema@.mv_load_report.started_at IS 'When the load (its first run) started.';
COMMENT ON COLUMN @extschema@.mv_load_report.finished_at IS 'When it finished; NULL while running or after an interruption.';
COMMENT ON COLUMN @extschema@.mv_load_report.started_date IS 'UTC day of started_at (dim_date key).';
COMMENT ON COLUMN @extschema@.mv_load_report.week_start_date IS 'dim_date: the Monday of started_date''s ISO week.';
COMMENT ON COLUMN @extschema@.mv_load_report.month_start_date IS 'dim_date: the first day of started_date''s month.';
COMMENT ON COLUMN @extschema@.mv_load_report.fiscal_year IS 'dim_date: fiscal year of started_date.';
COMMENT ON COLUMN @extschema@.mv_load_report.fiscal_quarter IS 'dim_date: fiscal quarter of started_date, 1-4.';
COMMENT ON COLUMN @extschema@.mv_load_report.duration_seconds IS 'csv: finished_at - started_at; traces: loading time summed over the runs (load_ledger.seconds); seconds, rounded to 0.001.';
COMMENT ON COLUMN @extschema@.mv_load_report.runs IS 'Runs that worked on the load (1 for csv; traces count each resume).';
COMMENT ON COLUMN @extschema@.mv_load_report.rows_read IS 'Records (csv) or lines (traces) read in committed batches.';
COMMENT ON COLUMN @extschema@.mv_load_report.rows_loaded IS 'Rows inserted (csv) or traces loaded.';
COMMENT ON COLUMN @extschema@.mv_load_report.rows_updated IS 'Rows whose key was loaded before with other values and were updated (csv; 0 for traces).';
COMMENT ON COLUMN @extschema@.mv_load_report.rows_duplicate IS 'Rows identical to what was loaded, or repeating a key (csv); duplicate trace ids (traces).';
COMMENT ON COLUMN @extschema@.mv_load_report.rows_rejected IS 'Rows not loaded (load_reject or trace_reject).';
COMMENT ON COLUMN @extschema@.mv_load_report.reject_rate IS 'rows_rejected / rows_read, 0..1; NULL when nothing was read.';
COMMENT ON COLUMN @extschema@.mv_load_report.rows_per_second IS 'rows_read / duration_seconds, rounded to a whole number; NULL when the duration is unknown or 0.';
COMMENT ON COLUMN @extschema@.mv_load_report.values_unreadable IS 'csv: values that could not be read and were loaded as NULL (sum of load_log_column.unreadable; 0 before any is counted); NULL for traces.';
COMMENT ON COLUMN @extschema@.mv_load_report.values_normalised IS 'csv: values read from a non-canonical spelling (sum of load_log_column.normalised; 0 before any is counted); NULL for traces.';
COMMENT ON COLUMN @extschema@.mv_load_report.columns_ignored_count IS 'csv: headers of the file that matched no column.';
COMMENT ON COLUMN @extschema@.mv_load_report.columns_ignored IS 'csv: those headers, comma-separated; NULL when none.';
COMMENT ON COLUMN @extschema@.mv_load_report.loaded_by IS 'csv: the database user that ran the load; NULL for traces.';
COMMENT ON COLUMN @extschema@.mv_load_report.as_of_at IS 'When the mart was refreshed: the status of a running load is as of then.';

SELECT @extschema@.mart_publish('load_report', 430, 'claims');
