import type { LambdaFunctionURLEvent, LambdaFunctionURLEventWithIAMAuthorizer } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { buildUrlEvent, isTextContent, queryParameters, requestTime, type UrlRequest } from "./url-event.js";

const ID = "abcdefghijklmnopqrstuvwxyz012345";
const AT = Date.UTC(2026, 2, 12, 19, 3, 58, 123);

function request(over: Partial<UrlRequest> = {}): UrlRequest {
  return {
    method: "GET",
    rawPath: "/",
    rawQuery: "",
    rawHeaders: ["Host", `${ID}.lambda-url.us-east-1.example.com`, "User-Agent", "curl/7.88.1"],
    body: Buffer.alloc(0),
    sourceIp: "203.0.113.7",
    domainName: `${ID}.lambda-url.us-east-1.example.com`,
    urlId: ID,
    requestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
    timeEpoch: AT,
    scheme: "http",
    port: 9002,
    ...over,
  };
}

describe("the payload 2.0 event of a URL request", () => {
  it("builds the documented shape for a bare GET, with absent keys left out", () => {
    const event = buildUrlEvent(request()) as unknown as LambdaFunctionURLEvent;
    expect(JSON.parse(JSON.stringify(event))).toEqual({
      version: "2.0",
      routeKey: "$default",
      rawPath: "/",
      rawQueryString: "",
      headers: {
        host: `${ID}.lambda-url.us-east-1.example.com`,
        "user-agent": "curl/7.88.1",
        "x-forwarded-for": "203.0.113.7",
        "x-forwarded-proto": "http",
        "x-forwarded-port": "9002",
      },
      requestContext: {
        accountId: "anonymous",
        apiId: ID,
        domainName: `${ID}.lambda-url.us-east-1.example.com`,
        domainPrefix: ID,
        http: { method: "GET", path: "/", protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "curl/7.88.1" },
        requestId: "c6af9ac6-7b61-11e6-9a41-93e812345678",
        routeKey: "$default",
        stage: "$default",
        time: "12/Mar/2026:19:03:58 +0000",
        timeEpoch: AT,
      },
      isBase64Encoded: false,
    });
    for (const absent of ["body", "cookies", "queryStringParameters", "pathParameters", "stageVariables"]) {
      expect(event).not.toHaveProperty(absent);
    }
    expect(event.requestContext).not.toHaveProperty("authorizer");
    expect(JSON.stringify(event)).not.toContain("null");
  });

  it("comma-joins repeated headers case-insensitively and moves cookies out of the headers", () => {
    const event = buildUrlEvent(
      request({
        rawHeaders: ["X-Tag", "a", "x-tag", "b", "Cookie", "s=1; theme=dark", "cookie", "k=v", "Accept", "*/*"],
      }),
    ) as unknown as LambdaFunctionURLEvent;
    expect(event.headers["x-tag"]).toBe("a,b");
    expect(event.headers.accept).toBe("*/*");
    expect(event.headers).not.toHaveProperty("cookie");
    expect(event.cookies).toEqual(["s=1", "theme=dark", "k=v"]);
    expect(event.requestContext.http).not.toHaveProperty("userAgent");
  });

  it("keeps the raw query and comma-joins repeated parameters, decoded", () => {
    const event = buildUrlEvent(
      request({ rawPath: "/a/b%20c", rawQuery: "x=1&x=2&name=J%C3%BCrgen&flag&sp=a+b" }),
    ) as unknown as LambdaFunctionURLEvent;
    expect(event.rawPath).toBe("/a/b%20c");
    expect(event.requestContext.http.path).toBe("/a/b%20c");
    expect(event.rawQueryString).toBe("x=1&x=2&name=J%C3%BCrgen&flag&sp=a+b");
    expect(event.queryStringParameters).toEqual({ x: "1,2", name: "Jürgen", flag: "", sp: "a b" });
  });

  it("passes text bodies as text and binary ones (or no content type) as base64", () => {
    const json = buildUrlEvent(
      request({
        method: "POST",
        rawHeaders: ["Content-Type", "application/json; charset=utf-8"],
        body: Buffer.from('{"a":"é"}'),
      }),
    );
    expect(json).toMatchObject({ body: '{"a":"é"}', isBase64Encoded: false });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0xff]);
    const binary = buildUrlEvent(request({ method: "POST", rawHeaders: ["Content-Type", "image/png"], body: png }));
    expect(binary).toMatchObject({ body: png.toString("base64"), isBase64Encoded: true });
    const untyped = buildUrlEvent(request({ method: "POST", rawHeaders: [], body: Buffer.from("hi") }));
    expect(untyped).toMatchObject({ body: Buffer.from("hi").toString("base64"), isBase64Encoded: true });
    const lying = buildUrlEvent(request({ method: "POST", rawHeaders: ["content-type", "text/plain"], body: png }));
    expect(lying).toMatchObject({ isBase64Encoded: true });
  });

  it.each([
    ["text/html", true],
    ["application/json", true],
    ["application/vnd.api+json", true],
    ["application/xml", true],
    ["application/octet-stream", false],
    ["application/x-www-form-urlencoded", false],
    ["multipart/form-data; boundary=x", false],
    [undefined, false],
  ])("content type %s is text: %s", (type, text) => {
    expect(isTextContent(type)).toBe(text);
  });

  it("names the signer of an AWS_IAM request in requestContext.authorizer.iam", () => {
    const event = buildUrlEvent(request(), {
      accountId: "123456789012",
      accessKeyId: "AKIAEXAMPLE",
    }) as unknown as LambdaFunctionURLEventWithIAMAuthorizer;
    expect(event.requestContext.accountId).toBe("123456789012");
    expect(event.requestContext.authorizer.iam).toEqual({
      accessKey: "AKIAEXAMPLE",
      accountId: "123456789012",
      callerId: "AKIAEXAMPLE",
      userArn: "arn:aws:iam::123456789012:root",
      userId: "AKIAEXAMPLE",
    });
  });

  it("treats __proto__ in header and query names as a plain name", () => {
    const event = buildUrlEvent(
      request({ rawHeaders: ["__proto__", "x"], rawQuery: "__proto__=y&constructor=z" }),
    ) as unknown as LambdaFunctionURLEvent;
    expect(Object.hasOwn(event.headers, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(event.headers)).toBeNull();
    expect(JSON.stringify(event.queryStringParameters)).toBe('{"__proto__":"y","constructor":"z"}');
  });

  it("formats requestContext.time as Lambda does", () => {
    expect(requestTime(Date.UTC(2026, 0, 5, 4, 3, 2))).toBe("05/Jan/2026:04:03:02 +0000");
    expect(queryParameters("")).toBeUndefined();
  });
});
