// A RESPONSE_STREAM URL's answer from a streamed invocation: a function that wrote
// through awslambda.HttpResponseStream.from answers with its prelude's status, headers
// and cookies (content type application/octet-stream unless they name one), then its
// body as it comes; one that streamed raw bytes answers 200 with them, in the content
// type it set; one that answered whole is mapped by the
// BUFFERED rules. A function error before the first byte is a 502.
import type { Readable } from "node:stream";
import { HTTP_INTEGRATION_CONTENT_TYPE, splitHttpIntegration } from "@stratus/shared";
import type { StreamedInvokeResult } from "../services/streamed-result.js";
import { FUNCTION_FAILED, mapUrlResult, type UrlResponse } from "./url-response.js";

/** An answer whose body is still streaming. */
export interface StreamedUrlResponse {
  status: number;
  headers: Record<string, string | string[]>;
  stream: Readable;
  /** Once the stream has ended: whether the function failed after its first byte (the answer is then cut off). */
  failed: Promise<boolean>;
}

const DEFAULT_TYPE = "application/octet-stream";

async function collect(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks);
}

const failedOf = (result: StreamedInvokeResult) =>
  result.end.then(
    (end) => end.functionError !== undefined,
    () => true,
  );

export async function streamedUrlAnswer(result: StreamedInvokeResult): Promise<UrlResponse | StreamedUrlResponse> {
  if (result.mode === "buffered") {
    const payload = await collect(result.body);
    const end = await result.end;
    return mapUrlResult(end.functionError ? end.payload : payload, end.functionError);
  }
  if (result.contentType !== HTTP_INTEGRATION_CONTENT_TYPE) {
    const type = result.contentType || DEFAULT_TYPE;
    return { status: 200, headers: { "content-type": type }, stream: result.body, failed: failedOf(result) };
  }
  let split: Awaited<ReturnType<typeof splitHttpIntegration>>;
  try {
    split = await splitHttpIntegration(result.body);
  } catch {
    // No prelude came: the function failed before it wrote one, or wrote a bad one.
    result.body.destroy();
    return FUNCTION_FAILED();
  }
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(split.prelude.headers)) headers[k.toLowerCase()] = v;
  headers["content-type"] ??= DEFAULT_TYPE;
  if (split.prelude.cookies.length > 0) headers["set-cookie"] = split.prelude.cookies;
  return { status: split.prelude.statusCode, headers, stream: split.body, failed: failedOf(result) };
}
