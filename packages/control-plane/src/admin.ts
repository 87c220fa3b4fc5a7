// Administrator commands, run next to a control plane with the same database:
//   stratus-admin create-account NAME   creates an account and its first access key
//   stratus-admin create-key NAME       adds an access key to an existing account
// Prints JSON {accountId, accessKeyId, secretAccessKey} on stdout; logs (pino) go to stderr.
import { LogLevelSchema, processLogOptions } from "@stratus/shared";
import pg from "pg";
import { pino } from "pino";
import { z } from "zod";
import { createPgAccountStore } from "./store/account-store.js";
import { migrate } from "./store/migrate.js";

const env = z
  .object({ STRATUS_DATABASE_URL: z.string().url(), STRATUS_LOG_LEVEL: LogLevelSchema })
  .safeParse(process.env);
const [command, name] = process.argv.slice(2);
if (!env.success || !name || !["create-account", "create-key"].includes(command ?? "")) {
  console.error("usage: STRATUS_DATABASE_URL=... stratus-admin create-account|create-key NAME");
  process.exit(2);
}
const log = pino(processLogOptions("stratus-admin", env.data.STRATUS_LOG_LEVEL), pino.destination(2));
const pool = new pg.Pool({ connectionString: env.data.STRATUS_DATABASE_URL, max: 1 });
try {
  await migrate(pool);
  const store = createPgAccountStore(pool);
  let account = await store.findAccountByName(name);
  if (command === "create-account") {
    if (account) throw new Error(`account ${name} already exists (use create-key)`);
    account = await store.createAccount(name);
  }
  if (!account) throw new Error(`no account named ${name}`);
  const key = await store.createAccessKey(account.id);
  console.log(
    JSON.stringify({ accountId: account.id, accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }),
  );
} catch (err) {
  log.error({ err, command, name }, `stratus-admin: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
