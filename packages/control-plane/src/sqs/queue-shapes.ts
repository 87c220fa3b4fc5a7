// What the queues' store hands out of a queue and of a receive, apart from the store
// itself, so that the FIFO store (fifo-store.ts) reads them without importing it.
import type { StoredMessage } from "./message-rows.js";
import type { QueueSettings } from "./queue-attributes.js";

export interface Queue {
  id: string;
  accountId: string;
  name: string;
  settings: QueueSettings;
  tags: Record<string, string>;
  createdAt: Date;
  lastModified: Date;
}

export interface QueueCounts {
  visible: number;
  inFlight: number;
  delayed: number;
}

export interface ReceiveResult {
  messages: StoredMessage[];
  /** Messages moved to the dead-letter queue, or dropped past their retention, by this claim. */
  skipped: number;
  /**
   * Known when a FIFO queue gave nothing: when its next hidden message shows (null:
   * none is hidden), its visible ones waiting behind a group's message in flight.
   */
  nextVisible?: Date | null;
}
