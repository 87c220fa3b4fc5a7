// A lean SigV4-signing HTTP client for the benchmark (undici keep-alive + the AWS
// SDK's signer), so that client-side overhead stays small and constant: requests go
// to the agent with the origin already parsed (undici's request(url) parses the URL
// on every call, about 40 µs here), through undici's dispatch API as the control
// plane calls its nodes (exchange: the request API's response stream costs about
// 40 µs more).
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";
import { exchange } from "@stratus/control-plane";
import { Agent } from "undici";
import type { Credentials } from "../helpers/stack.js";

export function createSignedClient(endpoint: string, region: string, creds: Credentials) {
  const url = new URL(endpoint);
  const agent = new Agent({ keepAliveTimeout: 60_000, connections: 64 });
  const signer = new SignatureV4({
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    region,
    service: "lambda",
    sha256: Hash.bind(null, "sha256"),
  });
  return {
    /** Signs an Invoke now; the returned function sends it (so a caller can time the round trip alone). */
    async prepare(
      functionName: string,
      payload: Buffer,
      invocationType: "RequestResponse" | "Event" = "RequestResponse",
    ): Promise<() => Promise<{ status: number; body: Buffer; requestId?: string }>> {
      const path = `/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`;
      const signed = await signer.sign({
        method: "POST",
        protocol: "http:",
        hostname: url.hostname,
        port: Number(url.port),
        path,
        headers: { host: url.host, "content-type": "application/json", "x-amz-invocation-type": invocationType },
        body: payload,
      });
      const request = { origin: url.origin, path, method: "POST" as const, headers: signed.headers, body: payload };
      return async () => {
        const res = await exchange(agent, request);
        const requestId = res.headers["x-amzn-requestid"];
        return {
          status: res.statusCode,
          body: res.body,
          requestId: typeof requestId === "string" ? requestId : undefined,
        };
      };
    },
    close: () => agent.close(),
  };
}
