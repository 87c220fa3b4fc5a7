// Turns the notification an S3-compatible store posts into AWS's S3 event records:
// MinIO's webhook body ({EventName, Key, Records}, eventSource "minio:s3", names with
// the "s3:" prefix, keys query-escaped), Ceph RGW's ({Records}, eventSource "ceph:s3",
// eventVersion 2.2, raw keys, sizes sometimes as strings, ARNs with a region) and
// AWS-shaped ones alike. A body that is not a notification is refused (400), whole.
import { errors } from "@stratus/shared";
import { bucketArn, decodeKey, encodeKey, type S3EventRecord } from "./s3-event.js";

/** One record of a notification, in AWS's shape, with the key as stored (for filters). */
export interface Normalised {
  record: S3EventRecord;
  /** The object's key as stored, not encoded. */
  key: string;
}

/** Records in one notification body. */
export const MAX_RECORDS = 100;
/** S3's longest key, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1024;

/** Sources whose records carry keys URL-encoded (MinIO query-escapes them, as S3 does); the rest send them raw. */
const ENCODED_KEY_SOURCES = new Set(["minio:s3", "aws:s3"]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

const malformed = (message: string) => errors.invalidRequestContent(`Malformed object notification: ${message}`);

function objAt(o: Obj, name: string, where: string): Obj {
  const v = o[name];
  if (!isObj(v)) throw malformed(`${where}.${name} must be an object`);
  return v;
}

function optionalString(o: Obj | undefined, name: string, where: string): string | undefined {
  const v = o?.[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw malformed(`${where}.${name} must be a string`);
  return v;
}

function requiredString(o: Obj, name: string, where: string): string {
  const v = optionalString(o, name, where);
  if (!v) throw malformed(`${where}.${name} is missing`);
  return v;
}

const optionalObj = (o: Obj, name: string) => (isObj(o[name]) ? (o[name] as Obj) : undefined);

function size(v: unknown, where: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "string" && /^\d{1,16}$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) {
    throw malformed(`${where}.size must be a non-negative integer`);
  }
  return n;
}

/** The records of a notification body, in AWS's shape; `region` stands in for a record without one. */
export function normaliseNotification(body: unknown, region: string): Normalised[] {
  if (!isObj(body) || !Array.isArray(body.Records)) throw malformed("the body must be an object with Records");
  const records = body.Records;
  if (records.length < 1 || records.length > MAX_RECORDS) {
    throw malformed(`Records must hold 1 to ${MAX_RECORDS} records`);
  }
  return records.map((r, i) => normaliseRecord(r, `Records[${i}]`, region));
}

function normaliseRecord(r: unknown, where: string, region: string): Normalised {
  if (!isObj(r)) throw malformed(`${where} must be an object`);
  const source = requiredString(r, "eventSource", where);
  const rawName = requiredString(r, "eventName", where);
  const eventName = rawName.startsWith("s3:") ? rawName.slice(3) : rawName;
  if (!/^[A-Za-z]+(:[A-Za-z]+)*$/.test(eventName)) throw malformed(`${where}.eventName is not an event name`);
  const time = new Date(requiredString(r, "eventTime", where));
  if (Number.isNaN(time.getTime())) throw malformed(`${where}.eventTime is not a time`);

  const s3 = objAt(r, "s3", where);
  const bucket = objAt(s3, "bucket", `${where}.s3`);
  const object = objAt(s3, "object", `${where}.s3`);
  const name = requiredString(bucket, "name", `${where}.s3.bucket`);
  if (name.length > 255 || name.includes("/")) throw malformed(`${where}.s3.bucket.name is not a bucket name`);
  const sentKey = requiredString(object, "key", `${where}.s3.object`);
  const key = ENCODED_KEY_SOURCES.has(source) ? decodeKey(sentKey) : sentKey;
  if (key === undefined) throw malformed(`${where}.s3.object.key is not valid URL encoding`);
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) throw malformed(`${where}.s3.object.key is longer than 1024 bytes`);

  const removed = eventName.startsWith("ObjectRemoved:");
  const objectSize = size(object.size, `${where}.s3.object`);
  const eTag = optionalString(object, "eTag", `${where}.s3.object`)?.replace(/^"(.*)"$/, "$1");
  const versionId = optionalString(object, "versionId", `${where}.s3.object`);
  const sequencer = optionalString(object, "sequencer", `${where}.s3.object`);
  const response = optionalObj(r, "responseElements");

  const record: S3EventRecord = {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: optionalString(r, "awsRegion", where) || region,
    eventTime: time.toISOString(),
    eventName,
    userIdentity: { principalId: optionalString(optionalObj(r, "userIdentity"), "principalId", where) ?? "" },
    requestParameters: {
      sourceIPAddress: optionalString(optionalObj(r, "requestParameters"), "sourceIPAddress", where) ?? "",
    },
    responseElements: {
      "x-amz-request-id": optionalString(response, "x-amz-request-id", where) ?? "",
      "x-amz-id-2": optionalString(response, "x-amz-id-2", where) ?? "",
    },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: optionalString(s3, "configurationId", where) ?? "",
      bucket: {
        name,
        ownerIdentity: {
          principalId: optionalString(optionalObj(bucket, "ownerIdentity"), "principalId", where) ?? "",
        },
        arn: bucketArn(name),
      },
      object: {
        key: encodeKey(key),
        // S3 sends neither for a removal.
        ...(objectSize !== undefined && !removed ? { size: objectSize } : {}),
        ...(eTag && !removed ? { eTag } : {}),
        ...(versionId && versionId !== "null" ? { versionId } : {}),
        sequencer: sequencer || time.getTime().toString(16).toUpperCase().padStart(16, "0"),
      },
    },
  };
  return { record, key };
}
