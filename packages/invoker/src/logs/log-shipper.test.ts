import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { InvocationLogRecord } from "@stratus/shared";
import { afterEach, describe, expect, it } from "vitest";
import type { InvocationLog } from "./invocation-log.js";
import { createLogShipper } from "./log-shipper.js";

const record = (text: string): InvocationLog => ({
  requestId: randomUUID(),
  accountId: "123456789012",
  functionName: "f",
  version: "$LATEST",
  startedAt: new Date(),
  durationMs: 1,
  outcome: "success",
  text,
  logGroup: "/aws/lambda/f",
  events: [{ timestamp: Date.now(), message: text }],
});

/** A control plane stand-in: `answer` decides each batch's status; stored texts are kept. */
async function controlPlane(answer: (batch: InvocationLogRecord[], call: number) => number | Promise<number>) {
  const stored: string[] = [];
  let calls = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const batch = JSON.parse(Buffer.concat(chunks).toString()) as InvocationLogRecord[];
      const status = await answer(batch, calls++);
      if (status === 204) stored.push(...batch.map((r) => r.text));
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stored };
}

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});
const quiet = { warn: () => {} };

/**
 * A shipper of batches of 3 whose first batch (a, b, c) is on its way and held by the
 * control plane until `release()`; `sent()` counts the batches it has received.
 */
async function firstBatchHeld() {
  let release = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  let received = 0;
  const cp = await controlPlane(async (_batch, call) => {
    received = call + 1;
    if (call === 0) await held;
    return 204;
  });
  const shipper = createLogShipper(cp.url, "t", quiet, () => {}, { flushMs: 3_600_000, batch: 3 });
  for (const text of ["a", "b", "c"]) shipper.push(record(text));
  for (let i = 0; i < 200 && received === 0; i++) await new Promise((r) => setTimeout(r, 10));
  return { cp, shipper, release: () => release(), sent: () => received };
}

describe("log shipper", () => {
  it("sends a batch too large in halves, down to single records", async () => {
    const cp = await controlPlane((batch) => (batch.length > 1 ? 413 : 204));
    const shipper = createLogShipper(cp.url, "t", quiet);
    for (const t of ["a", "b", "c"]) shipper.push(record(t));
    await shipper.close();
    expect(cp.stored).toEqual(["a", "b", "c"]);
    expect(shipper.dropped()).toBe(0);
  });

  it("drops a batch refused as invalid instead of resending it ahead of the rest", async () => {
    const cp = await controlPlane((batch) => (batch.some((r) => r.text === "bad") ? 400 : 204));
    const told: number[] = [];
    const shipper = createLogShipper(cp.url, "t", quiet, (n) => told.push(n));
    shipper.push(record("bad"));
    await shipper.flush();
    shipper.push(record("good"));
    await shipper.close();
    expect(cp.stored).toEqual(["good"]);
    expect(shipper.dropped()).toBe(1);
    expect(told).toEqual([1]);
  });

  it("keeps a batch the control plane failed on, and sends it at the next flush", async () => {
    const cp = await controlPlane((_batch, call) => (call === 0 ? 500 : 204));
    const shipper = createLogShipper(cp.url, "t", quiet);
    shipper.push(record("kept"));
    await shipper.flush();
    expect(cp.stored).toEqual([]);
    await shipper.close();
    expect(cp.stored).toEqual(["kept"]);
    expect(shipper.dropped()).toBe(0);
  });

  it("sends a full batch at once, and holds a partial one until the interval", async () => {
    const cp = await controlPlane(() => 204);
    const shipper = createLogShipper(cp.url, "t", quiet, () => {}, { flushMs: 3_600_000, batch: 3 });
    shipper.push(record("a"));
    shipper.push(record("b"));
    shipper.push(record("c"));
    for (let i = 0; i < 200 && cp.stored.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(cp.stored).toEqual(["a", "b", "c"]);
    shipper.push(record("d"));
    await new Promise((r) => setTimeout(r, 100));
    expect(cp.stored).toEqual(["a", "b", "c"]);
    await shipper.close();
    expect(cp.stored).toEqual(["a", "b", "c", "d"]);
  });

  it("leaves what is queued while a batch is on its way to the next interval", async () => {
    const { cp, shipper, release, sent } = await firstBatchHeld();
    shipper.push(record("d"));
    release();
    for (let i = 0; i < 200 && cp.stored.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    expect(cp.stored).toEqual(["a", "b", "c"]);
    expect(sent()).toBe(1);
    await shipper.close();
    expect(cp.stored).toEqual(["a", "b", "c", "d"]);
  });

  it("sends at close what was queued while a batch was on its way", async () => {
    const { cp, shipper, release } = await firstBatchHeld();
    shipper.push(record("d"));
    const closed = shipper.close();
    release();
    await closed;
    expect(cp.stored).toEqual(["a", "b", "c", "d"]);
  });
});
