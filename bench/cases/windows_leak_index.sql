-- Indexes for windows_leak_exists.sql: calls by (member_id, called_at), and
-- a partial index over the failures only.  Their build time is part of the
-- indexed timing.
CREATE INDEX win_calls_member_at ON win_calls (member_id, called_at);
CREATE INDEX win_digital_fail_member_at ON win_digital (member_id, at)
 WHERE outcome IN ('failure', 'abandoned')
