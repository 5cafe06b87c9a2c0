--
-- csv_schema: the column table of costmodel-load csv (csv_columns(), from
-- common/cm_csv_schema.c) against the catalog.  Every source table's columns
-- must appear in the same order with the same type and NOT NULL; every
-- enumeration must allow exactly the values of the table's CHECK; every
-- bound must equal the CHECK's; no two columns of a source may answer to the
-- same folded header name.  An empty result is a pass.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS costmodel;
RESET client_min_messages;
\pset null '(null)'

-- the sources, with their column counts
SELECT source, count(*) AS columns, count(*) FILTER (WHERE required) AS required,
       string_agg(column_name, ', ' ORDER BY "position") FILTER (WHERE is_key) AS key
  FROM costmodel.csv_columns()
 GROUP BY source ORDER BY source;

-- columns in the loader but not in the table, or the other way round, or
-- at another position, of another type, or with another NOT NULL
WITH loader AS (
    SELECT source, "position", column_name, sql_type, required FROM costmodel.csv_columns()
), catalog AS (
    SELECT c.relname::text AS source,
           row_number() OVER (PARTITION BY c.relname ORDER BY a.attnum)::int AS "position",
           a.attname::text AS column_name,
           format_type(a.atttypid, a.atttypmod) AS sql_type,
           a.attnotnull AS required
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'costmodel' AND a.attnum > 0 AND NOT a.attisdropped
       AND c.relname IN (SELECT DISTINCT source FROM costmodel.csv_columns())
)
SELECT coalesce(l.source, c.source) AS source, coalesce(l.column_name, c.column_name) AS column_name,
       l."position" AS loader_position, c."position" AS table_position,
       l.sql_type AS loader_type, c.sql_type AS table_type,
       l.required AS loader_required, c.required AS table_required
  FROM loader l FULL JOIN catalog c USING (source, column_name)
 WHERE l."position" IS DISTINCT FROM c."position" OR l.sql_type IS DISTINCT FROM c.sql_type
    OR l.required IS DISTINCT FROM c.required
 ORDER BY 1, 2;

-- the key of each source is the table's primary key
SELECT l.source, l.column_name
  FROM costmodel.csv_columns() l
 WHERE l.is_key IS DISTINCT FROM EXISTS (
        SELECT 1 FROM pg_constraint k
          JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
         WHERE k.conrelid = format('costmodel.%I', l.source)::regclass AND k.contype = 'p'
           AND a.attname = l.column_name);

-- enumerations: the loader's allowed values are the literals of the CHECK on the column
WITH checks AS (
    SELECT c.relname::text AS source, a.attname::text AS column_name,
           array(SELECT m[1] FROM regexp_matches(pg_get_constraintdef(k.oid), '''([^'']*)''', 'g') AS m
                  ORDER BY 1) AS literals
      FROM pg_constraint k
      JOIN pg_class c ON c.oid = k.conrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
     WHERE n.nspname = 'costmodel' AND k.contype = 'c' AND cardinality(k.conkey) = 1
       AND pg_get_constraintdef(k.oid) LIKE '%ANY (ARRAY[%'
)
SELECT source, column_name, l.allowed, ch.literals
  FROM costmodel.csv_columns() l
  FULL JOIN checks ch USING (source, column_name)
 WHERE source IN (SELECT DISTINCT source FROM costmodel.csv_columns())
   AND CASE WHEN l.allowed IS NOT NULL THEN array(SELECT unnest(l.allowed) ORDER BY 1) END
       IS DISTINCT FROM ch.literals;

-- bounds: each integer or decimal bound passes the column's CHECKs, and one
-- step beyond it fails them (checked by inserting into a copy of the table
-- with its CHECKs, in a rolled-back subtransaction)
CREATE FUNCTION pg_temp.check_ok(source text, col text, v numeric) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    ok boolean := true;
BEGIN
    BEGIN
        EXECUTE format('CREATE TEMP TABLE probe (LIKE costmodel.%I INCLUDING CONSTRAINTS)', source);
        EXECUTE format('ALTER TABLE probe ALTER COLUMN %I DROP NOT NULL', col);
        -- only the column's own CHECKs matter: drop NOT NULL of the others
        PERFORM 1;
        EXECUTE (SELECT string_agg(format('ALTER TABLE probe ALTER COLUMN %I DROP NOT NULL', attname), '; ')
                   FROM pg_attribute WHERE attrelid = 'probe'::regclass AND attnum > 0 AND attnotnull);
        EXECUTE format('INSERT INTO probe (%I) VALUES ($1)', col) USING v;
        RAISE EXCEPTION USING ERRCODE = 'P0003';
    EXCEPTION
        WHEN check_violation OR numeric_value_out_of_range THEN ok := false;
        WHEN SQLSTATE 'P0003' THEN ok := true;
    END;
    RETURN ok;
END $$;

SELECT source, column_name, min_value, max_value,
       pg_temp.check_ok(source, column_name, min_value) AS min_ok,
       pg_temp.check_ok(source, column_name, min_value - CASE kind WHEN 'amount' THEN 0.01 WHEN 'decimal' THEN 0.001 ELSE 1 END) AS below_min_ok,
       CASE WHEN max_value IS NOT NULL THEN pg_temp.check_ok(source, column_name, max_value) END AS max_ok,
       CASE WHEN max_value IS NOT NULL THEN pg_temp.check_ok(source, column_name, max_value + CASE kind WHEN 'decimal' THEN 0.001 ELSE 1 END) END AS above_max_ok
  FROM costmodel.csv_columns()
 WHERE min_value IS NOT NULL
 ORDER BY 1, 2;

-- no two columns of a source answer to the same folded name
WITH names AS (
    SELECT source, column_name, lower(regexp_replace(n, '[^[:alnum:]]', '', 'g')) AS folded
      FROM costmodel.csv_columns(), unnest(aliases || column_name) AS n
     WHERE NOT provenance
)
SELECT source, folded, array_agg(DISTINCT column_name) AS columns
  FROM names GROUP BY source, folded HAVING count(DISTINCT column_name) > 1;

-- foreign keys the loader checks are the table's foreign keys
SELECT l.source, l.column_name, l.references_source
  FROM costmodel.csv_columns() l
 WHERE l.references_source IS DISTINCT FROM (
        SELECT f.relname::text FROM pg_constraint k
          JOIN pg_class f ON f.oid = k.confrelid
          JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
         WHERE k.conrelid = format('costmodel.%I', l.source)::regclass AND k.contype = 'f'
           AND a.attname = l.column_name);
