// Lambda's request payload limits on the Invoke endpoint, sent whole through the
// official SDK and the real AWS CLI: a synchronous call or a DryRun of 6 MB + 1 byte
// (an Event of 1 MB + 1) is refused with 413 RequestTooLargeException and never
// reaches the function, while a payload of exactly 6 MB runs it.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { InvokeCommand, type InvokeCommandInput, RequestTooLargeException } from "@aws-sdk/client-lambda";
import { limits } from "@stratus/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliCommands, useAwsCli } from "./helpers/aws-cli-commands.js";
import { deployFunction } from "./helpers/functions.js";
import { waitFor } from "./helpers/poll.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack();
const { json: lambda, failure } = cliCommands(useAwsCli(stack, "stratus-invoke-caps-"), "lambda");

/** Where the payload files the CLI reads (and the answers it writes) are. */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stratus-invoke-payloads-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Counts its runs (per container) and prints each, so the stored logs say how often it ran. */
const COUNTER = `
let runs = 0;
exports.handler = async (event) => {
  runs++;
  console.log("RAN " + runs);
  return { runs, bytes: Buffer.byteLength(JSON.stringify(event)) };
};`;

/** A JSON object of exactly `bytes` bytes: {"b":"xxx…"}. */
const jsonOf = (bytes: number) => Buffer.from(`{"b":"${"x".repeat(bytes - 8)}"}`);

/** Writes `payload` to a file; the CLI's fileb:// argument for it. */
async function payloadFile(name: string, payload: Buffer): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, payload);
  return `fileb://${file}`;
}

/** Each invocation the function's stored logs hold, newest first. */
async function storedRuns(name: string): Promise<{ RequestId: string; Log: string }[]> {
  const res = await signedFetch(
    stack.endpoint,
    stack.region,
    stack.credentials,
    `/stratus/2026-11-01/functions/${name}/logs?Limit=100`,
  );
  return ((await res.json()) as { Invocations: { RequestId: string; Log: string }[] }).Invocations;
}

describe("Invoke payload limits", () => {
  it("refuses a sync call or DryRun of 6 MB + 1 byte with 413 through the SDK and the CLI, never running the function, and runs exactly 6 MB", async () => {
    expect(limits.syncPayloadBytes).toBe(6_291_456);
    expect(limits.asyncPayloadBytes).toBe(1_048_576);
    const name = await deployFunction(stack, {
      runtime: "nodejs20.x",
      handler: "index.handler",
      files: { "index.js": COUNTER },
      config: { MemorySize: 512, Timeout: 30 },
    });
    const atLimit = jsonOf(6_291_456);
    const overLimit = jsonOf(6_291_456 + 1);
    expect(atLimit.length).toBe(limits.syncPayloadBytes);
    expect(overLimit.length).toBe(limits.syncPayloadBytes + 1);
    const send = (input: Omit<InvokeCommandInput, "FunctionName">) =>
      stack.lambda.send(new InvokeCommand({ FunctionName: name, ...input }));

    // The SDK: RequestResponse and DryRun, one byte over.
    for (const InvocationType of ["RequestResponse", "DryRun"] as const) {
      const err = await send({ InvocationType, Payload: overLimit }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, InvocationType).toBeInstanceOf(RequestTooLargeException);
      expect((err as RequestTooLargeException).$metadata.httpStatusCode).toBe(413);
    }

    // The CLI: the same, from a file of 6 MB + 1 bytes; and an Event of 1 MB + 1.
    const over = await payloadFile("over-6mb.json", overLimit);
    const overEvent = await payloadFile("over-1mb.json", jsonOf(limits.asyncPayloadBytes + 1));
    for (const [type, file] of [
      ["RequestResponse", over],
      ["DryRun", over],
      ["Event", overEvent],
    ] as const) {
      const out = path.join(dir, `refused-${type}.json`);
      const stderr = await failure(
        ...["invoke", "--function-name", name, "--invocation-type", type, "--payload", file, out],
      );
      expect(stderr, type).toMatch(/An error occurred \(RequestTooLargeException\) when calling the Invoke operation/);
    }

    // Nothing was run: no container was started for the function.
    expect(stack.invoker.pool.containerIdsOf(name)).toEqual([]);

    // Exactly 6 MB: run through the SDK (the function's first run), checked by DryRun, run through the CLI.
    const first = await send({ Payload: atLimit });
    expect(first.StatusCode).toBe(200);
    const firstAnswer = Buffer.from(first.Payload ?? []).toString("utf8");
    expect(first.FunctionError, firstAnswer).toBeUndefined();
    expect(JSON.parse(firstAnswer)).toEqual({ runs: 1, bytes: limits.syncPayloadBytes });
    const dry = await send({ InvocationType: "DryRun", Payload: atLimit });
    expect(dry.StatusCode).toBe(204);
    const out = path.join(dir, "at-limit-answer.json");
    const cli = await lambda(
      ...["invoke", "--function-name", name, "--payload", await payloadFile("at-6mb.json", atLimit), out],
    );
    expect(cli).toMatchObject({ StatusCode: 200, ExecutedVersion: "$LATEST" });
    expect(cli.FunctionError).toBeUndefined();
    expect(JSON.parse(await readFile(out, "utf8"))).toEqual({ runs: 2, bytes: limits.syncPayloadBytes });
    expect(stack.invoker.pool.containerIdsOf(name)).toHaveLength(1);

    // The platform's record agrees: two runs logged, the accepted ones, and no other.
    const runs = await waitFor(async () => {
      const stored = await storedRuns(name);
      return stored.length >= 2 ? stored : undefined;
    });
    expect(runs.map((r) => r.RequestId)[1]).toBe(first.$metadata.requestId);
    expect(runs.map((r) => /RAN (\d+)/.exec(r.Log)?.[1])).toEqual(["2", "1"]);
  }, 120_000);
});
