// The internal invoke protocol between the control plane and an invoker node.
// Request: POST /internal/v1/invoke, the function's spec as JSON in the
// `x-stratus-invoke-spec` header (validated on both ends with InvokeSpecSchema; it
// is the same for every call of a function version, so an invoker can cache its
// validation), the call's request id and client context in their own headers, the
// raw event as the body. Response: 200 with the raw function result as the body,
// `x-stratus-function-error` set when the function failed (the body then holds
// Lambda's {errorMessage, errorType, stackTrace}); any other status is a restJson1
// platform error with `x-amzn-errortype`, written and read back by the pair in
// rest-json-errors.ts. A caller that sets `x-stratus-accept-stream` takes a streamed
// result as it comes: 200, `x-stratus-response-mode: streaming`, the function's
// content type, the body chunked, and how it ended in trailers (streamTrailers).
// Every answer of a run carries what it used (usageHeader, run-usage.ts).
import { z } from "zod";
import type { RunUsage } from "./run-usage.js";
import type { TraceContext } from "./trace-context.js";
import { limits } from "./wire.js";

export const internalInvoke = {
  path: "/internal/v1/invoke",
  specHeader: "x-stratus-invoke-spec",
  requestIdHeader: "x-stratus-request-id",
  clientContextHeader: "x-stratus-client-context",
  /** Request: "Tail" asks for the log tail; response: its base64 last 4 KB. */
  logTypeHeader: "x-stratus-log-type",
  logResultHeader: "x-stratus-log-result",
  /** Where invokers send finished invocation logs (POST, JSON array of InvocationLogRecord). */
  logsPath: "/internal/v1/logs",
  functionErrorHeader: "x-stratus-function-error",
  /** Where invokers fetch zips by digest: GET {path}/{sha256 hex}. */
  codePath: "/internal/v1/code",
  /**
   * The invocation's trace, in X-Ray's Root=;Parent=;Sampled= form: Parent is the
   * caller's span the node's own spans join under (trace-context.ts).
   */
  traceHeader: "x-stratus-trace",
  /** Shared secret between control plane and invokers. */
  tokenHeader: "x-stratus-internal-token",
  /**
   * The node's heartbeat (its registry score, epoch ms of the node's own clock) that
   * the caller found it live by when it placed the call. A node that has been silent
   * longer than nodeRegistry.staleAfterMs since that heartbeat (frozen, stalled, or
   * cut off from Redis) may have had the call given up and run elsewhere: it refuses
   * it as a full node does (429, Reason CapacityExceeded), and nothing runs.
   */
  placedOnHeartbeatHeader: "x-stratus-placed-on-heartbeat",
  /** Request: "1" when the caller takes a streamed result chunk by chunk (else it is collected). */
  acceptStreamHeader: "x-stratus-accept-stream",
  /** Response: "streaming" when the body is the function's stream, chunked. */
  responseModeHeader: "x-stratus-response-mode",
  /** Response: the content type the function's stream declared. */
  streamContentTypeHeader: "x-stratus-stream-content-type",
  /** Response (or trailer): what the run used, for metering (run-usage.ts formatRunUsage); absent from older invokers. */
  usageHeader: "x-stratus-usage",
} as const;

/**
 * Trailers of a streamed answer: the function error (as functionErrorHeader) and its
 * Lambda error JSON in base64 when the stream failed, and the log tail when asked.
 */
export const streamTrailers = {
  functionError: internalInvoke.functionErrorHeader,
  errorBody: "x-stratus-error-body",
  logResult: internalInvoke.logResultHeader,
  usage: internalInvoke.usageHeader,
} as const;

