// The runtimes Stratus ships, and the local image each one runs in. Adding a runtime
// means adding its folder in packages/runtime-images and a line here.

export const runtimes = {
  "nodejs20.x": { image: "stratus/runtime:nodejs20.x" },
} as const satisfies Record<string, { image: string }>;

export type RuntimeName = keyof typeof runtimes;

export function isRuntime(value: string): value is RuntimeName {
  return Object.hasOwn(runtimes, value);
}
