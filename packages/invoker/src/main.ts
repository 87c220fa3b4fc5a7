// Invoker process: parse configuration, build the process's logger (pino, JSON lines
// on stdout, each naming the node), start the node, and on SIGTERM/SIGINT drain (no
// new work, finish in-flight invocations, remove containers) and exit.
import { rename, writeFile } from "node:fs/promises";
import { pinoLogger, processLogOptions, tracerFor } from "@stratus/shared";
import { pino } from "pino";
import { InvokerConfigSchema } from "./config.js";
import { startInvoker } from "./invoker.js";

const parsed = InvokerConfigSchema.safeParse(process.env);
const root = pino(processLogOptions("stratus-invoker", parsed.data?.logLevel ?? "info"));
if (!parsed.success) {
  const issues = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  root.fatal({ issues }, "config: invalid settings");
  process.exit(2);
}
const log = pinoLogger(root).child({ node: parsed.data.nodeId });
const tracer = tracerFor(parsed.data.tracing.otlpEndpoint, "stratus-invoker", { "stratus.node": parsed.data.nodeId });
const node = await startInvoker(parsed.data, log, tracer);
log.info("invoker listening", { url: node.url });
if (parsed.data.urlFile) {
  // Written whole or not at all: a health check never reads half a URL.
  await writeFile(`${parsed.data.urlFile}.tmp`, node.url);
  await rename(`${parsed.data.urlFile}.tmp`, parsed.data.urlFile);
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    log.info("draining", { signal });
    node
      .close()
      .then(() => tracer.shutdown())
      .then(
        () => process.exit(0),
        (err) => {
          log.error("shutdown failed", { err });
          process.exit(1);
        },
      );
  });
}
