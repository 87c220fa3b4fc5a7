// EventBridge's rule, target and event bus operations over the event store, in
// EventBridge's shapes (dates as epoch seconds), for the caller's account. A target
// must be a Lambda function, an SQS queue or a state machine of that account that exists; a scheduled rule's next
// fire time is set as it is put or enabled (rule-firing.ts).
import { randomUUID } from "node:crypto";
import { StratusError } from "@stratus/shared";
import type { ArnRefs as TopicRefs } from "../arns.js";
import { machineAccount } from "../schedules/firing.js";
import { targetFault as sharedTargetFault } from "../schedules/targets.js";
import type { FunctionService } from "../services/function-service.js";
import type { QueueRefs } from "../sqs/queue-refs.js";
import { DEFAULT_BUS, type EventBus, type EventStore, type Rule, type RuleTarget } from "../store/event-store.js";
import { pageOf } from "../store/paging.js";
import type { MachineRefs } from "../store/sfn-machine-refs.js";
import { busArn, ruleArn } from "./arns.js";
import {
  type Body,
  busName,
  checkExpression,
  checkPattern,
  list,
  onlyKnown,
  required,
  ruleName,
  str,
  tagMap,
  target,
  validation,
} from "./events-input.js";
import { firstRuleFire } from "./rule-firing.js";

const notFound = (message: string) => new StratusError("ResourceNotFoundException", 400, "client", message);
const exists = (message: string) => new StratusError("ResourceAlreadyExistsException", 400, "client", message);
const limitExceeded = (message: string) => new StratusError("LimitExceededException", 400, "client", message);
const MAX_TARGETS = 5;

const seconds = (d: Date) => d.getTime() / 1000;
const token = (key: string) => Buffer.from(key).toString("base64url");
const untoken = (t: unknown) => (typeof t === "string" ? Buffer.from(t, "base64url").toString("utf8") : "");

/** Force: for rules AWS services manage, and ignored for others, as EventBridge ignores it; Stratus has only others. */
function force(body: Body): void {
  if (body.Force !== undefined && typeof body.Force !== "boolean") throw validation("Force must be a boolean");
}

function limit(body: Body): number {
  const v = body.Limit ?? 100;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > 100)
    throw validation("Limit must be from 1 to 100");
  return v;
}

/** A page of `rows` (asked for with limit + 1, paging.ts) and the token of the next. */
function page<T>(rows: T[], max: number, key: (t: T) => string): { items: T[]; next?: string } {
  const { items, nextMarker } = pageOf(rows, max, (r) => r, key);
  return nextMarker === undefined ? { items } : { items, next: token(nextMarker) };
}

