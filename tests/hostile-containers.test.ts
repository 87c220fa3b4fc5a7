// Hostile tenants against their own containers, on real Docker: a function cannot
// reach another function's container (of another account or its own) nor any port
// of the host but its Runtime API, nor the metadata address; an idle container gets
// no CPU (a background loop makes no progress) and a deleted function's container is
// gone within seconds; thousands of orphaned processes are reaped by the init process;
// a function holds no capability and gains none through a setuid-root program.
import { createServer, type Server } from "node:net";
import { DeleteFunctionCommand, InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployFunction, invokeFunction } from "./helpers/functions.js";
import { until } from "./helpers/poll.js";
import { useStack } from "./helpers/use-stack.js";

const docker = new Docker();
const stack = useStack();

/** Starts a TCP server in the container (once) and answers with its address on the functions network. */
const LISTENER = `
const net = require("node:net");
const os = require("node:os");
let server;
exports.handler = async () => {
  if (!server) {
    server = net.createServer((s) => s.end("hello from A\\n"));
    await new Promise((r) => server.listen(8080, "0.0.0.0", r));
  }
  const ip = Object.values(os.networkInterfaces()).flat().find((i) => i.family === "IPv4" && !i.internal).address;
  return { ip, port: 8080 };
};`;

/** Opens a TCP connection to each target and says how each attempt ended. */
const PROBER = `
const net = require("node:net");
const attempt = ({ host, port }) => new Promise((resolve) => {
  const s = net.connect({ host, port });
  const done = (how) => { s.destroy(); resolve(how); };
  s.setTimeout(2000, () => done("timeout"));
  s.once("connect", () => done("connected"));
  s.once("error", (err) => done(err.code));
});
exports.handler = async (event) => {
  const [gateway, apiPort] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
  const targets = event.targets.map((t) => ({ ...t, host: t.host === "gateway" ? gateway : t.host, port: t.port === "api" ? Number(apiPort) : t.port }));
  return Promise.all(targets.map(attempt));
};`;

async function invokeWith(client: LambdaClient, name: string, event: unknown): Promise<unknown> {
  const out = await client.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }));
  const text = Buffer.from(out.Payload ?? []).toString("utf8");
  expect(out.FunctionError, text).toBeUndefined();
  return JSON.parse(text);
}

