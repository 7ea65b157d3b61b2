import type { RecordedResource, RunRecord } from "@berth/testing";

const URN = (type: string, name: string) => `urn:pulumi:prod::app::${type}::${name}`;

export function res(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<RecordedResource> = {},
): RecordedResource {
  return {
    urn: URN(type, name),
    type,
    name,
    custom: !type.startsWith("berth:") && !type.startsWith("awsx:"),
    inputs,
    outputs: { ...inputs, ...(extra.outputs ?? {}) },
    dependencies: [],
    propertyDependencies: {},
    options: {},
    ...extra,
  };
}

export function record(resources: RecordedResource[], outputs: Record<string, unknown> = {}): RunRecord {
  return {
    project: "app",
    stack: "prod",
    organization: "organization",
    region: "us-east-1",
    account: "123456789012",
    config: {},
    secretKeys: [],
    resources: [res("pulumi:pulumi:Stack", "app-prod", {}, { custom: false }), ...resources],
    outputs,
    diagnostics: [],
    durationMs: 1,
  };
}

export const TG = "aws:lb/targetGroup:TargetGroup";
export const SVC = "aws:ecs/service:Service";
export const TD = "aws:ecs/taskDefinition:TaskDefinition";

export function targetGroup(over: Record<string, unknown> = {}) {
  return res(
    TG,
    "hello-tg",
    {
      port: 8080,
      protocol: "HTTP",
      targetType: "ip",
      vpcId: "vpc-1",
      deregistrationDelay: 15,
      healthCheck: { interval: 10, healthyThreshold: 2, path: "/healthz" },
      ...over,
    },
    { outputs: { arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/hello-tg/1" } },
  );
}

export function taskDefinition(over: Record<string, unknown> = {}) {
  return res(
    TD,
    "hello-taskdef",
    {
      family: "hello",
      cpu: "512",
      memory: "1024",
      runtimePlatform: { cpuArchitecture: "ARM64", operatingSystemFamily: "LINUX" },
      containerDefinitions: JSON.stringify([{ name: "app", image: "hello@sha256:aa", stopTimeout: 10 }]),
      ...over,
    },
    { outputs: { arn: "arn:aws:ecs:us-east-1:123456789012:task-definition/hello:1" } },
  );
}

export function service(over: Record<string, unknown> = {}) {
  return res(SVC, "hello", {
    cluster: "arn:aws:ecs:us-east-1:123456789012:cluster/c",
    desiredCount: 2,
    launchType: "FARGATE",
    taskDefinition: "arn:aws:ecs:us-east-1:123456789012:task-definition/hello:1",
    healthCheckGracePeriodSeconds: 10,
    deploymentMinimumHealthyPercent: 100,
    deploymentMaximumPercent: 200,
    loadBalancers: [
      {
        containerName: "app",
        containerPort: 8080,
        targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/hello-tg/1",
      },
    ],
    networkConfiguration: { assignPublicIp: false, subnets: ["subnet-1"] },
    ...over,
  });
}
