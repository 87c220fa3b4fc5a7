// An invoker node frozen (SIGSTOP, not killed) while it runs async attempts
// (RELIABILITY.md S26, S31, S32): the node keeps its connections open and answers
// nothing, and its containers run on. The control plane fails the attempts in flight
// there as platform errors (no retry of the function is spent) and reruns them on the
// other node; the node leaves placement within seconds; every accepted event reaches
// exactly one terminal state while it is still frozen, each with one on-success
// delivery. Once the node resumes (SIGCONT), what it finishes late changes nothing,
// and it starts none of the requests the control plane gave up on while it was frozen.
import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  PutFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { nodeRegistry } from "@stratus/shared";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployFunction, settle, statusCounts, submitEvents } from "./helpers/async-load.js";
import {
  buildDist,
  containerOutput,
  containersOf,
  type InvokerProcess,
  spawnNodes,
} from "./helpers/invoker-process.js";
import { metricValue } from "./helpers/metrics.js";
import { until, waitFor } from "./helpers/poll.js";
import { type Platform, startPlatform } from "./helpers/stack.js";

const RUN_MS = 3_000;

/** Prints its tag and when it started, then takes a while: a frozen node is mid-run. */
const SLOW_TAGGED = `exports.handler = async (e) => {
  console.log('RAN ' + e.tag + ' AT ' + Date.now());
  await new Promise((r) => setTimeout(r, ${RUN_MS}));
  return e.tag;
};`;

/** The on-success destination: prints whose delivery it got. */
const RECORDER = `exports.handler = async (e) => {
  console.log('DELIVERED ' + e.requestContext.requestId);
  return null;
};`;

const BEFORE = 24;
const AFTER = 16;

let platform: Platform;
let redis: Redis;
const nodes: InvokerProcess[] = [];

beforeAll(async () => {
  await buildDist();
  platform = await startPlatform({ controlPlaneEnv: { STRATUS_ASYNC_CONCURRENCY: "8" } });
  redis = new Redis(platform.redisUrl);
  // Four 128 MB containers a node: the load runs on both.
  nodes.push(...(await spawnNodes(platform, 2, { STRATUS_CAPACITY_MB: "512" })));
}, 180_000);

afterAll(async () => {
  for (const node of nodes) await node.stop();
  redis?.disconnect();
  await platform?.stop();
}, 120_000);

interface Run {
  tag: number;
  at: number;
}

/** Runs of the load function on `node` (its sync warm-up is tag -1), read from its containers' output. */
async function runsOn(node: InvokerProcess): Promise<Run[]> {
  const runs: Run[] = [];
  for (const id of await containersOf(node.nodeId)) {
    for (const m of (await containerOutput(id)).matchAll(/\bRAN (-?\d+) AT (\d+)\b/g)) {
      runs.push({ tag: Number(m[1]), at: Number(m[2]) });
    }
  }
  return runs;
}

interface Row {
  id: string;
  status: string;
  attempt: number;
  error: { errorType?: string; errorMessage?: string } | null;
  updated_at: Date;
  payload: Buffer;
}

async function rowsOf(functionName: string): Promise<Row[]> {
  const res = await platform.db.query<Row>(
    `SELECT id, status, attempt, error, updated_at, payload FROM async_invocations
     WHERE function_name = $1 ORDER BY id`,
    [functionName],
  );
  return res.rows;
}

interface LogRow {
  request_id: string;
  started_at: Date;
  log: string;
}

/** The stored invocation logs (one per run that finished on a node) of these request ids. */
async function logsOf(requestIds: string[]): Promise<LogRow[]> {
  const res = await platform.db.query<LogRow>(
    "SELECT request_id, started_at, log FROM invocation_logs WHERE request_id = ANY($1::uuid[])",
    [requestIds],
  );
  return res.rows;
}

const heartbeatAge = async (nodeId: string) =>
  Date.now() - Number(await redis.zscore(nodeRegistry.heartbeatsKey, nodeId));

