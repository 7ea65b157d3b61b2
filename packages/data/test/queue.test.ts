import { mergeGrants } from "@berth/core";
import { expectInvalid, runComponent } from "@berth/testing";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { QUEUE_ACTIONS, Queue, type QueueArgs } from "../src/index.js";

const Q = "aws:sqs/queue:Queue";

function resolve<T>(value: pulumi.Input<T>): Promise<T> {
  return new Promise((ok) => pulumi.output(value).apply((v) => ok(v as T)));
}

describe("Queue defaults", () => {
  it("creates a queue and a dead-letter queue: SSE-SQS, long polling, redrive after 3 receives, DLQ kept 14 days", async () => {
    const run = await runComponent(() => new Queue("jobs"));
    const queue = run.named("jobs-queue", Q);
    const dlq = run.named("jobs-dlq", Q);
    expect(queue.inputs).toMatchObject({
      sqsManagedSseEnabled: true,
      visibilityTimeoutSeconds: 30,
      messageRetentionSeconds: 4 * 86_400,
      receiveWaitTimeSeconds: 20,
      maxMessageSize: 262_144,
      delaySeconds: 0,
    });
    expect(queue.inputs.fifoQueue).toBeUndefined();
    expect(JSON.parse(queue.inputs.redrivePolicy as string)).toEqual({
      deadLetterTargetArn: dlq.outputs.arn,
      maxReceiveCount: 3,
    });
    expect(dlq.inputs).toMatchObject({ sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 86_400 });
    const allow = run.one("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy");
    expect(JSON.parse(allow.inputs.redriveAllowPolicy as string)).toEqual({
      redrivePermission: "byQueue",
      sourceQueueArns: [queue.outputs.arn],
    });
  });

  it("denies every request without TLS on both queues", async () => {
    const run = await runComponent(() => new Queue("jobs"));
    const policies = run.ofType("aws:sqs/queuePolicy:QueuePolicy");
    expect(policies).toHaveLength(2);
    for (const p of policies) {
      expect(run.json(p, "policy")).toMatchObject({
        Statement: [
          {
            Effect: "Deny",
            Principal: "*",
            Action: "sqs:*",
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      });
    }
  });

  it("alarms when a message reaches the dead-letter queue", async () => {
    const run = await runComponent(
      () => new Queue("jobs", { alarmActions: ["arn:aws:sns:us-east-1:123456789012:ops"] }),
    );
    const alarm = run.one("aws:cloudwatch/metricAlarm:MetricAlarm");
    expect(alarm.inputs).toMatchObject({
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: run.named("jobs-dlq", Q).outputs.name },
      threshold: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      alarmActions: ["arn:aws:sns:us-east-1:123456789012:ops"],
    });
    const quiet = await runComponent(() => new Queue("jobs", { deadLetterAlarm: false }));
    expect(quiet.ofType("aws:cloudwatch/metricAlarm:MetricAlarm")).toHaveLength(0);
  });

  it("protects and retains both queues when asked (prod)", async () => {
    const run = await runComponent(() => new Queue("jobs", { protect: true }));
    for (const q of run.ofType(Q)) expect(q.options).toMatchObject({ protect: true, retainOnDelete: true });
    const dev = await runComponent(() => new Queue("jobs"));
    for (const q of dev.ofType(Q)) expect(q.options.protect ?? false).toBe(false);
  });

  it("uses a customer-managed key when given, with its reuse period", async () => {
    const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const run = await runComponent(
      () => new Queue("jobs", { encryption: { kmsKeyArn: key, dataKeyReusePeriodSeconds: 600 } }),
    );
    for (const q of run.ofType(Q)) {
      expect(q.inputs).toMatchObject({ kmsMasterKeyId: key, kmsDataKeyReusePeriodSeconds: 600 });
      expect(q.inputs.sqsManagedSseEnabled).toBeUndefined();
    }
  });

  it("hands its key to consumers through ref (so a worker may decrypt), and no key with SSE-SQS", async () => {
    const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let kms: Queue | undefined;
    let sqs: Queue | undefined;
    await runComponent(() => {
      kms = new Queue("jobs", { encryption: { kmsKeyArn: key } });
      sqs = new Queue("mail");
    });
    expect(await resolve(kms?.ref.kmsKeyArn as pulumi.Input<string>)).toBe(key);
    expect(sqs?.ref.kmsKeyArn).toBeUndefined();
  });

  it("passes its own settings and transforms through", async () => {
    const run = await runComponent(
      () =>
        new Queue("orders", {
          fifo: true,
          visibilityTimeoutSeconds: 180,
          retentionDays: 7,
          maxReceiveCount: 5,
          transform: { queue: (a) => ({ ...a, delaySeconds: 5 }) },
        }),
    );
    const queue = run.named("orders-queue", Q);
    expect(queue.inputs).toMatchObject({
      fifoQueue: true,
      visibilityTimeoutSeconds: 180,
      messageRetentionSeconds: 604_800,
      delaySeconds: 5,
    });
    expect(run.named("orders-dlq", Q).inputs.fifoQueue).toBe(true);
    expect(JSON.parse(queue.inputs.redrivePolicy as string).maxReceiveCount).toBe(5);
  });
});

describe("Queue.link: exact grants on this queue only", () => {
  it.each([["consume"], ["send"]] as const)(
    "%s: the access level's actions on the queue's ARN and the URL variable",
    async (access) => {
      let queue!: Queue;
      await runComponent(() => {
        queue = new Queue("jobs");
      });
      const grant = queue.link(access);
      expect(grant.taskRoleStatements).toHaveLength(1);
      const [statement] = grant.taskRoleStatements;
      expect(statement!.Action).toEqual(QUEUE_ACTIONS[access]);
      expect(await resolve(statement!.Resource[0]!)).toBe(await resolve(queue.arn));
      expect(statement!.Action.some((a) => a.includes("*"))).toBe(false);
      expect(Object.keys(grant.environment)).toEqual(["JOBS_QUEUE_URL", "JOBS_QUEUE_ARN"]);
      expect(await resolve(grant.environment.JOBS_QUEUE_URL!)).toBe(await resolve(queue.url));
      expect(grant.secrets).toEqual({});
      expect(grant.ingress).toEqual([]);
    },
  );

  it("adds the KMS actions a customer-managed key needs, on that key only", async () => {
    const key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    let queue!: Queue;
    await runComponent(() => {
      queue = new Queue("jobs", { encryption: { kmsKeyArn: key }, envPrefix: "WORK" });
    });
    expect(queue.link("send").taskRoleStatements[1]).toEqual({
      Sid: "WORKSendKms",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: [key],
    });
    expect(queue.link("consume").taskRoleStatements[1]!.Action).toEqual(["kms:Decrypt"]);
    expect(Object.keys(queue.link("send").environment)).toEqual(["WORK_QUEUE_URL", "WORK_QUEUE_ARN"]);
  });

  it("refuses an access level it does not offer, and two links that set the same variable", async () => {
    let a!: Queue;
    await runComponent(() => {
      a = new Queue("jobs");
    });
    expect(() => a.link("admin" as "send")).toThrow(
      /berth:data:Queue 'JOBS' offers access "send" or "consume", not "admin"/,
    );
    expect(() => mergeGrants([a.link("send"), a.link("consume")])).toThrow(
      /two linked resources set the variable JOBS_QUEUE_URL/,
    );
  });
});

describe("invalid Queue args are rejected before anything is created", () => {
  const cases: [string, QueueArgs | string, RegExp, string][] = [
    [
      "a visibility timeout over 12 hours",
      { visibilityTimeoutSeconds: 43_201 },
      /visibilityTimeoutSeconds is 43201; .*43200/,
      "visibilityTimeoutSeconds",
    ],
    [
      "a negative visibility timeout",
      { visibilityTimeoutSeconds: -1 },
      /visibilityTimeoutSeconds is -1/,
      "visibilityTimeoutSeconds",
    ],
    ["retention over 14 days", { retentionDays: 15 }, /retentionDays is 15; .*14/, "retentionDays"],
    ["retention of zero days", { retentionDays: 0 }, /retentionDays is 0/, "retentionDays"],
    ["a fractional retention", { retentionDays: 1.5 }, /retentionDays is 1.5/, "retentionDays"],
    ["a max receive count of 0", { maxReceiveCount: 0 }, /maxReceiveCount is 0/, "maxReceiveCount"],
    [
      "a max receive count over 1000",
      { maxReceiveCount: 1001 },
      /maxReceiveCount is 1001/,
      "maxReceiveCount",
    ],
    ["a delay over 15 minutes", { delaySeconds: 901 }, /delaySeconds is 901/, "delaySeconds"],
    [
      "a message size over 1 MiB",
      { maxMessageSizeBytes: 2_000_000 },
      /maxMessageSizeBytes is 2000000/,
      "maxMessageSizeBytes",
    ],
    [
      "a message size under 1 KiB",
      { maxMessageSizeBytes: 100 },
      /maxMessageSizeBytes is 100/,
      "maxMessageSizeBytes",
    ],
    [
      "long polling over 20 seconds",
      { receiveWaitTimeSeconds: 21 },
      /receiveWaitTimeSeconds is 21/,
      "receiveWaitTimeSeconds",
    ],
    [
      "a dead-letter retention shorter than the queue's",
      { retentionDays: 10, deadLetterRetentionDays: 5 },
      /deadLetterRetentionDays is 5; must be at least retentionDays \(10\)/,
      "deadLetterRetentionDays",
    ],
    [
      "a KMS key that is not a KMS ARN",
      { encryption: { kmsKeyArn: "alias/mine" } },
      /encryption.kmsKeyArn is "alias\/mine"; must be an ARN of kms/,
      "encryption.kmsKeyArn",
    ],
    [
      "a data key reuse period under a minute",
      {
        encryption: { kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/x", dataKeyReusePeriodSeconds: 30 },
      },
      /dataKeyReusePeriodSeconds is 30/,
      "encryption.dataKeyReusePeriodSeconds",
    ],
    [
      "an encryption that is neither",
      { encryption: "kms" as "sqs" },
      /encryption is "kms"; give "sqs" or \{ kmsKeyArn \}/,
      "encryption",
    ],
    [
      "a lower-case variable prefix",
      { envPrefix: "jobs" },
      /envPrefix is "jobs"; upper-case letters/,
      "envPrefix",
    ],
    ["a tag key AWS reserves", { tags: { "aws:x": "y" } }, /tags.aws:x .*reserved for AWS/, "tags.aws:x"],
    ["args given as a string", "fifo", /args is "fifo"; give the arguments as an object/, "args"],
  ];
  it.each(cases)("%s", async (_title, args, message, field) => {
    const err = await expectInvalid(() => new Queue("jobs", args as QueueArgs), message);
    expect(err.field).toBe(field);
  });

  it("rejects an empty name and a name with a space", async () => {
    await expectInvalid(() => new Queue(""), /name is ""; give the component a non-empty name/);
    await expectInvalid(() => new Queue("my jobs"), /name is "my jobs"/);
  });
});

describe("Queue names SQS accepts", () => {
  // pulumi-aws auto-names an SQS queue `<logical name>-<7 random characters>` within 80
  // characters, then appends `.fifo` for a FIFO queue: the longest component name leaves room for both.
  function autoName(logical: string, fifo: boolean): string {
    return `${logical}-${"0".repeat(7)}${fifo ? ".fifo" : ""}`;
  }

  it.each([
    [66, false],
    [61, true],
  ])(
    "accepts a %i-character name (fifo: %s) whose queues' auto-names fit 80 characters",
    async (length, fifo) => {
      const name = "q".repeat(length);
      const run = await runComponent(() => new Queue(name, { fifo, envPrefix: "JOBS" }));
      for (const q of run.ofType(Q)) {
        expect(q.inputs.name).toBeUndefined();
        expect(autoName(q.name, fifo).length).toBeLessThanOrEqual(80);
      }
      expect(autoName(`${name}-queue`, fifo)).toHaveLength(80);
    },
  );

  it.each([
    [67, false, /use at most 66 characters/],
    [62, true, /<name>-queue-<7 random characters>\.fifo\) .*use at most 61 characters for a FIFO queue/],
  ])("rejects a %i-character name (fifo: %s)", async (length, fifo, message) => {
    const err = await expectInvalid(() => new Queue("q".repeat(length), { fifo }), message);
    expect(err.field).toBe("name");
  });

  it("rejects a dot in the name (SQS names have letters, numbers, - and _ only)", async () => {
    const err = await expectInvalid(
      () => new Queue("jobs.v2"),
      /name is "jobs\.v2"; .*only letters, numbers, hyphens and underscores/,
    );
    expect(err.field).toBe("name");
  });
});
