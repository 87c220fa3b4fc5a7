import { ImageProblem } from "@stratus/shared";
import { describe, expect, it, vi } from "vitest";
import type { Images } from "../backend/container-backend.js";
import { NodeImages, removable } from "./node-images.js";

const REF = `127.0.0.1:5000/fn@sha256:${"a".repeat(64)}`;

function fakeImages(present = new Set<string>()) {
  const images = {
    pullImage: vi.fn(async (ref: string) => {
      await new Promise((r) => setTimeout(r, 5));
      present.add(ref);
    }),
    inspectImage: vi.fn(async (ref: string) => (present.has(ref) ? { cmd: ["app.handler"] } : undefined)),
    removeImage: vi.fn(async (ref: string) => present.delete(ref)),
  } satisfies Images;
  return { images, present };
}

const opts = (now: () => number) => ({
  credentials: new Map([["127.0.0.1:5000", { username: "u", password: "p" }]]),
  idleTtlMs: 1000,
  log: { warn: () => undefined, info: () => undefined },
  now,
});

describe("node images", () => {
  it("pulls once per digest, with the registry's credentials, however many ask at once", async () => {
    const { images } = fakeImages();
    const node = new NodeImages(
      images,
      opts(() => 0),
    );
    const infos = await Promise.all([node.ensure(REF, "a/f"), node.ensure(REF, "a/g"), node.ensure(REF)]);
    expect(infos[0]).toEqual({ cmd: ["app.handler"] });
    expect(images.pullImage).toHaveBeenCalledTimes(1);
    expect(images.pullImage).toHaveBeenCalledWith(REF, {
      username: "u",
      password: "p",
      serveraddress: "127.0.0.1:5000",
    });
    await node.ensure(REF);
    expect(images.pullImage).toHaveBeenCalledTimes(1);
  });

  it("forgets a failed pull, so the next cold start tries again", async () => {
    const { images } = fakeImages();
    images.pullImage.mockRejectedValueOnce(new ImageProblem("ImageDeleted", "gone"));
    const node = new NodeImages(
      images,
      opts(() => 0),
    );
    await expect(node.ensure(REF)).rejects.toMatchObject({ code: "ImageDeleted" });
    await expect(node.ensure(REF)).resolves.toBeDefined();
  });

  it("removes an image once every function that used it is deleted, unless a container runs it", async () => {
    const { images, present } = fakeImages();
    const node = new NodeImages(
      images,
      opts(() => 0),
    );
    await node.ensure(REF, "a/f");
    await node.ensure(REF, "a/g");
    node.forgetUser("a/f");
    expect(await node.sweep(new Set())).toEqual([]);
    node.forgetUser("a/g");
    expect(await node.sweep(new Set([REF]))).toEqual([]);
    expect(await node.sweep(new Set())).toEqual([REF]);
    expect(present.has(REF)).toBe(false);
  });

  it("removes an image unused for its idle TTL, and keeps a recently used one", async () => {
    let t = 0;
    const { images } = fakeImages();
    const node = new NodeImages(
      images,
      opts(() => t),
    );
    await node.ensure(REF, "a/f");
    t = 1000;
    expect(await node.sweep(new Set())).toEqual([]);
    t = 1001;
    expect(await node.sweep(new Set())).toEqual([REF]);
  });

  it.each([
    [REF, true],
    ["stratus/runtime:nodejs24.x", false],
    ["127.0.0.1:5000/fn:1", false],
  ])("may remove %s: %s", (ref, yes) => {
    expect(removable(ref)).toBe(yes);
  });
});

describe("node images: local images", () => {
  const ID = `sha256:${"c".repeat(64)}`;

  it("looks a local tag up afresh each time, never pulls it, and says ImageDeleted when absent", async () => {
    const { images, present } = fakeImages(new Set(["my-fn:v1"]));
    const node = new NodeImages(
      images,
      opts(() => 0),
    );
    await expect(node.ensure("my-fn:v1")).resolves.toEqual({ cmd: ["app.handler"] });
    present.delete("my-fn:v1");
    await expect(node.ensure("my-fn:v1")).rejects.toMatchObject({ code: "ImageDeleted" });
    expect(images.pullImage).not.toHaveBeenCalled();
    expect(node.refs()).toEqual([]);
  });

  it("runs a pinned local image by its ID and never removes it", async () => {
    const { images } = fakeImages(new Set([ID]));
    let now = 0;
    const node = new NodeImages(
      images,
      opts(() => now),
    );
    await node.ensure(`my-fn@${ID}`, "a/f");
    expect(images.inspectImage).toHaveBeenCalledWith(ID);
    node.forgetUser("a/f");
    now = 10_000;
    expect(await node.sweep(new Set())).toEqual([]);
    expect(images.removeImage).not.toHaveBeenCalled();
    expect(removable(`my-fn@${ID}`)).toBe(false);
    expect(removable(`reg.io/fn@${ID}`)).toBe(true);
  });
});
