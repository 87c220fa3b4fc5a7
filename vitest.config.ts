import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Unit tests sit beside the code; integration tests in tests/ drive real Docker,
// Postgres and Redis and run one file at a time.
export default defineConfig({
  resolve: {
    alias: {
      "@stratus/shared": src("shared"),
      "@stratus/control-plane": src("control-plane"),
      "@stratus/invoker": src("invoker"),
    },
  },
  test: {
    env: { TESTCONTAINERS_RYUK_DISABLED: "true" },
    // Integration files share one Docker engine and two cores: run files one at a time.
    fileParallelism: false,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["packages/*/src/**/*.test.ts", "packages/runtime-images/nodejs/*.test.ts"] },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/**/*.test.ts"],
          globalSetup: ["tests/helpers/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
