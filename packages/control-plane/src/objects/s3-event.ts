// The S3 event record as AWS delivers it to Lambda (eventVersion 2.1), and S3's own
// way of writing an object key into it: URL-encoded as a form value (space as '+'),
// with '/' kept. Bucket triggers hand functions exactly this shape, whatever store
// sent the notification.

export interface S3EventRecord {
  eventVersion: "2.1";
  eventSource: "aws:s3";
  awsRegion: string;
  eventTime: string;
  /** Without the `s3:` prefix, e.g. "ObjectCreated:Put". */
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: { "x-amz-request-id": string; "x-amz-id-2": string };
  s3: {
    s3SchemaVersion: "1.0";
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer: string };
  };
}

/** What a Lambda function receives: one record per invocation, as from S3. */
export interface S3Event {
  Records: S3EventRecord[];
}

/** Kept as-is by S3's key encoding; everything else (UTF-8 bytes) is %XX, a space '+'. */
const KEPT = /[A-Za-z0-9\-_.*/]/;

/** An object key written as S3 writes it into an event. */
export function encodeKey(key: string): string {
  let out = "";
  for (const ch of key) {
    if (KEPT.test(ch)) out += ch;
    else if (ch === " ") out += "+";
    else for (const b of Buffer.from(ch, "utf8")) out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The key an encoded one stands for ('+' is a space); undefined when the %-escapes are not valid UTF-8. */
export function decodeKey(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
