// Lambda's self-managed Kafka event, built from fetched records:
// {eventSource:"SelfManagedKafka", bootstrapServers:"h1:p,h2:p", records:{"<topic>-<partition>":[
//   {topic, partition, offset, timestamp, timestampType, key(base64), value(base64), headers:[{k:[bytes]}]}]}}
// A null key or value is left out, as Lambda does.
import type { KafkaMessageIn } from "./kafka-client.js";

export function kafkaEntry(m: KafkaMessageIn) {
  return {
    topic: m.topic,
    partition: m.partition,
    offset: Number(m.offset),
    timestamp: m.timestamp,
    timestampType: m.timestampType,
    ...(m.key ? { key: m.key.toString("base64") } : {}),
    ...(m.value ? { value: m.value.toString("base64") } : {}),
    headers: m.headers.map(([k, v]) => ({ [k]: [...v] })),
  };
}

export type KafkaEntry = ReturnType<typeof kafkaEntry>;

export const partitionKey = (topic: string, partition: number) => `${topic}-${partition}`;

/** The event of one invocation: records grouped by topic-partition, each group in offset order. */
export function kafkaEvent(bootstrapServers: readonly string[], entries: readonly KafkaEntry[]) {
  const records: Record<string, KafkaEntry[]> = {};
  for (const e of entries) {
    const key = partitionKey(e.topic, e.partition);
    records[key] = [...(records[key] ?? []), e];
  }
  return { eventSource: "SelfManagedKafka", bootstrapServers: bootstrapServers.join(","), records };
}

/** What FilterCriteria sees of a record: its value parsed when it is JSON (as Lambda does), else the text. */
export function kafkaFilterView(entry: KafkaEntry, m: KafkaMessageIn): Record<string, unknown> {
  const text = m.value?.toString("utf8") ?? "";
  let value: unknown = text;
  try {
    value = JSON.parse(text);
  } catch {
    // not JSON: patterns on value see the plain text
  }
  return { ...entry, value };
}

/** What a partial batch response names a record by: "<topic>-<partition>-<offset>". */
export const kafkaItemId = (topic: string, partition: number, offset: string) => `${topic}-${partition}-${offset}`;

/**
 * A Kafka itemIdentifier read into kafkaItemId's form: the string itself, or the object
 * {"topic-partition": "<topic>-<partition>", "offset": n} some AWS libraries return.
 */
export function readKafkaItemId(raw: unknown): string | undefined {
  if (typeof raw === "string") return raw === "" ? undefined : raw;
  if (typeof raw !== "object" || raw === null) return undefined;
  const tp = (raw as Record<string, unknown>)["topic-partition"];
  const offset = (raw as Record<string, unknown>).offset;
  if (typeof tp !== "string" || tp === "") return undefined;
  if (
    !(typeof offset === "number" && Number.isInteger(offset)) &&
    !(typeof offset === "string" && /^\d+$/.test(offset))
  )
    return undefined;
  return `${tp}-${offset}`;
}
