// Before `npm pack`: copies each blueprint (a folder of examples/ with a stratus.json)
// into the package's blueprints/, which `stratus init` reads when it is installed.

import { existsSync } from "node:fs";
import { cp, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const examples = fileURLToPath(new URL("../../../examples/", import.meta.url));
const target = fileURLToPath(new URL("../blueprints/", import.meta.url));
await rm(target, { recursive: true, force: true });
for (const e of await readdir(examples, { withFileTypes: true })) {
  if (e.isDirectory() && existsSync(path.join(examples, e.name, "stratus.json")))
    await cp(path.join(examples, e.name), path.join(target, e.name), { recursive: true });
}
