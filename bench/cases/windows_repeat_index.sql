-- The index that lets windows_repeat_fast.sql read the calls in order
-- (an index-only scan, no sort).  Its build time is part of that timing.
CREATE INDEX win_calls_member_at ON win_calls (member_id COLLATE "C", called_at)
