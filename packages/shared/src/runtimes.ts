// The runtimes Stratus ships, the local image each one runs in, and how a function's
// zip must hold the code its handler names (checked by the control plane at
// CreateFunction). Adding a runtime means adding its folder in
// packages/runtime-images, a build line in build.sh and a line here.

/** Where a runtime finds the code a handler string names. */
export type RuntimeEntry =
  /**
   * Node: `dir/module.fn[.nested]`; the module is the last path segment up to its
   * first dot, in a file with one of `extensions`.
   */
  | { kind: "node"; extensions: readonly string[] }
  /**
   * Python: `dir/module.fn` or `package.module.fn`; the module is everything before
   * the last dot, `/` and `.` both separating packages, in `module.py` or
   * `module/__init__.py`.
   */
  | { kind: "python" }
  /** Custom runtime: a free-form handler; the zip root must hold an executable `bootstrap`. */
  | { kind: "bootstrap" };

export interface RuntimeInfo {
  image: string;
  entry: RuntimeEntry;
}

const node: RuntimeEntry = { kind: "node", extensions: [".js", ".mjs", ".cjs"] };
const provided: RuntimeInfo = { image: "stratus/runtime:provided.al2023", entry: { kind: "bootstrap" } };

export const runtimes = {
  "nodejs20.x": { image: "stratus/runtime:nodejs20.x", entry: node },
  "nodejs22.x": { image: "stratus/runtime:nodejs22.x", entry: node },
  "nodejs24.x": { image: "stratus/runtime:nodejs24.x", entry: node },
  "python3.11": { image: "stratus/runtime:python3.11", entry: { kind: "python" } },
  // Lambda's older custom-runtime names run in the same image.
  "provided.al2023": provided,
  "provided.al2": provided,
  provided: provided,
} as const satisfies Record<string, RuntimeInfo>;

export type RuntimeName = keyof typeof runtimes;

export function isRuntime(value: string): value is RuntimeName {
  return Object.hasOwn(runtimes, value);
}
