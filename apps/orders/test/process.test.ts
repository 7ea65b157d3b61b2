// Runs the compiled entry points (`node migrate.js`, `node server.js`, `node healthcheck.js`) as real
// processes, the way the container does (with the Dockerfile's `--no-warnings`), against the real
// engines of engines.ts (Postgres over TCP, an S3 server), and sends them real signals.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../src/migrations";
import { receiptKey } from "../src/receipts";
import { DB_PASSWORD, REGION, startPostgres, startS3, type TestPostgres, type TestS3 } from "./engines";
import { captureLogs, LOOPBACK, ORDER, parseJsonLines, request, startPartialPost, waitFor } from "./helpers";

const appDir = join(__dirname, "..");
const BUCKET = "orders-receipts-process-test";
let outDir: string;
let postgres: TestPostgres;
let s3: TestS3;

/**
 * Compiles src with tsconfig.build.json's options into a temporary directory (a concurrent
 * `pnpm build` of dist/ is never disturbed). Each file is transpiled on its own, in-process: the
 * type check is `tsc --noEmit`'s job, and a tsc process per run would cost seconds. The directory is
 * inside the app's node_modules, so the compiled code finds its dependencies (pg, the S3 client).
 */
function compile(): string {
  const cacheDir = join(appDir, "node_modules", ".cache");
  mkdirSync(cacheDir, { recursive: true });
  const dir = mkdtempSync(join(cacheDir, "berth-orders-"));
  const configPath = join(appDir, "tsconfig.build.json");
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const { options, fileNames } = ts.parseJsonConfigFileContent(config, ts.sys, appDir);
  for (const file of fileNames) {
    const { outputText } = ts.transpileModule(readFileSync(file, "utf8"), {
      compilerOptions: { ...options, sourceMap: false, declaration: false },
      fileName: file,
    });
    writeFileSync(join(dir, file.slice(join(appDir, "src").length + 1).replace(/\.ts$/, ".js")), outputText);
  }
  return dir;
}

beforeAll(async () => {
  outDir = compile();
  [postgres, s3] = await Promise.all([startPostgres(), startS3()]);
  await s3.createBucket(BUCKET);
}, 120_000);

afterAll(async () => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
  await Promise.all([postgres?.close(), s3?.close()]);
});

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
});

/** What the platform injects for `uses: [orders-db, receipts]`, plus the local S3 endpoint. */
const linkedEnv = () => ({
  ...postgres.env,
  RECEIPTS_BUCKET: BUCKET,
  RECEIPTS_BUCKET_ARN: `arn:aws:s3:::${BUCKET}`,
  RECEIPTS_REGION: REGION,
  ...s3.env,
});

/** A clean environment: nothing from the test runner (NODE_OPTIONS and the like) leaks in. */
function runNode(script: string, env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, ["--no-warnings", join(outDir, script)], {
    env: { PATH: process.env.PATH ?? "", HOST: LOOPBACK, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code, signal) => resolve({ code, signal })),
  );
  const stdout = () => parseJsonLines(out);
  return {
    child,
    stdout,
    stderr: () => err,
    /** Everything the process wrote. */
    output: () => out + err,
    exited,
    waitForLog: async (msg: string) => {
      await waitFor(() => stdout().some((line) => line.msg === msg), `log line "${msg}"`, 30_000);
      return stdout().find((line) => line.msg === msg)!;
    },
  };
}

describe("node migrate.js (the release command)", () => {
  it("brings the schema to version 1 and exits 0; a second run applies nothing", async () => {
    const first = runNode("migrate.js", postgres.env);
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(first.stdout().at(-1)).toMatchObject({ msg: "schema is current", schema_version: 1 });
    const tables = await postgres.pool.query("SELECT to_regclass('orders')::text AS t");
    expect(tables.rows[0].t).toBe("orders");

    const second = runNode("migrate.js", postgres.env);
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(second.stdout().map((l) => l.msg)).toEqual(["schema is current"]);
    expect(second.stdout()[0]).toMatchObject({ schema_version: 1, applied: 0 });
    for (const run of [first, second]) {
      expect(run.output()).not.toContain(DB_PASSWORD);
      expect(parseJsonLines(run.stderr()).filter((l) => l.level === "error")).toEqual([]);
    }
  });

  it("exits 1 without ORDERS_DB_HOST, naming the variable", async () => {
    const { ORDERS_DB_HOST: _, ...env } = postgres.env;
    const proc = runNode("migrate.js", env);
    expect(await proc.exited).toEqual({ code: 1, signal: null });
    expect(JSON.parse(proc.stderr().trim())).toMatchObject({
      msg: "invalid configuration",
      error: expect.stringMatching(/^Missing ORDERS_DB_HOST: /),
    });
  });

  it("exits 1 when the database cannot be reached, without writing the password anywhere", async () => {
    const proc = runNode("migrate.js", { ...postgres.env, ORDERS_DB_PORT: "1" }); // nothing listens on port 1
    expect(await proc.exited).toEqual({ code: 1, signal: null });
    expect(parseJsonLines(proc.stderr())).toEqual([
      expect.objectContaining({
        msg: "migration failed",
        port: 1,
        error: expect.stringContaining("ECONNREFUSED"),
      }),
    ]);
    expect(proc.output()).not.toContain(DB_PASSWORD);
  });
});

