--
-- values: the value parsers parse_money, parse_rate, parse_timestamp and
-- parse_bool over tables of inputs with hand-worked results: every accepted
-- form, the placeholders that mean NULL, rounding and range limits, and one
-- labelled case per line for each unreadable input (an error with strict,
-- the default; NULL with strict => false).
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS costmodel;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET extra_float_digits = 0;
\pset null '(null)'
\set VERBOSITY default
\set SHOW_CONTEXT never
-- ---------------------------------------------------------------- parse_money
-- every accepted form; rounding is half away from zero at the third decimal
SELECT n, quote_nullable(input) AS input, costmodel.parse_money(input) AS amount
  FROM (VALUES
  (1, '40.00'), (2, '40'), (3, '148.36'), (4, '$1,234.50'), (5, '(12.00)'),
  (6, '-12.00'), (7, '12.00-'), (8, '+7'), (9, 'USD 5'), (10, '5 USD'),
  (11, 'usd5'), (12, '$ 5'), (13, '-$5.25'), (14, '$-5.25'),
  (15, '($1,234.50)'), (16, '1,234'), (17, '1,234,567.89'), (18, '1e2'),
  (19, '1.5e2'), (20, '2.5E-1'), (21, '0.1e1'), (22, '0.005'),
  (23, '-0.005'), (24, '0.004'), (25, '-0.004'), (26, '0.015'),
  (27, '2.675'), (28, '-2.675'), (29, '1234567.891'), (30, '.5'), (31, '5.'),
  (32, ' 40.00 '), (33, '0'), (34, '-0'), (35, '000123.40'),
  (36, '999999999999.99'), (37, '-999999999999.99'), (38, '999999999999.994')) v(n, input)
 ORDER BY n;
-- decimal_comma => true: "." groups thousands and "," is the decimal point
SELECT n, quote_nullable(input) AS input, costmodel.parse_money(input, decimal_comma => true) AS amount
  FROM (VALUES
  (1, '1.234,50'), (2, '12,5'), (3, '1.234.567,891'), (4, '(1.234,50)'),
  (5, '$1.234,50'), (6, '1234'), (7, '0,005'), (8, '12,50-')) v(n, input)
 ORDER BY n;
-- placeholders mean NULL, in every parser, without an error
SELECT n, quote_nullable(input) AS input,
       costmodel.parse_money(input) AS money, costmodel.parse_rate(input) AS rate,
       costmodel.parse_timestamp(input) AS ts, costmodel.parse_bool(input) AS bool
  FROM (VALUES
  (1, ''), (2, 'N/A'), (3, 'n/a'), (4, 'NA'), (5, 'null'), (6, 'NULL'),
  (7, 'none'), (8, 'nil'), (9, '#N/A'), (10, '-'), (11, '--'), (12, 'NaN'),
  (13, '(null)'), (14, 'unknown'), (15, '   '), (16, NULL)) v(n, input)
 ORDER BY n;
-- unreadable amounts: an error by default (strict), one case per line
-- bad: amount "abc"
SELECT costmodel.parse_money('abc');
-- bad: amount "1,23"
SELECT costmodel.parse_money('1,23');
-- bad: amount "1,2345"
SELECT costmodel.parse_money('1,2345');
-- bad: amount ",123"
SELECT costmodel.parse_money(',123');
-- bad: amount "1,,234"
SELECT costmodel.parse_money('1,,234');
-- bad: amount "12.34.56"
SELECT costmodel.parse_money('12.34.56');
-- bad: amount "$"
SELECT costmodel.parse_money('$');
-- bad: amount "()"
SELECT costmodel.parse_money('()');
-- bad: amount "1 234"
SELECT costmodel.parse_money('1 234');
-- bad: amount "12abc"
SELECT costmodel.parse_money('12abc');
-- bad: amount "--5"
SELECT costmodel.parse_money('--5');
-- bad: amount "40%"
SELECT costmodel.parse_money('40%');
-- bad: amount "€5"
SELECT costmodel.parse_money('€5');
-- bad: amount "5 EUR"
SELECT costmodel.parse_money('5 EUR');
-- bad: amount "1e"
SELECT costmodel.parse_money('1e');
-- bad: amount "e5"
SELECT costmodel.parse_money('e5');
-- bad: amount "1000000000000.00"
SELECT costmodel.parse_money('1000000000000.00');
-- bad: amount "999999999999.995"
SELECT costmodel.parse_money('999999999999.995');
-- bad: amount "1e13"
SELECT costmodel.parse_money('1e13');
-- bad: amount "1.234,50"
SELECT costmodel.parse_money('1.234,50');
-- bad: amount "1,234.50" with decimal_comma
SELECT costmodel.parse_money('1,234.50', decimal_comma => true);
-- the same unreadable amounts with strict => false: NULL
SELECT n, quote_nullable(input) AS input,
       costmodel.parse_money(input, decimal_comma => n = 21, strict => false) AS amount
  FROM (VALUES
  (1, 'abc'), (2, '1,23'), (3, '1,2345'), (4, ',123'), (5, '1,,234'),
  (6, '12.34.56'), (7, '$'), (8, '()'), (9, '1 234'), (10, '12abc'),
  (11, '--5'), (12, '40%'), (13, '€5'), (14, '5 EUR'), (15, '1e'),
  (16, 'e5'), (17, '1000000000000.00'), (18, '999999999999.995'),
  (19, '1e13'), (20, '1.234,50'), (21, '1,234.50')) v(n, input)
 ORDER BY n;
