// The S3 API's subset Stratus serves (restXml, signing name `s3`, path-style):
//   PUT /{Bucket}?notification   PutBucketNotificationConfiguration
//   GET /{Bucket}?notification   GetBucketNotificationConfiguration
// Requests are told apart by their SigV4 signing name, not their path, so no bucket
// name can collide with another service's routes; every other S3 request is
// NotImplemented, and errors are written as S3 writes them.
import type { Logger } from "@stratus/shared";
import { StratusError } from "@stratus/shared";
import { type ErrorRequestHandler, type Request, Router } from "express";
import { S3Error, sendS3Error } from "../objects/s3-xml.js";
import type { Objects } from "../objects/start-objects.js";
import { callerAccount } from "./auth.js";
import { rawBody } from "./body.js";
import { requestIdOf } from "./request-log.js";
import { route } from "./route.js";

const notImplemented = () =>
  new S3Error(
    "NotImplemented",
    501,
    "A header you provided implies functionality that is not implemented. Stratus serves only a bucket's notification configuration.",
  );

/** Only `?notification` (S3 sends it without a value). */
const isNotification = (req: Request) => {
  const keys = Object.keys(req.query);
  return keys.length === 1 && keys[0] === "notification" && req.query.notification === "";
};

function ownerChecked(req: Request, accountId: string): void {
  const expected = req.get("x-amz-expected-bucket-owner");
  if (expected !== undefined && expected !== accountId) throw new S3Error("AccessDenied", 403, "Access Denied");
}

export function s3Routes(objects: Pick<Objects, "notifications">, log: Pick<Logger, "error">): Router {
  const r = Router();
  r.use((_req, res, next) => (res.locals.service === "s3" ? next() : next("router")));
  r.put(
    "/:bucket",
    route("PutBucketNotificationConfiguration", async (req, res) => {
      if (!isNotification(req)) throw notImplemented();
      const accountId = callerAccount(res.locals);
      ownerChecked(req, accountId);
      const skip = req.get("x-amz-skip-destination-validation") === "true";
      await objects.notifications.put(accountId, String(req.params.bucket), rawBody(req), skip);
      res.status(200).setHeader("x-amz-request-id", requestIdOf(res.locals));
      res.end();
    }),
  );
  r.get(
    "/:bucket",
    route("GetBucketNotificationConfiguration", async (req, res) => {
      if (!isNotification(req)) throw notImplemented();
      const accountId = callerAccount(res.locals);
      ownerChecked(req, accountId);
      const xml = await objects.notifications.get(accountId, String(req.params.bucket));
      res.status(200).type("application/xml").setHeader("x-amz-request-id", requestIdOf(res.locals));
      res.send(xml);
    }),
  );
  r.use((_req, _res, next) => next(notImplemented()));
  const errorsAsS3: ErrorRequestHandler = (err, _req, res, _next) => {
    const requestId = requestIdOf(res.locals);
    if (!(err instanceof S3Error) && !(err?.status < 500)) log.error("unexpected error", { requestId, err });
    sendS3Error(res, err, requestId);
  };
  r.use(errorsAsS3);
  return r;
}

/** SigV4 refusals as S3 names them. */
const S3_AUTH_CODES: Record<string, string> = {
  InvalidSignatureException: "SignatureDoesNotMatch",
  UnrecognizedClientException: "InvalidAccessKeyId",
  MissingAuthenticationTokenException: "AccessDenied",
};

/**
 * Mounted right after SigV4 authentication: a request signed for S3 that fails it is
 * answered as S3 answers (XML, S3's codes), so S3 clients read the reason.
 */
export const s3AuthErrors: ErrorRequestHandler = (err, req, res, next) => {
  if (!/\/s3\/aws4_request,/.test(req.get("authorization") ?? "") || !(err instanceof StratusError)) return next(err);
  const code = S3_AUTH_CODES[err.code] ?? err.code;
  sendS3Error(res, new S3Error(code, err.status, err.message), requestIdOf(res.locals));
};
