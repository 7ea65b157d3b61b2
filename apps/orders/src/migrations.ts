import type { Pool } from "pg";
import { type DatabaseConfig, DEFAULTS, loadDatabaseConfig } from "./config";
import { DatabaseCredentials } from "./credentials";
import { createPool } from "./db";
import { createLogger, errorFields, type Logger, logWarnings } from "./log";
import type { MainOptions } from "./main";

/**
 * The database schema, one numbered step at a time. A step is never edited once released: change
 * the schema with a new step. Steps must keep working for the previous image, which still serves
 * while the new one rolls out (add a column with a default, never rename or drop in the same release).
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: "create orders",
    sql: `
      CREATE TABLE orders (
        id          text        PRIMARY KEY CHECK (id ~ '^ord_[0-9a-f]{32}$'),
        -- Insertion order: the list is newest first, also for orders created in the same millisecond.
        seq         bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
        customer    text        NOT NULL CHECK (length(customer) BETWEEN 1 AND 100),
        currency    text        NOT NULL CHECK (currency IN ('EUR', 'GBP', 'USD')),
        -- [{ "sku", "quantity", "unitPriceCents" }], validated by the API before it gets here.
        items       jsonb       NOT NULL CHECK (jsonb_typeof(items) = 'array'),
        total_cents bigint      NOT NULL CHECK (total_cents >= 0),
        status      text        NOT NULL DEFAULT 'created',
        created_at  timestamptz NOT NULL
      )`,
  },
]);

/** The schema version this build needs: the last step. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/** The key of the transaction-scoped advisory lock that keeps two migrations from running at once. */
export const MIGRATION_LOCK_KEY = 7_265_041;

const CREATE_HISTORY = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`;

export interface MigrationResult {
  /** The versions this run applied, in order; empty when the schema was already current. */
  applied: number[];
  /** The schema version after the run. */
  version: number;
}

/**
 * Brings the schema up to {@link SCHEMA_VERSION}: every missing step, in order, in ONE transaction
 * (Postgres DDL is transactional: a failing step leaves the schema as it was). An advisory lock makes
 * a concurrent run wait, then find nothing left to do. Running it again is a no-op.
 */
export async function migrate(pool: Pool, logger: Logger): Promise<MigrationResult> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query(CREATE_HISTORY);
    const done = new Set(
      (await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map(
        (row) => row.version,
      ),
    );
    const applied: number[] = [];
    for (const step of MIGRATIONS) {
      if (done.has(step.version)) continue;
      await client.query(step.sql);
      await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [
        step.version,
        step.name,
      ]);
      applied.push(step.version);
    }
    await client.query("COMMIT");
    for (const version of applied) {
      logger.info("migration applied", {
        version,
        name: MIGRATIONS.find((m) => m.version === version)!.name,
      });
    }
    const newest = Math.max(0, ...done, ...applied);
    if (newest > SCHEMA_VERSION) {
      logger.warn("the database schema is newer than this build", {
        schema_version: newest,
        build_version: SCHEMA_VERSION,
      });
    }
    return { applied, version: newest };
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** The schema is older than this build needs: the release command has not run. */
export class SchemaError extends Error {
  constructor(readonly found: number) {
    super(
      `the database schema is at version ${found}, this build needs ${SCHEMA_VERSION}: ` +
        "run `node dist/migrate.js` first (the manifest's release command does, before each rollout)",
    );
    this.name = "SchemaError";
  }
}

/** The applied schema version (0 when nothing has been migrated). Reads only; creates nothing. */
export async function schemaVersion(pool: Pool): Promise<number> {
  const exists = await pool.query<{ history: string | null }>(
    "SELECT to_regclass('schema_migrations')::text AS history",
  );
  if (!exists.rows[0]?.history) return 0;
  const result = await pool.query<{ version: number | null }>(
    "SELECT max(version) AS version FROM schema_migrations",
  );
  return result.rows[0]?.version ?? 0;
}

/** Throws {@link SchemaError} unless the schema is at least the version this build needs. */
export async function checkSchema(pool: Pool): Promise<number> {
  const version = await schemaVersion(pool);
  if (version < SCHEMA_VERSION) throw new SchemaError(version);
  return version;
}

/**
 * The release command's entry (`node dist/migrate.js`): reads only the `ORDERS_DB_*` variables, brings
 * the schema up to date (see {@link migrate}; a no-op when it is current), closes the pool and exits 0,
 * or 1 with an error line. Resolves with the exit code.
 */
export async function migrateMain(options: MainOptions = {}): Promise<number> {
  const logger = options.logger ?? createLogger();
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const env = options.env ?? process.env;
  let db: DatabaseConfig;
  try {
    db = loadDatabaseConfig(env);
  } catch (err) {
    logger.error("invalid configuration", { error: err instanceof Error ? err.message : String(err) });
    exit(1);
    return 1;
  }
  logWarnings(logger);
  const applicationName = `${env.SERVICE_NAME?.trim() || DEFAULTS.serviceName}-migrate`;
  const credentials = new DatabaseCredentials({
    db,
    logger,
    ...(options.secretsManager ? { secretsManager: options.secretsManager } : {}),
  });
  const pool = createPool(db, { applicationName, logger, credentials });
  let code: 0 | 1 = 1;
  try {
    const result = await migrate(pool, logger);
    logger.info("schema is current", {
      host: db.host,
      database: db.database,
      schema_version: result.version,
      applied: result.applied.length,
    });
    code = 0;
  } catch (err) {
    logger.error("migration failed", {
      host: db.host,
      port: db.port,
      database: db.database,
      ...errorFields(err),
    });
  } finally {
    await pool.end().catch((err) => logger.warn("closing the database pool failed", errorFields(err)));
    await credentials.close();
  }
  exit(code);
  return code;
}
