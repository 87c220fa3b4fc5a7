// Request parameters shared by the Lambda routes: the caller's function reference
// and list pagination.
import type { Request, Response } from "express";
import { type FunctionRef, parseFunctionRef } from "../services/function-ref.js";
import { callerAccount } from "./auth.js";

export interface Target extends FunctionRef {
  accountId: string;
}

/** The function named in the path (and `?Qualifier=` when allowed), scoped to the caller. */
export function target(req: Request, res: Response, allowQualifier = true): Target {
  const accountId = callerAccount(res.locals);
  const q = allowQualifier && typeof req.query.Qualifier === "string" ? req.query.Qualifier : undefined;
  return { accountId, ...parseFunctionRef(String(req.params.name), accountId, q) };
}

export function page(req: Request): { marker: string | undefined; maxItems: number } {
  const raw = Number(req.query.MaxItems ?? 50);
  const maxItems = Number.isFinite(raw) ? Math.min(Math.max(Math.trunc(raw), 1), 10_000) : 50;
  const marker = typeof req.query.Marker === "string" && req.query.Marker ? req.query.Marker : undefined;
  return { marker, maxItems };
}
