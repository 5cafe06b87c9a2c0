-- 10_traces.sql: trace fact tables and the trace-parsing functions.

-- ---------------------------------------------------------------------------
-- Trace facts.  The column lists match cm_tables[] in common/cm_trace_schema.c
-- exactly, so that the set-returning functions below return these row types
-- and costmodel-load copies into them (test/schema_sync_test.sh checks it).
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.fact_trace (
    trace_id             text NOT NULL PRIMARY KEY,
    schema_version       text,
    source_system        text,
    request_id           text,
    received_at          timestamptz,
    channel              text,
    member_id            text,
    subscriber_id        text,
    relationship         text,
    plan_id              text,
    group_id             text,
    product_type         text,
    plan_year            integer,
    has_response         boolean NOT NULL,
    responded_at         timestamptz,
    status_code          integer,
    latency_ms           integer,
    estimate_id          text,
    accumulators_as_of   date,
    inn_deductible_limit numeric(14,2),
    inn_deductible_met   numeric(14,2),
    inn_oop_limit        numeric(14,2),
    inn_oop_met          numeric(14,2),
    oon_deductible_limit numeric(14,2),
    oon_deductible_met   numeric(14,2),
    oon_oop_limit        numeric(14,2),
    oon_oop_met          numeric(14,2),
    line_count           integer NOT NULL,
    provider_count       integer NOT NULL,
    request_row_count    integer NOT NULL,
    result_count         integer NOT NULL,
    exception_count      integer NOT NULL,
    error_count          integer NOT NULL,
    problem_count        integer NOT NULL
);

COMMENT ON TABLE @extschema@.fact_trace IS
  'One row per cost-estimator trace (an estimate request and its response). Key: trace_id.';
COMMENT ON COLUMN @extschema@.fact_trace.trace_id IS 'Trace identifier, unique per trace; a retried trace is loaded once.';
COMMENT ON COLUMN @extschema@.fact_trace.schema_version IS 'Trace format version as sent, e.g. 1.0.';
COMMENT ON COLUMN @extschema@.fact_trace.source_system IS 'System that logged the trace, e.g. cost-estimator-api.';
COMMENT ON COLUMN @extschema@.fact_trace.request_id IS 'request.request_id: the caller''s request identifier.';
COMMENT ON COLUMN @extschema@.fact_trace.received_at IS 'request.received_at: when the estimate request arrived (UTC; see docs/trace-format.md for accepted forms).';
COMMENT ON COLUMN @extschema@.fact_trace.channel IS 'request.channel: member_portal, mobile_app, call_center, provider_portal, api ...';
COMMENT ON COLUMN @extschema@.fact_trace.member_id IS 'request.member.member_id.';
COMMENT ON COLUMN @extschema@.fact_trace.subscriber_id IS 'request.member.subscriber_id.';
COMMENT ON COLUMN @extschema@.fact_trace.relationship IS 'request.member.relationship to the subscriber: self, spouse, child ...';
COMMENT ON COLUMN @extschema@.fact_trace.plan_id IS 'request.member.plan.plan_id.';
COMMENT ON COLUMN @extschema@.fact_trace.group_id IS 'request.member.plan.group_id (text: leading zeros matter).';
COMMENT ON COLUMN @extschema@.fact_trace.product_type IS 'request.member.plan.product_type: PPO, HMO, EPO, HDHP, POS ...';
COMMENT ON COLUMN @extschema@.fact_trace.plan_year IS 'request.member.plan.plan_year.';
COMMENT ON COLUMN @extschema@.fact_trace.has_response IS 'False when response was null or missing (a timeout): no response rows exist then.';
COMMENT ON COLUMN @extschema@.fact_trace.responded_at IS 'response.responded_at (UTC).';
COMMENT ON COLUMN @extschema@.fact_trace.status_code IS 'response.status_code: 200 all lines answered, 207 partial, 4xx request errors, 5xx backend failures, 504 timeout.';
COMMENT ON COLUMN @extschema@.fact_trace.latency_ms IS 'response.latency_ms as reported by the estimator.';
COMMENT ON COLUMN @extschema@.fact_trace.estimate_id IS 'response.estimate_id.';
COMMENT ON COLUMN @extschema@.fact_trace.accumulators_as_of IS 'response.accumulators.as_of: the date the accumulators were read.';
COMMENT ON COLUMN @extschema@.fact_trace.inn_deductible_limit IS 'In-network individual deductible limit, dollars.';
COMMENT ON COLUMN @extschema@.fact_trace.inn_deductible_met IS 'In-network individual deductible met so far, dollars.';
COMMENT ON COLUMN @extschema@.fact_trace.inn_oop_limit IS 'In-network individual out-of-pocket limit, dollars.';
COMMENT ON COLUMN @extschema@.fact_trace.inn_oop_met IS 'In-network individual out-of-pocket met so far, dollars.';
COMMENT ON COLUMN @extschema@.fact_trace.oon_deductible_limit IS 'Out-of-network individual deductible limit, dollars.';
COMMENT ON COLUMN @extschema@.fact_trace.oon_deductible_met IS 'Out-of-network individual deductible met so far, dollars.';
COMMENT ON COLUMN @extschema@.fact_trace.oon_oop_limit IS 'Out-of-network individual out-of-pocket limit, dollars.';
COMMENT ON COLUMN @extschema@.fact_trace.oon_oop_met IS 'Out-of-network individual out-of-pocket met so far, dollars.';
COMMENT ON COLUMN @extschema@.fact_trace.line_count IS 'Number of service lines in the request.';
COMMENT ON COLUMN @extschema@.fact_trace.provider_count IS 'Number of distinct provider ids across the request''s service lines.';
COMMENT ON COLUMN @extschema@.fact_trace.request_row_count IS 'Number of fact_request rows (service line x provider).';
COMMENT ON COLUMN @extschema@.fact_trace.result_count IS 'Number of fact_response rows (results in the response).';
COMMENT ON COLUMN @extschema@.fact_trace.exception_count IS 'Number of fact_exception rows: request-level errors plus result exceptions.';
COMMENT ON COLUMN @extschema@.fact_trace.error_count IS 'Number of request-level errors (response.errors).';
COMMENT ON COLUMN @extschema@.fact_trace.problem_count IS 'Number of values nulled or normalised while reading the trace (data-quality problems; see trace_problem).';

