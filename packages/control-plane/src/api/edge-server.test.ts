import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { readBody } from "@stratus/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEdgeServer, MAX_HEADER_BYTES } from "./edge-server.js";

let server: Server;
let port: number;

beforeAll(async () => {
  server = createEdgeServer({ headersTimeoutMs: 300, requestTimeoutMs: 600 }, (req, res) => {
    readBody(req, 1024 * 1024).then(
      (body) => res.end(body),
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** Writes `text` raw and collects what comes back until the server closes the connection. */
function exchange(text: string): Promise<{ answer: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(text));
    let answer = "";
    socket.on("data", (c: Buffer) => {
      answer += c.toString();
    });
    socket.on("close", () => resolve({ answer, ms: Date.now() - started }));
    socket.on("error", reject);
  });
}

describe("createEdgeServer", () => {
  it("cuts a body that stalls, within its deadline, with a Lambda-style 408", async () => {
    const { answer, ms } = await exchange("POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n0123456789");
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toMatch(/x-amzn-errortype: RequestTimeoutException/i);
    expect(answer).toMatch(/"message":"The request was not received in time"/);
    expect(ms).toBeLessThan(600 + 1500);
  });

  it("cuts headers that stall", async () => {
    const { answer } = await exchange("POST / HTTP/1.1\r\nhost: x\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("answers a malformed request with a Lambda-style 400", async () => {
    const { answer } = await exchange("NOT HTTP AT ALL\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/x-amzn-errortype: InvalidRequestContentException/i);
  });

  it("refuses headers over 16 KB with 431", async () => {
    const { answer } = await exchange(`GET / HTTP/1.1\r\nhost: x\r\nx-big: ${"a".repeat(MAX_HEADER_BYTES)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
  });

  it("serves a request that arrives in time", async () => {
    const { answer } = await exchange("POST / HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
    expect(answer).toMatch(/^HTTP\/1\.1 200 [\s\S]*\r\n\r\nok$/);
  });
});
