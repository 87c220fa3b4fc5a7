import { errors } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import type { FunctionVersion } from "../domain.js";
import { throttled } from "../routing/concurrency.js";
import { type InvokerClient, NodeUnreachableError } from "../routing/invoker-client.js";
import type { LiveNode } from "../routing/node-directory.js";
import { rankNodes } from "../routing/placement.js";
import type { AliasService } from "./alias-service.js";
import type { FunctionService } from "./function-service.js";
import { createInvokeService } from "./invoke-service.js";

const fn = {
  accountId: "123456789012",
  name: "f",
  version: "$LATEST",
  runtime: "nodejs20.x",
  handler: "index.handler",
  memoryMb: 128,
  timeoutSeconds: 3,
  ephemeralStorageMb: 512,
  environment: {},
  codeSha256Hex: "00",
  layers: [] as FunctionVersion["layers"],
  tracingMode: "PassThrough" as const,
  logging: { logFormat: "Text" },
  revisionId: "r",
  state: "Active",
} as FunctionVersion;
/** These tests invoke whole; the streamed path has its own (invoke-stream.test.ts). */
const notStreamed = async (): Promise<never> => {
  throw new Error("not streamed here");
};
const nodes: LiveNode[] = ["a", "b", "c"].map((id) => ({
  heartbeatAt: 0,
  id,
  url: `http://${id}.invalid`,
  capacityMb: 1024,
  draining: false,
}));
// The order placement tries them in for this function.
const ranked = rankNodes(nodes, `${fn.accountId}/${fn.name}/${fn.version}`).map((n) => n.id);

/** An invoke service over fakes; `first` is how the first-ranked node answers, `others` how the rest do. */
function serviceWith(first: Error, others?: Error) {
  const tried: string[] = [];
  const invoker: InvokerClient = {
    async invoke(node) {
      tried.push(node.id);
      if (node.id === ranked[0]) throw first;
      if (others) throw others;
      return { payload: Buffer.from(JSON.stringify(node.id)) };
    },
    invokeStream: notStreamed,
    close: async () => undefined,
  };
  const service = createInvokeService(
    { get: async () => fn } as unknown as FunctionService,
    { resolveVersion: async () => "$LATEST" } as unknown as AliasService,
    { liveNodes: async () => nodes, lastHeartbeats: async (ids) => ids.map(() => Date.now()) },
    invoker,
    "us-east-1",
    {
      limiter: { acquire: async () => ({}) as never, release: async () => undefined },
      limitsFor: async () => ({ reserved: null, unreservedLimit: 1000 }),
    },
  );
  let taken = 0;
  const sending: number[] = [];
  const invoke = (signal?: AbortSignal) =>
    service.invokeSync({
      accountId: fn.accountId,
      functionName: fn.name,
      payload: Buffer.from("{}"),
      dispatch: {
        sending: (ms) => {
          sending.push(ms);
        },
        taken: () => {
          taken++;
        },
      },
      ...(signal ? { signal } : {}),
    });
  return { invoke, tried, taken: () => taken, sending };
}

describe("sync placement when the first node fails", () => {
  it.each([
    ["is full", errors.capacity("full")],
    ["refuses the connection", new NodeUnreachableError("x", "connect ECONNREFUSED")],
  ])("moves on to the next node when it %s", async (_, error) => {
    const { invoke, tried } = serviceWith(error);
    const out = await invoke();
    expect(JSON.parse(out.payload.toString())).toBe(ranked[1]);
    expect(tried).toEqual(ranked.slice(0, 2));
  });

  it("answers with the error, and tries no other node, when it died mid-request", async () => {
    const { invoke, tried } = serviceWith(
      errors.service("Invoker node x failed during the request: other side closed"),
    );
    await expect(invoke()).rejects.toMatchObject({ code: "ServiceException", status: 500 });
    expect(tried).toEqual(ranked.slice(0, 1));
  });
});

