-- One PostgreSQL schema per service, one login role per service that owns that schema and
-- nothing else (DESIGN §6). Run by the `db-init` job of docker-compose.yml as a superuser:
--   psql -v ON_ERROR_STOP=1 -d fitness -f 01-schemas-roles.sql
-- Idempotent: safe to run on every `docker compose up`; a re-run also re-applies passwords.
--
-- Passwords come from custom settings, so no secret sits in this file or in a shell command line:
--   PGOPTIONS="-c fitness.password_identity=... -c fitness.password_nutrition=..."
-- A role whose setting is unset keeps its password (a new one gets none: only trust/peer/cert
-- authentication can then log it in).
-- Plain SQL (no psql meta-commands), so a test can run it inside a transaction and roll back.

-- PostgreSQL 15+ already refuses CREATE in `public` to ordinary roles; older versions don't.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

DO $$
DECLARE
    svc text;
    svc_role text;
    pw text;
BEGIN
    -- Only the service roles (and superusers) may connect to this database.
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());

    FOREACH svc IN ARRAY ARRAY['identity', 'nutrition', 'training', 'progress', 'goals', 'media']
    LOOP
        svc_role := svc || '_svc';
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = svc_role) THEN
            EXECUTE format(
                'CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS',
                svc_role);
        END IF;
        pw := nullif(current_setting('fitness.password_' || svc, true), '');
        IF pw IS NOT NULL THEN
            EXECUTE format('ALTER ROLE %I PASSWORD %L', svc_role, pw);
        END IF;

        EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), svc_role);
        EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', svc, svc_role);
        -- The schema may predate its role (restored dump, manual creation): make ownership exact.
        EXECUTE format('ALTER SCHEMA %I OWNER TO %I', svc, svc_role);
        EXECUTE format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', svc);
        -- Unqualified names resolve in the service's own schema (the migrations rely on it too).
        EXECUTE format('ALTER ROLE %I IN DATABASE %I SET search_path = %I',
                       svc_role, current_database(), svc);
    END LOOP;
END
$$;
