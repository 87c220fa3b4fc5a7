// The invoker's internal HTTP API: POST /internal/v1/invoke (the internal invoke
// protocol, @stratus/shared internal-invoke.ts), POST the image pull, PUT the
// provisioned sets (provisioned.ts), GET /healthz, GET /metrics.
// Plain node:http: this is the hot path of every sync invoke. Its errors are answered
// in one place (fail), as restJson1, and its log lines name the call's request id.

import { timingSafeEqual } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import {
  errors,
  formatRunUsage,
  ImageProblem,
  type InvokeSpec,
  InvokeSpecSchema,
  imagePull,
  internalInvoke,
  type Logger,
  limits,
  newTraceId,
  type ProvisionedReport,
  type ProvisionedState,
  parseImageRef,
  parseLocalImageRef,
  parseXrayHeader,
  provisionedSets,
  REQUEST_ID,
  readBody,
  StratusError,
  sendRestJson1Error,
  type TraceContext,
} from "@stratus/shared";
import type { Registry } from "prom-client";
import type { ContainerPool } from "../pool/container-pool.js";
import { MAX_STATE_BYTES, parseDesiredState } from "../provisioned/desired-state.js";
import { collectStream, sendStream } from "./streamed-answer.js";

export interface InternalServerDeps {
  pool: ContainerPool;
  /** Where the control plane's desired provisioned sets go (provisioned/provisioner.ts). */
  provisioner: { apply(state: ProvisionedState): ProvisionedReport };
  registry: Registry;
  internalToken: string;
  isDraining: () => boolean;
  /** Whether the node has been silent since heartbeat `beat` (heartbeat.ts silentSince). */
  silentSince: (beat: number) => boolean;
  log: Pick<Logger, "error" | "debug" | "isLevelEnabled">;
}

/** The call's trace from its header; a caller that sent none (or a bad one) gets an unsampled trace of its own. */
function callTrace(header: string | string[] | undefined): TraceContext {
  const t = typeof header === "string" ? parseXrayHeader(header) : undefined;
  return t ? { ...t, sampled: t.sampled ?? false } : { traceId: newTraceId(), sampled: false };
}

