// Builds a whole invoker node from its configuration: Docker backend and functions
// network, orphan cleanup, code cache and stem-cell directories, Runtime API server,
// warm pool (which starts the stem cells and keeps the provisioned sets), internal API,
// metrics and the Redis heartbeat. Used by main.ts and by tests. A start that fails
// part-way removes what it made (network, stem cells, servers) before it throws. A
// running node removes what dead peers left on its engine (node/dead-peers.ts).
import {
  internalInvoke,
  type Logger,
  type LogSink,
  nodeRegistry,
  noTracer,
  type Tracer,
  toLogger,
} from "@stratus/shared";
import { Redis } from "ioredis";
import { collectDefaultMetrics, Registry } from "prom-client";
import { drainServer } from "./api/drain.js";
import { createInternalServer } from "./api/internal-server.js";
import type { ContainerBackend } from "./backend/container-backend.js";
import { createDockerBackend, type DockerBackend } from "./backend/docker-backend.js";
import { type FunctionFirewall, installFunctionFirewall } from "./backend/function-firewall.js";
import { createCodeCache } from "./code/code-cache.js";
import { createLayerSets } from "./code/layer-sets.js";
import type { InvokerConfig } from "./config.js";
import { createIdentity, type IdentityFor } from "./containers/function-identity.js";
import { NodeImages } from "./images/node-images.js";
import { createLogShipper } from "./logs/log-shipper.js";
import { createInvokerMetrics } from "./metrics.js";
import { startDeadPeerSweeper } from "./node/dead-peers.js";
import { startEndpointProxy } from "./node/endpoint-proxy.js";
import { type Heartbeat, startHeartbeat } from "./node/heartbeat.js";
import { boundByHostTasks, hostTasksWarning, readHostTaskLimits } from "./node/host-tasks.js";
import { listenForRetirements } from "./node/retirement-listener.js";
import { ContainerPool, ownerLabels } from "./pool/container-pool.js";
import { type RuntimeApiServer, startRuntimeApiServer } from "./runtime-api/runtime-api-server.js";
import { STEM_EPHEMERAL_MB, STEM_RUNTIMES } from "./stem-cells/stem-cells.js";
import { createStemDirs } from "./stem-cells/stem-dirs.js";

export interface RunningInvoker {
  nodeId: string;
  url: string;
  pool: ContainerPool;
  /** Stops taking work, lets in-flight invocations finish, removes containers. */
  close(): Promise<void>;
}

/** How often a node looks for dead peers' leftovers on its engine (and once as it starts). */
const DEAD_NODE_SWEEP_INTERVAL_MS = 60_000;

async function fetchZipFrom(config: InvokerConfig, sha: string): Promise<Buffer> {
  const res = await fetch(`${config.controlPlaneUrl}${internalInvoke.codePath}/${sha}`, {
    headers: { [internalInvoke.tokenHeader]: config.internalToken },
  });
  if (!res.ok) throw new Error(`control plane answered ${res.status} for code ${sha}`);
  return Buffer.from(await res.arrayBuffer());
}

async function removeOrphans(backend: ContainerBackend, nodeId: string, log: Logger): Promise<void> {
  const orphans = await backend.listByLabels(ownerLabels(nodeId));
  if (orphans.length > 0) log.info(`removing ${orphans.length} orphaned containers of node ${nodeId}`);
  await Promise.all(orphans.map((id) => backend.remove(id)));
}

/** `config` with its capacity lowered to what the host's process table holds, if it must be (node/host-tasks.ts). */
function withinHostTasks(config: InvokerConfig, log: Logger): InvokerConfig {
  const bound = boundByHostTasks(config.capacityMb, readHostTaskLimits());
  if (!bound) return config;
  log.warn(hostTasksWarning(config.capacityMb, bound));
  return { ...config, capacityMb: bound.capacityMb };
}

