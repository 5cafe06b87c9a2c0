-- 26_settings.sql: the tunable parameters of the marts (issue 3), validated
-- by a trigger, with typed accessors; and the first fill of dim_date.

CREATE TABLE @extschema@.settings (
    name           text NOT NULL PRIMARY KEY,
    value          text NOT NULL,
    value_type     text NOT NULL CHECK (value_type IN ('numeric', 'integer', 'interval')),
    unit           text,
    description    text NOT NULL,
    default_value  text NOT NULL,
    min_value      text,
    min_inclusive  boolean NOT NULL DEFAULT true,
    max_value      text,
    max_inclusive  boolean NOT NULL DEFAULT true,
    allowed        text NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT pg_catalog.now()
);

COMMENT ON TABLE @extschema@.settings IS
  'Parameters of the marts, editable with UPDATE (or INSERT of an existing name) and validated: an unknown name, a value of the wrong type or out of range raises SQLSTATE 22023 with a hint. Read them with setting_numeric(), setting_integer(), setting_interval(). The set of names is fixed; rows cannot be deleted (use reset_setting()).';
COMMENT ON COLUMN @extschema@.settings.name IS 'Setting name, e.g. cost_per_call.';
COMMENT ON COLUMN @extschema@.settings.value IS 'Current value as text, in the form of value_type (e.g. 12.50, 7 days).';
COMMENT ON COLUMN @extschema@.settings.value_type IS 'numeric, integer or interval; fixed per setting.';
COMMENT ON COLUMN @extschema@.settings.unit IS 'Unit of a numeric value, e.g. USD, minutes; NULL for intervals and plain numbers.';
COMMENT ON COLUMN @extschema@.settings.description IS 'What the setting controls.';
COMMENT ON COLUMN @extschema@.settings.default_value IS 'The value the extension ships; reset_setting(name) restores it.';
COMMENT ON COLUMN @extschema@.settings.min_value IS 'Lower bound of the value (in value_type), NULL for none.';
COMMENT ON COLUMN @extschema@.settings.min_inclusive IS 'Whether min_value itself is allowed.';
COMMENT ON COLUMN @extschema@.settings.max_value IS 'Upper bound of the value (in value_type), NULL for none.';
COMMENT ON COLUMN @extschema@.settings.max_inclusive IS 'Whether max_value itself is allowed.';
COMMENT ON COLUMN @extschema@.settings.allowed IS 'The allowed values in words, as shown in error hints.';
COMMENT ON COLUMN @extschema@.settings.updated_at IS 'When the value was last changed.';

INSERT INTO @extschema@.settings
       (name, value, value_type, unit, description, default_value,
        min_value, min_inclusive, max_value, max_inclusive, allowed)
