// Step Functions' sns:publish integration, checked as Publish checks it (readMessage):
// the task's parameters name the topic by TopicArn or TargetArn and carry Message (JSON
// other than a string is sent as its text, as Step Functions does), Subject,
// MessageAttributes ({Name: {DataType, StringValue}}) and MessageStructure. The
// MessageId is the task's own, so performing it again publishes nothing new and answers
// alike; the caller writes the request (insertPublishRequests) once and SNS's relay
// fans it out. PhoneNumber (SMS) and FIFO topics' parameters are refused by name.
import { StratusError } from "@stratus/shared";
import type { PublishRequest } from "../store/sns-publish-requests.js";
import { readMessage } from "./publish.js";
import { snsErrors } from "./sns-errors.js";
import { type Body, onlyKnown, optional } from "./sns-input.js";
import { parseTopicArn } from "./sns-names.js";
import type { TopicRefs } from "./topic-refs.js";

const KNOWN = ["TopicArn", "TargetArn", "Message", "Subject", "MessageAttributes", "MessageStructure"];
const REFUSED: Record<string, string> = {
  PhoneNumber: "PhoneNumber (SMS)",
  MessageGroupId: "MessageGroupId (FIFO topics)",
  MessageDeduplicationId: "MessageDeduplicationId (FIFO topics)",
};

export type TaskPublish = { request: PublishRequest; output: { MessageId: string } } | { error: string; cause: string };

const isObject = (v: unknown): v is Body => typeof v === "object" && v !== null && !Array.isArray(v);

/** Step Functions' MessageAttributes ({Name: {DataType, StringValue}}) as the query map sns-input reads. */
function queryMap(v: unknown): unknown {
  if (v === undefined) return undefined;
  if (!isObject(v)) throw snsErrors.invalidParameter("MessageAttributes: must be a map of names to attributes");
  return { entry: Object.fromEntries(Object.entries(v).map(([Name, Value], i) => [String(i + 1), { Name, Value }])) };
}

/** A task's failure as Step Functions names SNS's: `SNS.` and the SDK's exception (NotFound → NotFoundException). */
export const taskError = (code: string) => `SNS.${code.endsWith("Exception") ? code : `${code}Exception`}`;

export function createTaskPublishes(topics: TopicRefs) {
  return {
    /** The message `params` asks to publish to one of `accountId`'s topics, with id `messageId`; or the task's error. */
    async prepare(accountId: string, params: unknown, messageId: string): Promise<TaskPublish> {
      try {
        if (!isObject(params)) throw snsErrors.invalidParameter("Parameters must be an object");
        const refused = Object.keys(params).find((k) => REFUSED[k] !== undefined);
        if (refused) throw snsErrors.unsupported(REFUSED[refused] as string);
        onlyKnown(params, KNOWN);
        if (params.TopicArn !== undefined && params.TargetArn !== undefined)
          throw snsErrors.invalidParameter("TopicArn and TargetArn: only one may be given");
        const arn = optional(params, "TopicArn") ?? optional(params, "TargetArn");
        if (!arn) throw snsErrors.invalidParameter("TopicArn or TargetArn Reason: no value for required parameter");
        const text =
          params.Message === undefined || typeof params.Message === "string"
            ? params.Message
            : JSON.stringify(params.Message);
        const m = readMessage({ ...params, Message: text, MessageAttributes: queryMap(params.MessageAttributes) });
        if (!parseTopicArn(arn)) throw snsErrors.invalidParameter(`TopicArn: ${arn.slice(0, 300)} is not a topic ARN`);
        const fault = await topics.fault(accountId, arn);
        if (fault) throw snsErrors.notFound(fault);
        const hasAttributes = Object.keys(m.attributes).length > 0;
        return {
          request: {
            id: messageId,
            accountId,
            topicArn: arn,
            message: text as string,
            ...(m.subject !== undefined ? { subject: m.subject } : {}),
            ...(hasAttributes ? { attributes: m.attributes } : {}),
            ...(params.MessageStructure === "json" ? { structure: "json" as const } : {}),
          },
          output: { MessageId: messageId },
        };
      } catch (err) {
        if (!(err instanceof StratusError) || err.kind !== "client") throw err;
        return { error: taskError(err.code), cause: err.message };
      }
    },
  };
}

export type TaskPublishes = ReturnType<typeof createTaskPublishes>;
