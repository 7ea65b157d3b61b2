import type { NetworkRef, PolicyStatement, Transform } from "@berth/core";
import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterRef, LoadBalancerRef } from "./refs.js";

/** ECS deployment strategies (`deploymentConfiguration.strategy`). */
export type DeploymentStrategy = "ROLLING" | "BLUE_GREEN" | "CANARY" | "LINEAR";

/** CPU architecture of the task (`runtimePlatform.cpuArchitecture`). */
export type CpuArchitecture = "ARM64" | "X86_64";

/** The container health check ECS runs inside the task (Docker `HEALTHCHECK`). */
export interface ContainerHealthCheckArgs {
  /**
   * The command: `["CMD", ...]` runs it directly, `["CMD-SHELL", "..."]` through the image's shell.
   * @example command: ["CMD-SHELL", "wget -qO- http://localhost:8080/health || exit 1"]
   */
  command: string[];
  /**
   * Seconds between checks (5 to 300).
   * @default 10
   * @example interval: 5
   */
  interval?: number;
  /**
   * Seconds a check may take (2 to 60).
   * @default 5
   * @example timeout: 3
   */
  timeout?: number;
  /**
   * Failed checks before the container is unhealthy (1 to 10).
   * @default 3
   * @example retries: 2
   */
  retries?: number;
  /**
   * Seconds after start during which failures do not count (0 to 300).
   * @default 0
   * @example startPeriod: 15
   */
  startPeriod?: number;
}

/** An extra container in the task, next to the main one. */
export interface SidecarArgs {
  /**
   * Container name, unique in the task.
   * @example name: "envoy"
   */
  name: string;
  /**
   * Image reference, digest-pinned like the main image (unless `allowMutableImageTag`).
   * @example image: "public.ecr.aws/appmesh/aws-appmesh-envoy@sha256:<64 hex>"
   */
  image: pulumi.Input<string>;
  /**
   * Whether the task stops when this container stops.
   * @default false
   * @example essential: true
   */
  essential?: boolean;
  /**
   * CPU units reserved for the container (part of the task's `cpu`).
   * @default unset (shares the task's CPU)
   * @example cpu: 64
   */
  cpu?: number;
  /**
   * Hard memory limit in MiB (part of the task's `memory`).
   * @default unset (shares the task's memory)
   * @example memory: 128
   */
  memory?: number;
  /**
   * Environment variables.
   * @default {}
   * @example environment: { LOG_LEVEL: "info" }
   */
  environment?: Record<string, pulumi.Input<string>>;
  /**
   * Secrets as environment variables: name → SSM parameter or Secrets Manager ARN. The execution
   * role may read exactly these ARNs.
   * @default {}
   * @example secrets: { TOKEN: "arn:aws:ssm:us-east-1:123456789012:parameter/app/token" }
   */
  secrets?: Record<string, pulumi.Input<string>>;
  /**
   * Overrides the image's command.
   * @default the image's CMD
   * @example command: ["--config", "/etc/sidecar.yaml"]
   */
  command?: string[];
  /**
   * Container health check.
   * @default none
   * @example healthCheck: { command: ["CMD", "/healthcheck"] }
   */
  healthCheck?: ContainerHealthCheckArgs;
  /**
   * Read-only root filesystem; the task's scratch volume is mounted writable at `scratchPath`.
   * @default the service's `readonlyRootFilesystem`
   * @example readonlyRootFilesystem: false
   */
  readonlyRootFilesystem?: boolean;
}

/** The listener rule on the shared load balancer that routes to this service. */
export interface ServiceRuleArgs {
  /**
   * Rule priority on the listener, 1 (first) to 50000; unique per listener.
   * @example priority: 100
   */
  priority: number;
  /**
   * Host header patterns (`*` and `?` wildcards). At least one of `hosts` and `paths`; at most 3
   * values each and 5 in total (ALB's limits).
   * @default none
   * @example hosts: ["api.example.com"]
   */
  hosts?: string[];
  /**
   * Path patterns, each starting with `/`.
   * @default none
   * @example paths: ["/api/*"]
   */
  paths?: string[];
}

/** The target group's health check. Defaults are tuned for fast, safe rollouts. */
export interface TargetHealthCheckArgs {
  /**
   * Path the load balancer requests.
   * @default "/health"
   * @example path: "/healthz"
   */
  path?: string;
  /**
   * Seconds between checks (5 to 300); keep it at 5 to 10 for quick rollouts.
   * @default 10
   * @example interval: 5
   */
  interval?: number;
  /**
   * Seconds without a response that count as a failure (2 to 120, less than `interval`).
   * @default 5
   * @example timeout: 3
   */
  timeout?: number;
  /**
   * Consecutive successes before a target is healthy (2 to 10).
   * @default 2
   * @example healthyThreshold: 3
   */
  healthyThreshold?: number;
  /**
   * Consecutive failures before a target is unhealthy (2 to 10).
   * @default 3
   * @example unhealthyThreshold: 2
   */
  unhealthyThreshold?: number;
  /**
   * HTTP codes that count as healthy: `200`, `200,204` or `200-299` (200 to 499).
   * @default "200-299"
   * @example matcher: "200"
   */
  matcher?: string;
}

