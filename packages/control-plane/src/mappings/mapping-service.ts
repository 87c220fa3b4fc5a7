// Event source mapping operations: checks the function and the source (a registered
// broker, a reachable SQS queue), moves the mapping's State by the transition table,
// and stores it; the control plane holding the mapping's lease settles transitional
// states (mapping-worker.ts).
import { randomUUID } from "node:crypto";
import { errors } from "@stratus/shared";
import { parseInput } from "../services/function-input.js";
import { parseFunctionName, parseFunctionRef } from "../services/function-ref.js";
import { TagsSchema } from "../services/update-input.js";
import type { BrokerStore } from "../store/broker-store.js";
import type { Mapping, MappingSource, MappingStore } from "../store/mapping-store.js";
import type { MappingConfig } from "../store/mapping-types.js";
import { parseBrokerArn } from "./broker-arns.js";
import { isKafkaCreate } from "./kafka/kafka-input.js";
import { kafkaCreate, kafkaUpdate } from "./kafka/kafka-mappings.js";
import { newConfig, parseCreate, parseUpdate, updatedConfig } from "./mapping-input.js";
import { resourceInUse, transition } from "./mapping-state.js";
import { newMapping, storeUpdate } from "./mapping-update.js";
import type { SourceKind } from "./source-kinds.js";
import { checkSqsConfig, sqsArnOf } from "./sqs/sqs-input.js";

/** Checks an SQS queue for a mapping of a function with this timeout (sqs/sqs-input.ts checkSqsQueue). */
export type SqsQueueCheck = (arn: string, functionTimeoutSeconds: number) => Promise<void>;

export interface MappingService {
  create(accountId: string, body: unknown): Promise<Mapping>;
  get(accountId: string, uuid: string): Promise<Mapping>;
  /** The mapping's tags (set by CreateEventSourceMapping's Tags and TagResource). */
  tags(accountId: string, uuid: string): Promise<Record<string, string>>;
  /** Adds tags (a TagResource body), or removes keys. */
  tag(accountId: string, uuid: string, body: unknown): Promise<void>;
  untag(accountId: string, uuid: string, keys: string[]): Promise<void>;
  update(accountId: string, uuid: string, body: unknown): Promise<Mapping>;
  delete(accountId: string, uuid: string): Promise<Mapping>;
  list(
    accountId: string,
    q: { functionName?: string; eventSourceArn?: string; marker?: string; maxItems: number },
  ): Promise<{ items: Mapping[]; nextMarker?: string }>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A create's Tags (checked as a function's are), and the rest of its body for the source's own rules. */
function tagsApart(raw: unknown): { body: unknown; tags: Record<string, string> } {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || !("Tags" in raw)) return { body: raw, tags: {} };
  const { Tags, ...body } = raw as Record<string, unknown>;
  return { body, tags: Tags === undefined || Tags === null ? {} : parseInput(TagsSchema, { Tags }).Tags };
}
const notFound = () => errors.notFound("The resource you requested does not exist.");
const moved = () => resourceInUse("The event source mapping changed while this request was made.");

