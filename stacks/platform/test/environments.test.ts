import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type RecordedResource, type RunResult, runStack } from "@berth/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const projectDir = join(__dirname, "..");
const ENVS = ["dev", "staging", "prod"] as const;
type Env = (typeof ENVS)[number];

const pointers = (
  parse(readFileSync(join(projectDir, "berth.fixtures.yaml"), "utf8")) as {
    ssmParameters: Record<string, string>;
  }
).ssmParameters;

const runs = {} as Record<Env, RunResult>;

beforeAll(async () => {
  const results = await Promise.all(ENVS.map((env) => runStack(projectDir, env, { allowError: true })));
  ENVS.forEach((env, i) => {
    runs[env] = results[i]!;
  });
});

const VPC = "awsx:ec2:Vpc";
const ECS_SERVICE = "aws:ecs/service:Service";
const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const ALB = "aws:lb/loadBalancer:LoadBalancer";
const LISTENER = "aws:lb/listener:Listener";

function logGroup(run: RunResult, name: string): RecordedResource {
  return run.one(LOG_GROUP, name);
}

describe.each(ENVS)("%s", (env) => {
  it("previews offline without errors or warnings", () => {
    const run = runs[env];
    expect(run.error?.message).toBeUndefined();
    expect(run.diagnostics.filter((d) => d.severity === "error" || d.severity === "warning")).toEqual([]);
  });

  it("exports what the deploy pipeline and operators read", () => {
    const o = runs[env].outputs;
    for (const key of [
      "url",
      "vpcId",
      "clusterName",
      "serviceName",
      "loadBalancerDnsName",
      "logGroupName",
      "dashboardName",
      "image",
    ]) {
      expect(typeof o[key], key).toBe("string");
    }
    expect(o.vpcId).toMatch(/^vpc-/);
    expect(o.logGroupName).toBe(`/ecs/${o.clusterName}/hello`);
    expect(o.worstCaseBatchSeconds).toBeGreaterThan(0);
    expect(o.environment).toBe(env);
  });

  it("runs the image the environment's release pointer names", () => {
    const run = runs[env];
    const pointer = pointers[`/berth/${env}/hello/image`];
    expect(pointer).toMatch(/^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/hello@sha256:[0-9a-f]{64}$/);
    expect(run.outputs.image).toBe(pointer);
    expect(run.outputs.releasePointer).toBe(`/berth/${env}/hello/image`);
    const [container] = run.json(run.one(TASK_DEFINITION), "containerDefinitions") as { image: string }[];
    expect(container!.image).toBe(pointer);
  });

  it("reads the registry from the shared stack through a StackReference", () => {
    const ref = runs[env].one("pulumi:pulumi:StackReference");
    expect(ref.name).toBe("organization/berth-shared/shared");
  });

  it("has one tagged aws provider that every AWS resource uses", () => {
    const run = runs[env];
    const provider = run.one("pulumi:providers:aws");
    expect(provider.inputs.region).toBe("us-east-1");
    const defaultTags = (
      typeof provider.inputs.defaultTags === "string"
        ? JSON.parse(provider.inputs.defaultTags)
        : provider.inputs.defaultTags
    ) as { tags: Record<string, string> };
    expect(defaultTags.tags).toEqual({
      Project: "berth",
      Environment: env,
      ManagedBy: "pulumi",
      Owner: "platform-team",
      CostCenter: "CC-1001",
    });
    const allowed = provider.inputs.allowedAccountIds;
    expect(typeof allowed === "string" ? JSON.parse(allowed) : allowed).toEqual([
      env === "prod" ? "210987654321" : "123456789012",
    ]);
    const awsResources = run.managed.filter((r) => r.custom && r.type.startsWith("aws:"));
    expect(awsResources.length).toBeGreaterThan(20);
    for (const r of awsResources) {
      expect(r.provider, `${r.type} ${r.name}`).toMatch(
        /^urn:pulumi:[^:]+::berth-platform::pulumi:providers:aws::aws::/,
      );
    }
    // awsx's Vpc is a remote component: it gets the provider explicitly, so its subnets, gateways
    // and routes land in the environment's account with the tags too.
    const ref = `${provider.urn}::${provider.id}`;
    const vpc = run.one("awsx:ec2:Vpc");
    expect(vpc.options.providers).toEqual({ aws: ref });
    const account = env === "prod" ? "210987654321" : "123456789012";
    expect((vpc.outputs.vpc as { arn: string }).arn).toContain(`:${account}:vpc/`);
    expect(run.one("aws:ecs/cluster:Cluster").outputs.arn).toContain(`:${account}:cluster/`);
  });

  it("serves hello on port 8080 with the app's health path", () => {
    const run = runs[env];
    const [container] = run.json(run.one(TASK_DEFINITION), "containerDefinitions") as {
      portMappings: { containerPort: number }[];
    }[];
    expect(container!.portMappings[0]!.containerPort).toBe(8080);
    for (const tg of run.ofType("aws:lb/targetGroup:TargetGroup")) {
      expect(tg.inputs.port).toBe(8080);
      expect((tg.inputs.healthCheck as { path: string }).path).toBe("/healthz");
    }
  });

  it("runs hello on the cluster's capacity strategy", () => {
    const run = runs[env];
    const svc = run.one(ECS_SERVICE).inputs;
    const cluster = run.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs;
    expect(svc.launchType).toBeUndefined();
    expect(svc.capacityProviderStrategies).toEqual(cluster.defaultCapacityProviderStrategies);
  });
});

