// The Lambda Runtime API (/2018-06-01/runtime/...) served to this node's function
// containers on the functions network's gateway address, beside one Stratus-only
// endpoint that hands a stem cell its identity. A caller is known by its address
// (bindings.ts), so a container only ever sees its own session's events. Each
// endpoint is a file of its own under handlers/; this file routes to them and hands
// every error to the one renderer (errors.ts).
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { type Logger, runtimeApi } from "@stratus/shared";
import { Bindings, callerIp } from "./bindings.js";
import type { RuntimeApiEndpoint } from "./endpoint.js";
import { renderError, runtimeApiErrors } from "./errors.js";
import { initError } from "./handlers/init-error.js";
import { invocationError } from "./handlers/invocation-error.js";
import { invocationNext } from "./handlers/invocation-next.js";
import { invocationResponse } from "./handlers/invocation-response.js";
import { specialise } from "./handlers/specialise.js";
import { pathOf, Router } from "./router.js";
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

export interface RuntimeApiOptions {
  /** How long a stem cell's identity poll is held before it is answered 204 (default 60 s). */
  specialisePollMs?: number;
}

/** A request id in a path, as Lambda's runtime clients send them. */
const REQUEST_ID_SEGMENT = /^[A-Za-z0-9-]{1,64}$/;

export async function startRuntimeApiServer(
  host: string,
  log: Logger,
  options: RuntimeApiOptions = {},
): Promise<RuntimeApiServer> {
  const bindings = new Bindings();
  const router = new Router<RuntimeApiEndpoint>({ requestId: REQUEST_ID_SEGMENT })
    .mount(runtimeApi.prefix, [invocationNext, invocationResponse, invocationError, initError])
    .mount(runtimeApi.stratusPrefix, [
      specialise((ip, gate) => bindings.unbindStem(ip, gate), options.specialisePollMs ?? 60_000),
    ]);

  /** Finds the caller's binding for `endpoint` (no endpoint: the path is unknown to a container), then runs it. */
  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    endpoint: RuntimeApiEndpoint | undefined,
    requestId: string,
  ): Promise<void> {
    const ip = callerIp(req);
    if (endpoint?.caller === "stem-cell") {
      const gate = await bindings.stemOf(req, ip);
      if (!gate) throw runtimeApiErrors.forbidden("Not a stem cell");
      return endpoint.handle({ req, res, ip, bound: gate, requestId });
    }
    const session = await bindings.sessionOf(req, ip);
    if (!session) throw runtimeApiErrors.forbidden("Unknown container");
    if (!endpoint) throw runtimeApiErrors.notFound(`Unknown path ${pathOf(req.url).slice(0, 128)}`);
    return endpoint.handle({ req, res, ip, bound: session, requestId });
  }

  const server = http.createServer((req, res) => {
    const match = router.match(req.method, req.url ?? "");
    const requestId = match?.param ?? "";
    handle(req, res, match?.endpoint, requestId).catch((err: unknown) => renderError(res, err, log, requestId));
  });
  server.on("connection", (socket: Socket) => bindings.opened(socket));
  // /next is a long poll and runtimes hold keep-alive sockets while handlers run.
  server.keepAliveTimeout = 0;
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as { port: number }).port;

  return {
    address: `${host}:${port}`,
    bind: (ip, session, since) => bindings.bind(ip, session, since),
    unbind: (ip, session) => bindings.unbind(ip, session),
    bindStem: (ip, gate, since) => bindings.bindStem(ip, gate, since),
    unbindStem: (ip, gate) => bindings.unbindStem(ip, gate),
    expectContainer: () => bindings.expectContainer(),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
