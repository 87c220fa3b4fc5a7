// InvokeWithResponseStream's answer in the AWS event-stream encoding
// (application/vnd.amazon.eventstream): each message a prelude of total and header
// lengths with its CRC32, typed headers, the payload, and a CRC32 of the whole. The
// framing is @smithy/core's EventStreamCodec, the codec the AWS SDKs decode with,
// not ours to get wrong.
import { EventStreamCodec } from "@smithy/core/event-streams";

export const EVENT_STREAM_CONTENT_TYPE = "application/vnd.amazon.eventstream";
/** A PayloadChunk carries at most this much: big writes go out as several. */
export const MAX_CHUNK_BYTES = 256 * 1024;

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"),
  (text) => Buffer.from(text, "utf8"),
);

const header = (value: string) => ({ type: "string" as const, value });

/** One event message of type `type`. */
export function event(type: string, contentType: string, body: Uint8Array): Uint8Array {
  return codec.encode({
    headers: {
      ":event-type": header(type),
      ":message-type": header("event"),
      ":content-type": header(contentType),
    },
    body,
  });
}

/** An exception message (a modelled error ending the stream), its body `{"message"}` as awsJson errors carry it. */
export function exception(type: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ":exception-type": header(type),
      ":message-type": header("exception"),
      ":content-type": header("application/json"),
    },
    body: Buffer.from(JSON.stringify({ message })),
  });
}

/** PayloadChunk events carrying `bytes` (several, if it is over MAX_CHUNK_BYTES). */
export function payloadChunks(bytes: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += MAX_CHUNK_BYTES) {
    out.push(event("PayloadChunk", "application/octet-stream", bytes.subarray(at, at + MAX_CHUNK_BYTES)));
  }
  return out;
}

/** The InvokeComplete event that ends the answer; an error's code and details when the function failed. */
export function invokeComplete(end: { errorCode?: string; errorDetails?: string; logResult?: string }): Uint8Array {
  const body: Record<string, string> = {};
  if (end.errorCode !== undefined) body.ErrorCode = end.errorCode;
  if (end.errorDetails !== undefined) body.ErrorDetails = end.errorDetails;
  if (end.logResult !== undefined) body.LogResult = end.logResult;
  return event("InvokeComplete", "application/json", Buffer.from(JSON.stringify(body)));
}
