import { expectInvalid, runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { Cluster, type ClusterArgs, ecsAmiParameter } from "../src/cluster.js";
import { network } from "./service-fixtures.js";

const CLUSTER = "aws:ecs/cluster:Cluster";
const CCP = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders";

describe("Cluster on Fargate", () => {
  it("turns on Container Insights and audits ECS Exec to its own log group", async () => {
    const run = await runComponent(() => new Cluster("platform"));
    const cluster = run.one(CLUSTER);
    expect(cluster.inputs.settings).toEqual([{ name: "containerInsights", value: "enabled" }]);
    const lg = run.one("aws:cloudwatch/logGroup:LogGroup");
    expect(lg.inputs.retentionInDays).toBe(365);
    expect(lg.options.protect ?? false).toBe(false);
    const exec = run.input(cluster, "configuration.executeCommandConfiguration") as Record<string, unknown>;
    expect(exec.logging).toBe("OVERRIDE");
    expect(exec.logConfiguration).toEqual({
      cloudWatchLogGroupName: lg.outputs.name,
      cloudWatchEncryptionEnabled: false,
    });
    expect(exec.kmsKeyId).toBeUndefined();
    for (const child of run.managed.filter((r) => r.custom)) {
      expect(child.parent).toBe(run.one("berth:cluster:Cluster").urn);
    }
  });

  it("associates FARGATE and FARGATE_SPOT with an on-demand default strategy", async () => {
    const run = await runComponent(() => new Cluster("platform"));
    const ccp = run.one(CCP);
    expect(ccp.inputs.clusterName).toBe(run.one(CLUSTER).outputs.name);
    expect(ccp.inputs.capacityProviders).toEqual(["FARGATE", "FARGATE_SPOT"]);
    expect(ccp.inputs.defaultCapacityProviderStrategies).toEqual([
      { capacityProvider: "FARGATE", weight: 1, base: 0 },
    ]);
    expect(run.ofType("aws:autoscaling/group:Group")).toHaveLength(0);
  });

  it("takes weights and base from the stack (on-demand base, Spot-heavy rest)", async () => {
    const run = await runComponent(
      () =>
        new Cluster("platform", {
          capacity: { fargate: { base: 2, weight: 1 }, fargateSpot: { weight: 4 } },
        }),
    );
    expect(run.one(CCP).inputs.defaultCapacityProviderStrategies).toEqual([
      { capacityProvider: "FARGATE", weight: 1, base: 2 },
      { capacityProvider: "FARGATE_SPOT", weight: 4, base: 0 },
    ]);
  });

  it("offers enhanced observability, a KMS key for Exec and a protected audit log", async () => {
    const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const run = await runComponent(
      () =>
        new Cluster("platform", {
          clusterName: "platform-prod",
          containerInsights: "enhanced",
          execLogs: { retentionInDays: 731, kmsKeyArn: key },
          protect: true,
          tags: { Team: "platform" },
        }),
    );
    const cluster = run.one(CLUSTER);
    expect(cluster.inputs.name).toBe("platform-prod");
    expect(cluster.inputs.settings).toEqual([{ name: "containerInsights", value: "enhanced" }]);
    expect(cluster.inputs.tags).toEqual({ Team: "platform" });
    const exec = run.input(cluster, "configuration.executeCommandConfiguration") as Record<string, unknown>;
    expect(exec.kmsKeyId).toBe(key);
    expect(
      run.input(
        cluster,
        "configuration.executeCommandConfiguration.logConfiguration.cloudWatchEncryptionEnabled",
      ),
    ).toBe(true);
    const lg = run.one("aws:cloudwatch/logGroup:LogGroup");
    expect(lg.inputs).toMatchObject({ retentionInDays: 731, kmsKeyId: key });
    expect(lg.options.protect).toBe(true);
  });

  it("exposes name, ARN, capacity provider names and a ClusterRef", async () => {
    const run = await runComponent(() => {
      const c = new Cluster("platform", { clusterName: "platform-dev" });
      return {
        name: c.ref.name,
        arn: c.ref.arn,
        providers: c.capacityProviderNames,
        ec2: c.ref.ec2CapacityProviderName,
      };
    });
    expect(run.outputs.name).toBe("platform-dev");
    expect(run.outputs.arn).toBe("arn:aws:ecs:us-east-1:123456789012:cluster/platform-dev");
    expect(run.outputs.providers).toEqual(["FARGATE", "FARGATE_SPOT"]);
    expect(run.outputs.ec2).toBeUndefined();
  });

  it("lets a transform change a child", async () => {
    const run = await runComponent(
      () =>
        new Cluster("platform", {
          transform: {
            cluster: (a) => {
              a.serviceConnectDefaults = {
                namespace: "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1",
              };
            },
          },
        }),
    );
    expect(run.one(CLUSTER).inputs.serviceConnectDefaults).toEqual({
      namespace: "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-1",
    });
  });
});

describe("Cluster with EC2 capacity", () => {
  const ec2Args: ClusterArgs = { network, ec2: { maxSize: 6, targetCapacity: 90 } };

  it("launches ECS-optimized AL2023 arm64 instances with IMDSv2, an instance profile and encrypted disks", async () => {
    const run = await runComponent(() => new Cluster("platform", ec2Args));
    const lt = run.one("aws:ec2/launchTemplate:LaunchTemplate");
    expect(lt.inputs.instanceType).toBe("t4g.medium");
    expect(lt.inputs.imageId).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(ecsAmiParameter("arm64")).toBe(
      "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
    );
    expect(lt.inputs.metadataOptions).toMatchObject({ httpTokens: "required", httpEndpoint: "enabled" });
    expect(run.input(lt, "blockDeviceMappings[0].ebs")).toMatchObject({
      encrypted: "true",
      volumeType: "gp3",
      volumeSize: 30,
    });
    const profile = run.one("aws:iam/instanceProfile:InstanceProfile");
    expect(run.input(lt, "iamInstanceProfile.arn")).toBe(profile.outputs.arn);
    const role = run.one("aws:iam/role:Role");
    expect(profile.inputs.role).toBe(role.outputs.name);
    expect(run.json(role, "assumeRolePolicy")).toMatchObject({
      Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "ec2.amazonaws.com" } }],
    });
    expect(role.inputs.managedPolicyArns).toBeUndefined();
    const attached = run.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    expect(attached.every((a) => a.inputs.role === role.outputs.name)).toBe(true);
    const asg = run.one("aws:autoscaling/group:Group");
    for (const a of attached) expect(asg.dependencies).toContain(a.urn);
    expect(attached.map((a) => a.inputs.policyArn)).toEqual([
      "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
      "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
    ]);
  });

  it("joins instances to the cluster with a short container stop timeout", async () => {
    const run = await runComponent(
      () => new Cluster("platform", { ...ec2Args, clusterName: "platform-prod" }),
    );
    const lt = run.one("aws:ec2/launchTemplate:LaunchTemplate");
    const userData = Buffer.from(String(lt.inputs.userData), "base64").toString("utf8");
    expect(userData).toMatch(/^#!\/bin\/bash\n/);
    expect(userData).toContain("ECS_CLUSTER=platform-prod\n");
    expect(userData).toContain("ECS_CONTAINER_STOP_TIMEOUT=10s\n");
    expect(userData).toContain("ECS_AWSVPC_BLOCK_IMDS=true\n");
  });

  it("reads the AMI of the chosen architecture, or takes a given one", async () => {
    const ami = async (args: ClusterArgs) =>
      (await runComponent(() => new Cluster("platform", args))).one("aws:ec2/launchTemplate:LaunchTemplate")
        .inputs;
    const arm = await ami({ network, ec2: {} });
    const x86 = await ami({ network, ec2: { architecture: "x86_64" } });
    expect(x86.instanceType).toBe("t3.medium");
    expect(x86.imageId).toMatch(/^ami-/);
    expect(x86.imageId).not.toBe(arm.imageId);
    expect(ecsAmiParameter("x86_64")).toBe(
      "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
    );
    const pinned = await ami({ network, ec2: { imageId: "ami-0123456789abcdef0" } });
    expect(pinned.imageId).toBe("ami-0123456789abcdef0");
  });

  it("runs an Auto Scaling group in the private subnets behind a managed capacity provider", async () => {
    const run = await runComponent(() => {
      const c = new Cluster("platform", ec2Args);
      return { ref: c.ref, providers: c.capacityProviderNames };
    });
    const asg = run.one("aws:autoscaling/group:Group");
    expect(asg.inputs.vpcZoneIdentifiers).toEqual(["subnet-priv1", "subnet-priv2"]);
    expect(asg.inputs).toMatchObject({ minSize: 0, maxSize: 6, protectFromScaleIn: true });
    expect(asg.inputs.tags).toContainEqual({ key: "AmazonECSManaged", value: "", propagateAtLaunch: true });
    expect(asg.options.ignoreChanges).toContain("desiredCapacity");
    const cp = run.one("aws:ecs/capacityProvider:CapacityProvider");
    expect(cp.inputs.autoScalingGroupProvider).toMatchObject({
      autoScalingGroupArn: asg.outputs.arn,
      managedScaling: { status: "ENABLED", targetCapacity: 90 },
      managedTerminationProtection: "ENABLED",
      managedDraining: "ENABLED",
    });
    const ccp = run.one(CCP);
    expect(ccp.inputs.capacityProviders).toEqual(["FARGATE", "FARGATE_SPOT", cp.outputs.name]);
    expect((run.outputs.ref as Record<string, unknown>).ec2CapacityProviderName).toBe(cp.outputs.name);
    expect(run.outputs.providers).toEqual(["FARGATE", "FARGATE_SPOT", cp.outputs.name]);
    const sg = run.one("aws:ec2/securityGroup:SecurityGroup");
    expect(sg.inputs.vpcId).toBe("vpc-0abc");
    expect(sg.inputs.ingress ?? []).toEqual([]);
  });

  it("can make EC2 the default strategy", async () => {
    const run = await runComponent(
      () => new Cluster("platform", { ...ec2Args, capacity: { ec2: { weight: 1, base: 1 } } }),
    );
    const cp = run.one("aws:ecs/capacityProvider:CapacityProvider");
    expect(run.one(CCP).inputs.defaultCapacityProviderStrategies).toEqual([
      { capacityProvider: cp.outputs.name, weight: 1, base: 1 },
    ]);
  });
});

