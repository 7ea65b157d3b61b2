import { createHash, randomBytes } from "node:crypto";
import {
  checkComponent,
  checkTags,
  emptyGrant,
  envPrefix,
  known,
  type Linkable,
  type LinkGrant,
  mergeTags,
  type Transform,
  transformed,
} from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkAccess } from "./grant.js";

const TYPE = "berth:data:Cache";

/** How a service may use a cache; the first is the default of `uses`. */
export const CACHE_ACCESS = ["connect"] as const;
export type CacheAccess = (typeof CACHE_ACCESS)[number];

/** The cache engines ElastiCache Serverless offers with IAM authentication (Valkey and Redis OSS). */
export type CacheEngine = "valkey" | "redis";

/**
 * The major versions of each engine (Amazon ElastiCache User Guide, "Engine versions and upgrading
 * in ElastiCache": Valkey 7.2, 8.x and 9.0, Redis OSS 7.1 for serverless caches). IAM authentication
 * needs Valkey 7.2 or Redis OSS 7.0 and above ("Authenticating with IAM", limitations), which every
 * one of these is.
 */
export const CACHE_ENGINE_VERSIONS: Record<CacheEngine, readonly string[]> = {
  valkey: ["7", "8", "9"],
  redis: ["7"],
};

/** The major version used when none is given. */
export const CACHE_DEFAULT_VERSION: Record<CacheEngine, string> = { valkey: "8", redis: "7" };

/**
 * A serverless cache's limits: storage 1 to 5,000 GB and 1,000 to 15,000,000 ECPUs per second
 * (ElastiCache API Reference, DataStorage and ECPUPerSecond; the provider's
 * ServerlessCacheCacheUsageLimits), at most 35 daily snapshots kept (the provider's
 * snapshot_retention_limit validator; 0 turns daily snapshots off), a description of at most 255
 * characters (CreateServerlessCache).
 */
export const CACHE_LIMITS = {
  maxDataStorageGb: { min: 1, max: 5000 },
  maxEcpuPerSecond: { min: 1000, max: 15_000_000 },
  snapshotRetentionDays: { min: 0, max: 35 },
  descriptionLength: 255,
} as const;

/**
 * The cache's name: at most 40 characters (the limit of ElastiCache cache identifiers, which the
 * console and the CDK apply to serverless caches), a letter first, then letters, digits and single
 * hyphens, stored in lower case (CreateServerlessCache). Pulumi appends `-` and 7 random
 * characters, so the component's name has at most 32.
 */
export const CACHE_NAME_MAX = 40;
const AUTO_NAME_SUFFIX = 8;

/**
 * The IAM-authenticated user's id, also its user name (IAM authentication requires both to be
 * equal: "Authenticating with IAM", limitations). User ids start with a letter and have letters,
 * digits and hyphens (CreateUser: `[a-zA-Z][a-zA-Z0-9\-]*`); Berth keeps them lower case and at
 * most 32 characters, so that `<id>-default` and `<id>-group` stay within 40.
 */
export const CACHE_USER_ID_MAX = 32;

/** The ports of a serverless cache: 6379 reads and writes, 6380 reads from replicas. */
export const CACHE_PORT = 6379;
export const CACHE_READER_PORT = 6380;

/**
 * A cache as plain outputs, as {@link Cache} exports it and {@link cacheGrant} takes it: a platform
 * stack can export it and a service stack rebuild the grant from a StackReference.
 *
 * @example
 * const ref: CacheRef = { name: "cache-1a2b3c4", host: "cache-1a2b3c4-x7k2pq.serverless.euw1.cache.amazonaws.com",
 *   arn: "arn:aws:elasticache:eu-west-1:123456789012:serverlesscache:cache-1a2b3c4",
 *   userId: "cache-prod", userArn: "arn:aws:elasticache:eu-west-1:123456789012:user:cache-prod",
 *   securityGroupId: "sg-0123456789abcdef0" };
 */
