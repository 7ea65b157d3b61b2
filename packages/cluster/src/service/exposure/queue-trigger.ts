import {
  type PolicyStatement,
  type QueueRef,
  type Transform,
  transformed,
  type Validator,
} from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ScalingArgs } from "../../service-args.js";
import type { TrackingPolicy } from "../scaling.js";
import { childOpts, type PartScope, type TaskContribution } from "../scope.js";
import { KMS_KEY_ARN } from "../task.js";

/** The SQS queue a worker consumes. */
export interface QueueTriggerArgs {
  /**
   * The queue (`Queue` in `@berth/data` produces it). The task role may consume exactly this queue
   * (receive, delete, change visibility, read attributes; decrypt with its key when it has one), and
   * the main container gets its URL as `QUEUE_URL`.
   * @example queue: orders.ref
   */
  queue: QueueRef;
}

/** Escape hatches of the queue trigger's children. */
export interface QueueTriggerTransforms {
  /** The alarm that wakes a worker scaled to zero (`aws.cloudwatch.MetricAlarm`). */
  wakeUpAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
  /** The step-scaling policy it triggers: +1 task (`aws.appautoscaling.Policy`). */
  wakeUpPolicy?: Transform<aws.appautoscaling.PolicyArgs>;
}

/** The queue trigger with every default applied. */
export interface ResolvedQueueTrigger {
  /** Visible messages per running task to hold; undefined without backlog scaling. */
  backlogPerTask: number | undefined;
  /** Whether the worker may scale to zero (scaling.min is 0): then a wake-up alarm starts the first task. */
  wakeUp: boolean;
}

/**
 * The actions a consumer needs and nothing more: `ReceiveMessage`, `DeleteMessage` (after
 * processing), `ChangeMessageVisibility` (extend or release a message) and `GetQueueAttributes`.
 * CDK's `grantConsumeMessages` adds `GetQueueUrl`; the worker is given the URL, so it is left out.
 */
export const SQS_CONSUME_ACTIONS = [
  "sqs:ChangeMessageVisibility",
  "sqs:DeleteMessage",
  "sqs:GetQueueAttributes",
  "sqs:ReceiveMessage",
] as const;

/** The default target of visible messages per running task. */
export const DEFAULT_BACKLOG_PER_TASK = 10;

const SQS_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

/**
 * Checks the queue (an SQS ARN, a KMS key ARN) and the backlog target. Backlog per task divides
 * the queue's visible messages by Container Insights' `RunningTaskCount`, so it needs Container
 * Insights on the cluster.
 */
export function resolveQueueTrigger(
  v: Validator,
  args: QueueTriggerArgs,
  ctx: { scaling: ScalingArgs | undefined; scalingMin: number | undefined; containerInsights: boolean },
): ResolvedQueueTrigger {
  v.required(
    "queue",
    args.queue,
    "a QueueRef ({ name, arn, url }) is required: the queue the worker consumes",
  );
  v.required("queue.arn", args.queue.arn, "the queue's ARN is required");
  v.required("queue.url", args.queue.url, "the queue's URL is required");
  v.required("queue.name", args.queue.name, "the queue's name is required");
  v.matches(
    "queue.arn",
    args.queue.arn,
    SQS_ARN,
    "must be an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>)",
  );
  v.matches(
    "queue.kmsKeyArn",
    args.queue.kmsKeyArn,
    KMS_KEY_ARN,
    "must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)",
  );
  const s = ctx.scaling;
  if (!s) return { backlogPerTask: undefined, wakeUp: false };
  const backlogPerTask =
    s.backlogPerTask === false ? undefined : (s.backlogPerTask ?? DEFAULT_BACKLOG_PER_TASK);
  v.integer("scaling.backlogPerTask", backlogPerTask, { min: 1, max: 100000 }, " messages");
  v.check(
    backlogPerTask === undefined || ctx.containerInsights,
    "scaling.backlogPerTask",
    backlogPerTask,
    "backlog per task divides the queue's visible messages by ECS/ContainerInsights RunningTaskCount, which only Container Insights publishes " +
      "(the cluster ref says it is off): turn Container Insights on in Cluster, or set scaling.backlogPerTask: false to scale on CPU only",
  );
  return { backlogPerTask, wakeUp: ctx.scalingMin === 0 };
}

/** What the queue adds to the task: `QUEUE_URL` and exactly the consume actions on exactly this queue. */
export function queueContribution(args: QueueTriggerArgs): TaskContribution {
  const statements: PolicyStatement[] = [
    {
      Sid: "ConsumeQueue",
      Effect: "Allow",
      Action: [...SQS_CONSUME_ACTIONS],
      Resource: args.queue.arn as unknown as string,
    },
  ];
  if (args.queue.kmsKeyArn !== undefined) {
    statements.push({
      Sid: "DecryptQueue",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: args.queue.kmsKeyArn as unknown as string,
    });
  }
  return { environment: { QUEUE_URL: args.queue.url }, statements };
}

type Metric =
  aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecificationMetric;

/**
 * The metric math of backlog per task (AWS's recipe in "Create a target tracking scaling policy for
 * Application Auto Scaling using metric math"): visible messages ÷ running tasks. With no task
 * running the expression is the backlog itself, so the value never divides by zero.
 */
