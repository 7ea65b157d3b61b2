import { expectInvalid } from "@berth/testing";
import { describe, expect, it } from "vitest";
import {
  type AdoptNetworkArgs,
  type InterfaceEndpointName,
  Network,
  type NetworkArgs,
} from "../src/index.js";

/** Each case: the args, the field the error must name, and a pattern its message must match. */
const cases: [string, NetworkArgs, string, RegExp][] = [
  [
    "CIDR that is not a CIDR",
    { cidrBlock: "10.0.0/16" },
    "cidrBlock",
    /cidrBlock is "10\.0\.0\/16"; must be an IPv4 CIDR block/,
  ],
  ["CIDR with host bits set", { cidrBlock: "10.0.1.0/16" }, "cidrBlock", /no host bits set/],
  [
    "VPC block larger than /16",
    { cidrBlock: "10.0.0.0/8" },
    "cidrBlock",
    /cidrBlock is "10\.0\.0\.0\/8"; the VPC block must be \/16 to \/24/,
  ],
  ["VPC block smaller than /24", { cidrBlock: "10.0.0.0/26" }, "cidrBlock", /\/16 to \/24/],
  ["reserved VPC range", { cidrBlock: "169.254.0.0/16" }, "cidrBlock", /overlaps 169\.254\.0\.0\/16/],
  [
    "one availability zone",
    { availabilityZones: 1 },
    "availabilityZones",
    /availabilityZones is 1; must be a whole number from 2 to 6/,
  ],
  ["seven availability zones", { availabilityZones: 7 }, "availabilityZones", /from 2 to 6/],
  [
    "malformed zone name",
    { availabilityZones: ["us-east-1a", "useast1b"] },
    "availabilityZones[1]",
    /availability zone name/,
  ],
  [
    "duplicate zone names",
    { availabilityZones: ["us-east-1a", "us-east-1a"] },
    "availabilityZones",
    /only once/,
  ],
  [
    "zones of two regions",
    { availabilityZones: ["us-east-1a", "us-west-2a"] },
    "availabilityZones[1]",
    /one region \(us-east-1\)/,
  ],
  [
    "zone outside the region argument",
    { region: "eu-west-1", availabilityZones: ["eu-west-1a", "eu-west-2b"] },
    "availabilityZones[1]",
    /region eu-west-1/,
  ],
  [
    "zone block too big for six zones",
    { availabilityZones: 6, availabilityZoneCidrMask: 18 },
    "availabilityZoneCidrMask",
    /6 availability zones need blocks of \/19/,
  ],
  [
    "subnet mask beyond /28",
    { subnets: { public: { cidrMask: 29 } } },
    "subnets.public.cidrMask",
    /from 16 to 28/,
  ],
  [
    "subnet larger than its zone block",
    { subnets: { private: { cidrMask: 18 } } },
    "subnets.private.cidrMask",
    /larger than its availability zone's block \(\/19\)/,
  ],
  [
    "tiers that do not fit a zone",
    { subnets: { private: { cidrMask: 20 }, public: { cidrMask: 20 }, isolated: { cidrMask: 21 } } },
    "subnets.isolated.cidrMask",
    /do not fit in one availability zone's \/19 block/,
  ],
  [
    "two tiers with one name",
    { subnets: { private: { name: "app" }, isolated: { name: "app" } } },
    "subnets.isolated.name",
    /its own name/,
  ],
  [
    "explicit blocks that overlap",
    {
      availabilityZones: 2,
      subnets: {
        private: { cidrBlocks: ["10.0.0.0/20", "10.0.16.0/20"] },
        public: { cidrBlocks: ["10.0.8.0/22", "10.0.64.0/22"] },
      },
    },
    "subnets.public.cidrBlocks[0]",
    /overlaps subnets\.private\.cidrBlocks\[0\]/,
  ],
  [
    "explicit block outside the VPC",
    {
      availabilityZones: 2,
      subnets: {
        private: { cidrBlocks: ["10.0.0.0/20", "10.1.0.0/20"] },
        public: { cidrBlocks: ["10.0.32.0/22", "10.0.64.0/22"] },
      },
    },
    "subnets.private.cidrBlocks[1]",
    /inside the VPC block 10\.0\.0\.0\/16/,
  ],
  [
    "explicit blocks for one tier only",
    { availabilityZones: 2, subnets: { private: { cidrBlocks: ["10.0.0.0/20", "10.0.16.0/20"] } } },
    "subnets.public.cidrBlocks",
    /every tier must/,
  ],
  [
    "explicit blocks, wrong count",
    {
      availabilityZones: 3,
      subnets: {
        private: { cidrBlocks: ["10.0.0.0/20", "10.0.16.0/20"] },
        public: { cidrBlocks: ["10.0.32.0/22", "10.0.36.0/22", "10.0.40.0/22"] },
      },
    },
    "subnets.private.cidrBlocks",
    /one block per availability zone \(3\)/,
  ],
  [
    "Exact with zones that leave the VPC partly unused",
    { subnetStrategy: "Exact" },
    "subnetStrategy",
    /"Exact" needs the availability zone blocks to fill the VPC/,
  ],
  [
    "Legacy subnet strategy",
    { subnetStrategy: "Legacy" as "Auto" },
    "subnetStrategy",
    /allowed: "Auto", "Exact"/,
  ],
  [
    "unknown NAT mode",
    { natMode: "gateway" as "single" },
    "natMode",
    /natMode is "gateway"; allowed: "none", "single", "perAz", "instance"/,
  ],
  ["private subnets without NAT", { natMode: "none" }, "natMode", /set endpointsOnly: true/],
  [
    "endpointsOnly with NAT",
    { natMode: "single", endpointsOnly: true },
    "endpointsOnly",
    /only applies with natMode "none"/,
  ],
  [
    "NAT instance settings without the instance mode",
    { natMode: "perAz", natInstance: { perAz: true } },
    "natInstance",
    /only applies with natMode "instance"/,
  ],
  [
    "x86 NAT instance type",
    { natMode: "instance", natInstance: { instanceType: "t3.nano" } },
    "natInstance.instanceType",
    /Graviton/,
  ],
  [
    "unknown interface endpoint",
    { interfaceEndpoints: ["ecr" as InterfaceEndpointName] },
    "interfaceEndpoints[0]",
    /interfaceEndpoints\[0\] is "ecr"; allowed: "ecr\.api"/,
  ],
  [
    "s3 as an interface endpoint",
    { interfaceEndpoints: ["s3" as InterfaceEndpointName] },
    "interfaceEndpoints[0]",
    /S3 gateway endpoint is always created/,
  ],
  [
    "duplicate interface endpoints",
    { interfaceEndpoints: ["logs", "logs"] },
    "interfaceEndpoints",
    /only once/,
  ],
  [
    "retention CloudWatch does not offer",
    { flowLogs: { retentionInDays: 2 } },
    "flowLogs.retentionInDays",
    /flowLogs\.retentionInDays is 2; allowed: 0, 1, 3/,
  ],
  [
    "unknown flow-log destination",
    { flowLogs: { destination: "kinesis" as "s3" } },
    "flowLogs.destination",
    /allowed: "cloudwatch", "s3"/,
  ],
  [
    "S3 flow logs without a bucket",
    { flowLogs: { destination: "s3" } },
    "flowLogs.bucketArn",
    /required with destination "s3"/,
  ],
  [
    "KMS key that is not a KMS key ARN",
    { flowLogs: { kmsKeyArn: "alias/logs" } },
    "flowLogs.kmsKeyArn",
    /must be an ARN of kms/,
  ],
  [
    "retention on S3 flow logs",
    { flowLogs: { destination: "s3", bucketArn: "arn:aws:s3:::logs", retentionInDays: 30 } },
    "flowLogs.retentionInDays",
    /lifecycle rules/,
  ],
  [
    "KMS key on S3 flow logs",
    {
      flowLogs: {
        destination: "s3",
        bucketArn: "arn:aws:s3:::logs",
        kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      },
    },
    "flowLogs.kmsKeyArn",
    /applies to CloudWatch Logs only; use the bucket's default encryption/,
  ],
  [
    "a bucket for CloudWatch flow logs",
    { flowLogs: { bucketArn: "arn:aws:s3:::logs" } },
    "flowLogs.bucketArn",
    /flowLogs\.bucketArn is "arn:aws:s3:::logs"; only applies with destination "s3"/,
  ],
  [
    "a file format for CloudWatch flow logs",
    { flowLogs: { destination: "cloudwatch", fileFormat: "plain-text" } },
    "flowLogs.fileFormat",
    /flowLogs\.fileFormat is "plain-text"; only applies with destination "s3"/,
  ],
  [
    "aggregation interval AWS does not offer",
    { flowLogs: { maxAggregationInterval: 300 as 600 } },
    "flowLogs.maxAggregationInterval",
    /allowed: 60, 600/,
  ],
  ["malformed region", { region: "US East" }, "region", /region name such as "us-east-1"/],
  [
    "tag key reserved for AWS",
    { tags: { "aws:team": "platform" } },
    "tags.aws:team",
    /tags\.aws:team is "aws:team"; tag keys starting with aws: are reserved for AWS/,
  ],
  [
    "tag value that is not text",
    { tags: { Owner: 3 as unknown as string } },
    "tags.Owner",
    /tags\.Owner is 3; a tag value is text/,
  ],
  [
    "tag key longer than 128 characters",
    { tags: { ["k".repeat(129)]: "v" } },
    `tags.${"k".repeat(129)}`,
    /a tag key is 1 to 128 characters/,
  ],
  [
    "more than 50 tags",
    { tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, "x"])) },
    "tags",
    /tags is "51 tags"; AWS allows at most 50 tags per resource/,
  ],
];

