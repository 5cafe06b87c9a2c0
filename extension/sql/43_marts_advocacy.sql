-- 43_marts_advocacy.sql: the advocacy-operations marts (case_lifecycle, ops_kpis, advocate_caseload, bottlenecks, stale_cases).
--
-- case_lifecycle is the per-case fact the other four read, so that every
-- rule is written once, here: active (status not resolved or closed), the
-- resolution time, the last touch, escalated, reopened, handoffs, and the
-- per-case SLA and stale flags.  Those flags apply exactly the rules of the
-- C aggregates sla_stats and stale_stats (docs/windows.md), which the
-- grouped marts run over the same rows with the same as_of (case_lifecycle's
-- as_of_at) and the same settings (case_sla, stale_after), so a group's
-- aggregate counts equal the sums of its cases' flags.
-- Days are UTC days; docs/marts-advocacy.md describes every column.

-- ---------------------------------------------------------------------------
-- case_lifecycle
-- ---------------------------------------------------------------------------

-- case_lifecycle: one row per case with its timings, flags and outcome.  Grain: case_id.
CREATE MATERIALIZED VIEW @extschema@.mv_case_lifecycle AS
WITH params AS MATERIALIZED (
    SELECT pg_catalog.now() AS as_of_at,
           @extschema@.setting_interval('case_sla') AS sla,
           @extschema@.setting_interval('stale_after') AS stale_after
), ev AS (
    SELECT e.case_id,
           pg_catalog.min(e.occurred_at) FILTER (WHERE e.event_type = 'first_response') AS first_response_at,
           pg_catalog.max(e.occurred_at) FILTER (WHERE e.event_type = 'resolved') AS last_resolved_event_at,
           pg_catalog.count(*) FILTER (WHERE e.event_type = 'assigned') AS assignments,
           pg_catalog.bool_or(e.event_type = 'escalated') AS escalated_event,
           pg_catalog.bool_or(e.event_type = 'reopened') AS reopened_event,
           pg_catalog.max(e.occurred_at) AS last_event_at
      FROM @extschema@.case_events e
     GROUP BY e.case_id
), ix AS (
    SELECT i.case_id,
           pg_catalog.count(*) AS interactions,
           pg_catalog.sum(i.duration_minutes) AS interaction_minutes,
           pg_catalog.max(i.occurred_at) AS last_interaction_at
      FROM @extschema@.case_interactions i
     GROUP BY i.case_id
), c AS (
    SELECT c.case_id, c.case_type, c.urgency, c.status, c.opened_at, c.advocate_id,
           c.intake_source, c.complexity, c.missing_doc_count, c.missing_docs,
           c.status NOT IN ('resolved', 'closed') AS is_active,
           -- the resolution time: the case's resolved_at, else its last resolved event
           CASE WHEN c.status IN ('resolved', 'closed')
                THEN coalesce(c.resolved_at, ev.last_resolved_event_at) END AS resolved_at,
           ev.first_response_at,
           greatest(c.opened_at, ev.last_event_at, ix.last_interaction_at) AS last_touch_at,
           coalesce(ev.escalated_event, false) OR c.status = 'escalated' AS escalated,
           coalesce(ev.reopened_event, false) AS reopened,
           greatest(coalesce(ev.assignments, 0) - 1, 0) AS handoffs,
           coalesce(ix.interactions, 0) AS interactions,
           coalesce(ix.interaction_minutes, 0.00) AS interaction_minutes,
           f.csat
      FROM @extschema@.cases c
      LEFT JOIN ev ON ev.case_id = c.case_id
      LEFT JOIN ix ON ix.case_id = c.case_id
      LEFT JOIN @extschema@.case_feedback f ON f.case_id = c.case_id
)
SELECT c.case_id,
       c.case_type,
       coalesce(c.urgency, 'unknown') AS urgency,
       c.status,
       c.is_active,
       coalesce(c.advocate_id, 'unassigned') AS advocate_id,
       a.name AS advocate_name,
       CASE WHEN c.advocate_id IS NULL THEN 'unassigned' ELSE coalesce(a.team, 'unknown') END AS team,
       c.intake_source,
       c.complexity,
       c.opened_at,
       (c.opened_at AT TIME ZONE 'UTC')::date AS opened_date,
       d.week_start_date,
       d.month_start_date,
       d.fiscal_year,
       d.fiscal_quarter,
       c.first_response_at,
       c.resolved_at,
       (c.resolved_at AT TIME ZONE 'UTC')::date AS resolved_date,
       c.last_touch_at,
       pg_catalog.round(EXTRACT(epoch FROM c.first_response_at - c.opened_at) / 3600, 2) AS hours_to_first_response,
       pg_catalog.round(EXTRACT(epoch FROM c.resolved_at - c.opened_at) / 86400, 2) AS days_to_resolution,
       CASE WHEN c.is_active OR c.resolved_at IS NOT NULL
            THEN pg_catalog.round(EXTRACT(epoch FROM coalesce(c.resolved_at, p.as_of_at) - c.opened_at) / 86400, 2)
       END AS days_open,
       CASE WHEN c.is_active
            THEN pg_catalog.round(EXTRACT(epoch FROM p.as_of_at - c.last_touch_at) / 3600, 2) END AS hours_since_touch,
       c.interactions,
       c.interaction_minutes,
       c.escalated,
       c.reopened,
       -- sla_stats: closed late, or open longer than the SLA at as_of
       CASE WHEN c.is_active THEN p.as_of_at - c.opened_at > p.sla
            WHEN c.resolved_at IS NOT NULL THEN c.resolved_at - c.opened_at > p.sla
       END AS sla_breached,
       -- stale_stats: active and untouched for longer than stale_after at as_of
       c.is_active AND p.as_of_at - c.last_touch_at > p.stale_after AS stale,
       c.csat,
       c.missing_doc_count,
       c.missing_doc_count > 0 AS has_missing_docs,
       c.missing_docs,
       c.handoffs,
       CASE WHEN c.handoffs >= 3 THEN '3+' ELSE c.handoffs::text END AS handoff_bucket,
       p.as_of_at
  FROM c
 CROSS JOIN params p
  LEFT JOIN @extschema@.advocates a ON a.advocate_id = c.advocate_id
  LEFT JOIN @extschema@.dim_date d ON d.date_key = (c.opened_at AT TIME ZONE 'UTC')::date
