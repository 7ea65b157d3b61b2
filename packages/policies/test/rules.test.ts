import type { RecordedResource, RunRecord } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { evaluate, RULES } from "../src/index.js";

function res(type: string, name: string, inputs: Record<string, unknown>, id?: string): RecordedResource {
  return {
    urn: `urn:pulumi:prod::app::${type}::${name}`,
    type,
    name,
    custom: true,
    inputs,
    outputs: inputs,
    ...(id ? { id } : {}),
    dependencies: [],
    propertyDependencies: {},
    options: {},
  };
}

function rec(stack: string, resources: RecordedResource[]): RunRecord {
  return {
    project: "app",
    stack,
    organization: "o",
    region: "us-east-1",
    account: "123456789012",
    config: {},
    secretKeys: [],
    resources,
    outputs: {},
    diagnostics: [],
    durationMs: 0,
  };
}

const td = (c: Record<string, unknown>) =>
  res("aws:ecs/taskDefinition:TaskDefinition", "td", {
    containerDefinitions: JSON.stringify([
      {
        name: "app",
        readonlyRootFilesystem: true,
        logConfiguration: { logDriver: "awslogs" },
        environment: [],
        ...c,
      },
    ]),
  });
const alb = (o: Record<string, unknown>) =>
  res("aws:lb/loadBalancer:LoadBalancer", "alb", {
    loadBalancerType: "application",
    dropInvalidHeaderFields: true,
    desyncMitigationMode: "defensive",
    enableDeletionProtection: true,
    accessLogs: { enabled: true, bucket: "logs" },
    ...o,
  });
const cb = (env: Record<string, unknown>, o: Record<string, unknown> = {}) =>
  res("aws:codebuild/project:Project", "build", {
    environment: { privilegedMode: false, environmentVariables: [], ...env },
    logsConfig: { cloudwatchLogs: { status: "ENABLED" } },
    ...o,
  });
const role = (policy: unknown) =>
  res("aws:iam/rolePolicy:RolePolicy", "p", { policy: JSON.stringify(policy) });
const allow = (Action: unknown, Resource: unknown) => ({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action, Resource }],
});
const repo = (o: Record<string, unknown> = {}) =>
  res("aws:ecr/repository:Repository", "repo", {
    name: "hello",
    imageTagMutability: "IMMUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    encryptionConfigurations: [{ encryptionType: "KMS" }],
    ...o,
  });
const bucket = () => res("aws:s3/bucket:Bucket", "b", { bucket: "logs" }, "logs");
const pab = (o: Record<string, unknown> = {}) =>
  res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "pab", {
    bucket: "logs",
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
    ...o,
  });
