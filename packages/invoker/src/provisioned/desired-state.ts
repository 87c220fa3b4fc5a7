// The desired state a control plane PUTs (@stratus/shared provisioned.ts), read from
// its body and checked before the provisioner takes it: every set needs an id, a
// valid invoke spec (the same schema as an invocation's) and a whole count, 0 or more.
import { errors, InvokeSpecSchema, type ProvisionedSet, type ProvisionedState } from "@stratus/shared";

/** Largest body of a PUT of the desired state. */
export const MAX_STATE_BYTES = 4 * 1024 * 1024;

const refuse = (why: string) => errors.invalidRequestContent(`Invalid provisioned state: ${why}`);

function setOf(raw: unknown, i: number): ProvisionedSet {
  if (typeof raw !== "object" || raw === null) throw refuse(`sets[${i}] is not an object`);
  const { id, spec, count } = raw as Record<string, unknown>;
  if (typeof id !== "string" || id === "") throw refuse(`sets[${i}].id must be a non-empty string`);
  if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
    throw refuse(`sets[${i}].count must be a non-negative integer`);
  }
  const parsed = InvokeSpecSchema.safeParse(spec);
  if (!parsed.success) throw refuse(`sets[${i}].spec: ${parsed.error.issues[0]?.message}`);
  return { id, spec: parsed.data, count };
}

/** The state in `body`; throws InvalidRequestContentException (400) when it is not one. */
export function parseDesiredState(body: Buffer): ProvisionedState {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString("utf8"));
  } catch {
    throw refuse("not JSON");
  }
  const sets = (raw as { sets?: unknown } | null)?.sets;
  if (!Array.isArray(sets)) throw refuse("sets must be an array");
  return { sets: sets.map(setOf) };
}
