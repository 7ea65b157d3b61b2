import { type Transform, transformed, type Validator } from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ServiceAlarmArgs, TracingArgs } from "../service-args.js";
import { ADOT_XRAY_CONFIG, XRAY_STATEMENT } from "./iam.js";
import { belowDesiredQueries, dashboardBody, http5xxRateQueries, unhealthyTargetQueries } from "./metrics.js";
import { childOpts, type PartScope, type TaskContribution } from "./scope.js";
import { CONTAINER_OVERHEAD_BYTES, checkImage, jsonBytes } from "./task.js";

/** Alarms, dashboard and tracing. */
export interface ObservabilityArgs {
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
}

/** Escape hatches of the observability's children. */
export interface ObservabilityTransforms {
  /** Each CloudWatch alarm (`aws.cloudwatch.MetricAlarm`). */
  alarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
  /** The CloudWatch dashboard (`aws.cloudwatch.Dashboard`). */
  dashboard?: Transform<aws.cloudwatch.DashboardArgs>;
}

/** The collector sidecar's container name. */
export const TRACING_CONTAINER = "aws-otel-collector";
export const DEFAULT_TRACING_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3";

/** The observability with every default applied. */
export interface ResolvedObservability {
  alarms: { http5xxPercent: number; cpuPercent: number; memoryPercent: number } | undefined;
  tracing: { image: pulumi.Input<string>; cpu: number; memory: number } | undefined;
  dashboard: boolean;
  topicArn: pulumi.Input<string> | undefined;
}

/** Checks the alarm thresholds and the tracing collector, and applies the defaults. */
export function resolveObservability(
  v: Validator,
  args: ObservabilityArgs,
  ctx: { allowMutableImageTag: boolean },
): ResolvedObservability {
  let alarms: ResolvedObservability["alarms"];
  if (args.alarms !== false) {
    const a = args.alarms ?? {};
    alarms = {
      http5xxPercent: a.http5xxPercent ?? 5,
      cpuPercent: a.cpuPercent ?? 85,
      memoryPercent: a.memoryPercent ?? 85,
    };
    v.number("alarms.http5xxPercent", alarms.http5xxPercent, { min: 0.1, max: 100 }, " percent");
    v.number("alarms.cpuPercent", alarms.cpuPercent, { min: 1, max: 100 }, " percent");
    v.number("alarms.memoryPercent", alarms.memoryPercent, { min: 1, max: 100 }, " percent");
  }
  let tracing: ResolvedObservability["tracing"];
  if (args.tracing) {
    const t = args.tracing === true ? {} : args.tracing;
    tracing = { image: t.image ?? DEFAULT_TRACING_IMAGE, cpu: t.cpu ?? 64, memory: t.memory ?? 128 };
    if (t.image !== undefined) checkImage(v, "tracing.image", t.image, ctx.allowMutableImageTag);
    v.integer("tracing.cpu", tracing.cpu, { min: 0, max: 16384 });
    v.integer("tracing.memory", tracing.memory, { min: 6, max: 122880 }, " MiB");
  }
  return {
    alarms,
    tracing,
    dashboard: args.dashboard !== false,
    topicArn: alarms && args.alarms ? args.alarms.topicArn : undefined,
  };
}

/**
 * What tracing adds to the task, known before the observability settings are checked (the task
 * counts the collector among its containers and bytes).
 */
export function tracingContribution(
  args: ObservabilityArgs,
  r?: ResolvedObservability,
  serviceName?: string,
): TaskContribution {
  if (!args.tracing) return {};
  const tracing = r?.tracing;
  return {
    containerNames: [TRACING_CONTAINER],
    bytes: CONTAINER_OVERHEAD_BYTES + jsonBytes(ADOT_XRAY_CONFIG),
    statements: [XRAY_STATEMENT],
    environment: {
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://localhost:4318",
      ...(serviceName ? { OTEL_SERVICE_NAME: serviceName } : {}),
    },
    dependsOn: [{ containerName: TRACING_CONTAINER, condition: "START" }],
    containers: tracing
      ? [
          (shared) => ({
            name: TRACING_CONTAINER,
            image: tracing.image,
            essential: false,
            cpu: tracing.cpu,
            memoryReservation: tracing.memory,
            environment: [{ name: "AOT_CONFIG_CONTENT", value: ADOT_XRAY_CONFIG }],
            healthCheck: {
              command: ["CMD", "/healthcheck"],
              interval: 10,
              timeout: 5,
              retries: 3,
              startPeriod: 5,
            },
            stopTimeout: shared.stopTimeout,
            readonlyRootFilesystem: true,
            mountPoints: shared.mountPoints,
            logConfiguration: shared.logConfiguration(TRACING_CONTAINER),
          }),
        ]
      : [],
  };
}

/**
 * The component's alarms: each notifies `alarms.topicArn` (when given) on ALARM and OK, treats
 * missing data as not breaching unless told otherwise, and is listed in `alarmNames`.
 */
export class Alarms {
  readonly created: aws.cloudwatch.MetricAlarm[] = [];
  constructor(
    readonly scope: PartScope,
    private readonly r: ResolvedObservability,
    private readonly t: ObservabilityTransforms,
  ) {}

  add(alarmName: string, a: aws.cloudwatch.MetricAlarmArgs): aws.cloudwatch.MetricAlarm {
    const topic = this.r.topicArn;
    const [aArgs, aOpts] = transformed(
      this.t.alarm,
      {
        ...a,
        treatMissingData: a.treatMissingData ?? "notBreaching",
        alarmActions: topic ? [topic] : [],
        okActions: topic ? [topic] : [],
        tags: this.scope.tags,
      } as aws.cloudwatch.MetricAlarmArgs,
      childOpts(this.scope),
    );
    const created = new aws.cloudwatch.MetricAlarm(alarmName, aArgs, aOpts);
    this.created.push(created);
    return created;
  }