CREATE TABLE @extschema@.fact_request (
    trace_id          text NOT NULL,
    line_id           integer NOT NULL,
    provider_id       text NOT NULL,
    service_code      text,
    service_location  text,
    code_system       text,
    modifiers         text,
    quantity          integer,
    place_zip         text,
    diagnosis_codes   text,
    planned_date      date,
    provider_seq      integer NOT NULL,
    npi               text,
    tin               text,
    provider_type     text,
    taxonomy          text,
    network_id        text,
    PRIMARY KEY (trace_id, line_id, provider_id)
);

COMMENT ON TABLE @extschema@.fact_request IS
  'The request side of a trace: one row per service line x provider. Key: trace_id, line_id, provider_id (joins fact_response).';
COMMENT ON COLUMN @extschema@.fact_request.trace_id IS 'The trace (fact_trace.trace_id).';
COMMENT ON COLUMN @extschema@.fact_request.line_id IS 'services[].line_id; the line''s 1-based position when missing.';
COMMENT ON COLUMN @extschema@.fact_request.provider_id IS 'services[].providers[].provider_id; empty text for a line without providers.';
COMMENT ON COLUMN @extschema@.fact_request.service_code IS 'CPT, HCPCS, PLA or Category II code (text: leading zeros matter).';
COMMENT ON COLUMN @extschema@.fact_request.service_location IS 'CMS two-digit place-of-service code.';
COMMENT ON COLUMN @extschema@.fact_request.code_system IS 'Code system of service_code: CPT, HCPCS, CPT-PLA, CPT-II ...';
COMMENT ON COLUMN @extschema@.fact_request.modifiers IS 'Procedure modifiers, comma-separated; NULL when none.';
COMMENT ON COLUMN @extschema@.fact_request.quantity IS 'Units requested.';
COMMENT ON COLUMN @extschema@.fact_request.place_zip IS 'ZIP code where the service is planned.';
COMMENT ON COLUMN @extschema@.fact_request.diagnosis_codes IS 'ICD-10 diagnosis codes, comma-separated; NULL when none.';
COMMENT ON COLUMN @extschema@.fact_request.planned_date IS 'Planned date of service.';
COMMENT ON COLUMN @extschema@.fact_request.provider_seq IS '1-based position of the provider within its line; 0 for a line without providers.';
COMMENT ON COLUMN @extschema@.fact_request.npi IS 'Provider NPI (10 digits, text).';
COMMENT ON COLUMN @extschema@.fact_request.tin IS 'Provider tax identification number.';
COMMENT ON COLUMN @extschema@.fact_request.provider_type IS 'Provider type, e.g. physical_therapist, independent_lab.';
COMMENT ON COLUMN @extschema@.fact_request.taxonomy IS 'NUCC provider taxonomy code.';
COMMENT ON COLUMN @extschema@.fact_request.network_id IS 'Network the provider was requested under; NULL for none (out of network).';

