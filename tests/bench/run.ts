// The benchmark command (pnpm bench): measures Stratus against a baseline in the
// same run and writes docs/BENCHMARKS.md. Current rows:
// - warm invoke overhead: a signed Invoke through the control plane and invoker to a
//   warm container, beside a direct Runtime-API round trip to the same warm container
//   (the invoker's pool handing it the event), with two bare HTTP hops for reference
//   (bare-hops.ts: the transport the platform's path adds, and nothing else), and the
//   same Invoke to a container frozen while idle (thawed first);
// - cold start with a stem cell and from scratch, beside `docker run` of the same image;
// - idle warm containers per GiB, beside plain containers of the same image;
// - sync invokes/s, async events/s and enqueue-to-start (throughput.ts);
// - an async event's time cut into stages, at a steady rate and in a burst (async-stages.ts);
// - control-plane memory under 200 stalled uploads (stalled-uploads.ts);
// - the triggers' rows (triggers.ts), alone with BENCH_ONLY=triggers;
// - tracing on and off, and metering's share of the path (observability.ts), alone
//   with BENCH_ONLY=observability;
// - the workflows' rows (workflows-bench.ts), only with BENCH_ONLY=workflows;
// - image and layered zip cold starts (packaging-bench.ts), only with BENCH_ONLY=packaging.
// - the Kafka trigger's rows (kafka-bench.ts), only with BENCH_ONLY=kafka.
// - the RabbitMQ trigger's rows (rabbitmq-bench.ts), only with BENCH_ONLY=rabbitmq.
// - the web console's first load and 1,000-function list (console-bench.ts), only with BENCH_ONLY=console.
// BENCH_ONLY=warm prints the warm rows alone (to compare two builds) and writes nothing;
// BENCH_ONLY=throughput, BENCH_ONLY=density and BENCH_ONLY=cold do the same for theirs.
import { randomUUID } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { exchange } from "@stratus/control-plane";
import { internalInvoke } from "@stratus/shared";
import { Agent } from "undici";
import { type Stack, startStack } from "../helpers/stack.js";
import { measureAsyncStages } from "./async-stages.js";
import { startBareHops } from "./bare-hops.js";
import { type ColdStartResult, measureColdStarts } from "./cold-start.js";
import { type DensityResult, measureIdleDensity } from "./idle-density.js";
import { measureObservability, renderObservability, withObservability } from "./observability.js";
import { untilFrozen, untilParked } from "./parked.js";
import { keepSections, renderReport } from "./report.js";
import { createSignedClient } from "./signed-client.js";
import { deployBenchFunction } from "./spec.js";
import { measureStages, type StageResult } from "./stages.js";
import { measureStalledUploads } from "./stalled-uploads.js";
import { ms, type Summary, summarize } from "./stats.js";
import { measureThroughput } from "./throughput.js";
import { measureTriggers, renderTriggers, withSection } from "./triggers.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const PER_ROUND = 100;
/** Invokes of a frozen container per round: each waits out the grace and the freeze (some 100 ms). */
const FROZEN_PER_ROUND = 10;
const WARMUP = 300;
const COLD_STARTS = Number(process.env.BENCH_COLD_STARTS ?? 20);
const IDLE_CONTAINERS = Number(process.env.BENCH_IDLE_CONTAINERS ?? 48);
const DENSITY_ROUNDS = Number(process.env.BENCH_DENSITY_ROUNDS ?? 3);
const STAGE_CALLS = Number(process.env.BENCH_STAGE_CALLS ?? 2000);

const REPORT = new URL("../../docs/BENCHMARKS.md", import.meta.url);

/** BENCH_ONLY=triggers: the triggers' rows alone, written over their section of the report. */
async function triggersOnly() {
  const section = renderTriggers(await measureTriggers());
  await writeFile(REPORT, withSection(await readFile(REPORT, "utf8"), section));
  console.log("wrote the triggers section of docs/BENCHMARKS.md");
  // As main: a stack's client socket or timer can keep the process alive.
  process.exit(0);
}

/** BENCH_ONLY=observability: the observability rows alone, written over their section. */
async function observabilityOnly() {
  const section = renderObservability(await measureObservability());
  await writeFile(REPORT, withObservability(await readFile(REPORT, "utf8"), section));
  console.log("wrote the observability section of docs/BENCHMARKS.md");
  process.exit(0);
}

