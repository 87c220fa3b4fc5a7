// Function URL rows: plain HTTP requests to a function's URL (AuthType NONE), beside a
// signed Invoke of the same function in the same run, one call at a time (the latency
// a URL adds) and from 16 loops at once (requests per second). The function answers a
// small structured response, which the URL maps to an HTTP answer and Invoke returns
// as its JSON.
import { randomUUID } from "node:crypto";
import { AddPermissionCommand, CreateFunctionUrlConfigCommand } from "@aws-sdk/client-lambda";
import { exchange } from "@stratus/control-plane";
import { Agent } from "undici";
import type { Stack } from "../helpers/stack.js";
import { drive, type RateRow } from "./drive.js";
import { untilParked } from "./parked.js";
import { createSignedClient } from "./signed-client.js";
import { deployBenchFunction } from "./spec.js";
import { type Summary, summarize } from "./stats.js";

const HANDLER = `exports.handler = async () => ({ statusCode: 200, headers: { "content-type": "text/plain" }, body: "ok" });`;
const ROUNDS = Number(process.env.BENCH_URL_ROUNDS ?? 10);
const PER_ROUND = 100;
const CONCURRENCY = 16;
const SECONDS = Number(process.env.BENCH_URL_SECONDS ?? 8);

export interface UrlBenchResult {
  url: Summary;
  invoke: Summary;
  urlRate: RateRow;
  invokeRate: RateRow;
  concurrency: number;
  seconds: number;
}

export async function measureFunctionUrls(stack: Stack): Promise<UrlBenchResult> {
  const name = `bench-url-${randomUUID().slice(0, 8)}`;
  await deployBenchFunction(stack.lambda, name, stack.credentials.accountId, stack.region, HANDLER);
  const made = await stack.lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: "NONE" }));
  await stack.lambda.send(
    new AddPermissionCommand({
      FunctionName: name,
      StatementId: "public",
      Action: "lambda:InvokeFunctionUrl",
      Principal: "*",
      FunctionUrlAuthType: "NONE",
    }),
  );
  const target = new URL(made.FunctionUrl as string);
  const agent = new Agent({ keepAliveTimeout: 60_000, connections: 64 });
  const request = { origin: target.origin, path: target.pathname, method: "GET" as const, headers: {} };
  const viaUrl = async () => {
    const res = await exchange(agent, request);
    if (res.statusCode !== 200 || res.body.toString() !== "ok") throw new Error(`bad URL answer ${res.statusCode}`);
  };
  const client = createSignedClient(stack.endpoint, stack.region, stack.credentials);
  // Signed once, outside every timed call (a SigV4 signature holds for minutes and may
  // be sent again): the rows compare the platform's two paths, not the client's signing.
  const signed = await client.prepare(name, Buffer.from("{}"));
  const viaInvoke = async () => {
    const res = await signed();
    if (res.status !== 200) throw new Error(`bad Invoke answer ${res.status}`);
  };
  const parked = () => untilParked(stack.invoker.pool, name);
  const time = async (call: () => Promise<void>, n: number, into: number[]) => {
    for (let i = 0; i < n; i++) {
      await parked().catch((err: Error) => {
        const pool = stack.invoker.pool;
        const seen = `${pool.containerIdsOf(name).length} containers, ${pool.runtimesFrozen(name)} frozen`;
        throw new Error(`${err.message} (call ${i} of ${n}; ${seen}; ${JSON.stringify(pool.stats().byState)})`);
      });
      const t0 = performance.now();
      await call();
      into.push(performance.now() - t0);
    }
  };
  try {
    await time(viaUrl, 200, []);
    await time(viaInvoke, 200, []);
    const urlMs: number[] = [];
    const invokeMs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      await time(viaInvoke, PER_ROUND, invokeMs);
      await time(viaUrl, PER_ROUND, urlMs);
    }
    const known = { controlPlane: [process.pid], invokers: [process.pid] };
    await drive(CONCURRENCY, 3, viaInvoke, known);
    await drive(CONCURRENCY, 3, viaUrl, known);
    const invokeRate = await drive(CONCURRENCY, SECONDS, viaInvoke, known);
    const urlRate = await drive(CONCURRENCY, SECONDS, viaUrl, known);
    return {
      url: summarize(urlMs),
      invoke: summarize(invokeMs),
      urlRate,
      invokeRate,
      concurrency: CONCURRENCY,
      seconds: SECONDS,
    };
  } finally {
    await client.close();
    await agent.close();
  }
}
