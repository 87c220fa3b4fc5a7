-- Every change to an account's reservations (a function's reserved concurrency set,
-- changed or removed, or a reserved function deleted) is announced on the
-- stratus_reservations channel with the account id, whoever made it, so that every
-- control plane can keep the account's reservations cached between changes
-- (services/concurrency-rules.ts). The partial index serves the read of them all.
CREATE FUNCTION announce_reservations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('stratus_reservations', CASE TG_OP WHEN 'DELETE' THEN OLD.account_id ELSE NEW.account_id END);
  RETURN NULL;
END $$;
CREATE TRIGGER functions_reservation_set AFTER UPDATE OF reserved_concurrency ON functions
  FOR EACH ROW WHEN (OLD.reserved_concurrency IS DISTINCT FROM NEW.reserved_concurrency)
  EXECUTE FUNCTION announce_reservations();
CREATE TRIGGER functions_reservation_made AFTER INSERT ON functions
  FOR EACH ROW WHEN (NEW.reserved_concurrency IS NOT NULL)
  EXECUTE FUNCTION announce_reservations();
CREATE TRIGGER functions_reservation_dropped AFTER DELETE ON functions
  FOR EACH ROW WHEN (OLD.reserved_concurrency IS NOT NULL)
  EXECUTE FUNCTION announce_reservations();
CREATE INDEX functions_reserved ON functions (account_id) WHERE reserved_concurrency IS NOT NULL;