describe("telling the caller which node took the call", () => {
  const full = errors.capacity("full");
  const unreachable = new NodeUnreachableError("x", "connect ECONNREFUSED");
  const died = errors.service("Invoker node x failed during the request: other side closed");
  it.each<[string, Error, Error | undefined, number, boolean]>([
    ["the first node is full, the next one answers", full, undefined, 1, true],
    ["the first node is unreachable, the next one answers", unreachable, undefined, 1, true],
    ["the node dies mid-request (the function may have run)", died, undefined, 1, false],
    ["every node is full: none took it", full, full, 0, false],
    ["every node is unreachable: none took it", unreachable, unreachable, 0, false],
  ])("%s: taken %s time(s)", async (_, first, others, times, answered) => {
    const { invoke, taken, tried, sending } = serviceWith(first, others);
    if (answered) await invoke();
    else await expect(invoke()).rejects.toBeDefined();
    expect(taken()).toBe(times);
    // Told of every node tried, with the time it has to answer: the function's 3 s and 30 s of slack.
    expect(sending).toEqual(tried.map(() => 33_000));
  });

  it("sends a call whose signal was aborted to no node", async () => {
    const { invoke, tried, sending } = serviceWith(new Error("unused"));
    const given = new AbortController();
    given.abort(new Error("given up"));
    await expect(invoke(given.signal)).rejects.toThrow("given up");
    expect(tried).toEqual([]);
    expect(sending).toEqual([]);
  });

  it("is never told of a call throttled before it went to a node", async () => {
    let told = 0;
    const service = createInvokeService(
      { get: async () => fn } as unknown as FunctionService,
      { resolveVersion: async () => "$LATEST" } as unknown as AliasService,
      { liveNodes: async () => nodes, lastHeartbeats: async (ids) => ids.map(() => Date.now()) },
      { invoke: async () => ({ payload: Buffer.from("1") }), invokeStream: notStreamed, close: async () => undefined },
      "us-east-1",
      {
        limiter: {
          acquire: async () => {
            throw throttled("ConcurrentInvocationLimitExceeded");
          },
          release: async () => undefined,
        },
        limitsFor: async () => ({ reserved: null, unreservedLimit: 1000 }),
      },
    );
    const call = service.invokeSync({
      accountId: fn.accountId,
      functionName: fn.name,
      payload: Buffer.from("{}"),
      dispatch: {
        sending: () => {
          told++;
        },
        taken: () => {
          told++;
        },
      },
    });
    await expect(call).rejects.toMatchObject({ code: "TooManyRequestsException" });
    expect(told).toBe(0);
  });
});

describe("request ids", () => {
  /** A service over one node that records the request id each call is sent with, and each slot's. */
  function recording() {
    const sent: string[] = [];
    const slots: string[] = [];
    const service = createInvokeService(
      { get: async () => fn } as unknown as FunctionService,
      { resolveVersion: async () => "$LATEST" } as unknown as AliasService,
      { liveNodes: async () => nodes, lastHeartbeats: async (ids) => ids.map(() => Date.now()) },
      {
        async invoke(_node, _spec, call) {
          sent.push(call.requestId);
          return { payload: Buffer.from("1") };
        },
        invokeStream: notStreamed,
        close: async () => undefined,
      },
      "us-east-1",
      {
        limiter: {
          acquire: async (req) => {
            slots.push(req.requestId);
            return {} as never;
          },
          release: async () => undefined,
        },
        limitsFor: async () => ({ reserved: null, unreservedLimit: 1000 }),
      },
    );
    return { service, sent, slots };
  }
  const requestId = "11111111-2222-4333-8444-555555555555";
  const call = { accountId: fn.accountId, functionName: fn.name, payload: Buffer.from("{}"), requestId };

  it("runs under the request id it is given (an async attempt), holding a concurrency slot of its own", async () => {
    const { service, sent, slots } = recording();
    const results = [await service.invokeSync(call), await service.invokeSync(call)];
    expect(results.map((r) => r.requestId)).toEqual([requestId, requestId]);
    expect(sent).toEqual([requestId, requestId]);
    // Two attempts of one invocation may overlap (a takeover): each counts as its own slot.
    expect(new Set(slots).size).toBe(2);
    expect(slots).not.toContain(requestId);
  });

  it("names the slot by the request id when the id is the call's own (the Invoke endpoint made it)", async () => {
    const { service, sent, slots } = recording();
    const result = await service.invokeSync({ ...call, ownRequestId: true });
    expect(result.requestId).toBe(requestId);
    expect(sent).toEqual([requestId]);
    expect(slots).toEqual([requestId]);
  });
});
