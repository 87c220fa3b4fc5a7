import { describe, expect, it } from "vitest";
import {
  decideTrace,
  formatTraceparent,
  formatXrayHeader,
  incomingTrace,
  newSpanId,
  newTraceId,
  parseTraceparent,
  parseXrayHeader,
  traceResponseHeaders,
  xrayRoot,
} from "./trace-context.js";

const ROOT = "1-5759e988-bd862e3fe1be46a994272793";
const TRACE_ID = "5759e988bd862e3fe1be46a994272793";

describe("X-Amzn-Trace-Id", () => {
  it.each([
    [
      `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
      { traceId: TRACE_ID, parentId: "53995c3f42cd8ad8", sampled: true },
    ],
    [`Root=${ROOT};Sampled=0`, { traceId: TRACE_ID, sampled: false }],
    [`Root=${ROOT}`, { traceId: TRACE_ID }],
    [`Root=${ROOT};Sampled=?`, { traceId: TRACE_ID }],
    [`root=${ROOT.toUpperCase()} ; parent=53995C3F42CD8AD8`, { traceId: TRACE_ID, parentId: "53995c3f42cd8ad8" }],
    [`Self=1-abc;Root=${ROOT};Lineage=a:1`, { traceId: TRACE_ID }],
    [`Root=${ROOT};Parent=xyz;Sampled=1`, { traceId: TRACE_ID, sampled: true }],
  ])("reads %s", (header, expected) => {
    expect(parseXrayHeader(header)).toEqual(expected);
  });

  it.each([
    "",
    "Parent=53995c3f42cd8ad8;Sampled=1",
    "Root=2-5759e988-bd862e3fe1be46a994272793",
    "Root=1-5759e988-bd862e3fe1be46a99427279",
    "Root=1-5759e98g-bd862e3fe1be46a994272793",
    "Root=1-00000000-000000000000000000000000",
    "garbage",
  ])("refuses %j", (header) => {
    expect(parseXrayHeader(header)).toBeUndefined();
  });

  it("writes the full Root=;Parent=;Sampled= form", () => {
    expect(formatXrayHeader({ traceId: TRACE_ID, parentId: "53995c3f42cd8ad8", sampled: true })).toBe(
      `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
    );
    expect(formatXrayHeader({ traceId: TRACE_ID, sampled: false })).toBe(`Root=${ROOT};Sampled=0`);
  });

  it("maps the root to the W3C trace id and back", () => {
    expect(xrayRoot(TRACE_ID)).toBe(ROOT);
    expect(parseXrayHeader(`Root=${xrayRoot(TRACE_ID)}`)?.traceId).toBe(TRACE_ID);
  });
});

describe("traceparent", () => {
  it.each([
    ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", true],
    ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", false],
    ["01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03-later", true],
  ])("reads %s", (header, sampled) => {
    expect(parseTraceparent(header)).toEqual({
      traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
      parentId: "00f067aa0ba902b7",
      sampled,
    });
  });

  it.each([
    "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
    "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
    "",
  ])("refuses %j", (header) => {
    expect(parseTraceparent(header)).toBeUndefined();
  });

  it("writes the same trace X-Ray's header names", () => {
    const t = { traceId: TRACE_ID, parentId: "53995c3f42cd8ad8", sampled: true };
    expect(formatTraceparent(t)).toBe(`00-${TRACE_ID}-53995c3f42cd8ad8-01`);
    expect(traceResponseHeaders(t)).toEqual({
      "x-amzn-trace-id": `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
      traceparent: `00-${TRACE_ID}-53995c3f42cd8ad8-01`,
    });
  });
});

describe("incomingTrace", () => {
  const from = (h: Record<string, string>) => incomingTrace((n) => h[n]);
  it("prefers X-Amzn-Trace-Id, falls back to traceparent, and ignores invalid ones", () => {
    const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    expect(from({ "x-amzn-trace-id": `Root=${ROOT}`, traceparent: tp })?.traceId).toBe(TRACE_ID);
    expect(from({ "x-amzn-trace-id": "junk", traceparent: tp })?.traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(from({})).toBeUndefined();
  });
});

describe("decideTrace", () => {
  it.each([
    [undefined, "Active", true],
    [undefined, "PassThrough", false],
    [{ traceId: TRACE_ID }, "Active", true],
    [{ traceId: TRACE_ID }, "PassThrough", false],
    [{ traceId: TRACE_ID, sampled: false }, "Active", false],
    [{ traceId: TRACE_ID, sampled: true }, "PassThrough", true],
  ] as const)("incoming %j in mode %s samples: %s", (incoming, mode, sampled) => {
    const t = decideTrace(incoming, mode);
    expect(t.sampled).toBe(sampled);
    if (incoming) expect(t.traceId).toBe(TRACE_ID);
  });

  it("gives a new root the time in its first 8 hex digits", () => {
    const t = decideTrace(undefined, "Active", Date.UTC(2026, 0, 1));
    expect(t.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(parseInt(t.traceId.slice(0, 8), 16)).toBe(Date.UTC(2026, 0, 1) / 1000);
    expect(t.parentId).toBeUndefined();
  });

  it("draws distinct ids", () => {
    expect(newTraceId()).not.toBe(newTraceId());
    expect(newSpanId()).toMatch(/^[0-9a-f]{16}$/);
  });
});
