import http from "node:http";
import type { AddressInfo } from "node:net";
import { type InvokeSpec, internalInvoke, StratusError, headers as wire } from "@stratus/shared";
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

  it("calls a node that dies mid-response a ServiceException saying so, never a partial answer", async () => {
    const url = await listen((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": 1000 });
      res.write('{"partial":', () => res.socket?.destroy());
    });
    const err = await client.invoke(node(url), spec, call).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(NodeUnreachableError);
    expect(err).toMatchObject({ code: "ServiceException", status: 500 });
    expect((err as Error).message).toMatch(/^Invoker node n1 failed mid-response/);
  });

  it("passes a node's error on with its type, status, message and Reason", async () => {
    const url = await listen((_req, res) => {
      res.writeHead(429, { [wire.errorType]: "TooManyRequestsException", reason: "CapacityExceeded" });
      res.end(JSON.stringify({ message: "Node n1 has no room for 128 MB" }));
    });
    const err = await client.invoke(node(url), spec, call).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "TooManyRequestsException",
      status: 429,
      message: "Node n1 has no room for 128 MB",
      headers: { Reason: "CapacityExceeded" },
    });
  });

  it("returns the function's error flag and tail log from the node's headers", async () => {
    const url = await listen((_req, res) => {
      res.writeHead(200, {
        [internalInvoke.functionErrorHeader]: "Unhandled",
        [internalInvoke.logResultHeader]: "dGFpbA==",
      });
      res.end('{"errorType":"Error"}');
    });
    const out = await client.invoke(node(url), spec, { ...call, tail: true });
    expect(out).toMatchObject({ functionError: "Unhandled", logResult: "dGFpbA==" });
    expect(out.payload.toString()).toBe('{"errorType":"Error"}');
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

describe("invoker client, streamed", () => {
  const firstChunk = (body: NodeJS.ReadableStream) =>
    new Promise<string>((resolve) => body.once("data", (c: Buffer) => resolve(c.toString())));

  it("asks for a stream, hands each chunk over as it comes, and reads the end from the trailers", async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    const url = await listen(async (req, res) => {
      expect(req.headers[internalInvoke.acceptStreamHeader]).toBe("1");
      res.writeHead(200, {
        [internalInvoke.responseModeHeader]: "streaming",
        [internalInvoke.streamContentTypeHeader]: "text/plain",
        trailer: "x-stratus-function-error, x-stratus-error-body",
      });
      res.write("one");
      await released;
      res.write("two");
      res.addTrailers({
        "x-stratus-function-error": "Unhandled",
        "x-stratus-error-body": Buffer.from('{"errorType":"Error"}').toString("base64"),
      });
      res.end();
    });
    const answer = await client.invokeStream(node(url), spec, call);
    if (answer.mode !== "streaming") throw new Error("not streamed");
    expect(answer.contentType).toBe("text/plain");
    // The first chunk arrives while the node still holds the rest back.
    expect(await firstChunk(answer.body)).toBe("one");
    release();
    answer.body.resume();
    const end = await answer.end;
    expect(end.functionError).toBe("Unhandled");
    expect(end.payload.toString()).toBe('{"errorType":"Error"}');
  });

  it("reads a whole answer whole, and a node's error as invoke does", async () => {
    const whole = await listen((_req, res) => {
      res.writeHead(200, { [internalInvoke.logResultHeader]: "bG9n" });
      res.end('"ok"');
    });
    expect(await client.invokeStream(node(whole), spec, call)).toEqual({
      mode: "buffered",
      outcome: { payload: Buffer.from('"ok"'), logResult: "bG9n" },
    });
    const full = await listen((_req, res) => {
      res.writeHead(429, { [wire.errorType]: "TooManyRequestsException", reason: "CapacityExceeded" });
      res.end('{"message":"full"}');
    });
    const err = await client.invokeStream(node(full), spec, call).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "TooManyRequestsException", status: 429, message: "full" });
  });

  it("ends a stream the node breaks off with a ServiceException", async () => {
    const url = await listen((_req, res) => {
      res.writeHead(200, { [internalInvoke.responseModeHeader]: "streaming" });
      res.write("one", () => res.socket?.destroy());
    });
    const answer = await client.invokeStream(node(url), spec, call);
    if (answer.mode !== "streaming") throw new Error("not streamed");
    answer.body.on("error", () => undefined);
    answer.body.resume();
    await expect(answer.end).rejects.toMatchObject({ code: "ServiceException" });
  });
});
