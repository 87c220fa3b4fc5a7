// GET /2018-06-01/stratus/specialise (Stratus only): a stem cell's long poll for the
// handler and environment of the function it is to become (stem-gate.ts). Handed
// over once: the address's stem binding is then forgotten, so that from then on it is
// only its function's session. A poll that outlasts `pollMs` is answered 204 and the
// runtime polls again; one whose stem cell retired meanwhile, 410.

import type { RuntimeApiEndpoint } from "../endpoint.js";
import { runtimeApiErrors } from "../errors.js";
import { sendJson } from "../replies.js";
import type { StemGate } from "../stem-gate.js";

/** `forget`: drops `ip`'s stem binding if it is still `gate` (RuntimeApiServer.unbindStem). */
export function specialise(forget: (ip: string, gate: StemGate) => void, pollMs: number): RuntimeApiEndpoint {
  return {
    method: "GET",
    path: "/specialise",
    caller: "stem-cell",
    async handle({ res, ip, bound: gate }) {
      const identity = await gate.wait(pollMs);
      if (identity) {
        forget(ip, gate);
        return sendJson(res, 200, identity);
      }
      if (gate.state === "closed") throw runtimeApiErrors.gone("Stem cell retired");
      res.writeHead(204).end();
    },
  };
}
