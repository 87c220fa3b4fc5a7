// Invoker nodes failing for real (RELIABILITY.md S26, S32): each node is an OS
// process, killed with SIGKILL, frozen with SIGSTOP or drained with SIGTERM while a
// control plane, Postgres and Redis keep running. Nothing accepted is lost, a sync
// caller gets a prompt ServiceException when its node dies or freezes mid-request, a
// silent node leaves placement, a draining node finishes its work and takes no more,
// and a restarted node removes the containers its killed predecessor left. An async
// attempt whose node dies mid-call spends no retry but counts as an invoke.
import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  LambdaServiceException,
  PutFunctionEventInvokeConfigCommand,
} from "@aws-sdk/client-lambda";
import { nodeRegistry } from "@stratus/shared";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deployFunction,
  reportOn,
  requeued,
  runsByTag,
  settle,
  statusCounts,
  submitEvents,
  TAGGED_SOURCE,
} from "./helpers/async-load.js";
import {
  buildDist,
  containerOutput,
  containersOf,
  hostnameOwner,
  type InvokerProcess,
  nodeOfContainer,
  spawnInvoker,
} from "./helpers/invoker-process.js";
import { until, waitFor } from "./helpers/poll.js";
import { signedFetch } from "./helpers/signed-fetch.js";
import { type Platform, startPlatform } from "./helpers/stack.js";

const EVENTS = 1000;
/** Four 128 MB containers a node: one function's load spills over to the second node. */
const NODE_ENV = { STRATUS_CAPACITY_MB: "512" };

let platform: Platform;
let redis: Redis;
/** Every node process started, so that teardown stops them all. */
const started: InvokerProcess[] = [];
/** The two current nodes (a killed one is replaced by a restart under its id). */
let nodes: InvokerProcess[] = [];

async function spawnNode(nodeId?: string): Promise<InvokerProcess> {
  const node = await spawnInvoker({
    redisUrl: platform.redisUrl,
    controlPlaneUrl: platform.endpoint,
    internalToken: platform.internalToken,
    ...(nodeId ? { nodeId } : {}),
    env: NODE_ENV,
  });
  started.push(node);
  return node;
}

/** Replaces a dead node by a new process with the same id. */
async function restart(dead: InvokerProcess): Promise<InvokerProcess> {
  await dead.exited;
  const fresh = await spawnNode(dead.nodeId);
  nodes = nodes.map((n) => (n === dead ? fresh : n));
  return fresh;
}

beforeAll(async () => {
  await buildDist();
  // As many async workers as the two nodes have container slots.
  platform = await startPlatform({ controlPlaneEnv: { STRATUS_ASYNC_CONCURRENCY: "8" } });
  redis = new Redis(platform.redisUrl);
  nodes = await Promise.all([spawnNode(), spawnNode()]);
}, 180_000);

afterAll(async () => {
  // Newest first: a restarted node drains before its dead predecessor's leftovers are swept.
  for (const node of started.reverse()) await node.stop();
  redis?.disconnect();
  await platform?.stop();
}, 120_000);

/** Sync invoke of a function that answers its container's hostname; returns the node it ran on. */
async function invokeWhere(name: string, event: object = {}): Promise<string | undefined> {
  const out = await platform.lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  expect(out.FunctionError).toBeUndefined();
  return nodeOfContainer(JSON.parse(Buffer.from(out.Payload ?? []).toString("utf8")) as string);
}

/** The node, and its container, that has printed `text`. */
async function nodeRunning(text: string): Promise<{ node: InvokerProcess; containerId: string }> {
  return waitFor(
    async () => {
      for (const node of nodes) {
        for (const containerId of await containersOf(node.nodeId)) {
          if ((await containerOutput(containerId)).includes(text)) return { node, containerId };
        }
      }
      return undefined;
    },
    30_000,
    { what: `a container printing ${text}` },
  );
}

const SLEEPER = `exports.handler = async (e) => {
  console.log('SLEEPING ' + e.ms);
  await new Promise((r) => setTimeout(r, e.ms));
  return require('os').hostname();
};`;

