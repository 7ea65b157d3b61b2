import {
  describeFargateMemory,
  FARGATE_CPU_VALUES,
  fargateMemoryOptions,
  known,
  type LinkGrant,
  LOG_RETENTION_DAYS,
  type PolicyStatement,
  policyDocument,
  type Transform,
  transformed,
  type Validator,
} from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterRef } from "../refs.js";
import type { ContainerHealthCheckArgs, SidecarArgs } from "../service-args.js";
import { EXEC_STATEMENT, execAuditStatements, executionPolicy } from "./iam.js";
import type { ResolvedPlacement } from "./placement.js";
import {
  type ContainerShared,
  childOpts,
  type Env,
  type PartScope,
  type TaskContribution,
  trustFor,
} from "./scope.js";

/** The task: its image and containers, size, variables and secrets, logs, and the two roles. */
export interface TaskArgs {
  /**
   * The main container's image, pinned by digest: `<repository>@sha256:<64 hex>` (the release
   * pointer the pipeline writes). Checked when the value is known.
   * @example image: releasePointer.value // "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello@sha256:…"
   */
  image: pulumi.Input<string>;
  /**
   * Accept tag references (`repo:tag`) for the images. For local or throwaway dev stacks only:
   * a tag can move, so `pulumi up` stops being reproducible. Berth logs a warning when it is used.
   * @default false
   * @example allowMutableImageTag: true
   */
  allowMutableImageTag?: boolean;
  /**
   * Name of the main container.
   * @default "app"
   * @example containerName: "web"
   */
  containerName?: string;
  /**
   * Port the main container listens on (1 to 65535). Required for routing; a worker exposes no port
   * unless given one.
   * @default 8080 with a load balancer, none without
   * @example port: 3000
   */
  port?: number;
  /**
   * Task CPU units (1024 = 1 vCPU). On Fargate one of 256, 512, 1024, 2048, 4096, 8192, 16384.
   * @default 256
   * @example cpu: 1024
   */
  cpu?: number;
  /**
   * Task memory in MiB; on Fargate it must pair with `cpu` (256: 512–2048; 512: 1024–4096;
   * 1024: 2048–8192; 2048: 4096–16384; 4096: 8192–30720 in 1 GiB steps; 8192: 16–60 GiB in 4 GiB
   * steps; 16384: 32–120 GiB in 8 GiB steps).
   * @default 512
   * @example memory: 2048
   */
  memory?: number;
  /**
   * Environment variables of the main container.
   * @default {}
   * @example environment: { NODE_ENV: "production" }
   */
  environment?: Record<string, pulumi.Input<string>>;
  /**
   * Secrets as environment variables of the main container: name → full ARN of an SSM parameter
   * (`arn:aws:ssm:<region>:<account>:parameter/<name>`) or a Secrets Manager secret
   * (`arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 chars>`, optionally followed by
   * `:<json key>:<stage>:<version>`). The execution role may read exactly these ARNs.
   * @default {}
   * @example secrets: { DATABASE_URL: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf" }
   */
  secrets?: Record<string, pulumi.Input<string>>;
  /**
   * KMS keys (key ARNs) that encrypt the secrets, when they are customer managed; the execution role
   * may decrypt with exactly these keys.
   * @default []
   * @example secretKmsKeyArns: ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
   */
  secretKmsKeyArns?: pulumi.Input<string>[];
  /**
   * Overrides the image's command.
   * @default the image's CMD
   * @example command: ["node", "dist/server.js"]
   */
  command?: string[];
  /**
   * Overrides the image's entry point.
   * @default the image's ENTRYPOINT
   * @example entryPoint: ["/usr/bin/tini", "--"]
   */
  entryPoint?: string[];
  /**
   * Container health check of the main container.
   * @default none (the load balancer's health check decides)
   * @example containerHealthCheck: { command: ["CMD-SHELL", "wget -qO- localhost:8080/health || exit 1"] }
   */
  containerHealthCheck?: ContainerHealthCheckArgs;
  /**
   * Seconds between SIGTERM and SIGKILL when a task stops (2 to 120). Requests have already drained
   * by then, so it only needs to cover shutdown.
   * @default 10
   * @example stopTimeout: 30
   */
  stopTimeout?: number;
  /**
   * Read-only root filesystem for the main container; the scratch volume at `scratchPath` stays
   * writable. ECS Exec needs a writable root, so it defaults to `false` when `enableExecuteCommand`
   * is on.
   * @default true (false with enableExecuteCommand)
   * @example readonlyRootFilesystem: false
   */
  readonlyRootFilesystem?: boolean;
  /**
   * Where the task's writable scratch volume (empty at start, gone when the task stops) is mounted
   * in every container.
   * @default "/tmp"
   * @example scratchPath: "/var/cache/app"
   */
  scratchPath?: string;
  /**
   * Fargate ephemeral storage in GiB (21 to 200).
   * @default 20 (Fargate's default)
   * @example ephemeralStorageGiB: 50
   */
  ephemeralStorageGiB?: number;
  /**
   * Extra containers in the task.
   * @default []
   * @example sidecars: [{ name: "proxy", image: proxyImage, essential: true }]
   */
  sidecars?: SidecarArgs[];
  /**
   * The log group of all containers.
   * @default { retentionInDays: 30 }
   * @example logs: { retentionInDays: 90, kmsKeyArn: logsKey.arn }
   */
  logs?: {
    /** Days CloudWatch keeps logs: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653. */
    retentionInDays?: number;
    /** KMS key ARN that encrypts the log group (its key policy must allow CloudWatch Logs). */
    kmsKeyArn?: pulumi.Input<string>;
  };
  /**
   * Protect the log group from deletion (prod stacks set it).
   * @default false
   * @example protect: true
   */
  protect?: boolean;
  /**
   * Statements added to the task role (what the application itself may do). The task role has no
   * other permissions, except those ECS Exec and tracing need when enabled.
   * @default []
   * @example taskRoleStatements: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::assets/*"] }]
   */
  taskRoleStatements?: PolicyStatement[];
  /**
   * What the service uses: the grants of linked data resources (`<resource>.link(access)`, or a
   * grant function of `@berth/data` such as `volumeGrant` given a resource's ref), applied the one
   * way every link is applied: the variables join the main container's `environment` and the secrets its ECS
   * `secrets` (the execution role may read exactly those ARNs, `:<json key>::` dropped, and decrypt
   * with exactly `secretKmsKeyArns`); the statements join the task role after ECS Exec's and the
   * other parts' and before `taskRoleStatements`; each EFS volume is a task volume (transit
   * encryption and IAM authorization through the service's access point) mounted in the main
   * container; each ingress is a rule on the resource's security group admitting the tasks'
   * security group on its port. A variable the user or another link also sets is an error.
   * @default []
   * @example links: [jobs.link("send"), files.accessPoint("orders").link("readwrite")]
   */
  links?: LinkGrant[];
  /**
   * ECS Exec (`aws ecs execute-command`) into the tasks; adds the SSM messages permissions to the
   * task role.
   * @default false
   * @example enableExecuteCommand: true
   */
  enableExecuteCommand?: boolean;
}

