// The parts of the ARNs Stratus takes where one service names another's resource (a
// function, a state machine, an SNS topic: targets, destinations, actions,
// subscriptions), and what a service answers when asked whether such an ARN may be
// used. Kept apart from the services themselves, so that naming one imports none. Pure.

/** The function name and qualifier of a Lambda function ARN (or name), if it is one. */
export function functionOfArn(
  arn: string,
): { functionName: string; qualifier?: string; accountId?: string } | undefined {
  const m = /^arn:aws:lambda:[a-z0-9-]+:(\d{12}):function:([a-zA-Z0-9-_]{1,64})(?::([a-zA-Z0-9-_$]{1,128}))?$/.exec(
    arn,
  );
  if (!m) return undefined;
  return { accountId: m[1] as string, functionName: m[2] as string, ...(m[3] ? { qualifier: m[3] } : {}) };
}

/** The account of a state machine ARN, if `arn` is one. */
export function machineAccount(arn: string): string | undefined {
  return /^arn:aws:states:[a-z0-9-]+:(\d{12}):stateMachine:[A-Za-z0-9_-]{1,80}$/.exec(arn)?.[1];
}

export interface TopicRef {
  region: string;
  accountId: string;
  name: string;
}

const TOPIC_ARN = /^arn:aws:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,256})$/;

export const topicArn = (region: string, accountId: string, name: string) =>
  `arn:aws:sns:${region}:${accountId}:${name}`;

/** The topic `arn` names, if it is a topic ARN. */
export function parseTopicArn(arn: string): TopicRef | undefined {
  const m = TOPIC_ARN.exec(arn);
  return m ? { region: m[1] as string, accountId: m[2] as string, name: m[3] as string } : undefined;
}

/** Whether `arn` is an SNS ARN at all (a topic's, or a malformed one the checks refuse). */
export const isSnsArn = (arn: string) => arn.startsWith("arn:aws:sns:");

/** What a service answers of an ARN another names (SQS of a queue, SNS of a topic). */
export interface ArnRefs {
  /** Why `arn` cannot be used by `accountId`, or undefined when it names one of its resources in this region. */
  fault(accountId: string, arn: string): Promise<string | undefined>;
}
