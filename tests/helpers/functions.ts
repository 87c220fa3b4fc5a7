// Deploying and invoking test functions through the Lambda SDK, shared by the
// integration tests: unique names, code zipped in memory, answers decoded, and the
// log an invocation left behind.
import { randomBytes } from "node:crypto";
import {
  CreateFunctionCommand,
  type CreateFunctionCommandInput,
  InvokeCommand,
  type InvokeCommandOutput,
  type Runtime,
} from "@aws-sdk/client-lambda";
import { waitFor } from "./poll.js";
import { signedFetch } from "./signed-fetch.js";
import type { Stack } from "./stack.js";
import { makeZip, type ZipFiles } from "./zip.js";

export const ROLE = "arn:aws:iam::123456789012:role/lambda-role";

export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

export interface FunctionDef {
  runtime: Runtime;
  handler: string;
  files: ZipFiles;
  env?: Record<string, string>;
  /** Any other CreateFunction field: Timeout, MemorySize, EphemeralStorage... */
  config?: Partial<CreateFunctionCommandInput>;
}

/** Creates the function under a unique name that starts with its runtime; returns the name. */
export async function deployFunction(stack: Stack, { runtime, handler, files, env, config }: FunctionDef) {
  const name = uniqueName(runtime.replace(/\W/g, ""));
  await stack.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: runtime,
      Role: ROLE,
      Handler: handler,
      Code: { ZipFile: await makeZip(files) },
      ...(env ? { Environment: { Variables: env } } : {}),
      ...config,
    }),
  );
  return name;
}

export interface Invoked {
  out: InvokeCommandOutput;
  /** The answer as sent. */
  text: string;
  /** The answer as a JSON object ({} when it is not one), checked field by field. */
  body: Record<string, unknown>;
  /** The log's tail (X-Amz-Log-Type: Tail), when asked for. */
  tail?: string;
}

export interface InvokeOptions {
  clientContext?: unknown;
  /** Ask for the log's last 4 KB with the answer. */
  tail?: boolean;
}

export async function invokeFunction(stack: Stack, name: string, event: unknown = {}, opts: InvokeOptions = {}) {
  const out = await stack.lambda.send(
    new InvokeCommand({
      FunctionName: name,
      Payload: Buffer.from(JSON.stringify(event)),
      ...(opts.tail ? { LogType: "Tail" } : {}),
      ...(opts.clientContext
        ? { ClientContext: Buffer.from(JSON.stringify(opts.clientContext)).toString("base64") }
        : {}),
    }),
  );
  const text = Buffer.from(out.Payload ?? []).toString("utf8");
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object") body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: tests of such answers read `text`
  }
  const tail = out.LogResult === undefined ? undefined : Buffer.from(out.LogResult, "base64").toString("utf8");
  return { out, text, body, tail } satisfies Invoked;
}

/** The stored log of one invocation, polled until the invoker has shipped it. */
export async function storedLog(stack: Stack, requestId: string): Promise<string> {
  const stored = await waitFor(async () => {
    const path = `/stratus/2026-11-01/invocations/${requestId}/log`;
    const res = await signedFetch(stack.endpoint, stack.region, stack.credentials, path);
    return res.status === 200 ? ((await res.json()) as { Log: string }) : undefined;
  });
  return stored.Log;
}

export interface AsyncListed {
  RequestId: string;
  Status: string;
}

/** The function's async invocations, newest first, as Stratus lists them. */
export async function asyncInvocations(stack: Stack, name: string): Promise<AsyncListed[]> {
  const path = `/stratus/2026-11-01/functions/${name}/async-invocations`;
  const res = await signedFetch(stack.endpoint, stack.region, stack.credentials, path);
  return ((await res.json()) as { Invocations: AsyncListed[] }).Invocations;
}

/**
 * Adds to `seen` the event each succeeded async invocation of `name` not in it yet
 * received, read from the `EVENT <json>` line its handler logged; returns `seen`.
 */
export async function loggedEvents<T>(stack: Stack, name: string, seen: Map<string, T>): Promise<Map<string, T>> {
  for (const i of await asyncInvocations(stack, name)) {
    if (i.Status !== "succeeded" || seen.has(i.RequestId)) continue;
    const line = /EVENT (.*)/.exec(await storedLog(stack, i.RequestId))?.[1];
    seen.set(i.RequestId, JSON.parse(line ?? "null") as T);
  }
  return seen;
}
