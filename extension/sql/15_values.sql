-- 15_values.sql: the shared value parsers as SQL functions.

-- ---------------------------------------------------------------------------
-- The value parsers, for cleaning data already in the database.  The same C
-- code reads trace amounts and CSV columns.
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.parse_money(value text, decimal_comma boolean DEFAULT false,
                                         strict boolean DEFAULT true)
RETURNS numeric
AS 'MODULE_PATHNAME', 'costmodel_parse_money'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.parse_timestamp(value text, strict boolean DEFAULT true)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'costmodel_parse_timestamp'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.parse_bool(value text, strict boolean DEFAULT true)
RETURNS boolean
AS 'MODULE_PATHNAME', 'costmodel_parse_bool'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION @extschema@.parse_rate(value text, strict boolean DEFAULT true)
RETURNS numeric
AS 'MODULE_PATHNAME', 'costmodel_parse_rate'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.parse_money(text, boolean, boolean) IS
  'Money text ("$1,234.50", "(12.00)", "1.234,50" with decimal_comma) as numeric(14,2); NULL for empty or placeholder text; unreadable text raises 22P02, or gives NULL when strict is false.';
COMMENT ON FUNCTION @extschema@.parse_timestamp(text, boolean) IS
  'Timestamp text (ISO 8601, date only, MM/DD/YYYY, YYYYMMDD, epoch seconds or milliseconds) as timestamptz; no zone means UTC.';
COMMENT ON FUNCTION @extschema@.parse_bool(text, boolean) IS
  'Boolean text (true/false, t/f, yes/no, y/n, 1/0, on/off, any case) as boolean.';
COMMENT ON FUNCTION @extschema@.parse_rate(text, boolean) IS
  'Rate text (0.4, 40 or "40%") as a fraction numeric(7,4); values above 1 are percentages.';
