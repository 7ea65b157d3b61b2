import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunResult, runStack } from "@berth/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Every example service of the catalogue in every environment, each in its own stack.
const projectDir = join(__dirname, "..");
const repoApps = join(projectDir, "..", "..", "apps");
const ENVS = ["dev", "staging", "prod"] as const;
const SERVICES = ["hello", "orders", "mailer", "nightly"] as const;

const runs = new Map<string, RunResult>();
const run = (env: string, service: string) => runs.get(`${env}.${service}`)!;

beforeAll(async () => {
  const stacks = ENVS.flatMap((env) => SERVICES.map((svc) => `${env}.${svc}`));
  const results = await Promise.all(
    stacks.map((stack) => runStack(projectDir, stack, { stackConfigOptional: true, allowError: true })),
  );
  for (const [i, stack] of stacks.entries()) runs.set(stack, results[i]!);
});

describe("every service previews in every environment, in its own stack", () => {
  it.each(ENVS.flatMap((env) => SERVICES.map((svc) => [`${env}.${svc}`] as const)))(
    "%s: no error, no warning, only its own resources",
    (stack) => {
      const r = runs.get(stack)!;
      expect(r.error?.message).toBeUndefined();
      expect(r.diagnostics.filter((d) => d.severity === "error" || d.severity === "warning")).toEqual([]);
      const service = stack.split(".")[1]!;
      // One component of the service's kind, and nothing of any other service.
      const kinds = r.managed.filter((x) => x.type.startsWith("berth:cluster:")).map((x) => x.name);
      expect(kinds).toEqual([service]);
      for (const other of SERVICES.filter((s) => s !== service)) {
        expect(r.managed.filter((x) => x.name.startsWith(`${other}-`))).toEqual([]);
      }
    },
  );
});

describe("IAM as the account's bootstrap requires it", () => {
  it.each(ENVS.flatMap((env) => SERVICES.map((svc) => [env, svc] as const)))(
    "%s.%s: every role under /berth/<env>/ with the workload boundary",
    (env, svc) => {
      const account = env === "prod" ? "210987654321" : "123456789012";
      const roles = run(env, svc).ofType("aws:iam/role:Role");
      expect(roles.length).toBeGreaterThan(1);
      for (const r of roles) {
        expect([r.name, r.inputs.path, r.inputs.permissionsBoundary]).toEqual([
          r.name,
          `/berth/${env}/`,
          `arn:aws:iam::${account}:policy/berth-boundaries/berth-workload-${env}`,
        ]);
      }
    },
  );
});

describe("orders (internal)", () => {
  it("publishes http://orders:8080 through Service Connect and admits only its callers' security group", () => {
    const r = run("prod", "orders");
    const svc = r.one("aws:ecs/service:Service").inputs;
    expect(svc.serviceConnectConfiguration).toMatchObject({
      enabled: true,
      services: [{ discoveryName: "orders", clientAlias: [{ port: 8080, dnsName: "orders" }] }],
    });
    const platform = (
      r.one("pulumi:pulumi:StackReference", "organization/berth-platform/prod").outputs.outputs as {
        forServices: { callerSecurityGroups: Record<string, string> };
      }
    ).forServices;
    const ingress = r
      .ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
      .filter((i) => i.inputs.fromPort === 8080);
    expect(
      ingress.map((i) => [i.inputs.referencedSecurityGroupId, i.inputs.fromPort, i.inputs.cidrIpv4]),
    ).toEqual([[platform.callerSecurityGroups.orders, 8080, undefined]]);
    expect(r.ofType("aws:lb/targetGroup:TargetGroup")).toEqual([]);
    expect(r.outputs.url).toBe("http://orders:8080");
  });
});