VALUES
    ('cost_per_call', '12.50', 'numeric', 'USD',
     'Fully loaded cost of one contact-centre call.', '12.50',
     '0', true, NULL, true, 'a number of USD >= 0, e.g. 12.50'),
    ('cost_per_minute', '0.75', 'numeric', 'USD per minute',
     'Cost of one minute of agent handle time.', '0.75',
     '0', true, NULL, true, 'a number of USD >= 0, e.g. 0.75'),
    ('digital_cost_per_interaction', '0.25', 'numeric', 'USD',
     'Cost of one digital (web or app) interaction.', '0.25',
     '0', true, NULL, true, 'a number of USD >= 0, e.g. 0.25'),
    ('leakage_window', '24 hours', 'interval', NULL,
     'A call within this time after a failed digital interaction of the same member counts as digital leakage.', '24 hours',
     '0', false, '365 days', true, 'an interval > 0 and <= 365 days, e.g. 24 hours'),
    ('repeat_call_window', '7 days', 'interval', NULL,
     'A call within this time after the same member''s previous call counts as a repeat call.', '7 days',
     '0', false, '365 days', true, 'an interval > 0 and <= 365 days, e.g. 7 days'),
    ('high_handle_time_threshold', '20', 'numeric', 'minutes',
     'Calls with a handle time above this are high-handle-time calls.', '20',
     '0', false, '1440', true, 'a number of minutes > 0 and <= 1440, e.g. 20'),
    ('negative_sentiment_threshold', '-0.5', 'numeric', 'score',
     'Calls with a sentiment score at or below this are strongly negative.', '-0.5',
     '-1', true, '1', true, 'a number from -1 to 1, e.g. -0.5'),
    ('case_sla', '7 days', 'interval', NULL,
     'Advocacy cases should be resolved within this time of opening.', '7 days',
     '0', false, '365 days', true, 'an interval > 0 and <= 365 days, e.g. 7 days'),
    ('stale_after', '48 hours', 'interval', NULL,
     'An active case with no event for this long is stale.', '48 hours',
     '0', false, '365 days', true, 'an interval > 0 and <= 365 days, e.g. 48 hours'),
    ('overload_utilization', '1', 'numeric', 'ratio',
     'An advocate is overloaded when active cases / capacity is above this (1: more active cases than capacity).', '1',
     '0', false, '10', true, 'a ratio > 0 and <= 10, e.g. 1 or 0.9'),
    ('fiscal_year_start_month', '1', 'integer', 'month',
     'Month (1-12) in which the fiscal year starts; the fiscal year is named by the calendar year in which it ends. Changing it re-derives the fiscal columns of dim_date.', '1',
     '1', true, '12', true, 'a whole number from 1 (January) to 12 (December), e.g. 10 for the US federal fiscal year'),
    ('estimator_latency_target', '2000', 'numeric', 'ms',
     'Cost-estimator requests answered within this latency are on time (estimator_daily on_time_rate and health score).', '2000',
     '0', false, '600000', true, 'a number of milliseconds > 0 and <= 600000, e.g. 2000'),
    ('estimator_health_weight_success', '0.5', 'numeric', NULL,
     'Weight of the success rate in the estimator health score; the three weights are divided by their sum.', '0.5',
     '0', true, '1', true, 'a number from 0 to 1, e.g. 0.5'),
    ('estimator_health_weight_exceptions', '0.3', 'numeric', NULL,
     'Weight of one minus the exception rate in the estimator health score; the three weights are divided by their sum.', '0.3',
     '0', true, '1', true, 'a number from 0 to 1, e.g. 0.3'),
    ('estimator_health_weight_latency', '0.2', 'numeric', NULL,
     'Weight of the on-time rate (latency within estimator_latency_target) in the estimator health score; the three weights are divided by their sum.', '0.2',
     '0', true, '1', true, 'a number from 0 to 1, e.g. 0.2'),
    ('tenure_bucket_1_months', '6', 'integer', 'months',
     'End (excluded) of the first tenure bucket of the experience marts: members with fewer whole months since joining, at the time of an event, are new members. Must be below tenure_bucket_2_months.', '6',
     '1', true, '1200', true, 'a whole number of months from 1 to 1200, below tenure_bucket_2_months, e.g. 6'),
    ('tenure_bucket_2_months', '24', 'integer', 'months',
     'End (excluded) of the second tenure bucket of the experience marts. Must be between tenure_bucket_1_months and tenure_bucket_3_months.', '24',
     '1', true, '1200', true, 'a whole number of months from 1 to 1200, between tenure_bucket_1_months and tenure_bucket_3_months, e.g. 24'),
    ('tenure_bucket_3_months', '60', 'integer', 'months',
     'End (excluded) of the third tenure bucket of the experience marts; members with at least this many months are in the last bucket. Must be above tenure_bucket_2_months.', '60',
     '1', true, '1200', true, 'a whole number of months from 1 to 1200, above tenure_bucket_2_months, e.g. 60');

-- Raise the invalid_parameter_value error of a bad setting value.
CREATE FUNCTION @extschema@.settings_reject(s @extschema@.settings, value text, why text)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RAISE EXCEPTION 'invalid value for setting "%": %', s.name, coalesce('"' || value || '"', 'NULL')
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = why,
              HINT = format('%s takes %s.', s.name, s.allowed);
END
$$;

COMMENT ON FUNCTION @extschema@.settings_reject(@extschema@.settings, text, text) IS
  'Internal: raise SQLSTATE 22023 for a bad value of setting s, with why as the detail and the allowed values as the hint.';

-- Check a value against a setting's type and range; returns it trimmed.
CREATE FUNCTION @extschema@.settings_check(s @extschema@.settings, value text)
RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v text := btrim(value);
    n numeric;
    i interval;
    too_low boolean := false;
    too_high boolean := false;
