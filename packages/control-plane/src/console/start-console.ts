// Builds the console's server side from the control plane's pool and settings: its
// store, its sessions, and the authenticator that lets a session stand in for SigV4.
import { fileURLToPath } from "node:url";
import type { Pool } from "pg";
import type { Authenticator } from "../api/auth.js";
import type { AccountStore } from "../store/account-store.js";
import { bounded } from "../store/pg-helpers.js";
import type { ConsoleDeps } from "./console-routes.js";
import { createPgConsoleStore } from "./console-store.js";
import { withConsoleSessions } from "./session-auth.js";
import { createSessions } from "./sessions.js";

/** packages/console/dist, from src/console or dist/console alike. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL("../../../console/dist/", import.meta.url));

export interface ConsoleSettings {
  region: string;
  dbStatementTimeoutMs: number;
  console: { sessionSeconds: number; dir?: string };
}

export function startConsole(
  pool: Pool,
  accounts: AccountStore,
  signatures: Authenticator,
  config: ConsoleSettings,
): { deps: ConsoleDeps; authenticate: Authenticator } {
  const store = createPgConsoleStore(bounded(pool, config.dbStatementTimeoutMs));
  // Sign-in reads the key uncached: a key deleted a moment ago must not sign anyone in.
  // An IAM user's key does not sign in: console sessions act with the account's full rights.
  const ownKey = (id: string) => accounts.findAccessKey(id).then((k) => (k?.user ? undefined : k));
  const sessions = createSessions(store, ownKey, config.console.sessionSeconds);
  return {
    deps: { sessions, store, dir: config.console.dir ?? DEFAULT_CONSOLE_DIR, region: config.region },
    authenticate: withConsoleSessions(signatures, sessions, config.region),
  };
}
