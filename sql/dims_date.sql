-- dims_date: the calendar dimension against values worked out by hand:
-- fiscal periods for fiscal years starting in January and in October,
-- every 2025 and 2026 US federal holiday with its observed day, the
-- observed-date rules, business days, and ISO weeks around year ends.
CREATE EXTENSION IF NOT EXISTS costmodel;
SET timezone = 'UTC';
SET datestyle = 'ISO, MDY';
SET intervalstyle = 'postgres';
\set VERBOSITY default
\set SHOW_CONTEXT never

-- CREATE EXTENSION filled 2015-01-01 .. 2035-12-31
SELECT min(date_key), max(date_key), count(*) FROM costmodel.dim_date;

-- ---------------------------------------------------------------------------
-- Fiscal periods.  Start month 1: the fiscal year is the calendar year.
-- Start month 10 (US federal): FY 2025 runs 2024-10-01 .. 2025-09-30, named
-- by the year it ends in; October is period 1, January period 4.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE fiscal_expected (start_month int, d date, fy int, fq int, fp int);
INSERT INTO fiscal_expected VALUES
    (1, '2024-12-31', 2024, 4, 12),
    (1, '2025-01-01', 2025, 1, 1),
    (1, '2025-03-31', 2025, 1, 3),
    (1, '2025-04-01', 2025, 2, 4),
    (1, '2025-09-30', 2025, 3, 9),
    (1, '2025-10-01', 2025, 4, 10),
    (1, '2025-12-31', 2025, 4, 12),
    (10, '2024-09-30', 2024, 4, 12),
    (10, '2024-10-01', 2025, 1, 1),
    (10, '2024-12-31', 2025, 1, 3),
    (10, '2025-01-01', 2025, 2, 4),
    (10, '2025-03-31', 2025, 2, 6),
    (10, '2025-04-01', 2025, 3, 7),
    (10, '2025-06-30', 2025, 3, 9),
    (10, '2025-07-01', 2025, 4, 10),
    (10, '2025-09-30', 2025, 4, 12),
    (10, '2025-10-01', 2026, 1, 1);

-- start month 1 (the default)
SELECT e.d, d.fiscal_year, d.fiscal_quarter, d.fiscal_period,
       (d.fiscal_year, d.fiscal_quarter, d.fiscal_period) = (e.fy, e.fq, e.fp) AS as_worked
  FROM fiscal_expected e JOIN costmodel.dim_date d ON d.date_key = e.d
 WHERE e.start_month = 1 ORDER BY e.d;

-- changing the setting re-derives every row
UPDATE costmodel.settings SET value = '10' WHERE name = 'fiscal_year_start_month';
SELECT e.d, d.fiscal_year, d.fiscal_quarter, d.fiscal_period,
       (d.fiscal_year, d.fiscal_quarter, d.fiscal_period) = (e.fy, e.fq, e.fp) AS as_worked
  FROM fiscal_expected e JOIN costmodel.dim_date d ON d.date_key = e.d
 WHERE e.start_month = 10 ORDER BY e.d;
-- every row follows the new start month: FY 2025 is 365 days, 12 periods
SELECT count(*) FILTER (WHERE fiscal_period = 1 AND month <> 10) AS wrong_p1,
       count(*) FILTER (WHERE fiscal_year <> year + (month >= 10)::int) AS wrong_fy
  FROM costmodel.dim_date;
SELECT fiscal_year, min(date_key), max(date_key), count(*), count(DISTINCT fiscal_period) AS periods
  FROM costmodel.dim_date WHERE fiscal_year = 2025 GROUP BY 1;
-- a range filled while the setting is 10 uses it too
SELECT costmodel.refresh_dim_date('1999-09-30', '2000-01-02') AS rows_written;
SELECT date_key, year, fiscal_year, fiscal_quarter, fiscal_period, holiday_name, is_business_day
  FROM costmodel.dim_date WHERE date_key < '2015-01-01' AND (day IN (1, 30, 31) OR holiday_name IS NOT NULL)
 ORDER BY 1;
DELETE FROM costmodel.dim_date WHERE date_key < '2015-01-01';

-- back to 1: re-derived again
SELECT costmodel.reset_setting('fiscal_year_start_month');
SELECT count(*) FILTER (WHERE (d.fiscal_year, d.fiscal_quarter, d.fiscal_period) <> (e.fy, e.fq, e.fp)) AS mismatches
  FROM fiscal_expected e JOIN costmodel.dim_date d ON d.date_key = e.d WHERE e.start_month = 1;
SELECT count(*) AS wrong FROM costmodel.dim_date
 WHERE (fiscal_year, fiscal_quarter, fiscal_period) <> (year, quarter, month);

