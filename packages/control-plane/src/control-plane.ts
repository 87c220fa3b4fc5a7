// Builds a whole control plane from its configuration: Postgres pool (migrated),
// Redis client, stores, services and the Express app, listening on the configured
// address. Used by main.ts and by tests, so both run the same wiring.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { type Logger, type LogSink, nodeRegistry, noTracer, sessionKey, type Tracer, toLogger } from "@stratus/shared";
import { Redis } from "ioredis";
import pg from "pg";
import { collectDefaultMetrics, Registry } from "prom-client";
import { startAlarms } from "./alarms/start-alarms.js";
import { createAuthenticator } from "./api/auth.js";
import { createByteBudget } from "./api/byte-budget.js";
import { createEdgeServer } from "./api/edge-server.js";
import { createInvokeHandler } from "./api/invoke-handler.js";
import { createInvokeStreamHandler } from "./api/invoke-stream-handler.js";
import { accessLog } from "./api/request-log.js";
import { startUrlListener } from "./api/url-listener.js";
import { createApp } from "./app.js";
import { countingEndings, registerAsyncBacklogMetrics } from "./async/backlog-metrics.js";
import { createFinishedHooks } from "./async/finished-hooks.js";
import { functionDeadLetters } from "./async/function-dead-letter.js";
import { createJobRunner } from "./async/job-runner.js";
import { watchWorker } from "./async/keep-alive/worker-watchdog.js";
import type { QueueWorker } from "./async/queue/async-queue.js";
import { createBullMqQueue } from "./async/queue/bullmq-queue.js";
import { startReconciler } from "./async/reconciler.js";
import { startRelay } from "./async/relay.js";
import { bootstrapAdmin } from "./bootstrap-admin.js";
import type { ControlPlaneConfig } from "./config.js";
import { startConsole } from "./console/start-console.js";
import { startEvents } from "./events/start-events.js";
import { startIam } from "./iam/start-iam.js";
import { startImagePreparer } from "./images/image-preparer.js";
import { localImageOn, pullOnNode } from "./images/node-pulls.js";
import { createRegistryClient } from "./images/registry-client.js";
import { createLambdaControlPlaneMetrics } from "./lambda-metrics.js";
import { createFunctionLayers } from "./layers/function-layers.js";
import { startLogs } from "./logs/start-logs.js";
import { startMappings } from "./mappings/start-mappings.js";
import { createControlPlaneMetrics } from "./metrics.js";
import { createCloudWatchService } from "./monitoring/cloudwatch-service.js";
import { createMetricCounters } from "./monitoring/metric-counters.js";
import { liveReplicas, startReplicaHeartbeat } from "./monitoring/replica-registry.js";
import { scrapeTargets } from "./monitoring/scrape-targets.js";
import { startObjects } from "./objects/start-objects.js";
import { startProvisioned } from "./provisioned/start-provisioned.js";
import { createRedisConcurrencyLimiter } from "./routing/concurrency.js";
import { countThrottles } from "./routing/counted-limiter.js";
import { watchInFlight } from "./routing/in-flight.js";
import { createInvokerClient } from "./routing/invoker-client.js";
import { createLingeringLimiter } from "./routing/lingering-limiter.js";
import { createRedisNodeDirectory } from "./routing/node-directory.js";
import { createRetirementNotices } from "./routing/retirement-notices.js";
import { startScheduleFirer } from "./schedules/schedule-firer.js";
import { createScheduleService } from "./schedules/schedule-service.js";
import { startSecrets } from "./secrets/start-secrets.js";
import { createAliasService } from "./services/alias-service.js";
import { countingReceived, createAsyncService } from "./services/async-service.js";
import { createConcurrencyRules, NOTICED_RESERVATIONS_MS } from "./services/concurrency-rules.js";
import { createFunctionService } from "./services/function-service.js";
import { createInvokeService } from "./services/invoke-service.js";
import { createLayerService } from "./services/layer-service.js";
import { createPolicyService } from "./services/policy-service.js";
import { createSettingsService } from "./services/settings-service.js";
import { startSns } from "./sns/start-sns.js";
import { startSqs } from "./sqs/sqs-service.js";
import { startStates } from "./states/start-states.js";
import { createPgAccountStore } from "./store/account-store.js";
import { createPgAliasStore } from "./store/alias-store.js";
import { createPgAsyncStore } from "./store/async-store.js";
import { createCachedFunctionStore } from "./store/cached-function-store.js";
import { createCachedSettingsStore } from "./store/cached-settings-store.js";
import { createPgFunctionStore } from "./store/function-store.js";
import { createPgLayerStore } from "./store/layer-store.js";
import { createPgLogStore } from "./store/log-store.js";
import { addCounters } from "./store/metric-counter-store.js";
import { createPgMetricStore } from "./store/metric-store.js";
import { migrate } from "./store/migrate.js";
import { bounded } from "./store/pg-helpers.js";
import { createPgListener } from "./store/pg-listener.js";
import { createPgPolicyStore } from "./store/policy-store.js";
import { createPgScheduleStore } from "./store/schedule-store.js";
import { createPgSettingsStore, RESERVATIONS_CHANNEL } from "./store/settings-store.js";
import { createMachineRefs } from "./store/sfn-machine-refs.js";
import { createPgMachineStore } from "./store/sfn-machine-store.js";
import { createPgUrlStore } from "./store/url-store.js";
import { createUrlService } from "./urls/url-service.js";
import { startUsageMetering } from "./usage/usage-metering.js";

