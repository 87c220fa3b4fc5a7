// Wraps an async Express handler: names the operation (for metrics), asks the
// request's authorizer about it when it has one (temporary credentials,
// session-access.ts), and forwards rejections to the error middleware (Express 4
// does not catch them itself).
import type { NextFunction, Request, RequestHandler, Response } from "express";
import type { Authorize } from "./session-access.js";

export function route(operation: string, fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.operation = operation;
    const authorize = res.locals.authorize as Authorize | undefined;
    (authorize ? authorize(operation, req).then(() => fn(req, res)) : fn(req, res)).catch(next);
  };
}