WITH DATA;

CREATE UNIQUE INDEX mv_case_lifecycle_key ON @extschema@.mv_case_lifecycle (case_id);
CREATE INDEX mv_case_lifecycle_opened ON @extschema@.mv_case_lifecycle (opened_date);
CREATE INDEX mv_case_lifecycle_advocate ON @extschema@.mv_case_lifecycle (advocate_id) WHERE is_active;

COMMENT ON MATERIALIZED VIEW @extschema@.mv_case_lifecycle IS
  'One row per advocacy case: time to first response and to resolution, interactions, escalated, reopened, SLA breached (setting case_sla), stale (setting stale_after), CSAT, missing documents and handoffs, as of the refresh (as_of_at). Grain: case_id. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.case_id IS 'The case (cases.case_id); drill-down key to case_events, case_interactions and case_feedback.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.case_type IS 'billing_dispute, prior_auth, provider_search, care_coordination or claim_denial.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.urgency IS 'low, medium, high or critical; unknown when the case has none.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.status IS 'The case''s current status: open, in_progress, pending_docs, escalated, resolved or closed.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.is_active IS 'True when the status is neither resolved nor closed.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.advocate_id IS 'The assigned advocate (cases.advocate_id); unassigned when none.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.advocate_name IS 'The advocate''s name; NULL when unassigned.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.team IS 'The advocate''s team; unassigned when the case has no advocate, unknown when the advocate has no team.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.intake_source IS 'How the case came in (metadata.intake_source); NULL when not given.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.complexity IS 'metadata.complexity, 1 (simple) to 5; NULL when not given.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.opened_at IS 'When the case was opened.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.opened_date IS 'The UTC day of opened_at (dim_date key).';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.week_start_date IS 'dim_date: the Monday of opened_date''s ISO week.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.month_start_date IS 'dim_date: the first day of opened_date''s month.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.fiscal_year IS 'dim_date: fiscal year of opened_date (setting fiscal_year_start_month).';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.fiscal_quarter IS 'dim_date: fiscal quarter of opened_date, 1-4.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.first_response_at IS 'The earliest first_response event; NULL when none.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.resolved_at IS 'The resolution time of a resolved or closed case: cases.resolved_at, else its latest resolved event; NULL while the case is active (a reopened case is active again).';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.resolved_date IS 'The UTC day of resolved_at; NULL while active.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.last_touch_at IS 'The latest of opened_at, the case''s events and its interactions.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.hours_to_first_response IS 'first_response_at - opened_at in hours, rounded to 0.01; NULL without a first response.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.days_to_resolution IS 'resolved_at - opened_at in days of 24 hours, rounded to 0.01; NULL while active.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.days_open IS 'Days (of 24 hours, rounded to 0.01) from opened_at to resolved_at, or to as_of_at for an active case; NULL for a resolved case without a resolution time.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.hours_since_touch IS 'as_of_at - last_touch_at in hours, rounded to 0.01, for an active case; NULL when resolved.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.interactions IS 'Number of case_interactions of the case.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.interaction_minutes IS 'Sum of the interactions'' duration_minutes (0 when none).';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.escalated IS 'True when the case has an escalated event or its status is escalated.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.reopened IS 'True when the case has a reopened event.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.sla_breached IS 'The sla_stats rule with the setting case_sla: resolved_at - opened_at > case_sla, or, for an active case, as_of_at - opened_at > case_sla (a case resolved exactly at the SLA is not breached). NULL for a resolved case without a resolution time (sla_stats skips it).';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.stale IS 'The stale_stats rule with the setting stale_after: an active case with as_of_at - last_touch_at > stale_after. False for resolved cases.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.csat IS 'The member''s CSAT for the case (case_feedback.csat, 1-5); NULL without feedback.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.missing_doc_count IS 'Number of documents listed in metadata.missing_docs; NULL when unknown.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.has_missing_docs IS 'missing_doc_count > 0.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.missing_docs IS 'The missing documents, comma-separated (metadata.missing_docs); NULL when none.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.handoffs IS 'Handoffs: assigned events after the first one (docs/sources.md).';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.handoff_bucket IS 'handoffs as 0, 1, 2 or 3+.';
