// Resolves an image reference to the digest of its linux/amd64 manifest and its size,
// over the OCI distribution API (GET /v2/<repo>/manifests/<ref>), with the
// operator's credentials: Basic, or a Bearer token from the registry's token
// service, as its WWW-Authenticate challenge asks. Plain fetch: the API used is two
// requests, and no maintained npm client covers the token flow without pulling in more.
import { createHash } from "node:crypto";
import {
  IMAGE_SIZE_LIMIT_BYTES,
  ImageProblem,
  type ImageRef,
  isLoopbackRegistry,
  type RegistryCredentials,
} from "@stratus/shared";

export interface ResolvedImage {
  /** `sha256:<hex>` of the linux/amd64 image manifest. */
  digest: string;
  /** Its config and layers, as the manifest states them. */
  sizeBytes: number;
}

export interface RegistryOptions {
  credentials: ReadonlyMap<string, RegistryCredentials>;
  /** Registries reached over plain HTTP besides loopback ones. */
  insecure: readonly string[];
  fetch?: typeof fetch;
}

const INDEX_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
];
const MANIFEST_TYPES = [
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
];
const ACCEPT = [...MANIFEST_TYPES, ...INDEX_TYPES].join(", ");

interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string };
}

interface Manifest {
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
}

/** Sums a manifest's config and layers; refuses one over Lambda's 10 GB image limit. */
export function imageSize(manifest: Manifest): number {
  const size = (manifest.config?.size ?? 0) + (manifest.layers ?? []).reduce((sum, l) => sum + (l.size ?? 0), 0);
  if (size > IMAGE_SIZE_LIMIT_BYTES) {
    throw new ImageProblem(
      "InvalidImage",
      `The image is ${size} bytes, over the ${IMAGE_SIZE_LIMIT_BYTES} byte (10 GB) limit for a function image`,
    );
  }
  return size;
}

/** The linux/amd64 entry of an image index. */
export function amd64Entry(index: Manifest): Descriptor {
  const entry = (index.manifests ?? []).find((m) => m.platform?.os === "linux" && m.platform?.architecture === "amd64");
  if (!entry) throw new ImageProblem("InvalidImage", "The image has no linux/amd64 variant (Architectures: x86_64)");
  return entry;
}

/** Parses a WWW-Authenticate: Bearer realm="…",service="…",scope="…" challenge. */
export function bearerChallenge(header: string): Record<string, string> | undefined {
  if (!/^Bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) params[m[1] as string] = m[2] as string;
  return params.realm ? params : undefined;
}

export function createRegistryClient(opts: RegistryOptions) {
  const http = opts.fetch ?? fetch;
  const base = (registry: string) =>
    `${isLoopbackRegistry(registry) || opts.insecure.includes(registry) ? "http" : "https"}://${registry}`;
  const tokens = new Map<string, string>();

  async function authorize(ref: ImageRef, challenge: string): Promise<string> {
    const creds = opts.credentials.get(ref.registry);
    const basic = creds && `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString("base64")}`;
    const bearer = bearerChallenge(challenge);
    if (!bearer) {
      if (!basic) throw denied(ref, "the registry asks for credentials and none are configured for it");
      return basic;
    }
    const url = new URL(bearer.realm as string);
    if (bearer.service) url.searchParams.set("service", bearer.service);
    url.searchParams.set("scope", bearer.scope ?? `repository:${ref.repository}:pull`);
    const res = await http(url, { headers: basic ? { authorization: basic } : {} });
    if (!res.ok) throw denied(ref, `the registry's token service answered ${res.status}`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw denied(ref, "the registry's token service gave no token");
    return `Bearer ${token}`;
  }

  async function getManifest(ref: ImageRef, reference: string): Promise<{ manifest: Manifest; digest: string }> {
    const url = `${base(ref.registry)}/v2/${ref.repository}/manifests/${reference}`;
    const key = `${ref.registry}/${ref.repository}`;
    const send = (auth?: string) =>
      http(url, { headers: { accept: ACCEPT, ...(auth ? { authorization: auth } : {}) } }).catch((err: Error) => {
        throw new ImageProblem(
          "ImageAccessDenied",
          `Registry ${ref.registry} could not be reached: ${(err.cause as Error)?.message ?? err.message}`,
        );
      });
    let res = await send(tokens.get(key));
    if (res.status === 401) {
      const auth = await authorize(ref, res.headers.get("www-authenticate") ?? "");
      tokens.set(key, auth);
      res = await send(auth);
    }
    if (res.status === 401 || res.status === 403) throw denied(ref, `the registry answered ${res.status}`);
    if (res.status === 404) {
      throw new ImageProblem(
        "ImageDeleted",
        `Source image ${ref.registry}/${ref.repository}:${reference} does not exist`,
      );
    }
    if (!res.ok) throw new ImageProblem("ImageAccessDenied", `Registry ${ref.registry} answered ${res.status}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest =
      res.headers.get("docker-content-digest") ?? `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
    try {
      return { manifest: JSON.parse(bytes.toString("utf8")) as Manifest, digest };
    } catch {
      throw new ImageProblem("InvalidImage", "The registry's manifest is not JSON");
    }
  }

  return {
    /** The digest and size `ref` names now; throws ImageProblem when it cannot run. */
    async resolve(ref: ImageRef): Promise<ResolvedImage> {
      let { manifest, digest } = await getManifest(ref, ref.digest ?? (ref.tag as string));
      const type = manifest.mediaType ?? (manifest.manifests ? INDEX_TYPES[0] : MANIFEST_TYPES[0]);
      if (INDEX_TYPES.includes(type as string)) {
        const entry = amd64Entry(manifest);
        ({ manifest, digest } = await getManifest(ref, entry.digest));
      } else if (!MANIFEST_TYPES.includes(type as string)) {
        throw new ImageProblem("InvalidImage", `Unsupported manifest type ${type}`);
      }
      return { digest, sizeBytes: imageSize(manifest) };
    },
  };
}

export type RegistryClient = ReturnType<typeof createRegistryClient>;

function denied(ref: ImageRef, why: string): ImageProblem {
  return new ImageProblem(
    "ImageAccessDenied",
    `Stratus cannot pull ${ref.registry}/${ref.repository}: ${why} (see STRATUS_REGISTRY_AUTH)`,
  );
}
