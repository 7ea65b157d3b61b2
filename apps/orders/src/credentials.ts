import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { type DatabaseConfig, SECRET_ARN } from "./config";
import { errorFields, type Logger } from "./log";

/**
 * The database login, kept current across password rotations.
 *
 * RDS rotates the password of the cluster's managed master secret every 7 days (Aurora User Guide,
 * "Password management with Amazon RDS and AWS Secrets Manager"), but ECS reads the secret into
 * `ORDERS_DB_USER` and `ORDERS_DB_PASSWORD` only when a task starts. Connections already open keep
 * working after a rotation; a new one is refused with SQLSTATE 28P01 (invalid_password). So, when
 * `ORDERS_DB_SECRET_ARN` is set:
 *
 * - a refused login makes the pool read the secret again (`GetSecretValue`, its JSON `username` and
 *   `password`) and retry that connection once with what it holds ({@link afterRefused});
 * - a login whose copy is older than {@link DEFAULT_MAX_AGE_MS} reads the secret first
 *   ({@link password}), so most rotations are picked up before any login fails;
 * - reads are shared (one read at a time, whatever the number of connections waiting on it) and
 *   spaced out: after a read, the next one waits {@link DEFAULT_MIN_INTERVAL_MS}, doubled after each
 *   read that failed or brought back the refused password (Secrets Manager may still hand out the
 *   previous version while a rotation completes, typically within a minute: Secrets Manager User
 *   Guide, "Managed rotation"), up to {@link DEFAULT_MAX_INTERVAL_MS}. Until then a refused login
 *   fails as it is.
 *
 * Without `ORDERS_DB_SECRET_ARN` (local runs, compose) the password is `ORDERS_DB_PASSWORD` for good,
 * and nothing loads the AWS SDK or calls AWS. The password is never logged.
 */

/** Re-read the secret before a login when the copy held is this old. @default 1 hour */
export const DEFAULT_MAX_AGE_MS = 60 * 60 * 1_000;
/** The least time between two reads of the secret. @default 5 s */
export const DEFAULT_MIN_INTERVAL_MS = 5_000;
/** The most time between two reads of the secret, however many failed. @default 5 minutes */
export const DEFAULT_MAX_INTERVAL_MS = 5 * 60 * 1_000;
/** Connecting to Secrets Manager, then waiting for its answer (the SDK retries on top). */
const CONNECT_TIMEOUT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 5_000;

/** SQLSTATE 28P01 (invalid_password): PostgreSQL's "password authentication failed for user". */
export const INVALID_PASSWORD = "28P01";

/** True for the error a refused password gives (pg's DatabaseError carries the SQLSTATE as `code`). */
export function isPasswordRefused(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === INVALID_PASSWORD;
}

/** Makes the Secrets Manager client for the secret's region. */
export type SecretsManagerFactory = (region: string) => SecretsManagerClient | Promise<SecretsManagerClient>;

/**
 * The SDK's client with its default credentials (the task role in ECS), loaded only when first
 * needed: without a secret ARN the SDK is never loaded.
 */