describe("node server.js", () => {
  beforeAll(async () => {
    await migrate(postgres.pool, captureLogs().logger); // a no-op if migrate.js ran first
  });

  async function startServer(env: Record<string, string> = {}) {
    const proc = runNode("server.js", { ...linkedEnv(), ...env });
    const listening = await proc.waitForLog("listening");
    return { proc, port: listening.port as number };
  }

  it("stores orders and receipts, and exits 0 on SIGTERM after finishing a request caught mid-body", async () => {
    const { proc, port } = await startServer({ DEPLOY_ENV: "test" });
    expect(proc.stdout().find((l) => l.msg === "database ready")).toMatchObject({ schema_version: 1 });
    const created = await request(port, "/orders", { body: ORDER });
    expect(created.status).toBe(201);
    const id = created.json().id;
    expect((await request(port, `/orders/${id}`)).json()).toEqual(created.json());
    expect((await request(port, `/orders/${id}/receipt`)).json()).toMatchObject({ orderId: id });
    // Written through the endpoint the SDK took from AWS_ENDPOINT_URL_S3.
    expect(await s3.exists(BUCKET, receiptKey(id))).toBe(true);
    const row = await postgres.pool.query("SELECT total_cents FROM orders WHERE id = $1", [id]);
    expect(row.rows).toEqual([{ total_cents: "2999" }]);

    const post = await startPartialPost(port, ORDER, { expectContinue: true });
    await post.continued; // the server has the request in flight
    proc.child.kill("SIGTERM");
    await proc.waitForLog("shutdown started");
    const raw = await post.finish();
    expect(raw).toMatch(/^HTTP\/1\.1 201 /);
    expect(await proc.exited).toEqual({ code: 0, signal: null });

    const msgs = proc.stdout().map((l) => l.msg);
    expect(msgs.at(-1)).toBe("shutdown complete");
    expect(proc.stdout().find((l) => l.msg === "shutdown started")).toMatchObject({
      reason: "SIGTERM",
      in_flight: 1,
      timeout_ms: 8_000,
    });
    // stderr holds JSON lines only (the SDK's Node-version notice arrives as one), and no error.
    expect(parseJsonLines(proc.stderr()).filter((l) => l.level !== "warn")).toEqual([]);
    expect(proc.output()).not.toContain(DB_PASSWORD);
  });

  it("exits 1 when SHUTDOWN_TIMEOUT_MS passes with a request unfinished", async () => {
    const { proc, port } = await startServer({ SHUTDOWN_TIMEOUT_MS: "300" });
    const post = await startPartialPost(port, ORDER, { expectContinue: true }); // never finished
    await post.continued;
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toEqual({ code: 1, signal: null });
    await post.closed;
    expect(parseJsonLines(proc.stderr()).filter((l) => l.level === "error")).toEqual([
      expect.objectContaining({ msg: expect.stringContaining("timed out") }),
    ]);
  });

  it("refuses to start with an invalid variable and says which", async () => {
    const proc = runNode("server.js", { ...linkedEnv(), ORDERS_DB_PORT: "lots" });
    expect(await proc.exited).toEqual({ code: 1, signal: null });
    expect(JSON.parse(proc.stderr().trim())).toMatchObject({ msg: "invalid configuration" });
    expect(proc.stderr()).toContain('ORDERS_DB_PORT=\\"lots\\"');
  });

  it("refuses to start without ORDERS_DB_HOST and names it", async () => {
    const { ORDERS_DB_HOST: _, ...env }: Record<string, string> = linkedEnv();
    const proc = runNode("server.js", env);
    expect(await proc.exited).toEqual({ code: 1, signal: null });
    expect(JSON.parse(proc.stderr().trim())).toMatchObject({
      msg: "invalid configuration",
      error: expect.stringMatching(/^Missing ORDERS_DB_HOST: expected the database host name/),
    });
  });

  it("exits 1 when the database cannot be reached, without writing the password anywhere", async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const proc = runNode("server.js", { ...linkedEnv(), ORDERS_DB_PORT: "1" });
    expect(await proc.exited).toEqual({ code: 1, signal: null });
    expect(parseJsonLines(proc.stderr()).filter((l) => l.level === "error")).toEqual([
      expect.objectContaining({
        msg: "database unreachable",
        host: LOOPBACK,
        port: 1,
        error: expect.stringContaining("ECONNREFUSED"),
      }),
    ]);
    expect(proc.output()).not.toContain(DB_PASSWORD);
  });
});

describe("node healthcheck.js", () => {
  it("exits 0 while the server is healthy and 1 once nothing answers", async () => {
    await migrate(postgres.pool, captureLogs().logger);
    const server = runNode("server.js", linkedEnv());
    const port = (await server.waitForLog("listening")).port as number;
    const healthy = runNode("healthcheck.js", { PORT: String(port) });
    expect(await healthy.exited).toEqual({ code: 0, signal: null });
    server.child.kill("SIGTERM");
    expect((await server.exited).code).toBe(0);
    const gone = runNode("healthcheck.js", { PORT: String(port) });
    expect(await gone.exited).toEqual({ code: 1, signal: null });
  });
});
