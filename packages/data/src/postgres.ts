import { createHash } from "node:crypto";
import {
  ACU_RANGE,
  checkComponent,
  checkTags,
  emptyGrant,
  envPrefix,
  extendedSupportRefusal,
  known,
  type Linkable,
  type LinkGrant,
  mergeTags,
  POSTGRES_DEFAULT_VERSION,
  POSTGRES_MAJOR_VERSIONS,
  type Transform,
  transformed,
  type Validator,
} from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkAccess } from "./grant.js";

const TYPE = "berth:data:Postgres";

/** The port the database listens on (PostgreSQL's default; the link's ingress and `<P>_PORT`). */
export const POSTGRES_PORT = 5432;

/** How a service may use a database: `connect` (the first is the default). */
export const POSTGRES_ACCESS = ["connect"] as const;
export type PostgresAccess = (typeof POSTGRES_ACCESS)[number];

/** Aurora PostgreSQL Serverless v2 (`aurora`) or one RDS for PostgreSQL instance (`rds`). */
export const POSTGRES_ENGINES = ["aurora", "rds"] as const;
export type PostgresEngine = (typeof POSTGRES_ENGINES)[number];

/** The PostgreSQL major versions Aurora and RDS offer (Aurora PostgreSQL and RDS for PostgreSQL release calendars). */

/**
 * The first minor version of each major that runs Aurora Serverless v2 (Aurora User Guide, "Supported
 * Regions and Aurora DB engines for Aurora Serverless v2": 13.6, 14.3; 15, 16 and 17 from their first
 * Aurora release, 15.2, 16.1 and 17.4).
 */
export const AURORA_SERVERLESS_V2_MIN_MINOR: Record<number, number> = { 13: 6, 14: 3, 15: 2, 16: 1, 17: 4 };

/**
 * The first minor version of each major where a minimum of 0 ACU (automatic pause) is available
 * (Aurora User Guide, "Scaling to Zero ACUs with automatic pause and resume": Aurora PostgreSQL 13.15,
 * 14.12, 15.7, 16.3 and higher; 17 from 17.4).
 */
export const AURORA_AUTO_PAUSE_MIN_MINOR: Record<number, number> = { 13: 15, 14: 12, 15: 7, 16: 3, 17: 4 };

/** AWS's limits for the settings this component takes (the sources are named on each line). */
export const POSTGRES_LIMITS = {
  /** ServerlessV2ScalingConfiguration (RDS API): 0 (auto-pause versions) to 256 ACU, in steps of 0.5; 128 on older versions. */
  capacity: ACU_RANGE,
  /** The smallest maximum capacity Berth accepts: below 1 ACU a database cannot do useful work. */
  maxCapacityAtLeast: 1,
  /** SecondsUntilAutoPause: 300 to 86,400 seconds (RDS API, ServerlessV2ScalingConfiguration). */
  autoPauseMinutes: { min: 5, max: 1440 },
  /** BackupRetentionPeriod: 1 to 35 days (RDS API, CreateDBCluster). */
  backupRetentionDays: { min: 1, max: 35 },
  /** Protected (prod) databases keep at least a week of point-in-time recovery. */
  protectedBackupRetentionDaysAtLeast: 7,
  /** gp3 storage for RDS for PostgreSQL: 20 GiB to 64 TiB (RDS User Guide, "Amazon RDS DB instance storage"). */
  storageGb: { min: 20, max: 65_536 },
  /** Backup and maintenance windows: at least 30 minutes each (RDS API, PreferredBackupWindow / PreferredMaintenanceWindow). */
  windowMinutesAtLeast: 30,
  /** DB cluster and instance identifiers: 1 to 63 characters (RDS API, CreateDBCluster / CreateDBInstance). */
  identifierMax: 63,
  /** DatabaseName for (Aurora) PostgreSQL: 1 to 63 (RDS API, CreateDBCluster / CreateDBInstance). */
  databaseNameMax: 63,
  /** MasterUsername: 1 to 16 letters, digits or underscores (RDS API, CreateDBInstance). */
  masterUsernameMax: 16,
  /** PostgreSQL role names: at most 63 bytes (NAMEDATALEN - 1). */
  roleNameMax: 63,
  /**
   * The final snapshot's identifier. DeleteDBCluster documents 1 to 255 characters, but a DB cluster
   * snapshot identifier has 1 to 63 (CreateDBClusterSnapshot): Berth keeps to 63 for both engines.
   */
  snapshotIdentifierMax: 63,
} as const;

/**
 * Words the database or RDS reserve, which RDS refuses as a database or user name ("can't be a word
 * reserved by the database engine", RDS API): PostgreSQL's reserved key words (src/include/parser/kwlist.h,
 * RESERVED_KEYWORD), and `rdsadmin`, RDS's own role and database.
 */
export const POSTGRES_RESERVED_WORDS: ReadonlySet<string> = new Set(
  (
    "all analyse analyze and any array as asc asymmetric both case cast check collate column " +
    "constraint create current_catalog current_date current_role current_time current_timestamp " +
    "current_user default deferrable desc distinct do else end except false fetch for foreign from " +
    "grant group having in initially intersect into lateral leading limit localtime localtimestamp " +
    "not null offset on only or order placing primary references returning select session_user some " +
    "symmetric system_user table then to trailing true union unique user using variadic when where " +
    "window with rdsadmin"
  ).split(" "),
);

/**
 * Role names the server already has or refuses: PostgreSQL reserves every name starting with `pg_`
 * (PostgreSQL documentation, "Database Roles"), and RDS creates its own roles (`rds_superuser`,
 * `rds_iam`, `rds_replication`, `rds_password`, …, and `rdsadmin`, `rdsrepladmin`, `rdstopmgr`;
 * RDS User Guide, "Understanding PostgreSQL roles and permissions").
 */
const RESERVED_ROLE = /^(pg_|rds_)|^(rdsadmin|rdsrepladmin|rdstopmgr)$/i;

/** Databases every PostgreSQL server already has (Aurora always creates `postgres`, CreateDBCluster). */
const EXISTING_DATABASES = ["postgres", "template0", "template1", "rdsadmin"];

/** Log types each engine can send to CloudWatch Logs (RDS API, CreateDBCluster / CreateDBInstance EnableCloudwatchLogsExports). */
export const POSTGRES_LOG_EXPORTS: Record<PostgresEngine, readonly string[]> = {
  aurora: ["postgresql", "instance", "iam-db-auth-error"],
  rds: ["postgresql", "upgrade", "iam-db-auth-error"],
};

