-- The accepting control plane puts a new event in the queue itself, right after the
-- commit, and then deletes its outbox row; the relay leaves such a row alone until
-- `relay_after`, and only sends it if the accepting process did not (it crashed, or
-- Redis refused). Rows written for the relay alone are due at once.
ALTER TABLE async_outbox ADD COLUMN relay_after timestamptz NOT NULL DEFAULT now();