COMMENT ON COLUMN @extschema@.mv_case_lifecycle.as_of_at IS 'When the mart was refreshed (the refresh transaction''s now()): the time the open-case SLA, stale flag, days_open and hours_since_touch are measured at.';

SELECT @extschema@.mart_publish('case_lifecycle', 300, 'advocacy');

-- ---------------------------------------------------------------------------
-- ops_kpis
-- ---------------------------------------------------------------------------

-- ops_kpis: the case KPIs per day opened, case type and urgency.  Grain: opened_date x case_type x urgency.
CREATE MATERIALIZED VIEW @extschema@.mv_ops_kpis AS
WITH params AS MATERIALIZED (
    SELECT @extschema@.setting_interval('case_sla') AS sla,
           @extschema@.setting_interval('stale_after') AS stale_after
), g AS (
    SELECT l.opened_date, l.case_type, l.urgency,
           pg_catalog.max(l.as_of_at) AS as_of_at,
           pg_catalog.count(*) AS cases,
           pg_catalog.count(*) FILTER (WHERE NOT l.is_active) AS resolved_cases,
           pg_catalog.count(*) FILTER (WHERE l.escalated) AS escalated_cases,
           pg_catalog.count(*) FILTER (WHERE l.reopened) AS reopened_cases,
           pg_catalog.count(l.hours_to_first_response) AS first_responded_cases,
           pg_catalog.sum(l.hours_to_first_response) AS hours_to_first_response_sum,
           pg_catalog.count(l.days_to_resolution) AS timed_resolved_cases,
           pg_catalog.sum(l.days_to_resolution) AS days_to_resolution_sum,
           pg_catalog.sum(l.interactions) AS interactions,
           pg_catalog.count(l.csat) AS feedback_responses,
           pg_catalog.sum(l.csat) AS csat_sum,
           pg_catalog.count(*) FILTER (WHERE l.has_missing_docs) AS missing_docs_cases,
           pg_catalog.sum(l.handoffs) AS handoffs,
           @extschema@.sla_stats(CASE WHEN l.sla_breached IS NOT NULL THEN l.opened_at END,
                                 l.resolved_at, p.sla, l.as_of_at) AS sla,
           @extschema@.stale_stats(l.last_touch_at, l.is_active, p.stale_after, l.as_of_at) AS st
      FROM @extschema@.mv_case_lifecycle l
     CROSS JOIN params p
     GROUP BY l.opened_date, l.case_type, l.urgency
)
SELECT g.opened_date,
       g.case_type,
       g.urgency,
       d.week_start_date,
       d.month_start_date,
       d.fiscal_year,
       d.fiscal_quarter,
       g.cases,
       (g.st).open_cases AS active_cases,
       g.resolved_cases,
       g.escalated_cases,
       g.escalated_cases::double precision / g.cases AS escalation_rate,
       g.reopened_cases,
       g.reopened_cases::double precision / g.cases AS reopen_rate,
       (g.sla).cases AS sla_cases,
       (g.sla).breached AS sla_breached_cases,
       (g.sla).breach_rate AS sla_breach_rate,
       (g.st).stale_cases AS stale_cases,
       (g.st).stale_rate AS stale_rate,
       g.first_responded_cases,
       g.hours_to_first_response_sum,
       pg_catalog.round(g.hours_to_first_response_sum / nullif(g.first_responded_cases, 0), 2) AS avg_hours_to_first_response,
       g.timed_resolved_cases,
       g.days_to_resolution_sum,
       pg_catalog.round(g.days_to_resolution_sum / nullif(g.timed_resolved_cases, 0), 2) AS avg_days_to_resolution,
       pg_catalog.round((g.sla).median_hours_to_close::numeric, 2) AS median_hours_to_close,
       pg_catalog.round((g.sla).p90_hours_to_close::numeric, 2) AS p90_hours_to_close,
       g.interactions,
       pg_catalog.round(g.interactions::numeric / g.cases, 2) AS avg_interactions,
       g.feedback_responses,
       g.csat_sum,
       pg_catalog.round(g.csat_sum::numeric / nullif(g.feedback_responses, 0), 2) AS avg_csat,
       g.missing_docs_cases,
       g.handoffs,
       pg_catalog.round(g.handoffs::numeric / g.cases, 2) AS avg_handoffs,
       g.as_of_at
  FROM g
  LEFT JOIN @extschema@.dim_date d ON d.date_key = g.opened_date
