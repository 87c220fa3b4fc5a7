// Asks invoker nodes to pull an image (imagePull.path on each node's internal API),
// so that a function goes Active only once its image is on the nodes that will run
// it. A node's refusal names the image's problem (x-amzn-errortype ImageDeleted,
// ImageAccessDenied or InvalidImage); a node that cannot be reached is left to pull
// at its first cold start of the function. For a local image the same endpoint
// answers the image's ID on the node instead (localImageOn).
import { headers, ImageProblem, type ImageProblemCode, imagePull, internalInvoke, type Logger } from "@stratus/shared";
import type { LiveNode } from "../routing/node-directory.js";

const PROBLEMS = new Set<string>(["ImageDeleted", "ImageAccessDenied", "InvalidImage"]);
/** Pulling a big image over a slow link takes a while. */
const PULL_TIMEOUT_MS = 15 * 60_000;

/** Pulls `image` on `node`; throws ImageProblem when the node says the image cannot be pulled. */
export async function pullOnNode(node: LiveNode, image: string, internalToken: string): Promise<void> {
  await askNode(node, image, internalToken);
}

/** What a node says of a local image (named without a registry host): its ID there. */
export interface LocalImage {
  id: string;
  sizeBytes: number;
  architecture?: string;
}

/** The ID of the local image `image` on `node`; ImageProblem (ImageDeleted) when the node has not got it. */
export async function localImageOn(node: LiveNode, image: string, internalToken: string): Promise<LocalImage> {
  const body = (await askNode(node, image, internalToken)) as Partial<LocalImage>;
  if (typeof body.id !== "string") throw new Error(`node ${node.id} did not say the ID of ${image}`);
  return {
    id: body.id,
    sizeBytes: body.sizeBytes ?? 0,
    ...(body.architecture ? { architecture: body.architecture } : {}),
  };
}

async function askNode(node: LiveNode, image: string, internalToken: string): Promise<unknown> {
  const res = await fetch(`${node.url}${imagePull.path}`, {
    method: "POST",
    headers: { "content-type": "application/json", [internalInvoke.tokenHeader]: internalToken },
    body: JSON.stringify({ image }),
    signal: AbortSignal.timeout(PULL_TIMEOUT_MS),
  });
  if (res.ok) return res.json().catch(() => ({}));
  const code = res.headers.get(headers.errorType) ?? "";
  const message =
    ((await res.json().catch(() => ({}))) as { message?: string }).message ?? `node answered ${res.status}`;
  if (PROBLEMS.has(code)) throw new ImageProblem(code as ImageProblemCode, message);
  throw new Error(`node ${node.id} could not pull ${image}: ${message}`);
}

/**
 * Pulls `image` on every live node at once. The first ImageProblem any node reports
 * is thrown; other failures (a node away, a node error) are logged and left to the
 * node's own pull at its first cold start.
 */
export async function pullOnNodes(
  nodes: readonly LiveNode[],
  image: string,
  pull: (node: LiveNode, image: string) => Promise<void>,
  log: Pick<Logger, "warn">,
): Promise<void> {
  const results = await Promise.allSettled(nodes.map((n) => pull(n, image)));
  for (const r of results) if (r.status === "rejected" && r.reason instanceof ImageProblem) throw r.reason;
  for (const [i, r] of results.entries()) {
    if (r.status === "rejected") log.warn(`node ${nodes[i]?.id} did not pull ${image}: ${(r.reason as Error).message}`);
  }
}
