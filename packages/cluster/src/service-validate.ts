import { checkComponent, checkTags, known, LOG_RETENTION_DAYS, type Validator } from "@berth/core";
import * as pulumi from "@pulumi/pulumi";
import { checkCapacityShares } from "./capacity.js";
import { describeFargateMemory, FARGATE_CPU_VALUES, fargateMemoryOptions } from "./fargate.js";
import { checkRuleConditions, claimListenerRule } from "./listener-rules.js";
import type {
  ContainerHealthCheckArgs,
  CpuArchitecture,
  DeploymentStrategy,
  FargateCapacityShare,
  ServiceArgs,
  SidecarArgs,
} from "./service-args.js";
import { ADOT_XRAY_CONFIG } from "./service-iam.js";
import { type RolloutTiming, worstCaseBatchSeconds } from "./service-rollout.js";

export const SERVICE_TYPE = "berth:cluster:Service";

/** The collector sidecar's container name. */
export const TRACING_CONTAINER = "aws-otel-collector";
export const DEFAULT_TRACING_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3";

const NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,31}$/;
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `[host[:port]/]path[:tag]@sha256:<64 hex>` */
const REPO = "[a-zA-Z0-9]+(?:[._-][a-zA-Z0-9]+)*(?::[0-9]+)?(?:\\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*";
const TAG = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
const DIGEST_REF = new RegExp(`^${REPO}(?::${TAG})?@sha256:[a-f0-9]{64}$`);
const ANY_REF = new RegExp(`^${REPO}(?::${TAG})?(?:@sha256:[a-f0-9]{64})?$`);
const SSM_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[a-zA-Z0-9_.\-/]+$/;
const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[a-zA-Z0-9/_+=.@-]+(?::[^:]*:[^:]*:[^:]*)?$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/;
const DNS_NAME = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}\.?$/;
const MATCHER = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/;
const SCHEDULE = /^(cron|rate|at)\(.+\)$/;

export interface ResolvedHealthCheck {
  path: string;
  interval: number;
  timeout: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  matcher: string;
}

/** A container health check with ECS's defaults applied. */
export interface ResolvedContainerHealthCheck {
  command: string[];
  interval: number;
  timeout: number;
  retries: number;
  startPeriod: number;
}

/** A container health check with the defaults applied (interval 10 s, timeout 5 s, 3 retries, no start period). */
export function containerHealthCheck(
  hc: ContainerHealthCheckArgs | undefined,
): ResolvedContainerHealthCheck | undefined {
  if (!hc) return undefined;
  return {
    command: hc.command,
    interval: hc.interval ?? 10,
    timeout: hc.timeout ?? 5,
    retries: hc.retries ?? 3,
    startPeriod: hc.startPeriod ?? 0,
  };
}

/** The arguments with every default applied, after validation. */
export interface ResolvedService {
  containerName: string;
  port?: number;
  cpu: number;
  memory: number;
  architecture: CpuArchitecture;
  capacity: "FARGATE" | "FARGATE_SPOT" | "EC2" | "CLUSTER_DEFAULT" | FargateCapacityShare[];
  desiredCount: number;
  /** The autoscaling minimum (`scaling.min`, default `desiredCount`); undefined without scaling. */
  scalingMin: number | undefined;
  stopTimeout: number;
  readonlyRootFilesystem: boolean;
  scratchPath: string;
  containerHealthCheck: ResolvedContainerHealthCheck | undefined;
  retentionInDays: number;
  subnets: "private" | "public";
  healthCheck: ResolvedHealthCheck;
  deregistrationDelay: number;
  slowStart: number;
  strategy: DeploymentStrategy;
  minHealthyPercent: number;
  maxPercent: number;
  /**
   * `availabilityZoneRebalancing`: ENABLED unless `maxPercent` is 100. AWS ("Balancing an Amazon ECS
   * service across Availability Zones") supports rebalancing only for replica services whose
   * `maximumPercent` is above 100 (it starts a task in the short Availability Zone before it stops
   * one), and not with the daemon strategy, binpack placement or the EXTERNAL launch type, none of
   * which a Berth service uses.
   */
  azRebalancing: "ENABLED" | "DISABLED";
  circuitBreaker: boolean;
  rollbackOnAlarms: boolean;
  bakeTimeMinutes: number;
  canary: { percent: number; bakeTimeMinutes: number };
  linear: { stepPercent: number; stepBakeTimeMinutes: number };
  waitForSteadyState: boolean;
  gracePeriod: number;
  alarms: { http5xxPercent: number; cpuPercent: number; memoryPercent: number } | undefined;
  tracing: { image: pulumi.Input<string>; cpu: number; memory: number } | undefined;
  dnsName?: string;
  worstCaseBatchSeconds: number;
}

