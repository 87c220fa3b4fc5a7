-- How many of an async invocation's attempts were given back (a throttle, a platform
-- error, no call made): the backoff of the next one grows with it. `attempt` cannot
-- say it, since a give-back takes its attempt back; without this, an event whose
-- attempts kept failing on the platform was retried about once a second until its
-- maximum age. Counted in the same conditional update that records the give-back,
-- so a stale attempt's end counts nothing.
ALTER TABLE async_invocations ADD COLUMN given_back integer NOT NULL DEFAULT 0;