describe("Cluster validation", () => {
  const cases: [string, ClusterArgs, RegExp, string][] = [
    [
      "a cluster name with spaces",
      { clusterName: "my cluster" },
      /clusterName is "my cluster"/,
      "clusterName",
    ],
    [
      "an unknown Container Insights value",
      { containerInsights: "on" as never },
      /allowed: "enabled", "enhanced"/,
      "containerInsights",
    ],
    [
      "a retention CloudWatch does not offer",
      { execLogs: { retentionInDays: 42 } },
      /retentionInDays is 42/,
      "execLogs.retentionInDays",
    ],
    [
      "a KMS ARN of another service",
      { execLogs: { kmsKeyArn: "arn:aws:s3:::bucket" } },
      /must be an ARN of kms/,
      "execLogs.kmsKeyArn",
    ],
    [
      "a negative weight",
      { capacity: { fargate: { weight: -1 } } },
      /capacity.fargate.weight is -1/,
      "capacity.fargate.weight",
    ],
    [
      "a weight above 1000",
      { capacity: { fargateSpot: { weight: 1001 } } },
      /from 0 to 1000/,
      "capacity.fargateSpot.weight",
    ],
    ["only zero weights", { capacity: { fargate: { base: 1, weight: 0 } } }, /weight above 0/, "capacity"],
    [
      "two providers with a base",
      { capacity: { fargate: { base: 1, weight: 1 }, fargateSpot: { base: 1, weight: 1 } } },
      /only one capacity provider/,
      "capacity",
    ],
    ["an empty strategy", { capacity: {} }, /at least one of fargate/, "capacity"],
    ["an EC2 share without EC2 capacity", { capacity: { ec2: { weight: 1 } } }, /set `ec2`/, "capacity.ec2"],
    [
      "Fargate and EC2 in one strategy",
      { network, ec2: {}, capacity: { fargate: { weight: 1 }, ec2: { weight: 1 } } },
      /does not mix Fargate and EC2/,
      "capacity",
    ],
    ["EC2 capacity without a network", { ec2: {} }, /needs a network/, "network"],
    [
      "an x86 type for arm64",
      { network, ec2: { instanceType: "m7i.large" } },
      /use a Graviton type/,
      "ec2.instanceType",
    ],
    [
      "a Graviton type for x86_64",
      { network, ec2: { architecture: "x86_64", instanceType: "c7g.xlarge" } },
      /Graviton \(arm64\) type/,
      "ec2.instanceType",
    ],
    [
      "minSize above maxSize",
      { network, ec2: { minSize: 5, maxSize: 2 } },
      /ec2.minSize is 5; must not exceed ec2.maxSize \(2\)/,
      "ec2.minSize",
    ],
    [
      "a target capacity of 0",
      { network, ec2: { targetCapacity: 0 } },
      /targetCapacity is 0/,
      "ec2.targetCapacity",
    ],
    [
      "termination protection without managed scaling",
      { network, ec2: { managedScaling: false } },
      /requires managedScaling/,
      "ec2.managedTerminationProtection",
    ],
    [
      "a root volume below the AMI's 30 GiB",
      { network, ec2: { rootVolumeSize: 8 } },
      /rootVolumeSize is 8/,
      "ec2.rootVolumeSize",
    ],
    [
      "a stop timeout beyond 120 s",
      { network, ec2: { containerStopTimeout: 600 } },
      /containerStopTimeout is 600/,
      "ec2.containerStopTimeout",
    ],
  ];

  it.each(cases)("rejects %s before creating anything", async (_title, args, message, field) => {
    const err = await expectInvalid(() => new Cluster("platform", args), message);
    expect(err.field).toBe(field);
    expect(err.message).toMatch(/^berth:cluster:Cluster 'platform': /);
  });
});
