-- 25_dims.sql: conformed dimensions (issue 3): the calendar with US federal
-- holidays and fiscal periods, members as a type 2 slowly changing
-- dimension, providers, payers, locations and services, and their refresh
-- functions.  The fiscal columns read costmodel.settings (26_settings.sql),
-- which also fills dim_date for the shipped range when the extension is
-- created.

-- ---------------------------------------------------------------------------
-- dim_date
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.dim_date (
    date_key               date NOT NULL PRIMARY KEY,
    year                   smallint NOT NULL,
    quarter                smallint NOT NULL CHECK (quarter BETWEEN 1 AND 4),
    month                  smallint NOT NULL CHECK (month BETWEEN 1 AND 12),
    month_name             text NOT NULL,
    day                    smallint NOT NULL CHECK (day BETWEEN 1 AND 31),
    day_of_week            smallint NOT NULL CHECK (day_of_week BETWEEN 1 AND 7),
    day_name               text NOT NULL,
    day_of_year            smallint NOT NULL CHECK (day_of_year BETWEEN 1 AND 366),
    iso_year               smallint NOT NULL,
    iso_week               smallint NOT NULL CHECK (iso_week BETWEEN 1 AND 53),
    week_start_date        date NOT NULL,
    month_start_date       date NOT NULL,
    fiscal_year            smallint NOT NULL,
    fiscal_quarter         smallint NOT NULL CHECK (fiscal_quarter BETWEEN 1 AND 4),
    fiscal_period          smallint NOT NULL CHECK (fiscal_period BETWEEN 1 AND 12),
    is_weekend             boolean NOT NULL,
    is_us_federal_holiday  boolean NOT NULL,
    holiday_name           text,
    is_business_day        boolean NOT NULL
);

COMMENT ON TABLE @extschema@.dim_date IS
  'The calendar, one row per day. Key: date_key. Filled for 2015-2035 by CREATE EXTENSION; refresh_dim_date(from, to) (re)fills any range. Fiscal columns follow the setting fiscal_year_start_month.';
COMMENT ON COLUMN @extschema@.dim_date.date_key IS 'The day.';
COMMENT ON COLUMN @extschema@.dim_date.year IS 'Calendar year.';
COMMENT ON COLUMN @extschema@.dim_date.quarter IS 'Calendar quarter, 1-4.';
COMMENT ON COLUMN @extschema@.dim_date.month IS 'Calendar month, 1-12.';
COMMENT ON COLUMN @extschema@.dim_date.month_name IS 'English month name, e.g. January.';
COMMENT ON COLUMN @extschema@.dim_date.day IS 'Day of the month, 1-31.';
COMMENT ON COLUMN @extschema@.dim_date.day_of_week IS 'ISO day of the week: 1 Monday .. 7 Sunday.';
COMMENT ON COLUMN @extschema@.dim_date.day_name IS 'English day name, e.g. Monday.';
COMMENT ON COLUMN @extschema@.dim_date.day_of_year IS 'Day of the calendar year, 1-366.';
COMMENT ON COLUMN @extschema@.dim_date.iso_year IS 'ISO 8601 week-numbering year (differs from year around 1 January).';
COMMENT ON COLUMN @extschema@.dim_date.iso_week IS 'ISO 8601 week of iso_year, 1-53; weeks start on Monday.';
COMMENT ON COLUMN @extschema@.dim_date.week_start_date IS 'The Monday that starts the ISO week.';
COMMENT ON COLUMN @extschema@.dim_date.month_start_date IS 'The first day of the calendar month.';
COMMENT ON COLUMN @extschema@.dim_date.fiscal_year IS 'Fiscal year, named by the calendar year in which it ends (as the US federal FY: with start month 10, 2024-10-01 is in FY 2025).';
COMMENT ON COLUMN @extschema@.dim_date.fiscal_quarter IS 'Fiscal quarter, 1-4, counted from the fiscal start month.';
COMMENT ON COLUMN @extschema@.dim_date.fiscal_period IS 'Fiscal period (month of the fiscal year), 1-12; 1 is the fiscal start month.';
COMMENT ON COLUMN @extschema@.dim_date.is_weekend IS 'Saturday or Sunday.';
COMMENT ON COLUMN @extschema@.dim_date.is_us_federal_holiday IS 'Federal offices are closed: the holiday, or its observed weekday when it falls on a weekend (Saturday: the Friday before; Sunday: the Monday after).';
COMMENT ON COLUMN @extschema@.dim_date.holiday_name IS 'The US federal holiday on this date; "<name> (observed)" on an observed day; also set on a holiday that falls on a weekend (where is_us_federal_holiday is false). NULL otherwise.';
COMMENT ON COLUMN @extschema@.dim_date.is_business_day IS 'Neither a weekend nor a US federal holiday (observed).';

-- Day n (1-based) of ISO weekday dow (1 Monday .. 7 Sunday) in a month; n = -1 is the last.
-- (Bodies in SQL-standard form are parsed at CREATE time, so their operators
-- are bound to pg_catalog then and need no OPERATOR() qualification.)
CREATE FUNCTION @extschema@.nth_weekday(year integer, month integer, dow integer, n integer)
RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE
    WHEN n > 0 THEN
        -- the first such weekday, then n - 1 weeks on
        pg_catalog.make_date(year, month, 1)
        + (dow - pg_catalog.date_part('isodow', pg_catalog.make_date(year, month, 1))::integer + 7) % 7
        + 7 * (n - 1)
    ELSE
        -- the last day of the month, back to the weekday
        (pg_catalog.make_date(year, month, 1) + interval '1 month' - interval '1 day')::date
        - (pg_catalog.date_part('isodow', (pg_catalog.make_date(year, month, 1)
                                           + interval '1 month' - interval '1 day')::date)::integer
           - dow + 7) % 7
