// Step Functions' sqs:sendMessage integration, checked as SendMessage checks it: the
// task's parameters name the queue by QueueUrl and carry MessageBody (JSON other than a
// string is sent as its text, as Step Functions does), DelaySeconds and
// MessageAttributes. The message id is the task's own, so performing it again sends
// nothing new and answers alike; the caller writes it (insertMessages) once. A FIFO
// queue is refused: its answer (a sequence number, or the original of a duplicate)
// would only be known when the call is written.
import { StratusError } from "@stratus/shared";
import type { OutgoingMessage } from "../store/sqs-messages.js";
import { newMessage } from "./message-input.js";
import { queueFromUrl } from "./queue-names.js";
import type { QueueStore } from "./queue-store.js";

const KNOWN = ["QueueUrl", "MessageBody", "DelaySeconds", "MessageAttributes"];
const FIFO_ONLY = ["MessageGroupId", "MessageDeduplicationId"];

const fifoRefused = (what: string) =>
  new StratusError(
    "InvalidParameterValue",
    400,
    "client",
    `${what}: Stratus' sqs:sendMessage integration sends to standard queues only, not to FIFO queues`,
  );

export type TaskMessage =
  | {
      queueId: string;
      message: OutgoingMessage;
      output: { MessageId: string; MD5OfMessageBody: string; MD5OfMessageAttributes?: string };
    }
  | { error: string; cause: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export function createTaskMessages(store: Pick<QueueStore, "get">) {
  return {
    /** The message `params` asks `accountId`'s queue to take, with id `messageId`; or the task's error. */
    async prepare(accountId: string, params: unknown, messageId: string): Promise<TaskMessage> {
      try {
        if (!isObject(params))
          throw new StratusError("InvalidParameterValue", 400, "client", "Parameters must be an object");
        const unknown = Object.keys(params).find((k) => !KNOWN.includes(k));
        if (unknown && FIFO_ONLY.includes(unknown)) throw fifoRefused(`${unknown} is a FIFO queue's parameter`);
        if (unknown) {
          throw new StratusError(
            "InvalidParameterValue",
            400,
            "client",
            `${unknown.slice(0, 64)} is not supported by Stratus`,
          );
        }
        const name = queueFromUrl(params.QueueUrl, accountId);
        const q = await store.get(accountId, name);
        if (!q)
          throw new StratusError(
            "QueueDoesNotExist",
            400,
            "client",
            `The queue ${String(params.QueueUrl)} does not exist`,
          );
        if (q.settings.fifo) throw fifoRefused(`The queue ${name} is a FIFO queue`);
        const body = typeof params.MessageBody === "string" ? params.MessageBody : JSON.stringify(params.MessageBody);
        const m = newMessage({ ...params, MessageBody: body }, q.settings.maxMessageSize);
        return {
          queueId: q.id,
          message: {
            id: messageId,
            body: m.body,
            attributes: m.attributes,
            md5Body: m.md5Body,
            ...(m.md5Attributes ? { md5Attributes: m.md5Attributes } : {}),
            senderId: accountId,
            delaySeconds: m.delaySeconds ?? q.settings.delaySeconds,
          },
          output: {
            MessageId: messageId,
            MD5OfMessageBody: m.md5Body,
            ...(m.md5Attributes ? { MD5OfMessageAttributes: m.md5Attributes } : {}),
          },
        };
      } catch (err) {
        if (!(err instanceof StratusError) || err.kind !== "client") throw err;
        return { error: `SQS.${err.code}`, cause: err.message };
      }
    },
  };
}

export type TaskMessages = ReturnType<typeof createTaskMessages>;
