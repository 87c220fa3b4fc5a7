// Put/Get/Delete/ListProvisionedConcurrencyConfig(s): checks and stores what is asked
// for a published version or an alias, as Lambda does (not $LATEST; not a version and
// an alias of it both; within the function's reservation, or leaving the account 100
// unreserved). Keeping the containers is the reconciler's (provisioned-reconciler.ts).
import { errors, LATEST, StratusError } from "@stratus/shared";
import { z } from "zod";
import type { Alias, Page } from "../domain.js";
import { parseInput } from "../services/function-input.js";
import { MIN_UNRESERVED_CONCURRENCY } from "../services/settings-service.js";
import type { ProvisionedConfig, ProvisionedStore } from "../store/provisioned-store.js";

const PutSchema = z
  .object({
    ProvisionedConcurrentExecutions: z
      .number({ required_error: "ProvisionedConcurrentExecutions is required" })
      .int("ProvisionedConcurrentExecutions must be an integer")
      .min(1, "ProvisionedConcurrentExecutions must be at least 1"),
  })
  .strict();

export interface ProvisionedService {
  put(accountId: string, name: string, qualifier: string | undefined, body: unknown): Promise<ProvisionedConfig>;
  get(accountId: string, name: string, qualifier: string | undefined): Promise<ProvisionedConfig>;
  delete(accountId: string, name: string, qualifier: string | undefined): Promise<void>;
  list(accountId: string, name: string, marker: string | undefined, maxItems: number): Promise<Page<ProvisionedConfig>>;
}

export interface ProvisionedServiceDeps {
  store: ProvisionedStore;
  /** Whether the function has this published version (or, with LATEST, exists at all). */
  hasVersion(accountId: string, name: string, version: string): Promise<boolean>;
  alias(accountId: string, name: string, alias: string): Promise<Alias | undefined>;
  /** The names of the function's aliases that route to `version` (for the version-and-alias conflict). */
  aliasesOf(accountId: string, name: string, version: string): Promise<string[]>;
  /** The function's reservation: null when none. */
  reservation(accountId: string, name: string): Promise<number | null>;
  /** What the account's other functions reserve, in total. */
  reservedElsewhere(accountId: string, name: string): Promise<number>;
  accountConcurrencyLimit: number;
  region: string;
  /** Told of every change, so that the nodes hear of it at once. */
  changed(): void;
}

const notFoundConfig = () =>
  new StratusError(
    "ProvisionedConcurrencyConfigNotFoundException",
    404,
    "client",
    "No Provisioned Concurrency Config found for this function",
  );

export function createProvisionedService(deps: ProvisionedServiceDeps): ProvisionedService {
  const { store, region } = deps;
  const arn = (accountId: string, name: string, qualifier?: string) =>
    `arn:aws:lambda:${region}:${accountId}:function:${name}${qualifier ? `:${qualifier}` : ""}`;

  const mustExist = async (accountId: string, name: string) => {
    if (!(await deps.hasVersion(accountId, name, LATEST)))
      throw errors.notFound(`Function not found: ${arn(accountId, name)}`);
  };
  /** The qualifier, which must be given, and the versions it stands for (an alias's one or two). */
  async function versionsOf(accountId: string, name: string, qualifier: string | undefined) {
    if (!qualifier) throw errors.invalidParameter("The Qualifier parameter is required");
    await mustExist(accountId, name);
    if (qualifier === LATEST)
      throw errors.invalidParameter(
        "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
      );
    if (/^[0-9]+$/.test(qualifier)) {
      if (!(await deps.hasVersion(accountId, name, qualifier)))
        throw errors.notFound(`Function not found: ${arn(accountId, name, qualifier)}`);
      return { alias: undefined, versions: [qualifier] };
    }
    const alias = await deps.alias(accountId, name, qualifier);
    if (!alias) throw errors.notFound(`Cannot find alias arn: ${arn(accountId, name, qualifier)}`);
    const versions = [alias.functionVersion, ...(alias.additional ? [alias.additional.version] : [])];
    if (versions.includes(LATEST))
      throw errors.invalidParameter(
        `Provisioned Concurrency Configs cannot be applied to alias ${qualifier}: it points to $LATEST, an unpublished function version.`,
      );
    return { alias, versions };
  }

  /** A version is provisioned through itself or through aliases of it, not both (as in Lambda). */
  async function refuseOverlap(accountId: string, name: string, qualifier: string, versions: string[], alias?: Alias) {
    const taken = async (q: string) => (await store.get(accountId, name, q)) !== undefined;
    if (alias) {
      for (const v of versions) {
        if (await taken(v))
          throw errors.conflict(
            `Alias ${qualifier} points to version ${v}, which has a provisioned concurrency config of its own. Delete that config first.`,
          );
      }
      return;
    }
    for (const a of await deps.aliasesOf(accountId, name, qualifier)) {
      if (await taken(a))
        throw errors.conflict(
          `Version ${qualifier} is provisioned through alias ${a}, which has a provisioned concurrency config. Delete that config first.`,
        );
    }
  }

  async function refuseOverLimits(accountId: string, name: string, qualifier: string, requested: number) {
    const reserved = await deps.reservation(accountId, name);
    if (reserved !== null) {
      const total = requested + (await store.requestedElsewhere(accountId, name, qualifier));
      if (total > reserved)
        throw errors.invalidParameter(
          `Requested Provisioned Concurrency should not be greater than the reservedConcurrentExecution for function (${total} > ${reserved}).`,
        );
      return;
    }
    const unreserved =
      deps.accountConcurrencyLimit -
      (await deps.reservedElsewhere(accountId, name)) -
      (await store.requestedUnreserved(accountId, name, qualifier)) -
      requested;
    if (unreserved < MIN_UNRESERVED_CONCURRENCY)
      throw errors.invalidParameter(
        `Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED_CONCURRENCY}].`,
      );
  }

  return {
    async put(accountId, name, qualifier, body) {
      const input = parseInput(PutSchema, body);
      const { alias, versions } = await versionsOf(accountId, name, qualifier);
      const q = qualifier as string;
      await refuseOverlap(accountId, name, q, versions, alias);
      await refuseOverLimits(accountId, name, q, input.ProvisionedConcurrentExecutions);
      const config = await store.put(accountId, name, q, input.ProvisionedConcurrentExecutions);
      deps.changed();
      return config;
    },
    async get(accountId, name, qualifier) {
      if (!qualifier) throw errors.invalidParameter("The Qualifier parameter is required");
      await mustExist(accountId, name);
      const config = await store.get(accountId, name, qualifier);
      if (!config) throw notFoundConfig();
      return config;
    },
    async delete(accountId, name, qualifier) {
      if (!qualifier) throw errors.invalidParameter("The Qualifier parameter is required");
      await mustExist(accountId, name);
      if (!(await store.delete(accountId, name, qualifier))) throw notFoundConfig();
      deps.changed();
    },
    async list(accountId, name, marker, maxItems) {
      await mustExist(accountId, name);
      return store.list(accountId, name, marker, maxItems);
    },
  };
}
