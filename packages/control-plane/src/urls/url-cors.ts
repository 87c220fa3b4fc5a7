// CORS for function URLs, from the URL's Cors config: the platform answers a preflight
// (OPTIONS with Origin and Access-Control-Request-Method) itself, and adds the
// Access-Control-Allow-Origin, -Expose-Headers and -Allow-Credentials headers to an
// actual response whose Origin the config allows (overriding the function's own).
// An origin, method or header the config does not allow gets no CORS headers, so the
// browser refuses the call. A URL without a Cors config passes everything through.
import type { Cors } from "../url-config.js";

type Headers = Record<string, string>;

const has = (list: string[] | undefined, value: string) =>
  list?.some((x) => x === "*" || x.toLowerCase() === value.toLowerCase()) ?? false;

/** The Access-Control-Allow-Origin for `origin`, or undefined when the config does not allow it. */
function allowedOrigin(cors: Cors, origin: string): string | undefined {
  const origins = cors.AllowOrigins ?? [];
  if (origins.some((o) => o.toLowerCase() === origin.toLowerCase())) return origin;
  // `*` with credentials cannot be sent literally: browsers refuse it, so the origin is echoed.
  if (origins.includes("*")) return cors.AllowCredentials ? origin : "*";
  return undefined;
}

export function isPreflight(method: string, headers: Record<string, unknown>): boolean {
  return method === "OPTIONS" && headers.origin !== undefined && headers["access-control-request-method"] !== undefined;
}

/** The headers of the platform's answer to a preflight (200, empty body). */
export function preflightHeaders(cors: Cors, origin: string, method: string, requested: string | undefined): Headers {
  const allowOrigin = allowedOrigin(cors, origin);
  const asked = (requested ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  if (!allowOrigin || !has(cors.AllowMethods, method) || !asked.every((h) => has(cors.AllowHeaders, h))) {
    return { vary: "Origin" };
  }
  const out: Headers = { "access-control-allow-origin": allowOrigin, vary: "Origin" };
  const methods = cors.AllowMethods ?? [];
  out["access-control-allow-methods"] = methods.includes("*") ? method : methods.join(",");
  if (asked.length > 0) {
    const allowHeaders = cors.AllowHeaders ?? [];
    out["access-control-allow-headers"] = allowHeaders.includes("*") ? asked.join(",") : allowHeaders.join(",");
  }
  if (cors.AllowCredentials) out["access-control-allow-credentials"] = "true";
  if (cors.MaxAge !== undefined) out["access-control-max-age"] = String(cors.MaxAge);
  return out;
}

/** The CORS headers of an actual response to a request from `origin` ({} when not allowed). */
export function responseCorsHeaders(cors: Cors, origin: string | undefined): Headers {
  if (origin === undefined) return {};
  const allowOrigin = allowedOrigin(cors, origin);
  if (!allowOrigin) return {};
  const out: Headers = { "access-control-allow-origin": allowOrigin, vary: "Origin" };
  if (cors.ExposeHeaders?.length) out["access-control-expose-headers"] = cors.ExposeHeaders.join(",");
  if (cors.AllowCredentials) out["access-control-allow-credentials"] = "true";
  return out;
}
