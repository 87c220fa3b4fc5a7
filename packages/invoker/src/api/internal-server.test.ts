import type { AddressInfo } from "node:net";
import { consoleLogger, internalInvoke, type ProvisionedState, provisionedSets } from "@stratus/shared";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ContainerPool } from "../pool/container-pool.js";
import { testSpec } from "../testing/invoke-spec.js";
import { createInternalServer } from "./internal-server.js";

const TOKEN = "t".repeat(32);
const SPEC = testSpec("f");

/** The node came back from a silence with the beat scored 5000: calls placed by earlier beats were given up. */
const BACK_AT = 5_000;

let close: (() => Promise<void>) | undefined;

afterEach(async () => {
  await close?.();
  close = undefined;
});

async function serve(draining = false) {
  const usage = {
    outcome: "success" as const,
    durationMs: 1.25,
    initMs: 80.5,
    billedMs: 82,
    memoryMb: 128,
    cold: true,
  };
  const invoke = vi.fn(async (..._args: unknown[]) => ({ payload: Buffer.from('"ok"'), usage }));
  const apply = vi.fn((state: ProvisionedState) => ({
    sets: state.sets.map((s) => ({ id: s.id, ready: 0, failures: 0 })),
  }));
  const server = createInternalServer({
    pool: { invoke } as unknown as ContainerPool,
    provisioner: { apply },
    registry: new Registry(),
    internalToken: TOKEN,
    isDraining: () => draining,
    silentSince: (beat) => beat < BACK_AT,
    log: consoleLogger({ info: vi.fn(), warn: vi.fn(), error: vi.fn() }),
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `${base}${internalInvoke.path}`;
  const call = (placedOn?: number) =>
    fetch(url, {
      method: "POST",
      headers: {
        [internalInvoke.tokenHeader]: TOKEN,
        [internalInvoke.specHeader]: JSON.stringify(SPEC),
        [internalInvoke.requestIdHeader]: "3f0b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
        ...(placedOn === undefined ? {} : { [internalInvoke.placedOnHeartbeatHeader]: String(placedOn) }),
      },
      body: "{}",
    });
  const put = (body: string, token = TOKEN) =>
    fetch(`${base}${provisionedSets.path}`, {
      method: "PUT",
      headers: { [internalInvoke.tokenHeader]: token, "content-type": "application/json" },
      body,
    });
  return { invoke, call, apply, put };
}

describe("internal invoke", () => {
  it("refuses a call placed before a silence of the node, as a full node does: nothing runs, try another", async () => {
    const { invoke, call } = await serve();
    const res = await call(BACK_AT - 1);
    expect(res.status).toBe(429);
    expect(res.headers.get("reason")).toBe("CapacityExceeded");
    expect(invoke).not.toHaveBeenCalled();
  });

  it("runs a call placed since, and hands the pool the same judgement for when its container is ready", async () => {
    const { invoke, call } = await serve();
    const res = await call(BACK_AT);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('"ok"');
    // What the run used, for the control plane's metering.
    expect(res.headers.get(internalInvoke.usageHeader)).toBe("o=success;d=1.25;i=80.5;b=82;m=128;c=1");
    const opts = invoke.mock.calls[0]?.[2] as { givenUp: () => boolean };
    expect(opts.givenUp()).toBe(false);
  });

  it("judges no call that names no placement heartbeat", async () => {
    const { invoke, call } = await serve();
    expect((await call()).status).toBe(200);
    expect(invoke).toHaveBeenCalledTimes(1);
  });

  it("refuses every call while draining", async () => {
    const { invoke, call } = await serve(true);
    const res = await call(BACK_AT);
    expect(res.status).toBe(429);
    expect(res.headers.get("reason")).toBe("CapacityExceeded");
    expect(invoke).not.toHaveBeenCalled();
  });
});

describe("the provisioned sets' desired state", () => {
  const good = { sets: [{ id: "p1", spec: SPEC, count: 2 }] };

  it("is handed to the provisioner, and its report answered", async () => {
    const { apply, put } = await serve();
    const res = await put(JSON.stringify(good));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ sets: [{ id: "p1", ready: 0, failures: 0 }] });
    expect(apply).toHaveBeenCalledWith(good);
  });

  it.each([
    ["not JSON", "{"],
    ["no sets", "{}"],
    ["sets not an array", JSON.stringify({ sets: {} })],
    ["a set that is not an object", JSON.stringify({ sets: [1] })],
    ["a set without an id", JSON.stringify({ sets: [{ spec: SPEC, count: 1 }] })],
    ["a negative count", JSON.stringify({ sets: [{ id: "p1", spec: SPEC, count: -1 }] })],
    ["a fractional count", JSON.stringify({ sets: [{ id: "p1", spec: SPEC, count: 1.5 }] })],
    ["a count that is a string", JSON.stringify({ sets: [{ id: "p1", spec: SPEC, count: "1" }] })],
    ["no spec", JSON.stringify({ sets: [{ id: "p1", count: 1 }] })],
    ["a spec that is no invoke spec", JSON.stringify({ sets: [{ id: "p1", spec: { functionName: "f" }, count: 1 }] })],
  ])("is refused with %s, as invalid request content", async (_what, body) => {
    const { apply, put } = await serve();
    const res = await put(body);
    expect(res.status).toBe(400);
    expect(res.headers.get("x-amzn-errortype")).toBe("InvalidRequestContentException");
    expect(apply).not.toHaveBeenCalled();
  });

  it("is refused without the internal token", async () => {
    const { apply, put } = await serve();
    const res = await put(JSON.stringify(good), "x".repeat(32));
    expect(res.status).toBe(403);
    expect(apply).not.toHaveBeenCalled();
  });
});
