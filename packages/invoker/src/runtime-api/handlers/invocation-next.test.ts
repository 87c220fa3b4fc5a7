import { describe, expect, it } from "vitest";
import { boundSession, call, delivery, running, serverPerTest } from "../../testing/runtime-api.js";

const NEXT = "/2018-06-01/runtime/invocation/next";
const start = serverPerTest();

describe("GET /runtime/invocation/next", () => {
  it("answers the runtime's poll with the event, and the headers built as it is delivered", async () => {
    const server = await start();
    const session = boundSession(server);
    const asking = call(server, "GET", NEXT);
    const outcome = session.invoke(
      delivery("r1", { n: 1 }, { "lambda-runtime-aws-request-id": "r1", "lambda-runtime-deadline-ms": "99" }),
    );
    const got = await asking;
    expect(got.status).toBe(200);
    expect(JSON.parse(got.body)).toEqual({ n: 1 });
    expect(got.headers).toMatchObject({
      "lambda-runtime-aws-request-id": "r1",
      "lambda-runtime-deadline-ms": "99",
      "content-type": "application/json",
    });
    expect(session.state).toBe("busy");
    session.die({ errorType: "Test", errorMessage: "done" });
    await outcome;
  });

  it("refuses a second poll while an invocation runs: 403, the session's state does not allow it", async () => {
    const server = await start();
    const session = boundSession(server);
    const { outcome } = await running(server, session, "r1");
    const again = await call(server, "GET", NEXT);
    expect(again.status).toBe(403);
    expect(JSON.parse(again.body)).toEqual({
      errorType: "InvalidStateTransition",
      errorMessage: "next is not allowed while busy",
    });
    session.die({ errorType: "Test", errorMessage: "done" });
    await outcome;
  });
});
