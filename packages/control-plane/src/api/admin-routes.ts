// The admin API (a Stratus extension, SigV4-signed like the Lambda API): accounts
// and access keys, for administrator accounts only; anyone else gets 403.
//   POST /stratus/2026-11-01/accounts              {"Name": "team-a"}
//   POST /stratus/2026-11-01/accounts/{name}/keys
import { errors, StratusError } from "@stratus/shared";
import { type RequestHandler, Router } from "express";
import { z } from "zod";
import { parseInput } from "../services/function-input.js";
import type { AccountStore } from "../store/account-store.js";
import { callerAccount } from "./auth.js";
import { jsonBody } from "./body.js";
import { route } from "./route.js";

const PREFIX = "/stratus/2026-11-01/accounts";
const AccountInput = z.object({
  Name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "Name must match [a-zA-Z0-9_-]{1,64}"),
});

/** Lets only administrator accounts through; anyone else gets 403. */
export function adminsOnly(accounts: Pick<AccountStore, "isAdmin">): RequestHandler {
  return (_req, res, next) => {
    accounts.isAdmin(callerAccount(res.locals)).then((admin) => {
      // Only the account's own keys: an IAM user or role of an administrator account is not one.
      if (admin && !res.locals.session) return next();
      next(new StratusError("AccessDeniedException", 403, "client", "Only administrator accounts may manage accounts"));
    }, next);
  };
}

export function adminRoutes(accounts: AccountStore): Router {
  const r = Router();
  r.use(PREFIX, adminsOnly(accounts));
  r.post(
    PREFIX,
    route("CreateAccount", async (req, res) => {
      const { Name } = parseInput(AccountInput, jsonBody(req));
      if (await accounts.findAccountByName(Name)) throw errors.conflict(`Account already exists: ${Name}`);
      const account = await accounts.createAccount(Name);
      const key = await accounts.createAccessKey(account.id);
      res.status(201).json({
        AccountId: account.id,
        Name,
        AccessKeyId: key.accessKeyId,
        SecretAccessKey: key.secretAccessKey,
      });
    }),
  );
  r.post(
    `${PREFIX}/:name/keys`,
    route("CreateAccessKey", async (req, res) => {
      const account = await accounts.findAccountByName(String(req.params.name));
      if (!account) throw errors.notFound(`Account not found: ${String(req.params.name).slice(0, 64)}`);
      const key = await accounts.createAccessKey(account.id);
      res
        .status(201)
        .json({ AccountId: account.id, AccessKeyId: key.accessKeyId, SecretAccessKey: key.secretAccessKey });
    }),
  );
  return r;
}
