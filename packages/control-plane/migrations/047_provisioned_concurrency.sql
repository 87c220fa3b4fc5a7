-- Provisioned concurrency configs: how many initialised containers to keep for a
-- published version or an alias, and how many the invoker nodes report ready. They go
-- with their function, and with the version or alias they name.
CREATE TABLE provisioned_concurrency_configs (
  account_id    text        NOT NULL,
  function_name text        NOT NULL,
  qualifier     text        NOT NULL,
  requested     integer     NOT NULL CHECK (requested >= 1),
  allocated     integer     NOT NULL DEFAULT 0,
  status        text        NOT NULL DEFAULT 'IN_PROGRESS',
  status_reason text,
  last_modified timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, function_name, qualifier),
  FOREIGN KEY (account_id, function_name) REFERENCES functions (account_id, name) ON DELETE CASCADE
);

-- A deleted alias or version takes its config: the trigger's argument names the
-- column that holds the qualifier (an alias's name, a version's number).
CREATE FUNCTION provisioned_concurrency_forget() RETURNS trigger AS $$
BEGIN
  DELETE FROM provisioned_concurrency_configs
   WHERE account_id = OLD.account_id AND function_name = OLD.function_name
     AND qualifier = to_jsonb(OLD) ->> TG_ARGV[0];
  RETURN OLD;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER provisioned_concurrency_alias_deleted AFTER DELETE ON aliases
  FOR EACH ROW EXECUTE FUNCTION provisioned_concurrency_forget('name');
CREATE TRIGGER provisioned_concurrency_version_deleted AFTER DELETE ON function_versions
  FOR EACH ROW EXECUTE FUNCTION provisioned_concurrency_forget('version');