/** Escape hatches of the task's children. */
export interface TaskTransforms {
  /** The CloudWatch log group of all containers (`aws.cloudwatch.LogGroup`). */
  logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
  /** The role ECS pulls images, reads secrets and writes logs with (`aws.iam.Role`). */
  executionRole?: Transform<aws.iam.RoleArgs>;
  /** The execution role's inline policy (`aws.iam.RolePolicy`). */
  executionRolePolicy?: Transform<aws.iam.RolePolicyArgs>;
  /** The role the application runs as (`aws.iam.Role`). */
  taskRole?: Transform<aws.iam.RoleArgs>;
  /** The task role's inline policy (`aws.iam.RolePolicy`). */
  taskRolePolicy?: Transform<aws.iam.RolePolicyArgs>;
  /** The task definition (`aws.ecs.TaskDefinition`). */
  taskDefinition?: Transform<aws.ecs.TaskDefinitionArgs>;
  /** The release task's definition (`aws.ecs.TaskDefinition`), when `release` is set. */
  releaseTaskDefinition?: Transform<aws.ecs.TaskDefinitionArgs>;
}

/** A container health check with ECS's defaults applied. */
export interface ResolvedContainerHealthCheck {
  command: string[];
  interval: number;
  timeout: number;
  retries: number;
  startPeriod: number;
}

