import { checkTags, type LinkGrant, mergeTags } from "@berth/core";
import * as pulumi from "@pulumi/pulumi";
import { ALB_ROUTE_FIELDS } from "../exposure/alb-route.js";
import {
  createSchedule,
  type ResolvedSchedule,
  resolveSchedule,
  type ScheduleArgs,
  type ScheduleTransforms,
  scheduleContribution,
} from "../exposure/schedule.js";
import { createLinkIngress, type LinkTransforms, linkContribution, resolveLinks } from "../links.js";
import {
  Alarms,
  type ObservabilityArgs,
  type ObservabilityTransforms,
  type ResolvedObservability,
  resolveObservability,
  tracingContribution,
} from "../observability.js";
import {
  createPlacement,
  type PlacementArgs,
  type PlacementTransforms,
  type ResolvedPlacement,
  resolvePlacement,
  resolveSubnets,
} from "../placement.js";
import { partScope, type TaskContribution } from "../scope.js";
import {
  createTask,
  type ResolvedTask,
  resolveTask,
  resolveTaskLogs,
  type TaskArgs,
  type TaskTransforms,
} from "../task.js";
import { checkKindBase, type KindBaseArgs, rejectFields } from "./compose.js";

export const SCHEDULED_JOB_TYPE = "berth:cluster:ScheduledJob";

/** The children of a scheduled job, one key each. */
export type ScheduledJobTransforms = Omit<TaskTransforms, "releaseTaskDefinition"> &
  LinkTransforms &
  PlacementTransforms &
  ScheduleTransforms &
  Pick<ObservabilityTransforms, "alarm">;

/** A scheduled job: task + placement + schedule + observability (alarms, tracing), no ECS service. */
export type ScheduledJobArgs = KindBaseArgs &
  TaskArgs &
  PlacementArgs &
  ScheduleArgs &
  Pick<ObservabilityArgs, "alarms" | "tracing"> & {
    /** Escape hatch: change any child's args before it is created. */
    transform?: ScheduledJobTransforms;
  };

/** Fields of the long-running kinds a job does not have (it has no ECS service). */
const SERVICE_ONLY = [
  "desiredCount",
  "scaling",
  "deployment",
  "release",
  "dashboard",
  "queue",
  "callers",
  "appProtocol",
];

/**
 * A task EventBridge Scheduler runs on a schedule (cron, rate or one-off), with no ECS service:
 * Fargate in the private subnets by default, the task's own security group (no ingress; `links`
 * open paths from it to the linked resources, as for the services), retries,
 * a dead-letter queue for invocations that still fail (SQS-managed encryption, kept 14 days), a
 * role Scheduler assumes that may run exactly this task definition family in this cluster and pass
 * exactly the task's two roles, and alarms on failed invocations and dead letters.
 *
 * ECS has no run-time limit for a standalone task: `timeoutMinutes` reaches the app as
 * `BERTH_TIMEOUT_SECONDS`, and the job must exit when it runs out of time.
 *
 * @example
 * const nightly = new ScheduledJob("nightly", {
 *   cluster: cluster.ref, network: network.ref,
 *   image: release.value,
 *   command: ["node", "dist/nightly.js"],
 *   schedule: "cron(0 3 * * ? *)", timezone: "Europe/Berlin",
 *   timeoutMinutes: 30,
 * });
 */
export class ScheduledJob extends pulumi.ComponentResource {
  readonly taskDefinitionArn: pulumi.Output<string>;
  readonly taskRoleArn: pulumi.Output<string>;
  readonly executionRoleArn: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  /** The tasks' security group (no ingress). */
  readonly securityGroupId: pulumi.Output<string>;
  readonly scheduleArn: pulumi.Output<string>;
  readonly scheduleGroupName: pulumi.Output<string>;
  /** The role EventBridge Scheduler runs the task with. */
  readonly schedulerRoleArn: pulumi.Output<string>;
  /** Failed invocations land here after the retries. */
  readonly deadLetterQueueUrl: pulumi.Output<string>;
  readonly deadLetterQueueArn: pulumi.Output<string>;
  readonly alarmNames: pulumi.Output<string[]>;

