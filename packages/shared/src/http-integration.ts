// The application/vnd.awslambda.http-integration-response stream a function writes
// through awslambda.HttpResponseStream.from: a JSON prelude ({statusCode, headers,
// cookies}), eight NUL bytes, then the HTTP body. A function URL in RESPONSE_STREAM
// mode answers with the prelude's status and headers and streams the rest.
import { Readable } from "node:stream";
import { StratusError } from "./errors.js";

export const HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
const DELIMITER = Buffer.alloc(8);
/** The most a prelude may take before its delimiter. */
export const MAX_PRELUDE_BYTES = 64 * 1024;

export interface HttpPrelude {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
}

const malformed = (message: string) => new StratusError("Runtime.InvalidPrelude", 502, "function", message);

/** The prelude's JSON as an HttpPrelude: status 200, no headers and no cookies where it names none. */
export function parsePrelude(json: string): HttpPrelude {
  let raw: unknown;
  try {
    raw = json.trim() === "" ? {} : JSON.parse(json);
  } catch {
    throw malformed("The response prelude is not JSON");
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw malformed("The response prelude is not an object");
  const { statusCode = 200, headers = {}, cookies = [] } = raw as Record<string, unknown>;
  if (typeof statusCode !== "number" || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw malformed("The response prelude's statusCode is not an HTTP status");
  }
  if (!headers || typeof headers !== "object" || Array.isArray(headers)) {
    throw malformed("The response prelude's headers are not an object");
  }
  const named: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) named[k] = String(v);
  if (!Array.isArray(cookies) || cookies.some((c) => typeof c !== "string")) {
    throw malformed("The response prelude's cookies are not a list of strings");
  }
  return { statusCode, headers: named, cookies: cookies as string[] };
}

/**
 * Reads `body` up to its prelude's delimiter; resolves with the prelude and the rest
 * of the body, streamed as it comes. A prelude past MAX_PRELUDE_BYTES, or a body that
 * ends before its delimiter, is refused (Runtime.InvalidPrelude).
 */
export async function splitHttpIntegration(body: Readable): Promise<{ prelude: HttpPrelude; body: Readable }> {
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  for (;;) {
    const next = await chunks.next();
    if (next.done) throw malformed("The response ended before its prelude's delimiter");
    head = Buffer.concat([head, Buffer.from(next.value)]);
    const at = head.indexOf(DELIMITER);
    if (at !== -1) {
      const prelude = parsePrelude(head.subarray(0, at).toString("utf8"));
      const rest = head.subarray(at + DELIMITER.length);
      return { prelude, body: Readable.from(remaining(rest, chunks)) };
    }
    if (head.length > MAX_PRELUDE_BYTES + DELIMITER.length) {
      throw malformed(`The response prelude is over ${MAX_PRELUDE_BYTES} bytes`);
    }
  }
}

async function* remaining(first: Buffer, chunks: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  if (first.length > 0) yield first;
  for (;;) {
    const next = await chunks.next();
    if (next.done) return;
    yield Buffer.from(next.value);
  }
}
