// Express middleware putting the raw request body on req.body (SigV4 hashes the
// exact bytes; routes parse JSON from it).
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
