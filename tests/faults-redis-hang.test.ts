// Redis hanging without closing its connections, as seen by the control plane: a
// redis-server stopped with SIGSTOP (its kernel still accepts connections), a frozen
// TCP proxy, or a flow a NAT dropped. Sync invokes read the node registry and take a
// concurrency slot in Redis; with its commands bounded (STRATUS_REDIS_COMMAND_TIMEOUT_MS)
// an invoke fails with ServiceException instead of hanging, and invokes succeed again
// once Redis answers (or, for a dead flow, once the connection has been replaced).
// The invoker reaches Redis directly: it keeps heartbeating throughout.
import { InvokeCommand, LambdaServiceException } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { deployFunction } from "./helpers/async-load.js";
import { until, waitFor } from "./helpers/poll.js";
import type { TcpProxy } from "./helpers/tcp-proxy.js";
import { useStack } from "./helpers/use-stack.js";

const stack = useStack({}, { proxyRedis: true, controlPlaneEnv: { STRATUS_REDIS_COMMAND_TIMEOUT_MS: "1000" } });

/** One sync invoke: its echoed payload, or the error it failed with. */
async function invoke(name: string, n: number): Promise<{ echoed?: unknown; error?: LambdaServiceException }> {
  try {
    const out = await stack.lambda.send(
      new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ n })) }),
    );
    return { echoed: JSON.parse(Buffer.from(out.Payload ?? []).toString("utf8")) };
  } catch (err) {
    if (err instanceof LambdaServiceException) return { error: err };
    throw err;
  }
}

/** Invokes until one fails (a slot parked on the control plane may still serve the first); returns its error. */
async function firstFailure(name: string): Promise<LambdaServiceException> {
  let n = 0;
  return waitFor(async () => (await invoke(name, n++)).error, 30_000, { what: "an invoke to fail" });
}

/** Invokes until one succeeds; returns its echo. */
async function firstSuccess(name: string, n: number): Promise<unknown> {
  return waitFor(
    async () => {
      const out = await invoke(name, n);
      return out.error ? undefined : out.echoed;
    },
    30_000,
    { what: "an invoke to succeed", intervalMs: 200 },
  );
}

function expectServiceException(err: LambdaServiceException) {
  expect(err.name).toBe("ServiceException");
  expect(err.$metadata.httpStatusCode).toBe(500);
  expect(err.message).toMatch(/unavailable: .*(timed out|Socket timeout|max retries|Connection)/i);
}

describe("the control plane's Redis hanging", () => {
  it("fails sync invokes with ServiceException while Redis hangs, and serves them again once it answers", async () => {
    const proxy = stack.redisProxy as TcpProxy;
    const name = await deployFunction(stack.lambda, "hang", "exports.handler = async (e) => e;");
    expect((await invoke(name, 0)).echoed).toEqual({ n: 0 });

    expect(proxy.hang()).toBeGreaterThanOrEqual(1);
    try {
      expectServiceException(await firstFailure(name));
      // Several at once: each fails on its own, none waits for ever.
      const many = await Promise.all([1, 2, 3, 4].map((n) => invoke(name, n)));
      for (const out of many) expectServiceException(out.error as LambdaServiceException);
    } finally {
      proxy.thaw();
    }
    expect(await firstSuccess(name, 5)).toEqual({ n: 5 });
    // Not one lucky invoke: the control plane is back for good.
    for (const n of [6, 7, 8]) expect((await invoke(name, n)).echoed).toEqual({ n });
  }, 120_000);

  it("replaces a Redis connection that stopped answering for good (a dropped flow), without Redis coming back", async () => {
    const proxy = stack.redisProxy as TcpProxy;
    const name = await deployFunction(stack.lambda, "dropped", "exports.handler = async (e) => e;");
    expect((await invoke(name, 0)).echoed).toEqual({ n: 0 });
    const health = async () => (await fetch(`${stack.endpoint}/healthz`)).status;

    // The open connections go silent for good; new ones pass.
    expect(proxy.freeze(() => true)).toBeGreaterThanOrEqual(1);
    try {
      // The health check pings Redis on the silent connection: it fails, it does not hang.
      expect(await health()).toBe(503);
      await until("the control plane to reach Redis again", async () => (await health()) === 200, 30_000, 200);
      expect(await firstSuccess(name, 1)).toEqual({ n: 1 });
      // The silent connection was replaced by a new one, which passes.
      expect(proxy.freeze(() => true)).toBeGreaterThanOrEqual(1);
    } finally {
      proxy.cut();
    }
  }, 120_000);
});
