import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errors, StratusError } from "./errors.js";
import { type ErrorAnswer, parseRestJson1Error, sendRestJson1Error } from "./rest-json-errors.js";

let server: http.Server;
let answerWith: (res: http.ServerResponse) => void = () => undefined;

beforeAll(async () => {
  server = http.createServer((_req, res) => answerWith(res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** What the server answers with `send`, read back whole. */
function answer(send: (res: http.ServerResponse) => void): Promise<ErrorAnswer> {
  answerWith = send;
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: "/" }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
      })
      .on("error", reject);
  });
}

describe("restJson1 errors", () => {
  it.each([
    ["a throttle, with its Retry-After and Reason", errors.capacity("Node n1 has no room"), "client"],
    ["a missing resource", errors.notFound("Function not found: f"), "client"],
    ["the platform's fault", errors.service("No invoker node is available"), "platform"],
  ])("reads back %s as it was sent", async (_name, sent, kind) => {
    const got = parseRestJson1Error(await answer((res) => sendRestJson1Error(res, sent, {})), "fallback");
    expect(got).toBeInstanceOf(StratusError);
    expect(got).toMatchObject({ code: sent.code, status: sent.status, message: sent.message, headers: sent.headers });
    expect(got.kind).toBe(kind);
  });

  it("sends Lambda's body and headers, with the surface's own", async () => {
    const got = await answer((res) => sendRestJson1Error(res, errors.capacity("full"), { "x-amzn-requestid": "r1" }));
    expect(got.statusCode).toBe(429);
    expect(got.headers).toMatchObject({
      "x-amzn-errortype": "TooManyRequestsException",
      "x-amzn-requestid": "r1",
      "retry-after": "1",
      reason: "CapacityExceeded",
      "content-type": "application/json",
    });
    expect(JSON.parse(got.body.toString())).toEqual({ Type: "Service", message: "full", Reason: "CapacityExceeded" });
  });

  it.each([
    ["a body that is not JSON", "<html>bad gateway</html>"],
    ["a JSON null", "null"],
    ["no message", "{}"],
  ])("names an answer with %s by the fallback, and one with no type a ServiceException", (_name, body) => {
    const got = parseRestJson1Error({ statusCode: 502, headers: {}, body: Buffer.from(body) }, "node n1 answered 502");
    expect(got).toMatchObject({
      code: "ServiceException",
      status: 502,
      kind: "platform",
      message: "node n1 answered 502",
    });
  });
});
