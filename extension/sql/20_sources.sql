-- 20_sources.sql: source tables for member experience, patient-advocacy cases
-- and claims exports (issue 3).  docs/sources.md describes every table, the
-- provenance convention and the generator's files.
--
-- Conventions shared by every table in this file:
--   * natural ids are text (leading zeros and prefixes matter) and are the
--     primary key; a reload of the same id is an upsert, not a second row;
--   * member_id links the sources at the member level.  There is no foreign
--     key to members: the member extract can arrive after the calls, cases
--     and claims that mention a member, so the marts use outer joins.  The
--     only foreign keys are inside the cases source (a case's events,
--     interactions and feedback reference the case; a case its advocate),
--     which is loaded as one directory in a fixed order (docs/sources.md);
--   * source_file is the file a row came from (absolute path, or "stdin"),
--     and loaded_at when it was loaded (the loading transaction's now(), so
--     one load shares one value).  Both are written by the loader; a plain
--     \copy leaves source_file NULL;
--   * money is numeric, timestamps are timestamptz (_at), dates are date
--     (_date); enumerations are lower-case snake_case and CHECKed.

-- ---------------------------------------------------------------------------
-- Member experience
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.members (
    member_id      text NOT NULL PRIMARY KEY,
    age            integer CHECK (age BETWEEN 0 AND 120),
    gender         text CHECK (gender IN ('F', 'M', 'U')),
    plan_type      text CHECK (plan_type IN ('MAPD', 'PPO', 'HMO', 'POS', 'EPO')),
    tenure_months  integer CHECK (tenure_months >= 0),
    segment        text CHECK (segment IN ('High Value', 'Medium Value', 'Low Value', 'At Risk', 'New')),
    state          text CHECK (state ~ '^[A-Z]{2}$'),
    zip_code       text CHECK (zip_code ~ '^[0-9]{5}$'),
    join_date      date,
    source_file    text,
    loaded_at      timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE @extschema@.members IS
  'Health-plan members as of the latest member extract (type 1: a reload overwrites). History of plan_type, segment and state is kept in dim_member. Key: member_id.';
COMMENT ON COLUMN @extschema@.members.member_id IS 'Member identifier; the key that links calls, digital interactions, surveys, fills, enrollments, cases and claims.';
COMMENT ON COLUMN @extschema@.members.age IS 'Age in years at the time of the extract (0-120).';
COMMENT ON COLUMN @extschema@.members.gender IS 'F, M or U (unknown / not reported).';
COMMENT ON COLUMN @extschema@.members.plan_type IS 'Current plan type: MAPD, PPO, HMO, POS or EPO.';
COMMENT ON COLUMN @extschema@.members.tenure_months IS 'Whole months since the member joined, at the time of the extract.';
COMMENT ON COLUMN @extschema@.members.segment IS 'Value segment: High Value, Medium Value, Low Value, At Risk or New.';
COMMENT ON COLUMN @extschema@.members.state IS 'Two-letter US state (or territory) code of the member''s address.';
COMMENT ON COLUMN @extschema@.members.zip_code IS 'Five-digit ZIP code of the member''s address (text: leading zeros matter).';
COMMENT ON COLUMN @extschema@.members.join_date IS 'Date the member first joined the plan.';
COMMENT ON COLUMN @extschema@.members.source_file IS 'Provenance: the file the row was loaded from (absolute path, or stdin); NULL when not loaded by costmodel-load.';
COMMENT ON COLUMN @extschema@.members.loaded_at IS 'Provenance: when the row was (last) loaded.';

CREATE TABLE @extschema@.calls (
    call_id              text NOT NULL PRIMARY KEY,
    member_id            text NOT NULL,
    called_at            timestamptz NOT NULL,
    call_topic           text NOT NULL,
    handle_time_minutes  numeric(8,2) CHECK (handle_time_minutes >= 0),
    sentiment            text CHECK (sentiment IN ('positive', 'neutral', 'negative')),
    sentiment_score      numeric(4,3) CHECK (sentiment_score BETWEEN -1 AND 1),
    transferred          boolean,
    resolved             boolean,
    source_is_repeat     boolean,
    source_file          text,
    loaded_at            timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE INDEX calls_member_called_idx ON @extschema@.calls (member_id, called_at);
CREATE INDEX calls_called_idx ON @extschema@.calls (called_at);

COMMENT ON TABLE @extschema@.calls IS
  'Member calls to the contact centre. Key: call_id. Whether a call is a repeat is computed by the marts (repeat_call_window), never taken from the source.';
COMMENT ON COLUMN @extschema@.calls.call_id IS 'Call identifier.';
COMMENT ON COLUMN @extschema@.calls.member_id IS 'The calling member (members.member_id; not a foreign key).';
COMMENT ON COLUMN @extschema@.calls.called_at IS 'When the call started.';
COMMENT ON COLUMN @extschema@.calls.call_topic IS 'Topic as categorised by the contact centre: ID Card, Billing, Claims, Pharmacy, Benefits, Prior Authorization, Find a Provider, Enrollment, Other ...';
COMMENT ON COLUMN @extschema@.calls.handle_time_minutes IS 'Talk plus hold plus wrap-up time, minutes.';
COMMENT ON COLUMN @extschema@.calls.sentiment IS 'positive, neutral or negative, as scored by the speech-analytics vendor.';
COMMENT ON COLUMN @extschema@.calls.sentiment_score IS 'Sentiment score from -1 (most negative) to 1 (most positive).';
COMMENT ON COLUMN @extschema@.calls.transferred IS 'Whether the call was transferred to another agent or queue.';
COMMENT ON COLUMN @extschema@.calls.resolved IS 'Whether the agent marked the issue resolved on the call.';
COMMENT ON COLUMN @extschema@.calls.source_is_repeat IS 'The source system''s own repeat-call flag, kept for comparison only: its window and rules are unknown. Use the computed repeat flag of the marts.';
COMMENT ON COLUMN @extschema@.calls.source_file IS 'Provenance: the file the row was loaded from (absolute path, or stdin); NULL when not loaded by costmodel-load.';
COMMENT ON COLUMN @extschema@.calls.loaded_at IS 'Provenance: when the row was (last) loaded.';

CREATE TABLE @extschema@.digital_interactions (
    interaction_id            text NOT NULL PRIMARY KEY,
    member_id                 text NOT NULL,
    interacted_at             timestamptz NOT NULL,
    interaction_type          text NOT NULL,
    outcome                   text NOT NULL CHECK (outcome IN ('success', 'failure', 'abandoned')),
    failure_reason            text CHECK (failure_reason IS NULL OR outcome <> 'success'),
    session_duration_seconds  integer CHECK (session_duration_seconds >= 0),
    channel                   text CHECK (channel IN ('web', 'app')),
    source_file               text,
    loaded_at                 timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE INDEX digital_interactions_member_at_idx ON @extschema@.digital_interactions (member_id, interacted_at);
CREATE INDEX digital_interactions_at_idx ON @extschema@.digital_interactions (interacted_at);

COMMENT ON TABLE @extschema@.digital_interactions IS
  'Member self-service attempts on the web portal and the mobile app. Key: interaction_id.';
COMMENT ON COLUMN @extschema@.digital_interactions.interaction_id IS 'Interaction identifier.';
COMMENT ON COLUMN @extschema@.digital_interactions.member_id IS 'The member (members.member_id; not a foreign key).';
COMMENT ON COLUMN @extschema@.digital_interactions.interacted_at IS 'When the interaction started.';
COMMENT ON COLUMN @extschema@.digital_interactions.interaction_type IS 'What the member tried: login, bill_pay, claims_check, id_card, find_provider, benefits_lookup, rx_refill ...';
COMMENT ON COLUMN @extschema@.digital_interactions.outcome IS 'success, failure (the system failed) or abandoned (the member gave up).';
COMMENT ON COLUMN @extschema@.digital_interactions.failure_reason IS 'Why it failed or was abandoned, e.g. payment_declined, timeout; NULL on success.';
COMMENT ON COLUMN @extschema@.digital_interactions.session_duration_seconds IS 'Length of the session, seconds.';
COMMENT ON COLUMN @extschema@.digital_interactions.channel IS 'web or app.';
COMMENT ON COLUMN @extschema@.digital_interactions.source_file IS 'Provenance: the file the row was loaded from (absolute path, or stdin); NULL when not loaded by costmodel-load.';
COMMENT ON COLUMN @extschema@.digital_interactions.loaded_at IS 'Provenance: when the row was (last) loaded.';

CREATE TABLE @extschema@.surveys (
    survey_id      text NOT NULL PRIMARY KEY,
    member_id      text NOT NULL,
    surveyed_at    timestamptz NOT NULL,
    survey_type    text NOT NULL CHECK (survey_type IN ('post_call', 'post_digital', 'periodic', 'annual')),
    nps_score      smallint CHECK (nps_score BETWEEN 0 AND 10),
    csat_score     smallint CHECK (csat_score BETWEEN 1 AND 5),
    effort_score   smallint CHECK (effort_score BETWEEN 1 AND 7),
    feedback_text  text,
    source_file    text,
    loaded_at      timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE INDEX surveys_member_at_idx ON @extschema@.surveys (member_id, surveyed_at);

COMMENT ON TABLE @extschema@.surveys IS
  'Member survey responses. Key: survey_id. A score the member skipped is NULL.';
COMMENT ON COLUMN @extschema@.surveys.survey_id IS 'Survey response identifier.';
COMMENT ON COLUMN @extschema@.surveys.member_id IS 'The responding member (members.member_id; not a foreign key).';
COMMENT ON COLUMN @extschema@.surveys.surveyed_at IS 'When the response was submitted.';
COMMENT ON COLUMN @extschema@.surveys.survey_type IS 'post_call, post_digital, periodic or annual.';
COMMENT ON COLUMN @extschema@.surveys.nps_score IS 'Likelihood to recommend, 0-10 (promoters 9-10, detractors 0-6).';
COMMENT ON COLUMN @extschema@.surveys.csat_score IS 'Satisfaction, 1 (very dissatisfied) to 5 (very satisfied).';
COMMENT ON COLUMN @extschema@.surveys.effort_score IS 'Customer effort, 1 (very easy) to 7 (very difficult).';
COMMENT ON COLUMN @extschema@.surveys.feedback_text IS 'Free-text comment, as written.';
COMMENT ON COLUMN @extschema@.surveys.source_file IS 'Provenance: the file the row was loaded from (absolute path, or stdin); NULL when not loaded by costmodel-load.';
COMMENT ON COLUMN @extschema@.surveys.loaded_at IS 'Provenance: when the row was (last) loaded.';

CREATE TABLE @extschema@.pharmacy_fills (
    rx_id          text NOT NULL PRIMARY KEY,
    member_id      text NOT NULL,
    filled_at      timestamptz NOT NULL,
    drug_name      text,
    copay_amount   numeric(12,2) CHECK (copay_amount >= 0),
    days_supply    integer CHECK (days_supply BETWEEN 1 AND 365),
    pharmacy_type  text CHECK (pharmacy_type IN ('retail', 'mail', 'specialty')),
    denied         boolean NOT NULL,
    denied_reason  text CHECK (denied_reason IS NULL OR denied),
    source_file    text,
    loaded_at      timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE INDEX pharmacy_fills_member_at_idx ON @extschema@.pharmacy_fills (member_id, filled_at);

COMMENT ON TABLE @extschema@.pharmacy_fills IS
  'Prescription fills and denied fill attempts at the pharmacy. Key: rx_id.';
COMMENT ON COLUMN @extschema@.pharmacy_fills.rx_id IS 'Fill (claim transaction) identifier.';
COMMENT ON COLUMN @extschema@.pharmacy_fills.member_id IS 'The member (members.member_id; not a foreign key).';
COMMENT ON COLUMN @extschema@.pharmacy_fills.filled_at IS 'When the fill was adjudicated at the pharmacy.';
COMMENT ON COLUMN @extschema@.pharmacy_fills.drug_name IS 'Drug name and strength as dispensed.';
COMMENT ON COLUMN @extschema@.pharmacy_fills.copay_amount IS 'Member copay, dollars (0 when denied).';
COMMENT ON COLUMN @extschema@.pharmacy_fills.days_supply IS 'Days of supply dispensed, 1-365.';
COMMENT ON COLUMN @extschema@.pharmacy_fills.pharmacy_type IS 'retail, mail or specialty.';
COMMENT ON COLUMN @extschema@.pharmacy_fills.denied IS 'Whether the fill was denied at the counter.';
COMMENT ON COLUMN @extschema@.pharmacy_fills.denied_reason IS 'Why it was denied, e.g. prior_auth_required, refill_too_soon; NULL when not denied.';
COMMENT ON COLUMN @extschema@.pharmacy_fills.source_file IS 'Provenance: the file the row was loaded from (absolute path, or stdin); NULL when not loaded by costmodel-load.';
COMMENT ON COLUMN @extschema@.pharmacy_fills.loaded_at IS 'Provenance: when the row was (last) loaded.';

CREATE TABLE @extschema@.enrollments (
    enrollment_id   text NOT NULL PRIMARY KEY,
    member_id       text NOT NULL,
    enrolled_at     timestamptz NOT NULL,
    plan_type       text CHECK (plan_type IN ('MAPD', 'PPO', 'HMO', 'POS', 'EPO')),
    premium_amount  numeric(12,2) CHECK (premium_amount >= 0),
    change_type     text CHECK (change_type IN ('new', 'renewal', 'change')),
    change_reason   text,
    source_file     text,
    loaded_at       timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE INDEX enrollments_member_at_idx ON @extschema@.enrollments (member_id, enrolled_at);

COMMENT ON TABLE @extschema@.enrollments IS
  'Enrollment events: new enrollments, renewals and plan changes. Key: enrollment_id.';
COMMENT ON COLUMN @extschema@.enrollments.enrollment_id IS 'Enrollment event identifier.';
COMMENT ON COLUMN @extschema@.enrollments.member_id IS 'The member (members.member_id; not a foreign key).';
COMMENT ON COLUMN @extschema@.enrollments.enrolled_at IS 'When the enrollment took effect.';
COMMENT ON COLUMN @extschema@.enrollments.plan_type IS 'Plan type enrolled in: MAPD, PPO, HMO, POS or EPO.';
COMMENT ON COLUMN @extschema@.enrollments.premium_amount IS 'Monthly premium, dollars.';
COMMENT ON COLUMN @extschema@.enrollments.change_type IS 'new, renewal or change (a plan change).';
COMMENT ON COLUMN @extschema@.enrollments.change_reason IS 'Why the member changed, e.g. cost, network, moved; NULL for new and renewal.';
COMMENT ON COLUMN @extschema@.enrollments.source_file IS 'Provenance: the file the row was loaded from (absolute path, or stdin); NULL when not loaded by costmodel-load.';
COMMENT ON COLUMN @extschema@.enrollments.loaded_at IS 'Provenance: when the row was (last) loaded.';

-- ---------------------------------------------------------------------------
-- Patient-advocacy cases.  Loaded in the order advocates, cases, then
-- case_events, case_interactions and case_feedback (foreign keys).
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.advocates (
    advocate_id  text NOT NULL PRIMARY KEY,
    name         text NOT NULL,
    team         text,
    capacity     integer NOT NULL CHECK (capacity > 0),
    hired_at     timestamptz,
    source_file  text,
    loaded_at    timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE @extschema@.advocates IS
  'Patient advocates who work cases. Key: advocate_id.';
COMMENT ON COLUMN @extschema@.advocates.advocate_id IS 'Advocate identifier.';
COMMENT ON COLUMN @extschema@.advocates.name IS 'Display name.';
COMMENT ON COLUMN @extschema@.advocates.team IS 'Team the advocate belongs to, e.g. Billing, Clinical, Access.';
COMMENT ON COLUMN @extschema@.advocates.capacity IS 'The number of active (not resolved or closed) cases the advocate is staffed to carry at once.';
COMMENT ON COLUMN @extschema@.advocates.hired_at IS 'When the advocate started.';
COMMENT ON COLUMN @extschema@.advocates.source_file IS 'Provenance: the file the row was loaded from (absolute path, or stdin); NULL when not loaded by costmodel-load.';
COMMENT ON COLUMN @extschema@.advocates.loaded_at IS 'Provenance: when the row was (last) loaded.';

CREATE TABLE @extschema@.cases (
    case_id                   text NOT NULL PRIMARY KEY,
    member_id                 text NOT NULL,
    case_type                 text NOT NULL CHECK (case_type IN ('billing_dispute', 'prior_auth', 'provider_search',
                                                                  'care_coordination', 'claim_denial')),
    urgency                   text CHECK (urgency IN ('low', 'medium', 'high', 'critical')),
    status                    text NOT NULL CHECK (status IN ('open', 'in_progress', 'pending_docs', 'escalated',
                                                               'resolved', 'closed')),
    opened_at                 timestamptz NOT NULL,
    resolved_at               timestamptz CHECK (resolved_at >= opened_at),
    advocate_id               text REFERENCES @extschema@.advocates (advocate_id),
    intake_source             text,
    barriers                  text,
    barrier_count             integer CHECK (barrier_count >= 0),
    handoff_count             integer CHECK (handoff_count >= 0),
    complexity                smallint CHECK (complexity BETWEEN 1 AND 5),
    submitted_documents       text,
    submitted_document_count  integer CHECK (submitted_document_count >= 0),
    missing_docs              text,
    missing_doc_count         integer CHECK (missing_doc_count >= 0),
    support_flags             text,
    support_flag_count        integer CHECK (support_flag_count >= 0),
    metadata                  jsonb,
    source_file               text,
    loaded_at                 timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE INDEX cases_member_idx ON @extschema@.cases (member_id, opened_at);
CREATE INDEX cases_advocate_idx ON @extschema@.cases (advocate_id, opened_at);

COMMENT ON TABLE @extschema@.cases IS
  'Patient-advocacy cases. Key: case_id. The columns intake_source .. support_flag_count are parsed from metadata by a trigger whenever metadata is not NULL (see cases_parse_metadata).';
COMMENT ON COLUMN @extschema@.cases.case_id IS 'Case identifier.';
COMMENT ON COLUMN @extschema@.cases.member_id IS 'The patient: the advocacy system''s patient id is the plan''s member id (members.member_id; not a foreign key).';
COMMENT ON COLUMN @extschema@.cases.case_type IS 'billing_dispute, prior_auth, provider_search, care_coordination or claim_denial.';
COMMENT ON COLUMN @extschema@.cases.urgency IS 'low, medium, high or critical.';
COMMENT ON COLUMN @extschema@.cases.status IS 'Current status: open, in_progress, pending_docs, escalated, resolved or closed. Active means not resolved or closed.';
COMMENT ON COLUMN @extschema@.cases.opened_at IS 'When the case was opened.';
COMMENT ON COLUMN @extschema@.cases.resolved_at IS 'When the case was (last) resolved; NULL while active.';
COMMENT ON COLUMN @extschema@.cases.advocate_id IS 'The assigned advocate (advocates.advocate_id); NULL while unassigned.';
COMMENT ON COLUMN @extschema@.cases.intake_source IS 'metadata.intake_source: how the case came in (phone, portal, email, referral, provider).';
COMMENT ON COLUMN @extschema@.cases.barriers IS 'metadata.barriers: barriers to care, comma-separated (e.g. language,transportation); NULL when none.';
COMMENT ON COLUMN @extschema@.cases.barrier_count IS 'Number of entries in metadata.barriers.';
COMMENT ON COLUMN @extschema@.cases.handoff_count IS 'metadata.handoff_count: times the case was handed from one advocate or team to another.';
COMMENT ON COLUMN @extschema@.cases.complexity IS 'metadata.complexity: 1 (simple) to 5 (most complex).';
COMMENT ON COLUMN @extschema@.cases.submitted_documents IS 'metadata.submitted_documents: documents received, comma-separated; NULL when none.';
COMMENT ON COLUMN @extschema@.cases.submitted_document_count IS 'Number of entries in metadata.submitted_documents.';
COMMENT ON COLUMN @extschema@.cases.missing_docs IS 'metadata.missing_docs: documents still (or long) missing, comma-separated; NULL when none.';
COMMENT ON COLUMN @extschema@.cases.missing_doc_count IS 'Number of entries in metadata.missing_docs.';
COMMENT ON COLUMN @extschema@.cases.support_flags IS 'metadata.support_flags: special support needs, comma-separated (e.g. interpreter,caregiver_proxy); NULL when none.';
COMMENT ON COLUMN @extschema@.cases.support_flag_count IS 'Number of entries in metadata.support_flags.';
COMMENT ON COLUMN @extschema@.cases.metadata IS 'RAW: the case''s metadata JSON object as received, kept for audit. Query the parsed columns instead; not meant for BI.';
COMMENT ON COLUMN @extschema@.cases.source_file IS 'Provenance: the file the row was loaded from (absolute path, or stdin); NULL when not loaded by costmodel-load.';
COMMENT ON COLUMN @extschema@.cases.loaded_at IS 'Provenance: when the row was (last) loaded.';

CREATE TABLE @extschema@.case_events (
    event_id     text NOT NULL PRIMARY KEY,
    case_id      text NOT NULL REFERENCES @extschema@.cases (case_id) ON DELETE CASCADE,
    event_type   text NOT NULL CHECK (event_type IN ('opened', 'assigned', 'first_response', 'docs_requested',
                                                     'docs_received', 'provider_contacted', 'insurer_contacted',
                                                     'escalated', 'resolved', 'reopened')),
    occurred_at  timestamptz NOT NULL,
    actor        text,
    source_file  text,
    loaded_at    timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE INDEX case_events_case_at_idx ON @extschema@.case_events (case_id, occurred_at);

COMMENT ON TABLE @extschema@.case_events IS
  'The timeline of each case. Key: event_id.';
COMMENT ON COLUMN @extschema@.case_events.event_id IS 'Event identifier.';
COMMENT ON COLUMN @extschema@.case_events.case_id IS 'The case (cases.case_id).';
COMMENT ON COLUMN @extschema@.case_events.event_type IS 'opened, assigned, first_response, docs_requested, docs_received, provider_contacted, insurer_contacted, escalated, resolved or reopened.';
COMMENT ON COLUMN @extschema@.case_events.occurred_at IS 'When the event happened.';
COMMENT ON COLUMN @extschema@.case_events.actor IS 'Who caused it: an advocate_id, or member, system, provider, insurer.';
COMMENT ON COLUMN @extschema@.case_events.source_file IS 'Provenance: the file the row was loaded from (absolute path, or stdin); NULL when not loaded by costmodel-load.';
COMMENT ON COLUMN @extschema@.case_events.loaded_at IS 'Provenance: when the row was (last) loaded.';

CREATE TABLE @extschema@.case_interactions (
    interaction_id    text NOT NULL PRIMARY KEY,
    case_id           text NOT NULL REFERENCES @extschema@.cases (case_id) ON DELETE CASCADE,
    channel           text CHECK (channel IN ('phone', 'email', 'chat', 'portal', 'sms', 'in_person')),
    occurred_at       timestamptz NOT NULL,
    duration_minutes  numeric(8,2) CHECK (duration_minutes >= 0),
    direction         text CHECK (direction IN ('inbound', 'outbound')),
    source_file       text,
    loaded_at         timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE INDEX case_interactions_case_at_idx ON @extschema@.case_interactions (case_id, occurred_at);

COMMENT ON TABLE @extschema@.case_interactions IS
  'Contacts between advocates and members (or on their behalf) within a case. Key: interaction_id.';
COMMENT ON COLUMN @extschema@.case_interactions.interaction_id IS 'Interaction identifier.';
COMMENT ON COLUMN @extschema@.case_interactions.case_id IS 'The case (cases.case_id).';
COMMENT ON COLUMN @extschema@.case_interactions.channel IS 'phone, email, chat, portal, sms or in_person.';
COMMENT ON COLUMN @extschema@.case_interactions.occurred_at IS 'When the contact started.';
COMMENT ON COLUMN @extschema@.case_interactions.duration_minutes IS 'Length of the contact, minutes (0 for a message).';
COMMENT ON COLUMN @extschema@.case_interactions.direction IS 'inbound (from the member) or outbound (from the advocate).';
COMMENT ON COLUMN @extschema@.case_interactions.source_file IS 'Provenance: the file the row was loaded from (absolute path, or stdin); NULL when not loaded by costmodel-load.';
COMMENT ON COLUMN @extschema@.case_interactions.loaded_at IS 'Provenance: when the row was (last) loaded.';

CREATE TABLE @extschema@.case_feedback (
    case_id       text NOT NULL PRIMARY KEY REFERENCES @extschema@.cases (case_id) ON DELETE CASCADE,
    submitted_at  timestamptz NOT NULL,
    csat          smallint NOT NULL CHECK (csat BETWEEN 1 AND 5),
    comment       text,
    source_file   text,
    loaded_at     timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE @extschema@.case_feedback IS
  'The member''s feedback on a case, at most one per case. Key: case_id.';
COMMENT ON COLUMN @extschema@.case_feedback.case_id IS 'The case (cases.case_id).';
COMMENT ON COLUMN @extschema@.case_feedback.submitted_at IS 'When the feedback was submitted.';
COMMENT ON COLUMN @extschema@.case_feedback.csat IS 'Satisfaction with the case, 1 (very dissatisfied) to 5 (very satisfied).';
COMMENT ON COLUMN @extschema@.case_feedback.comment IS 'Free-text comment, as written.';
COMMENT ON COLUMN @extschema@.case_feedback.source_file IS 'Provenance: the file the row was loaded from (absolute path, or stdin); NULL when not loaded by costmodel-load.';
COMMENT ON COLUMN @extschema@.case_feedback.loaded_at IS 'Provenance: when the row was (last) loaded.';

-- ---------------------------------------------------------------------------
-- Claims: the experience extract's claims and the billing systems' exports,
-- normalised into one table.
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.claims (
    claim_id          text NOT NULL PRIMARY KEY,
    member_id         text NOT NULL,
    provider_id       text,
    payer             text,
    procedure_code    text,
    diagnosis_code    text,
    service_date      date,
    claim_type        text CHECK (claim_type IN ('medical', 'pharmacy', 'preventive')),
    claim_amount      numeric(14,2) CHECK (claim_amount >= 0),
    paid_amount       numeric(14,2) CHECK (paid_amount >= 0),
    status            text NOT NULL CHECK (status IN ('submitted', 'pending', 'approved', 'paid', 'partially_paid',
                                                      'denied', 'rejected', 'adjusted', 'voided')),
    denial_reason     text,
    adjudicated_at    timestamptz,
    location          text,
    place_of_service  text CHECK (place_of_service ~ '^[0-9]{2}$'),
    source_system     text,
    source_status     text,
    source_file       text,
    source_line       bigint,
    loaded_at         timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE INDEX claims_member_date_idx ON @extschema@.claims (member_id, service_date);
CREATE INDEX claims_service_date_idx ON @extschema@.claims (service_date);
CREATE INDEX claims_provider_idx ON @extschema@.claims (provider_id);
CREATE INDEX claims_source_file_idx ON @extschema@.claims (source_file);

COMMENT ON TABLE @extschema@.claims IS
  'Claims from the experience extract and from the billing systems'' exports, in one canonical form. Key: claim_id; a claim exported again (a later status) replaces the earlier row.';
COMMENT ON COLUMN @extschema@.claims.claim_id IS 'Claim identifier (claim number), unique across billing systems.';
COMMENT ON COLUMN @extschema@.claims.member_id IS 'The member (members.member_id; not a foreign key).';
COMMENT ON COLUMN @extschema@.claims.provider_id IS 'The billing or rendering provider''s identifier (dim_provider).';
COMMENT ON COLUMN @extschema@.claims.payer IS 'The payer (plan or carrier) that adjudicates the claim (dim_payer).';
COMMENT ON COLUMN @extschema@.claims.procedure_code IS 'CPT, HCPCS Level II or NDC code of the service (text: leading zeros matter; dim_service).';
COMMENT ON COLUMN @extschema@.claims.diagnosis_code IS 'Primary ICD-10-CM diagnosis code, without the dot (e.g. E119).';
COMMENT ON COLUMN @extschema@.claims.service_date IS 'Date of service (first date for a multi-day claim).';
COMMENT ON COLUMN @extschema@.claims.claim_type IS 'medical, pharmacy or preventive.';
COMMENT ON COLUMN @extschema@.claims.claim_amount IS 'Billed (submitted) amount, dollars.';
COMMENT ON COLUMN @extschema@.claims.paid_amount IS 'Amount the payer paid, dollars; 0 when denied or voided, NULL while not paid yet (submitted, pending, approved).';
COMMENT ON COLUMN @extschema@.claims.status IS 'Canonical status: submitted, pending, approved, paid, partially_paid, denied, rejected, adjusted or voided (source_status keeps the spelling).';
COMMENT ON COLUMN @extschema@.claims.denial_reason IS 'Why the claim was denied or rejected, as exported; NULL otherwise.';
COMMENT ON COLUMN @extschema@.claims.adjudicated_at IS 'When the payer decided the claim; NULL while submitted or pending.';
COMMENT ON COLUMN @extschema@.claims.location IS 'Where the service was rendered, as "City, ST" (dim_location).';
COMMENT ON COLUMN @extschema@.claims.place_of_service IS 'CMS two-digit place-of-service code (dim_service, code_system POS).';
COMMENT ON COLUMN @extschema@.claims.source_system IS 'The system that exported the claim: experience for the experience extract, else the billing system''s name.';
COMMENT ON COLUMN @extschema@.claims.source_status IS 'The status as spelled in the source (e.g. APPROVED, Approved, A), before canonicalisation.';
COMMENT ON COLUMN @extschema@.claims.source_file IS 'Provenance: the file the row was loaded from (absolute path, or stdin); NULL when not loaded by costmodel-load.';
COMMENT ON COLUMN @extschema@.claims.source_line IS 'Provenance: 1-based line number of the record in source_file (the header is line 1).';
COMMENT ON COLUMN @extschema@.claims.loaded_at IS 'Provenance: when the row was (last) loaded.';

-- ---------------------------------------------------------------------------
-- Parsing the case metadata JSON into columns.
-- ---------------------------------------------------------------------------

-- A metadata list (a JSON array of strings, or one string) as comma-separated text.
CREATE FUNCTION @extschema@.case_metadata_list(metadata jsonb, key text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := metadata -> key;
    result text;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    ELSIF jsonb_typeof(v) = 'string' THEN
        RETURN nullif(btrim(v #>> '{}'), '');
    ELSIF jsonb_typeof(v) <> 'array' THEN
        RAISE EXCEPTION 'case metadata: "%" must be an array of strings', key
            USING ERRCODE = 'invalid_text_representation',
                  DETAIL = format('The value at $.%s is %s.', key, left(v::text, 200)),
                  HINT = format('Send $.%s as a JSON array of strings, e.g. ["a","b"], or [] for none.', key);
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_array_elements(v) e WHERE jsonb_typeof(e) <> 'string') THEN
        RAISE EXCEPTION 'case metadata: "%" must be an array of strings', key
            USING ERRCODE = 'invalid_text_representation',
                  DETAIL = format('The value at $.%s is %s.', key, left(v::text, 200)),
                  HINT = format('Send $.%s as a JSON array of strings, e.g. ["a","b"], or [] for none.', key);
    END IF;
    SELECT string_agg(btrim(e), ',' ORDER BY n) INTO result
      FROM jsonb_array_elements_text(v) WITH ORDINALITY AS t(e, n)
     WHERE btrim(e) <> '';
    RETURN result;
END
$$;

COMMENT ON FUNCTION @extschema@.case_metadata_list(jsonb, text) IS
  'The list metadata->key (an array of strings, or one string) as comma-separated text; NULL when absent or empty. A value of another type raises 22P02.';

-- A metadata whole number at key, or NULL; anything else raises 22P02.
CREATE FUNCTION @extschema@.case_metadata_int(metadata jsonb, key text)
RETURNS integer
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v jsonb := metadata -> key;
    s text;
BEGIN
    IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
        RETURN NULL;
    END IF;
    s := v #>> '{}';
    IF jsonb_typeof(v) IN ('number', 'string') AND s ~ '^\s*[0-9]{1,9}\s*$' THEN
        RETURN s::integer;
    END IF;
    RAISE EXCEPTION 'case metadata: "%" must be a whole number', key
        USING ERRCODE = 'invalid_text_representation',
              DETAIL = format('The value at $.%s is %s.', key, left(v::text, 200)),
              HINT = format('Send $.%s as a non-negative JSON integer, e.g. 2.', key);
END
$$;

COMMENT ON FUNCTION @extschema@.case_metadata_int(jsonb, text) IS
  'The non-negative whole number metadata->key (a JSON number or a numeric string); NULL when absent. Anything else raises 22P02.';

-- Trigger: derive the parsed metadata columns of a case from its metadata.
CREATE FUNCTION @extschema@.cases_parse_metadata()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m jsonb := NEW.metadata;
BEGIN
    IF m IS NULL THEN
        RETURN NEW;
    END IF;
    IF jsonb_typeof(m) <> 'object' THEN
        RAISE EXCEPTION 'case metadata must be a JSON object'
            USING ERRCODE = 'invalid_text_representation',
                  DETAIL = format('Case %s has metadata %s.', NEW.case_id, left(m::text, 200)),
                  HINT = 'Send an object such as {"intake_source":"phone","handoff_count":1}, or NULL.';
    END IF;
    NEW.intake_source := nullif(btrim(m ->> 'intake_source'), '');
    NEW.barriers := @extschema@.case_metadata_list(m, 'barriers');
    NEW.barrier_count := coalesce(array_length(string_to_array(NEW.barriers, ','), 1), 0);
    NEW.handoff_count := @extschema@.case_metadata_int(m, 'handoff_count');
    NEW.complexity := @extschema@.case_metadata_int(m, 'complexity');
    NEW.submitted_documents := @extschema@.case_metadata_list(m, 'submitted_documents');
    NEW.submitted_document_count := coalesce(array_length(string_to_array(NEW.submitted_documents, ','), 1), 0);
    NEW.missing_docs := @extschema@.case_metadata_list(m, 'missing_docs');
    NEW.missing_doc_count := coalesce(array_length(string_to_array(NEW.missing_docs, ','), 1), 0);
    NEW.support_flags := @extschema@.case_metadata_list(m, 'support_flags');
    NEW.support_flag_count := coalesce(array_length(string_to_array(NEW.support_flags, ','), 1), 0);
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION @extschema@.cases_parse_metadata() IS
  'Trigger function: when cases.metadata is not NULL, (re)derive intake_source, barriers, handoff_count, complexity, submitted_documents, missing_docs, support_flags and the counts from it; a value of the wrong type raises 22P02.';

CREATE TRIGGER cases_parse_metadata
    BEFORE INSERT OR UPDATE ON @extschema@.cases
    FOR EACH ROW EXECUTE FUNCTION @extschema@.cases_parse_metadata();

-- ---------------------------------------------------------------------------
-- pg_dump keeps the loaded data.
-- ---------------------------------------------------------------------------

SELECT pg_catalog.pg_extension_config_dump('@extschema@.members', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.calls', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.digital_interactions', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.surveys', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.pharmacy_fills', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.enrollments', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.advocates', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.cases', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.case_events', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.case_interactions', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.case_feedback', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.claims', '');
