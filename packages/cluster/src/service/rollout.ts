import { type Transform, transformed, type Validator } from "@berth/core";
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { DeploymentArgs, DeploymentStrategy } from "../service-args.js";
import { infrastructurePolicyArn } from "./iam.js";
import { childOpts, type PartScope, trustFor } from "./scope.js";

/**
 * What one replacement batch of a rolling deployment waits for. Every figure is in seconds.
 */
export interface RolloutTiming {
  /**
   * How long a new task may take to start before its health checks count: the service's
   * `healthCheckGracePeriodSeconds` behind a load balancer, the container health check's
   * `startPeriod` for a worker.
   */
  startupSeconds: number;
  /** Health check interval (target group, or the container health check for a worker). */
  healthCheckIntervalSeconds: number;
  /** Consecutive passing checks before the new task counts as healthy (1 for a container check). */
  healthyThreshold: number;
  /** Target group deregistration delay: how long the old task drains (0 without a load balancer). */
  deregistrationDelaySeconds: number;
  /** The container's `stopTimeout`: SIGTERM to SIGKILL. */
  stopTimeoutSeconds: number;
}

/**
 * The worst-case time one replacement batch of a rolling deployment takes when every step uses its
 * full allowance:
 *
 * ```
 * startup + healthyThreshold × interval + deregistration delay + stop timeout
 * ```
 *
 * A new task starts (up to `startup`), must pass `healthyThreshold` checks `interval` apart, then the
 * old task is deregistered and drains for the deregistration delay, and finally receives SIGTERM and
 * has `stopTimeout` to exit. AWS's defaults (grace 0, interval 30 s × threshold 5, delay 300 s,
 * stop timeout 30 s) give 480 s per batch; Berth's defaults (10 + 2 × 10 + 15 + 10) give 55 s, and
 * dev-like settings (0 + 2 × 5 + 5 + 5) give 20 s. A deployment takes about
 * `ceil(desiredCount / batch size) × this`, where the batch size follows from `maxPercent` and
 * `minHealthyPercent`.
 *
 * @example
 * worstCaseBatchSeconds({ startupSeconds: 0, healthCheckIntervalSeconds: 30, healthyThreshold: 5,
 *   deregistrationDelaySeconds: 300, stopTimeoutSeconds: 30 }); // 480
 */
export function worstCaseBatchSeconds(t: RolloutTiming): number {
  return (
    t.startupSeconds +
    t.healthyThreshold * t.healthCheckIntervalSeconds +
    t.deregistrationDelaySeconds +
    t.stopTimeoutSeconds
  );
}

/** How new task definitions roll out. */
export interface RolloutArgs {
  /**
   * Deployment strategy and safety nets.
   * @default rolling, 100–200%, circuit breaker and alarm rollback, wait for steady state
   * @example deployment: { strategy: "BLUE_GREEN", bakeTimeMinutes: 10 }
   */
  deployment?: DeploymentArgs;
}

/** Escape hatches of the rollout's children. */
export interface RolloutTransforms {
  /** The role ECS shifts load balancer traffic with (`aws.iam.Role`; blue/green, canary, linear). */
  infrastructureRole?: Transform<aws.iam.RoleArgs>;
  /** Its managed policy attachment (`aws.iam.RolePolicyAttachment`). */
  infrastructureRolePolicy?: Transform<aws.iam.RolePolicyAttachmentArgs>;
}

/** The rollout with every default applied. */
export interface ResolvedRollout {
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
  /** `healthCheckGracePeriodSeconds` (0 without a load balancer). */
  gracePeriod: number;
}

/** The strategy, read before the other parts' cross checks (it is checked in {@link resolveRollout}). */
export function rolloutStrategy(args: RolloutArgs): DeploymentStrategy {
  return args.deployment?.strategy ?? "ROLLING";
}

/**
 * Checks the deployment settings and applies the defaults. `routed` says whether the service has a
 * load balancer route (the grace period defaults to 10 s with one, 0 without). Rules that involve
 * other parts (traffic shifting needs a route) live in the kind.
 */
