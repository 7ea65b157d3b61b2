import { expectInvalid, runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { WebService, WorkerService, type WorkerServiceArgs } from "../../src/index.js";
import {
  ALARM,
  containers,
  env,
  IMAGE,
  INGRESS,
  loadBalancer,
  network,
  POLICY,
  plainCluster,
  queue,
  SVC,
  scCluster,
  statements,
} from "./fixtures.js";

const worker = (extra: Partial<WorkerServiceArgs> = {}): WorkerServiceArgs => ({
  cluster: scCluster,
  network,
  image: IMAGE,
  queue,
  ...extra,
});

const CONSUME = [
  "sqs:ChangeMessageVisibility",
  "sqs:DeleteMessage",
  "sqs:GetQueueAttributes",
  "sqs:ReceiveMessage",
];

describe("WorkerService", () => {
  it("takes no inbound traffic, gets QUEUE_URL and may consume exactly its queue and nothing else", async () => {
    const run = await runComponent(() => {
      new WorkerService("mailer", worker());
    });
    expect(run.one("berth:cluster:WorkerService").name).toBe("mailer");
    expect(run.ofType(INGRESS)).toEqual([]);
    expect(run.one("aws:ec2/securityGroup:SecurityGroup").inputs.description).toBe(
      "Tasks of mailer (no ingress)",
    );
    expect(run.ofType("aws:lb/targetGroup:TargetGroup")).toEqual([]);

    // The task role: these actions on this ARN, nothing else.
    expect(statements(run, "mailer-task-policy")).toEqual([
      { Sid: "ConsumeQueue", Effect: "Allow", Action: CONSUME, Resource: queue.arn },
    ]);
    const [app] = containers(run);
    expect(env(app!).QUEUE_URL).toBe(queue.url);
    expect(app!.portMappings).toEqual([]);
    const service = run.one(SVC);
    expect(service.inputs.loadBalancers).toBeUndefined();
    expect(service.inputs.serviceConnectConfiguration).toBeUndefined();
    expect(service.inputs.desiredCount).toBe(2);
  });

  it("decrypts with exactly the queue's KMS key when it has one", async () => {
    const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const run = await runComponent(() => {
      new WorkerService("mailer", worker({ queue: { ...queue, kmsKeyArn: key } }));
    });
    expect(statements(run, "mailer-task-policy")).toEqual([
      { Sid: "ConsumeQueue", Effect: "Allow", Action: CONSUME, Resource: queue.arn },
      { Sid: "DecryptQueue", Effect: "Allow", Action: "kms:Decrypt", Resource: key },
    ]);
  });

  it("scales on backlog per task: visible messages ÷ running tasks (Container Insights), never dividing by zero", async () => {
    const run = await runComponent(() => {
      new WorkerService(
        "mailer",
        worker({ desiredCount: 1, scaling: { min: 1, max: 20, backlogPerTask: 50, cpuTarget: false } }),
      );
    });
    const policies = run.ofType(POLICY);
    expect(policies.map((p) => p.name)).toEqual(["mailer-scale-backlog"]);
    const config = policies[0]!.inputs.targetTrackingScalingPolicyConfiguration as Record<string, unknown>;
    expect(config.targetValue).toBe(50);
    expect(config.customizedMetricSpecification).toEqual({
      metrics: [
        {
          id: "visible",
          metricStat: {
            metric: {
              namespace: "AWS/SQS",
              metricName: "ApproximateNumberOfMessagesVisible",
              dimensions: [{ name: "QueueName", value: "orders" }],
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
                { name: "ClusterName", value: "platform-dev" },
                { name: "ServiceName", value: run.one(SVC).outputs.name },
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
      ],
    });
    // Scaling from zero is off while min is above 0.
    expect(run.ofType(ALARM).filter((a) => a.name === "mailer-wake-up")).toEqual([]);
  });

  it("defaults to 10 messages per task and keeps CPU tracking", async () => {
    const run = await runComponent(() => {
      new WorkerService("mailer", worker({ scaling: { max: 4 } }));
    });
    const byName = Object.fromEntries(run.ofType(POLICY).map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(["mailer-scale-backlog", "mailer-scale-cpu"]);
    expect(
      (
        byName["mailer-scale-backlog"]!.inputs.targetTrackingScalingPolicyConfiguration as {
          targetValue: number;
        }
      ).targetValue,
    ).toBe(10);
  });

  it("scales to zero: an alarm on 'messages waiting, no task running' adds one task through a step policy", async () => {
    const run = await runComponent(() => {
      new WorkerService(
        "mailer",
        worker({ desiredCount: 0, scaling: { min: 0, max: 10, cpuTarget: false } }),
      );
    });
    const target = run.one("aws:appautoscaling/target:Target");
    expect(target.inputs.minCapacity).toBe(0);
    const wake = run.one(POLICY, "mailer-wake-up");
    expect(wake.inputs.policyType).toBe("StepScaling");
    expect(wake.inputs.stepScalingPolicyConfiguration).toEqual({
      adjustmentType: "ChangeInCapacity",
      cooldown: 60,
      metricAggregationType: "Maximum",
      stepAdjustments: [{ metricIntervalLowerBound: "0", scalingAdjustment: 1 }],
    });
    const alarm = run.one(ALARM, "mailer-wake-up");
    expect(alarm.inputs.alarmActions).toEqual([wake.outputs.arn]);
    expect(alarm.inputs.threshold).toBe(1);
    expect(alarm.inputs.comparisonOperator).toBe("GreaterThanOrEqualToThreshold");
    const queries = alarm.inputs.metricQueries as {
      id: string;
      expression?: string;
      metric?: Record<string, unknown>;
    }[];
    expect(queries.map((q) => q.id)).toEqual(["visible", "running", "idle"]);
    expect(queries[1]!.metric).toMatchObject({
      namespace: "ECS/ContainerInsights",
      metricName: "RunningTaskCount",
    });
    expect(queries[2]!.expression).toBe("IF(FILL(running, 0) == 0 AND FILL(visible, 0) > 0, 1, 0)");
    expect(run.one(SVC).inputs.desiredCount).toBe(0);
  });

  it("without Container Insights, wakes on the service's CPU samples (sent only while a task runs) and scales on CPU", async () => {
    const run = await runComponent(() => {
      new WorkerService(
        "mailer",
        worker({
          cluster: plainCluster,
          desiredCount: 0,
          scaling: { min: 0, max: 3, backlogPerTask: false },
        }),
      );
    });
    const queries = run.one(ALARM, "mailer-wake-up").inputs.metricQueries as {
      metric?: Record<string, unknown>;
    }[];
    expect(queries[1]!.metric).toMatchObject({
      namespace: "AWS/ECS",
      metricName: "CPUUtilization",
      stat: "SampleCount",
    });
    expect(
      run
        .ofType(POLICY)
        .map((p) => p.name)
        .sort(),
    ).toEqual(["mailer-scale-cpu", "mailer-wake-up"]);
  });

  it("shows the queue on its dashboard", async () => {
    const run = await runComponent(() => {
      new WorkerService("mailer", worker());
    });
    const body = run.json(run.one("aws:cloudwatch/dashboard:Dashboard"), "dashboardBody") as {
      widgets: { properties: { title: string } }[];
    };
    expect(body.widgets.map((w) => w.properties.title)).toEqual(
      expect.arrayContaining(["Queue backlog", "Oldest message (s)"]),
    );
  });

  it.each<[string, Record<string, unknown>, RegExp, string]>([
    [
      "a port",
      { port: 8080 },
      /port is 8080; applies to kind web: a worker takes no inbound traffic/,
      "port",
    ],
    ["a load balancer", { loadBalancer }, /loadBalancer is .*applies to kind web/, "loadBalancer"],
    ["a rule (http)", { rule: { priority: 1, paths: ["/*"] } }, /rule is .*applies to kind web/, "rule"],
    [
      "a route health check",
      { healthCheck: { path: "/health" } },
      /healthCheck is .*applies to kind web/,
      "healthCheck",
    ],
    ["callers", { callers: ["sg-0123456789abcdef0"] }, /callers is .*applies to kind internal/, "callers"],
    ["no queue", { queue: undefined }, /queue is undefined; a QueueRef/, "queue"],
    [
      "a queue ARN of another service",
      { queue: { ...queue, arn: "arn:aws:sns:us-east-1:123456789012:orders" } },
      /queue\.arn is "arn:aws:sns:.*must be an SQS queue ARN/,
      "queue.arn",
    ],
    [
      "a KMS alias",
      { queue: { ...queue, kmsKeyArn: "alias/orders" } },
      /queue\.kmsKeyArn is "alias\/orders"; must be a KMS key ARN/,
      "queue.kmsKeyArn",
    ],
    [
      "backlog scaling without Container Insights",
      { cluster: plainCluster, scaling: { max: 3 } },
      /scaling\.backlogPerTask is 10; backlog per task divides .* RunningTaskCount, which only Container Insights publishes/,
      "scaling.backlogPerTask",
    ],
    [
      "a backlog of 0",
      { scaling: { max: 3, backlogPerTask: 0 } },
      /scaling\.backlogPerTask is 0; must be a whole number from 1 to 100000 messages/,
      "scaling.backlogPerTask",
    ],
    [
      "QUEUE_URL by hand",
      { environment: { QUEUE_URL: "x" } },
      /environment\.QUEUE_URL is "QUEUE_URL"; a worker gets QUEUE_URL from its queue/,
      "environment.QUEUE_URL",
    ],
    [
      "canary",
      { deployment: { strategy: "CANARY" } },
      /deployment\.strategy is "CANARY"; CANARY shifts load balancer traffic/,
      "deployment.strategy",
    ],
    [
      "requests per target",
      { scaling: { max: 3, requestsPerTarget: 10 } },
      /scaling\.requestsPerTarget is 10; needs a loadBalancer/,
      "scaling.requestsPerTarget",
    ],
  ])("rejects %s before anything exists", async (_title, extra, message, field) => {
    const err = await expectInvalid(
      () => new WorkerService("mailer", { ...worker(), ...extra } as WorkerServiceArgs),
      message,
    );
    expect(err.field).toBe(field);
    expect(err.message).toMatch(/^berth:cluster:WorkerService 'mailer': /);
  });

  it("a web service rejects backlogPerTask: it applies to kind worker", async () => {
    const err = await expectInvalid(
      () =>
        new WebService("web", {
          cluster: scCluster,
          network,
          loadBalancer,
          image: IMAGE,
          rule: { priority: 200, hosts: ["w.example.com"] },
          scaling: { max: 3, backlogPerTask: 5 },
        }),
      /scaling\.backlogPerTask is 5; applies to kind worker/,
    );
    expect(err.field).toBe("scaling.backlogPerTask");
  });
});
