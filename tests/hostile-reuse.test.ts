// Warm-container poisoning (hardening S18), on real Docker: function A leaves a file
// under /tmp and a global in each of its warm containers. Function B of the same
// account and function C of another, invoked one after another and many at once,
// while A's containers are frozen and while A runs, never see either and never run
// in a container that served A; and A's new code (a new version, a new $LATEST)
// never runs in a container that ran its old code.
import { randomUUID } from "node:crypto";
import {
  InvokeCommand,
  type LambdaClient,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
} from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import { deployFunction } from "./helpers/functions.js";
import { until } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";
import { makeZip } from "./helpers/zip.js";

const stack = useStack();

/**
 * Says what it finds in its container (/tmp/poison-* files, globalThis.poison) and its
 * hostname; with `poisons`, then leaves its own marker file and global, as A does.
 * `holdMs` keeps it busy, so that invocations at once take containers of their own.
 */
const source = (poisons: boolean) => `
const fs = require("node:fs");
const os = require("node:os");
exports.handler = async (event) => {
  const found = {
    host: os.hostname(),
    files: fs.readdirSync("/tmp").filter((f) => f.startsWith("poison-")),
    global: globalThis.poison ?? null,
  };
  ${poisons ? 'const marker = "/tmp/poison-" + event.id; fs.writeFileSync(marker, "A"); globalThis.poison = marker;' : ""}
  if (event.holdMs) await new Promise((r) => setTimeout(r, event.holdMs));
  return found;
};`;
const POISONER = { runtime: "nodejs20.x" as const, handler: "index.handler", files: { "index.js": source(true) } };
const PROBE = { runtime: "nodejs20.x" as const, handler: "index.handler", files: { "index.js": source(false) } };

interface Found {
  host: string;
  files: string[];
  global: string | null;
}

async function invoke(client: LambdaClient, name: string, event: object, qualifier?: string): Promise<Found> {
  const out = await client.send(
    new InvokeCommand({ FunctionName: name, Qualifier: qualifier, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  const text = Buffer.from(out.Payload ?? []).toString("utf8");
  expect(out.FunctionError, text).toBeUndefined();
  return JSON.parse(text) as Found;
}

const times = <T>(n: number, f: () => Promise<T>) => Promise.all(Array.from({ length: n }, f));

/** Waits until `n` containers of `name` (of the stack's account) sit frozen, idle. */
const frozen = (name: string, n: number) =>
  until(`${n} frozen containers of ${name}`, async () => stack.invoker.pool.runtimesFrozen(name) === n, 10_000);

describe("warm containers a function has poisoned", () => {
  it("are never given to another function of its account or of another account, frozen or busy", async () => {
    const a = await deployFunction(stack, POISONER);
    const b = await deployFunction(stack, PROBE);
    const otherClient = stack.clientFor(await stack.newAccount(`tenant-c-${Date.now()}`));
    const c = await deployFunction({ ...stack, lambda: otherClient }, PROBE);

    const aHosts = new Set<string>();
    const poison = async (holdMs = 0) => {
      const found = await invoke(stack.lambda, a, { id: randomUUID(), holdMs });
      aHosts.add(found.host);
      return found;
    };
    // Three containers of A at once, each poisoned; a later invocation finds its own leftovers.
    await times(3, () => poison(500));
    expect(aHosts.size).toBe(3);
    const again = await poison();
    expect(again.files.length).toBeGreaterThan(0);
    expect(again.global).toMatch(/^\/tmp\/poison-/);
    await frozen(a, 3);

    const hostsOf = new Map<string, Set<string>>([
      [b, new Set()],
      [c, new Set()],
    ]);
    const probe = async (client: LambdaClient, name: string, holdMs = 0) => {
      const found = await invoke(client, name, { holdMs });
      expect(found, name).toEqual({ host: expect.any(String), files: [], global: null });
      expect(aHosts.has(found.host), `${name} ran in A's container ${found.host}`).toBe(false);
      hostsOf.get(name)?.add(found.host);
    };
    const probes = [
      [stack.lambda, b],
      [otherClient, c],
    ] as const;

    // While A's containers are frozen: one after another, then many at once.
    for (let i = 0; i < 5; i++) for (const [client, name] of probes) await probe(client, name);
    await Promise.all(probes.map(([client, name]) => times(4, () => probe(client, name, 300))));
    // While A runs, beside it.
    await Promise.all([
      times(3, () => poison(300)),
      ...probes.map(([client, name]) => times(3, () => probe(client, name, 300))),
    ]);
    // A idle again.
    await frozen(a, aHosts.size);
    for (let i = 0; i < 3; i++) for (const [client, name] of probes) await probe(client, name);

    // B and C took containers of their own (several each), shared with no one.
    const bHosts = hostsOf.get(b) as Set<string>;
    const cHosts = hostsOf.get(c) as Set<string>;
    expect(bHosts.size).toBeGreaterThan(1);
    expect(cHosts.size).toBeGreaterThan(1);
    expect([...bHosts].filter((h) => cHosts.has(h))).toEqual([]);
    // A's poisoned containers were there all along, and still serve A.
    const last = await poison();
    expect(last.files.length).toBeGreaterThan(0);
  }, 120_000);

  it("are never given to the function's new code: neither its new version nor its new $LATEST", async () => {
    const a = await deployFunction(stack, POISONER);
    const v1 = (await stack.lambda.send(new PublishVersionCommand({ FunctionName: a }))).Version as string;
    const oldHosts = new Set<string>();
    const poison = async (qualifier: string, holdMs = 0) => {
      const found = await invoke(stack.lambda, a, { id: randomUUID(), holdMs }, qualifier);
      oldHosts.add(found.host);
      return found;
    };
    // The old code poisons containers of version 1 and of $LATEST.
    await Promise.all([times(3, () => poison(v1, 500)), times(2, () => poison("$LATEST", 500))]);
    expect(oldHosts.size).toBe(5);
    expect((await poison(v1)).global).toMatch(/^\/tmp\/poison-/);
    await frozen(a, 5);

    await stack.lambda.send(new UpdateFunctionCodeCommand({ FunctionName: a, ZipFile: await makeZip(PROBE.files) }));
    const v2 = (await stack.lambda.send(new PublishVersionCommand({ FunctionName: a }))).Version as string;
    expect(v2).not.toBe(v1);
    const check = async (qualifier: string, holdMs = 0) => {
      const found = await invoke(stack.lambda, a, { holdMs }, qualifier);
      expect(found, qualifier).toEqual({ host: expect.any(String), files: [], global: null });
      expect(oldHosts.has(found.host), `${qualifier} ran in the old code's container ${found.host}`).toBe(false);
    };
    for (const qualifier of [v2, "$LATEST"]) {
      for (let i = 0; i < 3; i++) await check(qualifier);
      await times(3, () => check(qualifier, 300));
    }
    // Version 1's poisoned containers were there to be taken, and still serve version 1.
    const old = await poison(v1);
    expect(old.files.length).toBeGreaterThan(0);
    expect(oldHosts.size).toBe(5);
  }, 120_000);
});
