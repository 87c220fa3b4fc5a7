// Builds the event a function URL request becomes: API Gateway's payload format 2.0,
// as Lambda builds it for URLs. Headers are lowercased with repeated ones comma-joined
// (the cookie header moves to `cookies`), repeated query parameters comma-joined,
// binary bodies base64-encoded; a key with nothing to carry is left out, never null.
// Maps keyed by what the client sent have no prototype (`__proto__` is just a name).
import { isUtf8 } from "node:buffer";

/** A URL request as the listener read it. */
export interface UrlRequest {
  method: string;
  /** The path the function sees, still percent-encoded. */
  rawPath: string;
  rawQuery: string;
  /** Node's rawHeaders: name, value, name, value... */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  domainName: string;
  urlId: string;
  requestId: string;
  /** Epoch ms at which the request arrived. */
  timeEpoch: number;
  /** The listener's scheme and port, for x-forwarded-proto and x-forwarded-port. */
  scheme: string;
  port: number;
}

/** The signer of an AWS_IAM request. */
export interface UrlCaller {
  accountId: string;
  accessKeyId: string;
  /** The IAM user or role session that signed; absent for the account's own keys (its root). */
  userArn?: string;
}

type Dict = Record<string, string>;
const dict = (): Dict => Object.create(null) as Dict;

const TEXT_TYPES = new Set(["application/json", "application/javascript", "application/xml", "application/yaml"]);

/** Whether Lambda passes a body of this content type as text (otherwise base64). */
export function isTextContent(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = (contentType.split(";")[0] as string).trim().toLowerCase();
  return type.startsWith("text/") || TEXT_TYPES.has(type) || type.endsWith("+json") || type.endsWith("+xml");
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

/** requestContext.time: 12/Mar/2020:19:03:58 +0000 */
export function requestTime(epochMs: number): string {
  const d = new Date(epochMs);
  return (
    `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

/** Query parameters, repeated ones comma-joined; undefined when there are none. */
export function queryParameters(rawQuery: string): Dict | undefined {
  if (!rawQuery) return undefined;
  let out: Dict | undefined;
  for (const pair of rawQuery.split("&")) {
    if (!pair) continue;
    const eq = pair.indexOf("=");
    const key = decode(eq >= 0 ? pair.slice(0, eq) : pair);
    const value = eq >= 0 ? decode(pair.slice(eq + 1)) : "";
    out ??= dict();
    out[key] = key in out ? `${out[key]},${value}` : value;
  }
  return out;
}

export function buildUrlEvent(req: UrlRequest, caller?: UrlCaller): Record<string, unknown> {
  const headers = dict();
  const cookies: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    const value = req.rawHeaders[i + 1] as string;
    if (name === "cookie") {
      for (const c of value.split(";")) if (c.trim()) cookies.push(c.trim());
      continue;
    }
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  headers["x-forwarded-for"] = req.sourceIp;
  headers["x-forwarded-proto"] = req.scheme;
  headers["x-forwarded-port"] = String(req.port);
  const query = queryParameters(req.rawQuery);
  const userAgent = headers["user-agent"];
  const http = {
    method: req.method,
    path: req.rawPath,
    protocol: "HTTP/1.1",
    sourceIp: req.sourceIp,
    ...(userAgent !== undefined ? { userAgent } : {}),
  };
  const requestContext = {
    accountId: caller ? caller.accountId : "anonymous",
    apiId: req.urlId,
    ...(caller
      ? {
          authorizer: {
            iam: {
              accessKey: caller.accessKeyId,
              accountId: caller.accountId,
              callerId: caller.accessKeyId,
              userArn: caller.userArn ?? `arn:aws:iam::${caller.accountId}:root`,
              userId: caller.accessKeyId,
            },
          },
        }
      : {}),
    domainName: req.domainName,
    domainPrefix: req.urlId,
    http,
    requestId: req.requestId,
    routeKey: "$default",
    stage: "$default",
    time: requestTime(req.timeEpoch),
    timeEpoch: req.timeEpoch,
  };
  const binary = req.body.length > 0 && !(isTextContent(headers["content-type"]) && isUtf8(req.body));
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: req.rawPath,
    rawQueryString: req.rawQuery,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext,
    ...(req.body.length > 0 ? { body: req.body.toString(binary ? "base64" : "utf8") } : {}),
    isBase64Encoded: binary,
  };
}