export interface CacheRef {
  /** The serverless cache's name (`<PREFIX>_CACHE_NAME`): the IAM auth token is signed for it. */
  name: pulumi.Input<string>;
  /** The cache's ARN: `elasticache:Connect` is granted on it. */
  arn: pulumi.Input<string>;
  /** The endpoint's host name (`<PREFIX>_HOST`); port 6379 writes, 6380 reads from replicas. */
  host: pulumi.Input<string>;
  /** The IAM-authenticated user's id (`<PREFIX>_USER`), also its user name. */
  userId: pulumi.Input<string>;
  /** The user's ARN: `elasticache:Connect` is granted on it too. */
  userArn: pulumi.Input<string>;
  /** The cache's security group: a link admits the service's tasks on 6379 and 6380. */
  securityGroupId: pulumi.Input<string>;
}

export interface CacheArgs {
  /**
   * The VPC of the cache's security group (the VPC of `subnetIds`).
   * @example vpcId: network.vpcId
   */
  vpcId: pulumi.Input<string>;
  /**
   * Private subnets, at least two in different Availability Zones, where the cache's endpoint
   * lives. **Replaces** the cache when changed.
   * @example subnetIds: network.privateSubnetIds
   */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * The engine: Valkey (open source, cheaper) or Redis OSS. **Replaces** the cache when changed.
   * @default "valkey"
   * @example engine: "redis"
   */
  engine?: CacheEngine;
  /**
   * The engine's major version (Valkey "7", "8" or "9"; Redis OSS "7"). ElastiCache applies minor
   * versions itself. **Replaces** the cache when changed.
   * @default "8" for Valkey, "7" for Redis OSS
   * @example version: "7"
   */
  version?: string;
  /**
   * The most data the cache stores, in GB (1 to 5,000): writes fail above it, which caps the cost.
   * @default 10
   * @example maxDataStorageGb: 50
   */
  maxDataStorageGb?: number;
  /**
   * The most ElastiCache Processing Units per second (1,000 to 15,000,000): requests are throttled
   * above it, which caps the cost.
   * @default 5000
   * @example maxEcpuPerSecond: 20000
   */
  maxEcpuPerSecond?: number;
  /**
   * Days of daily snapshots kept (0 to 35; 0: no daily snapshots). A protected cache keeps at
   * least one.
   * @default 1
   * @example snapshotRetentionDays: 7
   */
  snapshotRetentionDays?: number;
  /**
   * When the daily snapshot starts, `HH:MM` in UTC (with snapshots only).
   * @default ElastiCache's choice
   * @example dailySnapshotTime: "03:00"
   */
  dailySnapshotTime?: string;
  /**
   * A customer managed KMS key for the data at rest. **Replaces** the cache when changed.
   * @default an AWS owned key
   * @example kmsKeyArn: key.arn
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * The cache's description (at most 255 characters, no `<` or `>`).
   * @default "Berth cache <name>"
   * @example description: "Sessions and rate limits of the storefront"
   */
  description?: string;
  /**
   * The id (and user name) of the IAM-authenticated user services connect as: lower-case letters,
   * digits and hyphens, a letter first, at most 32 characters. User ids are unique in an account
   * and region, so the default includes the stack. **Replaces** the user when changed.
   * @default "<name>-<stack>" (shortened with a hash when longer than 32 characters)
   * @example userId: "storefront-cache"
   */
  userId?: string;
  /**
   * What that user may do, as an ACL access string (ElastiCache RBAC: no passwords, no `nopass`,
   * no `reset` in it).
   * @default "on ~* +@all"
   * @example accessString: "on ~app:* -@all +@read +@write"
   */
  accessString?: string;
  /**
   * Production: every child is protected and retained on delete (`protect`, `retainOnDelete`), and
   * daily snapshots must be on. The provider takes no final snapshot when a cache is deleted (it
   * sends no FinalSnapshotName), so the daily snapshots are the copy that remains.
   * @default false
   * @example protect: true
   */
  protect?: boolean;
  /**
   * Tags for every child.
   * @default {}
   * @example tags: { Team: "storefront" }
   */
  tags?: Record<string, string>;
  /** Changes to the children's args or options before they are created. */
  transform?: {
    /** The cache's security group (`aws.ec2.SecurityGroup`). */
    securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    /** The IAM-authenticated user (`aws.elasticache.User`). */
    user?: Transform<aws.elasticache.UserArgs>;
    /** Redis OSS only: the disabled user named `default` a Redis user group must hold (`aws.elasticache.User`). */
    defaultUser?: Transform<aws.elasticache.UserArgs>;
    /** The user group (`aws.elasticache.UserGroup`). */
    userGroup?: Transform<aws.elasticache.UserGroupArgs>;
    /** The serverless cache (`aws.elasticache.ServerlessCache`). */
    cache?: Transform<aws.elasticache.ServerlessCacheArgs>;
  };
}

