import { join } from "node:path";
import { runStack } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { evaluate } from "../src/index.js";

const root = join(__dirname, "..", "..", "..");

describe("the stacks offline", () => {
  it.each([
    ["stacks/platform", "prod"],
    ["stacks/shared", "shared"],
    // A service with data links (its database's secret ARN is a plain variable, not a secret).
    ["stacks/service", "prod.orders"],
    ["stacks/service", "prod.hello"],
  ])(
    "%s (%s) has no mandatory violation",
    async (dir, stack) => {
      const run = await runStack(join(root, dir), stack, { stackConfigOptional: true });
      const r = evaluate(run.record, { environment: stack === "shared" ? "prod" : stack.split(".")[0]! });
      expect(
        r.findings.filter((f) => f.level === "mandatory").map((f) => `${f.rule} ${f.name}: ${f.message}`),
      ).toEqual([]);
    },
    120_000,
  );
});
