-- Leakage, the RANGE-frame formulation of windows_leak_window.sql with the
-- member partition under COLLATE "C" (byte order, no locale), which makes
-- its sort cheaper.
SELECT count(*) FILTER (WHERE is_failure) AS failures,
       count(*) FILTER (WHERE is_failure AND calls_after > 0) AS leaked_failures,
       count(*) FILTER (WHERE is_call) AS calls,
       count(*) FILTER (WHERE is_call AND failures_before > 0) AS leaked_calls
  FROM (SELECT is_call, is_failure,
               count(*) FILTER (WHERE is_call) OVER w_after AS calls_after,
               count(*) FILTER (WHERE is_failure) OVER w_before AS failures_before
          FROM (SELECT member_id, called_at AS at, true AS is_call, false AS is_failure
                  FROM win_calls
                UNION ALL
                SELECT member_id, at, false, true
                  FROM win_digital WHERE outcome IN ('failure', 'abandoned')) e
         WHERE member_id IS NOT NULL AND at IS NOT NULL
        WINDOW w_after AS (PARTITION BY member_id COLLATE "C" ORDER BY at
                           RANGE BETWEEN interval '1 microsecond' FOLLOWING AND interval '24 hours' FOLLOWING),
               w_before AS (PARTITION BY member_id COLLATE "C" ORDER BY at
                            RANGE BETWEEN interval '24 hours' PRECEDING AND interval '1 microsecond' PRECEDING)) s