const DEFAULT_BACKUP_WINDOW = "03:00-04:00";
const DEFAULT_MAINTENANCE_WINDOW = "sun:04:30-sun:05:30";
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export interface PostgresArgs {
  /**
   * `"aurora"`: an Aurora PostgreSQL cluster of Serverless v2 instances (scales in ACUs, down to zero
   * in dev). `"rds"`: one RDS for PostgreSQL instance of a fixed class. **Replaces** the database
   * (and its data) when changed.
   * @default "aurora"
   * @example engine: "rds"
   */
  engine?: PostgresEngine;
  /**
   * The PostgreSQL version, `<major>.<minor>` (majors 14 to 17; `rds` also takes a bare major; 13 is
   * past its end of standard support and only runs in paid RDS Extended Support). Aurora needs a minor
   * that runs Serverless v2, and with `minCapacity: 0` one that can pause. With
   * `autoMinorVersionUpgrade` (the default) RDS is given only the major: it creates the database at
   * its default minor of that major, applies newer minors in the maintenance window, and a later
   * deploy never asks to go back (RDS refuses downgrades: "Cannot upgrade … from 16.8 to 16.6"); the
   * minor here is what Berth checks those features against. Turn `autoMinorVersionUpgrade` off to pin
   * the exact minor. **Restarts** the database when the major changes: RDS upgrades it in place
   * (minutes of downtime) with a new parameter group of the major's family.
   * @default "16.6"
   * @example version: "17.4"
   */
  version?: string;
  /**
   * The VPC of the database's security group.
   * @example vpcId: network.vpcId
   */
  vpcId: pulumi.Input<string>;
  /**
   * The isolated subnets the database lives in: at least two, in two Availability Zones (the DB subnet
   * group's rule). Nothing in them reaches the internet.
   * @example subnetIds: network.isolatedSubnetIds
   */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * The Availability Zones of `subnetIds`, in the same order: the writer (or a single-AZ RDS
   * instance) goes in the first, a reader in another. Required with `reader: true`.
   * @default Aurora's and RDS's own placement
   * @example availabilityZones: network.availabilityZones
   */
  availabilityZones?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Aurora: the fewest ACUs (1 ACU ≈ 2 GiB memory), 0 to 256 in steps of 0.5. 0 pauses the database
   * after `autoPauseMinutes` without connections (it resumes in about 15 seconds; only compute is
   * paused, storage is billed).
   * @default 0.5
   * @example minCapacity: 0
   */
  minCapacity?: number;
  /**
   * Aurora: the most ACUs, 1 to 256 in steps of 0.5 (older Aurora versions stop at 128), at least
   * `minCapacity`.
   * @default 4
   * @example maxCapacity: 16
   */
  maxCapacity?: number;
  /**
   * Aurora with `minCapacity: 0`: minutes without connections before the database pauses (5 to 1440).
   * @default 5
   * @example autoPauseMinutes: 30
   */
  autoPauseMinutes?: number;
  /**
   * Aurora: a reader instance (Serverless v2, promotion tier 1) in another Availability Zone, for
   * failover in about 30 seconds and for reads (`<P>_READER_HOST`). Needs `availabilityZones`.
   * @default false
   * @example reader: true
   */
  reader?: boolean;
  /**
   * RDS: the instance class.
   * @default "db.t4g.micro"
   * @example instanceClass: "db.m7g.large"
   */
  instanceClass?: string;
  /**
   * RDS: gp3 storage in GiB (20 to 65,536). Storage can grow, never shrink.
   * @default 20
   * @example storageGb: 100
   */
  storageGb?: number;
  /**
   * RDS: the most storage autoscaling may grow to, in GiB (above `storageGb`, at most 65,536; 0 turns
   * autoscaling off).
   * @default twice storageGb
   * @example maxStorageGb: 500
   */
  maxStorageGb?: number;
  /**
   * RDS: a standby instance in another Availability Zone (synchronous replication, automatic failover);
   * doubles the instance cost.
   * @default false
   * @example multiAz: true
   */
  multiAz?: boolean;
  /**
   * The database created with the cluster or instance: letters, digits and `_`, starting with a letter,
   * at most 63 characters, not a reserved word. **Replaces** the database when changed.
   * @default the component's name with `-` as `_`
   * @example databaseName: "orders"
   */
  databaseName?: string;
  /**
   * The master user (1 to 16 letters, digits or `_`, starting with a letter; not `pg_…` or one of RDS's
   * own roles). Its password is created by RDS in Secrets Manager and rotated every 7 days; it is
   * never in the Pulumi state or config. **Replaces** the database when changed.
   * @default "postgres"
   * @example masterUsername: "admin_user"
   */
  masterUsername?: string;
  /**
   * IAM database authentication: linked services connect as `iamUser` with a token signed by their
   * task role (`rds-db:connect` on exactly that user) instead of the master password, and get no
   * password at all. Create the user once: `CREATE USER app; GRANT rds_iam TO app;`.
   * @default false
   * @example iamAuth: true
   */
  iamAuth?: boolean;
  /**
   * With `iamAuth`: the database user linked services connect as (a PostgreSQL role in lower case, as
   * an unquoted `CREATE USER` makes it; not the master user: a role with `rds_iam` can no longer log
   * in with a password; not `pg_…` or one of RDS's own roles).
   * @default "app"
   * @example iamUser: "orders_app"
   */
  iamUser?: string;
  /**
   * The customer managed KMS key that encrypts storage, snapshots and Performance Insights. **Replaces**
   * the database when changed. Without one, RDS uses the AWS managed key `aws/rds`: no key to manage
   * and no charge, but snapshots encrypted with it cannot be shared with another account.
   * @default the AWS managed key aws/rds
   * @example kmsKeyArn: key.arn
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * The customer managed KMS key of the master user's secret. Linked services' execution roles then
   * also get `kms:Decrypt` on it.
   * @default the AWS managed key aws/secretsmanager
   * @example masterUserSecretKmsKeyArn: key.arn
   */
  masterUserSecretKmsKeyArn?: pulumi.Input<string>;
  /**
   * Days of automated backups (point-in-time recovery), 1 to 35; at least 7 when `protect` is on.
   * @default 7
   * @example backupRetentionDays: 14
   */
  backupRetentionDays?: number;
  /**
   * The daily backup window, `hh24:mi-hh24:mi` in UTC, at least 30 minutes, outside the maintenance window.
   * @default "03:00-04:00"
   * @example backupWindow: "01:00-01:30"
   */
  backupWindow?: string;
  /**
   * The weekly maintenance window (minor upgrades, patches), `ddd:hh24:mi-ddd:hh24:mi` in UTC, at
   * least 30 minutes, not overlapping the backup window.
   * @default "sun:04:30-sun:05:30"
   * @example maintenanceWindow: "sat:22:00-sat:23:00"
   */
  maintenanceWindow?: string;
  /**
   * Let AWS apply new minor versions in the maintenance window. On, RDS is given only the major of
   * `version` (see `version`); off, the exact `version`, which stays until you change it.
   * @default true
   * @example autoMinorVersionUpgrade: false
   */
  autoMinorVersionUpgrade?: boolean;
  /**
   * Performance Insights on every instance (Aurora: the same on all instances, as Database Insights
   * requires).
   * @default true
   * @example performanceInsights: false
   */
  performanceInsights?: boolean;
  /**
   * Days Performance Insights keeps data: 7 (free), a multiple of 31 up to 713 (1 to 23 months), or 731.
   * @default 7
   * @example performanceInsightsRetentionDays: 93
   */
  performanceInsightsRetentionDays?: number;
  /**
   * Logs sent to CloudWatch Logs. Aurora: `postgresql`, `instance`, `iam-db-auth-error`; RDS:
   * `postgresql`, `upgrade`, `iam-db-auth-error` (that one only with `iamAuth`: RDS writes it only for
   * IAM database authentication).
   * @default ["postgresql"]
   * @example logExports: ["postgresql", "iam-db-auth-error"]
   */
  logExports?: string[];
  /**
   * Production: Pulumi `protect` and `retainOnDelete` on the database (cluster and instances),
   * `retainOnDelete` on what it needs (subnet group, parameter group, security group), deletion
   * protection, a final snapshot, automated backups kept after deletion and at least 7 days of
   * backups. Off (dev): no final snapshot and no deletion protection, so the database is disposable.
   * @default false
   * @example protect: true
   */
  protect?: boolean;
  /**
   * Tags for every resource (copied to snapshots).
   * @default {}
   * @example tags: { Team: "orders" }
   */
  tags?: Record<string, string>;
  /** Changes to the children's args or options before they are created. */
  transform?: {
    /** The database's security group (`aws.ec2.SecurityGroup`), without rules: links add ingress. */
    securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    /** The DB subnet group (`aws.rds.SubnetGroup`). */
    subnetGroup?: Transform<aws.rds.SubnetGroupArgs>;
    /** Aurora: the DB cluster parameter group (`aws.rds.ClusterParameterGroup`). */
    clusterParameterGroup?: Transform<aws.rds.ClusterParameterGroupArgs>;
    /** RDS: the DB parameter group (`aws.rds.ParameterGroup`). */
    parameterGroup?: Transform<aws.rds.ParameterGroupArgs>;
    /** Aurora: the cluster (`aws.rds.Cluster`). */
    cluster?: Transform<aws.rds.ClusterArgs>;
    /** Aurora: the writer instance (`aws.rds.ClusterInstance`). */
    writer?: Transform<aws.rds.ClusterInstanceArgs>;
    /** Aurora: the reader instance (`aws.rds.ClusterInstance`). */
    reader?: Transform<aws.rds.ClusterInstanceArgs>;
    /** RDS: the DB instance (`aws.rds.Instance`). */
    instance?: Transform<aws.rds.InstanceArgs>;
  };
}

