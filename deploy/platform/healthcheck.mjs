// A container health check: healthy when GET <url>/healthz answers 200 within 2 s.
// The argument is the URL, or @FILE naming a file that holds it (an invoker picks its
// port when it starts and writes its URL there).
import { readFileSync } from "node:fs";

const arg = process.argv[2] ?? "";
try {
  const url = arg.startsWith("@") ? readFileSync(arg.slice(1), "utf8").trim() : arg;
  const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
