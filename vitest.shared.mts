import { join } from "node:path";
import { defineConfig } from "vitest/config";

/**
 * The vitest settings every package shares (each package's vitest.config.mts extends them).
 *
 * - `isolate: false`: the test files of a worker share one module cache, so the Pulumi SDKs
 *   (most of a test file's start-up) load once per worker instead of once per file. Our tests
 *   keep no state in modules: every offline run sets up Pulumi's runtime afresh.
 * - Timeouts are a guard against a hung run, not a performance budget (`pnpm bench` measures
 *   time); `pnpm test:durations` shows how far below them the tests stay.
 * - `BERTH_TEST_REPORT_DIR=<dir>`: each package also writes `<dir>/<package folder>.json`, the
 *   duration of every test, hook and test-file import (scripts/vitest-durations.mts), read by
 *   `pnpm test:durations`.
 */
const reportDir = process.env.BERTH_TEST_REPORT_DIR;

export default defineConfig({
  test: {
    pool: "forks",
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    ...(reportDir
      ? {
          reporters: ["default", join(import.meta.dirname, "scripts", "vitest-durations.mts")],
        }
      : {}),
  },
});
