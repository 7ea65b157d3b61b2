import {
  type PolicyStatement,
  policyDocument,
  type Transform,
  transformed,
  type Validator,
} from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { capacityFragment, type PlacementPart, type ResolvedPlacement } from "../placement.js";
import { childOpts, type PartScope, type TaskContribution, trustFor } from "../scope.js";
import type { TaskPart } from "../task.js";

/** When and how EventBridge Scheduler runs a job's task. */
export interface ScheduleArgs {
  /**
   * When the job runs, in EventBridge Scheduler's syntax: `cron(minutes hours day-of-month month
   * day-of-week year)`, `rate(<n> minute|minutes|hour|hours|day|days)` or a one-off
   * `at(yyyy-mm-ddThh:mm:ss)`.
   * @example schedule: "cron(0 3 * * ? *)"
   */
  schedule: string;
  /**
   * IANA time zone the cron or at expression is read in (daylight saving time included).
   * @default "UTC"
   * @example timezone: "Europe/Berlin"
   */
  timezone?: string;
  /**
   * Let Scheduler start the run anywhere within this many minutes after the scheduled time (1 to
   * 1440), which spreads load; unset runs at the time.
   * @default off
   * @example flexibleWindowMinutes: 15
   */
  flexibleWindowMinutes?: number;
  /**
   * Retries of a failed invocation (RunTask refused: no capacity, throttling), 0 to 185. After the
   * last one, the event goes to the job's dead-letter queue.
   * @default 2
   * @example retries: 5
   */
  retries?: number;
  /**
   * Seconds Scheduler keeps trying one invocation (60 to 86400).
   * @default 3600
   * @example maxEventAgeSeconds: 600
   */
  maxEventAgeSeconds?: number;
  /**
   * Minutes a run may take (1 to 10080). ECS stops no standalone task by itself, so Berth passes this
   * to the app as `BERTH_TIMEOUT_SECONDS`: the job must exit (non-zero) when it runs out of time.
   * @default 60
   * @example timeoutMinutes: 15
   */
  timeoutMinutes?: number;
  /**
   * Whether the schedule runs (`false` keeps it, `DISABLED`).
   * @default true
   * @example enabled: false
   */
  enabled?: boolean;
}

/** Escape hatches of the schedule's children. */
export interface ScheduleTransforms {
  /** The job's schedule group, so its metrics are its own (`aws.scheduler.ScheduleGroup`). */
  scheduleGroup?: Transform<aws.scheduler.ScheduleGroupArgs>;
  /** The schedule (`aws.scheduler.Schedule`). */
  schedule?: Transform<aws.scheduler.ScheduleArgs>;
  /** The role Scheduler assumes to run the task (`aws.iam.Role`). */
  schedulerRole?: Transform<aws.iam.RoleArgs>;
  /** Its inline policy (`aws.iam.RolePolicy`). */
  schedulerRolePolicy?: Transform<aws.iam.RolePolicyArgs>;
  /** The dead-letter queue of failed invocations (`aws.sqs.Queue`). */
  deadLetterQueue?: Transform<aws.sqs.QueueArgs>;
}

/** The schedule with every default applied. */
export interface ResolvedSchedule {
  expression: string;
  timezone: string;
  flexibleWindowMinutes: number | undefined;
  retries: number;
  maxEventAgeSeconds: number;
  timeoutMinutes: number;
  state: "ENABLED" | "DISABLED";
}

const CRON = /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/;
const RATE = /^rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)$/;
const AT = /^at\(\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\)$/;

/** The time zones Node knows (IANA), plus `UTC`. */
function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return ["UTC", ...(intl.supportedValuesOf?.("timeZone") ?? [])];
}

/** Seconds SQS keeps a message at most: 14 days (SQS's maximum `MessageRetentionPeriod`). */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 60 * 60;

