import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { runProgram } from "@berth/testing";
import { describe, expect, it } from "vitest";

// Every stack of the repository loaded the way `pulumi preview` / `pulumi up` loads it: the Node.js
// host of @pulumi/pulumi registers ts-node (the vendored 7.0.1 here) with the project's TypeScript
// and tsconfig and TYPE-CHECKS the program. tsx (the offline engine's default) does not, so a type
// error or an import ts-node cannot resolve would pass every other test and still break the CLI.
const stacksDir = join(__dirname, "..", "..");
const projects: [string, string][] = [
  ["platform", "dev"],
  ["shared", "shared"],
  ["service", "dev.hello"],
  ["service", "prod.mailer"],
  ...(existsSync(join(stacksDir, "bootstrap", "Pulumi.yaml"))
    ? readdirSync(join(stacksDir, "bootstrap"))
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .slice(0, 1)
        .map((s) => ["bootstrap", s] as [string, string])
    : []),
];

describe("every stack loads the Pulumi CLI's way (ts-node, type-checked)", () => {
  it.each(projects)(
    "stacks/%s (%s)",
    async (project, stack) => {
      const run = await runProgram({
        projectDir: join(stacksDir, project),
        stack,
        stackConfigOptional: project === "service",
        loader: "pulumi",
      });
      expect(run.error?.message).toBeUndefined();
      expect(run.resources.length).toBeGreaterThan(1);
    },
    // Type-checking a program against the AWS SDK's types takes seconds; a fifth of this is plenty.
    120_000,
  );
});
