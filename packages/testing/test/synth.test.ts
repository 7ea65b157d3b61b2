import { describe, expect, it } from "vitest";
import { amazonIpv6Block, ipv6SubnetBlock } from "../src/aws.js";
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

describe("IPv6 synthesis", () => {
  it("gives a VPC that asks for one an Amazon-provided /56, stable per VPC, region and account", () => {
    const vpc = synthesizeAws("aws:ec2/vpc:Vpc", "net", { assignGeneratedIpv6CidrBlock: true }, ctx);
    expect(vpc.state.ipv6CidrBlock).toMatch(/^2600:1f[0-9a-f]{2}:[0-9a-f]{1,4}:[1-9a-f][0-9a-f]?00::\/56$/);
    expect(vpc.state.ipv6AssociationId).toMatch(/^vpc-cidr-assoc-[0-9a-f]{17}$/);
    expect(vpc.state.ipv6CidrBlockNetworkBorderGroup).toBe("eu-west-1");
    expect(synthesizeAws("aws:ec2/vpc:Vpc", "net", { assignGeneratedIpv6CidrBlock: true }, ctx)).toEqual(vpc);
    expect(synthesizeAws("aws:ec2/vpc:Vpc", "net", {}, ctx).state.ipv6CidrBlock).toBeUndefined();
    const blocks = new Set(["a", "b", "c", "d", "e", "f", "g", "h"].map((n) => amazonIpv6Block(n)));
    expect(blocks.size).toBe(8);
  });

  it("numbers a /56's /64s in the last byte of the fourth group, like awsx", () => {
    expect(ipv6SubnetBlock("2600:1f18:abcd:ef00::/56", 0)).toBe("2600:1f18:abcd:ef00::/64");
    expect(ipv6SubnetBlock("2600:1f18:abcd:ef00::/56", 5)).toBe("2600:1f18:abcd:ef05::/64");
    expect(ipv6SubnetBlock("2600:1f18:abcd:ef00::/56", 255)).toBe("2600:1f18:abcd:efff::/64");
    expect(() => ipv6SubnetBlock("2600:1f18:abcd:ef00::/56", 256)).toThrow(/0-255/);
    expect(() => ipv6SubnetBlock("10.0.0.0/16", 0)).toThrow(/not an IPv6 \/56/);
  });

  it("gives awsx subnets that assign IPv6 a /64 each: zone index plus zone count per subnet before it", () => {
    const { state } = synthesizeAwsxVpc(
      "net",
      {
        assignGeneratedIpv6CidrBlock: true,
        availabilityZoneNames: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
        subnetSpecs: [
          { type: "Private", cidrMask: 20 },
          { type: "Public", cidrMask: 22 },
          { type: "Isolated", cidrMask: 22, assignIpv6AddressOnCreation: false },
        ],
      },
      ctx,
    );
    const vpcBlock = (state.vpc as { ipv6CidrBlock: string }).ipv6CidrBlock;
    const byName = Object.fromEntries(
      (
        state.subnets as {
          tags: { Name: string };
          ipv6CidrBlock?: string;
          assignIpv6AddressOnCreation: boolean;
        }[]
      ).map((s) => [s.tags.Name, s]),
    );
    // Public subnets are created first in each zone (indexes 0-2), private ones next (3-5).
    expect(byName["net-public-1"]!.ipv6CidrBlock).toBe(ipv6SubnetBlock(vpcBlock, 0));
    expect(byName["net-public-3"]!.ipv6CidrBlock).toBe(ipv6SubnetBlock(vpcBlock, 2));
    expect(byName["net-private-1"]!.ipv6CidrBlock).toBe(ipv6SubnetBlock(vpcBlock, 3));
    expect(byName["net-private-2"]!.ipv6CidrBlock).toBe(ipv6SubnetBlock(vpcBlock, 4));
    expect(byName["net-private-1"]!.assignIpv6AddressOnCreation).toBe(true);
    expect(byName["net-isolated-1"]!.ipv6CidrBlock).toBeUndefined();
    expect(byName["net-isolated-1"]!.assignIpv6AddressOnCreation).toBe(false);
  });

  it("fails like awsx when a subnet assigns IPv6 in a VPC without an IPv6 block", () => {
    expect(() =>
      synthesizeAwsxVpc(
        "net",
        {
          numberOfAvailabilityZones: 2,
          subnetSpecs: [{ type: "Private", cidrMask: 20, assignIpv6AddressOnCreation: true }],
        },
        ctx,
      ),
    ).toThrow(/require the VPC to have an IPv6 CIDR block/);
  });

  it("gives egress-only internet gateways an eigw- id and ARN", () => {
    const eigw = synthesizeAws(
      "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
      "net-eigw",
      { vpcId: "vpc-0123456789abcdef0" },
      ctx,
    );
    expect(eigw.id).toMatch(/^eigw-[0-9a-f]{17}$/);
    expect(eigw.state.arn).toBe(`arn:aws:ec2:eu-west-1:111122223333:egress-only-internet-gateway/${eigw.id}`);
  });
});

describe("partitions", () => {
  it("puts China and GovCloud resources in their own partition's ARNs", () => {
    const cn = { ...ctx, region: "cn-north-1" };
    expect(synthesizeAws("aws:iam/role:Role", "r", { name: "r" }, cn).state.arn).toBe(
      "arn:aws-cn:iam::111122223333:role/r",
    );
    const gov = { ...ctx, region: "us-gov-west-1" };
    expect(synthesizeAws("aws:sns/topic:Topic", "t", { name: "t" }, gov).id).toBe(
      "arn:aws-us-gov:sns:us-gov-west-1:111122223333:t",
    );
    expect(synthesizeAws("aws:iam/role:Role", "r", { name: "r" }, ctx).state.arn).toBe(
      "arn:aws:iam::111122223333:role/r",
    );
  });
});

describe("Cloud Map", () => {
  it("an HTTP namespace gets an ns- id and a namespace/ ARN, like AWS's", async () => {
    const { runComponent } = await import("../src/index.js");
    const aws = await import("@pulumi/aws");
    const run = await runComponent(
      () => new aws.servicediscovery.HttpNamespace("ns", { name: "dev.internal" }),
    );
    const ns = run.one("aws:servicediscovery/httpNamespace:HttpNamespace");
    expect(ns.id).toMatch(/^ns-[0-9a-f]{16}$/);
    expect(ns.outputs.arn).toBe(`arn:aws:servicediscovery:us-east-1:123456789012:namespace/${ns.id}`);
    expect(ns.outputs.httpName).toBe("dev.internal");
  });
});
