import {
  checkComponent,
  checkTags,
  denyInsecureTransport,
  emptyGrant,
  envPrefix,
  type Linkable,
  type LinkGrant,
  mergeTags,
  policyDocument,
  type QueueRef,
  type Transform,
  transformed,
} from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkAccess } from "./grant.js";

const TYPE = "berth:data:Queue";

/** SQS's limits (Amazon SQS Developer Guide, "Quotas"; the provider's QueueArgs). */
export const QUEUE_LIMITS = {
  visibilityTimeoutSeconds: { min: 0, max: 43_200 },
  retentionDays: { min: 1, max: 14 },
  delaySeconds: { min: 0, max: 900 },
  maxMessageSizeBytes: { min: 1024, max: 1_048_576 },
  maxReceiveCount: { min: 1, max: 1000 },
  receiveWaitTimeSeconds: { min: 0, max: 20 },
  kmsDataKeyReusePeriodSeconds: { min: 60, max: 86_400 },
} as const;

/** SQS's longest queue name, `.fifo` included (Amazon SQS Developer Guide, "Quotas"). */
export const QUEUE_NAME_MAX = 80;

/** How a service may use a queue; the first is the default of a `uses` entry. */
export const QUEUE_ACCESS = ["send", "consume"] as const;
export type QueueAccess = (typeof QUEUE_ACCESS)[number];

/** The exact actions of each access level (on the queue's ARN only). */
export const QUEUE_ACTIONS: Record<QueueAccess, string[]> = {
  consume: [
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
  ],
  send: ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
};

export interface QueueArgs {
  /**
   * A FIFO queue (exactly-once, ordered per message group). **Replaces** the queue (and its
   * messages) when changed.
   * @default false
   * @example fifo: true
   */
  fifo?: boolean;
  /**
   * Seconds a received message stays hidden from other consumers (0 to 43,200). Set it to about six
   * times the longest processing time, so a slow message is not handed out twice.
   * @default 30
   * @example visibilityTimeoutSeconds: 180
   */
  visibilityTimeoutSeconds?: number;
  /**
   * Days SQS keeps a message that nobody deleted (1 to 14).
   * @default 4
   * @example retentionDays: 14
   */
  retentionDays?: number;
  /**
   * Receives before a message moves to the dead-letter queue (1 to 1000).
   * @default 3
   * @example maxReceiveCount: 5
   */
  maxReceiveCount?: number;
  /**
   * Days the dead-letter queue keeps failed messages (1 to 14): longer than `retentionDays`, so a
   * message never expires there before it would have in the queue.
   * @default 14
   * @example deadLetterRetentionDays: 7
   */
  deadLetterRetentionDays?: number;
  /**
   * Seconds every new message is delayed (0 to 900).
   * @default 0
   * @example delaySeconds: 60
   */
  delaySeconds?: number;
  /**
   * The largest message SQS accepts, in bytes (1,024 to 1,048,576).
   * @default 262144
   * @example maxMessageSizeBytes: 1048576
   */
  maxMessageSizeBytes?: number;
  /**
   * Seconds a receive waits for a message (long polling, 0 to 20): fewer empty receives, less cost.
   * @default 20
   * @example receiveWaitTimeSeconds: 10
   */
  receiveWaitTimeSeconds?: number;
  /**
   * Encryption at rest: `"sqs"` (SSE-SQS, keys owned by SQS, no charge) or a customer-managed KMS
   * key (linked services then also get `kms:Decrypt` / `kms:GenerateDataKey` on it).
   * @default "sqs"
   * @example encryption: { kmsKeyArn: key.arn }
   */
  encryption?: "sqs" | { kmsKeyArn: pulumi.Input<string>; dataKeyReusePeriodSeconds?: number };
  /**
   * An alarm when the dead-letter queue holds a message (a message failed `maxReceiveCount` times).
   * @default true
   * @example deadLetterAlarm: false
   */
  deadLetterAlarm?: boolean;
  /**
   * SNS topics the dead-letter alarm notifies.
   * @default []
   * @example alarmActions: [topic.arn]
   */
  alarmActions?: pulumi.Input<string>[];
  /**
   * The prefix of the variables a linked service gets (`<PREFIX>_QUEUE_URL`, `<PREFIX>_QUEUE_ARN`).
   * @default the component's name in SCREAMING_SNAKE_CASE
   * @example envPrefix: "JOBS"
   */
  envPrefix?: string;
  /**
   * Protect both queues from deletion (`protect` and `retainOnDelete`): in prod, a queue holds work
   * in flight and its deletion must be an explicit step.
   * @default false
   * @example protect: true
   */
  protect?: boolean;
  /**
   * Tags for both queues and the alarm.
   * @default {}
   * @example tags: { Team: "orders" }
   */
  tags?: Record<string, string>;
  /** Changes to the children's args or options before they are created. */
  transform?: {
    /** The queue (`aws.sqs.Queue`). */
    queue?: Transform<aws.sqs.QueueArgs>;
    /** The dead-letter queue (`aws.sqs.Queue`). */
    deadLetterQueue?: Transform<aws.sqs.QueueArgs>;
    /** The TLS-only policy of each queue (`aws.sqs.QueuePolicy`). */
    policy?: Transform<aws.sqs.QueuePolicyArgs>;
    /** The dead-letter queue's redrive-allow policy (`aws.sqs.RedriveAllowPolicy`). */
    redriveAllowPolicy?: Transform<aws.sqs.RedriveAllowPolicyArgs>;
    /** The dead-letter alarm (`aws.cloudwatch.MetricAlarm`). */
    deadLetterAlarm?: Transform<aws.cloudwatch.MetricAlarmArgs>;
  };
}

