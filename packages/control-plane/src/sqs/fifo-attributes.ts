// A FIFO queue's own attributes, checked as SQS checks them: FifoQueue (asked for at
// creation, never changed after), ContentBasedDeduplication, DeduplicationScope and
// FifoThroughputLimit (perMessageGroupId only with the messageGroup scope). A
// standard queue takes none of them but the values that ask for nothing.
import { sqsErrors } from "./sqs-errors.js";

export interface FifoSettings {
  /** A send without MessageDeduplicationId is deduplicated by the SHA-256 of its body. */
  contentBasedDeduplication: boolean;
  deduplicationScope: "queue" | "messageGroup";
  /** Kept and answered: Stratus has no per-queue throughput limit to apply. */
  fifoThroughputLimit: "perQueue" | "perMessageGroupId";
}

export const DEFAULT_FIFO: FifoSettings = {
  contentBasedDeduplication: false,
  deduplicationScope: "queue",
  fifoThroughputLimit: "perQueue",
};

export const FIFO_ATTRIBUTES = ["FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"];

const SCOPES = ["queue", "messageGroup"] as const;
const LIMITS = ["perQueue", "perMessageGroupId"] as const;

const invalid = (name: string, reason: string) =>
  sqsErrors.invalidAttributeValue(`Invalid value for the parameter ${name}. Reason: ${reason}`);

function bool(name: string, raw: string): boolean {
  const v = raw.toLowerCase();
  if (v !== "true" && v !== "false") throw invalid(name, "must be true or false.");
  return v === "true";
}

/** Whether CreateQueue's attributes ask for a FIFO queue (FifoQueue=true). */
export function asksFifo(attrs: unknown): boolean {
  if (typeof attrs !== "object" || attrs === null || Array.isArray(attrs)) return false;
  const raw = (attrs as Record<string, unknown>).FifoQueue;
  return typeof raw === "string" && bool("FifoQueue", raw);
}

/** `fifo` (undefined: a standard queue) with the FIFO attribute `name` set to `raw`. */
export function applyFifoAttribute(
  fifo: FifoSettings | undefined,
  name: string,
  raw: string,
): FifoSettings | undefined {
  if (name === "FifoQueue") {
    if (bool(name, raw) !== (fifo !== undefined)) {
      throw sqsErrors.invalidAttributeName(
        "FifoQueue cannot be changed: a queue is a FIFO queue (named .fifo) or a standard queue from its creation.",
      );
    }
    return fifo;
  }
  if (!fifo) {
    if (name === "ContentBasedDeduplication" && raw === "false") return undefined;
    throw sqsErrors.invalidAttributeName(
      `${name} is an attribute of FIFO queues only (a queue named .fifo, created with FifoQueue=true).`,
    );
  }
  if (name === "ContentBasedDeduplication") return { ...fifo, contentBasedDeduplication: bool(name, raw) };
  if (name === "DeduplicationScope") {
    const scope = SCOPES.find((s) => s === raw);
    if (!scope) throw invalid(name, "must be queue or messageGroup.");
    return { ...fifo, deduplicationScope: scope };
  }
  const limit = LIMITS.find((l) => l === raw);
  if (!limit) throw invalid(name, "must be perQueue or perMessageGroupId.");
  return { ...fifo, fifoThroughputLimit: limit };
}

/** Refuses what the attributes set together cannot be. */
export function checkFifo(fifo: FifoSettings): void {
  if (fifo.fifoThroughputLimit === "perMessageGroupId" && fifo.deduplicationScope !== "messageGroup") {
    throw invalid("FifoThroughputLimit", "perMessageGroupId is only valid when DeduplicationScope is messageGroup.");
  }
}

/** The attributes as GetQueueAttributes writes them. */
export const fifoStrings = (fifo: FifoSettings): Record<string, string> => ({
  FifoQueue: "true",
  ContentBasedDeduplication: String(fifo.contentBasedDeduplication),
  DeduplicationScope: fifo.deduplicationScope,
  FifoThroughputLimit: fifo.fifoThroughputLimit,
});
