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
 * Parses an image URI; undefined when it is not one. The first path segment must be
 * a registry host (it has a dot or a port, or is `localhost`): Stratus has no default
 * registry, as Lambda has none but ECR.
 */
export function parseImageRef(uri: string): ImageRef | undefined {
  if (uri.length > 1024 || /\s/.test(uri)) return undefined;
  const slash = uri.indexOf("/");
  if (slash < 0) return undefined;
  const registry = uri.slice(0, slash);
  if (!HOST.test(registry) || !(registry.includes(".") || registry.includes(":") || registry === "localhost")) {
    return undefined;
  }
  let rest = uri.slice(slash + 1);
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
  return { registry, repository: rest, ...(digest ? { digest } : { tag: tag ?? "latest" }) };
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

/** Invoker endpoint the control plane asks to pull an image before a function goes Active. */
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
};

export interface RegistrySettings {
  credentials: Map<string, RegistryCredentials>;
  insecure: string[];
}

/** Registry settings from the parsed variables; `readFile` reads STRATUS_REGISTRY_CONFIG (throws naming only the path). */
export function registrySettings(
  e: { STRATUS_REGISTRY_AUTH?: string; STRATUS_REGISTRY_CONFIG?: string; STRATUS_INSECURE_REGISTRIES: string[] },
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
  return { credentials, insecure: e.STRATUS_INSECURE_REGISTRIES };
}
