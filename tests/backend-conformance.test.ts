// The Docker backend held to the same contract as the fake one the pool's unit tests
// run on (packages/invoker/src/testing/backend-conformance.ts), on real Docker, with
// containers of the base image running a bash program each.
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDockerBackend } from "@stratus/invoker";
import { backendConformance, type Program } from "../packages/invoker/src/testing/backend-conformance.js";

/** `text` as one single-quoted bash word. */
const quoted = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;

function script(program: Program): string {
  if (program.kind === "run") return "sleep infinity";
  // Doubles a string in bash's own process until the cap kills it.
  if (program.kind === "hog-memory") return 's=x; while true; do s="$s$s"; done';
  // dash gives up at the first refused fork (bash would retry for half a minute), and the sleeps stay.
  if (program.kind === "fill-processes")
    return "exec sh -c '(while :; do sleep 600 & done) 2>/dev/null; exec sleep 600'";
  const lines = [
    program.stdout === undefined ? "" : `printf '%s\\n' ${quoted(program.stdout)};`,
    program.stderr === undefined ? "" : `printf '%s\\n' ${quoted(program.stderr)} >&2;`,
  ];
  return `${lines.join(" ")} exit ${program.exitCode}`;
}

backendConformance("Docker", async () => {
  const backend = createDockerBackend();
  const tag = randomBytes(4).toString("hex");
  // A test node's labels: what a failed teardown leaves, the global setup removes.
  const owner = { "stratus.managed": "true", "stratus.node": `test-${tag}` };
  const network = `stratus-conformance-${tag}`;
  await backend.ensureNetwork(network, owner);
  const dirs: string[] = [];
  return {
    backend,
    network,
    async prepare(program, labels = {}) {
      // The program waits for a gate file: an exit must not beat start's reading of the address.
      const codeDir = await mkdtemp(path.join(tmpdir(), "stratus-conformance-"));
      dirs.push(codeDir);
      await chmod(codeDir, 0o755);
      return {
        spec: {
          image: "stratus/base:bookworm",
          env: { CONFORMANCE: tag },
          labels: { ...owner, ...labels },
          // A thousand sleeping processes take some 190 MB.
          memoryMb: program.kind === "fill-processes" ? 320 : 64,
          ephemeralStorageMb: 16,
          codeDir,
          network,
          args: ["bash", "-c", `until [ -e /var/task/go ]; do sleep 0.05; done; ${script(program)}`],
        },
        release: () => writeFile(path.join(codeDir, "go"), ""),
      };
    },
    async close() {
      await backend.removeNetwork(network);
      await backend.close();
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
});
