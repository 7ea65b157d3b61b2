import { z } from "zod";
import { envPrefix } from "../links.js";

/**
 * Data resources in the catalogue: `resources` a service owns (created in its own stack) or that an
 * environment shares (`apps/berth.shared.yaml`, created by the platform stack), and the `uses` that
 * link a service to them. One schema per kind; the components in `@berth/data` take the same
 * settings and check AWS's rules again.
 */

/** The kinds of data resource. */
export const DATA_KINDS = ["postgres", "bucket", "queue", "cache", "volume"] as const;
export type DataKind = (typeof DATA_KINDS)[number];

/** How a service may use each kind; the first is the default when `uses` names no access. */
export const DATA_ACCESS = {
  postgres: ["connect"],
  bucket: ["readwrite", "read"],
  queue: ["send", "consume"],
  cache: ["connect"],
  volume: ["readwrite", "read"],
} as const satisfies Record<DataKind, readonly string[]>;

/**
 * The variables a link injects into the service's main container (`P` is the resource's name in
 * SCREAMING_SNAKE_CASE: `orders-db` → `ORDERS_DB`). A stable contract apps rely on; `secret`
 * variables come from Secrets Manager through ECS, never as plain text.
 */
export const LINK_VARIABLES: Record<
  DataKind,
  { name: string; secret?: true; when?: string; means: string }[]
> = {
  postgres: [
    { name: "HOST", means: "the writer endpoint's host name" },
    { name: "READER_HOST", when: "Aurora", means: "the reader endpoint's host name" },
    { name: "PORT", means: "the port, 5432" },
    { name: "NAME", means: "the database's name" },
    { name: "SSLMODE", means: '"require": the database accepts TLS connections only' },
    { name: "USER", secret: true, means: "the master user's name (IAM auth: a plain variable)" },
    { name: "PASSWORD", secret: true, when: "password auth", means: "the master user's password" },
    {
      name: "SECRET_ARN",
      when: "password auth",
      means:
        "the RDS-managed secret holding both: RDS rotates the password every 7 days, so a long-running app re-reads it there (the task role may)",
    },
  ],
  bucket: [
    { name: "BUCKET", means: "the bucket's name" },
    { name: "BUCKET_ARN", means: "the bucket's ARN" },
    { name: "REGION", means: "the bucket's region" },
  ],
  queue: [
    { name: "QUEUE_URL", means: "the queue's URL (what the SDKs take)" },
    { name: "QUEUE_ARN", means: "the queue's ARN" },
  ],
  cache: [
    { name: "HOST", means: "the cache endpoint's host name" },
    { name: "PORT", means: "the port for reads and writes, 6379" },
    { name: "READER_PORT", means: "the port for reads from replicas, 6380" },
    { name: "TLS", means: '"true": connections use TLS' },
    { name: "USER", means: "the IAM-authenticated user's id (the token is signed with the task role)" },
    { name: "CACHE_NAME", means: "the serverless cache's name (part of the IAM auth token)" },
  ],
  volume: [{ name: "PATH", means: "where the volume is mounted in the main container" }],
};

/** The names of the variables a link to `name` injects. */
export function linkedVariableNames(kind: DataKind, name: string): string[] {
  return LINK_VARIABLES[kind].map((v) => `${envPrefix(name)}_${v.name}`);
}

/** Resource names: a link's variable prefix, a component's name, part of AWS names. */
export const RESOURCE_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
export const RESOURCE_NAME_MAX = 24;
export const RESOURCE_NAME_RULE = `lower-case letters, digits and single hyphens, starting with a letter, 2 to ${RESOURCE_NAME_MAX} characters`;

export const resourceName = z
  .string()
  .min(2)
  .max(RESOURCE_NAME_MAX)
  .regex(RESOURCE_NAME, { error: RESOURCE_NAME_RULE });

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** PostgreSQL major versions Aurora and RDS offer (AWS release calendars, 2026). */
export const POSTGRES_MAJOR_VERSIONS = [13, 14, 15, 16, 17] as const;

