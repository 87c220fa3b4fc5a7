import http from "node:http";
import { consoleLogger } from "@stratus/shared";
import { describe, expect, it, vi } from "vitest";
import { boundSession, call, ME, serverPerTest } from "../testing/runtime-api.js";
import type { RuntimeApiServer } from "./runtime-api-server.js";
import { Session } from "./session.js";
import { StemGate } from "./stem-gate.js";

// Callers here come from 127.0.0.1: that is the address the tests bind.
const start = serverPerTest();

/** A GET over `agent` (a keep-alive agent reuses its one connection); resolves with the status. */
async function get(server: RuntimeApiServer, path: string, agent: http.Agent): Promise<number> {
  return (await call(server, "GET", path, { agent })).status;
}

describe("runtime API server", () => {
  it("keeps an address's new session when the container that had the address before is unbound late", async () => {
    const server = await start();
    const dead = new Session();
    const alive = new Session();
    server.bind(ME, dead, performance.now());
    // Docker gave the stopped container's address to a new one before the old one was removed.
    server.bind(ME, alive, performance.now());
    server.unbind(ME, dead);
    const outcome = alive.invoke({ requestId: "r1", payload: Buffer.from('{"n":1}'), headers: () => ({}) });
    const next = await fetch(`http://${server.address}/2018-06-01/runtime/invocation/next`);
    expect(next.status).toBe(200);
    expect(await next.json()).toEqual({ n: 1 });
    alive.die({ errorType: "Test", errorMessage: "done" });
    await outcome;
  });

  it("keeps an address's new stem gate when the stem cell that had the address before is unbound late", async () => {
    const server = await start();
    const dead = new StemGate();
    const alive = new StemGate();
    server.bindStem(ME, dead, performance.now());
    server.bindStem(ME, alive, performance.now());
    server.unbindStem(ME, dead);
    alive.give({ handler: "index.handler", env: { A: "1" } });
    const identity = await fetch(`http://${server.address}/2018-06-01/stratus/specialise`);
    expect(identity.status).toBe(200);
    expect(await identity.json()).toEqual({ handler: "index.handler", env: { A: "1" } });
  });

  it("forgets an address once its own session is unbound", async () => {
    const server = await start();
    const session = new Session();
    server.bind(ME, session, performance.now());
    server.unbind(ME, session);
    const next = await fetch(`http://${server.address}/2018-06-01/runtime/invocation/next`);
    expect(next.status).toBe(403);
  });

  it("never serves an address's session to a connection opened before its container started (an earlier holder's)", async () => {
    const server = await start();
    // The runtime of a container being removed, connected long ago, asks for work once more...
    const earlier = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect(await get(server, "/2018-06-01/runtime/invocation/nope", earlier)).toBe(403);
    // ...while a new container that Docker gave the same address starts.
    const started = server.expectContainer();
    const asking = get(server, "/2018-06-01/runtime/invocation/next", earlier);
    const session = new Session();
    server.bind(ME, session, performance.now());
    started();
    expect(await asking).toBe(403);
    expect(session.state).toBe("init");
    // The new container's own runtime connects after its start, and gets its events.
    const outcome = session.invoke({ requestId: "r1", payload: Buffer.from('{"n":2}'), headers: () => ({}) });
    const next = await fetch(`http://${server.address}/2018-06-01/runtime/invocation/next`);
    expect(await next.json()).toEqual({ n: 2 });
    session.die({ errorType: "Test", errorMessage: "done" });
    await outcome;
    earlier.destroy();
  });

  it("never hands a stem cell's identity to a connection opened before that stem cell started", async () => {
    const server = await start();
    const earlier = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect(await get(server, "/2018-06-01/runtime/invocation/nope", earlier)).toBe(403);
    const gate = new StemGate();
    server.bindStem(ME, gate, performance.now());
    gate.give({ handler: "index.handler", env: { SECRET: "s" } });
    expect(await get(server, "/2018-06-01/stratus/specialise", earlier)).toBe(403);
    const identity = await fetch(`http://${server.address}/2018-06-01/stratus/specialise`);
    expect(await identity.json()).toEqual({ handler: "index.handler", env: { SECRET: "s" } });
    earlier.destroy();
  });
});

describe("runtime API routing and errors", () => {
  const lambdaError = (errorType: string) => ({ errorType, errorMessage: expect.any(String) });

  it.each([
    ["an unknown path", "GET", "/2018-06-01/runtime/invocation/nope"],
    ["a path outside the API", "GET", "/2020-01-01/extension/register"],
    ["a wrong method on a known path", "POST", "/2018-06-01/runtime/invocation/next"],
    ["a GET of a result path", "GET", "/2018-06-01/runtime/invocation/r1/response"],
    ["a request id that is no request id", "POST", "/2018-06-01/runtime/invocation/r%201/response"],
  ])("answers %s 404 NotFound, in Lambda's error shape", async (_name, method, path) => {
    const server = await start();
    boundSession(server);
    const got = await call(server, method, path);
    expect(got.status).toBe(404);
    expect(got.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(got.body)).toEqual({ errorType: "NotFound", errorMessage: `Unknown path ${path}` });
  });

  it("refuses 403 a caller at another address than the container bound (another container's runtime)", async () => {
    const server = await start();
    const session = boundSession(server);
    const got = await call(server, "GET", "/2018-06-01/runtime/invocation/next", { from: "127.0.0.2" });
    expect(got.status).toBe(403);
    expect(JSON.parse(got.body)).toEqual({ errorType: "Forbidden", errorMessage: "Unknown container" });
    expect(session.state).toBe("init");
  });

  it("tells a caller bound to nothing 403 before it tells it a path is unknown", async () => {
    const server = await start();
    const got = await call(server, "GET", "/nowhere?x=1");
    expect(got.status).toBe(403);
    expect(JSON.parse(got.body)).toEqual(lambdaError("Forbidden"));
  });

  it("answers a failure of its own 500 ServiceException, telling the runtime nothing more, and logs it with the request id", async () => {
    const sink = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };
    const server = await start(consoleLogger(sink));
    const broken = {
      complete() {
        throw new Error("session store is gone");
      },
    };
    server.bind(ME, broken as unknown as Session, performance.now());
    const got = await call(server, "POST", "/2018-06-01/runtime/invocation/r1/response", { body: "{}" });
    expect(got.status).toBe(500);
    expect(JSON.parse(got.body)).toEqual({ errorType: "ServiceException", errorMessage: "Runtime API error" });
    expect(sink.error).toHaveBeenCalledWith(
      "Runtime API call failed",
      expect.objectContaining({ requestId: "r1", err: expect.objectContaining({ message: "session store is gone" }) }),
    );
  });
});