export interface RunningControlPlane {
  url: string;
  /** The function URL listener as clients reach it (STRATUS_URL_BASE, or where it listens). */
  urlEndpoint: string;
  /** The async queue worker now running, if this control plane has one (diagnostics, fault tests). */
  asyncWorker(): QueueWorker | undefined;
  close(): Promise<void>;
}

/** How often a control plane looks for image functions left Pending or updating (a create or update wakes it at once). */
const IMAGE_SETTLE_INTERVAL_MS = 5_000;

/** Warns loudly when Redis could drop queued work (AOF off or an evicting policy). */
async function checkRedis(redis: Redis, log: Logger): Promise<void> {
  try {
    const [, policy] = (await redis.config("GET", "maxmemory-policy")) as string[];
    const [, aof] = (await redis.config("GET", "appendonly")) as string[];
    if (policy !== "noeviction") log.warn(`WARNING: Redis maxmemory-policy is ${policy}; Stratus needs noeviction`);
    if (aof !== "yes") log.warn("WARNING: Redis appendonly is off; queued work may be lost on a Redis crash");
  } catch (err) {
    log.warn(`WARNING: could not check Redis settings (${(err as Error).message})`);
  }
}

/** `logTo`: the process's logger, or console or a test's fake (consoleLogger). */
export async function startControlPlane(
  config: ControlPlaneConfig,
  logTo: Logger | LogSink,
  /** Where the platform's own spans go (main.ts builds it from config.tracing); none by default. */
  tracer: Tracer = noTracer,
): Promise<RunningControlPlane> {
  const log = toLogger(logTo);
  // Waiting for a connection is bounded like a statement: a new connection to a
  // server that accepts but never answers, or a pool whose connections all hang,
  // would otherwise hold the caller for ever.
  // Statements prepared by name (an async attempt's, async-attempts.ts) are still
  // planned for each run's own values: a plan made once for any values may read a
  // whole table it took for small when it was made.
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    max: 20,
    connectionTimeoutMillis: config.dbStatementTimeoutMs,
    options: "-c plan_cache_mode=force_custom_plan",
  });
  // An idle client whose connection breaks (Postgres restarted, a partition ended by a
  // reset) is dropped and reported here; with no listener the report would be an
  // uncaught error, and the process would exit.
  pool.on("error", (err: Error) => log.warn(`postgres (idle connection): ${err.message}`));
  await migrate(pool);
  // Commands on a request's path are bounded: against a Redis that hangs without
  // closing the connection (stopped, a frozen proxy, a dropped flow) a command fails
  // after the timeout, and a connection that long silent under commands is replaced.
  const redisBounds = { commandTimeout: config.redisCommandTimeoutMs, socketTimeout: config.redisCommandTimeoutMs };
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3, lazyConnect: false, ...redisBounds });
  // ioredis reconnects by itself; without a listener each failed attempt is an unhandled error event.
  redis.on("error", (err: Error) => log.warn(`redis: ${err.message}`));
  await checkRedis(redis, log);

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = createControlPlaneMetrics(registry);
  const accounts = createPgAccountStore(pool, config.dbStatementTimeoutMs);
  const functionStore = createCachedFunctionStore(createPgFunctionStore(pool, config.dbStatementTimeoutMs));
  const aliasStore = createPgAliasStore(pool, config.dbStatementTimeoutMs);
  const settingsStore = createCachedSettingsStore(createPgSettingsStore(pool, config.dbStatementTimeoutMs));
  const aliases = createAliasService(aliasStore, functionStore, config.region);
  const nodes = createRedisNodeDirectory(redis, nodeRegistry.listCacheMs, Date.now, nodeRegistry.listRefreshMs);
  // Requests in flight to a node that stops heartbeating fail then, not at the function's timeout.
  const invoker = watchInFlight(createInvokerClient(config.internalToken), nodes, { log });
  const limiter = createLingeringLimiter(createRedisConcurrencyLimiter(redis));
  // CloudWatch's counter metrics, written off the request path (monitoring/metric-counters.ts).
  const counters = createMetricCounters(
    (rows) => addCounters(bounded(pool, config.dbStatementTimeoutMs), rows),
    log,
    registry,
  );
  const lambdaMetrics = createLambdaControlPlaneMetrics(registry, config.maxFunctionSeries);
  const counted = countThrottles(limiter, (req, reason) => {
    metrics.throttles.inc({ account: req.accountId, function: req.functionName, reason });
    lambdaMetrics.throttle(req);
    counters.record({
      accountId: req.accountId,
      functionName: req.functionName,
      resource: req.qualifier ?? "",
      metric: "Throttles",
    });
  });
  // Postgres announces every changed reservation (migration 038): an account's are kept
  // here between announcements while they are heard, not read again every second.
  const concurrencyRules = createConcurrencyRules(settingsStore, counted, config.accountConcurrency, 1_000, Date.now, {
    listening: () => reservationNotices.listening(),
    cacheMs: NOTICED_RESERVATIONS_MS,
  });
  const reservationNotices = createPgListener(
    pool,
    RESERVATIONS_CHANNEL,
    {
      notice: (accountId) => concurrencyRules.forget(accountId),
      heard: () => concurrencyRules.forgetAll(),
      lost: () => concurrencyRules.forgetAll(),
    },
    log,
    "concurrency limits",
  );
  reservationNotices.start();
  const announceRetired = createRetirementNotices(redis, log);
  // A reservation changed, or deleted with its function, here applies to this control
  // plane's next invoke; invokers remove the containers of what can no longer run.
  const layerStore = createPgLayerStore(pool, config.dbStatementTimeoutMs);
  // Image functions go Active once their image is resolved to a digest and pulled on the nodes.
  const images = startImagePreparer({
    store: functionStore,
    registry: createRegistryClient(config.registries),
    nodes,
    pull: (node, image) => pullOnNode(node, image, config.internalToken),
    localImage: (node, image) => localImageOn(node, image, config.internalToken),
    localImages: config.registries.localImages,
    retired: announceRetired,
    log,
    intervalMs: IMAGE_SETTLE_INTERVAL_MS,
  });
  const iam = startIam(pool, config);
  const functions = createFunctionService(
    functionStore,
    aliasStore,
    settingsStore,
    config.region,
    (retired) => {
      if (retired.version === undefined) concurrencyRules.forget(retired.accountId);
      announceRetired(retired);
    },
    createFunctionLayers(layerStore, config.region),
    images,
    iam.roleCheck,
    // Started below; asked only when a request names a DeadLetterConfig queue or topic.
    {
      queues: { fault: (accountId, arn) => sqs.refs.fault(accountId, arn) },
      topics: { fault: (accountId, arn) => sns.topics.fault(accountId, arn) },
    },
  );
  // SQS: its queues take async destinations and the dead letters of rules and schedules.
  const sqs = startSqs(pool, { ...config, log });
  const settings = createSettingsService(
    settingsStore,
    functionStore,
    config.region,
    config.accountConcurrency,
    concurrencyRules.forget,
    sqs.refs,
    // Started below; asked only when a request names an SNS destination.
    { fault: (accountId, arn) => sns.topics.fault(accountId, arn) },
  );
  const provisioned = startProvisioned(pool, {
    functions: functionStore,
    aliases: aliasStore,
    settings: settingsStore,
    nodes,
    config,
    log,
  });
  const policies = createPolicyService(createPgPolicyStore(pool, config.dbStatementTimeoutMs), config.region);
  const metering = startUsageMetering(pool, config, registry, log);
  const invoke = createInvokeService(
    functions,
    aliases,
    nodes,
    invoker,
    config.region,
    concurrencyRules,
    tracer,
    metering,
  );
  // Execution roles' temporary credentials are checked with a key derived from the token invokers share;
  // the web console's sessions stand in for a signature on the same routes (console/session-auth.ts).
  const signed = createAuthenticator(accounts, Date.now, sessionKey(config.internalToken));
  const consoleSide = startConsole(pool, accounts, signed, config);
  const authenticate = consoleSide.authenticate;
  const sessions = { access: iam.access, region: config.region };
  // One budget for every body read before its signature is checked, invoke's and the app's.
  const budget = createByteBudget(config.edge.unverifiedBodyBytes);
  // Its statements get as long as a job's step: a statement stuck on a connection that
  // stopped answering fails then, instead of holding every caller batched behind it.
  const asyncStore = countingEndings(createPgAsyncStore(pool, config.async.workerStallMs), registry);
  registerAsyncBacklogMetrics(registry, bounded(pool, config.dbStatementTimeoutMs), redis, log);
  // The producer's commands are bounded like the rest; each queue worker's connection
  // is not (its fetch blocks; the job deadline bounds each job instead).
  const queue = createBullMqQueue({ redisUrl: config.redisUrl, commandTimeoutMs: config.redisCommandTimeoutMs, log });
  const relay = startRelay(asyncStore, queue, log);
  // SNS: topics whose messages go to functions (on the async path) and queues; rules,
  // schedules, alarms and async destinations and dead letters publish to them.
  const sns = startSns(
    pool,
    { functions, policies, settings: settingsStore, queues: sqs.refs, relay, registry },
    { ...config, log },
  );
  const asyncService = countingReceived(
    createAsyncService(asyncStore, functions, settingsStore, relay, tracer),
    counters,
  );
  const runner = { ...config.async, region: config.region, stepMs: config.async.workerStallMs };
  const finished = createFinishedHooks();
  const worker =
    config.async.concurrency > 0
      ? watchWorker(
          (activity) =>
            queue.startWorker(
              createJobRunner(asyncStore, queue, invoke, runner, log, {
                activity,
                givenUp: metrics.asyncJobsGivenUp,
                counters,
                lambda: lambdaMetrics,
                finished,
                deadLetterTarget: functionDeadLetters(functions),
                published: sns.published,
              }),
              config.async.concurrency,
            ),
          {
            intervalMs: config.async.watchdogIntervalMs,
            restarts: metrics.asyncWorkerRestarts,
            log,
            stall: { afterMs: config.async.workerStallMs, dueJobs: queue.dueJobs },
            // A replaced worker gets as long again to finish its jobs and let go.
            retireGraceMs: config.async.workerStallMs,
          },
        )
      : undefined;
  const reconciler = startReconciler(
    asyncStore,
    queue,
    { intervalMs: config.async.reconcileIntervalMs, staleSeconds: config.async.staleSeconds },
    metrics.asyncRequeued,
    log,
  );
  const scheduleStore = createPgScheduleStore(pool);
  // Rules' and schedules' targets may name state machines (started by the states module below).
  const machineRefs = createMachineRefs(createPgMachineStore(pool, config.dbStatementTimeoutMs), config.region);
  const startsDue = () => states.startsDue();
  const schedules = createScheduleService(
    scheduleStore,
    functions,
    config.region,
    undefined,
    sqs.refs,
    machineRefs,
    sns.topics,
  );
  const firer = startScheduleFirer(
    scheduleStore,
    relay,
    { intervalMs: config.async.schedulePollMs, region: config.region },
    { fired: metrics.scheduleTicksFired, skipped: metrics.scheduleTicksSkipped },
    log,
  );
  // EventBridge: its scheduled rules fire through the same loop and async path as schedules.
  const events = startEvents(pool, functions, relay, registry, metrics, {
    ...config,
    log,
    queues: sqs.refs,
    machines: machineRefs,
    topics: sns.topics,
    startsDue,
    published: sns.published,
  });
  const secrets = startSecrets(pool, { ...config, log });
  // CloudWatch metric alarms: their API, and the loop that evaluates them (actions go on the async path).
  const alarms = startAlarms(
    pool,
    { functions, settings: settingsStore, relay, registry, topics: sns.topics },
    { ...config, log },
  );
  const access = accessLog(log, config.accessLog);
  // Event source mappings: the API, and pollers for the mappings whose leases this control plane holds.
  const mappings = startMappings(pool, invoke, secrets.reader, { ...config, log });
  const cloudWatchLogs = startLogs(pool, { ...config, log });
  // Bucket triggers: S3-compatible stores' notifications, delivered on the async path.
  const objects = startObjects(
    pool,
    {
      functions,
      policies,
      settings: settingsStore,
      relay,
      queues: sqs.refs,
      topics: sns.topics,
      published: sns.published,
    },
    { ...config, log },
  );
  // Step Functions: its tasks run on the async path, whose end each job tells `finished`.
  const states = startStates(
    pool,
    functions,
    relay,
    finished,
    { messages: sqs.taskMessages, events: events.putEvents, sns },
    { ...config, log },
  );
  const invokeHandler = createInvokeHandler({
    invoke,
    async: metering.quotaChecked(asyncService),
    policies,
    sessions,
    authenticate,
    budget,
    metrics,
    log,
    access,
  });
  const invokeStreamHandler = createInvokeStreamHandler({
    invoke,
    policies,
    sessions,
    authenticate,
    budget,
    metrics,
    log,
    access,
  });
  const urls = createUrlService(createPgUrlStore(pool, config.dbStatementTimeoutMs), functions, config.region);
  const urlListener = await startUrlListener(config, {
    urls,
    invoke,
    policies,
    accounts,
    budget,
    registry,
    log,
    access,
    sessionKey: sessionKey(config.internalToken),
    principals: sessions,
  });
  await bootstrapAdmin(accounts, config.bootstrapKeyFile, log);
  const app = createApp({
    async: asyncService,
    accounts,
    authenticate,
    budget,
    functions,
    layers: createLayerService(layerStore, config.region),
    aliases,
    policies,
    provisioned: provisioned.service,
    settings,
    schedules,
    events,
    secrets: secrets.service,
    sqs: sqs.ops,
    sns: sns.ops,
    mappings,
    objects,
    states,
    iam,
    urls: { service: urls, forms: urlListener.forms },
    logs: createPgLogStore(pool, config.dbStatementTimeoutMs),
    cloudwatch: createCloudWatchService(createPgMetricStore(bounded(pool, config.dbStatementTimeoutMs))),
    alarms: alarms.ops,
    usage: metering.service,
    console: consoleSide.deps,
    cloudWatchLogs,
    registry,
    metrics,
    scrapeTargets: {
      token: config.metricsToken,
      targets: async () => scrapeTargets(await liveReplicas(redis), await nodes.liveNodes()),
    },
    region: config.region,
    internalToken: config.internalToken,
    log,
    access,
    health: async () => {
      await bounded(pool, config.dbStatementTimeoutMs).query("SELECT 1");
      return (await redis.ping()) === "PONG";
    },
  });

  const server = createEdgeServer(config.edge, (req, res) => {
    if (!invokeHandler(req, res) && !invokeStreamHandler(req, res)) app(req, res);
  });
  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const replica = {
    id: `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`,
    target: `${config.advertiseHost}:${port}`,
  };
  const heartbeat = startReplicaHeartbeat(redis, replica, log);
  return {
    url: `http://${config.host}:${port}`,
    urlEndpoint: urlListener.base,
    asyncWorker: () => worker?.current(),
    async close() {
      await heartbeat.stop();
      // Live tails never end on their own: ended first, or the server would wait for them.
      cloudWatchLogs.liveTail.closeAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await urlListener.close();
      reconciler.stop();
      await images.stop();
      await firer.stop();
      await mappings.stop();
      await events.stop();
      await secrets.stop();
      await alarms.stop();
      await sns.stop();
      await sqs.stop();
      await cloudWatchLogs.stop();
      await states.stop();
      await relay.stop();
      provisioned.reconciler.close();
      await worker?.close();
      await queue.close();
      await invoker.close();
      nodes.close();
      await reservationNotices.stop();
      await metering.close();
      await counters.close();
      await limiter.close().catch(() => undefined);
      redis.disconnect();
      await pool.end();
    },
  };
}
