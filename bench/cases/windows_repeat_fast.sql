-- Repeat calls, the fastest plain SQL found: the same lag(), partitioned
-- under COLLATE "C" (byte order, no locale) so that the sort, or the index
-- scan of windows_repeat_index.sql, is cheap.
SELECT count(*) AS calls,
       count(*) FILTER (WHERE called_at - prev <= interval '7 days') AS repeat_calls
  FROM (SELECT called_at,
               lag(called_at) OVER (PARTITION BY member_id COLLATE "C" ORDER BY called_at) AS prev
          FROM win_calls
         WHERE member_id IS NOT NULL AND called_at IS NOT NULL) s
