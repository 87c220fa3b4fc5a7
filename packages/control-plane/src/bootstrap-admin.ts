// First start: creates the administrator account and its access key when none
// exists, and stores the key in a file only the platform's user can read (never in
// the log). Later starts leave an existing administrator and file alone.
import { mkdir, open } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "@stratus/shared";
import type { AccountStore } from "./store/account-store.js";

export async function bootstrapAdmin(accounts: AccountStore, keyFile: string, log: Logger): Promise<void> {
  const created = await accounts.ensureAdmin("admin");
  if (!created) return;
  const text = `${JSON.stringify({
    accountId: created.account.id,
    accessKeyId: created.key.accessKeyId,
    secretAccessKey: created.key.secretAccessKey,
  })}\n`;
  await mkdir(path.dirname(keyFile), { recursive: true, mode: 0o700 });
  const file = await open(keyFile, "wx", 0o600);
  try {
    await file.writeFile(text);
  } finally {
    await file.close();
  }
  log.info(`created the administrator account ${created.account.id}; its access key is in ${keyFile}`);
}
