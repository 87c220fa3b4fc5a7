import { describe, expect, it } from "vitest";
import type { Cors } from "../url-config.js";
import { isPreflight, preflightHeaders, responseCorsHeaders } from "./url-cors.js";

const cors: Cors = {
  AllowOrigins: ["https://app.example.com"],
  AllowMethods: ["GET", "POST"],
  AllowHeaders: ["content-type", "x-api-key"],
  ExposeHeaders: ["x-total"],
  MaxAge: 300,
  AllowCredentials: true,
};

describe("function URL CORS", () => {
  it("recognises a preflight by OPTIONS with Origin and Access-Control-Request-Method", () => {
    expect(isPreflight("OPTIONS", { origin: "x", "access-control-request-method": "GET" })).toBe(true);
    expect(isPreflight("OPTIONS", { origin: "x" })).toBe(false);
    expect(isPreflight("GET", { origin: "x", "access-control-request-method": "GET" })).toBe(false);
  });

  it("answers an allowed preflight with the configured rules", () => {
    expect(preflightHeaders(cors, "https://app.example.com", "POST", "Content-Type, X-Api-Key")).toEqual({
      "access-control-allow-origin": "https://app.example.com",
      "access-control-allow-methods": "GET,POST",
      "access-control-allow-headers": "content-type,x-api-key",
      "access-control-allow-credentials": "true",
      "access-control-max-age": "300",
      vary: "Origin",
    });
  });

  it.each([
    ["an origin not listed", "https://evil.example.com", "GET", undefined],
    ["a method not listed", "https://app.example.com", "DELETE", undefined],
    ["a header not listed", "https://app.example.com", "GET", "x-other"],
  ])("gives no CORS headers to a preflight with %s", (_what, origin, method, headers) => {
    expect(preflightHeaders(cors, origin, method, headers)).toEqual({ vary: "Origin" });
  });

  it("allows any origin, method and header with *", () => {
    const open: Cors = { AllowOrigins: ["*"], AllowMethods: ["*"], AllowHeaders: ["*"] };
    expect(preflightHeaders(open, "https://a.test", "PUT", "x-one")).toEqual({
      "access-control-allow-origin": "*",
      "access-control-allow-methods": "PUT",
      "access-control-allow-headers": "x-one",
      vary: "Origin",
    });
    // With credentials the origin is echoed: browsers refuse a literal * then.
    expect(responseCorsHeaders({ ...open, AllowCredentials: true }, "https://a.test")).toMatchObject({
      "access-control-allow-origin": "https://a.test",
      "access-control-allow-credentials": "true",
    });
  });

  it("adds origin, exposed headers and credentials to an actual response from an allowed origin only", () => {
    expect(responseCorsHeaders(cors, "https://APP.example.com")).toEqual({
      "access-control-allow-origin": "https://APP.example.com",
      "access-control-expose-headers": "x-total",
      "access-control-allow-credentials": "true",
      vary: "Origin",
    });
    expect(responseCorsHeaders(cors, "https://evil.example.com")).toEqual({});
    expect(responseCorsHeaders(cors, undefined)).toEqual({});
  });
});