/** Checks the expression (cron with six fields, rate, at), the time zone, window, retries and timeout. */
export function resolveSchedule(v: Validator, args: ScheduleArgs): ResolvedSchedule {
  v.required("schedule", args.schedule, 'a schedule expression is required, e.g. "cron(0 3 * * ? *)"');
  v.check(
    typeof args.schedule === "string" &&
      (CRON.test(args.schedule) || RATE.test(args.schedule) || AT.test(args.schedule)),
    "schedule",
    args.schedule,
    "an EventBridge Scheduler expression: cron(minutes hours day-of-month month day-of-week year), rate(1 minute|<n> minutes|hours|days) or at(yyyy-mm-ddThh:mm:ss)",
  );
  const timezone = args.timezone ?? "UTC";
  const zones = timeZones();
  v.check(zones.includes(timezone), "timezone", timezone, "an IANA time zone such as UTC or Europe/Berlin");
  v.integer("flexibleWindowMinutes", args.flexibleWindowMinutes, { min: 1, max: 1440 }, " minutes");
  const retries = args.retries ?? 2;
  v.integer("retries", retries, { min: 0, max: 185 });
  const maxEventAgeSeconds = args.maxEventAgeSeconds ?? 3600;
  v.integer("maxEventAgeSeconds", maxEventAgeSeconds, { min: 60, max: 86400 }, " seconds");
  const timeoutMinutes = args.timeoutMinutes ?? 60;
  v.integer("timeoutMinutes", timeoutMinutes, { min: 1, max: 10080 }, " minutes");
  return {
    expression: args.schedule,
    timezone,
    flexibleWindowMinutes: args.flexibleWindowMinutes,
    retries,
    maxEventAgeSeconds,
    timeoutMinutes,
    state: args.enabled === false ? "DISABLED" : "ENABLED",
  };
}

/** What the schedule adds to the task: the run-time budget as `BERTH_TIMEOUT_SECONDS`. */
export function scheduleContribution(r: ResolvedSchedule): TaskContribution {
  return { environment: { BERTH_TIMEOUT_SECONDS: String(r.timeoutMinutes * 60) } };
}

/**
 * The scheduler role's policy: `ecs:RunTask` on exactly the task definition family (any revision)
 * in exactly this cluster, `iam:PassRole` of exactly the task's two roles to ECS tasks, and
 * `sqs:SendMessage` to exactly the job's dead-letter queue.
 */
export function schedulerPolicy(input: {
  taskDefinitionFamilyArn: string;
  clusterArn: string;
  roleArns: string[];
  deadLetterQueueArn: string;
}): PolicyStatement[] {
  return [
    {
      Sid: "RunTask",
      Effect: "Allow",
      Action: "ecs:RunTask",
      Resource: `${input.taskDefinitionFamilyArn}:*`,
      Condition: { ArnEquals: { "ecs:cluster": input.clusterArn } },
    },
    {
      Sid: "PassTaskRoles",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: input.roleArns,
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    },
    { Sid: "DeadLetters", Effect: "Allow", Action: "sqs:SendMessage", Resource: input.deadLetterQueueArn },
  ];
}

/** The schedule's resources. */
export interface SchedulePart {
  group: aws.scheduler.ScheduleGroup;
  schedule: aws.scheduler.Schedule;
  role: aws.iam.Role;
  deadLetterQueue: aws.sqs.Queue;
}

/**
 * Creates the dead-letter queue (SQS-managed encryption, 14 days), the role Scheduler assumes
 * (trusted by `scheduler.amazonaws.com` in the cluster's account only), the job's schedule group
 * and the schedule: an ECS RunTask target on Fargate (or the placement's capacity), in the
 * placement's subnets with the task's security group.
 */
