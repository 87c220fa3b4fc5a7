import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { secretsRoutes } from "./secrets-routes.js";

const quiet = { warn: () => undefined, error: () => undefined } as never;
let close: (() => void) | undefined;
afterEach(() => close?.());

/** The routes behind a stand-in for SigV4 authentication, with `body` as the signed body. */
async function call(service: Parameters<typeof secretsRoutes>[0], target: string, body: string) {
  const app = express();
  app.use((req, res, next) => {
    res.locals.service = "secretsmanager";
    res.locals.accountId = "123456789012";
    req.body = Buffer.from(body);
    next();
  });
  app.use(secretsRoutes(service, quiet));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  close = () => server.close();
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
    method: "POST",
    headers: { "x-amz-target": target, "content-type": "application/x-amz-json-1.1" },
  });
  return { status: res.status, body: (await res.json()) as { __type: string; message: string } };
}

describe("secrets routes", () => {
  it("refuse every operation, naming the setting, when no platform key is configured", async () => {
    const res = await call(undefined, "secretsmanager.CreateSecret", '{"Name":"a","SecretString":"s3cret"}');
    expect(res.status).toBe(503);
    expect(res.body.__type).toBe("ServiceUnavailableException");
    expect(res.body.message).toContain("STRATUS_SECRETS_KEY");
  });

  it("refuse a body that is not JSON without quoting it", async () => {
    const service = { createSecret: async () => ({}) } as never;
    const res = await call(service, "secretsmanager.CreateSecret", '{"SecretString":"s3cret-value" oops');
    expect(res.status).toBe(400);
    expect(res.body.__type).toBe("SerializationException");
    expect(JSON.stringify(res.body)).not.toContain("s3cret");
  });

  it("refuse an operation Stratus does not serve", async () => {
    const res = await call({} as never, "secretsmanager.RotateSecret", "{}");
    expect(res.body.__type).toBe("UnknownOperationException");
  });
});
