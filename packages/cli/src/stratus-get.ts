// A GET of Stratus' own API (beside the Lambda API, on the Lambda endpoint, signed for
// `lambda`), reached with the Lambda client's resolved endpoint, region and credentials
// and signed with @smithy/signature-v4 as the SDK signs its own calls. A refusal
// becomes a CliError naming the error type and the server's message.
import { GetFunctionCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { Hash } from "@smithy/hash-node";
import { getEndpointFromInstructions } from "@smithy/middleware-endpoint";
import { SignatureV4 } from "@smithy/signature-v4";
import { CliError } from "./errors.js";

export const STRATUS_API = "/stratus/2026-11-01";

/** The answer's body as text, once the server answered 2xx. */
export async function stratusGet(
  lambda: LambdaClient,
  pathname: string,
  query: Record<string, string>,
): Promise<string> {
  const endpoint = await getEndpointFromInstructions({ FunctionName: "x" }, GetFunctionCommand, lambda.config);
  const url = new URL(endpoint.url.href);
  url.pathname = `${url.pathname.replace(/\/$/, "")}${pathname}`;
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const signer = new SignatureV4({
    credentials: lambda.config.credentials,
    region: await lambda.config.region(),
    service: "lambda",
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.sign({
    method: "GET",
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query,
    headers: { host: url.host },
  });
  const res = await fetch(url, { headers: signed.headers });
  const text = await res.text();
  if (!res.ok) {
    const type = res.headers.get("x-amzn-errortype")?.split(":")[0] ?? `HTTP${res.status}`;
    let message = res.statusText;
    try {
      const body = JSON.parse(text) as { message?: string; Message?: string };
      message = body.message ?? body.Message ?? message;
    } catch {}
    throw new CliError(type, message);
  }
  return text;
}
