// Brokers an operator registered for event source mappings (admin API): each account's
// brokers by name, with the AMQP URL their ARN resolves to.
import type { Pool } from "pg";
import { boundedDb } from "./pg-helpers.js";

export interface Broker {
  accountId: string;
  name: string;
  brokerId: string;
  url: string;
  createdAt: Date;
}

interface Row {
  account_id: string;
  name: string;
  broker_id: string;
  url: string;
  created_at: Date;
}

const toBroker = (r: Row): Broker => ({
  accountId: r.account_id,
  name: r.name,
  brokerId: r.broker_id,
  url: r.url,
  createdAt: r.created_at,
});

export function createPgBrokerStore(pool: Pool, timeoutMs: number) {
  const db = boundedDb(pool, timeoutMs);
  return {
    /** Registers the broker; false if the account has one of that name. */
    async create(b: Omit<Broker, "createdAt">): Promise<boolean> {
      const res = await db.query(
        "INSERT INTO mq_brokers (account_id, name, broker_id, url) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        [b.accountId, b.name, b.brokerId, b.url],
      );
      return res.rowCount === 1;
    },
    async find(accountId: string, name: string): Promise<Broker | undefined> {
      const res = await db.query<Row>("SELECT * FROM mq_brokers WHERE account_id = $1 AND name = $2", [
        accountId,
        name,
      ]);
      return res.rows[0] && toBroker(res.rows[0]);
    },
    async list(accountId: string): Promise<Broker[]> {
      const res = await db.query<Row>("SELECT * FROM mq_brokers WHERE account_id = $1 ORDER BY name", [accountId]);
      return res.rows.map(toBroker);
    },
    async delete(accountId: string, name: string): Promise<boolean> {
      const res = await db.query("DELETE FROM mq_brokers WHERE account_id = $1 AND name = $2", [accountId, name]);
      return res.rowCount === 1;
    },
  };
}

export type BrokerStore = ReturnType<typeof createPgBrokerStore>;
