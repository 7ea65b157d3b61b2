// The schema and the connection settings against a real Postgres (PGlite over its socket server, see
// engines.ts). Every test starts from an empty database.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadDatabaseConfig } from "../src/config";
import { DatabaseCredentials } from "../src/credentials";
import { createPool, poolConfig, sslOptions } from "../src/db";
import { main } from "../src/main";
import {
  checkSchema,
  MIGRATIONS,
  migrate,
  migrateMain,
  SCHEMA_VERSION,
  SchemaError,
  schemaVersion,
} from "../src/migrations";
import { DB_PASSWORD, REGION, startPostgres, type TestPostgres } from "./engines";
import { captureLogs } from "./helpers";

let postgres: TestPostgres;

beforeAll(async () => {
  postgres = await startPostgres();
});

afterAll(async () => {
  await postgres?.close();
});

beforeEach(async () => {
  await postgres.pool.query("DROP TABLE IF EXISTS orders, schema_migrations");
});

const tables = async () =>
  (
    await postgres.pool.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
    )
  ).rows.map((row) => row.name);

const columns = async (table: string) =>
  (
    await postgres.pool.query<{ name: string; type: string; nullable: string }>(
      `SELECT column_name AS name, data_type AS type, is_nullable AS nullable
         FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`,
      [table],
    )
  ).rows;

describe("migrate", () => {
  it("creates the orders table and records each step in schema_migrations", async () => {
    const logs = captureLogs();
    expect(await tables()).toEqual([]);
    expect(await migrate(postgres.pool, logs.logger)).toEqual({ applied: [1], version: 1 });
    expect(await tables()).toEqual(["orders", "schema_migrations"]);
    expect(await columns("orders")).toEqual([
      { name: "id", type: "text", nullable: "NO" },
      { name: "seq", type: "bigint", nullable: "NO" },
      { name: "customer", type: "text", nullable: "NO" },
      { name: "currency", type: "text", nullable: "NO" },
      { name: "items", type: "jsonb", nullable: "NO" },
      { name: "total_cents", type: "bigint", nullable: "NO" },
      { name: "status", type: "text", nullable: "NO" },
      { name: "created_at", type: "timestamp with time zone", nullable: "NO" },
    ]);
    const history = await postgres.pool.query("SELECT version, name FROM schema_migrations");
    expect(history.rows).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
    expect(logs.stdout()).toEqual([expect.objectContaining({ msg: "migration applied", version: 1 })]);
  });

  it("is idempotent: a second run applies nothing and keeps the data", async () => {
    await migrate(postgres.pool, captureLogs().logger);
    await postgres.pool.query(
      `INSERT INTO orders (id, customer, currency, items, total_cents, created_at)
       VALUES ('ord_0123456789abcdef0123456789abcdef', 'c', 'EUR', '[]', 0, now())`,
    );
    const logs = captureLogs();
    expect(await migrate(postgres.pool, logs.logger)).toEqual({ applied: [], version: SCHEMA_VERSION });
    expect(logs.stdout()).toEqual([]);
    expect((await postgres.pool.query("SELECT id FROM orders")).rows).toEqual([
      { id: "ord_0123456789abcdef0123456789abcdef" },
    ]);
    expect((await postgres.pool.query("SELECT count(*)::int AS n FROM schema_migrations")).rows[0].n).toBe(
      MIGRATIONS.length,
    );
  });

  it("lets two runs race: one applies the steps, the other finds nothing left to do", async () => {
    const results = await Promise.all([
      migrate(postgres.pool, captureLogs().logger),
      migrate(postgres.pool, captureLogs().logger),
    ]);
    expect(results.map((r) => r.applied).sort()).toEqual([[], [1]]);
    expect(await tables()).toEqual(["orders", "schema_migrations"]);
  });

  it("the table's checks refuse rows the API would never write", async () => {
    await migrate(postgres.pool, captureLogs().logger);
    const insert = (id: string, currency: string, total: number) =>
      postgres.pool.query(
        `INSERT INTO orders (id, customer, currency, items, total_cents, created_at)
         VALUES ($1, 'c', $2, '[]', $3, now())`,
        [id, currency, total],
      );
    await expect(insert("nope", "EUR", 0)).rejects.toThrow(/check constraint/);
    await expect(insert("ord_0123456789abcdef0123456789abcdef", "BTC", 0)).rejects.toThrow(
      /check constraint/,
    );
    await expect(insert("ord_0123456789abcdef0123456789abcdef", "EUR", -1)).rejects.toThrow(
      /check constraint/,
    );
  });
});

