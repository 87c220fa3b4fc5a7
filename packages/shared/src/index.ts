// Contracts between Stratus processes: errors, wire constants, runtimes, the internal
// invoke protocol and the node registry. Imports nothing else of ours.

export * from "./async-job.js";
export * from "./errors.js";
export * from "./function-series.js";
export * from "./function-series-metrics.js";
export * from "./http-body.js";
export * from "./http-integration.js";
export * from "./image-refs.js";
export * from "./internal-invoke.js";
export * from "./log-options.js";
export * from "./logger.js";
export * from "./nodes.js";
export * from "./otel-tracer.js";
export * from "./provisioned.js";
export * from "./random-hex.js";
export * from "./registry-beat.js";
export * from "./rest-json-errors.js";
export * from "./retirements.js";
export * from "./run-usage.js";
export * from "./runtimes.js";
export * from "./session-credentials.js";
export * from "./trace-context.js";
export * from "./tracer.js";
export * from "./wire.js";
export * from "./zip-error.js";
export * from "./zip-names.js";
export * from "./zip-reader.js";
