// The pool over an in-memory container engine: the test plays both the engine (a
// container exits; later, the engine tells whether it was an OOM kill) and the
// runtime inside (it asks for work, answers), so the order of those signals and of
// the function's deadline is the test's to choose.
import { errors, type InvokeSpec, type StratusError } from "@stratus/shared";
import { Registry } from "prom-client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { OomKillSource } from "../backend/container-backend.js";
import { FakeBackend, type FakeContainer } from "../backend/fake-backend.js";
import { createInvokerMetrics, type InvokerMetrics } from "../metrics.js";
import type { Delivery, Session } from "../runtime-api/session.js";
import { fakeRuntimeApi } from "../testing/fake-runtime-api.js";
import { testSpec } from "../testing/invoke-spec.js";
import { ContainerPool, type InvocationLog } from "./container-pool.js";

const spec: InvokeSpec = testSpec("hog", { timeoutSeconds: 1 });

const call = (n: number) => ({
  requestId: `00000000-0000-4000-8000-00000000000${n}`,
  payload: Buffer.from("{}"),
});

let engine: FakeBackend;
let runtimeApi: ReturnType<typeof fakeRuntimeApi>;
let sessions: Map<string, Session>;
let metrics: InvokerMetrics;
let pool: ContainerPool;
let logs: InvocationLog[];
/** What the pool warned of. */
let warnings: string[];
/** Stem directories made so far, and each [stem directory, source] filled. */
let stemDirsMade = 0;
let populated: Array<[string, string]> = [];

/** A pool on the test's engine; with one stem cell of each of `opts.stemRuntimes`, if given. */
function makePool(
  opts: {
    stemRuntimes?: string[];
    dirFor?: (sha: string) => Promise<string>;
    layersDirFor?: (digests: readonly string[]) => Promise<string | undefined>;
    refusal?: StratusError;
    freezeIdleAfterMs?: number;
  } = {},
): ContainerPool {
  const stemRuntimes = opts.stemRuntimes ?? [];
  return new ContainerPool(
    {
      nodeId: "test",
      network: "net",
      capacityMb: 1024,
      idleTtlMs: 60_000,
      freezeIdleAfterMs: opts.freezeIdleAfterMs,
      logBytesPerInvocation: 4096,
      stemCells: {
        perRuntime: stemRuntimes.length > 0 ? 1 : 0,
        runtimes: stemRuntimes,
        memoryMb: 128,
        ephemeralStorageMb: 512,
      },
    },
    engine,
    runtimeApi.api,
    { dirFor: opts.dirFor ?? (async () => "/code"), refusal: () => opts.refusal },
    { dirFor: opts.layersDirFor ?? (async () => undefined) },
    {
      create: async () => `/stem-${++stemDirsMade}`,
      populate: async (dir, from) => void populated.push([dir, from]),
      remove: async () => undefined,
    },
    metrics,
    { warn: (message: string) => void warnings.push(message), error: () => undefined },
    (entry) => logs.push(entry),
  );
}

beforeEach(() => {
  parkedFor.clear();
  // The pool's timers (the function's deadline, the init limit, the log's wait) are the test's to move.
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  engine = new FakeBackend();
  logs = [];
  warnings = [];
  populated = [];
  runtimeApi = fakeRuntimeApi();
  sessions = runtimeApi.sessions;
  metrics = createInvokerMetrics(new Registry(), () => ({ ...pool.stats(), capacityMb: 1024 }));
  pool = makePool();
});

afterEach(async () => {
  vi.useRealTimers();
  await pool.close();
});

/** Plays the runtime in container `c`: asks for work and takes the event (the deadline starts). */
/** The deliveries runtimes parked on /next by park() will get. */
const parkedFor = new Map<string, Promise<Delivery>>();

async function takeEvent(c: FakeContainer): Promise<Delivery> {
  const parked = parkedFor.get(c.ip);
  if (parked) {
    parkedFor.delete(c.ip);
    return parked;
  }
  await vi.waitFor(() => expect(sessions.get(c.ip)).toBeDefined());
  return new Promise((resolve) =>
    sessions.get(c.ip)?.next((d) => {
      d.headers();
      resolve(d);
    }),
  );
}

/** `c`'s runtime comes back to /next after answering, as a real one does; takeEvent() gets what it is handed. */
function park(c: FakeContainer): void {
  const session = sessions.get(c.ip);
  if (!session) throw new Error(`no session for ${c.ip}`);
  parkedFor.set(
    c.ip,
    new Promise((resolve) =>
      session.next((d) => {
        d.headers();
        resolve(d);
      }),
    ),
  );
}

const counted = async (counter: InvokerMetrics["timeouts"]) =>
  (await counter.get()).values.reduce((n, v) => n + v.value, 0);

const outcomes = async () =>
  Object.fromEntries((await metrics.invocations.get()).values.map((v) => [v.labels.outcome, v.value]));

type Step = "exit" | "deadline passes" | "engine tells";