/**
 * A database as plain outputs, as {@link Postgres} produces it, for a service (or another stack,
 * through a StackReference) to rebuild its link with {@link postgresGrant}.
 *
 * @example
 * const ref: PostgresRef = { host: "orders.cluster-abc.us-east-1.rds.amazonaws.com", databaseName: "orders",
 *   secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-…", securityGroupId: "sg-0abc",
 *   resourceId: "cluster-ABC…", arn: "arn:aws:rds:us-east-1:123456789012:cluster:orders" };
 */
export interface PostgresRef {
  /** The writer endpoint's host name. */
  host: pulumi.Input<string>;
  /** Aurora: the reader endpoint's host name. */
  readerHost?: pulumi.Input<string>;
  /** The database's name. */
  databaseName: pulumi.Input<string>;
  /** The RDS-managed master user secret (JSON with `username` and `password`). */
  secretArn: pulumi.Input<string>;
  /** The customer managed key of that secret, when it has one. */
  secretKmsKeyArn?: pulumi.Input<string>;
  /** The database's security group, which a link opens to the service's tasks. */
  securityGroupId: pulumi.Input<string>;
  /** The cluster resource id (`cluster-…`) or DB instance resource id (`db-…`), part of IAM auth ARNs. */
  resourceId: pulumi.Input<string>;
  /** The cluster's or instance's ARN (its partition, region and account make the IAM auth ARN). */
  arn: pulumi.Input<string>;
  /** With IAM database authentication: the database user linked services connect as. */
  iamUser?: pulumi.Input<string>;
}

interface Resolved {
  engine: PostgresEngine;
  version: string;
  /** What RDS is given: the major alone while AWS upgrades minors itself, else the exact version. */
  engineVersion: string;
  major: number;
  minCapacity: number;
  maxCapacity: number;
  autoPauseSeconds?: number;
  reader: boolean;
  instanceClass: string;
  storageGb: number;
  maxStorageGb: number;
  multiAz: boolean;
  databaseName: string;
  masterUsername: string;
  iamUser?: string;
  backupRetentionDays: number;
  backupWindow: string;
  maintenanceWindow: string;
  autoMinorVersionUpgrade: boolean;
  performanceInsights: boolean;
  performanceInsightsRetentionDays: number;
  logExports: string[];
  protect: boolean;
}

const IDENTIFIER_RULE =
  "the database's identifiers are named after the component: letters, digits and single hyphens, starting with a letter and not ending with a hyphen (RDS identifier rules)";

/** The logical names of the children whose auto-names must fit RDS's 63-character identifiers. */
const IDENTIFIED_CHILDREN: Record<PostgresEngine, string[]> = {
  aurora: ["cluster", "writer", "reader"],
  rds: ["instance"],
};

function boolean(v: Validator, field: string, value: unknown): void {
  if (value !== undefined) v.check(typeof value === "boolean", field, value, "give true or false");
}

function halfSteps(v: Validator, field: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  const ok = typeof value === "number" && Number.isFinite(value) && value >= min && value <= max;
  v.check(
    ok && Number.isInteger((value as number) * 2),
    field,
    value,
    `Aurora capacity is ${min} to ${max} ACU, in steps of 0.5`,
  );
}

function parseBackupWindow(s: string): { start: number; length: number } | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/.exec(s);
  if (!m) return undefined;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  return { start, length: (end - start + 1440) % 1440 };
}

function parseMaintenanceWindow(s: string): { start: number; length: number } | undefined {
  const t = "([01]\\d|2[0-3]):([0-5]\\d)";
  const day = `(${DAYS.join("|")})`;
  const m = new RegExp(`^${day}:${t}-${day}:${t}$`, "i").exec(s);
  if (!m) return undefined;
  const at = (d: string, h: string, min: string) =>
    DAYS.indexOf(d.toLowerCase()) * 1440 + Number(h) * 60 + Number(min);
  const start = at(m[1]!, m[2]!, m[3]!);
  const end = at(m[4]!, m[5]!, m[6]!);
  return { start, length: (end - start + 7 * 1440) % (7 * 1440) };
}

/** Whether two intervals on a circle of `period` minutes share a minute. */
function overlaps(
  a: { start: number; length: number },
  b: { start: number; length: number },
  period: number,
): boolean {
  const ab = (((b.start - a.start) % period) + period) % period;
  const ba = (((a.start - b.start) % period) + period) % period;
  return ab < a.length || ba < b.length;
}

interface Version {
  version: string;
  major: number;
  minor: number | undefined;
}

/** The name becomes the identifiers' auto-names (`<name>-cluster-<7 random>`), within RDS's rules. */
function checkName(v: Validator, name: string, engine: PostgresEngine): void {
  const L = POSTGRES_LIMITS;
  v.check(
    /^[A-Za-z](?:[A-Za-z0-9]|-(?!-))*$/.test(name) && !name.endsWith("-"),
    "name",
    name,
    IDENTIFIER_RULE,
  );
  const longest = Math.max(...IDENTIFIED_CHILDREN[engine].map((c) => c.length));
  const nameMax = L.identifierMax - 1 - longest - 8;
  v.check(
    name.length <= nameMax,
    "name",
    name,
    `the ${engine === "aurora" ? "cluster and instance" : "instance"} identifiers are <name>-<role>-<7 random characters> and an RDS identifier has at most ${L.identifierMax} characters: use at most ${nameMax} characters`,
  );
}