describe("Network rejects invalid arguments before creating anything", () => {
  it.each(cases)("%s", async (_label, args, field, message) => {
    const err = await expectInvalid(() => new Network("main", args), message);
    expect(err.name).toBe("BerthValidationError");
    expect(err.field).toBe(field);
    expect(err.message).toMatch(/^berth:networking:Network 'main': /);
  });

  it.each([
    ["a name with a space", "main net", /name is "main net"; a name starts with a letter or digit/],
    ["a non-ASCII name", "réseau", /name is "réseau"; a name starts with a letter or digit/],
    ["an empty name", "", /name is ""; give the component a non-empty name/],
  ])("rejects %s before anything registers", async (_label, name, message) => {
    const err = await expectInvalid(() => new Network(name), message);
    expect(err.name).toBe("BerthValidationError");
    expect(err.field).toBe("name");
  });

  it("rejects args that are not an object", async () => {
    const err = await expectInvalid(
      () => new Network("main", "10.0.0.0/16" as unknown as NetworkArgs),
      /args is "10\.0\.0\.0\/16"; give the arguments as an object/,
    );
    expect(err.field).toBe("args");
  });

  it("Network.plan throws the same errors without a Pulumi program", () => {
    expect(() => Network.plan("main", { cidrBlock: "10.0.0.0/8" })).toThrow(
      /the VPC block must be \/16 to \/24/,
    );
  });
});

describe("Network.adopt rejects ids that cannot be right", () => {
  const good: AdoptNetworkArgs = {
    vpcId: "vpc-0a1b2c3d4e5f67890",
    cidrBlock: "10.0.0.0/16",
    privateSubnetIds: ["subnet-0bbbbbbbbbbbbbbb1"],
  };
  const adoptCases: [string, AdoptNetworkArgs, string, RegExp][] = [
    ["a subnet id as VPC id", { ...good, vpcId: "subnet-0bbbbbbbbbbbbbbb1" }, "vpcId", /must be a VPC id/],
    ["no private subnets", { ...good, privateSubnetIds: [] }, "privateSubnetIds", /at least one subnet id/],
    [
      "a malformed subnet id",
      { ...good, publicSubnetIds: ["sub-123"] },
      "publicSubnetIds[0]",
      /must be a subnet id/,
    ],
    ["a malformed CIDR", { ...good, cidrBlock: "10.0.0.0" }, "cidrBlock", /the VPC's IPv4 block/],
  ];
  it.each(adoptCases)("%s", async (_label, args, field, message) => {
    const err = await expectInvalid(() => Network.adopt("shared", args), message);
    expect(err.field).toBe(field);
  });
});
