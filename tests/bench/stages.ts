// Where a warm platform invoke's time goes, in a pass of its own after the timed
// rows: each call is cut into stages at marks taken from Node's and undici's
// diagnostics channels (a request received by a server, a response finished, an
// undici request created or its answer's headers in) and around the invoker pool's
// invoke (the direct row's round trip). Subscribing to the channels costs a little
// on every request, which is why the timed rows run without them.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import type { Stack } from "../helpers/stack.js";
import { type Summary, summarize } from "./stats.js";

export const POOL_STAGE = "pool: the direct round trip to the runtime";
export const STAGES = [
  "client → control plane: request sent, received and parsed",
  "control plane before its call: body, SigV4, lookups, slot, placement",
  "control plane → invoker: request sent, received and parsed",
  "invoker before its pool: token, spec, body",
  POOL_STAGE,
  "invoker: its answer written",
  "invoker → control plane: answer sent, received and parsed",
  "control plane: its answer written",
  "control plane → client: answer sent, received and parsed",
] as const;

/** The marks a call is cut at, in the order they come; stage k runs from mark k to mark k + 1. */
const ORDER = [
  "sent",
  "cpIn",
  "cpCall",
  "invIn",
  "poolIn",
  "poolOut",
  "invOut",
  "cpGotAnswer",
  "cpOut",
  "answered",
] as const;
type Mark = (typeof ORDER)[number];

export interface StageResult {
  stages: { name: (typeof STAGES)[number]; summary: Summary }[];
  /** Calls whose marks came in the expected order (the others are left out). */
  n: number;
}

export async function measureStages(
  stack: Stack,
  /** Prepares one call, returning once the function's runtime is parked on /next (run.ts's platform row). */
  send: () => Promise<() => Promise<unknown>>,
  calls: number,
): Promise<StageResult> {
  const cpPort = Number(new URL(stack.endpoint).port);
  const invokerOrigin = new URL(stack.invoker.url).origin;
  const invokerPort = Number(new URL(stack.invoker.url).port);
  let marks: Partial<Record<Mark, number>> = {};
  const mark = (m: Mark) => {
    marks[m] ??= performance.now();
  };
  const portOf = (req: IncomingMessage) => req.socket.localPort;
  const onServerStart = (msg: unknown) => {
    const port = portOf((msg as { request: IncomingMessage }).request);
    if (port === cpPort) mark("cpIn");
    else if (port === invokerPort) mark("invIn");
  };
  const onServerFinish = (msg: unknown) => {
    const port = portOf((msg as { request: IncomingMessage }).request);
    if (port === cpPort) mark("cpOut");
    else if (port === invokerPort) mark("invOut");
  };
  const toInvoker = (msg: unknown) => (msg as { request: { origin: string } }).request.origin === invokerOrigin;
  const onCreate = (msg: unknown) => toInvoker(msg) && mark("cpCall");
  const onHeaders = (msg: unknown) => toInvoker(msg) && mark("cpGotAnswer");
  const channels: [string, (msg: unknown) => void][] = [
    ["http.server.request.start", onServerStart],
    ["http.server.response.finish", onServerFinish],
    ["undici:request:create", onCreate],
    ["undici:request:headers", onHeaders],
  ];
  const pool = stack.invoker.pool;
  const invoke = pool.invoke;
  pool.invoke = async (...args) => {
    mark("poolIn");
    try {
      return await invoke.apply(pool, args);
    } finally {
      mark("poolOut");
    }
  };
  for (const [channel, fn] of channels) subscribe(channel, fn);
  const gaps: number[][] = STAGES.map(() => []);
  let n = 0;
  try {
    for (let i = 0; i < calls; i++) {
      const call = await send();
      marks = {};
      mark("sent");
      await call();
      mark("answered");
      const at = ORDER.map((m) => marks[m]);
      if (at.some((t, k) => t === undefined || (k > 0 && t < (at[k - 1] as number)))) continue;
      n++;
      for (let k = 1; k < at.length; k++) gaps[k - 1]?.push((at[k] as number) - (at[k - 1] as number));
    }
  } finally {
    for (const [channel, fn] of channels) unsubscribe(channel, fn);
    pool.invoke = invoke;
  }
  return { stages: STAGES.map((stage, k) => ({ name: stage, summary: summarize(gaps[k] ?? []) })), n };
}