/** `logTo`: the process's logger, or console or a test's fake (consoleLogger). */
/** `tracer`: where the node's spans go (main.ts builds it from config.tracing); none by default. */
export async function startInvoker(
  configured: InvokerConfig,
  logTo: Logger | LogSink,
  tracer: Tracer = noTracer,
): Promise<RunningInvoker> {
  const log = toLogger(logTo);
  const config = withinHostTasks(configured, log);
  const backend = createDockerBackend(config.dockerSocket, config.cgroupRoot, {
    size: config.netSandboxes,
    image: config.sandboxImage,
    log,
  });
  await removeOrphans(backend, config.nodeId, log);
  const network = `stratus-fn-${config.nodeId}`;
  // What is made from here on is undone, last first, when the start fails part-way:
  // a node that never came up leaves no network, stem cells or listening ports behind.
  const undo: Array<() => Promise<unknown> | unknown> = [];
  try {
    const { gateway, bridge } = await backend.ensureNetwork(network, ownerLabels(config.nodeId));
    undo.push(
      () => backend.removeNetwork(network),
      () => backend.close(),
    );
    const api = await startRuntimeApiServer(gateway, log);
    undo.push(() => api.close());
    const endpoint = config.functionEndpoint
      ? await startEndpointProxy(gateway, config.controlPlaneUrl, log)
      : undefined;
    if (endpoint) undo.push(() => endpoint.close());
    let firewall: FunctionFirewall | undefined;
    if (config.functionFirewall) {
      firewall = await installFunctionFirewall({
        nodeId: config.nodeId,
        bridge,
        runtimeApiPort: Number(api.address.split(":").pop()),
        ...(endpoint ? { endpointPort: endpoint.port } : {}),
        deniedCidrs: config.deniedCidrs,
      });
      undo.push(() => firewall?.close());
    } else {
      log.warn("STRATUS_FUNCTION_FIREWALL=off: function containers can reach every port of this host");
    }
    const identity = createIdentity({
      ...(endpoint ? { endpoint: endpoint.url } : {}),
      internalToken: config.internalToken,
      ttlMs: config.roleCredentialsMs,
    });
    return await startNode(config, log, { backend, network, api, firewall, tracer, identity }, undo);
  } catch (err) {
    for (const step of undo.reverse())
      await Promise.resolve()
        .then(step)
        .catch(() => undefined);
    throw err;
  }
}