export function resolveRollout(v: Validator, args: RolloutArgs, ctx: { routed: boolean }): ResolvedRollout {
  const d = args.deployment ?? {};
  const strategy = rolloutStrategy(args);
  v.oneOf("deployment.strategy", strategy, ["ROLLING", "BLUE_GREEN", "CANARY", "LINEAR"] as const);
  return resolveRolloutSettings(v, d, strategy, ctx);
}

/** The strategy's settings, checked once the kind has checked the strategy against its exposure. */
export function resolveRolloutSettings(
  v: Validator,
  d: DeploymentArgs,
  strategy: DeploymentStrategy,
  ctx: { routed: boolean },
): ResolvedRollout {
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
  const gracePeriod = d.healthCheckGracePeriodSeconds ?? (ctx.routed ? 10 : 0);
  if (!ctx.routed) {
    v.check(
      d.healthCheckGracePeriodSeconds === undefined,
      "deployment.healthCheckGracePeriodSeconds",
      d.healthCheckGracePeriodSeconds,
      "applies to services with a loadBalancer only",
    );
  }
  v.integer("deployment.healthCheckGracePeriodSeconds", gracePeriod, { min: 0, max: 3600 }, " seconds");
  return {
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
  };
}

/**
 * Creates the infrastructure role ECS uses to shift load balancer traffic (BLUE_GREEN, CANARY,
 * LINEAR), trusted by `ecs.amazonaws.com` in the cluster's account only, with AWS's managed
 * `AmazonECSInfrastructureRolePolicyForLoadBalancers`.
 */
export function createRollout(
  scope: PartScope,
  r: ResolvedRollout,
  t: RolloutTransforms,
): { infrastructureRole: aws.iam.Role; attachment: aws.iam.RolePolicyAttachment } {
  const { name, tags } = scope;
  const [irArgs, irOpts] = transformed(
    t.infrastructureRole,
    {
      assumeRolePolicy: trustFor(scope, "ecs.amazonaws.com"),
      description: `Lets ECS shift load balancer traffic for ${name}'s ${r.strategy} deployments`,
      tags,
    } as aws.iam.RoleArgs,
    childOpts(scope),
  );
  const infrastructureRole = new aws.iam.Role(`${name}-infrastructure-role`, irArgs, irOpts);
  const [ipArgs, ipOpts] = transformed(
    t.infrastructureRolePolicy,
    {
      role: infrastructureRole.name,
      policyArn: scope.arn.apply((p) => infrastructurePolicyArn(p.partition)),
    } as aws.iam.RolePolicyAttachmentArgs,
    childOpts(scope),
  );
  const attachment = new aws.iam.RolePolicyAttachment(`${name}-infrastructure-policy`, ipArgs, ipOpts);
  return { infrastructureRole, attachment };
}

/** The ECS service's deployment settings. */
export function deploymentFragment(r: ResolvedRollout, rollbackAlarms: pulumi.Input<string>[]) {
  const deploymentConfiguration: aws.types.input.ecs.ServiceDeploymentConfiguration = {
    strategy: r.strategy,
  };
  if (r.strategy !== "ROLLING") deploymentConfiguration.bakeTimeInMinutes = String(r.bakeTimeMinutes);
  if (r.strategy === "CANARY") {
    deploymentConfiguration.canaryConfiguration = {
      canaryPercent: r.canary.percent,
      canaryBakeTimeInMinutes: String(r.canary.bakeTimeMinutes),
    };
  }
  if (r.strategy === "LINEAR") {
    deploymentConfiguration.linearConfiguration = {
      stepPercent: r.linear.stepPercent,
      stepBakeTimeInMinutes: String(r.linear.stepBakeTimeMinutes),
    };
  }
  return {
    deploymentController: { type: "ECS" },
    deploymentConfiguration,
    deploymentMinimumHealthyPercent: r.minHealthyPercent,
    deploymentMaximumPercent: r.maxPercent,
    deploymentCircuitBreaker: { enable: r.circuitBreaker, rollback: r.circuitBreaker },
    alarms:
      rollbackAlarms.length > 0 ? { alarmNames: rollbackAlarms, enable: true, rollback: true } : undefined,
    waitForSteadyState: r.waitForSteadyState,
    availabilityZoneRebalancing: r.azRebalancing,
  };
}