  get names(): pulumi.Output<string[]> {
    return pulumi.all(this.created.map((a) => a.name));
  }
}

/** The 5xx-rate and unhealthy-target alarms of a load-balanced service; returns them (they may roll back). */
export function createRouteAlarms(
  alarms: Alarms,
  r: ResolvedObservability,
  ctx: { lbSuffix: pulumi.Input<string>; targetGroupSuffixes: pulumi.Input<string>[] },
): aws.cloudwatch.MetricAlarm[] {
  if (!r.alarms) return [];
  const name = alarms.scope.name;
  const suffixes = pulumi.all([ctx.lbSuffix, pulumi.all(ctx.targetGroupSuffixes)]);
  const http5xx = alarms.add(`${name}-5xx`, {
    alarmDescription: `${name}: more than ${r.alarms.http5xxPercent}% of requests answered 5xx`,
    comparisonOperator: "GreaterThanThreshold",
    threshold: r.alarms.http5xxPercent,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    metricQueries: suffixes.apply(([lbSuffix, tgs]) => http5xxRateQueries(lbSuffix, tgs)),
  });
  const unhealthy = alarms.add(`${name}-unhealthy`, {
    alarmDescription: `${name}: the load balancer reports unhealthy targets`,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
    threshold: 1,
    evaluationPeriods: 2,
    datapointsToAlarm: 2,
    metricQueries: suffixes.apply(([lbSuffix, tgs]) => unhealthyTargetQueries(lbSuffix, tgs)),
  });
  return [http5xx, unhealthy];
}

/**
 * High CPU and memory alarms on the ECS service, and (with Container Insights, whose metrics they
 * read) running below desired.
 */
export function createServiceAlarms(
  alarms: Alarms,
  r: ResolvedObservability,
  ctx: { clusterName: pulumi.Input<string>; serviceName: pulumi.Input<string>; containerInsights: boolean },
): void {
  if (!r.alarms) return;
  const name = alarms.scope.name;
  const ecsDims = { ClusterName: ctx.clusterName, ServiceName: ctx.serviceName };
  for (const [key, metricName, threshold] of [
    ["cpu", "CPUUtilization", r.alarms.cpuPercent],
    ["memory", "MemoryUtilization", r.alarms.memoryPercent],
  ] as const) {
    alarms.add(`${name}-${key}`, {
      alarmDescription: `${name}: average ${key} above ${threshold}% for 3 minutes`,
      namespace: "AWS/ECS",
      metricName,
      dimensions: ecsDims,
      statistic: "Average",
      period: 60,
      evaluationPeriods: 3,
      comparisonOperator: "GreaterThanThreshold",
      threshold,
    });
  }
  // RunningTaskCount and DesiredTaskCount exist only with Container Insights: without it the
  // alarm could never fire, so it is not created.
  if (ctx.containerInsights)
    alarms.add(`${name}-below-desired`, {
      alarmDescription: `${name}: fewer tasks running than desired for 5 minutes (needs Container Insights)`,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      evaluationPeriods: 5,
      datapointsToAlarm: 5,
      metricQueries: pulumi
        .all([ctx.clusterName, ctx.serviceName])
        .apply(([clusterName, serviceName]) => belowDesiredQueries(clusterName, serviceName)),
    });
}

/** The service's dashboard, named `<project>-<stack>-<name>` (characters CloudWatch refuses become `-`). */
export function createDashboard(
  scope: PartScope,
  r: ResolvedObservability,
  t: ObservabilityTransforms,
  ctx: {
    serviceName: pulumi.Input<string>;
    lbSuffix?: pulumi.Input<string>;
    targetGroupSuffixes: pulumi.Input<string>[];
    extraWidgets?: pulumi.Input<Record<string, unknown>[]>;
  },
): pulumi.Output<string | undefined> {
  if (!r.dashboard) return pulumi.output(undefined);
  const body = pulumi
    .all([
      scope.arn,
      scope.cluster.name,
      ctx.serviceName,
      ctx.lbSuffix ?? "",
      pulumi.all(ctx.targetGroupSuffixes),
      ctx.extraWidgets ?? [],
    ])
    .apply(([p, clusterName, serviceName, lbSuffix, tgs, extra]) => {
      const b = dashboardBody({
        region: p.region,
        clusterName,
        serviceName,
        ...(lbSuffix ? { loadBalancer: lbSuffix } : {}),
        targetGroups: tgs,
        containerInsights: scope.cluster.containerInsights === true,
      });
      return JSON.stringify(extra.length > 0 ? { widgets: [...b.widgets, ...extra] } : b);
    });
  const [dbArgs, dbOpts] = transformed(
    t.dashboard,
    {
      dashboardName: dashboardName(scope.name),
      dashboardBody: body,
    } as aws.cloudwatch.DashboardArgs,
    childOpts(scope),
  );
  return new aws.cloudwatch.Dashboard(`${scope.name}-dashboard`, dbArgs, dbOpts).dashboardName;
}

/** `<project>-<stack>-<name>` with the characters CloudWatch refuses in dashboard names replaced by `-`. */
export function dashboardName(name: string): string {
  return `${pulumi.getProject()}-${pulumi.getStack()}-${name}`.replace(/[^A-Za-z0-9_-]/g, "-");
}
