// Control-plane process: parse configuration, start, and on SIGTERM/SIGINT stop
// taking requests and exit once in-flight ones are done.
import { ControlPlaneConfigSchema } from "./config.js";
import { startControlPlane } from "./control-plane.js";

const parsed = ControlPlaneConfigSchema.safeParse(process.env);
if (!parsed.success) {
  for (const issue of parsed.error.issues) console.error(`config: ${issue.path.join(".")}: ${issue.message}`);
  process.exit(2);
}
const running = await startControlPlane(parsed.data, console);
console.info(`stratus control plane listening on ${running.url} (region ${parsed.data.region})`);

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    console.info(`${signal}: draining`);
    running.close().then(
      () => process.exit(0),
      (err) => {
        console.error("shutdown failed", err);
        process.exit(1);
      },
    );
  });
}
