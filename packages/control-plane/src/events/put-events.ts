// PutEvents and TestEventPattern. Each PutEvents entry is checked as EventBridge
// checks it (a failed entry gets its ErrorCode, the others go on), made into an event
// in EventBridge's shape and matched against its bus's enabled pattern rules; every
// matched target's async invocation or queue message is written in one transaction before the answer,
// so an entry answered with an EventId has its deliveries committed.
import { randomUUID } from "node:crypto";
import type { Counter } from "prom-client";
import type { EventStore, Rule } from "../store/event-store.js";
import { ruleArn } from "./arns.js";
import { type EventEnvelope, envelope, eventTime } from "./envelope.js";
import { type Body, busName, checkPattern, isObject, list, onlyKnown, required, validation } from "./events-input.js";
import { parsePattern } from "./pattern-check.js";
import { matches } from "./pattern-match.js";
import { type Deliveries, deliver } from "./rule-delivery.js";
import { targetPayload } from "./target-input.js";

/** AWS's limit on a PutEvents request: the entries' sizes (entrySize) added up. */
export const PUT_EVENTS_BYTES = 256 * 1024;
const ENTRY_KNOWN = ["Time", "Source", "Resources", "DetailType", "Detail", "EventBusName"];

type Result = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** What a PutEvents request makes: each entry's result, how many failed, and the accepted ones' deliveries. */
export interface PutEventsPlan {
  results: Result[];
  failed: number;
  deliveries: Deliveries;
}

const bytes = (v: unknown) => (typeof v === "string" ? Buffer.byteLength(v) : 0);

/** An entry's size as AWS computes it: 14 for a Time, then Source, DetailType, Detail and each resource in UTF-8. */
export function entrySize(e: Body): number {
  const resources = Array.isArray(e.Resources) ? e.Resources : [];
  return (
    (e.Time !== undefined && e.Time !== null ? 14 : 0) +
    bytes(e.Source) +
    bytes(e.DetailType) +
    bytes(e.Detail) +
    resources.reduce((n: number, r) => n + bytes(r), 0)
  );
}

const fail = (ErrorCode: string, ErrorMessage: string): Result => ({ ErrorCode, ErrorMessage });

/** The event an entry makes, or why it is refused. */
export function entryEvent(
  e: unknown,
  accountId: string,
  region: string,
  now: Date,
  id: string = randomUUID(),
): { event: EventEnvelope; bus: string } | Result {
  if (!isObject(e)) return fail("InvalidArgument", "Each entry must be an object.");
  const unknown = Object.keys(e).find((k) => !ENTRY_KNOWN.includes(k));
  if (unknown) return fail("InvalidArgument", `Parameter ${unknown} is not supported by Stratus.`);
  for (const field of ["Source", "DetailType", "Detail"]) {
    if (typeof e[field] !== "string" || e[field] === "") {
      return fail("InvalidArgument", `Parameter ${field} is not valid. Reason: ${field} is a required argument.`);
    }
  }
  if ((e.Source as string).startsWith("aws."))
    return fail("NotAuthorizedForSourceException", "Not authorized for the source.");
  let detail: unknown;
  try {
    detail = JSON.parse(e.Detail as string);
  } catch {
    return fail("MalformedDetail", "Detail is malformed.");
  }
  if (!isObject(detail)) return fail("MalformedDetail", "Detail is malformed.");
  const resources = e.Resources ?? [];
  if (!Array.isArray(resources) || resources.some((r) => typeof r !== "string")) {
    return fail("InvalidArgument", "Parameter Resources is not valid. Reason: Resources must be a list of strings.");
  }
  const time =
    e.Time === undefined || e.Time === null
      ? now
      : new Date(typeof e.Time === "number" ? e.Time * 1000 : String(e.Time));
  if (Number.isNaN(time.getTime())) return fail("InvalidArgument", "Parameter Time is not valid.");
  let bus: string;
  try {
    bus = busName(typeof e.EventBusName === "string" ? e.EventBusName : undefined, accountId);
  } catch (err) {
    return fail("InvalidArgument", (err as Error).message);
  }
  const event = envelope({
    id,
    detailType: e.DetailType as string,
    source: e.Source as string,
    accountId,
    time,
    region,
    resources: resources as string[],
    detail,
  });
  return { event, bus };
}

export interface EventCounters {
  /** PutEvents entries, by outcome (accepted, failed). */
  put: Pick<Counter<"outcome">, "inc">;
  /** Deliveries to targets (invocations and queue messages written) that events matched. */
  matched: Pick<Counter, "inc">;
  /** Deliveries to a queue target whose queue was gone, with no dead-letter queue to take them. */
  lost: Pick<Counter, "inc">;
}