describe("a container that dies during an invocation", () => {
  it.each<{ steps: Step[]; oom: boolean; errorType: string; errorMessage: string; outcome: string }>([
    {
      // The engine learns of the OOM kill only after the exit (Docker: the oom event trails the die).
      steps: ["exit", "deadline passes", "engine tells"],
      oom: true,
      errorType: "Runtime.OutOfMemory",
      errorMessage: "Runtime exited with error: signal: killed",
      outcome: "oom",
    },
    {
      // The engine knew at the exit (Docker: the OOMKilled flag).
      steps: ["engine tells", "exit"],
      oom: true,
      errorType: "Runtime.OutOfMemory",
      errorMessage: "Runtime exited with error: signal: killed",
      outcome: "oom",
    },
    {
      steps: ["exit", "engine tells", "deadline passes"],
      oom: true,
      errorType: "Runtime.OutOfMemory",
      errorMessage: "Runtime exited with error: signal: killed",
      outcome: "oom",
    },
    {
      // A SIGKILL that was no OOM kill (the function killed itself).
      steps: ["exit", "deadline passes", "engine tells"],
      oom: false,
      errorType: "Runtime.ExitError",
      errorMessage: "Runtime exited with error: exit status 137",
      outcome: "crash",
    },
  ])("$steps (OOM: $oom) is reported as $errorType", async (c) => {
    let tell!: (oom: boolean) => void;
    const oomKilled = new Promise<boolean>((resolve) => {
      tell = resolve;
    });
    const result = pool.invoke(spec, call(1));
    const container = await engine.started(1);
    await takeEvent(container);
    for (const step of c.steps) {
      if (step === "exit") container.exit(137, oomKilled);
      if (step === "engine tells") tell(c.oom);
      if (step === "deadline passes") await vi.advanceTimersByTimeAsync(spec.timeoutSeconds * 1000 + 1);
      await vi.advanceTimersByTimeAsync(0);
    }
    const out = await result;
    expect(out.functionError).toBe("Unhandled");
    expect(JSON.parse(out.payload.toString())).toEqual({ errorType: c.errorType, errorMessage: c.errorMessage });
    expect(await outcomes()).toEqual({ [c.outcome]: 1 });
    expect(await counted(metrics.oomKills)).toBe(c.oom ? 1 : 0);
    expect(await counted(metrics.timeouts)).toBe(0);
    await vi.waitFor(() => expect(container.removed).toBe(true));
  });

  it("is timed out when the deadline passes first; its removal's SIGKILL is no OOM kill", async () => {
    const result = pool.invoke(spec, call(1));
    const container = await engine.started(1);
    await takeEvent(container);
    await vi.advanceTimersByTimeAsync(spec.timeoutSeconds * 1000 + 1);
    const out = await result;
    expect(JSON.parse(out.payload.toString())).toEqual({
      errorType: "Sandbox.Timedout",
      errorMessage: "Task timed out after 1.00 seconds",
    });
    expect(await outcomes()).toEqual({ timeout: 1 });
    expect(await counted(metrics.timeouts)).toBe(1);
    // Its log waits a while for an end marker the stopped runtime never printed.
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(container.removed).toBe(true));
    expect(await counted(metrics.oomKills)).toBe(0);
  });
});

describe("an idle container whose runtime exits", () => {
  it("serves no other invocation, is counted once the engine tells of the OOM, and is removed only then", async () => {
    const first = pool.invoke(spec, call(1));
    const c1 = await engine.started(1);
    const d = await takeEvent(c1);
    sessions.get(c1.ip)?.complete(d.requestId, { payload: Buffer.from('"ok"') });
    expect((await first).payload.toString()).toBe('"ok"');

    // A process it left running is OOM-killed; the engine tells so only later.
    let tell!: (oom: boolean) => void;
    c1.exit(
      137,
      new Promise<boolean>((resolve) => {
        tell = resolve;
      }),
    );
    await vi.advanceTimersByTimeAsync(0);
    const second = pool.invoke(spec, call(2));
    // A new container serves it: the exited one is out of the pool already.
    await vi.waitFor(() => expect(engine.containers).toHaveLength(2));
    const c2 = engine.containers[1] as FakeContainer;
    const d2 = await takeEvent(c2);
    sessions.get(c2.ip)?.complete(d2.requestId, { payload: Buffer.from('"ok"') });
    expect((await second).payload.toString()).toBe('"ok"');
    expect(c1.removed).toBe(false);

    tell(true);
    await vi.waitFor(() => expect(c1.removed).toBe(true));
    expect(await counted(metrics.oomKills)).toBe(1);
    expect(c2.removed).toBe(false);
  });
});

describe("a container started from scratch", () => {
  it("lets the engine's held-back work go ahead once its first invocation has answered, not before", async () => {
    const first = pool.invoke(spec, call(1));
    const container = await engine.started(1);
    const delivery = await takeEvent(container);
    // Started and running its first event: nothing may compete with it yet.
    expect(engine.settledIds).toEqual([]);
    sessions.get(container.ip)?.complete(delivery.requestId, { payload: Buffer.from("1"), markedStreams: [] });
    await first;
    // Answered: the engine's work waits a moment more, while the answer goes back.
    expect(engine.settledIds).toEqual([]);
    await vi.advanceTimersByTimeAsync(10);
    expect(engine.settledIds).toEqual([container.id]);
    // A warm invocation settles nothing more.
    const second = pool.invoke(spec, call(2));
    const again = await takeEvent(container);
    sessions.get(container.ip)?.complete(again.requestId, { payload: Buffer.from("2"), markedStreams: [] });
    await second;
    expect(engine.settledIds).toEqual([container.id]);
  });

  it("observes its Init Duration once, as a scratch start of its runtime; a warm invocation has none", async () => {
    const initDurations = async () =>
      (await metrics.initDuration.get()).values
        .filter((v) => v.metricName === "stratus_init_duration_seconds_count")
        .map((v) => ({ ...v.labels, count: v.value }));
    for (const n of [1, 2]) {
      const running = pool.invoke(spec, call(n));
      const container = await engine.started(1);
      const d = await takeEvent(container);
      sessions.get(container.ip)?.complete(d.requestId, { payload: Buffer.from("1"), markedStreams: [] });
      await running;
    }
    expect(await initDurations()).toEqual([{ runtime: spec.runtime, kind: "scratch", count: 1 }]);
  });
});

