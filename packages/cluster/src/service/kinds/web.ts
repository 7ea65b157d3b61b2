import * as pulumi from "@pulumi/pulumi";
import type { AlbRouteArgs, AlbRouteTransforms } from "../exposure/alb-route.js";
import type { ServiceConnectArgs } from "../exposure/service-connect.js";
import {
  checkKindBase,
  createLongRunning,
  type Exposure,
  type LongRunningArgs,
  type LongRunningTransforms,
  type ReleaseTaskRun,
  rejectFields,
  resolveLongRunning,
} from "./compose.js";

export const WEB_SERVICE_TYPE = "berth:cluster:WebService";

/** The port a web service listens on unless told otherwise. */
export const WEB_DEFAULT_PORT = 8080;

/** The children of a web service, one key each. */
export type WebServiceTransforms = LongRunningTransforms & AlbRouteTransforms;

/** A web service: task + placement + ALB route + rollout + scaling + observability. */
export type WebServiceArgs = LongRunningArgs &
  AlbRouteArgs &
  Pick<ServiceConnectArgs, "calls"> & {
    /** Escape hatch: change any child's args before it is created. */
    transform?: WebServiceTransforms;
  };

/**
 * A service behind the shared Application Load Balancer: its own listener rule and target
 * group(s), ingress from the load balancer only, rolling or ECS native blue/green, canary and
 * linear deployments with circuit breaker and alarm rollback, autoscaling (CPU, memory, requests
 * per target), alarms and a dashboard. With `calls`, it can reach internal services through
 * Service Connect (`http://<name>:<port>`).
 *
 * @example
 * const web = new WebService("web", {
 *   cluster: cluster.ref, network: network.ref, loadBalancer: lb.ref,
 *   image: release.value,
 *   rule: { priority: 100, hosts: ["app.example.com"] },
 *   scaling: { min: 2, max: 10 },
 *   calls: ["orders"],
 * });
 */
export class WebService extends pulumi.ComponentResource {
  readonly serviceName: pulumi.Output<string>;
  readonly serviceArn: pulumi.Output<string>;
  /** Where the service answers (`https://<host><path>`). */
  readonly url: pulumi.Output<string | undefined>;
  readonly taskDefinitionArn: pulumi.Output<string>;
  readonly taskRoleArn: pulumi.Output<string>;
  readonly executionRoleArn: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  /** The tasks' security group: give it to internal services' `callers` and to data resources. */
  readonly securityGroupId: pulumi.Output<string>;
  readonly targetGroupArn: pulumi.Output<string | undefined>;
  readonly targetGroupArns: pulumi.Output<string[]>;
  readonly listenerRuleArn: pulumi.Output<string | undefined>;
  readonly alarmNames: pulumi.Output<string[]>;
  readonly dashboardName: pulumi.Output<string | undefined>;
  /** The release task definition, with `release`. */
  readonly releaseTaskDefinitionArn: pulumi.Output<string | undefined>;
  /** What a deploy step needs to `aws ecs run-task` the release task, with `release`. */
  readonly releaseTask: pulumi.Output<ReleaseTaskRun | undefined>;
  /** Worst-case seconds of one rolling replacement batch (see `worstCaseBatchSeconds`). */
  readonly worstCaseBatchSeconds: number;

  constructor(name: string, args: WebServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    const v = checkKindBase(WEB_SERVICE_TYPE, name, args);
    v.required(
      "loadBalancer",
      args.loadBalancer,
      "a web service needs the shared load balancer (a LoadBalancerRef)",
    );
    rejectFields(v, args, ["queue"], "applies to kind worker");
    rejectFields(
      v,
      args,
      ["callers"],
      "applies to kind internal (the services published through Service Connect)",
    );
    const exposure: Exposure = {
      route: args,
      defaultPort: WEB_DEFAULT_PORT,
      ...(args.calls ? { connect: { args: { calls: args.calls }, server: false } } : {}),
    };
    const plan = resolveLongRunning(v, name, args, exposure, `WebService '${name}'`);
    super(WEB_SERVICE_TYPE, name, {}, opts);
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
    this.releaseTaskDefinitionArn = out.releaseTaskDefinitionArn;
    this.releaseTask = out.releaseTask;
    this.registerOutputs({ ...publicOutputs(out), worstCaseBatchSeconds: this.worstCaseBatchSeconds });
  }
}

/** The outputs every long-running kind registers. */
export function publicOutputs(out: ReturnType<typeof createLongRunning>): Record<string, unknown> {
  const { service: _service, ...rest } = out;
  return rest;
}
