// The workflow engine's surface for the rest of the control plane: validate a
// definition, decide an execution's next step from its history, and build the events a
// driver appends from outside (start, task outcomes).
export type { EffectPort, HistoryStore } from "./driver-contract.js";
export { decide, maxHistoryEvents } from "./engine.js";
export { InvalidDefinitionError, StatesFailure } from "./errors.js";
export { MemoryDriver, NEVER } from "./memory-driver.js";
export { executionStartedEvent, functionError, outcomeEvent, type TaskOutcome } from "./outcome-events.js";
export { taskToken } from "./state-task.js";
export type * from "./types.js";
export { validateDefinition } from "./validate.js";
