// POST /runtime/init/error: the runtime could not initialise (its handler does not
// load, say). The session dies with the runtime's error, which fails the invocation
// waiting for it; the pool then removes the container.
import type { RuntimeApiEndpoint } from "../endpoint.js";
import { accepted } from "../replies.js";
import { readFunctionError } from "./results.js";

export const initError: RuntimeApiEndpoint = {
  method: "POST",
  path: "/init/error",
  caller: "container",
  async handle({ req, res, bound: session }) {
    const posted = JSON.parse((await readFunctionError(req)).toString()) as {
      errorType?: string;
      errorMessage?: string;
    };
    session.die({
      errorType: posted.errorType ?? "Runtime.InitError",
      errorMessage: posted.errorMessage ?? "Runtime failed to initialise",
    });
    accepted(res);
  },
};
