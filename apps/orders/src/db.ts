import type { ConnectionOptions } from "node:tls";
import { Pool, type PoolConfig } from "pg";
import type { DatabaseConfig, SslMode } from "./config";
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

/** The pool settings for `host` (the writer or the reader endpoint). Holds the password: never log it. */
export function poolConfig(db: DatabaseConfig, host: string, applicationName: string): PoolConfig {
  return {
    host,
    port: db.port,
    database: db.database,
    user: db.user,
    password: db.password,
    ssl: sslOptions(db.sslmode),
    max: POOL_MAX,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    application_name: applicationName,
  };
}

/**
 * A pool on `host`. An idle connection that breaks (a failover, a restart) is logged and dropped; the
 * pool opens a new one on the next query. Without the `error` listener it would crash the process.
 */
export function createPool(
  db: DatabaseConfig,
  options: { host?: string; applicationName: string; logger: Logger },
): Pool {
  const host = options.host ?? db.host;
  const pool = new Pool(poolConfig(db, host, options.applicationName));
  pool.on("error", (err) =>
    options.logger.warn("idle database connection failed", { host, ...errorFields(err) }),
  );
  return pool;
}
