import { ImageProblem } from "@stratus/shared";
import { describe, expect, it } from "vitest";
import type { LiveNode } from "../routing/node-directory.js";
import { resolveLocal } from "./local-images.js";
import type { LocalImage } from "./node-pulls.js";

const A = `sha256:${"a".repeat(64)}`;
const B = `sha256:${"b".repeat(64)}`;
const node = (id: string) => ({ id, url: `http://${id}` }) as LiveNode;
const ref = { repository: "my-fn", tag: "v1" };

function asking(answers: Record<string, LocalImage | Error>) {
  return async (n: LiveNode) => {
    const a = answers[n.id];
    if (a instanceof Error) throw a;
    return a as LocalImage;
  };
}

describe("local images", () => {
  it("pins the version to the ID every node has", async () => {
    const ask = asking({ n1: { id: A, sizeBytes: 10 }, n2: { id: A, sizeBytes: 10 } });
    await expect(resolveLocal("my-fn:v1", ref, [node("n1"), node("n2")], ask)).resolves.toEqual({
      resolvedUri: `my-fn@${A}`,
      sizeBytes: 10,
    });
  });

  it("fails naming the node that has not got the image", async () => {
    const ask = asking({ n1: { id: A, sizeBytes: 1 }, n2: new ImageProblem("ImageDeleted", "not here") });
    const err = await resolveLocal("my-fn:v1", ref, [node("n1"), node("n2")], ask).catch((e) => e);
    expect(err).toBeInstanceOf(ImageProblem);
    expect(err).toMatchObject({ code: "ImageDeleted" });
    expect(err.message).toContain("node n2");
  });

  it("fails naming both nodes when their images differ", async () => {
    const ask = asking({ n1: { id: A, sizeBytes: 1 }, n2: { id: B, sizeBytes: 1 } });
    const err = await resolveLocal("my-fn:v1", ref, [node("n1"), node("n2")], ask).catch((e) => e);
    expect(err).toMatchObject({ code: "InvalidImage" });
    expect(err.message).toMatch(/node n1.*node n2/);
  });

  it("refuses an image not for amd64 or over 10 GB", async () => {
    const arm = asking({ n1: { id: A, sizeBytes: 1, architecture: "arm64" } });
    await expect(resolveLocal("my-fn:v1", ref, [node("n1")], arm)).rejects.toMatchObject({ code: "InvalidImage" });
    const big = asking({ n1: { id: A, sizeBytes: 11 * 1024 ** 3 } });
    await expect(resolveLocal("my-fn:v1", ref, [node("n1")], big)).rejects.toMatchObject({ code: "InvalidImage" });
  });

  it("leaves an unreachable node, or no node at all, to be retried (not the image's fault)", async () => {
    const away = asking({ n1: { id: A, sizeBytes: 1 }, n2: new Error("ECONNREFUSED") });
    const err = await resolveLocal("my-fn:v1", ref, [node("n1"), node("n2")], away).catch((e) => e);
    expect(err).not.toBeInstanceOf(ImageProblem);
    const none = await resolveLocal("my-fn:v1", ref, [], away).catch((e) => e);
    expect(none).not.toBeInstanceOf(ImageProblem);
  });
});
