// Stratus' own log API (beside the Lambda API, on the Lambda endpoint), read through
// stratus-get.ts.
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { STRATUS_API as PREFIX, stratusGet } from "./stratus-get.js";

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
  const request = async (pathname: string, query: Record<string, string>): Promise<unknown> =>
    JSON.parse(await stratusGet(lambda, pathname, query)) as unknown;
  return {
    async functionLogs(name, limit) {
      const path = `${PREFIX}/functions/${encodeURIComponent(name)}/logs`;
      const body = (await request(path, { Limit: String(limit) })) as { Invocations?: InvocationLog[] };
      return body.Invocations ?? [];
    },
  };
}
