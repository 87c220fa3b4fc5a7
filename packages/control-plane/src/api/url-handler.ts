// The function URL listener's requests: find the URL (by Host or path), answer a CORS
// preflight, check AWS_IAM callers' SigV4 (header or presigned form, service lambda)
// and the function's resource policy (lambda:InvokeFunctionUrl for the URL's auth type:
// anyone for NONE, another account for AWS_IAM; the owner's keys need none), and for a
// caller signing as an IAM principal (a role's temporary credentials, a user's key) its
// own policies' lambda:InvokeFunctionUrl on the function; read the body under Lambda's 6 MB sync limit, build the
// payload 2.0 event and invoke through the sync invoke service (aliases, weights,
// concurrency limits), then map the result to HTTP (a RESPONSE_STREAM URL streams it:
// url-stream.ts). Refusals are answered as Lambda's
// URLs answer them ({"Message": ...}), never in the control API's error shape.

import { randomUUID } from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import {
  type ByteBudget,
  isTooLarge,
  type Logger,
  limits,
  readBody,
  StratusError,
  traceResponseHeaders,
  headers as wire,
} from "@stratus/shared";
import { type Access, principalArn, principalOf } from "../iam/access.js";
import type { InvokeService } from "../services/invoke-service.js";
import type { PolicyService } from "../services/policy-service.js";
import type { FunctionUrlConfig } from "../url-config.js";
import { isPreflight, preflightHeaders, responseCorsHeaders } from "../urls/url-cors.js";
import { buildUrlEvent, type UrlCaller } from "../urls/url-event.js";
import { targetOf } from "../urls/url-forms.js";
import {
  FORBIDDEN,
  FUNCTION_FAILED,
  mapUrlResult,
  NOT_FOUND,
  SERVICE_ERROR,
  THROTTLED,
  TOO_LARGE,
  type UrlResponse,
} from "../urls/url-response.js";
import type { UrlService } from "../urls/url-service.js";
import { type StreamedUrlResponse, streamedUrlAnswer } from "../urls/url-stream.js";
import { signedHead } from "./auth.js";
import { requestTrace } from "./invoke-request.js";
import { type AccessLog, accountOf, elapsedMs, noteAccount } from "./request-log.js";
import { peerAddress, requestFacts } from "./session-access.js";
import type { SigV4Verifier } from "./sigv4.js";

export interface UrlHandlerDeps {
  urls: Pick<UrlService, "byId">;
  invoke: Pick<InvokeService, "invokeSync" | "invokeStream">;
  /** The functions' resource policies, which must grant lambda:InvokeFunctionUrl to callers other than the owner. */
  policies: Pick<PolicyService, "allows">;
  /** Accepts service `lambda` only. */
  verifier: SigV4Verifier;
  /** Judges callers signing as IAM principals; absent, such a caller is refused. */
  principals?: { access: Pick<Access, "check">; region: string };
  /** Bounds the bytes of all bodies being read (shared with the API). */
  budget: ByteBudget;
  /** Counts each answer by its status. */
  counted: (status: number) => void;
  log: Logger;
  /** The scheme clients reach the listener by (x-forwarded-proto). */
  scheme: string;
  /** Where each answered call's access line goes, as the API's (request-log.ts). */
  access?: AccessLog;
}

/** A refusal with the answer it gets. */
class Answer extends Error {
  constructor(readonly response: UrlResponse) {
    super("answered");
  }
}

