import { createHash, createHmac } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import type { AccessKey } from "../domain.js";
import { createSigV4Verifier, type SignedRequest } from "./sigv4.js";

const key: AccessKey = {
  accessKeyId: "AKIAURLTESTURLTEST00",
  accountId: "123456789012",
  secretAccessKey: "url/s3cret+k",
};
const lookup = async (id: string) => (id === key.accessKeyId ? key : undefined);
const NOW = Date.UTC(2026, 5, 7, 8, 9, 10);
const PATH = "/abcdefghijklmnopqrstuvwxyz012345/hello/world";
const HOST = "127.0.0.1:9002";

/** A presigned GET as the JS SDK makes it (payload: the body's hash). */
async function sdkPresigned(opts: { secret?: string; service?: string; expiresIn?: number; date?: number } = {}) {
  const signer = new SignatureV4({
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: opts.secret ?? key.secretAccessKey },
    region: "us-east-1",
    service: opts.service ?? "lambda",
    sha256: Hash.bind(null, "sha256"),
  });
  const req = await signer.presign(
    {
      method: "GET",
      protocol: "http:",
      hostname: "127.0.0.1",
      port: 9002,
      path: PATH,
      query: { a: "1 2", b: "x" },
      headers: { host: HOST },
    },
    { signingDate: new Date(opts.date ?? NOW), expiresIn: opts.expiresIn ?? 300 },
  );
  const rawQuery = Object.entries(req.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join("&");
  return { method: "GET", rawPath: PATH, rawQuery, headers: { host: HOST }, body: Buffer.alloc(0) } as SignedRequest;
}

const hmac = (k: Buffer | string, s: string) => createHmac("sha256", k).update(s).digest();

/** A presigned POST as botocore's query auth makes it: the payload signed as UNSIGNED-PAYLOAD. */
function botoPresigned(body: string, opts: { secret?: string } = {}): SignedRequest {
  const amzDate = new Date(NOW)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const scope = `${day}/us-east-1/lambda/aws4_request`;
  const params: [string, string][] = [
    ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
    ["X-Amz-Credential", `${key.accessKeyId}/${scope}`],
    ["X-Amz-Date", amzDate],
    ["X-Amz-Expires", "60"],
    ["X-Amz-SignedHeaders", "host"],
    ["q", "v"],
  ];
  const query = params
    .map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)])
    .sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonical = ["POST", PATH, query, `host:${HOST}\n`, "host", "UNSIGNED-PAYLOAD"].join("\n");
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, createHash("sha256").update(canonical).digest("hex")].join("\n");
  let k = hmac(`AWS4${opts.secret ?? key.secretAccessKey}`, day);
  for (const part of ["us-east-1", "lambda", "aws4_request"]) k = hmac(k, part);
  const signature = createHmac("sha256", k).update(toSign).digest("hex");
  return {
    method: "POST",
    rawPath: PATH,
    rawQuery: `${query}&X-Amz-Signature=${signature}`,
    headers: { host: HOST },
    body: Buffer.from(body),
  };
}

describe("SigV4 presigned query form", () => {
  const { verify } = createSigV4Verifier(lookup, "lambda", () => NOW, { presigned: true });

  it("accepts a JS SDK presigned URL and a botocore one (UNSIGNED-PAYLOAD, any body)", async () => {
    await expect(verify(await sdkPresigned())).resolves.toEqual(key);
    await expect(verify(botoPresigned('{"any":"body"}'))).resolves.toEqual(key);
  });

  it("refuses a wrong secret, a changed query and a changed path", async () => {
    await expect(verify(await sdkPresigned({ secret: "wrong" }))).rejects.toMatchObject({ status: 403 });
    const good = await sdkPresigned();
    await expect(verify({ ...good, rawQuery: good.rawQuery.replace("b=x", "b=y") })).rejects.toMatchObject({
      code: "InvalidSignatureException",
    });
    await expect(verify({ ...good, rawPath: `${PATH}x` })).rejects.toMatchObject({ status: 403 });
    await expect(verify(botoPresigned("{}", { secret: "wrong" }))).rejects.toMatchObject({ status: 403 });
  });

  it("refuses an expired URL, and one signed for another service", async () => {
    await expect(verify(await sdkPresigned({ date: NOW - 301_000, expiresIn: 300 }))).rejects.toThrow(/expired/);
    await expect(verify(await sdkPresigned({ service: "s3" }))).rejects.toThrow(/service/);
  });

  it("refuses an unknown key and a malformed signature", async () => {
    const good = await sdkPresigned();
    const unknown = { ...good, rawQuery: good.rawQuery.replace(key.accessKeyId, "AKIANOTAKEY000000000") };
    await expect(verify(unknown)).rejects.toMatchObject({ code: "UnrecognizedClientException" });
    const bad = { ...good, rawQuery: good.rawQuery.replace(/X-Amz-Signature=[0-9a-f]+/, "X-Amz-Signature=zz") };
    await expect(verify(bad)).rejects.toMatchObject({ status: 403 });
  });

  it("is not read unless asked for (the API takes the header form only)", async () => {
    const headerOnly = createSigV4Verifier(lookup, "lambda", () => NOW);
    await expect(headerOnly.verify(await sdkPresigned())).rejects.toMatchObject({
      code: "MissingAuthenticationTokenException",
    });
  });

  it("refuses a request with neither form", async () => {
    await expect(
      verify({ method: "GET", rawPath: PATH, rawQuery: "", headers: { host: HOST }, body: Buffer.alloc(0) }),
    ).rejects.toMatchObject({
      code: "MissingAuthenticationTokenException",
    });
  });
});
