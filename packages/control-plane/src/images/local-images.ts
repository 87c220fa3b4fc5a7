// Local images (Code.ImageUri without a registry host, STRATUS_LOCAL_IMAGES=true):
// every live node is asked for the image's ID, and the version is pinned to it when
// all have the same one. A node without the image, nodes that disagree, or an image
// not for linux/amd64 or over 10 GB is the image's problem (the function Failed,
// naming the node); a node that cannot be asked is a transient failure.
import { IMAGE_SIZE_LIMIT_BYTES, ImageProblem, type LocalImageRef, localPinnedRef } from "@stratus/shared";
import type { LiveNode } from "../routing/node-directory.js";
import type { LocalImage } from "./node-pulls.js";

export type AskLocal = (node: LiveNode, image: string) => Promise<LocalImage>;

/** The pinned reference and size of local image `uri`, or throws (ImageProblem: final; else: retried). */
export async function resolveLocal(
  uri: string,
  ref: LocalImageRef,
  nodes: readonly LiveNode[],
  ask: AskLocal,
): Promise<{ resolvedUri: string; sizeBytes: number }> {
  if (nodes.length === 0) throw new Error(`no live node to ask for the local image ${uri}`);
  const results = await Promise.allSettled(nodes.map((n) => ask(n, uri)));
  const found: Array<{ node: string; image: LocalImage }> = [];
  for (const [i, r] of results.entries()) {
    const node = nodes[i]?.id ?? "?";
    if (r.status === "fulfilled") found.push({ node, image: r.value });
    else if (r.reason instanceof ImageProblem) {
      throw new ImageProblem(r.reason.code, `The local image ${uri} is not present on node ${node}.`);
    } else throw new Error(`node ${node} could not be asked for ${uri}: ${(r.reason as Error).message}`);
  }
  const [first, ...rest] = found as [
    { node: string; image: LocalImage },
    ...Array<{ node: string; image: LocalImage }>,
  ];
  const other = rest.find((f) => f.image.id !== first.image.id);
  if (other) {
    throw new ImageProblem(
      "InvalidImage",
      `The local image ${uri} differs between nodes: ${first.image.id} on node ${first.node}, ${other.image.id} on node ${other.node}.`,
    );
  }
  const { id, sizeBytes, architecture } = first.image;
  if (architecture && architecture !== "amd64") {
    throw new ImageProblem("InvalidImage", `The local image ${uri} is for ${architecture}, not linux/amd64.`);
  }
  if (sizeBytes > IMAGE_SIZE_LIMIT_BYTES) {
    throw new ImageProblem("InvalidImage", `The local image ${uri} is over the 10 GB limit (${sizeBytes} bytes).`);
  }
  if (ref.digest && ref.digest !== id) {
    throw new ImageProblem("InvalidImage", `The local image ${uri} has ID ${id} on node ${first.node}.`);
  }
  return { resolvedUri: localPinnedRef(ref, id), sizeBytes };
}
