// createApp wires the Express application from its services. It never listens:
// main.ts (or a test) does. Every Lambda route sits behind SigV4 authentication, and
// no body is read before the request's headers pass it (auth.ts); /healthz, /metrics,
// code links and the token-guarded internal routes do not. Invoke is served ahead of
// this app, on plain node:http, by api/invoke-handler.ts.

import type { ByteBudget, Logger } from "@stratus/shared";
import express from "express";
import type { Registry } from "prom-client";
import type { AlarmOp } from "./alarms/start-alarms.js";
import { adminRoutes } from "./api/admin-routes.js";
import { aliasRoutes } from "./api/alias-routes.js";
import { asyncRoutes } from "./api/async-routes.js";
import { type Authenticator, signedBody } from "./api/auth.js";
import { brokerRoutes } from "./api/broker-routes.js";
import { cloudwatchRoutes } from "./api/cloudwatch-routes.js";
import { codeLinkRoutes } from "./api/code-links.js";
import { errorMiddleware, refuseMalformedPath, unknownOperation } from "./api/error-middleware.js";
import { eventsRoutes } from "./api/events-routes.js";
import { functionRoutes } from "./api/function-routes.js";
import { iamRoutes } from "./api/iam-routes.js";
import { internalRoutes } from "./api/internal-routes.js";
import { layerRoutes } from "./api/layer-routes.js";
import { logRoutes } from "./api/log-routes.js";
import { logsRoutes } from "./api/logs-routes.js";
import { mappingRoutes } from "./api/mapping-routes.js";
import { objectEventReceiverRoutes, objectSourceRoutes } from "./api/object-event-routes.js";
import { policyRoutes } from "./api/policy-routes.js";
import { provisionedRoutes } from "./api/provisioned-routes.js";
import type { QueryOp } from "./api/query-routes.js";
import { type AccessLog, trackRequests } from "./api/request-log.js";
import { s3AuthErrors, s3Routes } from "./api/s3-routes.js";
import { schedulerRoutes } from "./api/scheduler-routes.js";
import { type ScrapeTargetDeps, scrapeTargetRoutes } from "./api/scrape-target-routes.js";
import { secretsRoutes } from "./api/secrets-routes.js";
import { sessionAccess } from "./api/session-access.js";
import { settingsRoutes } from "./api/settings-routes.js";
import { snsRoutes } from "./api/sns-routes.js";
import { sqsRoutes } from "./api/sqs-routes.js";
import { statesRoutes } from "./api/states-routes.js";
import { urlRoutes } from "./api/url-routes.js";
import { usageRoutes } from "./api/usage-routes.js";
import { type ConsoleDeps, consoleRoutes } from "./console/console-routes.js";
import type { BusUpdate } from "./events/bus-update.js";
import type { EventTags } from "./events/event-tags.js";
import type { PutEvents } from "./events/put-events.js";
import type { RuleService } from "./events/rule-service.js";
import type { Access } from "./iam/access.js";
import type { IamOp } from "./iam/iam-service.js";
import type { startLogs } from "./logs/start-logs.js";
import type { Mappings } from "./mappings/start-mappings.js";
import type { ControlPlaneMetrics } from "./metrics.js";
import type { CloudWatchService } from "./monitoring/cloudwatch-service.js";
import type { Objects } from "./objects/start-objects.js";
import type { ProvisionedService } from "./provisioned/provisioned-service.js";
import type { ScheduleService } from "./schedules/schedule-service.js";
import type { SecretService } from "./secrets/secret-service.js";
import type { AliasService } from "./services/alias-service.js";
import type { AsyncService } from "./services/async-service.js";
import type { FunctionService } from "./services/function-service.js";
import type { LayerService } from "./services/layer-service.js";
import type { PolicyService } from "./services/policy-service.js";
import type { SettingsService } from "./services/settings-service.js";
import type { SqsOp } from "./sqs/queue-service.js";
import type { StatesServices } from "./states/start-states.js";
import type { AccountStore } from "./store/account-store.js";
import type { LogStore } from "./store/log-store.js";
import type { UrlForms } from "./urls/url-forms.js";
import type { UrlService } from "./urls/url-service.js";
import type { UsageService } from "./usage/usage-service.js";

