// One Kafka mapping, two control planes running from the start (each its own process,
// one Postgres and Redis): each holds one of the mapping's leases and runs one member
// of its consumer group, so the topic's 4 partitions are split between them. One is
// kill -9'd mid-stream; its partitions move to the survivor once the dead member's
// session ends. Every record produced is seen, each partition's records first arrive in
// offset order, and records delivered again (those in flight at the kill) are counted
// and reported. Then, on a second mapping whose function takes a while, a third control
// plane joins while the survivor has an invocation under way and records fetched ahead:
// each partition's invocations never overlap in time (the member gives a partition up
// only once its invocation finished), and nothing is lost or out of order.
import { randomBytes } from "node:crypto";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployFunction } from "./helpers/async-load.js";
import type { ControlPlaneProcess } from "./helpers/control-plane-process.js";
import { type PlanesStack, SEEN_HANDLER, startPlanesStack } from "./helpers/kafka-planes.js";
import { until } from "./helpers/poll.js";

const PARTITIONS = [0, 1, 2, 3];
let stack: PlanesStack;
/** By mapping, each control plane's latest consumer group assignment, from its log. */
const assignments = new Map<string, Array<number[] | undefined>>();
let firstMapping = "";
/** The first mapping's assignments. */
const assigned = () => assignments.get(firstMapping) ?? [];

/** Follows a control plane's log for its member's joins of the mappings' groups. */
const joins = (i: number) => {
  let pending = "";
  return (text: string) => {
    const lines = (pending + text).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.includes("joined its consumer group")) continue;
      const m = /"partitions":"([\d,]*)"/.exec(line);
      const uuid = /"mapping":"([^"]+)"/.exec(line)?.[1];
      if (!m || !uuid) continue;
      const list = assignments.get(uuid) ?? [];
      list[i] = m[1] ? m[1].split(",").map(Number) : [];
      assignments.set(uuid, list);
    }
  };
};

/** Logs SEEN lines as SEEN_HANDLER does, takes 2 s (longer than a rejoin and a batching window), and logs "SPAN <partition> <start> <end>" (host clock, ms). */
const SPAN_HANDLER = `exports.handler = async (event) => {
  const start = Date.now();
  const partitions = new Set();
  for (const list of Object.values(event.records)) {
    for (const r of list) {
      console.log("SEEN " + r.partition + " " + r.offset);
      partitions.add(r.partition);
    }
  }
  await new Promise((r) => setTimeout(r, 2000));
  for (const p of partitions) console.log("SPAN " + p + " " + start + " " + Date.now());
  return {};
};`;

beforeAll(async () => {
  stack = await startPlanesStack();
  await stack.startCp(joins(0));
  await stack.startCp(joins(1));
  await stack.startInvoker(stack.cps[1] as ControlPlaneProcess);
}, 180_000);

afterAll(async () => stack?.stop(), 120_000);

const sorted = (list: number[]) => [...list].sort((a, b) => a - b);