function checkContainerHealth(v: Validator, field: string, hc: ContainerHealthCheckArgs | undefined): void {
  if (!hc) return;
  v.check(
    Array.isArray(hc.command) && hc.command.length > 1 && ["CMD", "CMD-SHELL"].includes(hc.command[0]!),
    `${field}.command`,
    hc.command,
    'must start with "CMD" or "CMD-SHELL" followed by the command',
  );
  v.integer(`${field}.interval`, hc.interval, { min: 5, max: 300 }, " seconds");
  v.integer(`${field}.timeout`, hc.timeout, { min: 2, max: 60 }, " seconds");
  v.integer(`${field}.retries`, hc.retries, { min: 1, max: 10 });
  v.integer(`${field}.startPeriod`, hc.startPeriod, { min: 0, max: 300 }, " seconds");
}

function checkImage(v: Validator, field: string, image: unknown, allowTag: boolean): void {
  const value = known(image as string);
  if (value === undefined) return;
  if (allowTag) {
    v.check(
      typeof value === "string" && ANY_REF.test(value),
      field,
      value,
      "must be an image reference (<repository>[:tag][@sha256:<digest>])",
    );
  } else {
    v.check(
      typeof value === "string" && DIGEST_REF.test(value),
      field,
      value,
      "must be pinned by digest (<repository>@sha256:<64 hex>); tags can move. Set allowMutableImageTag for a throwaway dev stack",
    );
  }
}

/** Credentials that must never sit in a task definition in plain text. */
export const AWS_CREDENTIAL_VARIABLES: readonly string[] = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
];

/**
 * AWS's limit on the size of a task definition ("Task definition size", 64 KiB, not adjustable, in
 * the Amazon ECS service quotas).
 */
export const TASK_DEFINITION_MAX_BYTES = 64 * 1024;
/** What Berth allows per container for everything but its variables and commands (names, image, log configuration, mounts, ARNs). */
const CONTAINER_OVERHEAD_BYTES = 1024;
/** A secret's ARN when it is only known at deployment time: a generous Secrets Manager ARN. */
const UNKNOWN_ARN_BYTES = 120;

function checkEnvAndSecrets(
  v: Validator,
  field: string,
  environment: Record<string, unknown> | undefined,
  secrets: Record<string, unknown> | undefined,
): void {
  for (const key of Object.keys(environment ?? {})) {
    v.matches(
      `${field}environment`,
      key,
      ENV_NAME,
      "environment variable names are letters, digits and _, not starting with a digit",
    );
    v.check(
      !AWS_CREDENTIAL_VARIABLES.includes(key),
      `${field}environment.${key}`,
      key,
      "AWS credentials never go into a task definition in plain text (anyone who can describe it reads them): " +
        "grant the application what it needs through the task role (taskRoleStatements), whose temporary credentials the SDKs pick up by themselves, " +
        "or, for credentials of another account, pass them through secrets (an SSM SecureString or Secrets Manager ARN)",
    );
  }
  for (const [key, arn] of Object.entries(secrets ?? {})) {
    v.matches(
      `${field}secrets`,
      key,
      ENV_NAME,
      "environment variable names are letters, digits and _, not starting with a digit",
    );
    v.check(
      !(key in (environment ?? {})),
      `${field}secrets.${key}`,
      key,
      "a variable cannot be both in environment and in secrets",
    );
    const value = known(arn as string);
    if (value === undefined) continue;
    v.check(
      typeof value === "string" && (SSM_ARN.test(value) || SECRET_ARN.test(value)),
      `${field}secrets.${key}`,
      value,
      "must be the full ARN of an SSM parameter (arn:aws:ssm:<region>:<account>:parameter/<name>) or a Secrets Manager secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
    );
  }
}

/** The UTF-8 size of a value as JSON; values only known at deployment count as `unknown` bytes. */
function jsonBytes(value: unknown, unknown = 0): number {
  if (value === undefined) return 0;
  if (pulumi.Output.isInstance(value) || value instanceof Promise) return unknown;
  return Buffer.byteLength(JSON.stringify(value), "utf8");
}