interface Resolved {
  engine: CacheEngine;
  version: string;
  maxDataStorageGb: number;
  maxEcpuPerSecond: number;
  snapshotRetentionDays: number;
  dailySnapshotTime?: string;
  kmsKeyArn?: pulumi.Input<string>;
  description: string;
  userId: string;
  accessString: string;
  protect: boolean;
}

/** `<name>-<stack>` in lower case, or the name shortened with a hash of the stack when too long. */
function defaultUserId(name: string): string {
  const stack = pulumi
    .getStack()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const id = `${name}-${stack}`;
  if (id.length <= CACHE_USER_ID_MAX) return id;
  const hash = createHash("sha256")
    .update(`${pulumi.getProject()}/${pulumi.getStack()}/${name}`)
    .digest("hex");
  return `${name.slice(0, CACHE_USER_ID_MAX - 7).replace(/-+$/, "")}-${hash.slice(0, 6)}`;
}

/** Access-string tokens that set passwords or reset the user (ElastiCache RBAC rejects them). */
const FORBIDDEN_ACL = /^(nopass|resetpass|reset)$|^[<>#!]/;

function validateCache(name: string, args: CacheArgs): Resolved {
  const v = checkComponent(TYPE, name, args);
  const a = (args ?? {}) as Partial<CacheArgs>;
  const maxName = CACHE_NAME_MAX - AUTO_NAME_SUFFIX;
  v.check(
    /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name),
    "name",
    name,
    "the cache is named <name>-<7 random characters> and ElastiCache cache names have lower-case letters, digits and single hyphens, starting with a letter",
  );
  v.check(
    name.length <= maxName,
    "name",
    name,
    `the cache is named <name>-<7 random characters> and a serverless cache name has at most ${CACHE_NAME_MAX} characters: use at most ${maxName} characters`,
  );
  checkTags(v, "tags", a.tags);
  v.required("vpcId", a.vpcId, "give the VPC of the cache's subnets (the network's vpcId)");
  v.matches("vpcId", a.vpcId, /^vpc-[0-9a-f]{8,17}$/, "a VPC id looks like vpc-0123456789abcdef0");
  v.required("subnetIds", a.subnetIds, "give the private subnets of the cache's endpoint (at least two)");
  const subnets = known(a.subnetIds);
  if (subnets !== undefined) {
    v.check(
      Array.isArray(subnets) && subnets.length >= 2,
      "subnetIds",
      subnets,
      "give at least two private subnets in different Availability Zones, so the endpoint survives the loss of one",
    );
    for (const s of subnets) {
      v.matches("subnetIds", s, /^subnet-[0-9a-f]{8,17}$/, "a subnet id looks like subnet-0123456789abcdef0");
    }
    v.unique(
      "subnetIds",
      subnets.map((s) => known(s)).filter((s) => s !== undefined),
    );
  }
  v.oneOf("engine", a.engine, Object.keys(CACHE_ENGINE_VERSIONS) as CacheEngine[]);
  const engine = a.engine ?? "valkey";
  if (a.version !== undefined) {
    v.check(
      CACHE_ENGINE_VERSIONS[engine].includes(a.version),
      "version",
      a.version,
      `${engine} offers the major versions ${CACHE_ENGINE_VERSIONS[engine].map((x) => JSON.stringify(x)).join(", ")} (quote it: a text, not a number)`,
    );
  }
  const L = CACHE_LIMITS;
  v.integer("maxDataStorageGb", a.maxDataStorageGb, L.maxDataStorageGb, " GB");
  v.integer("maxEcpuPerSecond", a.maxEcpuPerSecond, L.maxEcpuPerSecond, " ECPUs per second");
  v.integer("snapshotRetentionDays", a.snapshotRetentionDays, L.snapshotRetentionDays, " days");
  v.check(
    a.protect === undefined || typeof a.protect === "boolean",
    "protect",
    a.protect,
    "give true or false",
  );
  const protect = a.protect ?? false;
  const snapshotRetentionDays = a.snapshotRetentionDays ?? 1;
  v.check(
    !protect || snapshotRetentionDays >= 1,
    "snapshotRetentionDays",
    snapshotRetentionDays,
    "a protected cache keeps daily snapshots (at least 1 day): deleting a cache takes no final snapshot",
  );
  if (a.dailySnapshotTime !== undefined) {
    v.matches(
      "dailySnapshotTime",
      a.dailySnapshotTime,
      /^([01]\d|2[0-3]):[0-5]\d$/,
      'a UTC time of day as HH:MM, e.g. "03:00"',
    );
    v.check(
      snapshotRetentionDays >= 1,
      "dailySnapshotTime",
      a.dailySnapshotTime,
      "applies with daily snapshots: set snapshotRetentionDays to at least 1",
    );
  }
  if (a.kmsKeyArn !== undefined) v.arn("kmsKeyArn", a.kmsKeyArn, "kms", /^key\/.+/);
  const description = a.description ?? `Berth cache ${name}`;
  v.check(
    typeof description === "string" && description.length <= L.descriptionLength && !/[<>]/.test(description),
    "description",
    description,
    `at most ${L.descriptionLength} characters, without < or >`,
  );
  const userId = a.userId ?? defaultUserId(name);
  v.check(
    typeof userId === "string" && /^[a-z][a-z0-9-]*$/.test(userId) && userId.length <= CACHE_USER_ID_MAX,
    "userId",
    userId,
    `an ElastiCache user id is a letter followed by letters, digits and hyphens; Berth keeps it lower case and at most ${CACHE_USER_ID_MAX} characters`,
  );
  v.check(
    userId !== "default",
    "userId",
    userId,
    'ElastiCache reserves the user id "default" (its own default user)',
  );
  const accessString = a.accessString ?? "on ~* +@all";
  v.check(
    typeof accessString === "string" && accessString.trim() !== "",
    "accessString",
    accessString,
    'give an ACL access string, e.g. "on ~* +@all"',
  );
  const forbidden = accessString.split(/\s+/).find((token) => FORBIDDEN_ACL.test(token));
  v.check(
    forbidden === undefined,
    "accessString",
    accessString,
    `ElastiCache access strings take no passwords and no nopass, resetpass or reset (found ${JSON.stringify(forbidden)}): the user authenticates with IAM`,
  );
  return {
    engine,
    version: a.version ?? CACHE_DEFAULT_VERSION[engine],
    maxDataStorageGb: a.maxDataStorageGb ?? 10,
    maxEcpuPerSecond: a.maxEcpuPerSecond ?? 5000,
    snapshotRetentionDays,
    ...(a.dailySnapshotTime !== undefined ? { dailySnapshotTime: a.dailySnapshotTime } : {}),
    ...(a.kmsKeyArn !== undefined ? { kmsKeyArn: a.kmsKeyArn } : {}),
    description,
    userId,
    accessString,
    protect,
  };
}

