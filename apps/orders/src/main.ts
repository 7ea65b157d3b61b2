import type { S3Client } from "@aws-sdk/client-s3";
import type { Pool } from "pg";
import { createServer, type OrdersServer } from "./app";
import { type Config, loadConfig } from "./config";
import {
  DatabaseCredentials,
  type DatabaseCredentialsOptions,
  type SecretsManagerFactory,
} from "./credentials";
import { type CreatePoolOptions, createPool } from "./db";
import { createLogger, errorFields, type Logger, logWarnings } from "./log";
import { checkSchema, SchemaError } from "./migrations";
import { createS3Client, ReceiptBucket } from "./receipts";
import { OrderStore } from "./store";

export interface MainOptions {
  /** The app's variables. The S3 client reads its own (`AWS_ENDPOINT_URL_S3`, credentials) from process.env. @default process.env */
  env?: Record<string, string | undefined>;
  /** @default a JSON logger on stdout / stderr */
  logger?: Logger;
  /** @default process.exit */
  exit?: (code: number) => void;
  /**
   * Makes the Secrets Manager client that re-reads `ORDERS_DB_SECRET_ARN` (only called when it is set).
   * @default the SDK's client with its default credentials (the task role in ECS)
   */
  secretsManager?: SecretsManagerFactory;
}

const SIGNALS: NodeJS.Signals[] = ["SIGTERM", "SIGINT"];

/** What the server uses: the pools, the S3 client and the store on them, and how to close them all. */
export interface Resources {
  writer: Pool;
  reader?: Pool;
  /** The database login both pools use (one read of the secret per rotation, not one per pool). */
  credentials: DatabaseCredentials;
  s3: S3Client;
  store: OrderStore;
  close(): Promise<void>;
}

export interface OpenResourcesOptions {
  /**
   * How the database login is kept current: the Secrets Manager client, the clock, the waits (see
   * {@link DatabaseCredentialsOptions}). @default the SDK's client, Date.now, the documented waits
   * @example credentials: { secretsManager: (region) => new SecretsManagerClient({ region }) }
   */
  credentials?: Omit<DatabaseCredentialsOptions, "db" | "logger">;
  /** See {@link CreatePoolOptions.Client}. @default pg's Client */
  Client?: CreatePoolOptions["Client"];
}

export function openResources(config: Config, logger: Logger, options: OpenResourcesOptions = {}): Resources {
  const db = config.database;
  const credentials = new DatabaseCredentials({ ...options.credentials, db, logger });
  const common = {
    applicationName: config.serviceName,
    logger,
    credentials,
    ...(options.Client ? { Client: options.Client } : {}),
  };
  const writer = createPool(db, common);
  const reader = db.readerHost ? createPool(db, { ...common, host: db.readerHost }) : undefined;
  const s3 = createS3Client(config.receipts);
  const store = new OrderStore({
    writer,
    ...(reader ? { reader } : {}),
    receipts: new ReceiptBucket(s3, config.receipts.bucket),
    issuedBy: config.serviceName,
  });
  return {
    writer,
    ...(reader ? { reader } : {}),
    credentials,
    s3,
    store,
    close: async () => {
      s3.destroy();
      await Promise.all([writer.end(), reader?.end(), credentials.close()]);
    },
  };
}

/**
 * The server's process entry (`node dist/server.js`): read the config, check that the database is
 * reachable and its schema current (the server never creates tables: `node dist/migrate.js` does),
 * install the signal handlers, listen. On SIGTERM or SIGINT it drains (see
 * {@link OrdersServer.shutdown}), closes the pools and exits with the drain's code; a second signal
 * exits 1 at once. Resolves with the server, or undefined when it could not start (after exit(1)).
 */
export async function main(options: MainOptions = {}): Promise<OrdersServer | undefined> {
  const logger = options.logger ?? createLogger();
  const exit = options.exit ?? ((code: number) => process.exit(code));

  let config: Config;
  try {
    config = loadConfig(options.env ?? process.env);
  } catch (err) {
    logger.error("invalid configuration", { error: err instanceof Error ? err.message : String(err) });
    exit(1);
    return undefined;
  }
  logWarnings(logger);

  const resources = openResources(config, logger, {
    ...(options.secretsManager ? { credentials: { secretsManager: options.secretsManager } } : {}),
  });
  const db = config.database;
  try {
    const version = await checkSchema(resources.writer);
    logger.info("database ready", { host: db.host, database: db.database, schema_version: version });
  } catch (err) {
    if (err instanceof SchemaError) {
      logger.error("database schema is not current", { error: err.message });
    } else {
      logger.error("database unreachable", {
        host: db.host,
        port: db.port,
        database: db.database,
        sslmode: db.sslmode,
        ...errorFields(err),
      });
    }
    await resources.close();
    exit(1);
    return undefined;
  }

  const app = createServer({ config, logger, store: resources.store, onClose: resources.close });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.error("second signal during shutdown, exiting now", { signal });
      exit(1);
      return;
    }
    void app.shutdown(signal).then((result) => exit(result.code));
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on("uncaughtException", (err) => {
    logger.error("uncaught exception", errorFields(err));
    exit(1);
  });

  try {
    await app.listen();
  } catch (err) {
    logger.error("could not listen", { host: config.host, port: config.port, ...errorFields(err) });
    await resources.close();
    exit(1);
    return undefined;
  }
  return app;
}
