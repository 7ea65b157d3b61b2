// The real engines the tests run against, in-process and on free ports picked by the kernel (port 0):
//
// - PostgreSQL: PGlite (@electric-sql/pglite, Postgres compiled to WebAssembly) behind its socket
//   server (@electric-sql/pglite-socket), so the app's `pg` pools speak the real wire protocol to a
//   real Postgres, over TCP. The socket server multiplexes connections onto PGlite's one session and
//   runs one transaction at a time.
// - S3: s3rver (npm), an S3-compatible HTTP server on the local file system. It checks SigV4
//   signatures (access key and secret "S3RVER"). Nothing outside npm is needed.
//
// Each test file starts its own pair in beforeAll and stops it in afterAll: the tests of one file
// share a database, and no two files ever do.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import pg from "pg";
import S3rver from "s3rver";
import { LOOPBACK } from "./helpers";

// The SDK's notice that it will need Node 22 would be printed by the test runner: not here. The
// spawned servers do not inherit it (their notice arrives as a JSON warn line, process.test.ts).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** The password the tests give the app; it must never appear in any log line. */
export const DB_PASSWORD = "pw-Xq7!never-logged";
export const REGION = "eu-west-1";

export interface TestPostgres {
  host: string;
  port: number;
  /** The `ORDERS_DB_*` variables of the contract, for this server. */
  env: Record<string, string>;
  /** A pool of the test's own, to look at the tables. */
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * The data directory of a just-initialised cluster. Running initdb is most of what a new PGlite costs
 * (seconds on a busy machine); a copy of its result starts in a fraction of that. Test files that
 * share a worker process share this module, so only the first one runs initdb.
 */
let initialised: Blob | undefined;

async function emptyDatabase(): Promise<PGlite> {
  if (initialised) return PGlite.create({ loadDataDir: initialised });
  const db = await PGlite.create();
  initialised = await db.dumpDataDir("none");
  return db;
}

/** A fresh, empty database (no tables). Resolves once it accepts connections. */
export async function startPostgres(): Promise<TestPostgres> {
  const db = await emptyDatabase();
  // The app's pools (10 connections each), the tests' pool and the spawned servers' pools.
  const server = new PGLiteSocketServer({ db, host: LOOPBACK, port: 0, maxConnections: 100 });
  await server.start();
  const port = Number(server.getServerConn().split(":").at(-1));
  const env = {
    ORDERS_DB_HOST: LOOPBACK,
    ORDERS_DB_PORT: String(port),
    ORDERS_DB_NAME: "postgres",
    ORDERS_DB_USER: "postgres",
    ORDERS_DB_PASSWORD: DB_PASSWORD,
    // PGlite's socket server speaks plain TCP; TLS is tested apart (database.test.ts).
    ORDERS_DB_SSLMODE: "disable",
  };
  const pool = new pg.Pool({ host: LOOPBACK, port, database: "postgres", user: "postgres", max: 2 });
  pool.on("error", () => {}); // the server stops before the pool in close()
  return {
    host: LOOPBACK,
    port,
    env,
    pool,
    close: async () => {
      await pool.end();
      await server.stop();
      await db.close();
    },
  };
}

export interface TestS3 {
  /** http://127.0.0.1:<port>: an IP address, so the SDK addresses buckets by path. */
  endpoint: string;
  /** A client of the test's own, configured with the endpoint in code (not from the environment). */
  client: S3Client;
  /** What the app's process needs: the standard endpoint override and the server's credentials. */
  env: Record<string, string>;
  createBucket(name: string): Promise<void>;
  /** The object's body and content type, or undefined if there is none. */
  getObject(bucket: string, key: string): Promise<{ body: string; contentType?: string } | undefined>;
  exists(bucket: string, key: string): Promise<boolean>;
  deleteObject(bucket: string, key: string): Promise<void>;
  close(): Promise<void>;
}

const S3RVER_KEY = "S3RVER";

export async function startS3(): Promise<TestS3> {
  const directory = mkdtempSync(join(tmpdir(), "berth-orders-s3-"));
  const server = new S3rver({ address: LOOPBACK, port: 0, silent: true, directory });
  const { port } = await server.run(); // resolves once listening
  const endpoint = `http://${LOOPBACK}:${port}`;
  const client = new S3Client({
    region: REGION,
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY },
  });
  const notFound = (err: unknown) =>
    err instanceof S3ServiceException && (err.name === "NoSuchKey" || err.name === "NotFound");
  return {
    endpoint,
    client,
    env: {
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_KEY,
      AWS_SECRET_ACCESS_KEY: S3RVER_KEY,
    },
    createBucket: async (name) => {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    getObject: async (bucket, key) => {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return { body: await out.Body!.transformToString("utf-8"), contentType: out.ContentType };
      } catch (err) {
        if (notFound(err)) return undefined;
        throw err;
      }
    },
    exists: async (bucket, key) => {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return true;
      } catch (err) {
        if (notFound(err)) return false;
        throw err;
      }
    },
    deleteObject: async (bucket, key) => {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    close: async () => {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Sets variables on process.env for the in-process tests; the returned function puts them back. */
export function setProcessEnv(vars: Record<string, string>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]));
  Object.assign(process.env, vars);
  return () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
