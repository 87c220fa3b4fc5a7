// Container image references as Lambda's Code.ImageUri names them
// (`host[:port]/repo[:tag]` or `host[:port]/repo@sha256:<hex>`), the registry
// credentials an operator configures (STRATUS_REGISTRY_AUTH, or a docker
// config.json), and the reasons an image function can fail for. Shared by the
// control plane (which resolves tags to digests) and invokers (which pull).
import { z } from "zod";

export interface ImageRef {
  /** Registry host, with its port if any (e.g. 127.0.0.1:5000). */
  registry: string;
  /** Repository path inside the registry (e.g. team/fn). */
  repository: string;
  /** A tag, or absent when `digest` is given. */
  tag?: string;
  /** `sha256:<64 hex>` when the reference pins one. */
  digest?: string;
}

const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?$/;

/**
 * Whether `uri` names a registry host, by Docker's rule: its first path segment has a
 * dot, a port or an upper-case letter, or is `localhost`. Without one (`my-fn:v1`,
 * `library/x:tag`) Docker means Docker Hub; Stratus means an image already on the nodes.
 */
export function hasRegistryHost(uri: string): boolean {
  const slash = uri.indexOf("/");
  if (slash < 0) return false;
  const first = uri.slice(0, slash);
  return /[.:]/.test(first) || first === "localhost" || first !== first.toLowerCase();
}

/**
 * Parses an image URI; undefined when it is not one. The first path segment must be
 * a registry host (hasRegistryHost): Stratus has no default registry, as Lambda has
 * none but ECR. Names without one are local images (parseLocalImageRef).
 */
export function parseImageRef(uri: string): ImageRef | undefined {
  if (uri.length > 1024 || /\s/.test(uri) || !hasRegistryHost(uri)) return undefined;
  const slash = uri.indexOf("/");
  const registry = uri.slice(0, slash);
  if (!HOST.test(registry)) return undefined;
  const rest = parseRepository(uri.slice(slash + 1));
  return rest && { registry, ...rest };
}

/** An image already present on the nodes, named without a registry host (`repo[:tag]` or `repo@sha256:<image ID>`). */
export interface LocalImageRef {
  repository: string;
  tag?: string;
  /** The engine's image ID (`sha256:<64 hex>`), when the reference pins one. */
  digest?: string;
}

/** Parses a local image name (no registry host); undefined when `uri` is not one. */
export function parseLocalImageRef(uri: string): LocalImageRef | undefined {
  if (uri.length > 1024 || /\s/.test(uri) || hasRegistryHost(uri)) return undefined;
  return parseRepository(uri);
}

/** `repository@<image ID>`: what a version of a local image function runs, wherever its tag now points. */
export function localPinnedRef(ref: LocalImageRef, imageId: string): string {
  return `${ref.repository}@${imageId}`;
}

/**
 * The reference the engine runs `uri` by: a pinned local image by its bare image ID
 * (the engine reads `repo@sha256:` as a registry digest, which local images have not),
 * anything else as it is.
 */
export function engineImageRef(uri: string): string {
  return parseLocalImageRef(uri)?.digest ?? uri;
}

/** `repo[:tag]` or `repo@digest` as a repository, a tag (default latest) and a digest. */
function parseRepository(text: string): LocalImageRef | undefined {
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  if (!REPOSITORY.test(rest) || rest.length > 255) return undefined;
  return { repository: rest, ...(digest ? { digest } : { tag: tag ?? "latest" }) };
}

/** `registry/repository@digest`: what a version runs, whatever its tag now names. */
export function pinnedRef(ref: ImageRef, digest: string): string {
  return `${ref.registry}/${ref.repository}@${digest}`;
}

/** The registry's own name for a reference (what `docker pull` takes). */
export function formatImageRef(ref: ImageRef): string {
  return ref.digest ? pinnedRef(ref, ref.digest) : `${ref.registry}/${ref.repository}:${ref.tag}`;
}

/** Whether the registry is on this host's loopback, which Docker (and Stratus) reach over plain HTTP. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:[0-9]+$/, "");
  return host === "localhost" || /^127\.\d+\.\d+\.\d+$/.test(host) || host === "[::1]";
}

export interface RegistryCredentials {
  username: string;
  password: string;
}

const Entry = z.union([
  z.object({ username: z.string().min(1), password: z.string() }),
  z.object({ auth: z.string().min(1) }),
]);
const AuthMap = z.record(Entry);

/**
 * Registry credentials by host, from STRATUS_REGISTRY_AUTH's JSON
 * (`{"host:port": {"username": "...", "password": "..."}}`) or the `auths` of a
 * docker config.json (`{"auths": {"host:port": {"auth": "<base64 user:pass>"}}}`);
 * either form is accepted in either place. Throws on a malformed document, naming
 * no secret.
 */
