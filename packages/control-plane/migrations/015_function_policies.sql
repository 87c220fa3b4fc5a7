-- Resource-based policies (AddPermission, GetPolicy, RemovePermission): one per
-- function, version or alias. `qualifier` is '' for the unqualified function (an
-- invoke of $LATEST uses that one), else a version number or an alias name (an alias
-- name is never all digits, so the two never meet). A policy goes with what it is on:
-- with the function by the foreign key, with a version or an alias by the triggers
-- below, in the same transaction as the delete.
CREATE TABLE function_policies (
  account_id text NOT NULL,
  function_name text NOT NULL,
  qualifier text NOT NULL,
  statements jsonb NOT NULL,
  revision_id uuid NOT NULL,
  PRIMARY KEY (account_id, function_name, qualifier),
  FOREIGN KEY (account_id, function_name) REFERENCES functions (account_id, name) ON DELETE CASCADE
);

CREATE FUNCTION drop_version_policy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM function_policies
   WHERE account_id = OLD.account_id AND function_name = OLD.function_name AND qualifier = OLD.version;
  RETURN OLD;
END $$;

CREATE TRIGGER function_versions_drop_policy AFTER DELETE ON function_versions
  FOR EACH ROW WHEN (OLD.version <> '$LATEST') EXECUTE FUNCTION drop_version_policy();

CREATE FUNCTION drop_alias_policy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM function_policies
   WHERE account_id = OLD.account_id AND function_name = OLD.function_name AND qualifier = OLD.name;
  RETURN OLD;
END $$;

CREATE TRIGGER aliases_drop_policy AFTER DELETE ON aliases
  FOR EACH ROW EXECUTE FUNCTION drop_alias_policy();
