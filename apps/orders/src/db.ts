import type { ConnectionOptions } from "node:tls";
import { type ClientBase, Pool, type PoolClient, type PoolConfig } from "pg";
import type { DatabaseConfig, SslMode } from "./config";
import { type DatabaseCredentials, isPasswordRefused } from "./credentials";
import { errorFields, type Logger } from "./log";

/**
 * `pg`'s `ssl` option for an `ORDERS_DB_SSLMODE`, with libpq's meaning. `pg` is given the option
 * object itself, never a connection string: its connection-string parser reads `sslmode=require` as
 * verify-full, which is not what libpq (or RDS's documentation) means by it.
 *
 * - `disable`: plain TCP.
 * - `require`: TLS, but the server's certificate is not checked. This is what the platform injects for
 *   RDS and Aurora: the traffic (password included) is always encrypted, but a host that can redirect
 *   the traffic could pose as the database. Choose `verify-full` to rule that out. (The cluster can
 *   refuse plain connections on its side too, with the `rds.force_ssl` parameter.)
 * - `verify-full`: TLS, and the certificate chain and host name are checked against Node's CA store.
 *   The RDS certificate authorities are not in it: add Amazon's bundle
 *   (https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem, see
 *   https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html) to the image and
 *   point `NODE_EXTRA_CA_CERTS` at it.
 *
 * With TLS, `pg` never falls back to plain TCP: a server that refuses TLS fails the connection.
 */
export function sslOptions(mode: SslMode): false | ConnectionOptions {
  switch (mode) {
    case "disable":
      return false;
    case "require":
      return { rejectUnauthorized: false };
    case "verify-full":
      return { rejectUnauthorized: true };
  }
}

/**
 * How long a new connection may take. Above the ~15 s an auto-paused Aurora Serverless v2 instance
 * (minCapacity 0) takes to resume, as AWS advises for client connect timeouts
 * (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2-auto-pause.html).
 */
export const CONNECT_TIMEOUT_MS = 20_000;
/** Idle connections close after this, so an idle dev cluster can pause (open connections keep it up). */
export const IDLE_TIMEOUT_MS = 10_000;
/** Connections per pool, per task. */
export const POOL_MAX = 10;
/** Server-side limit for one statement: a stuck query cannot hold a connection forever. */
export const STATEMENT_TIMEOUT_MS = 10_000;

/**
 * The pool settings for `host` (the writer or the reader endpoint). The password is a function (`pg`
 * calls it for each new connection): see {@link DatabaseCredentials.password}. Never log it.
 */
export function poolConfig(
  db: DatabaseConfig,
  host: string,
  applicationName: string,
  credentials: Pick<DatabaseCredentials, "user" | "password">,
): PoolConfig {
  return {
    host,
    port: db.port,
    database: db.database,
    user: credentials.user,
    password: credentials.password,
    ssl: sslOptions(db.sslmode),
    max: POOL_MAX,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    application_name: applicationName,
  };
}

type ConnectCallback = (
  err: Error | undefined,
  client: PoolClient | undefined,
  done: (release?: Error | boolean) => void,
) => void;

/**
 * A `pg` pool whose new connections survive a password rotation: a connection refused with SQLSTATE
 * 28P01 asks its {@link DatabaseCredentials} for a newer login (which may read the secret again) and,
 * if there is one, is retried once. `pool.query` connects through {@link connect} too. Connections
 * already open are never touched: a rotation does not close them.
 */
export class DatabasePool extends Pool {
  readonly #credentials: DatabaseCredentials;

  constructor(config: PoolConfig, credentials: DatabaseCredentials) {
    super(config);
    this.#credentials = credentials;
  }

  override connect(): Promise<PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<PoolClient> | undefined {
    const connecting = this.#connect();
    if (!callback) return connecting;
    connecting.then(
      (client) => callback(undefined, client, (release) => client.release(release)),
      (err: Error) => callback(err, undefined, () => {}),
    );
    return undefined;
  }

  async #connect(): Promise<PoolClient> {
    const version = this.#credentials.version;
    // The secret's username is the login name from now on (RDS keeps it across rotations).
    this.options.user = this.#credentials.user;
    try {
      return await super.connect();
    } catch (err) {
      if (!isPasswordRefused(err) || !(await this.#credentials.afterRefused(version))) throw err;
      this.options.user = this.#credentials.user;
      return super.connect();
    }
  }
}

export interface CreatePoolOptions {
  /** The endpoint. @default db.host (the writer) */
  host?: string;
  /** `application_name` of its connections (shows in `pg_stat_activity`). */
  applicationName: string;
  logger: Logger;
  /** The login, shared by the pools of one process, so that a rotation reads the secret once. */
  credentials: DatabaseCredentials;
  /**
   * What opens each connection: `pg`'s `Client`. Tests pass a Client that checks the password, as the
   * database they run on accepts any. @default pg's Client
   */
  Client?: new (
    config: PoolConfig,
  ) => ClientBase;
}

/**
 * A pool on `host`. An idle connection that breaks (a failover, a restart) is logged and dropped; the
 * pool opens a new one on the next query. Without the `error` listener it would crash the process.
 */
export function createPool(db: DatabaseConfig, options: CreatePoolOptions): DatabasePool {
  const host = options.host ?? db.host;
  const config = poolConfig(db, host, options.applicationName, options.credentials);
  const pool = new DatabasePool(
    options.Client ? { ...config, Client: options.Client as new () => ClientBase } : config,
    options.credentials,
  );
  pool.on("error", (err) =>
    options.logger.warn("idle database connection failed", { host, ...errorFields(err) }),
  );
  return pool;
}