describe("a process OOM-killed during an invocation that the runtime outlives", () => {
  it.each([
    { kills: 1, line: "[stratus] a process in this function's sandbox was killed: out of memory (limit 128 MB)" },
    { kills: 2, line: "[stratus] 2 processes in this function's sandbox were killed: out of memory (limit 128 MB)" },
  ])(
    "keeps the answer, counts $kills kill(s), says so in the log and retires the container",
    async ({ kills, line }) => {
      const first = pool.invoke(spec, call(1));
      const c1 = await engine.started(1);
      const d = await takeEvent(c1);
      c1.stdout.write("the function's own line\n");
      c1.oomKills = kills; // the child the handler waited for was killed
      sessions.get(c1.ip)?.complete(d.requestId, { payload: Buffer.from('"ok"'), markedStreams: [] });
      const out = await first;
      expect(out.functionError).toBeUndefined();
      expect(out.payload.toString()).toBe('"ok"');
      expect(await outcomes()).toEqual({ success: 1 });
      expect(await counted(metrics.oomKills)).toBe(kills);
      await vi.waitFor(() => expect(logs).toHaveLength(1));
      const text = (logs[0] as InvocationLog).text.split("\n");
      expect(text.slice(1, 3)).toEqual(["the function's own line", line]);
      expect(text[3]).toMatch(/^END RequestId: /);
      await vi.waitFor(() => expect(c1.removed).toBe(true));

      // The next invocation gets a new container; the retired one's death counts no more.
      const second = pool.invoke(spec, call(2));
      const c2 = await engine.started(2);
      const d2 = await takeEvent(c2);
      sessions.get(c2.ip)?.complete(d2.requestId, { payload: Buffer.from('"ok"'), markedStreams: [] });
      await second;
      expect(await counted(metrics.oomKills)).toBe(kills);
      expect(c2.removed).toBe(false);
    },
  );

  it.each<{ what: string; oomKills: number | undefined; oomSource?: OomKillSource }>([
    { what: "no kill", oomKills: 0 },
    { what: "a container whose cgroup is gone", oomKills: undefined },
    { what: "a node that cannot count kills", oomKills: 0, oomSource: "none" },
  ])("with $what, the container stays warm and the log says nothing", async ({ oomKills, oomSource }) => {
    const first = pool.invoke(spec, call(1));
    const c1 = await engine.started(1);
    c1.oomKills = oomKills;
    c1.oomSource = oomSource ?? "cgroup";
    const d = await takeEvent(c1);
    sessions.get(c1.ip)?.complete(d.requestId, { payload: Buffer.from("1"), markedStreams: [] });
    await first;
    const second = pool.invoke(spec, call(2));
    const d2 = await takeEvent(c1);
    sessions.get(c1.ip)?.complete(d2.requestId, { payload: Buffer.from("2"), markedStreams: [] });
    await second;
    expect(engine.containers).toHaveLength(1);
    expect(await counted(metrics.oomKills)).toBe(0);
    await vi.waitFor(() => expect(logs).toHaveLength(2));
    expect(logs.map((l) => l.text).join("")).not.toContain("[stratus]");
  });

  it("counts the runtime's own OOM death just after its answer once, not twice", async () => {
    const first = pool.invoke(spec, call(1));
    const c1 = await engine.started(1);
    const d = await takeEvent(c1);
    // Killed as it answered: the pool's look finds the kill, then the engine reports the exit as one.
    c1.oomKills = 1;
    sessions.get(c1.ip)?.complete(d.requestId, { payload: Buffer.from('"ok"'), markedStreams: [] });
    expect((await first).payload.toString()).toBe('"ok"');
    c1.exit(137, Promise.resolve(true));
    await vi.waitFor(() => expect(c1.removed).toBe(true));
    await vi.advanceTimersByTimeAsync(0);
    expect(await counted(metrics.oomKills)).toBe(1);
  });
});

