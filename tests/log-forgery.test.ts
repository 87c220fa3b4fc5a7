// Logs the function cannot forge: a function that prints the log shipper's end marker
// (its own request id, a made-up one, a wrong nonce; on stdout, on stderr, through its
// logger) before and after other lines gets a log of every line it printed, in order,
// and the next invocation's log holds only its own lines. The nonce its runtime's real
// markers carry never reaches the function's event, context or environment.
import { describe, expect, it } from "vitest";
import { dockerOutput } from "./helpers/docker-log.js";
import { deployFunction, type FunctionDef, invokeFunction, storedLog } from "./helpers/functions.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();

const P = "\u001eSTRATUS-END ";
const WRONG = "0".repeat(32);

type Want = string | RegExp;
const fits = (line: string | undefined, want: Want | undefined) =>
  line !== undefined && (typeof want === "string" ? line === want : want?.test(line) === true);
const fitsAll = (lines: string[], wants: Want[]) =>
  lines.length === wants.length && lines.every((l, i) => fits(l, wants[i]));

/**
 * Whether `lines` are the stdout lines `out` and the stderr lines `err`, each stream
 * in its own order (Docker interleaves the two as it delivers them): some choice of
 * which of `lines` came on stderr leaves exactly `out`.
 */
function interleaves(lines: string[], out: Want[], err: string[]): boolean {
  const choose = (at: number, picked: number[]): boolean => {
    if (picked.length === err.length)
      return fitsAll(
        lines.filter((_, i) => !picked.includes(i)),
        out,
      );
    for (let i = at; i < lines.length; i++) {
      if (lines[i] === err[picked.length] && choose(i + 1, [...picked, i])) return true;
    }
    return false;
  };
  return choose(0, []);
}

/** The lines a forger prints for request `id` (event.n numbers them), by stream, in order. */
function printed(id: string, n: number, loggerLine: RegExp): { out: Want[]; err: string[] } {
  return {
    out: [
      `out ${n}.1`,
      `${P}${id}`,
      `out ${n}.2`,
      `${P}made-up-${n}`,
      `${P}${id} ${WRONG}`,
      `out ${n}.3`,
      loggerLine,
      `out ${n}.4`,
    ],
    err: [`err ${n}.1`, `${P}${id}`, `err ${n}.2`],
  };
}

const NODE_FORGER = `
const P = "\\u001eSTRATUS-END ";
exports.handler = async (event, context) => {
  const id = context.awsRequestId;
  const out = (line) => process.stdout.write(line + "\\n");
  out("out " + event.n + ".1");
  out(P + id);
  out("out " + event.n + ".2");
  out(P + "made-up-" + event.n);
  out(P + id + " " + "0".repeat(32));
  out("out " + event.n + ".3");
  process.stderr.write("err " + event.n + ".1\\n" + P + id + "\\n");
  console.log(P + id);
  out("out " + event.n + ".4");
  process.stderr.write("err " + event.n + ".2\\n");
  return { seen: JSON.stringify({ event, context, env: process.env }) };
};
`;

const PYTHON_FORGER = `import json, logging, os, sys
P = "\\x1eSTRATUS-END "
def handler(event, context):
    rid = context.aws_request_id
    n = event["n"]
    print(f"out {n}.1")
    print(P + rid)
    sys.stdout.write(f"out {n}.2\\n")
    print(P + f"made-up-{n}")
    print(P + rid + " " + "0" * 32)
    print(f"out {n}.3")
    sys.stderr.write(f"err {n}.1\\n{P}{rid}\\n")
    logging.getLogger().warning(P + rid)
    print(f"out {n}.4")
    sys.stderr.write(f"err {n}.2\\n")
    seen = {"event": event, "context": {k: str(v) for k, v in vars(context).items()}, "env": dict(os.environ)}
    return {"seen": json.dumps(seen)}
`;

const cases: (Pick<FunctionDef, "runtime" | "files"> & { loggerLine: (id: string) => RegExp })[] = [
  {
    runtime: "nodejs20.x",
    files: { "index.js": NODE_FORGER },
    loggerLine: (id: string) => new RegExp(`^\\S+\\t${id}\\tINFO\\t\\u001eSTRATUS-END ${id}$`),
  },
  {
    runtime: "python3.11",
    files: { "index.py": PYTHON_FORGER },
    loggerLine: (id: string) => new RegExp(`^\\[WARNING\\]\\t\\S+\\t${id}\\t\\u001eSTRATUS-END ${id}$`),
  },
];

describe("logs a function cannot forge", () => {
  it.each(cases)(
    "$runtime: forged end markers stay in the log as lines, and nothing is dropped or moved",
    async ({ runtime, files, loggerLine }) => {
      const name = await deployFunction(stack, { runtime, handler: "index.handler", files });
      for (const n of [1, 2, 3]) {
        const { out, body, tail } = await invokeFunction(stack, name, { n }, { tail: true });
        expect(out.FunctionError).toBeUndefined();
        const id = out.$metadata.requestId as string;
        const log = tail as string;
        expect(await storedLog(stack, id)).toBe(log);

        const lines = log.split("\n");
        expect(lines[0]).toBe(`START RequestId: ${id} Version: $LATEST`);
        expect(lines.at(-3)).toBe(`END RequestId: ${id}`);
        expect(lines.at(-2)).toMatch(new RegExp(`^REPORT RequestId: ${id}\tDuration: [\\d.]+ ms\t`));
        expect(lines.at(-1)).toBe("");
        const own = lines.slice(1, -3);
        // The two streams reach the log in the order Docker delivers them; each in its own order.
        const { out: outLines, err: errLines } = printed(id, n, loggerLine(id));
        expect(interleaves(own, outLines, errLines), JSON.stringify(own)).toBe(true);

        // The runtime's real markers carry the run's nonce, which the function never saw.
        const [container] = stack.invoker.pool.containerIdsOf(name);
        const raw = await dockerOutput(container as string, { stdout: true, stderr: true });
        const nonces = [...raw.matchAll(new RegExp(`^${P}${id} ([0-9a-f]{32})$`, "gm"))]
          .map((m) => m[1] as string)
          .filter((nonce) => nonce !== WRONG);
        expect(nonces).toHaveLength(2); // stdout and stderr, one nonce
        expect(new Set(nonces).size).toBe(1);
        expect(String(body.seen)).toContain(id);
        expect(String(body.seen)).not.toContain(nonces[0]);
      }
    },
    90_000,
  );
});
