// Where an async event's time goes: each event is cut into stages at the marks the
// control plane publishes on its async stage channel (committed, handed to the queue,
// picked up, started, invoked, recorded) and the client's own (sent, 202 received), on
// a platform of its own with Postgres durable (fsync on) as in production. Two loads:
// a steady rate the worker keeps up with (each stage's own latency), and a burst
// (where events wait when the path is saturated).

import { randomUUID } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { ASYNC_STAGE_CHANNEL, type AsyncStage, type AsyncStageMark } from "@stratus/control-plane";
import { until } from "../helpers/poll.js";
import { startStack } from "../helpers/stack.js";
import { createSignedClient } from "./signed-client.js";
import { deployBenchFunction } from "./spec.js";
import { type Summary, summarize } from "./stats.js";

type Mark = "sent" | AsyncStage;

/** Stage k runs from its first mark to its second. */
export const ASYNC_STAGES: [name: string, from: Mark, to: Mark][] = [
  ["commit: request in, SigV4, lookups, invocation row committed", "sent", "accepted"],
  ["hand-off: the job added to the queue after the commit", "accepted", "queued"],
  ["in the queue: until a worker picks the job", "queued", "picked"],
  ["start: the attempt's conditional update committed", "picked", "started"],
  ["invoke: placement, the invoker, the function", "started", "invoked"],
  ["record: the outcome's conditional update committed", "invoked", "recorded"],
  ["end to end: sent to recorded", "sent", "recorded"],
];

export interface AsyncStageLoad {
  load: string;
  events: number;
  /** Events whose marks were all seen, in order (the others are left out). */
  n: number;
  stages: { name: string; summary: Summary }[];
}

export interface AsyncStageResult {
  paced: AsyncStageLoad;
  burst: AsyncStageLoad;
}

const PACED_RATE = Number(process.env.BENCH_ASYNC_STAGE_RATE ?? 100);
const PACED_EVENTS = Number(process.env.BENCH_ASYNC_STAGE_EVENTS ?? 1000);
const BURST_EVENTS = Number(process.env.BENCH_ASYNC_STAGE_BURST ?? 2000);
const BURST_IN_FLIGHT = 64;

export async function measureAsyncStages(): Promise<AsyncStageResult> {
  const stack = await startStack(
    { STRATUS_CAPACITY_MB: "8192" },
    { productAsyncTiming: true, durablePostgres: true, controlPlaneEnv: { STRATUS_ASYNC_CONCURRENCY: "64" } },
  );
  const client = createSignedClient(stack.endpoint, stack.region, stack.credentials);
  const marks = new Map<string, Partial<Record<Mark, number>>>();
  const marksOf = (id: string) => {
    const m = marks.get(id) ?? {};
    marks.set(id, m);
    return m;
  };
  const onMark = (msg: unknown) => {
    const { stage, id, at } = msg as AsyncStageMark;
    marksOf(id)[stage] ??= at;
  };
  try {
    const name = `astage-${randomUUID().slice(0, 8)}`;
    await deployBenchFunction(stack.lambda, name, stack.credentials.accountId, stack.region);
    const send = await client.prepare(name, Buffer.from(JSON.stringify({ hello: "world", n: 42 })), "Event");
    /** Sends one event, noting when it was sent under the id its 202 names. */
    const event = async () => {
      const sent = performance.now();
      const res = await send();
      if (res.status !== 202 || !res.requestId) throw new Error(`event refused with ${res.status}`);
      marksOf(res.requestId).sent = sent;
      return res.requestId;
    };
    const recorded = (ids: string[]) => ids.every((id) => marks.get(id)?.recorded !== undefined);
    subscribe(ASYNC_STAGE_CHANNEL, onMark);
    // Warm containers and connections, then forget those marks.
    const warm = await Promise.all(Array.from({ length: 64 }, event));
    await until("warm-up events", async () => recorded(warm), 120_000, 20);
    marks.clear();

    const pacedIds: Promise<string>[] = [];
    const t0 = performance.now();
    for (let i = 0; i < PACED_EVENTS; i++) {
      const wait = t0 + (i * 1000) / PACED_RATE - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      pacedIds.push(event());
    }
    const paced = await Promise.all(pacedIds);
    await until("paced events", async () => recorded(paced), 120_000, 20);
    const pacedLoad = cut(`${PACED_RATE} events/s`, paced, marks);

    const burst: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: BURST_IN_FLIGHT }, async () => {
        while (next < BURST_EVENTS) {
          next++;
          burst.push(await event());
        }
      }),
    );
    await until("burst events", async () => recorded(burst), 600_000, 50);
    return { paced: pacedLoad, burst: cut(`burst, ${BURST_IN_FLIGHT} in flight`, burst, marks) };
  } finally {
    unsubscribe(ASYNC_STAGE_CHANNEL, onMark);
    await client.close();
    await stack.stop();
  }
}

function cut(load: string, ids: string[], marks: Map<string, Partial<Record<Mark, number>>>): AsyncStageLoad {
  const order: Mark[] = ["sent", "accepted", "queued", "picked", "started", "invoked", "recorded"];
  const gaps = ASYNC_STAGES.map(() => [] as number[]);
  let n = 0;
  for (const id of ids) {
    const m = marks.get(id) ?? {};
    const at = order.map((k) => m[k]);
    if (at.some((t, k) => t === undefined || (k > 0 && t < (at[k - 1] as number)))) continue;
    n++;
    for (const [k, [, from, to]] of ASYNC_STAGES.entries()) gaps[k]?.push((m[to] as number) - (m[from] as number));
  }
  return {
    load,
    events: ids.length,
    n,
    stages: ASYNC_STAGES.map(([name], k) => ({ name, summary: summarize(gaps[k] ?? []) })),
  };
}
