// A message as a receive hands it out, and the row it is read from: what was sent
// (its delay resolved into when it shows; in a FIFO queue its group, deduplication
// id and sequence), and its receipts since.
import type { MessageAttributes, OutgoingMessage } from "../store/sqs-messages.js";

export interface StoredMessage extends Omit<OutgoingMessage, "delaySeconds"> {
  sentAt: Date;
  receiveCount: number;
  firstReceivedAt?: Date;
  receipt: string;
}

export interface MessageRow {
  id: string;
  body: string;
  attributes: MessageAttributes;
  md5_body: string;
  md5_attributes: string | null;
  sender_id: string;
  sent_at: Date;
  receive_count: number;
  first_received_at: Date | null;
  receipt: string;
  /** A FIFO queue's messages' (bigint: a string). */
  group_id?: string | null;
  dedup_id?: string | null;
  sequence?: string | null;
}

export function toMessage(r: MessageRow): StoredMessage {
  return {
    id: r.id,
    body: r.body,
    attributes: r.attributes,
    md5Body: r.md5_body,
    ...(r.md5_attributes !== null ? { md5Attributes: r.md5_attributes } : {}),
    senderId: r.sender_id,
    sentAt: r.sent_at,
    receiveCount: r.receive_count,
    ...(r.first_received_at !== null ? { firstReceivedAt: r.first_received_at } : {}),
    receipt: r.receipt,
    ...(r.group_id != null && r.dedup_id != null && r.sequence != null
      ? { fifo: { groupId: r.group_id, dedupId: r.dedup_id, sequence: Number(r.sequence) } }
      : {}),
  };
}
