import * as pulumi from "@pulumi/pulumi";
import { ALB_ROUTE_FIELDS } from "../exposure/alb-route.js";
import {
  type ServiceConnectArgs,
  type ServiceConnectTransforms,
  serviceConnectUrl,
} from "../exposure/service-connect.js";
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
import { publicOutputs } from "./web.js";

export const INTERNAL_SERVICE_TYPE = "berth:cluster:InternalService";

/** The port an internal service listens on (and publishes) unless told otherwise. */
export const INTERNAL_DEFAULT_PORT = 8080;

/** The children of an internal service, one key each. */
export type InternalServiceTransforms = LongRunningTransforms & ServiceConnectTransforms;

/** An internal service: task + placement + Service Connect (server) + rollout + scaling + observability. */
export type InternalServiceArgs = LongRunningArgs &
  ServiceConnectArgs & {
    /** Escape hatch: change any child's args before it is created. */
    transform?: InternalServiceTransforms;
  };

/**
 * A service other services call inside the cluster, never from the internet: ECS Service Connect
 * publishes it as `http://<name>:<port>` in the cluster's Cloud Map namespace, and its security
 * group admits exactly the `callers`' security groups on exactly that port (never the whole VPC).
 * Rolling deployments with circuit breaker, autoscaling on CPU or memory, alarms, a dashboard.
 *
 * @example
 * const orders = new InternalService("orders", {
 *   cluster: cluster.ref, network: network.ref,
 *   image: release.value,
 *   callers: [web.securityGroupId],
 * });
 * // web calls http://orders:8080 (WebService with calls: ["orders"])
 */
export class InternalService extends pulumi.ComponentResource {
  readonly serviceName: pulumi.Output<string>;
  readonly serviceArn: pulumi.Output<string>;
  /** Where other services in the namespace call it: `http://<name>:<port>`. */
  readonly url: pulumi.Output<string>;
  readonly taskDefinitionArn: pulumi.Output<string>;
  readonly taskRoleArn: pulumi.Output<string>;
  readonly executionRoleArn: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  /** The tasks' security group. */
  readonly securityGroupId: pulumi.Output<string>;
  readonly alarmNames: pulumi.Output<string[]>;
  readonly dashboardName: pulumi.Output<string | undefined>;
  /** The release task definition, with `release`. */
  readonly releaseTaskDefinitionArn: pulumi.Output<string | undefined>;
  /** What a deploy step needs to `aws ecs run-task` the release task, with `release`. */
  readonly releaseTask: pulumi.Output<ReleaseTaskRun | undefined>;
  /** Worst-case seconds of one rolling replacement batch (see `worstCaseBatchSeconds`). */
  readonly worstCaseBatchSeconds: number;

  constructor(name: string, args: InternalServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    const v = checkKindBase(INTERNAL_SERVICE_TYPE, name, args);
    rejectFields(
      v,
      args,
      ["loadBalancer", ...ALB_ROUTE_FIELDS],
      "applies to kind web (an internal service has no load balancer route)",
    );
    rejectFields(v, args, ["queue"], "applies to kind worker");
    const exposure: Exposure = { connect: { args, server: true }, defaultPort: INTERNAL_DEFAULT_PORT };
    const plan = resolveLongRunning(v, name, args, exposure, `InternalService '${name}'`);
    super(INTERNAL_SERVICE_TYPE, name, {}, opts);
    this.worstCaseBatchSeconds = plan.worstCaseBatchSeconds;
    const out = createLongRunning(this, name, args, exposure, plan, args.transform ?? {});
    this.serviceName = out.serviceName;
    this.serviceArn = out.serviceArn;
    this.url = serviceConnectUrl(name, plan.task.port!);
    this.taskDefinitionArn = out.taskDefinitionArn;
    this.taskRoleArn = out.taskRoleArn;
    this.executionRoleArn = out.executionRoleArn;
    this.logGroupName = out.logGroupName;
    this.securityGroupId = out.securityGroupId;
    this.alarmNames = out.alarmNames;
    this.dashboardName = out.dashboardName;
    this.releaseTaskDefinitionArn = out.releaseTaskDefinitionArn;
    this.releaseTask = out.releaseTask;
    this.registerOutputs({
      ...publicOutputs(out),
      url: this.url,
      worstCaseBatchSeconds: this.worstCaseBatchSeconds,
    });
  }
}