function checkVersion(v: Validator, a: PostgresArgs, engine: PostgresEngine): Version {
  const version = a.version ?? POSTGRES_DEFAULT_VERSION;
  const majors = POSTGRES_MAJOR_VERSIONS.join(", ");
  const m = typeof version === "string" ? /^(\d+)(?:\.(\d+))?$/.exec(version) : null;
  v.check(
    m !== null,
    "version",
    version,
    `give "<major>.<minor>" (a string, e.g. "${POSTGRES_DEFAULT_VERSION}"), major ${majors}`,
  );
  const major = Number(m![1]);
  const minor = m![2] === undefined ? undefined : Number(m![2]);
  v.check(
    (POSTGRES_MAJOR_VERSIONS as readonly number[]).includes(major),
    "version",
    version,
    `PostgreSQL majors Aurora and RDS offer: ${majors}`,
  );
  const refusal = extendedSupportRefusal(major);
  v.check(refusal === undefined, "version", version, refusal ?? "");
  if (engine === "aurora") {
    v.check(
      minor !== undefined,
      "version",
      version,
      `Aurora needs the minor version too, e.g. "${major}.${AURORA_AUTO_PAUSE_MIN_MINOR[major]}"`,
    );
    const first = AURORA_SERVERLESS_V2_MIN_MINOR[major]!;
    v.check(
      minor! >= first,
      "version",
      version,
      `Aurora Serverless v2 runs Aurora PostgreSQL ${major}.${first} and later`,
    );
  }
  return { version, major, minor };
}

/** Settings of the other engine are a mistake, not a no-op. */
function checkEngineSettings(v: Validator, a: PostgresArgs, engine: PostgresEngine): void {
  const auroraOnly = ["minCapacity", "maxCapacity", "autoPauseMinutes", "reader"] as const;
  const rdsOnly = ["instanceClass", "storageGb", "maxStorageGb", "multiAz"] as const;
  const other = engine === "aurora" ? "rds" : "aurora";
  for (const field of engine === "aurora" ? rdsOnly : auroraOnly) {
    const value = (a as unknown as Record<string, unknown>)[field];
    v.check(
      value === undefined,
      field,
      value,
      `${field} applies to engine "${other}", and this database's engine is "${engine}"`,
    );
  }
}

function checkCapacity(v: Validator, a: PostgresArgs, engine: PostgresEngine, ver: Version) {
  const L = POSTGRES_LIMITS;
  halfSteps(v, "minCapacity", a.minCapacity, L.capacity.min, L.capacity.max);
  halfSteps(v, "maxCapacity", a.maxCapacity, L.capacity.min, L.capacity.max);
  const minCapacity = a.minCapacity ?? 0.5;
  const maxCapacity = a.maxCapacity ?? Math.max(4, minCapacity);
  v.check(
    maxCapacity >= L.maxCapacityAtLeast,
    "maxCapacity",
    maxCapacity,
    `must be at least ${L.maxCapacityAtLeast} ACU`,
  );
  v.check(
    maxCapacity >= minCapacity,
    "maxCapacity",
    maxCapacity,
    `must be at least minCapacity (${minCapacity})`,
  );
  if (engine === "aurora" && minCapacity === 0) {
    const first = AURORA_AUTO_PAUSE_MIN_MINOR[ver.major]!;
    v.check(
      ver.minor! >= first,
      "minCapacity",
      0,
      `a minimum of 0 ACU (automatic pause) needs Aurora PostgreSQL ${ver.major}.${first} or later; version is "${ver.version}": raise it or use 0.5`,
    );
  }
  v.integer("autoPauseMinutes", a.autoPauseMinutes, L.autoPauseMinutes, " minutes");
  if (a.autoPauseMinutes !== undefined) {
    v.check(
      minCapacity === 0,
      "autoPauseMinutes",
      a.autoPauseMinutes,
      `applies only with minCapacity 0 (the database pauses only when it may scale to zero); minCapacity is ${minCapacity}`,
    );
  }
  boolean(v, "reader", a.reader);
  return {
    minCapacity,
    maxCapacity,
    ...(minCapacity === 0 && engine === "aurora" ? { autoPauseSeconds: (a.autoPauseMinutes ?? 5) * 60 } : {}),
    reader: a.reader ?? false,
  };
}

function checkInstance(v: Validator, a: PostgresArgs) {
  const L = POSTGRES_LIMITS;
  const instanceClass = a.instanceClass ?? "db.t4g.micro";
  v.check(
    typeof instanceClass === "string" &&
      /^db\.[a-z0-9-]+\.[a-z0-9]+$/.test(instanceClass) &&
      instanceClass !== "db.serverless",
    "instanceClass",
    instanceClass,
    'an RDS for PostgreSQL instance class, e.g. "db.t4g.micro" or "db.m7g.large" (db.serverless is Aurora\'s)',
  );
  v.integer("storageGb", a.storageGb, L.storageGb, " GiB");
  const storageGb = a.storageGb ?? 20;
  v.integer("maxStorageGb", a.maxStorageGb, { min: 0, max: L.storageGb.max }, " GiB");
  const maxStorageGb = a.maxStorageGb ?? Math.min(L.storageGb.max, storageGb * 2);
  v.check(
    maxStorageGb === 0 || maxStorageGb > storageGb,
    "maxStorageGb",
    maxStorageGb,
    `storage autoscaling grows above storageGb (${storageGb}): give more than ${storageGb}, or 0 to turn it off`,
  );
  boolean(v, "multiAz", a.multiAz);
  return { instanceClass, storageGb, maxStorageGb, multiAz: a.multiAz ?? false };
}

/** A name RDS and PostgreSQL accept: the pattern, the length, and not a reserved word. */
function checkSqlName(
  v: Validator,
  field: string,
  value: unknown,
  pattern: RegExp,
  max: number,
  rule: string,
): void {
  v.check(typeof value === "string" && pattern.test(value) && value.length <= max, field, value, rule);
  v.check(
    !POSTGRES_RESERVED_WORDS.has((value as string).toLowerCase()),
    field,
    value,
    "a reserved word (PostgreSQL's key words and RDS's rdsadmin), which RDS refuses; choose another",
  );
}

/** A role PostgreSQL and RDS let the component create: not `pg_…` and not one of RDS's own roles. */
function checkRoleName(v: Validator, field: string, value: string): void {
  v.check(
    !RESERVED_ROLE.test(value),
    field,
    value,
    "PostgreSQL reserves role names starting with pg_ and RDS has its own rds_… roles (rds_superuser, rds_iam, …) and rdsadmin, rdsrepladmin, rdstopmgr: choose another name",
  );
}

