// Response streaming for the Stratus Node.js runtime client, as Lambda's Node runtime
// offers it: the `awslambda` global's streamifyResponse(handler), which marks a
// handler that takes (event, responseStream, context), and HttpResponseStream.from
// (stream, {statusCode, headers, cookies}), which writes that prelude as JSON and
// eight NUL bytes before the body, under the content type function URLs read it by.
// A streamified handler's result is POSTed as it is written: chunked, with
// Lambda-Runtime-Function-Response-Mode: streaming, and an error raised after the
// stream began reported in the trailers Lambda reads (error type, base64 error body).

"use strict";

const { Writable } = require("node:stream");

const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
const HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response";
const ERROR_TRAILERS = "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body";

function streamifyResponse(handler) {
  handler[STREAMING] = "response";
  return handler;
}

function isStreamified(handler) {
  return handler?.[STREAMING] === "response";
}

const HttpResponseStream = {
  /** `underlying`, set to write `prelude` as JSON and eight NULs before its first byte. */
  from(underlying, prelude) {
    underlying.setContentType(HTTP_INTEGRATION);
    const json = JSON.stringify(prelude ?? {});
    underlying._onBeforeFirstWrite = (write) => {
      write(json);
      write(new Uint8Array(8));
    };
    return underlying;
  },
};

/**
 * The responseStream a streamified handler writes to: each write goes out as a chunk of
 * one POST to the Runtime API. `fail(err)` ends it with the error in its trailers;
 * `answered` settles once the Runtime API has answered the POST.
 */
function responseStream(to, requestId, endTrailers) {
  // Loaded here: only a function that streams pays for node:http.
  const req = require("node:http").request({
    ...to,
    method: "POST",
    path: `/2018-06-01/runtime/invocation/${requestId}/response`,
    headers: {
      "lambda-runtime-function-response-mode": "streaming",
      "transfer-encoding": "chunked",
      "content-type": "application/octet-stream",
      trailer: ERROR_TRAILERS,
    },
  });
  const answered = new Promise((resolve) => {
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode));
    });
    // The Runtime API went away (the container is being stopped): nothing more to tell it.
    req.on("error", () => resolve(0));
  });
  let begun = false;
  let ended = false;
  const stream = new Writable({
    write(chunk, _encoding, done) {
      begin();
      req.write(chunk, done);
    },
    final(done) {
      finish({});
      done();
    },
  });
  function begin() {
    if (begun) return;
    begun = true;
    const before = stream._onBeforeFirstWrite;
    if (typeof before === "function") before((chunk) => req.write(chunk));
  }
  function finish(trailers) {
    if (ended) return;
    ended = true;
    begin();
    req.addTrailers({ ...trailers, ...endTrailers() });
    req.end();
  }
  stream.setContentType = (contentType) => {
    if (req.headersSent) throw new Error("Cannot set content-type, too late.");
    req.setHeader("content-type", contentType);
  };
  stream.finished = () =>
    new Promise((resolve, reject) => {
      if (stream.writableFinished) return resolve();
      stream.once("finish", resolve);
      stream.once("error", reject);
    });
  return {
    stream,
    answered,
    get ended() {
      return ended;
    },
    fail(payload) {
      finish({
        "Lambda-Runtime-Function-Error-Type": payload.errorType,
        "Lambda-Runtime-Function-Error-Body": Buffer.from(JSON.stringify(payload)).toString("base64"),
      });
    },
  };
}

/**
 * Runs a streamified handler for one invocation and streams its result; resolves once
 * the Runtime API has taken it all. A handler that resolves without ending its stream
 * has it ended; one that throws has its error (errorPayload) sent in the trailers.
 * `endTrailers()` names the log streams marked at the end (Stratus-Log-Markers).
 */
async function invokeStreaming(handler, event, context, { to, requestId, errorPayload, endTrailers, onError }) {
  const response = responseStream(to, requestId, endTrailers);
  // A promise that never settles runs into the timeout, as in Lambda, not out of work.
  const hold = setInterval(() => undefined, 1 << 30);
  try {
    await handler(event, response.stream, context);
    if (!response.ended) await new Promise((resolve) => response.stream.end(resolve));
  } catch (err) {
    const payload = errorPayload(err);
    onError(payload);
    if (!response.ended) response.fail(payload);
  } finally {
    clearInterval(hold);
  }
  await response.answered;
}

module.exports = { streamifyResponse, isStreamified, HttpResponseStream, invokeStreaming };
