// What Invoke and InvokeWithResponseStream read alike from a call: its signed body
// (within the invocation type's cap), the function it names and its qualifier (and
// whose it is: the caller's, or another account's that grants the caller
// lambda:InvokeFunction), the event, the client context and the log type.

import type { IncomingMessage } from "node:http";
import type { ByteBudget, IncomingTrace } from "@stratus/shared";
import { errors, headers, incomingTrace } from "@stratus/shared";
import { type Access, principalOf } from "../iam/access.js";
import { functionArnOf } from "../iam/request-resources.js";
import { type FunctionRef, parseFunctionName } from "../services/function-ref.js";
import type { PolicyService } from "../services/policy-service.js";
import { type Authenticator, readSigned } from "./auth.js";
import { checkJson } from "./body.js";
import { invokeCap } from "./body-caps.js";
import { grantedOwner } from "./invoke-owner.js";
import { requestFacts } from "./session-access.js";

const MAX_CLIENT_CONTEXT = 3583;
/** What a function receives when invoked without a payload, as in Lambda (runtime clients parse the event as JSON). */
const EMPTY_EVENT = Buffer.from("{}");

export interface InvokeCallInput {
  /** The function's account, whose concurrency and async invocations the call counts in. */
  accountId: string;
  ref: FunctionRef;
  payload: Buffer;
  clientContext: string | undefined;
  /** X-Amz-Log-Type: Tail */
  tail: boolean;
}

/** Reads and checks the call; `rawName` and `query` as the path gives them. */
export async function readInvokeCall(
  req: IncomingMessage,
  auth: {
    authenticate: Authenticator;
    budget: ByteBudget;
    /** Asked only when a caller names another account's function. */
    policies: Pick<PolicyService, "allows">;
    /** Judges calls signed as IAM principals (roles' temporary credentials, users' keys). */
    sessions: { access: Access; region: string };
  },
  type: string,
  rawName: string,
  query: string,
): Promise<InvokeCallInput> {
  // Nothing is read until the headers pass SigV4's checks, then no more than the call may send.
  const { key, body, service, region } = await readSigned(req, auth.authenticate, invokeCap(type), auth.budget);
  if (service !== "lambda") throw errors.invalidSignature("Credential should be scoped to service 'lambda'");
  const qualifier = query ? (new URLSearchParams(query).get("Qualifier") ?? undefined) : undefined;
  let name: string;
  try {
    name = decodeURIComponent(rawName);
  } catch {
    throw errors.invalidParameter("Invalid value for FunctionName");
  }
  const ref = parseFunctionName(name, qualifier);
  const principal = principalOf(key);
  if (principal) {
    const arn = functionArnOf(name, { accountId: key.accountId, region: auth.sessions.region }, qualifier);
    await auth.sessions.access.check(principal, "lambda:InvokeFunction", [arn], requestFacts(req, region));
  }
  const accountId =
    ref.account === undefined || ref.account === key.accountId
      ? key.accountId
      : await grantedOwner(auth.policies, key.accountId, { ...ref, account: ref.account }, name);
  checkJson(body);
  const clientContext = req.headers[headers.clientContext] as string | undefined;
  if (clientContext && clientContext.length > MAX_CLIENT_CONTEXT) {
    throw errors.invalidParameter(`Client context must be at most ${MAX_CLIENT_CONTEXT} bytes`);
  }
  return {
    accountId,
    ref,
    payload: body.length === 0 ? EMPTY_EVENT : body,
    clientContext,
    tail: req.headers[headers.logType] === "Tail",
  };
}

/** The trace a request arrived in: its X-Amzn-Trace-Id, or its W3C traceparent. */
export function requestTrace(req: IncomingMessage): IncomingTrace | undefined {
  return incomingTrace((name) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  });
}