describe("mailer (worker)", () => {
  it("owns its queue and dead-letter queue (protected in prod), may consume exactly it, and gets QUEUE_URL", () => {
    const r = run("prod", "mailer");
    const queue = r.named("mailer-queue", "aws:sqs/queue:Queue");
    expect(queue.inputs.visibilityTimeoutSeconds).toBe(180);
    expect(JSON.parse(queue.inputs.redrivePolicy as string).maxReceiveCount).toBe(5);
    expect(queue.options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(run("dev", "mailer").named("mailer-queue", "aws:sqs/queue:Queue").options.protect ?? false).toBe(
      false,
    );
    const [container] = r.json(r.one("aws:ecs/taskDefinition:TaskDefinition"), "containerDefinitions") as {
      environment: { name: string; value: string }[];
    }[];
    expect(container!.environment).toContainEqual({ name: "QUEUE_URL", value: queue.outputs.url });
    const policy = JSON.stringify(r.ofType("aws:iam/rolePolicy:RolePolicy").map((p) => p.inputs.policy));
    expect(policy).toContain("sqs:ReceiveMessage");
    expect(policy).not.toContain('"sqs:*"');
    expect(r.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).toEqual([]);
  });

  it("scales on backlog per task where the cluster has Container Insights, one fixed task in dev", () => {
    expect(run("dev", "mailer").ofType("aws:appautoscaling/target:Target")).toEqual([]);
    for (const [env, min, max] of [
      ["staging", 1, 4],
      ["prod", 2, 10],
    ] as const) {
      const target = run(env, "mailer").one("aws:appautoscaling/target:Target").inputs;
      expect([target.minCapacity, target.maxCapacity]).toEqual([min, max]);
      const policies = JSON.stringify(
        run(env, "mailer")
          .ofType("aws:appautoscaling/policy:Policy")
          .map((p) => p.inputs),
      );
      expect(policies).toContain("ApproximateNumberOfMessagesVisible");
      expect(policies).toContain('"targetValue":100');
    }
  });
});

describe("nightly (job)", () => {
  it("runs on its schedule in its time zone with no ECS service", () => {
    const r = run("prod", "nightly");
    expect(r.ofType("aws:ecs/service:Service")).toEqual([]);
    const schedule = r.one("aws:scheduler/schedule:Schedule").inputs;
    expect(schedule).toMatchObject({
      scheduleExpression: "cron(0 3 * * ? *)",
      scheduleExpressionTimezone: "Europe/Paris",
      flexibleTimeWindow: { mode: "FLEXIBLE", maximumWindowInMinutes: 30 },
    });
    expect(
      (schedule.target as { retryPolicy: { maximumRetryAttempts: number } }).retryPolicy.maximumRetryAttempts,
    ).toBe(1);
  });
});

describe("adding a service is adding a folder", () => {
  const tmp = mkdtempSync(join(tmpdir(), "berth-service-apps-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("a copy of orders named billing previews in dev, with no TypeScript change anywhere", async () => {
    const apps = join(tmp, "apps");
    cpSync(repoApps, apps, { recursive: true, filter: (src) => !/node_modules|dist$/.test(src) });
    cpSync(join(apps, "orders"), join(apps, "billing"), { recursive: true });
    const manifest = join(apps, "billing", "berth.yaml");
    // Its own data: a resource has one owner, so the copy names its database and bucket anew.
    writeFileSync(
      manifest,
      readFileSync(manifest, "utf8")
        .replace(/^name: orders$/m, "name: billing")
        .replaceAll("orders-db", "billing-db")
        .replaceAll("receipts", "invoices"),
    );
    const billing = await runStack(projectDir, "dev.billing", {
      stackConfigOptional: true,
      environment: { BERTH_APPS_DIR: apps },
      allowError: true,
    });
    expect(billing.error?.message).toBeUndefined();
    expect(billing.one("berth:cluster:InternalService").name).toBe("billing");
    // Its image comes from its own repository in the shared registry, which now has one.
    expect(billing.outputs.image).toMatch(
      /^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/billing@sha256:/,
    );
    // The environment made the security group its callers join.
    const platform = billing.one("pulumi:pulumi:StackReference", "organization/berth-platform/dev").outputs
      .outputs as { forServices: { callerSecurityGroups: Record<string, string> } };
    expect(Object.keys(platform.forServices.callerSecurityGroups).sort()).toEqual(["billing", "orders"]);
  });

  it("a secret reference with <env> reads that environment's parameter, and only the execution role may", async () => {
    const apps = join(tmp, "secrets");
    cpSync(repoApps, apps, { recursive: true, filter: (src) => !/node_modules|dist$/.test(src) });
    const manifest = join(apps, "orders", "berth.yaml");
    writeFileSync(
      manifest,
      `${readFileSync(manifest, "utf8")}secrets:\n  API_TOKEN:\n    ssm: /berth/<env>/orders/api-token\n`,
    );
    const r = await runStack(projectDir, "staging.orders", {
      stackConfigOptional: true,
      environment: { BERTH_APPS_DIR: apps },
      allowError: true,
    });
    expect(r.error?.message).toBeUndefined();
    const arn = "arn:aws:ssm:us-east-1:123456789012:parameter/berth/staging/orders/api-token";
    const [container] = r.json(
      r.one("aws:ecs/taskDefinition:TaskDefinition", "orders-taskdef"),
      "containerDefinitions",
    ) as {
      secrets: { name: string; valueFrom: string }[];
    }[];
    expect(container!.secrets.filter((x) => x.name === "API_TOKEN")).toEqual([
      { name: "API_TOKEN", valueFrom: arn },
    ]);
    const execution = r
      .ofType("aws:iam/rolePolicy:RolePolicy")
      .map((p) => p.inputs.policy as string)
      .filter((p) => p.includes("ssm:GetParameters"));
    expect(execution).toHaveLength(1);
    expect(execution[0]).toContain(arn);
  });

  it("a broken manifest anywhere stops every service's stack with file:line:column, before any resource", async () => {
    const apps = join(tmp, "broken");
    cpSync(repoApps, apps, { recursive: true, filter: (src) => !/node_modules|dist$/.test(src) });
    const manifest = join(apps, "orders", "berth.yaml");
    writeFileSync(manifest, `${readFileSync(manifest, "utf8")}portt: 8080\n`);
    const r = await runStack(projectDir, "dev.hello", {
      stackConfigOptional: true,
      environment: { BERTH_APPS_DIR: apps },
      allowError: true,
    });
    expect(r.error?.message).toMatch(
      /orders\/berth\.yaml:\d+:1: portt is 8080; not a field here; did you mean port\?/,
    );
    expect(r.managed).toEqual([]);
  });
});
