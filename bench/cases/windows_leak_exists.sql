-- Leakage, EXISTS self-joins: failures with a call of the member in
-- (t, t + 24 h], calls with a failure of the member in [c - 24 h, c).
-- With the partial indexes of windows_leak_index.sql the planner may use
-- them; without, it hash-joins on member_id.
SELECT (SELECT count(*) FROM win_digital f
         WHERE f.outcome IN ('failure', 'abandoned') AND f.member_id IS NOT NULL AND f.at IS NOT NULL) AS failures,
       (SELECT count(*) FROM win_digital f
         WHERE f.outcome IN ('failure', 'abandoned')
           AND EXISTS (SELECT 1 FROM win_calls c
                        WHERE c.member_id = f.member_id
                          AND c.called_at > f.at AND c.called_at <= f.at + interval '24 hours')) AS leaked_failures,
       (SELECT count(*) FROM win_calls c
         WHERE c.member_id IS NOT NULL AND c.called_at IS NOT NULL) AS calls,
       (SELECT count(*) FROM win_calls c
         WHERE EXISTS (SELECT 1 FROM win_digital f
                        WHERE f.outcome IN ('failure', 'abandoned')
                          AND f.member_id = c.member_id
                          AND f.at >= c.called_at - interval '24 hours' AND f.at < c.called_at)) AS leaked_calls