describe("a node that cannot read its containers' memory cgroups", () => {
  const degraded = async () =>
    Object.fromEntries((await metrics.oomDetectionDegraded.get()).values.map((v) => [v.labels.fallback, v.value]));
  const oomWarnings = () => warnings.filter((w) => w.startsWith("OOM detection degraded"));

  /** Runs one invocation in container `n` (started for it, or warm) whose runtime answers after `before`. */
  async function run(n: number, before: (c: FakeContainer) => void = () => undefined) {
    const done = pool.invoke(spec, call(n));
    const c = await engine.started(1);
    const d = await takeEvent(c);
    before(c);
    sessions.get(c.ip)?.complete(d.requestId, { payload: Buffer.from('"ok"'), markedStreams: [] });
    expect((await done).payload.toString()).toBe('"ok"');
    return c;
  }

  it("counts kills from the engine's events instead, says so once, and shows it in the gauge", async () => {
    expect(await degraded()).toEqual({ engine_events: 0, none: 0 });
    const c1 = await run(1, (c) => {
      c.oomSource = "engine_events";
    });
    expect(await degraded()).toEqual({ engine_events: 1, none: 0 });
    expect(oomWarnings()).toEqual([expect.stringMatching(/counted from the engine's oom events/)]);
    expect(c1.removed).toBe(false);
    await run(2, (c) => {
      c.oomKills = 1;
    });
    expect(await counted(metrics.oomKills)).toBe(1);
    await vi.waitFor(() => expect(logs).toHaveLength(2));
    expect(logs[1]?.text).toContain("[stratus] a process in this function's sandbox was killed: out of memory");
    await vi.waitFor(() => expect(c1.removed).toBe(true));
    expect(oomWarnings()).toHaveLength(1);
  });

  it("with no way to count kills, reports none but says so once, and shows it in the gauge until the cgroups read again", async () => {
    await run(1, (c) => {
      c.oomSource = "none";
      c.oomKills = 1;
    });
    await run(2);
    expect(await counted(metrics.oomKills)).toBe(0);
    expect(await degraded()).toEqual({ engine_events: 0, none: 1 });
    expect(oomWarnings()).toEqual([expect.stringMatching(/go uncounted and unreported/)]);
    // Readable again (the same container, now counted exactly): no longer degraded.
    await run(3, (c) => {
      c.oomSource = "cgroup";
      c.oomKills = 0;
    });
    expect(await degraded()).toEqual({ engine_events: 0, none: 0 });
    expect(oomWarnings()).toHaveLength(1);
  });
});

describe("a call its caller gave up while its container started", () => {
  it("is refused before its event is handed over, and the container serves the next call", async () => {
    let givenUp = false;
    const refused = pool.invoke(spec, call(1), { givenUp: () => givenUp }).catch((err: unknown) => err);
    const container = await engine.started(1);
    // The node was frozen while the container started: its heartbeat went stale meanwhile.
    givenUp = true;
    expect(await refused).toMatchObject({ code: "TooManyRequestsException", headers: { Reason: "CapacityExceeded" } });
    expect(await outcomes()).toEqual({});
    const second = pool.invoke(spec, call(2));
    const d = await takeEvent(container);
    expect(d.requestId).toBe(call(2).requestId);
    sessions.get(container.ip)?.complete(d.requestId, { payload: Buffer.from('"ok"') });
    expect((await second).payload.toString()).toBe('"ok"');
    expect(engine.containers).toHaveLength(1);
  });
});

describe("a runtime that does not get through its init", () => {
  it("is stopped at the init limit if it never takes its event: Runtime.InitTimeout, counted init_error", async () => {
    const result = pool.invoke(spec, call(1));
    const container = await engine.started(1);
    await vi.waitFor(() => expect(sessions.get(container.ip)?.state).toBe("queued"));
    await vi.advanceTimersByTimeAsync(10_000);
    const out = await result;
    expect(out.functionError).toBe("Unhandled");
    expect(JSON.parse(out.payload.toString())).toEqual({
      errorType: "Runtime.InitTimeout",
      errorMessage: "Init phase timed out",
    });
    expect(await outcomes()).toEqual({ init_error: 1 });
    expect(await counted(metrics.timeouts)).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(container.removed).toBe(true));
  });

  it("answers its own report of a failed init, counted as the function's error, and is retired", async () => {
    const failure = { errorType: "Runtime.ImportModuleError", errorMessage: "Cannot find module 'index'" };
    const result = pool.invoke(spec, call(1));
    const container = await engine.started(1);
    await vi.waitFor(() => expect(sessions.get(container.ip)?.state).toBe("queued"));
    sessions.get(container.ip)?.die(failure);
    const out = await result;
    expect(out.functionError).toBe("Unhandled");
    expect(JSON.parse(out.payload.toString())).toEqual(failure);
    expect(await outcomes()).toEqual({ function_error: 1 });
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(container.removed).toBe(true));
  });

  it("is removed when idle if it reports a failure then, and the next call gets a new container", async () => {
    const first = pool.invoke(spec, call(1));
    const c1 = await engine.started(1);
    const d = await takeEvent(c1);
    sessions.get(c1.ip)?.complete(d.requestId, { payload: Buffer.from('"ok"'), markedStreams: [] });
    await first;
    sessions.get(c1.ip)?.die({ errorType: "Runtime.Unknown", errorMessage: "gave up" });
    await vi.waitFor(() => expect(c1.removed).toBe(true));
    const second = pool.invoke(spec, call(2));
    const c2 = await engine.started(2);
    const d2 = await takeEvent(c2);
    sessions.get(c2.ip)?.complete(d2.requestId, { payload: Buffer.from('"again"'), markedStreams: [] });
    expect((await second).payload.toString()).toBe('"again"');
  });
});

describe("a cold start on a stem cell", () => {
  const nodeSpec = testSpec("stemmed", { runtime: "nodejs20.x" });
  const isScratch = (c: FakeContainer) => c.spec.labels["stratus.function"] === nodeSpec.functionName;

  /** The pool, replaced by one keeping a nodejs20.x stem cell, once that stem cell is ready. */
  async function withStemCell(dirFor?: (sha: string) => Promise<string>): Promise<FakeContainer> {
    await pool.close();
    pool = makePool({ stemRuntimes: ["nodejs20.x"], dirFor });
    await vi.waitFor(() => expect(pool.stats().byState.stem).toBe(1));
    return engine.started(1);
  }

  it("specialises the stem cell and runs the invocation in it", async () => {
    const stem = await withStemCell();
    const result = pool.invoke(nodeSpec, call(1));
    const d = await takeEvent(stem);
    sessions.get(stem.ip)?.complete(d.requestId, { payload: Buffer.from('"ok"'), markedStreams: [] });
    expect((await result).payload.toString()).toBe('"ok"');
    const coldStarts = (await metrics.coldStarts.get()).values.map((v) => v.labels.kind);
    expect(coldStarts).toEqual(["stem_cell"]);
    expect(pool.containerIdsOf(nodeSpec.functionName)).toEqual([stem.id]);
  });

  const namedFor = new RegExp(`^stratus[.]${nodeSpec.accountId}[.]LATEST[.][0-9a-f]{8}[.]${nodeSpec.functionName}$`);

  it("names the specialised stem cell for its function, as a container started from scratch is named at create", async () => {
    const stem = await withStemCell();
    expect(stem.name).not.toMatch(namedFor);
    const result = pool.invoke(nodeSpec, call(1));
    const d = await takeEvent(stem);
    sessions.get(stem.ip)?.complete(d.requestId, { payload: Buffer.from('"ok"'), markedStreams: [] });
    await result;
    await vi.advanceTimersByTimeAsync(10);
    await vi.waitFor(() => expect(stem.name).toMatch(namedFor));
    // Another function's container, from scratch (a /tmp size no stem cell has): named so at create.
    const other = pool.invoke({ ...spec, ephemeralStorageMb: 1024 }, call(2));
    await vi.waitFor(() =>
      expect(engine.containers.find((c) => c.started && c.spec.labels["stratus.function"] === "hog")).toBeDefined(),
    );
    const scratch = engine.containers.find((c) => c.spec.labels["stratus.function"] === "hog") as FakeContainer;
    expect(scratch.spec.name).toMatch(/^stratus[.]\d{12}[.]LATEST[.][0-9a-f]{8}[.]hog$/);
    const d2 = await takeEvent(scratch);
    sessions.get(scratch.ip)?.complete(d2.requestId, { payload: Buffer.from('"ok"'), markedStreams: [] });
    await other;
  });

  it("renames the stem cell and starts its replacement once its answer has gone, not while it runs", async () => {
    const stem = await withStemCell();
    const made = engine.containers.length;
    const result = pool.invoke(nodeSpec, call(1));
    const d = await takeEvent(stem);
    sessions.get(stem.ip)?.complete(d.requestId, { payload: Buffer.from('"ok"'), markedStreams: [] });
    expect((await result).payload.toString()).toBe('"ok"');
    // Answered: the engine's work waits a moment more, while the answer goes back.
    await vi.advanceTimersByTimeAsync(9);
    expect(stem.name).not.toMatch(namedFor);
    expect(engine.containers.length).toBe(made);
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(stem.name).toMatch(namedFor));
    await vi.waitFor(() => expect(engine.containers.length).toBe(made + 1));
  });

  it("renames and replaces a stem cell whose first invocation runs on, a second after it was taken", async () => {
    const stem = await withStemCell();
    const made = engine.containers.length;
    const takenAt = Date.now();
    const result = pool.invoke(nodeSpec, call(1));
    const d = await takeEvent(stem);
    // Running 990 ms after it was taken (taking the event moved the clock a little): neither yet.
    await vi.advanceTimersByTimeAsync(990 - (Date.now() - takenAt));
    expect(stem.name).not.toMatch(namedFor);
    expect(engine.containers.length).toBe(made);
    await vi.advanceTimersByTimeAsync(10);
    await vi.waitFor(() => expect(stem.name).toMatch(namedFor));
    await vi.waitFor(() => expect(engine.containers.length).toBe(made + 1));
    sessions.get(stem.ip)?.complete(d.requestId, { payload: Buffer.from('"ok"'), markedStreams: [] });
    expect((await result).payload.toString()).toBe('"ok"');
    // Its answer leaves nothing more to do: no second replacement.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(engine.containers.length).toBe(made + 1);
  });

  it("never hands the call to a stem cell whose runtime exited while it was specialised: it starts from scratch", async () => {
    let codeArrives!: () => void;
    const arrived = new Promise<void>((resolve) => {
      codeArrives = resolve;
    });
    const stem = await withStemCell(async () => {
      await arrived;
      return "/code";
    });
    const result = pool.invoke(nodeSpec, call(1));
    await vi.waitFor(() => expect(pool.stats().byState.busy).toBe(1));
    stem.exit(1);
    await vi.advanceTimersByTimeAsync(0);
    codeArrives();
    await vi.waitFor(() => expect(engine.containers.find((c) => isScratch(c) && c.started)).toBeDefined());
    const scratch = engine.containers.find(isScratch) as FakeContainer;
    const d = await takeEvent(scratch);
    sessions.get(scratch.ip)?.complete(d.requestId, { payload: Buffer.from('"ok"'), markedStreams: [] });
    expect((await result).payload.toString()).toBe('"ok"');
    expect(warnings).toEqual([expect.stringMatching(/failed to specialise; starting from scratch/)]);
    await vi.waitFor(() => expect(stem.removed).toBe(true));
    expect(pool.containerIdsOf(nodeSpec.functionName)).toEqual([scratch.id]);
  });
});

