// Bucket triggers' Stratus routes (docs/OBJECT-EVENTS.md):
//   POST /stratus/2026-11-01/object-events/{SourceId}   the receiver MinIO's webhook and
//        Ceph RGW's HTTP push endpoint post to; authenticated by the source's token, not
//        SigV4, and its body read only once the token is good. HEAD answers MinIO's
//        liveness probe.
//   POST   /stratus/2026-11-01/object-sources          {"Name": "minio-main"}: the token, once
//   GET    /stratus/2026-11-01/object-sources
//   DELETE /stratus/2026-11-01/object-sources/{Name}
// The source routes are SigV4-signed, each account managing its own sources.
import { errors, readBody } from "@stratus/shared";
import { Router } from "express";
import { z } from "zod";
import { SOURCE_NAME } from "../objects/object-event-receiver.js";
import type { Objects } from "../objects/start-objects.js";
import { parseInput } from "../services/function-input.js";
import { callerAccount } from "./auth.js";
import { jsonBody } from "./body.js";
import { route } from "./route.js";

export const OBJECT_EVENTS_PATH = "/stratus/2026-11-01/object-events";
const SOURCES_PATH = "/stratus/2026-11-01/object-sources";
/** A notification body: up to 100 records of a few KB each. */
export const OBJECT_EVENTS_BODY_BYTES = 1024 * 1024;

const SourceInput = z.object({ Name: z.string().regex(SOURCE_NAME, "Name must match [a-zA-Z0-9_-]{1,64}") }).strict();

/** The receiver: mounted ahead of SigV4 authentication. */
export function objectEventReceiverRoutes(objects: Pick<Objects, "receiver">): Router {
  const r = Router();
  r.head(
    `${OBJECT_EVENTS_PATH}/:sourceId`,
    route("ProbeObjectEvents", async (req, res) => {
      await objects.receiver.authenticate(String(req.params.sourceId), req.get("authorization"));
      res.status(200).end();
    }),
  );
  r.post(
    `${OBJECT_EVENTS_PATH}/:sourceId`,
    route("ReceiveObjectEvents", async (req, res) => {
      const sourceId = String(req.params.sourceId);
      const accountId = await objects.receiver.authenticate(sourceId, req.get("authorization"));
      res.locals.accountId = accountId;
      req.body = await readBody(req, OBJECT_EVENTS_BODY_BYTES);
      const got = await objects.receiver.receive(accountId, sourceId, jsonBody(req));
      res.status(200).json({ Records: got.records, Invocations: got.invocations });
    }),
  );
  return r;
}

/** Source registration, for the signed caller's own account. */
export function objectSourceRoutes(objects: Pick<Objects, "receiver">): Router {
  const r = Router();
  const endpoint = (sourceId: string) => `${OBJECT_EVENTS_PATH}/${sourceId}`;
  r.post(
    SOURCES_PATH,
    route("CreateObjectEventSource", async (req, res) => {
      const { Name } = parseInput(SourceInput, jsonBody(req));
      const made = await objects.receiver.register(callerAccount(res.locals), Name);
      if (!made) throw errors.conflict(`Object event source already exists: ${Name}`);
      res.status(201).json({ SourceId: made.sourceId, Name, Token: made.token, EndpointPath: endpoint(made.sourceId) });
    }),
  );
  r.get(
    SOURCES_PATH,
    route("ListObjectEventSources", async (_req, res) => {
      const sources = await objects.receiver.list(callerAccount(res.locals));
      res.json({
        Sources: sources.map((s) => ({
          SourceId: s.sourceId,
          Name: s.name,
          EndpointPath: endpoint(s.sourceId),
          CreatedAt: s.createdAt.toISOString(),
        })),
      });
    }),
  );
  r.delete(
    `${SOURCES_PATH}/:name`,
    route("DeleteObjectEventSource", async (req, res) => {
      const name = String(req.params.name);
      if (!(await objects.receiver.remove(callerAccount(res.locals), name))) {
        throw errors.notFound(`Object event source not found: ${name.slice(0, 64)}`);
      }
      res.status(204).end();
    }),
  );
  return r;
}
