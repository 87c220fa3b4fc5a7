// An event source mapping's State as Lambda shows it, as a transition table. The API
// moves a mapping into a transitional state (Creating, Enabling, Disabling, Updating,
// Deleting) and the control plane holding its lease settles it (mapping-worker.ts).
// Every edge not listed is refused: the API answers ResourceInUseException, the worker
// treats it as a bug.
//
//   Creating ──started──► Enabled ──disable──► Disabling ──stopped──► Disabled
//   Creating ──stopped──► Disabled ──enable──► Enabling ──started──► Enabled
//   Enabled|Disabled ──update──► Updating ──started|stopped──► Enabled|Disabled
//   any but Deleting ──delete──► Deleting (the holder removes it)
import { StratusError } from "@stratus/shared";
import type { MappingState } from "../store/mapping-types.js";

export type MappingEvent = "enable" | "disable" | "update" | "delete" | "started" | "stopped";

const allowed: Record<MappingState, Partial<Record<MappingEvent, MappingState>>> = {
  Creating: { started: "Enabled", stopped: "Disabled", delete: "Deleting" },
  Enabling: { started: "Enabled", stopped: "Disabled", disable: "Disabling", delete: "Deleting" },
  Enabled: { disable: "Disabling", update: "Updating", delete: "Deleting", started: "Enabled" },
  Disabling: { stopped: "Disabled", enable: "Enabling", delete: "Deleting" },
  Disabled: { enable: "Enabling", update: "Updating", delete: "Deleting", stopped: "Disabled" },
  Updating: { started: "Enabled", stopped: "Disabled", delete: "Deleting" },
  Deleting: {},
};

export const MAPPING_STATES = Object.keys(allowed) as MappingState[];
export const MAPPING_EVENTS: MappingEvent[] = ["enable", "disable", "update", "delete", "started", "stopped"];

/** Where `event` takes a mapping in `state`; throws ResourceInUseException on an edge the table lacks. */
export function transition(state: MappingState, event: MappingEvent): MappingState {
  const next = allowed[state][event];
  if (!next) throw resourceInUse(`Cannot ${event} the event source mapping because it is in use (State ${state}).`);
  return next;
}

/** Lambda's answer to a change of a mapping that is busy changing (400 ResourceInUseException). */
export const resourceInUse = (message: string) =>
  new StratusError("ResourceInUseException", 400, "client", `${message} Try again once it settles.`);

/** Whether a mapping in `state` is on its way somewhere (the lease holder has work to do). */
export const transitional = (state: MappingState) =>
  state === "Creating" || state === "Enabling" || state === "Disabling" || state === "Updating" || state === "Deleting";