export const defaultSecretsManager: SecretsManagerFactory = async (region) => {
  const { SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
  return new SecretsManagerClient({
    region,
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
  });
};

export interface DatabaseCredentialsOptions {
  /** `user` and `password` as ECS set them at task start, and the secret to re-read them from. */
  db: Pick<DatabaseConfig, "user" | "password" | "secretArn">;
  /** Where reads of the secret are logged (never the password). */
  logger: Logger;
  /**
   * Makes the Secrets Manager client, once, at the first read.
   * @default {@link defaultSecretsManager}
   * @example secretsManager: (region) => new SecretsManagerClient({ region })
   */
  secretsManager?: SecretsManagerFactory;
  /** @default {@link DEFAULT_MAX_AGE_MS} @example maxAgeMs: 15 * 60_000 */
  maxAgeMs?: number;
  /** @default {@link DEFAULT_MIN_INTERVAL_MS} @example minIntervalMs: 1_000 */
  minIntervalMs?: number;
  /** @default {@link DEFAULT_MAX_INTERVAL_MS} @example maxIntervalMs: 60_000 */
  maxIntervalMs?: number;
  /** The clock, in milliseconds. @default Date.now */
  now?: () => number;
}

/** Why the secret is read: a login was refused, or the copy held is too old. */
export type ReadReason = "password refused" | "max age";

/** Thrown for a secret whose value is not what RDS writes; says nothing of the value itself. */
class SecretFormatError extends Error {
  constructor(detail: string) {
    super(`the secret's value is not a JSON object with string "username" and "password" (${detail})`);
    this.name = "SecretFormatError";
  }
}

function parseSecret(text: string | undefined): { username: string; password: string } {
  if (text === undefined) throw new SecretFormatError("it has no SecretString");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text it could not read: never pass it on.
    throw new SecretFormatError("it is not JSON");
  }
  const { username, password } = (typeof value === "object" && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  if (typeof username !== "string" || username === "") throw new SecretFormatError("no username");
  if (typeof password !== "string" || password === "") throw new SecretFormatError("no password");
  return { username, password };
}

export class DatabaseCredentials {
  readonly #secretArn: string | undefined;
  readonly #logger: Logger;
  readonly #factory: SecretsManagerFactory;
  readonly #maxAgeMs: number;
  readonly #minIntervalMs: number;
  readonly #maxIntervalMs: number;
  readonly #now: () => number;
  #user: string;
  #password: string;
  #version = 0;
  /** When the login held was last known current: the start, then each successful read. */
  #checkedAt: number;
  #lastReadAt = Number.NEGATIVE_INFINITY;
  /** Reads in a row that failed or brought back a refused password: each doubles the wait. */
  #setbacks = 0;
  #reading: Promise<void> | undefined;
  #client: Promise<SecretsManagerClient> | undefined;

  constructor(options: DatabaseCredentialsOptions) {
    const { db } = options;
    if (db.secretArn !== undefined && !SECRET_ARN.test(db.secretArn)) {
      throw new Error(`not a Secrets Manager secret ARN: ${db.secretArn}`);
    }
    this.#secretArn = db.secretArn;
    this.#user = db.user;
    this.#password = db.password;
    this.#logger = options.logger;
    this.#factory = options.secretsManager ?? defaultSecretsManager;
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.#minIntervalMs = options.minIntervalMs ?? DEFAULT_MIN_INTERVAL_MS;
    this.#maxIntervalMs = options.maxIntervalMs ?? DEFAULT_MAX_INTERVAL_MS;
    this.#now = options.now ?? Date.now;
    this.#checkedAt = this.#now();
  }

  /** The login name: `ORDERS_DB_USER`, then the secret's `username`. */
  get user(): string {
    return this.#user;
  }

  /** Grows by one each time a read brings a different login. */
  get version(): number {
    return this.#version;
  }

  /**
   * `pg`'s `password` option: called for each new connection, when the server asks for the
   * password. Waits for a read under way; reads the secret first when the copy held is too old (a
   * failed read is logged and the copy held is used).
   */
  readonly password = async (): Promise<string> => {
    if (this.#reading) await this.#reading;
    else if (this.#secretArn && this.#now() - this.#checkedAt >= this.#maxAgeMs && this.#mayRead()) {
      await this.#read("max age");
    }
    return this.#password;
  };

  /**
   * A login with the credentials of `version` was refused. Resolves true when a retry may succeed:
   * the login has changed since (another connection's read), or a read now brought a new one.
   * Resolves false without a secret ARN, when the secret still holds the refused password, or when
   * the last read is too recent (see the wait above).
   */
  async afterRefused(version: number): Promise<boolean> {
    if (this.#version !== version) return true;
    if (this.#secretArn === undefined) return false;
    if (this.#reading) await this.#reading;
    else if (this.#mayRead()) await this.#read("password refused");
    return this.#version !== version;
  }

  /** Closes the Secrets Manager client, if one was made. */
  async close(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    if (client) (await client.catch(() => undefined))?.destroy();
  }

  /** How long after the last read the next may start. */
  #interval(): number {
    return Math.min(this.#maxIntervalMs, this.#minIntervalMs * 2 ** this.#setbacks);
  }

  #mayRead(): boolean {
    return this.#now() - this.#lastReadAt >= this.#interval();
  }

  #read(reason: ReadReason): Promise<void> {
    this.#reading ??= this.#readSecret(reason).finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  async #readSecret(reason: ReadReason): Promise<void> {
    const secretArn = this.#secretArn!;
    this.#lastReadAt = this.#now();
    try {
      this.#client ??= Promise.resolve(this.#factory(SECRET_ARN.exec(secretArn)![1]!));
      const client = await this.#client;
      const { GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
      const out = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
      const { username, password } = parseSecret(out.SecretString);
      this.#checkedAt = this.#now();
      const changed = username !== this.#user || password !== this.#password;
      if (changed) {
        this.#user = username;
        this.#password = password;
        this.#version += 1;
        this.#setbacks = 0;
      } else if (reason === "password refused") {
        this.#setbacks += 1;
      } else {
        this.#setbacks = 0;
      }
      const fields = { secret_arn: secretArn, reason, changed, version_id: out.VersionId };
      if (changed || reason === "max age") this.#logger.info("database secret read", fields);
      else {
        this.#logger.warn("database secret read: it still holds the refused password", {
          ...fields,
          retry_after_ms: this.#interval(),
        });
      }
    } catch (err) {
      this.#setbacks += 1;
      const { error, error_name } = errorFields(err);
      this.#logger.error("database secret could not be read", {
        secret_arn: secretArn,
        reason,
        error,
        error_name,
        retry_after_ms: this.#interval(),
      });
    }
  }
}
