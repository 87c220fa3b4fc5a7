// Schedule groups and schedules (EventBridge Scheduler) in Postgres, and the firing
// claim: due schedules are locked with FOR UPDATE SKIP LOCKED by whichever control
// plane asks first, and their ticks are written as async invocations (ids derived
// from the schedule and the tick, so written once) or queue messages in the same
// transaction that moves the schedule's next fire time on.
import type { Pool } from "pg";
import { acceptInTransaction, type NewAsyncInvocation } from "./async-store.js";
import { type BoundedDb, boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";
import { insertStartRequests, type StartRequest } from "./sfn-start-requests.js";
import { insertPublishRequests, type PublishRequest } from "./sns-publish-requests.js";
import { type TargetLetter, writeTargetLetters } from "./sqs-messages.js";

export const DEFAULT_GROUP = "default";

export interface ScheduleTarget {
  Arn: string;
  RoleArn: string;
  Input?: string;
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  /** A queue of Stratus' SQS, of the schedule's account, where ticks that finally fail are written. */
  DeadLetterConfig?: { Arn: string };
}

export interface FlexibleWindow {
  Mode: "OFF" | "FLEXIBLE";
  MaximumWindowInMinutes?: number;
}

export interface Schedule {
  accountId: string;
  groupName: string;
  name: string;
  incarnation: string;
  expression: string;
  timezone: string;
  startDate?: Date;
  endDate?: Date;
  state: "ENABLED" | "DISABLED";
  description?: string;
  flexibleWindow: FlexibleWindow;
  target: ScheduleTarget;
  actionAfterCompletion: "NONE" | "DELETE";
  clientToken?: string;
  anchor: Date;
  nextFireAt?: Date;
  createdAt: Date;
  lastModified: Date;
}

export interface ScheduleGroup {
  accountId: string;
  name: string;
  tags: Record<string, string>;
  createdAt: Date;
  lastModified: Date;
}

/** What firing one due schedule writes: its ticks' invocations, and what becomes of it. */
export interface Firing {
  invocations: NewAsyncInvocation[];
  /** Messages to queue targets, written in the same transaction. */
  letters: TargetLetter[];
  /** Executions of state machine targets to start, written in the same transaction. */
  starts?: StartRequest[];
  /** Messages to SNS topic targets, written in the same transaction (fanned out by sns/publish-relay.ts). */
  publishes?: PublishRequest[];
  /** Its next fire time after these ticks; undefined: none (an at() fired, EndDate passed). */
  next?: Date;
  /** Delete it (ActionAfterCompletion DELETE with no fire time left). */
  remove: boolean;
}

/** What a round of firing wrote: invocations and queue messages, and queue messages lost. */
export interface Fired {
  written: number;
  lost: number;
}

/** Writes one firing's invocations and queue messages within the caller's transaction, adding to `into`. */
export async function writeFiring(c: BoundedDb, firing: Firing, into: Fired): Promise<void> {
  if (firing.invocations.length > 0) into.written += await acceptInTransaction(c, firing.invocations);
  if (firing.starts && firing.starts.length > 0) {
    await insertStartRequests(c, firing.starts);
    into.written += firing.starts.length;
  }
  if (firing.publishes && firing.publishes.length > 0) {
    await insertPublishRequests(c, firing.publishes);
    into.written += firing.publishes.length;
  }
  if (firing.letters.length > 0) {
    const lost = await writeTargetLetters(c, firing.letters);
    into.written += firing.letters.length - lost;
    into.lost += lost;
  }
}

export interface ScheduleList {
  groupName?: string;
  prefix?: string;
  state?: string;
  /** Names (group, then name) after this key, for pagination. */
  after?: [string, string];
  limit: number;
}

interface Row {
  account_id: string;
  group_name: string;
  name: string;
  incarnation: string;
  expression: string;
  timezone: string;
  start_date: Date | null;
  end_date: Date | null;
  state: "ENABLED" | "DISABLED";
  description: string | null;
  flexible_window: FlexibleWindow;
  target: ScheduleTarget;
  action_after_completion: "NONE" | "DELETE";
  client_token: string | null;
  anchor: Date;
  next_fire_at: Date | null;
  created_at: Date;
  last_modified: Date;
}

const toSchedule = (r: Row): Schedule => ({
  accountId: r.account_id,
  groupName: r.group_name,
  name: r.name,
  incarnation: r.incarnation,
  expression: r.expression,
  timezone: r.timezone,
  ...(r.start_date ? { startDate: r.start_date } : {}),
  ...(r.end_date ? { endDate: r.end_date } : {}),
  state: r.state,
  ...(r.description !== null ? { description: r.description } : {}),
  flexibleWindow: r.flexible_window,
  target: r.target,
  actionAfterCompletion: r.action_after_completion,
  ...(r.client_token ? { clientToken: r.client_token } : {}),
  anchor: r.anchor,
  ...(r.next_fire_at ? { nextFireAt: r.next_fire_at } : {}),
  createdAt: r.created_at,
  lastModified: r.last_modified,
});

const values = (s: Schedule) => [
  s.accountId,
  s.groupName,
  s.name,
  s.incarnation,
  s.expression,
  s.timezone,
  s.startDate ?? null,
  s.endDate ?? null,
  s.state,
  s.description ?? null,
  JSON.stringify(s.flexibleWindow),
  JSON.stringify(s.target),
  s.actionAfterCompletion,
  s.anchor,
  s.nextFireAt ?? null,
  s.clientToken ?? null,
];

export function createPgScheduleStore(pool: Pool) {
  const db = boundedDb(pool, STATEMENT_TIMEOUT_MS);
  const ensureGroup = (accountId: string, name: string) =>
    db.query("INSERT INTO schedule_groups (account_id, name) VALUES ($1, $2) ON CONFLICT DO NOTHING", [
      accountId,
      name,
    ]);

  return {
    /** Creates the group; false if it exists. */
    async createGroup(accountId: string, name: string, tags: Record<string, string>): Promise<boolean> {
      const res = await db.query(
        "INSERT INTO schedule_groups (account_id, name, tags) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        [accountId, name, JSON.stringify(tags)],
      );
      return res.rowCount === 1;
    },
    async getGroup(accountId: string, name: string): Promise<ScheduleGroup | undefined> {
      if (name === DEFAULT_GROUP) await ensureGroup(accountId, name);
      const res = await db.query<{ name: string; tags: Record<string, string>; created_at: Date; last_modified: Date }>(
        "SELECT name, tags, created_at, last_modified FROM schedule_groups WHERE account_id = $1 AND name = $2",
        [accountId, name],
      );
      const r = res.rows[0];
      return r && { accountId, name: r.name, tags: r.tags, createdAt: r.created_at, lastModified: r.last_modified };
    },
    async listGroups(accountId: string, prefix: string, after: string, limit: number): Promise<ScheduleGroup[]> {
      await ensureGroup(accountId, DEFAULT_GROUP);
      const res = await db.query<{ name: string; tags: Record<string, string>; created_at: Date; last_modified: Date }>(
        `SELECT name, tags, created_at, last_modified FROM schedule_groups
         WHERE account_id = $1 AND starts_with(name, $2) AND name > $3 ORDER BY name LIMIT $4`,
        [accountId, prefix, after, limit],
      );
      return res.rows.map((r) => ({
        accountId,
        name: r.name,
        tags: r.tags,
        createdAt: r.created_at,
        lastModified: r.last_modified,
      }));
    },
    /** Deletes the group and its schedules; false if there was none. */
    async deleteGroup(accountId: string, name: string): Promise<boolean> {
      const res = await db.query("DELETE FROM schedule_groups WHERE account_id = $1 AND name = $2", [accountId, name]);
      return res.rowCount === 1;
    },
    /** Replaces the group's tags with `tags` (merged by the caller); false if there is no group. */
    async setGroupTags(accountId: string, name: string, tags: Record<string, string>): Promise<boolean> {
      const res = await db.query(
        "UPDATE schedule_groups SET tags = $3, last_modified = now() WHERE account_id = $1 AND name = $2",
        [accountId, name, JSON.stringify(tags)],
      );
      return res.rowCount === 1;
    },
    /** Creates the schedule; "exists" or "no-group" when it cannot. */
    async create(s: Schedule): Promise<"created" | "exists" | "no-group"> {
      if (s.groupName === DEFAULT_GROUP) await ensureGroup(s.accountId, s.groupName);
      const res = await db.query(
        `INSERT INTO schedules (account_id, group_name, name, incarnation, expression, timezone, start_date, end_date,
           state, description, flexible_window, target, action_after_completion, anchor, next_fire_at, client_token)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16
         WHERE EXISTS (SELECT 1 FROM schedule_groups WHERE account_id = $1 AND name = $2)
         ON CONFLICT DO NOTHING`,
        values(s),
      );
      if (res.rowCount === 1) return "created";
      return (await this.getGroup(s.accountId, s.groupName)) ? "exists" : "no-group";
    },
    async get(accountId: string, groupName: string, name: string): Promise<Schedule | undefined> {
      const res = await db.query<Row>(
        "SELECT * FROM schedules WHERE account_id = $1 AND group_name = $2 AND name = $3",
        [accountId, groupName, name],
      );
      return res.rows[0] && toSchedule(res.rows[0]);
    },
    /** Replaces the schedule's definition (its incarnation stays); false if there is none. */
    async update(s: Schedule): Promise<boolean> {
      const res = await db.query(
        `UPDATE schedules SET expression = $5, timezone = $6, start_date = $7, end_date = $8, state = $9,
           description = $10, flexible_window = $11, target = $12, action_after_completion = $13, anchor = $14,
           next_fire_at = $15, last_modified = now(), client_token = coalesce($16, client_token)
         WHERE account_id = $1 AND group_name = $2 AND name = $3 AND incarnation = $4`,
        values(s),
      );
      return res.rowCount === 1;
    },
    async delete(accountId: string, groupName: string, name: string): Promise<boolean> {
      const res = await db.query("DELETE FROM schedules WHERE account_id = $1 AND group_name = $2 AND name = $3", [
        accountId,
        groupName,
        name,
      ]);
      return res.rowCount === 1;
    },
    async list(accountId: string, q: ScheduleList): Promise<Schedule[]> {
      const res = await db.query<Row>(
        `SELECT * FROM schedules
         WHERE account_id = $1 AND ($2::text IS NULL OR group_name = $2) AND starts_with(name, $3)
           AND ($4::text IS NULL OR state = $4) AND (group_name, name) > ($5, $6)
         ORDER BY group_name, name LIMIT $7`,
        [
          accountId,
          q.groupName ?? null,
          q.prefix ?? "",
          q.state ?? null,
          q.after?.[0] ?? "",
          q.after?.[1] ?? "",
          q.limit,
        ],
      );
      return res.rows.map(toSchedule);
    },
    /**
     * Claims up to `limit` schedules due by now (none another control plane holds),
     * asks `fire` what each writes, and commits it all at once. Returns the deliveries
     * written, and those lost (a queue target's queue gone, with no dead letter queue).
     */
    fireDue(limit: number, fire: (s: Schedule) => Firing): Promise<Fired> {
      return db.transaction(async (c) => {
        const due = await c.query<Row>(
          `SELECT * FROM schedules WHERE state = 'ENABLED' AND next_fire_at <= now()
           ORDER BY next_fire_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
          [limit],
        );
        const fired = { written: 0, lost: 0 };
        for (const row of due.rows) {
          const s = toSchedule(row);
          const firing = fire(s);
          await writeFiring(c, firing, fired);
          const key = [s.accountId, s.groupName, s.name];
          if (firing.remove) {
            await c.query("DELETE FROM schedules WHERE account_id = $1 AND group_name = $2 AND name = $3", key);
          } else {
            await c.query(
              "UPDATE schedules SET next_fire_at = $4 WHERE account_id = $1 AND group_name = $2 AND name = $3",
              [...key, firing.next ?? null],
            );
          }
        }
        return fired;
      });
    },
  };
}

export type ScheduleStore = ReturnType<typeof createPgScheduleStore>;
