// The body of an awsJson1_0/1_1 request (EventBridge, CloudWatch Logs...): a JSON
// object, or a SerializationException as those protocols answer a body they cannot read.
import { StratusError } from "@stratus/shared";
import type { Request } from "express";
import { jsonBody } from "./body.js";

export function awsJsonBody(req: Request): Record<string, unknown> {
  let v: unknown;
  try {
    v = jsonBody(req);
  } catch (err) {
    throw new StratusError("SerializationException", 400, "client", (err as Error).message);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new StratusError("SerializationException", 400, "client", "The request body must be a JSON object");
  }
  return v as Record<string, unknown>;
}
