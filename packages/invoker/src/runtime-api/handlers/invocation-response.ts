// POST /runtime/invocation/{id}/response: the function's result for the invocation
// in progress, whole, or streamed (streamed-response.ts). A result over Lambda's limit
// fails the invocation (Function.ResponseSizeTooLarge) and is refused with 413.
import { isTooLarge, limits, readBody, runtimeApi } from "@stratus/shared";
import type { RuntimeApiEndpoint } from "../endpoint.js";
import { runtimeApiErrors } from "../errors.js";
import { complete } from "./results.js";
import { streamResponse } from "./streamed-response.js";

const TOO_LARGE = `Response payload size exceeded maximum allowed payload size (${limits.syncResponseBytes} bytes).`;

export const invocationResponse: RuntimeApiEndpoint = {
  method: "POST",
  path: "/invocation/{requestId}/response",
  caller: "container",
  async handle(call) {
    if (call.req.headers[runtimeApi.responseModeHeader] === "streaming") return streamResponse(call);
    let payload: Buffer;
    try {
      payload = await readBody(call.req, limits.syncResponseBytes);
    } catch (err) {
      if (!isTooLarge(err)) throw err;
      call.bound.complete(call.requestId, {
        payload: Buffer.from(JSON.stringify({ errorMessage: TOO_LARGE, errorType: "Function.ResponseSizeTooLarge" })),
        functionError: "Unhandled",
      });
      throw runtimeApiErrors.entityTooLarge(TOO_LARGE);
    }
    complete(call, { payload });
  },
};