/** How new task definitions roll out. */
export interface DeploymentArgs {
  /**
   * ECS native strategy. `BLUE_GREEN`, `CANARY` and `LINEAR` need a load balancer: Berth then
   * creates an alternate target group, an infrastructure role for ECS and (when the load balancer
   * has a test listener) a test listener rule.
   * @default "ROLLING"
   * @example strategy: "CANARY"
   */
  strategy?: DeploymentStrategy;
  /**
   * Rolling: tasks that must stay running and healthy, in percent of the desired count (0 to 100).
   * @default 100
   * @example minHealthyPercent: 50
   */
  minHealthyPercent?: number;
  /**
   * Rolling: tasks that may run during a deployment, in percent of the desired count (100 to 200).
   * @default 200
   * @example maxPercent: 150
   */
  maxPercent?: number;
  /**
   * Deployment circuit breaker: stop a deployment whose tasks keep failing and roll back.
   * @default true
   * @example circuitBreaker: false
   */
  circuitBreaker?: boolean;
  /**
   * Roll back when the service's own 5xx-rate or unhealthy-target alarm fires during a deployment
   * (services with a load balancer and alarms enabled).
   * @default true
   * @example rollbackOnAlarms: false
   */
  rollbackOnAlarms?: boolean;
  /**
   * More CloudWatch alarm names that roll a deployment back.
   * @default []
   * @example rollbackAlarmNames: [latencyAlarm.name]
   */
  rollbackAlarmNames?: pulumi.Input<string>[];
  /**
   * Blue/green, canary, linear: minutes the new revision serves all traffic before the old one is
   * terminated (0 to 1440).
   * @default 5
   * @example bakeTimeMinutes: 15
   */
  bakeTimeMinutes?: number;
  /**
   * Canary settings (strategy `CANARY` only).
   * @default { percent: 10, bakeTimeMinutes: 5 }
   * @example canary: { percent: 5, bakeTimeMinutes: 10 }
   */
  canary?: { percent?: number; bakeTimeMinutes?: number };
  /**
   * Linear settings (strategy `LINEAR` only).
   * @default { stepPercent: 25, stepBakeTimeMinutes: 2 }
   * @example linear: { stepPercent: 10, stepBakeTimeMinutes: 1 }
   */
  linear?: { stepPercent?: number; stepBakeTimeMinutes?: number };
  /**
   * Wait for the deployment to reach a steady state, so `pulumi up` fails when a deployment fails.
   * @default true
   * @example waitForSteadyState: false
   */
  waitForSteadyState?: boolean;
  /**
   * Seconds ECS ignores failing load balancer health checks of a new task (0 to 3600; load
   * balanced services only). Counts as the startup time in the rollout figure.
   * @default 10
   * @example healthCheckGracePeriodSeconds: 30
   */
  healthCheckGracePeriodSeconds?: number;
}

/** One scheduled change of the scaling bounds. */
export interface ScheduledScalingArgs {
  /**
   * Name of the action, unique in the service.
   * @example name: "night"
   */
  name: string;
  /**
   * `cron(...)`, `rate(...)` or `at(...)` in Application Auto Scaling's syntax.
   * @example schedule: "cron(0 20 * * ? *)"
   */
  schedule: string;
  /**
   * New minimum.
   * @example min: 1
   */
  min?: number;
  /**
   * New maximum.
   * @example max: 2
   */
  max?: number;
  /**
   * IANA time zone of the schedule.
   * @default "UTC"
   * @example timezone: "Europe/Berlin"
   */
  timezone?: string;
}

/** Application Auto Scaling of the desired count. */
export interface ScalingArgs {
  /**
   * Lowest task count.
   * @default desiredCount
   * @example min: 2
   */
  min?: number;
  /**
   * Highest task count (at least `desiredCount`).
   * @example max: 10
   */
  max: number;
  /**
   * Target average CPU utilisation in percent; `false` turns CPU tracking off.
   * @default 70
   * @example cpuTarget: 60
   */
  cpuTarget?: number | false;
  /**
   * Target average memory utilisation in percent.
   * @default off
   * @example memoryTarget: 75
   */
  memoryTarget?: number;
  /**
   * Target requests per task per minute from the load balancer (`ALBRequestCountPerTarget`;
   * rolling deployments only, since blue/green moves traffic between two target groups).
   * @default off
   * @example requestsPerTarget: 1000
   */
  requestsPerTarget?: number;
  /**
   * Seconds after a scale-in before the next one.
   * @default 300
   * @example scaleInCooldown: 120
   */
  scaleInCooldown?: number;
  /**
   * Seconds after a scale-out before the next one.
   * @default 60
   * @example scaleOutCooldown: 30
   */
  scaleOutCooldown?: number;
  /**
   * Scheduled changes of `min`/`max`.
   * @default []
   * @example schedules: [{ name: "night", schedule: "cron(0 20 * * ? *)", min: 1, max: 2 }]
   */
  schedules?: ScheduledScalingArgs[];
}

