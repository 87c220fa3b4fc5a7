// Function URL configs: create, read, update, delete, list, scoped by the caller's
// account; and the lookup of a URL by its id on every request to it, read from memory
// for up to a second. A URL is for the unqualified function or one of its aliases.
import { errors, LATEST } from "@stratus/shared";
import type { FunctionService } from "../services/function-service.js";
import { type UrlStore, UrlTargetGoneError } from "../store/url-store.js";
import type { FunctionUrlConfig } from "../url-config.js";
import { newUrlId } from "./url-forms.js";
import { parseCreateUrl, parseUpdateUrl, urlQualifier } from "./url-input.js";

export interface UrlService {
  create(
    accountId: string,
    functionName: string,
    qualifier: string | undefined,
    body: unknown,
  ): Promise<FunctionUrlConfig>;
  get(accountId: string, functionName: string, qualifier: string | undefined): Promise<FunctionUrlConfig>;
  update(
    accountId: string,
    functionName: string,
    qualifier: string | undefined,
    body: unknown,
  ): Promise<FunctionUrlConfig>;
  delete(accountId: string, functionName: string, qualifier: string | undefined): Promise<void>;
  list(
    accountId: string,
    functionName: string,
    marker: string | undefined,
    maxItems: number,
  ): Promise<{ items: FunctionUrlConfig[]; nextMarker?: string }>;
  /** The URL a request names, or undefined when there is none. */
  byId(urlId: string): Promise<FunctionUrlConfig | undefined>;
}

export function createUrlService(
  store: UrlStore,
  functions: FunctionService,
  region: string,
  cacheMs = 1_000,
  now = Date.now,
): UrlService {
  const arn = (accountId: string, fn: string, qualifier?: string) =>
    `arn:aws:lambda:${region}:${accountId}:function:${fn}${qualifier ? `:${qualifier}` : ""}`;
  const notFound = (accountId: string, fn: string, qualifier?: string) =>
    errors.notFound(
      `The resource you requested does not exist. (FunctionUrlConfig for ${arn(accountId, fn, qualifier)})`,
    );
  const cache = new Map<string, { at: number; config: FunctionUrlConfig | undefined }>();
  const forget = (config: FunctionUrlConfig | undefined) => config && cache.delete(config.urlId);

  /** The function (or alias) exists: a URL for something absent is a 404. */
  const checkTarget = (accountId: string, fn: string, qualifier?: string) => functions.get(accountId, fn, qualifier);

  return {
    async create(accountId, fn, rawQualifier, body) {
      const input = parseCreateUrl(body);
      const qualifier = urlQualifier(rawQualifier);
      await checkTarget(accountId, fn, qualifier);
      let created: FunctionUrlConfig | undefined;
      try {
        created = await store.create({
          urlId: newUrlId(),
          accountId,
          functionName: fn,
          ...(qualifier ? { qualifier } : {}),
          authType: input.authType,
          ...(input.cors ? { cors: input.cors } : {}),
          invokeMode: input.invokeMode,
        });
      } catch (err) {
        if (err instanceof UrlTargetGoneError) await checkTarget(accountId, fn, qualifier);
        throw err;
      }
      if (!created) {
        throw errors.conflict(
          `Failed to create function url config for [functionArn = ${arn(accountId, fn, qualifier)}]. Error message: FunctionUrlConfig exists for this Lambda function`,
        );
      }
      forget(created);
      return created;
    },
    async get(accountId, fn, rawQualifier) {
      const qualifier = urlQualifier(rawQualifier);
      const config = await store.get(accountId, fn, qualifier);
      if (!config) throw notFound(accountId, fn, qualifier);
      return config;
    },
    async update(accountId, fn, rawQualifier, body) {
      const input = parseUpdateUrl(body);
      const qualifier = urlQualifier(rawQualifier);
      const updated = await store.update(accountId, fn, qualifier, input);
      if (!updated) throw notFound(accountId, fn, qualifier);
      forget(updated);
      return updated;
    },
    async delete(accountId, fn, rawQualifier) {
      const qualifier = urlQualifier(rawQualifier);
      const deleted = await store.delete(accountId, fn, qualifier);
      if (!deleted) throw notFound(accountId, fn, qualifier);
      forget(deleted);
    },
    async list(accountId, fn, marker, maxItems) {
      await checkTarget(accountId, fn, LATEST);
      const rows = await store.list(accountId, fn, marker, maxItems + 1);
      const items = rows.slice(0, maxItems);
      const last = items[items.length - 1];
      return rows.length > maxItems && last ? { items, nextMarker: last.urlId } : { items };
    },
    async byId(urlId) {
      const hit = cache.get(urlId);
      if (hit && now() - hit.at < cacheMs) return hit.config;
      const config = await store.byId(urlId);
      if (cache.size >= 10_000) cache.clear();
      cache.set(urlId, { at: now(), config });
      return config;
    },
  };
}