-- ---------------------------------------------------------------- parse_rate
-- fractions, whole percents and "N%": a value above 1 is a percentage; four places, half away from zero
SELECT n, quote_nullable(input) AS input, costmodel.parse_rate(input) AS rate
  FROM (VALUES
  (1, '0.4'), (2, '0.40'), (3, '40'), (4, '40%'), (5, '40 %'), (6, ' 40% '),
  (7, '4e-1'), (8, '.25'), (9, '1'), (10, '100'), (11, '100%'), (12, '0'),
  (13, '0%'), (14, '1.5'), (15, '33.333%'), (16, '12.345'), (17, '0.12345'),
  (18, '0.12344'), (19, '0.00005'), (20, '0.00004'), (21, '99.995%')) v(n, input)
 ORDER BY n;
-- bad: rate "abc"
SELECT costmodel.parse_rate('abc');
-- bad: rate "1,5"
SELECT costmodel.parse_rate('1,5');
-- bad: rate "40%%"
SELECT costmodel.parse_rate('40%%');
-- bad: rate "101"
SELECT costmodel.parse_rate('101');
-- bad: rate "150%"
SELECT costmodel.parse_rate('150%');
-- bad: rate "-5%"
SELECT costmodel.parse_rate('-5%');
-- bad: rate "-0.1"
SELECT costmodel.parse_rate('-0.1');
-- the same with strict => false: NULL
SELECT n, quote_nullable(input) AS input, costmodel.parse_rate(input, strict => false) AS rate
  FROM (VALUES
  (1, 'abc'), (2, '1,5'), (3, '40%%'), (4, '101'), (5, '150%'), (6, '-5%'),
  (7, '-0.1')) v(n, input)
 ORDER BY n;
-- ---------------------------------------------------------------- parse_timestamp
-- ISO 8601 (Z, offsets, no zone = UTC), date only, MM/DD/YYYY [time], YYYYMMDD,
-- epoch seconds (9-10 digits) and milliseconds (11-15 digits, up to 9999-12-31)
SELECT n, quote_nullable(input) AS input, costmodel.parse_timestamp(input) AS ts
  FROM (VALUES
  (1, '2025-03-04T14:22:05.123Z'), (2, '2025-03-04T14:22:05Z'),
  (3, '2025-03-04t14:22:05z'), (4, '2025-03-04 14:22:05+05:30'),
  (5, '2025-03-04T14:22:05-0800'), (6, '2025-03-04T14:22:05+05'),
  (7, '2025-03-04T23:30:00-05:00'), (8, '2025-03-04T00:30:00+05:30'),
  (9, '2025-03-04T14:22:05 UTC'), (10, '2025-03-04T14:22:05,5Z'),
  (11, '2025-12-31T23:59:59.999999Z'), (12, '2025-03-04T14:22:05'),
  (13, '2025-03-04T14:22'), (14, '  2025-03-04T14:22:05Z  '),
  (15, '2025-03-04'), (16, '2025/03/04'), (17, '2025-03-04 UTC'),
  (18, '2024-02-29'), (19, '0001-01-01'), (20, '1970-01-01T00:00:00Z'),
  (21, '03/04/2025'), (22, '3/4/2025'), (23, '03/04/2025 2:05 PM'),
  (24, '03/04/2025 12:00 AM'), (25, '03/04/2025 12:30 PM'),
  (26, '03/04/2025 14:05:30'), (27, '20250304'), (28, '1741098125'),
  (29, '1741098125123'), (30, '999999999'), (31, '253402300799999')) v(n, input)
 ORDER BY n;