WITH DATA;

CREATE UNIQUE INDEX mv_ops_kpis_key ON @extschema@.mv_ops_kpis (opened_date, case_type, urgency);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_ops_kpis IS
  'Advocacy KPIs of the cases opened each day, per case type and urgency: volume, escalations, reopens, SLA breaches (sla_stats, setting case_sla), stale cases (stale_stats, setting stale_after), response and resolution times, interactions, CSAT, missing documents, handoffs. Counts and *_sum columns add up over days; rates and averages are for the row (recompute them from the counts when rolling up). Grain: opened_date x case_type x urgency. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.opened_date IS 'UTC day the cases were opened (dim_date key).';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.case_type IS 'Case type.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.urgency IS 'Urgency: low, medium, high, critical or unknown.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.week_start_date IS 'dim_date: the Monday of opened_date''s ISO week.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.month_start_date IS 'dim_date: the first day of opened_date''s month.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.fiscal_year IS 'dim_date: fiscal year of opened_date.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.fiscal_quarter IS 'dim_date: fiscal quarter of opened_date, 1-4.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.cases IS 'Cases opened (case_lifecycle rows).';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.active_cases IS 'Of cases, those still active (stale_stats open_cases).';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.resolved_cases IS 'Of cases, those resolved or closed.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.escalated_cases IS 'Of cases, those escalated.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.escalation_rate IS 'escalated_cases / cases, 0..1.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.reopened_cases IS 'Of cases, those reopened.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.reopen_rate IS 'reopened_cases / cases, 0..1.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.sla_cases IS 'Cases sla_stats counted: all but resolved cases without a resolution time.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.sla_breached_cases IS 'sla_stats breached with the setting case_sla as of as_of_at: resolved later than case_sla after opening, or active and open longer than case_sla.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.sla_breach_rate IS 'sla_breached_cases / sla_cases, 0..1 (sla_stats breach_rate); NULL when sla_cases is 0.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.stale_cases IS 'stale_stats with the setting stale_after as of as_of_at: active cases untouched for longer than stale_after.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.stale_rate IS 'stale_cases / active_cases, 0..1; NULL when no case is active.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.first_responded_cases IS 'Cases with a first response.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.hours_to_first_response_sum IS 'Sum of case_lifecycle.hours_to_first_response (for weighted roll-ups).';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.avg_hours_to_first_response IS 'hours_to_first_response_sum / first_responded_cases, rounded to 0.01.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.timed_resolved_cases IS 'Resolved cases with a resolution time.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.days_to_resolution_sum IS 'Sum of case_lifecycle.days_to_resolution (for weighted roll-ups).';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.avg_days_to_resolution IS 'days_to_resolution_sum / timed_resolved_cases, rounded to 0.01.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.median_hours_to_close IS 'sla_stats: exact median hours from opening to resolution over the resolved cases (percentile_cont), rounded to 0.01. Does not add up over rows.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.p90_hours_to_close IS 'sla_stats: exact 90th percentile of hours to resolution, rounded to 0.01. Does not add up over rows.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.interactions IS 'Interactions of the cases.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.avg_interactions IS 'interactions / cases, rounded to 0.01.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.feedback_responses IS 'Cases with a CSAT response.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.csat_sum IS 'Sum of the CSAT scores (for weighted roll-ups).';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.avg_csat IS 'csat_sum / feedback_responses (1-5), rounded to 0.01; NULL without feedback.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.missing_docs_cases IS 'Cases with at least one missing document.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.handoffs IS 'Handoffs of the cases (assigned events after each case''s first).';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.avg_handoffs IS 'handoffs / cases, rounded to 0.01.';
COMMENT ON COLUMN @extschema@.mv_ops_kpis.as_of_at IS 'case_lifecycle.as_of_at: the time the SLA and stale rules were applied at.';

SELECT @extschema@.mart_publish('ops_kpis', 310, 'advocacy');

