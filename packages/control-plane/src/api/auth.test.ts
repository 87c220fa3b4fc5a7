import type { IncomingMessage } from "node:http";
import { PassThrough } from "node:stream";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import type { AccessKey } from "../domain.js";
import type { AccountStore } from "../store/account-store.js";
import { createAuthenticator, readSigned } from "./auth.js";
import { createByteBudget } from "./byte-budget.js";

const key: AccessKey = { accessKeyId: "AKIATESTTESTTESTTEST", accountId: "123456789012", secretAccessKey: "s3cret" };
const store = { findAccessKey: async (id: string) => (id === key.accessKeyId ? key : undefined) } as AccountStore;
const PATH = "/2015-03-31/functions/f/invocations";
const BODY = Buffer.from('{"a":1}');

async function signedHeaders(opts: { accessKeyId?: string; date?: Date } = {}): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    credentials: { accessKeyId: opts.accessKeyId ?? key.accessKeyId, secretAccessKey: key.secretAccessKey },
    region: "us-east-1",
    service: "lambda",
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.sign(
    {
      method: "POST",
      protocol: "http:",
      hostname: "127.0.0.1",
      path: PATH,
      headers: { host: "127.0.0.1", "content-length": String(BODY.length) },
      body: BODY,
    },
    { signingDate: opts.date ?? new Date() },
  );
  return signed.headers;
}

/** A request whose body is already waiting to be read, and how much of it was read. */
function waitingRequest(headers: Record<string, string>, body = BODY) {
  const req = Object.assign(new PassThrough(), { headers, method: "POST", url: PATH });
  req.write(body);
  return req as unknown as IncomingMessage & PassThrough;
}

describe("readSigned: nothing is read before the headers pass", () => {
  const auth = createAuthenticator(store);

  it.each<[string, () => Promise<Record<string, string>>, string]>([
    [
      "no Authorization header",
      async () => ({ host: "127.0.0.1", "content-length": "7" }),
      "MissingAuthenticationTokenException",
    ],
    [
      "a malformed Authorization header",
      async () => ({ ...(await signedHeaders()), authorization: "AWS4-HMAC-SHA256 Credential=x" }),
      "InvalidSignatureException",
    ],
    [
      "an unknown access key",
      () => signedHeaders({ accessKeyId: "AKIAUNKNOWNUNKNOWN00" }),
      "UnrecognizedClientException",
    ],
    ["a stale date", () => signedHeaders({ date: new Date(Date.now() - 6 * 60_000) }), "InvalidSignatureException"],
  ])("refuses %s with the body unread", async (_what, headers, code) => {
    const budget = createByteBudget(1024 * 1024);
    const req = waitingRequest(await headers());
    await expect(readSigned(req, auth, 1024, budget)).rejects.toMatchObject({ code, status: 403 });
    expect(req.listenerCount("data")).toBe(0);
    expect(req.readableLength).toBe(BODY.length);
    expect(budget.held()).toBe(0);
  });

  it("refuses a declared length over the cap with 413, reading none of it", async () => {
    const req = waitingRequest({ ...(await signedHeaders()), "content-length": "2048" });
    await expect(readSigned(req, auth, 1024, createByteBudget(1024 * 1024))).rejects.toMatchObject({
      code: "RequestTooLargeException",
      status: 413,
    });
    expect(req.listenerCount("data")).toBe(0);
  });

  it("reads a well-signed body, then checks the signature over it", async () => {
    const budget = createByteBudget(1024 * 1024);
    const req = waitingRequest(await signedHeaders());
    await expect(readSigned(req, auth, 1024, budget)).resolves.toEqual({
      key,
      body: BODY,
      service: "lambda",
      region: "us-east-1",
    });
    expect(budget.held()).toBe(0);
    const changed = waitingRequest(await signedHeaders(), Buffer.from('{"a":2}'));
    await expect(readSigned(changed, auth, 1024, budget)).rejects.toMatchObject({ code: "InvalidSignatureException" });
  });

  it("refuses a body the process budget cannot hold", async () => {
    const budget = createByteBudget(1024 * 1024);
    budget.take(1024 * 1024 - 3);
    const req = waitingRequest(await signedHeaders());
    await expect(readSigned(req, auth, 1024, budget)).rejects.toMatchObject({
      code: "TooManyRequestsException",
      status: 429,
    });
    expect(budget.held()).toBe(1024 * 1024 - 3);
  });
});
