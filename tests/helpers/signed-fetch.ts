// SigV4-signed HTTP requests for Stratus endpoints the AWS SDK has no command for.
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import type { Credentials } from "./stack.js";

export async function signedFetch(
  endpoint: string,
  region: string,
  creds: Credentials,
  path: string,
  init: { method?: string; body?: string } = {},
): Promise<Response> {
  const url = new URL(path, endpoint);
  const signer = new SignatureV4({
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    region,
    service: "lambda",
    sha256: Hash.bind(null, "sha256"),
  });
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signed = await signer.sign({
    method: init.method ?? "GET",
    protocol: "http:",
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query,
    headers: { host: url.host, ...(init.body ? { "content-type": "application/json" } : {}) },
    body: init.body,
  });
  return fetch(url, { method: init.method ?? "GET", headers: signed.headers, body: init.body });
}