-- bad: timestamp "2025-02-29"
SELECT costmodel.parse_timestamp('2025-02-29');
-- bad: timestamp "2025-13-01"
SELECT costmodel.parse_timestamp('2025-13-01');
-- bad: timestamp "2025-00-10"
SELECT costmodel.parse_timestamp('2025-00-10');
-- bad: timestamp "2025-03-32"
SELECT costmodel.parse_timestamp('2025-03-32');
-- bad: timestamp "2025-03-04T24:00:00Z"
SELECT costmodel.parse_timestamp('2025-03-04T24:00:00Z');
-- bad: timestamp "2025-03-04T14:60:00Z"
SELECT costmodel.parse_timestamp('2025-03-04T14:60:00Z');
-- bad: timestamp "2025-03-04T14:22:60Z"
SELECT costmodel.parse_timestamp('2025-03-04T14:22:60Z');
-- bad: timestamp "13/01/2025"
SELECT costmodel.parse_timestamp('13/01/2025');
-- bad: timestamp "03/04/2025 13:00 PM"
SELECT costmodel.parse_timestamp('03/04/2025 13:00 PM');
-- bad: timestamp "03/04/25"
SELECT costmodel.parse_timestamp('03/04/25');
-- bad: timestamp "2025-3-4"
SELECT costmodel.parse_timestamp('2025-3-4');
-- bad: timestamp "yesterday"
SELECT costmodel.parse_timestamp('yesterday');
-- bad: timestamp "12345678"
SELECT costmodel.parse_timestamp('12345678');
-- bad: timestamp "12345"
SELECT costmodel.parse_timestamp('12345');
-- bad: timestamp "12345678901234567"
SELECT costmodel.parse_timestamp('12345678901234567');
-- bad: timestamp "2025-03-04T14:22:05+16:00"
SELECT costmodel.parse_timestamp('2025-03-04T14:22:05+16:00');
-- bad: timestamp "2025-03-04T14:22:05 PST"
SELECT costmodel.parse_timestamp('2025-03-04T14:22:05 PST');
-- bad: timestamp "2025-03-04T14:22:05Z junk"
SELECT costmodel.parse_timestamp('2025-03-04T14:22:05Z junk');
-- the same with strict => false: NULL
SELECT n, quote_nullable(input) AS input, costmodel.parse_timestamp(input, strict => false) AS ts
  FROM (VALUES
  (1, '2025-02-29'), (2, '2025-13-01'), (3, '2025-00-10'), (4, '2025-03-32'),
  (5, '2025-03-04T24:00:00Z'), (6, '2025-03-04T14:60:00Z'),
  (7, '2025-03-04T14:22:60Z'), (8, '13/01/2025'), (9, '03/04/2025 13:00 PM'),
  (10, '03/04/25'), (11, '2025-3-4'), (12, 'yesterday'), (13, '12345678'),
  (14, '12345'), (15, '12345678901234567'),
  (16, '2025-03-04T14:22:05+16:00'), (17, '2025-03-04T14:22:05 PST'),
  (18, '2025-03-04T14:22:05Z junk')) v(n, input)
 ORDER BY n;
-- bad: timestamp "1741098125123000" (epoch milliseconds past the year 9999)
SELECT costmodel.parse_timestamp('1741098125123000');
-- bad: timestamp "9999999999999999" (epoch milliseconds past the end of timestamptz, year 294276)
SELECT costmodel.parse_timestamp('9999999999999999');
-- the same with strict => false: NULL
SELECT costmodel.parse_timestamp('9999999999999999', strict => false) AS past_end;
-- ---------------------------------------------------------------- parse_bool
-- true/false, t/f, yes/no, y/n, 1/0, on/off in any case
SELECT n, quote_nullable(input) AS input, costmodel.parse_bool(input) AS bool
  FROM (VALUES
  (1, 'true'), (2, 'TRUE'), (3, 'True'), (4, 't'), (5, 'T'), (6, 'yes'),
  (7, 'YES'), (8, 'y'), (9, 'Y'), (10, '1'), (11, 'on'), (12, 'ON'),
  (13, ' yes '), (14, 'false'), (15, 'f'), (16, 'no'), (17, 'N'), (18, '0'),
  (19, 'off'), (20, 'Off')) v(n, input)
 ORDER BY n;
-- bad: boolean "maybe"
SELECT costmodel.parse_bool('maybe');
-- bad: boolean "2"
SELECT costmodel.parse_bool('2');
-- bad: boolean "truthy"
SELECT costmodel.parse_bool('truthy');
-- bad: boolean "yes please"
SELECT costmodel.parse_bool('yes please');
-- bad: boolean "10"
SELECT costmodel.parse_bool('10');
-- bad: boolean "tru"
SELECT costmodel.parse_bool('tru');
-- bad: boolean "-1"
SELECT costmodel.parse_bool('-1');
-- the same with strict => false: NULL
SELECT n, quote_nullable(input) AS input, costmodel.parse_bool(input, strict => false) AS bool
  FROM (VALUES
  (1, 'maybe'), (2, '2'), (3, 'truthy'), (4, 'yes please'), (5, '10'),
  (6, 'tru'), (7, '-1')) v(n, input)
 ORDER BY n;
-- a NULL value gives NULL whatever the other arguments
SELECT costmodel.parse_money(NULL, true, true) AS money, costmodel.parse_rate(NULL, true) AS rate,
       costmodel.parse_timestamp(NULL, true) AS ts, costmodel.parse_bool(NULL, true) AS bool;