describe("retiring what can no longer be invoked", () => {
  /** Runs one invocation of `s` to its end on a container (the `n`th the engine starts) and returns that container. */
  async function runOnce(s: InvokeSpec, n: number): Promise<FakeContainer> {
    const done = pool.invoke(s, call(n));
    const c = await engine.started(n);
    const d = await takeEvent(c);
    sessions.get(c.ip)?.complete(d.requestId, { payload: Buffer.from('"ok"') });
    await done;
    return c;
  }
  const retiredCount = async () =>
    (await metrics.evictions.get()).values.find((v) => v.labels.reason === "retired")?.value ?? 0;

  it("removes a deleted function's idle containers at once, and no other function's", async () => {
    const mine = await runOnce(spec, 1);
    const other = await runOnce(testSpec("other"), 2);
    expect(pool.retire({ accountId: spec.accountId, functionName: "hog" })).toBe(1);
    await vi.waitFor(() => expect(mine.removed).toBe(true));
    expect(other.removed).toBe(false);
    expect(await retiredCount()).toBe(1);
    // Another account's function of the same name is not this one.
    expect(pool.retire({ accountId: "999999999999", functionName: "other" })).toBe(0);
  });

  it("removes only the deleted version, and only $LATEST's replaced revisions", async () => {
    const v1 = await runOnce({ ...spec, version: "1" }, 1);
    const oldRev = await runOnce(spec, 2);
    const newRev = await runOnce({ ...spec, revisionId: "r2" }, 3);
    expect(
      pool.retire({ accountId: spec.accountId, functionName: "hog", version: "$LATEST", keepRevisionId: "r2" }),
    ).toBe(1);
    await vi.waitFor(() => expect(oldRev.removed).toBe(true));
    expect(newRev.removed).toBe(false);
    expect(v1.removed).toBe(false);
    expect(pool.retire({ accountId: spec.accountId, functionName: "hog", version: "1" })).toBe(1);
    await vi.waitFor(() => expect(v1.removed).toBe(true));
    expect(newRev.removed).toBe(false);
  });

  it("lets a busy container finish its invocation, answered in full, then removes it instead of keeping it warm", async () => {
    const running = pool.invoke(spec, call(1));
    const c = await engine.started(1);
    const d = await takeEvent(c);
    expect(pool.retire({ accountId: spec.accountId, functionName: "hog" })).toBe(1);
    expect(c.removed).toBe(false);
    sessions.get(c.ip)?.complete(d.requestId, { payload: Buffer.from('"done"') });
    expect((await running).payload.toString()).toBe('"done"');
    await vi.waitFor(() => expect(c.removed).toBe(true));
    expect(pool.stats().byState.idle).toBe(0);
    // A second notice for the same function counts nothing twice.
    expect(pool.retire({ accountId: spec.accountId, functionName: "hog" })).toBe(0);
  });
});

