import { describe, expect, it } from "vitest";
import { engineImageRef, hasRegistryHost, localPinnedRef, parseImageRef, parseLocalImageRef } from "./image-refs.js";

const ID = `sha256:${"b".repeat(64)}`;

describe("local image references", () => {
  it.each([
    ["my-fn:v1", { repository: "my-fn", tag: "v1" }],
    ["my-fn", { repository: "my-fn", tag: "latest" }],
    ["library/x:tag", { repository: "library/x", tag: "tag" }],
    ["team/sub/fn:1.0", { repository: "team/sub/fn", tag: "1.0" }],
    [`my-fn@${ID}`, { repository: "my-fn", digest: ID }],
  ])("parses %s as a local image", (uri, ref) => {
    expect(parseLocalImageRef(uri)).toEqual(ref);
    expect(parseImageRef(uri)).toBeUndefined();
  });

  it.each([
    ["localhost/fn:1", true],
    ["reg.io/fn:1", true],
    ["host:5000/fn", true],
    ["Upper/fn", true],
    ["team/fn:1", false],
    ["fn:1", false],
    ["localhost:1", false],
  ])("decides %s names a registry host: %s (Docker's rule)", (uri, host) => {
    expect(hasRegistryHost(uri)).toBe(host);
    if (host) expect(parseLocalImageRef(uri)).toBeUndefined();
  });

  it.each(["My-fn:1", "fn:bad tag", "fn@sha256:short", "fn:", "", "/fn"])("refuses %j", (uri) => {
    expect(parseLocalImageRef(uri)).toBeUndefined();
  });

  it("pins a local image to its ID, and the engine runs the pinned name by that ID", () => {
    const pinned = localPinnedRef({ repository: "my-fn", tag: "v1" }, ID);
    expect(pinned).toBe(`my-fn@${ID}`);
    expect(engineImageRef(pinned)).toBe(ID);
    expect(engineImageRef("my-fn:v1")).toBe("my-fn:v1");
    const registry = `reg.io/fn@${ID}`;
    expect(engineImageRef(registry)).toBe(registry);
  });
});