/** CloudWatch alarms of the service. */
export interface ServiceAlarmArgs {
  /**
   * SNS topic that receives alarm and OK notifications.
   * @default none (alarms still exist and still roll deployments back)
   * @example topicArn: alertsTopic.arn
   */
  topicArn?: pulumi.Input<string>;
  /**
   * Target 5xx responses in percent of requests (over one minute, with at least 10 requests) that
   * raise the 5xx alarm.
   * @default 5
   * @example http5xxPercent: 1
   */
  http5xxPercent?: number;
  /**
   * Average CPU utilisation in percent, three minutes in a row.
   * @default 85
   * @example cpuPercent: 90
   */
  cpuPercent?: number;
  /**
   * Average memory utilisation in percent, three minutes in a row.
   * @default 85
   * @example memoryPercent: 90
   */
  memoryPercent?: number;
}

/** X-Ray traces through an AWS Distro for OpenTelemetry collector sidecar. */
export interface TracingArgs {
  /**
   * Collector image. Pin a digest in production.
   * @default "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3"
   * @example image: "public.ecr.aws/aws-observability/aws-otel-collector@sha256:<64 hex>"
   */
  image?: pulumi.Input<string>;
  /**
   * CPU units reserved for the collector.
   * @default 64
   * @example cpu: 128
   */
  cpu?: number;
  /**
   * Memory in MiB reserved for the collector.
   * @default 128
   * @example memory: 256
   */
  memory?: number;
}

/** One Fargate capacity provider's share of a service's tasks. */
export interface FargateCapacityShare {
  capacityProvider: "FARGATE" | "FARGATE_SPOT";
  /** Relative share of the tasks beyond the base. @default 0 */
  weight?: number;
  /** Tasks always placed on this provider first. @default 0 */
  base?: number;
}

