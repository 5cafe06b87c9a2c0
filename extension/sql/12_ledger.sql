
-- 12_ledger.sql: the load ledger of costmodel-load (docs/loader.md).
--
-- One load_ledger row per source (a file or a named stream), identified by
-- the SHA-256 of its content unless the caller names it (--import-id).
-- Each source is split into one or more byte ranges (one per --jobs
-- worker); every batch the loader commits moves its range's
-- committed_offset forward in the same transaction as the batch's rows, so
-- a re-run continues exactly after the last committed batch, and a batch
-- can never be committed twice (its UPDATE names the offset it starts at).

CREATE TABLE @extschema@.load_ledger (
    import_id       text NOT NULL PRIMARY KEY,
    kind            text NOT NULL DEFAULT 'traces',
    source          text NOT NULL,
    source_bytes    bigint,
    input_bytes     bigint,
    content_sha256  text,
    status          text NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'finished', 'failed')),
    message         text,
    owner           text NOT NULL,
    runs            integer NOT NULL DEFAULT 1,
    ranges          integer NOT NULL,
    started_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    updated_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
    finished_at     timestamptz,
    seconds         double precision NOT NULL DEFAULT 0,
    lines_read      bigint NOT NULL DEFAULT 0,
    loaded          bigint NOT NULL DEFAULT 0,
    duplicates      bigint NOT NULL DEFAULT 0,
    rejected        bigint NOT NULL DEFAULT 0,
    rows_written    bigint NOT NULL DEFAULT 0,
    CHECK (content_sha256 IS NULL OR content_sha256 ~ '^[0-9a-f]{64}$')
);

COMMENT ON TABLE @extschema@.load_ledger IS
  'One row per source loaded by costmodel-load: its identity, status and totals. Key: import_id.';
COMMENT ON COLUMN @extschema@.load_ledger.import_id IS 'The SHA-256 (hex) of the uncompressed content, or the name given with --import-id.';
COMMENT ON COLUMN @extschema@.load_ledger.kind IS 'What was loaded: traces.';
COMMENT ON COLUMN @extschema@.load_ledger.source IS 'The file (absolute path) or stdin of the last run.';
COMMENT ON COLUMN @extschema@.load_ledger.source_bytes IS 'Size of the file as stored (compressed for .gz); NULL for standard input.';
COMMENT ON COLUMN @extschema@.load_ledger.input_bytes IS 'Uncompressed bytes of the source; NULL for standard input until it is finished.';
COMMENT ON COLUMN @extschema@.load_ledger.content_sha256 IS 'SHA-256 of the uncompressed content (as sha256sum prints it); NULL until known.';
COMMENT ON COLUMN @extschema@.load_ledger.status IS 'running (being loaded, or interrupted: see load_status), finished, or failed (see message).';
COMMENT ON COLUMN @extschema@.load_ledger.message IS 'Why the last run stopped, for a failed load.';
COMMENT ON COLUMN @extschema@.load_ledger.owner IS 'Token of the run that owns the load; a run that takes over sets its own.';
COMMENT ON COLUMN @extschema@.load_ledger.runs IS 'Number of runs that worked on this source (the first one and each resume).';
COMMENT ON COLUMN @extschema@.load_ledger.ranges IS 'Number of byte ranges (load_ledger_range rows) the source is split into.';
COMMENT ON COLUMN @extschema@.load_ledger.started_at IS 'When the first run started.';
COMMENT ON COLUMN @extschema@.load_ledger.updated_at IS 'When a run last started, finished or failed.';
COMMENT ON COLUMN @extschema@.load_ledger.finished_at IS 'When the load finished; NULL until then.';
COMMENT ON COLUMN @extschema@.load_ledger.seconds IS 'Loading time summed over the runs that ended (a killed run adds nothing).';
COMMENT ON COLUMN @extschema@.load_ledger.lines_read IS 'Lines in committed batches (totals are updated when a run ends; load_status sums the ranges live).';
COMMENT ON COLUMN @extschema@.load_ledger.loaded IS 'Traces loaded.';
COMMENT ON COLUMN @extschema@.load_ledger.duplicates IS 'Lines skipped because their trace_id was loaded already or earlier in the input.';
COMMENT ON COLUMN @extschema@.load_ledger.rejected IS 'Lines rejected (see trace_reject).';
COMMENT ON COLUMN @extschema@.load_ledger.rows_written IS 'Rows written to all trace tables together.';

