import { expectInvalid, runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { Cluster, type ClusterArgs, ec2CapacityProviderName } from "../src/cluster.js";
import { network } from "./service-fixtures.js";

const CP = "aws:ecs/capacityProvider:CapacityProvider";
/** CreateCapacityProvider: up to 255 letters, numbers, hyphens, underscores; no aws/ecs/fargate prefix. */
const VALID_CP_NAME = /^(?!(aws|ecs|fargate))[A-Za-z0-9_-]{1,255}$/i;

describe("Cluster names", () => {
  it.each([["ecs-platform"], ["aws-shared"], ["Fargate-jobs"], ["platform.v2"]])(
    "derives a capacity provider name ECS accepts for a cluster named %s",
    async (name) => {
      // A component name with a dot needs clusterName (ECS refuses the dot in the cluster's auto-name).
      const clusterName = name.includes(".") ? { clusterName: name.replace(".", "-") } : {};
      const run = await runComponent(() => new Cluster(name, { network, ec2: {}, ...clusterName }));
      const cp = run.one(CP);
      const physical = cp.outputs.name as string;
      expect(physical).toMatch(VALID_CP_NAME);
      expect(cp.inputs.name).toBe(physical);
      expect(physical).toMatch(new RegExp(`^cp-${name.replace(".", "-")}-ec2-[0-9a-f]{8}$`));
    },
  );

  it("derives the same name on every run and a different one in another stack", () => {
    const a = ec2CapacityProviderName("ecs-platform", "berth-platform", "dev");
    expect(ec2CapacityProviderName("ecs-platform", "berth-platform", "dev")).toBe(a);
    expect(ec2CapacityProviderName("ecs-platform", "berth-platform", "prod")).not.toBe(a);
  });

  it("keeps Pulumi's auto-name when the component name is already valid (no replacement on upgrade)", async () => {
    const run = await runComponent(() => new Cluster("platform", { network, ec2: {} }));
    const cp = run.one(CP);
    expect(cp.inputs.name).toBeUndefined();
    expect(cp.outputs.name as string).toMatch(/^platform-ec2-/);
  });

  it("uses a given capacity provider name", async () => {
    const run = await runComponent(
      () => new Cluster("ecs", { network, ec2: { capacityProviderName: "platform-prod-ec2" } }),
    );
    expect(run.one(CP).inputs.name).toBe("platform-prod-ec2");
  });

  const cases: [string, unknown, ClusterArgs, RegExp, string][] = [
    ["an empty name", "", {}, /give the component a non-empty name/, "name"],
    [
      "a name with a space",
      "my cluster",
      {},
      /name is "my cluster"; a name starts with a letter or digit/,
      "name",
    ],
    ["a non-ASCII name", "plattform-ü", {}, /only ASCII letters, digits/, "name"],
    [
      "a name with a dot and no clusterName (ECS refuses the dot in the auto-name)",
      "platform.v2",
      {},
      /name is "platform\.v2"; the ECS cluster is named after the component .*or give clusterName/,
      "name",
    ],
    [
      "a name too long for the cluster's auto-name",
      "p".repeat(240),
      {},
      /use at most 239 of those in the component name, or give clusterName/,
      "name",
    ],
    [
      "a capacity provider name with a reserved prefix",
      "platform",
      { network, ec2: { capacityProviderName: "ecs-prod" } },
      /ec2\.capacityProviderName is "ecs-prod"; ECS refuses capacity provider names starting with aws, ecs or fargate/,
      "ec2.capacityProviderName",
    ],
    [
      "a capacity provider name with a dot",
      "platform",
      { network, ec2: { capacityProviderName: "prod.ec2" } },
      /up to 255 letters, numbers, hyphens and underscores/,
      "ec2.capacityProviderName",
    ],
    [
      "a tag key reserved for AWS",
      "platform",
      { tags: { "aws:owner": "team" } },
      /tags\.aws:owner is "aws:owner"; tag keys starting with aws: are reserved/,
      "tags.aws:owner",
    ],
    [
      "a tag value that is not text",
      "platform",
      { tags: { Owner: 3 as unknown as string } },
      /a tag value is text/,
      "tags.Owner",
    ],
  ];

  it.each(cases)("rejects %s before creating anything", async (_title, name, args, message, field) => {
    const err = await expectInvalid(() => new Cluster(name as string, args), message);
    expect(err.field).toBe(field);
    expect(err.message).toMatch(/^berth:cluster:Cluster '/);
  });
});

describe("Cluster physical names", () => {
  it("keeps Pulumi's auto-name for a valid component name and fits ECS's rule", async () => {
    const run = await runComponent(() => new Cluster("platform_v2"));
    const cl = run.one("aws:ecs/cluster:Cluster");
    expect(cl.name).toBe("platform_v2-cluster");
    expect(cl.inputs.name).toBeUndefined();
    expect(cl.outputs.name as string).toMatch(/^platform_v2-cluster-[0-9a-f]{7}$/);
  });

  it("accepts a dotted component name with clusterName, and the longest name that fits", async () => {
    const run = await runComponent(() => new Cluster("platform.v2", { clusterName: "platform-v2" }));
    expect(run.one("aws:ecs/cluster:Cluster").inputs.name).toBe("platform-v2");
    const long = await runComponent(() => new Cluster("p".repeat(239)));
    expect((long.one("aws:ecs/cluster:Cluster").outputs.name as string).length).toBe(255);
  });
});

describe("Cluster ref", () => {
  it("tells services whether Container Insights is on", async () => {
    const on = await runComponent(() => new Cluster("platform").ref);
    expect((on.outputs as Record<string, unknown>).containerInsights).toBe(true);
    const enhanced = await runComponent(() => new Cluster("platform", { containerInsights: "enhanced" }).ref);
    expect((enhanced.outputs as Record<string, unknown>).containerInsights).toBe(true);
    const off = await runComponent(() => new Cluster("platform", { containerInsights: "disabled" }).ref);
    expect((off.outputs as Record<string, unknown>).containerInsights).toBe(false);
  });
});