BEGIN
    IF v IS NULL OR v = '' THEN
        PERFORM @extschema@.settings_reject(s, value, 'The value is empty.');
    END IF;
    IF s.value_type IN ('numeric', 'integer') THEN
        IF s.value_type = 'integer' AND v !~ '^[+-]?[0-9]+$' THEN
            PERFORM @extschema@.settings_reject(s, value, 'The value is not a whole number.');
        END IF;
        IF v !~ '^[+-]?([0-9]{1,15}(\.[0-9]{0,15})?|\.[0-9]{1,15})$' THEN
            PERFORM @extschema@.settings_reject(s, value, 'The value is not a number.');
        END IF;
        n := v::numeric;
        too_low := s.min_value IS NOT NULL
                   AND (n < s.min_value::numeric OR (n = s.min_value::numeric AND NOT s.min_inclusive));
        too_high := s.max_value IS NOT NULL
                    AND (n > s.max_value::numeric OR (n = s.max_value::numeric AND NOT s.max_inclusive));
    ELSE
        BEGIN
            i := v::interval;
        EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR interval_field_overflow THEN
            PERFORM @extschema@.settings_reject(s, value, 'The value is not an interval.');
        END;
        too_low := s.min_value IS NOT NULL
                   AND (i < s.min_value::interval OR (i = s.min_value::interval AND NOT s.min_inclusive));
        too_high := s.max_value IS NOT NULL
                    AND (i > s.max_value::interval OR (i = s.max_value::interval AND NOT s.max_inclusive));
    END IF;
    IF too_low THEN
        PERFORM @extschema@.settings_reject(s, value,
            format('The value must be %s %s.', CASE WHEN s.min_inclusive THEN 'at least' ELSE 'greater than' END,
                   s.min_value));
    END IF;
    IF too_high THEN
        PERFORM @extschema@.settings_reject(s, value,
            format('The value must be %s %s.', CASE WHEN s.max_inclusive THEN 'at most' ELSE 'less than' END,
                   s.max_value));
    END IF;
    RETURN v;
END
$$;

COMMENT ON FUNCTION @extschema@.settings_check(@extschema@.settings, text) IS
  'Internal: check value against the type and range of setting s and return it trimmed, or raise SQLSTATE 22023.';

-- Trigger: validate a change to settings.
CREATE FUNCTION @extschema@.settings_validate()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s @extschema@.settings;
    v text;
BEGIN
    IF TG_OP = 'DELETE' OR TG_OP = 'TRUNCATE' THEN
        RAISE EXCEPTION 'settings cannot be deleted'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The set of settings is fixed by the extension.',
                  HINT = 'To restore a default, run SELECT costmodel.reset_setting(''name'').';
    END IF;

    IF TG_OP = 'UPDATE' AND NEW.name IS DISTINCT FROM OLD.name THEN
        RAISE EXCEPTION 'settings cannot be renamed'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('The update renames "%s" to "%s".', OLD.name, NEW.name),
                  HINT = 'Change only the value column: UPDATE costmodel.settings SET value = ... WHERE name = ...';
    END IF;
    SELECT * INTO s FROM @extschema@.settings WHERE name = NEW.name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown setting "%"', NEW.name
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Settings cannot be added; the set of names is fixed by the extension.',
                  HINT = 'Known settings: ' || (SELECT string_agg(name, ', ' ORDER BY name) FROM @extschema@.settings) || '.';
    END IF;
    IF (NEW.value_type, NEW.unit, NEW.description, NEW.default_value, NEW.min_value,
        NEW.min_inclusive, NEW.max_value, NEW.max_inclusive, NEW.allowed)
       IS DISTINCT FROM
       (s.value_type, s.unit, s.description, s.default_value, s.min_value,
        s.min_inclusive, s.max_value, s.max_inclusive, s.allowed)
       AND TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'only the value of setting "%" can be changed', NEW.name
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'value_type, unit, description, default_value, the bounds and allowed are fixed by the extension.',
                  HINT = 'Change only the value column: UPDATE costmodel.settings SET value = ... WHERE name = ...';
    END IF;

    v := @extschema@.settings_check(s, NEW.value);

    IF TG_OP = 'INSERT' THEN
        -- an INSERT of a known name sets its value (this is how pg_dump's
        -- copy of the settings is restored over the shipped defaults)
        UPDATE @extschema@.settings SET value = v WHERE name = NEW.name;
        RETURN NULL;
    END IF;
    NEW.value := v;
    IF NEW.value IS DISTINCT FROM OLD.value THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END
$$;

COMMENT ON FUNCTION @extschema@.settings_validate() IS
  'Trigger function: reject unknown names, renames, changes other than the value, deletes, and values of the wrong type or out of range (SQLSTATE 22023 with a hint). An INSERT of a known name updates its value instead.';