END;

COMMENT ON FUNCTION @extschema@.nth_weekday(integer, integer, integer, integer) IS
  'The n-th (n >= 1) or, for n = -1, the last ISO weekday dow (1 Monday .. 7 Sunday) of a month, e.g. nth_weekday(2025, 11, 4, 4) is Thanksgiving 2025.';

-- The US federal holidays of a year with their observed dates.
CREATE FUNCTION @extschema@.us_federal_holidays(year integer)
RETURNS TABLE (holiday_date date, observed_date date, holiday_name text)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE ROWS 11
BEGIN ATOMIC
    SELECT h.d,
           CASE WHEN NOT h.fixed THEN h.d
                WHEN pg_catalog.date_part('isodow', h.d) = 6 THEN h.d - 1
                WHEN pg_catalog.date_part('isodow', h.d) = 7 THEN h.d + 1
                ELSE h.d END,
           h.name
      FROM (VALUES
            (pg_catalog.make_date(year, 1, 1), true, 'New Year''s Day', 1),
            (@extschema@.nth_weekday(year, 1, 1, 3), false, 'Martin Luther King Jr. Day', 2),
            (@extschema@.nth_weekday(year, 2, 1, 3), false, 'Presidents'' Day', 3),
            (@extschema@.nth_weekday(year, 5, 1, -1), false, 'Memorial Day', 4),
            (pg_catalog.make_date(year, 6, 19), true, 'Juneteenth National Independence Day', 5),
            (pg_catalog.make_date(year, 7, 4), true, 'Independence Day', 6),
            (@extschema@.nth_weekday(year, 9, 1, 1), false, 'Labor Day', 7),
            (@extschema@.nth_weekday(year, 10, 1, 2), false, 'Columbus Day', 8),
            (CASE WHEN year BETWEEN 1971 AND 1977 THEN @extschema@.nth_weekday(year, 10, 1, 4)
                  ELSE pg_catalog.make_date(year, 11, 11) END,
             year NOT BETWEEN 1971 AND 1977, 'Veterans Day', 9),
            (@extschema@.nth_weekday(year, 11, 4, 4), false, 'Thanksgiving Day', 10),
            (pg_catalog.make_date(year, 12, 25), true, 'Christmas Day', 11)
           ) AS h(d, fixed, name, ord)
     WHERE (h.name <> 'Juneteenth National Independence Day' OR year >= 2021)
       AND (h.name <> 'Martin Luther King Jr. Day' OR year >= 1986)
     ORDER BY h.ord;
END;

COMMENT ON FUNCTION @extschema@.us_federal_holidays(integer) IS
  'The eleven US federal holidays of a year (5 U.S.C. 6103; Juneteenth from 2021, MLK Day from 1986) with the observed day off: Saturday -> the Friday before, Sunday -> the Monday after. New Year''s Day on a Saturday is observed on 31 December of the year before.';

-- Fiscal year (named by the year it ends in), quarter and period of a day.
CREATE FUNCTION @extschema@.fiscal_period_of(d date, start_month integer,
                                             OUT fiscal_year integer, OUT fiscal_quarter integer,
                                             OUT fiscal_period integer)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
BEGIN ATOMIC
    SELECT pg_catalog.date_part('year', d)::integer
             + CASE WHEN start_month > 1
                                          AND pg_catalog.date_part('month', d)::integer >= start_month
                                         THEN 1 ELSE 0 END,
           (pg_catalog.date_part('month', d)::integer - start_month + 12)
             % 12 / 3 + 1,
           (pg_catalog.date_part('month', d)::integer - start_month + 12)
             % 12 + 1;
END;

COMMENT ON FUNCTION @extschema@.fiscal_period_of(date, integer) IS
  'Fiscal year, quarter and period (1-12) of a day for a fiscal year starting on the 1st of start_month; the fiscal year is named by the calendar year in which it ends.';

-- (Re)fill dim_date for every day from from_date to to_date.
CREATE FUNCTION @extschema@.refresh_dim_date(from_date date, to_date date)
RETURNS bigint
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    start_month integer := @extschema@.setting_integer('fiscal_year_start_month');
    n bigint;