/** The task with every default applied. */
export interface ResolvedTask {
  containerName: string;
  port: number | undefined;
  cpu: number;
  memory: number;
  stopTimeout: number;
  readonlyRootFilesystem: boolean;
  scratchPath: string;
  containerHealthCheck: ResolvedContainerHealthCheck | undefined;
  retentionInDays: number;
  exec: boolean;
}

/** The task's resources. */
export interface TaskPart {
  logGroup: aws.cloudwatch.LogGroup;
  executionRole: aws.iam.Role;
  taskRole: aws.iam.Role;
  taskDefinition: aws.ecs.TaskDefinition;
  /** The role policies: the service (or schedule) waits for them. */
  policies: pulumi.Resource[];
  /** The containers of the task definition, before JSON (a release task reuses them). */
  containers: Record<string, unknown>[];
  /** The task definition's arguments before the transform (a release task reuses them). */
  definition: aws.ecs.TaskDefinitionArgs;
}

const SCRATCH_VOLUME = "scratch";
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,254}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** `[host[:port]/]path[:tag]@sha256:<64 hex>` */
const REPO = "[a-zA-Z0-9]+(?:[._-][a-zA-Z0-9]+)*(?::[0-9]+)?(?:\\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*";
const TAG = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
const DIGEST_REF = new RegExp(`^${REPO}(?::${TAG})?@sha256:[a-f0-9]{64}$`);
const ANY_REF = new RegExp(`^${REPO}(?::${TAG})?(?:@sha256:[a-f0-9]{64})?$`);
const SSM_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[a-zA-Z0-9_.\-/]+$/;
const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[a-zA-Z0-9/_+=.@!-]+(?::[^:]*:[^:]*:[^:]*)?$/;
export const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/;

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
export const CONTAINER_OVERHEAD_BYTES = 1024;
/** A secret's ARN when it is only known at deployment time: a generous Secrets Manager ARN. */
const UNKNOWN_ARN_BYTES = 120;

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