export function createInternalServer(deps: InternalServerDeps): http.Server {
  const token = Buffer.from(deps.internalToken);
  // A draining node closes each connection after its response: the server's close()
  // waits for open connections, and a keep-alive one would hold it for its idle timeout.
  const closing = (): Record<string, string> => (deps.isDraining() ? { connection: "close" } : {});
  // The spec header is identical for every call of a function version: validate once.
  const specs = new Map<string, InvokeSpec>();
  const parseSpec = (header: string): InvokeSpec => {
    const hit = specs.get(header);
    if (hit) return hit;
    let raw: unknown;
    try {
      raw = JSON.parse(header);
    } catch {
      throw errors.invalidRequestContent("Invoke spec header is not JSON");
    }
    const parsed = InvokeSpecSchema.safeParse(raw);
    if (!parsed.success) throw errors.invalidRequestContent(`Invalid invoke spec: ${parsed.error.issues[0]?.message}`);
    if (specs.size >= 10_000) specs.clear();
    specs.set(header, parsed.data);
    return parsed.data;
  };

  function checkToken(req: IncomingMessage): void {
    const given = Buffer.from(String(req.headers[internalInvoke.tokenHeader] ?? ""));
    if (given.length !== token.length || !timingSafeEqual(given, token)) {
      throw errors.unrecognizedClient("Invalid internal token");
    }
  }

  /** `requestId`: as the caller's header gives it, checked once the call is known to be the control plane's. */
  async function invoke(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const startedAt = performance.now();
    checkToken(req);
    if (deps.isDraining()) throw errors.capacity("Node is draining");
    const spec = parseSpec(String(req.headers[internalInvoke.specHeader] ?? ""));
    if (!REQUEST_ID.test(requestId)) throw errors.invalidRequestContent("Invalid request id");
    // Placed before a silence of this node (it is waking from a freeze, say): its
    // caller may have given it up and run it elsewhere. Refused as a full node
    // refuses, so that nothing runs and the caller (if still there) tries another.
    const placedOn = Number(req.headers[internalInvoke.placedOnHeartbeatHeader] ?? Number.NaN);
    const givenUp = () => Number.isFinite(placedOn) && deps.silentSince(placedOn);
    if (givenUp()) throw errors.capacity("Node was silent since the call was placed; not starting it");
    const clientContext = req.headers[internalInvoke.clientContextHeader];
    const payload = await readBody(req, limits.syncPayloadBytes);
    const call = {
      requestId,
      clientContext: typeof clientContext === "string" ? clientContext : undefined,
      trace: callTrace(req.headers[internalInvoke.traceHeader]),
      payload,
    };
    let outcome = await deps.pool.invoke(spec, call, {
      tail: req.headers[internalInvoke.logTypeHeader] === "Tail",
      givenUp,
    });
    if (outcome.stream) {
      if (req.headers[internalInvoke.acceptStreamHeader] === "1") {
        const done = await sendStream(res, outcome.stream, closing());
        return served(requestId, spec, done.functionError, startedAt);
      }
      outcome = await collectStream(outcome.stream);
    }
    const headers: Record<string, string | number> = {
      ...closing(),
      "content-type": "application/json",
      "content-length": outcome.payload.length,
    };
    // The control plane does not read it, and every header costs a parse on its side.
    res.sendDate = false;
    if (outcome.functionError) headers[internalInvoke.functionErrorHeader] = outcome.functionError;
    if (outcome.logResult !== undefined) headers[internalInvoke.logResultHeader] = outcome.logResult;
    if (outcome.usage) headers[internalInvoke.usageHeader] = formatRunUsage(outcome.usage);
    res.writeHead(200, headers);
    res.end(outcome.payload);
    served(requestId, spec, outcome.functionError, startedAt);
  }

  /** Pulls an image the control plane is about to make Active (imagePull in shared); its problems are named for Lambda. */
  async function pull(req: IncomingMessage, res: ServerResponse): Promise<void> {
    checkToken(req);
    const body = await readBody(req, 16 * 1024);
    let image: unknown;
    try {
      image = (JSON.parse(body.toString("utf8")) as { image?: unknown }).image;
    } catch {
      throw errors.invalidRequestContent("Pull request is not JSON");
    }
    const local = typeof image === "string" && parseLocalImageRef(image) !== undefined;
    if (typeof image !== "string" || (!local && parseImageRef(image)?.digest === undefined)) {
      throw errors.invalidRequestContent("Pull request must name a registry image by digest, or a local image");
    }
    let info: Awaited<ReturnType<typeof deps.pool.pullImage>>;
    try {
      info = await deps.pool.pullImage(image);
    } catch (err) {
      if (err instanceof ImageProblem) throw new StratusError(err.code, 400, "client", err.message);
      throw err;
    }
    res.writeHead(200, { ...closing(), "content-type": "application/json" });
    // A local image: its ID on this node, which the control plane pins the version to.
    res.end(JSON.stringify(local ? { id: info.id, sizeBytes: info.sizeBytes, architecture: info.architecture } : {}));
  }

  /** Takes the control plane's whole desired state of provisioned sets; answers how many of each are ready. */
  async function provision(req: IncomingMessage, res: ServerResponse): Promise<void> {
    checkToken(req);
    const state = parseDesiredState(await readBody(req, MAX_STATE_BYTES));
    const report = deps.provisioner.apply(state);
    res.writeHead(200, { ...closing(), "content-type": "application/json" });
    res.end(JSON.stringify(report));
  }

  function served(requestId: string, spec: InvokeSpec, functionError: string | undefined, startedAt: number): void {
    if (!deps.log.isLevelEnabled("debug")) return;
    deps.log.debug("invocation served", {
      requestId,
      function: spec.functionName,
      version: spec.version,
      functionError,
      durationMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
    });
  }

  /** The one place this API's errors are answered; one not ours to name is logged, and told as ServiceException. */
  function fail(res: ServerResponse, err: unknown, requestId: string | undefined): void {
    if (!(err instanceof StratusError)) deps.log.error("invoker request failed", { requestId, err });
    else if (deps.log.isLevelEnabled("debug")) {
      deps.log.debug("invoker request refused", { requestId, code: err.code, status: err.status, reason: err.message });
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendRestJson1Error(res, err instanceof StratusError ? err : errors.service("Invoker error"), closing());
  }

  const server = http.createServer((req, res) => {
    const url = req.url ?? "";
    if (req.method === "POST" && url === internalInvoke.path) {
      const requestId = String(req.headers[internalInvoke.requestIdHeader] ?? "");
      invoke(req, res, requestId).catch((err: unknown) => fail(res, err, requestId));
      return;
    }
    let work: Promise<void>;
    if (req.method === "POST" && url === imagePull.path) {
      work = pull(req, res);
    } else if (req.method === "PUT" && url === provisionedSets.path) {
      work = provision(req, res);
    } else if (req.method === "GET" && url === "/healthz") {
      res.writeHead(deps.isDraining() ? 503 : 200, { ...closing(), "content-type": "application/json" });
      work = Promise.resolve(void res.end(JSON.stringify({ ok: !deps.isDraining() })));
    } else if (req.method === "GET" && url === "/metrics") {
      work = deps.registry.metrics().then((text) => {
        res.writeHead(200, { ...closing(), "content-type": deps.registry.contentType });
        res.end(text);
      });
    } else work = Promise.reject(errors.unknownOperation(`Unknown path ${url.slice(0, 128)}`));
    work.catch((err: unknown) => fail(res, err, undefined));
  });
  server.keepAliveTimeout = 65_000;
  return server;
}
