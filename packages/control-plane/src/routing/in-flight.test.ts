import { Readable } from "node:stream";
import type { InvokeSpec } from "@stratus/shared";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NodeSilentError, watchInFlight } from "./in-flight.js";
import type { InvokerClient } from "./invoker-client.js";
import type { LiveNode, NodeDirectory } from "./node-directory.js";

const spec = { timeoutSeconds: 120 } as InvokeSpec;
const call = { requestId: "00000000-0000-4000-8000-000000000000", payload: Buffer.from("{}") };
const node = (id: string): LiveNode => ({
  id,
  url: `http://${id}.invalid`,
  capacityMb: 1024,
  draining: false,
  heartbeatAt: 0,
});
const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

/** A node's requests hang until finished by the test, or abandoned through their signal. */
function hangingClient() {
  const finishers: (() => void)[] = [];
  const client: InvokerClient = {
    invoke: (_node, _spec, c) =>
      new Promise((resolve, reject) => {
        finishers.push(() => resolve({ payload: Buffer.from("1") }));
        c.signal?.addEventListener("abort", () => reject(c.signal?.reason));
      }),
    invokeStream: (_node, _spec, c) =>
      new Promise((resolve, reject) => {
        finishers.push(() => resolve({ mode: "buffered", outcome: { payload: Buffer.from("1") } }));
        c.signal?.addEventListener("abort", () => reject(c.signal?.reason));
      }),
    close: async () => undefined,
  };
  return {
    client,
    finishAll: () => {
      for (const finish of finishers) finish();
    },
  };
}

/** Heartbeats by node: a number (epoch ms), "fresh" (now, at every read), missing, or an unreadable registry. */
type Beat = number | "fresh" | undefined;
function directory(beats: Map<string, Beat>, broken = () => false): NodeDirectory {
  return {
    liveNodes: async () => [],
    async lastHeartbeats(ids) {
      if (broken()) throw new Error("Redis is away");
      return ids.map((id) => {
        const b = beats.get(id);
        return b === "fresh" ? Date.now() : b;
      });
    },
  };
}

