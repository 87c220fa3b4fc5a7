// Fails requests in flight to an invoker node that has gone silent. A frozen or
// cut-off node (SIGSTOP, a hung host, a network partition) keeps its connections
// open and answers nothing, so without this a caller would wait out the function's
// whole timeout. While requests are in flight, the nodes they went to are looked up
// in the heartbeat registry every check; a node whose last heartbeat is older than
// the staleness window (the one after which placement drops it), or that has been
// missing from the registry that long, has its requests aborted with a
// ServiceException naming it. Silence is counted only while the registry could be
// read: when Redis comes back from an outage, nodes had no way to heartbeat either. Such a request may have run, so it is not retried on
// another node; an async attempt failed this way is a platform error, retried
// without spending an attempt.
import { setMaxListeners } from "node:events";
import type { Logger } from "@stratus/shared";
import { nodeRegistry, StratusError } from "@stratus/shared";
import type { InvokerClient } from "./invoker-client.js";
import type { NodeDirectory } from "./node-directory.js";

/** The node stopped heartbeating while a request to it was in flight. */
export class NodeSilentError extends StratusError {
  constructor(nodeId: string, silentMs: number) {
    super(
      "ServiceException",
      500,
      "platform",
      `Invoker node ${nodeId} is unreachable: no heartbeat for ${Math.round(silentMs / 1000)} s. ` +
        "The invocation was abandoned; whether the function ran is unknown",
    );
  }
}

interface Watched {
  /**
   * Abandons every request in flight to the node at once (they share its signal: one
   * controller per call costs). Kept between requests until the next check, so that
   * back-to-back calls to a node do not each make one.
   */
  abandon: AbortController;
  /** How many requests are in flight to it (0: none since the last check). */
  requests: number;
  /** When the first of these requests was sent: the node looked alive then. */
  since: number;
  /** When the node was first found missing from the registry (it has no heartbeat to go by). */
  missingSince?: number;
}

export interface InFlightOptions {
  checkMs?: number;
  staleAfterMs?: number;
  now?: () => number;
  log: Pick<Logger, "warn">;
}

/** `client`, with every request to a node that goes silent failed with NodeSilentError. */
export function watchInFlight(client: InvokerClient, nodes: NodeDirectory, opts: InFlightOptions): InvokerClient {
  const { checkMs = 1_000, staleAfterMs = nodeRegistry.staleAfterMs, now = Date.now, log } = opts;
  const watched = new Map<string, Watched>();
  let timer: NodeJS.Timeout | undefined;
  let checking = false;
  /** Since when the registry has been readable without a break (undefined: it is not now). */
  let readableSince: number | undefined = now();

  async function check(): Promise<void> {
    if (checking) return;
    checking = true;
    try {
      for (const [id, w] of watched) if (w.requests === 0) watched.delete(id);
      const ids = [...watched.keys()];
      const beats = await nodes.lastHeartbeats(ids);
      const at = now();
      readableSince ??= at;
      const since = readableSince;
      ids.forEach((id, i) => {
        const w = watched.get(id);
        if (!w) return;
        const beat = beats[i];
        // Missing (Redis emptied, or the node just withdrew): wait a window for it to beat again.
        if (beat === undefined) w.missingSince ??= at;
        else w.missingSince = undefined;
        const silentMs = at - Math.max(beat ?? (w.missingSince as number), since, w.since);
        if (silentMs <= staleAfterMs) return;
        watched.delete(id);
        log.warn(`invoker node ${id} silent for ${silentMs} ms: failing its ${w.requests} request(s) in flight`);
        w.abandon.abort(new NodeSilentError(id, silentMs));
      });
    } catch (err) {
      // The registry cannot be read: no node can be judged silent now.
      readableSince = undefined;
      log.warn(`could not read node heartbeats: ${(err as Error).message}`);
    } finally {
      checking = false;
      if (watched.size === 0 && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    }
  }

  function track(nodeId: string): { signal: AbortSignal; done: () => void } {
    let w = watched.get(nodeId);
    if (!w) {
      w = { abandon: new AbortController(), requests: 0, since: now() };
      // Every request in flight to the node listens on this one signal.
      setMaxListeners(0, w.abandon.signal);
      watched.set(nodeId, w);
    } else if (w.requests === 0) {
      // Idle since its last request: its silence counts from this one.
      w.since = now();
      w.missingSince = undefined;
    }
    w.requests++;
    if (!timer) {
      timer = setInterval(() => void check(), checkMs);
      timer.unref();
    }
    const entry = w;
    let finished = false;
    return {
      signal: entry.abandon.signal,
      done() {
        if (finished) return;
        finished = true;
        entry.requests--;
      },
    };
  }

  return {
    async invoke(node, spec, call) {
      const { signal, done } = track(node.id);
      try {
        return await client.invoke(node, spec, { ...call, signal });
      } finally {
        done();
      }
    },
    async invokeStream(node, spec, call) {
      const { signal, done } = track(node.id);
      try {
        const answer = await client.invokeStream(node, spec, { ...call, signal });
        // A stream is in flight until it has ended: a node silent meanwhile breaks it off.
        if (answer.mode === "streaming") answer.end.then(done, done);
        else done();
        return answer;
      } catch (err) {
        done();
        throw err;
      }
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await client.close();
    },
  };
}
