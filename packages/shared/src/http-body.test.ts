import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBody } from "./http-body.js";

const MAX = 1024;
let server: Server;
let port: number;

/** The server answers 200 with what it read, or the error's code. */
beforeAll(async () => {
  server = createServer((req, res) => {
    readBody(req, MAX).then(
      (body) => res.writeHead(200).end(body),
      (err: { code?: string }) => res.writeHead(413).end(err.code),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Sends `parts` one write at a time (chunked when no content-length is given). */
function send(parts: Buffer[], headers: Record<string, string | number> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ port, method: "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on("error", reject);
    (async () => {
      for (const part of parts) {
        req.write(part);
        await new Promise((r) => setTimeout(r, 5));
      }
      req.end();
    })();
  });
}

describe("readBody", () => {
  it("reads a body of declared length that arrives in several writes", async () => {
    const parts = [Buffer.from("hello, "), Buffer.from("wor"), Buffer.from("ld")];
    expect(await send(parts, { "content-length": 12 })).toEqual({ status: 200, body: "hello, world" });
  });

  it("reads a chunked body to its end", async () => {
    expect(await send([Buffer.from("a"), Buffer.from("bc")])).toEqual({ status: 200, body: "abc" });
  });

  it("reads an empty body", async () => {
    expect(await send([], { "content-length": 0 })).toEqual({ status: 200, body: "" });
  });

  it("refuses a declared length over the limit without reading it", async () => {
    const res = await send([Buffer.alloc(MAX + 1)], { "content-length": MAX + 1 });
    expect(res).toEqual({ status: 413, body: "RequestTooLargeException" });
  });

  it("refuses a chunked body that grows over the limit", async () => {
    const res = await send([Buffer.alloc(MAX), Buffer.alloc(10)]);
    expect(res).toEqual({ status: 413, body: "RequestTooLargeException" });
  });
});

/** A request whose body the test pushes by hand. */
function fakeRequest(headers: Record<string, string> = {}): PassThrough & { headers: Record<string, string> } {
  return Object.assign(new PassThrough(), { headers });
}

function countingBudget(limit: number) {
  let held = 0;
  return {
    take(n: number) {
      if (held + n > limit) return false;
      held += n;
      return true;
    },
    give(n: number) {
      held -= n;
    },
    held: () => held,
  };
}

describe("readBody with a byte budget", () => {
  it("holds the bytes read against the budget until the body is in, then gives them back", async () => {
    const budget = countingBudget(100);
    const req = fakeRequest({ "content-length": "10" });
    const read = readBody(req as never, MAX, budget);
    req.write(Buffer.alloc(4));
    await new Promise((r) => setImmediate(r));
    expect(budget.held()).toBe(4);
    req.write(Buffer.alloc(6));
    expect((await read).length).toBe(10);
    expect(budget.held()).toBe(0);
  });

  it("refuses a body the budget cannot hold with TooManyRequestsException, and gives back its bytes", async () => {
    const budget = countingBudget(100);
    const first = fakeRequest();
    const firstRead = readBody(first as never, MAX, budget);
    first.write(Buffer.alloc(80));
    await new Promise((r) => setImmediate(r));
    const second = fakeRequest();
    const secondRead = readBody(second as never, MAX, budget);
    second.write(Buffer.alloc(30));
    await expect(secondRead).rejects.toMatchObject({ code: "TooManyRequestsException", status: 429 });
    expect(budget.held()).toBe(80);
    first.destroy();
    await expect(firstRead).rejects.toMatchObject({ code: "InvalidRequestContentException" });
    expect(budget.held()).toBe(0);
  });
});
