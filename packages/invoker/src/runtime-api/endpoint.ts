// What a Runtime API endpoint is: a route, who may call it (a function container's
// runtime, through its session, or a stem cell waiting for its identity), and a
// handler that answers, or throws for the one error renderer (errors.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Route } from "./router.js";
import type { Session } from "./session.js";
import type { StemGate } from "./stem-gate.js";

/** One call, from a caller whose address is bound to `bound`. */
export interface Call<T> {
  req: IncomingMessage;
  res: ServerResponse;
  /** The caller's address. */
  ip: string;
  bound: T;
  /** The request id the path names; "" for a path without one. */
  requestId: string;
}

export type RuntimeApiEndpoint =
  | (Route & { caller: "container"; handle(call: Call<Session>): Promise<void> | void })
  | (Route & { caller: "stem-cell"; handle(call: Call<StemGate>): Promise<void> | void });
