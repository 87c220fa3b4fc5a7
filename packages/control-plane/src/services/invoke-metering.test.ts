// How the invoke service meters: a sync invoke's row goes to the usage meter, an
// async attempt's to its caller (InvokeRequest.meter); a node's platform error after it
// took the call is an unbilled error row; a throttle or a refused quota meters nothing.
import { errors, type InvokeOutcome, noTracer } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import type { FunctionVersion } from "../domain.js";
import { throttled } from "../routing/concurrency.js";
import type { InvokerClient } from "../routing/invoker-client.js";
import type { UsageRow } from "../store/usage-store.js";
import type { AliasService } from "./alias-service.js";
import type { FunctionService } from "./function-service.js";
import { createInvokeService, type InvokeRequest } from "./invoke-service.js";

const fn = {
  accountId: "123456789012",
  name: "f",
  version: "7",
  runtime: "nodejs20.x",
  handler: "index.handler",
  memoryMb: 512,
  timeoutSeconds: 3,
  ephemeralStorageMb: 512,
  environment: {},
  codeSha256Hex: "00",
  layers: [] as FunctionVersion["layers"],
  revisionId: "r",
  state: "Active",
  tracingMode: "PassThrough",
  logging: { logFormat: "Text" },
} as FunctionVersion;

const used = {
  outcome: "timeout",
  durationMs: 3000.4,
  initMs: 120.2,
  billedMs: 3121,
  memoryMb: 512,
  cold: true,
} as const;

function serviceWith(answer: () => Promise<InvokeOutcome>, opts: { throttle?: boolean; overQuota?: boolean } = {}) {
  const recorded: UsageRow[] = [];
  const counted: UsageRow[] = [];
  const invoker: InvokerClient = {
    invoke: answer,
    invokeStream: async () => ({ mode: "buffered", outcome: await answer() }),
    close: async () => undefined,
  };
  const service = createInvokeService(
    { get: async () => fn } as unknown as FunctionService,
    { resolveVersion: async () => "7" } as unknown as AliasService,
    {
      liveNodes: async () => [{ heartbeatAt: 0, id: "n", url: "http://n.invalid", capacityMb: 1024, draining: false }],
      lastHeartbeats: async (ids) => ids.map(() => Date.now()),
    },
    invoker,
    "us-east-1",
    {
      limiter: {
        acquire: async () => {
          if (opts.throttle) throw throttled("ConcurrentInvocationLimitExceeded");
          return {} as never;
        },
        release: async () => undefined,
      },
      limitsFor: async () => ({ reserved: null, unreservedLimit: 1000 }),
    },
    noTracer,
    {
      meter: { record: (row) => recorded.push(row) },
      quota: {
        check: () => {
          if (opts.overQuota) throw errors.invalidParameter("over quota");
        },
        counted: (row) => counted.push(row),
      },
    },
  );
  return { service, recorded, counted };
}

const call = (extra: Partial<InvokeRequest> = {}): InvokeRequest => ({
  accountId: fn.accountId,
  functionName: fn.name,
  qualifier: "live",
  payload: Buffer.from("{}"),
  requestId: "8c0a1b7e-59b4-4a57-9d5f-0d7b3a0f1e11",
  ...extra,
});

describe("invoke metering", () => {
  it("hands a sync invoke's row, as the invoker measured it, to the meter", async () => {
    const { service, recorded, counted } = serviceWith(async () => ({ payload: Buffer.from("{}"), usage: used }));
    await service.invokeSync(call());
    expect(recorded).toEqual([
      expect.objectContaining({
        requestId: "8c0a1b7e-59b4-4a57-9d5f-0d7b3a0f1e11",
        attempt: 1,
        accountId: fn.accountId,
        functionName: "f",
        version: "7",
        resource: "live",
        invocationType: "RequestResponse",
        outcome: "timeout",
        billedMs: 3121,
        initMs: 120.2,
        memoryMb: 512,
        cold: true,
      }),
    ]);
    expect(counted).toEqual(recorded);
  });

  it("meters a streamed invoke (buffered answer) the same way", async () => {
    const { service, recorded } = serviceWith(async () => ({ payload: Buffer.from("{}"), usage: used }));
    await service.invokeStream(call({ qualifier: undefined }));
    expect(recorded).toEqual([expect.objectContaining({ resource: "", billedMs: 3121 })]);
  });

  it("gives an async attempt's row to its caller, under the attempt's number", async () => {
    const { service, recorded } = serviceWith(async () => ({
      payload: Buffer.from("{}"),
      functionError: "Unhandled",
      usage: { ...used, outcome: "function_error" },
    }));
    const taken: UsageRow[] = [];
    await service.invokeSync(call({ meter: { invocationType: "Event", attempt: 3, take: (r) => taken.push(r) } }));
    expect(recorded).toEqual([]);
    expect(taken).toEqual([
      expect.objectContaining({ attempt: 3, invocationType: "Event", outcome: "function_error" }),
    ]);
  });

  it("counts an answer without figures (an older invoker) as a request with nothing billed", async () => {
    const { service, recorded } = serviceWith(async () => ({ payload: Buffer.from("{}"), functionError: "Unhandled" }));
    await service.invokeSync(call());
    expect(recorded).toEqual([expect.objectContaining({ outcome: "function_error", billedMs: 0, memoryMb: 512 })]);
  });

  it("meters a node's failure after it took the call as an unbilled platform error", async () => {
    const { service, recorded } = serviceWith(async () => {
      throw errors.service("Invoker node n failed during the request");
    });
    await expect(service.invokeSync(call())).rejects.toMatchObject({ code: "ServiceException" });
    expect(recorded).toEqual([expect.objectContaining({ outcome: "platform_error", billedMs: 0 })]);
  });

  it.each([
    ["a throttle", { throttle: true }],
    ["an account over its quota", { overQuota: true }],
  ])("meters nothing for %s", async (_label, opts) => {
    let ran = false;
    const { service, recorded } = serviceWith(async () => {
      ran = true;
      return { payload: Buffer.from("{}"), usage: used };
    }, opts);
    await expect(service.invokeSync(call())).rejects.toBeDefined();
    expect(ran).toBe(false);
    expect(recorded).toEqual([]);
  });

  it("meters nothing when every node is full (none took the call)", async () => {
    const { service, recorded } = serviceWith(async () => {
      throw errors.capacity("full");
    });
    await expect(service.invokeSync(call())).rejects.toMatchObject({ status: 429 });
    expect(recorded).toEqual([]);
  });
});