describe("freezing idle containers", () => {
  const GRACE_MS = 50;
  /** Runs invocation `n` to its end on the engine's `nth` container; whether that container was frozen as it got the event. */
  async function runOn(nth: number, n: number, parks = true): Promise<{ c: FakeContainer; frozenAtEvent: boolean }> {
    const done = pool.invoke(spec, call(n));
    const c = await engine.started(nth);
    const d = await takeEvent(c);
    const frozenAtEvent = c.frozen;
    sessions.get(c.ip)?.complete(d.requestId, { payload: Buffer.from('"ok"'), markedStreams: [] });
    if (parks) park(c);
    await done;
    // The grace starts once the invocation's log is complete.
    await untilLogged(n);
    return { c, frozenAtEvent };
  }
  /** Moves the clock a millisecond at a time until invocation `n`'s log is complete. */
  async function untilLogged(n: number): Promise<void> {
    const logged = () => logs.some((l) => l.requestId === call(n).requestId);
    for (let ms = 0; !logged() && ms < 3_000; ms++) await vi.advanceTimersByTimeAsync(1);
    expect(logged()).toBe(true);
  }
  const freezes = async () => (await metrics.freezes.get()).values[0]?.value ?? 0;

  beforeEach(async () => {
    await pool.close();
    pool = makePool({ freezeIdleAfterMs: GRACE_MS });
  });

  it("freezes a container once it has been idle for the grace, and thaws it before the next event", async () => {
    const { c } = await runOn(1, 1);
    // untilLogged moves the clock a millisecond at a time: the grace may have begun one before.
    await vi.advanceTimersByTimeAsync(GRACE_MS - 2);
    expect(c.frozen).toBe(false);
    await vi.advanceTimersByTimeAsync(2);
    await vi.waitFor(() => expect(c.frozen).toBe(true));
    expect(await freezes()).toBe(1);
    const again = await runOn(1, 2);
    expect(again.c).toBe(c);
    expect(again.frozenAtEvent).toBe(false);
  });

  it("does not freeze a container invoked again within the grace", async () => {
    const { c } = await runOn(1, 1);
    await vi.advanceTimersByTimeAsync(GRACE_MS / 2);
    const running = pool.invoke(spec, call(2));
    const d = await takeEvent(c);
    // Busy through the moment the first grace would have ended.
    await vi.advanceTimersByTimeAsync(GRACE_MS);
    sessions.get(c.ip)?.complete(d.requestId, { payload: Buffer.from('"ok"'), markedStreams: [] });
    park(c);
    await running;
    await untilLogged(2);
    expect(c.freezes).toBe(0);
    await vi.advanceTimersByTimeAsync(GRACE_MS);
    await vi.waitFor(() => expect(c.frozen).toBe(true));
  });

  it("waits for the invocation's log to be complete before the grace starts", async () => {
    const done = pool.invoke(spec, call(1));
    const c = await engine.started(1);
    const d = await takeEvent(c);
    // Its markers are still to come: the log waits for them (or for quiet streams).
    sessions.get(c.ip)?.complete(d.requestId, { payload: Buffer.from('"ok"') });
    park(c);
    await done;
    await vi.advanceTimersByTimeAsync(GRACE_MS * 4);
    expect(c.freezes).toBe(0);
    await untilLogged(1);
    await vi.advanceTimersByTimeAsync(GRACE_MS);
    await vi.waitFor(() => expect(c.frozen).toBe(true));
  });

  it("starts the grace once the runtime is back on /next, where Lambda freezes it", async () => {
    const { c } = await runOn(1, 1, false);
    await vi.advanceTimersByTimeAsync(GRACE_MS * 4);
    expect(c.freezes).toBe(0);
    park(c);
    await vi.advanceTimersByTimeAsync(GRACE_MS - 1);
    expect(c.freezes).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitFor(() => expect(c.frozen).toBe(true));
    // Its next event reaches the runtime parked before the freeze.
    const again = await runOn(1, 2);
    expect(again.frozenAtEvent).toBe(false);
  });

  it("freezes a runtime that answered but never came back to /next, after 2 s", async () => {
    const { c } = await runOn(1, 1, false);
    await vi.advanceTimersByTimeAsync(1_900);
    expect(c.freezes).toBe(0);
    await vi.advanceTimersByTimeAsync(100 + GRACE_MS);
    await vi.waitFor(() => expect(c.frozen).toBe(true));
  });

  it("removes a container that cannot be thawed and runs the event on another", async () => {
    const { c } = await runOn(1, 1);
    await vi.advanceTimersByTimeAsync(GRACE_MS);
    await vi.waitFor(() => expect(c.frozen).toBe(true));
    engine.thaw = async () => {
      throw new Error("engine refused");
    };
    const second = await runOn(2, 2);
    expect(second.c).not.toBe(c);
    await vi.waitFor(() => expect(c.removed).toBe(true));
    expect(warnings).toContain("could not thaw a warm container");
  });

  it("tries a failed freeze once more, then removes a container that cannot be frozen", async () => {
    const freeze = engine.freeze.bind(engine);
    let refusals = 0;
    engine.freeze = async (id) => {
      if (refusals++ < 2) throw new Error("unable to freeze");
      return freeze(id);
    };
    const { c } = await runOn(1, 1);
    await vi.advanceTimersByTimeAsync(GRACE_MS);
    expect(c.removed).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.waitFor(() => expect(c.removed).toBe(true));
    expect(warnings).toContain("could not freeze an idle container: removing it");
    const evicted = (await metrics.evictions.get()).values.find((v) => v.labels.reason === "unfreezable");
    expect(evicted?.value).toBe(1);
  });

  it("removes a frozen container when its function is deleted, thawed first so the engine's kill reaches it", async () => {
    const { c } = await runOn(1, 1);
    await vi.advanceTimersByTimeAsync(GRACE_MS);
    await vi.waitFor(() => expect(c.frozen).toBe(true));
    const remove = engine.remove.bind(engine);
    const frozenAtRemoval: boolean[] = [];
    engine.remove = async (id) => {
      frozenAtRemoval.push(c.frozen);
      return remove(id);
    };
    expect(pool.retire({ accountId: spec.accountId, functionName: "hog" })).toBe(1);
    await vi.waitFor(() => expect(c.removed).toBe(true));
    expect(frozenAtRemoval).toEqual([false]);
  });

  it("waits for a freeze still settling before it removes the container", async () => {
    const freeze = engine.freeze.bind(engine);
    let settle: () => void = () => undefined;
    engine.freeze = (id) => new Promise<void>((resolve) => (settle = resolve)).then(() => freeze(id));
    const { c } = await runOn(1, 1);
    await vi.advanceTimersByTimeAsync(GRACE_MS);
    expect(pool.retire({ accountId: spec.accountId, functionName: "hog" })).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(c.removed).toBe(false);
    settle();
    await vi.waitFor(() => expect(c.removed).toBe(true));
    expect(c.frozen).toBe(false);
  });
});

