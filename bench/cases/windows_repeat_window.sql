-- Repeat calls, the window-function formulation an analyst writes: each
-- call against the member's previous call (lag), then counted.
SELECT count(*) AS calls,
       count(*) FILTER (WHERE called_at - prev <= interval '7 days') AS repeat_calls
  FROM (SELECT called_at,
               lag(called_at) OVER (PARTITION BY member_id ORDER BY called_at) AS prev
          FROM win_calls
         WHERE member_id IS NOT NULL AND called_at IS NOT NULL) s