function checkNames(v: Validator, a: PostgresArgs, name: string) {
  const L = POSTGRES_LIMITS;
  const databaseName = a.databaseName ?? name.replace(/-/g, "_");
  checkSqlName(
    v,
    "databaseName",
    databaseName,
    /^[A-Za-z][A-Za-z0-9_]*$/,
    L.databaseNameMax,
    `letters, digits and _, starting with a letter, at most ${L.databaseNameMax} characters${a.databaseName === undefined ? " (it defaults to the component's name with - as _; give databaseName)" : ""}`,
  );
  v.check(
    !EXISTING_DATABASES.includes(databaseName.toLowerCase()),
    "databaseName",
    databaseName,
    `every PostgreSQL server already has ${EXISTING_DATABASES.join(", ")}; name the application's own database`,
  );
  const masterUsername = a.masterUsername ?? "postgres";
  checkSqlName(
    v,
    "masterUsername",
    masterUsername,
    /^[A-Za-z][A-Za-z0-9_]*$/,
    L.masterUsernameMax,
    `1 to ${L.masterUsernameMax} letters, digits or _, starting with a letter`,
  );
  checkRoleName(v, "masterUsername", masterUsername);
  boolean(v, "iamAuth", a.iamAuth);
  if (!a.iamAuth) {
    v.check(a.iamUser === undefined, "iamUser", a.iamUser, "applies only with iamAuth: true");
    return { databaseName, masterUsername };
  }
  const iamUser = a.iamUser ?? "app";
  // The token is signed for this exact name, and an unquoted CREATE USER folds it to lower case.
  checkSqlName(
    v,
    "iamUser",
    iamUser,
    /^[a-z_][a-z0-9_]*$/,
    L.roleNameMax,
    `a PostgreSQL role name in lower case (CREATE USER folds unquoted names, and the IAM token is signed for the exact name): letters, digits and _, not starting with a digit, at most ${L.roleNameMax} characters`,
  );
  checkRoleName(v, "iamUser", iamUser);
  v.check(
    iamUser.toLowerCase() !== masterUsername.toLowerCase(),
    "iamUser",
    iamUser,
    "must not be the master user: a role granted rds_iam can no longer log in with its password",
  );
  return { databaseName, masterUsername, iamUser };
}

/** The DB subnet group needs subnets in at least two Availability Zones; a reader needs to know them. */
function checkNetwork(v: Validator, a: PostgresArgs, reader: boolean): void {
  v.required("vpcId", a.vpcId, "give the VPC of the isolated subnets");
  v.matches("vpcId", a.vpcId, /^vpc-[0-9a-f]+$/, "a VPC id (vpc-…)");
  v.required("subnetIds", a.subnetIds, "give the isolated subnets (at least two, in two Availability Zones)");
  const subnets = known(a.subnetIds);
  if (subnets !== undefined) {
    v.check(Array.isArray(subnets), "subnetIds", subnets, "give a list of subnet ids");
    v.check(
      subnets.length >= 2,
      "subnetIds",
      subnets,
      "a DB subnet group needs subnets in at least two Availability Zones: give at least two isolated subnets",
    );
    const plain = subnets.filter((s): s is string => typeof s === "string");
    for (const s of plain) v.matches("subnetIds", s, /^subnet-[0-9a-f]+$/, "a subnet id (subnet-…)");
    v.unique("subnetIds", plain);
  }
  const zones = known(a.availabilityZones);
  if (zones !== undefined) {
    v.check(Array.isArray(zones), "availabilityZones", zones, "give a list of Availability Zone names");
    if (Array.isArray(subnets)) {
      v.check(
        zones.length === subnets.length,
        "availabilityZones",
        zones,
        `give the zone of each subnet, in the order of subnetIds (${subnets.length} subnets)`,
      );
    }
    const plain = zones.filter((z): z is string => typeof z === "string");
    if (plain.length === zones.length) {
      v.check(
        new Set(plain).size >= 2,
        "availabilityZones",
        zones,
        "the subnets must be in at least two Availability Zones (DB subnet group rule)",
      );
    }
  }
  if (reader) {
    v.check(
      a.availabilityZones !== undefined,
      "reader",
      true,
      "a reader goes into another Availability Zone than the writer: give availabilityZones (the zones of subnetIds, in order)",
    );
  }
  v.arn("kmsKeyArn", a.kmsKeyArn, "kms");
  v.arn("masterUserSecretKmsKeyArn", a.masterUserSecretKmsKeyArn, "kms");
}

function checkBackups(v: Validator, a: PostgresArgs, protect: boolean) {
  const L = POSTGRES_LIMITS;
  v.integer("backupRetentionDays", a.backupRetentionDays, L.backupRetentionDays, " days");
  const backupRetentionDays = a.backupRetentionDays ?? 7;
  if (protect) {
    v.check(
      backupRetentionDays >= L.protectedBackupRetentionDaysAtLeast,
      "backupRetentionDays",
      backupRetentionDays,
      `a protected (production) database keeps at least ${L.protectedBackupRetentionDaysAtLeast} days of backups`,
    );
  }
  const backupWindow = a.backupWindow ?? DEFAULT_BACKUP_WINDOW;
  const backup = typeof backupWindow === "string" ? parseBackupWindow(backupWindow) : undefined;
  v.check(
    backup !== undefined,
    "backupWindow",
    backupWindow,
    'the format hh24:mi-hh24:mi in UTC, e.g. "03:00-04:00"',
  );
  v.check(
    backup!.length >= L.windowMinutesAtLeast,
    "backupWindow",
    backupWindow,
    `must be at least ${L.windowMinutesAtLeast} minutes`,
  );
  const maintenanceWindow = a.maintenanceWindow ?? DEFAULT_MAINTENANCE_WINDOW;
  const maintenance =
    typeof maintenanceWindow === "string" ? parseMaintenanceWindow(maintenanceWindow) : undefined;
  v.check(
    maintenance !== undefined,
    "maintenanceWindow",
    maintenanceWindow,
    'the format ddd:hh24:mi-ddd:hh24:mi in UTC, days mon to sun, e.g. "sun:04:30-sun:05:30"',
  );
  v.check(
    maintenance!.length >= L.windowMinutesAtLeast,
    "maintenanceWindow",
    maintenanceWindow,
    `must be at least ${L.windowMinutesAtLeast} minutes`,
  );
  const dailyBackups = DAYS.map((_, d) => ({ start: d * 1440 + backup!.start, length: backup!.length }));
  v.check(
    !dailyBackups.some((b) => overlaps(b, maintenance!, 7 * 1440)),
    "maintenanceWindow",
    maintenanceWindow,
    `must not overlap the daily backup window (${backupWindow})`,
  );
  boolean(v, "autoMinorVersionUpgrade", a.autoMinorVersionUpgrade);
  return {
    backupRetentionDays,
    backupWindow,
    maintenanceWindow: maintenanceWindow.toLowerCase(),
    autoMinorVersionUpgrade: a.autoMinorVersionUpgrade ?? true,
  };
}

