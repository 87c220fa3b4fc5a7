// Hard limits and hostile functions on real Docker: timeouts, OOM, crashes, fork
// bombs, disk fill, read-only root, privilege escalation, network isolation and
// oversized responses. Each asserts Lambda's error type and whether the container
// was replaced.
import { randomBytes } from "node:crypto";
import { CreateFunctionCommand, type CreateFunctionCommandInput, InvokeCommand } from "@aws-sdk/client-lambda";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./helpers/stack.js";
import { nodeFunction } from "./helpers/zip.js";

const docker = new Docker();
let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 120_000);
afterAll(async () => {
  await stack?.stop();
}, 60_000);

/** Every fixture also answers {host} so tests can tell containers apart. */
async function deploy(source: string, config: Partial<CreateFunctionCommandInput> = {}): Promise<string> {
  const name = `lim-${randomBytes(4).toString("hex")}`;
  const wrapped = `const os = require("os");
const user = (${source});
exports.handler = async (event, context) => {
  if (event && event.whoami) return { host: os.hostname() };
  return user(event, context);
};`;
  await stack.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "nodejs20.x",
      Role: "arn:aws:iam::123456789012:role/r",
      Handler: "index.handler",
      Code: { ZipFile: await nodeFunction(wrapped) },
      ...config,
    }),
  );
  return name;
}

async function invoke(name: string, event: unknown = {}) {
  const out = await stack.lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  const text = Buffer.from(out.Payload ?? []).toString("utf8");
  return { error: out.FunctionError, body: text ? JSON.parse(text) : undefined };
}

const host = async (name: string) => (await invoke(name, { whoami: true })).body.host as string;

