import http from "node:http";
import type { AddressInfo } from "node:net";
import { consoleLogger, errors, StratusError } from "@stratus/shared";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { InvokeRequest, InvokeResult } from "../services/invoke-service.js";
import type { AccessRequest } from "../services/policy-check.js";
import type { FunctionUrlConfig } from "../url-config.js";
import { createByteBudget } from "./byte-budget.js";
import type { AccessLine } from "./request-log.js";
import { createSigV4Verifier } from "./sigv4.js";
import { createUrlHandler } from "./url-handler.js";

const OPEN = "a".repeat(32);
const IAM = "b".repeat(32);
const CORS = "c".repeat(32);
const configs: Record<string, FunctionUrlConfig> = Object.fromEntries(
  [
    [OPEN, "NONE", undefined],
    [IAM, "AWS_IAM", undefined],
    [CORS, "NONE", { AllowOrigins: ["https://a.test"], AllowMethods: ["GET"] }],
  ].map(([urlId, authType, cors]) => [
    urlId,
    {
      urlId,
      accountId: "123456789012",
      functionName: "fn",
      authType,
      ...(cors ? { cors } : {}),
      invokeMode: "BUFFERED",
      createdAt: new Date(),
      lastModified: new Date(),
    } as FunctionUrlConfig,
  ]),
);

let calls: InvokeRequest[] = [];
/** Whether the functions' policy grants lambda:InvokeFunctionUrl to anyone (NONE). */
let grantsPublic = true;
const asked: AccessRequest[] = [];
let outcome: () => Promise<InvokeResult>;
const TRACE_ID = "5759e988bd862e3fe1be46a994272793";
const statuses: number[] = [];
const lines: AccessLine[] = [];
let server: http.Server;
let base: string;

beforeAll(async () => {
  const handler = createUrlHandler({
    urls: { byId: async (id) => configs[id] },
    invoke: {
      invokeSync: async (req) => {
        calls.push(req);
        return outcome();
      },
      invokeStream: async () => {
        throw new Error("no URL here streams");
      },
    },
    policies: {
      allows: async (_owner, _name, _qualifier, req) => {
        asked.push(req);
        return grantsPublic && req.functionUrlAuthType === "NONE" && !req.principalAccount;
      },
    },
    verifier: createSigV4Verifier(async () => undefined, "lambda"),
    budget: createByteBudget(64 * 1024 * 1024),
    counted: (s) => statuses.push(s),
    log: consoleLogger({ info: () => undefined, warn: () => undefined, error: () => undefined }),
    scheme: "http",
    access: (build) => lines.push(build()),
  });
  server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  calls = [];
  outcome = async () => ({
    payload: Buffer.from('"ok"'),
    requestId: "r",
    executedVersion: "$LATEST",
    trace: { traceId: TRACE_ID, parentId: "53995c3f42cd8ad8", sampled: false },
  });
});

