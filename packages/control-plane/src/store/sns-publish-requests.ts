// Messages published to SNS topics from inside Stratus (migration 051): written with
// whatever publishes them, fanned out later by sns/publish-relay.ts.

import type { BoundedDb } from "./pg-helpers.js";
import type { MessageAttributes } from "./sqs-messages.js";

export interface PublishRequest {
  /** Also the message's MessageId. */
  id: string;
  accountId: string;
  topicArn: string;
  message: string;
  subject?: string;
  attributes?: MessageAttributes;
  /** json: `message` is a JSON object of a message per protocol (its `default` for the others). */
  structure?: "json";
}

/** Writes `requests` in the caller's transaction (one already written is left as it is). */
export async function insertPublishRequests(c: BoundedDb, requests: PublishRequest[]): Promise<void> {
  if (requests.length === 0) return;
  await c.query(
    `INSERT INTO sns_publish_requests (id, account_id, topic_arn, message, subject, attributes, message_structure)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[])
     ON CONFLICT DO NOTHING`,
    [
      requests.map((r) => r.id),
      requests.map((r) => r.accountId),
      requests.map((r) => r.topicArn),
      requests.map((r) => r.message),
      requests.map((r) => r.subject ?? null),
      requests.map((r) => JSON.stringify(r.attributes ?? {})),
      requests.map((r) => r.structure ?? null),
    ],
  );
}
