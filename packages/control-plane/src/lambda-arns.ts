// The parts of the ARNs Stratus takes where another service names a function or a
// state machine (targets, destinations, actions, subscriptions). Pure.

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