export function createMappingService(
  store: MappingStore,
  brokers: Pick<BrokerStore, "find">,
  functions: { resolve(accountId: string, name: string, qualifier?: string): Promise<{ timeoutSeconds: number }> },
  checkSqsQueue: SqsQueueCheck,
): MappingService {
  async function functionOf(accountId: string, raw: string) {
    const ref = parseFunctionRef(raw, accountId);
    const fn = await functions.resolve(accountId, ref.name, ref.qualifier);
    return { ...ref, timeoutSeconds: fn.timeoutSeconds };
  }

  function checkConfig(kind: SourceKind, arn: string, c: MappingConfig): void {
    if (kind === "sqs") checkSqsConfig(sqsArnOf(arn), c);
  }

  async function checkBroker(accountId: string, arn: string): Promise<void> {
    const parsed = parseBrokerArn(arn);
    if (!parsed) {
      throw errors.invalidParameter(
        `Stratus serves RabbitMQ brokers (arn:aws:mq:...:broker:<name>:<id>) and SQS queues (arn:aws:sqs:...) as event sources; ${arn.slice(0, 200)} is neither (a self-managed Kafka source is given by SelfManagedEventSource, with no EventSourceArn)`,
      );
    }
    const broker = parsed.accountId === accountId ? await brokers.find(accountId, parsed.name) : undefined;
    if (!broker || broker.brokerId !== parsed.brokerId) {
      throw errors.invalidParameter(`The broker ${arn} is not registered with Stratus (see docs/EVENT-SOURCES.md)`);
    }
  }

  async function changeTags(accountId: string, uuid: string, add: Record<string, string>, remove: string[]) {
    if (!UUID.test(uuid)) throw notFound();
    const result = await store.changeTags(accountId, uuid, add, remove);
    if (result === "missing") throw notFound();
    if (result === "too-many") throw errors.invalidParameter("An event source mapping can have at most 50 tags");
  }

  async function find(accountId: string, uuid: string): Promise<Mapping> {
    if (!UUID.test(uuid)) throw notFound();
    const m = await store.get(accountId, uuid);
    if (!m) throw notFound();
    return m;
  }

  return {
    async create(accountId, raw) {
      const { body, tags } = tagsApart(raw);
      if (isKafkaCreate(body)) return kafkaCreate(store, accountId, body, (name) => functionOf(accountId, name), tags);
      const input = parseCreate(body);
      const ref = await functionOf(accountId, input.FunctionName);
      const kind = input.kind;
      if (kind !== "sqs") await checkBroker(accountId, input.EventSourceArn);
      const sourceKind = kind ?? "rabbitmq";
      const config = newConfig(input, sourceKind);
      checkConfig(sourceKind, input.EventSourceArn, config);
      const same = await store.list(accountId, {
        functionName: ref.name,
        eventSourceArn: input.EventSourceArn,
        limit: 1000,
      });
      const twin = same.find(
        (m) => m.sourceKind !== "kafka" && m.config.Queues[0] === config.Queues[0] && m.qualifier === ref.qualifier,
      );
      if (twin && sourceKind === "sqs") {
        throw errors.conflict(
          `An event source mapping with SQS arn (" ${input.EventSourceArn} ") and function (" ${ref.name} ") already exists. Please update or delete the existing mapping with UUID ${twin.uuid}`,
        );
      }
      if (twin) {
        throw errors.conflict(
          `An event source mapping with event source (${input.EventSourceArn}), queue (${config.Queues[0]}) and function (${input.FunctionName}) already exists.`,
        );
      }
      if (sourceKind === "sqs") await checkSqsQueue(input.EventSourceArn, ref.timeoutSeconds);
      const mapping = newMapping(
        randomUUID(),
        accountId,
        ref,
        { sourceKind, config, eventSourceArn: input.EventSourceArn } as MappingSource & { eventSourceArn: string },
        input.Enabled !== false,
      );
      await store.create(mapping, undefined, tags);
      return mapping;
    },
    get: find,
    async tags(accountId, uuid) {
      if (!UUID.test(uuid)) throw notFound();
      const found = await store.tagsOf(accountId, uuid);
      if (!found) throw notFound();
      return found;
    },
    async tag(accountId, uuid, body) {
      await changeTags(accountId, uuid, parseInput(TagsSchema, body).Tags, []);
    },
    async untag(accountId, uuid, keys) {
      await changeTags(accountId, uuid, {}, keys);
    },
    async update(accountId, uuid, body) {
      const m = await find(accountId, uuid);
      if (m.sourceKind === "kafka") return kafkaUpdate(store, m, body, (name) => functionOf(accountId, name));
      const input = parseUpdate(body, m.sourceKind);
      const ref = input.FunctionName ? await functionOf(accountId, input.FunctionName) : undefined;
      const config = updatedConfig(m.config, input);
      checkConfig(m.sourceKind, m.eventSourceArn, config);
      if (ref && m.sourceKind === "sqs") await checkSqsQueue(m.eventSourceArn, ref.timeoutSeconds);
      return storeUpdate(store, m, { ref, config, enabled: input.Enabled });
    },
    async delete(accountId, uuid) {
      const m = await find(accountId, uuid);
      const state = transition(m.state, "delete");
      if (!(await store.update(accountId, uuid, m.state, { ...m, state }))) throw moved();
      return { ...m, state, lastModified: new Date() };
    },
    async list(accountId, q) {
      const functionName = q.functionName ? parseFunctionName(q.functionName).name : undefined;
      const after = q.marker && UUID.test(q.marker) ? q.marker : undefined;
      if (q.marker && !after) throw errors.invalidParameter("Invalid value for Marker");
      const rows = await store.list(accountId, {
        ...(functionName ? { functionName } : {}),
        ...(q.eventSourceArn ? { eventSourceArn: q.eventSourceArn } : {}),
        ...(after ? { after } : {}),
        limit: q.maxItems + 1,
      });
      const items = rows.slice(0, q.maxItems);
      const last = items.at(-1);
      return rows.length > q.maxItems && last ? { items, nextMarker: last.uuid } : { items };
    },
  };
}
