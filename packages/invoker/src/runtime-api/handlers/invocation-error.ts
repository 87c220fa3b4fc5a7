// POST /runtime/invocation/{id}/error: the function failed the invocation in
// progress; its error (results.ts readFunctionError) is the invocation's answer.
import type { RuntimeApiEndpoint } from "../endpoint.js";
import { complete, readFunctionError } from "./results.js";

export const invocationError: RuntimeApiEndpoint = {
  method: "POST",
  path: "/invocation/{requestId}/error",
  caller: "container",
  async handle(call) {
    complete(call, { payload: await readFunctionError(call.req), functionError: "Unhandled" });
  },
};