function checkMonitoring(v: Validator, a: PostgresArgs, engine: PostgresEngine, iamAuth: boolean) {
  boolean(v, "performanceInsights", a.performanceInsights);
  const performanceInsights = a.performanceInsights ?? true;
  const days = a.performanceInsightsRetentionDays ?? 7;
  if (a.performanceInsightsRetentionDays !== undefined) {
    v.check(
      performanceInsights,
      "performanceInsightsRetentionDays",
      days,
      "applies only with performanceInsights on",
    );
    v.check(
      days === 7 ||
        days === 731 ||
        (Number.isInteger(days) && days % 31 === 0 && days >= 31 && days <= 23 * 31),
      "performanceInsightsRetentionDays",
      days,
      "7 (free), a multiple of 31 from 31 to 713 (1 to 23 months), or 731 (RDS API, PerformanceInsightsRetentionPeriod)",
    );
  }
  const logExports = a.logExports ?? ["postgresql"];
  v.check(Array.isArray(logExports), "logExports", logExports, "give a list of log types");
  for (const log of logExports) v.oneOf("logExports", log, POSTGRES_LOG_EXPORTS[engine]);
  v.unique("logExports", logExports);
  // "To enable IAM database authentication error logs, you must first enable IAM database
  // authentication" (Aurora User Guide, "Aurora PostgreSQL database log files").
  v.check(
    iamAuth || !logExports.includes("iam-db-auth-error"),
    "logExports",
    logExports,
    'the "iam-db-auth-error" log needs IAM database authentication: set iamAuth: true or leave that log out',
  );
  return { performanceInsights, performanceInsightsRetentionDays: days, logExports: [...logExports] };
}

function validatePostgres(name: string, args: PostgresArgs): Resolved {
  const v = checkComponent(TYPE, name, args);
  const a = (args ?? {}) as PostgresArgs;
  v.oneOf("engine", a.engine, POSTGRES_ENGINES);
  const engine: PostgresEngine = a.engine ?? "aurora";
  checkName(v, name, engine);
  const ver = checkVersion(v, a, engine);
  checkEngineSettings(v, a, engine);
  const capacity = checkCapacity(v, a, engine, ver);
  const instance = checkInstance(v, a);
  const names = checkNames(v, a, name);
  checkNetwork(v, a, capacity.reader);
  boolean(v, "protect", a.protect);
  const protect = a.protect ?? false;
  const backups = checkBackups(v, a, protect);
  const monitoring = checkMonitoring(v, a, engine, names.iamUser !== undefined);
  checkTags(v, "tags", a.tags);
  return {
    engine,
    version: ver.version,
    engineVersion: backups.autoMinorVersionUpgrade ? String(ver.major) : ver.version,
    major: ver.major,
    ...capacity,
    ...instance,
    ...names,
    ...backups,
    ...monitoring,
    protect,
  };
}

/**
 * The final snapshot's identifier: `<name>-<stack>-final`, unique per stack (snapshot identifiers are
 * unique per account and region), within RDS's snapshot identifier rules: letters, digits and single
 * hyphens, starting with a letter, not ending with a hyphen, at most 63 characters (see
 * {@link POSTGRES_LIMITS}.snapshotIdentifierMax). A longer one keeps the name and a hash of the stack.
 */
export function finalSnapshotIdentifier(name: string, stack = pulumi.getStack()): string {
  const max = POSTGRES_LIMITS.snapshotIdentifierMax;
  const slug = stack
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const id = `${name.toLowerCase()}-${slug ? `${slug}-` : ""}final`;
  if (id.length <= max) return id;
  const hash = createHash("sha256").update(stack).digest("hex").slice(0, 8);
  const room = max - `-${hash}-final`.length;
  return `${name.toLowerCase().slice(0, room).replace(/-+$/, "")}-${hash}-final`;
}

/**
 * What a service that uses the database gets (the one place the link is built):
 * - variables `<P>_HOST`, `<P>_READER_HOST` (Aurora), `<P>_PORT` (5432), `<P>_NAME`, `<P>_SSLMODE`
 *   (`require`: the database refuses plain connections);
 * - with password authentication, the secrets `<P>_USER` and `<P>_PASSWORD` from the RDS-managed master
 *   secret (`<secretArn>:username::`, `<secretArn>:password::`) and, when the secret has a customer
 *   managed key, that key for the execution role. RDS rotates that password every 7 days, and ECS
 *   sets secrets only when a task starts (ECS Developer Guide, "Pass Secrets Manager secrets through
 *   Amazon ECS environment variables"), so a task that outlives a rotation holds a stale password:
 *   the grant also gives `<P>_SECRET_ARN` and `secretsmanager:GetSecretValue` on exactly that secret
 *   (with `kms:Decrypt` on its customer managed key) to the task role, for the application to read
 *   the current `username` and `password` when a new connection is refused (or use `iamAuth`);
 * - with IAM authentication, `<P>_USER` (the IAM database user) as a plain variable and
 *   `rds-db:connect` on exactly `arn:<partition>:rds-db:<region>:<account>:dbuser:<resource id>/<user>`,
 *   and no password;
 * - ingress on 5432 into the database's security group from the service's tasks.
 *
 * `P` is {@link envPrefix} of the name (`orders-db` → `ORDERS_DB`).
 */
export function postgresGrant(name: string, ref: PostgresRef, access: PostgresAccess): LinkGrant {
  checkAccess(TYPE, name, POSTGRES_ACCESS, access);
  const p = envPrefix(name);
  const grant = emptyGrant();
  grant.environment[`${p}_HOST`] = ref.host;
  if (ref.readerHost !== undefined) grant.environment[`${p}_READER_HOST`] = ref.readerHost;
  grant.environment[`${p}_PORT`] = String(POSTGRES_PORT);
  grant.environment[`${p}_NAME`] = ref.databaseName;
  grant.environment[`${p}_SSLMODE`] = "require";
  if (ref.iamUser !== undefined) {
    grant.environment[`${p}_USER`] = ref.iamUser;
    grant.taskRoleStatements.push({
      Sid: `${p.replace(/_/g, "")}Connect`,
      Effect: "Allow",
      Action: ["rds-db:connect"],
      Resource: [
        pulumi.all([ref.arn, ref.resourceId, ref.iamUser]).apply(([arn, resourceId, user]) => {
          const [, partition, , region, account] = arn.split(":");
          return `arn:${partition}:rds-db:${region}:${account}:dbuser:${resourceId}/${user}`;
        }),
      ],
    });
  } else {
    grant.secrets[`${p}_USER`] = pulumi.interpolate`${ref.secretArn}:username::`;
    grant.secrets[`${p}_PASSWORD`] = pulumi.interpolate`${ref.secretArn}:password::`;
    if (ref.secretKmsKeyArn !== undefined) grant.secretKmsKeyArns.push(ref.secretKmsKeyArn);
    // After a rotation the application re-reads the secret itself (see above).
    grant.environment[`${p}_SECRET_ARN`] = ref.secretArn;
    const sid = p.replace(/_/g, "");
    grant.taskRoleStatements.push({
      Sid: `${sid}ReadSecret`,
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue"],
      Resource: [ref.secretArn],
    });
    if (ref.secretKmsKeyArn !== undefined) {
      grant.taskRoleStatements.push({
        Sid: `${sid}DecryptSecret`,
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: [ref.secretKmsKeyArn],
      });
    }
  }
  grant.ingress.push({
    securityGroupId: ref.securityGroupId,
    port: POSTGRES_PORT,
    description: `PostgreSQL ${name}`,
  });
  return grant;
}

