// What FIFO topics ask of their requests, checked as SNS checks them. A FIFO topic is
// named .fifo and created with FifoTopic true (the one never without the other; its
// type never changes); ContentBasedDeduplication true lets a publish leave out its
// MessageDeduplicationId (the SHA-256 of the message is the id). FifoThroughputScope
// Topic, the default, is taken; MessageGroup is refused by name. A publish to a FIFO
// topic needs a MessageGroupId; a standard topic takes neither id.
import { contentDedupId } from "../sqs/fifo-input.js";
import { snsErrors } from "./sns-errors.js";
import type { Body } from "./sns-input.js";

export interface FifoIds {
  groupId: string;
  dedupId: string;
}

export const isFifoTopic = (name: string) => name.endsWith(".fifo");

/** The attributes only a FIFO topic has. */
export const FIFO_ATTRIBUTES = ["FifoTopic", "ContentBasedDeduplication", "FifoThroughputScope"];

const NAME_REASON =
  "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.";

/** Checks FifoTopic as CreateTopic gives it (undefined: not given) against the topic's name. */
export function checkFifoTopic(name: string, given: string | undefined): void {
  const asked = given?.toLowerCase() === "true";
  if (given !== undefined && !["true", "false"].includes(given.toLowerCase()))
    throw snsErrors.invalidParameter("Attributes Reason: FifoTopic must be true or false");
  if (asked !== isFifoTopic(name)) throw snsErrors.invalidParameter(NAME_REASON);
}

/**
 * The FIFO attribute `name` set to `value` on a topic (`fifo`: a FIFO topic): the value
 * to keep, or undefined when it is the default (kept as nothing).
 */
export function checkFifoAttribute(name: string, value: string, fifo: boolean): string | undefined {
  if (name === "FifoTopic") {
    if (value.toLowerCase() !== String(fifo))
      throw snsErrors.invalidParameter("Attributes Reason: FifoTopic cannot be changed after a topic is created");
    return undefined;
  }
  if (!fifo) {
    if (name === "ContentBasedDeduplication" && value.toLowerCase() === "false") return undefined;
    throw snsErrors.invalidParameter(`Attributes Reason: ${name} is an attribute of FIFO topics only`);
  }
  if (name === "ContentBasedDeduplication") {
    const v = value.toLowerCase();
    if (v !== "true" && v !== "false")
      throw snsErrors.invalidParameter("Attributes Reason: ContentBasedDeduplication must be true or false");
    return v === "true" ? "true" : undefined;
  }
  if (value === "Topic") return undefined;
  if (value === "MessageGroup") throw snsErrors.unsupported("FifoThroughputScope MessageGroup");
  throw snsErrors.invalidParameter("Attributes Reason: FifoThroughputScope must be Topic or MessageGroup");
}

/** Letters, digits and punctuation, 1 to 128 of them. */
const ID = /^[\x21-\x7e]{1,128}$/;

function idParam(b: Body, name: string): string | undefined {
  const v = b[name];
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !ID.test(v))
    throw snsErrors.invalidParameter(`${name} Reason: 1 to 128 letters, digits and punctuation characters`);
  return v;
}

/**
 * The ids a publish (or a batch entry) `b` of `message` carries to a topic: for a FIFO
 * topic its group and deduplication id (given, or the message's SHA-256 with
 * content-based deduplication); undefined for a standard topic.
 */
export function fifoIds(
  b: Body,
  message: string,
  topic: { fifo: boolean; contentBasedDeduplication: boolean },
): FifoIds | undefined {
  const groupId = idParam(b, "MessageGroupId");
  const dedupId = idParam(b, "MessageDeduplicationId");
  if (!topic.fifo) {
    if (dedupId !== undefined)
      throw snsErrors.invalidParameter(
        "The request includes MessageDeduplicationId parameter that is not valid for this topic type",
      );
    if (groupId !== undefined) throw snsErrors.unsupported("MessageGroupId on a standard topic (SQS fair queues)");
    return undefined;
  }
  if (groupId === undefined)
    throw snsErrors.invalidParameter("The MessageGroupId parameter is required for FIFO topics");
  if (dedupId !== undefined) return { groupId, dedupId };
  if (!topic.contentBasedDeduplication)
    throw snsErrors.invalidParameter(
      "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
    );
  return { groupId, dedupId: contentDedupId(message) };
}
