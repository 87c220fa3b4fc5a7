import { describe, expect, it } from "vitest";
import { LOG_MARKER_PREFIX, MARKER_MAX_CHARS, markedStreams, newNonce, parseMarker } from "./log-markers.js";

const NONCE = "0123456789abcdef0123456789abcdef";

describe("parseMarker", () => {
  it.each([
    ["a marker", `${LOG_MARKER_PREFIX}r1 ${NONCE}`, { at: 0, requestId: "r1", nonce: NONCE }],
    ["one after unended output", `50%${LOG_MARKER_PREFIX}r1 ${NONCE}`, { at: 3, requestId: "r1", nonce: NONCE }],
    ["one ended by CRLF", `${LOG_MARKER_PREFIX}r1 ${NONCE}\r`, { at: 0, requestId: "r1", nonce: NONCE }],
    [
      "the last of two",
      `${LOG_MARKER_PREFIX}forged${LOG_MARKER_PREFIX}r1 ${NONCE}`,
      { at: 19, requestId: "r1", nonce: NONCE },
    ],
  ])("reads %s", (_name, raw, marker) => {
    expect(parseMarker(raw)).toEqual(marker);
  });

  it.each([
    ["a plain line", "hello"],
    ["an old marker, without a nonce", `${LOG_MARKER_PREFIX}r1`],
    ["a short nonce", `${LOG_MARKER_PREFIX}r1 0123abcd`],
    ["a nonce not in lower-case hex", `${LOG_MARKER_PREFIX}r1 ${NONCE.toUpperCase()}`],
    ["text after the nonce", `${LOG_MARKER_PREFIX}r1 ${NONCE} and more`],
    ["a marker followed by output", `${LOG_MARKER_PREFIX}r1 ${NONCE}\rnext`],
  ])("reads no marker in %s", (_name, raw) => {
    expect(parseMarker(raw)).toBeUndefined();
  });

  it("bounds a marker of the longest request id and a fresh nonce", () => {
    const longest = `${LOG_MARKER_PREFIX}${"a".repeat(64)} ${newNonce()}`;
    expect(longest.length).toBe(MARKER_MAX_CHARS);
    expect(parseMarker(longest)?.requestId).toBe("a".repeat(64));
  });
});

describe("markedStreams", () => {
  it("reads which streams a result says were marked", () => {
    expect(markedStreams("stdout,stderr")).toEqual([0, 1]);
    expect(markedStreams("stderr")).toEqual([1]);
    expect(markedStreams("none")).toEqual([]);
    expect(markedStreams(undefined)).toBeUndefined();
    expect(markedStreams("stdout,fd3")).toBeUndefined();
    expect(markedStreams(["stdout", "stderr"])).toBeUndefined();
  });
});
