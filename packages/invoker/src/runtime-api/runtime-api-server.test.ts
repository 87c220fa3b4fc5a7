import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { type RuntimeApiServer, startRuntimeApiServer } from "./runtime-api-server.js";
import { Session } from "./session.js";
import { StemGate } from "./stem-gate.js";

// Callers here come from 127.0.0.1: that is the address the tests bind.
const ME = "127.0.0.1";
let server: RuntimeApiServer | undefined;

/** A GET over `agent` (a keep-alive agent reuses its one connection); resolves with the status. */
function get(path: string, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(`http://${server?.address}${path}`, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
  });
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("runtime API server", () => {
  it("keeps an address's new session when the container that had the address before is unbound late", async () => {
    server = await startRuntimeApiServer(ME);
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
    server = await startRuntimeApiServer(ME);
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
    server = await startRuntimeApiServer(ME);
    const session = new Session();
    server.bind(ME, session, performance.now());
    server.unbind(ME, session);
    const next = await fetch(`http://${server.address}/2018-06-01/runtime/invocation/next`);
    expect(next.status).toBe(403);
  });

  it("never serves an address's session to a connection opened before its container started (an earlier holder's)", async () => {
    server = await startRuntimeApiServer(ME);
    // The runtime of a container being removed, connected long ago, asks for work once more...
    const earlier = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect(await get("/2018-06-01/runtime/invocation/nope", earlier)).toBe(403);
    // ...while a new container that Docker gave the same address starts.
    const started = server.expectContainer();
    const asking = get("/2018-06-01/runtime/invocation/next", earlier);
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
    server = await startRuntimeApiServer(ME);
    const earlier = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect(await get("/2018-06-01/runtime/invocation/nope", earlier)).toBe(403);
    const gate = new StemGate();
    server.bindStem(ME, gate, performance.now());
    gate.give({ handler: "index.handler", env: { SECRET: "s" } });
    expect(await get("/2018-06-01/stratus/specialise", earlier)).toBe(403);
    const identity = await fetch(`http://${server.address}/2018-06-01/stratus/specialise`);
    expect(await identity.json()).toEqual({ handler: "index.handler", env: { SECRET: "s" } });
    earlier.destroy();
  });
});
