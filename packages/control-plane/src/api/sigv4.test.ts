import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import type { AccessKey } from "../domain.js";
import { createSigV4Verifier, type SignedRequest } from "./sigv4.js";

const key: AccessKey = {
  accessKeyId: "AKIATESTTESTTESTTEST",
  accountId: "123456789012",
  secretAccessKey: "s3cret/KEY+x",
};
const lookup = async (id: string) => (id === key.accessKeyId ? key : undefined);
const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

async function signed(
  opts: { secret?: string; body?: string; path?: string; checksum?: boolean; date?: number } = {},
): Promise<SignedRequest> {
  const body = Buffer.from(opts.body ?? '{"a":1}');
  const path =
    opts.path ?? "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af/invocations";
  const signer = new SignatureV4({
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: opts.secret ?? key.secretAccessKey },
    region: "us-east-1",
    service: "lambda",
    sha256: Hash.bind(null, "sha256"),
    applyChecksum: opts.checksum ?? false,
  });
  const req = await signer.sign(
    {
      method: "POST",
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 9000,
      path,
      query: { Qualifier: "$LATEST" },
      headers: { host: "127.0.0.1:9000", "content-type": "application/json", "x-amz-invocation-type": "Event" },
      body,
    },
    { signingDate: new Date(opts.date ?? NOW) },
  );
  return { method: "POST", rawPath: path, rawQuery: "Qualifier=%24LATEST", headers: req.headers, body };
}

describe("SigV4 verification", () => {
  const { verify } = createSigV4Verifier(lookup, "lambda", () => NOW);

  it("accepts a correctly signed request, with or without a payload hash header", async () => {
    await expect(verify(await signed())).resolves.toEqual(key);
    await expect(verify(await signed({ checksum: true }))).resolves.toEqual(key);
  });

  it("refuses a wrong secret", async () => {
    await expect(verify(await signed({ secret: "wrong" }))).rejects.toMatchObject({
      code: "InvalidSignatureException",
    });
  });

  it("refuses a body changed after signing", async () => {
    const req = await signed();
    await expect(verify({ ...req, body: Buffer.from('{"a":2}') })).rejects.toMatchObject({
      code: "InvalidSignatureException",
    });
    const withHash = await signed({ checksum: true });
    await expect(verify({ ...withHash, body: Buffer.from('{"a":2}') })).rejects.toMatchObject({
      code: "InvalidSignatureException",
    });
  });

  it("refuses an unknown key", async () => {
    const req = await signed();
    const auth = String(req.headers.authorization).replace(key.accessKeyId, "AKIAUNKNOWNUNKNOWN00");
    await expect(verify({ ...req, headers: { ...req.headers, authorization: auth } })).rejects.toMatchObject({
      code: "UnrecognizedClientException",
    });
  });

  it("refuses a stale timestamp", async () => {
    await expect(verify(await signed({ date: NOW - 6 * 60_000 }))).rejects.toMatchObject({
      code: "InvalidSignatureException",
    });
  });

  it("refuses a request without credentials", async () => {
    const req = await signed();
    await expect(verify({ ...req, headers: { host: "x" } })).rejects.toMatchObject({
      code: "MissingAuthenticationTokenException",
    });
  });
});

interface SignCase {
  method: string;
  path: string;
  rawQuery: string;
  query: Record<string, string | string[]>;
  headers?: Record<string, string>;
  /** Headers the SDK's signer must sign although it would skip them by default. */
  force?: string[];
  body?: string;
}

describe("SigV4 verification agrees with the AWS SDK's signer", () => {
  const { verify } = createSigV4Verifier(lookup, "lambda", () => NOW);
  const signer = new SignatureV4({
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    region: "eu-west-1",
    service: "lambda",
    sha256: Hash.bind(null, "sha256"),
    applyChecksum: false,
  });
  async function sendAs(c: SignCase): Promise<SignedRequest> {
    const body = Buffer.from(c.body ?? "");
    const req = await signer.sign(
      {
        method: c.method,
        protocol: "http:",
        hostname: "stratus.internal",
        path: c.path,
        query: c.query,
        headers: { host: "stratus.internal:9000", ...c.headers },
        body,
      },
      { signingDate: new Date(NOW), ...(c.force ? { signableHeaders: new Set(c.force) } : {}) },
    );
    return { method: c.method, rawPath: c.path, rawQuery: c.rawQuery, headers: req.headers, body };
  }

  it.each<SignCase & { what: string }>([
    { what: "a GET without a query", method: "GET", path: "/2015-03-31/functions/", rawQuery: "", query: {} },
    {
      what: "a query out of order, with encoded characters",
      method: "GET",
      path: "/2015-03-31/functions/",
      rawQuery: "MaxItems=10&Marker=a%2Fb%3D%3D&FunctionVersion=ALL",
      query: { MaxItems: "10", Marker: "a/b==", FunctionVersion: "ALL" },
    },
    {
      what: "a repeated query key",
      method: "GET",
      path: "/2017-03-31/tags/x",
      rawQuery: "k=b&k=a",
      query: { k: ["b", "a"] },
    },
    {
      what: "an ARN in the path and a qualifier",
      method: "POST",
      path: "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A123456789012%3Afunction%3Af%3Aprod/invocations",
      rawQuery: "Qualifier=%24LATEST",
      query: { Qualifier: "$LATEST" },
      body: '{"x":"y z"}',
    },
    {
      what: "headers with inner runs of spaces, and one aws4 would skip unless told (user-agent)",
      method: "PUT",
      path: "/2015-03-31/functions/f/configuration",
      rawQuery: "",
      query: {},
      headers: { "x-amz-meta": "a   b  c", "user-agent": "aws-cli/2 test", "content-type": "application/json" },
      force: ["user-agent"],
      body: "{}",
    },
  ])("accepts $what", async (c) => {
    await expect(verify(await sendAs(c))).resolves.toEqual(key);
  });

  it("refuses a query changed after signing, and a path that is not valid percent-encoding", async () => {
    const c = { method: "GET", path: "/2015-03-31/functions/", rawQuery: "MaxItems=10", query: { MaxItems: "10" } };
    const req = await sendAs(c);
    await expect(verify({ ...req, rawQuery: "MaxItems=11" })).rejects.toMatchObject({
      code: "InvalidSignatureException",
    });
    await expect(verify({ ...req, rawPath: "/2015-03-31/functions/%E0%A4%A" })).rejects.toMatchObject({
      code: "InvalidSignatureException",
    });
  });

  it("refuses a signature that does not cover the host header", async () => {
    const req = await sendAs({ method: "GET", path: "/2015-03-31/functions/", rawQuery: "", query: {} });
    const auth = String(req.headers.authorization).replace("SignedHeaders=host;", "SignedHeaders=");
    await expect(verify({ ...req, headers: { ...req.headers, authorization: auth } })).rejects.toMatchObject({
      code: "InvalidSignatureException",
      message: expect.stringContaining("host"),
    });
  });
});
