// Verifies AWS Signature Version 4 on incoming requests. The expected signature is
// computed by @smithy/signature-v4 (the signer the AWS SDKs use) over exactly the
// headers the client says it signed, and compared in constant time. Unknown keys,
// bad signatures and stale timestamps are refused with Lambda's error names.
import { createHash, timingSafeEqual } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { errors } from "@stratus/shared";
import type { AccessKey } from "../domain.js";

export interface SignedRequest {
  method: string;
  /** The path exactly as received, still percent-encoded, without the query. */
  rawPath: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type KeyLookup = (accessKeyId: string) => Promise<AccessKey | undefined>;

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;
const MAX_SKEW_MS = 5 * 60 * 1000;

function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
}

function header(req: SignedRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

export function createSigV4Verifier(lookup: KeyLookup, service = "lambda", now = Date.now) {
  // One signer per key and region: it caches the derived signing key for the day.
  const signers = new Map<string, SignatureV4>();
  const signerFor = (key: AccessKey, region: string): SignatureV4 => {
    const id = `${key.accessKeyId}\0${key.secretAccessKey}\0${region}`;
    let signer = signers.get(id);
    if (!signer) {
      if (signers.size >= 10_000) signers.clear();
      signer = new SignatureV4({
        credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
        region,
        service,
        sha256: Hash.bind(null, "sha256"),
        uriEscapePath: true,
        // Sign exactly what the client sent: botocore does not add x-amz-content-sha256.
        applyChecksum: false,
      });
      signers.set(id, signer);
    }
    return signer;
  };
  return async function verify(req: SignedRequest): Promise<AccessKey> {
    const authorization = header(req, "authorization");
    if (!authorization) throw errors.missingAuthentication("Missing Authentication Token");
    const m = AUTH.exec(authorization);
    if (!m) throw errors.invalidSignature("Authorization header is not a valid AWS4-HMAC-SHA256 signature");
    const [, accessKeyId, day, region, signedService, signedHeaderList, signature] = m as unknown as string[];
    if (signedService !== service) throw errors.invalidSignature(`Credential should be scoped to service '${service}'`);
    const amzDate = header(req, "x-amz-date") ?? "";
    const date = parseAmzDate(amzDate);
    if (!date || !amzDate.startsWith(day as string))
      throw errors.invalidSignature("X-Amz-Date is missing or does not match the credential scope");
    if (Math.abs(now() - date.getTime()) > MAX_SKEW_MS) {
      throw errors.invalidSignature("Signature expired: the request time is more than 5 minutes from the server time");
    }
    const key = await lookup(accessKeyId as string);
    if (!key) throw errors.unrecognizedClient("The security token included in the request is invalid.");

    const signedNames = (signedHeaderList as string).split(";");
    const signedHeaders: Record<string, string> = {};
    for (const name of signedNames) {
      const v = header(req, name);
      if (v === undefined) throw errors.invalidSignature(`Signed header ${name} is missing`);
      signedHeaders[name] = v;
    }
    // The signer trusts a client-sent payload hash; make sure it is the body's.
    const claimedHash = signedHeaders["x-amz-content-sha256"];
    if (claimedHash !== undefined && claimedHash !== createHash("sha256").update(req.body).digest("hex")) {
      throw errors.invalidSignature("X-Amz-Content-SHA256 does not match the request body");
    }
    const signer = signerFor(key, region as string);
    const signed = await signer.sign(
      {
        method: req.method,
        protocol: "http:",
        hostname: signedHeaders.host ?? "",
        path: req.rawPath,
        query: req.query,
        headers: signedHeaders,
        body: req.body,
      },
      { signingDate: date, signableHeaders: new Set(signedNames) },
    );
    const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1] ?? "";
    const a = Buffer.from(expected);
    const b = Buffer.from(signature as string);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw errors.invalidSignature(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
      );
    }
    return key;
  };
}
