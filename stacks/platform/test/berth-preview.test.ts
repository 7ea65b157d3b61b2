import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const projectDir = join(__dirname, "..");
const berth = join(projectDir, "..", "..", "packages", "cli", "bin", "berth.cjs");

// What the README's quick start runs, for every environment: the very entry the Pulumi CLI runs.
describe("berth preview of every environment", () => {
  it.each(["dev", "staging", "prod"])(
    "%s previews offline: exit 0, a create plan, the stack outputs",
    async (stack) => {
      const { stdout } = await run(
        process.execPath,
        [berth, "preview", "-C", projectDir, "-s", stack, "--json"],
        {
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      const digest = JSON.parse(stdout) as {
        changeSummary: Record<string, number>;
        diagnostics?: { severity: string }[];
        steps: { newState: { type: string; outputs: Record<string, unknown> } }[];
      };
      expect(digest.changeSummary.create).toBeGreaterThan(15);
      // The environment reads no other stack (the service stacks read it).
      expect(digest.changeSummary.read ?? 0).toBe(0);
      expect((digest.diagnostics ?? []).filter((d) => d.severity === "error")).toEqual([]);
      const root = digest.steps.find((s) => s.newState.type === "pulumi:pulumi:Stack")!;
      expect(root.newState.outputs).toMatchObject({ environment: stack, clusterName: expect.any(String) });
    },
  );
});
