import { afterEach, describe, expect, it } from "vitest";
import { type RuntimeApiServer, startRuntimeApiServer } from "./runtime-api-server.js";
import { Session } from "./session.js";
import { StemGate } from "./stem-gate.js";

// Callers here come from 127.0.0.1: that is the address the tests bind.
const ME = "127.0.0.1";
let server: RuntimeApiServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("runtime API server", () => {
  it("keeps an address's new session when the container that had the address before is unbound late", async () => {
    server = await startRuntimeApiServer(ME);
    const dead = new Session();
    const alive = new Session();
    server.bind(ME, dead);
    // Docker gave the stopped container's address to a new one before the old one was removed.
    server.bind(ME, alive);
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
    server.bindStem(ME, dead);
    server.bindStem(ME, alive);
    server.unbindStem(ME, dead);
    alive.give({ handler: "index.handler", env: { A: "1" } });
    const identity = await fetch(`http://${server.address}/2018-06-01/stratus/specialise`);
    expect(identity.status).toBe(200);
    expect(await identity.json()).toEqual({ handler: "index.handler", env: { A: "1" } });
  });

  it("forgets an address once its own session is unbound", async () => {
    server = await startRuntimeApiServer(ME);
    const session = new Session();
    server.bind(ME, session);
    server.unbind(ME, session);
    const next = await fetch(`http://${server.address}/2018-06-01/runtime/invocation/next`);
    expect(next.status).toBe(403);
  });
});
