import { describe, expect, it } from "vitest";
import { isLoopbackRegistry, parseImageRef, parseRegistryAuth, pinnedRef, registrySettings } from "./image-refs.js";

const DIGEST = `sha256:${"a".repeat(64)}`;

describe("image references", () => {
  it.each([
    ["127.0.0.1:5000/fn:1", { registry: "127.0.0.1:5000", repository: "fn", tag: "1" }],
    ["localhost/team/fn", { registry: "localhost", repository: "team/fn", tag: "latest" }],
    [
      "123.dkr.ecr.us-east-1.amazonaws.com/app:v1.2",
      { registry: "123.dkr.ecr.us-east-1.amazonaws.com", repository: "app", tag: "v1.2" },
    ],
    [`reg.io:443/a/b@${DIGEST}`, { registry: "reg.io:443", repository: "a/b", digest: DIGEST }],
  ])("parses %s", (uri, ref) => {
    expect(parseImageRef(uri)).toEqual(ref);
  });

  it.each([
    "fn:1", // no registry host: Stratus has no default registry
    "team/fn:1",
    "reg.io/UPPER:1",
    "reg.io/fn:bad tag",
    "reg.io/fn@sha256:short",
    "reg.io/",
    "",
  ])("refuses %j", (uri) => {
    expect(parseImageRef(uri)).toBeUndefined();
  });

  it("pins a reference to a digest", () => {
    const ref = parseImageRef("reg.io/a:1");
    expect(ref && pinnedRef(ref, DIGEST)).toBe(`reg.io/a@${DIGEST}`);
  });

  it.each([
    ["127.0.0.1:5000", true],
    ["localhost:5000", true],
    ["127.9.9.9", true],
    ["reg.io:5000", false],
    ["10.0.0.1:5000", false],
  ])("knows %s is loopback: %s", (host, loopback) => {
    expect(isLoopbackRegistry(host)).toBe(loopback);
  });
});

describe("registry credentials", () => {
  it("reads both the Stratus form and docker config.json's auths", () => {
    const own = parseRegistryAuth('{"reg.io": {"username": "u", "password": "p:w"}}');
    expect(own.get("reg.io")).toEqual({ username: "u", password: "p:w" });
    const auth = Buffer.from("bob:s3cret").toString("base64");
    const cfg = parseRegistryAuth(JSON.stringify({ auths: { "https://reg.io:5000/v2/": { auth } } }));
    expect(cfg.get("reg.io:5000")).toEqual({ username: "bob", password: "s3cret" });
  });

  it("refuses malformed documents without echoing secrets", () => {
    expect(() => parseRegistryAuth("{nope")).toThrow(/not JSON/);
    expect(() => parseRegistryAuth('{"reg.io": {"password": "hunter2"}}')).toThrow(/username, password/);
    expect(() => parseRegistryAuth('{"reg.io": {"auth": "aHVudGVyMg=="}}')).toThrow(/user:password/);
  });

  it("merges the config file under STRATUS_REGISTRY_AUTH", () => {
    const file = JSON.stringify({ auths: { "a.io": { auth: Buffer.from("f:1").toString("base64") } } });
    const s = registrySettings(
      {
        STRATUS_REGISTRY_CONFIG: "/cfg.json",
        STRATUS_REGISTRY_AUTH: '{"a.io": {"username": "env", "password": "2"}}',
        STRATUS_INSECURE_REGISTRIES: ["b.io:5000"],
      },
      () => file,
    );
    expect(s.credentials.get("a.io")).toEqual({ username: "env", password: "2" });
    expect(s.insecure).toEqual(["b.io:5000"]);
  });
});
