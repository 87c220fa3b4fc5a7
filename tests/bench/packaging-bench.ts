// The packaging rows (BENCH_ONLY=packaging): the cold start of an image function (the
// example image, AWS's aws-lambda-ric as its client, already pulled on the node)
// beside the cold start of the same handler as a zip function, and of that zip
// function with three layers, all from scratch, interleaved in the same run. Each
// start begins with the node at rest. Written over its own section of docs/BENCHMARKS.md.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import {
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  GetFunctionConfigurationCommand,
  PublishLayerVersionCommand,
} from "@aws-sdk/client-lambda";
import Docker from "dockerode";
import { waitFor } from "../helpers/poll.js";
import { startRegistry } from "../helpers/registry.js";
import { type Stack, startStack } from "../helpers/stack.js";
import { makeZip, nodeFunction } from "../helpers/zip.js";
import { createSignedClient } from "./signed-client.js";
import { ms, type Summary, summarize } from "./stats.js";

const ROUNDS = Number(process.env.BENCH_PACKAGING_ROUNDS ?? 15);
const START = "<!-- packaging:start -->";
const END = "<!-- packaging:end -->";
const REPORT = new URL("../../docs/BENCHMARKS.md", import.meta.url);
const ROLE = "arn:aws:iam::123456789012:role/bench";
const run = promisify(execFile);

async function atRest(stack: Stack): Promise<void> {
  await waitFor(async () => (stack.invoker.pool.preparing() ? undefined : true), 30_000, { what: "node at rest" });
}

async function main() {
  const registry = await startRegistry();
  const docker = new Docker();
  const tag = `${registry.host}/bench/image-node:1`;
  await run("bash", [new URL("../../examples/image-node/build.sh", import.meta.url).pathname, tag, "1"]);
  await run("docker", ["push", tag]);
  await docker.getImage(tag).remove();
  // No stem cells: every row starts a container from scratch, the only way an image function starts.
  const stack = await startStack({ STRATUS_STEM_CELLS_PER_RUNTIME: "0" }, { productAsyncTiming: true });
  const client = createSignedClient(stack.endpoint, stack.region, stack.credentials);
  try {
    const app = await readFile(new URL("../../examples/image-node/app.mjs", import.meta.url), "utf8");
    const zip = await nodeFunction(app, "app.mjs");
    const layers: string[] = [];
    for (let i = 0; i < 3; i++) {
      const content = await makeZip({ [`nodejs/node_modules/lib${i}/index.js`]: `module.exports = ${i};` });
      const l = await stack.lambda.send(
        new PublishLayerVersionCommand({ LayerName: `bench-lib${i}`, Content: { ZipFile: content } }),
      );
      layers.push(l.LayerVersionArn as string);
    }
    const kinds: Record<string, Omit<CreateFunctionCommandInput, "FunctionName" | "Role">> = {
      zip: { Runtime: "nodejs24.x", Handler: "app.handler", Code: { ZipFile: zip } },
      "zip, 3 layers": { Runtime: "nodejs24.x", Handler: "app.handler", Code: { ZipFile: zip }, Layers: layers },
      image: { PackageType: "Image", Code: { ImageUri: tag } },
    };
    const samples: Record<string, number[]> = Object.fromEntries(Object.keys(kinds).map((k) => [k, []]));
    for (let r = -1; r < ROUNDS; r++) {
      for (const [kind, config] of Object.entries(kinds)) {
        const name = `bench-pkg-${randomUUID().slice(0, 8)}`;
        await stack.lambda.send(
          new CreateFunctionCommand({ FunctionName: name, Role: ROLE, MemorySize: 256, ...config }),
        );
        await waitFor(
          async () => {
            const c = await stack.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
            if (c.State === "Failed") throw new Error(`${name} failed: ${c.StateReason}`);
            return c.State === "Active" ? true : undefined;
          },
          120_000,
          { what: `${name} Active` },
        );
        await atRest(stack);
        const send = await client.prepare(name, Buffer.from('{"n":1}'));
        const t0 = performance.now();
        const out = await send();
        const took = performance.now() - t0;
        if (out.status !== 200 || !out.body.toString().includes('"n":1'))
          throw new Error(`${kind} cold invoke failed: ${out.status} ${out.body}`);
        if (r >= 0) samples[kind]?.push(took);
      }
    }
    const result = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));
    for (const [k, s] of Object.entries(result)) console.log(`${k}: p50 ${ms(s.p50)} ms, p99 ${ms(s.p99)} ms`);
    const doc = await readFile(REPORT, "utf8");
    await writeFile(REPORT, withPackaging(doc, render(result)));
    console.log("wrote the packaging section of docs/BENCHMARKS.md");
  } finally {
    await client.close();
    await stack.stop();
    await registry.close();
    // What the node pulled (by digest) stays after the stack stops: every image of the repository goes.
    const repository = tag.slice(0, tag.lastIndexOf(":"));
    for (const image of await docker.listImages({ filters: { reference: [repository] } })) {
      await docker
        .getImage(image.Id)
        .remove({ force: true })
        .catch(() => undefined);
    }
  }
}

function withPackaging(doc: string, section: string): string {
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  if (a < 0 || b < a) return `${doc.trimEnd()}\n\n${section}\n`;
  return doc.slice(0, a) + section + doc.slice(b + END.length);
}

const row = (label: string, s: Summary | undefined) =>
  s ? `| ${label} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.mean)} | ${s.n} |` : "";

function render(r: Record<string, Summary>): string {
  return `${START}
## Packaging: image functions and layers, cold

The first invoke of a new function (256 MB) from scratch, no stem cells, through the
whole platform, interleaved in the same run (ms). The same handler
(examples/image-node/app.mjs) each time: as a zip on nodejs24.x (Stratus' runtime
client), as that zip with three small layers merged into /opt, and as the example
image (its own client, AWS's aws-lambda-ric), already pulled on the node when its
function went Active.

| | p50 | p99 | mean | n |
| --- | --- | --- | --- | --- |
${row("zip", r.zip)}
${row("zip, 3 layers", r["zip, 3 layers"])}
${row("image (aws-lambda-ric)", r.image)}

Run alone with \`BENCH_ONLY=packaging pnpm bench\`.
${END}`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
