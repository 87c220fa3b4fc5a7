// Firing lag of EventBridge Scheduler schedules: from a tick's scheduled time to the
// start of its function's invocation (the async attempt's first start, recorded in
// Postgres), with 1,000 at() schedules due at the same second, beside two floors
// from the same run: one schedule due alone (the poll interval and one firing), and
// 1,000 async events accepted at once through Invoke (the async path's own burst,
// measured from acceptance to start).
import { randomUUID } from "node:crypto";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { until } from "../helpers/poll.js";
import type { Stack } from "../helpers/stack.js";
import { deployBenchFunction } from "./spec.js";
import { type Summary, summarize } from "./stats.js";

const DUE_TOGETHER = Number(process.env.BENCH_SCHEDULES_DUE ?? 1000);
const ALONE = 10;
const CREATE_IN_FLIGHT = 16;

export interface FiringLagResult {
  dueTogether: number;
  /** Scheduled time to start, 1,000 schedules due at the same second. */
  together: Summary;
  /** From the first of those starts to the last (ms): how long the node took to start them all. */
  togetherSpreadMs: number;
  /** How long the burst's Invoke calls took to be accepted (ms). */
  burstAcceptMs: number;
  /** From the burst's first start to its last (ms). */
  burstSpreadMs: number;
  /** Scheduled time to start, one schedule due at a time. */
  alone: Summary;
  /** Accepted to start, the same number of async Invoke events sent at once. */
  asyncBurst: Summary;
  pollMs: number;
}

/** at() of a whole second, in UTC. */
const atExpression = (t: Date) => `at(${t.toISOString().slice(0, 19)})`;

async function inParallel(n: number, inFlight: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < n) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(n, inFlight) }, lane));
}

/** From the earliest start to the latest, in ms. */
function spread(rows: { first_started_at: Date }[]): number {
  const t = rows.map((r) => r.first_started_at.getTime());
  return Math.max(...t) - Math.min(...t);
}

export async function measureFiringLag(stack: Stack, pollMs: number): Promise<FiringLagResult> {
  const name = `bench-fire-${randomUUID().slice(0, 8)}`;
  await deployBenchFunction(stack.lambda, name, stack.credentials.accountId, stack.region);
  const arn = `arn:aws:lambda:${stack.region}:${stack.credentials.accountId}:function:${name}`;
  const scheduler = new SchedulerClient({
    endpoint: stack.endpoint,
    region: stack.region,
    credentials: stack.credentials,
  });
  const create = (label: string, at: Date) =>
    scheduler.send(
      new CreateScheduleCommand({
        Name: label,
        ScheduleExpression: atExpression(at),
        FlexibleTimeWindow: { Mode: "OFF" },
        Target: {
          Arn: arn,
          RoleArn: "arn:aws:iam::123456789012:role/bench",
          Input: JSON.stringify({ label, scheduledTime: "<aws.scheduler.scheduled-time>" }),
        },
      }),
    );
  /** `label LIKE prefix%` invocations of the function that have started, once `n` have. */
  const started = async (prefix: string, n: number) => {
    const query = `SELECT convert_from(payload, 'UTF8')::jsonb->>'scheduledTime' AS due, accepted_at, first_started_at
       FROM async_invocations WHERE function_name = $1 AND first_started_at IS NOT NULL
       AND convert_from(payload, 'UTF8')::jsonb->>'label' LIKE $2`;
    let rows: { due: string | null; accepted_at: Date; first_started_at: Date }[] = [];
    await until(
      `${n} ${prefix} invocations started`,
      async () => {
        rows = (await stack.db.query(query, [name, `${prefix}%`])).rows;
        return rows.length >= n;
      },
      180_000,
      500,
    );
    return rows;
  };
  /** Scheduled time to first start. */
  const lags = async (prefix: string, n: number) =>
    (await started(prefix, n)).map((r) => r.first_started_at.getTime() - Date.parse(r.due ?? ""));
  try {
    // A warm container first, so no row pays a cold start.
    await stack.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from("{}") }));

    // Floor 1: one schedule due at a time, 2 s apart.
    const base = Math.ceil(Date.now() / 1000) * 1000 + 5_000;
    for (let i = 0; i < ALONE; i++) await create(`alone-${i}`, new Date(base + i * 2_000));
    const alone = summarize(await lags("alone-", ALONE));

    // Floor 2: the same number of events put through the async path at once.
    const t0 = Date.now();
    await inParallel(DUE_TOGETHER, 64, async (i) => {
      await stack.lambda.send(
        new InvokeCommand({
          FunctionName: name,
          InvocationType: "Event",
          Payload: Buffer.from(JSON.stringify({ label: `burst-${i}` })),
        }),
      );
    });
    const burstAcceptMs = Date.now() - t0;
    console.log(`async burst: ${DUE_TOGETHER} accepted in ${burstAcceptMs} ms`);
    const burstRows = await started("burst-", DUE_TOGETHER);
    const asyncBurst = summarize(burstRows.map((r) => r.first_started_at.getTime() - r.accepted_at.getTime()));

    // The row: DUE_TOGETHER schedules, all due at the same second, created well before it.
    const due = new Date(Math.ceil(Date.now() / 1000) * 1000 + 60_000);
    const c0 = Date.now();
    await inParallel(DUE_TOGETHER, CREATE_IN_FLIGHT, (i) => create(`together-${i}`, due).then(() => undefined));
    console.log(`created ${DUE_TOGETHER} schedules in ${Date.now() - c0} ms, due ${due.toISOString()}`);
    if (Date.now() > due.getTime() - 5_000) throw new Error("schedules were created too late to be due together");
    const togetherRows = await started("together-", DUE_TOGETHER);
    const together = summarize(togetherRows.map((r) => r.first_started_at.getTime() - Date.parse(r.due ?? "")));
    return {
      dueTogether: DUE_TOGETHER,
      together,
      togetherSpreadMs: spread(togetherRows),
      alone,
      asyncBurst,
      burstAcceptMs,
      burstSpreadMs: spread(burstRows),
      pollMs,
    };
  } finally {
    scheduler.destroy();
  }
}