export interface ServiceArgs {
  /**
   * The ECS cluster, as plain outputs (`Cluster` produces them).
   * @example cluster: { name: "platform-dev", arn: "arn:aws:ecs:us-east-1:123456789012:cluster/platform-dev" }
   */
  cluster: ClusterRef;
  /**
   * The VPC and its subnets.
   * @example network: { vpcId, publicSubnetIds, privateSubnetIds }
   */
  network: NetworkRef;
  /**
   * The shared load balancer. Without one, the service is a worker: no target group, no listener
   * rule, no ingress.
   * @default none (worker)
   * @example loadBalancer: lbRef
   */
  loadBalancer?: LoadBalancerRef;
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
   * CPU architecture. Graviton (`ARM64`) costs about 20% less on Fargate; the image must be built
   * for it.
   * @default "ARM64"
   * @example architecture: "X86_64"
   */
  architecture?: CpuArchitecture;
  /**
   * Where tasks run: Fargate on demand, Fargate Spot (up to 70% cheaper, may be interrupted with
   * two minutes' notice: dev, or stateless workers), or the cluster's EC2 capacity provider
   * (`cluster.ec2CapacityProviderName`). The cluster must have the capacity provider associated
   * (`Cluster` associates FARGATE and FARGATE_SPOT). `"CLUSTER_DEFAULT"` follows the cluster's
   * default capacity provider strategy (e.g. an on-demand base with a Spot-heavy rest, set by the
   * stack on `Cluster`); that strategy must then be Fargate-only. ECS applies a cluster's default
   * when the service is created: a later change of the default does not move existing services.
   * A list mixes Fargate and Fargate Spot explicitly (weights 0–1000, at least one above 0; `base`
   * tasks on at most one provider).
   * @default "FARGATE"
   * @example capacity: [{ capacityProvider: "FARGATE", base: 1, weight: 1 }, { capacityProvider: "FARGATE_SPOT", weight: 4 }]
   */
  capacity?: "FARGATE" | "FARGATE_SPOT" | "EC2" | "CLUSTER_DEFAULT" | FargateCapacityShare[];
  /**
   * Number of tasks (0 to 1000); with `scaling`, the starting count that autoscaling then owns.
   * @default 2
   * @example desiredCount: 1
   */
  desiredCount?: number;
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
   * ECS Exec (`aws ecs execute-command`) into the tasks; adds the SSM messages permissions to the
   * task role.
   * @default false
   * @example enableExecuteCommand: true
   */
  enableExecuteCommand?: boolean;
  /**
   * Subnets of the tasks. `"public"` puts them in the public subnets with a public IP, for a dev
   * environment without NAT (Fargate only); the security group still admits only the load balancer.
   * @default "private"
   * @example subnets: "public"
   */
  subnets?: "private" | "public";
  /**
   * More security groups for the tasks (e.g. one a database admits).
   * @default []
   * @example securityGroupIds: [dbClientSg.id]
   */
  securityGroupIds?: pulumi.Input<string>[];
  /**
   * The listener rule on the load balancer's listener (required with a load balancer).
   * @example rule: { priority: 100, hosts: ["api.example.com"], paths: ["/v1/*"] }
   */
  rule?: ServiceRuleArgs;
  /**
   * Health check of the target group(s).
   * @default { path: "/health", interval: 10, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3, matcher: "200-299" }
   * @example healthCheck: { path: "/ready", interval: 5 }
   */
  healthCheck?: TargetHealthCheckArgs;
  /**
   * Seconds a stopping task keeps serving in-flight requests (0 to 3600). AWS's default is 300.
   * @default 15
   * @example deregistrationDelaySeconds: 30
   */
  deregistrationDelaySeconds?: number;
  /**
   * Seconds a new target's share of traffic ramps up (0 = off, or 30 to 900).
   * @default 0
   * @example slowStartSeconds: 60
   */
  slowStartSeconds?: number;
  /**
   * Route 53 alias record for the service's host name, pointing to the load balancer.
   * @default none
   * @example dns: { zoneId: "Z0123456789ABC" } // name defaults to the first of rule.hosts
   */
  dns?: { zoneId: pulumi.Input<string>; name?: string };
  /**
   * Deployment strategy and safety nets.
   * @default rolling, 100–200%, circuit breaker and alarm rollback, wait for steady state
   * @example deployment: { strategy: "BLUE_GREEN", bakeTimeMinutes: 10 }
   */
  deployment?: DeploymentArgs;
  /**
   * Autoscaling of the task count.
   * @default none (fixed desiredCount)
   * @example scaling: { min: 2, max: 10, cpuTarget: 60, requestsPerTarget: 1000 }
   */
  scaling?: ScalingArgs;
  /**
   * Alarms: 5xx rate and unhealthy targets (with a load balancer), high CPU, high memory, running
   * below desired (needs Container Insights on the cluster). `false` creates none.
   * @default {} (all alarms, no notifications)
   * @example alarms: { topicArn: alerts.arn, http5xxPercent: 2 }
   */
  alarms?: ServiceAlarmArgs | false;
  /**
   * A CloudWatch dashboard for the service: requests, p50/p99 latency, 5xx, CPU, memory, tasks.
   * @default true
   * @example dashboard: false
   */
  dashboard?: boolean;
  /**
   * An AWS Distro for OpenTelemetry collector sidecar that sends traces to X-Ray; the main container
   * gets `OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318` and `OTEL_SERVICE_NAME`.
   * @default false
   * @example tracing: true
   */
  tracing?: boolean | TracingArgs;
  /**
   * Tags for every taggable child.
   * @default {}
   * @example tags: { Team: "payments" }
   */
  tags?: Record<string, string>;
  /** Escape hatch: change any child's args before it is created. */
  transform?: {
    logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    executionRole?: Transform<aws.iam.RoleArgs>;
    executionRolePolicy?: Transform<aws.iam.RolePolicyArgs>;
    taskRole?: Transform<aws.iam.RoleArgs>;
    taskRolePolicy?: Transform<aws.iam.RolePolicyArgs>;
    infrastructureRole?: Transform<aws.iam.RoleArgs>;
    infrastructureRolePolicy?: Transform<aws.iam.RolePolicyAttachmentArgs>;
    taskDefinition?: Transform<aws.ecs.TaskDefinitionArgs>;
    securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    ingressRule?: Transform<aws.vpc.SecurityGroupIngressRuleArgs>;
    egressRule?: Transform<aws.vpc.SecurityGroupEgressRuleArgs>;
    targetGroup?: Transform<aws.lb.TargetGroupArgs>;
    listenerRule?: Transform<aws.lb.ListenerRuleArgs>;
    service?: Transform<aws.ecs.ServiceArgs>;
    scalingTarget?: Transform<aws.appautoscaling.TargetArgs>;
    scalingPolicy?: Transform<aws.appautoscaling.PolicyArgs>;
    scheduledAction?: Transform<aws.appautoscaling.ScheduledActionArgs>;
    alarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
    dashboard?: Transform<aws.cloudwatch.DashboardArgs>;
    record?: Transform<aws.route53.RecordArgs>;
  };
}
