// Calls an invoker node over the internal invoke protocol (@stratus/shared
// internal-invoke.ts) with keep-alive connections (undici). A node that dies
// mid-request becomes a ServiceException; one that refuses the connection becomes a
// NodeUnreachableError (a ServiceException the request never reached, so the caller
// may try the next node, as it does when a full node answers 429 with Reason
// CapacityExceeded). A request abandoned through its signal (in-flight.ts) throws
// the signal's reason.
import {
  errors,
  formatXrayHeader,
  type InvokeCall,
  type InvokeOutcome,
  type InvokeSpec,
  internalInvoke,
  parseRestJson1Error,
  StratusError,
} from "@stratus/shared";
import { Agent } from "undici";
import { type Exchanged, type ExchangeError, exchange } from "./http-exchange.js";
import type { LiveNode } from "./node-directory.js";
import { streamExchange } from "./stream-exchange.js";
import { bufferedOutcome, type NodeAnswer, readNodeAnswer } from "./stream-invoke.js";

export type { NodeAnswer, StreamEnd } from "./stream-invoke.js";

export type NodeCall = InvokeCall & { tail?: boolean; signal?: AbortSignal };

export interface InvokerClient {
  /** `call.signal` abandons the request; its reason, if a StratusError, is what the call then throws. */
  invoke(node: LiveNode, spec: InvokeSpec, call: NodeCall): Promise<InvokeOutcome & { logResult?: string }>;
  /**
   * As invoke, taking a streamed result as it comes (stream-invoke.ts); throws as
   * invoke does until the answer begins, after which a failure ends the stream.
   */
  invokeStream(node: LiveNode, spec: InvokeSpec, call: NodeCall): Promise<NodeAnswer>;
  close(): Promise<void>;
}

/** Time allowed beyond the function's own timeout for the node to answer. */
const SLACK_MS = 30_000;

/** How long a node has to answer a call of `spec` (to send its headers, and then between body chunks). */
export function answerWithinMs(spec: Pick<InvokeSpec, "timeoutSeconds">): number {
  return spec.timeoutSeconds * 1000 + SLACK_MS;
}

/** Connection errors that prove the request never reached the node. */
const NOT_SENT = new Set(["ECONNREFUSED", "UND_ERR_CONNECT_TIMEOUT", "EHOSTUNREACH", "ENETUNREACH"]);

/** The node could not be connected to (e.g. its process is gone): nothing ran there. */
export class NodeUnreachableError extends StratusError {
  constructor(nodeId: string, cause: string) {
    super("ServiceException", 500, "platform", `Invoker node ${nodeId} could not be reached: ${cause}`);
  }
}

/** Throws why the request was abandoned, when it was abandoned with a reason of ours. */
function abandoned(signal: AbortSignal | undefined): void {
  if (signal?.aborted && signal.reason instanceof StratusError) throw signal.reason;
}

export function createInvokerClient(internalToken: string): InvokerClient {
  const agent = new Agent({ keepAliveTimeout: 60_000, connections: 256, pipelining: 1 });
  // Each node's origin and invoke path, parsed once: handing undici an origin and a
  // path, rather than a URL to parse, saves a quarter of a keep-alive round trip here.
  const targets = new Map<string, { origin: string; path: string }>();
  const targetOf = (url: string) => {
    let t = targets.get(url);
    if (!t) {
      const u = new URL(url);
      t = { origin: u.origin, path: u.pathname.replace(/\/+$/, "") + internalInvoke.path };
      if (targets.size >= 10_000) targets.clear();
      targets.set(url, t);
    }
    return t;
  };
  const serialised = new WeakMap<InvokeSpec, string>();
  const specHeader = (spec: InvokeSpec): string => {
    let text = serialised.get(spec);
    if (text === undefined) {
      text = JSON.stringify(spec);
      serialised.set(spec, text);
    }
    return text;
  };
  const requestOf = (node: LiveNode, spec: InvokeSpec, call: NodeCall, streamed: boolean) => {
    const timeout = answerWithinMs(spec);
    const target = targetOf(node.url);
    const headers: Record<string, string> = {
      [internalInvoke.specHeader]: specHeader(spec),
      [internalInvoke.requestIdHeader]: call.requestId,
      [internalInvoke.tokenHeader]: internalToken,
      [internalInvoke.placedOnHeartbeatHeader]: String(node.heartbeatAt),
      "content-type": "application/octet-stream",
    };
    if (call.clientContext) headers[internalInvoke.clientContextHeader] = call.clientContext;
    if (call.trace) headers[internalInvoke.traceHeader] = formatXrayHeader(call.trace);
    if (call.tail) headers[internalInvoke.logTypeHeader] = "Tail";
    if (streamed) headers[internalInvoke.acceptStreamHeader] = "1";
    return {
      origin: target.origin,
      path: target.path,
      method: "POST" as const,
      headers,
      body: call.payload,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    };
  };
  /** The error a failed exchange with `node` is. */
  const failed = (node: LiveNode, call: NodeCall, err: unknown): StratusError => {
    abandoned(call.signal);
    const { code, message, answerBegun } = err as ExchangeError;
    if (answerBegun) return errors.service(`Invoker node ${node.id} failed mid-response: ${message}`);
    if (code && NOT_SENT.has(code)) return new NodeUnreachableError(node.id, message);
    return errors.service(`Invoker node ${node.id} failed during the request: ${message}`);
  };
  return {
    async invoke(node, spec, call) {
      let res: Exchanged;
      try {
        res = await exchange(agent, requestOf(node, spec, call, false), call.signal);
      } catch (err) {
        throw failed(node, call, err);
      }
      if (res.statusCode === 200) return bufferedOutcome(res.headers, res.body);
      throw parseRestJson1Error(res, `Invoker node ${node.id} answered ${res.statusCode}`);
    },
    async invokeStream(node, spec, call) {
      try {
        const res = await streamExchange(agent, requestOf(node, spec, call, true), call.signal);
        return await readNodeAnswer(res, node.id, (err) => failed(node, call, err));
      } catch (err) {
        throw err instanceof StratusError ? err : failed(node, call, err);
      }
    },
    close: () => agent.close(),
  };
}
