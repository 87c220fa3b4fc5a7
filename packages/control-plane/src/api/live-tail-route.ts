// StartLiveTail on the Logs endpoint (X-Amz-Target Logs_20140328.StartLiveTail): a bad
// request is an ordinary awsJson error; a good one answers 200 as an AWS event stream
// (event-stream.ts) of a sessionStart, then sessionUpdate events (logs/live-tail-session.ts),
// ending with a SessionTimeoutException after 3 hours, or when the client goes.
import { headers } from "@stratus/shared";
import type { RequestHandler } from "express";
import type { LiveTail } from "../logs/live-tail.js";
import { callerAccount } from "./auth.js";
import { awsJsonBody } from "./aws-json-body.js";
import { EVENT_STREAM_CONTENT_TYPE, event, exception } from "./event-stream.js";
import { requestIdOf } from "./request-log.js";
import { route } from "./route.js";

export const START_LIVE_TAIL = "Logs_20140328.StartLiveTail";

const json = (type: string, value: unknown) => event(type, "application/json", Buffer.from(JSON.stringify(value)));

export function liveTailRoute(liveTail: LiveTail): RequestHandler {
  const handle = route("StartLiveTail", async (req, res) => {
    const session = await liveTail.open(callerAccount(res.locals), awsJsonBody(req));
    res.locals.requestId = session.start.requestId;
    res.writeHead(200, {
      "content-type": EVENT_STREAM_CONTENT_TYPE,
      [headers.requestId]: requestIdOf(res.locals),
    });
    res.flushHeaders();
    // The output's members outside the stream (it has none), which botocore reads first.
    res.write(json("initial-response", {}));
    res.write(json("sessionStart", session.start));
    const stop = session.attach({
      update: (u) => {
        // A client that cannot keep up skips updates rather than growing our memory.
        if (res.writableLength < 4 * 1024 * 1024) res.write(json("sessionUpdate", u));
      },
      end: (timeout) => {
        if (timeout) res.write(exception(timeout.code, timeout.message));
        res.end();
      },
    });
    res.on("close", stop);
    // A client gone before the session began would never be told "close" again.
    if (res.destroyed) stop();
  });
  return (req, res, next) =>
    res.locals.service === "logs" &&
    req.method === "POST" &&
    req.path === "/" &&
    req.get("x-amz-target") === START_LIVE_TAIL
      ? handle(req, res, next)
      : next();
}
