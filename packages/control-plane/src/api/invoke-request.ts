// What Invoke and InvokeWithResponseStream read alike from a call: its signed body
// (within the invocation type's cap), the function it names and its qualifier, the
// event, the client context and the log type.
import type { IncomingMessage } from "node:http";
import type { ByteBudget } from "@stratus/shared";
import { errors, headers } from "@stratus/shared";
import { type Authenticator, readSigned } from "./auth.js";
import { checkJson } from "./body.js";
import { invokeCap } from "./body-caps.js";
import { type FunctionRef, parseFunctionRef } from "./function-ref.js";

const MAX_CLIENT_CONTEXT = 3583;
/** What a function receives when invoked without a payload, as in Lambda (runtime clients parse the event as JSON). */
const EMPTY_EVENT = Buffer.from("{}");

export interface InvokeCallInput {
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
  auth: { authenticate: Authenticator; budget: ByteBudget },
  type: string,
  rawName: string,
  query: string,
): Promise<InvokeCallInput> {
  // Nothing is read until the headers pass SigV4's checks, then no more than the call may send.
  const { key, body, service } = await readSigned(req, auth.authenticate, invokeCap(type), auth.budget);
  if (service !== "lambda") throw errors.invalidSignature("Credential should be scoped to service 'lambda'");
  const { accountId } = key;
  const qualifier = query ? (new URLSearchParams(query).get("Qualifier") ?? undefined) : undefined;
  let name: string;
  try {
    name = decodeURIComponent(rawName);
  } catch {
    throw errors.invalidParameter("Invalid value for FunctionName");
  }
  const ref = parseFunctionRef(name, accountId, qualifier);
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
