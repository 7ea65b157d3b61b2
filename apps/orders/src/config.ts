/**
 * Configuration comes from the environment only. The database and the bucket are required: the
 * platform injects their variables when the manifest's `uses` lists `orders-db` and `receipts`.
 * Everything else is optional, and a blank value counts as unset. A missing or invalid value fails
 * fast with a message that names the variable (never a secret's value).
 */

/** The HTTP server's settings. */
export interface ServerConfig {
  /** `PORT`: TCP port to listen on; callers reach it as http://orders:<port>. 0 picks a free port (tests). @default 8080 */
  port: number;
  /** `HOST`: address to bind. @default "0.0.0.0" */
  host: string;
  /** `SERVICE_NAME`: written in the `listening` log line and in each receipt. @default "orders" */
  serviceName: string;
  /** `APP_VERSION`: image version or commit. @default "dev" */
  version: string;
  /** `DEPLOY_ENV`: environment name (dev, staging, prod). @default "local" */
  environment: string;
  /**
   * `SHUTDOWN_TIMEOUT_MS`: how long the drain may take after SIGTERM before the process gives up and
   * exits 1. The default sits 2 s inside the ECS default `stopTimeout` (10 s), so ECS never has to
   * SIGKILL a draining task. @default 8000
   */
  shutdownTimeoutMs: number;
  /**
   * `KEEP_ALIVE_TIMEOUT_MS`: idle keep-alive timeout. Keep it above the idle timeout of the proxy in
   * front (Service Connect's Envoy), so the proxy closes idle connections first. @default 65000
   */
  keepAliveTimeoutMs: number;
}

/**
 * `ORDERS_DB_SSLMODE`, with libpq's meaning: `disable` is plain TCP; `require` encrypts but does not
 * check the server's certificate; `verify-full` also checks the certificate chain and the host name
 * against Node's CA store plus `NODE_EXTRA_CA_CERTS`.
 */
export const SSL_MODES = ["disable", "require", "verify-full"] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** The `orders-db` link (Postgres): what `pg` needs to connect. */
export interface DatabaseConfig {
  /** `ORDERS_DB_HOST`: the writer endpoint (Aurora's cluster endpoint). Required. */
  host: string;
  /**
   * `ORDERS_DB_READER_HOST`: Aurora's reader endpoint, set when the cluster has a reader. The order
   * list (`GET /orders`) is read there; everything else goes to the writer, so an order is readable
   * right after it is created. @default undefined (all reads on the writer)
   */
  readerHost?: string;
  /** `ORDERS_DB_PORT`. @default 5432 */
  port: number;
  /** `ORDERS_DB_NAME`: the database. Required. */
  database: string;
  /** `ORDERS_DB_USER`: from the cluster's managed secret (ECS `secrets`). Required. */
  user: string;
  /** `ORDERS_DB_PASSWORD`: from the cluster's managed secret (ECS `secrets`). Required; never logged. */
  password: string;
  /** `ORDERS_DB_SSLMODE`: see {@link SSL_MODES}. @default "require" (what the platform injects) */
  sslmode: SslMode;
  /**
   * `ORDERS_DB_SECRET_ARN`: the ARN of the cluster's managed secret, whose `username` and `password`
   * the app re-reads when the database refuses the password (RDS rotates it every 7 days; ECS set
   * `ORDERS_DB_PASSWORD` once, at task start) and when the copy it holds is an hour old. See
   * src/credentials.ts. @default undefined (the password from `ORDERS_DB_PASSWORD` only; nothing
   * calls AWS)
   */
  secretArn?: string;
}

/** The `receipts` link (S3 bucket). */
export interface ReceiptsConfig {
  /** `RECEIPTS_BUCKET`: the bucket name. Required. */
  bucket: string;
  /** `RECEIPTS_BUCKET_ARN`: when set, it must name the same bucket. @default undefined */
  bucketArn?: string;
  /** `RECEIPTS_REGION`: the bucket's region, used by the S3 client. Required. */
  region: string;
}

export interface Config extends ServerConfig {
  database: DatabaseConfig;
  receipts: ReceiptsConfig;
}

export const DEFAULTS: Readonly<ServerConfig> = Object.freeze({
  port: 8080,
  host: "0.0.0.0",
  serviceName: "orders",
  version: "dev",
  environment: "local",
  shutdownTimeoutMs: 8_000,
  keepAliveTimeoutMs: 65_000,
});

export const DATABASE_DEFAULTS = Object.freeze({ port: 5432, sslmode: "require" as SslMode });

/** ECS allows a container stopTimeout of at most 120 seconds; a longer drain can never finish. */
export const MAX_SHUTDOWN_TIMEOUT_MS = 120_000;

/**
 * S3 bucket names: 3–63 characters, lower-case letters, digits, dots and hyphens, starting and ending
 * with a letter or digit (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
 */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** An AWS Region code: us-east-1, eu-central-2, us-gov-west-1, cn-north-1. */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/**
 * A Secrets Manager secret's full ARN: `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>-<6
 * random characters>`. Names hold ASCII letters, digits and `/_+=.@-` (CreateSecret, `Name`); the
 * names RDS gives the secrets it manages also hold `!` (`rds!cluster-<id>`). Group 1 is the region.
 */
export const SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):\d{12}:secret:[A-Za-z0-9/_+=.@!-]+-[A-Za-z0-9]{6}$/;

