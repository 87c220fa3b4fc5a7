import { describe, expect, it } from "vitest";
import { boundSession, call, running, serverPerTest } from "../../testing/runtime-api.js";

const ERROR = "/2018-06-01/runtime/invocation/r1/error";
const TYPE_HEADER = "lambda-runtime-function-error-type";
const start = serverPerTest();

describe("POST /runtime/invocation/{id}/error", () => {
  it.each([
    [
      "names its type in the header only",
      '{"errorMessage":"boom","stackTrace":["at f"]}',
      "Handler.Error",
      { errorMessage: "boom", stackTrace: ["at f"], errorType: "Handler.Error" },
    ],
    [
      "names its type in the body and the header: the body's stands",
      '{"errorMessage":"boom","errorType":"TypeError"}',
      "Handler.Error",
      { errorMessage: "boom", errorType: "TypeError" },
    ],
    ["names no type", '{"errorMessage":"boom"}', undefined, { errorMessage: "boom" }],
    [
      "is not JSON, with a type header",
      "segfault at 0x0",
      "Runtime.Crash",
      { errorMessage: "segfault at 0x0", errorType: "Runtime.Crash" },
    ],
    [
      "is not JSON, without a type header",
      "segfault at 0x0",
      undefined,
      { errorMessage: "segfault at 0x0", errorType: "Runtime.Unknown" },
    ],
    [
      "is JSON but no object",
      '"just a string"',
      undefined,
      { errorMessage: '"just a string"', errorType: "Runtime.Unknown" },
    ],
  ])("fails the invocation with the runtime's error when it %s", async (_name, body, type, expected) => {
    const server = await start();
    const session = boundSession(server);
    const { outcome } = await running(server, session, "r1");
    const got = await call(server, "POST", ERROR, { body, headers: type ? { [TYPE_HEADER]: type } : {} });
    expect(got.status).toBe(202);
    expect(JSON.parse(got.body)).toEqual({ status: "OK" });
    const result = await outcome;
    expect(result.functionError).toBe("Unhandled");
    expect(JSON.parse(result.payload.toString())).toEqual(expected);
    expect(session.state).toBe("awaiting-next");
  });

  it("refuses an error body over 1 MB: 413", async () => {
    const server = await start();
    const session = boundSession(server);
    const { outcome } = await running(server, session, "r1");
    const got = await call(server, "POST", ERROR, { body: Buffer.alloc(1024 * 1024 + 1, 0x61) });
    expect(got.status).toBe(413);
    expect(JSON.parse(got.body)).toMatchObject({ errorType: "RequestTooLargeException" });
    expect(session.state).toBe("busy");
    session.die({ errorType: "Test", errorMessage: "done" });
    await outcome;
  });

  it("refuses an error for an invocation not in progress: 400 InvalidRequestID", async () => {
    const server = await start();
    boundSession(server);
    const got = await call(server, "POST", ERROR, { body: '{"errorMessage":"late"}' });
    expect(got.status).toBe(400);
    expect(JSON.parse(got.body)).toMatchObject({ errorType: "InvalidRequestID" });
  });
});
