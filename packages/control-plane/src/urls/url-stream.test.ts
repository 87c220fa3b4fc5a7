import { Readable } from "node:stream";
import { decideTrace, HTTP_INTEGRATION_CONTENT_TYPE } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import type { StreamedInvokeResult } from "../services/streamed-result.js";
import { streamedUrlAnswer } from "./url-stream.js";

const result = (over: Partial<StreamedInvokeResult>): StreamedInvokeResult => ({
  requestId: "r",
  executedVersion: "$LATEST",
  mode: "streaming",
  contentType: HTTP_INTEGRATION_CONTENT_TYPE,
  body: Readable.from([]),
  end: Promise.resolve({ payload: Buffer.alloc(0) }),
  trace: decideTrace(undefined, "PassThrough"),
  ...over,
});

const text = async (r: Readable) => {
  let s = "";
  for await (const c of r) s += Buffer.from(c as Buffer).toString();
  return s;
};

describe("streamedUrlAnswer", () => {
  it("answers with the prelude's status, headers and cookies, and streams the rest", async () => {
    const prelude = JSON.stringify({ statusCode: 201, headers: { "X-A": "1" }, cookies: ["a=1", "b=2"] });
    const out = await streamedUrlAnswer(
      result({ body: Readable.from([Buffer.from(prelude), Buffer.alloc(8), Buffer.from("hel"), Buffer.from("lo")]) }),
    );
    if (!("stream" in out)) throw new Error("not streamed");
    expect(out.status).toBe(201);
    expect(out.headers).toEqual({
      "x-a": "1",
      "content-type": "application/octet-stream",
      "set-cookie": ["a=1", "b=2"],
    });
    expect(await text(out.stream)).toBe("hello");
    expect(await out.failed).toBe(false);
  });

  it("answers raw streamed bytes 200 in the content type the function set", async () => {
    const out = await streamedUrlAnswer(result({ contentType: "text/plain", body: Readable.from(["raw"]) }));
    if (!("stream" in out)) throw new Error("not streamed");
    expect(out).toMatchObject({ status: 200, headers: { "content-type": "text/plain" } });
    expect(await text(out.stream)).toBe("raw");
  });

  it("reports a function that failed after its first byte", async () => {
    const out = await streamedUrlAnswer(
      result({
        contentType: "text/plain",
        body: Readable.from(["x"]),
        end: Promise.resolve({ payload: Buffer.from("{}"), functionError: "Unhandled" }),
      }),
    );
    if (!("stream" in out)) throw new Error("not streamed");
    expect(await out.failed).toBe(true);
  });

  it("answers 502 when no prelude comes before the stream ends", async () => {
    const out = await streamedUrlAnswer(result({ body: Readable.from([Buffer.from('{"statusCode":200}')]) }));
    expect(out).toMatchObject({ status: 502 });
  });

  it("maps a whole answer by the BUFFERED rules, and a function error to 502", async () => {
    const whole = await streamedUrlAnswer(
      result({ mode: "buffered", contentType: "application/json", body: Readable.from([Buffer.from('{"a":1}')]) }),
    );
    expect(whole).toMatchObject({ status: 200, headers: { "content-type": "application/json" } });
    const failed = await streamedUrlAnswer(
      result({
        mode: "buffered",
        body: Readable.from([]),
        end: Promise.resolve({ payload: Buffer.from('{"errorMessage":"x"}'), functionError: "Unhandled" }),
      }),
    );
    expect(failed).toMatchObject({ status: 502 });
  });
});