export function createRuleService(
  store: EventStore,
  functions: Pick<FunctionService, "get">,
  region: string,
  now = () => new Date(),
  queues?: QueueRefs,
  machines?: MachineRefs,
  topics?: TopicRefs,
) {
  const missingRule = (name: string, bus: string) => notFound(`Rule ${name} does not exist on EventBus ${bus}.`);
  const missingBus = (bus: string) => notFound(`Event bus ${bus} does not exist.`);

  async function rule(accountId: string, body: Body, field = "Name"): Promise<Rule> {
    const name = ruleName(required(body, field, 64));
    const bus = busName(str(body, "EventBusName", 1600), accountId);
    const r = await store.getRule(accountId, bus, name);
    if (!r) throw missingRule(name, bus);
    return r;
  }

  /** Why `t` cannot be a target of the account's rules, if it cannot. */
  async function targetFault(accountId: string, t: RuleTarget): Promise<string | undefined> {
    const fault = await sharedTargetFault(accountId, t, { functions, queues, machines, topics });
    if (fault) return `Target ${t.Id}: ${fault}`;
    // As EventBridge: a state machine is started under a role the target names.
    if (machineAccount(t.Arn) !== undefined && !t.RoleArn)
      return `Target ${t.Id}: RoleArn is required for target ${t.Arn}`;
    return undefined;
  }

  const ruleShape = (r: Rule) => ({
    Name: r.name,
    Arn: ruleArn(region, r),
    ...(r.eventPattern !== undefined ? { EventPattern: r.eventPattern } : {}),
    ...(r.scheduleExpression !== undefined ? { ScheduleExpression: r.scheduleExpression } : {}),
    State: r.state,
    ...(r.description !== undefined ? { Description: r.description } : {}),
    ...(r.roleArn !== undefined ? { RoleArn: r.roleArn } : {}),
    EventBusName: r.busName,
  });

  const busShape = (b: EventBus) => ({
    Name: b.name,
    Arn: busArn(region, b.accountId, b.name),
    ...(b.description !== undefined ? { Description: b.description } : {}),
    CreationTime: seconds(b.createdAt),
    LastModifiedTime: seconds(b.lastModified),
  });

  return {
    async putRule(accountId: string, body: Body) {
      onlyKnown(body, [
        "Name",
        "ScheduleExpression",
        "EventPattern",
        "State",
        "Description",
        "RoleArn",
        "Tags",
        "EventBusName",
      ]);
      const name = ruleName(required(body, "Name", 64));
      const bus = busName(str(body, "EventBusName", 1600), accountId);
      const expression = str(body, "ScheduleExpression", 256);
      const pattern = str(body, "EventPattern", 4096);
      if (!expression && !pattern)
        throw validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
      if (expression) checkExpression(expression);
      if (pattern) checkPattern(pattern);
      if (expression && bus !== DEFAULT_BUS) {
        throw validation("ScheduleExpression is supported only on the default event bus.");
      }
      const state = body.State ?? "ENABLED";
      if (state !== "ENABLED" && state !== "DISABLED") {
        throw validation(`State ${String(state)} is not supported by Stratus: ENABLED or DISABLED`);
      }
      const description = str(body, "Description", 512);
      const roleArn = str(body, "RoleArn", 1600);
      const tags = tagMap(body.Tags);
      const at = now();
      const existing = await store.getRule(accountId, bus, name);
      const life = existing ?? { incarnation: randomUUID(), anchor: at, createdAt: at, targets: [] };
      const next = expression && state === "ENABLED" ? firstRuleFire(expression, life.anchor, at) : undefined;
      const r: Rule = {
        accountId,
        busName: bus,
        name,
        incarnation: life.incarnation,
        ...(expression ? { scheduleExpression: expression } : {}),
        ...(pattern ? { eventPattern: pattern } : {}),
        state,
        ...(description !== undefined ? { description } : {}),
        ...(roleArn ? { roleArn } : {}),
        tags,
        targets: life.targets,
        anchor: life.anchor,
        ...(next ? { nextFireAt: next } : {}),
        createdAt: life.createdAt,
      };
      if ((await store.saveRule(r)) === "no-bus") throw missingBus(bus);
      return { RuleArn: ruleArn(region, r) };
    },
    async describeRule(accountId: string, body: Body) {
      onlyKnown(body, ["Name", "EventBusName"]);
      const r = await rule(accountId, body);
      return { ...ruleShape(r), CreatedBy: accountId };
    },
    async listRules(accountId: string, body: Body) {
      onlyKnown(body, ["NamePrefix", "EventBusName", "NextToken", "Limit"]);
      const bus = busName(str(body, "EventBusName", 1600), accountId);
      const max = limit(body);
      const rows = await store.listRules(
        accountId,
        bus,
        str(body, "NamePrefix", 64) ?? "",
        untoken(body.NextToken),
        max + 1,
      );
      // No rules may mean no bus: EventBridge names it, as it does for DescribeEventBus.
      if (rows.length === 0 && !(await store.getBus(accountId, bus))) throw missingBus(bus);
      const p = page(rows, max, (r) => r.name);
      return { Rules: p.items.map(ruleShape), ...(p.next ? { NextToken: p.next } : {}) };
    },
    async deleteRule(accountId: string, body: Body) {
      onlyKnown(body, ["Name", "EventBusName", "Force"]);
      force(body);
      const name = ruleName(required(body, "Name", 64));
      const bus = busName(str(body, "EventBusName", 1600), accountId);
      if ((await store.deleteRule(accountId, bus, name)) === "has-targets") {
        throw validation("Rule can't be deleted since it has targets.");
      }
      return {};
    },
    async setState(accountId: string, body: Body, state: "ENABLED" | "DISABLED") {
      onlyKnown(body, ["Name", "EventBusName"]);
      const r = await rule(accountId, body);
      // Enabled again, a scheduled rule fires from now on: the ticks it missed while disabled are not owed.
      const next =
        state === "ENABLED" && r.scheduleExpression ? firstRuleFire(r.scheduleExpression, r.anchor, now()) : undefined;
      if (!(await store.setState({ ...r, state, ...(next ? { nextFireAt: next } : { nextFireAt: undefined }) }))) {
        throw missingRule(r.name, r.busName);
      }
      return {};
    },
    async putTargets(accountId: string, body: Body) {
      onlyKnown(body, ["Rule", "EventBusName", "Targets"]);
      const r = await rule(accountId, body, "Rule");
      const given = list(body, "Targets", 1, 10).map(target);
      const failed: Array<{ TargetId: string; ErrorCode: string; ErrorMessage: string }> = [];
      const good: RuleTarget[] = [];
      for (const t of given) {
        const fault = await targetFault(accountId, t);
        if (fault) failed.push({ TargetId: t.Id, ErrorCode: "ValidationException", ErrorMessage: fault });
        else good.push(t);
      }
      const found = await store.changeTargets(accountId, r.busName, r.name, (targets) => {
        const kept = targets.filter((t) => !good.some((g) => g.Id === t.Id));
        const all = [...kept, ...good];
        if (all.length > MAX_TARGETS) {
          throw limitExceeded(`A rule has at most ${MAX_TARGETS} targets; ${r.name} would have ${all.length}.`);
        }
        return all;
      });
      if (!found) throw missingRule(r.name, r.busName);
      return { FailedEntryCount: failed.length, FailedEntries: failed };
    },
    async removeTargets(accountId: string, body: Body) {
      onlyKnown(body, ["Rule", "EventBusName", "Ids", "Force"]);
      force(body);
      const r = await rule(accountId, body, "Rule");
      const ids = list(body, "Ids", 1, 100);
      if (ids.some((id) => typeof id !== "string")) throw validation("Ids must be a list of target ids");
      const found = await store.changeTargets(accountId, r.busName, r.name, (targets) =>
        targets.filter((t) => !ids.includes(t.Id)),
      );
      if (!found) throw missingRule(r.name, r.busName);
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
    async listTargetsByRule(accountId: string, body: Body) {
      onlyKnown(body, ["Rule", "EventBusName", "NextToken", "Limit"]);
      const r = await rule(accountId, body, "Rule");
      const max = limit(body);
      const after = untoken(body.NextToken);
      const rows = [...r.targets].sort((a, b) => (a.Id < b.Id ? -1 : 1)).filter((t) => t.Id > after);
      const p = page(rows, max, (t) => t.Id);
      return { Targets: p.items, ...(p.next ? { NextToken: p.next } : {}) };
    },
    async createEventBus(accountId: string, body: Body) {
      for (const field of ["EventSourceName", "KmsKeyIdentifier", "DeadLetterConfig"]) {
        if (body[field] !== undefined) throw validation(`${field} is not supported by Stratus yet`);
      }
      onlyKnown(body, ["Name", "Description", "Tags"]);
      const name = required(body, "Name", 256);
      if (!/^[/.\-_A-Za-z0-9]{1,256}$/.test(name) || name.startsWith("aws.")) {
        throw validation("Name must be 1 to 256 letters, digits, '/', '.', '-' or '_', not starting with aws.");
      }
      const description = str(body, "Description", 512);
      if (name === DEFAULT_BUS || !(await store.createBus(accountId, name, description, tagMap(body.Tags)))) {
        throw exists(`Event bus ${name} already exists.`);
      }
      return {
        EventBusArn: busArn(region, accountId, name),
        ...(description !== undefined ? { Description: description } : {}),
      };
    },
    async deleteEventBus(accountId: string, body: Body) {
      onlyKnown(body, ["Name"]);
      const name = busName(required(body, "Name", 256), accountId);
      if (name === DEFAULT_BUS) throw validation("Cannot delete event bus default.");
      if ((await store.deleteBus(accountId, name)) === "has-rules") {
        throw validation("EventBus can't be deleted since it has rules.");
      }
      return {};
    },
    async describeEventBus(accountId: string, body: Body) {
      onlyKnown(body, ["Name"]);
      const name = busName(str(body, "Name", 1600), accountId);
      const b = await store.getBus(accountId, name);
      if (!b) throw missingBus(name);
      return busShape(b);
    },
    async listEventBuses(accountId: string, body: Body) {
      onlyKnown(body, ["NamePrefix", "NextToken", "Limit"]);
      const max = limit(body);
      const rows = await store.listBuses(
        accountId,
        str(body, "NamePrefix", 256) ?? "",
        untoken(body.NextToken),
        max + 1,
      );
      const p = page(rows, max, (b) => b.name);
      return { EventBuses: p.items.map(busShape), ...(p.next ? { NextToken: p.next } : {}) };
    },
  };
}

export type RuleService = ReturnType<typeof createRuleService>;