describe("the function URL handler", () => {
  it("writes one access line per call, with its account, status and path but never its query", async () => {
    lines.length = 0;
    const res = await fetch(`${base}/${OPEN}/p?secret=1`);
    const id = res.headers.get("x-amzn-requestid");
    await res.text();
    await fetch(`${base}/${"d".repeat(32)}/`).then((r) => r.text());
    await expect.poll(() => lines.length).toBe(2);
    expect(lines[0]).toMatchObject({
      requestId: id,
      account: "123456789012",
      operation: "InvokeFunctionUrl",
      status: 200,
      method: "GET",
      path: `/${OPEN}/p`,
    });
    expect(lines[0]?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(lines[1]).toMatchObject({ operation: "InvokeFunctionUrl", status: 404 });
    expect(lines[1]?.account).toBeUndefined();
    expect(JSON.stringify(lines)).not.toContain("secret");
  });

  it("invokes the URL's function with the 2.0 event and the answer's request id", async () => {
    const res = await fetch(`${base}/${OPEN}/p?q=1`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
    expect(res.headers.get("x-amzn-trace-id")).toBe(
      "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0",
    );
    expect(res.headers.get("traceparent")).toBe(`00-${TRACE_ID}-53995c3f42cd8ad8-00`);
    expect(calls).toHaveLength(1);
    const call = calls[0] as InvokeRequest;
    expect(call).toMatchObject({ accountId: "123456789012", functionName: "fn", ownRequestId: true });
    const event = JSON.parse(call.payload.toString());
    expect(event).toMatchObject({ rawPath: "/p", rawQueryString: "q=1", queryStringParameters: { q: "1" } });
    expect(event.requestContext.requestId).toBe(call.requestId);
    expect(res.headers.get("x-amzn-requestid")).toBe(call.requestId);
  });

  it("hands the function the trace the HTTP client sent (traceparent or X-Amzn-Trace-Id)", async () => {
    calls.length = 0;
    await fetch(`${base}/${OPEN}/`, { headers: { traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01` } });
    await fetch(`${base}/${OPEN}/`, { headers: { "x-amzn-trace-id": "Root=1-5759e988-bd862e3fe1be46a994272793" } });
    await fetch(`${base}/${OPEN}/`);
    expect(calls.map((c) => c.trace?.incoming)).toEqual([
      { traceId: TRACE_ID, parentId: "00f067aa0ba902b7", sampled: true },
      { traceId: TRACE_ID },
      undefined,
    ]);
  });

  it.each([
    ["a throttle", errors.capacity("full"), 429],
    ["the function gone", errors.notFound("gone"), 404],
    ["a function that is not ready", new StratusError("ResourceNotReadyException", 502, "client", "x"), 502],
    ["a platform failure", errors.service("db down"), 500],
    ["an unexpected error", new Error("bug"), 500],
  ])("answers %s with %i", async (_what, err, status) => {
    outcome = () => Promise.reject(err);
    const res = await fetch(`${base}/${OPEN}/`);
    expect(res.status).toBe(status);
    expect(Object.keys(await res.json())).toEqual(["Message"]);
  });

  it("refuses a NONE URL whose function's policy grants no lambda:InvokeFunctionUrl with 403, never invoking", async () => {
    grantsPublic = false;
    try {
      const res = await fetch(`${base}/${OPEN}/`);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ Message: "Forbidden" });
      expect(calls).toHaveLength(0);
      expect(asked.at(-1)).toEqual({ action: "lambda:InvokeFunctionUrl", functionUrlAuthType: "NONE" });
    } finally {
      grantsPublic = true;
    }
  });

  it("answers an unknown URL with 404 without invoking", async () => {
    expect((await fetch(`${base}/${"d".repeat(32)}/`)).status).toBe(404);
    expect((await fetch(`${base}/`)).status).toBe(404);
    expect(calls).toHaveLength(0);
  });

  it("refuses an unsigned or unknown-key AWS_IAM request with 403, never invoking", async () => {
    const unsigned = await fetch(`${base}/${IAM}/`, { method: "POST", body: "x" });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toEqual({ Message: "Forbidden" });
    const auth =
      "AWS4-HMAC-SHA256 Credential=AKIANOPE/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host;x-amz-date, Signature=" +
      "0".repeat(64);
    const unknown = await fetch(`${base}/${IAM}/`, {
      headers: { authorization: auth, "x-amz-date": new Date().toISOString().replace(/[-:]|\.\d{3}/g, "") },
    });
    expect(unknown.status).toBe(403);
    expect(calls).toHaveLength(0);
  });

  it("refuses a body over 6 MB with 413, never invoking", async () => {
    const res = await fetch(`${base}/${OPEN}/`, { method: "POST", body: Buffer.alloc(6 * 1024 * 1024 + 1) });
    expect(res.status).toBe(413);
    expect(calls).toHaveLength(0);
  });

  it("answers a preflight itself and leaves other OPTIONS to the function", async () => {
    const preflight = await fetch(`${base}/${CORS}/`, {
      method: "OPTIONS",
      headers: { origin: "https://a.test", "access-control-request-method": "GET" },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://a.test");
    expect(calls).toHaveLength(0);
    const plain = await fetch(`${base}/${OPEN}/`, {
      method: "OPTIONS",
      headers: { origin: "https://a.test", "access-control-request-method": "GET" },
    });
    expect(plain.status).toBe(200);
    expect(calls).toHaveLength(1);
  });

  it("counts each answer by its status", async () => {
    statuses.length = 0;
    await fetch(`${base}/${OPEN}/`);
    await fetch(`${base}/${"e".repeat(32)}/`);
    expect(statuses).toEqual([200, 404]);
  });
});
