-- sources_schema: catalog checks over the extension's schema.  Every query
-- lists the violations of one rule, so the expected output is empty lists.
CREATE EXTENSION IF NOT EXISTS costmodel;
SET timezone = 'UTC';

CREATE TEMP VIEW ext_tables AS
SELECT c.oid, c.relname
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_depend dep ON dep.classid = 'pg_class'::regclass AND dep.objid = c.oid AND dep.deptype = 'e'
  JOIN pg_extension e ON e.oid = dep.refobjid AND e.extname = 'costmodel'
 WHERE n.nspname = 'costmodel' AND c.relkind IN ('r', 'p');

CREATE TEMP VIEW ext_columns AS
SELECT t.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnum, t.oid
  FROM ext_tables t JOIN pg_attribute a ON a.attrelid = t.oid
 WHERE a.attnum > 0 AND NOT a.attisdropped;

-- the tables this issue adds are there
SELECT t.name AS missing_table
  FROM unnest(ARRAY['members', 'calls', 'digital_interactions', 'surveys', 'pharmacy_fills',
                    'enrollments', 'advocates', 'cases', 'case_events', 'case_interactions',
                    'case_feedback', 'claims', 'dim_date', 'dim_member', 'dim_provider',
                    'dim_payer', 'dim_location', 'dim_service', 'settings']) AS t(name)
 WHERE NOT EXISTS (SELECT 1 FROM ext_tables e WHERE e.relname = t.name);

-- every table and every column has a comment
SELECT relname AS table_without_comment FROM ext_tables
 WHERE obj_description(oid, 'pg_class') IS NULL ORDER BY 1;
SELECT relname, attname AS column_without_comment FROM ext_columns
 WHERE col_description(oid, attnum) IS NULL ORDER BY 1, 2;

-- every table (and every sequence it owns) is in the extension's config dump
SELECT relname AS table_not_dumped FROM ext_tables
 WHERE oid <> ALL ((SELECT extconfig FROM pg_extension WHERE extname = 'costmodel')::oid[])
 ORDER BY 1;
SELECT s.relname AS sequence_not_dumped
  FROM ext_tables t
  JOIN pg_depend d ON d.refobjid = t.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
  JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
 WHERE s.oid <> ALL ((SELECT extconfig FROM pg_extension WHERE extname = 'costmodel')::oid[])
 ORDER BY 1;
-- the filtered ones, which CREATE EXTENSION refills
SELECT c.relname, x.cond
  FROM pg_extension e,
       unnest(e.extconfig::oid[], e.extcondition) AS x(oid, cond)
  JOIN pg_class c ON c.oid = x.oid
 WHERE e.extname = 'costmodel' AND x.cond <> '' ORDER BY 1;

-- money is numeric, never float
SELECT relname, attname, type AS money_not_numeric FROM ext_columns
 WHERE attname ~ '(amount|amnt|cost|price|copay|premium|charge|_met$|_limit$|estimate$|_pays$|_total$|coinsurance$|deductible$)'
   AND type NOT LIKE 'numeric%' ORDER BY 1, 2;

-- every *_at column is timestamptz, every *_date column is date
SELECT relname, attname, type AS at_not_timestamptz FROM ext_columns
 WHERE attname LIKE '%\_at' AND type <> 'timestamp with time zone' ORDER BY 1, 2;
SELECT relname, attname, type AS date_not_date FROM ext_columns
 WHERE attname LIKE '%\_date' AND type <> 'date' ORDER BY 1, 2;
-- and no timestamp without time zone anywhere
SELECT relname, attname AS timestamp_without_zone FROM ext_columns
 WHERE type = 'timestamp without time zone' ORDER BY 1, 2;

-- every table of this issue has a primary key
SELECT relname AS table_without_primary_key FROM ext_tables t
 WHERE NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = t.oid AND c.contype = 'p')
   AND relname IN ('members', 'calls', 'digital_interactions', 'surveys', 'pharmacy_fills',
                   'enrollments', 'advocates', 'cases', 'case_events', 'case_interactions',
                   'case_feedback', 'claims', 'dim_date', 'dim_member', 'dim_provider',
                   'dim_payer', 'dim_location', 'dim_service', 'settings')
 ORDER BY 1;