BEGIN
    IF from_date > to_date THEN
        RAISE EXCEPTION 'refresh_dim_date: from_date % is after to_date %', from_date, to_date
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the first day of the range first, e.g. refresh_dim_date(''2025-01-01'', ''2025-12-31'').';
    END IF;
    IF NOT isfinite(from_date) OR NOT isfinite(to_date) THEN
        RAISE EXCEPTION 'refresh_dim_date: the range % to % is not finite', from_date, to_date
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass two finite dates.';
    END IF;
    IF to_date - from_date >= 36600 THEN
        RAISE EXCEPTION 'refresh_dim_date: the range % to % is too long', from_date, to_date
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'At most 36600 days (about 100 years) are filled per call.',
                  HINT = 'Pass a shorter range, or call the function once per century.';
    END IF;

    INSERT INTO @extschema@.dim_date AS t
    WITH h AS (
        SELECT hh.*
          FROM generate_series(date_part('year', from_date)::integer - 1,
                               date_part('year', to_date)::integer + 1) AS y(y),
               @extschema@.us_federal_holidays(y.y) AS hh
    ), act AS (
        SELECT holiday_date AS d, min(holiday_name) AS name FROM h GROUP BY holiday_date
    ), obs AS (
        SELECT observed_date AS d, min(holiday_name) AS name FROM h GROUP BY observed_date
    ), days AS (
        SELECT g.ts::date AS d
          FROM generate_series(from_date::timestamp, to_date::timestamp, interval '1 day') AS g(ts)
    )
    SELECT days.d,
           date_part('year', days.d), date_part('quarter', days.d), date_part('month', days.d),
           to_char(days.d, 'FMMonth'), date_part('day', days.d), date_part('isodow', days.d),
           to_char(days.d, 'FMDay'), date_part('doy', days.d),
           date_part('isoyear', days.d), date_part('week', days.d),
           days.d - (date_part('isodow', days.d)::integer - 1),
           date_trunc('month', days.d)::date,
           f.fiscal_year, f.fiscal_quarter, f.fiscal_period,
           date_part('isodow', days.d) >= 6,
           obs.name IS NOT NULL,
           coalesce(act.name, obs.name || ' (observed)'),
           date_part('isodow', days.d) < 6 AND obs.name IS NULL
      FROM days
     CROSS JOIN LATERAL @extschema@.fiscal_period_of(days.d, start_month) AS f
      LEFT JOIN act ON act.d = days.d
      LEFT JOIN obs ON obs.d = days.d
    ON CONFLICT (date_key) DO UPDATE
       SET year = EXCLUDED.year, quarter = EXCLUDED.quarter, month = EXCLUDED.month,
           month_name = EXCLUDED.month_name, day = EXCLUDED.day,
           day_of_week = EXCLUDED.day_of_week, day_name = EXCLUDED.day_name,
           day_of_year = EXCLUDED.day_of_year, iso_year = EXCLUDED.iso_year,
           iso_week = EXCLUDED.iso_week, week_start_date = EXCLUDED.week_start_date,
           month_start_date = EXCLUDED.month_start_date, fiscal_year = EXCLUDED.fiscal_year,
           fiscal_quarter = EXCLUDED.fiscal_quarter, fiscal_period = EXCLUDED.fiscal_period,
           is_weekend = EXCLUDED.is_weekend, is_us_federal_holiday = EXCLUDED.is_us_federal_holiday,
           holiday_name = EXCLUDED.holiday_name, is_business_day = EXCLUDED.is_business_day;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

COMMENT ON FUNCTION @extschema@.refresh_dim_date(date, date) IS
  'Insert or recompute the dim_date rows from from_date to to_date (both included, at most 36600 days); returns the number of rows written.';

-- Recompute the fiscal columns of every dim_date row from the setting.
CREATE FUNCTION @extschema@.refresh_dim_date_fiscal()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    start_month integer := @extschema@.setting_integer('fiscal_year_start_month');
    n bigint;
BEGIN
    UPDATE @extschema@.dim_date AS t
       SET fiscal_year = f.fiscal_year, fiscal_quarter = f.fiscal_quarter,
           fiscal_period = f.fiscal_period
      FROM @extschema@.dim_date AS s
     CROSS JOIN LATERAL @extschema@.fiscal_period_of(s.date_key, start_month) AS f
     WHERE t.date_key = s.date_key
       AND (t.fiscal_year, t.fiscal_quarter, t.fiscal_period)
           IS DISTINCT FROM (f.fiscal_year, f.fiscal_quarter, f.fiscal_period);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

COMMENT ON FUNCTION @extschema@.refresh_dim_date_fiscal() IS
  'Re-derive fiscal_year, fiscal_quarter and fiscal_period of every dim_date row from the setting fiscal_year_start_month; returns the number of rows changed. Runs by itself when that setting changes.';

-- ---------------------------------------------------------------------------
-- dim_member: type 2 over plan_type, segment and state
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.dim_member (
    member_sk    bigserial PRIMARY KEY,
    member_id    text NOT NULL,
    plan_type    text,
    segment      text,
    state        text,
    gender       text,
    zip_code     text,
    join_date    date,
    valid_from   timestamptz NOT NULL,
    valid_to     timestamptz,
    is_current   boolean NOT NULL,
    CHECK ((valid_to IS NULL) = is_current),
    CHECK (valid_to > valid_from)
);

CREATE UNIQUE INDEX dim_member_current_uq ON @extschema@.dim_member (member_id) WHERE is_current;
CREATE INDEX dim_member_member_from_idx ON @extschema@.dim_member (member_id, valid_from);

COMMENT ON TABLE @extschema@.dim_member IS
  'Members as a type 2 slowly changing dimension: a new version (row) whenever plan_type, segment or state changes. Each version is valid over [valid_from, valid_to); one current row per member. Filled by refresh_dim_member().';
COMMENT ON COLUMN @extschema@.dim_member.member_sk IS 'Surrogate key of the version.';
COMMENT ON COLUMN @extschema@.dim_member.member_id IS 'The member (members.member_id).';
COMMENT ON COLUMN @extschema@.dim_member.plan_type IS 'Plan type during this version (tracked: a change opens a new version).';
COMMENT ON COLUMN @extschema@.dim_member.segment IS 'Value segment during this version (tracked).';
COMMENT ON COLUMN @extschema@.dim_member.state IS 'State during this version (tracked).';
COMMENT ON COLUMN @extschema@.dim_member.gender IS 'Gender (not tracked: a change is written into the current version, without a new one).';
COMMENT ON COLUMN @extschema@.dim_member.zip_code IS 'ZIP code (not tracked: corrected in the current version; a new version takes the ZIP code of its time).';
COMMENT ON COLUMN @extschema@.dim_member.join_date IS 'Date the member joined (not tracked: corrected in the current version).';
COMMENT ON COLUMN @extschema@.dim_member.valid_from IS 'Start of the version (included). A member''s first version starts at join_date (00:00 UTC), or at the refresh time when that is earlier or join_date is unknown.';
COMMENT ON COLUMN @extschema@.dim_member.valid_to IS 'End of the version (excluded): the as_of time of the refresh that saw the change; NULL for the current version.';
COMMENT ON COLUMN @extschema@.dim_member.is_current IS 'True for the member''s current version (valid_to is NULL).';

