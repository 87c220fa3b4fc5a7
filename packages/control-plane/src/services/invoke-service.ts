// Synchronous invocation: resolve the function version (an alias picks one by its
// weights), place the request on the node most likely to hold a warm container
// (rendezvous ranking), spill to the next node when one is full or refuses the
// connection (a dead node stays listed until its heartbeat goes stale), and return
// the function's result.
import { randomUUID } from "node:crypto";
import {
  errors,
  type InvokeOutcome,
  type InvokeSpec,
  noTracer,
  StratusError,
  type TraceContext,
  type Tracer,
} from "@stratus/shared";
import type { FunctionVersion } from "../domain.js";
import type { ConcurrencyLimiter } from "../routing/concurrency.js";
import {
  answerWithinMs,
  type InvokerClient,
  type NodeAnswer,
  type NodeCall,
  NodeUnreachableError,
} from "../routing/invoker-client.js";
import type { LiveNode, NodeDirectory } from "../routing/node-directory.js";
import { createRankingCache } from "../routing/placement.js";
import type { InvocationType, UsageRow } from "../store/usage-store.js";
import type { QuotaGuard } from "../usage/quota-guard.js";
import type { UsageMeter } from "../usage/usage-meter.js";
import { type AttemptOf, answeredRow, platformErrorRow } from "../usage/usage-row.js";
import type { AliasService } from "./alias-service.js";
import type { FunctionService } from "./function-service.js";
import { invokeSpecOf } from "./invoke-spec.js";
import { type CallTrace, type CallTraceInput, startCallTrace } from "./invoke-tracing.js";
import { type StreamedInvokeResult, wholeAsStream } from "./streamed-result.js";

export interface InvokeRequest {
  accountId: string;
  functionName: string;
  qualifier?: string;
  payload: Buffer;
  clientContext?: string;
  /** X-Amz-Log-Type: Tail */
  tail?: boolean;
  /**
   * The request id to run under (the function's context.awsRequestId). An async
   * invocation passes its own id, so that every attempt runs, and logs, under the id
   * its caller got with the 202, as in Lambda; a sync invoke gets a fresh one.
   */
  requestId?: string;
  /**
   * requestId is this call's alone (the Invoke endpoint made it for this one call): it
   * names the call's concurrency slot too. Otherwise the slot gets an id of its own.
   */
  ownRequestId?: boolean;
  /** Told how the call fares on its way to the nodes (an async attempt counts and bounds its invokes by it). */
  dispatch?: DispatchWatcher;
  /** Once aborted, the call goes to no node (an async attempt given up, whose job runs again). */
  signal?: AbortSignal;
  /** The trace the call arrives in and when its stages began (invoke-tracing.ts). */
  trace?: CallTraceInput;
  /**
   * Who writes the attempt's usage row: an async attempt takes it to commit with its
   * result. Otherwise (a sync invoke) the usage meter writes it once answered.
   */
  meter?: { invocationType: InvocationType; attempt: number; take(row: UsageRow): void };
}

/** Usage metering: the meter that writes sync invokes' rows, and the quota every invoke is checked against. */
export interface Metering {
  meter: Pick<UsageMeter, "record">;
  quota: Pick<QuotaGuard, "check" | "counted">;
}

/** What a caller learns of its call's way to the invoker nodes. */
export interface DispatchWatcher {
  /** The call is going to a node, which has `answerWithinMs` to answer (invoker-client.ts answerWithinMs). */
  sending(answerWithinMs: number): void;
  /**
   * A node took the call: the function may have run there, whatever comes back (an
   * answer, an error, or nothing). Not told of a throttle, of a node that refused the
   * call (full, or silent since it was placed) or could not be reached: none ran it.
   */
  taken(): void;
}

export interface InvokeResult extends InvokeOutcome {
  requestId: string;
  /** Base64 of the last 4 KB of the log, when asked for. */
  logResult?: string;
  executedVersion: string;
  /** The trace the call ran in, for the answer's X-Amzn-Trace-Id and traceparent. */
  trace: TraceContext;
}

export type { StreamedInvokeResult } from "./streamed-result.js";

