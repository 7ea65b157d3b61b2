import { expectInvalid, runComponent } from "@berth/testing";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { Network } from "../src/index.js";

const STACK = "pulumi:pulumi:Stack";
const PROVIDER = "pulumi:providers:aws";

describe("availability zone names are checked against the region the network deploys to", () => {
  it("rejects zones of another region than the aws:region configuration", async () => {
    const err = await expectInvalid(
      () => new Network("main", { availabilityZones: ["eu-west-1a", "eu-west-1b"] }),
      /availabilityZones\[0\] is "eu-west-1a"; must be a zone of region us-east-2 \(the aws:region stack configuration\)/,
      { config: { "aws:region": "us-east-2" } },
    );
    expect(err.field).toBe("availabilityZones[0]");
  });

  it("rejects zones of another region than an explicit provider's, before the Network registers", async () => {
    for (const opts of [
      (p: aws.Provider) => ({ provider: p }),
      (p: aws.Provider) => ({ providers: [p] }),
      (p: aws.Provider) => ({ providers: { aws: p } }),
      (p: aws.Provider) => ({
        parent: new pulumi.ComponentResource("test:index:Parent", "parent", {}, { providers: [p] }),
      }),
    ]) {
      const run = await runComponent(
        () => {
          const provider = new aws.Provider("eu", { region: "eu-west-1" });
          // The configuration says us-east-1; the provider wins.
          new Network("main", { availabilityZones: ["us-east-1a", "us-east-1b"] }, opts(provider));
        },
        { allowError: true, config: { "aws:region": "us-east-1" } },
      );
      expect(run.error?.name).toBe("BerthValidationError");
      expect(run.error?.field).toBe("availabilityZones[0]");
      expect(run.error?.message).toMatch(
        /availabilityZones\[0\] is "us-east-1a"; must be a zone of region eu-west-1 \(the region of the Network's aws provider\), such as "eu-west-1a"/,
      );
      // Only what the test program itself created: the stack, the provider (and the parent).
      expect(run.find((r) => ![STACK, PROVIDER, "test:index:Parent"].includes(r.type))).toEqual([]);
    }
  });

  it("accepts the explicit provider's zones and adds no dependency for the check", async () => {
    const run = await runComponent(() => {
      const provider = new aws.Provider("eu", { region: "eu-west-1" });
      new Network("main", { availabilityZones: ["eu-west-1a", "eu-west-1c"] }, { providers: [provider] });
    });
    expect(run.one("awsx:ec2:Vpc").inputs.availabilityZoneNames).toEqual(["eu-west-1a", "eu-west-1c"]);
    expect(run.one("berth:networking:Network").dependencies).toEqual([]);
  });

  it("keeps the component's own dependsOn", async () => {
    const run = await runComponent(() => {
      const provider = new aws.Provider("eu", { region: "eu-west-1" });
      const before = new aws.s3.Bucket("before", {}, { provider });
      new Network(
        "main",
        { availabilityZones: ["eu-west-1a", "eu-west-1b"] },
        { providers: [provider], dependsOn: [before] },
      );
    });
    expect(run.one("berth:networking:Network").dependencies).toEqual([run.one("aws:s3/bucket:Bucket").urn]);
  });

  it("checks against the default provider's region when nothing else says", async () => {
    // The offline engine's default provider is in us-east-1.
    const run = await runComponent(
      () => new Network("main", { availabilityZones: ["eu-west-1a", "eu-west-1b"] }),
      {
        allowError: true,
      },
    );
    expect(run.error?.message).toMatch(
      /must be a zone of region us-east-1 \(the default aws provider's region\)/,
    );
    expect(run.find((r) => r.type !== STACK)).toEqual([]);
  });
});

describe("a VPC block outside private address space", () => {
  it("warns (AWS allows it) and still builds the network", async () => {
    const run = await runComponent(
      () => new Network("main", { cidrBlock: "52.10.0.0/16", availabilityZones: 2 }),
    );
    const warnings = run.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message);
    expect(warnings).toContainEqual(
      expect.stringMatching(
        /cidrBlock 52\.10\.0\.0\/16 is public address space \(not RFC 1918 .* nor RFC 6598 100\.64\.0\.0\/10\)/,
      ),
    );
    expect(run.one("awsx:ec2:Vpc").inputs.cidrBlock).toBe("52.10.0.0/16");
  });

  it.each(["10.20.0.0/16", "172.31.0.0/16", "192.168.0.0/20", "100.64.0.0/16"])(
    "does not warn about %s",
    async (cidrBlock) => {
      const run = await runComponent(() => new Network("main", { cidrBlock, availabilityZones: 2 }));
      expect(run.diagnostics.some((d) => /public address space/.test(d.message))).toBe(false);
    },
  );
});
