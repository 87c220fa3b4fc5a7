import { EventStreamCodec } from "@smithy/core/event-streams";
import { describe, expect, it } from "vitest";
import { invokeComplete, MAX_CHUNK_BYTES, payloadChunks } from "./event-stream.js";

// Decoded with the SDK's own codec, from the bytes as they go on the wire.
const decoder = new EventStreamCodec(
  (b) => Buffer.from(b).toString("utf8"),
  (s) => Buffer.from(s, "utf8"),
);

/** Each message of `wire`, split by the total length its prelude declares, decoded. */
function decodeAll(frames: Uint8Array[]) {
  const wire = Buffer.concat(frames);
  const messages = [];
  for (let at = 0; at < wire.length; ) {
    const total = wire.readUInt32BE(at);
    messages.push(decoder.decode(wire.subarray(at, at + total)));
    at += total;
  }
  return messages.map((m) => ({
    headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, v.value])),
    body: Buffer.from(m.body),
  }));
}

describe("event-stream framing", () => {
  it("frames a PayloadChunk the SDK's codec decodes back, headers and bytes", () => {
    const payload = Buffer.from([0, 1, 2, 255, 0x7b]);
    const [message] = decodeAll(payloadChunks(payload));
    expect(message?.headers).toEqual({
      ":event-type": "PayloadChunk",
      ":message-type": "event",
      ":content-type": "application/octet-stream",
    });
    expect(message?.body.equals(payload)).toBe(true);
  });

  it("splits a write over the chunk size into several chunks that join back", () => {
    const payload = Buffer.alloc(MAX_CHUNK_BYTES * 2 + 3, 7);
    const frames = payloadChunks(payload);
    expect(frames).toHaveLength(3);
    expect(Buffer.concat(decodeAll(frames).map((m) => m.body)).equals(payload)).toBe(true);
  });

  it("frames no chunk for no bytes", () => {
    expect(payloadChunks(Buffer.alloc(0))).toEqual([]);
  });

  it.each([
    ["a success", {}, {}],
    [
      "a failure with its log",
      { errorCode: "Error", errorDetails: "boom", logResult: "bG9n" },
      { ErrorCode: "Error", ErrorDetails: "boom", LogResult: "bG9n" },
    ],
  ])("frames InvokeComplete for %s", (_name, end, body) => {
    const [message] = decodeAll([invokeComplete(end)]);
    expect(message?.headers).toEqual({
      ":event-type": "InvokeComplete",
      ":message-type": "event",
      ":content-type": "application/json",
    });
    expect(JSON.parse(message?.body.toString() ?? "")).toEqual(body);
  });

  it("refuses a frame whose bytes were changed (its CRCs are real)", () => {
    const frame = Buffer.from(payloadChunks(Buffer.from("abc"))[0] as Uint8Array);
    const at = frame.length - 5;
    frame[at] = (frame[at] ?? 0) ^ 0xff;
    expect(() =>
      new EventStreamCodec(
        (b) => Buffer.from(b).toString(),
        (s) => Buffer.from(s),
      ).decode(frame),
    ).toThrow();
  });
});
