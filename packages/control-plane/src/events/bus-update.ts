// EventBridge's UpdateEventBus: a bus's description. Terraform's aws_cloudwatch_event_bus
// calls it for any change but its tags, with Description "" when the configuration has
// none. Dead-letter, KMS and log settings are refused by name when they ask for
// something, as at CreateEventBus.
import { StratusError } from "@stratus/shared";
import type { EventStore } from "../store/event-store.js";
import { busArn } from "./arns.js";
import { type Body, busName, isObject, onlyKnown, str, validation } from "./events-input.js";

const notFound = (message: string) => new StratusError("ResourceNotFoundException", 400, "client", message);

/** Whether `v` asks for nothing: absent, empty text or an empty block. */
const unset = (v: unknown) => v === undefined || v === null || v === "" || (isObject(v) && Object.keys(v).length === 0);

export function createBusUpdate(store: Pick<EventStore, "describeBus" | "getBus">, region: string) {
  return {
    async updateEventBus(accountId: string, body: Body) {
      onlyKnown(body, ["Name", "Description", "KmsKeyIdentifier", "DeadLetterConfig", "LogConfig"]);
      for (const field of ["KmsKeyIdentifier", "DeadLetterConfig", "LogConfig"]) {
        if (!unset(body[field])) throw validation(`${field} is not supported by Stratus yet`);
      }
      const name = busName(str(body, "Name", 1600), accountId);
      const description = str(body, "Description", 512) ?? "";
      if (!(await store.describeBus(accountId, name, description))) throw notFound(`Event bus ${name} does not exist.`);
      return {
        Arn: busArn(region, accountId, name),
        Name: name,
        ...(description !== "" ? { Description: description } : {}),
      };
    },
  };
}

export type BusUpdate = ReturnType<typeof createBusUpdate>;
