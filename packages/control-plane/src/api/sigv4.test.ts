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
  return { method: "POST", rawPath: path, query: { Qualifier: "$LATEST" }, headers: req.headers, body };
}

describe("SigV4 verification", () => {
  const verify = createSigV4Verifier(lookup, "lambda", () => NOW);

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
