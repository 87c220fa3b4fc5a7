// Verifies AWS Signature Version 4 on incoming requests, in two steps: what the
// headers alone show (well-formed, fresh, a known key), checked before the body is
// read, then the signature over the whole request. The expected signature is computed
// by aws4 (a widely used SigV4 signer: synchronous, and about twice as fast as the AWS
// SDK's, on the path of every invoke) over exactly the headers the client says it
// signed, and compared in constant time. Failures carry Lambda's error names. The
// Authorization header is read, and where asked (function URLs) the presigned query
// form too (sigv4-query.ts).
import { createHash, timingSafeEqual } from "node:crypto";
import { errors } from "@stratus/shared";
import aws4 from "aws4";
import type { AccessKey } from "../domain.js";
import { parseAmzDate } from "./amz-date.js";
import { PAYLOAD_HASHES, presignedParts, type SignatureParts } from "./sigv4-query.js";

/** A request as its headers show it: enough for the checks made before its body is read. */
export interface SignedHead {
  method: string;
  /** The path exactly as received, still percent-encoded, without the query. */
  rawPath: string;
  /** The query string exactly as received, without the `?` ("" when none). */
  rawQuery: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface SignedRequest extends SignedHead {
  body: Buffer;
}

/** What a request's headers claim once checked: a well-formed, fresh signature by a known key. */
export interface Claim {
  key: AccessKey;
  scope: Scope;
  signedHeaders: Record<string, string>;
  signature: string;
  /** Set for the presigned query form: the canonical query leaves the signature out. */
  presigned?: { query: string };
}

/** The key a request was signed with; `sessionToken` is its X-Amz-Security-Token (temporary credentials). */
export type KeyLookup = (accessKeyId: string, sessionToken?: string) => Promise<AccessKey | undefined>;

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;
const MAX_SKEW_MS = 5 * 60 * 1000;

/** The parts of an Authorization header's AWS4-HMAC-SHA256 signature. */
function headerParts(authorization: string): SignatureParts {
  const m = AUTH.exec(authorization);
  if (!m) throw errors.invalidSignature("Authorization header is not a valid AWS4-HMAC-SHA256 signature");
  const [, accessKeyId, day, region, service, signedHeaderList, signature] = m as unknown as string[];
  return { accessKeyId, day, region, service, signedHeaderList, signature } as SignatureParts;
}

export interface Scope {
  service: string;
  region: string;
  amzDate: string;
}

/** The signature the request should carry, over exactly the headers the client signed. */
function expectedSignature(
  req: SignedRequest,
  key: AccessKey,
  scope: Scope,
  signedHeaders: Record<string, string>,
  presignedQuery?: string,
  payloadHash?: string,
): string {
  const include: Record<string, boolean> = Object.create(null);
  for (const name of Object.keys(signedHeaders)) include[name] = true;
  const signer = new aws4.RequestSigner(
    {
      method: req.method,
      path: withQuery(req.rawPath, presignedQuery ?? req.rawQuery),
      headers: signedHeaders,
      body: req.body,
      service: scope.service,
      region: scope.region,
      // Sign what was received: no defaults added, no signed header skipped.
      doNotModifyHeaders: true,
      extraHeadersToInclude: include,
    } as aws4.Request,
    { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
  );
  // With doNotModifyHeaders aws4 does not read X-Amz-Date itself.
  signer.datetime = scope.amzDate;
  if (payloadHash !== undefined) {
    // The presigned form signs a payload hash it does not send (UNSIGNED-PAYLOAD, or the body's).
    const s = signer as unknown as { canonicalString(): string };
    const canonical = s.canonicalString.bind(signer);
    s.canonicalString = () => {
      const text = canonical();
      return text.slice(0, text.lastIndexOf("\n") + 1) + payloadHash;
    };
  }
  try {
    return signer.signature();
  } catch {
    // A path that is not valid percent-encoding cannot have been signed.
    throw errors.invalidSignature("The request path is not valid percent-encoding");
  }
}

const withQuery = (path: string, query: string) => (query ? `${path}?${query}` : path);

function header(req: SignedHead, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

export interface SigV4Verifier {
  /** Header-level checks, made before any body byte is read: well-formed, fresh, a known key. */
  precheck(head: SignedHead): Promise<Claim>;
  /** The signature over the whole request, body included, of a claim that passed precheck. */
  confirm(head: SignedHead, claim: Claim, body: Buffer): AccessKey;
  /** Both, for a request already read. */
  verify(req: SignedRequest): Promise<AccessKey>;
}

/**
 * `services`: the signing names accepted (the claim says which one signed).
 * `opts.presigned`: whether the presigned query form is read too (function URLs); the
 * API takes the header form only, so a body there is always covered by the signature.
 */
export function createSigV4Verifier(
  lookup: KeyLookup,
  services: string | readonly string[] = "lambda",
  now = Date.now,
  opts: { presigned?: boolean } = {},
): SigV4Verifier {
  const accepted = typeof services === "string" ? [services] : services;
  async function precheck(req: SignedHead): Promise<Claim> {
    const authorization = header(req, "authorization");
    const presigned = authorization || !opts.presigned ? undefined : presignedParts(req.rawQuery, now());
    if (!authorization && !presigned) throw errors.missingAuthentication("Missing Authentication Token");
    const { accessKeyId, day, region, service, signedHeaderList, signature } =
      presigned ?? headerParts(authorization as string);
    if (!accepted.includes(service)) {
      throw errors.invalidSignature(
        `Credential should be scoped to a service of ${accepted.map((s) => `'${s}'`).join(", ")}`,
      );
    }
    const amzDate = presigned ? presigned.amzDate : (header(req, "x-amz-date") ?? "");
    const signedAt = parseAmzDate(amzDate);
    if (signedAt === undefined || !amzDate.startsWith(day as string))
      throw errors.invalidSignature("X-Amz-Date is missing or does not match the credential scope");
    if (!presigned && Math.abs(now() - signedAt) > MAX_SKEW_MS) {
      throw errors.invalidSignature("Signature expired: the request time is more than 5 minutes from the server time");
    }
    const signedHeaders: Record<string, string> = Object.create(null);
    for (const name of (signedHeaderList as string).split(";")) {
      const v = header(req, name);
      if (v === undefined) throw errors.invalidSignature(`Signed header ${name} is missing`);
      signedHeaders[name] = v;
    }
    if (signedHeaders.host === undefined) throw errors.invalidSignature("The host header must be signed");
    const token = presigned
      ? (new URLSearchParams(req.rawQuery).get("X-Amz-Security-Token") ?? undefined)
      : header(req, "x-amz-security-token");
    const key = await lookup(accessKeyId as string, token);
    if (!key) throw errors.unrecognizedClient("The security token included in the request is invalid.");
    return {
      key,
      scope: { service, region: region as string, amzDate },
      signedHeaders,
      signature: signature as string,
      ...(presigned ? { presigned: { query: presigned.canonicalQuery } } : {}),
    };
  }

  function confirm(head: SignedHead, claim: Claim, body: Buffer): AccessKey {
    // The signer trusts a client-sent payload hash; make sure it is the body's.
    const claimedHash = claim.signedHeaders["x-amz-content-sha256"];
    const unsigned = claim.presigned !== undefined && claimedHash === "UNSIGNED-PAYLOAD";
    if (claimedHash !== undefined && !unsigned && claimedHash !== createHash("sha256").update(body).digest("hex")) {
      throw errors.invalidSignature("X-Amz-Content-SHA256 does not match the request body");
    }
    const request = { ...head, body };
    const hashes = claim.presigned && claimedHash === undefined ? PAYLOAD_HASHES : [undefined];
    const b = Buffer.from(claim.signature);
    const matches = hashes.some((hash) => {
      const a = Buffer.from(
        expectedSignature(request, claim.key, claim.scope, claim.signedHeaders, claim.presigned?.query, hash),
      );
      return a.length === b.length && timingSafeEqual(a, b);
    });
    if (!matches) {
      throw errors.invalidSignature(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
      );
    }
    return claim.key;
  }

  return {
    precheck,
    confirm,
    verify: async (req) => confirm(req, await precheck(req), req.body),
  };
}
