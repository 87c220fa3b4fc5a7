// What a send must say about FIFO, checked as SQS checks it. To a FIFO queue:
// MessageGroupId always, MessageDeduplicationId unless the queue deduplicates by
// content (then the SHA-256 of the body is the id), and no DelaySeconds of its own
// (the queue's applies). A standard queue takes neither id.
import { createHash } from "node:crypto";
import type { FifoSettings } from "./fifo-attributes.js";
import { sqsErrors } from "./sqs-errors.js";

export interface FifoIds {
  groupId: string;
  /** Undefined: the queue deduplicates by content (contentDedupId of the body). */
  dedupId: string | undefined;
}

/** Letters, digits and punctuation, 1 to 128 of them. */
const ID = /^[\x21-\x7e]{1,128}$/;

const given = (v: unknown) => v !== undefined && v !== null;

function idParam(entry: Record<string, unknown>, name: string): string | undefined {
  const v = entry[name];
  if (!given(v)) return undefined;
  if (typeof v !== "string" || !ID.test(v)) {
    throw sqsErrors.invalidParameter(
      `Value ${String(v).slice(0, 128)} for parameter ${name} is invalid. Reason: ${name} can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
    );
  }
  return v;
}

/** The ids a send to a queue with `fifo` carries; undefined for a standard queue (`fifo` undefined). */
export function fifoParams(entry: Record<string, unknown>, fifo: FifoSettings | undefined): FifoIds | undefined {
  if (!fifo) {
    for (const key of ["MessageDeduplicationId", "MessageGroupId"]) {
      if (given(entry[key])) {
        throw sqsErrors.invalidParameter(`The request include parameter ${key} that is not valid for this queue type`);
      }
    }
    return undefined;
  }
  if (given(entry.DelaySeconds)) {
    throw sqsErrors.invalidParameter(
      `Value ${String(entry.DelaySeconds).slice(0, 20)} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type (a FIFO queue's messages take its DelaySeconds).`,
    );
  }
  const groupId = idParam(entry, "MessageGroupId");
  if (groupId === undefined) throw sqsErrors.missingParameter("MessageGroupId");
  const dedupId = idParam(entry, "MessageDeduplicationId");
  if (dedupId === undefined && !fifo.contentBasedDeduplication) {
    throw sqsErrors.invalidParameter(
      "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
    );
  }
  return { groupId, dedupId };
}

/** The deduplication id of content-based deduplication: the body's SHA-256, in hex. */
export const contentDedupId = (body: string) => createHash("sha256").update(body, "utf8").digest("hex");
