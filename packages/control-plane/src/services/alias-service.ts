// Aliases: create, read, update, delete, list. An alias points at a published
// version or $LATEST, optionally routing a weighted share of invokes to one other
// published version. Also resolves a qualifier to the version an invoke runs.
import { errors, LATEST } from "@stratus/shared";
import { type Alias, type Page, RevisionMismatchError } from "../domain.js";
import { isVersionQualifier, pickVersion } from "../routing/alias-routing.js";
import type { AliasStore } from "../store/alias-store.js";
import type { FunctionStore } from "../store/function-store.js";
import { parseInput } from "./function-input.js";
import { CreateAliasSchema, UpdateAliasSchema } from "./update-input.js";

export interface AliasService {
  create(accountId: string, functionName: string, body: unknown): Promise<Alias>;
  get(accountId: string, functionName: string, name: string): Promise<Alias>;
  update(accountId: string, functionName: string, name: string, body: unknown): Promise<Alias>;
  delete(accountId: string, functionName: string, name: string): Promise<void>;
  list(
    accountId: string,
    functionName: string,
    version: string | undefined,
    marker: string | undefined,
    maxItems: number,
  ): Promise<Page<Alias>>;
  /** The version an invoke of `qualifier` runs (alias weights applied). */
  resolveVersion(accountId: string, functionName: string, qualifier: string | undefined): Promise<string>;
}

function routing(weights: Record<string, number> | undefined): Alias["additional"] | null {
  const entry = Object.entries(weights ?? {})[0];
  return entry ? { version: entry[0], weight: entry[1] } : null;
}

export function createAliasService(
  store: AliasStore,
  functions: FunctionStore,
  region: string,
  random: () => number = Math.random,
  cacheMs = 1_000,
): AliasService {
  const notFoundFn = (accountId: string, fn: string) =>
    errors.notFound(`Function not found: arn:aws:lambda:${region}:${accountId}:function:${fn}`);
  const notFoundAlias = (accountId: string, fn: string, name: string) =>
    errors.notFound(`Alias not found: arn:aws:lambda:${region}:${accountId}:function:${fn}:${name}`);

  async function checkVersions(accountId: string, fn: string, main: string, extra: Alias["additional"] | null) {
    if (!(await functions.get(accountId, fn, LATEST))) throw notFoundFn(accountId, fn);
    if (!(await functions.get(accountId, fn, main))) {
      throw errors.notFound(`Function not found: arn:aws:lambda:${region}:${accountId}:function:${fn}:${main}`);
    }
    if (extra) {
      if (main === LATEST)
        throw errors.invalidParameter("$LATEST is not supported for an alias pointing to more than 1 version");
      if (extra.version === main)
        throw errors.invalidParameter("Routing config version must differ from FunctionVersion");
      if (!(await functions.get(accountId, fn, extra.version))) {
        throw errors.invalidParameter(`Routing config version ${extra.version} does not exist`);
      }
    }
  }

  // Invokes through an alias read it from memory for up to `cacheMs`.
  const cache = new Map<string, { at: number; alias: Alias }>();
  const forget = (accountId: string, fn: string, name: string) => cache.delete(`${accountId}\0${fn}\0${name}`);

  return {
    async create(accountId, fn, body) {
      const input = parseInput(CreateAliasSchema, body);
      const extra = routing(input.RoutingConfig?.AdditionalVersionWeights);
      await checkVersions(accountId, fn, input.FunctionVersion, extra);
      const created = await store.create({
        accountId,
        functionName: fn,
        name: input.Name,
        functionVersion: input.FunctionVersion,
        description: input.Description,
        ...(extra ? { additional: extra } : {}),
      });
      if (!created) throw errors.conflict(`Alias already exists: ${input.Name}`);
      forget(accountId, fn, input.Name);
      return created;
    },
    async get(accountId, fn, name) {
      const alias = await store.get(accountId, fn, name);
      if (!alias) throw notFoundAlias(accountId, fn, name);
      return alias;
    },
    async update(accountId, fn, name, body) {
      const input = parseInput(UpdateAliasSchema, body);
      const current = await store.get(accountId, fn, name);
      if (!current) throw notFoundAlias(accountId, fn, name);
      if (input.RevisionId !== undefined && input.RevisionId !== current.revisionId) {
        throw errors.preconditionFailed("The Revision Id provided does not match the latest Revision Id.");
      }
      const main = input.FunctionVersion ?? current.functionVersion;
      const extra = input.RoutingConfig
        ? routing(input.RoutingConfig.AdditionalVersionWeights)
        : (current.additional ?? null);
      await checkVersions(accountId, fn, main, extra);
      try {
        const updated = await store.update(
          accountId,
          fn,
          name,
          {
            functionVersion: input.FunctionVersion,
            description: input.Description,
            ...(input.RoutingConfig ? { additional: extra } : {}),
          },
          input.RevisionId,
        );
        if (!updated) throw notFoundAlias(accountId, fn, name);
        return updated;
      } catch (err) {
        if (err instanceof RevisionMismatchError) {
          throw errors.preconditionFailed("The Revision Id provided does not match the latest Revision Id.");
        }
        throw err;
      } finally {
        forget(accountId, fn, name);
      }
    },
    async delete(accountId, fn, name) {
      forget(accountId, fn, name);
      if (!(await functions.get(accountId, fn, LATEST))) throw notFoundFn(accountId, fn);
      await store.delete(accountId, fn, name);
    },
    async list(accountId, fn, version, marker, maxItems) {
      if (!(await functions.get(accountId, fn, LATEST))) throw notFoundFn(accountId, fn);
      return store.list(accountId, fn, version, marker, maxItems);
    },
    async resolveVersion(accountId, fn, qualifier) {
      if (qualifier === undefined || isVersionQualifier(qualifier)) return qualifier ?? LATEST;
      const key = `${accountId}\0${fn}\0${qualifier}`;
      const hit = cache.get(key);
      let alias = hit && Date.now() - hit.at < cacheMs ? hit.alias : undefined;
      if (!alias) {
        alias = await store.get(accountId, fn, qualifier);
        if (!alias) {
          throw errors.notFound(
            `Function not found: arn:aws:lambda:${region}:${accountId}:function:${fn}:${qualifier}`,
          );
        }
        if (cache.size >= 10_000) cache.clear();
        cache.set(key, { at: Date.now(), alias });
      }
      return pickVersion(alias, random());
    },
  };
}
