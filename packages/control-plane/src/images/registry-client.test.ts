import { IMAGE_SIZE_LIMIT_BYTES, ImageProblem, parseImageRef } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import { amd64Entry, bearerChallenge, createRegistryClient, imageSize } from "./registry-client.js";

const D = (c: string) => `sha256:${c.repeat(64)}`;
const MANIFEST = {
  mediaType: "application/vnd.docker.distribution.manifest.v2+json",
  config: { digest: D("c"), size: 100 },
  layers: [
    { digest: D("1"), size: 1000 },
    { digest: D("2"), size: 2000 },
  ],
};

/** A registry in a function: answers by URL, records what it was sent. */
function fakeRegistry(routes: Record<string, (headers: Headers) => Response>) {
  const seen: string[] = [];
  const fetcher = (async (input: string | URL, init?: RequestInit) => {
    const url = String(input);
    seen.push(url);
    const route = Object.entries(routes).find(([prefix]) => url.startsWith(prefix));
    return route ? route[1](new Headers(init?.headers)) : new Response("", { status: 404 });
  }) as typeof fetch;
  return { fetcher, seen };
}

describe("registry client", () => {
  it("sums the config and layers, and refuses an image over 10 GB", () => {
    expect(imageSize(MANIFEST)).toBe(3100);
    const big = { ...MANIFEST, layers: [{ digest: D("1"), size: IMAGE_SIZE_LIMIT_BYTES }] };
    expect(() => imageSize(big)).toThrow(ImageProblem);
    try {
      imageSize(big);
    } catch (err) {
      expect((err as ImageProblem).code).toBe("InvalidImage");
    }
  });

  it("picks linux/amd64 from an index, and refuses an index without it", () => {
    const entry = { digest: D("a"), size: 1, platform: { os: "linux", architecture: "amd64" } };
    expect(
      amd64Entry({ manifests: [{ digest: D("b"), size: 1, platform: { os: "linux", architecture: "arm64" } }, entry] }),
    ).toBe(entry);
    expect(() => amd64Entry({ manifests: [] })).toThrow(/linux\/amd64/);
  });

  it("parses a Bearer challenge", () => {
    expect(bearerChallenge('Bearer realm="https://auth.io/token",service="reg.io",scope="repository:a:pull"')).toEqual({
      realm: "https://auth.io/token",
      service: "reg.io",
      scope: "repository:a:pull",
    });
    expect(bearerChallenge('Basic realm="x"')).toBeUndefined();
  });

  it("resolves a tag over plain HTTP on loopback, by the registry's digest header", async () => {
    const { fetcher, seen } = fakeRegistry({
      "http://127.0.0.1:5000/v2/fn/manifests/1": () =>
        new Response(JSON.stringify(MANIFEST), { headers: { "docker-content-digest": D("f") } }),
    });
    const client = createRegistryClient({ credentials: new Map(), insecure: [], fetch: fetcher });
    const ref = parseImageRef("127.0.0.1:5000/fn:1");
    expect(await client.resolve(ref as NonNullable<typeof ref>)).toEqual({ digest: D("f"), sizeBytes: 3100 });
    expect(seen).toEqual(["http://127.0.0.1:5000/v2/fn/manifests/1"]);
  });

  it("follows a Bearer challenge with the configured credentials", async () => {
    const { fetcher } = fakeRegistry({
      "https://reg.io/v2/a/manifests/1": (h) =>
        h.get("authorization") === "Bearer t0k"
          ? new Response(JSON.stringify(MANIFEST), { headers: { "docker-content-digest": D("e") } })
          : new Response("", {
              status: 401,
              headers: { "www-authenticate": 'Bearer realm="https://auth.io/token",service="reg.io"' },
            }),
      "https://auth.io/token": (h) =>
        h.get("authorization") === `Basic ${Buffer.from("u:p").toString("base64")}`
          ? Response.json({ token: "t0k" })
          : new Response("", { status: 401 }),
    });
    const client = createRegistryClient({
      credentials: new Map([["reg.io", { username: "u", password: "p" }]]),
      insecure: [],
      fetch: fetcher,
    });
    const ref = parseImageRef("reg.io/a:1");
    expect((await client.resolve(ref as NonNullable<typeof ref>)).digest).toBe(D("e"));
  });

  it.each([
    [404, "ImageDeleted"],
    [401, "ImageAccessDenied"],
    [403, "ImageAccessDenied"],
  ])("names a registry's %i as %s", async (status, code) => {
    const { fetcher } = fakeRegistry({ "https://reg.io/": () => new Response("", { status }) });
    const client = createRegistryClient({ credentials: new Map(), insecure: [], fetch: fetcher });
    const ref = parseImageRef("reg.io/a:1");
    await expect(client.resolve(ref as NonNullable<typeof ref>)).rejects.toMatchObject({ code });
  });
});