async function startNode(
  config: InvokerConfig,
  log: Logger,
  made: {
    backend: DockerBackend;
    network: string;
    api: RuntimeApiServer;
    firewall?: FunctionFirewall;
    tracer: Tracer;
    identity: IdentityFor;
  },
  undo: Array<() => Promise<unknown> | unknown>,
): Promise<RunningInvoker> {
  const { backend, network, api, firewall, tracer, identity } = made;
  const code = await createCodeCache(config.codeDir, (sha) => fetchZipFrom(config, sha));
  const layers = await createLayerSets(config.codeDir, (sha) => code.dirFor(sha));
  const stemDirs = await createStemDirs(config.codeDir);

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = createInvokerMetrics(
    registry,
    () => ({ ...pool.stats(), capacityMb: config.capacityMb }),
    config.maxFunctionSeries,
  );
  const shipper = createLogShipper(config.controlPlaneUrl, config.internalToken, log, (n) =>
    metrics.logsDropped.inc(n),
  );
  const pool: ContainerPool = new ContainerPool(
    {
      nodeId: config.nodeId,
      network,
      capacityMb: config.capacityMb,
      idleTtlMs: config.idleTtlMs,
      freezeIdleAfterMs: config.freezeIdleAfterMs,
      logBytesPerInvocation: config.logBytesPerInvocation,
      stemCells: {
        perRuntime: config.stemCellsPerRuntime,
        runtimes: STEM_RUNTIMES,
        memoryMb: config.stemCellMemoryMb,
        ephemeralStorageMb: STEM_EPHEMERAL_MB,
      },
      identity,
    },
    backend,
    api,
    code,
    layers,
    stemDirs,
    metrics,
    log,
    (entry) => shipper.push(entry),
    tracer,
    new NodeImages(backend, { credentials: config.registries.credentials, idleTtlMs: config.functionImageTtlMs, log }),
  );
  undo.push(
    () => shipper.close(),
    () => pool.close(),
  );
  let draining = false;
  /** The heartbeat, once started (nobody knows the node before its first beat). */
  let announced: Heartbeat | undefined;
  const server = createInternalServer({
    pool,
    provisioner: pool.provisioned,
    registry,
    internalToken: config.internalToken,
    isDraining: () => draining,
    silentSince: (beat) => announced?.silentSince(beat) ?? false,
    log,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  undo.push(() => new Promise((resolve) => server.close(resolve)));
  const port = (server.address() as { port: number }).port;
  const url = `http://${config.host}:${port}`;

  const redis = new Redis(config.redisUrl, {
    maxRetriesPerRequest: 3,
    commandTimeout: config.redisCommandTimeoutMs,
    socketTimeout: config.redisCommandTimeoutMs,
  });
  // ioredis reconnects by itself; the heartbeat reports the beats that fail meanwhile.
  redis.on("error", (err: Error) => log.warn(`redis: ${err.message}`));
  undo.push(() => redis.disconnect());
  // Containers of deleted functions and versions, and of $LATEST's replaced revisions, go at once.
  const retirementListener = listenForRetirements(config.redisUrl, (r) => pool.retire(r), log);
  undo.push(() => retirementListener.close());
  const heartbeat = await startHeartbeat(
    redis,
    { id: config.nodeId, url, capacityMb: config.capacityMb, draining: false },
    log,
    Date.now,
    // Silent long enough, this node looked dead to its peers, which may have removed
    // its containers and network (node/dead-peers.ts): the containers' exits take them
    // out of the pool, and the network is made again here (a network sandbox it had
    // made ahead fails the cold start that takes it, and is replaced).
    (silentMs) => {
      if (config.deadNodeAfterMs > 0 && silentMs > config.deadNodeAfterMs) {
        backend
          .ensureNetwork(network, ownerLabels(config.nodeId))
          .catch((err: Error) => log.warn(`could not make network ${network} again: ${err.message}`));
      }
    },
  );
  announced = heartbeat;
  const sweeper =
    config.deadNodeAfterMs > 0
      ? startDeadPeerSweeper(
          {
            backend,
            lastBeats: async () => {
              const flat = await redis.zrange(nodeRegistry.heartbeatsKey, "0", "-1", "WITHSCORES");
              const beats = new Map<string, number>();
              for (let i = 0; i + 1 < flat.length; i += 2) beats.set(flat[i] as string, Number(flat[i + 1]));
              return beats;
            },
            self: config.nodeId,
            deadAfterMs: config.deadNodeAfterMs,
            removed: metrics.deadNodeLeftoversRemoved,
            log,
          },
          DEAD_NODE_SWEEP_INTERVAL_MS,
        )
      : undefined;

  return {
    nodeId: config.nodeId,
    url,
    pool,
    async close() {
      draining = true;
      // A draining node starts no more provisioned containers; the pool's close removes those it has.
      pool.provisioned.close();
      sweeper?.stop();
      await heartbeat.setDraining(true).catch(() => undefined);
      await drainServer(server, nodeRegistry.drainNoticeMs);
      await heartbeat.stop().catch(() => undefined);
      redis.disconnect();
      retirementListener.close();
      try {
        await pool.close();
        await shipper.close();
        await api.close();
      } finally {
        // The network goes even when a step above failed: it would outlive the node.
        await backend.close();
        await backend
          .removeNetwork(network)
          .catch((err: Error) => log.warn(`could not remove network ${network}: ${err.message}`));
        await firewall?.close();
      }
    },
  };
}