describe("environment differences", () => {
  const vpc = (env: Env) => runs[env].one(VPC).inputs;
  const service = (env: Env) => runs[env].one(ECS_SERVICE);
  const strategy = (env: Env) =>
    Object.fromEntries(
      (
        service(env).inputs.capacityProviderStrategies as {
          capacityProvider: string;
          base: number;
          weight: number;
        }[]
      ).map((s) => [s.capacityProvider, { base: s.base, weight: s.weight }]),
    );

  it("availability zones: dev 2, staging 2, prod 3", () => {
    expect(vpc("dev").numberOfAvailabilityZones).toBe(2);
    expect(vpc("staging").numberOfAvailabilityZones).toBe(2);
    expect(vpc("prod").numberOfAvailabilityZones).toBe(3);
    expect(vpc("dev").cidrBlock).toBe("10.10.0.0/16");
    expect(vpc("prod").cidrBlock).toBe("10.30.0.0/16");
  });

  it("NAT: none in dev (public tasks), one gateway in staging, one per zone in prod", () => {
    expect(vpc("dev").natGateways).toEqual({ strategy: "None" });
    expect(runs.dev.ofType("aws:ec2/instance:Instance")).toHaveLength(0);
    expect(runs.dev.ofType("aws:ec2/route:Route")).toHaveLength(0);
    const network = (env: Env) =>
      runs[env].one("aws:ecs/service:Service").inputs.networkConfiguration as {
        subnets: string[];
        assignPublicIp: boolean;
      };
    expect(network("dev").assignPublicIp).toBe(true);
    expect(network("dev").subnets).toEqual(runs.dev.one("awsx:ec2:Vpc").outputs.publicSubnetIds);
    expect(network("staging").assignPublicIp).toBe(false);
    expect(network("prod").subnets).toEqual(runs.prod.one("awsx:ec2:Vpc").outputs.privateSubnetIds);
    expect(vpc("staging").natGateways).toEqual({ strategy: "Single" });
    expect(vpc("prod").natGateways).toEqual({ strategy: "OnePerAz" });
    expect(runs.staging.ofType("aws:ec2/instance:Instance")).toHaveLength(0);
    expect(runs.prod.ofType("aws:ec2/instance:Instance")).toHaveLength(0);
  });

  it("flow logs in staging (a month) and prod (a year); interface endpoints in prod only", () => {
    expect(runs.dev.ofType("aws:ec2/flowLog:FlowLog")).toHaveLength(0);
    expect(runs.staging.ofType("aws:ec2/flowLog:FlowLog")).toHaveLength(1);
    expect(runs.prod.ofType("aws:ec2/flowLog:FlowLog")).toHaveLength(1);
    expect(logGroup(runs.staging, "platform-flow-logs").inputs.retentionInDays).toBe(30);
    expect(logGroup(runs.prod, "platform-flow-logs").inputs.retentionInDays).toBe(365);

    const interfaceEndpoints = (env: Env) =>
      runs[env]
        .ofType("aws:ec2/vpcEndpoint:VpcEndpoint")
        .filter((e) => e.inputs.vpcEndpointType === "Interface")
        .map((e) => e.inputs.serviceName)
        .sort();
    expect(interfaceEndpoints("dev")).toEqual([]);
    expect(interfaceEndpoints("staging")).toEqual([]);
    expect(interfaceEndpoints("prod")).toEqual(
      ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm", "sts"].map(
        (s) => `com.amazonaws.us-east-1.${s}`,
      ),
    );
  });

  it("capacity: Spot-heavy in dev, an on-demand base in staging and prod", () => {
    expect(strategy("dev")).toEqual({
      FARGATE: { base: 0, weight: 1 },
      FARGATE_SPOT: { base: 0, weight: 4 },
    });
    expect(strategy("staging")).toEqual({
      FARGATE: { base: 1, weight: 1 },
      FARGATE_SPOT: { base: 0, weight: 1 },
    });
    expect(strategy("prod")).toEqual({ FARGATE: { base: 3, weight: 1 } });
  });

  it("tasks: one small ARM task in dev, two in staging, three larger ones in prod", () => {
    const size = (env: Env) => {
      const td = runs[env].one(TASK_DEFINITION).inputs;
      return {
        cpu: String(td.cpu),
        memory: String(td.memory),
        arch: (td.runtimePlatform as { cpuArchitecture: string }).cpuArchitecture,
        desired: service(env).inputs.desiredCount,
      };
    };
    expect(size("dev")).toEqual({ cpu: "256", memory: "512", arch: "ARM64", desired: 1 });
    expect(size("staging")).toEqual({ cpu: "256", memory: "512", arch: "ARM64", desired: 2 });
    expect(size("prod")).toEqual({ cpu: "512", memory: "1024", arch: "ARM64", desired: 3 });
  });

  it("deployments: rolling in dev and staging, canary with alarm rollback in prod", () => {
    for (const env of ["dev", "staging"] as const) {
      const cfg = service(env).inputs.deploymentConfiguration as Record<string, unknown>;
      expect(cfg.strategy).toBe("ROLLING");
      expect(runs[env].ofType("aws:lb/targetGroup:TargetGroup")).toHaveLength(1);
    }
    const prod = service("prod").inputs;
    const cfg = prod.deploymentConfiguration as Record<string, unknown>;
    expect(cfg.strategy).toBe("CANARY");
    expect(cfg.canaryConfiguration).toMatchObject({ canaryPercent: 10 });
    expect(cfg.bakeTimeInMinutes).toBe("10");
    expect(runs.prod.ofType("aws:lb/targetGroup:TargetGroup")).toHaveLength(2);
    const alarms = prod.alarms as { alarmNames: string[]; enable: boolean; rollback: boolean };
    expect(alarms.enable).toBe(true);
    expect(alarms.rollback).toBe(true);
    expect(alarms.alarmNames.length).toBeGreaterThan(0);
    expect(prod.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
  });

  it("rollout: one replacement batch in 20 s in dev, under 60 s in staging and prod; the app drains in time", () => {
    expect(runs.dev.outputs.worstCaseBatchSeconds).toBe(20);
    expect(runs.staging.outputs.worstCaseBatchSeconds).toBe(55);
    expect(runs.prod.outputs.worstCaseBatchSeconds).toBe(55);
    for (const env of ["dev", "staging", "prod"] as const) {
      const run = runs[env];
      const [container] = run.json(run.one(TASK_DEFINITION), "containerDefinitions") as {
        stopTimeout: number;
        environment: { name: string; value: string }[];
      }[];
      const drainMs = Number(container!.environment.find((e) => e.name === "SHUTDOWN_TIMEOUT_MS")?.value);
      expect(drainMs).toBe((container!.stopTimeout - 2) * 1000);
    }
    const dev = runs.dev.one("aws:lb/targetGroup:TargetGroup");
    expect(dev.inputs.deregistrationDelay).toBe(5);
    expect((dev.inputs.healthCheck as { interval: number }).interval).toBe(5);
  });

  it("Container Insights: off in dev (charged per metric even idle), on in staging, enhanced in prod", () => {
    const insights = (env: Env) =>
      (runs[env].one("aws:ecs/cluster:Cluster").inputs.settings as { name: string; value: string }[]).find(
        (s) => s.name === "containerInsights",
      )?.value;
    expect([insights("dev"), insights("staging"), insights("prod")]).toEqual([
      "disabled",
      "enabled",
      "enhanced",
    ]);
  });

  it("log retention: a week in dev, a month in staging, a year in prod", () => {
    expect(logGroup(runs.dev, "hello-logs").inputs.retentionInDays).toBe(7);
    expect(logGroup(runs.staging, "hello-logs").inputs.retentionInDays).toBe(30);
    expect(logGroup(runs.prod, "hello-logs").inputs.retentionInDays).toBe(365);
    expect(logGroup(runs.dev, "platform-exec-logs").inputs.retentionInDays).toBe(30);
    expect(logGroup(runs.prod, "platform-exec-logs").inputs.retentionInDays).toBe(365);
  });

  it("load balancer: access logs in staging (a month) and prod (a year), deletion protection in prod only", () => {
    const dev = runs.dev.one(ALB).inputs;
    expect(dev.enableDeletionProtection).toBe(false);
    expect((dev.accessLogs as { enabled?: boolean } | undefined)?.enabled ?? false).toBe(false);
    expect(runs.dev.ofType("aws:s3/bucket:Bucket")).toHaveLength(0);
    expect(runs.staging.one(ALB).inputs.enableDeletionProtection).toBe(false);
    expect(runs.prod.one(ALB).inputs.enableDeletionProtection).toBe(true);
    for (const [env, days] of [
      ["staging", 30],
      ["prod", 365],
    ] as const) {
      expect(runs[env].one(ALB).inputs.accessLogs).toMatchObject({ enabled: true });
      expect(runs[env].ofType("aws:s3/bucket:Bucket")).toHaveLength(1);
      const lifecycle = runs[env].one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
      expect(JSON.stringify(lifecycle.inputs)).toContain(`"days":${days}`);
    }
  });

  it("HTTPS with a certificate in staging and prod; plain HTTP in dev", () => {
    const ports = (env: Env) => runs[env].ofType(LISTENER).map((l) => [l.inputs.port, l.inputs.protocol]);
    expect(ports("dev")).toEqual([[80, "HTTP"]]);
    expect(runs.dev.ofType("aws:acm/certificate:Certificate")).toHaveLength(0);
    expect(runs.dev.outputs.url).toMatch(/^http:\/\/.*\.elb\.amazonaws\.com/);
    for (const [env, host] of [
      ["staging", "hello.staging.example.com"],
      ["prod", "hello.example.com"],
    ] as const) {
      expect(ports(env)).toEqual(
        expect.arrayContaining([
          [80, "HTTP"],
          [443, "HTTPS"],
        ]),
      );
      expect(runs[env].one("aws:acm/certificate:Certificate").inputs.domainName).toBe(host);
      expect(runs[env].outputs.url).toBe(`https://${host}`);
      const rule = runs[env].one("aws:lb/listenerRule:ListenerRule").inputs;
      expect(JSON.stringify(rule.conditions)).toContain(host);
    }
  });

  it("autoscaling in staging (2 to 4 tasks at 70 % CPU) and prod (3 to 10 at 60 %), not in dev", () => {
    expect(runs.dev.ofType("aws:appautoscaling/target:Target")).toHaveLength(0);
    for (const [env, min, max, cpu] of [
      ["staging", 2, 4, 70],
      ["prod", 3, 10, 60],
    ] as const) {
      const target = runs[env].one("aws:appautoscaling/target:Target").inputs;
      expect([target.minCapacity, target.maxCapacity]).toEqual([min, max]);
      expect(service(env).options.ignoreChanges).toContain("desiredCount");
      const policy = runs[env].ofType("aws:appautoscaling/policy:Policy");
      expect(JSON.stringify(policy.map((p) => p.inputs))).toContain(`"targetValue":${cpu}`);
    }
  });

  it("stateful resources are protected in prod only", () => {
    const stateful = (env: Env) => [
      ...runs[env].ofType(LOG_GROUP),
      ...runs[env].ofType("aws:s3/bucket:Bucket"),
    ];
    const prodProtected = stateful("prod").filter((r) => r.options.protect);
    expect(prodProtected.map((r) => r.name).sort()).toEqual(
      ["hello-logs", "platform-exec-logs", "platform-flow-logs", "web-access-logs"].sort(),
    );
    for (const env of ["dev", "staging"] as const) {
      expect(runs[env].managed.filter((r) => r.options.protect)).toEqual([]);
    }
  });

  it("staging and prod run the same digest (promotion), dev a newer one", () => {
    expect(runs.staging.outputs.image).toBe(runs.prod.outputs.image);
    expect(runs.dev.outputs.image).not.toBe(runs.prod.outputs.image);
  });
});