describe("a Kafka mapping's partitions over two control planes", () => {
  it("are split between them, and all move to the survivor when one is kill -9'd", async () => {
    const lambda = new LambdaClient({
      endpoint: stack.cps[0]?.url,
      region: "us-east-1",
      credentials: stack.credentials,
    });
    const fn = await deployFunction(lambda, "kafka", SEEN_HANDLER);
    const topic = `shared-${randomBytes(3).toString("hex")}`;
    const uuid = await stack.createMapping(lambda, fn, topic);
    firstMapping = uuid;
    // The topic exists once written to; the first record of each partition comes before the split is awaited.
    await stack.kafka.produce(
      topic,
      PARTITIONS.map((p) => ({ partition: p, value: { seq: p } })),
    );
    await until(
      "a lease of the mapping held by each control plane",
      async () => {
        const owners = await stack.db.query<{ owner: string }>(
          "SELECT DISTINCT owner FROM esm_leases WHERE mapping_uuid = $1 AND owner IS NOT NULL AND expires_at > now()",
          [uuid],
        );
        return owners.rows.length === 2;
      },
      20_000,
    );
    await until(
      "both control planes consuming a share of the partitions",
      async () => {
        const [a, b] = assigned();
        return !!a?.length && !!b?.length && sorted([...a, ...b]).join() === PARTITIONS.join();
      },
      60_000,
    );
    console.log(`kafka partitions shared: control plane 0 has ${assigned()[0]}, control plane 1 has ${assigned()[1]}`);

    const N = 160;
    await stack.kafka.produce(
      topic,
      Array.from({ length: N - PARTITIONS.length }, (_, i) => ({ partition: i % 4, value: { seq: i } })),
    );
    await until(
      "records seen after the split",
      async () => (await stack.seen(fn)).length > 2 * PARTITIONS.length,
      60_000,
    );
    const cp0 = stack.cps[0] as ControlPlaneProcess;
    cp0.process.kill("SIGKILL");
    await cp0.exited;
    await until(
      "the survivor consuming every partition",
      async () => assigned()[1]?.join() === PARTITIONS.join(),
      60_000,
    );

    const duplicates = await stack.everySeenInOrder(fn, PARTITIONS, N / 4, "kafka partitions over two control planes");
    // At most what the killed member had fetched and not committed (a fetch per partition it held) comes again.
    expect(duplicates).toBeLessThan(N);
    lambda.destroy();
  }, 300_000);

  it("hands a partition to a joining control plane only once the invocation under way finished", async () => {
    const lambda = new LambdaClient({
      endpoint: stack.cps[1]?.url,
      region: "us-east-1",
      credentials: stack.credentials,
    });
    const fn = await deployFunction(lambda, "kafka-spans", SPAN_HANDLER);
    const topic = `rebalance-${randomBytes(3).toString("hex")}`;
    const uuid = await stack.createMapping(lambda, fn, topic);
    // A round is one record a partition; rounds go on until the third control plane has its share.
    let rounds = 0;
    const round = () =>
      stack.kafka.produce(
        topic,
        PARTITIONS.map((p) => ({ partition: p, value: { round: rounds } })),
      );
    await round();
    rounds++;
    let producing = true;
    const producer = (async () => {
      while (producing) {
        await round();
        rounds++;
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    await until("records seen by the survivor", async () => (await stack.seen(fn)).length >= 8, 60_000);
    await stack.startCp(joins(2));
    await until(
      "the survivor and the new control plane each consuming a share",
      async () => {
        const list = assignments.get(uuid) ?? [];
        const [a, b] = [list[1], list[2]];
        return !!a?.length && !!b?.length && sorted([...a, ...b]).join() === PARTITIONS.join();
      },
      60_000,
    );
    await new Promise((r) => setTimeout(r, 3000));
    producing = false;
    await producer;
    console.log(`kafka rebalance: ${rounds} records a partition, after the join ${assignments.get(uuid)?.join(" / ")}`);

    await stack.everySeenInOrder(fn, PARTITIONS, rounds, "kafka partitions moved by a join");
    const { rows } = await stack.db.query<{ log: string }>("SELECT log FROM invocation_logs WHERE function_name = $1", [
      fn,
    ]);
    const spans = rows.flatMap((r) =>
      [...r.log.matchAll(/SPAN (\d+) (\d+) (\d+)/g)].map((m) => ({
        partition: Number(m[1]),
        start: Number(m[2]),
        end: Number(m[3]),
      })),
    );
    for (const p of PARTITIONS) {
      const list = spans.filter((s) => s.partition === p).sort((a, b) => a.start - b.start);
      expect(list.length).toBeGreaterThan(0);
      for (let i = 1; i < list.length; i++) {
        const [before, after] = [list[i - 1], list[i]] as [(typeof list)[0], (typeof list)[0]];
        expect(
          after.start,
          `partition ${p}: an invocation started before the previous one ended`,
        ).toBeGreaterThanOrEqual(before.end);
      }
    }
    lambda.destroy();
  }, 300_000);
});
