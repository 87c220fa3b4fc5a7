// What a SendMessage (or one SendMessageBatch entry) asks for, checked as SQS checks
// it: the body's characters, the message attributes' names, types and values, the
// delay, and the size of body and attributes together against the queue's limit; a
// FIFO queue's group and deduplication ids (fifo-input.ts).
import type { MessageAttributes } from "../store/sqs-messages.js";
import type { FifoSettings } from "./fifo-attributes.js";
import { contentDedupId, fifoParams } from "./fifo-input.js";
import { md5OfAttributes, md5OfBody } from "./md5.js";
import { sqsErrors } from "./sqs-errors.js";

export interface NewMessage {
  body: string;
  attributes: MessageAttributes;
  md5Body: string;
  md5Attributes?: string;
  /** Undefined: the queue's DelaySeconds. */
  delaySeconds?: number;
  /** To a FIFO queue: its group and deduplication id. */
  fifo?: { groupId: string; dedupId: string };
}

type Body = Record<string, unknown>;

const isObject = (v: unknown): v is Body => typeof v === "object" && v !== null && !Array.isArray(v);

/** The characters SQS allows in a body and in string attribute values. */
const ALLOWED = {
  test(s: string): boolean {
    for (const ch of s) {
      const c = ch.codePointAt(0) as number;
      const ok =
        c === 0x9 ||
        c === 0xa ||
        c === 0xd ||
        (c >= 0x20 && c <= 0xd7ff) ||
        (c >= 0xe000 && c <= 0xfffd) ||
        (c >= 0x10000 && c <= 0x10ffff);
      if (!ok) return false;
    }
    return true;
  },
};
const ATTRIBUTE_NAME = /^[A-Za-z0-9_\-.]{1,256}$/;
const DATA_TYPE = /^(String|Number|Binary)(\.[^\s]{1,250})?$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const MAX_ATTRIBUTES = 10;

function attributeName(name: string): void {
  const bad =
    !ATTRIBUTE_NAME.test(name) ||
    name.startsWith(".") ||
    name.endsWith(".") ||
    name.includes("..") ||
    /^(aws\.|amazon\.)/i.test(name);
  if (bad) {
    throw sqsErrors.invalidParameter(
      `Message attribute name '${name.slice(0, 256)}' is invalid: use 1 to 256 letters, digits, '_', '-' or '.', not starting with AWS. or Amazon.`,
    );
  }
}

/** Message attributes as given in either protocol (values as base64 for Binary). */
export function messageAttributes(v: unknown): MessageAttributes {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw sqsErrors.invalidParameter("MessageAttributes must be a map of names to values");
  const names = Object.keys(v);
  if (names.length > MAX_ATTRIBUTES) {
    throw sqsErrors.invalidParameter(
      `Number of message attributes [${names.length}] exceeds the allowed maximum [10].`,
    );
  }
  const out: MessageAttributes = {};
  for (const name of names) {
    attributeName(name);
    const a = v[name];
    if (!isObject(a)) throw sqsErrors.invalidParameter(`Message attribute '${name}' must have a DataType and a value`);
    for (const key of Object.keys(a)) {
      if (key === "StringListValues" || key === "BinaryListValues") {
        if (Array.isArray(a[key]) && (a[key] as unknown[]).length === 0) continue;
        throw sqsErrors.unsupported(`Message attribute list values are not supported (${name}.${key})`);
      }
      if (!["DataType", "StringValue", "BinaryValue"].includes(key)) {
        throw sqsErrors.invalidParameter(`Message attribute '${name}' has an unknown field ${key.slice(0, 64)}`);
      }
    }
    const type = a.DataType;
    if (typeof type !== "string" || !DATA_TYPE.test(type)) {
      throw sqsErrors.invalidParameter(
        `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
      );
    }
    if (type.startsWith("Binary")) {
      const b = a.BinaryValue;
      if (typeof b !== "string" || b.length === 0 || !BASE64.test(b) || a.StringValue !== undefined) {
        throw sqsErrors.invalidParameter(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      }
      out[name] = { DataType: type, BinaryValue: Buffer.from(b, "base64").toString("base64") };
      continue;
    }
    const s = a.StringValue;
    if (typeof s !== "string" || s.length === 0 || a.BinaryValue !== undefined) {
      throw sqsErrors.invalidParameter(
        `The message attribute '${name}' with type '${type.split(".")[0]}' must use field 'String'.`,
      );
    }
    if (!ALLOWED.test(s)) throw sqsErrors.invalidContents(`Message attribute '${name}' contains invalid characters`);
    if (type.startsWith("Number") && (!NUMBER.test(s) || s.replace(/[^0-9]/g, "").length > 38)) {
      throw sqsErrors.invalidParameter(`Can't cast the value of message (user) attribute '${name}' to a number.`);
    }
    out[name] = { DataType: type, StringValue: s };
  }
  return out;
}

/** The bytes body and attributes count against MaximumMessageSize. */
export function messageSize(body: string, attrs: MessageAttributes): number {
  let n = Buffer.byteLength(body, "utf8");
  for (const [name, a] of Object.entries(attrs)) {
    n += Buffer.byteLength(name) + Buffer.byteLength(a.DataType);
    n +=
      a.BinaryValue !== undefined
        ? Buffer.from(a.BinaryValue, "base64").length
        : Buffer.byteLength(a.StringValue ?? "");
  }
  return n;
}

function delay(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 900) {
    throw sqsErrors.invalidParameter(
      `Value ${String(v).slice(0, 20)} for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.`,
    );
  }
  return n;
}

/** One message to send; `maxSize`: the queue's MaximumMessageSize, `fifo` a FIFO queue's settings. */
export function newMessage(entry: Body, maxSize: number, fifo?: FifoSettings): NewMessage {
  const ids = fifoParams(entry, fifo);
  const sys = entry.MessageSystemAttributes;
  if (sys !== undefined && sys !== null && !(isObject(sys) && Object.keys(sys).length === 0)) {
    throw sqsErrors.unsupported("MessageSystemAttributes (AWSTraceHeader) are not supported by Stratus yet");
  }
  const body = entry.MessageBody;
  if (body === undefined || body === null) throw sqsErrors.missingParameter("MessageBody");
  if (typeof body !== "string" || body.length === 0) {
    throw sqsErrors.invalidParameter("The request must contain the parameter MessageBody.");
  }
  if (!ALLOWED.test(body)) {
    throw sqsErrors.invalidContents(
      "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
    );
  }
  const attributes = messageAttributes(entry.MessageAttributes);
  const size = messageSize(body, attributes);
  if (size > maxSize) {
    throw sqsErrors.invalidParameter(
      `One or more parameters are invalid. Reason: Message must be shorter than ${maxSize} bytes.`,
    );
  }
  const md5Attributes = md5OfAttributes(attributes);
  const delaySeconds = delay(entry.DelaySeconds);
  return {
    body,
    attributes,
    md5Body: md5OfBody(body),
    ...(md5Attributes ? { md5Attributes } : {}),
    ...(delaySeconds !== undefined ? { delaySeconds } : {}),
    ...(ids ? { fifo: { groupId: ids.groupId, dedupId: ids.dedupId ?? contentDedupId(body) } } : {}),
  };
}
