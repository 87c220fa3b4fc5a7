// Usage metering's API (a Stratus extension, SigV4-signed like the Lambda API):
//   GET /stratus/2026-11-01/usage?Since=&Until=&Format=json|csv|focus[&Account=]
//       an account's own usage; Account (an id, a name, or * for all) is for
//       administrator accounts, and another account's usage is refused (403) otherwise
//   GET /stratus/2026-11-01/accounts/{name}/quota    (administrators)
//   PUT /stratus/2026-11-01/accounts/{name}/quota    (administrators)
//       {"MonthlyRequests": 1000000, "MonthlyGbSeconds": 400000}; null or absent: no limit
import { errors, StratusError } from "@stratus/shared";
import { Router } from "express";
import { z } from "zod";
import { parseInput } from "../services/function-input.js";
import type { AccountStore } from "../store/account-store.js";
import { REPORT_FORMATS, type ReportFormat } from "../usage/report-formats.js";
import { reportRange } from "../usage/report-range.js";
import type { UsageService } from "../usage/usage-service.js";
import { adminsOnly } from "./admin-routes.js";
import { callerAccount } from "./auth.js";
import { jsonBody } from "./body.js";
import { route } from "./route.js";

const PREFIX = "/stratus/2026-11-01";
const REPORT_PARAMS = new Set(["Since", "Until", "Format", "Account"]);

const QuotaInput = z
  .object({
    MonthlyRequests: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
    MonthlyGbSeconds: z.number().min(0).max(1e15).nullable().optional(),
  })
  .strict();

const denied = (message: string) => new StratusError("AccessDeniedException", 403, "client", message);

export function usageRoutes(usage: UsageService, accounts: AccountStore): Router {
  const r = Router();
  /** The account `name` names (an id or a name), or a 404. */
  const accountOf = async (name: string): Promise<string> => {
    const id = /^\d{12}$/.test(name)
      ? (await usage.accountExists(name)) && name
      : (await accounts.findAccountByName(name))?.id;
    if (!id) throw errors.notFound(`Account not found: ${name.slice(0, 64)}`);
    return id;
  };
  r.get(
    `${PREFIX}/usage`,
    route("GetUsageReport", async (req, res) => {
      const unknown = Object.keys(req.query).find((k) => !REPORT_PARAMS.has(k));
      if (unknown)
        throw errors.invalidParameter(
          `Unknown parameter ${unknown.slice(0, 64)}; known: Since, Until, Format, Account`,
        );
      const format = String(req.query.Format ?? "json").toLowerCase();
      if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
        throw errors.invalidParameter(`Format must be one of ${REPORT_FORMATS.join(", ")}`);
      }
      const range = reportRange(req.query, new Date());
      const caller = callerAccount(res.locals);
      const asked = req.query.Account === undefined ? caller : String(req.query.Account);
      let accountId: string | undefined = caller;
      if (asked !== caller) {
        if (!(await accounts.isAdmin(caller))) {
          throw denied("Only administrator accounts may read another account's usage");
        }
        accountId = asked === "*" ? undefined : await accountOf(asked);
      }
      const out = await usage.report(range, accountId, format as ReportFormat);
      res.status(200).type(out.contentType).send(out.body);
    }),
  );
  const quotaPath = `${PREFIX}/accounts/:name/quota`;
  r.use(quotaPath, adminsOnly(accounts));
  r.get(
    quotaPath,
    route("GetAccountQuota", async (req, res) => {
      const id = await accountOf(String(req.params.name));
      const { quota, used, resetsAt } = await usage.quota(id);
      res.json({
        AccountId: id,
        MonthlyRequests: quota.requests ?? null,
        MonthlyGbSeconds: quota.gbSeconds ?? null,
        Used: { Requests: used.requests, GbSeconds: used.gbSeconds },
        ResetsAt: resetsAt.toISOString(),
      });
    }),
  );
  r.put(
    quotaPath,
    route("PutAccountQuota", async (req, res) => {
      const id = await accountOf(String(req.params.name));
      const input = parseInput(QuotaInput, jsonBody(req));
      const quota = {
        ...(input.MonthlyRequests == null ? {} : { requests: input.MonthlyRequests }),
        ...(input.MonthlyGbSeconds == null ? {} : { gbSeconds: input.MonthlyGbSeconds }),
      };
      await usage.setQuota(id, quota);
      res.json({ AccountId: id, MonthlyRequests: quota.requests ?? null, MonthlyGbSeconds: quota.gbSeconds ?? null });
    }),
  );
  return r;
}
