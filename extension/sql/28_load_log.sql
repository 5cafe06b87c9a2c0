-- 28_load_log.sql: the processing report of costmodel-load csv (one row per
-- file load, its per-column counts and its rejected rows), and the loader's
-- enumeration spellings and column table as SQL functions.
-- docs/csv-loading.md describes the loader and these tables.

-- ---------------------------------------------------------------------------
-- The processing report
-- ---------------------------------------------------------------------------

CREATE TABLE @extschema@.load_log (
    load_id                 bigserial PRIMARY KEY,
    source                  text NOT NULL,
    file_name               text NOT NULL,
    file_sha256             text CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    bytes                   bigint CHECK (bytes >= 0),
    map_file                text,
    delimiter               text,
    encoding                text,
    started_at              timestamptz NOT NULL DEFAULT pg_catalog.now(),
    finished_at             timestamptz,
    status                  text NOT NULL CHECK (status IN ('running', 'loaded', 'loaded_with_rejects', 'rejected')),
    rows_read               bigint NOT NULL DEFAULT 0 CHECK (rows_read >= 0),
    rows_loaded             bigint NOT NULL DEFAULT 0 CHECK (rows_loaded >= 0),
    rows_updated            bigint NOT NULL DEFAULT 0 CHECK (rows_updated >= 0),
    rows_duplicate          bigint NOT NULL DEFAULT 0 CHECK (rows_duplicate >= 0),
    rows_rejected           bigint NOT NULL DEFAULT 0 CHECK (rows_rejected >= 0),
    duplicate_keys_in_file  bigint NOT NULL DEFAULT 0 CHECK (duplicate_keys_in_file >= 0),
    blank_lines             bigint NOT NULL DEFAULT 0 CHECK (blank_lines >= 0),
    columns_ignored         text[] NOT NULL DEFAULT '{}',
    message                 text,
    loaded_by               text NOT NULL DEFAULT CURRENT_USER,
    CONSTRAINT load_log_accounting
        CHECK (rows_read = rows_loaded + rows_updated + rows_duplicate + rows_rejected),
    CONSTRAINT load_log_in_file_duplicates
        CHECK (duplicate_keys_in_file <= rows_duplicate),
    CONSTRAINT load_log_finished
        CHECK ((status = 'running') = (finished_at IS NULL))
);

CREATE INDEX load_log_source_idx ON @extschema@.load_log (source, started_at);
CREATE INDEX load_log_sha256_idx ON @extschema@.load_log (file_sha256);

COMMENT ON TABLE @extschema@.load_log IS
  'One row per file loaded by costmodel-load csv: what was read, loaded, updated, found identical or rejected. The counts are added in the same transaction as each batch of rows, so they always match the committed data; rows_read = rows_loaded + rows_updated + rows_duplicate + rows_rejected holds at every commit. A row still ''running'' after the loader ended belongs to a load that was interrupted.';
COMMENT ON COLUMN @extschema@.load_log.load_id IS 'Identifier of the file load (load_log_column and load_reject refer to it).';
COMMENT ON COLUMN @extschema@.load_log.source IS 'The target: the --source of the load, which is also the table name (calls, claims ...).';
COMMENT ON COLUMN @extschema@.load_log.file_name IS 'The file, as an absolute path, or stdin; the same text as source_file in the loaded rows.';
COMMENT ON COLUMN @extschema@.load_log.file_sha256 IS 'SHA-256 of the file''s content (after gzip decompression), in hex; the same file loaded twice has the same hash.';
COMMENT ON COLUMN @extschema@.load_log.bytes IS 'Bytes of the file''s content (after gzip decompression).';
COMMENT ON COLUMN @extschema@.load_log.map_file IS 'The --map file used, or NULL.';
COMMENT ON COLUMN @extschema@.load_log.delimiter IS 'The field delimiter, as detected or given: a comma, semicolon, tab or pipe character.';
COMMENT ON COLUMN @extschema@.load_log.encoding IS 'The encoding the file was read in: utf8, latin1 or win1252.';
COMMENT ON COLUMN @extschema@.load_log.started_at IS 'When the load started; every row loaded or updated by this load has this loaded_at.';
COMMENT ON COLUMN @extschema@.load_log.finished_at IS 'When the load finished; NULL while running (or after an interrupted load).';
COMMENT ON COLUMN @extschema@.load_log.status IS 'running; loaded (no row rejected); loaded_with_rejects; rejected (the whole file: no header, a required column missing, UTF-16 ...; see message).';
COMMENT ON COLUMN @extschema@.load_log.rows_read IS 'Data records read (the header and blank lines are not records).';
COMMENT ON COLUMN @extschema@.load_log.rows_loaded IS 'Records inserted as new rows.';
COMMENT ON COLUMN @extschema@.load_log.rows_updated IS 'Records whose key was already loaded with other values: the row was updated (members: dim_member then gets a new version).';
COMMENT ON COLUMN @extschema@.load_log.rows_duplicate IS 'Records identical to the row already loaded, or repeating a key seen earlier in the same file (the first row of a key wins).';
COMMENT ON COLUMN @extschema@.load_log.rows_rejected IS 'Records not loaded; one row each in load_reject with the reason.';
COMMENT ON COLUMN @extschema@.load_log.duplicate_keys_in_file IS 'Of rows_duplicate, the records that repeat a key seen earlier in the same file.';
COMMENT ON COLUMN @extschema@.load_log.blank_lines IS 'Blank lines skipped between records.';
COMMENT ON COLUMN @extschema@.load_log.columns_ignored IS 'Headers of the file that match no column of the target (or repeat a matched one); their values were not loaded.';
COMMENT ON COLUMN @extschema@.load_log.message IS 'Why the file was rejected, or a note about the load.';
COMMENT ON COLUMN @extschema@.load_log.loaded_by IS 'The database user that ran the load.';

