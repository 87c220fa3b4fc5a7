// An invocation's trace context and its two wire forms: AWS X-Ray's
// `X-Amzn-Trace-Id: Root=1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx;Parent=16hex;Sampled=0|1`
// and W3C's `traceparent: 00-<32 hex trace id>-<16 hex parent>-<2 hex flags>`. The two
// name the same trace: X-Ray's root 1-AAAAAAAA-BBBB...B is the trace id AAAAAAAABBBB...B.
// Pure functions; the control plane reads what a caller sent, the invoker writes what
// a function sees.
import { randomHex } from "./random-hex.js";

/** What a caller may send: a trace, perhaps a parent span, perhaps a sampling decision. */
export interface IncomingTrace {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  parentId?: string;
  /** Absent: the caller left the decision to us (X-Ray's Sampled=? or none). */
  sampled?: boolean;
}

/** A trace context whose sampling is decided. */
export interface TraceContext extends IncomingTrace {
  sampled: boolean;
}

export type TracingMode = "Active" | "PassThrough";

export const traceHeaders = {
  xray: "x-amzn-trace-id",
  traceparent: "traceparent",
} as const;

const XRAY_ROOT = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/;
const HEX16 = /^[0-9a-f]{16}$/;
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const zero = (hex: string) => /^0+$/.test(hex);

/** A new trace id, X-Ray style: its first 8 hex digits the epoch seconds, the rest random. */
export function newTraceId(now = Date.now()): string {
  return (
    Math.floor(now / 1000)
      .toString(16)
      .padStart(8, "0") + randomHex(12)
  );
}

/** A new span id: 16 random hex digits. */
export function newSpanId(): string {
  return randomHex(8);
}

/** The X-Ray root of a trace id: 1-AAAAAAAA-BBBBBBBBBBBBBBBBBBBBBBBB. */
export function xrayRoot(traceId: string): string {
  return `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
}

/** Parses an X-Amzn-Trace-Id header; undefined when it names no valid root. */
export function parseXrayHeader(value: string): IncomingTrace | undefined {
  const fields = new Map<string, string>();
  for (const part of value.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const root = XRAY_ROOT.exec((fields.get("root") ?? "").toLowerCase());
  if (!root || zero(`${root[1]}${root[2]}`)) return undefined;
  const trace: IncomingTrace = { traceId: `${root[1]}${root[2]}` };
  const parent = fields.get("parent")?.toLowerCase();
  if (parent && HEX16.test(parent) && !zero(parent)) trace.parentId = parent;
  const sampled = fields.get("sampled");
  if (sampled === "1") trace.sampled = true;
  else if (sampled === "0") trace.sampled = false;
  return trace;
}

/** Parses a W3C traceparent header (version 00, or a later one read as 00); undefined when invalid. */
export function parseTraceparent(value: string): IncomingTrace | undefined {
  const m = TRACEPARENT.exec(value.trim().toLowerCase());
  if (!m) return undefined;
  const [, version, traceId, parentId, flags, rest] = m as unknown as string[];
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (zero(traceId as string) || zero(parentId as string)) return undefined;
  return {
    traceId: traceId as string,
    parentId: parentId as string,
    sampled: (parseInt(flags as string, 16) & 1) === 1,
  };
}

/**
 * The trace a request carries: X-Amzn-Trace-Id when valid (Lambda's own header wins),
 * else traceparent; undefined when neither is there or valid.
 */
export function incomingTrace(get: (name: string) => string | undefined): IncomingTrace | undefined {
  const xray = get(traceHeaders.xray);
  const fromXray = xray ? parseXrayHeader(xray) : undefined;
  if (fromXray) return fromXray;
  const tp = get(traceHeaders.traceparent);
  return tp ? parseTraceparent(tp) : undefined;
}

/**
 * Decides an invocation's trace: the caller's, when it sent one (its sampling decision
 * kept), else a new root; undecided sampling is the function's mode (Active samples).
 */
export function decideTrace(incoming: IncomingTrace | undefined, mode: TracingMode, now = Date.now()): TraceContext {
  const base = incoming ?? { traceId: newTraceId(now) };
  return { ...base, sampled: base.sampled ?? mode === "Active" };
}

/** The X-Amzn-Trace-Id form, in full (Root=;Parent=;Sampled=) when it has a parent. */
export function formatXrayHeader(t: IncomingTrace): string {
  const parts = [`Root=${xrayRoot(t.traceId)}`];
  if (t.parentId) parts.push(`Parent=${t.parentId}`);
  if (t.sampled !== undefined) parts.push(`Sampled=${t.sampled ? 1 : 0}`);
  return parts.join(";");
}

/** The W3C traceparent form of a context with a parent. */
export function formatTraceparent(t: TraceContext & { parentId: string }): string {
  return `00-${t.traceId}-${t.parentId}-${t.sampled ? "01" : "00"}`;
}

/** Both response headers of a trace (traceparent only when it has a parent). */
export function traceResponseHeaders(t: TraceContext): Record<string, string> {
  const h: Record<string, string> = { [traceHeaders.xray]: formatXrayHeader(t) };
  if (t.parentId) h[traceHeaders.traceparent] = formatTraceparent({ ...t, parentId: t.parentId });
  return h;
}
