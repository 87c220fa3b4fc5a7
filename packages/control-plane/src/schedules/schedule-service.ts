// EventBridge Scheduler's operations over the schedule store: schedules and schedule
// groups of the caller's account, their tags, in Scheduler's shapes (dates as epoch
// seconds). A schedule's target must be a function of the caller's account that
// exists; its first fire time is set as it is created or updated (firing.ts).
import { randomUUID } from "node:crypto";
import { StratusError } from "@stratus/shared";
import type { ArnRefs as TopicRefs } from "../arns.js";
import type { FunctionService } from "../services/function-service.js";
import type { QueueRefs } from "../sqs/queue-refs.js";
import { DEFAULT_GROUP, type Schedule, type ScheduleGroup, type ScheduleStore } from "../store/schedule-store.js";
import type { MachineRefs } from "../store/sfn-machine-refs.js";
import { firstFire, scheduleArn } from "./firing.js";
import { type ScheduleInput, scheduleInput, scheduleName, validation } from "./schedule-input.js";
import { targetFault } from "./targets.js";

const notFound = (message: string) => new StratusError("ResourceNotFoundException", 404, "client", message);
const conflict = (message: string) => new StratusError("ConflictException", 409, "client", message);

const seconds = (d: Date | undefined) => (d ? d.getTime() / 1000 : undefined);
const token = (key: unknown) => Buffer.from(JSON.stringify(key)).toString("base64url");

function untoken<T>(text: string | undefined, valid: (v: unknown) => v is T): T | undefined {
  if (!text) return undefined;
  try {
    const v: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (valid(v)) return v;
  } catch {
    // refused below
  }
  throw validation("NextToken is not valid");
}

const isPair = (v: unknown): v is [string, string] =>
  Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === "string");
const isString = (v: unknown): v is string => typeof v === "string";

function limit(value: string | undefined, max: number): number {
  if (value === undefined) return max;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw validation(`MaxResults must be from 1 to ${max}`);
  return n;
}

