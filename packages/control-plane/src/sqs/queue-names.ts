// Queue names, URLs and ARNs. A queue URL is `<endpoint>/<account>/<name>`, its ARN
// `arn:aws:sqs:<region>:<account>:<name>`; requests name a queue by URL, and the
// account in it must be the caller's (another account's queue does not exist). A
// FIFO queue's name, and only a FIFO queue's, ends in `.fifo`: the name tells the type.
import { sqsErrors } from "./sqs-errors.js";

const NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;
const URL_PATH = /^\/(\d{12})\/([A-Za-z0-9_-]{1,80}|[A-Za-z0-9_-]{1,75}\.fifo)\/?$/;
const ARN = /^arn:aws[a-zA-Z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}|[A-Za-z0-9_-]{1,75}\.fifo)$/;

/** Whether `name` is a FIFO queue's (it ends in .fifo). */
export const isFifoName = (name: string) => name.endsWith(".fifo");

/** Whether `name` is a queue name of either kind (ListQueues' NextToken holds one). */
export const isQueueName = (name: string) => NAME.test(name) || FIFO_NAME.test(name);

/** A CreateQueue name, checked for the type asked (`fifo`: the attribute FifoQueue=true). */
export function queueName(v: unknown, fifo = false): string {
  if (v === undefined || v === null || v === "") throw sqsErrors.missingParameter("QueueName");
  if (typeof v !== "string") throw sqsErrors.invalidParameter("QueueName must be a string");
  if (fifo) {
    if (!FIFO_NAME.test(v)) {
      throw sqsErrors.invalidParameter(
        "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.",
      );
    }
    return v;
  }
  if (isFifoName(v)) {
    throw sqsErrors.invalidParameter(
      "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length. A name ending in .fifo is a FIFO queue's: create it with the attribute FifoQueue=true.",
    );
  }
  if (!NAME.test(v)) {
    throw sqsErrors.invalidParameter(
      "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
    );
  }
  return v;
}

/** The queue a QueueUrl names, if it is one of `account`'s; otherwise QueueDoesNotExist. */
export function queueFromUrl(v: unknown, account: string): string {
  if (v === undefined || v === null || v === "") throw sqsErrors.missingParameter("QueueUrl");
  if (typeof v !== "string" || v.length > 2048) throw sqsErrors.noQueue();
  let path = v;
  if (/^https?:\/\//i.test(v)) {
    try {
      path = new URL(v).pathname;
    } catch {
      throw sqsErrors.noQueue();
    }
  }
  const m = URL_PATH.exec(path);
  if (!m || m[1] !== account) throw sqsErrors.noQueue();
  return m[2] as string;
}

export const queueUrl = (endpoint: string, account: string, name: string) => `${endpoint}/${account}/${name}`;

export const queueArn = (region: string, account: string, name: string) => `arn:aws:sqs:${region}:${account}:${name}`;

/** The account and queue an SQS ARN names, or undefined when it is not one. */
export function parseQueueArn(arn: string): { region: string; account: string; name: string } | undefined {
  const m = ARN.exec(arn);
  return m ? { region: m[1] as string, account: m[2] as string, name: m[3] as string } : undefined;
}