/**
 * What a service that uses cache `name` gets (the one place a cache grant is built; `Cache.link` and
 * a service stack holding only a {@link CacheRef} both call it): `elasticache:Connect` on the cache's
 * ARN and on the IAM-authenticated user's ARN, ingress on 6379 and 6380 from the service's tasks,
 * and (`P` = `envPrefix(name)`) `P_HOST`, `P_PORT` ("6379"), `P_READER_PORT` ("6380"), `P_TLS`
 * ("true"), `P_USER` (the user id) and `P_CACHE_NAME` (the cache's name, for the token). No
 * password: the application signs an IAM auth token with the task role (see {@link Cache}).
 *
 * @example
 * const grant = cacheGrant("cache", cache.ref, "connect"); // CACHE_HOST, CACHE_USER, …
 */
export function cacheGrant(name: string, ref: CacheRef, access: CacheAccess): LinkGrant {
  checkAccess(TYPE, name, CACHE_ACCESS, access);
  const prefix = envPrefix(name);
  if (prefix === "") throw new Error(`${TYPE} '${name}': the name gives no variable prefix`);
  const grant = emptyGrant();
  grant.taskRoleStatements.push({
    Sid: `${prefix.replace(/_/g, "")}Connect`,
    Effect: "Allow",
    Action: ["elasticache:Connect"],
    Resource: [ref.arn, ref.userArn],
  });
  grant.environment[`${prefix}_HOST`] = ref.host;
  grant.environment[`${prefix}_PORT`] = String(CACHE_PORT);
  grant.environment[`${prefix}_READER_PORT`] = String(CACHE_READER_PORT);
  grant.environment[`${prefix}_TLS`] = "true";
  grant.environment[`${prefix}_USER`] = ref.userId;
  grant.environment[`${prefix}_CACHE_NAME`] = ref.name;
  grant.ingress.push(
    {
      securityGroupId: ref.securityGroupId,
      port: CACHE_PORT,
      description: `Cache ${name}: reads and writes (TLS)`,
    },
    {
      securityGroupId: ref.securityGroupId,
      port: CACHE_READER_PORT,
      description: `Cache ${name}: reads from replicas (TLS)`,
    },
  );
  return grant;
}

