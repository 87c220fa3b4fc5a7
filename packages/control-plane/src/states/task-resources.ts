// The Task resources the engine runs, told apart by ARN: a Lambda function ARN
// (LambdaFunction* events), the optimized `arn:aws:states:::lambda:invoke` integration
// (Task* events, output {Payload, StatusCode, ...}), either with `.waitForTaskToken`,
// `arn:aws:states:::states:startExecution` (`.sync`, `.sync:2`), and
// `arn:aws:states:::sqs:sendMessage`, `arn:aws:states:::events:putEvents` and
// `arn:aws:states:::sns:publish` (with `.waitForTaskToken` or not). Anything else is
// refused when the definition is validated.
export type TaskResource =
  | { kind: "function"; functionArn: string }
  | { kind: "lambdaInvoke"; callback: boolean }
  | { kind: "startExecution"; mode: "start" | "sync" | "sync2" | "callback" }
  | { kind: "service"; service: ServiceName; callback: boolean };

/** The service integrations Stratus runs (besides Lambda's and Step Functions'), each by its one action. */
export const SERVICE_ACTIONS = { sqs: "sendMessage", events: "putEvents", sns: "publish" } as const;
export type ServiceName = keyof typeof SERVICE_ACTIONS;

const isService = (service: string | undefined, action: string | undefined): service is ServiceName =>
  service !== undefined &&
  Object.hasOwn(SERVICE_ACTIONS, service) &&
  SERVICE_ACTIONS[service as ServiceName] === action;

const functionArn = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/;

/** The resource an ARN names, or why the engine does not run it. */
export function parseTaskResource(arn: string): TaskResource | { unsupported: string } {
  if (functionArn.test(arn)) return { kind: "function", functionArn: arn };
  const m = /^arn:aws[a-zA-Z-]*:states:[a-z0-9-]*:\d*:([a-z0-9-]+):([A-Za-z0-9]+)(\.[A-Za-z0-9:]+)?$/.exec(arn);
  if (!m) return { unsupported: `Resource '${arn}' is neither a Lambda function ARN nor a Step Functions integration` };
  const [, service, action, suffix = ""] = m;
  if (service === "lambda" && action === "invoke" && (suffix === "" || suffix === ".waitForTaskToken")) {
    return { kind: "lambdaInvoke", callback: suffix === ".waitForTaskToken" };
  }
  if (service === "states" && action === "startExecution") {
    const modes: Record<string, "start" | "sync" | "sync2" | "callback"> = {
      "": "start",
      ".sync": "sync",
      ".sync:2": "sync2",
      ".waitForTaskToken": "callback",
    };
    const mode = modes[suffix];
    if (mode) return { kind: "startExecution", mode };
  }
  if (isService(service, action) && (suffix === "" || suffix === ".waitForTaskToken")) {
    return { kind: "service", service, callback: suffix === ".waitForTaskToken" };
  }
  return {
    unsupported: `Resource '${arn}' is not supported: Stratus runs Lambda functions, lambda:invoke, states:startExecution, sqs:sendMessage, events:putEvents and sns:publish`,
  };
}