export class ConfigError extends Error {
  /** `value` undefined: the variable is missing (or blank). Secrets are reported as missing only. */
  constructor(
    readonly variable: string,
    readonly value: string | undefined,
    allowed: string,
  ) {
    super(
      value === undefined
        ? `Missing ${variable}: expected ${allowed}`
        : `Invalid ${variable}=${JSON.stringify(value)}: expected ${allowed}`,
    );
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  return raw ? raw : fallback;
}

function optional(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw ? raw : undefined;
}

function required(env: Env, name: string, expected: string): string {
  const raw = env[name]?.trim();
  if (!raw) throw new ConfigError(name, undefined, expected);
  return raw;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, raw, `an integer from ${min} to ${max}`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, raw, `one of ${allowed.join(", ")}`);
  }
  return raw as T;
}

const LINK_DB = "(injected when the manifest's uses lists orders-db)";
const LINK_BUCKET = "(injected when the manifest's uses lists receipts)";

/** The `ORDERS_DB_*` variables: what the server and the migration (dist/migrate.js) need. */
export function loadDatabaseConfig(env: Env = process.env): DatabaseConfig {
  const host = required(env, "ORDERS_DB_HOST", `the database host name ${LINK_DB}`);
  const port = integer(env, "ORDERS_DB_PORT", DATABASE_DEFAULTS.port, 1, 65_535);
  const database = required(env, "ORDERS_DB_NAME", `the database name ${LINK_DB}`);
  const user = required(env, "ORDERS_DB_USER", `the database user ${LINK_DB}`);
  // Taken as given (not trimmed): a password may contain spaces. Never echoed in an error.
  const password = env.ORDERS_DB_PASSWORD ?? "";
  if (!password.trim()) {
    throw new ConfigError("ORDERS_DB_PASSWORD", undefined, `the database password ${LINK_DB}`);
  }
  const sslmode = oneOf(env, "ORDERS_DB_SSLMODE", SSL_MODES, DATABASE_DEFAULTS.sslmode);
  const readerHost = optional(env, "ORDERS_DB_READER_HOST");
  const secretArn = optional(env, "ORDERS_DB_SECRET_ARN");
  if (secretArn !== undefined && !SECRET_ARN.test(secretArn)) {
    throw new ConfigError(
      "ORDERS_DB_SECRET_ARN",
      secretArn,
      "the full ARN of a Secrets Manager secret, arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>",
    );
  }
  return {
    host,
    ...(readerHost ? { readerHost } : {}),
    port,
    database,
    user,
    password,
    sslmode,
    ...(secretArn ? { secretArn } : {}),
  };
}

/** The `RECEIPTS_*` variables. */
export function loadReceiptsConfig(env: Env = process.env): ReceiptsConfig {
  const bucket = required(env, "RECEIPTS_BUCKET", `the bucket name ${LINK_BUCKET}`);
  if (!BUCKET_NAME.test(bucket)) {
    throw new ConfigError(
      "RECEIPTS_BUCKET",
      bucket,
      "an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens",
    );
  }
  const region = required(env, "RECEIPTS_REGION", `the bucket's AWS Region ${LINK_BUCKET}`);
  if (!REGION.test(region))
    throw new ConfigError("RECEIPTS_REGION", region, "an AWS Region such as eu-west-1");
  const bucketArn = optional(env, "RECEIPTS_BUCKET_ARN");
  if (bucketArn !== undefined && !/^arn:aws(-cn|-us-gov)?:s3:::/.test(bucketArn)) {
    throw new ConfigError("RECEIPTS_BUCKET_ARN", bucketArn, "an S3 bucket ARN, arn:aws:s3:::<bucket>");
  }
  if (bucketArn !== undefined && bucketArn.slice(bucketArn.indexOf(":::") + 3) !== bucket) {
    throw new ConfigError("RECEIPTS_BUCKET_ARN", bucketArn, `the ARN of RECEIPTS_BUCKET (${bucket})`);
  }
  return { bucket, ...(bucketArn ? { bucketArn } : {}), region };
}

/** The HTTP server's variables (all optional). */
export function loadServerConfig(env: Env = process.env): ServerConfig {
  return {
    port: integer(env, "PORT", DEFAULTS.port, 0, 65_535),
    host: text(env, "HOST", DEFAULTS.host),
    serviceName: text(env, "SERVICE_NAME", DEFAULTS.serviceName),
    version: text(env, "APP_VERSION", DEFAULTS.version),
    environment: text(env, "DEPLOY_ENV", DEFAULTS.environment),
    shutdownTimeoutMs: integer(
      env,
      "SHUTDOWN_TIMEOUT_MS",
      DEFAULTS.shutdownTimeoutMs,
      1,
      MAX_SHUTDOWN_TIMEOUT_MS,
    ),
    keepAliveTimeoutMs: integer(env, "KEEP_ALIVE_TIMEOUT_MS", DEFAULTS.keepAliveTimeoutMs, 1_000, 600_000),
  };
}

/** Reads the whole configuration from `env` (default `process.env`). Throws {@link ConfigError}. */
export function loadConfig(env: Env = process.env): Config {
  return { ...loadServerConfig(env), database: loadDatabaseConfig(env), receipts: loadReceiptsConfig(env) };
}