-- ---------------------------------------------------------------------------
-- US federal holidays of 2025 and 2026, worked out on a calendar.  2026-07-04
-- is a Saturday: observed Friday 2026-07-03.
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE holidays_expected (d date, name text, day_off boolean);
INSERT INTO holidays_expected VALUES
    ('2025-01-01', 'New Year''s Day', true),
    ('2025-01-20', 'Martin Luther King Jr. Day', true),
    ('2025-02-17', 'Presidents'' Day', true),
    ('2025-05-26', 'Memorial Day', true),
    ('2025-06-19', 'Juneteenth National Independence Day', true),
    ('2025-07-04', 'Independence Day', true),
    ('2025-09-01', 'Labor Day', true),
    ('2025-10-13', 'Columbus Day', true),
    ('2025-11-11', 'Veterans Day', true),
    ('2025-11-27', 'Thanksgiving Day', true),
    ('2025-12-25', 'Christmas Day', true),
    ('2026-01-01', 'New Year''s Day', true),
    ('2026-01-19', 'Martin Luther King Jr. Day', true),
    ('2026-02-16', 'Presidents'' Day', true),
    ('2026-05-25', 'Memorial Day', true),
    ('2026-06-19', 'Juneteenth National Independence Day', true),
    ('2026-07-03', 'Independence Day (observed)', true),
    ('2026-07-04', 'Independence Day', false),
    ('2026-09-07', 'Labor Day', true),
    ('2026-10-12', 'Columbus Day', true),
    ('2026-11-11', 'Veterans Day', true),
    ('2026-11-26', 'Thanksgiving Day', true),
    ('2026-12-25', 'Christmas Day', true);

SELECT date_key, day_name, holiday_name, is_us_federal_holiday, is_business_day
  FROM costmodel.dim_date
 WHERE year IN (2025, 2026) AND holiday_name IS NOT NULL ORDER BY date_key;
-- differences from the hand-made list (none)
SELECT coalesce(e.d, d.date_key) AS d, e.name AS expected, d.holiday_name AS got
  FROM holidays_expected e
  FULL JOIN (SELECT * FROM costmodel.dim_date WHERE year IN (2025, 2026) AND holiday_name IS NOT NULL) d
    ON d.date_key = e.d
 WHERE e.name IS DISTINCT FROM d.holiday_name OR e.day_off IS DISTINCT FROM d.is_us_federal_holiday;

-- the observed-date rules: Saturday -> Friday before, Sunday -> Monday after,
-- also across the year end (New Year's Day 2022 and 2028 fall on a Saturday)
SELECT h.holiday_date, to_char(h.holiday_date, 'Dy') AS dow, h.observed_date,
       to_char(h.observed_date, 'Dy') AS observed_dow, h.holiday_name
  FROM generate_series(2021, 2028) AS y, costmodel.us_federal_holidays(y) AS h
 WHERE h.observed_date <> h.holiday_date ORDER BY 1;
-- Juneteenth only from 2021
SELECT y, count(*) AS holidays FROM generate_series(2019, 2022) AS y,
       costmodel.us_federal_holidays(y) GROUP BY 1 ORDER BY 1;
SELECT date_key, holiday_name, is_us_federal_holiday, is_business_day
  FROM costmodel.dim_date WHERE date_key IN ('2021-12-31', '2022-01-01', '2027-12-31', '2028-01-01')
 ORDER BY 1;

-- ---------------------------------------------------------------------------
-- Business days.  2021: 104 weekend days and 12 weekday holidays (Juneteenth
-- observed 06-18, Independence Day 07-05, Christmas 12-24, and New Year's Day
-- 2022 observed 12-31) -> 249.  2022: starts on a Saturday, 105 weekend days,
-- 10 holidays (New Year's Day is in 2021) -> 250.  2025 and 2026: 104 weekend
-- days and 11 weekday holidays -> 250.
-- ---------------------------------------------------------------------------
SELECT year, count(*) FILTER (WHERE is_weekend) AS weekend_days,
       count(*) FILTER (WHERE is_us_federal_holiday) AS holidays,
       count(*) FILTER (WHERE is_business_day) AS business_days
  FROM costmodel.dim_date WHERE year IN (2021, 2022, 2025, 2026) GROUP BY 1 ORDER BY 1;
-- Thanksgiving week 2025: the day after Thanksgiving is a business day
SELECT date_key, day_name, is_weekend, is_us_federal_holiday, is_business_day
  FROM costmodel.dim_date WHERE date_key BETWEEN '2025-11-24' AND '2025-11-30' ORDER BY 1;

-- ---------------------------------------------------------------------------
-- ISO weeks around year ends: 2020-12-31 and 2021-01-03 are in week 53 of
-- 2020; 2021-01-04 starts week 1 of 2021; 2024-12-30 is in week 1 of 2025.
-- ---------------------------------------------------------------------------
SELECT date_key, day_name, year, iso_year, iso_week, week_start_date, day_of_year
  FROM costmodel.dim_date
 WHERE date_key BETWEEN '2020-12-27' AND '2021-01-04'
    OR date_key BETWEEN '2024-12-28' AND '2025-01-01'
    OR date_key IN ('2026-12-31', '2027-01-03', '2027-01-04')
 ORDER BY 1;
-- month fields on a leap day
SELECT date_key, month_name, month_start_date, quarter, day, day_of_week, day_of_year
  FROM costmodel.dim_date WHERE date_key = '2024-02-29';

-- ---------------------------------------------------------------------------
-- Errors
-- ---------------------------------------------------------------------------
SELECT costmodel.refresh_dim_date('2025-12-31', '2025-01-01');   -- bad: range backwards
SELECT costmodel.refresh_dim_date('1900-01-01', '2100-01-01');   -- bad: range too long
SELECT costmodel.refresh_dim_date('2025-01-01', 'infinity');     -- bad: infinite range
SELECT costmodel.refresh_dim_date(NULL, '2025-01-01') IS NULL AS strict_null;