/**
 * An ElastiCache Serverless cache (Valkey by default, or Redis OSS) in private subnets, reached
 * only with TLS (always on for serverless caches) and only by IAM authentication: there is no
 * password anywhere. Its own security group admits nothing until a service links it
 * ({@link Cache.link} opens 6379 and 6380 from that service's tasks). Data at rest is encrypted
 * (an AWS owned key, or `kmsKeyArn`); storage and ECPUs are capped; daily snapshots are kept.
 *
 * Authentication: an ElastiCache user with IAM authentication (id = user name = `userId`) in the
 * cache's user group. A Redis OSS user group must also hold a user named `default`: Berth adds one
 * that is disabled (`off -@all`) and whose password is random, never output and never known (a
 * Valkey user group needs none).
 *
 * How an application connects (the task role has `elasticache:Connect` on the cache and the user):
 * 1. Build the request `GET http://<CACHE_NAME>/?Action=connect&User=<USER>&ResourceType=ServerlessCache`
 *    (the cache name in lower case) and presign it with SigV4 for the service `elasticache` in the
 *    cache's region, with the task role's credentials and an expiry of 900 seconds.
 * 2. The token is that presigned URL without its `http://` scheme.
 * 3. Connect over TLS to `<HOST>:<PORT>` (or `<READER_PORT>` for replica reads) and authenticate with
 *    user `<USER>` and the token as password (`AUTH` or `HELLO`).
 * A token is valid for 15 minutes; ElastiCache closes an IAM-authenticated connection after 12
 * hours unless it re-authenticates with a fresh token, so use a client with a credentials provider
 * that signs a new token per connection ("Authenticating with IAM", Amazon ElastiCache User Guide).
 *
 * The name becomes the cache's name (`<name>-<7 random characters>`, lower case, at most 32
 * characters in the name).
 *
 * @example
 * const cache = new Cache("cache", { vpcId: network.vpcId, subnetIds: network.privateSubnetIds, protect: true });
 * const grant = cache.link("connect"); // CACHE_HOST, CACHE_USER, CACHE_CACHE_NAME, elasticache:Connect
 */
export class Cache extends pulumi.ComponentResource implements Linkable<CacheAccess> {
  readonly accessLevels = CACHE_ACCESS;
  /** The serverless cache's name (what the IAM auth token is signed for). */
  readonly cacheName: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** The endpoint's host name: port 6379 reads and writes, 6380 reads from replicas. */
  readonly host: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;
  /** The IAM-authenticated user's id (also its user name). */
  readonly userId: pulumi.Output<string>;
  readonly userArn: pulumi.Output<string>;
  readonly userGroupId: pulumi.Output<string>;
  /** The cache as a {@link CacheRef}, for a service or another stack. */
  readonly ref: CacheRef;
  private readonly linkName: string;

