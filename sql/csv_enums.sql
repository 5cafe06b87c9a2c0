--
-- csv_enums: canonical_enum(), the loader's mapping of source spellings onto
-- the enumerations of the source tables (common/cm_enums.c).  One labelled
-- spelling per line, with the canonical value worked out by hand; unknown
-- spellings give NULL; an unknown enumeration is an error with a hint.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS costmodel;
RESET client_min_messages;
\pset null '(null)'
\set VERBOSITY default
\set SHOW_CONTEXT never

-- claim status: the four billing layouts of costmodel-gen claims and more
SELECT spelling, costmodel.canonical_enum('claim_status', spelling) AS canonical, expected,
       costmodel.canonical_enum('claim_status', spelling) IS NOT DISTINCT FROM expected AS ok
  FROM (VALUES
    ('APPROVED', 'approved'), ('Approved', 'approved'), ('A', 'approved'), ('approved', 'approved'),
    ('PAID', 'paid'), ('Paid', 'paid'), ('PD', 'paid'),
    ('PARTIALLY_PAID', 'partially_paid'), ('Partially Paid', 'partially_paid'),
    ('partially paid', 'partially_paid'), ('PP', 'partially_paid'), ('partially-paid', 'partially_paid'),
    ('DENIED', 'denied'), ('D', 'denied'), ('PENDING', 'pending'), ('P', 'pending'),
    ('SUBMITTED', 'submitted'), ('S', 'submitted'), ('ADJUSTED', 'adjusted'), ('AJ', 'adjusted'),
    ('VOIDED', 'voided'), ('void', 'voided'), ('V', 'voided'), ('Rejected', 'rejected'),
    ('  approved  ', 'approved'),
    -- bad: unknown spellings
    ('OK', NULL), ('', NULL), ('approvedd', NULL), ('N/A', NULL)
  ) AS t(spelling, expected);

-- the other enumerations: a canonical value, a case variant and a synonym each
SELECT e, spelling, costmodel.canonical_enum(e, spelling) AS canonical, expected,
       costmodel.canonical_enum(e, spelling) IS NOT DISTINCT FROM expected AS ok
  FROM (VALUES
    ('gender', 'F', 'F'), ('gender', 'female', 'F'), ('gender', 'Male', 'M'), ('gender', 'unknown', 'U'),
    ('plan_type', 'mapd', 'MAPD'), ('plan_type', 'MA-PD', 'MAPD'), ('plan_type', 'ppo', 'PPO'),
    ('segment', 'high value', 'High Value'), ('segment', 'AT_RISK', 'At Risk'), ('segment', 'new', 'New'),
    ('sentiment', 'NEGATIVE', 'negative'), ('sentiment', 'neu', 'neutral'),
    ('digital_outcome', 'Failed', 'failure'), ('digital_outcome', 'abandon', 'abandoned'),
    ('digital_channel', 'Mobile App', 'app'), ('digital_channel', 'WEB', 'web'),
    ('survey_type', 'Post Call', 'post_call'), ('survey_type', 'annual', 'annual'),
    ('pharmacy_type', 'Mail Order', 'mail'), ('pharmacy_type', 'retail', 'retail'),
    ('change_type', 'Renewal', 'renewal'), ('change_type', 'plan change', 'change'),
    ('case_type', 'Prior Auth', 'prior_auth'), ('case_type', 'claim-denial', 'claim_denial'),
    ('urgency', 'URGENT', 'critical'), ('urgency', 'Medium', 'medium'),
    ('case_status', 'In Progress', 'in_progress'), ('case_status', 'pending docs', 'pending_docs'),
    ('event_type', 'First Response', 'first_response'), ('event_type', 'reopen', 'reopened'),
    ('case_channel', 'In-Person', 'in_person'), ('case_channel', 'text', 'sms'),
    ('direction', 'IN', 'inbound'), ('direction', 'Outbound', 'outbound'),
    ('claim_type', 'MEDICAL', 'medical'), ('claim_type', 'RX', 'pharmacy'), ('claim_type', 'PV', 'preventive'),
    -- bad: a value of another enumeration
    ('direction', 'phone', NULL), ('claim_type', 'approved', NULL)
  ) AS t(e, spelling, expected)
 ORDER BY 1, 2;

-- every canonical value maps onto itself, in every enumerated column
SELECT count(*) AS "values", count(*) FILTER (WHERE costmodel.canonical_enum(enum_name, v) = v) AS to_itself
  FROM costmodel.csv_columns(), unnest(allowed) AS v
 WHERE enum_name IS NOT NULL;

-- bad: an unknown enumeration
SELECT costmodel.canonical_enum('colour', 'red');
-- NULL in, NULL out (STRICT)
SELECT costmodel.canonical_enum('claim_status', NULL) AS null_in;
