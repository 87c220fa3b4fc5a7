// How a streamed result ended, read from its trailers: Lambda's runtime clients report
// an error raised after the stream began as Lambda-Runtime-Function-Error-Type and
// Lambda-Runtime-Function-Error-Body (base64 of the error JSON), since the status and
// headers have long gone out.
import { runtimeApi } from "@stratus/shared";
import { functionErrorJson } from "./results.js";

/** Lambda's error JSON when the trailers report a failure; undefined for a stream that ended well. */
export function streamFailure(trailers: NodeJS.Dict<string>): Buffer | undefined {
  const type = trailers[runtimeApi.errorTypeHeader] || undefined;
  const body = trailers[runtimeApi.errorBodyTrailer] || undefined;
  if (type === undefined && body === undefined) return undefined;
  const text = body === undefined ? "" : Buffer.from(body, "base64").toString("utf8");
  if (text === "") return functionErrorJson(JSON.stringify({ errorMessage: "", errorType: type }), type);
  return functionErrorJson(text, type ?? "Runtime.Unknown");
}
