// Step Functions state machines in Postgres: one row per (account, name) with its
// current revision and tags, and every revision's definition and role kept, since an
// execution runs the revision it started with whatever updates follow.
import type { Pool } from "pg";
import { boundedDb, STATEMENT_TIMEOUT_MS } from "./pg-helpers.js";

export interface StateMachine {
  arn: string;
  accountId: string;
  name: string;
  type: "STANDARD" | "EXPRESS";
  revision: number;
  definition: string;
  roleArn: string;
  createdAt: Date;
  tags: Record<string, string>;
  /** Where and what the executions log; undefined is logging OFF. */
  logging?: MachineLogging;
}

export interface MachineLogging {
  level: "ALL" | "ERROR" | "FATAL";
  includeExecutionData: boolean;
  /** The CloudWatch Logs group's name (in the machine's account). */
  logGroup: string;
  /** The group's ARN as given, `:*` and all. */
  logGroupArn: string;
}

export interface Revision {
  definition: string;
  roleArn: string;
  createdAt: Date;
}

export interface MachineStore {
  /** False when the name is taken in the account. */
  create(m: Omit<StateMachine, "revision" | "createdAt">): Promise<boolean>;
  get(accountId: string, arn: string): Promise<StateMachine | undefined>;
  list(accountId: string, limit: number, after?: string): Promise<StateMachine[]>;
  /** A new revision with the fields given; undefined when the machine is gone. */
  update(
    accountId: string,
    arn: string,
    change: { definition?: string; roleArn?: string; logging?: MachineLogging | null },
  ): Promise<Date | undefined>;
  delete(accountId: string, arn: string): Promise<boolean>;
  revision(machineArn: string, revision: number): Promise<Revision | undefined>;
  setTags(accountId: string, arn: string, tags: Record<string, string>): Promise<boolean>;
}

interface Row {
  arn: string;
  account_id: string;
  name: string;
  type: "STANDARD" | "EXPRESS";
  revision: number;
  definition: string;
  role_arn: string;
  created_at: Date;
  tags: Record<string, string>;
  logging: MachineLogging | null;
}

const SELECT = `SELECT m.arn, m.account_id, m.name, m.type, m.revision, r.definition, r.role_arn, m.created_at, m.tags,
  m.logging
  FROM sfn_state_machines m JOIN sfn_revisions r ON r.machine_arn = m.arn AND r.revision = m.revision`;

const fromRow = (r: Row): StateMachine => ({
  arn: r.arn,
  accountId: r.account_id,
  name: r.name,
  type: r.type,
  revision: r.revision,
  definition: r.definition,
  roleArn: r.role_arn,
  createdAt: r.created_at,
  tags: r.tags,
  ...(r.logging ? { logging: r.logging } : {}),
});

export function createPgMachineStore(pool: Pool, statementTimeoutMs = STATEMENT_TIMEOUT_MS): MachineStore {
  const db = boundedDb(pool, statementTimeoutMs);
  return {
    create: (m) =>
      db.transaction(async (c) => {
        // A machine deleted and created again under its name goes on from its last revision:
        // executions of the old one still run theirs.
        const next = await c.query<{ n: number }>(
          "SELECT coalesce(max(revision), 0) + 1 AS n FROM sfn_revisions WHERE machine_arn = $1",
          [m.arn],
        );
        const revision = next.rows[0]?.n ?? 1;
        const res = await c.query(
          `INSERT INTO sfn_state_machines (account_id, name, arn, type, revision, tags, logging)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
          [
            m.accountId,
            m.name,
            m.arn,
            m.type,
            revision,
            JSON.stringify(m.tags),
            m.logging ? JSON.stringify(m.logging) : null,
          ],
        );
        if (res.rowCount !== 1) return false;
        await c.query(
          "INSERT INTO sfn_revisions (machine_arn, revision, definition, role_arn) VALUES ($1, $2, $3, $4)",
          [m.arn, revision, m.definition, m.roleArn],
        );
        return true;
      }),
    async get(accountId, arn) {
      const res = await db.query<Row>(`${SELECT} WHERE m.account_id = $1 AND m.arn = $2`, [accountId, arn]);
      return res.rows[0] ? fromRow(res.rows[0]) : undefined;
    },
    async list(accountId, limit, after) {
      const res = await db.query<Row>(
        `${SELECT} WHERE m.account_id = $1 AND ($2::text IS NULL OR m.name > $2) ORDER BY m.name LIMIT $3`,
        [accountId, after ?? null, limit],
      );
      return res.rows.map(fromRow);
    },
    update: (accountId, arn, change) =>
      db.transaction(async (c) => {
        const res = await c.query<{ revision: number }>(
          `UPDATE sfn_state_machines SET revision = revision + 1,
             logging = CASE WHEN $3 THEN $4::jsonb ELSE logging END
           WHERE account_id = $1 AND arn = $2 RETURNING revision`,
          [accountId, arn, change.logging !== undefined, change.logging ? JSON.stringify(change.logging) : null],
        );
        const revision = res.rows[0]?.revision;
        if (revision === undefined) return undefined;
        const added = await c.query<{ created_at: Date }>(
          `INSERT INTO sfn_revisions (machine_arn, revision, definition, role_arn)
           SELECT machine_arn, $2, coalesce($3, definition), coalesce($4, role_arn) FROM sfn_revisions
           WHERE machine_arn = $1 AND revision = $2 - 1 RETURNING created_at`,
          [arn, revision, change.definition ?? null, change.roleArn ?? null],
        );
        return added.rows[0]?.created_at;
      }),
    async delete(accountId, arn) {
      // Revisions stay: executions already started run theirs to the end.
      const res = await db.query("DELETE FROM sfn_state_machines WHERE account_id = $1 AND arn = $2", [accountId, arn]);
      return res.rowCount === 1;
    },
    async revision(machineArn, revision) {
      const res = await db.query<{ definition: string; role_arn: string; created_at: Date }>(
        "SELECT definition, role_arn, created_at FROM sfn_revisions WHERE machine_arn = $1 AND revision = $2",
        [machineArn, revision],
      );
      const r = res.rows[0];
      return r ? { definition: r.definition, roleArn: r.role_arn, createdAt: r.created_at } : undefined;
    },
    async setTags(accountId, arn, tags) {
      const res = await db.query("UPDATE sfn_state_machines SET tags = $3 WHERE account_id = $1 AND arn = $2", [
        accountId,
        arn,
        JSON.stringify(tags),
      ]);
      return res.rowCount === 1;
    },
  };
}
