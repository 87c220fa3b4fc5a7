// Function configuration resources and account settings: reserved concurrency,
// event-invoke configs, the code signing configuration, tags (of functions and of event
// source mappings, by ARN), GetAccountSettings.
import { errors, LATEST, limits } from "@stratus/shared";
import { Router } from "express";
import type { MappingService } from "../mappings/mapping-service.js";
import { parseFunctionRef } from "../services/function-ref.js";
import type { SettingsService } from "../services/settings-service.js";
import { callerAccount } from "./auth.js";
import { jsonBody } from "./body.js";
import { toEventInvokeConfig } from "./lambda-shapes.js";
import { page, target } from "./params.js";
import { route } from "./route.js";

const EIC = "/2019-09-25/functions/:name/event-invoke-config";
const CSC = "/2020-06-30/functions/:name/code-signing-config";
/** Lambda's default code storage quota per account. */
const TOTAL_CODE_SIZE = 75 * 1024 ** 3;

/** An event source mapping's ARN: its region, account and UUID. */
const MAPPING_ARN = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):event-source-mapping:([0-9a-f-]{36})$/;

export function settingsRoutes(
  settings: SettingsService,
  region: string,
  mappings: Pick<MappingService, "tags" | "tag" | "untag">,
): Router {
  const r = Router();

  r.put(
    "/2017-10-31/functions/:name/concurrency",
    route("PutFunctionConcurrency", async (req, res) => {
      const t = target(req, res, false);
      res.json({ ReservedConcurrentExecutions: await settings.putConcurrency(t.accountId, t.name, jsonBody(req)) });
    }),
  );
  r.delete(
    "/2017-10-31/functions/:name/concurrency",
    route("DeleteFunctionConcurrency", async (req, res) => {
      const t = target(req, res, false);
      await settings.deleteConcurrency(t.accountId, t.name);
      res.status(204).end();
    }),
  );
  r.get(
    "/2019-09-30/functions/:name/concurrency",
    route("GetFunctionConcurrency", async (req, res) => {
      const t = target(req, res, false);
      const value = await settings.getConcurrency(t.accountId, t.name);
      res.json(value === null ? {} : { ReservedConcurrentExecutions: value });
    }),
  );

  r.get(
    CSC,
    route("GetFunctionCodeSigningConfig", async (req, res) => {
      const t = target(req, res, false);
      res.json(await settings.getCodeSigningConfig(t.accountId, t.name));
    }),
  );
  r.put(
    CSC,
    route("PutFunctionCodeSigningConfig", async (req, res) => {
      const t = target(req, res, false);
      await settings.putCodeSigningConfig(t.accountId, t.name, jsonBody(req));
    }),
  );
  r.delete(
    CSC,
    route("DeleteFunctionCodeSigningConfig", async (req, res) => {
      const t = target(req, res, false);
      await settings.deleteCodeSigningConfig(t.accountId, t.name);
      res.status(204).end();
    }),
  );

  const eic = (operation: string, merge: boolean) =>
    route(operation, async (req, res) => {
      const t = target(req, res);
      const config = await settings.putEventInvokeConfig(
        t.accountId,
        t.name,
        t.qualifier ?? LATEST,
        jsonBody(req),
        merge,
      );
      res.json(toEventInvokeConfig(config, region));
    });
  r.put(EIC, eic("PutFunctionEventInvokeConfig", false));
  r.post(EIC, eic("UpdateFunctionEventInvokeConfig", true));
  r.get(
    `${EIC}/list`,
    route("ListFunctionEventInvokeConfigs", async (req, res) => {
      const t = target(req, res, false);
      const { marker, maxItems } = page(req);
      // Lambda lists at most 50 a page.
      const result = await settings.listEventInvokeConfigs(t.accountId, t.name, marker, Math.min(maxItems, 50));
      res.json({
        FunctionEventInvokeConfigs: result.items.map((c) => toEventInvokeConfig(c, region)),
        ...(result.nextMarker ? { NextMarker: result.nextMarker } : {}),
      });
    }),
  );
  r.get(
    EIC,
    route("GetFunctionEventInvokeConfig", async (req, res) => {
      const t = target(req, res);
      res.json(
        toEventInvokeConfig(await settings.getEventInvokeConfig(t.accountId, t.name, t.qualifier ?? LATEST), region),
      );
    }),
  );
  r.delete(
    EIC,
    route("DeleteFunctionEventInvokeConfig", async (req, res) => {
      const t = target(req, res);
      await settings.deleteEventInvokeConfig(t.accountId, t.name, t.qualifier ?? LATEST);
      res.status(204).end();
    }),
  );

  const tagged = (arn: string, accountId: string): string => {
    if (!arn.startsWith("arn:")) throw errors.invalidParameter("Resource must be a function ARN");
    const ref = parseFunctionRef(arn, accountId);
    if (ref.qualifier) throw errors.invalidParameter("Tags apply to functions, not to versions or aliases");
    return ref.name;
  };
  /** The UUID of the caller's event source mapping `arn` names; undefined when it names none (a function, then). */
  const mappingOf = (arn: string, accountId: string): string | undefined => {
    const m = MAPPING_ARN.exec(arn);
    if (!m) return undefined;
    if (m[1] !== region || m[2] !== accountId) throw errors.notFound("The resource you requested does not exist.");
    return m[3] as string;
  };
  r.post(
    "/2017-03-31/tags/:arn",
    route("TagResource", async (req, res) => {
      const accountId = callerAccount(res.locals);
      const arn = String(req.params.arn);
      const uuid = mappingOf(arn, accountId);
      if (uuid) await mappings.tag(accountId, uuid, jsonBody(req));
      else await settings.tag(accountId, tagged(arn, accountId), jsonBody(req));
      res.status(204).end();
    }),
  );
  r.get(
    "/2017-03-31/tags/:arn",
    route("ListTags", async (req, res) => {
      const accountId = callerAccount(res.locals);
      const arn = String(req.params.arn);
      const uuid = mappingOf(arn, accountId);
      res.json({
        Tags: uuid ? await mappings.tags(accountId, uuid) : await settings.getTags(accountId, tagged(arn, accountId)),
      });
    }),
  );
  r.delete(
    "/2017-03-31/tags/:arn",
    route("UntagResource", async (req, res) => {
      const accountId = callerAccount(res.locals);
      const arn = String(req.params.arn);
      const raw = req.query.tagKeys;
      const keys = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);
      const uuid = mappingOf(arn, accountId);
      if (uuid) await mappings.untag(accountId, uuid, keys);
      else await settings.untag(accountId, tagged(arn, accountId), keys);
      res.status(204).end();
    }),
  );

  r.get(
    ["/2016-08-19/account-settings", "/2016-08-19/account-settings/"],
    route("GetAccountSettings", async (_req, res) => {
      const { usage, concurrencyLimit } = await settings.accountSettings(callerAccount(res.locals));
      res.json({
        AccountLimit: {
          TotalCodeSize: TOTAL_CODE_SIZE,
          CodeSizeUnzipped: limits.unzippedCodeBytes,
          CodeSizeZipped: limits.zippedCodeBytes,
          ConcurrentExecutions: concurrencyLimit,
          UnreservedConcurrentExecutions: concurrencyLimit - usage.reservedConcurrency,
        },
        AccountUsage: { TotalCodeSize: usage.totalCodeSize, FunctionCount: usage.functionCount },
      });
    }),
  );
  return r;
}