/** What the Aurora cluster or the RDS instance gives the component. */
interface Database {
  host: pulumi.Output<string>;
  readerHost: pulumi.Output<string> | undefined;
  port: pulumi.Output<number>;
  databaseName: pulumi.Output<string>;
  secrets: pulumi.Output<{ secretArn: string }[]>;
  resourceId: pulumi.Output<string>;
  arn: pulumi.Output<string>;
}

/** The settings the cluster and the instance share, derived once. */
interface Common {
  name: string;
  args: PostgresArgs;
  r: Resolved;
  tags: Record<string, string>;
  /** Options of the database itself (cluster, instances): protected and retained in prod. */
  keep: pulumi.CustomResourceOptions;
  /** Options of what the database needs (groups): retained in prod with it. */
  needed: pulumi.CustomResourceOptions;
  lifecycle: Record<string, unknown>;
  encryption: Record<string, unknown>;
  insights: Record<string, unknown>;
  securityGroupId: pulumi.Output<string>;
  subnetGroupName: pulumi.Output<string>;
}

/** TLS only: the server refuses connections without SSL (`rds.force_ssl`, a dynamic parameter). */
const FORCE_SSL = [{ name: "rds.force_ssl", value: "1", applyMethod: "immediate" }];

function commonSettings(scope: pulumi.ComponentResource, name: string, args: PostgresArgs, r: Resolved) {
  const parent = { parent: scope } as pulumi.CustomResourceOptions;
  const kms = args.kmsKeyArn;
  return {
    tags: mergeTags(args.tags),
    keep: { ...parent, ...(r.protect ? { protect: true, retainOnDelete: true } : {}) },
    needed: { ...parent, ...(r.protect ? { retainOnDelete: true } : {}) },
    lifecycle: r.protect
      ? {
          deletionProtection: true,
          skipFinalSnapshot: false,
          finalSnapshotIdentifier: finalSnapshotIdentifier(name),
          deleteAutomatedBackups: false,
        }
      : { deletionProtection: false, skipFinalSnapshot: true, deleteAutomatedBackups: true },
    // No password in the state: RDS creates and rotates it in Secrets Manager.
    encryption: {
      storageEncrypted: true,
      ...(kms !== undefined ? { kmsKeyId: kms } : {}),
      manageMasterUserPassword: true,
      ...(args.masterUserSecretKmsKeyArn !== undefined
        ? { masterUserSecretKmsKeyId: args.masterUserSecretKmsKeyArn }
        : {}),
    },
    insights: r.performanceInsights
      ? {
          performanceInsightsEnabled: true,
          performanceInsightsRetentionPeriod: r.performanceInsightsRetentionDays,
          ...(kms !== undefined ? { performanceInsightsKmsKeyId: kms } : {}),
        }
      : { performanceInsightsEnabled: false },
  };
}

/** The zone of the writer (the first) or of the reader (the first that differs from the writer's). */
function zoneOf(
  zones: pulumi.Input<pulumi.Input<string>[]>,
  role: "writer" | "reader",
): pulumi.Output<string> {
  return pulumi
    .output(zones)
    .apply((z) => (role === "writer" ? z[0]! : (z.find((x) => x !== z[0]) ?? z[1]!)));
}

function createAurora(c: Common): Database {
  const { name, args, r, tags } = c;
  const t = args.transform ?? {};
  const params = new aws.rds.ClusterParameterGroup(
    `${name}-cluster-params`,
    ...transformed(
      t.clusterParameterGroup,
      {
        family: `aurora-postgresql${r.major}`,
        description: `TLS-only settings of PostgreSQL ${name}`,
        parameters: FORCE_SSL,
        tags,
      } as aws.rds.ClusterParameterGroupArgs,
      c.needed,
    ),
  );
  const cluster = new aws.rds.Cluster(
    `${name}-cluster`,
    ...transformed(
      t.cluster,
      {
        engine: aws.rds.EngineType.AuroraPostgresql,
        engineMode: "provisioned",
        engineVersion: r.engineVersion,
        // A new major in `version` is an in-place upgrade, which RDS refuses without this flag
        // (ModifyDBCluster AllowMajorVersionUpgrade); it changes nothing while the major stays.
        allowMajorVersionUpgrade: true,
        databaseName: r.databaseName,
        masterUsername: r.masterUsername,
        ...c.encryption,
        port: POSTGRES_PORT,
        dbSubnetGroupName: c.subnetGroupName,
        vpcSecurityGroupIds: [c.securityGroupId],
        dbClusterParameterGroupName: params.name,
        serverlessv2ScalingConfiguration: {
          minCapacity: r.minCapacity,
          maxCapacity: r.maxCapacity,
          ...(r.autoPauseSeconds !== undefined ? { secondsUntilAutoPause: r.autoPauseSeconds } : {}),
        },
        iamDatabaseAuthenticationEnabled: r.iamUser !== undefined,
        backupRetentionPeriod: r.backupRetentionDays,
        preferredBackupWindow: r.backupWindow,
        preferredMaintenanceWindow: r.maintenanceWindow,
        autoMinorVersionUpgrade: r.autoMinorVersionUpgrade,
        enabledCloudwatchLogsExports: r.logExports,
        copyTagsToSnapshot: true,
        ...c.lifecycle,
        tags,
      } as aws.rds.ClusterArgs,
      c.keep,
    ),
  );
  const instance = (role: "writer" | "reader", promotionTier: number) =>
    new aws.rds.ClusterInstance(
      `${name}-${role}`,
      ...transformed(
        role === "writer" ? t.writer : t.reader,
        {
          clusterIdentifier: cluster.id,
          engine: aws.rds.EngineType.AuroraPostgresql,
          instanceClass: "db.serverless",
          dbSubnetGroupName: c.subnetGroupName,
          ...(args.availabilityZones !== undefined
            ? { availabilityZone: zoneOf(args.availabilityZones, role) }
            : {}),
          // Tiers 0 and 1 scale with the writer, so the reader can take over at full size.
          promotionTier,
          publiclyAccessible: false,
          autoMinorVersionUpgrade: r.autoMinorVersionUpgrade,
          preferredMaintenanceWindow: r.maintenanceWindow,
          copyTagsToSnapshot: true,
          ...c.insights,
          tags,
        } as aws.rds.ClusterInstanceArgs,
        c.keep,
      ),
    );
  instance("writer", 0);
  if (r.reader) instance("reader", 1);
  return {
    host: cluster.endpoint,
    readerHost: cluster.readerEndpoint,
    port: cluster.port,
    databaseName: cluster.databaseName,
    secrets: cluster.masterUserSecrets,
    resourceId: cluster.clusterResourceId,
    arn: cluster.arn,
  };
}