describe("limits", () => {
  it("kills a function at its timeout with Sandbox.Timedout and replaces the container", async () => {
    const name = await deploy("() => new Promise(() => {})", { Timeout: 1 });
    const before = await host(name);
    const out = await invoke(name);
    expect(out.error).toBe("Unhandled");
    expect(out.body).toMatchObject({
      errorType: "Sandbox.Timedout",
      errorMessage: "Task timed out after 1.00 seconds",
    });
    expect(await host(name)).not.toBe(before);
  }, 30_000);

  it("reports memory exhaustion as Runtime.OutOfMemory and replaces the container", async () => {
    const name = await deploy(
      "async () => { const keep = []; for (;;) { keep.push(Buffer.alloc(16 * 1024 * 1024, 1)); await new Promise((r) => setImmediate(r)); } }",
      { MemorySize: 128, Timeout: 30 },
    );
    const before = await host(name);
    const out = await invoke(name);
    expect(out.body.errorType).toBe("Runtime.OutOfMemory");
    expect(await host(name)).not.toBe(before);
  }, 60_000);

  it("reports process.exit(3) as Runtime.ExitError", async () => {
    const name = await deploy("() => process.exit(3)");
    const before = await host(name);
    const out = await invoke(name);
    expect(out.body).toMatchObject({
      errorType: "Runtime.ExitError",
      errorMessage: "Runtime exited with error: exit status 3",
    });
    expect(await host(name)).not.toBe(before);
  }, 30_000);

  it("keeps the container after a handled error", async () => {
    const name = await deploy("async () => { throw new Error('nope'); }");
    const before = await host(name);
    expect((await invoke(name)).body.errorMessage).toBe("nope");
    expect(await host(name)).toBe(before);
  }, 30_000);

  it("stops a fork bomb at the pids limit, times it out, and leaves the node healthy", async () => {
    const name = await deploy(
      `async () => {
        const { spawn } = require("child_process");
        let spawned = 0, failed = 0;
        for (let i = 0; i < 3000; i++) {
          try { const c = spawn("sleep", ["30"]); c.on("error", () => failed++); spawned++; } catch { failed++; }
        }
        await new Promise((r) => setTimeout(r, 500));
        return { spawned, failed };
      }`,
      { Timeout: 10 },
    );
    const out = await invoke(name);
    // Either the runtime reports the failed spawns or it cannot even finish: never 3000 live processes.
    if (out.error) expect(["Sandbox.Timedout", "Runtime.ExitError", "Error"]).toContain(out.body.errorType);
    else expect(out.body.failed).toBeGreaterThan(0);
    const healthy = await deploy("async () => 'fine'");
    expect((await invoke(healthy)).body).toBe("fine");
  }, 60_000);

  it("fills /tmp only up to the ephemeral storage size (ENOSPC)", async () => {
    const name = await deploy(
      `async () => {
        const fs = require("fs");
        const chunk = Buffer.alloc(16 * 1024 * 1024, 1);
        let written = 0;
        try { for (let i = 0; i < 64; i++) { fs.appendFileSync("/tmp/fill", chunk); written += chunk.length; } }
        catch (e) { return { code: e.code, mb: written / 1048576 }; }
        return { code: "none", mb: written / 1048576 };
      }`,
      { MemorySize: 1024, EphemeralStorage: { Size: 512 }, Timeout: 30 },
    );
    const out = await invoke(name);
    expect(out.body.code).toBe("ENOSPC");
    expect(out.body.mb).toBeLessThanOrEqual(512);
  }, 60_000);

  it("refuses writes to the root filesystem and privilege changes", async () => {
    const name = await deploy(`async () => {
      const fs = require("fs");
      const attempt = (f) => { try { f(); return "allowed"; } catch (e) { return e.code || e.message; } };
      return {
        root: attempt(() => fs.writeFileSync("/evil", "x")),
        task: attempt(() => fs.writeFileSync("/var/task/evil", "x")),
        setuid: attempt(() => process.setuid(0)),
        uid: process.getuid(),
        dockerSocket: fs.existsSync("/var/run/docker.sock"),
      };
    }`);
    const out = await invoke(name);
    expect(out.body).toEqual({ root: "EROFS", task: "EROFS", setuid: "EPERM", uid: 10001, dockerSocket: false });
  }, 30_000);

  it("cannot reach Postgres, Redis, the control plane or the invoker", async () => {
    const gateway = (await docker.getNetwork(`stratus-fn-${stack.nodeId}`).inspect()).IPAM?.Config?.[0]
      ?.Gateway as string;
    const port = (url: string) => Number(new URL(url).port);
    const inspectIp = async (id: string) => {
      const info = await docker.getContainer(id).inspect();
      return Object.values(info.NetworkSettings.Networks)[0]?.IPAddress as string;
    };
    const targets = [
      { label: "control plane via gateway", host: gateway, port: port(stack.endpoint) },
      { label: "invoker via gateway", host: gateway, port: port(stack.invoker.url) },
      { label: "postgres via gateway", host: gateway, port: stack.services.postgres.port },
      { label: "redis via gateway", host: gateway, port: stack.services.redis.port },
      { label: "postgres container", host: await inspectIp(stack.services.postgres.id), port: 5432 },
      { label: "redis container", host: await inspectIp(stack.services.redis.id), port: 6379 },
    ];
    const name = await deploy(
      `async (event) => {
      const net = require("net");
      const probe = (t) => new Promise((resolve) => {
        const s = net.connect({ host: t.host, port: t.port, timeout: 1500 });
        s.on("connect", () => { s.destroy(); resolve("connected"); });
        s.on("timeout", () => { s.destroy(); resolve("timeout"); });
        s.on("error", (e) => resolve(e.code));
      });
      const out = {};
      for (const t of event.targets) out[t.label] = await probe(t);
      return out;
    }`,
      { Timeout: 30 },
    );
    const out = await invoke(name, { targets });
    for (const t of targets) expect(out.body[t.label], t.label).not.toBe("connected");
  }, 60_000);

  it("refuses a response over 6 MB with a clear error, never a partial body", async () => {
    const name = await deploy("async () => 'x'.repeat(7 * 1024 * 1024)", { MemorySize: 512 });
    const out = await invoke(name);
    expect(out.error).toBe("Unhandled");
    expect(out.body.errorType).toBe("Function.ResponseSizeTooLarge");
  }, 30_000);

  it("waits for a slow init", async () => {
    const name = await deploy(
      "(() => { const until = Date.now() + 1500; while (Date.now() < until); return async () => 'ready'; })()",
    );
    expect((await invoke(name)).body).toBe("ready");
  }, 30_000);
});