CREATE TABLE @extschema@.load_ledger_range (
    import_id        text NOT NULL REFERENCES @extschema@.load_ledger ON DELETE CASCADE,
    range_no         integer NOT NULL,
    start_offset     bigint NOT NULL,
    end_offset       bigint,
    start_line       bigint NOT NULL,
    committed_offset bigint NOT NULL,
    committed_lines  bigint NOT NULL,
    owner            text NOT NULL,
    batches          integer NOT NULL DEFAULT 0,
    lines_read       bigint NOT NULL DEFAULT 0,
    loaded           bigint NOT NULL DEFAULT 0,
    duplicates       bigint NOT NULL DEFAULT 0,
    rejected         bigint NOT NULL DEFAULT 0,
    rows_written     bigint NOT NULL DEFAULT 0,
    updated_at       timestamptz NOT NULL DEFAULT pg_catalog.now(),
    PRIMARY KEY (import_id, range_no),
    CHECK (committed_offset >= start_offset
           AND (end_offset IS NULL OR committed_offset <= end_offset)),
    CHECK (committed_lines >= start_line)
);

COMMENT ON TABLE @extschema@.load_ledger_range IS
  'The byte ranges of a source and how far each is committed. Key: import_id, range_no.';
COMMENT ON COLUMN @extschema@.load_ledger_range.import_id IS 'The load (load_ledger.import_id).';
COMMENT ON COLUMN @extschema@.load_ledger_range.range_no IS '0-based number of the range within the source.';
COMMENT ON COLUMN @extschema@.load_ledger_range.start_offset IS 'Byte offset (uncompressed) where the range starts, at a line start.';
COMMENT ON COLUMN @extschema@.load_ledger_range.end_offset IS 'Byte offset where the next range starts; NULL for the last range of a stream of unknown length.';
COMMENT ON COLUMN @extschema@.load_ledger_range.start_line IS 'Lines of the source before start_offset.';
COMMENT ON COLUMN @extschema@.load_ledger_range.committed_offset IS 'Byte offset after the last committed batch: a resume starts here.';
COMMENT ON COLUMN @extschema@.load_ledger_range.committed_lines IS 'Lines of the source before committed_offset.';
COMMENT ON COLUMN @extschema@.load_ledger_range.owner IS 'Token of the run that may commit batches of this range.';
COMMENT ON COLUMN @extschema@.load_ledger_range.batches IS 'Batches committed.';
COMMENT ON COLUMN @extschema@.load_ledger_range.lines_read IS 'Lines in committed batches.';
COMMENT ON COLUMN @extschema@.load_ledger_range.loaded IS 'Traces loaded by committed batches.';
COMMENT ON COLUMN @extschema@.load_ledger_range.duplicates IS 'Duplicate lines in committed batches.';
COMMENT ON COLUMN @extschema@.load_ledger_range.rejected IS 'Rejected lines in committed batches.';
COMMENT ON COLUMN @extschema@.load_ledger_range.rows_written IS 'Rows written to all trace tables by committed batches.';
COMMENT ON COLUMN @extschema@.load_ledger_range.updated_at IS 'When the last batch was committed.';

-- The advisory lock a loader holds while it works on import_id.
CREATE FUNCTION @extschema@.load_lock_key(import_id text)
RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN ('x' OPERATOR(pg_catalog.||)
        pg_catalog.substr(pg_catalog.md5('costmodel-load:' OPERATOR(pg_catalog.||) import_id), 1, 16)
       )::pg_catalog.bit(64)::pg_catalog.int8;

COMMENT ON FUNCTION @extschema@.load_lock_key(text) IS
  'The key of the session advisory lock costmodel-load holds while it loads import_id.';