function createInstance(c: Common): Database {
  const { name, args, r, tags } = c;
  const t = args.transform ?? {};
  const params = new aws.rds.ParameterGroup(
    `${name}-params`,
    ...transformed(
      t.parameterGroup,
      {
        family: `postgres${r.major}`,
        description: `TLS-only settings of PostgreSQL ${name}`,
        parameters: FORCE_SSL,
        tags,
      } as aws.rds.ParameterGroupArgs,
      c.needed,
    ),
  );
  const db = new aws.rds.Instance(
    `${name}-instance`,
    ...transformed(
      t.instance,
      {
        engine: "postgres",
        engineVersion: r.engineVersion,
        // As for Aurora: RDS refuses a major upgrade without it (ModifyDBInstance AllowMajorVersionUpgrade).
        allowMajorVersionUpgrade: true,
        instanceClass: r.instanceClass,
        allocatedStorage: r.storageGb,
        ...(r.maxStorageGb > 0 ? { maxAllocatedStorage: r.maxStorageGb } : {}),
        storageType: "gp3",
        ...c.encryption,
        dbName: r.databaseName,
        username: r.masterUsername,
        port: POSTGRES_PORT,
        dbSubnetGroupName: c.subnetGroupName,
        vpcSecurityGroupIds: [c.securityGroupId],
        parameterGroupName: params.name,
        multiAz: r.multiAz,
        // A Multi-AZ instance takes no zone (CreateDBInstance); a single one goes in the first.
        ...(args.availabilityZones !== undefined && !r.multiAz
          ? { availabilityZone: zoneOf(args.availabilityZones, "writer") }
          : {}),
        publiclyAccessible: false,
        iamDatabaseAuthenticationEnabled: r.iamUser !== undefined,
        backupRetentionPeriod: r.backupRetentionDays,
        backupWindow: r.backupWindow,
        maintenanceWindow: r.maintenanceWindow,
        autoMinorVersionUpgrade: r.autoMinorVersionUpgrade,
        enabledCloudwatchLogsExports: r.logExports,
        ...c.insights,
        copyTagsToSnapshot: true,
        ...c.lifecycle,
        tags,
      } as aws.rds.InstanceArgs,
      c.keep,
    ),
  );
  return {
    host: db.address,
    readerHost: undefined,
    port: db.port,
    databaseName: db.dbName,
    secrets: db.masterUserSecrets,
    resourceId: db.resourceId,
    arn: db.arn,
  };
}

/**
 * A PostgreSQL database in isolated subnets: Aurora PostgreSQL Serverless v2 by default (a writer, and
 * a reader in another zone when asked; scales to zero in dev), or one RDS for PostgreSQL instance.
 * Encrypted at rest (KMS), TLS only (`rds.force_ssl`), the master password created and rotated by RDS
 * in Secrets Manager (never in the state), its own security group without rules (a link opens 5432
 * to a service's tasks), automated backups, Performance Insights and PostgreSQL logs in CloudWatch.
 * With `protect`, it cannot be deleted by accident and leaves a final snapshot.
 *
 * The name becomes the identifiers' auto-names (`<name>-cluster-<random>`, `<name>-writer-<random>`,
 * `<name>-instance-<random>`): letters, digits and single hyphens, starting with a letter, at most 47
 * characters for Aurora and 46 for RDS.
 *
 * @example
 * const db = new Postgres("orders-db", {
 *   vpcId: network.vpcId, subnetIds: network.isolatedSubnetIds, availabilityZones: network.availabilityZones,
 *   minCapacity: 1, reader: true, protect: true,
 * });
 * const grant = db.link("connect"); // ORDERS_DB_HOST, …, ORDERS_DB_PASSWORD (secret), 5432 from the tasks
 */
export class Postgres extends pulumi.ComponentResource implements Linkable<PostgresAccess> {
  readonly accessLevels = POSTGRES_ACCESS;
  /** `"aurora"` or `"rds"`. */
  readonly engine: PostgresEngine;
  /** The writer endpoint's host name. */
  readonly endpoint: pulumi.Output<string>;
  /** Aurora: the reader endpoint's host name (undefined for `rds`). */
  readonly readerEndpoint: pulumi.Output<string> | undefined;
  readonly port: pulumi.Output<number>;
  readonly databaseName: pulumi.Output<string>;
  /** The RDS-managed master user secret (`masterUserSecrets[0].secretArn`). */
  readonly secretArn: pulumi.Output<string>;
  /** The cluster resource id (`cluster-…`, Aurora) or DB instance resource id (`db-…`, RDS). */
  readonly resourceId: pulumi.Output<string>;
  /** The cluster's (Aurora) or instance's (RDS) ARN. */
  readonly arn: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;
  /** The database as a {@link PostgresRef}, for a service or another stack. */
  readonly ref: PostgresRef;
  private readonly linkName: string;

  constructor(name: string, args: PostgresArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const r = validatePostgres(name, args);
    super(TYPE, name, {}, opts);
    this.linkName = name;
    this.engine = r.engine;
    const t = args.transform ?? {};
    const s = commonSettings(this, name, args, r);

    // No rules: the provider removes AWS's default allow-all egress, and each link adds its own
    // ingress rule (5432 from a service's task security group) as a separate resource.
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      ...transformed(
        t.securityGroup,
        {
          vpcId: args.vpcId,
          description: `PostgreSQL ${name}: ingress is added by links only`,
          tags: s.tags,
        } as aws.ec2.SecurityGroupArgs,
        s.needed,
      ),
    );
    const subnetGroup = new aws.rds.SubnetGroup(
      `${name}-subnets`,
      ...transformed(
        t.subnetGroup,
        {
          subnetIds: args.subnetIds,
          description: `Isolated subnets of PostgreSQL ${name}`,
          tags: s.tags,
        } as aws.rds.SubnetGroupArgs,
        s.needed,
      ),
    );
    const common: Common = {
      name,
      args,
      r,
      ...s,
      securityGroupId: securityGroup.id,
      subnetGroupName: subnetGroup.name,
    };
    const db = r.engine === "aurora" ? createAurora(common) : createInstance(common);

    this.endpoint = db.host;
    this.readerEndpoint = db.readerHost;
    this.port = db.port;
    this.databaseName = db.databaseName;
    this.secretArn = db.secrets.apply((list) => list[0]?.secretArn as string);
    this.resourceId = db.resourceId;
    this.arn = db.arn;
    this.securityGroupId = securityGroup.id;
    this.ref = {
      host: db.host,
      ...(db.readerHost !== undefined ? { readerHost: db.readerHost } : {}),
      databaseName: db.databaseName,
      secretArn: this.secretArn,
      ...(args.masterUserSecretKmsKeyArn !== undefined
        ? { secretKmsKeyArn: args.masterUserSecretKmsKeyArn }
        : {}),
      securityGroupId: securityGroup.id,
      resourceId: db.resourceId,
      arn: db.arn,
      ...(r.iamUser !== undefined ? { iamUser: r.iamUser } : {}),
    };
    this.registerOutputs({
      endpoint: this.endpoint,
      readerEndpoint: this.readerEndpoint,
      port: this.port,
      databaseName: this.databaseName,
      secretArn: this.secretArn,
      resourceId: this.resourceId,
      arn: this.arn,
      securityGroupId: this.securityGroupId,
    });
  }

  /** What a service that uses this database gets: see {@link postgresGrant}. */
  link(access: PostgresAccess = "connect"): LinkGrant {
    return postgresGrant(this.linkName, this.ref, access);
  }
}