describe("an invoker node frozen under async load", () => {
  it("reruns the frozen node's attempts elsewhere without spending retries, and its late work changes nothing", async () => {
    const name = await deployFunction(platform.lambda, "frozen-async", SLOW_TAGGED);
    const sink = await deployFunction(platform.lambda, "frozen-sink", RECORDER);
    const { FunctionArn } = await platform.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: sink }));
    await platform.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: name,
        DestinationConfig: { OnSuccess: { Destination: FunctionArn } },
      }),
    );
    // One sync run first: the function's home node (placement's first choice, where
    // attempts keep going until it drops out) is the victim.
    await platform.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"tag":-1}') }));
    const victim = await waitFor(
      async () => {
        for (const node of nodes) if ((await runsOn(node)).some((run) => run.tag === -1)) return node;
        return undefined;
      },
      10_000,
      { what: "the node that ran the sync invoke" },
    );
    const before = await submitEvents(platform.lambda, name, BEFORE, 8);
    await until(
      "attempts running on the home node",
      async () => {
        const done = await statusCounts(platform.db, name);
        if ((done.succeeded ?? 0) > BEFORE / 2) throw new Error("the load finished before the node could be frozen");
        return (await runsOn(victim)).filter((run) => run.tag >= 0).length >= 2;
      },
      60_000,
    );
    victim.kill("SIGSTOP");
    const frozenAt = Date.now();
    let resumedAt: number | undefined;
    try {
      // Out of placement within seconds: its heartbeat goes stale (and a second more, so no cache holds it).
      await until(
        "the frozen node to go stale",
        async () => (await heartbeatAge(victim.nodeId)) > nodeRegistry.staleAfterMs + 1_000,
        30_000,
      );
      expect(Date.now() - frozenAt).toBeLessThan(nodeRegistry.staleAfterMs + nodeRegistry.heartbeatIntervalMs + 5_000);
      const after = await submitEvents(platform.lambda, name, AFTER, 8);
      const ids = [...before, ...after];

      // Every event ends, with its delivery, while the node is still frozen.
      await settle(platform.db, name, BEFORE + AFTER, 180_000);
      await settle(platform.db, sink, BEFORE + AFTER, 120_000);
      const rows = await rowsOf(name);
      expect(rows).toHaveLength(ids.length);
      expect(rows.map((r) => r.status)).toEqual(rows.map(() => "succeeded"));
      // Failed attempts were all platform errors: none spent one of the function's retries.
      expect(rows.filter((r) => r.attempt !== 1).map(({ id, attempt, error }) => ({ id, attempt, error }))).toEqual([]);

      // The attempts caught on the frozen node (started there less than a run's length
      // before the freeze) ran again on the other node, with the one attempt counted
      // above. Every log stored so far is the other node's: the frozen one ships nothing.
      const caught = (await runsOn(victim)).filter((run) => run.tag >= 0 && run.at > frozenAt - RUN_MS);
      expect(caught.length).toBeGreaterThan(0);
      const caughtIds = caught.map((run) => ids[run.tag] as string);
      // The other node ships a run's log within a flush or two of its end, which can
      // come after the last delivery has been recorded.
      const rerunOf = (logs: LogRow[], id: string) =>
        logs.filter((l) => l.request_id === id && l.started_at.getTime() > frozenAt);
      const reruns = await waitFor(
        async () => {
          const logs = await logsOf(caughtIds);
          return caughtIds.every((id) => rerunOf(logs, id).length > 0) ? logs : undefined;
        },
        15_000,
        { what: "the logs of the reruns" },
      );
      for (const run of caught) {
        const id = ids[run.tag] as string;
        expect(rerunOf(reruns, id)).toHaveLength(1);
      }
      // One delivery per event.
      const delivered = (await rowsOf(sink)).map(
        (r) => JSON.parse(r.payload.toString("utf8")).requestContext.requestId,
      );
      expect(delivered.sort()).toEqual([...ids].sort());
      const snapshot = { source: await rowsOf(name), sink: await rowsOf(sink) };

      victim.kill("SIGCONT");
      resumedAt = Date.now();
      // The node heartbeats again and works off what waited for it: the runs it
      // finishes late, and whatever requests it reads on waking.
      await until(
        "the resumed node to heartbeat",
        async () => (await heartbeatAge(victim.nodeId)) < nodeRegistry.heartbeatIntervalMs * 2,
        30_000,
      );
      await until(
        "the resumed node to be idle",
        async () =>
          (await metricValue(victim.url, "stratus_containers", { state: "busy" })) +
            (await metricValue(victim.url, "stratus_containers", { state: "starting" })) ===
          0,
        30_000,
      );
      const late = (await runsOn(victim)).filter((run) => run.at >= (resumedAt as number));
      // Drained, the node has shipped the logs of everything it ran.
      victim.kill("SIGTERM");
      expect(await victim.exited).toEqual({ code: 0, signal: null });

      // Its late runs finished there (their logs name their start before the freeze)...
      const logs = await logsOf(ids);
      for (const run of caught) {
        expect(
          logs.filter((l) => l.request_id === ids[run.tag] && l.log.includes(`RAN ${run.tag} AT ${run.at}`)),
        ).toHaveLength(1);
      }
      // ...and changed nothing: no second success, no second delivery.
      expect({ source: await rowsOf(name), sink: await rowsOf(sink) }).toEqual(snapshot);
      // It started none of the requests it read on waking: the control plane had given them up.
      expect(late).toEqual([]);
      const sinkIds = snapshot.sink.map((r) => r.id);
      const startedLate = [...logs, ...(await logsOf(sinkIds))].filter(
        (l) => l.started_at.getTime() >= (resumedAt as number),
      );
      expect(startedLate.map((l) => l.log)).toEqual([]);
    } finally {
      if (resumedAt === undefined) victim.kill("SIGCONT");
    }
  }, 420_000);
});