export interface InvokeService {
  /** Checks that the function exists and could be invoked (DryRun). */
  resolve(accountId: string, functionName: string, qualifier?: string): Promise<FunctionVersion>;
  invokeSync(req: InvokeRequest): Promise<InvokeResult>;
  /**
   * Invokes taking the result as the function streams it (InvokeWithResponseStream,
   * function URLs in RESPONSE_STREAM mode). Throws as invokeSync does (throttles,
   * missing functions) before anything is streamed; a function that answers whole
   * comes back in mode "buffered", its payload the body's one chunk.
   */
  invokeStream(req: InvokeRequest): Promise<StreamedInvokeResult>;
}

/** invokeStream's slot, spec and nodes, from prepare(). */
interface Held {
  spec: InvokeSpec;
  ranked: readonly LiveNode[];
  requestId: string;
  executedVersion: string;
  trace: CallTrace;
  /** Whether a node took the call (so it may have run, and is metered whatever came back). */
  taken: boolean;
  /** Frees the call's concurrency slot; once, however often called. */
  release(): void;
}

export interface ConcurrencyRules {
  limiter: ConcurrencyLimiter;
  /** The function's reserved concurrency (null: none) and the account's unreserved pool size. */
  limitsFor(accountId: string, functionName: string): Promise<{ reserved: number | null; unreservedLimit: number }>;
}

/** A slot is held for the function's timeout plus this, then expires on its own. */
const LEASE_SLACK_MS = 30_000;

