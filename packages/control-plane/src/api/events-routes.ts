// EventBridge's awsJson1_1 operations (signing name `events`, POST / with
// X-Amz-Target: AWSEvents.<Op>) on the Stratus endpoint: only requests signed for
// EventBridge reach them, and they answer in EventBridge's shapes and awsJson errors.
// The events module holds the logic.
import type { Logger } from "@stratus/shared";
import type { Router } from "express";
import type { BusUpdate } from "../events/bus-update.js";
import type { EventTags } from "../events/event-tags.js";
import type { Body } from "../events/events-input.js";
import type { PutEvents } from "../events/put-events.js";
import type { RuleService } from "../events/rule-service.js";
import { awsJsonRouter } from "./aws-json-router.js";

const CONTENT_TYPE = "application/x-amz-json-1.1";
const PREFIX = "AWSEvents.";

export function eventsRoutes(
  {
    rules,
    putEvents: events,
    tags,
    buses,
  }: { rules: RuleService; putEvents: PutEvents; tags: EventTags; buses: BusUpdate },
  log: Logger,
): Router {
  type Op = (account: string, b: Body) => unknown;
  const ops: Record<string, Op> = {
    PutRule: rules.putRule,
    DescribeRule: rules.describeRule,
    ListRules: rules.listRules,
    DeleteRule: rules.deleteRule,
    EnableRule: (a, b) => rules.setState(a, b, "ENABLED"),
    DisableRule: (a, b) => rules.setState(a, b, "DISABLED"),
    PutTargets: rules.putTargets,
    RemoveTargets: rules.removeTargets,
    ListTargetsByRule: rules.listTargetsByRule,
    CreateEventBus: rules.createEventBus,
    DeleteEventBus: rules.deleteEventBus,
    DescribeEventBus: rules.describeEventBus,
    UpdateEventBus: buses.updateEventBus,
    ListEventBuses: rules.listEventBuses,
    PutEvents: events.putEvents,
    TestEventPattern: (_a, b) => events.testEventPattern(b),
    ListTagsForResource: tags.listTagsForResource,
    TagResource: tags.tagResource,
    UntagResource: tags.untagResource,
  };
  return awsJsonRouter({ signingName: "events", targetPrefix: PREFIX, contentType: CONTENT_TYPE, ops }, log);
}
