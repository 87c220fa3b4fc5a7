// Receipt handles: opaque to clients, naming the queue, the message and the receive
// that handed it out. Each receive draws a new random token, so the handle of an
// earlier receive no longer matches the message.
import { sqsErrors } from "./sqs-errors.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface Receipt {
  queueId: string;
  messageId: string;
  token: string;
}

export const receiptHandle = (r: Receipt) =>
  Buffer.from(`1:${r.queueId}:${r.messageId}:${r.token}`, "utf8").toString("base64url");

/** The receipt a handle holds, if it is one of queue `queueId`'s; otherwise ReceiptHandleIsInvalid. */
export function parseReceiptHandle(v: unknown, queueId: string): Receipt {
  if (v === undefined || v === null || v === "") throw sqsErrors.missingParameter("ReceiptHandle");
  const invalid = () =>
    sqsErrors.invalidReceiptHandle(
      `The input receipt handle "${String(v).slice(0, 100)}" is not a valid receipt handle.`,
    );
  if (typeof v !== "string" || v.length > 1024) throw invalid();
  const parts = Buffer.from(v, "base64url").toString("utf8").split(":");
  const [version, queue, messageId, token] = parts;
  if (parts.length !== 4 || version !== "1" || !messageId || !token || !UUID.test(messageId) || !UUID.test(token)) {
    throw invalid();
  }
  if (queue !== queueId) throw invalid();
  return { queueId, messageId, token };
}
