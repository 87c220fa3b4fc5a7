// Configuration resources of a function beside its code and configuration:
// reserved concurrency (carved out of the account limit, at least 100 left
// unreserved), event-invoke configs (retries, event age, destinations), tags, the
// code signing configuration (none: Stratus verifies no signatures), and the
// account's settings. Enforcement of concurrency and async behaviour lives with
// invocation; this service only stores and validates.
import { errors, LATEST } from "@stratus/shared";
import type { EventInvokeConfig } from "../domain.js";
import type { QueueRefs } from "../sqs/queue-refs.js";

/** What SNS answers of a topic ARN, as SQS does of a queue ARN (sns/topic-refs.ts). */
type TopicRefs = QueueRefs;

import type { FunctionStore } from "../store/function-store.js";
import type { AccountUsage, SettingsStore } from "../store/settings-store.js";
import { parseInput } from "./function-input.js";
import { CodeSigningConfigSchema, ConcurrencySchema, EventInvokeConfigSchema, TagsSchema } from "./update-input.js";

export const MIN_UNRESERVED_CONCURRENCY = 100;

export interface SettingsService {
  getConcurrency(accountId: string, name: string): Promise<number | null>;
  putConcurrency(accountId: string, name: string, body: unknown): Promise<number>;
  deleteConcurrency(accountId: string, name: string): Promise<void>;
  getEventInvokeConfig(accountId: string, name: string, qualifier: string): Promise<EventInvokeConfig>;
  /** Put replaces the whole config; update (merge = true) changes only the given fields. */
  putEventInvokeConfig(
    accountId: string,
    name: string,
    qualifier: string,
    body: unknown,
    merge: boolean,
  ): Promise<EventInvokeConfig>;
  deleteEventInvokeConfig(accountId: string, name: string, qualifier: string): Promise<void>;
  /** The store's page, once the function is known to exist. */
  listEventInvokeConfigs: SettingsStore["listEventInvokeConfigs"];
  /**
   * A function's code signing configuration: Stratus verifies no signatures and keeps
   * no configurations (CreateFunction refuses CodeSigningConfigArn), so an existing
   * function has none, which Lambda answers as an empty ARN.
   */
  getCodeSigningConfig(
    accountId: string,
    name: string,
  ): Promise<{ CodeSigningConfigArn: string; FunctionName: string }>;
  /** Refuses to attach one (by name), once the function is known to exist. */
  putCodeSigningConfig(accountId: string, name: string, body: unknown): Promise<never>;
  /** Detaches it: there is never one to remove, so only the function must exist. */
  deleteCodeSigningConfig(accountId: string, name: string): Promise<void>;
  getTags(accountId: string, name: string): Promise<Record<string, string>>;
  tag(accountId: string, name: string, body: unknown): Promise<void>;
  untag(accountId: string, name: string, keys: string[]): Promise<void>;
  accountSettings(accountId: string): Promise<{ usage: AccountUsage; concurrencyLimit: number }>;
}

/**
 * `reservationChanged` is told of every write of a function's reservation made here,
 * once it is done or has failed (a failed write may still have committed), so that
 * what is cached of it in this process can be dropped.
 */
