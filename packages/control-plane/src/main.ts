// Control-plane process: parse configuration, build the process's logger (pino, JSON
// lines on stdout), start, and on SIGTERM/SIGINT stop taking requests and exit once
// in-flight ones are done.
import { pinoLogger, processLogOptions, tracerFor } from "@stratus/shared";
import { pino } from "pino";
import { ControlPlaneConfigSchema } from "./config.js";
import { startControlPlane } from "./control-plane.js";

const parsed = ControlPlaneConfigSchema.safeParse(process.env);
const root = pino(processLogOptions("stratus-control-plane", parsed.data?.logLevel ?? "info"));
if (!parsed.success) {
  const issues = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  root.fatal({ issues }, "config: invalid settings");
  process.exit(2);
}
const log = pinoLogger(root);
const tracer = tracerFor(parsed.data.tracing.otlpEndpoint, "stratus-control-plane");
const running = await startControlPlane(parsed.data, log, tracer);
log.info("control plane listening", { url: running.url, region: parsed.data.region });

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    log.info("draining", { signal });
    running
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
