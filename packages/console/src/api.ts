// Every call the console makes: same-origin fetches that carry the session cookie and
// echo its CSRF cookie in a header. The AWS operations go to the very routes the AWS
// CLI uses (the session stands in for a signature); an error comes back as Lambda's
// (X-Amzn-ErrorType and a message) and is thrown as ApiError. A 401 means the session
// ended: the app goes back to sign-in.

export class ApiError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let onSessionEnded: () => void = () => undefined;
export function whenSessionEnds(f: () => void): void {
  onSessionEnded = f;
}

export function csrfToken(): string {
  const m = /(?:^|;\s*)stratus_csrf=([^;]*)/.exec(document.cookie);
  return m?.[1] ?? "";
}

export interface CallOptions {
  method?: string;
  body?: unknown;
  /** The service the call is for (the SigV4 signing name it stands in for). */
  service?: string;
  headers?: Record<string, string>;
  /** A 401 is only thrown, not taken as the session's end (a call made before the session is known). */
  quiet?: boolean;
}

/** The code and message of an awsQuery (XML) error document, as SNS and IAM answer. */
export function queryError(text: string): { code?: string; message?: string } {
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  return { code: code && unescapeXml(code), message: message && unescapeXml(message) };
}

export const unescapeXml = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(Number.parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(Number(e.slice(1)));
    return { lt: "<", gt: ">", quot: '"', apos: "'", amp: "&" }[e] as string;
  });

async function errorOf(res: Response): Promise<ApiError> {
  let type = res.headers.get("x-amzn-errortype")?.split(":")[0];
  let message = res.statusText;
  const text = await res.text().catch(() => "");
  try {
    const b = JSON.parse(text) as { message?: string; Message?: string };
    message = b.message ?? b.Message ?? message;
  } catch {
    // not JSON: an awsQuery error document, or keep the status text
    const q = queryError(text);
    type ??= q.code;
    message = q.message ?? message;
  }
  return new ApiError(type ?? `HTTP ${res.status}`, res.status, message);
}

/** The raw response of a call; throws ApiError on a non-2xx answer. */
export async function call(path: string, o: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { "x-stratus-csrf": csrfToken(), ...(o.headers ?? {}) };
  if (o.service) headers["x-stratus-service"] = o.service;
  let body: BodyInit | undefined;
  if (o.body !== undefined) {
    body = typeof o.body === "string" ? o.body : JSON.stringify(o.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(path, { method: o.method ?? "GET", headers, body, credentials: "same-origin" });
  if (!res.ok) {
    const err = await errorOf(res);
    if (res.status === 401 && !o.quiet && !path.endsWith("/console/api/session")) onSessionEnded();
    throw err;
  }
  return res;
}

export async function callJson<T>(path: string, o: CallOptions = {}): Promise<T> {
  const res = await call(path, o);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export interface Who {
  accountId: string;
  accessKeyId: string;
  expiresAt: string;
}

export const signIn = (accessKeyId: string, secretAccessKey: string) =>
  callJson<Who>("/console/api/session", { method: "POST", body: { accessKeyId, secretAccessKey } });
export const currentSession = () => callJson<Who>("/console/api/session");
export const signOut = () => call("/console/api/session", { method: "DELETE" });
