import { runComponent } from "@berth/testing";
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { Network } from "../src/index.js";

describe("the stack's aws provider", () => {
  it("reaches awsx's Vpc, which does not inherit it (a remote component), and every child", async () => {
    const run = await runComponent(() => {
      const provider = new aws.Provider("tagged", {
        region: "eu-west-1",
        allowedAccountIds: ["210987654321"],
        defaultTags: { tags: { Project: "berth" } },
      });
      new Network("net", { availabilityZones: 2, natMode: "single" }, { providers: [provider] });
    });
    const provider = run.one("pulumi:providers:aws");
    const ref = `${provider.urn}::${provider.id}`;
    const vpc = run.one("awsx:ec2:Vpc");
    expect(vpc.options.providers).toEqual({ aws: ref });
    expect((vpc.outputs.vpc as { arn: string }).arn).toMatch(/^arn:aws:ec2:eu-west-1:210987654321:vpc\//);
    const custom = run.descendants(run.one("berth:networking:Network")).filter((r) => r.custom);
    expect(custom.length).toBeGreaterThan(0);
    expect(custom.every((r) => r.provider === ref)).toBe(true);
  });
});
