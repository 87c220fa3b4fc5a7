// EventBridge Scheduler's REST-JSON operations (signing name `scheduler`) on the
// Stratus endpoint: only requests signed for Scheduler reach them, and they answer
// in Scheduler's shapes and errors. The schedules module holds the logic.
import { Router } from "express";
import type { ScheduleService } from "../schedules/schedule-service.js";
import { callerAccount } from "./auth.js";
import { jsonBody } from "./body.js";
import { route } from "./route.js";

const q = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const list = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x) => typeof x === "string") : typeof v === "string" ? [v] : [];

export function schedulerRoutes(schedules: ScheduleService): Router {
  const r = Router();
  // Requests signed for another service go on to its routes.
  r.use((_req, res, next) => (res.locals.service === "scheduler" ? next() : next("router")));
  const body = (req: Parameters<typeof jsonBody>[0]) => jsonBody(req) as Record<string, unknown>;

  r.post(
    "/schedules/:name",
    route("CreateSchedule", async (req, res) => {
      res.json(await schedules.create(callerAccount(res.locals), req.params.name as string, body(req)));
    }),
  );
  r.get(
    "/schedules/:name",
    route("GetSchedule", async (req, res) => {
      res.json(await schedules.get(callerAccount(res.locals), req.params.name as string, q(req.query.groupName)));
    }),
  );
  r.put(
    "/schedules/:name",
    route("UpdateSchedule", async (req, res) => {
      res.json(await schedules.update(callerAccount(res.locals), req.params.name as string, body(req)));
    }),
  );
  r.delete(
    "/schedules/:name",
    route("DeleteSchedule", async (req, res) => {
      res.json(await schedules.delete(callerAccount(res.locals), req.params.name as string, q(req.query.groupName)));
    }),
  );
  r.get(
    "/schedules",
    route("ListSchedules", async (req, res) => {
      res.json(
        await schedules.list(callerAccount(res.locals), {
          group: q(req.query.ScheduleGroup),
          prefix: q(req.query.NamePrefix),
          state: q(req.query.State),
          next: q(req.query.NextToken),
          max: q(req.query.MaxResults),
        }),
      );
    }),
  );
  r.post(
    "/schedule-groups/:name",
    route("CreateScheduleGroup", async (req, res) => {
      res.json(await schedules.createGroup(callerAccount(res.locals), req.params.name as string, body(req)));
    }),
  );
  r.get(
    "/schedule-groups/:name",
    route("GetScheduleGroup", async (req, res) => {
      res.json(await schedules.getGroup(callerAccount(res.locals), req.params.name as string));
    }),
  );
  r.delete(
    "/schedule-groups/:name",
    route("DeleteScheduleGroup", async (req, res) => {
      res.json(await schedules.deleteGroup(callerAccount(res.locals), req.params.name as string));
    }),
  );
  r.get(
    "/schedule-groups",
    route("ListScheduleGroups", async (req, res) => {
      res.json(
        await schedules.listGroups(callerAccount(res.locals), {
          prefix: q(req.query.NamePrefix),
          next: q(req.query.NextToken),
          max: q(req.query.MaxResults),
        }),
      );
    }),
  );
  // The ARN is one path segment, its slashes percent-encoded by the SDK.
  r.get(
    /^\/tags\/(.+)$/,
    route("ListTagsForResource", async (req, res) => {
      res.json(await schedules.tags(callerAccount(res.locals), decodeURIComponent(req.params[0] as string)));
    }),
  );
  r.post(
    /^\/tags\/(.+)$/,
    route("TagResource", async (req, res) => {
      res.json(await schedules.tag(callerAccount(res.locals), decodeURIComponent(req.params[0] as string), body(req)));
    }),
  );
  r.delete(
    /^\/tags\/(.+)$/,
    route("UntagResource", async (req, res) => {
      res.json(
        await schedules.untag(
          callerAccount(res.locals),
          decodeURIComponent(req.params[0] as string),
          list(req.query.TagKeys),
        ),
      );
    }),
  );
  return r;
}
