import type { NetworkRef } from "@berth/core";
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterRef, LoadBalancerRef } from "./refs.js";
import type { EcsServiceTransforms } from "./service/ecs-service.js";
import type { AlbRouteArgs, AlbRouteTransforms } from "./service/exposure/alb-route.js";
import type { LinkTransforms } from "./service/links.js";
import type { ObservabilityArgs, ObservabilityTransforms } from "./service/observability.js";
import type { PlacementArgs, PlacementTransforms } from "./service/placement.js";
import type { RolloutArgs, RolloutTransforms } from "./service/rollout.js";
import type { ScalingPartArgs, ScalingTransforms } from "./service/scaling.js";
import type { TaskArgs, TaskTransforms } from "./service/task.js";

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
   * Worker only: visible queue messages per running task to hold (target tracking on metric math,
   * which needs Container Insights on the cluster); `false` turns it off.
   * @default 10 for a worker
   * @example backlogPerTask: 50
   */
  backlogPerTask?: number | false;
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

/** The children every kind with an ECS service may transform, one key per child. */
export type ServiceTransforms = Omit<TaskTransforms, "releaseTaskDefinition"> &
  LinkTransforms &
  PlacementTransforms &
  AlbRouteTransforms &
  RolloutTransforms &
  ScalingTransforms &
  ObservabilityTransforms &
  EcsServiceTransforms;

/**
 * The arguments of `Service`: the parts of a web service (with the load balancer) or of a plain
 * background service (without one). New code uses the kinds (`WebService`, `InternalService`,
 * `WorkerService`, `ScheduledJob`).
 */
export interface ServiceArgs
  extends TaskArgs,
    PlacementArgs,
    Partial<Omit<AlbRouteArgs, "loadBalancer" | "rule">>,
    RolloutArgs,
    ScalingPartArgs,
    ObservabilityArgs {
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
   * The listener rule on the load balancer's listener (required with a load balancer).
   * @example rule: { priority: 100, hosts: ["api.example.com"], paths: ["/v1/*"] }
   */
  rule?: ServiceRuleArgs;
  /**
   * Tags for every taggable child.
   * @default {}
   * @example tags: { Team: "payments" }
   */
  tags?: Record<string, string>;
  /** Escape hatch: change any child's args before it is created. */
  transform?: ServiceTransforms;
}