describe("code that cannot be unpacked", () => {
  const bad = errors.invalidCodePackage(
    "The function's code could not be unpacked: Entry with an empty name in the zip",
  );

  it("is answered as the function's error, its container removed", async () => {
    await pool.close();
    pool = makePool({ dirFor: async () => Promise.reject(bad) });
    const out = await pool.invoke(spec, call(1));
    expect(out.functionError).toBe("Unhandled");
    expect(JSON.parse(out.payload.toString())).toEqual({
      errorType: "Runtime.InvalidCodePackage",
      errorMessage: bad.message,
    });
    await vi.waitFor(() => expect(pool.stats().byState).toMatchObject({ starting: 0, idle: 0, busy: 0 }));
  });

  it("takes no container once the node knows the code does not unpack", async () => {
    await pool.close();
    pool = makePool({ stemRuntimes: ["nodejs20.x"], refusal: bad });
    await vi.waitFor(() => expect(pool.stats().byState.stem).toBe(1));
    const out = await pool.invoke(testSpec("stemmed", { runtime: "nodejs20.x" }), call(1));
    expect(out.functionError).toBe("Unhandled");
    expect(pool.stats().byState.stem).toBe(1);
    expect(engine.containers).toHaveLength(1);
  });

  it("stays a platform error when the code could not be fetched", async () => {
    await pool.close();
    pool = makePool({ dirFor: async () => Promise.reject(new Error("control plane answered 503")) });
    await expect(pool.invoke(spec, call(1))).rejects.toMatchObject({ code: "ServiceException" });
  });
});

