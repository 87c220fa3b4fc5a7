// A Runtime API server on loopback for unit tests, and a client that calls it as a
// runtime would: from 127.0.0.1 (the address tests bind) unless told another
// loopback address, over a fresh connection unless given a keep-alive agent.
import http, { type IncomingHttpHeaders } from "node:http";
import { consoleLogger, type Logger } from "@stratus/shared";
import { afterEach } from "vitest";
import {
  type RuntimeApiOptions,
  type RuntimeApiServer,
  startRuntimeApiServer,
} from "../runtime-api/runtime-api-server.js";
import { type Delivery, Session, type SessionOutcome } from "../runtime-api/session.js";

export const ME = "127.0.0.1";

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface CallOptions {
  body?: string | Buffer | Buffer[];
  headers?: Record<string, string>;
  agent?: http.Agent;
  /** The caller's own address (another loopback address is another container). */
  from?: string;
}

export function startTestRuntimeApi(
  log: Logger = consoleLogger(console, "silent"),
  options: RuntimeApiOptions = {},
): Promise<RuntimeApiServer> {
  return startRuntimeApiServer(ME, log, options);
}

/**
 * A Runtime API server for each test of a file: the test starts it with what it needs
 * (a logger, options), and it is closed after the test.
 */
export function serverPerTest(): (log?: Logger, options?: RuntimeApiOptions) => Promise<RuntimeApiServer> {
  let server: RuntimeApiServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  return async (log, options) => {
    server = await startTestRuntimeApi(log, options);
    return server;
  };
}

/** Calls `path` on `server`; a body given as chunks goes without a content-length. */
export function call(server: RuntimeApiServer, method: string, path: string, opts: CallOptions = {}): Promise<Answer> {
  const [host, port] = server.address.split(":");
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host, port, path, method, headers: opts.headers, agent: opts.agent, localAddress: opts.from },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on("error", reject);
    const chunks = Array.isArray(opts.body) ? opts.body : opts.body === undefined ? [] : [opts.body];
    if (!Array.isArray(opts.body) && opts.body !== undefined)
      req.setHeader("content-length", Buffer.byteLength(opts.body));
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

/** A new session bound to this test's address, as the pool binds a started container's. */
export function boundSession(server: RuntimeApiServer): Session {
  const session = new Session();
  server.bind(ME, session, performance.now());
  return session;
}

export function delivery(requestId: string, payload: unknown = {}, headers: Record<string, string> = {}): Delivery {
  return { requestId, payload: Buffer.from(JSON.stringify(payload)), headers: () => headers };
}

/**
 * Puts `session` in the middle of invocation `requestId`, as a runtime that has taken
 * it from /next; `outcome` settles with what the runtime then posts.
 */
export async function running(
  server: RuntimeApiServer,
  session: Session,
  requestId: string,
): Promise<{ outcome: Promise<SessionOutcome> }> {
  const outcome = session.invoke(delivery(requestId));
  const next = await call(server, "GET", "/2018-06-01/runtime/invocation/next");
  if (next.status !== 200) throw new Error(`/next answered ${next.status}`);
  return { outcome };
}
