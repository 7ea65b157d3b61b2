import { join } from "node:path";
import { type RecordedResource, type RunResult, runStack } from "@berth/testing";
import { beforeAll, describe, expect, it } from "vitest";

const projectDir = join(__dirname, "..");
const ENVS = ["dev", "staging", "prod"] as const;
type Env = (typeof ENVS)[number];

const runs = {} as Record<Env, RunResult>;

beforeAll(async () => {
  const results = await Promise.all(ENVS.map((env) => runStack(projectDir, env, { allowError: true })));
  ENVS.forEach((env, i) => {
    runs[env] = results[i]!;
  });
});

const VPC = "awsx:ec2:Vpc";
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

  it("exports what operators read and what every service stack reads (forServices)", () => {
    // biome-ignore lint/suspicious/noExplicitAny: the stack output as the service stacks read it
    const o = runs[env].outputs as Record<string, unknown> & { forServices: Record<string, any> };
    expect(o.environment).toBe(env);
    expect(o.vpcId).toMatch(/^vpc-/);
    for (const key of ["clusterName", "loadBalancerDnsName", "url"])
      expect(typeof o[key], key).toBe("string");
    const f = o.forServices;
    expect(f).toMatchObject({
      environment: env,
      region: "us-east-1",
      accountId: env === "prod" ? "210987654321" : "123456789012",
      sharedStack: "organization/berth-shared/shared",
      protect: env === "prod",
      tags: { Owner: "platform-team", CostCenter: "CC-1001" },
      tasks: { subnets: "private" },
    });
    expect(f.network.vpcId).toBe(o.vpcId);
    expect(f.cluster).toMatchObject({ name: o.clusterName, containerInsights: env !== "dev" });
    expect(f.cluster.serviceConnectNamespaceName).toBe(`${env}.internal`);
    expect(f.loadBalancer.listenerArn).toMatch(/^arn:aws:elasticloadbalancing:/);
  });

  it("has a Service Connect namespace, and per internal service the security group of its callers", () => {
    const run = runs[env];
    expect(run.one("aws:servicediscovery/httpNamespace:HttpNamespace").inputs.name).toBe(`${env}.internal`);
    // orders is the catalogue's internal service (apps/orders/berth.yaml); hello calls it.
    const callers = run.named("orders-callers", "aws:ec2/securityGroup:SecurityGroup");
    expect(callers.inputs.vpcId).toBe(run.outputs.vpcId);
    const f = run.outputs.forServices as { callerSecurityGroups: Record<string, string> };
    expect(f.callerSecurityGroups).toEqual({ orders: callers.id });
    expect(callers.options.retainOnDelete ?? false).toBe(env === "prod");
  });

  it("puts every IAM role, policy and instance profile under /berth/<env>/, roles with the workload boundary", () => {
    const run = runs[env];
    const account = env === "prod" ? "210987654321" : "123456789012";
    const iam = run.managed.filter((r) =>
      ["aws:iam/role:Role", "aws:iam/policy:Policy", "aws:iam/instanceProfile:InstanceProfile"].includes(
        r.type,
      ),
    );
    expect(iam.length).toBeGreaterThan(0);
    for (const r of iam) expect(r.inputs.path, r.name).toBe(`/berth/${env}/`);
    for (const r of iam.filter((x) => x.type === "aws:iam/role:Role")) {
      expect(r.inputs.permissionsBoundary, r.name).toBe(
        `arn:aws:iam::${account}:policy/berth-boundaries/berth-workload-${env}`,
      );
    }
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
    expect(awsResources.length).toBeGreaterThan(10);
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
});

describe("environment differences", () => {
  const vpc = (env: Env) => runs[env].one(VPC).inputs;
  const strategy = (env: Env) =>
    Object.fromEntries(
      (
        runs[env].one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs
          .defaultCapacityProviderStrategies as {
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

  it("NAT: one instance in dev, one gateway in staging, one per zone in prod; tasks private everywhere", () => {
    // dev: one NAT instance (no gateway) that every private subnet routes through, so one more
    // service adds no public IPv4 address.
    expect(vpc("dev").natGateways).toEqual({ strategy: "None" });
    const nat = runs.dev.one("aws:ec2/instance:Instance");
    expect(nat.inputs).toMatchObject({ associatePublicIpAddress: true, sourceDestCheck: false });
    expect(runs.dev.ofType("aws:ec2/route:Route")).toHaveLength(2);
    const tasks = (env: Env) =>
      (runs[env].outputs.forServices as { tasks: { subnets: string } }).tasks.subnets;
    expect([tasks("dev"), tasks("staging"), tasks("prod")]).toEqual(["private", "private", "private"]);
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

  it("ECS Exec audit logs: a month in dev, a year in prod", () => {
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
    // Services attach their rules (hosts, paths) to the listener from their own stacks.
    for (const env of ENVS) expect(runs[env].ofType("aws:lb/listenerRule:ListenerRule")).toEqual([]);
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
    }
  });

  it("stateful resources are protected in prod only", () => {
    const stateful = (env: Env) => [
      ...runs[env].ofType(LOG_GROUP),
      ...runs[env].ofType("aws:s3/bucket:Bucket"),
    ];
    const prodProtected = stateful("prod").filter((r) => r.options.protect);
    expect(prodProtected.map((r) => r.name).sort()).toEqual(
      ["platform-exec-logs", "platform-flow-logs", "web-access-logs"].sort(),
    );
    for (const env of ["dev", "staging"] as const) {
      expect(runs[env].managed.filter((r) => r.options.protect)).toEqual([]);
    }
  });
});