CREATE TABLE @extschema@.fact_response (
    trace_id                 text NOT NULL,
    line_id                  integer NOT NULL,
    provider_id              text NOT NULL,
    service_code             text,
    service_location         text,
    result_seq               integer NOT NULL,
    result_status            text,
    covered                  boolean,
    network_status           text NOT NULL,
    benefit_category         text,
    prior_auth_required      boolean,
    billed_amount            numeric(14,2),
    allowed_amount           numeric(14,2),
    in_network_estimate      numeric(14,2),
    out_of_network_estimate  numeric(14,2),
    plan_pays                numeric(14,2),
    patient_total            numeric(14,2),
    patient_copay            numeric(14,2),
    patient_coinsurance      numeric(14,2),
    patient_deductible       numeric(14,2),
    coinsurance_rate         numeric(7,4),
    exception_count          integer NOT NULL,
    primary_exception_type   text,
    primary_exception_code   text,
    PRIMARY KEY (trace_id, line_id, provider_id)
);

COMMENT ON TABLE @extschema@.fact_response IS
  'The response side of a trace: one row per result (service line x provider). Key: trace_id, line_id, provider_id (joins fact_request).';
COMMENT ON COLUMN @extschema@.fact_response.trace_id IS 'The trace (fact_trace.trace_id).';
COMMENT ON COLUMN @extschema@.fact_response.line_id IS 'results[].line_id; 0 when missing.';
COMMENT ON COLUMN @extschema@.fact_response.provider_id IS 'results[].provider_id; empty text when missing.';
COMMENT ON COLUMN @extschema@.fact_response.service_code IS 'Service code echoed by the result.';
COMMENT ON COLUMN @extschema@.fact_response.service_location IS 'Place-of-service code echoed by the result.';
COMMENT ON COLUMN @extschema@.fact_response.result_seq IS '1-based position of the result in response.results.';
COMMENT ON COLUMN @extschema@.fact_response.result_status IS 'estimated, no_estimate, partial ... (lower case, underscores).';
COMMENT ON COLUMN @extschema@.fact_response.covered IS 'coverage.covered: whether the plan covers the service.';
COMMENT ON COLUMN @extschema@.fact_response.network_status IS 'in_network, out_of_network, or unknown when absent or unreadable.';
COMMENT ON COLUMN @extschema@.fact_response.benefit_category IS 'coverage.benefit_category, e.g. Physical Therapy.';
COMMENT ON COLUMN @extschema@.fact_response.prior_auth_required IS 'coverage.prior_auth_required.';
COMMENT ON COLUMN @extschema@.fact_response.billed_amount IS 'cost.billed_amount, dollars.';
COMMENT ON COLUMN @extschema@.fact_response.allowed_amount IS 'cost.allowed_amount, dollars.';
COMMENT ON COLUMN @extschema@.fact_response.in_network_estimate IS 'cost.in_network_estimate, dollars.';
COMMENT ON COLUMN @extschema@.fact_response.out_of_network_estimate IS 'cost.out_of_network_estimate, dollars.';
COMMENT ON COLUMN @extschema@.fact_response.plan_pays IS 'cost.plan_pays: what the plan pays, dollars.';
COMMENT ON COLUMN @extschema@.fact_response.patient_total IS 'patient_responsibility.total, dollars.';
COMMENT ON COLUMN @extschema@.fact_response.patient_copay IS 'patient_responsibility.copay, dollars.';
COMMENT ON COLUMN @extschema@.fact_response.patient_coinsurance IS 'patient_responsibility.coinsurance, dollars.';
COMMENT ON COLUMN @extschema@.fact_response.patient_deductible IS 'patient_responsibility.deductible, dollars.';
COMMENT ON COLUMN @extschema@.fact_response.coinsurance_rate IS 'patient_responsibility.coinsurance_rate as a fraction (0.4000 = 40%).';
COMMENT ON COLUMN @extschema@.fact_response.exception_count IS 'Number of exceptions attached to this result.';
COMMENT ON COLUMN @extschema@.fact_response.primary_exception_type IS 'Canonical type of the first error-severity exception, else of the first exception; NULL when none.';
COMMENT ON COLUMN @extschema@.fact_response.primary_exception_code IS 'Code of the primary exception.';

