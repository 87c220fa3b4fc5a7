import { describe, expect, it } from "vitest";
import { boundSession, call, ME, serverPerTest } from "../../testing/runtime-api.js";
import type { RuntimeApiServer } from "../runtime-api-server.js";
import { StemGate } from "../stem-gate.js";

const SPECIALISE = "/2018-06-01/stratus/specialise";
const identity = { handler: "index.handler", env: { A: "1" } };
const start = serverPerTest();

function stemCell(server: RuntimeApiServer): StemGate {
  const gate = new StemGate();
  server.bindStem(ME, gate, performance.now());
  return gate;
}

describe("GET /stratus/specialise", () => {
  it("hands a waiting stem cell its identity once, and then knows the address as no stem cell", async () => {
    const server = await start();
    const gate = stemCell(server);
    const asking = call(server, "GET", SPECIALISE);
    gate.give(identity);
    const got = await asking;
    expect(got.status).toBe(200);
    expect(JSON.parse(got.body)).toEqual(identity);
    const again = await call(server, "GET", SPECIALISE);
    expect(again.status).toBe(403);
    expect(JSON.parse(again.body)).toEqual({ errorType: "Forbidden", errorMessage: "Not a stem cell" });
  });

  it("answers a poll that waited its time with nothing (204), so that the runtime polls again", async () => {
    const server = await start(undefined, { specialisePollMs: 20 });
    stemCell(server);
    const got = await call(server, "GET", SPECIALISE);
    expect(got.status).toBe(204);
    expect(got.body).toBe("");
  });

  it("tells a stem cell retired while it waited 410 Gone", async () => {
    const server = await start();
    const gate = stemCell(server);
    const asking = call(server, "GET", SPECIALISE);
    gate.close();
    const got = await asking;
    expect(got.status).toBe(410);
    expect(JSON.parse(got.body)).toEqual({ errorType: "Gone", errorMessage: "Stem cell retired" });
  });

  it("refuses a function container's runtime: 403, it is no stem cell", async () => {
    const server = await start();
    boundSession(server);
    const got = await call(server, "GET", SPECIALISE);
    expect(got.status).toBe(403);
    expect(JSON.parse(got.body)).toEqual({ errorType: "Forbidden", errorMessage: "Not a stem cell" });
  });
});
