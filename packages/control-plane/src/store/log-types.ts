// CloudWatch Logs' groups, streams and events as Stratus keeps them, what ingestion
// hands the store, and the bytes an event counts for against its group's cap.
import type { LogLine } from "@stratus/shared";

export interface LogGroup {
  name: string;
  createdAt: number;
  retentionDays?: number;
  storedBytes: number;
}

export interface LogStream {
  name: string;
  createdAt: number;
  firstEventAt: number;
  lastEventAt: number;
  lastIngestionAt: number;
}

export interface LogEvent {
  id: string;
  stream: string;
  timestamp: number;
  ingestionTime: number;
  message: string;
}

/** One stream's new events, as ingestion writes them. */
export interface StreamBatch {
  accountId: string;
  group: string;
  stream: string;
  events: LogLine[];
}

/** The bytes an event counts for against a group's cap (CloudWatch's 26 bytes of overhead, and the message). */
export const eventBytes = (message: string) => Buffer.byteLength(message) + 26;