interface Resolved {
  fifo: boolean;
  visibilityTimeoutSeconds: number;
  retentionSeconds: number;
  deadLetterRetentionSeconds: number;
  maxReceiveCount: number;
  delaySeconds: number;
  maxMessageSize: number;
  receiveWaitTimeSeconds: number;
  kmsKeyArn?: pulumi.Input<string>;
  dataKeyReusePeriodSeconds?: number;
  deadLetterAlarm: boolean;
  envPrefix: string;
}

const DAY = 86_400;

function validateQueue(name: string, args: QueueArgs): Resolved {
  const v = checkComponent(TYPE, name, args);
  const a = args ?? {};
  // Pulumi auto-names the queues `<name>-queue-<7 random characters>` and `<name>-dlq-<7>`, within
  // SQS's 80 characters, then appends `.fifo` for a FIFO queue (pulumi-aws's auto-naming of
  // aws_sqs_queue), which can take the name past 80. SQS names have only letters, numbers, hyphens
  // and underscores (plus the `.fifo` suffix).
  const fifo = a.fifo ?? false;
  const maxName = QUEUE_NAME_MAX - "-queue-".length - 7 - (fifo ? ".fifo".length : 0);
  v.check(
    /^[A-Za-z0-9_-]+$/.test(name),
    "name",
    name,
    "the queues are named after the component (<name>-queue-<random>), and SQS queue names have only letters, numbers, hyphens and underscores",
  );
  v.check(
    name.length <= maxName,
    "name",
    name,
    `the queues are named after the component (<name>-queue-<7 random characters>${fifo ? ".fifo" : ""}) and an SQS queue name has at most ${QUEUE_NAME_MAX} characters: use at most ${maxName} characters${fifo ? " for a FIFO queue" : ""}`,
  );
  checkTags(v, "tags", a.tags);
  const L = QUEUE_LIMITS;
  v.integer("visibilityTimeoutSeconds", a.visibilityTimeoutSeconds, L.visibilityTimeoutSeconds, " seconds");
  v.integer("retentionDays", a.retentionDays, L.retentionDays, " days");
  v.integer("deadLetterRetentionDays", a.deadLetterRetentionDays, L.retentionDays, " days");
  v.integer("maxReceiveCount", a.maxReceiveCount, L.maxReceiveCount);
  v.integer("delaySeconds", a.delaySeconds, L.delaySeconds, " seconds");
  v.integer("maxMessageSizeBytes", a.maxMessageSizeBytes, L.maxMessageSizeBytes, " bytes");
  v.integer("receiveWaitTimeSeconds", a.receiveWaitTimeSeconds, L.receiveWaitTimeSeconds, " seconds");
  const retentionDays = a.retentionDays ?? 4;
  const deadLetterRetentionDays = a.deadLetterRetentionDays ?? 14;
  v.check(
    deadLetterRetentionDays >= retentionDays,
    "deadLetterRetentionDays",
    deadLetterRetentionDays,
    `must be at least retentionDays (${retentionDays}): SQS keeps a message's original timestamp, so it would expire in the dead-letter queue before it could be looked at`,
  );
  const enc = a.encryption ?? "sqs";
  if (enc !== "sqs") {
    v.check(
      typeof enc === "object" && enc !== null && "kmsKeyArn" in enc,
      "encryption",
      enc,
      'give "sqs" or { kmsKeyArn }',
    );
    v.arn("encryption.kmsKeyArn", enc.kmsKeyArn, "kms");
    v.integer(
      "encryption.dataKeyReusePeriodSeconds",
      enc.dataKeyReusePeriodSeconds,
      L.kmsDataKeyReusePeriodSeconds,
      " seconds",
    );
  }
  const prefix = a.envPrefix ?? envPrefix(name);
  v.matches(
    "envPrefix",
    prefix,
    /^[A-Z][A-Z0-9_]{0,40}$/,
    "upper-case letters, digits and _, starting with a letter",
  );
  return {
    fifo: a.fifo ?? false,
    visibilityTimeoutSeconds: a.visibilityTimeoutSeconds ?? 30,
    retentionSeconds: retentionDays * DAY,
    deadLetterRetentionSeconds: deadLetterRetentionDays * DAY,
    maxReceiveCount: a.maxReceiveCount ?? 3,
    delaySeconds: a.delaySeconds ?? 0,
    maxMessageSize: a.maxMessageSizeBytes ?? 262_144,
    receiveWaitTimeSeconds: a.receiveWaitTimeSeconds ?? 20,
    ...(enc !== "sqs"
      ? {
          kmsKeyArn: enc.kmsKeyArn,
          ...(enc.dataKeyReusePeriodSeconds !== undefined
            ? { dataKeyReusePeriodSeconds: enc.dataKeyReusePeriodSeconds }
            : {}),
        }
      : {}),
    deadLetterAlarm: a.deadLetterAlarm ?? true,
    envPrefix: prefix,
  };
}

