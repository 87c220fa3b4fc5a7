// Debian's Prometheus scraping a real stack: it finds the control plane and every
// invoker node through the control plane's http_sd endpoint (bearer token), scrapes
// them all, and holds a per-function series of an invoked function. The binary is
// installed if missing (scripts/test.sh does it too) and runs on loopback with a
// temporary config and storage; it is killed in teardown.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { InvokerConfigSchema, type RunningInvoker, startInvoker } from "@stratus/invoker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployFunction, invokeFunction } from "./helpers/functions.js";
import { removeNodeLeftovers } from "./helpers/invoker-process.js";
import { waitFor } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const PROMETHEUS = "/usr/bin/prometheus";
const metricsToken = randomBytes(24).toString("hex");
const stack = useStack(
  { STRATUS_STEM_CELLS_PER_RUNTIME: "0" },
  { controlPlaneEnv: { STRATUS_METRICS_TOKEN: metricsToken } },
);
let extra: RunningInvoker | undefined;
let prometheus: ChildProcess | undefined;
let promUrl = "";
const dirs: string[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Prometheus's config: the stack's control plane as its only http_sd source, scraped every second. */
function config(tokenFile: string): string {
  return [
    "global:",
    "  scrape_interval: 1s",
    "scrape_configs:",
    "  - job_name: stratus",
    "    http_sd_configs:",
    `      - url: ${stack.endpoint}/metrics/targets`,
    "        refresh_interval: 1s",
    "        authorization:",
    "          type: Bearer",
    `          credentials_file: ${tokenFile}`,
    "",
  ].join("\n");
}

async function api<T>(pathAndQuery: string): Promise<T | undefined> {
  const res = await fetch(`${promUrl}${pathAndQuery}`).catch(() => undefined);
  if (!res?.ok) return undefined;
  return ((await res.json()) as { data: T }).data;
}

interface Target {
  labels: Record<string, string>;
  health: string;
  lastError: string;
}

beforeAll(async () => {
  if (!existsSync(PROMETHEUS)) {
    execFileSync("apt-get", ["install", "-y", "-qq", "prometheus"], {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      stdio: "ignore",
    });
  }
  const codeDir = await mkdtemp(path.join(tmpdir(), "stratus-node-"));
  const promDir = await mkdtemp(path.join(tmpdir(), "stratus-prometheus-"));
  dirs.push(codeDir, promDir);
  // A second invoker node: discovery must list every one.
  extra = await startInvoker(
    InvokerConfigSchema.parse({
      STRATUS_REDIS_URL: stack.redisUrl,
      STRATUS_CONTROL_PLANE_URL: stack.endpoint,
      STRATUS_INTERNAL_TOKEN: stack.internalToken,
      STRATUS_NODE_ID: `extra-${randomBytes(4).toString("hex")}`,
      STRATUS_CODE_DIR: codeDir,
      STRATUS_CAPACITY_MB: "1024",
      STRATUS_STEM_CELLS_PER_RUNTIME: "0",
    }),
    { info: () => undefined, warn: console.warn, error: console.error },
  );
  const tokenFile = path.join(promDir, "token");
  await writeFile(tokenFile, metricsToken, { mode: 0o600 });
  await writeFile(path.join(promDir, "prometheus.yml"), config(tokenFile));
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prometheus = spawn(
    PROMETHEUS,
    [
      `--config.file=${path.join(promDir, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(promDir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: "ignore" },
  );
  await waitFor(
    async () => ((await fetch(`${promUrl}/-/ready`).catch(() => undefined))?.ok ? true : undefined),
    30_000,
    {
      what: "Prometheus ready",
    },
  );
}, 180_000);

afterAll(async () => {
  prometheus?.kill("SIGKILL");
  if (extra) {
    await extra.close().catch(() => undefined);
    await removeNodeLeftovers(extra.nodeId);
  }
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
}, 120_000);

describe("Prometheus scraping the platform", () => {
  it("refuses service discovery without the token", async () => {
    expect((await fetch(`${stack.endpoint}/metrics/targets`)).status).toBe(401);
  });

  it("finds and scrapes the control plane and every invoker node", async () => {
    const nodes = [stack.invoker.nodeId, extra?.nodeId];
    const up = await waitFor(
      async () => {
        const targets = await api<{ activeTargets: Target[] }>("/api/v1/targets?state=active");
        const healthy = (targets?.activeTargets ?? []).filter((t) => t.health === "up");
        const roles = healthy.map((t) => `${t.labels.stratus_role}/${t.labels.stratus_instance}`);
        const planes = healthy.filter((t) => t.labels.stratus_role === "control-plane");
        return planes.length === 1 && nodes.every((n) => roles.includes(`invoker/${n}`)) ? healthy : undefined;
      },
      60_000,
      { what: "every Stratus process up in Prometheus", intervalMs: 250 },
    );
    expect(up.map((t) => t.labels.stratus_role).sort()).toEqual(["control-plane", "invoker", "invoker"]);
    const cpPort = new URL(stack.endpoint).port;
    expect(up.find((t) => t.labels.stratus_role === "control-plane")?.labels.instance).toBe(`127.0.0.1:${cpPort}`);
  });

  it("holds per-function series of an invoked function, from the invoker and the control plane", async () => {
    const name = await deployFunction(stack, {
      runtime: "nodejs20.x",
      handler: "index.handler",
      files: { "index.js": "exports.handler = async () => 'ok';" },
    });
    expect((await invokeFunction(stack, name)).text).toBe('"ok"');
    const query = (q: string) =>
      waitFor(
        async () => {
          const data = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
            `/api/v1/query?query=${encodeURIComponent(q)}`,
          );
          return data && data.result.length > 0 ? data.result : undefined;
        },
        60_000,
        { what: `a sample of ${q}`, intervalMs: 250 },
      );
    const invocations = await query(`stratus_lambda_invocations_total{function="${name}"}`);
    expect(invocations[0]?.metric).toMatchObject({
      account: stack.credentials.accountId,
      function: name,
      resource: name,
      stratus_role: "invoker",
    });
    expect(Number(invocations[0]?.value[1])).toBe(1);
    const duration = await query(`stratus_lambda_duration_seconds_count{function="${name}"}`);
    expect(Number(duration[0]?.value[1])).toBe(1);
    const coldStarts = await query(`stratus_lambda_cold_starts_total{function="${name}"}`);
    expect(Number(coldStarts[0]?.value[1])).toBe(1);
    // An async invoke: the control plane's series (AsyncEventsReceived, AsyncEventAge).
    await stack.lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: "{}" }));
    const received = await query(`stratus_lambda_async_events_received_total{function="${name}"}`);
    expect(received[0]?.metric).toMatchObject({ function: name, resource: name, stratus_role: "control-plane" });
    expect(Number(received[0]?.value[1])).toBe(1);
    await query(`stratus_lambda_async_event_age_seconds_count{function="${name}"}`);
  });
});
