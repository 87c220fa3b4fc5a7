import http from "node:http";
import type { AddressInfo } from "node:net";
import { consoleLogger, internalInvoke } from "@stratus/shared";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ContainerPool } from "../pool/container-pool.js";
import { testSpec } from "../testing/invoke-spec.js";
import { drainServer } from "./drain.js";
import { createInternalServer } from "./internal-server.js";

const TOKEN = "t".repeat(32);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
afterEach(() => agent.destroy());

interface Answer {
  status: number;
  reason: string | undefined;
  connection: string | undefined;
  reused: boolean;
}

/** One internal invoke through the keep-alive agent (one socket, reused while open). */
function call(port: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        port,
        host: "127.0.0.1",
        method: "POST",
        path: internalInvoke.path,
        headers: {
          [internalInvoke.tokenHeader]: TOKEN,
          [internalInvoke.specHeader]: JSON.stringify(testSpec("f")),
          [internalInvoke.requestIdHeader]: "3f0b8a4e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
        },
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            reason: res.headers.reason as string | undefined,
            connection: res.headers.connection,
            reused: req.reusedSocket,
          }),
        );
      },
    );
    req.on("error", reject);
    req.end("{}");
  });
}

describe("draining a node's internal server", () => {
  it("refuses calls on connections already open for the notice, then closes", async () => {
    let draining = false;
    const invoke = vi.fn(async () => ({
      payload: Buffer.from('"ok"'),
      usage: { outcome: "success" as const, durationMs: 1, initMs: 0, billedMs: 1, memoryMb: 128, cold: false },
    }));
    const server = createInternalServer({
      pool: { invoke } as unknown as ContainerPool,
      provisioner: { apply: () => ({ sets: [] }) },
      registry: new Registry(),
      internalToken: TOKEN,
      isDraining: () => draining,
      silentSince: () => false,
      log: consoleLogger({ info: vi.fn(), warn: vi.fn(), error: vi.fn() }),
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    expect(await call(port)).toMatchObject({ status: 200, reused: false });

    draining = true;
    const closed = drainServer(server, 300);
    // The connection the call came on stays open: a caller that still lists the node is
    // refused as by a full node, on that connection, and told to close it.
    expect(await call(port)).toEqual({ status: 429, reason: "CapacityExceeded", connection: "close", reused: true });
    // A new connection during the notice is refused the same way.
    expect(await call(port)).toMatchObject({ status: 429, reason: "CapacityExceeded", reused: false });
    expect(invoke).toHaveBeenCalledTimes(1);

    await closed;
    await expect(call(port)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });
});
