// Stratus' own log API (beside the Lambda API, on the Lambda endpoint, signed for
// `lambda`), reached with the Lambda client's resolved endpoint, region and
// credentials and signed with @smithy/signature-v4 as the SDK signs its own calls.
import { GetFunctionCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import { Hash } from "@smithy/hash-node";
import { getEndpointFromInstructions } from "@smithy/middleware-endpoint";
import { SignatureV4 } from "@smithy/signature-v4";
import { CliError } from "./errors.js";

const PREFIX = "/stratus/2026-11-01";

/** One invocation's stored log, as the API answers it. */
export interface InvocationLog {
  RequestId: string;
  FunctionName: string;
  Version: string;
  StartedAt: string;
  DurationMs: number | null;
  Outcome: string;
  Log: string;
}

export interface LogApi {
  /** The function's newest invocations' logs, newest first (at most `limit`, 1-100). */
  functionLogs(name: string, limit: number): Promise<InvocationLog[]>;
}

export function createLogApi(lambda: LambdaClient): LogApi {
  const request = async (pathname: string, query: Record<string, string>): Promise<unknown> => {
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
    const body = (await res.json().catch(() => ({}))) as { message?: string; Message?: string };
    if (!res.ok) {
      const type = res.headers.get("x-amzn-errortype")?.split(":")[0] ?? `HTTP${res.status}`;
      throw new CliError(type, body.message ?? body.Message ?? res.statusText);
    }
    return body;
  };
  return {
    async functionLogs(name, limit) {
      const path = `${PREFIX}/functions/${encodeURIComponent(name)}/logs`;
      const body = (await request(path, { Limit: String(limit) })) as { Invocations?: InvocationLog[] };
      return body.Invocations ?? [];
    },
  };
}
