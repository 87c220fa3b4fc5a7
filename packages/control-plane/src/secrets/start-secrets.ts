// Secrets Manager's part of a control plane, built in one place: its store, the
// cipher under the platform key, the service, the reader other modules may use, and
// the purge loop. With no key configured there is no service: the routes refuse
// every operation rather than store a value in the clear.
import type { Logger } from "@stratus/shared";
import type { Pool } from "pg";
import { createPgSecretStore } from "../store/secret-store.js";
import { createSecretCipher } from "./secret-cipher.js";
import { startSecretPurge } from "./secret-purge.js";
import { createSecretService, type SecretService } from "./secret-service.js";
import { createSecretsReader, type SecretsReader } from "./secrets-reader.js";

export interface Secrets {
  /** Undefined when no platform key is configured (STRATUS_SECRETS_KEY). */
  service?: SecretService;
  reader?: SecretsReader;
  stop(): Promise<void>;
}

export function startSecrets(
  pool: Pool,
  opts: {
    region: string;
    dbStatementTimeoutMs: number;
    secrets: { key?: Buffer; purgeIntervalMs: number };
    log: Logger;
  },
): Secrets {
  const store = createPgSecretStore(pool, opts.dbStatementTimeoutMs);
  // Purging needs no key: it only deletes rows.
  const purge = startSecretPurge(store, { intervalMs: opts.secrets.purgeIntervalMs }, opts.log);
  if (!opts.secrets.key) {
    opts.log.warn("STRATUS_SECRETS_KEY is not set: the Secrets Manager API refuses every request");
    return { stop: () => purge.stop() };
  }
  const cipher = createSecretCipher(opts.secrets.key);
  return {
    service: createSecretService(store, cipher, opts.region),
    reader: createSecretsReader(store, cipher, opts.region),
    stop: () => purge.stop(),
  };
}
