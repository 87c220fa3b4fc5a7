import { limits } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { bodyCap, invokeCap, PUT_EVENTS_BODY_BYTES, SMALL_BODY_BYTES, ZIP_UPLOAD_BYTES } from "./body-caps.js";

describe("bodyCap", () => {
  it.each<[string, string, number]>([
    ["POST", "/2015-03-31/functions", ZIP_UPLOAD_BYTES],
    ["POST", "/2015-03-31/functions/", ZIP_UPLOAD_BYTES],
    ["PUT", "/2015-03-31/functions/my-fn/code", ZIP_UPLOAD_BYTES],
    [
      "PUT",
      "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af/code",
      ZIP_UPLOAD_BYTES,
    ],
    ["POST", "/2018-10-31/layers/my-layer/versions", ZIP_UPLOAD_BYTES],
    ["POST", "/2018-10-31/layers/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Alayer%3Al/versions", ZIP_UPLOAD_BYTES],
    ["GET", "/2018-10-31/layers/my-layer/versions", SMALL_BODY_BYTES],
    ["POST", "/2018-10-31/layers/my-layer/versions/1/policy", SMALL_BODY_BYTES],
    ["GET", "/2015-03-31/functions", SMALL_BODY_BYTES],
    ["PUT", "/2015-03-31/functions/my-fn/configuration", SMALL_BODY_BYTES],
    ["POST", "/2015-03-31/functions/my-fn/versions", SMALL_BODY_BYTES],
    ["POST", "/2015-03-31/functions/my-fn/code", SMALL_BODY_BYTES],
    ["PUT", "/2015-03-31/functions/a/b/code", SMALL_BODY_BYTES],
    ["POST", "/stratus/2026-11-01/invocations/x/redrive", SMALL_BODY_BYTES],
    ["POST", "/anything/else", SMALL_BODY_BYTES],
  ])("%s %s may send %d bytes", (method, path, cap) => {
    expect(bodyCap(method, path)).toBe(cap);
  });

  it("gives EventBridge's PutEvents its 256 KB of entries, escaped at worst, and its other operations the small cap", () => {
    expect(bodyCap("POST", "/", "AWSEvents.PutEvents")).toBe(PUT_EVENTS_BODY_BYTES);
    expect(PUT_EVENTS_BODY_BYTES).toBeGreaterThanOrEqual(6 * 256 * 1024);
    expect(bodyCap("POST", "/", "AWSEvents.PutRule")).toBe(SMALL_BODY_BYTES);
    expect(bodyCap("POST", "/", ["AWSEvents.PutEvents", "x"])).toBe(SMALL_BODY_BYTES);
  });

  it("caps everything but code uploads at 1 MB or less", () => {
    expect(SMALL_BODY_BYTES).toBeLessThanOrEqual(1024 * 1024);
  });
});

describe("invokeCap", () => {
  it.each<[string | undefined, number]>([
    [undefined, limits.syncPayloadBytes],
    ["RequestResponse", limits.syncPayloadBytes],
    ["DryRun", limits.syncPayloadBytes],
    ["Event", limits.asyncPayloadBytes],
  ])("%s may send %d bytes", (type, cap) => {
    expect(invokeCap(type)).toBe(cap);
  });
});
