// The two forms of a function URL, both always served by the URL listener:
// `<id>.lambda-url.<region>.<domain>` routed by the Host header (as Lambda's
// `<id>.lambda-url.<region>.on.aws`), and the path form `<base>/<id>/...` that works
// with plain curl where no DNS name points at Stratus. FunctionUrl is the host form
// when a domain is configured, the path form otherwise.
import { randomBytes } from "node:crypto";

export const URL_ID = /^[a-z0-9]{32}$/;
const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** 32 random lowercase letters and digits (about 165 bits), without modulo bias. */
export function newUrlId(): string {
  let id = "";
  while (id.length < 32) {
    for (const b of randomBytes(48)) {
      if (b < 252 && id.length < 32) id += ALPHABET[b % 36];
    }
  }
  return id;
}

export interface UrlForms {
  /** The FunctionUrl the API returns for a URL id (ends with `/`). */
  functionUrl(urlId: string): string;
}

/**
 * `base`: the URL listener as clients reach it (`http://127.0.0.1:9002`), read when a
 * URL is rendered (a listener on port 0 learns its port only once listening).
 * `domain`: when set, URLs are `<scheme>://<id>.lambda-url.<region>.<domain>[:port]/`.
 */
export function createUrlForms(base: () => string, region: string, domain: string | undefined): UrlForms {
  return {
    functionUrl(urlId) {
      const b = new URL(base());
      if (!domain) return `${b.origin}/${urlId}/`;
      return `${b.protocol}//${urlId}.lambda-url.${region}.${domain}${b.port ? `:${b.port}` : ""}/`;
    },
  };
}

export interface UrlTarget {
  urlId: string;
  /** The path the function sees: the request's, without the path form's `/<id>` prefix. */
  rawPath: string;
  /** The query string as received, without `?` ("" when none). */
  rawQuery: string;
  /** The host the request named (domainName in the event). */
  domainName: string;
}

const HOST_FORM = /^([a-z0-9]{32})\.lambda-url\.[a-z0-9-]+\./;
const PATH_FORM = /^\/([a-z0-9]{32})(?=\/|$)/;

/** Which URL a request is for: by its Host header first, else by its first path segment. */
export function targetOf(host: string | undefined, url: string): UrlTarget | undefined {
  const q = url.indexOf("?");
  const path = q >= 0 ? url.slice(0, q) : url;
  const rawQuery = q >= 0 ? url.slice(q + 1) : "";
  const domainName = (host ?? "").replace(/:\d+$/, "");
  const byHost = host ? HOST_FORM.exec(host.toLowerCase()) : null;
  if (byHost) return { urlId: byHost[1] as string, rawPath: path || "/", rawQuery, domainName };
  const byPath = PATH_FORM.exec(path);
  if (!byPath) return undefined;
  return { urlId: byPath[1] as string, rawPath: path.slice(33) || "/", rawQuery, domainName };
}
