// An S3-compatible store's notification that arrived as a queue message (MinIO's AMQP
// target, Ceph's amqp:// push endpoint) rather than at the receiver: normalised the
// same way, so a function behind a queue mapping decodes AWS's S3 event from the
// message, as from S3 through SQS. Any other message is left as it was sent.
import { normaliseNotification } from "./normalise.js";

/** The stores whose notifications are recognised in a queue message. */
const STORE_SOURCES = new Set(["minio:s3", "ceph:s3"]);
const MAX_BYTES = 1024 * 1024;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** `content` in AWS's S3 event shape when it is MinIO's or Ceph's notification; undefined otherwise. */
export function awsShapedNotification(content: Buffer, region: string): Buffer | undefined {
  if (content.length > MAX_BYTES || content[0] !== 0x7b) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(content.toString("utf8"));
  } catch {
    return undefined;
  }
  if (!isObj(body) || !Array.isArray(body.Records) || body.Records.length === 0) return undefined;
  if (!body.Records.every((r) => isObj(r) && STORE_SOURCES.has(r.eventSource as string))) return undefined;
  try {
    return Buffer.from(JSON.stringify({ Records: normaliseNotification(body, region).map((n) => n.record) }));
  } catch {
    // Not a notification after all: the function gets what was sent.
    return undefined;
  }
}

/** The region an ARN names (arn:aws:<service>:<region>:...), or "" when none. */
export const regionOfArn = (arn: string) => arn.split(":")[3] ?? "";
