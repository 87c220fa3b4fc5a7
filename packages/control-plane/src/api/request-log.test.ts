// The access log as the process writes it (pino with the shared options): one line per
// request with its operation, status, latency, request id and account, and never a
// header, key, signature, environment value or payload of the request.
import type { AddressInfo } from "node:net";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { pinoLogger, processLogOptions } from "@stratus/shared";
import express from "express";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessKey } from "../domain.js";
import { createControlPlaneMetrics } from "../metrics.js";
import type { AccountStore } from "../store/account-store.js";
import { createAuthenticator, signedBody } from "./auth.js";
import { jsonBody } from "./body.js";
import { createByteBudget } from "./byte-budget.js";
import { errorMiddleware } from "./error-middleware.js";
import { accessLog, trackRequests } from "./request-log.js";
import { route } from "./route.js";

const key: AccessKey = {
  accessKeyId: "AKIALOGTESTLOGTEST01",
  accountId: "123456789012",
  secretAccessKey: "SECRETKEY-never-logged-0123456789",
};
const store = { findAccessKey: async (id: string) => (id === key.accessKeyId ? key : undefined) } as AccountStore;
const SECRETS = ["hunter2-header", "hunter2-env", "hunter2-payload", key.secretAccessKey];
const PATH = "/2015-03-31/functions";

const lines: string[] = [];
const log = pinoLogger(pino(processLogOptions("test", "info"), { write: (line: string) => void lines.push(line) }));
let base = "";
let close: () => void;

beforeAll(async () => {
  const app = express()
    .use(trackRequests(createControlPlaneMetrics(new Registry()), accessLog(log, true)))
    .use(signedBody(createAuthenticator(store), createByteBudget(1 << 20)))
    .post(
      PATH,
      route("CreateFunction", async (req, res) => {
        res.status(201).json({ FunctionName: (jsonBody(req) as { FunctionName: string }).FunctionName });
      }),
    )
    .use(errorMiddleware(log));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());

async function send(secretAccessKey: string) {
  const body = JSON.stringify({
    FunctionName: "f",
    Environment: { Variables: { DB_PASSWORD: "hunter2-env" } },
    Code: { ZipFile: "hunter2-payload" },
  });
  const url = new URL(PATH, base);
  const signer = new SignatureV4({
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey },
    region: "us-east-1",
    service: "lambda",
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: PATH,
    headers: { host: url.host, "content-type": "application/json", "x-secret-header": "hunter2-header" },
    body,
  });
  const res = await fetch(url, { method: "POST", headers: signed.headers, body });
  return { status: res.status, authorization: signed.headers.authorization as string };
}

const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

describe("the access log", () => {
  it("writes one line per request: operation, status, latency, request id and account", async () => {
    lines.length = 0;
    expect((await send(key.secretAccessKey)).status).toBe(201);
    await expect.poll(() => parsed().filter((l) => l.msg === "access").length).toBe(1);
    const line = parsed().find((l) => l.msg === "access");
    expect(line).toMatchObject({
      level: "info",
      name: "test",
      operation: "CreateFunction",
      status: 201,
      account: key.accountId,
      method: "POST",
      path: PATH,
    });
    expect(line?.latencyMs).toEqual(expect.any(Number));
    expect(line?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(line?.time).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
  });

  it("never holds the request's secret header, keys, signature, environment or payload, signed or refused", async () => {
    lines.length = 0;
    const good = await send(key.secretAccessKey);
    const bad = await send("a-wrong-secret-key-0123456789");
    expect(bad.status).toBe(403);
    await expect.poll(() => parsed().filter((l) => l.msg === "access").length).toBe(2);
    const text = lines.join("");
    for (const secret of [
      ...SECRETS,
      good.authorization,
      bad.authorization,
      /Signature=([0-9a-f]+)/.exec(good.authorization)?.[1] ?? "?",
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(parsed().find((l) => l.status === 403)).toMatchObject({ msg: "access", operation: "Unknown" });
  });
});

describe("the shared log options", () => {
  it("censor secret-bearing fields should a line be given them", () => {
    lines.length = 0;
    log.info("careless", {
      authorization: "AWS4-HMAC-SHA256 hunter2-header",
      headers: { authorization: "hunter2-header", "x-stratus-internal-token": "t" },
      req: { environment: { A: "hunter2-env" }, payload: "hunter2-payload" },
      secretAccessKey: key.secretAccessKey,
      Payload: "hunter2-payload",
    });
    const text = lines.join("");
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ authorization: "[redacted]", level: "info" });
  });
});
