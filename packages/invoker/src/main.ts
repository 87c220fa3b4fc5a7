// Invoker process: parse configuration, start the node, and on SIGTERM/SIGINT drain
// (no new work, finish in-flight invocations, remove containers) and exit.
import { rename, writeFile } from "node:fs/promises";
import { InvokerConfigSchema } from "./config.js";
import { startInvoker } from "./invoker.js";

const parsed = InvokerConfigSchema.safeParse(process.env);
if (!parsed.success) {
  for (const issue of parsed.error.issues) console.error(`config: ${issue.path.join(".")}: ${issue.message}`);
  process.exit(2);
}
const node = await startInvoker(parsed.data, console);
console.info(`stratus invoker ${node.nodeId} listening on ${node.url}`);
if (parsed.data.urlFile) {
  // Written whole or not at all: a health check never reads half a URL.
  await writeFile(`${parsed.data.urlFile}.tmp`, node.url);
  await rename(`${parsed.data.urlFile}.tmp`, parsed.data.urlFile);
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    console.info(`${signal}: draining`);
    node.close().then(
      () => process.exit(0),
      (err) => {
        console.error("shutdown failed", err);
        process.exit(1);
      },
    );
  });
}
