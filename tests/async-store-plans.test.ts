// How Postgres runs an attempt's start with a backlog queued: by id, not by reading
// every open invocation. The statistics are taken while nothing is open (as on a
// platform that has caught up) and autovacuum is kept off the table, so the planner
// sees the backlog only as the burst that grew it after its last look.
import { randomUUID } from "node:crypto";
import {
  type AsyncStore,
  createPgAccountStore,
  createPgAsyncStore,
  migrate,
  START_STATEMENT,
  startParams,
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

describe("an attempt's start with thousands of events queued", () => {
  it("finds its rows by id and reads no queued neighbour", async () => {
    const backlog = await accept(3000);
    const items = backlog
      .slice(0, 4)
      .map((j) => ({ id: j.invocationId, jobId: j.jobId, leaseSeconds: 960, takeover: false }));
    const c = await db.connect();
    try {
      await c.query("BEGIN");
      const res = await c.query<{ "QUERY PLAN": [{ Plan: PlanNode }] }>(
        `EXPLAIN (ANALYZE, FORMAT JSON) ${START_STATEMENT}`,
        startParams(items),
      );
      await c.query("ROLLBACK");
      const scans = scansOfInvocations((res.rows[0] as { "QUERY PLAN": [{ Plan: PlanNode }] })["QUERY PLAN"][0].Plan);
      expect(scans.map((s) => [s["Node Type"], s["Index Name"]])).toEqual([["Index Scan", "async_invocations_pkey"]]);
      const read = scans.reduce((n, s) => n + s["Actual Rows"] * s["Actual Loops"], 0);
      expect(read).toBe(items.length);
    } finally {
      c.release();
    }
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
