// What the dead-letter test files share: an SQS client of the stack's account, a new
// queue for each test, and the first message that arrives in one (with its attributes).
import { CreateQueueCommand, type Message, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll } from "vitest";
import { uniqueName } from "./functions.js";
import { waitFor } from "./poll.js";
import type { Stack } from "./stack.js";

export interface TestQueues {
  /** Set before the file's tests run. */
  readonly sqs: SQSClient;
  /** A new queue of the account, its name unique from `prefix`: its URL and ARN. */
  create(prefix: string): Promise<{ url: string; arn: string }>;
  /** The first message to arrive in `url` (up to a minute), with all its message attributes. */
  firstMessage(url: string): Promise<Message>;
}

/** Hooks for a test file: call it at the top level after useStack. */
export function useTestQueues(stack: Stack): TestQueues {
  let sqs: SQSClient | undefined;
  beforeAll(() => {
    sqs = new SQSClient({
      endpoint: stack.endpoint,
      region: stack.region,
      credentials: { accessKeyId: stack.credentials.accessKeyId, secretAccessKey: stack.credentials.secretAccessKey },
      maxAttempts: 1,
    });
  });
  afterAll(() => sqs?.destroy());
  const client = () => {
    if (!sqs) throw new Error("useTestQueues: the client is made before the file's tests");
    return sqs;
  };
  return {
    get sqs() {
      return client();
    },
    async create(prefix) {
      const name = uniqueName(prefix);
      const url = (await client().send(new CreateQueueCommand({ QueueName: name }))).QueueUrl as string;
      return { url, arn: `arn:aws:sqs:${stack.region}:${stack.credentials.accountId}:${name}` };
    },
    firstMessage: (url) =>
      waitFor(
        async () => {
          const got = await client().send(
            new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, MessageAttributeNames: ["All"] }),
          );
          return got.Messages?.[0];
        },
        60_000,
        { what: `a message in ${url}` },
      ),
  };
}
