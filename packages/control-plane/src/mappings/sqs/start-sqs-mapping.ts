// Runs one SQS mapping held by this control plane: MaximumConcurrency poll loops (5 by
// default, as Lambda starts with five pollers), each long-polling the queue through its
// own poller and sending through one shared sender, with Lambda's SQS rules: no retry
// count of Stratus's own (the queue's redrive policy decides), batches kept whole.
import type { Logger } from "@stratus/shared";
import type { SecretsReader } from "../../secrets/secrets-reader.js";
import type { InvokeService } from "../../services/invoke-service.js";
import type { Mapping } from "../../store/mapping-store.js";
import { createBatchSender } from "../batch-sender.js";
import { type MappingRunner, startMappingRunner } from "../mapping-runner.js";
import { startRunnerGroup } from "../runner-group.js";
import { SourceProblem } from "../source-poller.js";
import { resolveSqsEndpoint, type SqsEndpointEntry } from "./sqs-endpoints.js";
import { sqsArnOf } from "./sqs-input.js";
import { createSqsPoller } from "./sqs-poller.js";

export const SQS_DEFAULT_CONCURRENCY = 5;
/** SQS's longest long poll. */
const LONG_POLL_MS = 20_000;

export function startSqsMapping(
  m: Extract<Mapping, { sourceKind: "sqs" }>,
  report: (result: string) => Promise<void>,
  deps: {
    invoke: InvokeService;
    secrets: SecretsReader | undefined;
    endpoints: readonly SqsEndpointEntry[];
    log: Pick<Logger, "warn">;
  },
): MappingRunner {
  const c = m.config;
  const arn = sqsArnOf(m.eventSourceArn);
  const source = {
    eventSourceArn: m.eventSourceArn,
    arn,
    // Looked up at each connect: the operator's configuration is the truth of the moment.
    endpoint: () => {
      const e = resolveSqsEndpoint(deps.endpoints, arn.region, arn.accountId);
      if (!e)
        throw new SourceProblem(`No SQS endpoint is configured for region ${arn.region} and account ${arn.accountId}.`);
      return e;
    },
  };
  const sender = createBatchSender(deps.invoke, {
    accountId: m.accountId,
    functionName: m.functionName,
    ...(m.qualifier ? { qualifier: m.qualifier } : {}),
    maxRetries: Number.POSITIVE_INFINITY,
    isolateSuspects: false,
    reportItemFailures: c.FunctionResponseTypes?.includes("ReportBatchItemFailures") ?? false,
    ...(c.FilterCriteria ? { filters: c.FilterCriteria.Filters } : {}),
  });
  return startRunnerGroup(m.revision, c.ScalingConfig?.MaximumConcurrency ?? SQS_DEFAULT_CONCURRENCY, () =>
    startMappingRunner(
      m.revision,
      () => createSqsPoller(source, deps.secrets),
      sender,
      report,
      {
        batchSize: c.BatchSize,
        windowMs: c.MaximumBatchingWindowInSeconds * 1000,
        // Each idle take is a long poll already: no backoff on top.
        idle: { baseMs: LONG_POLL_MS, capMs: LONG_POLL_MS },
        errors: { baseMs: 500, capMs: 10_000 },
      },
      deps.log,
    ),
  );
}