/**
 * An SQS queue with a dead-letter queue: encrypted at rest (SSE-SQS by default), TLS-only, long
 * polling, failed messages moved aside after `maxReceiveCount` receives and kept 14 days, and an
 * alarm when that happens. A service uses it through {@link Queue.link}: `consume` (a worker) or
 * `send` (a producer), each exact actions on this queue only.
 *
 * The name becomes the queues' auto-names (`<name>-queue-<random>`, `<name>-dlq-<random>`, plus
 * `.fifo` for FIFO queues): letters, numbers, `-` and `_`, at most 66 characters (61 for FIFO).
 *
 * @example
 * const jobs = new Queue("jobs", { visibilityTimeoutSeconds: 180, protect: true });
 * const grant = jobs.link("send"); // JOBS_QUEUE_URL, sqs:SendMessage on jobs' ARN
 */
export class Queue extends pulumi.ComponentResource implements Linkable<QueueAccess> {
  readonly accessLevels = QUEUE_ACCESS;
  readonly arn: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  readonly deadLetterQueueArn: pulumi.Output<string>;
  readonly deadLetterQueueUrl: pulumi.Output<string>;
  /**
   * The queue as a `QueueRef`, for a worker service or another stack. With SSE-KMS it carries the
   * key, so a consumer gets `kms:Decrypt` on exactly that key.
   */
  readonly ref: QueueRef;
  private readonly resolved: Resolved;

