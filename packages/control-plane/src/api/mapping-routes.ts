// Lambda's event source mapping operations (restJson1, 2015-03-31):
// POST / (202), GET /{UUID}, PUT /{UUID} (202), DELETE /{UUID} (202), and
// GET /?EventSourceArn=&FunctionName=&Marker=&MaxItems= under /2015-03-31/event-source-mappings.
import { Router } from "express";
import { kafkaShape } from "../mappings/kafka/kafka-mappings.js";
import type { MappingService } from "../mappings/mapping-service.js";
import type { Mapping } from "../store/mapping-store.js";
import { callerAccount } from "./auth.js";
import { jsonBody } from "./body.js";
import { page } from "./params.js";
import { route } from "./route.js";

const BASE = "/2015-03-31/event-source-mappings";

export function toMappingShape(m: Mapping, region: string) {
  const common = {
    UUID: m.uuid,
    EventSourceMappingArn: `arn:aws:lambda:${region}:${m.accountId}:event-source-mapping:${m.uuid}`,
    BatchSize: m.config.BatchSize,
    MaximumBatchingWindowInSeconds: m.config.MaximumBatchingWindowInSeconds,
    ...(m.eventSourceArn ? { EventSourceArn: m.eventSourceArn } : {}),
    FunctionArn: `arn:aws:lambda:${region}:${m.accountId}:function:${m.functionName}${m.qualifier ? `:${m.qualifier}` : ""}`,
    LastModified: m.lastModified.getTime() / 1000,
    LastProcessingResult: m.lastProcessingResult,
    State: m.state,
    StateTransitionReason: m.stateTransitionReason,
  };
  if (m.sourceKind === "kafka") return { ...common, ...kafkaShape(m.config) };
  const c = m.config;
  return {
    ...common,
    ...(m.sourceKind === "rabbitmq"
      ? { Queues: c.Queues, SourceAccessConfigurations: c.SourceAccessConfigurations }
      : {}),
    ...(c.FilterCriteria ? { FilterCriteria: c.FilterCriteria } : {}),
    ...(c.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: c.MaximumRetryAttempts } : {}),
    FunctionResponseTypes: c.FunctionResponseTypes ?? [],
    ...(c.ScalingConfig ? { ScalingConfig: c.ScalingConfig } : {}),
  };
}

const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

export function mappingRoutes(mappings: MappingService, region: string): Router {
  const r = Router();
  const shape = (m: Mapping) => toMappingShape(m, region);
  r.post(
    `${BASE}/`,
    route("CreateEventSourceMapping", async (req, res) => {
      res.status(202).json(shape(await mappings.create(callerAccount(res.locals), jsonBody(req))));
    }),
  );
  r.get(
    `${BASE}/`,
    route("ListEventSourceMappings", async (req, res) => {
      const { marker, maxItems } = page(req);
      const functionName = text(req.query.FunctionName);
      const eventSourceArn = text(req.query.EventSourceArn);
      const result = await mappings.list(callerAccount(res.locals), {
        ...(functionName ? { functionName } : {}),
        ...(eventSourceArn ? { eventSourceArn } : {}),
        ...(marker ? { marker } : {}),
        maxItems: Math.min(maxItems, 10_000),
      });
      res.json({
        EventSourceMappings: result.items.map(shape),
        ...(result.nextMarker ? { NextMarker: result.nextMarker } : {}),
      });
    }),
  );
  r.get(
    `${BASE}/:uuid`,
    route("GetEventSourceMapping", async (req, res) => {
      res.json(shape(await mappings.get(callerAccount(res.locals), String(req.params.uuid))));
    }),
  );
  r.put(
    `${BASE}/:uuid`,
    route("UpdateEventSourceMapping", async (req, res) => {
      const m = await mappings.update(callerAccount(res.locals), String(req.params.uuid), jsonBody(req));
      res.status(202).json(shape(m));
    }),
  );
  r.delete(
    `${BASE}/:uuid`,
    route("DeleteEventSourceMapping", async (req, res) => {
      res.status(202).json(shape(await mappings.delete(callerAccount(res.locals), String(req.params.uuid))));
    }),
  );
  return r;
}