describe("network isolation", () => {
  let hostServer: Server;
  let hostPort: number;

  beforeAll(async () => {
    // A service on every address of the host, as Postgres or an admin port might be.
    hostServer = createServer((s) => s.end("host\n"));
    await new Promise<void>((resolve) => hostServer.listen(0, "0.0.0.0", resolve));
    hostPort = (hostServer.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => hostServer.close(() => resolve())));

  it("keeps functions of any account from another's container, and from the host's ports but the Runtime API", async () => {
    const listener = await deployFunction(stack, {
      runtime: "nodejs20.x",
      handler: "index.handler",
      files: { "index.js": LISTENER },
    });
    const target = (await invokeFunction(stack, listener)).body as { ip: string; port: number };
    expect(target.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    const other = await stack.newAccount(`tenant-b-${Date.now()}`);
    const otherClient = stack.clientFor(other);
    const def = { runtime: "nodejs20.x" as const, handler: "index.handler", files: { "index.js": PROBER } };
    const proberB = await deployFunction({ ...stack, lambda: otherClient }, def);
    const proberA = await deployFunction(stack, def);
    const event = {
      targets: [
        { host: "gateway", port: "api" }, // its own Runtime API: the probe itself works
        { host: target.ip, port: target.port },
        { host: "gateway", port: hostPort },
        { host: "gateway", port: stack.services.postgres.port },
        { host: "169.254.169.254", port: 80 },
      ],
    };
    for (const [client, name] of [
      [otherClient, proberB],
      [stack.lambda, proberA],
    ] as const) {
      const [api, peer, host, postgres, metadata] = (await invokeWith(client, name, event)) as string[];
      expect(api).toBe("connected");
      expect(peer).not.toBe("connected");
      // Refused at once by the node's firewall, not left to time out.
      expect(host).toBe("ECONNREFUSED");
      expect(postgres).toBe("ECONNREFUSED");
      expect(metadata).toBe("ECONNREFUSED");
    }
  });
});

describe("frozen idle containers", () => {
  /** Counts in the background from its first invocation; each invocation says how far it got. */
  const TICKER = `
let count = 0;
let timer;
exports.handler = async () => {
  if (!timer) timer = setInterval(() => count++, 10);
  return { count };
};`;

  it("gives a background loop no CPU while its container is idle, and removes the container within seconds of DeleteFunction", async () => {
    const name = await deployFunction(stack, {
      runtime: "nodejs20.x",
      handler: "index.handler",
      files: { "index.js": TICKER },
    });
    await invokeFunction(stack, name);
    const [id] = stack.invoker.pool.containerIdsOf(name);
    expect(id).toBeDefined();
    // Idle past the grace: the engine has paused it.
    const paused = async () => stack.invoker.pool.runtimesFrozen(name) === 1;
    await until("the idle container paused", paused, 5_000);
    const before = ((await invokeFunction(stack, name)).body as { count: number }).count;
    await until("the idle container paused again", paused, 5_000);
    await new Promise((r) => setTimeout(r, 1_500));
    const after = ((await invokeFunction(stack, name)).body as { count: number }).count;
    // Running on through the 1.5 s it would have counted about 150 more; frozen, only
    // through the grace (250 ms: about 25) and the invocations.
    expect(after - before).toBeLessThan(80);

    await stack.lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
    const gone = () =>
      docker
        .getContainer(id as string)
        .inspect()
        .then(
          () => false,
          (err: { statusCode?: number }) => err.statusCode === 404,
        );
    await until("the deleted function's container gone", gone, 10_000);
    expect(stack.invoker.pool.containerIdsOf(name)).toEqual([]);
  });
});

describe("an init process in every function container", () => {
  /** Leaves `event.orphans` processes whose parents exit before them; says how many zombies there are and who PID 1 is. */
  const ORPHANS = `
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
exports.handler = async (event) => {
  execFileSync("/bin/sh", ["-c", "i=0; while [ $i -lt " + event.orphans + " ]; do (sleep 0.2 &); i=$((i+1)); done"]);
  await new Promise((r) => setTimeout(r, 500));
  let zombies = 0;
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\\d+$/.test(p))) {
    try { if (fs.readFileSync("/proc/" + pid + "/stat", "utf8").split(") ")[1].startsWith("Z")) zombies++; } catch {}
  }
  return { zombies, init: fs.readFileSync("/proc/1/cmdline", "utf8").split("\\0")[0] };
};`;

  it("reaps the orphans a function leaves, so thousands of them never exhaust its processes", async () => {
    const name = await deployFunction(stack, {
      runtime: "nodejs20.x",
      handler: "index.handler",
      files: { "index.js": ORPHANS },
      config: { Timeout: 60 },
    });
    // 5 x 300 orphans: well past the container's limit of 1,024 processes if none were reaped.
    for (let i = 0; i < 5; i++) {
      const { out, body } = await invokeFunction(stack, name, { orphans: 300 });
      expect(out.FunctionError, JSON.stringify(body)).toBeUndefined();
      expect(body.init).toMatch(/docker-init|tini/);
      expect(body.zombies as number).toBeLessThan(50);
    }
  }, 120_000);
});

describe("a function container as the engine made it", () => {
  /** Says what a process in the container sees: its environment's keys, its limits, a write to the kernel's settings. */
  const INSIDE = `
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
exports.handler = async () => {
  let sysctl;
  try { fs.writeFileSync("/proc/sys/kernel/hostname", "x"); sysctl = "written"; } catch (err) { sysctl = err.code; }
  const limits = execFileSync("/bin/sh", ["-c", "ulimit -n; ulimit -c"], { encoding: "utf8" }).trim().split("\\n");
  const cgroups = fs.readFileSync("/proc/self/cgroup", "utf8").trim().split("\\n");
  return { env: process.env, limits, sysctl, cgroups };
};`;

  /** The HostConfig the same engine gives a container of `image` created with no options at all. */
  async function plainHostConfig(image: string): Promise<Record<string, unknown>> {
    const plain = await docker.createContainer({ Image: image });
    try {
      return (await plain.inspect()).HostConfig as Record<string, unknown>;
    } finally {
      await plain.remove({ force: true });
    }
  }

  it("is unprivileged, capped, unpublished and bounded, and its environment holds nothing of the platform's", async () => {
    const name = await deployFunction(stack, {
      runtime: "nodejs20.x",
      handler: "index.handler",
      files: { "index.js": INSIDE },
      env: { MY_SETTING: "mine" },
      config: { MemorySize: 256 },
    });
    const { body } = await invokeFunction(stack, name);
    const [id] = stack.invoker.pool.containerIdsOf(name);
    const info = await docker.getContainer(id as string).inspect();
    const host = info.HostConfig as Record<string, unknown>;
    expect(host.Privileged).toBe(false);
    // One full vCPU at 1,769 MB; never less than one core of quota, a weight by memory.
    expect(host.NanoCpus).toBe(1e9);
    expect(host.CpuShares).toBe(Math.round((256 / 1769) * 1024));
    expect(host.Ulimits).toEqual(
      expect.arrayContaining([
        { Name: "nofile", Soft: 1024, Hard: 1024 },
        { Name: "core", Soft: 0, Hard: 0 },
      ]),
    );
    expect(body.limits).toEqual(["1024", "0"]);
    expect(host.LogConfig).toEqual({ Type: "json-file", Config: { "max-size": "10m", "max-file": "1" } });
    // Namespaces of its own: the engine's private IPC (never the host's nor another
    // container's), UTS, PID and user defaults.
    expect(host.IpcMode).toMatch(/^(private|shareable|)$/);
    expect(host.UTSMode).toBe("");
    // A cgroup namespace of its own: the function sees its cgroups at their roots, never the host's paths.
    expect(host.CgroupnsMode).toBe("private");
    expect((body.cgroups as string[]).filter((line) => !line.endsWith(":/"))).toEqual([]);
    expect(host.PidMode).toBe("");
    expect(host.UsernsMode).toBe("");
    expect(host.PortBindings ?? {}).toEqual({});
    expect(host.PublishAllPorts).toBe(false);
    expect(info.NetworkSettings.Ports ?? {}).toEqual({});
    expect(host.Devices ?? []).toEqual([]);
    expect(host.DeviceRequests ?? []).toEqual([]);
    expect(host.Sysctls ?? {}).toEqual({});
    expect(host.GroupAdd ?? []).toEqual([]);
    // The engine's default masked and read-only paths of /proc and /sys, as it gives a
    // container created with no options (its image the function's own, so present).
    const plain = await plainHostConfig(info.Image);
    expect(plain.MaskedPaths).toEqual(expect.arrayContaining(["/proc/kcore", "/proc/keys", "/sys/firmware"]));
    expect(plain.ReadonlyPaths).toEqual(expect.arrayContaining(["/proc/sys", "/proc/sysrq-trigger"]));
    expect(host.MaskedPaths).toEqual(plain.MaskedPaths);
    expect(host.ReadonlyPaths).toEqual(plain.ReadonlyPaths);
    expect(body.sysctl).toMatch(/^(EROFS|EACCES|EPERM)$/);
    expect(host.RestartPolicy).toMatchObject({ Name: "no" });
    expect(host.AutoRemove).toBe(false);
    expect(host.Init).toBe(true);
    // Only Lambda's variables and the function's own: no setting, address or token of the platform.
    const env = body.env as Record<string, string>;
    expect(env.MY_SETTING).toBe("mine");
    const allowed =
      /^(AWS_|_HANDLER$|_X_AMZN_TRACE_ID$|LAMBDA_|TZ$|LANG$|PATH$|LD_LIBRARY_PATH$|NODE_PATH$|PWD$|SHLVL$|HOME$|HOSTNAME$|MY_SETTING$|_$)/;
    expect(Object.keys(env).filter((k) => !allowed.test(k))).toEqual([]);
    const values = Object.values(env).join("\n");
    expect(values).not.toContain(stack.internalToken);
    expect(values).not.toMatch(/postgres:\/\/|redis:\/\//);
  });
});

describe("privilege escalation from inside a function", () => {
  /**
   * Python, for the bare system calls (ctypes). Reports the process's capability sets
   * and no_new_privs, a setuid-root program's ids and capabilities as it waits for a
   * password, a raw socket, and PTRACE_ATTACH to a child of its own: one that made
   * itself non-dumpable, as a setuid program is (which takes CAP_SYS_PTRACE), and one
   * that did not.
   */
  const ESCALATION = `
import ctypes, errno, os, socket, stat, subprocess, sys

libc = ctypes.CDLL(None, use_errno=True)
libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
PTRACE_ATTACH, PTRACE_DETACH, PR_SET_DUMPABLE, WALL = 16, 17, 4, 0x40000000
CAPS = ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")

def status(pid):
    with open(f"/proc/{pid}/status") as f:
        return dict(line.split(":\\t", 1) for line in f.read().splitlines() if ":\\t" in line)

def ptrace_attach(dumpable):
    code = f"import ctypes, sys; ctypes.CDLL(None).prctl({PR_SET_DUMPABLE}, {int(dumpable)}, 0, 0, 0); print(flush=True); sys.stdin.read()"
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        child.stdout.readline()
        if libc.ptrace(PTRACE_ATTACH, child.pid, None, None) != 0:
            return errno.errorcode[ctypes.get_errno()]
        os.waitpid(child.pid, WALL)
        libc.ptrace(PTRACE_DETACH, child.pid, None, None)
        return "allowed"
    finally:
        child.stdin.close()
        child.wait()

def raw_socket():
    try:
        socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).close()
        return "allowed"
    except OSError as e:
        return errno.errorcode[e.errno]

def setuid_program(path="/usr/bin/su"):
    mode = os.stat(path)
    su = subprocess.Popen([path, "root", "-c", "true"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        prompt = su.stderr.read1(100).decode()
        ids = status(su.pid)
    finally:
        su.kill()
        su.wait()
    return {
        "setuidRoot": bool(mode.st_mode & stat.S_ISUID) and mode.st_uid == 0,
        "prompt": prompt,
        "uids": ids["Uid"].split(),
        "capabilities": ids["CapPrm"],
    }

def handler(event, context):
    me = status("self")
    return {
        "capabilities": {name: me[name] for name in CAPS},
        "noNewPrivs": me["NoNewPrivs"],
        "setuidProgram": setuid_program(),
        "rawSocket": raw_socket(),
        "ptrace": {"dumpable": ptrace_attach(True), "nonDumpable": ptrace_attach(False)},
    }
`;

  it("holds no capability, gains none through a setuid-root program, and is refused raw sockets and a guarded ptrace", async () => {
    const name = await deployFunction(stack, {
      runtime: "python3.11",
      handler: "index.handler",
      files: { "index.py": ESCALATION },
    });
    const { out, body } = await invokeFunction(stack, name);
    expect(out.FunctionError, JSON.stringify(body)).toBeUndefined();
    const none = "0000000000000000";
    expect(body).toEqual({
      // Every set empty, the bounding set too: no program the function runs can be given a capability.
      capabilities: { CapInh: none, CapPrm: none, CapEff: none, CapBnd: none, CapAmb: none },
      noNewPrivs: "1",
      // no-new-privileges: su runs, but as the function's user (without it, euid 0), with nothing.
      setuidProgram: {
        setuidRoot: true,
        prompt: "Password: ",
        uids: ["10001", "10001", "10001", "10001"],
        capabilities: none,
      },
      // CAP_NET_RAW is not held.
      rawSocket: "EPERM",
      // ptrace itself is allowed on the function's own processes; what takes CAP_SYS_PTRACE is refused.
      ptrace: { dumpable: "allowed", nonDumpable: "EPERM" },
    });
  });
});