export function createScheduleService(
  store: ScheduleStore,
  functions: Pick<FunctionService, "get">,
  region: string,
  now = () => new Date(),
  queues?: QueueRefs,
  machines?: MachineRefs,
  topics?: TopicRefs,
) {
  const groupArn = (accountId: string, name: string) =>
    `arn:aws:scheduler:${region}:${accountId}:schedule-group/${name}`;

  /** The group an ARN of the caller's names; throws ResourceNotFoundException. */
  function groupOfArn(accountId: string, arn: string): string {
    const prefix = `arn:aws:scheduler:${region}:${accountId}:schedule-group/`;
    if (!arn.startsWith(prefix)) throw notFound(`Schedule group ${arn} does not exist`);
    return arn.slice(prefix.length);
  }

  async function checkTarget(accountId: string, input: ScheduleInput): Promise<void> {
    const fault = await targetFault(accountId, input.target, { functions, queues, machines, topics });
    if (fault) throw validation(`Target.${fault}`);
  }

  /**
   * The schedule `input` describes, as of `at`, with its first fire time. `life`: which
   * life of the name it is, when that began, and where its rate() counts from.
   */
  function toSchedule(
    accountId: string,
    name: string,
    input: ScheduleInput,
    life: { incarnation: string; createdAt: Date; anchor: Date },
    at: Date,
  ): Schedule {
    const base = {
      accountId,
      groupName: input.groupName,
      name,
      incarnation: life.incarnation,
      expression: input.expression,
      timezone: input.timezone,
      ...(input.startDate ? { startDate: input.startDate } : {}),
      ...(input.endDate ? { endDate: input.endDate } : {}),
      state: input.state,
      ...(input.description !== undefined ? { description: input.description } : {}),
      flexibleWindow: input.flexibleWindow,
      target: input.target,
      actionAfterCompletion: input.actionAfterCompletion,
      anchor: life.anchor,
      createdAt: life.createdAt,
      lastModified: at,
    };
    const next = firstFire(base, at);
    return { ...base, ...(next ? { nextFireAt: next } : {}) };
  }

  const shape = (s: Schedule) => ({
    Arn: scheduleArn(region, s),
    GroupName: s.groupName,
    Name: s.name,
    ScheduleExpression: s.expression,
    ScheduleExpressionTimezone: s.timezone,
    ...(s.startDate ? { StartDate: seconds(s.startDate) } : {}),
    ...(s.endDate ? { EndDate: seconds(s.endDate) } : {}),
    ...(s.description !== undefined ? { Description: s.description } : {}),
    State: s.state,
    CreationDate: seconds(s.createdAt),
    LastModificationDate: seconds(s.lastModified),
    Target: s.target,
    FlexibleTimeWindow: s.flexibleWindow,
    ActionAfterCompletion: s.actionAfterCompletion,
  });

  const groupShape = (g: ScheduleGroup) => ({
    Arn: groupArn(g.accountId, g.name),
    Name: g.name,
    State: "ACTIVE",
    CreationDate: seconds(g.createdAt),
    LastModificationDate: seconds(g.lastModified),
  });

  return {
    async create(accountId: string, name: string, body: unknown) {
      scheduleName(name);
      const input = scheduleInput(body, now());
      await checkTarget(accountId, input);
      const clientToken = (body as { ClientToken?: unknown }).ClientToken;
      const at = now();
      const life = { incarnation: randomUUID(), createdAt: at, anchor: input.startDate ?? at };
      const s = toSchedule(accountId, name, input, life, at);
      if (typeof clientToken === "string") s.clientToken = clientToken;
      const made = await store.create(s);
      if (made === "no-group") throw notFound(`Schedule group ${input.groupName} does not exist`);
      if (made === "exists") {
        const existing = await store.get(accountId, input.groupName, name);
        // The same request sent again (the SDK retried it): answered as the first was.
        if (!existing || typeof clientToken !== "string" || existing.clientToken !== clientToken) {
          throw conflict(`Schedule ${name} already exists in group ${input.groupName}`);
        }
      }
      return { ScheduleArn: scheduleArn(region, s) };
    },
    async get(accountId: string, name: string, groupName = DEFAULT_GROUP) {
      scheduleName(name);
      scheduleName(groupName);
      const s = await store.get(accountId, groupName, name);
      if (!s) throw notFound(`Schedule ${name} does not exist in group ${groupName}`);
      return shape(s);
    },
    async update(accountId: string, name: string, body: unknown) {
      scheduleName(name);
      const input = scheduleInput(body, now());
      const existing = await store.get(accountId, input.groupName, name);
      if (!existing) throw notFound(`Schedule ${name} does not exist in group ${input.groupName}`);
      await checkTarget(accountId, input);
      // rate() keeps counting from when it was made, unless StartDate moves it.
      const life = { ...existing, anchor: input.startDate ?? existing.anchor };
      const s = toSchedule(accountId, name, input, life, now());
      if (!(await store.update(s))) throw notFound(`Schedule ${name} does not exist in group ${input.groupName}`);
      return { ScheduleArn: scheduleArn(region, s) };
    },
    async delete(accountId: string, name: string, groupName = DEFAULT_GROUP) {
      scheduleName(name);
      scheduleName(groupName);
      if (!(await store.delete(accountId, groupName, name))) {
        throw notFound(`Schedule ${name} does not exist in group ${groupName}`);
      }
      return {};
    },
    async list(accountId: string, q: { group?: string; prefix?: string; state?: string; next?: string; max?: string }) {
      if (q.state !== undefined && q.state !== "ENABLED" && q.state !== "DISABLED") {
        throw validation("State must be ENABLED or DISABLED");
      }
      const max = limit(q.max, 100);
      const after = untoken(q.next, isPair);
      const rows = await store.list(accountId, {
        ...(q.group ? { groupName: q.group } : {}),
        ...(q.prefix ? { prefix: q.prefix } : {}),
        ...(q.state ? { state: q.state } : {}),
        ...(after ? { after } : {}),
        limit: max + 1,
      });
      const page = rows.slice(0, max);
      const last = page[page.length - 1];
      return {
        Schedules: page.map((s) => ({
          Arn: scheduleArn(region, s),
          Name: s.name,
          GroupName: s.groupName,
          State: s.state,
          CreationDate: seconds(s.createdAt),
          LastModificationDate: seconds(s.lastModified),
          Target: { Arn: s.target.Arn },
        })),
        ...(rows.length > max && last ? { NextToken: token([last.groupName, last.name]) } : {}),
      };
    },
    async createGroup(accountId: string, name: string, body: { Tags?: unknown }) {
      scheduleName(name);
      const tags = tagMap(body.Tags);
      if (!(await store.createGroup(accountId, name, tags))) throw conflict(`Schedule group ${name} already exists`);
      return { ScheduleGroupArn: groupArn(accountId, name) };
    },
    async getGroup(accountId: string, name: string) {
      scheduleName(name);
      const g = await store.getGroup(accountId, name);
      if (!g) throw notFound(`Schedule group ${name} does not exist`);
      return groupShape(g);
    },
    async deleteGroup(accountId: string, name: string) {
      scheduleName(name);
      if (name === DEFAULT_GROUP) throw validation("The default schedule group cannot be deleted");
      if (!(await store.deleteGroup(accountId, name))) throw notFound(`Schedule group ${name} does not exist`);
      return {};
    },
    async listGroups(accountId: string, q: { prefix?: string; next?: string; max?: string }) {
      const max = limit(q.max, 100);
      const rows = await store.listGroups(accountId, q.prefix ?? "", untoken(q.next, isString) ?? "", max + 1);
      const page = rows.slice(0, max);
      const last = page[page.length - 1];
      return {
        ScheduleGroups: page.map(groupShape),
        ...(rows.length > max && last ? { NextToken: token(last.name) } : {}),
      };
    },
    async tags(accountId: string, arn: string) {
      const g = await store.getGroup(accountId, groupOfArn(accountId, arn));
      if (!g) throw notFound(`Schedule group ${arn} does not exist`);
      return { Tags: Object.entries(g.tags).map(([Key, Value]) => ({ Key, Value })) };
    },
    async tag(accountId: string, arn: string, body: { Tags?: unknown }) {
      const name = groupOfArn(accountId, arn);
      const g = await store.getGroup(accountId, name);
      if (!g) throw notFound(`Schedule group ${arn} does not exist`);
      const merged = { ...g.tags, ...tagMap(body.Tags) };
      if (Object.keys(merged).length > 200) throw validation("A schedule group has at most 200 tags");
      await store.setGroupTags(accountId, name, merged);
      return {};
    },
    async untag(accountId: string, arn: string, keys: string[]) {
      const name = groupOfArn(accountId, arn);
      const g = await store.getGroup(accountId, name);
      if (!g) throw notFound(`Schedule group ${arn} does not exist`);
      const kept = Object.fromEntries(Object.entries(g.tags).filter(([k]) => !keys.includes(k)));
      await store.setGroupTags(accountId, name, kept);
      return {};
    },
  };
}

/** Scheduler's [{Key, Value}] tag list as a map; throws ValidationException. */
function tagMap(tags: unknown): Record<string, string> {
  if (tags === undefined || tags === null) return {};
  if (!Array.isArray(tags) || tags.length > 200) throw validation("Tags must be a list of at most 200 {Key, Value}");
  const out: Record<string, string> = {};
  for (const t of tags) {
    const { Key, Value } = (t ?? {}) as { Key?: unknown; Value?: unknown };
    if (typeof Key !== "string" || Key.length < 1 || Key.length > 128 || Key.startsWith("aws:")) {
      throw validation("Each tag needs a Key of 1 to 128 characters, not starting with aws:");
    }
    if (typeof Value !== "string" || Value.length > 256)
      throw validation(`Tag ${Key} needs a Value of at most 256 characters`);
    out[Key] = Value;
  }
  return out;
}

export type ScheduleService = ReturnType<typeof createScheduleService>;
