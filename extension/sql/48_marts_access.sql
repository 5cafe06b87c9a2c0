-- 48_marts_access.sql: least-privilege access for BI roles.  A BI role gets
-- USAGE on costmodel_mart and SELECT on its views, nothing else: the views
-- read the materialized views with their owner's rights, so the raw tables
-- (member ids, amounts per trace) stay out of the role's reach.

-- Raise 42704 unless role r exists; return it as regrole.
CREATE FUNCTION @extschema@.existing_role(r name)
RETURNS regrole
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    found regrole;
BEGIN
    SELECT a.oid::regrole INTO found FROM pg_roles a WHERE a.rolname = r;
    IF found IS NULL THEN
        RAISE EXCEPTION 'role "%" does not exist', r
            USING ERRCODE = 'undefined_object',
                  HINT = format('Create it first, for example: CREATE ROLE %I LOGIN PASSWORD ''...'';', r);
    END IF;
    RETURN found;
END
$$;

COMMENT ON FUNCTION @extschema@.existing_role(name) IS
  'The role named r as regrole; raises 42704 with a hint when there is none. Used by the grant functions.';

-- Give role r read access to every mart view (and nothing else).
CREATE FUNCTION @extschema@.grant_bi_access(r name)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    role regrole := @extschema@.existing_role(r);
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA costmodel_mart TO %s', role);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA costmodel_mart TO %s', role);
END
$$;

COMMENT ON FUNCTION @extschema@.grant_bi_access(name) IS
  'Grant role r USAGE on schema costmodel_mart and SELECT on all its views, nothing more: no access to the costmodel schema, its tables or member-level views. Idempotent; run it again after an upgrade adds marts.';

-- Take back what grant_bi_access gave role r.
CREATE FUNCTION @extschema@.revoke_bi_access(r name)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    role regrole := @extschema@.existing_role(r);
BEGIN
    EXECUTE format('REVOKE SELECT ON ALL TABLES IN SCHEMA costmodel_mart FROM %s', role);
    EXECUTE format('REVOKE USAGE ON SCHEMA costmodel_mart FROM %s', role);
END
$$;

COMMENT ON FUNCTION @extschema@.revoke_bi_access(name) IS
  'Revoke what grant_bi_access gave role r.';

-- Give role r the member-level drill-down views (costmodel_member), a separate decision.
CREATE FUNCTION @extschema@.grant_member_access(r name)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    role regrole := @extschema@.existing_role(r);
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA costmodel_member TO %s', role);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA costmodel_member TO %s', role);
END
$$;

COMMENT ON FUNCTION @extschema@.grant_member_access(name) IS
  'Grant role r USAGE on schema costmodel_member and SELECT on its views (member_journey: one member''s timeline, member-level data). Separate from grant_bi_access on purpose.';

-- Take back what grant_member_access gave role r.
CREATE FUNCTION @extschema@.revoke_member_access(r name)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    role regrole := @extschema@.existing_role(r);
BEGIN
    EXECUTE format('REVOKE SELECT ON ALL TABLES IN SCHEMA costmodel_member FROM %s', role);
    EXECUTE format('REVOKE USAGE ON SCHEMA costmodel_member FROM %s', role);
END
$$;

COMMENT ON FUNCTION @extschema@.revoke_member_access(name) IS
  'Revoke what grant_member_access gave role r.';

REVOKE ALL ON FUNCTION @extschema@.grant_bi_access(name) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.revoke_bi_access(name) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.grant_member_access(name) FROM PUBLIC;
REVOKE ALL ON FUNCTION @extschema@.revoke_member_access(name) FROM PUBLIC;
