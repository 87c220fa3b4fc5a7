// The function_versions row and its mapping to the FunctionVersion domain type.
import type { TracingMode } from "@stratus/shared";
import type { FunctionImage, FunctionLayer, FunctionVersion, LoggingConfig, StatusReason } from "../domain.js";

export const VERSION_COLUMNS = `account_id, function_name, version, runtime, handler, role, description, memory_mb,
  timeout_seconds, ephemeral_storage_mb, environment, code_sha256_hex, code_size, revision_id, state, last_modified, layers, tracing_mode, logging,
  package_type, image, state_reason, last_update, dead_letter_target`;

export interface VersionRow {
  account_id: string;
  function_name: string;
  version: string;
  runtime: string;
  handler: string;
  role: string;
  description: string;
  memory_mb: number;
  timeout_seconds: number;
  ephemeral_storage_mb: number;
  environment: Record<string, string>;
  code_sha256_hex: string | null;
  code_size: string;
  revision_id: string;
  state: FunctionVersion["state"];
  last_modified: Date;
  layers: FunctionLayer[];
  tracing_mode: TracingMode;
  logging: LoggingConfig;
  package_type: FunctionVersion["packageType"];
  image: FunctionImage | null;
  state_reason: StatusReason | null;
  last_update: FunctionVersion["lastUpdate"];
  dead_letter_target: string | null;
}

/** The hex digest an image function's code is known by (its resolved image's), or "" before it is resolved. */
export function imageDigestHex(image: FunctionImage | null | undefined): string {
  return image?.resolvedUri?.split("@sha256:")[1] ?? "";
}

export function toVersion(r: VersionRow): FunctionVersion {
  return {
    accountId: r.account_id,
    name: r.function_name,
    version: r.version,
    runtime: r.runtime,
    handler: r.handler,
    role: r.role,
    description: r.description,
    memoryMb: r.memory_mb,
    timeoutSeconds: r.timeout_seconds,
    ephemeralStorageMb: r.ephemeral_storage_mb,
    environment: r.environment,
    codeSha256Hex: r.code_sha256_hex ?? imageDigestHex(r.image),
    codeSize: Number(r.code_size),
    revisionId: r.revision_id,
    state: r.state,
    lastModified: r.last_modified,
    layers: r.layers,
    tracingMode: r.tracing_mode,
    logging: r.logging,
    packageType: r.package_type,
    ...(r.image ? { image: r.image } : {}),
    ...(r.state_reason ? { stateReason: r.state_reason } : {}),
    lastUpdate: r.last_update,
    ...(r.dead_letter_target ? { deadLetterTarget: r.dead_letter_target } : {}),
  };
}

/** Positional values for an INSERT of VERSION_COLUMNS (last_modified = now()). */
export function versionValues(v: Omit<FunctionVersion, "lastModified">): unknown[] {
  return [
    v.accountId,
    v.name,
    v.version,
    v.runtime,
    v.handler,
    v.role,
    v.description,
    v.memoryMb,
    v.timeoutSeconds,
    v.ephemeralStorageMb,
    JSON.stringify(v.environment),
    v.packageType === "Image" ? null : v.codeSha256Hex,
    v.codeSize,
    v.revisionId,
    v.state,
    JSON.stringify(v.layers),
    v.tracingMode,
    JSON.stringify(v.logging),
    v.packageType,
    v.image ? JSON.stringify(v.image) : null,
    v.stateReason ? JSON.stringify(v.stateReason) : null,
    JSON.stringify(v.lastUpdate),
    v.deadLetterTarget || null,
  ];
}

export const INSERT_VERSION = `INSERT INTO function_versions (${VERSION_COLUMNS})
  VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15, now(), $16, $17, $18, $19, $20, $21, $22, $23) RETURNING ${VERSION_COLUMNS}`;
