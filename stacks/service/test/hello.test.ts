import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type RecordedResource, type RunResult, runStack } from "@berth/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

// hello (apps/hello/berth.yaml), a web service, in each environment: its own stack prod.hello …
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
  const results = await Promise.all(
    ENVS.map((env) => runStack(projectDir, `${env}.hello`, { stackConfigOptional: true, allowError: true })),
  );
  ENVS.forEach((env, i) => {
    runs[env] = results[i]!;
  });
});

const ECS_SERVICE = "aws:ecs/service:Service";
const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const container = (run: RunResult) =>
  (run.json(run.one(TASK_DEFINITION), "containerDefinitions") as Record<string, unknown>[])[0] as {
    image: string;
    portMappings: { containerPort: number }[];
    stopTimeout: number;
    environment: { name: string; value: string }[];
  };

describe.each(ENVS)("%s.hello", (env) => {
  it("previews offline without errors or warnings", () => {
    expect(runs[env].error?.message).toBeUndefined();
    expect(runs[env].diagnostics.filter((d) => d.severity === "error" || d.severity === "warning")).toEqual(
      [],
    );
  });

  it("exports what the deploy and operators read", () => {
    const o = runs[env].outputs;
    expect(o).toMatchObject({ kind: "web", releasePointer: `/berth/${env}/hello/image` });
    for (const key of ["url", "serviceName", "clusterName", "taskDefinitionArn", "logGroupName"]) {
      expect(typeof o[key], key).toBe("string");
    }
    expect(o.logGroupName).toBe(`/ecs/${o.clusterName}/hello`);
    expect(o.worstCaseBatchSeconds).toBeGreaterThan(0);
  });

  it("runs the image the environment's release pointer names", () => {
    const pointer = pointers[`/berth/${env}/hello/image`]!;
    expect(runs[env].outputs.image).toBe(pointer);
    expect(container(runs[env]).image).toBe(pointer);
  });

  it("reads the environment and the registry through StackReferences, and nothing else", () => {
    expect(
      runs[env]
        .ofType("pulumi:pulumi:StackReference")
        .map((r) => r.name)
        .sort(),
    ).toEqual([`organization/berth-platform/${env}`, "organization/berth-shared/shared"]);
  });

  it("has one tagged aws provider in the environment's account, used by every AWS resource", () => {
    const run = runs[env];
    const provider = run.one("pulumi:providers:aws");
    const tags = (
      (typeof provider.inputs.defaultTags === "string"
        ? JSON.parse(provider.inputs.defaultTags)
        : provider.inputs.defaultTags) as { tags: Record<string, string> }
    ).tags;
    expect(tags).toEqual({
      Project: "berth",
      Environment: env,
      Service: "hello",
      ManagedBy: "pulumi",
      Owner: "platform-team",
      CostCenter: "CC-1001",
    });
    const allowed = provider.inputs.allowedAccountIds;
    expect(typeof allowed === "string" ? JSON.parse(allowed) : allowed).toEqual([
      env === "prod" ? "210987654321" : "123456789012",
    ]);
    for (const r of run.managed.filter((x) => x.custom && x.type.startsWith("aws:"))) {
      expect(r.provider, `${r.type} ${r.name}`).toMatch(/::berth-service::pulumi:providers:aws::aws::/);
    }
  });

  it("serves on port 8080 with the app's health path, and calls orders through Service Connect", () => {
    const run = runs[env];
    expect(container(run).portMappings[0]!.containerPort).toBe(8080);
    for (const tg of run.ofType("aws:lb/targetGroup:TargetGroup")) {
      expect(tg.inputs.port).toBe(8080);
      expect((tg.inputs.healthCheck as { path: string }).path).toBe("/healthz");
    }
    const svc = run.one(ECS_SERVICE).inputs;
    expect(svc.serviceConnectConfiguration).toMatchObject({ enabled: true });
    // Its tasks join the orders callers' security group, which orders admits.
    const platform = (
      run.one("pulumi:pulumi:StackReference", `organization/berth-platform/${env}`).outputs.outputs as {
        forServices: { callerSecurityGroups: Record<string, string> };
      }
    ).forServices;
    const groups = (svc.networkConfiguration as { securityGroups: string[] }).securityGroups;
    expect(groups).toContain(platform.callerSecurityGroups.orders);
  });

  it("runs on the environment's capacity strategy and subnets", () => {
    const svc = runs[env].one(ECS_SERVICE).inputs;
    expect(svc.launchType).toBeUndefined();
    expect((svc.capacityProviderStrategies as unknown[]).length).toBeGreaterThan(0);
    // Private subnets everywhere (dev through a NAT instance): no public IPv4 address per task.
    expect((svc.networkConfiguration as { assignPublicIp: boolean }).assignPublicIp).toBe(false);
  });
});