export function parseRegistryAuth(json: string): Map<string, RegistryCredentials> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error("registry credentials are not JSON");
  }
  const doc = typeof raw === "object" && raw !== null && "auths" in raw ? (raw as { auths: unknown }).auths : raw;
  const parsed = AuthMap.safeParse(doc);
  if (!parsed.success) throw new Error("registry credentials must map hosts to {username, password} or {auth}");
  const out = new Map<string, RegistryCredentials>();
  for (const [host, entry] of Object.entries(parsed.data)) {
    const key = host.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
    if ("auth" in entry) {
      const text = Buffer.from(entry.auth, "base64").toString("utf8");
      const colon = text.indexOf(":");
      if (colon <= 0) throw new Error(`registry credentials for ${key}: auth must be base64 of user:password`);
      out.set(key, { username: text.slice(0, colon), password: text.slice(colon + 1) });
    } else out.set(key, { username: entry.username, password: entry.password });
  }
  return out;
}

/**
 * Why an image function cannot run, as Lambda's StateReasonCode /
 * LastUpdateStatusReasonCode names it: the image (or tag) is not in its registry,
 * the registry refused Stratus' credentials, or it is not an image Stratus can run.
 */
export type ImageProblemCode = "ImageDeleted" | "ImageAccessDenied" | "InvalidImage";

export class ImageProblem extends Error {
  constructor(
    readonly code: ImageProblemCode,
    message: string,
  ) {
    super(message);
  }
}

/** Lambda's limit on an image's size (its layers and config, as its manifest states them). */
export const IMAGE_SIZE_LIMIT_BYTES = 10 * 1024 * 1024 * 1024;

/**
 * Invoker endpoint the control plane asks to pull an image before a function goes
 * Active (`{"image": "<registry ref by digest>"}`), or, for a local image
 * (`{"image": "repo[:tag]"}`), for its ID on the node: answered `{"id", "sizeBytes"}`.
 */
export const imagePull = {
  path: "/internal/v1/images/pull",
} as const;

/** The registry settings both processes read (docs/IMAGE-FUNCTIONS.md). */
export const RegistryEnvSchema = {
  /** JSON: `{"host:port": {"username": "...", "password": "..."}}` (or docker config.json's `auths`). */
  STRATUS_REGISTRY_AUTH: z.preprocess((v) => (v === "" ? undefined : v), z.string().optional()),
  /** Path of a docker config.json whose `auths` hold registry credentials. */
  STRATUS_REGISTRY_CONFIG: z.preprocess((v) => (v === "" ? undefined : v), z.string().optional()),
  /** Comma-separated registries reached over plain HTTP (loopback registries always are). */
  STRATUS_INSECURE_REGISTRIES: z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  /** `true`: ImageUris without a registry host name images already on the nodes (off: refused). */
  STRATUS_LOCAL_IMAGES: z
    .enum(["true", "false", ""])
    .default("false")
    .transform((v) => v === "true"),
};

export interface RegistrySettings {
  credentials: Map<string, RegistryCredentials>;
  insecure: string[];
  /** Whether functions may run images already on the nodes (STRATUS_LOCAL_IMAGES). */
  localImages: boolean;
}

/** Registry settings from the parsed variables; `readFile` reads STRATUS_REGISTRY_CONFIG (throws naming only the path). */
export function registrySettings(
  e: {
    STRATUS_REGISTRY_AUTH?: string;
    STRATUS_REGISTRY_CONFIG?: string;
    STRATUS_INSECURE_REGISTRIES: string[];
    STRATUS_LOCAL_IMAGES?: boolean;
  },
  readFile: (path: string) => string,
): RegistrySettings {
  const credentials = new Map<string, RegistryCredentials>();
  if (e.STRATUS_REGISTRY_CONFIG) {
    let text: string;
    try {
      text = readFile(e.STRATUS_REGISTRY_CONFIG);
    } catch (err) {
      throw new Error(`STRATUS_REGISTRY_CONFIG ${e.STRATUS_REGISTRY_CONFIG}: ${(err as Error).message}`);
    }
    for (const [k, v] of parseRegistryAuth(text)) credentials.set(k, v);
  }
  if (e.STRATUS_REGISTRY_AUTH) {
    for (const [k, v] of parseRegistryAuth(e.STRATUS_REGISTRY_AUTH)) credentials.set(k, v);
  }
  return { credentials, insecure: e.STRATUS_INSECURE_REGISTRIES, localImages: e.STRATUS_LOCAL_IMAGES === true };
}
