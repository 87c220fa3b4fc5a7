// Event source mappings and their leases in Postgres. The API's writes are
// conditional on the state the service read (so a racing change is refused, not
// lost); a poller's writes are conditional on the lease it holds (owner and epoch),
// so a control plane that lost its lease can no longer touch the mapping.
import type { Pool } from "pg";
import type { KafkaConfig, MappingConfig, MappingState } from "./mapping-types.js";
import { boundedDb } from "./pg-helpers.js";
import { changeTags, type TagsChange } from "./tags-column.js";

/** A source's kind and its settings as the API took them; a self-managed Kafka one has no EventSourceArn (""). */
export type MappingSource =
  | { sourceKind: "rabbitmq"; config: MappingConfig }
  | { sourceKind: "sqs"; config: MappingConfig }
  | { sourceKind: "kafka"; config: KafkaConfig };

export type Mapping = MappingSource & MappingCommon;

interface MappingCommon {
  uuid: string;
  accountId: string;
  functionName: string;
  qualifier?: string;
  eventSourceArn: string;
  enabled: boolean;
  state: MappingState;
  stateTransitionReason: string;
  lastProcessingResult: string;
  revision: number;
  lastModified: Date;
}

/** A lease a control plane holds: guards its writes. */
export interface HeldLease {
  uuid: string;
  shard: string;
  epoch: number;
}

interface Row {
  uuid: string;
  account_id: string;
  function_name: string;
  qualifier: string | null;
  event_source_arn: string;
  source_kind: MappingSource["sourceKind"];
  config: MappingSource["config"];
  enabled: boolean;
  state: MappingState;
  state_transition_reason: string;
  last_processing_result: string;
  revision: number;
  last_modified: Date;
}

const toMapping = (r: Row): Mapping => ({
  ...({ sourceKind: r.source_kind, config: r.config } as MappingSource),
  uuid: r.uuid,
  accountId: r.account_id,
  functionName: r.function_name,
  ...(r.qualifier ? { qualifier: r.qualifier } : {}),
  eventSourceArn: r.event_source_arn,
  enabled: r.enabled,
  state: r.state,
  stateTransitionReason: r.state_transition_reason,
  lastProcessingResult: r.last_processing_result,
  revision: r.revision,
  lastModified: r.last_modified,
});

/** The fields an update may change. */
export type MappingPatch = Pick<Mapping, "functionName" | "qualifier" | "config" | "enabled" | "state">;

const HELD = "EXISTS (SELECT 1 FROM esm_leases l WHERE l.mapping_uuid = m.uuid AND l.owner = $2 AND l.epoch = $3)";