/**
 * Majors past their end of standard support on Aurora and RDS (Aurora PostgreSQL and RDS for
 * PostgreSQL release calendars: PostgreSQL 13 ended on 2026-02-28). RDS still creates such a
 * database, but enrolls it in RDS Extended Support and bills it per vCPU-hour (per ACU-hour on
 * Serverless v2) from the first day (Aurora User Guide, "Overview of Amazon RDS Extended Support").
 */
export const POSTGRES_EXTENDED_SUPPORT_MAJORS: Readonly<Record<number, string>> = { 13: "2026-02-28" };

/** Why a major past standard support is refused. */
export function extendedSupportRefusal(major: number): string | undefined {
  const ended = POSTGRES_EXTENDED_SUPPORT_MAJORS[major];
  return ended === undefined
    ? undefined
    : `PostgreSQL ${major} left standard support on ${ended}: RDS would enroll the database in RDS Extended Support, billed per vCPU-hour (ACU-hour on Serverless v2) on top of the instance; use ${major + 1} or later`;
}
export const POSTGRES_DEFAULT_VERSION = "16.6";
/** Aurora Serverless v2 capacity (ACU): 0 (auto-pause) to 256, in steps of 0.5. */
export const ACU_RANGE = { min: 0, max: 256, step: 0.5 } as const;

const acu = z
  .number()
  .min(ACU_RANGE.min)
  .max(ACU_RANGE.max)
  .multipleOf(ACU_RANGE.step, { error: "Aurora capacity goes in steps of 0.5 ACU" });

const postgres = z
  .strictObject({
    type: z.literal("postgres"),
    engine: z.enum(["aurora", "rds"]).optional().meta({
      description:
        "Aurora PostgreSQL Serverless v2 (scales in ACUs, to zero in dev) or RDS PostgreSQL (one instance).",
      default: "aurora",
    }),
    version: z
      .string()
      .regex(new RegExp(`^(${POSTGRES_MAJOR_VERSIONS.join("|")})\\.\\d{1,2}$`), {
        error: `a PostgreSQL version: major ${POSTGRES_MAJOR_VERSIONS.join(", ")}, with a minor (e.g. "16.6")`,
      })
      .optional()
      .meta({
        description: "The engine version (quote it in YAML).",
        default: POSTGRES_DEFAULT_VERSION,
        examples: ["16.6"],
      }),
    minCapacity: acu.optional().meta({
      description:
        "Aurora: fewest ACUs (1 ACU ≈ 2 GiB). 0 pauses the database when idle (it resumes in about 15 s on the next connection).",
      default: "0 where resources are not protected (dev), 0.5 where they are (prod)",
      examples: [0],
    }),
    maxCapacity: acu.min(1).optional().meta({ description: "Aurora: most ACUs.", default: 4 }),
    autoPauseMinutes: int(5, 1440).optional().meta({
      description: "Aurora with minCapacity 0: idle minutes before the database pauses.",
      default: 5,
    }),
    reader: z.boolean().optional().meta({
      description: "Aurora: a reader instance in another zone (failover and reads).",
      default: false,
    }),
    instanceClass: z
      .string()
      .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { error: "an RDS instance class, e.g. db.t4g.micro" })
      .optional()
      .meta({ description: "RDS: the instance class.", default: "db.t4g.micro" }),
    storageGb: int(20, 65_536).optional().meta({ description: "RDS: gp3 storage, GiB.", default: 20 }),
    backupRetentionDays: int(1, 35).optional().meta({
      description: "Days of automated backups (protected environments keep at least 7).",
      default: 7,
    }),
    iamAuth: z.boolean().optional().meta({
      description: "IAM database authentication: linked services get rds-db:connect and sign a token.",
      default: false,
    }),
    databaseName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, {
        error: "letters, digits and _, starting with a letter, at most 63 characters",
      })
      .optional()
      .meta({ description: "The database created at launch.", default: "the resource's name, - as _" }),
    performanceInsights: z
      .boolean()
      .optional()
      .meta({ description: "Performance Insights (7 days, free tier).", default: true }),
  })
  .meta({ description: "A PostgreSQL database.", examples: [{ type: "postgres", minCapacity: 0 }] });