CREATE TRIGGER settings_validate
    BEFORE INSERT OR UPDATE OR DELETE ON @extschema@.settings
    FOR EACH ROW EXECUTE FUNCTION @extschema@.settings_validate();

CREATE TRIGGER settings_no_truncate
    BEFORE TRUNCATE ON @extschema@.settings
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.settings_validate();

-- Trigger: re-derive dim_date's fiscal columns when the fiscal start month changes.
CREATE FUNCTION @extschema@.settings_apply()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.name = 'fiscal_year_start_month' AND NEW.value IS DISTINCT FROM OLD.value THEN
        PERFORM @extschema@.refresh_dim_date_fiscal();
    END IF;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION @extschema@.settings_apply() IS
  'Trigger function: after fiscal_year_start_month changes, recompute the fiscal columns of dim_date.';

CREATE TRIGGER settings_apply
    AFTER UPDATE ON @extschema@.settings
    FOR EACH ROW EXECUTE FUNCTION @extschema@.settings_apply();

-- ---------------------------------------------------------------------------
-- Typed accessors, for the marts.
-- ---------------------------------------------------------------------------

-- The settings row of a name, or an error naming the known settings.
CREATE FUNCTION @extschema@.setting_row(setting_name text, want text)
RETURNS @extschema@.settings
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s @extschema@.settings;
BEGIN
    SELECT * INTO s FROM @extschema@.settings WHERE name = setting_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown setting "%"', setting_name
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Known settings: ' || (SELECT string_agg(name, ', ' ORDER BY name) FROM @extschema@.settings) || '.';
    END IF;
    IF want <> 'text' AND NOT (s.value_type = want OR (want = 'numeric' AND s.value_type = 'integer')) THEN
        RAISE EXCEPTION 'setting "%" is of type %, not %', setting_name, s.value_type, want
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = format('Read it with costmodel.setting_%s(%L).', s.value_type, setting_name);
    END IF;
    RETURN s;
END
$$;

COMMENT ON FUNCTION @extschema@.setting_row(text, text) IS
  'Internal: the settings row of setting_name, checked to be readable as want (numeric, integer, interval or text); raises 22023 otherwise.';

CREATE FUNCTION @extschema@.setting(setting_name text)
RETURNS text
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (@extschema@.setting_row(setting_name, 'text')).value;
END
$$;

CREATE FUNCTION @extschema@.setting_numeric(setting_name text)
RETURNS numeric
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (@extschema@.setting_row(setting_name, 'numeric')).value::numeric;
END
$$;

CREATE FUNCTION @extschema@.setting_integer(setting_name text)
RETURNS integer
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (@extschema@.setting_row(setting_name, 'integer')).value::integer;
END
$$;

CREATE FUNCTION @extschema@.setting_interval(setting_name text)
RETURNS interval
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (@extschema@.setting_row(setting_name, 'interval')).value::interval;
END
$$;

-- Restore a setting's default value; returns it.
CREATE FUNCTION @extschema@.reset_setting(setting_name text)
RETURNS text
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s @extschema@.settings := @extschema@.setting_row(setting_name, 'text');
BEGIN
    UPDATE @extschema@.settings SET value = default_value WHERE name = s.name;
    RETURN s.default_value;
END
$$;

COMMENT ON FUNCTION @extschema@.setting(text) IS 'The value of a setting as text; raises 22023 for an unknown name.';
COMMENT ON FUNCTION @extschema@.setting_numeric(text) IS 'The value of a numeric (or integer) setting, e.g. setting_numeric(''cost_per_call'') = 12.50; raises 22023 for an unknown name or another type.';
COMMENT ON FUNCTION @extschema@.setting_integer(text) IS 'The value of an integer setting, e.g. setting_integer(''fiscal_year_start_month''); raises 22023 for an unknown name or another type.';
COMMENT ON FUNCTION @extschema@.setting_interval(text) IS 'The value of an interval setting, e.g. setting_interval(''repeat_call_window'') = 7 days; raises 22023 for an unknown name or another type.';
COMMENT ON FUNCTION @extschema@.reset_setting(text) IS 'Restore the shipped default of a setting; returns the default.';

-- pg_dump keeps the changed values; restoring them INSERTs over the shipped
-- rows, which the trigger turns into updates.
SELECT pg_catalog.pg_extension_config_dump('@extschema@.settings',
    'WHERE value IS DISTINCT FROM default_value');

-- The calendar for the shipped range (dim_date's config dump leaves it out).
SELECT @extschema@.refresh_dim_date('2015-01-01', '2035-12-31');
