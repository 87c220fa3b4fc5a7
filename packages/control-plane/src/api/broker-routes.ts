// The admin API's broker registry (a Stratus extension; docs/EVENT-SOURCES.md): an
// operator registers an AMQP broker for an account under a name and gets the Amazon
// MQ-shaped ARN that event source mappings name it by.
//   POST   /stratus/2026-11-01/brokers            {"Account": "team-a", "Name": "main", "Url": "amqp://mq:5672"}
//   GET    /stratus/2026-11-01/brokers?Account=team-a
//   DELETE /stratus/2026-11-01/brokers/{account}/{name}
import { errors } from "@stratus/shared";
import { Router } from "express";
import { z } from "zod";
import { brokerArn, newBrokerId } from "../mappings/broker-arns.js";
import { parseInput } from "../services/function-input.js";
import type { AccountStore } from "../store/account-store.js";
import type { Broker, BrokerStore } from "../store/broker-store.js";
import { adminsOnly } from "./admin-routes.js";
import { jsonBody } from "./body.js";
import { route } from "./route.js";

const PREFIX = "/stratus/2026-11-01/brokers";

/** amqp(s)://host[:port][/], no credentials and no vhost: those come from the mapping. */
const AmqpUrl = z
  .string()
  .max(1024)
  .refine((u) => {
    try {
      const url = new URL(u);
      return (
        (url.protocol === "amqp:" || url.protocol === "amqps:") &&
        url.hostname !== "" &&
        url.username === "" &&
        url.password === "" &&
        (url.pathname === "" || url.pathname === "/") &&
        url.search === ""
      );
    } catch {
      return false;
    }
  }, "Url must be amqp://host[:port] or amqps://host[:port], without credentials, virtual host or query");

const BrokerInput = z
  .object({
    Account: z.string().min(1).max(64),
    Name: z.string().regex(/^[a-zA-Z0-9_-]{1,50}$/, "Name must match [a-zA-Z0-9_-]{1,50}"),
    Url: AmqpUrl,
  })
  .strict();

export function brokerRoutes(accounts: AccountStore, brokers: BrokerStore, region: string): Router {
  const r = Router();
  const shape = (b: Broker, account: string) => ({
    BrokerArn: brokerArn(region, b.accountId, b.name, b.brokerId),
    BrokerId: b.brokerId,
    Name: b.name,
    Account: account,
    AccountId: b.accountId,
    Url: b.url,
  });
  async function accountOf(name: string) {
    const account = await accounts.findAccountByName(name);
    if (!account) throw errors.notFound(`Account not found: ${name.slice(0, 64)}`);
    return account;
  }
  r.use(PREFIX, adminsOnly(accounts));
  r.post(
    PREFIX,
    route("RegisterBroker", async (req, res) => {
      const input = parseInput(BrokerInput, jsonBody(req));
      const account = await accountOf(input.Account);
      const url = new URL(input.Url);
      const broker = {
        accountId: account.id,
        name: input.Name,
        brokerId: newBrokerId(),
        url: `${url.protocol}//${url.host}`,
      };
      if (!(await brokers.create(broker))) throw errors.conflict(`Broker already exists: ${input.Name}`);
      res.status(201).json(shape({ ...broker, createdAt: new Date() }, input.Account));
    }),
  );
  r.get(
    PREFIX,
    route("ListBrokers", async (req, res) => {
      const name = typeof req.query.Account === "string" ? req.query.Account : "";
      const account = await accountOf(name);
      res.json({ Brokers: (await brokers.list(account.id)).map((b) => shape(b, name)) });
    }),
  );
  r.delete(
    `${PREFIX}/:account/:name`,
    route("DeregisterBroker", async (req, res) => {
      const account = await accountOf(String(req.params.account));
      if (!(await brokers.delete(account.id, String(req.params.name)))) {
        throw errors.notFound(`Broker not found: ${String(req.params.name).slice(0, 50)}`);
      }
      res.status(204).end();
    }),
  );
  return r;
}