describe("the schema check (the server never creates tables)", () => {
  it("reports version 0 on an empty database and SchemaError until the migration has run", async () => {
    expect(await schemaVersion(postgres.pool)).toBe(0);
    await expect(checkSchema(postgres.pool)).rejects.toThrow(SchemaError);
    await expect(checkSchema(postgres.pool)).rejects.toThrow("run `node dist/migrate.js` first");
    expect(await tables()).toEqual([]);
    await migrate(postgres.pool, captureLogs().logger);
    expect(await checkSchema(postgres.pool)).toBe(SCHEMA_VERSION);
  });

  it("main() refuses to start on an unmigrated database, exits 1 and creates nothing", async () => {
    const logs = captureLogs();
    const codes: number[] = [];
    const app = await main({
      env: {
        ...postgres.env,
        RECEIPTS_BUCKET: "orders-receipts",
        RECEIPTS_REGION: REGION,
        HOST: "127.0.0.1",
        PORT: "0",
      },
      logger: logs.logger,
      exit: (code) => codes.push(code),
    });
    expect(app).toBeUndefined();
    expect(codes).toEqual([1]);
    expect(logs.stderr()).toEqual([
      expect.objectContaining({
        msg: "database schema is not current",
        error: expect.stringContaining("node dist/migrate.js"),
      }),
    ]);
    expect(await tables()).toEqual([]);
  });

  it("migrateMain() migrates, says so, closes its pool and exits 0", async () => {
    const logs = captureLogs();
    const codes: number[] = [];
    expect(await migrateMain({ env: postgres.env, logger: logs.logger, exit: (c) => codes.push(c) })).toBe(0);
    expect(codes).toEqual([0]);
    expect(logs.stdout().map((l) => l.msg)).toEqual(["migration applied", "schema is current"]);
    expect(logs.stdout().at(-1)).toMatchObject({ schema_version: 1, applied: 1, database: "postgres" });
    expect(JSON.stringify([logs.stdout(), logs.stderr()])).not.toContain(DB_PASSWORD);
  });

  it("migrateMain() without ORDERS_DB_HOST exits 1 naming the variable", async () => {
    const logs = captureLogs();
    const codes: number[] = [];
    const { ORDERS_DB_HOST: _, ...env } = postgres.env;
    expect(await migrateMain({ env, logger: logs.logger, exit: (c) => codes.push(c) })).toBe(1);
    expect(codes).toEqual([1]);
    expect(logs.stderr()).toEqual([
      expect.objectContaining({
        msg: "invalid configuration",
        error: expect.stringMatching(/^Missing ORDERS_DB_HOST:/),
      }),
    ]);
  });
});

describe("connection settings", () => {
  it("maps ORDERS_DB_SSLMODE to pg's ssl option: off, encrypted without CA check, verified", () => {
    expect(sslOptions("disable")).toBe(false);
    expect(sslOptions("require")).toEqual({ rejectUnauthorized: false });
    expect(sslOptions("verify-full")).toEqual({ rejectUnauthorized: true });
  });

  it("never falls back to plain TCP: with require, a server without TLS is refused", async () => {
    const db = loadDatabaseConfig({ ...postgres.env, ORDERS_DB_SSLMODE: "require" });
    const logger = captureLogs().logger;
    const credentials = new DatabaseCredentials({ db, logger });
    const pool = createPool(db, { applicationName: "orders-test", logger, credentials });
    try {
      await expect(pool.query("SELECT 1")).rejects.toThrow(/does not support SSL/);
    } finally {
      await pool.end();
    }
  });

  it("builds the pool from the contract's variables, with timeouts and the app's name", async () => {
    const db = loadDatabaseConfig({ ...postgres.env, ORDERS_DB_SSLMODE: "verify-full" });
    const credentials = new DatabaseCredentials({ db, logger: captureLogs().logger });
    const config = poolConfig(db, "reader.example", "orders", credentials);
    // A function, called for each new connection: the login can change while the pool lives.
    expect(typeof config.password).toBe("function");
    expect(await (config.password as () => Promise<string>)()).toBe(DB_PASSWORD);
    expect(config).toEqual({
      host: "reader.example",
      port: postgres.port,
      database: "postgres",
      user: "postgres",
      password: credentials.password,
      ssl: { rejectUnauthorized: true },
      max: 10,
      idleTimeoutMillis: 10_000,
      connectionTimeoutMillis: 20_000,
      statement_timeout: 10_000,
      application_name: "orders",
    });
  });
});