describe("hello: environment differences, from its manifest", () => {
  const service = (env: Env) => runs[env].one(ECS_SERVICE);
  const logGroup = (env: Env): RecordedResource => runs[env].one(LOG_GROUP, "hello-logs");

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
      expect((service(env).inputs.deploymentConfiguration as { strategy: string }).strategy).toBe("ROLLING");
      expect(runs[env].ofType("aws:lb/targetGroup:TargetGroup")).toHaveLength(1);
    }
    const prod = service("prod").inputs;
    const cfg = prod.deploymentConfiguration as Record<string, unknown>;
    expect(cfg.strategy).toBe("CANARY");
    expect(cfg.canaryConfiguration).toMatchObject({ canaryPercent: 10 });
    expect(cfg.bakeTimeInMinutes).toBe("10");
    expect(runs.prod.ofType("aws:lb/targetGroup:TargetGroup")).toHaveLength(2);
    const alarms = prod.alarms as { alarmNames: string[]; enable: boolean; rollback: boolean };
    expect(alarms).toMatchObject({ enable: true, rollback: true });
    expect(alarms.alarmNames.length).toBeGreaterThan(0);
    expect(prod.deploymentCircuitBreaker).toEqual({ enable: true, rollback: true });
  });

  it("rollout: one replacement batch in 20 s in dev; the app drains before ECS's SIGKILL everywhere", () => {
    expect(runs.dev.outputs.worstCaseBatchSeconds).toBe(20);
    for (const env of ENVS) {
      const c = container(runs[env]);
      const drainMs = Number(c.environment.find((e) => e.name === "SHUTDOWN_TIMEOUT_MS")?.value);
      expect(drainMs).toBe((c.stopTimeout - 2) * 1000);
    }
    const dev = runs.dev.one("aws:lb/targetGroup:TargetGroup");
    expect(dev.inputs.deregistrationDelay).toBe(5);
    expect((dev.inputs.healthCheck as { interval: number }).interval).toBe(5);
  });

  it("routes: every path in dev, its host name in staging and prod", () => {
    const conditions = (env: Env) =>
      JSON.stringify(runs[env].one("aws:lb/listenerRule:ListenerRule").inputs.conditions);
    expect(conditions("dev")).toContain('"/*"');
    expect(conditions("staging")).toContain("hello.staging.example.com");
    expect(conditions("prod")).toContain("hello.example.com");
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
      const policies = runs[env].ofType("aws:appautoscaling/policy:Policy");
      expect(JSON.stringify(policies.map((p) => p.inputs))).toContain(`"targetValue":${cpu}`);
    }
  });

  it("log retention: a week in dev, a month in staging, a year in prod; protected in prod only", () => {
    expect(ENVS.map((env) => logGroup(env).inputs.retentionInDays)).toEqual([7, 30, 365]);
    expect(logGroup("prod").options.protect).toBe(true);
    for (const env of ["dev", "staging"] as const)
      expect(runs[env].managed.filter((r) => r.options.protect)).toEqual([]);
  });

  it("staging and prod run the same digest (promotion), dev a newer one", () => {
    expect(runs.staging.outputs.image).toBe(runs.prod.outputs.image);
    expect(runs.dev.outputs.image).not.toBe(runs.prod.outputs.image);
  });

  it("keeps the state it had in berth-platform: the component answers to the old type too", () => {
    const web = runs.prod.one("berth:cluster:WebService");
    // After `pulumi state move` from berth-platform/prod (docs/operations.md), the resources carry
    // the old component type in their URNs; the alias makes them this component's, not new ones.
    expect(web.options.aliases).toEqual([
      "urn:pulumi:prod.hello::berth-service::berth:cluster:Service::hello",
    ]);
  });
});
