// EventBridge's ListTagsForResource, TagResource and UntagResource, by the ARN of one
// of the caller's rules or event buses (whose tags PutRule and CreateEventBus set
// too), in EventBridge's [{Key, Value}] shape. Terraform reads a rule's and a bus's
// tags this way after every create and refresh.
import { StratusError } from "@stratus/shared";
import type { EventStore } from "../store/event-store.js";
import { type Body, busName, onlyKnown, required, ruleName, tagMap, validation } from "./events-input.js";

const notFound = (message: string) => new StratusError("ResourceNotFoundException", 400, "client", message);
const ARN = /^arn:aws[a-zA-Z-]*:events:([a-z0-9-]+):(\d{12}):(event-bus|rule)\/(.+)$/;

/** A rule (on its bus) or a bus, as its ARN names it. */
interface Tagged {
  bus: string;
  rule?: string;
  /** How it is named when it is not there. */
  missing: string;
}

export function createEventTags(store: Pick<EventStore, "getBus" | "getRule" | "changeTags">, region: string) {
  function tagged(accountId: string, body: Body): Tagged {
    const arn = required(body, "ResourceARN", 1600);
    const m = ARN.exec(arn);
    if (!m) throw validation("ResourceARN must be the ARN of an event bus or a rule");
    const [, inRegion, account, kind, rest] = m as unknown as [string, string, string, string, string];
    if (inRegion !== region || account !== accountId) throw notFound(`Resource ${arn} does not exist.`);
    if (kind === "event-bus") {
      const bus = busName(rest, accountId);
      return { bus, missing: `Event bus ${bus} does not exist.` };
    }
    const cut = rest.lastIndexOf("/");
    const rule = ruleName(rest.slice(cut + 1));
    const bus = busName(cut < 0 ? undefined : rest.slice(0, cut), accountId);
    return { bus, rule, missing: `Rule ${rule} does not exist on EventBus ${bus}.` };
  }

  async function change(accountId: string, t: Tagged, add: Record<string, string>, remove: string[]) {
    const result = await store.changeTags(accountId, t.bus, t.rule, add, remove);
    if (result === "missing") throw notFound(t.missing);
    if (result === "too-many") throw validation("A resource can have at most 50 tags");
    return {};
  }

  return {
    async listTagsForResource(accountId: string, body: Body) {
      onlyKnown(body, ["ResourceARN"]);
      const t = tagged(accountId, body);
      const found =
        t.rule === undefined ? await store.getBus(accountId, t.bus) : await store.getRule(accountId, t.bus, t.rule);
      if (!found) throw notFound(t.missing);
      const keys = Object.keys(found.tags).sort();
      return { Tags: keys.map((Key) => ({ Key, Value: found.tags[Key] })) };
    },
    async tagResource(accountId: string, body: Body) {
      onlyKnown(body, ["ResourceARN", "Tags"]);
      const t = tagged(accountId, body);
      if (!Array.isArray(body.Tags)) throw validation("Tags is required");
      return change(accountId, t, tagMap(body.Tags), []);
    },
    async untagResource(accountId: string, body: Body) {
      onlyKnown(body, ["ResourceARN", "TagKeys"]);
      const t = tagged(accountId, body);
      const keys = body.TagKeys;
      if (!Array.isArray(keys) || keys.length > 50 || keys.some((k) => typeof k !== "string" || k.length > 128)) {
        throw validation("TagKeys must be a list of at most 50 keys of at most 128 characters");
      }
      return change(accountId, t, {}, keys as string[]);
    },
  };
}

export type EventTags = ReturnType<typeof createEventTags>;
