// Express middleware putting the raw request body on req.body, for routes whose
// sender is known before the body is read (the token-guarded internal routes); the
// Lambda API reads its bodies through auth.ts's signedBody instead.
import { readBody } from "@stratus/shared";
import type { RequestHandler } from "express";

export function rawBodyReader(maxBytes: number): RequestHandler {
  return (req, _res, next) => {
    readBody(req, maxBytes).then((body) => {
      req.body = body;
      next();
    }, next);
  };
}
