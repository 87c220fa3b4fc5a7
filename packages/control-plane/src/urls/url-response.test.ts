import type { LambdaFunctionURLResult } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { mapUrlResult } from "./url-response.js";

const map = (result: LambdaFunctionURLResult | unknown, functionError?: "Unhandled") => {
  const out = mapUrlResult(Buffer.from(JSON.stringify(result)), functionError);
  return { ...out, headers: { ...out.headers }, text: out.body.toString() };
};

describe("a URL's response from the function's result", () => {
  it("uses a structured result as given", () => {
    const out = map({
      statusCode: 201,
      headers: { "Content-Type": "text/html", "X-Custom": "1" },
      cookies: ["a=1; Path=/", "b=2; Secure"],
      body: "<p>hi</p>",
      isBase64Encoded: false,
    } satisfies LambdaFunctionURLResult);
    expect(out.status).toBe(201);
    expect(out.headers).toEqual({
      "content-type": "text/html",
      "x-custom": "1",
      "set-cookie": ["a=1; Path=/", "b=2; Secure"],
    });
    expect(out.text).toBe("<p>hi</p>");
  });

  it("decodes a base64 body and defaults the content type to application/json", () => {
    const out = mapUrlResult(
      Buffer.from(
        JSON.stringify({
          statusCode: 200,
          body: Buffer.from([0, 1, 2, 255]).toString("base64"),
          isBase64Encoded: true,
        }),
      ),
      undefined,
    );
    expect([...out.body]).toEqual([0, 1, 2, 255]);
    expect(out.headers["content-type"]).toBe("application/json");
  });

  it("merges headers and multiValueHeaders case-insensitively", () => {
    const out = map({
      statusCode: 200,
      headers: { "X-A": "1", "content-type": "text/plain" },
      multiValueHeaders: { "x-a": ["2", "3"], "Set-Cookie": ["c=3"] },
      cookies: ["d=4"],
    });
    expect(out.headers).toEqual({ "x-a": "1,2,3", "content-type": "text/plain", "set-cookie": ["c=3", "d=4"] });
    expect(out.text).toBe("");
  });

  it("drops framing and connection headers a function sets (the listener frames the answer)", () => {
    const out = map({
      statusCode: 200,
      headers: { "Transfer-Encoding": "chunked", "Content-Length": "999", Connection: "close", "X-Ok": "1" },
      body: "abc",
    });
    expect(out.headers).toEqual({ "x-ok": "1", "content-type": "application/json" });
  });

  it("answers JSON without a statusCode as a 200 application/json of that JSON", () => {
    expect(map({ message: "Hello" })).toMatchObject({
      status: 200,
      headers: { "content-type": "application/json" },
      text: '{"message":"Hello"}',
    });
    expect(map([1, 2])).toMatchObject({ status: 200, text: "[1,2]" });
    expect(map(42)).toMatchObject({ status: 200, text: "42" });
  });

  it("answers a plain string with the string itself as the body", () => {
    expect(map("Hello from Lambda!")).toMatchObject({ status: 200, text: "Hello from Lambda!" });
  });

  it("answers a function error, or a result HTTP cannot carry, with 502", () => {
    const err = map({ errorType: "Error", errorMessage: "boom" }, "Unhandled");
    expect(err).toMatchObject({ status: 502, text: '{"Message":"Internal Server Error"}' });
    expect(map({ statusCode: "abc" }).status).toBe(502);
    expect(map({ statusCode: 99 }).status).toBe(502);
    expect(map({ statusCode: 200, headers: { "x-bad": "a\r\nb" } }).status).toBe(502);
    expect(map({ statusCode: 200, headers: { "bad name": "x" } }).status).toBe(502);
  });
});