-- the source tables carry the provenance columns of docs/sources.md
SELECT t.name AS source_table, c1.type AS source_file, c2.type AS loaded_at,
       (SELECT a.attnotnull FROM pg_attribute a WHERE a.attrelid = c2.oid AND a.attnum = c2.attnum) AS loaded_at_not_null,
       pg_get_expr(d.adbin, d.adrelid) AS loaded_at_default
  FROM unnest(ARRAY['members', 'calls', 'digital_interactions', 'surveys', 'pharmacy_fills',
                    'enrollments', 'advocates', 'cases', 'case_events', 'case_interactions',
                    'case_feedback', 'claims']) WITH ORDINALITY AS t(name, ord)
  LEFT JOIN ext_columns c1 ON c1.relname = t.name AND c1.attname = 'source_file'
  LEFT JOIN ext_columns c2 ON c2.relname = t.name AND c2.attname = 'loaded_at'
  LEFT JOIN pg_attrdef d ON d.adrelid = c2.oid AND d.adnum = c2.attnum
 ORDER BY t.ord;

-- the indexes the marts rely on
SELECT c.relname AS table_name, pg_get_indexdef(i.indexrelid) ~ x.cols AS has_index, x.cols
  FROM (VALUES ('calls', '\(member_id, called_at\)'),
               ('digital_interactions', '\(member_id, interacted_at\)'),
               ('case_events', '\(case_id, occurred_at\)'),
               ('case_interactions', '\(case_id, occurred_at\)'),
               ('claims', '\(member_id, service_date\)')) AS x(tab, cols)
  JOIN pg_class c ON c.relname = x.tab AND c.relnamespace = 'costmodel'::regnamespace
  JOIN pg_index i ON i.indrelid = c.oid AND pg_get_indexdef(i.indexrelid) ~ x.cols
 ORDER BY 1;
SELECT indexrelid::regclass AS partial_unique_index, indisunique, pg_get_expr(indpred, indrelid) AS predicate
  FROM pg_index WHERE indexrelid = 'costmodel.dim_member_current_uq'::regclass;

-- the functions of this issue: volatility, strictness, parallel safety, no SECURITY DEFINER,
-- a pinned search_path where a body resolves names at run time, and a comment
SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args,
       p.provolatile AS vol, p.proisstrict AS strict, p.proparallel AS par, p.prosecdef AS secdef,
       p.proconfig IS NOT NULL OR p.prosqlbody IS NOT NULL AS pinned,
       obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented
  FROM pg_proc p
 WHERE p.pronamespace = 'costmodel'::regnamespace
   AND p.proname IN ('case_metadata_list', 'case_metadata_int', 'cases_parse_metadata', 'nth_weekday',
                     'us_federal_holidays', 'fiscal_period_of', 'refresh_dim_date',
                     'refresh_dim_date_fiscal', 'refresh_dim_member', 'refresh_dim_provider',
                     'refresh_dim_payer', 'refresh_dim_location', 'service_code_system',
                     'service_category', 'refresh_dim_service', 'refresh_dims', 'settings_reject',
                     'settings_check', 'settings_validate', 'settings_apply', 'setting_row', 'setting',
                     'setting_numeric', 'setting_integer', 'setting_interval', 'reset_setting')
 ORDER BY 1, 2;

-- shipped reference rows
SELECT code_system, count(*), count(description) AS described, min(service_code), max(service_code)
  FROM costmodel.dim_service WHERE shipped GROUP BY 1 ORDER BY 1;
-- CPT codes get categories from their range, never a description
SELECT code, costmodel.service_code_system(code) AS code_system,
       costmodel.service_category(costmodel.service_code_system(code), code) AS category
  FROM unnest(ARRAY['00100', '01999', '10004', '69990', '70010', '79999', '80047', '89398', '90281',
                    '99100', '99140', '99199', '99202', '99499', '99500', '99607', '02000', '3074F',
                    '0337U', '0042T', 'J1100', 'G0439', 'A0427', '00093505601', 'XYZ']) AS code;