  constructor(name: string, args: ScheduledJobArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = resolveJob(name, args);
    super(SCHEDULED_JOB_TYPE, name, {}, opts);
    const t = args.transform ?? {};
    const scope = partScope(this, name, args.cluster, mergeTags(args.tags));
    if (args.allowMutableImageTag) {
      pulumi.log.warn(
        `${name}: allowMutableImageTag is on, so image tags are accepted; runs are not reproducible. Use digests outside throwaway dev stacks.`,
        this,
      );
    }
    const contributions: TaskContribution[] = [
      tracingContribution(args, r.observability, name),
      scheduleContribution(r.schedule),
      linkContribution(r.links),
    ];
    const task = createTask(scope, args, r.task, r.placement, t, contributions);
    const placement = createPlacement(
      scope,
      args,
      r.placement,
      args.network,
      t,
      `Tasks of the ${name} job (no ingress)`,
    );
    // Links: each linked resource admits the job's security group on its port.
    const linkIngress = createLinkIngress(scope, r.links, placement.securityGroup.id, t);
    const schedule = createSchedule(scope, r.schedule, t, {
      task,
      placement,
      resolvedPlacement: r.placement,
      dependsOn: linkIngress,
    });

    const alarms = new Alarms(scope, r.observability, t);
    if (r.observability.alarms) {
      alarms.add(`${name}-failed`, {
        alarmDescription: `${name}: EventBridge Scheduler could not start the job (target errors or dropped invocations)`,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        evaluationPeriods: 1,
        metricQueries: schedule.group.name.apply((group) => [
          {
            id: "errors",
            returnData: false,
            metric: {
              namespace: "AWS/Scheduler",
              metricName: "TargetErrorCount",
              stat: "Sum",
              period: 300,
              dimensions: { ScheduleGroup: group },
            },
          },
          {
            id: "dropped",
            returnData: false,
            metric: {
              namespace: "AWS/Scheduler",
              metricName: "InvocationDroppedCount",
              stat: "Sum",
              period: 300,
              dimensions: { ScheduleGroup: group },
            },
          },
          {
            id: "failed",
            expression: "FILL(errors, 0) + FILL(dropped, 0)",
            label: "Failed invocations",
            returnData: true,
          },
        ]),
      });
      alarms.add(`${name}-dead-letters`, {
        alarmDescription: `${name}: invocations that failed after every retry are waiting in the dead-letter queue`,
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: schedule.deadLetterQueue.name },
        statistic: "Maximum",
        period: 300,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
      });
    }

    this.taskDefinitionArn = task.taskDefinition.arn;
    this.taskRoleArn = task.taskRole.arn;
    this.executionRoleArn = task.executionRole.arn;
    this.logGroupName = task.logGroup.name;
    this.securityGroupId = placement.securityGroup.id;
    this.scheduleArn = schedule.schedule.arn;
    this.scheduleGroupName = schedule.group.name;
    this.schedulerRoleArn = schedule.role.arn;
    this.deadLetterQueueUrl = schedule.deadLetterQueue.url;
    this.deadLetterQueueArn = schedule.deadLetterQueue.arn;
    this.alarmNames = alarms.names;
    this.registerOutputs({
      taskDefinitionArn: this.taskDefinitionArn,
      taskRoleArn: this.taskRoleArn,
      executionRoleArn: this.executionRoleArn,
      logGroupName: this.logGroupName,
      securityGroupId: this.securityGroupId,
      scheduleArn: this.scheduleArn,
      scheduleGroupName: this.scheduleGroupName,
      schedulerRoleArn: this.schedulerRoleArn,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
      deadLetterQueueArn: this.deadLetterQueueArn,
      alarmNames: this.alarmNames,
    });
  }
}

interface ResolvedJob {
  placement: ResolvedPlacement;
  task: ResolvedTask;
  links: LinkGrant;
  schedule: ResolvedSchedule;
  observability: ResolvedObservability;
}

/** Checks every part of a job, with the job's own rules: no port or route, no service settings, no `calls`. */
function resolveJob(name: string, args: ScheduledJobArgs): ResolvedJob {
  const v = checkKindBase(SCHEDULED_JOB_TYPE, name, args);
  rejectFields(
    v,
    args,
    ["loadBalancer", "port", ...ALB_ROUTE_FIELDS],
    "applies to kind web: a job takes no inbound traffic",
  );
  rejectFields(
    v,
    args,
    SERVICE_ONLY,
    "applies to the kinds with an ECS service (web, internal, worker); a job is one task per run",
  );
  rejectFields(
    v,
    args,
    ["calls"],
    "Service Connect works only for tasks an ECS service starts, so a job cannot use calls; give it the service's URL another way",
  );
  const a = args.alarms;
  if (a) {
    for (const f of ["http5xxPercent", "cpuPercent", "memoryPercent"] as const) {
      v.check(
        a[f] === undefined,
        `alarms.${f}`,
        a[f],
        "applies to the kinds with an ECS service; a job's alarms are failed invocations and dead letters",
      );
    }
  }
  const placement = resolvePlacement(v, args);
  const schedule = resolveSchedule(v, args);
  if (args.environment && "BERTH_TIMEOUT_SECONDS" in args.environment) {
    v.fail(
      "environment.BERTH_TIMEOUT_SECONDS",
      "BERTH_TIMEOUT_SECONDS",
      "a job gets BERTH_TIMEOUT_SECONDS from timeoutMinutes; set that instead",
    );
  }
  const contributions = [tracingContribution(args), scheduleContribution(schedule)];
  const links = resolveLinks(v, args.links, {
    environment: args.environment,
    secrets: args.secrets,
    contributions,
    scratchPath: args.scratchPath ?? "/tmp",
  });
  const task = resolveTask(v, args, {
    placement,
    cluster: args.cluster,
    defaultPort: undefined,
    contributions: [...contributions, linkContribution(links)],
  });
  checkTags(v, "tags", args.tags);
  const withLogs = resolveTaskLogs(v, args, task);
  resolveSubnets(v, placement);
  const observability = resolveObservability(
    v,
    { ...args, dashboard: false },
    {
      allowMutableImageTag: args.allowMutableImageTag === true,
    },
  );
  return { placement, task: withLogs, links, schedule, observability };
}
