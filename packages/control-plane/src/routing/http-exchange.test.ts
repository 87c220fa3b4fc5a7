import http from "node:http";
import type { AddressInfo } from "node:net";
import { Agent } from "undici";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ExchangeError, exchange } from "./http-exchange.js";

const agent = new Agent({ keepAliveTimeout: 10_000 });
const servers: http.Server[] = [];
afterAll(() => agent.close());
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

async function listen(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const post = (origin: string, body = Buffer.from("ping")) => ({ origin, path: "/x", method: "POST" as const, body });

describe("exchange", () => {
  it("collects the whole answer: status, lower-cased headers and the body in one buffer", async () => {
    const origin = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        res.writeHead(201, { "X-Echo": "yes" });
        res.write(Buffer.concat(chunks));
        res.end("-and-more");
      });
    });
    const got = await exchange(agent, post(origin));
    expect(got.statusCode).toBe(201);
    expect(got.headers["x-echo"]).toBe("yes");
    expect(got.body.toString()).toBe("ping-and-more");
  });

  it("answers an empty body as an empty buffer", async () => {
    const origin = await listen((_req, res) => res.writeHead(204).end());
    const got = await exchange(agent, post(origin));
    expect(got).toMatchObject({ statusCode: 204 });
    expect(got.body.length).toBe(0);
  });

  it("abandons every exchange sharing a signal with the signal's reason, and leaves the next one alone", async () => {
    const origin = await listen(() => undefined); // never answers
    const shared = new AbortController();
    const pending = [1, 2, 3].map(() => exchange(agent, post(origin), shared.signal).catch((e: unknown) => e));
    await new Promise((r) => setTimeout(r, 50));
    const reason = new Error("node went silent");
    shared.abort(reason);
    for (const err of await Promise.all(pending)) {
      expect(err).toBeInstanceOf(ExchangeError);
      expect((err as ExchangeError).cause).toBe(reason);
    }
    const answering = await listen((_req, res) => res.end("ok"));
    expect((await exchange(agent, post(answering), new AbortController().signal)).body.toString()).toBe("ok");
  });

  it("sends nothing for a signal already aborted", async () => {
    let reached = false;
    const origin = await listen((_req, res) => {
      reached = true;
      res.end();
    });
    const shared = new AbortController();
    shared.abort(new Error("gone"));
    await expect(exchange(agent, post(origin), shared.signal)).rejects.toMatchObject({ message: "gone" });
    await new Promise((r) => setTimeout(r, 50));
    expect(reached).toBe(false);
  });

  it("tells whether the answer had begun when the connection broke", async () => {
    const beforeAnswer = await listen((req) => req.socket.destroy());
    const midAnswer = await listen((_req, res) => {
      res.writeHead(200, { "content-length": 100 });
      res.write("partial", () => res.socket?.destroy());
    });
    expect(await exchange(agent, post(beforeAnswer)).catch((e: ExchangeError) => e.answerBegun)).toBe(false);
    expect(await exchange(agent, post(midAnswer)).catch((e: ExchangeError) => e.answerBegun)).toBe(true);
  });

  it("names a refused connection by its code", async () => {
    const origin = await listen(() => undefined);
    const server = servers.pop() as http.Server;
    await new Promise((r) => server.close(r));
    const err = await exchange(agent, post(origin)).catch((e: ExchangeError) => e);
    expect(err).toMatchObject({ code: "ECONNREFUSED", answerBegun: false });
  });
});