describe("invoker processes failing", () => {
  it(`loses none of ${EVENTS} async events when a node is killed -9 mid-load`, async () => {
    const name = await deployFunction(platform.lambda, "load", TAGGED_SOURCE);
    // One sync run first: the function's home node (placement's first choice) is the victim.
    await platform.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from('{"tag":-1}') }));
    const { node: victim } = await nodeRunning("RAN -1");
    const submitting = submitEvents(platform.lambda, name, EVENTS);
    // Kill the node once the load is well under way on both nodes.
    await until(
      "200 events done",
      async () => ((await statusCounts(platform.db, name)).succeeded ?? 0) >= 200,
      120_000,
    );
    victim.kill("SIGKILL");
    const ids = await submitting;
    const statuses = await settle(platform.db, name, EVENTS, 180_000);

    const runs = await runsByTag(nodes.map((n) => n.nodeId));
    const report = reportOn(ids, statuses, runs);
    const requeues = await requeued(platform.endpoint);
    console.info(`[S26 kill -9 of ${victim.nodeId}] ${JSON.stringify({ ...report, requeues })}`);
    expect(new Set(ids).size).toBe(EVENTS);
    expect(statuses.size).toBe(EVENTS);
    expect(report.terminal).toEqual({ succeeded: EVENTS });
    expect(report.neverRan).toBe(0);
    expect((await platform.db.query("SELECT count(*)::int AS n FROM async_outbox")).rows[0].n).toBe(0);
    // The worker retried what the dead node dropped; the reconciler left the waiting backlog alone.
    expect(requeues).toEqual({});

    // A restart under the same node id removes what the killed process left behind.
    const orphans = await containersOf(victim.nodeId);
    expect(orphans.length).toBeGreaterThan(0);
    const restarted = await restart(victim);
    const left = await containersOf(restarted.nodeId);
    expect(left.filter((id) => orphans.includes(id))).toEqual([]);
  }, 420_000);

  it("answers a sync invoke with a prompt ServiceException when its node dies mid-request", async () => {
    const name = await deployFunction(platform.lambda, "sleep", SLEEPER);
    const pending = platform.lambda
      .send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ ms: 100_000 })) }))
      .then(
        () => new Error("the invoke succeeded"),
        (err: unknown) => err,
      );
    const { node: victim } = await nodeRunning("SLEEPING 100000");
    victim.kill("SIGKILL");
    // Far sooner than the function's own 100 s sleep: the caller must not hang.
    const error = await Promise.race([
      pending,
      new Promise<Error>((r) => setTimeout(() => r(new Error("no answer 30 s after the kill")), 30_000).unref()),
    ]);
    expect(error).toBeInstanceOf(LambdaServiceException);
    const e = error as LambdaServiceException;
    expect(e.name).toBe("ServiceException");
    expect(e.$metadata.httpStatusCode).toBeGreaterThanOrEqual(500);
    // The dead node may still be listed (its heartbeat is not stale yet): invokes pass it by.
    expect(await invokeWhere(name, { ms: 0 })).not.toBe(victim.nodeId);

    const orphans = await containersOf(victim.nodeId);
    const restarted = await restart(victim);
    expect((await containersOf(restarted.nodeId)).filter((id) => orphans.includes(id))).toEqual([]);
  }, 120_000);

  it("counts an async attempt whose node died mid-call as an invoke, though it spends no attempt", async () => {
    // Fails every time, after a while: long enough to kill its node mid-run.
    const name = await deployFunction(
      platform.lambda,
      "doomed",
      `exports.handler = async (e) => {
        console.log('DOOMED ' + e.ms);
        await new Promise((r) => setTimeout(r, e.ms));
        throw new Error('always broken');
      };`,
    );
    const sink = await deployFunction(platform.lambda, "doomed-sink", "exports.handler = async () => null;");
    const { FunctionArn } = await platform.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: sink }));
    await platform.lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: name,
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: FunctionArn } },
      }),
    );
    const out = await platform.lambda.send(
      new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: Buffer.from('{"ms":6000}') }),
    );
    const id = out.$metadata.requestId as string;
    const { node: victim } = await nodeRunning("DOOMED 6000");
    victim.kill("SIGKILL");
    // The dead node's call is a platform error: retried without spending the one attempt,
    // it runs again on the other node, fails, and the on-failure destination gets the record.
    await settle(platform.db, sink, 1, 60_000);
    const { rows } = await platform.db.query<{ payload: Buffer }>(
      "SELECT payload FROM async_invocations WHERE function_name = $1",
      [sink],
    );
    expect(rows.map((r) => JSON.parse(r.payload.toString("utf8")))).toMatchObject([
      { requestContext: { requestId: id, condition: "RetriesExhausted", approximateInvokeCount: 2 } },
    ]);
    // Its status says the same: one attempt spent, two invokes.
    const status = (await (
      await signedFetch(
        platform.endpoint,
        platform.region,
        platform.credentials,
        `/stratus/2026-11-01/invocations/${id}`,
      )
    ).json()) as { Status: string; Attempts: number; ApproximateInvokeCount: number };
    expect(status).toMatchObject({ Status: "failed", Attempts: 1, ApproximateInvokeCount: 2 });
    // Postgres's own counts: the dead node's try given back, the second spending the attempt.
    const counted = await platform.db.query(
      "SELECT attempt, invoke_count, given_back FROM async_invocations WHERE id = $1",
      [id],
    );
    expect(counted.rows).toEqual([{ attempt: 1, invoke_count: 2, given_back: 1 }]);
    // It did run twice: once on the node killed under it, once on the other.
    const runs: string[] = [];
    for (const node of nodes) {
      for (const c of await containersOf(node.nodeId)) {
        if ((await containerOutput(c)).includes("DOOMED 6000")) runs.push(node.nodeId);
      }
    }
    expect(runs.sort()).toEqual(nodes.map((n) => n.nodeId).sort());
    await restart(victim);
  }, 120_000);

  it("fails the sync invoke in flight on a node that stops heartbeating, takes the node out of placement, and back when it resumes", async () => {
    const name = await deployFunction(platform.lambda, "frozen", SLEEPER);
    const { Timeout } = await platform.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    const sent = Date.now();
    const pending = platform.lambda
      .send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ ms: 60_000 })) }))
      .then(
        () => new Error("the invoke succeeded"),
        (err: unknown) => err,
      );
    const { node: frozen } = await nodeRunning("SLEEPING 60000");
    frozen.kill("SIGSTOP");
    try {
      // The frozen node holds the connection open and answers nothing: the caller must
      // not wait for the function's own timeout to end the request.
      const timeoutAt = sent + (Timeout as number) * 1000;
      const error = await Promise.race([
        pending,
        new Promise<Error>((r) =>
          setTimeout(() => r(new Error("no answer within the function's timeout")), timeoutAt - Date.now()).unref(),
        ),
      ]);
      expect(error).toBeInstanceOf(LambdaServiceException);
      const e = error as LambdaServiceException;
      expect(e.name).toBe("ServiceException");
      expect(e.$metadata.httpStatusCode).toBeGreaterThanOrEqual(500);
      expect(e.message).toContain(`Invoker node ${frozen.nodeId} is unreachable`);

      // Stale for a second longer than the directory caches its list, so no cache still holds it.
      await until(
        "the frozen node to go stale",
        async () => {
          const score = await redis.zscore(nodeRegistry.heartbeatsKey, frozen.nodeId);
          return Number(score) < Date.now() - nodeRegistry.staleAfterMs - 1_000;
        },
        60_000,
      );
      for (let i = 0; i < 3; i++) expect(await invokeWhere(name, { ms: 0 })).not.toBe(frozen.nodeId);
    } finally {
      frozen.kill("SIGCONT");
    }
    const backAt = await waitFor(
      async () => {
        const score = Number(await redis.zscore(nodeRegistry.heartbeatsKey, frozen.nodeId));
        return score > Date.now() - nodeRegistry.heartbeatIntervalMs * 2 ? score : undefined;
      },
      30_000,
      { what: "the resumed node to heartbeat" },
    );
    // Back for a second longer than the directory caches its list, so no cache still
    // lacks it (the next test drains the other node and needs this one to spill to).
    await until("the resumed node to be in every cached node list", async () => Date.now() > backAt + 1_000, 30_000);
  }, 240_000);

  it("drains a SIGTERM'd node: its in-flight invocation finishes, new work goes elsewhere, none fails", async () => {
    const name = await deployFunction(platform.lambda, "drain", SLEEPER);
    // Calls before the long one leave the control plane keep-alive connections to the
    // function's node, idle when the drain begins.
    const before = new Set(await Promise.all([1, 2, 3].map(() => invokeWhere(name, { ms: 0 }))));
    const inFlight = platform.lambda.send(
      new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ ms: 20_000 })) }),
    );
    const { node: home, containerId } = await nodeRunning("SLEEPING 20000");
    expect([...before]).toEqual([home.nodeId]);
    const hostId = await hostnameOwner(containerId);
    home.kill("SIGTERM");
    // At once, while the control plane's cached node list still shows the node live and
    // its idle connections there are open: calls are answered by the other node (the
    // draining one refuses them), or throttled when its four slots are busy; none fails.
    const windowEnd = Date.now() + nodeRegistry.drainNoticeMs + 500;
    const answered = { ran: 0, throttled: 0 };
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (Date.now() < windowEnd) {
          try {
            await invokeWhere(name, { ms: 0 });
            answered.ran++;
          } catch (err) {
            if ((err as Error).name !== "TooManyRequestsException") throw err;
            answered.throttled++;
          }
        }
      }),
    );
    expect(answered.ran).toBeGreaterThan(0);
    await until(
      "the drain in the node registry",
      async () => JSON.parse((await redis.hget(nodeRegistry.infoKey, home.nodeId)) ?? "{}").draining === true,
      10_000,
    );
    for (let i = 0; i < 3; i++) expect(await invokeWhere(name, { ms: 0 })).not.toBe(home.nodeId);
    // Those invokes were placed while the node drained, not after it had gone.
    expect(home.hasExited()).toBe(false);
    const out = await inFlight;
    expect(out.FunctionError).toBeUndefined();
    expect(hostId.startsWith(JSON.parse(Buffer.from(out.Payload ?? []).toString("utf8")))).toBe(true);
    // Promptly: the drained node must not sit on idle keep-alive connections.
    const exit = await Promise.race([
      home.exited,
      new Promise<string>((r) => setTimeout(() => r("still running 30 s after its last invocation"), 30_000).unref()),
    ]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await containersOf(home.nodeId)).toEqual([]);
  }, 120_000);
});
