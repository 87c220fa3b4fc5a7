// Amazon MQ broker ARNs, which registered RabbitMQ brokers are named by:
// arn:aws:mq:<region>:<account>:broker:<name>:<id> (id b-<uuid>, as Amazon MQ's).
import { randomUUID } from "node:crypto";

const BROKER_ARN = /^arn:aws[a-zA-Z-]*:mq:([a-z0-9-]+):(\d{12}):broker:([a-zA-Z0-9_-]{1,50}):(b-[0-9a-f-]{36})$/;

export interface BrokerArn {
  region: string;
  accountId: string;
  name: string;
  brokerId: string;
}

export const newBrokerId = () => `b-${randomUUID()}`;

export const brokerArn = (region: string, accountId: string, name: string, brokerId: string) =>
  `arn:aws:mq:${region}:${accountId}:broker:${name}:${brokerId}`;

export function parseBrokerArn(arn: string): BrokerArn | undefined {
  const m = BROKER_ARN.exec(arn);
  if (!m) return undefined;
  const [, region = "", accountId = "", name = "", brokerId = ""] = m;
  return { region, accountId, name, brokerId };
}