-- ---------------------------------------------------------------------------
-- advocate_caseload
-- ---------------------------------------------------------------------------

-- advocate_caseload: each advocate's active cases against capacity.  Grain: advocate_id.
CREATE MATERIALIZED VIEW @extschema@.mv_advocate_caseload AS
WITH params AS MATERIALIZED (
    SELECT @extschema@.setting_numeric('overload_utilization') AS overload,
           (SELECT pg_catalog.max(l.as_of_at) FROM @extschema@.mv_case_lifecycle l) AS lifecycle_as_of_at
), roster AS (
    SELECT a.advocate_id, a.name, a.team, a.capacity
      FROM @extschema@.advocates a
    UNION ALL
    SELECT 'unassigned', NULL, NULL, NULL
     WHERE EXISTS (SELECT FROM @extschema@.mv_case_lifecycle l WHERE l.advocate_id = 'unassigned')
       AND NOT EXISTS (SELECT FROM @extschema@.advocates a WHERE a.advocate_id = 'unassigned')
), load AS (
    SELECT l.advocate_id,
           pg_catalog.count(*) AS cases,
           pg_catalog.count(*) FILTER (WHERE l.is_active) AS active_cases,
           pg_catalog.count(*) FILTER (WHERE l.is_active AND l.urgency IN ('high', 'critical')) AS active_urgent_cases,
           pg_catalog.count(*) FILTER (WHERE l.is_active AND l.escalated) AS active_escalated_cases,
           pg_catalog.count(*) FILTER (WHERE l.is_active AND l.sla_breached) AS active_sla_breached_cases,
           pg_catalog.count(*) FILTER (WHERE l.stale) AS stale_cases,
           pg_catalog.count(*) FILTER (WHERE NOT l.is_active) AS resolved_cases,
           pg_catalog.round(pg_catalog.avg(l.days_to_resolution), 2) AS avg_days_to_resolution,
           pg_catalog.count(l.csat) AS feedback_responses,
           pg_catalog.round(pg_catalog.avg(l.csat), 2) AS avg_csat
      FROM @extschema@.mv_case_lifecycle l
     GROUP BY l.advocate_id
)
SELECT r.advocate_id,
       CASE WHEN r.advocate_id = 'unassigned' AND r.capacity IS NULL THEN 'unassigned' ELSE r.name END AS advocate_name,
       CASE WHEN r.advocate_id = 'unassigned' AND r.capacity IS NULL THEN 'unassigned'
            ELSE coalesce(r.team, 'unknown') END AS team,
       r.capacity,
       coalesce(x.active_cases, 0) AS active_cases,
       coalesce(x.active_cases, 0)::double precision / r.capacity AS utilization_ratio,
       coalesce(x.active_cases, 0) > r.capacity * p.overload AS overloaded,
       r.capacity - coalesce(x.active_cases, 0) AS headroom,
       coalesce(x.active_urgent_cases, 0) AS active_urgent_cases,
       coalesce(x.active_escalated_cases, 0) AS active_escalated_cases,
       coalesce(x.active_sla_breached_cases, 0) AS active_sla_breached_cases,
       coalesce(x.stale_cases, 0) AS stale_cases,
       coalesce(x.cases, 0) AS cases,
       coalesce(x.resolved_cases, 0) AS resolved_cases,
       x.avg_days_to_resolution,
       coalesce(x.feedback_responses, 0) AS feedback_responses,
       x.avg_csat,
       coalesce(p.lifecycle_as_of_at, pg_catalog.now()) AS as_of_at
  FROM roster r
 CROSS JOIN params p
  LEFT JOIN load x ON x.advocate_id = r.advocate_id
WITH DATA;

CREATE UNIQUE INDEX mv_advocate_caseload_key ON @extschema@.mv_advocate_caseload (advocate_id);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_advocate_caseload IS
  'Each advocate''s active cases against capacity: utilization ratio, an overloaded flag (setting overload_utilization), urgent, escalated, over-SLA and stale active cases, and outcomes of all their cases. Every advocate has a row (also with no cases); a row unassigned holds the cases without an advocate. Grain: advocate_id. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_advocate_caseload.advocate_id IS 'The advocate (advocates.advocate_id); unassigned for cases without an advocate.';
