// The console's own routes: its page and assets (/console/, with / sent there),
// sign-in and sign-out (/console/api/session), the account's function list in one
// answer (the list page's rows), the buckets, the rules of every event bus and the SNS
// subscriptions of every topic that invoke a function (one answer each, the last with
// whether the function's policy lets SNS invoke it), and the saved test events each
// function keeps for everyone in its account. Everything else the console does goes
// to the AWS API routes under its session (session-auth.ts).
import { StratusError } from "@stratus/shared";
import express, { type Request, type Response, Router } from "express";
import { route } from "../api/route.js";
import { functionOfArn, topicArn } from "../arns.js";
import type { FunctionService } from "../services/function-service.js";
import type { PolicyService } from "../services/policy-service.js";
import { serviceMayInvoke } from "../services/service-invoke.js";
import { subscriptionArn } from "../sns/sns-names.js";
import type { ConsoleStore } from "./console-store.js";
import {
  CSRF_COOKIE,
  CSRF_HEADER,
  clearedCookies,
  csrfMatches,
  parseCookies,
  SESSION_COOKIE,
  sessionCookies,
} from "./session-tokens.js";
import type { Session, Sessions } from "./sessions.js";
import { staticConsole } from "./static-files.js";

export interface ConsoleDeps {
  sessions: Sessions;
  store: ConsoleStore;
  /** Where the built console is (packages/console/dist). */
  dir: string;
  /** The region in the ARNs the console's routes answer. */
  region: string;
}

const EVENT_NAME = /^[A-Za-z0-9._-]{1,25}$/;
const MAX_EVENTS_PER_FUNCTION = 50;
const MAX_PAYLOAD_BYTES = 256 * 1024;
/** Functions read from the store per query by the console's list. */
const LIST_PAGE = 1000;

const invalid = (message: string) => new StratusError("InvalidParameterValueException", 400, "client", message);

/** The cookies are Secure when the console is reached over TLS (directly or behind a proxy saying so). */
const overTls = (req: Request) => req.secure || req.get("x-forwarded-proto") === "https";

function jsonOnly(req: Request): Record<string, unknown> {
  if (!req.is("application/json")) throw invalid("The request body must be JSON (Content-Type: application/json)");
  const b = req.body as unknown;
  if (typeof b !== "object" || b === null || Array.isArray(b)) throw invalid("The request body must be a JSON object");
  return b as Record<string, unknown>;
}

