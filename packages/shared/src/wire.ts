// Wire constants of the Lambda API that both the control plane and the invokers
// speak: header names, path prefixes, limits. Values from Lambda's public contract.

export const headers = {
  errorType: "x-amzn-errortype",
  requestId: "x-amzn-requestid",
  invocationType: "x-amz-invocation-type",
  logType: "x-amz-log-type",
  logResult: "x-amz-log-result",
  clientContext: "x-amz-client-context",
  functionError: "x-amz-function-error",
  executedVersion: "x-amz-executed-version",
} as const;

export const runtimeApi = {
  prefix: "/2018-06-01/runtime",
  /** Stratus-only endpoints beside Lambda's (a stem cell's poll for its identity). */
  stratusPrefix: "/2018-06-01/stratus",
  requestId: "lambda-runtime-aws-request-id",
  deadlineMs: "lambda-runtime-deadline-ms",
  functionArn: "lambda-runtime-invoked-function-arn",
  traceId: "lambda-runtime-trace-id",
  clientContext: "lambda-runtime-client-context",
  cognitoIdentity: "lambda-runtime-cognito-identity",
  errorTypeHeader: "lambda-runtime-function-error-type",
  /** Response: "streaming" when the runtime streams its result (chunked), as Lambda's runtime clients do. */
  responseModeHeader: "lambda-runtime-function-response-mode",
  /** Trailer of a streamed result that failed mid-stream: base64 of Lambda's error JSON. */
  errorBodyTrailer: "lambda-runtime-function-error-body",
} as const;

export const limits = {
  syncPayloadBytes: 6 * 1024 * 1024,
  syncResponseBytes: 6 * 1024 * 1024,
  /** A streamed response (InvokeWithResponseStream, function URLs): Lambda's 20 MB soft limit. */
  streamedResponseBytes: 20 * 1024 * 1024,
  asyncPayloadBytes: 1024 * 1024,
  memoryMb: { min: 128, max: 10_240, default: 128 },
  timeoutSeconds: { min: 1, max: 900, default: 3 },
  ephemeralStorageMb: { min: 512, max: 10_240, default: 512 },
  environmentBytes: 4 * 1024,
  zippedCodeBytes: 50 * 1024 * 1024,
  unzippedCodeBytes: 250 * 1024 * 1024,
  /** Layers a function may use; code and layers unzipped count together against unzippedCodeBytes. */
  layersPerFunction: 5,
  zipEntries: 10_000,
  zipPathDepth: 32,
  functionNameLength: 64,
  descriptionLength: 256,
  logTailBytes: 4 * 1024,
} as const;

export const LATEST = "$LATEST";