/** Checks an image reference: pinned by digest, or any reference with `allowTag`. Outputs are skipped. */
export function checkImage(v: Validator, field: string, image: unknown, allowTag: boolean): void {
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

/** Checks variable names (no AWS credentials in plain text) and secret ARNs; `field` prefixes the paths. */
export function checkEnvAndSecrets(
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
export function jsonBytes(value: unknown, unknown = 0): number {
  if (value === undefined) return 0;
  if (pulumi.Output.isInstance(value) || value instanceof Promise) return unknown;
  return Buffer.byteLength(JSON.stringify(value), "utf8");
}

/** The variables of one container as ECS stores them: `[{ "name": …, "value": … }]`. */
export function variableBytes(vars: Record<string, unknown> | undefined, key: "value" | "valueFrom"): number {
  return Object.entries(vars ?? {}).reduce(
    (sum, [name, value]) =>
      sum + jsonBytes({ name, [key]: "" }) + jsonBytes(value, key === "valueFrom" ? UNKNOWN_ARN_BYTES : 0),
    0,
  );
}

/**
 * A lower bound of the task definition's size: the containers' variables, secrets and commands as
 * JSON, exactly, plus {@link CONTAINER_OVERHEAD_BYTES} per container for everything else, plus what
 * the contributions add (`extraBytes`).
 */
export function taskDefinitionBytes(args: TaskArgs, extraBytes = 0): number {
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
  return bytes + extraBytes;
}

/** What the task needs to know from the other parts while it checks its arguments. */
export interface TaskContext {
  placement: ResolvedPlacement;
  cluster: ClusterRef;
  /** The kind's default port (web and internal: 8080; none for workers and jobs). */
  defaultPort: number | undefined;
  /** What the other parts add to the task (tracing, queue, Service Connect). */
  contributions: TaskContribution[];
}

/**
 * Checks the task's arguments (images, containers, variables and secrets, size, logs) and applies
 * the defaults. Throws BerthValidationError before anything exists.
 */
export function resolveTask(v: Validator, args: TaskArgs, ctx: TaskContext): ResolvedTask {
  v.required("image", args.image, "an image reference pinned by digest is required");
  const allowTag = args.allowMutableImageTag === true;
  checkImage(v, "image", args.image, allowTag);
  const containerName = args.containerName ?? "app";
  v.matches(
    "containerName",
    containerName,
    CONTAINER_NAME,
    "letters, digits, _ and -, at most 255 characters",
  );
  const extraNames = ctx.contributions.flatMap((c) => c.containerNames ?? []);
  const names = [containerName, ...(args.sidecars ?? []).map((s) => s.name), ...extraNames];
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
  const containerCount = 1 + (args.sidecars ?? []).length + extraNames.length;
  v.check(
    containerCount <= 10,
    "sidecars",
    `${containerCount} containers`,
    "ECS allows at most 10 containers per task definition (the app, its sidecars and the tracing collector)",
  );
  const extraBytes = ctx.contributions.reduce((sum, c) => sum + (c.bytes ?? 0), 0);
  const tdBytes = taskDefinitionBytes(args, extraBytes);
  v.check(
    tdBytes <= TASK_DEFINITION_MAX_BYTES,
    "environment",
    `about ${Math.ceil(tdBytes / 1024)} KiB of variables, secrets and commands`,
    `AWS limits a task definition to 64 KiB (${TASK_DEFINITION_MAX_BYTES} bytes), and the containers' variables, secrets and commands ` +
      "already take that much: put large values in an SSM parameter or a Secrets Manager secret (secrets), or in a file in the image",
  );
  return resolveTaskSize(v, args, ctx);
}

/** Port, CPU and memory (against the capacity), stop timeout, scratch volume, ECS Exec and logs. */
function resolveTaskSize(v: Validator, args: TaskArgs, ctx: TaskContext): ResolvedTask {
  const port = args.port ?? ctx.defaultPort;
  v.integer("port", port, { min: 1, max: 65535 });
  const capacity = ctx.placement.capacity;
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
      ctx.cluster.ec2CapacityProviderName !== undefined,
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
  return {
    containerName: args.containerName ?? "app",
    port,
    cpu,
    memory,
    stopTimeout,
    readonlyRootFilesystem,
    scratchPath,
    containerHealthCheck: containerHealthCheck(args.containerHealthCheck),
    retentionInDays: 30,
    exec,
  };
}

/** The log settings, checked after the counts (as `Service` always has). */
export function resolveTaskLogs(v: Validator, args: TaskArgs, task: ResolvedTask): ResolvedTask {
  const retentionInDays = args.logs?.retentionInDays ?? 30;
  v.oneOf("logs.retentionInDays", retentionInDays, LOG_RETENTION_DAYS);
  v.matches(
    "logs.kmsKeyArn",
    args.logs?.kmsKeyArn,
    KMS_KEY_ARN,
    "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)",
  );
  return { ...task, retentionInDays };
}

function pairs(env: Env | undefined): { name: string; value: pulumi.Input<string> }[] {
  return Object.entries(env ?? {}).map(([name, value]) => ({ name, value }));
}

function secretRefs(secrets: Env | undefined): { name: string; valueFrom: pulumi.Input<string> }[] {
  return Object.entries(secrets ?? {}).map(([name, valueFrom]) => ({ name, valueFrom }));
}

/**
 * Creates the log group, the execution role (its log group, images, secrets and keys exactly), the
 * task role (ECS Exec, the contributions' statements and `taskRoleStatements`, nothing else) and
 * the task definition.
 */
export function createTask(
  scope: PartScope,
  args: TaskArgs,
  r: ResolvedTask,
  placement: ResolvedPlacement,
  t: TaskTransforms,
  contributions: TaskContribution[],
): TaskPart {
  const { name, tags, cluster } = scope;
  const [lgArgs, lgOpts] = transformed(
    t.logGroup,
    {
      name: pulumi.interpolate`/ecs/${cluster.name}/${name}`,
      retentionInDays: r.retentionInDays,
      kmsKeyId: args.logs?.kmsKeyArn,
      tags,
    } as aws.cloudwatch.LogGroupArgs,
    childOpts(scope, { protect: args.protect ?? false }),
  );
  const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, lgArgs, lgOpts);

  // Roles, trusted only for the cluster's account.
  const trust = trustFor(scope, "ecs-tasks.amazonaws.com");
  const [erArgs, erOpts] = transformed(
    t.executionRole,
    { assumeRolePolicy: trust, description: `ECS execution role of ${name}`, tags } as aws.iam.RoleArgs,
    childOpts(scope),
  );
  const executionRole = new aws.iam.Role(`${name}-execution-role`, erArgs, erOpts);

  const sidecars = args.sidecars ?? [];
  const extraContainers = contributions.flatMap((c) => c.containers ?? []);
  const shared: ContainerShared = {
    stopTimeout: r.stopTimeout,
    mountPoints: [{ sourceVolume: SCRATCH_VOLUME, containerPath: r.scratchPath, readOnly: false }],
    logConfiguration: (prefix: string) => ({
      logDriver: "awslogs",
      options: {
        "awslogs-group": logGroup.name,
        "awslogs-region": scope.arn.apply((p) => p.region),
        "awslogs-stream-prefix": prefix,
      },
    }),
  };
  const extra = extraContainers.map((make) => make(shared));
  const images: pulumi.Input<string>[] = [
    args.image,
    ...sidecars.map((s) => s.image),
    ...extra.map((c) => c.image as pulumi.Input<string>),
  ];
  // The main container's secrets: the user's, then what the parts (links) add.
  const mainSecrets: Env = { ...(args.secrets ?? {}) };
  for (const c of contributions) Object.assign(mainSecrets, c.secrets ?? {});
  const secretArns: pulumi.Input<string>[] = [
    ...Object.values(mainSecrets),
    ...sidecars.flatMap((s) => Object.values(s.secrets ?? {})),
  ];
  const kmsKeyArns: pulumi.Input<string>[] = [
    ...(args.secretKmsKeyArns ?? []),
    ...contributions.flatMap((c) => c.secretKmsKeyArns ?? []),
  ];
  const execPolicy = pulumi
    .all([scope.arn, logGroup.arn, pulumi.all(images), pulumi.all(secretArns), pulumi.all(kmsKeyArns)])
    .apply(([p, logGroupArn, imgs, secrets, keys]) =>
      JSON.stringify(
        executionPolicy({
          partition: p.partition,
          logGroupArn,
          images: imgs,
          secretArns: secrets,
          kmsKeyArns: keys,
        }),
      ),
    );
  const [epArgs, epOpts] = transformed(
    t.executionRolePolicy,
    { role: executionRole.name, policy: execPolicy } as aws.iam.RolePolicyArgs,
    childOpts(scope),
  );
  const executionRolePolicy = new aws.iam.RolePolicy(`${name}-execution-policy`, epArgs, epOpts);

  const [trArgs, trOpts] = transformed(
    t.taskRole,
    { assumeRolePolicy: trust, description: `ECS task role of ${name}`, tags } as aws.iam.RoleArgs,
    childOpts(scope),
  );
  const taskRole = new aws.iam.Role(`${name}-task-role`, trArgs, trOpts);
  const taskStatements: PolicyStatement[] = [
    ...(r.exec ? [EXEC_STATEMENT] : []),
    ...contributions.flatMap((c) => c.statements ?? []),
    ...(args.taskRoleStatements ?? []),
  ];
  // With ECS Exec, the task role may also write the session audit to the cluster's log group.
  const execAudit =
    r.exec && cluster.execLogGroupArn
      ? pulumi
          .all([cluster.execLogGroupArn, cluster.execKmsKeyArn])
          .apply(([auditLogGroup, key]) => execAuditStatements(auditLogGroup, key))
      : pulumi.output([] as PolicyStatement[]);
  const policies: pulumi.Resource[] = [executionRolePolicy];
  if (taskStatements.length > 0) {
    const [tpArgs, tpOpts] = transformed(
      t.taskRolePolicy,
      {
        role: taskRole.name,
        policy: pulumi
          .all([pulumi.output(taskStatements) as unknown as pulumi.Output<PolicyStatement[]>, execAudit])
          .apply(([statements, audit]) => JSON.stringify(policyDocument([...statements, ...audit]))),
      } as aws.iam.RolePolicyArgs,
      childOpts(scope),
    );
    policies.push(new aws.iam.RolePolicy(`${name}-task-policy`, tpArgs, tpOpts));
  }

  // Task definition.
  const environment: Env = { ...(args.environment ?? {}) };
  for (const c of contributions) {
    for (const [key, value] of Object.entries(c.environment ?? {})) environment[key] ??= value;
  }
  // EFS volumes the parts (links) add: mounted in the main container only.
  const efsVolumes = contributions.flatMap((c) => c.volumes ?? []);
  const mainMountPoints = [
    ...shared.mountPoints,
    ...efsVolumes.map((vol) => ({
      sourceVolume: vol.name,
      containerPath: vol.containerPath,
      readOnly: vol.readOnly,
    })),
  ];
  const portMapping = contributions.find((c) => c.portMapping)?.portMapping;
  const dependsOn = contributions.flatMap((c) => c.dependsOn ?? []);
  const containers: Record<string, unknown>[] = [
    {
      name: r.containerName,
      image: args.image,
      essential: true,
      portMappings:
        r.port !== undefined ? [{ containerPort: r.port, protocol: "tcp", ...(portMapping ?? {}) }] : [],
      environment: pairs(environment),
      secrets: secretRefs(mainSecrets),
      command: args.command,
      entryPoint: args.entryPoint,
      healthCheck: r.containerHealthCheck,
      stopTimeout: r.stopTimeout,
      readonlyRootFilesystem: r.readonlyRootFilesystem,
      mountPoints: mainMountPoints,
      linuxParameters: r.exec ? { initProcessEnabled: true } : undefined,
      logConfiguration: shared.logConfiguration(r.containerName),
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
    },
    ...sidecars.map((s) => ({
      name: s.name,
      image: s.image,
      essential: s.essential ?? false,
      cpu: s.cpu,
      memory: s.memory,
      environment: pairs(s.environment),
      secrets: secretRefs(s.secrets),
      command: s.command,
      healthCheck: containerHealthCheck(s.healthCheck),
      stopTimeout: r.stopTimeout,
      readonlyRootFilesystem: s.readonlyRootFilesystem ?? r.readonlyRootFilesystem,
      mountPoints: shared.mountPoints,
      logConfiguration: shared.logConfiguration(s.name),
    })),
    ...extra,
  ];
  const definition = {
    family: pulumi.interpolate`${cluster.name}-${name}`,
    cpu: String(r.cpu),
    memory: String(r.memory),
    networkMode: "awsvpc",
    requiresCompatibilities: [placement.capacity === "EC2" ? "EC2" : "FARGATE"],
    runtimePlatform: { cpuArchitecture: placement.architecture, operatingSystemFamily: "LINUX" },
    executionRoleArn: executionRole.arn,
    taskRoleArn: taskRole.arn,
    containerDefinitions: pulumi.jsonStringify(pulumi.output(containers)),
    // An EFS volume mounts through its access point: rootDirectory is left out (ECS requires it
    // omitted or "/" with an access point), transit encryption is required with IAM authorization
    // (ECS API reference, "EFSVolumeConfiguration"). Fargate supports EFS from platform version
    // 1.4.0; services and schedules leave the version unset, which is LATEST.
    volumes: [
      { name: SCRATCH_VOLUME },
      ...efsVolumes.map((vol) => ({
        name: vol.name,
        efsVolumeConfiguration: {
          fileSystemId: vol.fileSystemId,
          transitEncryption: "ENABLED",
          authorizationConfig: { accessPointId: vol.accessPointId, iam: "ENABLED" },
        },
      })),
    ],
    ephemeralStorage:
      args.ephemeralStorageGiB !== undefined ? { sizeInGib: args.ephemeralStorageGiB } : undefined,
    // Keep old revisions registered so a circuit-breaker or alarm rollback can start them.
    skipDestroy: true,
    tags,
  } as aws.ecs.TaskDefinitionArgs;
  const [tdArgs, tdOpts] = transformed(t.taskDefinition, definition, childOpts(scope));
  const taskDefinition = new aws.ecs.TaskDefinition(`${name}-taskdef`, tdArgs, tdOpts);
  return { logGroup, executionRole, taskRole, taskDefinition, policies, containers, definition };
}

/** A release task: a one-off command with the service's image, roles and network, run before the service rolls. */
export interface ReleaseArgs {
  /**
   * The command of the release task (migrations, for example). The deploy runs it to completion with
   * `aws ecs run-task` (see the kind's `releaseTask` output) before `pulumi up` rolls the service; a
   * non-zero exit should fail the deploy.
   * @example command: ["node", "migrate.js"]
   */
  command: string[];
  /**
   * Minutes the deploy waits for the release task before it stops it and fails (1 to 120). ECS has
   * no run-time limit of its own: the deploy step enforces this, and the task gets it as
   * `BERTH_TIMEOUT_SECONDS`.
   * @default 15
   * @example timeoutMinutes: 30
   */
  timeoutMinutes?: number;
}

export interface ResolvedRelease {
  command: string[];
  timeoutMinutes: number;
}

/** Checks `release`: a command of at least one non-empty word and a timeout of 1 to 120 minutes. */
export function resolveRelease(v: Validator, release: ReleaseArgs | undefined): ResolvedRelease | undefined {
  if (release === undefined) return undefined;
  v.check(
    release !== null && typeof release === "object" && !Array.isArray(release),
    "release",
    release,
    "give { command, timeoutMinutes }",
  );
  v.check(
    Array.isArray(release.command) &&
      release.command.length > 0 &&
      release.command.every((w) => typeof w === "string" && w !== ""),
    "release.command",
    release.command,
    'a command as a list of words, e.g. ["node", "migrate.js"]',
  );
  const timeoutMinutes = release.timeoutMinutes ?? 15;
  v.integer("release.timeoutMinutes", timeoutMinutes, { min: 1, max: 120 }, " minutes");
  return { command: release.command, timeoutMinutes };
}

/**
 * The release task definition: the service's containers, roles, size and network mode, the main
 * container running `release.command` without port mappings or health check, logging under the
 * `release` stream prefix, `BERTH_TIMEOUT_SECONDS` set. Family `<cluster>-<name>-release`.
 */
export function createReleaseTask(
  scope: PartScope,
  task: TaskPart,
  r: ResolvedTask,
  release: ResolvedRelease,
  t: TaskTransforms,
): aws.ecs.TaskDefinition {
  const [main, ...rest] = task.containers;
  const mainEnv = (main!.environment as { name: string; value: pulumi.Input<string> }[]).filter(
    (e) => e.name !== "BERTH_TIMEOUT_SECONDS",
  );
  const logConfiguration = main!.logConfiguration as { logDriver: string; options: Record<string, unknown> };
  const releaseMain = {
    ...main,
    portMappings: [],
    healthCheck: undefined,
    command: release.command,
    environment: [...mainEnv, { name: "BERTH_TIMEOUT_SECONDS", value: String(release.timeoutMinutes * 60) }],
    logConfiguration: {
      ...logConfiguration,
      options: { ...logConfiguration.options, "awslogs-stream-prefix": `release-${r.containerName}` },
    },
  };
  const [args, opts] = transformed(
    t.releaseTaskDefinition,
    {
      ...task.definition,
      family: pulumi.interpolate`${scope.cluster.name}-${scope.name}-release`,
      containerDefinitions: pulumi.jsonStringify(pulumi.output([releaseMain, ...rest])),
    } as aws.ecs.TaskDefinitionArgs,
    childOpts(scope),
  );
  return new aws.ecs.TaskDefinition(`${scope.name}-release-taskdef`, args, opts);
}