CREATE TABLE @extschema@.fact_exception (
    trace_id        text NOT NULL,
    exception_seq   integer NOT NULL,
    level           text NOT NULL,
    line_id         integer,
    provider_id     text,
    service_code    text,
    exception_type  text NOT NULL,
    raw_type        text,
    code            text,
    severity        text,
    message         text,
    source          text,
    PRIMARY KEY (trace_id, exception_seq)
);

COMMENT ON TABLE @extschema@.fact_exception IS
  'One row per exception: request-level errors (level = request) and result exceptions (level = result). Key: trace_id, exception_seq.';
COMMENT ON COLUMN @extschema@.fact_exception.trace_id IS 'The trace (fact_trace.trace_id).';
COMMENT ON COLUMN @extschema@.fact_exception.exception_seq IS '1-based position within the trace: request errors first, then result exceptions in order.';
COMMENT ON COLUMN @extschema@.fact_exception.level IS 'request for response.errors, result for results[].exceptions.';
COMMENT ON COLUMN @extschema@.fact_exception.line_id IS 'The result''s line_id; NULL for request-level errors.';
COMMENT ON COLUMN @extschema@.fact_exception.provider_id IS 'The result''s provider_id; NULL for request-level errors.';
COMMENT ON COLUMN @extschema@.fact_exception.service_code IS 'The result''s service code; NULL for request-level errors.';
COMMENT ON COLUMN @extschema@.fact_exception.exception_type IS 'Canonical type: Provider not found, Rate not found, Benefit issues, Accumulator not found, Member not found, Timeout or Other.';
COMMENT ON COLUMN @extschema@.fact_exception.raw_type IS 'The type as sent (or the code when no type was sent).';
COMMENT ON COLUMN @extschema@.fact_exception.code IS 'Machine code as sent, e.g. RATE_NOT_FOUND.';
COMMENT ON COLUMN @extschema@.fact_exception.severity IS 'Severity in lower case: error, warning ...';
COMMENT ON COLUMN @extschema@.fact_exception.message IS 'Human-readable message as sent.';
COMMENT ON COLUMN @extschema@.fact_exception.source IS 'Component that raised the exception, e.g. pricing-engine.';

CREATE TABLE @extschema@.trace_problem (
    trace_id   text NOT NULL,
    path       text NOT NULL,
    reason     text NOT NULL,
    raw_value  text
);

COMMENT ON TABLE @extschema@.trace_problem IS
  'Data-quality notes: one row per value that was nulled or normalised while reading a trace.';
COMMENT ON COLUMN @extschema@.trace_problem.trace_id IS 'The trace (fact_trace.trace_id).';
COMMENT ON COLUMN @extschema@.trace_problem.path IS 'JSON path of the value, e.g. response.results[1].cost.plan_pays.';
COMMENT ON COLUMN @extschema@.trace_problem.reason IS 'What was done: the value was unreadable and nulled, or how it was normalised.';
COMMENT ON COLUMN @extschema@.trace_problem.raw_value IS 'The value as sent, cut to 200 bytes; NULL when there was none.';

CREATE TABLE @extschema@.trace_reject (
    reject_id    bigserial PRIMARY KEY,
    rejected_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    source       text NOT NULL,
    line_no      bigint NOT NULL,
    byte_offset  bigint NOT NULL,
    reason       text NOT NULL,
    path         text,
    raw          text,
    UNIQUE (source, line_no, byte_offset)
);

COMMENT ON TABLE @extschema@.trace_reject IS
  'Documents costmodel-load could not load, with where they were and why. Reloading a source adds no second copy.';
COMMENT ON COLUMN @extschema@.trace_reject.reject_id IS 'Surrogate key.';
COMMENT ON COLUMN @extschema@.trace_reject.rejected_at IS 'When the document was rejected.';
COMMENT ON COLUMN @extschema@.trace_reject.source IS 'The file (absolute path) or stdin the document came from.';
COMMENT ON COLUMN @extschema@.trace_reject.line_no IS '1-based line number in the source.';
COMMENT ON COLUMN @extschema@.trace_reject.byte_offset IS 'Byte offset in the (uncompressed) source of the line start, or of the JSON syntax error.';
COMMENT ON COLUMN @extschema@.trace_reject.reason IS 'Why the document was rejected.';
COMMENT ON COLUMN @extschema@.trace_reject.path IS 'JSON path of the offending value, when there is one.';
COMMENT ON COLUMN @extschema@.trace_reject.raw IS 'The line as read, cut to 4096 bytes; invalid UTF-8 bytes replaced by U+FFFD.';