COMMENT ON COLUMN @extschema@.mv_advocate_caseload.advocate_name IS 'The advocate''s name (unassigned for that row).';
COMMENT ON COLUMN @extschema@.mv_advocate_caseload.team IS 'The advocate''s team; unknown when not given; unassigned for that row.';
COMMENT ON COLUMN @extschema@.mv_advocate_caseload.capacity IS 'Active cases the advocate is staffed to carry (advocates.capacity); NULL for unassigned.';
COMMENT ON COLUMN @extschema@.mv_advocate_caseload.active_cases IS 'Cases assigned to the advocate that are neither resolved nor closed.';
COMMENT ON COLUMN @extschema@.mv_advocate_caseload.utilization_ratio IS 'active_cases / capacity (1 = at capacity); NULL for unassigned.';
COMMENT ON COLUMN @extschema@.mv_advocate_caseload.overloaded IS 'active_cases > capacity x setting overload_utilization (default 1: more active cases than capacity); NULL for unassigned.';
COMMENT ON COLUMN @extschema@.mv_advocate_caseload.headroom IS 'capacity - active_cases (negative when over capacity); NULL for unassigned.';
COMMENT ON COLUMN @extschema@.mv_advocate_caseload.active_urgent_cases IS 'Active cases of urgency high or critical.';
COMMENT ON COLUMN @extschema@.mv_advocate_caseload.active_escalated_cases IS 'Active cases that were escalated.';
COMMENT ON COLUMN @extschema@.mv_advocate_caseload.active_sla_breached_cases IS 'Active cases open longer than the setting case_sla (case_lifecycle.sla_breached).';
COMMENT ON COLUMN @extschema@.mv_advocate_caseload.stale_cases IS 'Active cases that are stale (case_lifecycle.stale: untouched for longer than the setting stale_after).';
COMMENT ON COLUMN @extschema@.mv_advocate_caseload.cases IS 'All cases currently assigned to the advocate, active or not.';
COMMENT ON COLUMN @extschema@.mv_advocate_caseload.resolved_cases IS 'Of cases, those resolved or closed.';
COMMENT ON COLUMN @extschema@.mv_advocate_caseload.avg_days_to_resolution IS 'Average case_lifecycle.days_to_resolution of the resolved cases, rounded to 0.01; NULL when none.';
COMMENT ON COLUMN @extschema@.mv_advocate_caseload.feedback_responses IS 'Cases with a CSAT response.';
COMMENT ON COLUMN @extschema@.mv_advocate_caseload.avg_csat IS 'Average CSAT (1-5) of the cases, rounded to 0.01; NULL without feedback.';
COMMENT ON COLUMN @extschema@.mv_advocate_caseload.as_of_at IS 'case_lifecycle.as_of_at: when the active cases were counted (the refresh time when there are no cases).';

SELECT @extschema@.mart_publish('advocate_caseload', 320, 'advocacy');

-- ---------------------------------------------------------------------------
-- bottlenecks
-- ---------------------------------------------------------------------------

