import { describe, expect, it } from "vitest";
import { physicalName, synthesizeAws, synthesizeAwsxVpc } from "../src/index.js";

const ctx = { region: "eu-west-1", account: "111122223333", partition: "aws" };

describe("physical names", () => {
  it("keep a given name and auto-name the rest like Pulumi, within AWS's length limits", () => {
    expect(physicalName("aws:ecs/cluster:Cluster", "main", { name: "platform" }, ctx)).toBe("platform");
    expect(physicalName("aws:ecs/cluster:Cluster", "main", {}, ctx)).toMatch(/^main-[0-9a-f]{7}$/);
    expect(physicalName("aws:lb/targetGroup:TargetGroup", "a".repeat(24), {}, ctx)).toHaveLength(32);
    expect(() => physicalName("aws:lb/targetGroup:TargetGroup", "a".repeat(25), {}, ctx)).toThrow(
      /name 'a{25}' plus 7 random chars is longer than maximum length 32/,
    );
    expect(physicalName("aws:s3/bucket:Bucket", "Access_Logs", {}, ctx)).toMatch(/^access-logs-[0-9a-f]{7}$/);
  });
});

describe("synthesized AWS state", () => {
  it("uses the region and account in ARNs and keeps the inputs", () => {
    const topic = synthesizeAws("aws:sns/topic:Topic", "alerts", { name: "alerts", fifoTopic: false }, ctx);
    expect(topic.id).toBe("arn:aws:sns:eu-west-1:111122223333:alerts");
    expect(topic.state.fifoTopic).toBe(false);
    const alb = synthesizeAws(
      "aws:alb/loadBalancer:LoadBalancer",
      "web",
      { name: "web", internal: true },
      ctx,
    );
    expect(alb.state.dnsName).toMatch(/^internal-web-\d{10}\.eu-west-1\.elb\.amazonaws\.com$/);
    expect(alb.state.zoneId).toBe("Z32O12XQLNTSW2");
  });

  it("derives task definition revisions and ECS service ARNs from their inputs", () => {
    const td = synthesizeAws("aws:ecs/taskDefinition:TaskDefinition", "api", { family: "api" }, ctx);
    expect(td.state.arn).toBe("arn:aws:ecs:eu-west-1:111122223333:task-definition/api:1");
    const svc = synthesizeAws(
      "aws:ecs/service:Service",
      "api",
      { name: "api", cluster: "arn:aws:ecs:eu-west-1:111122223333:cluster/platform" },
      ctx,
    );
    expect(svc.id).toBe("arn:aws:ecs:eu-west-1:111122223333:service/platform/api");
  });

  it("gives ACM certificates a DNS validation record per domain", () => {
    const cert = synthesizeAws(
      "aws:acm/certificate:Certificate",
      "site",
      { domainName: "example.com", subjectAlternativeNames: ["*.example.com", "example.com"] },
      ctx,
    );
    const options = cert.state.domainValidationOptions as {
      domainName: string;
      resourceRecordType: string;
    }[];
    expect(options.map((o) => o.domainName)).toEqual(["example.com", "*.example.com"]);
    expect(options.every((o) => o.resourceRecordType === "CNAME")).toBe(true);
  });

  it("gives unknown types a stable id and, when named, an ARN of the usual shape", () => {
    const a = synthesizeAws("aws:glue/job:Job", "etl", {}, ctx);
    expect(a.state.arn).toMatch(/^arn:aws:glue:eu-west-1:111122223333:job\/etl-[0-9a-f]{7}$/);
    expect(synthesizeAws("aws:glue/job:Job", "etl", {}, ctx)).toEqual(a);
  });
});

describe("awsx:ec2:Vpc synthesis", () => {
  it("uses explicit AZ names and the OnePerAz default: a NAT gateway per AZ", () => {
    const { state } = synthesizeAwsxVpc(
      "net",
      {
        cidrBlock: "10.1.0.0/16",
        availabilityZoneNames: ["eu-west-1a", "eu-west-1b"],
        subnetSpecs: [
          { type: "Public", cidrMask: 24 },
          { type: "Private", cidrMask: 20 },
        ],
      },
      ctx,
    );
    expect(state.natGateways).toHaveLength(2);
    expect(state.eips).toHaveLength(2);
    expect((state.subnets as { availabilityZone: string }[]).map((s) => s.availabilityZone)).toEqual([
      "eu-west-1a",
      "eu-west-1a",
      "eu-west-1b",
      "eu-west-1b",
    ]);
  });

  it("creates no NAT gateway with strategy None, nor an internet gateway without public subnets", () => {
    const { state } = synthesizeAwsxVpc(
      "net",
      {
        numberOfAvailabilityZones: 2,
        natGateways: { strategy: "None" },
        subnetSpecs: [{ type: "Isolated", cidrMask: 24 }],
      },
      ctx,
    );
    expect(state.natGateways).toEqual([]);
    expect(state.internetGateway).toBeUndefined();
    expect(state.isolatedSubnetIds).toHaveLength(2);
  });

  it("fails when the subnet specs do not fit in an AZ's share of the VPC", () => {
    expect(() =>
      synthesizeAwsxVpc(
        "net",
        {
          cidrBlock: "10.0.0.0/24",
          numberOfAvailabilityZones: 2,
          subnetSpecs: [{ type: "Private", cidrMask: 24 }],
        },
        ctx,
      ),
    ).toThrow(/does not fit/);
  });
});
