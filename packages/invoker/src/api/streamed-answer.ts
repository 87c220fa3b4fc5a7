// A streamed result answered to the control plane: chunk by chunk to a caller that
// takes a stream (internal-invoke.ts acceptStreamHeader), its end told in trailers;
// collected into one buffered answer, within Lambda's 6 MB sync limit, for any other
// caller (Invoke of a streaming function answers buffered, as in Lambda).
import type { ServerResponse } from "node:http";
import { formatRunUsage, internalInvoke, limits, streamTrailers } from "@stratus/shared";
import type { PoolInvokeResult, PoolStream } from "../pool/container-pool.js";

const TOO_LARGE = `Response payload size exceeded maximum allowed payload size (${limits.syncResponseBytes} bytes).`;

/** Writes `stream` to `res` as it comes, the caller's pace pausing it; `headers` go out with the status. */
export async function sendStream(
  res: ServerResponse,
  stream: PoolStream,
  headers: Record<string, string | number>,
): Promise<PoolInvokeResult> {
  res.writeHead(200, {
    ...headers,
    "content-type": "application/octet-stream",
    [internalInvoke.responseModeHeader]: "streaming",
    [internalInvoke.streamContentTypeHeader]: stream.contentType,
    trailer: Object.values(streamTrailers).join(", "),
  });
  res.flushHeaders();
  const { body } = stream;
  body.on("data", (chunk: Buffer) => {
    if (!res.write(chunk)) body.pause();
  });
  res.on("drain", () => body.resume());
  // The control plane went away: the function's bytes are dropped from here on.
  res.on("close", () => {
    if (!res.writableFinished) body.resume();
  });
  await ended(stream);
  const done = await stream.done;
  const trailers: Record<string, string> = {};
  if (done.functionError) {
    trailers[streamTrailers.functionError] = done.functionError;
    trailers[streamTrailers.errorBody] = done.payload.toString("base64");
  }
  if (done.logResult !== undefined) trailers[streamTrailers.logResult] = done.logResult;
  if (done.usage) trailers[streamTrailers.usage] = formatRunUsage(done.usage);
  res.addTrailers(trailers);
  res.end();
  return done;
}

/** The whole of `stream` as a buffered result: its error if it failed, or it ran past 6 MB. */
export async function collectStream(stream: PoolStream): Promise<PoolInvokeResult> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  stream.body.on("data", (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes <= limits.syncResponseBytes) chunks.push(chunk);
  });
  await ended(stream);
  const done = await stream.done;
  if (done.functionError) return done;
  if (bytes > limits.syncResponseBytes) {
    const payload = Buffer.from(
      JSON.stringify({ errorMessage: TOO_LARGE, errorType: "Function.ResponseSizeTooLarge" }),
    );
    return { ...done, payload, functionError: "Unhandled" };
  }
  return { ...done, payload: Buffer.concat(chunks) };
}

/** Resolves when the body has ended, or broken off. */
function ended({ body }: PoolStream): Promise<void> {
  return new Promise((resolve) => {
    if (body.readableEnded || body.destroyed) return resolve();
    body.once("end", resolve);
    body.once("close", resolve);
    body.once("error", () => resolve());
  });
}
