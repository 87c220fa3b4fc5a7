import { describe, expect, it } from "vitest";
import { boundSession, call, delivery, serverPerTest } from "../../testing/runtime-api.js";

const INIT_ERROR = "/2018-06-01/runtime/init/error";
const start = serverPerTest();

describe("POST /runtime/init/error", () => {
  it.each([
    [
      "its JSON error",
      '{"errorMessage":"Cannot find module \'app\'","errorType":"Runtime.ImportModuleError"}',
      {},
      { errorType: "Runtime.ImportModuleError", errorMessage: "Cannot find module 'app'" },
    ],
    [
      "the type its header names",
      '{"errorMessage":"no handler"}',
      { "lambda-runtime-function-error-type": "Runtime.HandlerNotFound" },
      { errorType: "Runtime.HandlerNotFound", errorMessage: "no handler" },
    ],
    [
      "a body that is not JSON, as the message",
      "it broke",
      {},
      { errorType: "Runtime.Unknown", errorMessage: "it broke" },
    ],
    [
      "Lambda's defaults, when it names nothing",
      "{}",
      {},
      { errorType: "Runtime.InitError", errorMessage: "Runtime failed to initialise" },
    ],
  ])("ends the session, failing the invocation that waits for it with %s", async (_name, body, headers, expected) => {
    const server = await start();
    const session = boundSession(server);
    // A cold start: the event waits for the runtime's first /next, which never comes.
    const outcome = session.invoke(delivery("r1"));
    const got = await call(server, "POST", INIT_ERROR, { body, headers });
    expect(got.status).toBe(202);
    expect(JSON.parse(got.body)).toEqual({ status: "OK" });
    expect(session.state).toBe("dead");
    const result = await outcome;
    expect(result.functionError).toBe("Unhandled");
    expect(JSON.parse(result.payload.toString())).toEqual(expected);
  });

  it("refuses a caller that is no container of this node: 403", async () => {
    const server = await start();
    const got = await call(server, "POST", INIT_ERROR, { body: "{}" });
    expect(got.status).toBe(403);
    expect(JSON.parse(got.body)).toEqual({ errorType: "Forbidden", errorMessage: "Unknown container" });
  });
});
