// An async load for fault tests: many Event invokes of a function that prints
// `RAN <tag>` (tags are the events' indexes), then the checks of RELIABILITY.md §3.4:
// every accepted id ends in exactly one terminal state, nothing is lost, and how
// many events ran more than once (at-least-once allows it; the tests report it).
import { randomBytes, randomUUID } from "node:crypto";
import { CreateFunctionCommand, InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { createPgAsyncStore } from "@stratus/control-plane";
import type pg from "pg";
import { containerOutput, containersOf } from "./invoker-process.js";
import { nodeFunction } from "./zip.js";

/** Prints its event's tag, so runs can be counted from container output. */
export const TAGGED_SOURCE = `exports.handler = async (e) => {
  console.log('RAN ' + e.tag);
  // A short body, so that a killed node is likely to be mid-run.
  await new Promise((r) => setTimeout(r, 20));
  return e.tag;
};`;

export async function deployFunction(lambda: LambdaClient, prefix: string, source: string): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString("hex")}`;
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Role: "arn:aws:iam::123456789012:role/r",
      Handler: "index.handler",
      // Generous: a busy two-core machine must not turn a trivial run into a timeout.
      Timeout: 120,
      Code: { ZipFile: await nodeFunction(source) },
    }),
  );
  return name;
}

/**
 * Commits an event for `functionName` straight into the async store, as an accepting
 * control plane does, without sending it to the queue: as if that control plane had
 * died before queueing it, the reconciler finds it once overdue. Returns its id.
 */
export async function commitEvent(db: pg.Pool, accountId: string, functionName: string): Promise<string> {
  const id = randomUUID();
  await createPgAsyncStore(db).accept({
    id,
    accountId,
    functionName,
    payload: Buffer.from("{}"),
    maxAttempts: 4,
    maxEventAgeSeconds: 3600,
  });
  return id;
}

/** Sends `count` Event invokes, `parallelism` at a time; returns the accepted ids by tag. */
export async function submitEvents(
  lambda: LambdaClient,
  functionName: string,
  count: number,
  parallelism = 32,
): Promise<string[]> {
  const ids: string[] = new Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const tag = next++;
      const out = await lambda.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: "Event",
          Payload: Buffer.from(JSON.stringify({ tag })),
        }),
      );
      if (out.StatusCode !== 202 || !out.$metadata.requestId) throw new Error(`event ${tag}: ${out.StatusCode}`);
      ids[tag] = out.$metadata.requestId;
    }
  };
  await Promise.all(Array.from({ length: parallelism }, lane));
  return ids;
}

/** How many of the function's invocations are in each status. */
export async function statusCounts(db: pg.Pool, functionName: string): Promise<Record<string, number>> {
  const res = await db.query<{ status: string; n: number }>(
    "SELECT status, count(*)::int AS n FROM async_invocations WHERE function_name = $1 GROUP BY status",
    [functionName],
  );
  return Object.fromEntries(res.rows.map((r) => [r.status, r.n]));
}

const TERMINAL = ["succeeded", "failed", "dead_lettered", "expired"];

/** Polls until `total` of the function's invocations are terminal; returns their statuses by id. */
export async function settle(
  db: pg.Pool,
  functionName: string,
  total: number,
  timeoutMs: number,
): Promise<Map<string, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await statusCounts(db, functionName);
    const done = TERMINAL.reduce((sum, s) => sum + (counts[s] ?? 0), 0);
    if (done >= total) break;
    if (Date.now() > deadline) throw new Error(`only ${done} of ${total} terminal: ${JSON.stringify(counts)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const res = await db.query<{ id: string; status: string }>(
    "SELECT id, status FROM async_invocations WHERE function_name = $1",
    [functionName],
  );
  return new Map(res.rows.map((r) => [r.id, r.status]));
}

/**
 * Runs of each tag, read from the output of every container the nodes own (a killed
 * node's containers included: they outlive it), so runs whose result was lost count too.
 */
export async function runsByTag(nodeIds: string[]): Promise<Map<number, number>> {
  const runs = new Map<number, number>();
  for (const nodeId of nodeIds) {
    for (const id of await containersOf(nodeId)) {
      for (const m of (await containerOutput(id)).matchAll(/\bRAN (\d+)\b/g)) {
        const tag = Number(m[1]);
        runs.set(tag, (runs.get(tag) ?? 0) + 1);
      }
    }
  }
  return runs;
}

/** The control plane's count of reconciler re-enqueues, by reason (its /metrics). */
export async function requeued(endpoint: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${endpoint}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^stratus_async_requeued_total\{reason="(\w+)"\} (\d+)$/gm)) {
    out[m[1] as string] = Number(m[2]);
  }
  return out;
}

export interface LoadReport {
  accepted: number;
  terminal: Record<string, number>;
  neverRan: number;
  duplicates: number;
  extraRuns: number;
}

/** Checks ids against their final statuses and runs; `neverRan` counts succeeded events with no run seen. */
export function reportOn(ids: string[], statuses: Map<string, string>, runs: Map<number, number>): LoadReport {
  const terminal: Record<string, number> = {};
  let neverRan = 0;
  let duplicates = 0;
  let extraRuns = 0;
  ids.forEach((id, tag) => {
    const status = statuses.get(id) ?? "missing";
    terminal[status] = (terminal[status] ?? 0) + 1;
    const n = runs.get(tag) ?? 0;
    if (status === "succeeded" && n === 0) neverRan++;
    if (n > 1) {
      duplicates++;
      extraRuns += n - 1;
    }
  });
  return { accepted: ids.length, terminal, neverRan, duplicates, extraRuns };
}