export const InvokeSpecSchema = z.object({
  accountId: z.string().regex(/^\d{12}$/),
  functionName: z.string().min(1).max(limits.functionNameLength),
  functionArn: z.string(),
  version: z.string(),
  runtime: z.string(),
  handler: z.string(),
  memoryMb: z.number().int().min(limits.memoryMb.min).max(limits.memoryMb.max),
  timeoutSeconds: z.number().int().min(limits.timeoutSeconds.min).max(limits.timeoutSeconds.max),
  ephemeralStorageMb: z.number().int(),
  environment: z.record(z.string()),
  /** Hex SHA-256 of the code zip; the invoker fetches and caches code by it. */
  codeSha256Hex: z.string().regex(/^[0-9a-f]{64}$/),
  /**
   * Hex SHA-256 of each layer's zip, in the order they are merged into /opt (a later
   * layer's file replaces an earlier one's); absent from a control plane that predates layers.
   */
  layerSha256Hex: z
    .array(z.string().regex(/^[0-9a-f]{64}$/))
    .max(limits.layersPerFunction)
    .default([]),
  /**
   * An image function's image (then `runtime` and `handler` are empty, `codeSha256Hex`
   * is its digest, and no code is mounted): pinned by digest, with its ImageConfig.
   */
  image: z
    .object({
      uri: z.string().min(1).max(1100),
      entryPoint: z.array(z.string()).max(1500).optional(),
      command: z.array(z.string()).max(1500).optional(),
      workingDirectory: z.string().max(1000).optional(),
    })
    .optional(),
  /**
   * The execution role whose temporary credentials (session-credentials.ts) each of its
   * containers gets; absent, it runs without credentials.
   */
  roleArn: z.string().max(2048).optional(),
  /** Changes whenever configuration changes, so warm containers never serve stale config. */
  revisionId: z.string(),
  region: z.string(),
  /** LoggingConfig: where its lines go (absent: /aws/lambda/<function>) and in what format (absent: Text). */
  logGroup: z.string().min(1).max(512).optional(),
  logFormat: z.enum(["Text", "JSON"]).optional(),
  /** With JSON only: the lowest level of the function's own lines, and of the platform's, kept. */
  applicationLogLevel: z.enum(["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"]).optional(),
  systemLogLevel: z.enum(["DEBUG", "INFO", "WARN"]).optional(),
});

export type InvokeSpec = z.infer<typeof InvokeSpecSchema>;

/** One line of an invocation's log and when it was printed (epoch ms). */
export const LogLineSchema = z.object({ timestamp: z.number().int().nonnegative(), message: z.string() });

export type LogLine = z.infer<typeof LogLineSchema>;

/** One invocation's log as an invoker reports it to the control plane. */
export const InvocationLogRecordSchema = z.object({
  requestId: z.string().regex(/^[0-9a-f-]{36}$/),
  accountId: z.string().regex(/^\d{12}$/),
  functionName: z.string().min(1).max(limits.functionNameLength),
  version: z.string().max(16),
  startedAt: z.string().datetime(),
  durationMs: z.number().nonnegative(),
  outcome: z.string().max(32),
  text: z.string(),
  /**
   * The CloudWatch Logs group and stream the lines go to (the function's log group, and
   * its execution environment's stream, AWS_LAMBDA_LOG_STREAM_NAME); an older invoker
   * sends neither, and the control plane names them from the record.
   */
  logGroup: z.string().min(1).max(512).optional(),
  logStream: z.string().min(1).max(512).optional(),
  /** `text` line by line, each with the epoch ms it was printed at; absent from an older invoker. */
  events: z.array(LogLineSchema).max(100_000).optional(),
});

export type InvocationLogRecord = z.infer<typeof InvocationLogRecordSchema>;

/** What changes from one call to the next. */
export interface InvokeCall {
  requestId: string;
  /** Base64 JSON from X-Amz-Client-Context. */
  clientContext?: string;
  /** The trace the invocation joins; the function sees it as _X_AMZN_TRACE_ID. */
  trace?: TraceContext;
  payload: Buffer;
}

export const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface InvokeOutcome {
  payload: Buffer;
  /** Set when the function failed; the payload then holds Lambda's error shape. */
  functionError?: "Unhandled";
  /** What the run used, when the invoker told (internalInvoke.usageHeader). */
  usage?: RunUsage;
}