CREATE INDEX fact_trace_received_at_idx ON @extschema@.fact_trace USING brin (received_at);
CREATE INDEX trace_problem_trace_id_idx ON @extschema@.trace_problem (trace_id);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.fact_trace', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.fact_request', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.fact_response', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.fact_exception', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.trace_problem', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.trace_reject', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.trace_reject_reject_id_seq', '');

-- ---------------------------------------------------------------------------
-- In-database trace parsing.  Each function normalises one document with the
-- same C code as costmodel-load and returns rows of the matching table, so
--   INSERT INTO costmodel.fact_response
--   SELECT r.* FROM raw, costmodel.trace_responses(raw.doc) r;
-- works.  A rejectable document raises SQLSTATE 22P02.
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.trace_header(doc jsonb)
RETURNS SETOF @extschema@.fact_trace
AS 'MODULE_PATHNAME', 'costmodel_trace_header'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1;

CREATE FUNCTION @extschema@.trace_header(doc text)
RETURNS SETOF @extschema@.fact_trace
AS 'MODULE_PATHNAME', 'costmodel_trace_header_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1;

CREATE FUNCTION @extschema@.trace_requests(doc jsonb)
RETURNS SETOF @extschema@.fact_request
AS 'MODULE_PATHNAME', 'costmodel_trace_requests'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 3;

CREATE FUNCTION @extschema@.trace_requests(doc text)
RETURNS SETOF @extschema@.fact_request
AS 'MODULE_PATHNAME', 'costmodel_trace_requests_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 3;

CREATE FUNCTION @extschema@.trace_responses(doc jsonb)
RETURNS SETOF @extschema@.fact_response
AS 'MODULE_PATHNAME', 'costmodel_trace_responses'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 3;

CREATE FUNCTION @extschema@.trace_responses(doc text)
RETURNS SETOF @extschema@.fact_response
AS 'MODULE_PATHNAME', 'costmodel_trace_responses_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 3;

CREATE FUNCTION @extschema@.trace_exceptions(doc jsonb)
RETURNS SETOF @extschema@.fact_exception
AS 'MODULE_PATHNAME', 'costmodel_trace_exceptions'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1;

CREATE FUNCTION @extschema@.trace_exceptions(doc text)
RETURNS SETOF @extschema@.fact_exception
AS 'MODULE_PATHNAME', 'costmodel_trace_exceptions_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1;

CREATE FUNCTION @extschema@.trace_problems(doc jsonb)
RETURNS SETOF @extschema@.trace_problem
AS 'MODULE_PATHNAME', 'costmodel_trace_problems'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 2;

CREATE FUNCTION @extschema@.trace_problems(doc text)
RETURNS SETOF @extschema@.trace_problem
AS 'MODULE_PATHNAME', 'costmodel_trace_problems_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 2;

COMMENT ON FUNCTION @extschema@.trace_header(jsonb) IS 'The fact_trace row of one trace document; raises 22P02 for a rejectable document.';
COMMENT ON FUNCTION @extschema@.trace_header(text) IS 'The fact_trace row of one trace document given as text.';
COMMENT ON FUNCTION @extschema@.trace_requests(jsonb) IS 'The fact_request rows (service line x provider) of one trace document.';
COMMENT ON FUNCTION @extschema@.trace_requests(text) IS 'The fact_request rows of one trace document given as text.';
COMMENT ON FUNCTION @extschema@.trace_responses(jsonb) IS 'The fact_response rows (one per result) of one trace document.';
COMMENT ON FUNCTION @extschema@.trace_responses(text) IS 'The fact_response rows of one trace document given as text.';
COMMENT ON FUNCTION @extschema@.trace_exceptions(jsonb) IS 'The fact_exception rows (request errors and result exceptions) of one trace document.';
COMMENT ON FUNCTION @extschema@.trace_exceptions(text) IS 'The fact_exception rows of one trace document given as text.';
COMMENT ON FUNCTION @extschema@.trace_problems(jsonb) IS 'Every value of one trace document that was nulled or normalised, with its JSON path and the reason.';
COMMENT ON FUNCTION @extschema@.trace_problems(text) IS 'trace_problems for a document given as text.';

