import { expectInvalid, runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { ScheduledJob, type ScheduledJobArgs } from "../../src/index.js";
import {
  ALARM,
  cluster,
  containers,
  env,
  IMAGE,
  INGRESS,
  network,
  type Statement,
  SVC,
  statements,
} from "./fixtures.js";

const job = (extra: Partial<ScheduledJobArgs> = {}): ScheduledJobArgs => ({
  cluster,
  network,
  image: IMAGE,
  command: ["node", "nightly.js"],
  schedule: "cron(0 3 * * ? *)",
  ...extra,
});

const SCHEDULE = "aws:scheduler/schedule:Schedule";

describe("ScheduledJob", () => {
  it("runs the task on Fargate in the private subnets with its own security group, through EventBridge Scheduler", async () => {
    const run = await runComponent(() => {
      new ScheduledJob("nightly", job({ timezone: "Europe/Berlin", flexibleWindowMinutes: 15 }));
    });
    expect(run.one("berth:cluster:ScheduledJob").name).toBe("nightly");
    expect(run.ofType(SVC)).toEqual([]);
    expect(run.ofType(INGRESS)).toEqual([]);
    const sg = run.one("aws:ec2/securityGroup:SecurityGroup");
    const td = run.one("aws:ecs/taskDefinition:TaskDefinition");
    const dlq = run.one("aws:sqs/queue:Queue");
    const role = run.one("aws:iam/role:Role", "nightly-scheduler-role");
    const group = run.one("aws:scheduler/scheduleGroup:ScheduleGroup");
    const s = run.one(SCHEDULE);
    expect(s.inputs).toMatchObject({
      groupName: group.outputs.name,
      scheduleExpression: "cron(0 3 * * ? *)",
      scheduleExpressionTimezone: "Europe/Berlin",
      flexibleTimeWindow: { mode: "FLEXIBLE", maximumWindowInMinutes: 15 },
      state: "ENABLED",
    });
    expect(s.inputs.target).toEqual({
      arn: cluster.arn,
      roleArn: role.outputs.arn,
      ecsParameters: {
        taskDefinitionArn: td.outputs.arn,
        taskCount: 1,
        launchType: "FARGATE",
        networkConfiguration: {
          subnets: ["subnet-priv1", "subnet-priv2"],
          securityGroups: [sg.id],
          assignPublicIp: false,
        },
      },
      retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
      deadLetterConfig: { arn: dlq.outputs.arn },
    });
    // The dead-letter queue the job owns: encrypted, 14 days.
    expect(dlq.inputs).toMatchObject({ messageRetentionSeconds: 1209600, sqsManagedSseEnabled: true });
    // The app's run-time budget.
    expect(env(containers(run)[0]!).BERTH_TIMEOUT_SECONDS).toBe("3600");
    expect(containers(run)[0]!.command).toEqual(["node", "nightly.js"]);
  });

  it("lets Scheduler run exactly this family in this cluster and pass exactly the task's two roles; trust pinned to the account", async () => {
    const run = await runComponent(() => {
      new ScheduledJob("nightly", job());
    });
    const role = run.one("aws:iam/role:Role", "nightly-scheduler-role");
    expect((run.json(role, "assumeRolePolicy") as { Statement: Statement[] }).Statement).toEqual([
      {
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Principal: { Service: "scheduler.amazonaws.com" },
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
      },
    ]);
    const taskRole = run.one("aws:iam/role:Role", "nightly-task-role");
    const executionRole = run.one("aws:iam/role:Role", "nightly-execution-role");
    const dlq = run.one("aws:sqs/queue:Queue");
    expect(statements(run, "nightly-scheduler-policy")).toEqual([
      {
        Sid: "RunTask",
        Effect: "Allow",
        Action: "ecs:RunTask",
        Resource: "arn:aws:ecs:us-east-1:123456789012:task-definition/platform-dev-nightly:*",
        Condition: { ArnEquals: { "ecs:cluster": cluster.arn } },
      },
      {
        Sid: "PassTaskRoles",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: [taskRole.outputs.arn, executionRole.outputs.arn],
        Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      },
      { Sid: "DeadLetters", Effect: "Allow", Action: "sqs:SendMessage", Resource: dlq.outputs.arn },
    ]);
    expect(run.one("aws:ecs/taskDefinition:TaskDefinition").inputs.family).toBe("platform-dev-nightly");
  });

  it("alarms on failed invocations (AWS/Scheduler, its own schedule group) and on dead letters", async () => {
    const topicArn = "arn:aws:sns:us-east-1:123456789012:alerts";
    const run = await runComponent(() => {
      new ScheduledJob("nightly", job({ alarms: { topicArn } }));
    });
    const group = run.one("aws:scheduler/scheduleGroup:ScheduleGroup");
    const failed = run.one(ALARM, "nightly-failed");
    const queries = failed.inputs.metricQueries as {
      id: string;
      metric?: { metricName: string; dimensions: unknown };
    }[];
    expect(queries.map((q) => q.metric?.metricName ?? q.id)).toEqual([
      "TargetErrorCount",
      "InvocationDroppedCount",
      "failed",
    ]);
    expect(queries[0]!.metric!.dimensions).toEqual({ ScheduleGroup: group.outputs.name });
    expect(failed.inputs.alarmActions).toEqual([topicArn]);
    const dead = run.one(ALARM, "nightly-dead-letters");
    expect(dead.inputs).toMatchObject({
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      threshold: 1,
    });
    expect(run.ofType(ALARM)).toHaveLength(2);
  });

  it("runs on a capacity provider strategy in private subnets (Spot here), with no public IP", async () => {
    const run = await runComponent(() => {
      new ScheduledJob("cleanup", job({ capacity: "FARGATE_SPOT" }));
    });
    const ecs = (run.one(SCHEDULE).inputs.target as { ecsParameters: Record<string, unknown> }).ecsParameters;
    expect(ecs.capacityProviderStrategies).toEqual([{ capacityProvider: "FARGATE_SPOT", weight: 1 }]);
    expect(ecs.launchType).toBeUndefined();
    expect(ecs.networkConfiguration).toMatchObject({ assignPublicIp: false });
  });

  it("follows the placement: public subnets get a public IP and launch type FARGATE (Scheduler's rule); rate, DISABLED, own timeout", async () => {
    const run = await runComponent(() => {
      new ScheduledJob(
        "cleanup",
        job({
          subnets: "public",
          capacity: "FARGATE_SPOT",
          schedule: "rate(15 minutes)",
          enabled: false,
          timeoutMinutes: 5,
          retries: 0,
        }),
      );
    });
    const s = run.one(SCHEDULE);
    const ecs = (s.inputs.target as { ecsParameters: Record<string, unknown> }).ecsParameters;
    // Scheduler: "You can specify ENABLED only when LaunchType in EcsParameters is set to FARGATE".
    expect(ecs.launchType).toBe("FARGATE");
    expect(ecs.capacityProviderStrategies).toBeUndefined();
    expect(ecs.networkConfiguration).toMatchObject({
      subnets: ["subnet-pub1", "subnet-pub2"],
      assignPublicIp: true,
    });
    expect(s.inputs.state).toBe("DISABLED");
    expect(s.inputs.flexibleTimeWindow).toEqual({ mode: "OFF" });
    expect((s.inputs.target as { retryPolicy: unknown }).retryPolicy).toEqual({
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: 3600,
    });
    expect(env(containers(run)[0]!).BERTH_TIMEOUT_SECONDS).toBe("300");
  });

  it.each<[string, Record<string, unknown>, RegExp, string]>([
    [
      "no schedule",
      { schedule: undefined },
      /schedule is undefined; a schedule expression is required/,
      "schedule",
    ],
    [
      "a five-field cron",
      { schedule: "cron(0 3 * * *)" },
      /schedule is "cron\(0 3 \* \* \*\)"; an EventBridge Scheduler expression: cron\(minutes hours day-of-month month day-of-week year\)/,
      "schedule",
    ],
    ["rate(1 minutes)", { schedule: "rate(1 minutes)" }, /schedule is "rate\(1 minutes\)"/, "schedule"],
    [
      "a malformed at",
      { schedule: "at(2026-13-01T00:00:00)" },
      /schedule is "at\(2026-13-01T00:00:00\)"/,
      "schedule",
    ],
    [
      "an unknown time zone",
      { timezone: "Mars/Olympus" },
      /timezone is "Mars\/Olympus"; an IANA time zone/,
      "timezone",
    ],
    [
      "a window of 0",
      { flexibleWindowMinutes: 0 },
      /flexibleWindowMinutes is 0; must be a whole number from 1 to 1440 minutes/,
      "flexibleWindowMinutes",
    ],
    ["186 retries", { retries: 186 }, /retries is 186; must be a whole number from 0 to 185/, "retries"],
    [
      "an event age of 30 s",
      { maxEventAgeSeconds: 30 },
      /maxEventAgeSeconds is 30; must be a whole number from 60 to 86400 seconds/,
      "maxEventAgeSeconds",
    ],
    [
      "a timeout of 0",
      { timeoutMinutes: 0 },
      /timeoutMinutes is 0; must be a whole number from 1 to 10080 minutes/,
      "timeoutMinutes",
    ],
    ["a port", { port: 8080 }, /port is 8080; applies to kind web: a job takes no inbound traffic/, "port"],
    [
      "a desired count",
      { desiredCount: 2 },
      /desiredCount is 2; applies to the kinds with an ECS service/,
      "desiredCount",
    ],
    ["scaling", { scaling: { max: 2 } }, /scaling is .*applies to the kinds with an ECS service/, "scaling"],
    [
      "a release task",
      { release: { command: ["x"] } },
      /release is .*applies to the kinds with an ECS service/,
      "release",
    ],
    [
      "a dashboard",
      { dashboard: true },
      /dashboard is true; applies to the kinds with an ECS service/,
      "dashboard",
    ],
    [
      "calls",
      { calls: ["orders"] },
      /calls is \["orders"\]; Service Connect works only for tasks an ECS service starts/,
      "calls",
    ],
    [
      "a CPU alarm threshold",
      { alarms: { cpuPercent: 90 } },
      /alarms\.cpuPercent is 90; applies to the kinds with an ECS service/,
      "alarms.cpuPercent",
    ],
    [
      "BERTH_TIMEOUT_SECONDS by hand",
      { environment: { BERTH_TIMEOUT_SECONDS: "5" } },
      /environment\.BERTH_TIMEOUT_SECONDS is .*set that instead/,
      "environment.BERTH_TIMEOUT_SECONDS",
    ],
    [
      "a Fargate size that does not exist",
      { cpu: 256, memory: 4096 },
      /memory is 4096; with cpu 256, Fargate accepts memory 512, 1024, 2048/,
      "memory",
    ],
  ])("rejects %s before anything exists", async (_title, extra, message, field) => {
    const err = await expectInvalid(
      () => new ScheduledJob("nightly", { ...job(), ...extra } as ScheduledJobArgs),
      message,
    );
    expect(err.field).toBe(field);
    expect(err.message).toMatch(/^berth:cluster:ScheduledJob 'nightly': /);
  });
});