export function createPgMappingStore(pool: Pool, timeoutMs: number) {
  const db = boundedDb(pool, timeoutMs);
  return {
    /** Stores a new mapping with a free lease per shard: '' (the mapping's own), and a Kafka mapping's poller slots. */
    /** Creates the mapping with its `tags`, and its leases (one per shard). */
    async create(m: Mapping, shards: readonly string[] = [""], tags: Record<string, string> = {}): Promise<void> {
      await db.transaction(async (c) => {
        await c.query(
          `INSERT INTO event_source_mappings (uuid, account_id, function_name, qualifier, event_source_arn, source_kind,
             config, enabled, state, state_transition_reason, tags)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [
            m.uuid,
            m.accountId,
            m.functionName,
            m.qualifier ?? null,
            m.eventSourceArn,
            m.sourceKind,
            JSON.stringify(m.config),
            m.enabled,
            m.state,
            m.stateTransitionReason,
            JSON.stringify(tags),
          ],
        );
        await c.query("INSERT INTO esm_leases (mapping_uuid, shard) SELECT $1, unnest($2::text[])", [m.uuid, shards]);
      });
    },
    /** The mapping's tags; undefined when there is no such mapping. */
    async tagsOf(accountId: string, uuid: string): Promise<Record<string, string> | undefined> {
      const res = await db.query<{ tags: Record<string, string> }>(
        "SELECT tags FROM event_source_mappings WHERE account_id = $1 AND uuid = $2",
        [accountId, uuid],
      );
      return res.rows[0]?.tags;
    },
    /** Adds `add` and removes `remove` in one statement (tags-column.ts). */
    async changeTags(
      accountId: string,
      uuid: string,
      add: Record<string, string>,
      remove: string[],
    ): Promise<TagsChange> {
      const exists = async () => (await this.tagsOf(accountId, uuid)) !== undefined;
      const where = "account_id = $1 AND uuid = $2";
      return changeTags(db, { table: "event_source_mappings", where, key: [accountId, uuid], exists }, add, remove);
    },
    async get(accountId: string, uuid: string): Promise<Mapping | undefined> {
      const res = await db.query<Row>("SELECT * FROM event_source_mappings WHERE account_id = $1 AND uuid = $2", [
        accountId,
        uuid,
      ]);
      return res.rows[0] && toMapping(res.rows[0]);
    },
    /** Mappings in UUID order after `after`, optionally of one function and/or one source. */
    async list(
      accountId: string,
      q: { functionName?: string; eventSourceArn?: string; after?: string; limit: number },
    ): Promise<Mapping[]> {
      const res = await db.query<Row>(
        `SELECT * FROM event_source_mappings
         WHERE account_id = $1 AND ($2::text IS NULL OR function_name = $2) AND ($3::text IS NULL OR event_source_arn = $3)
           AND ($4::uuid IS NULL OR uuid > $4) ORDER BY uuid LIMIT $5`,
        [accountId, q.functionName ?? null, q.eventSourceArn ?? null, q.after ?? null, q.limit],
      );
      return res.rows.map(toMapping);
    },
    /** Applies `patch` if the mapping is still in `fromState`; false if it moved meanwhile (or is gone). */
    async update(accountId: string, uuid: string, fromState: MappingState, patch: MappingPatch): Promise<boolean> {
      const res = await db.query(
        `UPDATE event_source_mappings SET function_name = $4, qualifier = $5, config = $6, enabled = $7, state = $8,
           revision = revision + 1, last_modified = now()
         WHERE account_id = $1 AND uuid = $2 AND state = $3`,
        [
          accountId,
          uuid,
          fromState,
          patch.functionName,
          patch.qualifier ?? null,
          JSON.stringify(patch.config),
          patch.enabled,
          patch.state,
        ],
      );
      return res.rowCount === 1;
    },
    /**
     * Claims up to `limit` free or lapsed leases for `owner`, each for `leaseMs`: a mapping's
     * own lease ('') first, and a poller slot (any other shard) only of a mapping of which
     * `owner` holds no lease yet, one a mapping at a time, so that the slots spread over
     * control planes.
     */
    async claim(owner: string, leaseMs: number, limit: number): Promise<HeldLease[]> {
      if (limit <= 0) return [];
      const res = await db.query<{ mapping_uuid: string; shard: string; epoch: string }>(
        `WITH free AS (
           SELECT mapping_uuid, shard FROM esm_leases f
           WHERE (owner IS NULL OR expires_at <= now())
             AND (shard = '' OR NOT EXISTS (
               SELECT 1 FROM esm_leases o WHERE o.mapping_uuid = f.mapping_uuid AND o.owner = $1 AND o.expires_at > now()))
           ORDER BY shard <> '', expires_at LIMIT $3 * 4 FOR UPDATE SKIP LOCKED),
         pick AS (
           SELECT DISTINCT ON (mapping_uuid) mapping_uuid, shard FROM free ORDER BY mapping_uuid, shard <> '', shard),
         chosen AS (SELECT * FROM pick ORDER BY shard <> '' LIMIT $3)
         UPDATE esm_leases l SET owner = $1, epoch = l.epoch + 1, expires_at = now() + $2 * interval '1 millisecond'
         FROM chosen WHERE l.mapping_uuid = chosen.mapping_uuid AND l.shard = chosen.shard
         RETURNING l.mapping_uuid, l.shard, l.epoch`,
        [owner, leaseMs, limit],
      );
      return res.rows.map((r) => ({ uuid: r.mapping_uuid, shard: r.shard, epoch: Number(r.epoch) }));
    },
    /** Renews the leases `owner` still holds at their epochs; returns those (the others were lost). */
    async renew(owner: string, leaseMs: number, leases: readonly HeldLease[]): Promise<HeldLease[]> {
      if (leases.length === 0) return [];
      const res = await db.query<{ mapping_uuid: string; shard: string; epoch: string }>(
        `UPDATE esm_leases l SET expires_at = now() + $2 * interval '1 millisecond'
         FROM unnest($3::uuid[], $4::text[], $5::bigint[]) AS h(uuid, shard, epoch)
         WHERE l.mapping_uuid = h.uuid AND l.shard = h.shard AND l.epoch = h.epoch AND l.owner = $1
         RETURNING l.mapping_uuid, l.shard, l.epoch`,
        [owner, leaseMs, leases.map((l) => l.uuid), leases.map((l) => l.shard), leases.map((l) => l.epoch)],
      );
      return res.rows.map((r) => ({ uuid: r.mapping_uuid, shard: r.shard, epoch: Number(r.epoch) }));
    },
    /** Lets go of leases at once (a control plane shutting down), so another takes them without waiting. */
    async release(owner: string, leases: readonly HeldLease[]): Promise<void> {
      if (leases.length === 0) return;
      await db.query(
        `UPDATE esm_leases l SET owner = NULL, expires_at = now()
         FROM unnest($2::uuid[], $3::text[], $4::bigint[]) AS h(uuid, shard, epoch)
         WHERE l.mapping_uuid = h.uuid AND l.shard = h.shard AND l.epoch = h.epoch AND l.owner = $1`,
        [owner, leases.map((l) => l.uuid), leases.map((l) => l.shard), leases.map((l) => l.epoch)],
      );
    },
    /** The mapping behind a held lease (any account). */
    async held(uuid: string): Promise<Mapping | undefined> {
      const res = await db.query<Row>("SELECT * FROM event_source_mappings WHERE uuid = $1", [uuid]);
      return res.rows[0] && toMapping(res.rows[0]);
    },
    /** Moves a held mapping from `from` to `to` (its revision unchanged); false if the lease or state moved. */
    async settle(lease: HeldLease, owner: string, from: MappingState, to: MappingState, revision: number) {
      const res = await db.query(
        `UPDATE event_source_mappings m SET state = $5, last_modified = now()
         WHERE m.uuid = $1 AND ${HELD} AND m.state = $4 AND m.revision = $6`,
        [lease.uuid, owner, lease.epoch, from, to, revision],
      );
      return res.rowCount === 1;
    },
    /** Records LastProcessingResult of a held mapping, when it changed. */
    async report(lease: HeldLease, owner: string, result: string): Promise<void> {
      await db.query(
        `UPDATE event_source_mappings m SET last_processing_result = $4
         WHERE m.uuid = $1 AND ${HELD} AND m.last_processing_result IS DISTINCT FROM $4`,
        [lease.uuid, owner, lease.epoch, result],
      );
    },
    /** Deletes a held mapping in state Deleting (its leases go with it). */
    async remove(lease: HeldLease, owner: string): Promise<boolean> {
      const res = await db.query(
        `DELETE FROM event_source_mappings m WHERE m.uuid = $1 AND ${HELD} AND m.state = 'Deleting'`,
        [lease.uuid, owner, lease.epoch],
      );
      return res.rowCount === 1;
    },
  };
}

export type MappingStore = ReturnType<typeof createPgMappingStore>;