export function createInvokeService(
  functions: FunctionService,
  aliases: AliasService,
  nodes: NodeDirectory,
  invoker: InvokerClient,
  region: string,
  concurrency: ConcurrencyRules,
  tracer: Tracer = noTracer,
  metering?: Metering,
): InvokeService {
  // Specs are rebuilt only when the (cached) function version object changes, so
  // the invoker client can reuse their serialisation too.
  const specs = new WeakMap<FunctionVersion, Map<string, InvokeSpec>>();
  const rankNodes = createRankingCache<LiveNode>();
  function specFor(fn: FunctionVersion, qualifier: string | undefined): InvokeSpec {
    let byQualifier = specs.get(fn);
    if (!byQualifier) {
      byQualifier = new Map();
      specs.set(fn, byQualifier);
    }
    const hit = byQualifier.get(qualifier ?? "");
    if (hit) return hit;
    const built = invokeSpecOf(fn, qualifier, region);
    byQualifier.set(qualifier ?? "", built);
    return built;
  }

  return {
    resolve: async (accountId, name, qualifier) =>
      functions.get(accountId, name, await aliases.resolveVersion(accountId, name, qualifier)),
    async invokeSync(req) {
      const held = await prepare(req);
      let failure: unknown;
      try {
        const outcome = await place(held, req, (node, call) => invoker.invoke(node, held.spec, call));
        meter(held, req, (of) => answeredRow(of, outcome));
        return {
          ...outcome,
          requestId: held.requestId,
          executedVersion: held.executedVersion,
          trace: held.trace.context,
        };
      } catch (err) {
        failure = err;
        meterFailure(held, req, err);
        throw err;
      } finally {
        held.release();
        held.trace.end(failure);
      }
    },
    async invokeStream(req) {
      const held = await prepare(req);
      let answer: NodeAnswer;
      try {
        answer = await place(held, req, (node, call) => invoker.invokeStream(node, held.spec, call));
      } catch (err) {
        held.release();
        held.trace.end(err);
        meterFailure(held, req, err);
        throw err;
      }
      const { requestId, executedVersion } = held;
      const trace = held.trace.context;
      if (answer.mode === "streaming") {
        // The slot is held while the function streams: it is running until it has ended.
        const ended = () => {
          held.release();
          held.trace.end();
        };
        answer.end.then(ended, ended);
        answer.end.then(
          (end) => meter(held, req, (of) => answeredRow(of, end)),
          (err: unknown) => meterFailure(held, req, err),
        );
        return { requestId, executedVersion, trace, ...answer };
      }
      held.release();
      held.trace.end();
      meter(held, req, (of) => answeredRow(of, answer.outcome));
      return { requestId, executedVersion, trace, ...wholeAsStream(answer.outcome) };
    },
  };

  /** Hands the attempt's usage row to whoever writes it (InvokeRequest.meter), or to the sync meter. */
  function meter(held: Held, req: InvokeRequest, row: (of: AttemptOf) => UsageRow): void {
    if (!req.meter && !metering) return;
    const of: AttemptOf = {
      requestId: held.requestId,
      attempt: req.meter?.attempt ?? 1,
      spec: held.spec,
      qualifier: req.qualifier,
      invocationType: req.meter?.invocationType ?? "RequestResponse",
    };
    const made = row(of);
    metering?.quota.counted(made);
    if (req.meter) req.meter.take(made);
    else metering?.meter.record(made);
  }

  /** A node that took the call and then failed it (a platform error) meters an unbilled error; a throttle, nothing. */
  function meterFailure(held: Held, req: InvokeRequest, err: unknown): void {
    if (held.taken && !(err instanceof StratusError && err.status < 500)) meter(held, req, platformErrorRow);
  }

  /** The function version `req` names, the nodes to try in turn, and its concurrency slot, taken. */
  async function prepare(req: InvokeRequest): Promise<Held> {
    // Before anything else: an account over its monthly quota is refused as cheaply as can be.
    metering?.quota.check(req.accountId);
    const version = await aliases.resolveVersion(req.accountId, req.functionName, req.qualifier);
    const fn = await functions.get(req.accountId, req.functionName, version);
    if (fn.state !== "Active") {
      const why = fn.stateReason ? ` (${fn.stateReason.code}: ${fn.stateReason.message})` : "";
      throw errors.conflict(
        `The operation cannot be performed at this time. The function is currently in the following state: ${fn.state}${why}`,
      );
    }
    const requestId = req.requestId ?? randomUUID();
    const spec = specFor(fn, req.qualifier);
    const trace = startCallTrace(tracer, req.trace, fn);
    let ranked: readonly LiveNode[];
    let slot: Awaited<ReturnType<ConcurrencyLimiter["acquire"]>>;
    try {
      const [live, limits] = await Promise.all([nodes.liveNodes(), concurrency.limitsFor(fn.accountId, fn.name)]);
      ranked = rankNodes(live, `${fn.accountId}/${fn.name}/${fn.version}`);
      if (ranked.length === 0) throw errors.service("No invoker node is available");
      slot = await concurrency.limiter.acquire({
        accountId: fn.accountId,
        functionName: fn.name,
        qualifier: req.qualifier,
        // A slot per call, not per request id: an async invocation's attempts share its
        // request id, and a stale attempt may still hold a slot when the next one starts.
        requestId: req.requestId && !req.ownRequestId ? randomUUID() : requestId,
        leaseMs: fn.timeoutSeconds * 1000 + LEASE_SLACK_MS,
        ...limits,
      });
    } catch (err) {
      trace.end(err);
      throw err;
    }
    trace.placed();
    let released = false;
    return {
      spec,
      ranked,
      requestId,
      executedVersion: fn.version,
      trace,
      taken: false,
      release() {
        if (released) return;
        released = true;
        // Not awaited: the result need not wait for Redis. The release goes out on the
        // same connection ahead of any later acquire, so the slot is free for it.
        void concurrency.limiter.release(slot);
      },
    };
  }

  /** Sends the call to the ranked nodes in turn with `send`, spilling past a full or unreachable one. */
  async function place<T>(
    held: Held,
    req: InvokeRequest,
    send: (node: LiveNode, call: NodeCall) => Promise<T>,
  ): Promise<T> {
    const { ranked, spec, requestId, trace } = held;
    let lastError: StratusError | undefined;
    for (const node of ranked) {
      req.signal?.throwIfAborted();
      req.dispatch?.sending(answerWithinMs(spec));
      try {
        const answer = await trace.dispatch(node.id, (context) =>
          send(node, {
            requestId,
            clientContext: req.clientContext,
            payload: req.payload,
            tail: req.tail,
            trace: context,
          }),
        );
        held.taken = true;
        req.dispatch?.taken();
        return answer;
      } catch (err) {
        // Only a full node or one the request never reached is worth spilling over:
        // anything else may have run the function, and is the answer.
        const spill =
          err instanceof NodeUnreachableError ||
          (err instanceof StratusError && err.headers.Reason === "CapacityExceeded");
        if (!spill) {
          held.taken = true;
          req.dispatch?.taken();
          throw err;
        }
        lastError = err as StratusError;
      }
    }
    throw lastError ?? errors.service("No invoker node accepted the invocation");
  }
}