const tlsPolicy = (effect = "Deny") =>
  res("aws:s3/bucketPolicy:BucketPolicy", "bp", {
    bucket: "logs",
    policy: JSON.stringify({
      Statement: [
        {
          Effect: effect,
          Principal: "*",
          Action: "s3:*",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    }),
  });

/** [rule, passing resources, failing resources]; judged in prod. */
const CASES: [string, RecordedResource[], RecordedResource[]][] = [
  [
    "ecs-no-public-ip",
    [res("aws:ecs/service:Service", "svc", { networkConfiguration: { assignPublicIp: false } })],
    [res("aws:ecs/service:Service", "svc", { networkConfiguration: { assignPublicIp: true } })],
  ],
  ["ecs-read-only-root-filesystem", [td({})], [td({ readonlyRootFilesystem: false })]],
  ["ecs-not-privileged", [td({ privileged: false })], [td({ privileged: true })]],
  ["ecs-logging", [td({})], [td({ logConfiguration: undefined })]],
  [
    "ecs-no-secrets-in-environment",
    [
      td({
        environment: [
          { name: "LOG_LEVEL", value: "info" },
          // where the secret is (re-read after a rotation), not the secret
          {
            name: "DB_SECRET_ARN",
            value: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-0a1b2c3d-AbCdEf",
          },
        ],
        secrets: [{ name: "DB_PASSWORD", valueFrom: "arn" }],
      }),
    ],
    [td({ environment: [{ name: "DB_SECRET", value: "arn:aws:secretsmanager:hunter2" }] })],
  ],
  [
    "ecs-container-insights",
    [res("aws:ecs/cluster:Cluster", "c", { settings: [{ name: "containerInsights", value: "enabled" }] })],
    [res("aws:ecs/cluster:Cluster", "c", { settings: [] })],
  ],
  [
    "ecr-immutable-tags",
    [repo({ imageTagMutability: "IMMUTABLE_WITH_EXCLUSION" })],
    [repo({ imageTagMutability: "MUTABLE" })],
  ],
  [
    "ecr-scan-on-push",
    [
      repo({ imageScanningConfiguration: {} }),
      res("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration", "scan", {
        scanType: "ENHANCED",
      }),
    ],
    [repo({ imageScanningConfiguration: { scanOnPush: false } })],
  ],
  [
    "ecr-lifecycle-policy",
    [repo(), res("aws:ecr/lifecyclePolicy:LifecyclePolicy", "lp", { repository: "hello" })],
    [repo()],
  ],
  ["ecr-kms", [repo()], [repo({ encryptionConfigurations: [{ encryptionType: "AES256" }] })]],
  [
    "alb-http-to-https",
    [
      res("aws:lb/listener:Listener", "http", {
        protocol: "HTTP",
        defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", statusCode: "HTTP_301" } }],
      }),
    ],
    [
      res("aws:lb/listener:Listener", "http", {
        protocol: "HTTP",
        defaultActions: [{ type: "forward", targetGroupArn: "tg" }],
      }),
    ],
  ],
  [
    "alb-tls-policy",
    [
      res("aws:lb/listener:Listener", "https", {
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      }),
    ],
    [res("aws:lb/listener:Listener", "https", { protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-2016-08" })],
  ],
  ["alb-drop-invalid-headers", [alb({})], [alb({ dropInvalidHeaderFields: false })]],
  [
    "alb-desync-mitigation",
    [alb({ desyncMitigationMode: "strictest" })],
    [alb({ desyncMitigationMode: "monitor" })],
  ],
  ["alb-deletion-protection", [alb({})], [alb({ enableDeletionProtection: false })]],
  ["alb-access-logs", [alb({})], [alb({ accessLogs: { enabled: false } })]],
  [
    "vpc-flow-logs",
    [res("aws:ec2/vpc:Vpc", "vpc", {}, "vpc-1"), res("aws:ec2/flowLog:FlowLog", "fl", { vpcId: "vpc-1" })],
    [res("aws:ec2/vpc:Vpc", "vpc", {}, "vpc-1")],
  ],
  [
    "vpc-default-security-group-closed",
    [res("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "d", { vpcId: "vpc-1" })],
    [
      res("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "d", {
        vpcId: "vpc-1",
        ingress: [{ protocol: "-1", self: true }],
      }),
    ],
  ],
  [
    "codebuild-privileged-only-for-images",
    [
      cb({
        privilegedMode: true,
        environmentVariables: [{ name: "DOCKERFILE", value: "Dockerfile", type: "PLAINTEXT" }],
      }),
    ],
    [cb({ privilegedMode: true })],
  ],
  [
    "codebuild-no-plaintext-secrets",
    [cb({ environmentVariables: [{ name: "NPM_TOKEN", value: "/npm/token", type: "PARAMETER_STORE" }] })],
    [cb({ environmentVariables: [{ name: "NPM_TOKEN", value: "abc", type: "PLAINTEXT" }] })],
  ],
  [
    "codebuild-logs",
    [cb({})],
    [cb({}, { logsConfig: { cloudwatchLogs: { status: "DISABLED" }, s3Logs: { status: "DISABLED" } } })],
  ],
  ["iam-no-admin", [role(allow(["s3:GetObject"], "*"))], [role(allow("*", "*"))]],
  [
    "iam-no-passrole-star",
    [role(allow("iam:PassRole", "arn:aws:iam::1:role/x"))],
    [role(allow(["iam:PassRole"], ["*"]))],
  ],
  ["s3-public-access-block", [bucket(), pab()], [bucket(), pab({ restrictPublicBuckets: false })]],
  ["s3-tls-only", [bucket(), tlsPolicy()], [bucket(), tlsPolicy("Allow")]],
];

describe("policy rules", () => {
  it("every rule has a case", () => {
    expect(CASES.map((c) => c[0]).sort()).toEqual(RULES.map((r) => r.name).sort());
  });

  it.each(CASES)("%s: passes the good resource, fails the bad one", (rule, good, bad) => {
    const of = (rs: RecordedResource[]) => evaluate(rec("prod", rs)).findings.filter((f) => f.rule === rule);
    expect(of(good)).toEqual([]);
    const found = of(bad);
    expect(found.length).toBe(1);
    const def = RULES.find((r) => r.name === rule)!;
    expect(found[0]).toMatchObject({ rule, severity: def.severity, level: def.level, status: "violation" });
  });

  it("names the Security Hub control each mirrors", () => {
    expect(Object.fromEntries(RULES.map((r) => [r.name, r.control ?? null]))).toMatchObject({
      "ecs-no-public-ip": "ECS.2",
      "ecs-read-only-root-filesystem": "ECS.5",
      "ecr-scan-on-push": "ECR.1",
      "alb-http-to-https": "ELB.1",
      "vpc-flow-logs": "EC2.6",
      "s3-public-access-block": "S3.8",
      "iam-no-passrole-star": null,
    });
  });
});

describe("evaluate", () => {
  const publicSvc = res("aws:ecs/service:Service", "hello", {
    networkConfiguration: { assignPublicIp: true },
  });

  it("a public IP in prod is a mandatory violation; the result fails", () => {
    const r = evaluate(rec("prod", [publicSvc]));
    expect(r.passed).toBe(false);
    expect(r.findings).toEqual([
      {
        rule: "ecs-no-public-ip",
        control: "ECS.2",
        severity: "high",
        level: "mandatory",
        status: "violation",
        message: "the service assigns public IP addresses to its tasks (networkConfiguration.assignPublicIp)",
        urn: publicSvc.urn,
        name: "hello",
      },
    ]);
  });

  it("does not apply the public-IP rule in dev", () => {
    const r = evaluate(rec("dev", [publicSvc]));
    expect(r.findings).toEqual([]);
    expect(r.skipped).toContainEqual({ rule: "ecs-no-public-ip", why: "does not apply in dev" });
  });

  it("dev may waive a named rule: its findings are reported as waived", () => {
    const r = evaluate(rec("dev", [td({ readonlyRootFilesystem: false })]), {
      waive: { "ecs-read-only-root-filesystem": "the app writes to / until #42" },
    });
    expect(r.passed).toBe(true);
    expect(r.findings.map((f) => [f.rule, f.status, f.reason])).toEqual([
      ["ecs-read-only-root-filesystem", "waived", "the app writes to / until #42"],
    ]);
  });

  it("refuses waivers in prod and unknown rule names", () => {
    expect(() => evaluate(rec("prod", []), { waive: { "ecs-logging": "no" } })).toThrow(
      /prod may not waive rules/,
    );
    expect(() => evaluate(rec("dev", []), { waive: { "no-such-rule": "x" } })).toThrow(
      /unknown policy rule 'no-such-rule'/,
    );
  });

  it("levels can be overridden, and disabled rules are listed", () => {
    const r = evaluate(rec("prod", [publicSvc]), { levels: { "ecs-no-public-ip": "advisory" } });
    expect(r.passed).toBe(true);
    expect(r.findings[0]!.level).toBe("advisory");
    expect(evaluate(rec("prod", []), { levels: { "ecs-logging": "disabled" } }).skipped).toContainEqual({
      rule: "ecs-logging",
      why: "disabled by configuration",
    });
  });
});
