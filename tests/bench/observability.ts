// The observability rows: the warm invoke with tracing recorded and exported (a
// TracingConfig Active function, spans sent over OTLP to a collector in this process)
// beside the same invoke with tracing off (a PassThrough function: its trace header is
// carried, nothing recorded), metrics and usage metering on for both, interleaved on
// one stack; and the metering's own share of the path (metering-cost.ts). A section of
// docs/BENCHMARKS.md of its own; BENCH_ONLY=observability re-measures it alone.
import { randomUUID } from "node:crypto";
import { UpdateFunctionConfigurationCommand } from "@aws-sdk/client-lambda";
import { startOtlpReceiver } from "../helpers/otlp-receiver.js";
import { startStack } from "../helpers/stack.js";
import { measureMeteringCost } from "./metering-cost.js";
import { untilParked } from "./parked.js";
import { createSignedClient } from "./signed-client.js";
import { deployBenchFunction } from "./spec.js";
import { ms, type Summary, summarize } from "./stats.js";

export const OBS_START = "<!-- observability:start -->";
export const OBS_END = "<!-- observability:end -->";
const ROUNDS = Number(process.env.BENCH_OBS_ROUNDS ?? 10);
const PER_ROUND = 100;

export interface ObservabilityResult {
  traced: Summary;
  untraced: Summary;
  spans: number;
  /** Untimed calls that thawed a runtime frozen before it parked. */
  wakes: number;
  metering: Summary;
}

export async function measureObservability(): Promise<ObservabilityResult> {
  const metering = await measureMeteringCost();
  const receiver = await startOtlpReceiver();
  const otlp = { STRATUS_OTLP_ENDPOINT: receiver.url };
  const stack = await startStack(otlp, { controlPlaneEnv: otlp, productAsyncTiming: true, durablePostgres: true });
  const client = createSignedClient(stack.endpoint, stack.region, stack.credentials);
  try {
    const deploy = async (mode: "Active" | "PassThrough") => {
      const name = `bench-trace-${mode.toLowerCase()}-${randomUUID().slice(0, 8)}`;
      await deployBenchFunction(stack.lambda, name, stack.credentials.accountId, stack.region);
      await stack.lambda.send(
        new UpdateFunctionConfigurationCommand({ FunctionName: name, TracingConfig: { Mode: mode } }),
      );
      return name;
    };
    const active = await deploy("Active");
    const passThrough = await deploy("PassThrough");
    const payload = Buffer.from(JSON.stringify({ hello: "world" }));
    // A container whose runtime was frozen on its way back to /next (the freezer's grace
    // ran out first on this busy machine) never parks until thawed: an untimed call wakes it.
    let wakes = 0;
    const ready = async (name: string) => {
      for (;;) {
        try {
          return await untilParked(stack.invoker.pool, name, 2_000);
        } catch (err) {
          if (stack.invoker.pool.runtimesFrozen(name) === 0) throw err;
          wakes++;
          const wake = await client.prepare(name, payload);
          if ((await wake()).status !== 200) throw new Error(`${name} did not answer`);
        }
      }
    };
    const time = async (name: string, n: number, into: number[]) => {
      // Untimed first: the function's container may have been frozen while the other
      // function's round ran (idle warm containers are), and this call thaws it.
      const wake = await client.prepare(name, payload);
      if ((await wake()).status !== 200) throw new Error(`${name} did not answer`);
      for (let i = 0; i < n; i++) {
        const send = await client.prepare(name, payload);
        await ready(name);
        const t0 = performance.now();
        const res = await send();
        into.push(performance.now() - t0);
        if (res.status !== 200 || !res.body.equals(payload)) throw new Error(`bad answer ${res.status}`);
      }
    };
    await time(active, 200, []);
    await time(passThrough, 200, []);
    const spansBefore = receiver.spans.length;
    const traced: number[] = [];
    const untraced: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      await time(passThrough, PER_ROUND, untraced);
      await time(active, PER_ROUND, traced);
    }
    return {
      traced: summarize(traced),
      untraced: summarize(untraced),
      spans: receiver.spans.length - spansBefore,
      wakes,
      metering,
    };
  } finally {
    await client.close();
    await stack.stop();
    await receiver.close();
  }
}

const row = (label: string, s: Summary) => `| ${label} | ${ms(s.p50)} | ${ms(s.p99)} | ${ms(s.mean)} | ${s.n} |`;
const signed = (x: number) => `${x >= 0 ? "+" : ""}${ms(x)}`;

export function renderObservability(o: ObservabilityResult): string {
  return `${OBS_START}
## Observability: tracing and metering on the warm path

A signed Invoke of a warm echo function (one call at a time, each to a container parked
on \`/next\`), on one stack whose control plane and invoker export spans over OTLP/HTTP
to a collector in the benchmark's process. Per-function Prometheus metrics,
CloudWatch's counters and usage metering are on for both rows; the first function has
\`TracingConfig: Active\` (every call's accept, placement, dispatch, node placement and
invoke spans recorded and exported), the second \`PassThrough\` (its trace header
carried to the function, no span recorded). Interleaved rounds of ${PER_ROUND}:

| Invoke | p50 (ms) | p99 (ms) | mean (ms) | n |
| --- | ---: | ---: | ---: | ---: |
${row("tracing on (Active, spans exported)", o.traced)}
${row("tracing off (PassThrough)", o.untraced)}

Tracing adds **${signed(o.traced.p50 - o.untraced.p50)} ms** at p50 and **${signed(o.traced.p99 - o.untraced.p99)} ms** at p99
(${o.spans} spans reached the collector during the timed rounds; ${o.wakes} untimed calls
thawed a runtime the freezer had caught on its way back to \`/next\`).

Usage metering's share of each call's path, measured in process over batches of
1,000 calls (the quota check, reading the invoker's usage header, building the usage
row, the quota's local count, and queueing the row; its batched write to Postgres runs
after the answer is sent): **${o.metering.p50.toFixed(2)} µs** per call at p50 of the
batches, ${o.metering.p99.toFixed(2)} µs at p99 (n = ${o.metering.n} batches), against the
issue's budget of 0.05 ms (50 µs).
${OBS_END}`;
}

/** `report` with the observability section replaced (or added at its end). */
export function withObservability(report: string, section: string): string {
  const start = report.indexOf(OBS_START);
  const end = report.indexOf(OBS_END);
  if (start < 0 || end < 0) return `${report.trimEnd()}\n\n${section}\n`;
  return report.slice(0, start) + section + report.slice(end + OBS_END.length);
}
