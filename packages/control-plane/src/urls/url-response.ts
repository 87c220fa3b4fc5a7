// Turns a function's result into the HTTP response of its URL, by Lambda's rules: an
// object with a statusCode is a structured response used as given (headers,
// multiValueHeaders, one Set-Cookie per cookie, body, isBase64Encoded); any other JSON
// is a 200 application/json whose body is that JSON (a string: the string itself). A
// function error, or a structured response that HTTP cannot carry, is a 502.
import { validateHeaderName, validateHeaderValue } from "node:http";

export interface UrlResponse {
  status: number;
  /** Lowercase names; an array is sent as one header line per value (set-cookie). */
  headers: Record<string, string | string[]>;
  body: Buffer;
}

const json = (status: number, message: string): UrlResponse => ({
  status,
  headers: { "content-type": "application/json" },
  body: Buffer.from(JSON.stringify({ Message: message })),
});

export const FORBIDDEN = () => json(403, "Forbidden");
export const NOT_FOUND = () => json(404, "Not Found");
export const TOO_LARGE = () => json(413, "Request Entity Too Large");
export const THROTTLED = () => json(429, "Too Many Requests");
export const FUNCTION_FAILED = () => json(502, "Internal Server Error");
export const SERVICE_ERROR = () => json(500, "Internal Server Error");

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const scalar = (v: unknown) => typeof v === "string" || typeof v === "number" || typeof v === "boolean";

/** Framing and connection headers are the listener's to send: a function's would corrupt the response. */
const LISTENER_HEADERS = new Set([
  "connection",
  "content-length",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** Adds a header under its lowercase name; a repeated name is comma-joined (set-cookie: one line each). */
function add(out: Record<string, string | string[]>, name: string, value: unknown): void {
  if (!scalar(value)) throw new Error(`header ${name} is not a string`);
  const key = name.toLowerCase();
  if (LISTENER_HEADERS.has(key)) return;
  const text = String(value);
  validateHeaderName(key);
  validateHeaderValue(key, text);
  const had = out[key];
  if (key === "set-cookie") out[key] = [...(had === undefined ? [] : Array.isArray(had) ? had : [had]), text];
  else out[key] = had === undefined ? text : `${had},${text}`;
}

function structured(result: Json): UrlResponse {
  const status = result.statusCode;
  if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) {
    throw new Error("statusCode is not an HTTP status");
  }
  const headers: Record<string, string | string[]> = Object.create(null);
  if (isObject(result.headers)) for (const [k, v] of Object.entries(result.headers)) add(headers, k, v);
  if (isObject(result.multiValueHeaders)) {
    for (const [k, vs] of Object.entries(result.multiValueHeaders)) {
      for (const v of Array.isArray(vs) ? vs : [vs]) add(headers, k, v);
    }
  }
  if (Array.isArray(result.cookies)) for (const c of result.cookies) add(headers, "set-cookie", c);
  if (headers["content-type"] === undefined) headers["content-type"] = "application/json";
  let body = Buffer.alloc(0);
  if (result.body !== undefined && result.body !== null) {
    const text = typeof result.body === "string" ? result.body : JSON.stringify(result.body);
    body = result.isBase64Encoded === true ? Buffer.from(text, "base64") : Buffer.from(text);
  }
  return { status, headers, body };
}

export function mapUrlResult(payload: Buffer, functionError: string | undefined): UrlResponse {
  if (functionError) return FUNCTION_FAILED();
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString("utf8"));
  } catch {
    // Not JSON (a custom runtime's raw text): the bytes are the body.
    return { status: 200, headers: { "content-type": "application/json" }, body: payload };
  }
  if (isObject(parsed) && "statusCode" in parsed) {
    try {
      return structured(parsed);
    } catch {
      return FUNCTION_FAILED();
    }
  }
  const body = typeof parsed === "string" ? Buffer.from(parsed) : payload;
  return { status: 200, headers: { "content-type": "application/json" }, body };
}
