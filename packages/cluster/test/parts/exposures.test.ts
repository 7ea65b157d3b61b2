import { describe, expect, it } from "vitest";
import {
  type AlbRouteArgs,
  backlogPerTaskMetrics,
  queueContribution,
  resolveAlbRoute,
  resolveQueueTrigger,
  resolveSchedule,
  resolveServiceConnect,
  type ScheduleArgs,
  SQS_CONSUME_ACTIONS,
  schedulerPolicy,
  serviceConnectContribution,
} from "../../src/index.js";
import { queue, scCluster } from "../kinds/fixtures.js";
import { cluster, loadBalancer } from "../service-fixtures.js";
import { rejects, validator } from "./helpers.js";

describe("alb-route part", () => {
  const route = (extra: Partial<AlbRouteArgs> = {}): AlbRouteArgs => ({
    loadBalancer,
    rule: { priority: 1, paths: ["/*"] },
    ...extra,
  });
  it("defaults: /health every 10 s, 2 to pass, 3 to fail, 200-299; 15 s deregistration, no slow start", () => {
    expect(resolveAlbRoute(validator(), route())).toEqual({
      healthCheck: {
        path: "/health",
        interval: 10,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
        matcher: "200-299",
      },
      deregistrationDelay: 15,
      slowStart: 0,
    });
    expect(
      resolveAlbRoute(
        validator(),
        route({ rule: { priority: 1, hosts: ["a.example.com"] }, dns: { zoneId: "Z1" } }),
      ).dnsName,
    ).toBe("a.example.com");
  });
  it.each<[string, Partial<AlbRouteArgs>, RegExp, string]>([
    ["no rule", { rule: undefined as never }, /rule is undefined/, "rule"],
    [
      "a timeout not below the interval",
      { healthCheck: { interval: 5, timeout: 5 } },
      /healthCheck\.timeout is 5; must be less than interval \(5\)/,
      "healthCheck.timeout",
    ],
    [
      "slow start of 10 s",
      { slowStartSeconds: 10 },
      /slowStartSeconds is 10; must be 0 \(off\) or from 30 to 900 seconds/,
      "slowStartSeconds",
    ],
  ])("rejects %s", (_t, extra, message, field) => {
    expect(rejects((v) => resolveAlbRoute(v, route(extra)), message).field).toBe(field);
  });
});

describe("service-connect part", () => {
  it("server mode names the port mapping; client mode only with calls", () => {
    const server = resolveServiceConnect(
      validator(),
      "orders",
      { callers: [] },
      { server: true, cluster: scCluster },
    );
    expect(server).toEqual({ server: true, calls: [], callers: [], appProtocol: "http" });
    expect(serviceConnectContribution("orders", server)).toEqual({
      portMapping: { name: "orders", appProtocol: "http" },
    });
    expect(resolveServiceConnect(validator(), "web", {}, { server: false, cluster })).toBeUndefined();
    const client = resolveServiceConnect(
      validator(),
      "web",
      { calls: ["orders"] },
      { server: false, cluster: scCluster },
    );
    expect(serviceConnectContribution("web", client)).toEqual({});
  });
  it("rejects a caller given as a CIDR: never the whole VPC", () => {
    const err = rejects(
      (v) =>
        resolveServiceConnect(v, "orders", { callers: ["10.0.0.0/8"] }, { server: true, cluster: scCluster }),
      /callers\[0\] is "10\.0\.0\.0\/8"; a security group id/,
    );
    expect(err.field).toBe("callers[0]");
  });
});

describe("queue-trigger part", () => {
  it("contributes QUEUE_URL and exactly the consume actions on exactly the queue", () => {
    expect(queueContribution({ queue })).toEqual({
      environment: { QUEUE_URL: queue.url },
      statements: [
        { Sid: "ConsumeQueue", Effect: "Allow", Action: [...SQS_CONSUME_ACTIONS], Resource: queue.arn },
      ],
    });
  });
  it("backlog per task divides by running tasks and falls back to the backlog at zero tasks", () => {
    expect(backlogPerTaskMetrics("q", "c", "s").at(-1)).toEqual({
      id: "backlog",
      expression: "IF(running > 0, visible / running, visible)",
      label: "Visible messages per running task",
      returnData: true,
    });
  });
  it("wakes from zero only when scaling.min is 0", () => {
    const on = resolveQueueTrigger(
      validator(),
      { queue },
      { scaling: { min: 0, max: 3 }, scalingMin: 0, containerInsights: true },
    );
    expect(on).toEqual({ backlogPerTask: 10, wakeUp: true });
    expect(
      resolveQueueTrigger(
        validator(),
        { queue },
        { scaling: undefined, scalingMin: undefined, containerInsights: false },
      ),
    ).toEqual({
      backlogPerTask: undefined,
      wakeUp: false,
    });
  });
});

describe("schedule part", () => {
  it("defaults: UTC, no window, 2 retries for an hour, 60 minutes, ENABLED", () => {
    expect(resolveSchedule(validator(), { schedule: "rate(1 hour)" })).toEqual({
      expression: "rate(1 hour)",
      timezone: "UTC",
      flexibleWindowMinutes: undefined,
      retries: 2,
      maxEventAgeSeconds: 3600,
      timeoutMinutes: 60,
      state: "ENABLED",
    });
  });
  it.each<[string, ScheduleArgs]>([
    ["cron", { schedule: "cron(15 10 ? * 6L 2026)" }],
    ["rate", { schedule: "rate(5 minutes)" }],
    ["at", { schedule: "at(2026-12-31T23:59:00)", timezone: "America/New_York" }],
  ])("accepts %s", (_t, args) => {
    expect(resolveSchedule(validator(), args).expression).toBe(args.schedule);
  });
  it("rejects rate(0 minutes)", () => {
    expect(
      rejects((v) => resolveSchedule(v, { schedule: "rate(0 minutes)" }), /schedule is "rate\(0 minutes\)"/)
        .field,
    ).toBe("schedule");
  });
  it("the scheduler policy: RunTask on the family in the cluster, PassRole of the two roles to ECS tasks, SendMessage to the DLQ", () => {
    expect(
      schedulerPolicy({
        taskDefinitionFamilyArn: "arn:aws:ecs:us-east-1:1:task-definition/f",
        clusterArn: "C",
        roleArns: ["T", "E"],
        deadLetterQueueArn: "Q",
      }),
    ).toEqual([
      {
        Sid: "RunTask",
        Effect: "Allow",
        Action: "ecs:RunTask",
        Resource: "arn:aws:ecs:us-east-1:1:task-definition/f:*",
        Condition: { ArnEquals: { "ecs:cluster": "C" } },
      },
      {
        Sid: "PassTaskRoles",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: ["T", "E"],
        Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      },
      { Sid: "DeadLetters", Effect: "Allow", Action: "sqs:SendMessage", Resource: "Q" },
    ]);
  });
});
