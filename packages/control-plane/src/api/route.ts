// Wraps an async Express handler: names the operation (for metrics) and forwards
// rejections to the error middleware (Express 4 does not catch them itself).
import type { NextFunction, Request, RequestHandler, Response } from "express";

export function route(operation: string, fn: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    res.locals.operation = operation;
    fn(req, res).catch(next);
  };
}
