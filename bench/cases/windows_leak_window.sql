-- Leakage, the window-function formulation: count(*) FILTER over RANGE
-- frames per member in time order.  A failure at t leaked when a call lies
-- in (t, t + 24 h]; a call is leaked when a failure lies in [c - 24 h, c).
-- Times are whole microseconds, so "1 microsecond FOLLOWING/PRECEDING"
-- excludes t itself exactly.  Rows that are neither calls nor failures are
-- left out first.
SELECT count(*) FILTER (WHERE is_failure) AS failures,
       count(*) FILTER (WHERE is_failure AND calls_after > 0) AS leaked_failures,
       count(*) FILTER (WHERE is_call) AS calls,
       count(*) FILTER (WHERE is_call AND failures_before > 0) AS leaked_calls
  FROM (SELECT is_call, is_failure,
               count(*) FILTER (WHERE is_call) OVER (PARTITION BY member_id ORDER BY at
                   RANGE BETWEEN interval '1 microsecond' FOLLOWING AND interval '24 hours' FOLLOWING) AS calls_after,
               count(*) FILTER (WHERE is_failure) OVER (PARTITION BY member_id ORDER BY at
                   RANGE BETWEEN interval '24 hours' PRECEDING AND interval '1 microsecond' PRECEDING) AS failures_before
          FROM (SELECT member_id, called_at AS at, true AS is_call, false AS is_failure
                  FROM win_calls
                UNION ALL
                SELECT member_id, at, false, true
                  FROM win_digital WHERE outcome IN ('failure', 'abandoned')) e
         WHERE member_id IS NOT NULL AND at IS NOT NULL) s
