-- dims_member: dim_member as a type 2 slowly changing dimension.  Load
-- members, refresh; change one member's segment and another's state,
-- refresh; reload unchanged, refresh; each time the exact rows, with
-- valid_from / valid_to pinned by refresh_dim_member's as_of argument.
CREATE EXTENSION IF NOT EXISTS costmodel;
SET timezone = 'UTC';
SET datestyle = 'ISO, MDY';
SET intervalstyle = 'postgres';
\set VERBOSITY default
\set SHOW_CONTEXT never

-- The versions of every member, oldest first.
CREATE TEMP VIEW versions AS
SELECT member_id, plan_type, segment, state, zip_code, join_date, valid_from, valid_to, is_current
  FROM costmodel.dim_member ORDER BY member_id, valid_from;

-- 1. the first load: four members; M4 joins after the refresh time
INSERT INTO costmodel.members (member_id, age, gender, plan_type, tenure_months, segment, state, zip_code, join_date)
VALUES ('M1', 70, 'F', 'MAPD', 60, 'High Value', 'FL', '33101', '2020-01-15'),
       ('M2', 41, 'M', 'PPO', 24, 'Medium Value', 'TX', '75001', '2023-01-01'),
       ('M3', 35, 'U', 'HMO', 3, 'New', 'CA', '90001', '2024-11-01'),
       ('M4', 29, 'F', 'EPO', 0, 'New', 'NY', '10001', '2025-02-01');
-- first versions start at join_date (00:00 UTC), or at as_of when that is earlier
SELECT * FROM costmodel.refresh_dim_member('2025-01-31 00:00+00');
SELECT * FROM versions;

-- 2. M2 moves to At Risk, M3 moves to Oregon, M1 gets a new ZIP code (type 1)
UPDATE costmodel.members SET segment = 'At Risk' WHERE member_id = 'M2';
UPDATE costmodel.members SET state = 'OR', zip_code = '97201' WHERE member_id = 'M3';
UPDATE costmodel.members SET zip_code = '33139' WHERE member_id = 'M1';
SELECT * FROM costmodel.refresh_dim_member('2025-02-28 12:00+00');
SELECT * FROM versions;

-- 3. the same extract loaded again (an upsert with the same values): nothing changes
INSERT INTO costmodel.members AS m (member_id, age, gender, plan_type, tenure_months, segment, state, zip_code, join_date)
SELECT member_id, age, gender, plan_type, tenure_months, segment, state, zip_code, join_date
  FROM costmodel.members
ON CONFLICT (member_id) DO UPDATE
   SET age = EXCLUDED.age, segment = EXCLUDED.segment, state = EXCLUDED.state,
       plan_type = EXCLUDED.plan_type, zip_code = EXCLUDED.zip_code, loaded_at = now();
SELECT * FROM costmodel.refresh_dim_member('2025-03-31 00:00+00');
SELECT * FROM versions;

-- 4. a member who comes back to an earlier value gets a third version; a
--    new member with no join_date starts at as_of
UPDATE costmodel.members SET segment = 'Medium Value', plan_type = 'HMO' WHERE member_id = 'M2';
INSERT INTO costmodel.members (member_id, plan_type, segment, state) VALUES ('M5', 'POS', 'Low Value', 'WA');
SELECT * FROM costmodel.refresh_dim_member('2025-04-15 08:30+00');
SELECT * FROM versions WHERE member_id IN ('M2', 'M5');

-- one current version per member, and the versions of a member tile time
SELECT member_id, count(*) AS versions, count(*) FILTER (WHERE is_current) AS current,
       bool_and(valid_to IS NULL OR EXISTS (SELECT 1 FROM costmodel.dim_member n
                 WHERE n.member_id = d.member_id AND n.valid_from = d.valid_to)) AS contiguous
  FROM costmodel.dim_member d GROUP BY 1 ORDER BY 1;
-- the version in force at a point in time
SELECT m.member_id, d.segment, d.state
  FROM costmodel.members m
  JOIN costmodel.dim_member d ON d.member_id = m.member_id
   AND d.valid_from <= '2025-03-01 00:00+00'
   AND (d.valid_to IS NULL OR d.valid_to > '2025-03-01 00:00+00')
 ORDER BY 1;

-- the partial unique index allows one current row per member only
INSERT INTO costmodel.dim_member (member_id, valid_from, is_current)
VALUES ('M1', '2025-05-01 00:00+00', true);                                     -- bad: second current row

-- refreshes must move forward in time
UPDATE costmodel.members SET state = 'NV' WHERE member_id = 'M3';
SELECT * FROM costmodel.refresh_dim_member('2025-02-01 00:00+00');              -- bad: as_of before the current version
SELECT * FROM costmodel.refresh_dim_member('infinity');                         -- bad: infinite as_of
SELECT count(*) AS m3_versions FROM costmodel.dim_member WHERE member_id = 'M3';

DELETE FROM costmodel.dim_member;
DELETE FROM costmodel.members;