CREATE VIEW @extschema@.load_status AS
SELECT l.import_id,
       l.kind,
       l.source,
       CASE WHEN l.status OPERATOR(pg_catalog.=) 'running' AND NOT EXISTS (
                 SELECT FROM pg_catalog.pg_locks k
                 WHERE k.locktype OPERATOR(pg_catalog.=) 'advisory' AND k.granted
                   AND k.objsubid OPERATOR(pg_catalog.=) 1
                   AND k.database OPERATOR(pg_catalog.=) (SELECT d.oid FROM pg_catalog.pg_database d
                                    WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
                   AND ((k.classid::pg_catalog.int8 OPERATOR(pg_catalog.<<) 32)
                        OPERATOR(pg_catalog.|) k.objid::pg_catalog.int8)
                       OPERATOR(pg_catalog.=) @extschema@.load_lock_key(l.import_id))
            THEN 'interrupted' ELSE l.status END AS status,
       l.message,
       r.committed_bytes,
       l.input_bytes,
       CASE WHEN l.status OPERATOR(pg_catalog.=) 'finished' THEN 100.0
            WHEN l.input_bytes OPERATOR(pg_catalog.>) 0
            THEN pg_catalog.round(100.0 OPERATOR(pg_catalog.*) r.committed_bytes
                                  OPERATOR(pg_catalog./) l.input_bytes, 1) END AS percent,
       r.lines_read,
       r.loaded,
       r.duplicates,
       r.rejected,
       r.rows_written,
       l.runs,
       l.ranges,
       l.started_at,
       r.last_commit_at,
       l.finished_at,
       l.seconds,
       CASE WHEN l.seconds OPERATOR(pg_catalog.>) 0
            THEN pg_catalog.round((r.rows_written OPERATOR(pg_catalog./) l.seconds)::pg_catalog.numeric)
       END AS rows_per_second
FROM @extschema@.load_ledger l
LEFT JOIN LATERAL (
    SELECT pg_catalog.sum(g.committed_offset OPERATOR(pg_catalog.-) g.start_offset)::pg_catalog.int8 AS committed_bytes,
           pg_catalog.sum(g.lines_read)::pg_catalog.int8 AS lines_read,
           pg_catalog.sum(g.loaded)::pg_catalog.int8 AS loaded,
           pg_catalog.sum(g.duplicates)::pg_catalog.int8 AS duplicates,
           pg_catalog.sum(g.rejected)::pg_catalog.int8 AS rejected,
           pg_catalog.sum(g.rows_written)::pg_catalog.int8 AS rows_written,
           pg_catalog.max(g.updated_at) AS last_commit_at
    FROM @extschema@.load_ledger_range g
    WHERE g.import_id OPERATOR(pg_catalog.=) l.import_id) r ON true;

COMMENT ON VIEW @extschema@.load_status IS
  'Every load in the ledger with live totals; status "interrupted" marks a running load whose loader is gone (re-run it to resume).';
COMMENT ON COLUMN @extschema@.load_status.import_id IS 'The load (load_ledger.import_id).';
COMMENT ON COLUMN @extschema@.load_status.kind IS 'What was loaded: traces.';
COMMENT ON COLUMN @extschema@.load_status.source IS 'The file or stdin of the last run.';
COMMENT ON COLUMN @extschema@.load_status.status IS 'running, interrupted (no loader holds it: re-run to resume), finished or failed.';
COMMENT ON COLUMN @extschema@.load_status.message IS 'Why the last run stopped, for a failed load.';
COMMENT ON COLUMN @extschema@.load_status.committed_bytes IS 'Uncompressed bytes in committed batches.';
COMMENT ON COLUMN @extschema@.load_status.input_bytes IS 'Uncompressed size of the source, when known.';
COMMENT ON COLUMN @extschema@.load_status.percent IS 'committed_bytes as a percentage of input_bytes.';
COMMENT ON COLUMN @extschema@.load_status.lines_read IS 'Lines in committed batches.';
COMMENT ON COLUMN @extschema@.load_status.loaded IS 'Traces loaded.';
COMMENT ON COLUMN @extschema@.load_status.duplicates IS 'Duplicate lines skipped.';
COMMENT ON COLUMN @extschema@.load_status.rejected IS 'Lines rejected.';
COMMENT ON COLUMN @extschema@.load_status.rows_written IS 'Rows written to all trace tables.';
COMMENT ON COLUMN @extschema@.load_status.runs IS 'Runs that worked on the source.';
COMMENT ON COLUMN @extschema@.load_status.ranges IS 'Byte ranges of the source.';
COMMENT ON COLUMN @extschema@.load_status.started_at IS 'When the first run started.';
COMMENT ON COLUMN @extschema@.load_status.last_commit_at IS 'When a batch was last committed.';
COMMENT ON COLUMN @extschema@.load_status.finished_at IS 'When the load finished.';
COMMENT ON COLUMN @extschema@.load_status.seconds IS 'Loading time summed over the runs that ended.';
COMMENT ON COLUMN @extschema@.load_status.rows_per_second IS 'rows_written / seconds.';

SELECT pg_catalog.pg_extension_config_dump('@extschema@.load_ledger', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.load_ledger_range', '');
