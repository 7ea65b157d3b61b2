import * as pulumi from "@pulumi/pulumi";
import { ALB_ROUTE_FIELDS } from "../exposure/alb-route.js";
import type { QueueTriggerArgs, QueueTriggerTransforms } from "../exposure/queue-trigger.js";
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
import { publicOutputs } from "./web.js";

export const WORKER_SERVICE_TYPE = "berth:cluster:WorkerService";

/** The children of a worker, one key each. */
export type WorkerServiceTransforms = LongRunningTransforms & QueueTriggerTransforms;

/** A worker: task + placement + queue trigger + rollout + scaling + observability. */
export type WorkerServiceArgs = LongRunningArgs &
  QueueTriggerArgs &
  Pick<ServiceConnectArgs, "calls"> & {
    /** Escape hatch: change any child's args before it is created. */
    transform?: WorkerServiceTransforms;
  };

/**
 * A service that consumes an SQS queue and takes no inbound traffic at all (its security group
 * has no ingress rule). The task role may consume exactly its queue; the app reads `QUEUE_URL`.
 * With `scaling`, it holds `scaling.backlogPerTask` visible messages per running task (target
 * tracking on metric math, AWS's "backlog per task" recipe; needs Container Insights), and with
 * `scaling.min: 0` it scales to zero: an alarm on "messages waiting, no task running" starts the
 * first task, since target tracking cannot scale out from zero.
 *
 * @example
 * const mailer = new WorkerService("mailer", {
 *   cluster: cluster.ref, network: network.ref,
 *   image: release.value,
 *   queue: mailQueue.ref,
 *   desiredCount: 0,
 *   scaling: { min: 0, max: 10, backlogPerTask: 20, cpuTarget: false },
 * });
 */
export class WorkerService extends pulumi.ComponentResource {
  readonly serviceName: pulumi.Output<string>;
  readonly serviceArn: pulumi.Output<string>;
  readonly taskDefinitionArn: pulumi.Output<string>;
  readonly taskRoleArn: pulumi.Output<string>;
  readonly executionRoleArn: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  /** The tasks' security group (no ingress): give it to internal services' `callers` and to data resources. */
  readonly securityGroupId: pulumi.Output<string>;
  readonly alarmNames: pulumi.Output<string[]>;
  readonly dashboardName: pulumi.Output<string | undefined>;
  /** The release task definition, with `release`. */
  readonly releaseTaskDefinitionArn: pulumi.Output<string | undefined>;
  /** What a deploy step needs to `aws ecs run-task` the release task, with `release`. */
  readonly releaseTask: pulumi.Output<ReleaseTaskRun | undefined>;
  /** Worst-case seconds of one rolling replacement batch (see `worstCaseBatchSeconds`). */
  readonly worstCaseBatchSeconds: number;

  constructor(name: string, args: WorkerServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    const v = checkKindBase(WORKER_SERVICE_TYPE, name, args);
    rejectFields(
      v,
      args,
      ["loadBalancer", "port", ...ALB_ROUTE_FIELDS],
      "applies to kind web: a worker takes no inbound traffic (use kind internal for a service others call)",
    );
    rejectFields(
      v,
      args,
      ["callers", "appProtocol"],
      "applies to kind internal (the services published through Service Connect)",
    );
    const exposure: Exposure = {
      queue: args,
      ...(args.calls ? { connect: { args: { calls: args.calls }, server: false } } : {}),
    };
    const plan = resolveLongRunning(v, name, args, exposure, `WorkerService '${name}'`);
    super(WORKER_SERVICE_TYPE, name, {}, opts);
    this.worstCaseBatchSeconds = plan.worstCaseBatchSeconds;
    const out = createLongRunning(this, name, args, exposure, plan, args.transform ?? {});
    this.serviceName = out.serviceName;
    this.serviceArn = out.serviceArn;
    this.taskDefinitionArn = out.taskDefinitionArn;
    this.taskRoleArn = out.taskRoleArn;
    this.executionRoleArn = out.executionRoleArn;
    this.logGroupName = out.logGroupName;
    this.securityGroupId = out.securityGroupId;
    this.alarmNames = out.alarmNames;
    this.dashboardName = out.dashboardName;
    this.releaseTaskDefinitionArn = out.releaseTaskDefinitionArn;
    this.releaseTask = out.releaseTask;
    this.registerOutputs({ ...publicOutputs(out), worstCaseBatchSeconds: this.worstCaseBatchSeconds });
  }
}
