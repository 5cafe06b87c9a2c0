-- settings: every setting's default, valid updates through UPDATE, INSERT and
-- reset_setting(), the typed accessors, and one labelled bad case per line,
-- each with its ERROR, DETAIL and HINT.
CREATE EXTENSION IF NOT EXISTS costmodel;
SET timezone = 'UTC';
SET datestyle = 'ISO, MDY';
SET intervalstyle = 'postgres';
SET client_min_messages = notice;
\set VERBOSITY default
\set SHOW_CONTEXT never

-- the shipped defaults, as the issue lists them
SELECT name, value, value_type, unit, default_value = value AS is_default
  FROM costmodel.settings ORDER BY name;

-- the typed accessors read them
SELECT costmodel.setting_numeric('cost_per_call') AS cost_per_call,
       costmodel.setting_numeric('cost_per_minute') AS cost_per_minute,
       costmodel.setting_numeric('digital_cost_per_interaction') AS digital,
       costmodel.setting_numeric('high_handle_time_threshold') AS high_handle,
       costmodel.setting_numeric('negative_sentiment_threshold') AS negative;
SELECT costmodel.setting_interval('leakage_window') AS leakage,
       costmodel.setting_interval('repeat_call_window') AS repeat_window,
       costmodel.setting_interval('case_sla') AS case_sla,
       costmodel.setting_interval('stale_after') AS stale_after,
       costmodel.setting_integer('fiscal_year_start_month') AS fy_month,
       costmodel.setting_numeric('fiscal_year_start_month') AS fy_month_numeric,
       costmodel.setting('repeat_call_window') AS as_text;

-- valid updates (values are stored trimmed)
UPDATE costmodel.settings SET value = ' 15.00 ' WHERE name = 'cost_per_call';
UPDATE costmodel.settings SET value = '0' WHERE name = 'digital_cost_per_interaction';
UPDATE costmodel.settings SET value = '2 days' WHERE name = 'leakage_window';
UPDATE costmodel.settings SET value = '-1' WHERE name = 'negative_sentiment_threshold';
UPDATE costmodel.settings SET value = '12' WHERE name = 'fiscal_year_start_month';
-- an INSERT of a known name sets its value (how pg_dump restores it)
INSERT INTO costmodel.settings (name, value, value_type, description, default_value, allowed)
VALUES ('case_sla', '5 days', 'interval', 'ignored', 'ignored', 'ignored');
SELECT name, value, default_value FROM costmodel.settings
 WHERE value IS DISTINCT FROM default_value ORDER BY name;
SELECT costmodel.setting_numeric('cost_per_call') * 2 AS two_calls,
       timestamptz '2025-01-01 00:00+00' + costmodel.setting_interval('case_sla') AS sla_due;
-- reset_setting restores a default
SELECT costmodel.reset_setting('cost_per_call');
SELECT costmodel.setting_numeric('cost_per_call');

