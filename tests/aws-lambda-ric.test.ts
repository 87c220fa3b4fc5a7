// AWS's own Node.js runtime interface client (npm aws-lambda-ric, built by
// tests/fixtures/aws-lambda-ric/build.sh), unchanged, as the bootstrap of a
// provided.al2023 function that brings its own Node (as a function on Lambda's
// provided.al2023 must): it must serve events with and without a payload, sync and
// async, and report a handler's error as Lambda's clients do.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { CreateFunctionCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import yazl from "yazl";
import { ROLE, uniqueName } from "./helpers/functions.js";
import { waitFor } from "./helpers/poll.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import { useStack } from "./helpers/use-stack.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RIC = path.join(ROOT, ".cache/aws-lambda-ric/4.0.2/node_modules/aws-lambda-ric");
const decode = (p?: Uint8Array) => JSON.parse(Buffer.from(p ?? []).toString("utf8"));

/** Gunzips the function's Node into /tmp on the first start, then runs the client on the handler. */
const BOOTSTRAP = `#!/bin/sh
set -eu
if [ ! -x /tmp/node ]; then
  gzip -dc "$LAMBDA_TASK_ROOT/node.gz" >/tmp/node.part && chmod 755 /tmp/node.part && mv /tmp/node.part /tmp/node
fi
exec /tmp/node "$LAMBDA_TASK_ROOT/ric/index.mjs" "$_HANDLER"
`;

const HANDLER = `export const handler = async (event, context) => {
  if (event && event.fail) throw new TypeError("asked to fail");
  return { event, requestId: context.awsRequestId, fn: context.functionName };
};
`;

async function functionZip(): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const file = (name: string, data: Buffer, mode = 0o644, compress = true) =>
    zip.addBuffer(data, name, { mode: mode | 0o100000, compress });
  file("bootstrap", Buffer.from(BOOTSTRAP), 0o755);
  file("index.mjs", Buffer.from(HANDLER));
  // The test's own Node (the platform's, 24): the client needs Node 22 or later.
  file("node.gz", await promisify(gzip)(await readFile(process.execPath), { level: 9 }), 0o644, false);
  for (const name of ["index.mjs", "package.json", "rapid-client.node"]) {
    file(`ric/${name}`, await readFile(path.join(RIC, name)), name.endsWith(".node") ? 0o755 : 0o644);
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const stack = useStack();
let name: string;

beforeAll(async () => {
  name = uniqueName("ric");
  await stack.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "provided.al2023",
      Role: ROLE,
      Handler: "index.handler",
      Code: { ZipFile: await functionZip() },
      MemorySize: 512,
      Timeout: 30,
    }),
  );
}, 120_000);

describe("aws-lambda-ric (AWS's Node runtime interface client) in provided.al2023", () => {
  it("runs a handler on a payload", async () => {
    const res = await stack.lambda.send(
      new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ hello: "ric" })) }),
    );
    expect(res.FunctionError).toBeUndefined();
    const body = decode(res.Payload);
    expect(body).toMatchObject({ event: { hello: "ric" }, fn: name });
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
  }, 60_000);

  it("runs a handler invoked without a payload, which receives {}", async () => {
    const res = await stack.lambda.send(new InvokeCommand({ FunctionName: name }));
    expect(res.FunctionError).toBeUndefined();
    expect(decode(res.Payload)).toMatchObject({ event: {} });
  }, 60_000);

  it("runs an async event without a payload to success", async () => {
    const res = await stack.lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: "Event" }));
    expect(res.StatusCode).toBe(202);
    const path = `/stratus/2026-11-01/invocations/${res.$metadata.requestId}`;
    const ended = await waitFor(async () => {
      const s = (await (await signedFetch(stack.endpoint, stack.region, stack.credentials, path)).json()) as {
        Status: string;
      };
      return ["succeeded", "failed", "dead_lettered", "expired"].includes(s.Status) ? s.Status : undefined;
    }, 30_000);
    expect(ended).toBe("succeeded");
  }, 60_000);

  it("reports the handler's error as the client posts it", async () => {
    const res = await stack.lambda.send(
      new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ fail: true })) }),
    );
    expect(res.FunctionError).toBe("Unhandled");
    expect(decode(res.Payload)).toMatchObject({ errorType: "TypeError", errorMessage: "asked to fail" });
  }, 60_000);
});