/** Settles to the error, or "pending" while the request still runs. */
function outcome(p: Promise<unknown>) {
  let state: unknown = "pending";
  p.then(
    () => {
      state = "answered";
    },
    (err: unknown) => {
      state = err;
    },
  );
  return () => state;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("watchInFlight", () => {
  it("watches a streamed answer until its end, and breaks it off when the node goes silent meanwhile", async () => {
    const beats = new Map<string, Beat>([["frozen", "fresh"]]);
    const streaming: InvokerClient = {
      invoke: async () => {
        throw new Error("not called");
      },
      invokeStream: async (_node, _spec, c) => ({
        mode: "streaming",
        contentType: "text/plain",
        body: Readable.from([]),
        end: new Promise((_resolve, reject) => c.signal?.addEventListener("abort", () => reject(c.signal?.reason))),
      }),
      close: async () => undefined,
    };
    const watched = watchInFlight(streaming, directory(beats), { log });
    const answer = await watched.invokeStream(node("frozen"), spec, call);
    if (answer.mode !== "streaming") throw new Error("not streamed");
    const ended = outcome(answer.end);
    beats.set("frozen", Date.now());
    await vi.advanceTimersByTimeAsync(17_000);
    expect(ended()).toBeInstanceOf(NodeSilentError);
    await watched.close();
  });

  it("fails the requests in flight to a node whose heartbeat goes stale, naming the node, and only those", async () => {
    const beats = new Map<string, Beat>([
      ["frozen", "fresh"],
      ["alive", "fresh"],
    ]);
    const { client, finishAll } = hangingClient();
    const watched = watchInFlight(client, directory(beats), { log });
    const toFrozen = outcome(watched.invoke(node("frozen"), spec, call));
    const toAlive = outcome(watched.invoke(node("alive"), spec, call));
    await vi.advanceTimersByTimeAsync(5_000);
    beats.set("frozen", Date.now());
    await vi.advanceTimersByTimeAsync(5_000);
    expect(toFrozen()).toBe("pending");
    await vi.advanceTimersByTimeAsync(7_000);
    expect(toFrozen()).toBeInstanceOf(NodeSilentError);
    expect(toFrozen()).toMatchObject({ code: "ServiceException", status: 500, kind: "platform" });
    expect((toFrozen() as Error).message).toContain("Invoker node frozen is unreachable");
    expect(toAlive()).toBe("pending");
    finishAll();
    await vi.advanceTimersByTimeAsync(0);
    expect(toAlive()).toBe("answered");
    await watched.close();
  });

  it("lets back-to-back requests to a node share one signal, and gives requests after an abandonment a fresh one", async () => {
    const beats = new Map<string, Beat>([["n", "fresh"]]);
    const signals: (AbortSignal | undefined)[] = [];
    const answering: InvokerClient = {
      invoke: async (_node, _spec, c) => {
        signals.push(c.signal);
        return { payload: Buffer.from("1") };
      },
      invokeStream: async () => {
        throw new Error("not streamed here");
      },
      close: async () => undefined,
    };
    const watched = watchInFlight(answering, directory(beats), { log });
    await watched.invoke(node("n"), spec, call);
    await watched.invoke(node("n"), spec, call);
    expect(signals[0]).toBeDefined();
    expect(signals[1]).toBe(signals[0]);
    await watched.close();

    // A node that went silent under one request: the next request is not born abandoned.
    const { client } = hangingClient();
    const frozen = watchInFlight(client, directory(new Map<string, Beat>([["f", 0]])), { log });
    const first = outcome(frozen.invoke(node("f"), spec, call));
    await vi.advanceTimersByTimeAsync(17_000);
    expect(first()).toBeInstanceOf(NodeSilentError);
    const second = outcome(frozen.invoke(node("f"), spec, call));
    await vi.advanceTimersByTimeAsync(0);
    expect(second()).toBe("pending");
    await frozen.close();
  });

  it("gives a node missing from the registry (Redis emptied) a window to heartbeat again", async () => {
    const beats = new Map<string, Beat>([
      ["back", undefined],
      ["gone", undefined],
    ]);
    const { client } = hangingClient();
    const watched = watchInFlight(client, directory(beats), { log });
    const toBack = outcome(watched.invoke(node("back"), spec, call));
    const toGone = outcome(watched.invoke(node("gone"), spec, call));
    await vi.advanceTimersByTimeAsync(5_000);
    beats.set("back", "fresh");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(toBack()).toBe("pending");
    expect(toGone()).toBeInstanceOf(NodeSilentError);
    await watched.close();
  });

  it("fails nothing while the registry cannot be read, and counts silence only from when it can again", async () => {
    const beats = new Map<string, Beat>([
      ["n", 0],
      ["beats-again", 0],
    ]);
    let broken = true;
    const { client } = hangingClient();
    const watched = watchInFlight(
      client,
      directory(beats, () => broken),
      { log },
    );
    const request = outcome(watched.invoke(node("n"), spec, call));
    const other = outcome(watched.invoke(node("beats-again"), spec, call));
    await vi.advanceTimersByTimeAsync(30_000);
    expect(request()).toBe("pending");
    // Redis is back with the heartbeats it had before the outage, older than the window.
    broken = false;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(request()).toBe("pending");
    beats.set("beats-again", "fresh");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(request()).toBeInstanceOf(NodeSilentError);
    expect(other()).toBe("pending");
    await watched.close();
  });

  it("stops reading heartbeats once nothing is in flight", async () => {
    const reads = vi.fn(async (ids: string[]) => ids.map(() => Date.now()));
    const { client, finishAll } = hangingClient();
    const watched = watchInFlight(client, { liveNodes: async () => [], lastHeartbeats: reads }, { log });
    const request = watched.invoke(node("n"), spec, call);
    await vi.advanceTimersByTimeAsync(3_000);
    finishAll();
    await request;
    await vi.advanceTimersByTimeAsync(2_000);
    const after = reads.mock.calls.length;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reads.mock.calls.length).toBe(after);
    await watched.close();
  });
});