export function createPutEvents(
  store: Pick<EventStore, "getBus" | "patternRules" | "acceptEvents">,
  relay: { nudge(): void; startsDue?(): void; published?(): void },
  region: string,
  counters: EventCounters,
  now = () => new Date(),
) {
  function deliveries(rule: Rule, event: EventEnvelope, into: Deliveries, newId: () => string): void {
    const arn = ruleArn(region, rule);
    const ctx = { ruleArn: arn, ruleName: rule.name, ingestionTime: eventTime(now()) };
    for (const t of rule.targets) deliver(t, rule.accountId, arn, newId(), targetPayload(t, event, ctx), into);
  }

  /**
   * What a PutEvents request makes, before anything is written: each entry's result
   * and the deliveries of the accepted ones. `newId` names events and invocations (a
   * Step Functions task derives them, so that performing it again names them alike).
   */
  async function plan(accountId: string, body: Body, newId: () => string = randomUUID): Promise<PutEventsPlan> {
    if (body.EndpointId !== undefined)
      throw validation("EndpointId is not supported by Stratus: it has no global endpoints");
    onlyKnown(body, ["Entries"]);
    const entries = list(body, "Entries", 1, 10);
    const total = entries.reduce((n: number, e) => n + (isObject(e) ? entrySize(e) : 0), 0);
    if (total > PUT_EVENTS_BYTES) throw validation("Total size of the entries in the request is over the limit.");
    const rulesOf = new Map<string, Promise<Rule[] | undefined>>();
    const buses = (bus: string) => {
      if (!rulesOf.has(bus)) {
        rulesOf.set(
          bus,
          store.getBus(accountId, bus).then((b) => (b ? store.patternRules(accountId, bus) : undefined)),
        );
      }
      return rulesOf.get(bus) as Promise<Rule[] | undefined>;
    };
    const results: Result[] = [];
    const into: Deliveries = { invocations: [], letters: [], starts: [] };
    for (const entry of entries) {
      const made = entryEvent(entry, accountId, region, now(), newId());
      if (!("event" in made)) {
        results.push(made);
        continue;
      }
      const rules = await buses(made.bus);
      if (!rules) {
        results.push(fail("ResourceNotFoundException", `Event bus ${made.bus} does not exist.`));
        continue;
      }
      for (const rule of rules) {
        if (rule.eventPattern && matches(parsePattern(rule.eventPattern), made.event)) {
          deliveries(rule, made.event, into, newId);
        }
      }
      results.push({ EventId: made.event.id });
    }
    return { results, failed: results.filter((r) => "ErrorCode" in r).length, deliveries: into };
  }

  /** Counts a plan once its deliveries are written (`lost`: to a queue that was gone). */
  function count(p: PutEventsPlan, lost: number): void {
    const { invocations, letters, starts, publishes } = p.deliveries;
    const written = invocations.length + letters.length + starts.length + (publishes?.length ?? 0) - lost;
    if (p.failed > 0) counters.put.inc({ outcome: "failed" }, p.failed);
    if (p.results.length > p.failed) counters.put.inc({ outcome: "accepted" }, p.results.length - p.failed);
    if (written > 0) counters.matched.inc(written);
    if (lost > 0) counters.lost.inc(lost);
  }

  return {
    plan,
    count,
    async putEvents(accountId: string, body: Body) {
      const p = await plan(accountId, body);
      const lost = await store.acceptEvents(p.deliveries);
      if (p.deliveries.invocations.length > 0) relay.nudge();
      if (p.deliveries.starts.length > 0) relay.startsDue?.();
      if (p.deliveries.publishes?.length) relay.published?.();
      count(p, lost);
      return { FailedEntryCount: p.failed, Entries: p.results };
    },

    testEventPattern(body: Body) {
      onlyKnown(body, ["EventPattern", "Event"]);
      const pattern = parsePattern(checkPattern(required(body, "EventPattern", 4096)));
      let event: unknown;
      try {
        event = JSON.parse(required(body, "Event", 256 * 1024));
      } catch {
        throw validation("Parameter Event is not valid.");
      }
      const mandatory = ["id", "account", "source", "time", "region", "resources", "detail-type"];
      if (!isObject(event) || mandatory.some((k) => !(k in event))) {
        throw validation(`Parameter Event is not valid: it must be a JSON object with ${mandatory.join(", ")}.`);
      }
      return { Result: matches(pattern, event) };
    },
  };
}

export type PutEvents = ReturnType<typeof createPutEvents>;
