// Postgres hanging without closing its connections, as seen by the control plane: a
// server stopped with SIGSTOP (its kernel still accepts connections), a frozen TCP
// proxy, or flows a NAT dropped. Every store statement, and the wait for a pooled
// connection, is bounded (STRATUS_DB_STATEMENT_TIMEOUT_MS): API requests fail with
// ServiceException instead of hanging, more of them than the pool has connections
// included, and succeed again once Postgres answers, or once the dead connections
// have been replaced.
import {
  GetAccountSettingsCommand,
  GetFunctionConcurrencyCommand,
  LambdaServiceException,
  ListFunctionsCommand,
} from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { deployFunction } from "./helpers/async-load.js";
import { until, waitFor } from "./helpers/poll.js";
import type { TcpProxy } from "./helpers/tcp-proxy.js";
import { useStack } from "./helpers/use-stack.js";

const TIMEOUT_MS = 1_000;
const stack = useStack(
  {},
  { proxyPostgres: true, controlPlaneEnv: { STRATUS_DB_STATEMENT_TIMEOUT_MS: String(TIMEOUT_MS) } },
);

/** Sends a request that reads Postgres (nothing of it is cached); returns the error it failed with, if any. */
async function failureOf(send: () => Promise<unknown>): Promise<LambdaServiceException | undefined> {
  try {
    await send();
    return undefined;
  } catch (err) {
    if (err instanceof LambdaServiceException) return err;
    throw err;
  }
}

const list = () => stack.lambda.send(new ListFunctionsCommand({}));
const health = async () => (await fetch(`${stack.endpoint}/healthz`)).status;

function expectUnanswered(err: LambdaServiceException | undefined) {
  expect(err?.name).toBe("ServiceException");
  expect(err?.$metadata.httpStatusCode).toBe(500);
  expect(err?.message).toBe(`The database did not answer within ${TIMEOUT_MS} ms`);
}

describe("the control plane's Postgres hanging", () => {
  it("fails API requests with ServiceException while Postgres hangs, and serves them again once it answers", async () => {
    const proxy = stack.postgresProxy as TcpProxy;
    const name = await deployFunction(stack.lambda, "pg-hang", "exports.handler = async (e) => e;");
    expect((await list()).Functions?.some((f) => f.FunctionName === name)).toBe(true);

    expect(proxy.hang()).toBeGreaterThanOrEqual(1);
    try {
      expectUnanswered(await failureOf(list));
      expect(await health()).toBe(503);
      // More requests at once than the pool has connections (20): those that wait for
      // a connection give up too, each with the same answer.
      const many = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          failureOf(() =>
            i % 2 === 0
              ? stack.lambda.send(new GetAccountSettingsCommand({}))
              : stack.lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: name })),
          ),
        ),
      );
      for (const err of many) expectUnanswered(err);
    } finally {
      proxy.thaw();
    }
    await until("the control plane to read Postgres again", async () => (await failureOf(list)) === undefined, 30_000);
    expect(await health()).toBe(200);
    expect((await stack.lambda.send(new GetAccountSettingsCommand({}))).AccountUsage?.FunctionCount).toBeGreaterThan(0);
  }, 120_000);

  it("replaces pooled connections that stopped answering for good (dropped flows), without Postgres coming back", async () => {
    const proxy = stack.postgresProxy as TcpProxy;
    // Idle connections in the pool (concurrent reads), then all of them silent for good; new ones pass.
    await Promise.all(Array.from({ length: 6 }, list));
    expect(proxy.freeze(() => true)).toBeGreaterThanOrEqual(2);
    try {
      expectUnanswered(await failureOf(list));
      // Each failed statement drops its connection; once the silent ones are gone, reads pass.
      await waitFor(async () => ((await failureOf(list)) === undefined ? true : undefined), 60_000, {
        what: "a read on a new connection",
      });
      expect(await health()).toBe(200);
    } finally {
      proxy.cut();
    }
  }, 120_000);
});
