import { limits } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { boundSession, call, running, serverPerTest } from "../../testing/runtime-api.js";

const response = (id: string) => `/2018-06-01/runtime/invocation/${id}/response`;
const start = serverPerTest();

describe("POST /runtime/invocation/{id}/response", () => {
  it("takes the result of the invocation in progress, with the log streams it marked, and accepts it", async () => {
    const server = await start();
    const session = boundSession(server);
    const { outcome } = await running(server, session, "r1");
    const got = await call(server, "POST", response("r1"), {
      body: '{"ok":true}',
      headers: { "stratus-log-markers": "stdout,stderr" },
    });
    expect(got.status).toBe(202);
    expect(JSON.parse(got.body)).toEqual({ status: "OK" });
    const result = await outcome;
    expect(result.payload.toString()).toBe('{"ok":true}');
    expect(result.functionError).toBeUndefined();
    expect(result.markedStreams).toEqual([0, 1]);
    expect(session.state).toBe("awaiting-next");
  });

  it.each([
    ["another invocation's id", "other"],
    ["the id of the invocation just answered", "r1"],
  ])("refuses a result for %s: 400 InvalidRequestID", async (_name, id) => {
    const server = await start();
    const session = boundSession(server);
    const { outcome } = await running(server, session, "r1");
    if (id === "r1") await call(server, "POST", response("r1"), { body: "1" });
    else session.die({ errorType: "Test", errorMessage: "done" });
    const got = await call(server, "POST", response(id), { body: "2" });
    expect(got.status).toBe(400);
    expect(JSON.parse(got.body)).toEqual({
      errorType: "InvalidRequestID",
      errorMessage: `No invocation ${id} in progress`,
    });
    await outcome;
  });

  it.each([
    ["declared", Buffer.alloc(limits.syncResponseBytes + 1, 0x61)],
    ["sent in chunks without a length", [Buffer.alloc(4 * 1024 * 1024, 0x61), Buffer.alloc(4 * 1024 * 1024, 0x61)]],
  ])("fails an invocation whose response is over 6 MB (%s), and refuses it 413", async (_name, body) => {
    const server = await start();
    const session = boundSession(server);
    const { outcome } = await running(server, session, "r1");
    const got = await call(server, "POST", response("r1"), { body });
    const message = `Response payload size exceeded maximum allowed payload size (${limits.syncResponseBytes} bytes).`;
    expect(got.status).toBe(413);
    expect(JSON.parse(got.body)).toEqual({ errorType: "RequestEntityTooLarge", errorMessage: message });
    const result = await outcome;
    expect(result.functionError).toBe("Unhandled");
    expect(JSON.parse(result.payload.toString())).toEqual({
      errorType: "Function.ResponseSizeTooLarge",
      errorMessage: message,
    });
  });
});
