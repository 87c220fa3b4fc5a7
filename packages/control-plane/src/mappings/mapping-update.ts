// The stored side of Create/UpdateEventSourceMapping, the same for every source once
// its own input rules have run: a new mapping's row (State Creating), and an update
// that moves State by the transition table and is refused if the mapping moved
// meanwhile.
import type { Mapping, MappingSource, MappingStore } from "../store/mapping-store.js";
import { type MappingEvent, resourceInUse, transition } from "./mapping-state.js";

/** The function a mapping invokes, as resolved from FunctionName. */
export interface FunctionTarget {
  name: string;
  qualifier?: string | undefined;
}

/** A new mapping as created (not yet stored): State Creating, revision 1. */
export function newMapping(
  uuid: string,
  accountId: string,
  ref: FunctionTarget,
  source: MappingSource & { eventSourceArn: string },
  enabled: boolean,
): Mapping {
  return {
    ...source,
    uuid,
    accountId,
    functionName: ref.name,
    ...(ref.qualifier ? { qualifier: ref.qualifier } : {}),
    enabled,
    state: "Creating",
    stateTransitionReason: "USER_INITIATED",
    lastProcessingResult: "No records processed",
    revision: 1,
    lastModified: new Date(),
  } as Mapping;
}

/** Stores an update of `m`: a new function (if given), settings and Enabled; State moved by the table. */
export async function storeUpdate<M extends Mapping>(
  store: Pick<MappingStore, "update">,
  m: M,
  change: { ref: FunctionTarget | undefined; config: M["config"]; enabled: boolean | undefined },
): Promise<M> {
  const enabled = change.enabled ?? m.enabled;
  const event: MappingEvent = enabled === m.enabled ? "update" : enabled ? "enable" : "disable";
  const state = transition(m.state, event);
  const patch = {
    functionName: change.ref?.name ?? m.functionName,
    qualifier: change.ref ? change.ref.qualifier : m.qualifier,
    config: change.config,
    enabled,
    state,
  };
  if (!(await store.update(m.accountId, m.uuid, m.state, patch))) {
    throw resourceInUse("The event source mapping changed while this request was made.");
  }
  return { ...m, ...patch, lastModified: new Date() };
}