const bucket = z
  .strictObject({
    type: z.literal("bucket"),
    versioning: z.boolean().optional().meta({
      description: "Keep old versions of objects.",
      default: "true where resources are protected (prod)",
    }),
    noncurrentVersionExpirationDays: int(1, 3650)
      .optional()
      .meta({ description: "Days an old version is kept (with versioning).", default: 30 }),
    abortIncompleteUploadDays: int(1, 365)
      .optional()
      .meta({ description: "Days before unfinished multipart uploads are removed.", default: 7 }),
  })
  .meta({ description: "A private, encrypted S3 bucket.", examples: [{ type: "bucket" }] });

const queue = z
  .strictObject({
    type: z.literal("queue"),
    fifo: z
      .boolean()
      .optional()
      .meta({ description: "A FIFO queue (ordered, exactly once).", default: false }),
    visibilityTimeoutSeconds: int(0, 43_200)
      .optional()
      .meta({ description: "Seconds a received message stays hidden.", default: 30 }),
    retentionDays: int(1, 14).optional().meta({ description: "Days SQS keeps a message.", default: 4 }),
    maxReceiveCount: int(1, 1000)
      .optional()
      .meta({ description: "Receives before a message moves to the dead-letter queue.", default: 3 }),
  })
  .meta({ description: "An SQS queue with a dead-letter queue.", examples: [{ type: "queue" }] });

/** ElastiCache Serverless engines and their major versions. */
export const CACHE_VERSIONS = { valkey: ["7", "8"], redis: ["7"] } as const;

const cache = z
  .strictObject({
    type: z.literal("cache"),
    engine: z
      .enum(["valkey", "redis"])
      .optional()
      .meta({ description: "ElastiCache Serverless engine.", default: "valkey" }),
    version: z
      .enum(["7", "8"])
      .optional()
      .meta({ description: "The engine's major version (quote it): valkey 7 or 8, redis 7.", default: "8" }),
    maxDataStorageGb: int(1, 5000).optional().meta({ description: "Most data stored, GB.", default: 10 }),
    maxEcpuPerSecond: int(1000, 15_000_000)
      .optional()
      .meta({ description: "Most ElastiCache Processing Units per second.", default: 5000 }),
    snapshotRetentionDays: int(0, 35)
      .optional()
      .meta({ description: "Days of daily snapshots (0: none).", default: 1 }),
  })
  .meta({ description: "A Valkey (or Redis) cache.", examples: [{ type: "cache" }] });

/** EFS's transition-to-Infrequent-Access choices, in days. */
export const EFS_IA_DAYS = [1, 7, 14, 30, 60, 90, 180, 270, 365] as const;

const volume = z
  .strictObject({
    type: z.literal("volume"),
    path: z
      .string()
      .regex(/^\/(?!.*(^|\/)\.\.?(\/|$))[A-Za-z0-9_.\-/]{1,254}$/, {
        error: "an absolute path in the container, without . or .. parts",
      })
      .optional()
      .meta({ description: "Where the main container sees the volume.", default: "/mnt/<name>" }),
    throughputMode: z
      .enum(["elastic", "bursting"])
      .optional()
      .meta({ description: "EFS throughput mode.", default: "elastic" }),
    transitionToIaDays: z
      .literal([...EFS_IA_DAYS])
      .optional()
      .meta({ description: "Days without access before a file moves to Infrequent Access.", default: 30 }),
    posixUser: z
      .strictObject({
        uid: int(0, 4_294_967_295).optional().meta({ default: 1000 }),
        gid: int(0, 4_294_967_295).optional().meta({ default: 1000 }),
      })
      .optional()
      .meta({ description: "The user and group every access through the service's access point runs as." }),
    backup: z.boolean().optional().meta({
      description: "AWS Backup's daily backups.",
      default: "true where resources are protected (prod)",
    }),
  })
  .meta({
    description: "An EFS file system mounted into the services that use it.",
    examples: [{ type: "volume" }],
  });