export function createUrlHandler(deps: UrlHandlerDeps): RequestListener {
  async function read(req: IncomingMessage): Promise<Buffer> {
    try {
      return await readBody(req, limits.syncPayloadBytes, deps.budget);
    } catch (err) {
      if (isTooLarge(err)) throw new Answer(TOO_LARGE());
      if (err instanceof StratusError && err.status === 429) throw new Answer(THROTTLED());
      throw err;
    }
  }

  /** Whether the function's policy grants lambda:InvokeFunctionUrl to `principalAccount` (none: anyone). */
  const granted = (config: FunctionUrlConfig, principalAccount?: string) =>
    deps.policies.allows(config.accountId, config.functionName, config.qualifier, {
      action: "lambda:InvokeFunctionUrl",
      functionUrlAuthType: config.authType,
      ...(principalAccount ? { principalAccount } : {}),
    });

  /** The body, and for AWS_IAM the verified caller: the function's own account, or one its policy grants. */
  async function authorize(req: IncomingMessage, config: FunctionUrlConfig) {
    if (config.authType === "NONE") {
      if (!(await granted(config))) throw new Answer(FORBIDDEN());
      return { body: await read(req), caller: undefined };
    }
    const signed = signedHead(req);
    let caller: UrlCaller;
    let body: Buffer;
    try {
      const claim = await deps.verifier.precheck(signed);
      body = await read(req);
      const key = deps.verifier.confirm(signed, claim, body);
      caller = { accountId: key.accountId, accessKeyId: key.accessKeyId };
      const principal = principalOf(key);
      if (principal) {
        if (!deps.principals) throw new Answer(FORBIDDEN());
        caller.userArn = principalArn(principal);
        const { accountId, functionName, qualifier } = config;
        const arn = `arn:aws:lambda:${deps.principals.region}:${accountId}:function:${functionName}${qualifier ? `:${qualifier}` : ""}`;
        await deps.principals.access.check(
          principal,
          "lambda:InvokeFunctionUrl",
          [arn],
          requestFacts(req, claim.scope.region),
        );
      }
    } catch (err) {
      if (err instanceof Answer) throw err;
      if (err instanceof StratusError && err.status === 403) throw new Answer(FORBIDDEN());
      throw err;
    }
    if (caller.accountId !== config.accountId && !(await granted(config, caller.accountId)))
      throw new Answer(FORBIDDEN());
    return { body, caller };
  }

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    arrived: number,
  ): Promise<UrlResponse | StreamedUrlResponse> {
    const target = targetOf(req.headers.host, req.url ?? "/");
    const config = target && (await deps.urls.byId(target.urlId));
    if (!target || !config) throw new Answer(NOT_FOUND());
    noteAccount(res, config.accountId);
    const origin = req.headers.origin;
    if (config.cors && isPreflight(req.method ?? "", req.headers)) {
      const method = String(req.headers["access-control-request-method"]);
      const asked = req.headers["access-control-request-headers"];
      return {
        status: 200,
        headers: preflightHeaders(config.cors, String(origin), method, asked),
        body: Buffer.alloc(0),
      };
    }
    const { body, caller } = await authorize(req, config);
    const event = buildUrlEvent(
      {
        method: req.method ?? "GET",
        rawPath: target.rawPath,
        rawQuery: target.rawQuery,
        rawHeaders: req.rawHeaders,
        body,
        sourceIp: peerAddress(req),
        domainName: target.domainName,
        urlId: target.urlId,
        requestId,
        timeEpoch: arrived,
        scheme: deps.scheme,
        port: req.socket.localPort ?? 0,
      },
      caller,
    );
    const payload = Buffer.from(JSON.stringify(event));
    if (payload.length > limits.syncPayloadBytes) throw new Answer(TOO_LARGE());
    const call = {
      accountId: config.accountId,
      functionName: config.functionName,
      qualifier: config.qualifier,
      payload,
      requestId,
      ownRequestId: true,
      trace: { incoming: requestTrace(req), acceptedAt: arrived },
    };
    let out: UrlResponse | StreamedUrlResponse;
    if (config.invokeMode === "RESPONSE_STREAM") {
      const result = await deps.invoke.invokeStream(call);
      out = await streamedUrlAnswer(result);
      Object.assign(out.headers, traceResponseHeaders(result.trace));
    } else {
      const result = await deps.invoke.invokeSync(call);
      out = mapUrlResult(result.payload, result.functionError);
      Object.assign(out.headers, traceResponseHeaders(result.trace));
    }
    if (config.cors) Object.assign(out.headers, responseCorsHeaders(config.cors, origin));
    return out;
  }

  /** The answer to a failure: its own for a refusal, Lambda's URL answers for the invoke's errors. */
  function failure(err: unknown, requestId: string): UrlResponse {
    if (err instanceof Answer) return err.response;
    if (err instanceof StratusError) {
      if (err.status === 429) return THROTTLED();
      if (err.status === 404) return NOT_FOUND();
      if (err.kind === "function" || err.status === 502) return FUNCTION_FAILED();
      if (err.status === 413) return TOO_LARGE();
      if (err.kind === "platform") deps.log.warn(`function URL: ${err.code}: ${err.message}`, { requestId });
    } else {
      deps.log.error("function URL: unexpected error", { requestId, err });
    }
    return SERVICE_ERROR();
  }

  /** Sends the head at once and the body as it comes (chunked); cut off if the function fails mid-way. */
  function stream(req: IncomingMessage, res: ServerResponse, out: StreamedUrlResponse, requestId: string): void {
    res.writeHead(out.status, { ...out.headers, [wire.requestId]: requestId });
    deps.counted(out.status);
    if (req.method === "HEAD") {
      out.stream.destroy();
      res.end();
      return;
    }
    res.on("close", () => out.stream.destroy());
    out.stream.on("error", () => res.destroy());
    out.stream.on("end", () => {
      out.failed.then((failed) => (failed ? res.destroy() : res.end()));
    });
    out.stream.on("data", (chunk: Buffer) => {
      if (!res.write(chunk)) {
        out.stream.pause();
        res.once("drain", () => out.stream.resume());
      }
    });
  }

  function send(
    req: IncomingMessage,
    res: ServerResponse,
    out: UrlResponse | StreamedUrlResponse,
    requestId: string,
  ): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if ("stream" in out) {
      stream(req, res, out, requestId);
      return;
    }
    const headers: Record<string, string | string[] | number> = {
      ...out.headers,
      [wire.requestId]: requestId,
      "content-length": out.body.length,
    };
    // A refusal before the body was read: the rest of it is never read.
    if (!req.complete) headers.connection = "close";
    res.writeHead(out.status, headers);
    res.end(req.method === "HEAD" ? undefined : out.body);
    deps.counted(out.status);
  }

  /** One access line per call once its answer is over (sent, or cut off): never a query string, header or body. */
  function logged(req: IncomingMessage, res: ServerResponse, requestId: string): void {
    const access = deps.access;
    if (!access) return;
    const startedAt = performance.now();
    res.once("close", () =>
      access(() => {
        const account = accountOf(res);
        return {
          requestId,
          ...(account ? { account } : {}),
          operation: "InvokeFunctionUrl",
          status: res.statusCode,
          latencyMs: elapsedMs(startedAt),
          method: req.method,
          path: (req.url ?? "/").split("?")[0],
        };
      }),
    );
  }

  return (req, res) => {
    const requestId = randomUUID();
    logged(req, res, requestId);
    handle(req, res, requestId, Date.now()).then(
      (out) => send(req, res, out, requestId),
      (err: unknown) => send(req, res, failure(err, requestId), requestId),
    );
  };
}
