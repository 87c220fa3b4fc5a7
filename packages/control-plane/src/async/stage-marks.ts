// Marks an async event's way through the platform on a diagnostics channel, so that a
// benchmark (or an operator's probe) can cut its time into stages: committed, handed
// to the queue, picked up by a worker, its attempt started, the function invoked, the
// outcome recorded. Nothing is built unless someone subscribes.
import { channel } from "node:diagnostics_channel";

export const ASYNC_STAGE_CHANNEL = "stratus:async:stage";

export type AsyncStage = "accepted" | "queued" | "picked" | "started" | "invoked" | "recorded";

/** What the channel carries: the stage an event `id` reached, at performance.now(). */
export interface AsyncStageMark {
  stage: AsyncStage;
  id: string;
  at: number;
}

const stages = channel(ASYNC_STAGE_CHANNEL);

export function markStage(stage: AsyncStage, id: string): void {
  if (stages.hasSubscribers) stages.publish({ stage, id, at: performance.now() } satisfies AsyncStageMark);
}