  constructor(name: string, args: QueueArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    const r = validateQueue(name, args);
    super(TYPE, name, {}, opts);
    this.resolved = r;
    const tags = mergeTags(args.tags);
    const keep = args.protect ? { protect: true, retainOnDelete: true } : {};
    const t = args.transform ?? {};
    const encryption = r.kmsKeyArn
      ? {
          kmsMasterKeyId: r.kmsKeyArn,
          ...(r.dataKeyReusePeriodSeconds !== undefined
            ? { kmsDataKeyReusePeriodSeconds: r.dataKeyReusePeriodSeconds }
            : {}),
        }
      : { sqsManagedSseEnabled: true };
    const fifo = r.fifo ? { fifoQueue: true } : {};

    const dlq = new aws.sqs.Queue(
      `${name}-dlq`,
      ...transformed(
        t.deadLetterQueue,
        {
          ...fifo,
          ...encryption,
          messageRetentionSeconds: r.deadLetterRetentionSeconds,
          receiveWaitTimeSeconds: 20,
          tags,
        },
        { parent: this, ...keep },
      ),
    );
    const queue = new aws.sqs.Queue(
      `${name}-queue`,
      ...transformed(
        t.queue,
        {
          ...fifo,
          ...encryption,
          visibilityTimeoutSeconds: r.visibilityTimeoutSeconds,
          messageRetentionSeconds: r.retentionSeconds,
          delaySeconds: r.delaySeconds,
          maxMessageSize: r.maxMessageSize,
          receiveWaitTimeSeconds: r.receiveWaitTimeSeconds,
          redrivePolicy: pulumi.jsonStringify({
            deadLetterTargetArn: dlq.arn,
            maxReceiveCount: r.maxReceiveCount,
          }),
          tags,
        },
        { parent: this, ...keep },
      ),
    );
    // Only this queue may move messages into the dead-letter queue.
    new aws.sqs.RedriveAllowPolicy(
      `${name}-dlq-redrive-allow`,
      ...transformed(
        t.redriveAllowPolicy,
        {
          queueUrl: dlq.url,
          redriveAllowPolicy: pulumi.jsonStringify({
            redrivePermission: "byQueue",
            sourceQueueArns: [queue.arn],
          }),
        },
        { parent: this },
      ),
    );
    for (const [role, q] of [
      ["queue", queue],
      ["dlq", dlq],
    ] as const) {
      new aws.sqs.QueuePolicy(
        `${name}-${role}-policy`,
        ...transformed(
          t.policy,
          {
            queueUrl: q.url,
            policy: pulumi.jsonStringify(
              policyDocument([denyInsecureTransport("sqs:*", q.arn as unknown as string)]),
            ),
          },
          { parent: this },
        ),
      );
    }
    if (r.deadLetterAlarm) {
      new aws.cloudwatch.MetricAlarm(
        `${name}-dlq-alarm`,
        ...transformed(
          t.deadLetterAlarm,
          {
            alarmDescription: pulumi.interpolate`Messages of ${queue.name} failed ${r.maxReceiveCount} times and wait in ${dlq.name}`,
            namespace: "AWS/SQS",
            metricName: "ApproximateNumberOfMessagesVisible",
            dimensions: { QueueName: dlq.name },
            statistic: "Maximum",
            period: 300,
            evaluationPeriods: 1,
            threshold: 1,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching",
            alarmActions: args.alarmActions ?? [],
            tags,
          },
          { parent: this },
        ),
      );
    }

    this.arn = queue.arn;
    this.url = queue.url;
    this.name = queue.name;
    this.deadLetterQueueArn = dlq.arn;
    this.deadLetterQueueUrl = dlq.url;
    this.ref = {
      arn: queue.arn,
      url: queue.url,
      name: queue.name,
      ...(r.kmsKeyArn === undefined ? {} : { kmsKeyArn: r.kmsKeyArn }),
    };
    this.registerOutputs({
      arn: this.arn,
      url: this.url,
      name: this.name,
      deadLetterQueueArn: this.deadLetterQueueArn,
      deadLetterQueueUrl: this.deadLetterQueueUrl,
    });
  }

  /**
   * What a service that uses this queue gets: exactly {@link QUEUE_ACTIONS} for the access level on
   * this queue's ARN (plus the KMS actions a customer-managed key needs), and the variables
   * `<PREFIX>_QUEUE_URL` and `<PREFIX>_QUEUE_ARN`.
   */
  link(access: QueueAccess): LinkGrant {
    return queueGrant(this.resolved.envPrefix, this.ref, access);
  }
}

/**
 * What a service that uses a queue gets, from the queue's plain outputs (its own `Queue`, or a
 * shared one read through a StackReference): exactly {@link QUEUE_ACTIONS} for the access level on
 * the queue's ARN (plus the KMS actions a customer-managed key needs), and the variables
 * `<PREFIX>_QUEUE_URL` and `<PREFIX>_QUEUE_ARN`.
 *
 * @example
 * queueGrant("JOBS", ref, "send"); // sqs:SendMessage, … on ref.arn; JOBS_QUEUE_URL
 */
export function queueGrant(prefix: string, ref: QueueRef, access: QueueAccess): LinkGrant {
  checkAccess(TYPE, prefix, QUEUE_ACCESS, access);
  const grant = emptyGrant();
  const sid = `${prefix.replace(/_/g, "")}${access === "consume" ? "Consume" : "Send"}`;
  grant.taskRoleStatements.push({
    Sid: sid,
    Effect: "Allow",
    Action: [...QUEUE_ACTIONS[access]],
    Resource: [ref.arn],
  });
  if (ref.kmsKeyArn !== undefined) {
    grant.taskRoleStatements.push({
      Sid: `${sid}Kms`,
      Effect: "Allow",
      Action: access === "consume" ? ["kms:Decrypt"] : ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: [ref.kmsKeyArn],
    });
  }
  grant.environment[`${prefix}_QUEUE_URL`] = ref.url;
  grant.environment[`${prefix}_QUEUE_ARN`] = ref.arn;
  return grant;
}
