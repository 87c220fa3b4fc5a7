-- Messages other services publish to SNS topics (an alarm's action, a rule's or a
-- schedule's target, an async invocation's destination, a workflow task): written in
-- the transaction of what publishes them, then fanned out to the topic's subscriptions
-- by sns/publish-relay.ts, which writes the deliveries and deletes the request in one
-- transaction. The id is the message's MessageId; a request written twice (a workflow
-- task performed again) is written once.
CREATE TABLE sns_publish_requests (
  id uuid PRIMARY KEY,
  account_id text NOT NULL,
  topic_arn text NOT NULL,
  message text NOT NULL,
  subject text,
  -- {name: {DataType, StringValue | BinaryValue}}
  attributes jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  attempts int NOT NULL DEFAULT 0,
  next_try_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sns_publish_requests_due ON sns_publish_requests (next_try_at);