-- bad values: each is rejected with a message, a detail and a hint
UPDATE costmodel.settings SET value = '-1' WHERE name = 'cost_per_call';                  -- bad: cost_per_call "-1"
UPDATE costmodel.settings SET value = '-0.01' WHERE name = 'cost_per_minute';             -- bad: cost_per_minute "-0.01"
UPDATE costmodel.settings SET value = 'twelve' WHERE name = 'cost_per_call';              -- bad: cost_per_call "twelve" (wrong type)
UPDATE costmodel.settings SET value = '1,50' WHERE name = 'cost_per_call';                -- bad: cost_per_call "1,50" (decimal comma)
UPDATE costmodel.settings SET value = 'NaN' WHERE name = 'cost_per_call';                 -- bad: cost_per_call "NaN"
UPDATE costmodel.settings SET value = '1e999999' WHERE name = 'cost_per_call';            -- bad: cost_per_call "1e999999"
UPDATE costmodel.settings SET value = '' WHERE name = 'digital_cost_per_interaction';     -- bad: digital_cost_per_interaction "" (empty)
UPDATE costmodel.settings SET value = '0 hours' WHERE name = 'leakage_window';            -- bad: leakage_window "0 hours" (zero window)
UPDATE costmodel.settings SET value = '-7 days' WHERE name = 'repeat_call_window';        -- bad: repeat_call_window "-7 days"
UPDATE costmodel.settings SET value = '400 days' WHERE name = 'case_sla';                 -- bad: case_sla "400 days" (too long)
UPDATE costmodel.settings SET value = 'soon' WHERE name = 'stale_after';                  -- bad: stale_after "soon" (not an interval)
UPDATE costmodel.settings SET value = '0' WHERE name = 'high_handle_time_threshold';      -- bad: high_handle_time_threshold "0"
UPDATE costmodel.settings SET value = '-1.5' WHERE name = 'negative_sentiment_threshold'; -- bad: negative_sentiment_threshold "-1.5"
UPDATE costmodel.settings SET value = '13' WHERE name = 'fiscal_year_start_month';        -- bad: fiscal_year_start_month "13"
UPDATE costmodel.settings SET value = '0' WHERE name = 'fiscal_year_start_month';         -- bad: fiscal_year_start_month "0"
UPDATE costmodel.settings SET value = '10.5' WHERE name = 'fiscal_year_start_month';      -- bad: fiscal_year_start_month "10.5" (not whole)
UPDATE costmodel.settings SET value = NULL WHERE name = 'stale_after';                    -- bad: stale_after NULL
INSERT INTO costmodel.settings (name, value, value_type, description, default_value, allowed)
VALUES ('cost_per_email', '1', 'numeric', 'x', '1', 'x');                                 -- bad: unknown name cost_per_email
UPDATE costmodel.settings SET name = 'cost_per_email' WHERE name = 'cost_per_call';       -- bad: rename
UPDATE costmodel.settings SET max_value = '100' WHERE name = 'cost_per_call';             -- bad: change a bound
UPDATE costmodel.settings SET value_type = 'integer' WHERE name = 'cost_per_call';        -- bad: change the type
DELETE FROM costmodel.settings WHERE name = 'case_sla';                                   -- bad: delete
TRUNCATE costmodel.settings;                                                              -- bad: truncate
SELECT costmodel.setting_numeric('cost_per_email');                                       -- bad: accessor, unknown name
SELECT costmodel.setting_interval('cost_per_call');                                       -- bad: accessor, wrong type
SELECT costmodel.setting_integer('cost_per_call');                                        -- bad: accessor, numeric is not integer

-- ... and each with SQLSTATE 22023 (invalid_parameter_value)
DO $$
DECLARE
    stmt text;
BEGIN
    FOREACH stmt IN ARRAY ARRAY[
        $s$UPDATE costmodel.settings SET value = '-1' WHERE name = 'cost_per_call'$s$,
        $s$UPDATE costmodel.settings SET value = 'twelve' WHERE name = 'cost_per_call'$s$,
        $s$UPDATE costmodel.settings SET value = '0 hours' WHERE name = 'leakage_window'$s$,
        $s$UPDATE costmodel.settings SET value = '13' WHERE name = 'fiscal_year_start_month'$s$,
        $s$UPDATE costmodel.settings SET value = NULL WHERE name = 'stale_after'$s$,
        $s$INSERT INTO costmodel.settings (name, value, value_type, description, default_value, allowed)
           VALUES ('cost_per_email', '1', 'numeric', 'x', '1', 'x')$s$,
        $s$DELETE FROM costmodel.settings WHERE name = 'case_sla'$s$,
        $s$SELECT costmodel.setting_interval('cost_per_call')$s$]
    LOOP
        BEGIN
            EXECUTE stmt;
            RAISE NOTICE 'no error: %', stmt;
        EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE '% <- %', SQLSTATE, left(regexp_replace(stmt, '\s+', ' ', 'g'), 60);
        END;
    END LOOP;
END
$$;

-- nothing above changed a value
SELECT name, value FROM costmodel.settings WHERE value IS DISTINCT FROM default_value ORDER BY name;

-- put every default back
SELECT name, costmodel.reset_setting(name) FROM costmodel.settings ORDER BY name;
SELECT count(*) AS changed FROM costmodel.settings WHERE value IS DISTINCT FROM default_value;