/**
 * The stack of the latency, cold-start and density rows: room for the density row's
 * containers (the node's capacity is an accounting limit), and the product's async
 * timing (the tests' quick reconciliation would poll Redis for every queued event of
 * the async burst twice a second).
 */
const startBenchStack = () =>
  startStack({ STRATUS_CAPACITY_MB: String(256 * IDLE_CONTAINERS) }, { productAsyncTiming: true });

async function main() {
  const stack = await startBenchStack();
  let cold: ColdStartResult;
  let density: DensityResult;
  let warm: { p: Summary; d: Summary; h: Summary; b: Summary; f: Summary; stages: StageResult };
  try {
    const name = `bench-echo-${randomUUID().slice(0, 8)}`;
    const spec = await deployBenchFunction(stack.lambda, name, stack.credentials.accountId, stack.region);
    const client = createSignedClient(stack.endpoint, stack.region, stack.credentials);
    const payload = Buffer.from(JSON.stringify({ hello: "world", n: 42 }));
    // The client signs each request just before sending it, outside the timed part:
    // the row measures the platform's round trip, not the client's preparation.
    // Untimed, each call to the container waits until its runtime is parked on /next,
    // as an idle warm container's is: back to back, the runtime is often still on its
    // way back from the last answer, which the direct row would then wait out and the
    // platform's own latency would hide (a flattering baseline).
    const parked = () => untilParked(stack.invoker.pool, name);
    const platform = async () => {
      const send = await client.prepare(name, payload);
      await parked();
      return async () => {
        const res = await send();
        if (res.status !== 200 || !res.body.equals(payload)) throw new Error(`bad platform answer ${res.status}`);
      };
    };
    /** The platform row's call to a container frozen while idle: untimed, the wait until it is. */
    const frozen = async () => {
      const send = await client.prepare(name, payload);
      await untilFrozen(stack.invoker.pool, name);
      return async () => {
        const res = await send();
        if (res.status !== 200 || !res.body.equals(payload)) throw new Error(`bad platform answer ${res.status}`);
      };
    };
    /** A row's preparation: wait untimed for the parked runtime, then hand over `call` to time. */
    const fromParked = (call: () => Promise<void>) => async () => {
      await parked();
      return call;
    };
    const direct = fromParked(async () => {
      const out = await stack.invoker.pool.invoke(spec, { requestId: randomUUID(), payload });
      if (out.functionError || !out.payload.equals(payload)) throw new Error("bad direct answer");
    });
    const hopAgent = new Agent({ keepAliveTimeout: 60_000 });
    const hopOrigin = new URL(stack.invoker.url).origin;
    const hop = fromParked(async () => {
      const res = await exchange(hopAgent, {
        origin: hopOrigin,
        path: internalInvoke.path,
        method: "POST",
        headers: {
          [internalInvoke.specHeader]: JSON.stringify(spec),
          [internalInvoke.requestIdHeader]: randomUUID(),
          [internalInvoke.tokenHeader]: stack.internalToken,
        },
        body: payload,
      });
      if (res.statusCode !== 200 || !res.body.equals(payload)) throw new Error(`bad hop answer ${res.statusCode}`);
    });
    const bare = await startBareHops();
    const bareHops = async () => async () => {
      if (!(await bare.send(payload)).equals(payload)) throw new Error("bad bare-hops answer");
    };
    const time = async (prepare: () => Promise<() => Promise<void>>, n: number, into: number[]) => {
      for (let i = 0; i < n; i++) {
        const fn = await prepare();
        const t0 = process.hrtime.bigint();
        await fn();
        into.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    };
    await time(platform, WARMUP, []);
    await time(direct, WARMUP, []);
    await time(hop, WARMUP, []);
    await time(bareHops, WARMUP, []);
    const platformMs: number[] = [];
    const directMs: number[] = [];
    const hopMs: number[] = [];
    const bareMs: number[] = [];
    const frozenMs: number[] = [];
    // Interleaved rounds, so drift on the machine hits both sides alike.
    for (let r = 0; r < ROUNDS; r++) {
      await time(direct, PER_ROUND, directMs);
      await time(platform, PER_ROUND, platformMs);
      await time(hop, PER_ROUND, hopMs);
      await time(bareHops, PER_ROUND, bareMs);
      await time(frozen, FROZEN_PER_ROUND, frozenMs);
    }
    await bare.close();
    const stages = await measureStages(stack, platform, STAGE_CALLS);

    await client.close();
    const p = summarize(platformMs);
    const d = summarize(directMs);
    const h = summarize(hopMs);
    const b = summarize(bareMs);
    const f = summarize(frozenMs);
    console.log(`two bare hops: p50 ${ms(b.p50)} ms, p99 ${ms(b.p99)} ms (n=${b.n})`);
    console.log(`invoker hop: p50 ${ms(h.p50)} ms, p99 ${ms(h.p99)} ms (n=${h.n})`);
    console.log(`platform: p50 ${ms(p.p50)} ms, p99 ${ms(p.p99)} ms (n=${p.n})`);
    console.log(`direct:   p50 ${ms(d.p50)} ms, p99 ${ms(d.p99)} ms (n=${d.n})`);
    console.log(`overhead: p50 ${ms(p.p50 - d.p50)} ms, p99 ${ms(p.p99 - d.p99)} ms`);
    console.log(`platform, frozen container: p50 ${ms(f.p50)} ms, p99 ${ms(f.p99)} ms (n=${f.n})`);
    warm = { p, d, h, b, f, stages };
    // BENCH_ONLY=warm: these rows alone, printed (to compare two builds), the report left as it is.
    if (process.env.BENCH_ONLY === "warm") {
      console.log(JSON.stringify(stages));
      await stack.stop();
      process.exit(0);
    }
    cold = await measureColdStarts(stack, COLD_STARTS, true);
    console.log(
      `cold start: stem cell p50 ${ms(cold.stemCell?.p50 ?? Number.NaN)} ms, scratch p50 ${ms(cold.platform.p50)} ms, docker run p50 ${ms(cold.dockerRun.p50)} ms`,
    );
    density = await measureIdleDensity(stack, IDLE_CONTAINERS, DENSITY_ROUNDS);
    console.log(
      `idle warm container: ${density.platformMib.toFixed(1)} MiB (plain: ${density.baselineMib.toFixed(1)})`,
    );
  } finally {
    await stack.stop();
  }
  const throughput = await measureThroughput();
  console.log(JSON.stringify(throughput));
  const asyncStages = await measureAsyncStages();
  const stalledUploads = await measureStalledUploads();
  const triggers = renderTriggers(await measureTriggers());
  const observability = renderObservability(await measureObservability());
  const previous = await readFile(REPORT, "utf8").catch(() => "");
  await writeFile(
    REPORT,
    keepSections(
      previous,
      withObservability(
        withSection(
          renderReport({
            ...warm,
            rounds: ROUNDS,
            perRound: PER_ROUND,
            frozenPerRound: FROZEN_PER_ROUND,
            warmup: WARMUP,
            cold,
            density,
            throughput,
            asyncStages,
            stalledUploads,
          }),
          triggers,
        ),
        observability,
      ),
    ),
  );
  console.log("wrote docs/BENCHMARKS.md");
  // Something of the stacks (a client's socket, a timer) can keep the process alive.
  process.exit(0);
}

/** A BENCH_ONLY mode: `measure` on a bench stack of its own, its result printed. */
function printedOnStack(measure: (stack: Stack) => Promise<unknown>): () => Promise<void> {
  return async () => {
    const stack = await startBenchStack();
    try {
      console.log(JSON.stringify(await measure(stack), null, 1));
    } finally {
      await stack.stop();
    }
    process.exit(0);
  };
}

const only: Record<string, () => Promise<void>> = {
  throughput: async () => {
    console.log(JSON.stringify(await measureThroughput(), null, 1));
    process.exit(0);
  },
  cold: printedOnStack((stack) => measureColdStarts(stack, COLD_STARTS, true)),
  density: printedOnStack((stack) => measureIdleDensity(stack, IDLE_CONTAINERS, DENSITY_ROUNDS)),
  triggers: triggersOnly,
  observability: observabilityOnly,
  workflows: () => import("./workflows-bench.js").then(() => undefined),
  packaging: () => import("./packaging-bench.js").then(() => undefined),
  kafka: () => import("./kafka-bench.js").then(() => undefined),
  rabbitmq: () => import("./rabbitmq-bench.js").then(() => undefined),
  console: () => import("./console-bench.js").then(() => undefined),
};
(only[process.env.BENCH_ONLY ?? ""] ?? main)().catch((err) => {
  console.error(err);
  // As on success: a stack's client socket or timer may be left, and a failed run must end.
  process.exit(1);
});