  constructor(name: string, args: CacheArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const r = validateCache(name, args);
    super(TYPE, name, {}, opts);
    this.linkName = name;
    const tags = mergeTags(args.tags);
    const t = args.transform ?? {};
    const child: pulumi.CustomResourceOptions = {
      parent: this,
      ...(r.protect ? { protect: true, retainOnDelete: true } : {}),
    };

    // No ingress and no egress: each link adds exactly its two ports from one service's tasks.
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      ...transformed(
        t.securityGroup,
        {
          vpcId: args.vpcId,
          description: `ElastiCache ${name}: linked services connect on ${CACHE_PORT} and ${CACHE_READER_PORT}`,
          tags,
        } as aws.ec2.SecurityGroupArgs,
        child,
      ),
    );
    const user = new aws.elasticache.User(
      `${name}-user`,
      ...transformed(
        t.user,
        {
          userId: r.userId,
          userName: r.userId,
          engine: r.engine,
          accessString: r.accessString,
          authenticationMode: { type: "iam" },
          tags,
        } as aws.elasticache.UserArgs,
        child,
      ),
    );
    const members: pulumi.Input<string>[] = [user.userId];
    if (r.engine === "redis") {
      // A Redis OSS user group must hold a user named "default" (ElastiCache's DefaultUserRequired);
      // its id cannot be "default" (ElastiCache's own user), so IAM authentication, which needs
      // id = name, is not possible for it. It is disabled and its password is random: nobody can
      // authenticate as it. The password is set once (ignoreChanges), a secret in the state only.
      const defaultUser = new aws.elasticache.User(
        `${name}-default-user`,
        ...transformed(
          t.defaultUser,
          {
            userId: `${r.userId}-default`,
            userName: "default",
            engine: "redis",
            accessString: "off -@all",
            authenticationMode: {
              type: "password",
              passwords: [pulumi.secret(randomBytes(36).toString("base64url"))],
            },
            tags,
          } as aws.elasticache.UserArgs,
          { ...child, ignoreChanges: ["authenticationMode"] },
        ),
      );
      members.unshift(defaultUser.userId);
    }
    const userGroup = new aws.elasticache.UserGroup(
      `${name}-users`,
      ...transformed(
        t.userGroup,
        {
          userGroupId: `${r.userId}-group`,
          engine: r.engine,
          userIds: members,
          tags,
        } as aws.elasticache.UserGroupArgs,
        child,
      ),
    );
    const cache = new aws.elasticache.ServerlessCache(
      name,
      ...transformed(
        t.cache,
        {
          engine: r.engine,
          majorEngineVersion: r.version,
          description: r.description,
          cacheUsageLimits: {
            dataStorage: { maximum: r.maxDataStorageGb, unit: "GB" },
            ecpuPerSeconds: [{ maximum: r.maxEcpuPerSecond }],
          },
          snapshotRetentionLimit: r.snapshotRetentionDays,
          ...(r.dailySnapshotTime !== undefined ? { dailySnapshotTime: r.dailySnapshotTime } : {}),
          ...(r.kmsKeyArn !== undefined ? { kmsKeyId: r.kmsKeyArn } : {}),
          securityGroupIds: [securityGroup.id],
          subnetIds: args.subnetIds,
          userGroupId: userGroup.userGroupId,
          tags,
        } as aws.elasticache.ServerlessCacheArgs,
        child,
      ),
    );

    this.cacheName = cache.name;
    this.arn = cache.arn;
    this.host = cache.endpoints.apply((e) => e[0]?.address ?? "");
    this.securityGroupId = securityGroup.id;
    this.userId = user.userId;
    this.userArn = user.arn;
    this.userGroupId = userGroup.userGroupId;
    this.ref = {
      name: this.cacheName,
      arn: this.arn,
      host: this.host,
      userId: this.userId,
      userArn: this.userArn,
      securityGroupId: this.securityGroupId,
    };
    this.registerOutputs({
      cacheName: this.cacheName,
      arn: this.arn,
      host: this.host,
      securityGroupId: this.securityGroupId,
      userId: this.userId,
      userArn: this.userArn,
      userGroupId: this.userGroupId,
    });
  }

  /** What a service that uses this cache gets: {@link cacheGrant} with this cache's name and ref. */
  link(access: CacheAccess): LinkGrant {
    return cacheGrant(this.linkName, this.ref, access);
  }
}
