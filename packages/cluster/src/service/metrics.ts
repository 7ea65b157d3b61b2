import type * as aws from "@pulumi/aws";

/** Identifiers the CloudWatch metrics of one service are keyed by (all plain, resolved values). */
export interface MetricKeys {
  region: string;
  clusterName: string;
  serviceName: string;
  /** `app/<name>/<id>` of the load balancer, when the service has one. */
  loadBalancer?: string;
  /** `targetgroup/<name>/<id>` of each target group (two with blue/green strategies). */
  targetGroups: string[];
  /**
   * Whether the cluster has Container Insights: the running/desired tasks widget reads its metrics
   * and is left out without them (it would stay empty).
   * @default true
   * @example containerInsights: false
   */
  containerInsights?: boolean;
}

type MetricQuery = aws.types.input.cloudwatch.MetricAlarmMetricQuery;

/** One per-minute metric of a query, read by the expressions (not returned). */
function metricQuery(
  id: string,
  namespace: string,
  metricName: string,
  stat: string,
  dimensions: Record<string, string>,
): MetricQuery {
  return { id, returnData: false, metric: { namespace, metricName, stat, period: 60, dimensions } };
}

function tgMetric(id: string, metricName: string, stat: string, lb: string, tg: string): MetricQuery {
  return metricQuery(id, "AWS/ApplicationELB", metricName, stat, { LoadBalancer: lb, TargetGroup: tg });
}

/** The sum of the queries' values, a missing data point counting as 0. */
function fillSum(queries: MetricQuery[]): string {
  return queries.map((q) => `FILL(${q.id}, 0)`).join(" + ");
}

/**
 * The 5xx rate over all of the service's target groups, in percent of requests; 0 while a minute has
 * 10 requests or fewer, so one failed request on an idle service does not page anyone.
 */
export function http5xxRateQueries(lb: string, targetGroups: string[]): MetricQuery[] {
  const errors = targetGroups.map((tg, i) => tgMetric(`e${i}`, "HTTPCode_Target_5XX_Count", "Sum", lb, tg));
  const requests = targetGroups.map((tg, i) => tgMetric(`r${i}`, "RequestCount", "Sum", lb, tg));
  return [
    ...errors,
    ...requests,
    { id: "errors", expression: fillSum(errors), returnData: false },
    { id: "requests", expression: fillSum(requests), returnData: false },
    {
      id: "rate",
      expression: "IF(requests > 10, 100 * errors / requests, 0)",
      label: "5xx %",
      returnData: true,
    },
  ];
}

/** Unhealthy targets summed over the service's target groups. */
export function unhealthyTargetQueries(lb: string, targetGroups: string[]): MetricQuery[] {
  const hosts = targetGroups.map((tg, i) => tgMetric(`u${i}`, "UnHealthyHostCount", "Maximum", lb, tg));
  return [
    ...hosts,
    {
      id: "unhealthy",
      expression: fillSum(hosts),
      label: "Unhealthy targets",
      returnData: true,
    },
  ];
}

/** Desired minus running tasks (Container Insights metrics). */
export function belowDesiredQueries(clusterName: string, serviceName: string): MetricQuery[] {
  const metric = (id: string, metricName: string): MetricQuery =>
    metricQuery(id, "ECS/ContainerInsights", metricName, "Average", {
      ClusterName: clusterName,
      ServiceName: serviceName,
    });
  return [
    metric("running", "RunningTaskCount"),
    metric("desired", "DesiredTaskCount"),
    { id: "missing", expression: "desired - running", label: "Tasks below desired", returnData: true },
  ];
}

type Metric = (string | Record<string, unknown>)[];

function widget(
  title: string,
  metrics: Metric[],
  region: string,
  x: number,
  y: number,
  extra: Record<string, unknown> = {},
) {
  return {
    type: "metric",
    x,
    y,
    width: 8,
    height: 6,
    properties: { title, region, metrics, view: "timeSeries", stacked: false, period: 60, ...extra },
  };
}

/**
 * The dashboard of one service as a plain JSON object: requests, p50/p99 latency and 5xx per target
 * group (load balanced services), CPU and memory utilisation, running and desired tasks (with
 * Container Insights).
 */
export function dashboardBody(k: MetricKeys): { widgets: Record<string, unknown>[] } {
  const ecs = ["ClusterName", k.clusterName, "ServiceName", k.serviceName];
  /** Average and maximum of an ECS utilisation metric, on a 0–100 % axis. */
  const utilisation = (what: string, metricName: string, x: number) =>
    widget(
      `${what} utilisation (%)`,
      [
        ["AWS/ECS", metricName, ...ecs, { stat: "Average", label: "average" }],
        ["AWS/ECS", metricName, ...ecs, { stat: "Maximum", label: "maximum" }],
      ],
      k.region,
      x,
      y,
      { yAxis: { left: { min: 0, max: 100 } } },
    );
  const widgets: Record<string, unknown>[] = [];
  let y = 0;
  if (k.loadBalancer) {
    const lb = k.loadBalancer;
    const per = (metricName: string, stat: string, label: string): Metric[] =>
      k.targetGroups.map((tg) => [
        "AWS/ApplicationELB",
        metricName,
        "LoadBalancer",
        lb,
        "TargetGroup",
        tg,
        { stat, label: `${label} ${tg.split("/")[1]}` },
      ]);
    widgets.push(
      widget("Requests", per("RequestCount", "Sum", "requests"), k.region, 0, y),
      widget(
        "Latency p50 / p99 (s)",
        [...per("TargetResponseTime", "p50", "p50"), ...per("TargetResponseTime", "p99", "p99")],
        k.region,
        8,
        y,
      ),
      widget("5xx responses", per("HTTPCode_Target_5XX_Count", "Sum", "5xx"), k.region, 16, y),
    );
    y += 6;
  }
  widgets.push(utilisation("CPU", "CPUUtilization", 0), utilisation("Memory", "MemoryUtilization", 8));
  if (k.containerInsights === false) return { widgets };
  widgets.push(
    widget(
      "Tasks",
      [
        ["ECS/ContainerInsights", "RunningTaskCount", ...ecs, { stat: "Average", label: "running" }],
        ["ECS/ContainerInsights", "DesiredTaskCount", ...ecs, { stat: "Average", label: "desired" }],
      ],
      k.region,
      16,
      y,
    ),
  );
  return { widgets };
}
