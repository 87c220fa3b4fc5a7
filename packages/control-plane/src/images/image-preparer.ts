// Settles image functions: a $LATEST that is Pending (just created) or whose update
// is InProgress has its image resolved to a digest in its registry, pulled on the
// live nodes, and then goes Active (its update Successful) pinned to that digest, or
// Failed (its update Failed) with Lambda's reason code. Woken at once by a create or
// update, and in a background loop for any left over (a restart, another replica's
// work): settling is idempotent, and a settlement of a $LATEST changed since is
// dropped by the store. A local image (no registry host) is pinned to its ID on the
// nodes instead (local-images.ts).
import {
  ImageProblem,
  LATEST,
  type Logger,
  parseImageRef,
  parseLocalImageRef,
  pinnedRef,
  type Retirement,
} from "@stratus/shared";
import type { FunctionVersion } from "../domain.js";
import { type Repeating, startRepeating } from "../repeating.js";
import type { LiveNode, NodeDirectory } from "../routing/node-directory.js";
import type { ImageSettler } from "../services/function-service.js";
import type { FunctionStore, ImageSettlement } from "../store/function-store.js";
import { type AskLocal, resolveLocal } from "./local-images.js";
import { pullOnNodes } from "./node-pulls.js";
import type { RegistryClient } from "./registry-client.js";

export interface ImagePreparerDeps {
  store: FunctionStore;
  registry: Pick<RegistryClient, "resolve">;
  nodes: Pick<NodeDirectory, "liveNodes">;
  pull: (node: LiveNode, image: string) => Promise<void>;
  /** Asks a node for a local image's ID (images named without a registry host). */
  localImage?: AskLocal;
  /** STRATUS_LOCAL_IMAGES: whether local images may be run at all. */
  localImages?: boolean;
  /** $LATEST's containers of the revisions before the settled one go. */
  retired: (r: Retirement) => void;
  log: Pick<Logger, "warn" | "info">;
  intervalMs: number;
}

export type ImagePreparer = ImageSettler & { stop(): Promise<void> };

const localOff = (uri: string) =>
  new ImageProblem(
    "InvalidImage",
    `The image ${uri} names no registry, and local images are disabled on this Stratus (STRATUS_LOCAL_IMAGES).`,
  );

export function startImagePreparer(deps: ImagePreparerDeps): ImagePreparer {
  const { store, log } = deps;
  const inFlight = new Map<string, Promise<void>>();

  async function settlementOf(uri: string): Promise<{ resolvedUri: string; sizeBytes: number } | undefined> {
    const local = parseLocalImageRef(uri);
    if (!local) return undefined;
    if (!deps.localImages || !deps.localImage) throw localOff(uri);
    return resolveLocal(uri, local, await deps.nodes.liveNodes(), deps.localImage);
  }

  async function outcomeFor(fn: FunctionVersion): Promise<ImageSettlement | undefined> {
    if (fn.image) {
      try {
        const local = await settlementOf(fn.image.uri);
        if (local) return { ok: true, ...local };
      } catch (err) {
        if (err instanceof ImageProblem) return { ok: false, reason: { code: err.code, message: err.message } };
        log.warn(`could not settle the local image of ${fn.name}: ${(err as Error).message}`);
        return undefined;
      }
    }
    const ref = fn.image && parseImageRef(fn.image.uri);
    if (!ref) return { ok: false, reason: { code: "InvalidImage", message: `Invalid image URI ${fn.image?.uri}` } };
    try {
      const resolved = await deps.registry.resolve(ref);
      const pinned = pinnedRef(ref, resolved.digest);
      await pullOnNodes(await deps.nodes.liveNodes(), pinned, deps.pull, log);
      return { ok: true, resolvedUri: pinned, sizeBytes: resolved.sizeBytes };
    } catch (err) {
      if (err instanceof ImageProblem) return { ok: false, reason: { code: err.code, message: err.message } };
      // Not the image's fault (Redis, a node's error): tried again by the next round.
      log.warn(`could not settle the image of ${fn.name}: ${(err as Error).message}`);
      return undefined;
    }
  }

  function settleVersion(fn: FunctionVersion): Promise<void> {
    const key = `${fn.accountId}/${fn.name}/${fn.revisionId}`;
    const running = inFlight.get(key);
    if (running) return running;
    const work = (async () => {
      const outcome = await outcomeFor(fn);
      if (!outcome) return;
      const settled = await store.settleImage(fn.accountId, fn.name, fn.revisionId, outcome);
      if (!settled) return;
      if (!outcome.ok) log.info(`image function ${fn.name} failed: ${outcome.reason.code}`);
      deps.retired({
        accountId: fn.accountId,
        functionName: fn.name,
        version: LATEST,
        keepRevisionId: settled.revisionId,
      });
    })().finally(() => inFlight.delete(key));
    inFlight.set(key, work);
    return work;
  }

  const round = async () => {
    const unsettled = await store.unsettledImages(20);
    await Promise.all(unsettled.map(settleVersion));
  };
  const loop: Repeating = startRepeating(round, {
    intervalMs: deps.intervalMs,
    onError: (err) => log.warn(`image preparer: ${err.message}`),
  });

  return {
    changed() {
      void round().catch((err: Error) => log.warn(`image preparer: ${err.message}`));
    },
    async settle(accountId, name) {
      const fn = await store.get(accountId, name, LATEST);
      if (fn && (fn.state === "Pending" || fn.lastUpdate.status === "InProgress")) await settleVersion(fn);
    },
    localImages: deps.localImages === true,
    stop: () => loop.stop(),
  };
}
