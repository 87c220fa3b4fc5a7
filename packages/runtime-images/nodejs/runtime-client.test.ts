import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
const { createRuntimeClient } = require("./runtime-client.cjs") as {
  createRuntimeClient(
    host: string,
    port: number,
  ): {
    send(
      method: string,
      path: string,
      body?: string | Buffer,
      headers?: Record<string, string | number>,
    ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }>;
  };
};

type Handler = (req: IncomingMessage, body: Buffer, res: ServerResponse) => void;

describe("the Node runtime's Runtime API client", () => {
  const servers: Server[] = [];
  /** Plain TCP servers' closings (their connections destroyed first). */
  const closings: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    for (const close of closings.splice(0)) await close();
  });

  async function serve(handler: Handler) {
    const connections: unknown[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => handler(req, Buffer.concat(chunks), res));
    });
    server.on("connection", (c) => connections.push(c));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    return { client: createRuntimeClient("127.0.0.1", port), connections, port };
  }

  it("asks and answers over one kept-alive connection: headers, bodies by length, by chunks, binary", async () => {
    const big = Buffer.alloc(6 * 1024 * 1024 + 7, 0xab);
    const seen: { method?: string; url?: string; type?: string; length?: string; body: Buffer }[] = [];
    const { client, connections } = await serve((req, body, res) => {
      seen.push({
        method: req.method,
        url: req.url,
        type: req.headers["x-type"] as string,
        length: req.headers["content-length"],
        body,
      });
      if (req.url === "/next") {
        res.setHeader("Set-Cookie", ["a=1", "b=2"]);
        res.writeHead(200, { "Lambda-Runtime-Aws-Request-Id": "r-1", "content-length": big.length });
        return res.end(big);
      }
      // No length: node:http sends the body chunked.
      res.writeHead(202);
      res.write('{"status":');
      res.end('"OK"}');
    });
    const next = await client.send("GET", "/next");
    expect(next.status).toBe(200);
    expect(next.headers["lambda-runtime-aws-request-id"]).toBe("r-1");
    expect(next.headers["set-cookie"]).toBe("a=1, b=2");
    expect(next.body.equals(big)).toBe(true);
    const posted = await client.send("POST", "/r-1/response", big, { "x-type": "binary" });
    expect(posted.status).toBe(202);
    expect(JSON.parse(posted.body.toString())).toEqual({ status: "OK" });
    const text = await client.send("POST", "/r-1/response", "é€", { "content-type": "application/json" });
    expect(text.status).toBe(202);
    expect(seen[1]).toMatchObject({ method: "POST", type: "binary", length: String(big.length) });
    expect(seen[1]?.body.equals(big)).toBe(true);
    expect(seen[2]?.body.toString("utf8")).toBe("é€");
    expect(seen[2]?.length).toBe(String(Buffer.byteLength("é€")));
    expect(connections).toHaveLength(1);
  });

  it("sends one exchange at a time, in order, however many are asked for at once", async () => {
    const order: string[] = [];
    const { client } = await serve((req, _body, res) => {
      order.push(req.url ?? "");
      // The first answer comes late: the second must not have gone out meanwhile.
      setTimeout(() => res.end(req.url), req.url === "/1" ? 50 : 0);
    });
    const answers = await Promise.all(["/1", "/2", "/3"].map((p) => client.send("GET", p)));
    expect(answers.map((a) => a.body.toString())).toEqual(["/1", "/2", "/3"]);
    expect(order).toEqual(["/1", "/2", "/3"]);
  });

  it("reconnects after an answer that closes its connection, and reads a body that runs to the close", async () => {
    const net = createNetServer((socket) => {
      socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\nConnection: close\r\nX-A: 1\r\n\r\nuntil the end"));
    });
    await new Promise<void>((r) => net.listen(0, "127.0.0.1", r));
    try {
      const client = createRuntimeClient("127.0.0.1", (net.address() as AddressInfo).port);
      for (let i = 0; i < 2; i++) {
        const res = await client.send("GET", "/x");
        expect(res.headers["x-a"]).toBe("1");
        expect(res.body.toString()).toBe("until the end");
      }
    } finally {
      await new Promise((r) => net.close(r));
    }
  });

  /** A server that answers every request with `raw`, written a byte at a time when `trickle`. */
  async function rawServer(raw: string, trickle = false) {
    const sockets: Socket[] = [];
    const server = createNetServer((socket) => {
      sockets.push(socket);
      socket.setNoDelay(true);
      socket.on("data", async () => {
        if (!trickle) return void socket.write(raw);
        for (const byte of Buffer.from(raw, "latin1")) {
          socket.write(Buffer.of(byte));
          await new Promise((r) => setTimeout(r, 1));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    closings.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise((r) => server.close(r));
    });
    return createRuntimeClient("127.0.0.1", (server.address() as AddressInfo).port);
  }

  it("skips interim answers, and reads chunks however their framing is split", async () => {
    const client = await rawServer(
      "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n" +
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n" +
        "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n",
      true,
    );
    for (let i = 0; i < 2; i++) {
      const res = await client.send("GET", "/x");
      expect(res.status).toBe(200);
      expect(res.headers["x-a"]).toBe("1");
      expect(res.body.toString()).toBe("hello world");
    }
  });

  it("refuses a transfer coding it cannot read, and chunks not framed as HTTP/1.1 frames them", async () => {
    const gzip = await rawServer("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
    await expect(gzip.send("GET", "/x")).rejects.toThrow(/unsupported transfer coding gzip, chunked/);
    const unended = await rawServer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n");
    await expect(unended.send("GET", "/x")).rejects.toThrow(/chunk not ended by CRLF/);
    const badSize = await rawServer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5z\r\nhello\r\n0\r\n\r\n");
    await expect(badSize.send("GET", "/x")).rejects.toThrow(/bad chunk size/);
  });

  it("fails an exchange whose connection breaks off, and goes on with a new one", async () => {
    let n = 0;
    const { client } = await serve((req, _body, res) => {
      n++;
      if (n === 1) {
        res.writeHead(200, { "content-length": 100 });
        res.write("part");
        setTimeout(() => req.socket.destroy(), 10);
        return;
      }
      res.end("whole");
    });
    await expect(client.send("GET", "/a")).rejects.toThrow(/closed before the answer/);
    expect((await client.send("GET", "/b")).body.toString()).toBe("whole");
  });

  it("refuses a header that would split the request, as node:http does, sending nothing", async () => {
    let asked = 0;
    const { client } = await serve((_req, _body, res) => {
      asked++;
      res.end();
    });
    await expect(
      client.send("POST", "/e", "{}", { "lambda-runtime-function-error-type": "Bad\r\nX-Evil: 1" }),
    ).rejects.toMatchObject({
      code: "ERR_INVALID_CHAR",
    });
    await expect(client.send("POST", "/e", "{}", { "bad name": "v" })).rejects.toMatchObject({
      code: "ERR_INVALID_CHAR",
    });
    expect((await client.send("GET", "/ok")).status).toBe(200);
    expect(asked).toBe(1);
  });

  it("lets the process end while the connection is idle, not while an exchange is under way", async () => {
    const { connections, port } = await serve((_req, _body, res) => {
      setTimeout(() => res.end("late"), 300);
    });
    const script = `
      const c = require(${JSON.stringify(require.resolve("./runtime-client.cjs"))}).createRuntimeClient("127.0.0.1", ${port});
      c.send("GET", "/slow").then((r) => process.stdout.write(r.body.toString()));`;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    const code = await new Promise((r) => child.on("exit", r));
    // It waited for the answer, then exited with the connection still open.
    expect(out).toBe("late");
    expect(code).toBe(0);
    expect(connections).toHaveLength(1);
  });
});
