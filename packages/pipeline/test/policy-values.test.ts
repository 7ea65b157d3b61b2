import { runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { CatalogueDelivery, PullRequestPreviews } from "../src/index.js";
import { allStatements, CONNECTION, deliveryArgs, list } from "./helpers.js";

// Policies are built from resource outputs (ARNs known only at deploy time). A value that reached
// a policy through string formatting instead of pulumi.interpolate/jsonStringify would read
// "Calling [toString] on an [Output<T>]…", which IAM rejects.
describe("policy documents hold real values, not stringified Outputs", () => {
  it("in the catalogue delivery: each build may write exactly to its own log group and its streams", async () => {
    const run = await runComponent(() => new CatalogueDelivery("berth", deliveryArgs()));
    const all = allStatements(run);
    expect(JSON.stringify(all.map((s) => s.statement))).not.toContain("Calling [toString]");
    const logWrites = all.filter((s) => s.statement.Sid === "WriteBuildLogs");
    expect(logWrites.length).toBeGreaterThanOrEqual(3);
    const logGroupArns = run.ofType("aws:cloudwatch/logGroup:LogGroup").map((lg) => lg.outputs.arn as string);
    for (const { statement } of logWrites) {
      const [group, streams] = list(statement.Resource);
      expect(logGroupArns).toContain(group);
      expect(streams).toBe(`${group}:*`);
    }
  });

  it("in the pull-request previews", async () => {
    const run = await runComponent(
      () =>
        new PullRequestPreviews("previews", {
          source: { connectionArn: CONNECTION, repository: "acme/berth" },
          mode: "pulumi",
          previewRoleArns: { "berth-platform/dev": "arn:aws:iam::123456789012:role/berth-preview-dev" },
          state: {
            bucket: "acme-berth-state",
            keyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
          },
        }),
    );
    const all = allStatements(run);
    expect(JSON.stringify(all.map((s) => s.statement))).not.toContain("Calling [toString]");
    const write = all.find((s) => s.statement.Sid === "WriteBuildLogs")!.statement;
    const group = run.one("aws:cloudwatch/logGroup:LogGroup").outputs.arn as string;
    expect(list(write.Resource)).toEqual([group, `${group}:*`]);
  });
});