-- Bring dim_member up to date with members, as of the given time.
CREATE FUNCTION @extschema@.refresh_dim_member(as_of timestamptz DEFAULT pg_catalog.now(),
                                               OUT new_members bigint,
                                               OUT changed_members bigint,
                                               OUT updated_members bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    bad record;
BEGIN
    IF as_of IS NULL OR NOT isfinite(as_of) THEN
        RAISE EXCEPTION 'refresh_dim_member: as_of must be a finite timestamp'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Call refresh_dim_member() for now(), or pass the time of the member extract.';
    END IF;
    -- one refresh at a time; readers are not blocked
    LOCK TABLE @extschema@.dim_member IN SHARE ROW EXCLUSIVE MODE;

    SELECT d.member_id, d.valid_from INTO bad
      FROM @extschema@.members m
      JOIN @extschema@.dim_member d ON d.member_id = m.member_id AND d.is_current
     WHERE (m.plan_type, m.segment, m.state) IS DISTINCT FROM (d.plan_type, d.segment, d.state)
       AND d.valid_from >= as_of
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'refresh_dim_member: as_of % is not after the start of member %''s current version', as_of, bad.member_id
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('The current version of member %s is valid from %s.', bad.member_id, bad.valid_from),
                  HINT = 'Pass an as_of later than every current version''s valid_from (refreshes must move forward in time).';
    END IF;

    -- type 2: close the current version of members whose tracked attributes changed ...
    WITH closed AS (
        UPDATE @extschema@.dim_member d
           SET valid_to = as_of, is_current = false
          FROM @extschema@.members m
         WHERE d.member_id = m.member_id AND d.is_current
           AND (m.plan_type, m.segment, m.state) IS DISTINCT FROM (d.plan_type, d.segment, d.state)
        RETURNING d.member_id
    )
    -- ... and open a new one
    INSERT INTO @extschema@.dim_member (member_id, plan_type, segment, state, gender, zip_code,
                                        join_date, valid_from, valid_to, is_current)
    SELECT m.member_id, m.plan_type, m.segment, m.state, m.gender, m.zip_code, m.join_date,
           as_of, NULL, true
      FROM @extschema@.members m
      JOIN closed c ON c.member_id = m.member_id;
    GET DIAGNOSTICS changed_members = ROW_COUNT;

    -- type 1: correct gender, zip_code and join_date of the current version in place
    UPDATE @extschema@.dim_member d
       SET gender = m.gender, zip_code = m.zip_code, join_date = m.join_date
      FROM @extschema@.members m
     WHERE d.member_id = m.member_id AND d.is_current
       AND (d.gender, d.zip_code, d.join_date) IS DISTINCT FROM (m.gender, m.zip_code, m.join_date);
    GET DIAGNOSTICS updated_members = ROW_COUNT;

    -- members without a current version open one: the first from join_date
    INSERT INTO @extschema@.dim_member (member_id, plan_type, segment, state, gender, zip_code,
                                        join_date, valid_from, valid_to, is_current)
    SELECT m.member_id, m.plan_type, m.segment, m.state, m.gender, m.zip_code, m.join_date,
           CASE WHEN m.join_date IS NULL
                  OR EXISTS (SELECT 1 FROM @extschema@.dim_member h WHERE h.member_id = m.member_id)
                THEN as_of
                ELSE least(as_of, m.join_date::timestamp AT TIME ZONE 'UTC') END,
           NULL, true
      FROM @extschema@.members m
     WHERE NOT EXISTS (SELECT 1 FROM @extschema@.dim_member d
                        WHERE d.member_id = m.member_id AND d.is_current);
    GET DIAGNOSTICS new_members = ROW_COUNT;
END
$$;

COMMENT ON FUNCTION @extschema@.refresh_dim_member(timestamptz) IS
  'Apply members to dim_member as of as_of (default now()): a member whose plan_type, segment or state changed gets its current version closed at as_of and a new one opened; gender, zip_code and join_date are corrected in the current version in place; a member without a current version opens one. Running it again without changes does nothing. Returns the number of members that got a first version, a new version, and an in-place correction.';

-- ---------------------------------------------------------------------------
-- dim_provider, dim_payer, dim_location: keyed by their natural keys, fed
-- from the claims (and the traces' providers)
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.dim_provider (
    provider_id         text NOT NULL PRIMARY KEY,
    npi                 text,
    tin                 text,
    provider_type       text,
    taxonomy            text,
    in_claims           boolean NOT NULL DEFAULT false,
    in_traces           boolean NOT NULL DEFAULT false,
    first_service_date  date,
    last_service_date   date,
    refreshed_at        timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE @extschema@.dim_provider IS
  'Providers seen in claims or in cost-estimator traces. Key: provider_id. Filled by refresh_dim_provider(); a provider is never removed.';
COMMENT ON COLUMN @extschema@.dim_provider.provider_id IS 'Provider identifier, as in claims.provider_id and fact_request.provider_id.';
COMMENT ON COLUMN @extschema@.dim_provider.npi IS 'NPI (10 digits), from the traces; NULL when only seen in claims.';
COMMENT ON COLUMN @extschema@.dim_provider.tin IS 'Tax identification number, from the traces.';
COMMENT ON COLUMN @extschema@.dim_provider.provider_type IS 'Provider type, from the traces, e.g. physical_therapist.';
COMMENT ON COLUMN @extschema@.dim_provider.taxonomy IS 'NUCC taxonomy code, from the traces.';
COMMENT ON COLUMN @extschema@.dim_provider.in_claims IS 'Seen in claims.';
COMMENT ON COLUMN @extschema@.dim_provider.in_traces IS 'Seen in cost-estimator traces (fact_request).';
COMMENT ON COLUMN @extschema@.dim_provider.first_service_date IS 'Earliest claims service date or trace planned date seen.';
COMMENT ON COLUMN @extschema@.dim_provider.last_service_date IS 'Latest claims service date or trace planned date seen.';
COMMENT ON COLUMN @extschema@.dim_provider.refreshed_at IS 'When the row was last written by a refresh.';

CREATE TABLE @extschema@.dim_payer (
    payer               text NOT NULL PRIMARY KEY,
    first_service_date  date,
    last_service_date   date,
    refreshed_at        timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE @extschema@.dim_payer IS
  'Payers seen in claims. Key: payer (the canonical payer name). Filled by refresh_dim_payer().';
COMMENT ON COLUMN @extschema@.dim_payer.payer IS 'Payer name, as in claims.payer.';
COMMENT ON COLUMN @extschema@.dim_payer.first_service_date IS 'Earliest claims service date seen for the payer.';
COMMENT ON COLUMN @extschema@.dim_payer.last_service_date IS 'Latest claims service date seen for the payer.';
COMMENT ON COLUMN @extschema@.dim_payer.refreshed_at IS 'When the row was last written by a refresh.';

CREATE TABLE @extschema@.dim_location (
    location            text NOT NULL PRIMARY KEY,
    city                text,
    state               text,
    first_service_date  date,
    last_service_date   date,
    refreshed_at        timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE @extschema@.dim_location IS
  'Service locations seen in claims. Key: location ("City, ST"). Filled by refresh_dim_location().';
COMMENT ON COLUMN @extschema@.dim_location.location IS 'Location as in claims.location.';
COMMENT ON COLUMN @extschema@.dim_location.city IS 'City: the part before the last comma.';
COMMENT ON COLUMN @extschema@.dim_location.state IS 'Two-letter state: the part after the last comma when it is one; else NULL.';
COMMENT ON COLUMN @extschema@.dim_location.first_service_date IS 'Earliest claims service date seen at the location.';
COMMENT ON COLUMN @extschema@.dim_location.last_service_date IS 'Latest claims service date seen at the location.';
COMMENT ON COLUMN @extschema@.dim_location.refreshed_at IS 'When the row was last written by a refresh.';

-- Upsert dim_provider from claims and fact_request.
CREATE FUNCTION @extschema@.refresh_dim_provider()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    INSERT INTO @extschema@.dim_provider AS t
           (provider_id, npi, tin, provider_type, taxonomy, in_claims, in_traces,
            first_service_date, last_service_date, refreshed_at)
    SELECT provider_id, max(npi), max(tin), max(provider_type), max(taxonomy),
           bool_or(from_claims), bool_or(NOT from_claims), min(d_min), max(d_max), now()
      FROM (SELECT c.provider_id, NULL::text AS npi, NULL::text AS tin, NULL::text AS provider_type,
                   NULL::text AS taxonomy, true AS from_claims,
                   min(c.service_date) AS d_min, max(c.service_date) AS d_max
              FROM @extschema@.claims c
             WHERE c.provider_id IS NOT NULL AND c.provider_id <> ''
             GROUP BY c.provider_id
            UNION ALL
            SELECT r.provider_id, max(r.npi), max(r.tin), max(r.provider_type), max(r.taxonomy), false,
                   min(r.planned_date), max(r.planned_date)
              FROM @extschema@.fact_request r
             WHERE r.provider_id <> ''
             GROUP BY r.provider_id) AS s
     GROUP BY provider_id
    ON CONFLICT (provider_id) DO UPDATE
       SET npi = coalesce(EXCLUDED.npi, t.npi), tin = coalesce(EXCLUDED.tin, t.tin),
           provider_type = coalesce(EXCLUDED.provider_type, t.provider_type),
           taxonomy = coalesce(EXCLUDED.taxonomy, t.taxonomy),
           in_claims = EXCLUDED.in_claims OR t.in_claims, in_traces = EXCLUDED.in_traces OR t.in_traces,
           first_service_date = least(EXCLUDED.first_service_date, t.first_service_date),
           last_service_date = greatest(EXCLUDED.last_service_date, t.last_service_date),
           refreshed_at = EXCLUDED.refreshed_at;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

COMMENT ON FUNCTION @extschema@.refresh_dim_provider() IS
  'Insert or update dim_provider from claims and fact_request (NPI, TIN, type and taxonomy come from the traces); returns the number of rows written.';

-- Upsert dim_payer from claims.
CREATE FUNCTION @extschema@.refresh_dim_payer()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    INSERT INTO @extschema@.dim_payer AS t (payer, first_service_date, last_service_date, refreshed_at)
    SELECT c.payer, min(c.service_date), max(c.service_date), now()
      FROM @extschema@.claims c
     WHERE c.payer IS NOT NULL AND c.payer <> ''
     GROUP BY c.payer
    ON CONFLICT (payer) DO UPDATE
       SET first_service_date = least(EXCLUDED.first_service_date, t.first_service_date),
           last_service_date = greatest(EXCLUDED.last_service_date, t.last_service_date),
           refreshed_at = EXCLUDED.refreshed_at;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

COMMENT ON FUNCTION @extschema@.refresh_dim_payer() IS
  'Insert or update dim_payer from claims; returns the number of rows written.';

-- Upsert dim_location from claims.
CREATE FUNCTION @extschema@.refresh_dim_location()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    INSERT INTO @extschema@.dim_location AS t (location, city, state, first_service_date,
                                               last_service_date, refreshed_at)
    SELECT c.location,
           nullif(btrim(CASE WHEN strpos(c.location, ',') > 0
                             THEN regexp_replace(c.location, ',[^,]*$', '')
                             ELSE c.location END), ''),
           CASE WHEN upper(btrim(substring(c.location FROM ',([^,]*)$'))) ~ '^[A-Z]{2}$'
                THEN upper(btrim(substring(c.location FROM ',([^,]*)$'))) END,
           min(c.service_date), max(c.service_date), now()
      FROM @extschema@.claims c
     WHERE c.location IS NOT NULL AND c.location <> ''
     GROUP BY c.location
    ON CONFLICT (location) DO UPDATE
       SET first_service_date = least(EXCLUDED.first_service_date, t.first_service_date),
           last_service_date = greatest(EXCLUDED.last_service_date, t.last_service_date),
           refreshed_at = EXCLUDED.refreshed_at;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

COMMENT ON FUNCTION @extschema@.refresh_dim_location() IS
  'Insert or update dim_location from claims ("City, ST" split into city and state); returns the number of rows written.';

-- ---------------------------------------------------------------------------
-- dim_service: codes with their code system and category.  Ships the CMS
-- place-of-service codes and a sample of HCPCS Level II codes with their
-- (public) descriptions; CPT codes get a category from the code's range
-- only, never a description (CPT descriptions are copyrighted by the AMA).
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.dim_service (
    code_system   text NOT NULL CHECK (code_system IN ('POS', 'CPT', 'CPT-II', 'CPT-III', 'CPT-PLA',
                                                       'HCPCS', 'NDC', 'unknown')),
    service_code  text NOT NULL,
    description   text,
    category      text NOT NULL,
    shipped       boolean NOT NULL DEFAULT false,
    PRIMARY KEY (code_system, service_code)
);

CREATE INDEX dim_service_code_idx ON @extschema@.dim_service (service_code);

COMMENT ON TABLE @extschema@.dim_service IS
  'Service codes: CMS place-of-service codes, HCPCS Level II, CPT (categories only), NDC. Key: code_system, service_code. Shipped rows come with the extension; refresh_dim_service() adds the codes seen in claims and traces.';
COMMENT ON COLUMN @extschema@.dim_service.code_system IS 'POS (CMS place of service), CPT (Category I), CPT-II, CPT-III, CPT-PLA, HCPCS (Level II), NDC, or unknown.';
COMMENT ON COLUMN @extschema@.dim_service.service_code IS 'The code as text (leading zeros matter).';
COMMENT ON COLUMN @extschema@.dim_service.description IS 'Public description: CMS place-of-service names and HCPCS Level II descriptions; always NULL for CPT codes.';
COMMENT ON COLUMN @extschema@.dim_service.category IS 'Category: the CPT section of the code''s range (e.g. Evaluation and Management, Radiology), the HCPCS Level II group of its first letter, Place of service, or Drug (NDC).';
COMMENT ON COLUMN @extschema@.dim_service.shipped IS 'True for rows installed by the extension (not dumped by pg_dump; CREATE EXTENSION recreates them).';

-- The code system a service code belongs to, from its shape.
CREATE FUNCTION @extschema@.service_code_system(code text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE
    WHEN code ~ '^[0-9]{5}$' THEN 'CPT'
    WHEN code ~ '^[0-9]{4}F$' THEN 'CPT-II'
    WHEN code ~ '^[0-9]{4}T$' THEN 'CPT-III'
    WHEN code ~ '^[0-9]{4}U$' THEN 'CPT-PLA'
    WHEN code ~ '^[A-V][0-9]{4}$' THEN 'HCPCS'
    WHEN code ~ '^([0-9]{11}|[0-9]{4,5}-[0-9]{3,4}-[0-9]{1,2})$' THEN 'NDC'
    ELSE 'unknown'
END;

COMMENT ON FUNCTION @extschema@.service_code_system(text) IS
  'The code system of a procedure code from its shape: 5 digits CPT; 4 digits + F CPT-II, + T CPT-III, + U CPT-PLA; a letter A-V + 4 digits HCPCS; 11 digits (or 4-4-2 / 5-3-2 / 5-4-1 with dashes) NDC; else unknown.';

-- The category of a code in a code system.
CREATE FUNCTION @extschema@.service_category(code_system text, code text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE code_system
    WHEN 'CPT' THEN CASE
        WHEN code !~ '^[0-9]{5}$' THEN 'Unknown'
        WHEN code::integer <= 1999 THEN 'Anesthesia'
        WHEN code::integer < 10004 THEN 'Unassigned CPT range'
        WHEN code::integer <= 69990 THEN 'Surgery'
        WHEN code::integer < 70010 THEN 'Unassigned CPT range'
        WHEN code::integer <= 79999 THEN 'Radiology'
        WHEN code::integer <= 89398 THEN 'Pathology and Laboratory'
        WHEN code::integer < 90281 THEN 'Unassigned CPT range'
        WHEN code::integer >= 99100 AND code::integer <= 99140 THEN 'Anesthesia'
        WHEN code::integer <= 99199 THEN 'Medicine'
        WHEN code::integer <= 99499 THEN 'Evaluation and Management'
        ELSE 'Medicine' END
    WHEN 'CPT-II' THEN 'Performance measurement'
    WHEN 'CPT-III' THEN 'Emerging technology'
    WHEN 'CPT-PLA' THEN 'Proprietary laboratory analyses'
    WHEN 'POS' THEN 'Place of service'
    WHEN 'NDC' THEN 'Drug (NDC)'
    WHEN 'HCPCS' THEN CASE pg_catalog.upper(pg_catalog.left(code, 1))
        WHEN 'A' THEN 'Transportation, medical and surgical supplies'
        WHEN 'B' THEN 'Enteral and parenteral therapy'
        WHEN 'C' THEN 'Outpatient prospective payment system'
        WHEN 'E' THEN 'Durable medical equipment'
        WHEN 'G' THEN 'Procedures and professional services'
        WHEN 'H' THEN 'Behavioral health and substance abuse treatment'
        WHEN 'J' THEN 'Drugs administered other than oral method'
        WHEN 'K' THEN 'Durable medical equipment (temporary)'
        WHEN 'L' THEN 'Orthotic and prosthetic procedures and devices'
        WHEN 'M' THEN 'Medical services and quality measures'
        WHEN 'P' THEN 'Pathology and laboratory services'
        WHEN 'Q' THEN 'Temporary codes'
        WHEN 'R' THEN 'Diagnostic radiology services'
        WHEN 'S' THEN 'Temporary national codes (non-Medicare)'
        WHEN 'T' THEN 'National codes established for state Medicaid agencies'
        WHEN 'U' THEN 'Coronavirus diagnostic panel'
        WHEN 'V' THEN 'Vision, hearing and speech-language pathology services'
        ELSE 'Unknown' END
    ELSE 'Unknown'
END;

COMMENT ON FUNCTION @extschema@.service_category(text, text) IS
  'The category of a code: for CPT the section of its numeric range (Anesthesia 00100-01999 and 99100-99140, Surgery 10004-69990, Radiology 70010-79999, Pathology and Laboratory 80047-89398, Medicine 90281-99199 and 99500-99607, Evaluation and Management 99202-99499), for HCPCS Level II the group of its first letter.';

-- Add the codes seen in claims and traces to dim_service.
CREATE FUNCTION @extschema@.refresh_dim_service()
RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    INSERT INTO @extschema@.dim_service (code_system, service_code, description, category, shipped)
    SELECT s.code_system, s.code, NULL, @extschema@.service_category(s.code_system, s.code), false
      FROM (SELECT DISTINCT CASE WHEN r.is_pos THEN 'POS'
                                 ELSE @extschema@.service_code_system(r.code) END AS code_system,
                   r.code
              FROM (SELECT upper(btrim(procedure_code)) AS code, false AS is_pos
                      FROM @extschema@.claims WHERE procedure_code IS NOT NULL
                    UNION
                    SELECT upper(btrim(service_code)), false
                      FROM @extschema@.fact_request WHERE service_code IS NOT NULL
                    UNION
                    SELECT place_of_service, true FROM @extschema@.claims
                     WHERE place_of_service IS NOT NULL
                    UNION
                    SELECT service_location, true FROM @extschema@.fact_request
                     WHERE service_location ~ '^[0-9]{2}$') AS r
             WHERE r.code <> '') AS s
    ON CONFLICT (code_system, service_code) DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;

COMMENT ON FUNCTION @extschema@.refresh_dim_service() IS
  'Add to dim_service every procedure and place-of-service code seen in claims and fact_request that it lacks, with its code system and category; returns the number of rows added.';

-- Refresh every dimension.
CREATE FUNCTION @extschema@.refresh_dims(as_of timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (dimension text, rows_written bigint)
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m record;
BEGIN
    m := @extschema@.refresh_dim_member(as_of);
    dimension := 'dim_member'; rows_written := m.new_members + m.changed_members + m.updated_members; RETURN NEXT;
    dimension := 'dim_provider'; rows_written := @extschema@.refresh_dim_provider(); RETURN NEXT;
    dimension := 'dim_payer'; rows_written := @extschema@.refresh_dim_payer(); RETURN NEXT;
    dimension := 'dim_location'; rows_written := @extschema@.refresh_dim_location(); RETURN NEXT;
    dimension := 'dim_service'; rows_written := @extschema@.refresh_dim_service(); RETURN NEXT;
END
$$;

COMMENT ON FUNCTION @extschema@.refresh_dims(timestamptz) IS
  'Run refresh_dim_member(as_of), refresh_dim_provider(), refresh_dim_payer(), refresh_dim_location() and refresh_dim_service(); one row per dimension with the rows written. Call it after a load.';

-- ---------------------------------------------------------------------------
-- Shipped services: CMS place-of-service codes (public) and a sample of
-- HCPCS Level II codes with their public descriptions.
-- ---------------------------------------------------------------------------

INSERT INTO @extschema@.dim_service (code_system, service_code, description, category, shipped)
SELECT 'POS', code, name, 'Place of service', true
  FROM (VALUES
    ('01', 'Pharmacy'),
    ('02', 'Telehealth Provided Other than in Patient''s Home'),
    ('03', 'School'),
    ('04', 'Homeless Shelter'),
    ('05', 'Indian Health Service Free-standing Facility'),
    ('06', 'Indian Health Service Provider-based Facility'),
    ('07', 'Tribal 638 Free-standing Facility'),
    ('08', 'Tribal 638 Provider-based Facility'),
    ('09', 'Prison/Correctional Facility'),
    ('10', 'Telehealth Provided in Patient''s Home'),
    ('11', 'Office'),
    ('12', 'Home'),
    ('13', 'Assisted Living Facility'),
    ('14', 'Group Home'),
    ('15', 'Mobile Unit'),
    ('16', 'Temporary Lodging'),
    ('17', 'Walk-in Retail Health Clinic'),
    ('18', 'Place of Employment-Worksite'),
    ('19', 'Off Campus-Outpatient Hospital'),
    ('20', 'Urgent Care Facility'),
    ('21', 'Inpatient Hospital'),
    ('22', 'On Campus-Outpatient Hospital'),
    ('23', 'Emergency Room - Hospital'),
    ('24', 'Ambulatory Surgical Center'),
    ('25', 'Birthing Center'),
    ('26', 'Military Treatment Facility'),
    ('27', 'Outreach Site/Street'),
    ('31', 'Skilled Nursing Facility'),
    ('32', 'Nursing Facility'),
    ('33', 'Custodial Care Facility'),
    ('34', 'Hospice'),
    ('41', 'Ambulance - Land'),
    ('42', 'Ambulance - Air or Water'),
    ('49', 'Independent Clinic'),
    ('50', 'Federally Qualified Health Center'),
    ('51', 'Inpatient Psychiatric Facility'),
    ('52', 'Psychiatric Facility-Partial Hospitalization'),
    ('53', 'Community Mental Health Center'),
    ('54', 'Intermediate Care Facility/Individuals with Intellectual Disabilities'),
    ('55', 'Residential Substance Abuse Treatment Facility'),
    ('56', 'Psychiatric Residential Treatment Center'),
    ('57', 'Non-residential Substance Abuse Treatment Facility'),
    ('58', 'Non-residential Opioid Treatment Facility'),
    ('60', 'Mass Immunization Center'),
    ('61', 'Comprehensive Inpatient Rehabilitation Facility'),
    ('62', 'Comprehensive Outpatient Rehabilitation Facility'),
    ('65', 'End-Stage Renal Disease Treatment Facility'),
    ('66', 'Programs of All-Inclusive Care for the Elderly (PACE) Center'),
    ('71', 'Public Health Clinic'),
    ('72', 'Rural Health Clinic'),
    ('81', 'Independent Laboratory'),
    ('99', 'Other Place of Service')
  ) AS p(code, name);

INSERT INTO @extschema@.dim_service (code_system, service_code, description, category, shipped)
SELECT 'HCPCS', code, descr, @extschema@.service_category('HCPCS', code), true
  FROM (VALUES
    ('A0425', 'Ground mileage, per statute mile'),
    ('A0427', 'Ambulance service, advanced life support, emergency transport, level 1 (ALS1-emergency)'),
    ('A0428', 'Ambulance service, basic life support, non-emergency transport (BLS)'),
    ('A0429', 'Ambulance service, basic life support, emergency transport (BLS-emergency)'),
    ('A4253', 'Blood glucose test or reagent strips for home blood glucose monitor, per 50 strips'),
    ('A4259', 'Lancets, per box of 100'),
    ('E0114', 'Crutches, underarm, other than wood, adjustable or fixed, pair, with pad, tip and handgrip'),
    ('E0143', 'Walker, folding, wheeled, adjustable or fixed height'),
    ('E0260', 'Hospital bed, semi-electric (head and foot adjustment), with any type side rails, with mattress'),
    ('E0431', 'Portable gaseous oxygen system, rental'),
    ('E0601', 'Continuous positive airway pressure (CPAP) device'),
    ('E1390', 'Oxygen concentrator, single delivery port'),
    ('G0008', 'Administration of influenza virus vaccine'),
    ('G0121', 'Colorectal cancer screening; colonoscopy on individual not meeting criteria for high risk'),
    ('G0283', 'Electrical stimulation (unattended), to one or more areas for indication(s) other than wound care'),
    ('G0402', 'Initial preventive physical examination; face-to-face visit, limited to new beneficiary during the first 12 months of Medicare enrollment'),
    ('G0438', 'Annual wellness visit; includes a personalized prevention plan of service (PPPS), initial visit'),
    ('G0439', 'Annual wellness visit, includes a personalized prevention plan of service (PPPS), subsequent visit'),
    ('G0442', 'Annual alcohol misuse screening, 5 to 15 minutes'),
    ('G0444', 'Annual depression screening, 5 to 15 minutes'),
    ('H0031', 'Mental health assessment, by non-physician'),
    ('H2019', 'Therapeutic behavioral services, per 15 minutes'),
    ('J0171', 'Injection, adrenalin, epinephrine, 0.1 mg'),
    ('J0696', 'Injection, ceftriaxone sodium, per 250 mg'),
    ('J1030', 'Injection, methylprednisolone acetate, 40 mg'),
    ('J1100', 'Injection, dexamethasone sodium phosphate, 1 mg'),
    ('J1745', 'Injection, infliximab, excludes biosimilar, 10 mg'),
    ('J1885', 'Injection, ketorolac tromethamine, per 15 mg'),
    ('J2505', 'Injection, pegfilgrastim, 6 mg'),
    ('J3301', 'Injection, triamcinolone acetonide, not otherwise specified, 10 mg'),
    ('J3420', 'Injection, vitamin B-12 cyanocobalamin, up to 1,000 mcg'),
    ('J7030', 'Infusion, normal saline solution, 1000 cc'),
    ('J9035', 'Injection, bevacizumab, 10 mg'),
    ('K0001', 'Standard wheelchair'),
    ('L1830', 'Knee orthosis, immobilizer, canvas longitudinal, prefabricated, off-the-shelf'),
    ('L3908', 'Wrist hand orthosis, wrist extension control cock-up, non molded, prefabricated, off-the-shelf'),
    ('P9612', 'Catheterization for collection of specimen, single patient, all places of service'),
    ('Q0091', 'Screening Papanicolaou smear; obtaining, preparing and conveyance of cervical or vaginal smear to laboratory'),
    ('Q3014', 'Telehealth originating site facility fee'),
    ('R0070', 'Transportation of portable X-ray equipment and personnel to home or nursing home, per trip, one patient seen'),
    ('S9083', 'Global fee urgent care centers'),
    ('T1015', 'Clinic visit/encounter, all-inclusive'),
    ('V2020', 'Frames, purchases'),
    ('V2100', 'Sphere, single vision, plano to plus or minus 4.00, per lens'),
    ('V5261', 'Hearing aid, digital, binaural, behind the ear')
  ) AS h(code, descr);

-- ---------------------------------------------------------------------------
-- pg_dump keeps the dimensions: dim_date outside the shipped range (the
-- range CREATE EXTENSION fills), dim_service rows that were not shipped.
-- ---------------------------------------------------------------------------

SELECT pg_catalog.pg_extension_config_dump('@extschema@.dim_date',
    'WHERE date_key < ''2015-01-01'' OR date_key > ''2035-12-31''');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dim_member', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dim_member_member_sk_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dim_provider', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dim_payer', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dim_location', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.dim_service', 'WHERE NOT shipped');
