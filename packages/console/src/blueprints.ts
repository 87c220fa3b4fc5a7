// The blueprints a function can start from: the same folders `stratus init --blueprint`
// uses (the folders of examples/ with a stratus.json), read at build time, so the
// console and the CLI offer the same starting points.
export interface Blueprint {
  name: string;
  runtime: string;
  handler: string;
  memory: number;
  timeout: number;
  files: Record<string, string>;
}

const raw = import.meta.glob(["../../../examples/*/*", "!**/README.md", "!**/package-lock.json"], {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

function collect(): Blueprint[] {
  const byName = new Map<string, Record<string, string>>();
  for (const [path, text] of Object.entries(raw)) {
    const [, folder, file] = /examples\/([^/]+)\/(.+)$/.exec(path) ?? [];
    if (!folder || !file) continue;
    const files = byName.get(folder) ?? {};
    files[file] = text;
    byName.set(folder, files);
  }
  return [...byName].flatMap(([name, files]) => {
    const manifest = files["stratus.json"];
    if (!manifest) return [];
    // A blueprint with npm dependencies needs `npm install` before it runs: the CLI's, not the browser's.
    const pkg = files["package.json"] ? (JSON.parse(files["package.json"]) as { dependencies?: object }) : {};
    if (pkg.dependencies && Object.keys(pkg.dependencies).length > 0) return [];
    const m = JSON.parse(manifest) as { runtime: string; handler: string; memory?: number; timeout?: number };
    const { "stratus.json": _, ...code } = files;
    return [
      { name, runtime: m.runtime, handler: m.handler, memory: m.memory ?? 128, timeout: m.timeout ?? 3, files: code },
    ];
  });
}

export const blueprints: Blueprint[] = collect().sort((a, b) => a.name.localeCompare(b.name));