export function createSettingsService(
  store: SettingsStore,
  functions: FunctionStore,
  region: string,
  accountConcurrencyLimit: number,
  reservationChanged: (accountId: string, name: string) => void = () => undefined,
  /** Checks SQS destinations: an SQS ARN must name an existing queue of the account. */
  queues?: QueueRefs,
  /** Checks SNS destinations: an SNS ARN must name an existing topic of the account. */
  topics?: TopicRefs,
): SettingsService {
  const notFound = (accountId: string, name: string, qualifier?: string) =>
    errors.notFound(
      `Function not found: arn:aws:lambda:${region}:${accountId}:function:${name}${qualifier && qualifier !== LATEST ? `:${qualifier}` : ""}`,
    );
  const setReservation = async (accountId: string, name: string, value: number | null) => {
    try {
      return await store.setReservedConcurrency(accountId, name, value);
    } finally {
      reservationChanged(accountId, name);
    }
  };
  /** Why a queue or topic destination cannot be used; other ARNs are taken (an undeliverable one is counted). */
  const destinationFault = async (accountId: string, arn: string) => {
    if (/^arn:aws[a-zA-Z-]*:sqs:/.test(arn))
      return queues ? queues.fault(accountId, arn) : "Stratus serves no SQS here";
    if (/^arn:aws[a-zA-Z-]*:sns:/.test(arn))
      return topics ? topics.fault(accountId, arn) : "Stratus serves no SNS here";
    return undefined;
  };
  const mustExist = async (accountId: string, name: string, qualifier = LATEST) => {
    if (!(await functions.get(accountId, name, qualifier))) throw notFound(accountId, name, qualifier);
  };

  return {
    async getConcurrency(accountId, name) {
      const value = await store.getReservedConcurrency(accountId, name);
      if (value === undefined) throw notFound(accountId, name);
      return value;
    },
    async putConcurrency(accountId, name, body) {
      const { ReservedConcurrentExecutions: value } = parseInput(ConcurrencySchema, body);
      await mustExist(accountId, name);
      const elsewhere = await store.reservedElsewhere(accountId, name);
      if (accountConcurrencyLimit - elsewhere - value < MIN_UNRESERVED_CONCURRENCY) {
        throw errors.invalidParameter(
          `Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED_CONCURRENCY}].`,
        );
      }
      if (!(await setReservation(accountId, name, value))) throw notFound(accountId, name);
      return value;
    },
    async deleteConcurrency(accountId, name) {
      if (!(await setReservation(accountId, name, null))) throw notFound(accountId, name);
    },
    async getEventInvokeConfig(accountId, name, qualifier) {
      await mustExist(accountId, name);
      const config = await store.getEventInvokeConfig(accountId, name, qualifier);
      if (!config) {
        throw errors.notFound(
          `The function arn:aws:lambda:${region}:${accountId}:function:${name}${qualifier === LATEST ? "" : `:${qualifier}`} doesn't have an EventInvokeConfig`,
        );
      }
      return config;
    },
    async putEventInvokeConfig(accountId, name, qualifier, body, merge) {
      const input = parseInput(EventInvokeConfigSchema, body);
      await mustExist(accountId, name, /^[0-9]+$/.test(qualifier) || qualifier === LATEST ? qualifier : LATEST);
      for (const [key, d] of Object.entries(input.DestinationConfig ?? {})) {
        const fault = d?.Destination && (await destinationFault(accountId, d.Destination));
        if (fault) throw errors.invalidParameter(`DestinationConfig.${key}.Destination: ${fault}`);
      }
      const current = merge ? await store.getEventInvokeConfig(accountId, name, qualifier) : undefined;
      if (merge && !current) {
        throw errors.notFound(`The function ${name} doesn't have an EventInvokeConfig for ${qualifier}`);
      }
      return store.putEventInvokeConfig({
        accountId,
        functionName: name,
        qualifier,
        maximumRetryAttempts: input.MaximumRetryAttempts ?? current?.maximumRetryAttempts,
        maximumEventAgeSeconds: input.MaximumEventAgeInSeconds ?? current?.maximumEventAgeSeconds,
        destinationConfig: { ...(current?.destinationConfig ?? {}), ...(input.DestinationConfig ?? {}) },
      });
    },
    async deleteEventInvokeConfig(accountId, name, qualifier) {
      await mustExist(accountId, name);
      if (!(await store.deleteEventInvokeConfig(accountId, name, qualifier))) {
        throw errors.notFound(`The function ${name} doesn't have an EventInvokeConfig for ${qualifier}`);
      }
    },
    async listEventInvokeConfigs(accountId, name, marker, maxItems) {
      await mustExist(accountId, name);
      return store.listEventInvokeConfigs(accountId, name, marker, maxItems);
    },
    async getCodeSigningConfig(accountId, name) {
      await mustExist(accountId, name);
      return { CodeSigningConfigArn: "", FunctionName: name };
    },
    async putCodeSigningConfig(accountId, name, body) {
      parseInput(CodeSigningConfigSchema, body);
      await mustExist(accountId, name);
      throw errors.invalidParameter(
        "CodeSigningConfigArn is not supported by Stratus yet: it verifies no code signatures and keeps no code signing configurations",
      );
    },
    async deleteCodeSigningConfig(accountId, name) {
      await mustExist(accountId, name);
    },
    async getTags(accountId, name) {
      const tags = await store.getTags(accountId, name);
      if (!tags) throw notFound(accountId, name);
      return tags;
    },
    async tag(accountId, name, body) {
      const { Tags } = parseInput(TagsSchema, body);
      const current = await store.getTags(accountId, name);
      if (!current) throw notFound(accountId, name);
      const next = { ...current, ...Tags };
      if (Object.keys(next).length > 50) throw errors.invalidParameter("A function can have at most 50 tags");
      await store.setTags(accountId, name, next);
    },
    async untag(accountId, name, keys) {
      const current = await store.getTags(accountId, name);
      if (!current) throw notFound(accountId, name);
      const next = Object.fromEntries(Object.entries(current).filter(([k]) => !keys.includes(k)));
      await store.setTags(accountId, name, next);
    },
    async accountSettings(accountId) {
      return { usage: await store.usage(accountId), concurrencyLimit: accountConcurrencyLimit };
    },
  };
}