export function createSchedule(
  scope: PartScope,
  r: ResolvedSchedule,
  t: ScheduleTransforms,
  ctx: {
    task: TaskPart;
    placement: PlacementPart;
    resolvedPlacement: ResolvedPlacement;
    /** What must exist before the first run (the links' ingress rules). */
    dependsOn?: pulumi.Resource[];
  },
): SchedulePart {
  const { name, tags, cluster } = scope;
  const [qArgs, qOpts] = transformed(
    t.deadLetterQueue,
    {
      messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
      sqsManagedSseEnabled: true,
      tags,
    } as aws.sqs.QueueArgs,
    childOpts(scope),
  );
  const deadLetterQueue = new aws.sqs.Queue(`${name}-dlq`, qArgs, qOpts);

  const [rArgs, rOpts] = transformed(
    t.schedulerRole,
    {
      assumeRolePolicy: trustFor(scope, "scheduler.amazonaws.com"),
      description: `EventBridge Scheduler runs the ${name} job`,
      tags,
    } as aws.iam.RoleArgs,
    childOpts(scope),
  );
  const role = new aws.iam.Role(`${name}-scheduler-role`, rArgs, rOpts);
  const familyArn = pulumi
    .all([scope.arn, ctx.task.taskDefinition.family])
    .apply(([p, family]) => `arn:${p.partition}:ecs:${p.region}:${p.account}:task-definition/${family}`);
  const [pArgs, pOpts] = transformed(
    t.schedulerRolePolicy,
    {
      role: role.name,
      policy: pulumi
        .all([familyArn, cluster.arn, ctx.task.taskRole.arn, ctx.task.executionRole.arn, deadLetterQueue.arn])
        .apply(([family, clusterArn, taskRole, executionRole, dlq]) =>
          JSON.stringify(
            policyDocument(
              schedulerPolicy({
                taskDefinitionFamilyArn: family,
                clusterArn,
                roleArns: [taskRole, executionRole],
                deadLetterQueueArn: dlq,
              }),
            ),
          ),
        ),
    } as aws.iam.RolePolicyArgs,
    childOpts(scope),
  );
  const policy = new aws.iam.RolePolicy(`${name}-scheduler-policy`, pArgs, pOpts);

  const [gArgs, gOpts] = transformed(
    t.scheduleGroup,
    { tags } as aws.scheduler.ScheduleGroupArgs,
    childOpts(scope),
  );
  const group = new aws.scheduler.ScheduleGroup(`${name}-group`, gArgs, gOpts);

  // Scheduler gives a task a public IP only with launch type FARGATE (AwsVpcConfiguration:
  // "You can specify ENABLED only when LaunchType in EcsParameters is set to FARGATE").
  const capacity = ctx.placement.assignPublicIp
    ? { launchType: "FARGATE" }
    : capacityFragment(ctx.resolvedPlacement, cluster);
  const [sArgs, sOpts] = transformed(
    t.schedule,
    {
      groupName: group.name,
      description: `Runs the ${name} job`,
      scheduleExpression: r.expression,
      scheduleExpressionTimezone: r.timezone,
      flexibleTimeWindow:
        r.flexibleWindowMinutes !== undefined
          ? { mode: "FLEXIBLE", maximumWindowInMinutes: r.flexibleWindowMinutes }
          : { mode: "OFF" },
      state: r.state,
      target: {
        arn: cluster.arn,
        roleArn: role.arn,
        ecsParameters: {
          taskDefinitionArn: ctx.task.taskDefinition.arn,
          taskCount: 1,
          ...capacity,
          networkConfiguration: {
            subnets: ctx.placement.subnets,
            securityGroups: ctx.placement.securityGroups,
            assignPublicIp: ctx.placement.assignPublicIp,
          },
        },
        retryPolicy: { maximumRetryAttempts: r.retries, maximumEventAgeInSeconds: r.maxEventAgeSeconds },
        deadLetterConfig: { arn: deadLetterQueue.arn },
      },
    } as aws.scheduler.ScheduleArgs,
    childOpts(scope, { dependsOn: [policy, ...ctx.task.policies, ...(ctx.dependsOn ?? [])] }),
  );
  const schedule = new aws.scheduler.Schedule(`${name}-schedule`, sArgs, sOpts);
  return { group, schedule, role, deadLetterQueue };
}