export interface AppDeps {
  async: AsyncService;
  accounts: AccountStore;
  authenticate: Authenticator;
  /** Bounds the bytes of all bodies read before their signature is checked. */
  budget: ByteBudget;
  functions: FunctionService;
  layers: LayerService;
  aliases: AliasService;
  policies: PolicyService;
  /** Provisioned concurrency configs (provisioned/). */
  provisioned: ProvisionedService;
  settings: SettingsService;
  schedules: ScheduleService;
  /** EventBridge: rules, targets and buses; PutEvents and TestEventPattern. */
  events: { rules: RuleService; putEvents: PutEvents; tags: EventTags; buses: BusUpdate };
  /** Secrets Manager; undefined when no platform key is configured (its operations are then refused). */
  secrets?: SecretService;
  /** Event source mappings, and the brokers operators registered for them. */
  mappings: Pick<Mappings, "service" | "brokers">;
  /** Bucket triggers: the receiver object stores post to, their sources, and S3's notification configuration. */
  objects: Objects;
  /** SQS: queue and message operations by name (sqs/sqs-service.ts). */
  sqs?: Record<string, SqsOp>;
  /** SNS: topic, subscription and publish operations by name (sns/start-sns.ts). */
  sns?: Record<string, QueryOp>;
  /** Step Functions: state machines and their executions. */
  states: StatesServices;
  /** IAM's operations, and what judges requests signed with execution roles' temporary credentials. */
  iam: { ops: Record<string, IamOp>; access: Access };
  /** Function URL configs, and how their URLs are written. */
  urls: { service: UrlService; forms: UrlForms };
  logs: LogStore;
  /** CloudWatch's metric API (GetMetricData, GetMetricStatistics, ListMetrics) over AWS/Lambda. */
  cloudwatch: CloudWatchService;
  /** CloudWatch's metric alarm operations by name (alarms/start-alarms.ts). */
  alarms: Record<string, AlarmOp>;
  /** Usage reports and quotas (usage/). */
  usage: UsageService;
  /** The web console: its page, sign-in sessions and saved test events (console/). */
  console: ConsoleDeps;
  /** CloudWatch Logs: groups, streams, retention, reading events; ingestion of the invokers' records. */
  cloudWatchLogs: Pick<ReturnType<typeof startLogs>, "service" | "streams" | "reads" | "ingest" | "liveTail" | "tags">;
  registry: Registry;
  metrics: ControlPlaneMetrics;
  region: string;
  internalToken: string;
  log: Logger;
  /** Where each answered request's access line goes (request-log.ts). */
  access: AccessLog;
  /** Prometheus service discovery (GET /metrics/targets). */
  scrapeTargets: Omit<ScrapeTargetDeps, "log">;
  /** Reports whether dependencies (Postgres, Redis) answer. */
  health: () => Promise<boolean>;
}

export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);

  app.get("/healthz", (_req, res) => {
    deps.health().then(
      (ok) => res.status(ok ? 200 : 503).json({ ok }),
      () => res.status(503).json({ ok: false }),
    );
  });
  app.get("/metrics", (_req, res) => {
    deps.registry.metrics().then((text) => res.type(deps.registry.contentType).send(text));
  });

  app.use(scrapeTargetRoutes({ ...deps.scrapeTargets, log: deps.log }));
  app.use(trackRequests(deps.metrics, deps.access));
  app.use(refuseMalformedPath);
  app.use(internalRoutes(deps.functions, deps.logs, deps.internalToken, deps.cloudWatchLogs.ingest));
  app.use(codeLinkRoutes(deps.functions, deps.internalToken));
  // Token-authenticated (the object store's), so ahead of SigV4.
  app.use(objectEventReceiverRoutes(deps.objects));
  app.use(consoleRoutes(deps.console, deps.functions, deps.policies));
  app.use(signedBody(deps.authenticate, deps.budget));
  app.use(s3AuthErrors);
  // S3 is told apart by its signing name, before any path-routed service can see a bucket name.
  app.use(s3Routes(deps.objects, deps.log));
  app.use(sessionAccess(deps.iam.access, deps.region));
  app.use(iamRoutes(deps.iam.ops, deps.log));
  if (deps.sns) app.use(snsRoutes(deps.sns, deps.log));
  app.use(schedulerRoutes(deps.schedules));
  app.use(eventsRoutes(deps.events, deps.log));
  app.use(secretsRoutes(deps.secrets, deps.log));
  app.use(statesRoutes(deps.states, deps.log));
  app.use(sqsRoutes(deps.sqs, deps.log));
  app.use(cloudwatchRoutes(deps.cloudwatch, deps.alarms, deps.log));
  app.use(logsRoutes(deps.cloudWatchLogs, deps.log));
  // Past here, only Lambda's operations: a request signed for another service is not one.
  app.use((_req, res, next) => (res.locals.service === "lambda" ? next() : unknownOperation(_req, res, next)));
  app.use(functionRoutes(deps.functions, deps.settings, deps.region, deps.internalToken));
  app.use(layerRoutes(deps.layers, deps.region, deps.internalToken));
  app.use(aliasRoutes(deps.aliases, deps.region));
  app.use(policyRoutes(deps.policies));
  app.use(provisionedRoutes(deps.provisioned, deps.region));
  app.use(settingsRoutes(deps.settings, deps.region, deps.mappings.service));
  app.use(urlRoutes(deps.urls.service, deps.urls.forms, deps.region));
  app.use(logRoutes(deps.logs));
  app.use(usageRoutes(deps.usage, deps.accounts));
  app.use(mappingRoutes(deps.mappings.service, deps.region));
  app.use(adminRoutes(deps.accounts));
  app.use(brokerRoutes(deps.accounts, deps.mappings.brokers, deps.region));
  app.use(objectSourceRoutes(deps.objects));
  app.use(asyncRoutes(deps.async));
  app.use(unknownOperation);
  app.use(errorMiddleware(deps.log));
  return app;
}
