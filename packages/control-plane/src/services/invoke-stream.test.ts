import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { FunctionVersion } from "../domain.js";
import {
  type InvokerClient,
  type NodeAnswer,
  NodeUnreachableError,
  type StreamEnd,
} from "../routing/invoker-client.js";
import type { LiveNode } from "../routing/node-directory.js";
import type { AliasService } from "./alias-service.js";
import type { FunctionService } from "./function-service.js";
import { createInvokeService } from "./invoke-service.js";

const fn = {
  accountId: "123456789012",
  name: "f",
  version: "3",
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
const nodes: LiveNode[] = ["a", "b"].map((id) => ({
  heartbeatAt: 0,
  id,
  url: `http://${id}.invalid`,
  capacityMb: 1024,
  draining: false,
}));

/** An invoke service whose nodes answer invokeStream with `answer` (the first one it tries refusing the connection if `spill`). */
function serviceWith(answer: () => NodeAnswer, spill = false) {
  const slots = { held: 0, tried: 0 };
  const invoker: InvokerClient = {
    invoke: async () => {
      throw new Error("the streamed path never calls invoke");
    },
    async invokeStream(node) {
      slots.tried++;
      if (spill && slots.tried === 1) throw new NodeUnreachableError(node.id, "refused");
      return answer();
    },
    close: async () => undefined,
  };
  const service = createInvokeService(
    { get: async () => fn } as unknown as FunctionService,
    { resolveVersion: async () => "3" } as unknown as AliasService,
    { liveNodes: async () => nodes, lastHeartbeats: async (ids) => ids.map(() => Date.now()) },
    invoker,
    "us-east-1",
    {
      limiter: {
        acquire: async () => {
          slots.held++;
          return {} as never;
        },
        release: async () => {
          slots.held--;
        },
      },
      limitsFor: async () => ({ reserved: null, unreservedLimit: 1000 }),
    },
  );
  return { service, slots };
}

const request = { accountId: fn.accountId, functionName: "f", payload: Buffer.from("{}") };

describe("invokeStream", () => {
  it("hands a streamed answer over as it begins, and holds the concurrency slot until it ends", async () => {
    const body = new PassThrough();
    let finish!: (e: StreamEnd) => void;
    const end = new Promise<StreamEnd>((resolve) => {
      finish = resolve;
    });
    const { service, slots } = serviceWith(() => ({ mode: "streaming", contentType: "text/plain", body, end }), true);
    const got = await service.invokeStream(request);
    expect(got).toMatchObject({ mode: "streaming", contentType: "text/plain", executedVersion: "3" });
    expect(got.body).toBe(body);
    expect(slots).toEqual({ held: 1, tried: 2 });
    finish({ payload: Buffer.alloc(0) });
    await got.end;
    await new Promise((resolve) => setImmediate(resolve));
    expect(slots.held).toBe(0);
  });

  it("gives a whole answer as one chunk, in mode buffered, and frees the slot at once", async () => {
    const { service, slots } = serviceWith(() => ({
      mode: "buffered",
      outcome: { payload: Buffer.from('{"ok":1}'), logResult: "bG9n" },
    }));
    const got = await service.invokeStream(request);
    expect(got).toMatchObject({ mode: "buffered", contentType: "application/json" });
    const chunks: Buffer[] = [];
    for await (const c of got.body) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('{"ok":1}');
    expect((await got.end).logResult).toBe("bG9n");
    expect(slots.held).toBe(0);
  });

  it("gives a whole function error as no chunk and the error at the end", async () => {
    const error = Buffer.from('{"errorType":"Error","errorMessage":"x"}');
    const { service } = serviceWith(() => ({
      mode: "buffered",
      outcome: { payload: error, functionError: "Unhandled" },
    }));
    const got = await service.invokeStream(request);
    const chunks: unknown[] = [];
    for await (const c of got.body) chunks.push(c);
    expect(chunks).toEqual([]);
    const end = await got.end;
    expect(end.functionError).toBe("Unhandled");
    expect(end.payload.toString()).toBe(error.toString());
  });
});
