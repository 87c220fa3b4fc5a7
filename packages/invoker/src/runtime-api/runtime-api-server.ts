// The Lambda Runtime API (/2018-06-01/runtime/...) served to this node's function
// containers on the functions network's gateway address. A caller is identified by
// its source address, which Docker assigns and an unprivileged container cannot
// forge, so a container only ever sees its own session's events. Docker hands an
// address on at once, so the address alone is not enough: a connection opened
// before the container now holding the address was started belongs to an earlier
// holder (a container being removed, whose runtime still asks for work) and is
// never served that container's session. Beside Lambda's paths, one Stratus-only
// path hands a stem cell its identity (see stem-gate.ts), answered only to that
// stem cell's own address under the same rule.

import { EventEmitter } from "node:events";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { isTooLarge, limits, readBody, runtimeApi, StratusError } from "@stratus/shared";
import { LOG_MARKERS_HEADER, markedStreams } from "../logs/container-log.js";
import type { Session } from "./session.js";
import type { StemGate } from "./stem-gate.js";

export interface RuntimeApiServer {
  /** host:port for AWS_LAMBDA_RUNTIME_API. */
  readonly address: string;
  /**
   * `ip` is now `session`'s. `since`: performance.now() when its container was
   * started; connections from `ip` opened before then are never served it.
   */
  bind(ip: string, session: Session, since: number): void;
  /**
   * Forgets `ip` if it is still bound to `session`. Docker hands a stopped
   * container's address to the next container at once, so by the time a dead
   * container is removed, its address may already be another's.
   */
  unbind(ip: string, session: Session): void;
  /** A stem cell at `ip`, started at `since` (as in bind), may collect its identity from `gate`, once. */
  bindStem(ip: string, gate: StemGate, since: number): void;
  /** Forgets `ip`'s stem gate if it is still `gate` (see unbind). */
  unbindStem(ip: string, gate: StemGate): void;
  /** Call before starting a container; call the returned function once it is bound (or failed). */
  expectContainer(): () => void;
  close(): Promise<void>;
}

const NEXT = `${runtimeApi.prefix}/invocation/next`;
const INVOCATION = new RegExp(`^${runtimeApi.prefix}/invocation/([A-Za-z0-9-]{1,64})/(response|error)$`);
const INIT_ERROR = `${runtimeApi.prefix}/init/error`;
/** Stratus-only: a stem cell's long poll for its handler and environment. */
export const SPECIALISE_PATH = "/2018-06-01/stratus/specialise";
/** A parked specialise poll is answered 204 after this long; the runtime polls again. */
const SPECIALISE_POLL_MS = 60_000;
const BIND_WAIT_MS = 5_000;
const MAX_ERROR_BODY = 1024 * 1024;

function sourceIp(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** Normalises an error body posted by a runtime to Lambda's {errorMessage, errorType, stackTrace}. */
function errorPayload(body: Buffer, headerType: string | undefined): Buffer {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    if (parsed && typeof parsed === "object") {
      if (!parsed.errorType && headerType) parsed.errorType = headerType;
      return Buffer.from(JSON.stringify(parsed));
    }
  } catch {
    // not JSON: wrap it
  }
  return Buffer.from(
    JSON.stringify({ errorMessage: body.toString("utf8").slice(0, 4096), errorType: headerType ?? "Runtime.Unknown" }),
  );
}

/** Whose an address is, and since when (performance.now() at its container's start). */
interface Binding<T> {
  value: T;
  since: number;
}

