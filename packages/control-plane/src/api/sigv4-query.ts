// The presigned form of SigV4: the signature and its scope travel in the query
// (X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders, -Signature), as
// SDK presigners and `aws4`/botocore's query auth make them. The canonical query is
// the request's without X-Amz-Signature; the payload is signed as UNSIGNED-PAYLOAD
// (botocore) or as the body's hash (the JS SDK), unless X-Amz-Content-Sha256 is signed.
import { errors } from "@stratus/shared";
import { parseAmzDate } from "./amz-date.js";

/** What a signature says of itself, in either form. */
export interface SignatureParts {
  accessKeyId: string;
  day: string;
  region: string;
  service: string;
  signedHeaderList: string;
  signature: string;
}

export interface PresignedParts extends SignatureParts {
  amzDate: string;
  /** The query as it was signed: the request's without X-Amz-Signature. */
  canonicalQuery: string;
}

/** The payload hashes a presigned request may have been signed with (undefined: the body's). */
export const PAYLOAD_HASHES = ["UNSIGNED-PAYLOAD", undefined] as const;

const CREDENTIAL = /^([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/aws4_request$/;
const MAX_EXPIRES_SECONDS = 604_800;
/** A presigned request signed a little in the future (a client clock ahead) is still good. */
const MAX_SKEW_MS = 5 * 60 * 1000;

const param = (q: URLSearchParams, name: string) => {
  const v = q.get(name);
  if (v === null) throw errors.invalidSignature(`Presigned request is missing ${name}`);
  return v;
};

/** The presigned signature in `rawQuery`, or undefined when the query carries none. */
export function presignedParts(rawQuery: string, nowMs: number): PresignedParts | undefined {
  if (!rawQuery.includes("X-Amz-Signature=")) return undefined;
  const q = new URLSearchParams(rawQuery);
  if (param(q, "X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") {
    throw errors.invalidSignature("X-Amz-Algorithm must be AWS4-HMAC-SHA256");
  }
  const credential = CREDENTIAL.exec(param(q, "X-Amz-Credential"));
  if (!credential) throw errors.invalidSignature("X-Amz-Credential is not a valid credential scope");
  const amzDate = param(q, "X-Amz-Date");
  const signedAt = parseAmzDate(amzDate);
  const expires = Number(param(q, "X-Amz-Expires"));
  if (!Number.isInteger(expires) || expires < 1 || expires > MAX_EXPIRES_SECONDS) {
    throw errors.invalidSignature(`X-Amz-Expires must be between 1 and ${MAX_EXPIRES_SECONDS} seconds`);
  }
  if (signedAt !== undefined && (nowMs > signedAt + expires * 1000 || nowMs < signedAt - MAX_SKEW_MS)) {
    throw errors.invalidSignature("Signature expired: the presigned request is past its X-Amz-Expires");
  }
  const signature = param(q, "X-Amz-Signature");
  if (!/^[0-9a-f]{64}$/.test(signature)) throw errors.invalidSignature("X-Amz-Signature is not a signature");
  const [, accessKeyId, day, region, service] = credential as unknown as string[];
  return {
    accessKeyId: accessKeyId as string,
    day: day as string,
    region: region as string,
    service: service as string,
    signedHeaderList: param(q, "X-Amz-SignedHeaders").toLowerCase(),
    signature,
    amzDate,
    canonicalQuery: rawQuery
      .split("&")
      .filter((p) => !p.startsWith("X-Amz-Signature="))
      .join("&"),
  };
}
