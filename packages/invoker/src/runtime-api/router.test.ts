import { describe, expect, it } from "vitest";
import { type Route, Router } from "./router.js";

const next: Route = { method: "GET", path: "/invocation/next" };
const response: Route = { method: "POST", path: "/invocation/{id}/response" };
const failed: Route = { method: "POST", path: "/invocation/{id}/error" };
const specialise: Route = { method: "GET", path: "/specialise" };

const router = new Router<Route>({ id: /^[a-z0-9-]{1,8}$/ })
  .mount("/v1/runtime", [next, response, failed])
  .mount("/v1/stratus", [specialise]);

describe("Router", () => {
  it.each([
    ["GET", "/v1/runtime/invocation/next", next, ""],
    ["GET", "/v1/runtime/invocation/next?wait=1", next, ""],
    ["POST", "/v1/runtime/invocation/ab-1/response", response, "ab-1"],
    ["POST", "/v1/runtime/invocation/ab-1/error?x", failed, "ab-1"],
    ["GET", "/v1/stratus/specialise", specialise, ""],
  ] as const)("%s %s is served by its endpoint", (method, url, endpoint, param) => {
    expect(router.match(method, url)).toEqual({ endpoint, param });
  });

  it.each([
    ["a wrong method", "POST", "/v1/runtime/invocation/next"],
    ["no method", undefined, "/v1/runtime/invocation/next"],
    ["a longer path", "GET", "/v1/runtime/invocation/next/more"],
    ["a path under another prefix", "GET", "/v2/runtime/invocation/next"],
    ["an endpoint under the other mount", "GET", "/v1/runtime/specialise"],
    ["a parameter its pattern refuses", "POST", "/v1/runtime/invocation/UPPER/response"],
    ["an empty parameter", "POST", "/v1/runtime/invocation//response"],
    ["a parameter of two segments", "POST", "/v1/runtime/invocation/a/b/response"],
    ["a tail that is not the route's", "POST", "/v1/runtime/invocation/ab/responses"],
  ])("matches nothing for %s", (_name, method, url) => {
    expect(router.match(method, url)).toBeUndefined();
  });

  it("hands back one match object for a path without a parameter, made once", () => {
    expect(router.match("GET", "/v1/stratus/specialise")).toBe(router.match("GET", "/v1/stratus/specialise"));
  });

  it("refuses to mount a parameter it has no pattern for", () => {
    expect(() => new Router<Route>({}).mount("/v1", [response])).toThrow(/no pattern for parameter id/);
  });
});