/** The variables of one container as ECS stores them: `[{ "name": …, "value": … }]`. */
function variableBytes(vars: Record<string, unknown> | undefined, key: "value" | "valueFrom"): number {
  return Object.entries(vars ?? {}).reduce(
    (sum, [name, value]) =>
      sum + jsonBytes({ name, [key]: "" }) + jsonBytes(value, key === "valueFrom" ? UNKNOWN_ARN_BYTES : 0),
    0,
  );
}

/**
 * A lower bound of the task definition's size: the containers' variables, secrets and commands as
 * JSON, exactly, plus {@link CONTAINER_OVERHEAD_BYTES} per container for everything else.
 */
export function taskDefinitionBytes(args: ServiceArgs, tracing: boolean): number {
  const containers: {
    environment?: Record<string, unknown>;
    secrets?: Record<string, unknown>;
    command?: unknown;
    entryPoint?: unknown;
  }[] = [args, ...(args.sidecars ?? [])];
  let bytes = 0;
  for (const c of containers) {
    bytes += CONTAINER_OVERHEAD_BYTES;
    bytes += variableBytes(c.environment, "value") + variableBytes(c.secrets, "valueFrom");
    bytes += jsonBytes(c.command) + jsonBytes(c.entryPoint);
  }
  if (tracing) bytes += CONTAINER_OVERHEAD_BYTES + jsonBytes(ADOT_XRAY_CONFIG);
  return bytes;
}

