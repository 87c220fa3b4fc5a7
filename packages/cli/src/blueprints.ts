// The blueprints `stratus init` starts a function folder from: each folder of the
// repository's examples/ with a stratus.json (a handler, its README and its config),
// or the copy of them an npm package of the CLI carries (packages/cli/blueprints).
import { existsSync } from "node:fs";
import { access, cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CONFIG_FILE, parseConfig } from "./config-file.js";
import { CliError } from "./errors.js";

const PACKED = fileURLToPath(new URL("../blueprints/", import.meta.url));
const ROOT = existsSync(PACKED) ? PACKED : fileURLToPath(new URL("../../../examples/", import.meta.url));

export const DEFAULT_BLUEPRINT = "hello-node";

export async function blueprintNames(): Promise<string[]> {
  const dirs = (await readdir(ROOT, { withFileTypes: true })).filter((e) => e.isDirectory());
  return dirs
    .filter((e) => existsSync(path.join(ROOT, e.name, CONFIG_FILE)))
    .map((e) => e.name)
    .sort();
}

export interface Created {
  dir: string;
  files: string[];
}

/** Fills `dir` (made if missing) from the blueprint, naming the function `name`; never overwrites a file. */
export async function createFromBlueprint(blueprint: string, dir: string, name: string): Promise<Created> {
  const names = await blueprintNames();
  if (!names.includes(blueprint)) {
    throw new CliError("InvalidBlueprint", `no blueprint ${blueprint}: choose one of ${names.join(", ")}`);
  }
  const source = path.join(ROOT, blueprint);
  const template = JSON.parse(await readFile(path.join(source, CONFIG_FILE), "utf8")) as Record<string, unknown>;
  const text = `${JSON.stringify({ ...template, name }, null, 2)}\n`;
  parseConfig(text, CONFIG_FILE); // a bad --name is refused before anything is written
  const files = (await readdir(source)).sort();
  for (const f of files) {
    const exists = await access(path.join(dir, f)).then(
      () => true,
      () => false,
    );
    if (exists) throw new CliError("FileExists", `${path.join(dir, f)} exists already: init leaves it as it is`);
  }
  await mkdir(dir, { recursive: true });
  for (const f of files) {
    if (f === CONFIG_FILE) continue;
    await cp(path.join(source, f), path.join(dir, f), { recursive: true, errorOnExist: true, force: false });
  }
  await writeFile(path.join(dir, CONFIG_FILE), text, { flag: "wx" });
  return { dir, files };
}
