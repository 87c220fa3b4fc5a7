// One Kafka mapping, two control planes (each its own process, one Postgres and
// Redis): the first holds the mapping's lease and is kill -9'd mid-stream; the second
// takes the lease over once it lapses, joins the mapping's consumer group once the
// dead member's session ends, and carries on from the committed offsets. Nothing
// produced is lost; records delivered again (the batches in flight at the kill) are
// counted and reported, and each partition is still seen in offset order.
import { randomBytes } from "node:crypto";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployFunction } from "./helpers/async-load.js";
import type { ControlPlaneProcess } from "./helpers/control-plane-process.js";
import { type PlanesStack, SEEN_HANDLER, startPlanesStack } from "./helpers/kafka-planes.js";
import { until, waitFor } from "./helpers/poll.js";

let stack: PlanesStack;

beforeAll(async () => {
  stack = await startPlanesStack();
  // Only the first runs when the mapping is made, so it is the one holding its lease.
  await stack.startCp();
}, 180_000);

afterAll(async () => stack?.stop(), 120_000);

const owner = async () =>
  (
    await stack.db.query<{ owner: string | null; epoch: string }>(
      "SELECT owner, epoch FROM esm_leases WHERE shard = ''",
    )
  ).rows[0];

describe("a Kafka mapping's lease with two control planes", () => {
  it("moves to the survivor when its holder is kill -9'd, and nothing is lost", async () => {
    const cp0 = stack.cps[0] as ControlPlaneProcess;
    const lambda = new LambdaClient({ endpoint: cp0.url, region: "us-east-1", credentials: stack.credentials });
    const fn = await deployFunction(lambda, "kafka", SEEN_HANDLER);
    const topic = `takeover-${randomBytes(3).toString("hex")}`;
    await stack.createMapping(lambda, fn, topic);
    const first = await owner();
    expect(first?.owner).toBeTruthy();
    await stack.startInvoker(await stack.startCp());

    const N = 90;
    await stack.kafka.produce(
      topic,
      Array.from({ length: N }, (_, i) => ({ partition: i % 3, value: { seq: i } })),
    );
    await until("the first records are seen", async () => (await stack.seen(fn)).length > 0, 60_000);
    cp0.process.kill("SIGKILL");
    await cp0.exited;

    const taken = await waitFor(
      async () => {
        const o = await owner();
        return o?.owner && o.owner !== first?.owner ? o : undefined;
      },
      20_000,
      { what: "the lease taken over" },
    );
    expect(Number(taken.epoch)).toBeGreaterThan(Number(first?.epoch));
    const duplicates = await stack.everySeenInOrder(fn, [0, 1, 2], N / 3, "kafka lease takeover");
    // At most the batches the killed holder had in flight (one per partition, batch size 5) come again.
    expect(duplicates).toBeLessThanOrEqual(15);
    lambda.destroy();
  }, 240_000);
});
