// Provisioned concurrency in a control plane: its configs' store, the API's service,
// and the reconciler that keeps the invoker nodes' containers to them.
import type { Logger } from "@stratus/shared";
import type { Pool } from "pg";
import type { NodeDirectory } from "../routing/node-directory.js";
import type { AliasStore } from "../store/alias-store.js";
import type { FunctionStore } from "../store/function-store.js";
import { createPgProvisionedStore } from "../store/provisioned-store.js";
import type { SettingsStore } from "../store/settings-store.js";
import { startProvisionedReconciler } from "./provisioned-reconciler.js";
import { createProvisionedService } from "./provisioned-service.js";

export interface ProvisionedDeps {
  functions: Pick<FunctionStore, "get">;
  aliases: Pick<AliasStore, "get" | "referencing">;
  settings: Pick<SettingsStore, "getReservedConcurrency" | "reservedElsewhere">;
  nodes: Pick<NodeDirectory, "liveNodes">;
  config: { region: string; internalToken: string; accountConcurrency: number; dbStatementTimeoutMs: number };
  log: Pick<Logger, "warn">;
}

export function startProvisioned(pool: Pool, deps: ProvisionedDeps) {
  const { functions, aliases, settings, config } = deps;
  const store = createPgProvisionedStore(pool, config.dbStatementTimeoutMs);
  const reconciler = startProvisionedReconciler({
    store,
    nodes: deps.nodes,
    version: (accountId, name, version) => functions.get(accountId, name, version),
    alias: (accountId, name, alias) => aliases.get(accountId, name, alias),
    region: config.region,
    internalToken: config.internalToken,
    log: deps.log,
  });
  const service = createProvisionedService({
    store,
    hasVersion: async (accountId, name, version) => (await functions.get(accountId, name, version)) !== undefined,
    alias: (accountId, name, alias) => aliases.get(accountId, name, alias),
    aliasesOf: (accountId, name, version) => aliases.referencing(accountId, name, version),
    reservation: async (accountId, name) => (await settings.getReservedConcurrency(accountId, name)) ?? null,
    reservedElsewhere: (accountId, name) => settings.reservedElsewhere(accountId, name),
    accountConcurrencyLimit: config.accountConcurrency,
    region: config.region,
    changed: () => reconciler.nudge(),
  });
  return { service, reconciler };
}

export type Provisioned = ReturnType<typeof startProvisioned>;