export function backlogPerTaskMetrics(queueName: string, clusterName: string, serviceName: string): Metric[] {
  return [
    {
      id: "visible",
      metricStat: {
        metric: {
          namespace: "AWS/SQS",
          metricName: "ApproximateNumberOfMessagesVisible",
          dimensions: [{ name: "QueueName", value: queueName }],
        },
        stat: "Sum",
      },
      returnData: false,
    },
    {
      id: "running",
      metricStat: {
        metric: {
          namespace: "ECS/ContainerInsights",
          metricName: "RunningTaskCount",
          dimensions: [
            { name: "ClusterName", value: clusterName },
            { name: "ServiceName", value: serviceName },
          ],
        },
        stat: "Average",
      },
      returnData: false,
    },
    {
      id: "backlog",
      expression: "IF(running > 0, visible / running, visible)",
      label: "Visible messages per running task",
      returnData: true,
    },
  ];
}

/** The target-tracking policy on backlog per task, for the scaling part. */
export function backlogTracking(
  scope: PartScope,
  args: QueueTriggerArgs,
  r: ResolvedQueueTrigger,
  serviceName: pulumi.Input<string>,
): TrackingPolicy[] {
  if (r.backlogPerTask === undefined) return [];
  return [
    {
      key: "backlog",
      targetValue: r.backlogPerTask,
      customizedMetricSpecification: pulumi
        .all([args.queue.name, scope.cluster.name, serviceName])
        .apply(([queueName, clusterName, svc]) => ({
          metrics: backlogPerTaskMetrics(queueName, clusterName, svc),
        })),
    },
  ];
}

/**
 * The wake-up alarm's queries: 1 while messages are visible and no task runs. Running tasks come
 * from Container Insights when the cluster has it, else from the service's `AWS/ECS`
 * `CPUUtilization` samples, which ECS sends only while the service has a task in the RUNNING state.
 */
export function wakeUpQueries(
  queueName: string,
  clusterName: string,
  serviceName: string,
  containerInsights: boolean,
): aws.types.input.cloudwatch.MetricAlarmMetricQuery[] {
  const ecs = { ClusterName: clusterName, ServiceName: serviceName };
  return [
    {
      id: "visible",
      returnData: false,
      metric: {
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        stat: "Maximum",
        period: 60,
        dimensions: { QueueName: queueName },
      },
    },
    {
      id: "running",
      returnData: false,
      metric: containerInsights
        ? {
            namespace: "ECS/ContainerInsights",
            metricName: "RunningTaskCount",
            stat: "Maximum",
            period: 60,
            dimensions: ecs,
          }
        : {
            namespace: "AWS/ECS",
            metricName: "CPUUtilization",
            stat: "SampleCount",
            period: 60,
            dimensions: ecs,
          },
    },
    {
      id: "idle",
      expression: "IF(FILL(running, 0) == 0 AND FILL(visible, 0) > 0, 1, 0)",
      label: "Messages waiting and no task running",
      returnData: true,
    },
  ];
}

/**
 * Scale from zero. Target tracking computes the new count from the current one, so from zero tasks
 * it has nothing to multiply: an alarm on "messages visible and no task running" triggers a
 * step-scaling policy that adds one task, and target tracking takes over from there.
 */
export function createWakeUp(
  scope: PartScope,
  args: QueueTriggerArgs,
  t: QueueTriggerTransforms,
  ctx: {
    target: aws.appautoscaling.Target;
    serviceName: pulumi.Input<string>;
    topicArn?: pulumi.Input<string>;
  },
): aws.cloudwatch.MetricAlarm {
  const { name, tags } = scope;
  const [pArgs, pOpts] = transformed(
    t.wakeUpPolicy,
    {
      policyType: "StepScaling",
      serviceNamespace: ctx.target.serviceNamespace,
      scalableDimension: ctx.target.scalableDimension,
      resourceId: ctx.target.resourceId,
      stepScalingPolicyConfiguration: {
        adjustmentType: "ChangeInCapacity",
        cooldown: 60,
        metricAggregationType: "Maximum",
        stepAdjustments: [{ metricIntervalLowerBound: "0", scalingAdjustment: 1 }],
      },
    } as aws.appautoscaling.PolicyArgs,
    childOpts(scope, { dependsOn: [ctx.target] }),
  );
  const policy = new aws.appautoscaling.Policy(`${name}-wake-up`, pArgs, pOpts);
  const [aArgs, aOpts] = transformed(
    t.wakeUpAlarm,
    {
      alarmDescription: `${name}: messages are waiting and no task runs; starts one (scale from zero)`,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: "notBreaching",
      metricQueries: pulumi
        .all([args.queue.name, scope.cluster.name, ctx.serviceName])
        .apply(([queueName, clusterName, svc]) =>
          wakeUpQueries(queueName, clusterName, svc, scope.cluster.containerInsights === true),
        ),
      alarmActions: [policy.arn],
      tags,
    } as aws.cloudwatch.MetricAlarmArgs,
    childOpts(scope),
  );
  return new aws.cloudwatch.MetricAlarm(`${name}-wake-up`, aArgs, aOpts);
}

/** Dashboard widgets of the queue: visible messages and the age of the oldest one. */
export function queueWidgets(region: string, queueName: string): Record<string, unknown>[] {
  const q = ["AWS/SQS"];
  return [
    {
      type: "metric",
      x: 0,
      y: 12,
      width: 12,
      height: 6,
      properties: {
        title: "Queue backlog",
        region,
        view: "timeSeries",
        period: 60,
        metrics: [
          [
            ...q,
            "ApproximateNumberOfMessagesVisible",
            "QueueName",
            queueName,
            { stat: "Maximum", label: "visible" },
          ],
        ],
      },
    },
    {
      type: "metric",
      x: 12,
      y: 12,
      width: 12,
      height: 6,
      properties: {
        title: "Oldest message (s)",
        region,
        view: "timeSeries",
        period: 60,
        metrics: [
          [...q, "ApproximateAgeOfOldestMessage", "QueueName", queueName, { stat: "Maximum", label: "age" }],
        ],
      },
    },
  ];
}