-- bottlenecks: resolution time, CSAT and SLA breach rate per segment of cases.  Grain: segment_kind x segment_value.
CREATE MATERIALIZED VIEW @extschema@.mv_bottlenecks AS
WITH params AS MATERIALIZED (
    SELECT @extschema@.setting_interval('case_sla') AS sla
), domain (segment_kind, segment_value, segment_order) AS (
    VALUES ('all', 'all', 0),
           ('missing_docs', '0', 1), ('missing_docs', '1', 2), ('missing_docs', '2+', 3),
           ('handoff_bucket', '0', 1), ('handoff_bucket', '1', 2), ('handoff_bucket', '2', 3),
           ('handoff_bucket', '3+', 4),
           ('case_type', 'billing_dispute', 1), ('case_type', 'prior_auth', 2),
           ('case_type', 'provider_search', 3), ('case_type', 'care_coordination', 4),
           ('case_type', 'claim_denial', 5),
           ('escalated', 'not_escalated', 1), ('escalated', 'escalated', 2)
), seg AS (
    SELECT s.segment_kind, s.segment_value, l.*
      FROM @extschema@.mv_case_lifecycle l
     CROSS JOIN LATERAL (VALUES
            ('all', 'all'),
            ('missing_docs', CASE WHEN l.missing_doc_count IS NULL THEN 'unknown'
                                  WHEN l.missing_doc_count >= 2 THEN '2+'
                                  ELSE l.missing_doc_count::text END),
            ('handoff_bucket', l.handoff_bucket),
            ('case_type', l.case_type),
            ('escalated', CASE WHEN l.escalated THEN 'escalated' ELSE 'not_escalated' END)
           ) AS s(segment_kind, segment_value)
), g AS (
    SELECT s.segment_kind, s.segment_value,
           pg_catalog.count(*) AS cases,
           pg_catalog.count(*) FILTER (WHERE NOT s.is_active) AS resolved_cases,
           pg_catalog.round(pg_catalog.avg(s.days_to_resolution), 2) AS avg_days_to_resolution,
           pg_catalog.avg(s.days_to_resolution) AS avg_days_exact,
           pg_catalog.count(s.csat) AS feedback_responses,
           pg_catalog.round(pg_catalog.avg(s.csat), 2) AS avg_csat,
           pg_catalog.count(*) FILTER (WHERE s.escalated) AS escalated_cases,
           @extschema@.sla_stats(CASE WHEN s.sla_breached IS NOT NULL THEN s.opened_at END,
                                 s.resolved_at, p.sla, s.as_of_at) AS sla,
           pg_catalog.max(s.as_of_at) AS as_of_at
      FROM seg s
     CROSS JOIN params p
     GROUP BY s.segment_kind, s.segment_value
), j AS (
    SELECT coalesce(d.segment_kind, g.segment_kind) AS segment_kind,
           coalesce(d.segment_value, g.segment_value) AS segment_value,
           coalesce(d.segment_order, 99) AS segment_order,
           g.cases, g.resolved_cases, g.avg_days_to_resolution, g.avg_days_exact, g.feedback_responses,
           g.avg_csat, g.escalated_cases, g.sla, g.as_of_at
      FROM domain d
      FULL JOIN g ON g.segment_kind = d.segment_kind AND g.segment_value = d.segment_value
)
SELECT j.segment_kind,
       j.segment_value,
       j.segment_order,
       coalesce(j.cases, 0) AS cases,
       coalesce(j.resolved_cases, 0) AS resolved_cases,
       j.avg_days_to_resolution,
       pg_catalog.round((j.sla).median_hours_to_close::numeric, 2) AS median_hours_to_close,
       (j.avg_days_exact / nullif(a.avg_days_exact, 0))::double precision AS resolution_index,
       coalesce(j.feedback_responses, 0) AS feedback_responses,
       j.avg_csat,
       coalesce(j.escalated_cases, 0) AS escalated_cases,
       coalesce((j.sla).cases, 0) AS sla_cases,
       coalesce((j.sla).breached, 0) AS sla_breached_cases,
       (j.sla).breach_rate AS sla_breach_rate,
       coalesce(j.as_of_at, (SELECT pg_catalog.max(l.as_of_at) FROM @extschema@.mv_case_lifecycle l),
                           pg_catalog.now()) AS as_of_at
  FROM j
  LEFT JOIN g a ON a.segment_kind = 'all'
WITH DATA;

CREATE UNIQUE INDEX mv_bottlenecks_key ON @extschema@.mv_bottlenecks (segment_kind, segment_value);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_bottlenecks IS
  'Where cases get stuck: average resolution time, CSAT and SLA breach rate (sla_stats, setting case_sla) for each segment of the cases: missing documents (0, 1, 2+), handoff bucket (0, 1, 2, 3+), case type and escalated, plus the row all/all as the baseline. Every value of each segment has a row, also without cases. Grain: segment_kind x segment_value. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_bottlenecks.segment_kind IS 'all, missing_docs, handoff_bucket, case_type or escalated.';
COMMENT ON COLUMN @extschema@.mv_bottlenecks.segment_value IS 'The segment: all; missing documents 0, 1, 2+ (unknown when not recorded); handoffs 0, 1, 2, 3+; the case type; escalated or not_escalated.';
COMMENT ON COLUMN @extschema@.mv_bottlenecks.segment_order IS 'Sort order of the values within a segment_kind (99 for a value outside the usual list).';
COMMENT ON COLUMN @extschema@.mv_bottlenecks.cases IS 'Cases in the segment (case_lifecycle rows); 0 for an empty segment.';
COMMENT ON COLUMN @extschema@.mv_bottlenecks.resolved_cases IS 'Of cases, those resolved or closed.';
COMMENT ON COLUMN @extschema@.mv_bottlenecks.avg_days_to_resolution IS 'Average case_lifecycle.days_to_resolution of the resolved cases, rounded to 0.01; NULL when none.';
COMMENT ON COLUMN @extschema@.mv_bottlenecks.median_hours_to_close IS 'sla_stats: exact median hours to resolution (percentile_cont), rounded to 0.01; NULL when none is resolved.';
COMMENT ON COLUMN @extschema@.mv_bottlenecks.resolution_index IS 'The segment''s average days to resolution / that of all cases (unrounded averages): above 1 is slower than usual.';
COMMENT ON COLUMN @extschema@.mv_bottlenecks.feedback_responses IS 'Cases with a CSAT response.';
COMMENT ON COLUMN @extschema@.mv_bottlenecks.avg_csat IS 'Average CSAT (1-5), rounded to 0.01; NULL without feedback.';
COMMENT ON COLUMN @extschema@.mv_bottlenecks.escalated_cases IS 'Of cases, those escalated.';
COMMENT ON COLUMN @extschema@.mv_bottlenecks.sla_cases IS 'Cases sla_stats counted: all but resolved cases without a resolution time.';
COMMENT ON COLUMN @extschema@.mv_bottlenecks.sla_breached_cases IS 'sla_stats breached (setting case_sla, as of as_of_at): resolved late, or active and open longer than the SLA.';
COMMENT ON COLUMN @extschema@.mv_bottlenecks.sla_breach_rate IS 'sla_breached_cases / sla_cases, 0..1; NULL for an empty segment.';
COMMENT ON COLUMN @extschema@.mv_bottlenecks.as_of_at IS 'case_lifecycle.as_of_at: when the SLA rule was applied.';