export function consoleRoutes(
  deps: ConsoleDeps,
  functions: Pick<FunctionService, "get" | "list">,
  policies: Pick<PolicyService, "allows">,
): Router {
  const r = Router();
  const body = express.json({ limit: MAX_PAYLOAD_BYTES * 2, type: "application/json" });
  const session = async (req: Request, res: Response): Promise<Session> => {
    const c = parseCookies(req.get("cookie"));
    const s = await deps.sessions.check(c.get(SESSION_COOKIE), c.get(CSRF_COOKIE), req.get(CSRF_HEADER));
    res.locals.accountId = s.accountId;
    return s;
  };

  // Express matches "/" and "/console" with or without a trailing slash: only the bare ones go.
  r.get(["/", "/console"], (req, res, next) => {
    if (req.path === "/") res.redirect(302, "/console/");
    else if (req.path === "/console") res.redirect(301, "/console/");
    else next();
  });
  r.use("/console", (_req, res, next) => {
    res.set("cache-control", "no-store");
    next();
  });

  r.post(
    "/console/api/session",
    body,
    route("Console.SignIn", async (req, res) => {
      // JSON only: a cross-site form cannot send it without a preflight this origin never grants.
      const b = jsonOnly(req);
      if (typeof b.accessKeyId !== "string" || typeof b.secretAccessKey !== "string") {
        throw invalid("accessKeyId and secretAccessKey are required");
      }
      const s = await deps.sessions.signIn(b.accessKeyId.trim(), b.secretAccessKey.trim());
      res.locals.accountId = s.accountId;
      res.set("set-cookie", sessionCookies(s.token, { maxAgeSeconds: deps.sessions.ttlSeconds, secure: overTls(req) }));
      res
        .status(201)
        .json({ accountId: s.accountId, accessKeyId: s.accessKeyId, expiresAt: s.expiresAt.toISOString() });
    }),
  );
  r.get(
    "/console/api/session",
    route("Console.Session", async (req, res) => {
      const s = await session(req, res);
      res.json({ accountId: s.accountId, accessKeyId: s.accessKeyId, expiresAt: s.expiresAt.toISOString() });
    }),
  );
  r.delete(
    "/console/api/session",
    route("Console.SignOut", async (req, res) => {
      const c = parseCookies(req.get("cookie"));
      const token = c.get(SESSION_COOKIE);
      // Ended server-side only by its own page; the cookies are cleared in any case.
      if (token && csrfMatches(token, c.get(CSRF_COOKIE), req.get(CSRF_HEADER))) await deps.sessions.signOut(token);
      res.set("set-cookie", clearedCookies(overTls(req)));
      res.status(204).end();
    }),
  );

  // The list page's rows for every function at once: ListFunctions pages of 50 would
  // take twenty round trips for a thousand functions.
  r.get(
    "/console/api/functions",
    route("Console.ListFunctions", async (req, res) => {
      const s = await session(req, res);
      const out: Record<string, unknown>[] = [];
      let marker: string | undefined;
      do {
        const page = await functions.list(s.accountId, marker, LIST_PAGE);
        for (const f of page.items) {
          out.push({
            FunctionName: f.name,
            Runtime: f.runtime || undefined,
            PackageType: f.packageType,
            MemorySize: f.memoryMb,
            LastModified: f.lastModified.toISOString(),
            State: f.state,
          });
        }
        marker = page.nextMarker;
      } while (marker);
      res.json({ Functions: out });
    }),
  );

  // The buckets whose notification configuration invokes the function (S3's own API
  // answers per bucket only: GetBucketNotificationConfiguration).
  r.get(
    "/console/api/functions/:name/bucket-bindings",
    route("Console.ListBucketBindings", async (req, res) => {
      const s = await session(req, res);
      const fn = await functions.get(s.accountId, req.params.name ?? "");
      const found = await deps.store.bucketBindingsOf(s.accountId, fn.name);
      res.json({
        Buckets: found.map((b) => ({
          Bucket: b.bucket,
          Configurations: b.configurations.map((c) => ({
            Id: c.id,
            FunctionArn: c.functionArn,
            Events: c.events,
            ...(c.prefix ? { Prefix: c.prefix } : {}),
            ...(c.suffix ? { Suffix: c.suffix } : {}),
          })),
        })),
      });
    }),
  );

  // The rules of every event bus with a target on the function, in one answer: with
  // EventBridge's API alone it takes ListEventBuses, then ListRules and
  // ListTargetsByRule for each rule of each bus.
  r.get(
    "/console/api/functions/:name/rules",
    route("Console.ListRuleBindings", async (req, res) => {
      const s = await session(req, res);
      const fn = await functions.get(s.accountId, req.params.name ?? "");
      const found = await deps.store.ruleBindingsOf(s.accountId, fn.name);
      res.json({
        Rules: found.map((r) => ({
          Name: r.name,
          EventBusName: r.bus,
          State: r.state,
          ...(r.scheduleExpression ? { ScheduleExpression: r.scheduleExpression } : {}),
          ...(r.eventPattern ? { EventPattern: r.eventPattern } : {}),
          Targets: r.targets.map((t) => ({ Id: t.id, Arn: t.arn })),
        })),
      });
    }),
  );

  // The SNS subscriptions of every topic whose endpoint is the function (SNS's own API
  // lists the whole account's), each with whether the function's policy lets
  // sns.amazonaws.com invoke it for that topic: the check each delivery makes (sns/fanout.ts).
  r.get(
    "/console/api/functions/:name/sns-subscriptions",
    route("Console.ListSnsSubscriptions", async (req, res) => {
      const s = await session(req, res);
      const fn = await functions.get(s.accountId, req.params.name ?? "");
      const found = await deps.store.snsBindingsOf(s.accountId, fn.name);
      const out = [];
      for (const b of found) {
        const topic = topicArn(deps.region, s.accountId, b.topicName);
        const qualifier = functionOfArn(b.endpoint)?.qualifier;
        const allowed = await serviceMayInvoke(
          policies,
          s.accountId,
          { functionName: fn.name, ...(qualifier ? { qualifier } : {}) },
          "sns.amazonaws.com",
          topic,
        );
        out.push({
          SubscriptionArn: subscriptionArn(deps.region, s.accountId, b.topicName, b.id),
          TopicArn: topic,
          Endpoint: b.endpoint,
          ...(b.filterPolicy ? { FilterPolicy: b.filterPolicy } : {}),
          ...(b.filterPolicyScope ? { FilterPolicyScope: b.filterPolicyScope } : {}),
          SnsMayInvoke: allowed,
        });
      }
      res.json({ Subscriptions: out });
    }),
  );

  const EVENTS = "/console/api/functions/:name/test-events";
  r.get(
    EVENTS,
    route("Console.ListTestEvents", async (req, res) => {
      const s = await session(req, res);
      const fn = await functions.get(s.accountId, req.params.name ?? "");
      const events = await deps.store.listTestEvents(s.accountId, fn.name);
      res.json({ TestEvents: events.map((e) => ({ Name: e.name, Payload: e.payload, LastModified: e.updatedAt })) });
    }),
  );
  r.put(
    `${EVENTS}/:event`,
    body,
    route("Console.PutTestEvent", async (req, res) => {
      const s = await session(req, res);
      const name = req.params.event ?? "";
      if (!EVENT_NAME.test(name)) {
        throw invalid("A test event's name is 1 to 25 letters, digits, dots, hyphens or underscores");
      }
      const b = jsonOnly(req);
      if (typeof b.Payload !== "string") throw invalid("Payload (a string of JSON) is required");
      if (Buffer.byteLength(b.Payload) > MAX_PAYLOAD_BYTES) {
        throw invalid(`A test event's payload must be at most ${MAX_PAYLOAD_BYTES} bytes`);
      }
      try {
        JSON.parse(b.Payload);
      } catch {
        throw invalid("A test event's payload must be valid JSON");
      }
      const fn = await functions.get(s.accountId, req.params.name ?? "");
      const saved = await deps.store.putTestEvent(s.accountId, fn.name, name, b.Payload, MAX_EVENTS_PER_FUNCTION);
      if (!saved) throw invalid(`A function keeps at most ${MAX_EVENTS_PER_FUNCTION} saved test events`);
      res.json({ Name: name, Payload: b.Payload });
    }),
  );
  r.delete(
    `${EVENTS}/:event`,
    route("Console.DeleteTestEvent", async (req, res) => {
      const s = await session(req, res);
      const fn = await functions.get(s.accountId, req.params.name ?? "");
      if (!(await deps.store.deleteTestEvent(s.accountId, fn.name, req.params.event ?? ""))) {
        throw new StratusError("ResourceNotFoundException", 404, "client", "No saved test event of that name");
      }
      res.status(204).end();
    }),
  );
  r.use(staticConsole(deps.dir));
  return r;
}
