-- ADR 047: a statement prepared once per backend, for connections that cannot carry named
-- statements (a transaction-mode pooler without max_prepared_statements, the embedded PGlite
-- server's one shared session). bazaar_prepared(name, body, args...) prepares `body` under `name`
-- unless this backend already holds exactly that statement, then executes it with the arguments as
-- literals and returns each row as jsonb. After five runs Postgres keeps a generic plan, so a hot
-- statement is parsed and planned once per backend instead of on every call.
CREATE OR REPLACE FUNCTION bazaar_prepared(stmt_name text, body text, VARIADIC args text[] DEFAULT '{}') RETURNS SETOF jsonb
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  prepare_text text := format('PREPARE %I AS %s', stmt_name, body);
  held text;
  lits text;
  r record;
BEGIN
  SELECT p.statement INTO held FROM pg_prepared_statements p WHERE p.name = stmt_name;
  IF held IS DISTINCT FROM prepare_text THEN
    IF held IS NOT NULL THEN
      EXECUTE format('DEALLOCATE %I', stmt_name);
    END IF;
    EXECUTE prepare_text;
  END IF;
  SELECT string_agg(quote_nullable(a), ',' ORDER BY i) INTO lits FROM unnest(args) WITH ORDINALITY AS u(a, i);
  FOR r IN EXECUTE CASE WHEN lits IS NULL THEN format('EXECUTE %I', stmt_name) ELSE format('EXECUTE %I(%s)', stmt_name, lits) END LOOP
    RETURN NEXT to_jsonb(r);
  END LOOP;
END;
$$;