/** Checks the arguments and applies the defaults; throws BerthValidationError before anything exists. */
export function validateService(name: string, args: ServiceArgs): ResolvedService {
  const v = checkComponent(SERVICE_TYPE, name, args);
  v.check(
    typeof name === "string" && NAME.test(name),
    "name",
    name,
    "must start with a letter and contain only letters, digits and hyphens, at most 32 characters",
  );
  if (!args) v.fail("args", args, "cluster, network and image are required");
  v.required("cluster", args.cluster, "a ClusterRef ({ name, arn }) is required");
  v.required(
    "network",
    args.network,
    "a NetworkRef ({ vpcId, publicSubnetIds, privateSubnetIds }) is required",
  );
  v.required("image", args.image, "an image reference pinned by digest is required");
  v.arn("cluster.arn", args.cluster.arn, "ecs", /^cluster\/.+/);
  const lb = args.loadBalancer;

  // Images and containers.
  const allowTag = args.allowMutableImageTag === true;
  checkImage(v, "image", args.image, allowTag);
  const containerName = args.containerName ?? "app";
  v.matches(
    "containerName",
    containerName,
    CONTAINER_NAME,
    "letters, digits, _ and -, at most 255 characters",
  );
  const names = [containerName, ...(args.sidecars ?? []).map((s) => s.name)];
  if (args.tracing) names.push(TRACING_CONTAINER);
  v.unique("sidecars.name", names);
  (args.sidecars ?? []).forEach((s: SidecarArgs, i) => {
    const f = `sidecars[${i}]`;
    v.matches(`${f}.name`, s.name, CONTAINER_NAME, "letters, digits, _ and -, at most 255 characters");
    checkImage(v, `${f}.image`, s.image, allowTag);
    v.integer(`${f}.cpu`, s.cpu, { min: 0, max: 16384 });
    v.integer(`${f}.memory`, s.memory, { min: 6, max: 122880 }, " MiB");
    checkEnvAndSecrets(v, `${f}.`, s.environment, s.secrets);
    checkContainerHealth(v, `${f}.healthCheck`, s.healthCheck);
  });
  checkEnvAndSecrets(v, "", args.environment, args.secrets);
  (args.secretKmsKeyArns ?? []).forEach((k, i) => {
    v.matches(
      `secretKmsKeyArns[${i}]`,
      k,
      KMS_KEY_ARN,
      "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); aliases cannot scope kms:Decrypt",
    );
  });
  checkContainerHealth(v, "containerHealthCheck", args.containerHealthCheck);
  const containerCount = 1 + (args.sidecars ?? []).length + (args.tracing ? 1 : 0);
  v.check(
    containerCount <= 10,
    "sidecars",
    `${containerCount} containers`,
    "ECS allows at most 10 containers per task definition (the app, its sidecars and the tracing collector)",
  );
  const tdBytes = taskDefinitionBytes(args, Boolean(args.tracing));
  v.check(
    tdBytes <= TASK_DEFINITION_MAX_BYTES,
    "environment",
    `about ${Math.ceil(tdBytes / 1024)} KiB of variables, secrets and commands`,
    `AWS limits a task definition to 64 KiB (${TASK_DEFINITION_MAX_BYTES} bytes), and the containers' variables, secrets and commands ` +
      "already take that much: put large values in an SSM parameter or a Secrets Manager secret (secrets), or in a file in the image",
  );
  checkTags(v, "tags", args.tags);

  const port = args.port ?? (lb ? 8080 : undefined);
  v.integer("port", port, { min: 1, max: 65535 });

  // Task size.
  const capacity = args.capacity ?? "FARGATE";
  if (Array.isArray(capacity)) {
    v.check(capacity.length > 0, "capacity", capacity, "a capacity list needs at least one provider");
    v.unique(
      "capacity",
      capacity.map((c) => c.capacityProvider),
    );
    capacity.forEach((c, i) => {
      v.oneOf(`capacity[${i}].capacityProvider`, c.capacityProvider, ["FARGATE", "FARGATE_SPOT"] as const);
    });
    checkCapacityShares(
      v,
      "capacity",
      capacity,
      capacity.map((c, i) => ({ field: `capacity[${i}]`, weight: c.weight, base: c.base })),
      "ECS allows a base on one provider only",
    );
  } else {
    v.oneOf("capacity", capacity, ["FARGATE", "FARGATE_SPOT", "EC2", "CLUSTER_DEFAULT"] as const);
  }
  const architecture = args.architecture ?? "ARM64";
  v.oneOf("architecture", architecture, ["ARM64", "X86_64"] as const);
  const cpu = args.cpu ?? 256;
  const memory = args.memory ?? 512;
  if (capacity !== "EC2") {
    v.check(
      FARGATE_CPU_VALUES.includes(cpu),
      "cpu",
      cpu,
      `Fargate accepts cpu ${FARGATE_CPU_VALUES.join(", ")}`,
    );
    v.check(fargateMemoryOptions(cpu).includes(memory), "memory", memory, describeFargateMemory(cpu));
    v.integer("ephemeralStorageGiB", args.ephemeralStorageGiB, { min: 21, max: 200 }, " GiB");
  } else {
    v.integer("cpu", cpu, { min: 128, max: 196608 });
    v.integer("memory", memory, { min: 128 }, " MiB");
    v.check(
      args.cluster.ec2CapacityProviderName !== undefined,
      "cluster.ec2CapacityProviderName",
      undefined,
      'capacity "EC2" needs a cluster with an EC2 capacity provider',
    );
    v.check(
      args.ephemeralStorageGiB === undefined,
      "ephemeralStorageGiB",
      args.ephemeralStorageGiB,
      "ephemeral storage is a Fargate setting",
    );
  }
  const stopTimeout = args.stopTimeout ?? 10;
  v.integer("stopTimeout", stopTimeout, { min: 2, max: 120 }, " seconds");
  const scratchPath = args.scratchPath ?? "/tmp";
  v.matches("scratchPath", scratchPath, /^\/[A-Za-z0-9_.\-/]*$/, "must be an absolute path");
  const exec = args.enableExecuteCommand === true;
  const readonlyRootFilesystem = args.readonlyRootFilesystem ?? !exec;
  v.check(
    !(exec && readonlyRootFilesystem),
    "readonlyRootFilesystem",
    readonlyRootFilesystem,
    "ECS Exec needs a writable root filesystem; leave readonlyRootFilesystem unset or false with enableExecuteCommand",
  );

  // Counts.
  const desiredCount = args.desiredCount ?? 2;
  v.integer("desiredCount", desiredCount, { min: 0, max: 1000 });
  // Read before the strategy is checked (below, with the other deployment settings).
  const d = args.deployment ?? {};
  const strategy = d.strategy ?? "ROLLING";
  let scalingMin: number | undefined;
  if (args.scaling) {
    const s = args.scaling;
    const min = s.min ?? desiredCount;
    scalingMin = min;
    v.integer("scaling.min", min, { min: 0, max: 1000 });
    v.integer("scaling.max", s.max, { min: 1, max: 1000 });
    v.check(
      min <= desiredCount,
      "scaling.min",
      min,
      `must be at most desiredCount (${desiredCount}): min <= desired <= max`,
    );
    v.check(
      desiredCount <= s.max,
      "scaling.max",
      s.max,
      `must be at least desiredCount (${desiredCount}): min <= desired <= max`,
    );
    if (s.cpuTarget !== false) v.number("scaling.cpuTarget", s.cpuTarget, { min: 1, max: 100 }, " percent");
    v.number("scaling.memoryTarget", s.memoryTarget, { min: 1, max: 100 }, " percent");
    v.integer("scaling.requestsPerTarget", s.requestsPerTarget, { min: 1 });
    if (s.requestsPerTarget !== undefined) {
      v.check(lb !== undefined, "scaling.requestsPerTarget", s.requestsPerTarget, "needs a loadBalancer");
      v.check(
        strategy === "ROLLING",
        "scaling.requestsPerTarget",
        s.requestsPerTarget,
        `tracks one target group, so it works with the ROLLING strategy only (strategy is ${strategy})`,
      );
    }
    v.integer("scaling.scaleInCooldown", s.scaleInCooldown, { min: 0, max: 3600 }, " seconds");
    v.integer("scaling.scaleOutCooldown", s.scaleOutCooldown, { min: 0, max: 3600 }, " seconds");
    v.unique(
      "scaling.schedules.name",
      (s.schedules ?? []).map((x) => x.name),
    );
    (s.schedules ?? []).forEach((x, i) => {
      const f = `scaling.schedules[${i}]`;
      v.matches(
        `${f}.name`,
        x.name,
        /^[a-zA-Z0-9-]{1,40}$/,
        "letters, digits and hyphens, at most 40 characters",
      );
      v.matches(`${f}.schedule`, x.schedule, SCHEDULE, "must be cron(...), rate(...) or at(...)");
      v.check(x.min !== undefined || x.max !== undefined, f, x, "needs min, max or both");
      v.integer(`${f}.min`, x.min, { min: 0, max: 1000 });
      v.integer(`${f}.max`, x.max, { min: 0, max: 1000 });
      if (x.min !== undefined && x.max !== undefined)
        v.check(x.min <= x.max, `${f}.min`, x.min, `must be at most max (${x.max})`);
    });
  }

  // Logs.
  const retentionInDays = args.logs?.retentionInDays ?? 30;
  v.oneOf("logs.retentionInDays", retentionInDays, LOG_RETENTION_DAYS);
  v.matches(
    "logs.kmsKeyArn",
    args.logs?.kmsKeyArn,
    KMS_KEY_ARN,
    "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)",
  );

  // Networking.
  const subnets = args.subnets ?? "private";
  v.oneOf("subnets", subnets, ["private", "public"] as const);
  v.check(
    !(subnets === "public" && capacity === "EC2"),
    "subnets",
    subnets,
    'public IPs are a Fargate feature; use "private" with capacity "EC2"',
  );

  // Routing.
  const hc = args.healthCheck ?? {};
  const healthCheck: ResolvedHealthCheck = {
    path: hc.path ?? "/health",
    interval: hc.interval ?? 10,
    timeout: hc.timeout ?? 5,
    healthyThreshold: hc.healthyThreshold ?? 2,
    unhealthyThreshold: hc.unhealthyThreshold ?? 3,
    matcher: hc.matcher ?? "200-299",
  };
  const deregistrationDelay = args.deregistrationDelaySeconds ?? 15;
  const slowStart = args.slowStartSeconds ?? 0;
  let dnsName: string | undefined;
  if (lb) {
    v.required(
      "rule",
      args.rule,
      "a service with a loadBalancer needs rule: { priority, hosts and/or paths }",
    );
    const rule = args.rule!;
    v.integer("rule.priority", rule.priority, { min: 1, max: 50000 });
    checkRuleConditions(v, "rule", rule.hosts, rule.paths);
    v.matches("healthCheck.path", healthCheck.path, /^\/\S{0,1023}$/, "must start with '/'");
    v.integer("healthCheck.interval", healthCheck.interval, { min: 5, max: 300 }, " seconds");
    v.integer("healthCheck.timeout", healthCheck.timeout, { min: 2, max: 120 }, " seconds");
    v.check(
      healthCheck.timeout < healthCheck.interval,
      "healthCheck.timeout",
      healthCheck.timeout,
      `must be less than interval (${healthCheck.interval})`,
    );
    v.integer("healthCheck.healthyThreshold", healthCheck.healthyThreshold, { min: 2, max: 10 });
    v.integer("healthCheck.unhealthyThreshold", healthCheck.unhealthyThreshold, { min: 2, max: 10 });
    v.check(
      MATCHER.test(healthCheck.matcher) &&
        healthCheck.matcher.match(/\d{3}/g)!.every((c) => Number(c) >= 200 && Number(c) <= 499),
      "healthCheck.matcher",
      healthCheck.matcher,
      'HTTP codes from 200 to 499, as "200", "200,204" or "200-299"',
    );
    v.integer("deregistrationDelaySeconds", deregistrationDelay, { min: 0, max: 3600 }, " seconds");
    v.check(
      Number.isInteger(slowStart) && (slowStart === 0 || (slowStart >= 30 && slowStart <= 900)),
      "slowStartSeconds",
      slowStart,
      "must be 0 (off) or from 30 to 900 seconds",
    );
    if (args.dns) {
      v.required("dns.zoneId", args.dns.zoneId, "the hosted zone id is required");
      dnsName = args.dns.name ?? rule.hosts?.[0];
      v.required("dns.name", dnsName, "give dns.name or at least one rule.hosts entry");
      v.matches("dns.name", dnsName, DNS_NAME, "must be a host name without wildcards");
    }
  } else {
    for (const field of [
      "rule",
      "healthCheck",
      "deregistrationDelaySeconds",
      "slowStartSeconds",
      "dns",
    ] as const) {
      v.check(
        args[field] === undefined,
        field,
        args[field],
        "needs a loadBalancer (a service without one is a worker)",
      );
    }
  }

  // Deployments.
  v.oneOf("deployment.strategy", strategy, ["ROLLING", "BLUE_GREEN", "CANARY", "LINEAR"] as const);
  if (args.loadBalancer) {
    // The target groups are auto-named from the service: `<name>-tg` (and `<name>-tg-alt` for traffic
    // shifting) plus Pulumi's 8-character suffix must fit a target group name's 32 characters.
    const max = strategy === "ROLLING" ? 21 : 17;
    v.check(
      name.length <= max,
      "name",
      name,
      `a load-balanced service's target groups are named after it: at most ${max} characters with strategy ${strategy}`,
    );
  }
  if (strategy !== "ROLLING") {
    v.check(
      lb !== undefined,
      "deployment.strategy",
      strategy,
      `${strategy} shifts load balancer traffic, so it needs a loadBalancer; workers use ROLLING`,
    );
  }
  v.check(
    d.canary === undefined || strategy === "CANARY",
    "deployment.canary",
    d.canary,
    `applies to the CANARY strategy only (strategy is ${strategy})`,
  );
  v.check(
    d.linear === undefined || strategy === "LINEAR",
    "deployment.linear",
    d.linear,
    `applies to the LINEAR strategy only (strategy is ${strategy})`,
  );
  v.check(
    d.bakeTimeMinutes === undefined || strategy !== "ROLLING",
    "deployment.bakeTimeMinutes",
    d.bakeTimeMinutes,
    "applies to BLUE_GREEN, CANARY and LINEAR only",
  );
  const minHealthyPercent = d.minHealthyPercent ?? 100;
  const maxPercent = d.maxPercent ?? 200;
  v.integer("deployment.minHealthyPercent", minHealthyPercent, { min: 0, max: 100 }, " percent");
  v.integer("deployment.maxPercent", maxPercent, { min: 100, max: 200 }, " percent");
  v.check(
    maxPercent > minHealthyPercent,
    "deployment.maxPercent",
    maxPercent,
    `must be greater than minHealthyPercent (${minHealthyPercent}), or a deployment can neither start nor stop a task`,
  );
  const bakeTimeMinutes = d.bakeTimeMinutes ?? 5;
  v.integer("deployment.bakeTimeMinutes", bakeTimeMinutes, { min: 0, max: 1440 }, " minutes");
  const canary = { percent: d.canary?.percent ?? 10, bakeTimeMinutes: d.canary?.bakeTimeMinutes ?? 5 };
  v.number("deployment.canary.percent", canary.percent, { min: 0.1, max: 100 }, " percent");
  v.integer("deployment.canary.bakeTimeMinutes", canary.bakeTimeMinutes, { min: 0, max: 1440 }, " minutes");
  const linear = {
    stepPercent: d.linear?.stepPercent ?? 25,
    stepBakeTimeMinutes: d.linear?.stepBakeTimeMinutes ?? 2,
  };
  v.number("deployment.linear.stepPercent", linear.stepPercent, { min: 3, max: 100 }, " percent");
  v.integer(
    "deployment.linear.stepBakeTimeMinutes",
    linear.stepBakeTimeMinutes,
    { min: 0, max: 1440 },
    " minutes",
  );
  const gracePeriod = d.healthCheckGracePeriodSeconds ?? (lb ? 10 : 0);
  if (!lb) {
    v.check(
      d.healthCheckGracePeriodSeconds === undefined,
      "deployment.healthCheckGracePeriodSeconds",
      d.healthCheckGracePeriodSeconds,
      "applies to services with a loadBalancer only",
    );
  }
  v.integer("deployment.healthCheckGracePeriodSeconds", gracePeriod, { min: 0, max: 3600 }, " seconds");

  // Observability.
  let alarms: ResolvedService["alarms"];
  if (args.alarms !== false) {
    const a = args.alarms ?? {};
    alarms = {
      http5xxPercent: a.http5xxPercent ?? 5,
      cpuPercent: a.cpuPercent ?? 85,
      memoryPercent: a.memoryPercent ?? 85,
    };
    v.number("alarms.http5xxPercent", alarms.http5xxPercent, { min: 0.1, max: 100 }, " percent");
    v.number("alarms.cpuPercent", alarms.cpuPercent, { min: 1, max: 100 }, " percent");
    v.number("alarms.memoryPercent", alarms.memoryPercent, { min: 1, max: 100 }, " percent");
  }
  let tracing: ResolvedService["tracing"];
  if (args.tracing) {
    const t = args.tracing === true ? {} : args.tracing;
    tracing = { image: t.image ?? DEFAULT_TRACING_IMAGE, cpu: t.cpu ?? 64, memory: t.memory ?? 128 };
    if (t.image !== undefined) checkImage(v, "tracing.image", t.image, allowTag);
    v.integer("tracing.cpu", tracing.cpu, { min: 0, max: 16384 });
    v.integer("tracing.memory", tracing.memory, { min: 6, max: 122880 }, " MiB");
  }

  // Rollout time of one batch.
  const chc = containerHealthCheck(args.containerHealthCheck);
  const rollout: RolloutTiming = lb
    ? {
        startupSeconds: gracePeriod,
        healthCheckIntervalSeconds: healthCheck.interval,
        healthyThreshold: healthCheck.healthyThreshold,
        deregistrationDelaySeconds: deregistrationDelay,
        stopTimeoutSeconds: stopTimeout,
      }
    : {
        startupSeconds: chc?.startPeriod ?? 0,
        healthCheckIntervalSeconds: chc?.interval ?? 0,
        healthyThreshold: chc ? 1 : 0,
        deregistrationDelaySeconds: 0,
        stopTimeoutSeconds: stopTimeout,
      };

  // Last: the rule claims its priority on the shared listener(s) only once everything else is valid.
  if (lb && args.rule) {
    claimListenerRule(v, "rule", `Service '${name}'`, lb.listenerArn, args.rule);
    if (strategy !== "ROLLING" && lb.testListenerArn !== undefined)
      claimListenerRule(v, "rule", `Service '${name}' (test rule)`, lb.testListenerArn, args.rule);
  }

  return {
    containerName,
    ...(port !== undefined ? { port } : {}),
    cpu,
    memory,
    architecture,
    capacity,
    desiredCount,
    scalingMin,
    stopTimeout,
    readonlyRootFilesystem,
    scratchPath,
    containerHealthCheck: chc,
    retentionInDays,
    subnets,
    healthCheck,
    deregistrationDelay,
    slowStart,
    strategy,
    minHealthyPercent,
    maxPercent,
    // ECS balances tasks across Availability Zones only when it may start a task before stopping one.
    azRebalancing: maxPercent > 100 ? "ENABLED" : "DISABLED",
    circuitBreaker: d.circuitBreaker ?? true,
    rollbackOnAlarms: d.rollbackOnAlarms ?? true,
    bakeTimeMinutes,
    canary,
    linear,
    waitForSteadyState: d.waitForSteadyState ?? true,
    gracePeriod,
    alarms,
    tracing,
    ...(dnsName !== undefined ? { dnsName } : {}),
    worstCaseBatchSeconds: worstCaseBatchSeconds(rollout),
  };
}