/** One data resource, as written in `resources.<name>`. */
export const dataResource = z
  .discriminatedUnion("type", [postgres, bucket, queue, cache, volume])
  .superRefine((r, ctx) => {
    const issue = (path: string[], message: string) => ctx.addIssue({ code: "custom", path, message });
    if (r.type === "postgres") {
      const engine = r.engine ?? "aurora";
      const aurora = ["minCapacity", "maxCapacity", "autoPauseMinutes", "reader"] as const;
      const rds = ["instanceClass", "storageGb"] as const;
      for (const f of engine === "aurora" ? rds : aurora)
        if (r[f] !== undefined)
          issue([f], `applies to engine ${engine === "aurora" ? "rds" : "aurora"}; this is ${engine}`);
      const min = r.minCapacity ?? 0.5;
      const max = r.maxCapacity ?? 4;
      if (engine === "aurora" && min > max) issue(["minCapacity"], `must not be above maxCapacity (${max})`);
      const refusal =
        r.version === undefined ? undefined : extendedSupportRefusal(Number(r.version.split(".")[0]));
      if (refusal) issue(["version"], refusal);
      if (r.autoPauseMinutes !== undefined && min !== 0)
        issue(
          ["autoPauseMinutes"],
          "applies with minCapacity 0 (only a database that scales to zero pauses)",
        );
    }
    if (r.type === "cache" && r.version !== undefined) {
      const allowed: readonly string[] = CACHE_VERSIONS[r.engine ?? "valkey"];
      if (!allowed.includes(r.version))
        issue(["version"], `${r.engine ?? "valkey"} offers ${allowed.join(", ")}`);
    }
    if (r.type === "bucket" && r.versioning === false && r.noncurrentVersionExpirationDays !== undefined)
      issue(["noncurrentVersionExpirationDays"], "applies with versioning");
  });
export type DataResource = z.infer<typeof dataResource>;
export type PostgresResource = Extract<DataResource, { type: "postgres" }>;
export type BucketResource = Extract<DataResource, { type: "bucket" }>;
export type QueueResource = Extract<DataResource, { type: "queue" }>;
export type CacheResource = Extract<DataResource, { type: "cache" }>;
export type VolumeResource = Extract<DataResource, { type: "volume" }>;

export const resources = z.record(resourceName, dataResource).meta({
  description:
    "Data resources this service owns, created in its own stack and used by it alone (share one " +
    "through apps/berth.shared.yaml). Link each with `uses`.",
  default: {},
  examples: [{ "orders-db": { type: "postgres" }, receipts: { type: "bucket" } }],
});

/** `resources` in an environment's overrides: settings per resource, merged into the body's. */
export const resourceOverrides = z
  .record(
    resourceName,
    z
      .object({
        type: z
          .never({ error: "a resource's type is the same in every environment: set it once, in resources" })
          .optional(),
      })
      .catchall(z.unknown()),
  )
  .meta({ description: "Per-resource settings for this environment, merged into `resources`." });

export const uses = z
  .array(
    z.union([
      resourceName.meta({ description: "A resource, with its kind's default access." }),
      z
        .record(resourceName, z.string())
        .refine((m) => Object.keys(m).length === 1, { error: "one resource per entry: { <name>: <access> }" })
        .meta({ description: "A resource and the access: { uploads: read }." }),
    ]),
  )
  .max(20)
  .meta({
    description:
      "Data resources the service uses (its own or the environment's shared ones). Each link grants " +
      "least privilege to the task role, opens the network path and injects the connection variables.",
    default: [],
    examples: [["orders-db", { receipts: "read" }, "cache"]],
  });

/** One `uses` entry, normalized. */
export interface Use {
  name: string;
  /** The access written, if any (checked against the resource's kind by the catalogue). */
  access?: string;
  /** Its index in `uses` (for positions). */
  index: number;
}

export function usesOf(list: z.infer<typeof uses> | undefined): Use[] {
  return (list ?? []).map((u, index) =>
    typeof u === "string"
      ? { name: u, index }
      : { name: Object.keys(u)[0]!, access: Object.values(u)[0]!, index },
  );
}
