// The test-file form of startStack (vitest hooks), apart from stack.ts so that the
// benchmark, which runs outside vitest, can start stacks too.
import { afterAll, beforeAll } from "vitest";
import { type PlatformOptions, type Stack, startStack } from "./stack.js";

/**
 * A whole stack for a test file: started before its tests and stopped after them
 * (after the file's own afterAll hooks, which run first). The object returned is
 * filled in by this beforeAll, so hooks registered after it and the tests use it
 * like the Stack that startStack returns.
 */
export function useStack(invokerEnv: Record<string, string> = {}, platformOptions: PlatformOptions = {}): Stack {
  const stack = {} as Stack;
  beforeAll(async () => {
    Object.assign(stack, await startStack(invokerEnv, platformOptions));
  }, 120_000);
  afterAll(async () => {
    await stack.stop?.();
  }, 60_000);
  return stack;
}
