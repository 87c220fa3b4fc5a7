// The async store's attempts on a real Postgres: how it runs a batch of starts (and
// ends) with a backlog queued, by id, not by reading every open invocation; and a
// batch that holds starts and ends. For the plans, the statistics are taken while
// nothing is open (as on a platform that has caught up) and autovacuum is kept off the
// table, so the planner sees the backlog only as the burst that grew it after its last
// look.
import { randomUUID } from "node:crypto";
import {
  type AsyncStore,
  attemptsStatement,
  createPgAccountStore,
  createPgAsyncStore,
  migrate,
} from "@stratus/control-plane";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StartedService, startPostgres } from "./helpers/services.js";

let postgres: StartedService;
let db: pg.Pool;
let store: AsyncStore;
let accountId: string;

const accept = (n: number) =>
  Promise.all(
    Array.from({ length: n }, () =>
      store.accept({
        id: randomUUID(),
        accountId,
        functionName: "queued",
        payload: Buffer.from("{}"),
        maxAttempts: 3,
        maxEventAgeSeconds: 3600,
      }),
    ),
  );

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Rows": number;
  "Actual Loops": number;
  "Rows Removed by Filter"?: number;
  Plans?: PlanNode[];
}

/** The plan's nodes that read async_invocations, at any depth. */
function scansOfInvocations(node: PlanNode): PlanNode[] {
  const own = node["Relation Name"] === "async_invocations" && node["Node Type"] !== "ModifyTable" ? [node] : [];
  return [...own, ...(node.Plans ?? []).flatMap(scansOfInvocations)];
}

beforeAll(async () => {
  postgres = await startPostgres();
  db = new pg.Pool({ connectionString: postgres.url, max: 4 });
  await migrate(db);
  await db.query("ALTER TABLE async_invocations SET (autovacuum_enabled = false)");
  accountId = (await createPgAccountStore(db).createAccount(`plans-${randomUUID().slice(0, 8)}`)).id;
  store = createPgAsyncStore(db);
  // Caught up: every event so far has finished when Postgres last looked.
  await accept(300);
  await db.query("UPDATE async_invocations SET status = 'succeeded'");
  await db.query("ANALYZE async_invocations");
}, 120_000);

afterAll(async () => {
  await db?.end();
  await postgres?.container.stop({ remove: true });
});

/** The plan of `statement` (run, then rolled back). */
async function plan({ text, values }: { text: string; values: unknown[] }): Promise<PlanNode> {
  const c = await db.connect();
  try {
    await c.query("BEGIN");
    const res = await c.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`, values);
    return (res.rows[0] as { "QUERY PLAN": [{ Plan: PlanNode }] })["QUERY PLAN"][0].Plan;
  } finally {
    await c.query("ROLLBACK");
    c.release();
  }
}

describe("an attempt's start with thousands of events queued", () => {
  it.each([
    ["alone", false],
    ["beside ends", true],
  ])("finds its rows by id and reads no queued neighbour (%s)", async (_label, withEnds) => {
    const backlog = await accept(3000);
    const starts = backlog
      .slice(0, 4)
      .map((j) => ({ id: j.invocationId, jobId: j.jobId, leaseSeconds: 960, takeover: false }));
    // Ends of attempts that are not running: they move nothing, but Postgres plans and runs them.
    const finishes = withEnds
      ? backlog.slice(4, 7).map((j) => ({ id: j.invocationId, attempt: 1, event: "succeed" as const, fields: {} }))
      : [];
    const scans = scansOfInvocations(await plan(attemptsStatement(starts, finishes)));
    expect(scans.map((s) => [s["Node Type"], s["Index Name"]])).toEqual([
      ...(withEnds ? [["Index Scan", "async_invocations_pkey"]] : []),
      ["Index Scan", "async_invocations_pkey"],
    ]);
    // The rows each scan read: those it kept and those its filter dropped (the ends' rows: not running).
    const read = scans.reduce(
      (n, s) => n + (s["Actual Rows"] + (s["Rows Removed by Filter"] ?? 0)) * s["Actual Loops"],
      0,
    );
    expect(read).toBe(starts.length + finishes.length);
  });
  it("starts a queued attempt once, and a takeover takes over only a running one", async () => {
    const [job] = await accept(1);
    if (!job) throw new Error("nothing accepted");
    const first = await store.start(job.invocationId, job.jobId, 960);
    expect(first).toMatchObject({ id: job.invocationId, status: "running", attempt: 1 });
    expect(await store.start(job.invocationId, job.jobId, 960)).toBeUndefined();
    expect(await store.start(job.invocationId, job.jobId, 960, true)).toMatchObject({ status: "running", attempt: 2 });
    expect(await store.start(job.invocationId, "another-job", 960, true)).toBeUndefined();
    const [queued] = await accept(1);
    if (!queued) throw new Error("nothing accepted");
    expect(await store.start(queued.invocationId, queued.jobId, 960, true)).toMatchObject({ attempt: 1 });
  });
});

describe("a batch of starts and ends", () => {
  it("starts and ends different invocations in one go", async () => {
    const [a, b] = await accept(2);
    if (!a || !b) throw new Error("nothing accepted");
    await store.start(b.invocationId, b.jobId, 960);
    const [started, ended] = await Promise.all([
      store.start(a.invocationId, a.jobId, 960),
      store.finish(b.invocationId, 1, "succeed", { executedVersion: "$LATEST" }),
    ]);
    expect(started).toMatchObject({ id: a.invocationId, status: "running", attempt: 1 });
    expect(ended).toBe(true);
    expect(await store.get(accountId, b.invocationId)).toMatchObject({
      status: "succeeded",
      executedVersion: "$LATEST",
    });
  });

  it("ends an attempt before a takeover of the same invocation in the same batch starts", async () => {
    const [job] = await accept(1);
    if (!job) throw new Error("nothing accepted");
    await store.start(job.invocationId, job.jobId, 960);
    const [ended, takenOver] = await Promise.all([
      store.finish(job.invocationId, 1, "succeed", {}),
      store.start(job.invocationId, job.jobId, 960, true),
    ]);
    expect(ended).toBe(true);
    expect(takenOver).toBeUndefined();
    expect(await store.get(accountId, job.invocationId)).toMatchObject({ status: "succeeded", attempt: 1 });
  });
});
