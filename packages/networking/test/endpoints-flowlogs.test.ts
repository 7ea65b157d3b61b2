import { runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { Network } from "../src/index.js";
import { vpcOutput } from "./helpers.js";

const ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint";
const FLOW_LOG = "aws:ec2/flowLog:FlowLog";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

describe("VPC endpoints", () => {
  it("always creates the S3 gateway endpoint on every route table", async () => {
    const run = await runComponent(() => new Network("main", { subnets: { isolated: {} } }));
    const [s3, ...others] = run.ofType(ENDPOINT);
    expect(others).toHaveLength(0);
    expect(s3!.inputs).toMatchObject({
      vpcEndpointType: "Gateway",
      serviceName: "com.amazonaws.us-east-1.s3",
    });
    const tables = vpcOutput<{ id: string }[]>(run, "routeTables").map((t) => t.id);
    expect(tables).toHaveLength(9);
    expect(s3!.inputs.routeTableIds).toEqual(tables);
    expect(run.ofType("aws:ec2/securityGroup:SecurityGroup")).toHaveLength(0);
  });

  it("creates interface endpoints with private DNS in the private subnets behind one 443-from-VPC group", async () => {
    const run = await runComponent(
      () => {
        const n = new Network("main", {
          cidrBlock: "10.50.0.0/16",
          interfaceEndpoints: ["ecr.api", "ecr.dkr", "logs"],
        });
        return { sg: n.endpointSecurityGroupId };
      },
      { config: { "aws:region": "eu-west-1" } },
    );
    const sg = run.one("aws:ec2/securityGroup:SecurityGroup", "main-endpoints");
    expect(run.outputs.sg).toBe(sg.id);
    expect(sg.inputs.ingress).toEqual([
      {
        protocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrBlocks: ["10.50.0.0/16"],
        description: "HTTPS from the VPC",
      },
    ]);
    expect(sg.inputs.egress).toEqual([]);

    const interfaces = run.ofType(ENDPOINT).filter((e) => e.inputs.vpcEndpointType === "Interface");
    expect(interfaces.map((e) => e.inputs.serviceName)).toEqual([
      "com.amazonaws.eu-west-1.ecr.api",
      "com.amazonaws.eu-west-1.ecr.dkr",
      "com.amazonaws.eu-west-1.logs",
    ]);
    for (const e of interfaces) {
      expect(e.inputs).toMatchObject({
        privateDnsEnabled: true,
        securityGroupIds: [sg.id],
        subnetIds: vpcOutput<string[]>(run, "privateSubnetIds"),
        vpcId: vpcOutput<string>(run, "vpcId"),
      });
    }
    expect(run.one(ENDPOINT, "main-s3").inputs.serviceName).toBe("com.amazonaws.eu-west-1.s3");
  });

  it("names services from the region argument when given", async () => {
    const run = await runComponent(
      () => new Network("main", { region: "ap-southeast-2", interfaceEndpoints: ["sts"] }),
      {
        config: { "aws:region": "ap-southeast-2" },
      },
    );
    expect(run.one(ENDPOINT, "main-sts").inputs.serviceName).toBe("com.amazonaws.ap-southeast-2.sts");
  });
});

describe("Flow logs", () => {
  it("by default go to a CloudWatch log group kept 365 days, through a role scoped to that group", async () => {
    const run = await runComponent(() => new Network("main"));
    const lg = run.one(LOG_GROUP);
    expect(lg.inputs.retentionInDays).toBe(365);
    expect(lg.inputs.kmsKeyId).toBeUndefined();
    expect(lg.options.protect).toBeFalsy();

    const fl = run.one(FLOW_LOG);
    const role = run.one("aws:iam/role:Role", "main-flow-logs");
    expect(fl.inputs).toMatchObject({
      vpcId: vpcOutput(run, "vpcId"),
      logDestinationType: "cloud-watch-logs",
      logDestination: lg.outputs.arn,
      iamRoleArn: role.outputs.arn,
      trafficType: "ALL",
      maxAggregationInterval: 600,
    });
    expect(run.json(role, "assumeRolePolicy")).toMatchObject({
      Statement: [
        {
          Principal: { Service: "vpc-flow-logs.amazonaws.com" },
          Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
        },
      ],
    });
    const policy = run.json(run.one("aws:iam/rolePolicy:RolePolicy"), "policy") as {
      Statement: { Action: string | string[]; Resource: string | string[] }[];
    };
    expect(policy.Statement[0]!.Resource).toEqual([lg.outputs.arn, `${lg.outputs.arn}:*`]);
    for (const s of policy.Statement) expect(s.Resource).not.toBe("*");
  });

  it("takes retention, KMS key, traffic type and protection", async () => {
    const kms = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const run = await runComponent(
      () =>
        new Network("main", {
          protect: true,
          flowLogs: {
            retentionInDays: 731,
            kmsKeyArn: kms,
            trafficType: "REJECT",
            maxAggregationInterval: 60,
          },
        }),
    );
    const lg = run.one(LOG_GROUP);
    expect(lg.inputs).toMatchObject({ retentionInDays: 731, kmsKeyId: kms });
    expect(lg.options.protect).toBe(true);
    expect(run.one(FLOW_LOG).inputs).toMatchObject({ trafficType: "REJECT", maxAggregationInterval: 60 });
  });

  it("go to an existing S3 bucket as Parquet without a log group or role", async () => {
    const bucketArn = "arn:aws:s3:::acme-log-archive/vpc/";
    const run = await runComponent(() => new Network("main", { flowLogs: { destination: "s3", bucketArn } }));
    expect(run.one(FLOW_LOG).inputs).toMatchObject({
      logDestinationType: "s3",
      logDestination: bucketArn,
      destinationOptions: { fileFormat: "parquet", perHourPartition: true },
    });
    expect(run.one(FLOW_LOG).inputs.iamRoleArn).toBeUndefined();
    expect(run.ofType(LOG_GROUP)).toHaveLength(0);
    expect(run.ofType("aws:iam/role:Role")).toHaveLength(0);
  });

  it("can be turned off per stack", async () => {
    const run = await runComponent(() => new Network("main", { flowLogs: false }));
    expect(run.ofType(FLOW_LOG)).toHaveLength(0);
    expect(run.ofType(LOG_GROUP)).toHaveLength(0);
  });
});