export async function startRuntimeApiServer(host: string): Promise<RuntimeApiServer> {
  const sessions = new Map<string, Binding<Session>>();
  const stems = new Map<string, Binding<StemGate>>();
  /** When each connection was opened (performance.now()). */
  const openedAt = new WeakMap<Socket, number>();
  const bound = new EventEmitter();
  bound.setMaxListeners(0);
  let starting = 0;

  async function boundTo<T>(req: IncomingMessage, map: Map<string, Binding<T>>): Promise<T | undefined> {
    const ip = sourceIp(req);
    const opened = openedAt.get(req.socket) ?? Number.NEGATIVE_INFINITY;
    const deadline = Date.now() + BIND_WAIT_MS;
    // A runtime may call before its container's address is known: wait for it.
    while (!map.has(ip) && starting > 0 && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, deadline - Date.now());
        bound.once("bound", () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    const binding = map.get(ip);
    // Opened before the holder's container started: an earlier holder of the address.
    return binding && binding.since <= opened ? binding.value : undefined;
  }

  async function specialise(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ip = sourceIp(req);
    const gate = await boundTo(req, stems);
    if (!gate) return reply(res, 403, { errorMessage: "Not a stem cell", errorType: "Forbidden" });
    const identity = await gate.wait(SPECIALISE_POLL_MS);
    if (identity) {
      // Handed over once: from now on this address is only its function's session.
      if (stems.get(ip)?.value === gate) stems.delete(ip);
      return reply(res, 200, identity);
    }
    if (gate.state === "closed") return reply(res, 410, { errorMessage: "Stem cell retired", errorType: "Gone" });
    res.writeHead(204).end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = (req.url ?? "").split("?")[0] ?? "";
    if (req.method === "GET" && url === SPECIALISE_PATH) return specialise(req, res);
    const session = await boundTo(req, sessions);
    if (!session) return reply(res, 403, { errorMessage: "Unknown container", errorType: "Forbidden" });
    if (req.method === "GET" && url === NEXT) {
      session.next((d) => {
        res.writeHead(200, { ...d.headers(), "content-type": "application/json", "content-length": d.payload.length });
        res.end(d.payload);
      });
      return;
    }
    const m = req.method === "POST" ? INVOCATION.exec(url) : null;
    if (m) {
      const [, requestId, kind] = m as unknown as [string, string, string];
      const marked = markedStreams(req.headers[LOG_MARKERS_HEADER]);
      if (kind === "response") {
        let body: Buffer;
        try {
          body = await readBody(req, limits.syncResponseBytes);
        } catch (err) {
          if (!isTooLarge(err)) throw err;
          const message = `Response payload size exceeded maximum allowed payload size (${limits.syncResponseBytes} bytes).`;
          session.complete(requestId, {
            payload: Buffer.from(JSON.stringify({ errorMessage: message, errorType: "Function.ResponseSizeTooLarge" })),
            functionError: "Unhandled",
          });
          return reply(res, 413, { errorMessage: message, errorType: "RequestEntityTooLarge" });
        }
        session.complete(requestId, { payload: body, ...(marked ? { markedStreams: marked } : {}) });
      } else {
        const body = await readBody(req, MAX_ERROR_BODY);
        const type = req.headers[runtimeApi.errorTypeHeader];
        session.complete(requestId, {
          payload: errorPayload(body, typeof type === "string" ? type : undefined),
          functionError: "Unhandled",
          ...(marked ? { markedStreams: marked } : {}),
        });
      }
      // Answer the runtime after the result has gone on its way: the write into the
      // container's network costs a few hundred microseconds of the caller's time.
      setImmediate(() => reply(res, 202, { status: "OK" }));
      return;
    }
    if (req.method === "POST" && url === INIT_ERROR) {
      const body = await readBody(req, MAX_ERROR_BODY);
      const type = req.headers[runtimeApi.errorTypeHeader];
      const parsed = JSON.parse(errorPayload(body, typeof type === "string" ? type : undefined).toString()) as {
        errorType?: string;
        errorMessage?: string;
      };
      session.die({
        errorType: parsed.errorType ?? "Runtime.InitError",
        errorMessage: parsed.errorMessage ?? "Runtime failed to initialise",
      });
      return reply(res, 202, { status: "OK" });
    }
    reply(res, 404, { errorMessage: `Unknown path ${url.slice(0, 128)}`, errorType: "NotFound" });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return res.destroy();
      if (err instanceof StratusError)
        return reply(res, err.status, { errorMessage: err.message, errorType: err.code });
      reply(res, 500, { errorMessage: "Runtime API error", errorType: "ServiceException" });
    });
  });
  server.on("connection", (socket: Socket) => openedAt.set(socket, performance.now()));
  // /next is a long poll and runtimes hold keep-alive sockets while handlers run.
  server.keepAliveTimeout = 0;
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as { port: number }).port;

  return {
    address: `${host}:${port}`,
    bind(ip, session, since) {
      sessions.set(ip, { value: session, since });
      bound.emit("bound");
    },
    unbind(ip, session) {
      if (sessions.get(ip)?.value === session) sessions.delete(ip);
    },
    bindStem(ip, gate, since) {
      stems.set(ip, { value: gate, since });
      bound.emit("bound");
    },
    unbindStem(ip, gate) {
      if (stems.get(ip)?.value === gate) stems.delete(ip);
    },
    expectContainer() {
      starting++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        starting--;
        bound.emit("bound");
      };
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