CREATE TABLE @extschema@.load_log_column (
    load_id      bigint NOT NULL REFERENCES @extschema@.load_log (load_id) ON DELETE CASCADE,
    column_name  text NOT NULL,
    position     integer CHECK (position > 0),
    filled_from  text NOT NULL,
    nulls        bigint NOT NULL CHECK (nulls >= 0),
    unreadable   bigint NOT NULL CHECK (unreadable >= 0 AND unreadable <= nulls),
    normalised   bigint NOT NULL CHECK (normalised >= 0),
    PRIMARY KEY (load_id, column_name)
);

COMMENT ON TABLE @extschema@.load_log_column IS
  'Per file load and target column: where the column came from and how many of the rows that reached the table (loaded, updated or identical) had it NULL, unreadable or normalised. Rejected records are not counted here; they are in load_reject.';
COMMENT ON COLUMN @extschema@.load_log_column.load_id IS 'The file load (load_log.load_id).';
COMMENT ON COLUMN @extschema@.load_log_column.column_name IS 'The target column.';
COMMENT ON COLUMN @extschema@.load_log_column.position IS '1-based position of the column''s field in the file; NULL when the column did not come from a field.';
COMMENT ON COLUMN @extschema@.load_log_column.filled_from IS 'The header it was read from, or (absent), (constant "..."), (sum of FILE: COLUMN), (first of FILE: COLUMN), HEADER (looked up in FILE: COLUMN), (derived), (loader).';
COMMENT ON COLUMN @extschema@.load_log_column.nulls IS 'Rows with NULL in the column: empty, a placeholder such as N/A, absent, or unreadable.';
COMMENT ON COLUMN @extschema@.load_log_column.unreadable IS 'Of nulls, the rows whose value could not be read (a data-quality problem; in a required column the record is rejected instead).';
COMMENT ON COLUMN @extschema@.load_log_column.normalised IS 'Rows whose value was read from a non-canonical spelling ($1,234.50, MM/DD/YYYY, APPROVED for approved, a ZIP without its leading zero ...).';

CREATE TABLE @extschema@.load_reject (
    load_id      bigint NOT NULL REFERENCES @extschema@.load_log (load_id) ON DELETE CASCADE,
    line_no      bigint NOT NULL CHECK (line_no > 0),
    byte_offset  bigint NOT NULL CHECK (byte_offset >= 0),
    column_name  text,
    value        text,
    reason       text NOT NULL,
    raw          text NOT NULL,
    PRIMARY KEY (load_id, line_no)
);

COMMENT ON TABLE @extschema@.load_reject IS
  'Records that costmodel-load csv did not load, with where they are and why.';
COMMENT ON COLUMN @extschema@.load_reject.load_id IS 'The file load (load_log.load_id).';
COMMENT ON COLUMN @extschema@.load_reject.line_no IS '1-based line of the record''s first line in the file (the header is line 1).';
COMMENT ON COLUMN @extschema@.load_reject.byte_offset IS '0-based byte offset in the file of the offending field (or byte), else of the record.';
COMMENT ON COLUMN @extschema@.load_reject.column_name IS 'The target column at fault, or NULL when the record as a whole is (a wrong field count, an unterminated quote).';
COMMENT ON COLUMN @extschema@.load_reject.value IS 'The offending value as written (cut to 200 bytes), or NULL.';
COMMENT ON COLUMN @extschema@.load_reject.reason IS 'Why the record was rejected.';
COMMENT ON COLUMN @extschema@.load_reject.raw IS 'The record as written (converted to UTF-8, invalid bytes as U+FFFD, cut to 4096 bytes); for a record refused by the database, the row as sent (COPY text).';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.load_log', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.load_log_load_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.load_log_column', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.load_reject', '');

-- ---------------------------------------------------------------------------
-- The loader's enumerations and column table, from the same C tables
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.canonical_enum(enum_name text, value text)
RETURNS text
AS 'MODULE_PATHNAME', 'costmodel_canonical_enum'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.canonical_enum(text, text) IS
  'The canonical value of a source spelling in one of the source tables'' enumerations, as costmodel-load csv maps it: canonical_enum(''claim_status'', ''APPROVED'') = ''approved'' (also Approved, A); NULL when the spelling is unknown. Matching ignores case, spaces and punctuation. Enumerations: see csv_columns().allowed; an unknown enum_name raises 22023.';

CREATE FUNCTION @extschema@.csv_columns(
    OUT source text, OUT "position" integer, OUT column_name text, OUT sql_type text,
    OUT kind text, OUT required boolean, OUT is_key boolean, OUT derived boolean,
    OUT provenance boolean, OUT aliases text[], OUT enum_name text, OUT allowed text[],
    OUT min_value numeric, OUT max_value numeric, OUT references_source text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'costmodel_csv_columns'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.csv_columns() IS
  'The column table of costmodel-load csv: per source and column, its SQL type, how it is read (kind), whether it is required or the key, derived (cases'' metadata, claims'' source_status) or written by the loader (provenance), the header aliases it answers to, its enumeration (see canonical_enum()) and allowed values, bounds and the source its values must exist in.';
