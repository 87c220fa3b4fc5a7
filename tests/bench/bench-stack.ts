// The stack a trigger or workflow bench runs on: the product's async timing (not the
// quick test settings) and one trivial Node.js function, deployed the same way for each.
import { deployFunction } from "../helpers/functions.js";
import { type PlatformOptions, type Stack, startStack } from "../helpers/stack.js";

export interface BenchStack {
  stack: Stack;
  /** The function's name. */
  fn: string;
}

/** Starts a stack and deploys `handler` (index.js, exports.handler) as a nodejs22.x function; stops it if that fails. */
export async function startBenchStack(handler: string, options: PlatformOptions = {}): Promise<BenchStack> {
  const stack = await startStack({}, { productAsyncTiming: true, ...options });
  try {
    const fn = await deployFunction(stack, {
      runtime: "nodejs22.x",
      handler: "index.handler",
      files: { "index.js": handler },
    });
    return { stack, fn };
  } catch (err) {
    await stack.stop();
    throw err;
  }
}