SELECT @extschema@.mart_publish('bottlenecks', 330, 'advocacy');

-- ---------------------------------------------------------------------------
-- stale_cases
-- ---------------------------------------------------------------------------

-- stale_cases: the follow-up list of active cases untouched for longer than stale_after.  Grain: case_id.
CREATE MATERIALIZED VIEW @extschema@.mv_stale_cases AS
SELECT l.case_id,
       pg_catalog.row_number() OVER (ORDER BY u.urgency_rank, l.last_touch_at, l.case_id) AS follow_up_rank,
       l.case_type,
       l.urgency,
       u.urgency_rank,
       l.status,
       l.advocate_id,
       l.advocate_name,
       l.team,
       l.opened_at,
       l.opened_date,
       l.week_start_date,
       l.month_start_date,
       l.fiscal_year,
       l.fiscal_quarter,
       l.last_touch_at,
       l.hours_since_touch,
       l.days_open,
       l.sla_breached,
       l.escalated,
       l.missing_doc_count,
       l.missing_docs,
       l.interactions,
       l.as_of_at
  FROM @extschema@.mv_case_lifecycle l
 CROSS JOIN LATERAL (SELECT CASE l.urgency WHEN 'critical' THEN 1 WHEN 'high' THEN 2 WHEN 'medium' THEN 3
                                           WHEN 'low' THEN 4 ELSE 5 END AS urgency_rank) u
 WHERE l.stale
WITH DATA;

CREATE UNIQUE INDEX mv_stale_cases_key ON @extschema@.mv_stale_cases (case_id);
CREATE INDEX mv_stale_cases_rank ON @extschema@.mv_stale_cases (follow_up_rank);

COMMENT ON MATERIALIZED VIEW @extschema@.mv_stale_cases IS
  'The follow-up list: active cases with no event or interaction for longer than the setting stale_after as of the refresh (case_lifecycle.stale, the stale_stats rule), most urgent and longest idle first. Grain: case_id. Refreshed by refresh_marts.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.case_id IS 'The case (cases.case_id); drill-down key.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.follow_up_rank IS 'Position in the follow-up list: by urgency (critical first), then last_touch_at (longest idle first), then case_id.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.case_type IS 'Case type.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.urgency IS 'low, medium, high, critical or unknown.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.urgency_rank IS '1 critical, 2 high, 3 medium, 4 low, 5 unknown.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.status IS 'Current status (an active one: open, in_progress, pending_docs or escalated).';
COMMENT ON COLUMN @extschema@.mv_stale_cases.advocate_id IS 'The assigned advocate; unassigned when none.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.advocate_name IS 'The advocate''s name; NULL when unassigned.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.team IS 'The advocate''s team; unassigned or unknown.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.opened_at IS 'When the case was opened.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.opened_date IS 'UTC day of opened_at (dim_date key).';
COMMENT ON COLUMN @extschema@.mv_stale_cases.week_start_date IS 'dim_date: the Monday of opened_date''s ISO week.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.month_start_date IS 'dim_date: the first day of opened_date''s month.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.fiscal_year IS 'dim_date: fiscal year of opened_date.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.fiscal_quarter IS 'dim_date: fiscal quarter of opened_date, 1-4.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.last_touch_at IS 'The latest of opened_at, the case''s events and its interactions.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.hours_since_touch IS 'as_of_at - last_touch_at in hours, rounded to 0.01 (more than stale_after).';
COMMENT ON COLUMN @extschema@.mv_stale_cases.days_open IS 'as_of_at - opened_at in days of 24 hours, rounded to 0.01.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.sla_breached IS 'Open longer than the setting case_sla.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.escalated IS 'The case was escalated.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.missing_doc_count IS 'Documents still missing (metadata.missing_docs); NULL when unknown.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.missing_docs IS 'The missing documents, comma-separated; NULL when none.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.interactions IS 'Interactions so far.';
COMMENT ON COLUMN @extschema@.mv_stale_cases.as_of_at IS 'case_lifecycle.as_of_at: the time the stale rule was applied at.';

SELECT @extschema@.mart_publish('stale_cases', 340, 'advocacy');
