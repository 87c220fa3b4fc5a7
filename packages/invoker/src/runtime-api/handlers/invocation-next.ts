// GET /runtime/invocation/next: the runtime's long poll for its next event, answered
// when the session hands it one, with the event's Lambda-Runtime-* headers.
import type { RuntimeApiEndpoint } from "../endpoint.js";

export const invocationNext: RuntimeApiEndpoint = {
  method: "GET",
  path: "/invocation/next",
  caller: "container",
  handle({ res, bound: session }) {
    session.next((delivery) => {
      res.writeHead(200, {
        ...delivery.headers(),
        "content-type": "application/json",
        "content-length": delivery.payload.length,
      });
      res.end(delivery.payload);
    });
  },
};
