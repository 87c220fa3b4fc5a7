import http from "node:http";
import type { AddressInfo } from "node:net";
import { type InvokeSpec, internalInvoke, StratusError } from "@stratus/shared";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createInvokerClient, NodeUnreachableError } from "./invoker-client.js";

const spec = { timeoutSeconds: 3 } as InvokeSpec;
const call = { requestId: "00000000-0000-4000-8000-000000000000", payload: Buffer.from("{}") };
const client = createInvokerClient("t".repeat(32));
const servers: http.Server[] = [];
afterAll(() => client.close());
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const node = (url: string) => ({ id: "n1", url, capacityMb: 1024, draining: false, heartbeatAt: 1_700_000_000_000 });

describe("invoker client", () => {
  it("calls a node that refuses connections unreachable: nothing reached it", async () => {
    const url = await listen(() => undefined);
    await new Promise((r) => servers.pop()?.close(r));
    const err = await client.invoke(node(url), spec, call).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeUnreachableError);
    expect(err).toMatchObject({ code: "ServiceException", status: 500, kind: "platform" });
  });

  it("calls a node that dies mid-request a plain ServiceException: the function may have run", async () => {
    const url = await listen((req) => req.socket.destroy());
    const err = await client.invoke(node(url), spec, call).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StratusError);
    expect(err).not.toBeInstanceOf(NodeUnreachableError);
    expect(err).toMatchObject({ code: "ServiceException", status: 500 });
  });

  it("tells the node the heartbeat it was placed by, so that a node back from a silence can refuse it", async () => {
    let seen: string | undefined;
    const url = await listen((req, res) => {
      seen = req.headers[internalInvoke.placedOnHeartbeatHeader] as string | undefined;
      res.writeHead(200, { "content-type": "application/json" }).end("1");
    });
    await client.invoke(node(url), spec, call);
    expect(seen).toBe("1700000000000");
  });
});