describe("a function with layers", () => {
  const layered = testSpec("layered", { runtime: "nodejs20.x", layerSha256Hex: ["b".repeat(64), "c".repeat(64)] });
  const layersDirFor = async (digests: readonly string[]) =>
    digests.length > 0 ? `/layers/${digests.length}` : undefined;

  it("from scratch mounts the merged layers of its ordered set at /opt, and a function without layers mounts none", async () => {
    await pool.close();
    pool = makePool({ layersDirFor });
    const result = pool.invoke(layered, call(1));
    await vi.waitFor(() => expect(engine.containers.length).toBe(1));
    const c = await engine.started(1);
    expect(c.spec.optDir).toBe("/layers/2");
    const d = await takeEvent(c);
    sessions.get(c.ip)?.complete(d.requestId, { payload: Buffer.from('"ok"'), markedStreams: [] });
    await result;
    const plain = pool.invoke(spec, call(2));
    await vi.waitFor(() => expect(engine.containers.length).toBe(2));
    expect(engine.containers[1]?.spec.optDir).toBeUndefined();
    const c2 = await engine.started(2);
    const d2 = await takeEvent(c2);
    sessions.get(c2.ip)?.complete(d2.requestId, { payload: Buffer.from('"ok"'), markedStreams: [] });
    await plain;
  });

  it("is served by a stem cell, whose own /opt directory is filled with the merged layers", async () => {
    await pool.close();
    pool = makePool({ stemRuntimes: ["nodejs20.x"], layersDirFor });
    await vi.waitFor(() => expect(pool.stats().byState.stem).toBe(1));
    const stem = await engine.started(1);
    expect(stem.spec.optDir).toMatch(/^\/stem-/);
    expect(stem.spec.optDir).not.toBe(stem.spec.codeDir);
    const result = pool.invoke(layered, call(1));
    const d = await takeEvent(stem);
    sessions.get(stem.ip)?.complete(d.requestId, { payload: Buffer.from('"ok"'), markedStreams: [] });
    expect((await result).payload.toString()).toBe('"ok"');
    expect(populated).toContainEqual([stem.spec.optDir, "/layers/2"]);
    expect(populated).toContainEqual([stem.spec.codeDir, "/code"]);
    expect(pool.containerIdsOf(layered.functionName)).toEqual([stem.id]);
  });
});

describe("a container that reached its process limit during an invocation", () => {
  it("keeps the answer, says so in the log and retires the container, so the next invocation has a new one", async () => {
    const first = pool.invoke(spec, call(1));
    const c1 = await engine.started(1);
    const d = await takeEvent(c1);
    c1.forkRefusals = 3; // the handler's forks were refused at the limit; what it started lives on
    sessions.get(c1.ip)?.complete(d.requestId, { payload: Buffer.from('"EAGAIN"'), markedStreams: [] });
    const out = await first;
    expect(out.functionError).toBeUndefined();
    expect(out.payload.toString()).toBe('"EAGAIN"');
    expect(await outcomes()).toEqual({ success: 1 });
    await vi.waitFor(() => expect(logs).toHaveLength(1));
    const text = (logs[0] as InvocationLog).text.split("\n");
    expect(text[1]).toBe(
      "[stratus] this function's sandbox reached its limit of 1024 processes and threads; a new one serves the next invocation",
    );
    await vi.waitFor(() => expect(c1.removed).toBe(true));

    const second = pool.invoke(spec, call(2));
    const c2 = await engine.started(2);
    const d2 = await takeEvent(c2);
    sessions.get(c2.ip)?.complete(d2.requestId, { payload: Buffer.from('"ok"'), markedStreams: [] });
    await second;
    expect(c2.removed).toBe(false);
  });

  it.each([
    { what: "no refusal", refusals: 0 },
    { what: "an engine that cannot tell", refusals: undefined },
  ])("with $what, the container stays warm and the log says nothing", async ({ refusals }) => {
    const first = pool.invoke(spec, call(1));
    const c1 = await engine.started(1);
    c1.forkRefusals = refusals;
    const d = await takeEvent(c1);
    sessions.get(c1.ip)?.complete(d.requestId, { payload: Buffer.from("1"), markedStreams: [] });
    await first;
    const second = pool.invoke(spec, call(2));
    const d2 = await takeEvent(c1);
    sessions.get(c1.ip)?.complete(d2.requestId, { payload: Buffer.from("2"), markedStreams: [] });
    await second;
    expect(engine.containers).toHaveLength(1);
    await vi.waitFor(() => expect(logs).toHaveLength(2));
    expect(logs.map((l) => l.text).join("")).not.toContain("[stratus]");
  });
});
