// The images this node pulled for image functions: each pulled once per digest (a
// second caller waits on the first pull), with the registry credentials the operator
// configured, and removed again when nothing uses it: at once when the functions that
// used it are deleted, or after it has gone unused for `idleTtlMs`. Only images this
// node pulled are ever removed, never a stratus/* image, and never one a container
// runs (the engine refuses to remove those, and the pool is asked first).
// Local images (named without a registry host, STRATUS_LOCAL_IMAGES) are never
// pulled nor removed: they are the operator's, looked up on the engine by tag (when
// the control plane pins one) or by image ID (what a version runs).
import {
  engineImageRef,
  ImageProblem,
  type Logger,
  parseImageRef,
  parseLocalImageRef,
  type RegistryCredentials,
} from "@stratus/shared";
import type { ImageInfo, Images } from "../backend/container-backend.js";

interface Pulled {
  info?: ImageInfo;
  pulling?: Promise<ImageInfo>;
  lastUsed: number;
  /** Functions (account/name) that ran it. */
  users: Set<string>;
  /** Every function that ran it has been deleted. */
  released?: true;
}

export interface NodeImagesOptions {
  credentials: ReadonlyMap<string, RegistryCredentials>;
  idleTtlMs: number;
  log: Pick<Logger, "warn" | "info">;
  now?: () => number;
}

export class NodeImages {
  private readonly pulled = new Map<string, Pulled>();
  private readonly now: () => number;

  constructor(
    private readonly images: Images,
    private readonly opts: NodeImagesOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** `ref` on this node, pulled if need be, for `user` (account/function); throws ImageProblem. */
  async ensure(ref: string, user?: string): Promise<ImageInfo> {
    // A local tag may be moved at any time: looked up afresh, never kept.
    const local = parseLocalImageRef(ref);
    if (local && !local.digest) return this.present(ref);
    let entry = this.pulled.get(ref);
    if (!entry) {
      entry = { lastUsed: this.now(), users: new Set() };
      this.pulled.set(ref, entry);
    }
    entry.lastUsed = this.now();
    if (user) entry.users.add(user);
    entry.released = undefined;
    if (entry.info) return entry.info;
    if (!entry.pulling) {
      const pulling = this.pull(ref).finally(() => {
        if (entry.pulling === pulling) entry.pulling = undefined;
      });
      entry.pulling = pulling;
    }
    const info = await entry.pulling.catch((err: ImageProblem) => {
      if (!this.pulled.get(ref)?.info) this.pulled.delete(ref);
      throw err;
    });
    entry.info = info;
    return info;
  }

  private async pull(ref: string): Promise<ImageInfo> {
    if (parseLocalImageRef(ref)) return this.present(ref);
    const present = await this.images.inspectImage(ref);
    if (present) return present;
    const registry = parseImageRef(ref)?.registry;
    const creds = registry ? this.opts.credentials.get(registry) : undefined;
    await this.images.pullImage(ref, creds && registry ? { ...creds, serveraddress: registry } : undefined);
    return (await this.images.inspectImage(ref)) ?? {};
  }

  /** A local image as the engine has it (a pinned one by its ID); ImageDeleted when it has not. */
  private async present(ref: string): Promise<ImageInfo> {
    const info = await this.images.inspectImage(engineImageRef(ref));
    if (!info) throw new ImageProblem("ImageDeleted", `The local image ${ref} is not present on this node`);
    return info;
  }

  /**
   * Removes the images that `inUse` (the refs live containers run) does not hold and
   * that either every function that used them was deleted, or went unused for the
   * idle TTL. Returns their refs.
   */
  async sweep(inUse: ReadonlySet<string>): Promise<string[]> {
    const removed: string[] = [];
    for (const [ref, entry] of [...this.pulled]) {
      if (entry.pulling || inUse.has(ref) || !removable(ref)) continue;
      if (!entry.released && this.now() - entry.lastUsed <= this.opts.idleTtlMs) continue;
      this.pulled.delete(ref);
      if (await this.images.removeImage(ref)) removed.push(ref);
    }
    if (removed.length > 0) this.opts.log.info(`removed ${removed.length} unused function images`);
    return removed;
  }

  /** Forgets `user` (account/function, deleted) as a user of every image. */
  forgetUser(user: string): void {
    for (const entry of this.pulled.values()) {
      if (entry.users.delete(user) && entry.users.size === 0) entry.released = true;
    }
  }

  /** The refs this node pulled and keeps. */
  refs(): string[] {
    return [...this.pulled.keys()];
  }
}

/**
 * Only function images pulled from a registry by digest; the platform's own images
 * and local images (the operator's, parseLocalImageRef) never go.
 */
export function removable(ref: string): boolean {
  if (ref.startsWith("stratus/") || parseLocalImageRef(ref)) return false;
  return parseImageRef(ref)?.digest !== undefined;
}
