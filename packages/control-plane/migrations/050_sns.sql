-- SNS topics and their subscriptions (sns/). A topic's settable attributes are kept
-- as given (DisplayName, Policy, DeliveryPolicy), with its tags; a subscription
-- belongs to its topic (deleted with it) and names its protocol's endpoint, a function
-- or a queue ARN of the topic's account. Publish writes no rows here: each message's
-- deliveries are async invocations and queue messages, committed before it answers.
CREATE TABLE sns_topics (
  id bigserial PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name text NOT NULL,
  -- {DisplayName, Policy, DeliveryPolicy, ...} as set.
  attributes jsonb NOT NULL DEFAULT '{}',
  tags jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, name)
);

CREATE TABLE sns_subscriptions (
  id uuid PRIMARY KEY,
  topic_id bigint NOT NULL REFERENCES sns_topics (id) ON DELETE CASCADE,
  protocol text NOT NULL,
  endpoint text NOT NULL,
  -- {FilterPolicy, FilterPolicyScope, RawMessageDelivery, RedrivePolicy} as set.
  attributes jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (topic_id, protocol, endpoint)
);
CREATE INDEX sns_subscriptions_topic ON sns_subscriptions (topic_id, created_at, id);
