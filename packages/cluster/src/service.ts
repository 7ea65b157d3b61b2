import * as pulumi from "@pulumi/pulumi";
import { ALB_ROUTE_FIELDS, type AlbRouteArgs } from "./service/exposure/alb-route.js";
import {
  checkKindBase,
  createLongRunning,
  type Exposure,
  rejectFields,
  resolveLongRunning,
} from "./service/kinds/compose.js";
import { WEB_DEFAULT_PORT } from "./service/kinds/web.js";
import type { ServiceArgs } from "./service-args.js";

export { describeFargateMemory, FARGATE_CPU_VALUES, fargateMemoryOptions } from "@berth/core";
export { serviceIgnoreChanges } from "./service/ecs-service.js";
export { dashboardBody, type MetricKeys } from "./service/metrics.js";
export { DEFAULT_TRACING_IMAGE } from "./service/observability.js";
export { type RolloutTiming, worstCaseBatchSeconds } from "./service/rollout.js";
export * from "./service-args.js";

/** The type token of `Service`; it never changes, so the URNs of existing stacks stay put. */
export const SERVICE_TYPE = "berth:cluster:Service";

/** `Service`'s exposure: a route on the load balancer (web), or none (a background worker). */
function serviceExposure(args: ServiceArgs): Exposure {
  return args.loadBalancer ? { route: args as unknown as AlbRouteArgs, defaultPort: WEB_DEFAULT_PORT } : {};
}

/**
 * A production ECS service for one container image: task definition (Fargate ARM64 by default,
 * read-only root filesystem, digest-pinned image), least-privilege execution and task roles, a task
 * security group that admits only the load balancer, a target group and listener rule on the shared
 * load balancer, rolling or ECS native blue/green, canary and linear deployments with circuit
 * breaker and alarm rollback, autoscaling, alarms, a dashboard and optional X-Ray tracing.
 *
 * `Service` is the first Berth service and stays for existing stacks: with a `loadBalancer` it is
 * a web service, without one a background service with no ingress. It is the same composition of
 * parts as `WebService` (type token `berth:cluster:Service`, so its URNs never move). New code
 * uses the kinds: `WebService`, `InternalService`, `WorkerService`, `ScheduledJob`.
 *
 * @example
 * const web = new Service("web", {
 *   cluster, network, loadBalancer,
 *   image: release.value, // "123456789012.dkr.ecr.us-east-1.amazonaws.com/web@sha256:…"
 *   port: 8080,
 *   rule: { priority: 100, hosts: ["app.example.com"] },
 *   secrets: { DATABASE_URL: dbSecret.arn },
 *   scaling: { min: 2, max: 10 },
 * });
 * export const url = web.url;
 */
export class Service extends pulumi.ComponentResource {
  /** Name of the ECS service. */
  readonly serviceName: pulumi.Output<string>;
  /** ARN of the ECS service. */
  readonly serviceArn: pulumi.Output<string>;
  /** Where the service answers (`https://<host><path>`), undefined for a worker. */
  readonly url: pulumi.Output<string | undefined>;
  /** ARN of the current task definition revision. */
  readonly taskDefinitionArn: pulumi.Output<string>;
  /** ARN of the role the application runs as. */
  readonly taskRoleArn: pulumi.Output<string>;
  /** ARN of the role ECS uses to pull images, read secrets and write logs. */
  readonly executionRoleArn: pulumi.Output<string>;
  /** The log group of all containers. */
  readonly logGroupName: pulumi.Output<string>;
  /** The tasks' security group. */
  readonly securityGroupId: pulumi.Output<string>;
  /** The (primary) target group; undefined for a worker. */
  readonly targetGroupArn: pulumi.Output<string | undefined>;
  /** All target groups: one for rolling deployments, two (primary, alternate) for blue/green, canary and linear. */
  readonly targetGroupArns: pulumi.Output<string[]>;
  /** The production listener rule; undefined for a worker. */
  readonly listenerRuleArn: pulumi.Output<string | undefined>;
  /** Names of the service's CloudWatch alarms. */
  readonly alarmNames: pulumi.Output<string[]>;
  /** Name of the service's CloudWatch dashboard; undefined when `dashboard: false`. */
  readonly dashboardName: pulumi.Output<string | undefined>;
  /**
   * Worst-case seconds one replacement batch of a rolling deployment takes with the configured
   * settings: startup (grace period) + healthy threshold × interval + deregistration delay + stop
   * timeout. See {@link worstCaseBatchSeconds}.
   */
  readonly worstCaseBatchSeconds: number;

  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    const v = checkKindBase(SERVICE_TYPE, name, args);
    const exposure = serviceExposure(args);
    if (!args.loadBalancer) {
      rejectFields(v, args, ALB_ROUTE_FIELDS, "needs a loadBalancer (a service without one is a worker)");
    }
    const plan = resolveLongRunning(v, name, args, exposure, `Service '${name}'`);
    super(SERVICE_TYPE, name, {}, opts);
    this.worstCaseBatchSeconds = plan.worstCaseBatchSeconds;
    const out = createLongRunning(this, name, args, exposure, plan, args.transform ?? {});
    this.serviceName = out.serviceName;
    this.serviceArn = out.serviceArn;
    this.url = out.url;
    this.taskDefinitionArn = out.taskDefinitionArn;
    this.taskRoleArn = out.taskRoleArn;
    this.executionRoleArn = out.executionRoleArn;
    this.logGroupName = out.logGroupName;
    this.securityGroupId = out.securityGroupId;
    this.targetGroupArn = out.targetGroupArn;
    this.targetGroupArns = out.targetGroupArns;
    this.listenerRuleArn = out.listenerRuleArn;
    this.alarmNames = out.alarmNames;
    this.dashboardName = out.dashboardName;
    this.registerOutputs({
      serviceName: this.serviceName,
      serviceArn: this.serviceArn,
      url: this.url,
      taskDefinitionArn: this.taskDefinitionArn,
      taskRoleArn: this.taskRoleArn,
      executionRoleArn: this.executionRoleArn,
      logGroupName: this.logGroupName,
      securityGroupId: this.securityGroupId,
      targetGroupArn: this.targetGroupArn,
      targetGroupArns: this.targetGroupArns,
      listenerRuleArn: this.listenerRuleArn,
      alarmNames: this.alarmNames,
      dashboardName: this.dashboardName,
      worstCaseBatchSeconds: this.worstCaseBatchSeconds,
    });
  }
}
