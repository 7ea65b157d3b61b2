// The workspace's shared vitest settings (../../vitest.shared.mts says why), and only this package's
// own tests: templates/ holds the tests `berth new` writes into a service, which run there.
import { defineConfig, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.mts";

export default mergeConfig(shared, defineConfig({ test: { include: ["test/**/*.test.ts"] } }));
