// A queue's settable attributes: their ranges and defaults as SQS has them, the
// string map both protocols carry read into typed settings, and the names Stratus
// refuses (encryption) instead of storing and ignoring them; the access policy is
// checked and kept (queue-policy.ts), a FIFO queue's own in fifo-attributes.ts.
import {
  applyFifoAttribute,
  asksFifo,
  checkFifo,
  DEFAULT_FIFO,
  FIFO_ATTRIBUTES,
  type FifoSettings,
  fifoStrings,
} from "./fifo-attributes.js";
import { checkQueuePolicy } from "./queue-policy.js";
import { sqsErrors } from "./sqs-errors.js";

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export interface QueueSettings {
  visibilityTimeout: number;
  retentionSeconds: number;
  delaySeconds: number;
  waitSeconds: number;
  maxMessageSize: number;
  redrivePolicy?: RedrivePolicy;
  /** The Policy attribute's text, as given. */
  policy?: string;
  /** A FIFO queue's; absent for a standard queue. */
  fifo?: FifoSettings;
}

export const MAX_MESSAGE_BYTES = 262_144;

export const DEFAULT_SETTINGS: QueueSettings = {
  visibilityTimeout: 30,
  retentionSeconds: 345_600,
  delaySeconds: 0,
  waitSeconds: 0,
  maxMessageSize: MAX_MESSAGE_BYTES,
};

const RANGES: Record<
  string,
  { key: keyof Omit<QueueSettings, "redrivePolicy" | "policy" | "fifo">; min: number; max: number }
> = {
  VisibilityTimeout: { key: "visibilityTimeout", min: 0, max: 43_200 },
  MessageRetentionPeriod: { key: "retentionSeconds", min: 60, max: 1_209_600 },
  DelaySeconds: { key: "delaySeconds", min: 0, max: 900 },
  ReceiveMessageWaitTimeSeconds: { key: "waitSeconds", min: 0, max: 20 },
  MaximumMessageSize: { key: "maxMessageSize", min: 1024, max: MAX_MESSAGE_BYTES },
};

/** Attributes SQS has that Stratus does not implement, and the value that asks for nothing. */
const REFUSED: Record<string, string | undefined> = {
  KmsMasterKeyId: "",
  KmsDataKeyReusePeriodSeconds: undefined,
  SqsManagedSseEnabled: "false",
  RedriveAllowPolicy: "",
};

/** The attributes GetQueueAttributes answers, besides those above. */
export const READ_ONLY = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp",
  "LastModifiedTimestamp",
  "QueueArn",
  "SqsManagedSseEnabled",
];

export const ATTRIBUTE_NAMES = [...Object.keys(RANGES), "RedrivePolicy", "Policy", ...FIFO_ATTRIBUTES, ...READ_ONLY];

const invalid = (name: string, reason: string) =>
  sqsErrors.invalidAttributeValue(`Invalid value for the parameter ${name}. Reason: ${reason}`);

function redrive(value: string): RedrivePolicy | undefined {
  if (value === "") return undefined;
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    throw invalid("RedrivePolicy", "Redrive policy is not a valid JSON map.");
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw invalid("RedrivePolicy", "must be a JSON map");
  const p = v as Record<string, unknown>;
  for (const k of Object.keys(p)) {
    if (k !== "deadLetterTargetArn" && k !== "maxReceiveCount") {
      throw invalid(
        "RedrivePolicy",
        `Only deadLetterTargetArn and maxReceiveCount are supported attributes (${k.slice(0, 40)}).`,
      );
    }
  }
  if (typeof p.deadLetterTargetArn !== "string") throw invalid("RedrivePolicy", "Dead letter target arn is missing.");
  const count = typeof p.maxReceiveCount === "string" ? Number(p.maxReceiveCount) : p.maxReceiveCount;
  if (typeof count !== "number" || !Number.isInteger(count) || count < 1 || count > 1000) {
    throw invalid("RedrivePolicy", "Value for maxReceiveCount must be an integer from 1 to 1000.");
  }
  return { deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: count };
}

/** `base` with `attrs` applied; refuses unknown and unsupported names and values out of range. */
export function applyAttributes(base: QueueSettings, attrs: unknown): QueueSettings {
  if (attrs === undefined || attrs === null) return base;
  if (typeof attrs !== "object" || Array.isArray(attrs)) throw sqsErrors.invalidParameter("Attributes must be a map");
  const out: QueueSettings = { ...base };
  for (const [name, raw] of Object.entries(attrs as Record<string, unknown>)) {
    if (typeof raw !== "string") throw invalid(name, "the value must be a string");
    if (Object.hasOwn(REFUSED, name)) {
      if (REFUSED[name] === raw) continue;
      const why = name === "RedriveAllowPolicy" ? "" : ": its queues are unencrypted";
      throw sqsErrors.invalidAttributeName(`${name} is not supported by Stratus${why}`);
    }
    if (FIFO_ATTRIBUTES.includes(name)) {
      const fifo = applyFifoAttribute(out.fifo, name, raw);
      if (fifo) out.fifo = fifo;
      continue;
    }
    if (name === "Policy") {
      if (checkQueuePolicy(raw)) out.policy = raw;
      else delete out.policy;
      continue;
    }
    if (name === "RedrivePolicy") {
      const p = redrive(raw);
      if (p) out.redrivePolicy = p;
      else delete out.redrivePolicy;
      continue;
    }
    const range = RANGES[name];
    if (!range) throw sqsErrors.invalidAttributeName(`Unknown Attribute ${name.slice(0, 256)}.`);
    const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isInteger(n) || n < range.min || n > range.max) {
      throw invalid(name, `must be an integer from ${range.min} to ${range.max}`);
    }
    out[range.key] = n;
  }
  if (out.fifo) checkFifo(out.fifo);
  return out;
}

/** A new queue's settings: a FIFO queue's when the attributes ask for one (FifoQueue=true). */
export const createSettings = (attrs: unknown): QueueSettings =>
  applyAttributes(asksFifo(attrs) ? { ...DEFAULT_SETTINGS, fifo: DEFAULT_FIFO } : DEFAULT_SETTINGS, attrs);

/** The settable attributes as GetQueueAttributes writes them. */
export function attributeStrings(s: QueueSettings): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, { key }] of Object.entries(RANGES)) out[name] = String(s[key]);
  if (s.redrivePolicy) {
    // In SQS's key order (jsonb keeps keys in its own), which Terraform compares byte for byte.
    const { deadLetterTargetArn, maxReceiveCount } = s.redrivePolicy;
    out.RedrivePolicy = JSON.stringify({ deadLetterTargetArn, maxReceiveCount });
  }
  if (s.policy) out.Policy = s.policy;
  if (s.fifo) Object.assign(out, fifoStrings(s.fifo));
  return out;
}

/** Whether two settings are the same (CreateQueue on an existing name succeeds only then). */
export function sameSettings(a: QueueSettings, b: QueueSettings): boolean {
  return JSON.stringify(attributeStrings(a)) === JSON.stringify(attributeStrings(b));
}
