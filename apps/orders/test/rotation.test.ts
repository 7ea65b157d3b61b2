// The database password changes under a running app (RDS rotates the managed secret every 7 days) and
// new connections keep working: against the real Postgres of engines.ts (PGlite over its socket
// server), where the test changes the user's password with ALTER ROLE … PASSWORD, as a rotation does.
//
// Two stand-ins, both at the edge of the app, both said here:
//
// - The password check at login. PGlite does not authenticate: its socket server hands every startup
//   message to the one PGlite session, which answers AuthenticationOk whatever the user and password
//   (the first test shows it). So the connection factory the app's pools are given (pg's `Client`
//   option) makes the check a real server makes at login before it connects: it asks for the password
//   the way pg does when the server requests one (the pool's `password` function), checks it against
//   the SCRAM-SHA-256 verifier the real engine stored for the role (pg_authid, written by CREATE/ALTER
//   ROLE … PASSWORD) and refuses a wrong one with the error PostgreSQL sends: SQLSTATE 28P01,
//   `password authentication failed for user "…"`. The queries then run on PGlite as before.
// - Secrets Manager is a STUB: no Secrets Manager engine runs from npm alone (LocalStack needs Docker),
//   and the app's tests need nothing outside npm. The stub sits at the SDK's HTTP layer: the app's `SecretsManagerClient` is a real
//   one whose request handler answers GetSecretValue the way the service does (JSON 1.1 protocol,
//   `X-Amz-Target: secretsmanager.GetSecretValue`), so the SDK's own serializer, signer and
//   deserializer run and only the network is replaced.
import { createHash, createHmac, pbkdf2Sync, timingSafeEqual } from "node:crypto";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type OrdersServer, start } from "../src/app";
import { type Config, loadConfig } from "../src/config";
import { DatabaseCredentials, type SecretsManagerFactory } from "../src/credentials";
import { createPool, type DatabasePool } from "../src/db";
import { openResources, type Resources } from "../src/main";
import { migrate } from "../src/migrations";
import { DB_PASSWORD, REGION, startPostgres, type TestPostgres } from "./engines";
import { captureLogs, LOOPBACK, request, testConfig } from "./helpers";

const USER = "orders_app";
const ROTATED = "pw-Rotated#2-never-logged";
const ROTATED_AGAIN = "pw-Rotated#3-never-logged";
const SECRET_ARN =
  "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0b7a6f1e-2c3d-4e5f-8a9b-0c1d2e3f4a5b-AbC123";
const MINUTE = 60_000;
/** An order in the table: `GET /orders/<id>` is one query, so one connection. */
const ORDER_ID = "ord_0123456789abcdef0123456789abcdef";

let postgres: TestPostgres;

beforeAll(async () => {
  postgres = await startPostgres();
  await migrate(postgres.pool, captureLogs().logger);
  await postgres.pool.query(`CREATE ROLE ${USER} LOGIN PASSWORD '${DB_PASSWORD}'`);
  await postgres.pool.query(
    `INSERT INTO orders (id, customer, currency, items, total_cents, created_at)
     VALUES ($1, 'cus_42', 'EUR', '[]', 0, now())`,
    [ORDER_ID],
  );
});

afterAll(async () => {
  await postgres?.close();
});

/** What a rotation does to the database: the role's password changes. */
async function setDatabasePassword(password: string): Promise<void> {
  await postgres.pool.query(`ALTER ROLE ${USER} PASSWORD '${password}'`);
}

beforeEach(async () => {
  await setDatabasePassword(DB_PASSWORD);
});

// ---- the password check at login ------------------------------------------------------------------

/** Whether `password` matches a SCRAM-SHA-256 verifier (RFC 5802: StoredKey = H(HMAC(salted, "Client Key"))). */
function scramMatches(verifier: string, password: string): boolean {
  const parts = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!parts) throw new Error("pg_authid holds no SCRAM-SHA-256 verifier for the role");
  const salted = pbkdf2Sync(password, Buffer.from(parts[2]!, "base64"), Number(parts[1]), 32, "sha256");
  const clientKey = createHmac("sha256", salted).update("Client Key").digest();
  const storedKey = createHash("sha256").update(clientKey).digest();
  return timingSafeEqual(storedKey, Buffer.from(parts[3]!, "base64"));
}

interface Login {
  user: string;
  /** Which password the client gave: "old", "rotated" or "rotated again" (never the value itself in a log). */
  gave: string;
  outcome: "accepted" | "refused";
}

const LABELS: Record<string, string> = {
  [DB_PASSWORD]: "old",
  [ROTATED]: "rotated",
  [ROTATED_AGAIN]: "rotated again",
};

/** pg's Client, with the login check a real server makes (PGlite makes none). Records each login. */
function passwordCheckingClient(logins: Login[]) {
  return class PasswordCheckingClient extends pg.Client {
    override connect(): Promise<pg.Client>;
    override connect(callback: (err: Error) => void): void;
    override connect(callback?: (err: Error) => void): Promise<pg.Client> | undefined {
      const connecting = this.#authenticate().then(() => super.connect());
      if (!callback) return connecting;
      connecting.then(
        () => (callback as (err: Error | null) => void)(null),
        (err: Error) => callback(err),
      );
      return undefined;
    }

    async #authenticate(): Promise<void> {
      const given = (this as unknown as { password: unknown }).password;
      const password = typeof given === "function" ? await given() : given;
      const { rows } = await postgres.pool.query<{ rolpassword: string | null }>(
        "SELECT rolpassword FROM pg_authid WHERE rolname = $1 AND rolcanlogin",
        [this.user],
      );
      const verifier = rows[0]?.rolpassword;
      const ok = typeof password === "string" && !!verifier && scramMatches(verifier, password);
      logins.push({
        user: this.user ?? "",
        gave: LABELS[String(password)] ?? "another",
        outcome: ok ? "accepted" : "refused",
      });
      if (!ok) {
        const err = new pg.DatabaseError(
          `password authentication failed for user "${this.user}"`,
          0,
          "error",
        );
        err.severity = "FATAL";
        err.code = "28P01";
        throw err;
      }
    }
  };
}

// ---- the Secrets Manager stub ---------------------------------------------------------------------

type Answer = { secret: unknown } | { status: number; type: string; message: string };

interface SecretsManagerStub {
  /** Given to the app: makes a real SecretsManagerClient whose network is the stub. */
  factory: SecretsManagerFactory;
  /** The region of each client the app made. */
  clients: string[];
  /** Each request the SDK sent: its operation (X-Amz-Target) and JSON body. */
  requests: { target: unknown; body: unknown }[];
  /** What GetSecretValue answers: the secret (its SecretString is this, as JSON), or an error. */
  answer: Answer;
}

/** A STUB of Secrets Manager (no Secrets Manager engine runs from npm), at the SDK's HTTP layer. */
function stubSecretsManager(answer: Answer): SecretsManagerStub {
  const stub: SecretsManagerStub = { factory: () => undefined as never, clients: [], requests: [], answer };
  stub.factory = (region) => {
    stub.clients.push(region);
    return new SecretsManagerClient({
      region,
      credentials: { accessKeyId: "AKIDSTUB", secretAccessKey: "stub" },
      requestHandler: {
        handle: async (req: { headers: Record<string, string>; body?: Uint8Array | string }) => {
          const text = typeof req.body === "string" ? req.body : new TextDecoder().decode(req.body);
          stub.requests.push({ target: req.headers["x-amz-target"], body: JSON.parse(text) });
          const { answer } = stub;
          const [status, json] =
            "secret" in answer
              ? [
                  200,
                  {
                    ARN: SECRET_ARN,
                    Name: SECRET_ARN.split(":").at(-1)!.slice(0, -7),
                    VersionId: `v${stub.requests.length}`,
                    SecretString:
                      typeof answer.secret === "string" ? answer.secret : JSON.stringify(answer.secret),
                    VersionStages: ["AWSCURRENT"],
                    CreatedDate: 1_767_225_600,
                  },
                ]
              : [answer.status, { __type: answer.type, message: answer.message }];
          return {
            response: {
              statusCode: status,
              headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "stub" },
              body: new TextEncoder().encode(JSON.stringify(json)),
            },
          };
        },
      },
    });
  };
  return stub;
}

const secretWith = (password: string) => ({ secret: { username: USER, password } });
const GET_SECRET = { target: "secretsmanager.GetSecretValue", body: { SecretId: SECRET_ARN } };

// ---- the app, in-process --------------------------------------------------------------------------

function appConfig(extra: Record<string, string> = {}): Config {
  return loadConfig({
    ...postgres.env,
    ORDERS_DB_USER: USER,
    RECEIPTS_BUCKET: "orders-receipts-rotation-test",
    RECEIPTS_REGION: REGION,
    ...extra,
  });
}

const opened: { resources: Resources; app: OrdersServer }[] = [];

afterEach(async () => {
  for (const { resources, app } of opened.splice(0)) {
    app.server.closeAllConnections();
    await app.shutdown("test cleanup");
    await resources.close();
  }
});

/** The app with the stub and the password check, and a clock the test moves. */
async function startApp(
  stub: SecretsManagerStub,
  env: Record<string, string> = { ORDERS_DB_SECRET_ARN: SECRET_ARN },
) {
  const logs = captureLogs();
  const logins: Login[] = [];
  const clock = { now: 0 };
  const resources = openResources(appConfig(env), logs.logger, {
    credentials: { secretsManager: stub.factory, now: () => clock.now },
    Client: passwordCheckingClient(logins),
  });
  const app = await start({ config: testConfig(), logger: logs.logger, store: resources.store });
  opened.push({ resources, app });
  /** `GET /orders/<id>`: its status. */
  const get = async () => (await request(app.address.port, `/orders/${ORDER_ID}`)).status;
  /** Checks out every idle connection: the next request needs a new one. Returns how to give them back. */
  const holdIdle = async () => {
    const held = await Promise.all(
      Array.from({ length: resources.writer.idleCount }, () => resources.writer.connect()),
    );
    return () => {
      for (const client of held) client.release();
    };
  };
  return { resources, logs, logins, clock, get, holdIdle };
}

/** Every log line, as text: no password may be in it. */
const allLogs = (logs: ReturnType<typeof captureLogs>) => JSON.stringify([logs.stdout(), logs.stderr()]);

function expectNoPassword(logs: ReturnType<typeof captureLogs>): void {
  const text = allLogs(logs);
  for (const password of [DB_PASSWORD, ROTATED, ROTATED_AGAIN]) expect(text).not.toContain(password);
}

// ---- the tests -----------------------------------------------------------------------------------

describe("the password check the tests put in front of PGlite", () => {
  it("is needed: PGlite itself lets any password in", async () => {
    const client = new pg.Client({
      host: LOOPBACK,
      port: postgres.port,
      database: "postgres",
      user: USER,
      password: "not-the-password",
    });
    await client.connect();
    // Not even the user is taken: every connection is PGlite's one session, as postgres.
    expect((await client.query("SELECT current_user AS name")).rows).toEqual([{ name: "postgres" }]);
    await client.end();
  });

  it("refuses what PostgreSQL would refuse, from what ALTER ROLE stored: the old password after a change", async () => {
    const logins: Login[] = [];
    const Client = passwordCheckingClient(logins);
    const login = async (password: string) => {
      const client = new Client({
        host: LOOPBACK,
        port: postgres.port,
        database: "postgres",
        user: USER,
        password,
      });
      try {
        await client.connect();
        await client.end();
        return "connected";
      } catch (err) {
        return `${(err as pg.DatabaseError).code} ${(err as Error).message}`;
      }
    };
    expect(await login(DB_PASSWORD)).toBe("connected");
    await setDatabasePassword(ROTATED);
    expect(await login(DB_PASSWORD)).toBe(`28P01 password authentication failed for user "${USER}"`);
    expect(await login(ROTATED)).toBe("connected");
    expect(logins.map((l) => `${l.gave} ${l.outcome}`)).toEqual([
      "old accepted",
      "old refused",
      "rotated accepted",
    ]);
  });
});

describe("a rotation under a running app (ORDERS_DB_SECRET_ARN set)", () => {
  it("the next request succeeds: the refused login reads the secret and is retried with it", async () => {
    const stub = stubSecretsManager(secretWith(DB_PASSWORD));
    const { logs, logins, get, holdIdle } = await startApp(stub);
    expect(await get()).toBe(200);
    // The connection opened before the rotation stays open (a rotation closes none): the next
    // request is made to need a new one.
    const release = await holdIdle();

    await setDatabasePassword(ROTATED);
    stub.answer = secretWith(ROTATED);
    expect(await get()).toBe(200);
    release();

    expect(logins.map((l) => `${l.gave} ${l.outcome}`)).toEqual([
      "old accepted",
      "old refused",
      "rotated accepted",
    ]);
    expect(stub.clients).toEqual(["eu-west-1"]); // the secret's region, from its ARN
    expect(stub.requests).toEqual([GET_SECRET]);
    expect(logs.stdout()).toContainEqual(
      expect.objectContaining({
        level: "info",
        msg: "database secret read",
        secret_arn: SECRET_ARN,
        reason: "password refused",
        changed: true,
      }),
    );
    expect(logs.stderr()).toEqual([]);
    expectNoPassword(logs);
  });

  it("reads the secret once for many connections refused at once, not once per connection", async () => {
    const stub = stubSecretsManager(secretWith(ROTATED));
    const { resources, logins, get, holdIdle } = await startApp(stub);
    await setDatabasePassword(ROTATED);

    // Eight connections opened at once, as a burst of requests does: all eight are refused.
    const burst = await Promise.all(
      Array.from({ length: 8 }, () => resources.writer.query<{ one: number }>("SELECT 1 AS one")),
    );
    expect(burst.map((result) => result.rows[0]!.one)).toEqual(Array(8).fill(1));
    expect(logins.map((l) => `${l.gave} ${l.outcome}`).sort()).toEqual([
      ...Array(8).fill("old refused"),
      ...Array(8).fill("rotated accepted"),
    ]);
    expect(stub.requests).toEqual([GET_SECRET]);

    // A later new connection uses the password held: no more reads.
    const release = await holdIdle();
    const before = logins.length;
    expect(await get()).toBe(200);
    release();
    expect(logins.slice(before)).toEqual([{ user: USER, gave: "rotated", outcome: "accepted" }]);
    expect(stub.requests).toHaveLength(1);
  });

  it("retries a refused login once, not in a loop, when the secret's password is refused too", async () => {
    const stub = stubSecretsManager(secretWith(ROTATED));
    const { logs, logins, get } = await startApp(stub);
    await setDatabasePassword(ROTATED_AGAIN);

    expect(await get()).toBe(500);
    expect(logins.map((l) => `${l.gave} ${l.outcome}`)).toEqual(["old refused", "rotated refused"]);
    expect(stub.requests).toHaveLength(1);
    expect(logs.stderr()).toContainEqual(
      expect.objectContaining({
        msg: "request failed",
        error: `password authentication failed for user "${USER}"`,
      }),
    );
    expectNoPassword(logs);
  });

  it("a failed read is one clear error line without the password, and is not repeated before the wait", async () => {
    const stub = stubSecretsManager({
      status: 400,
      type: "AccessDeniedException",
      message: `User is not authorized to perform: secretsmanager:GetSecretValue on resource: ${SECRET_ARN}`,
    });
    const { logs, clock, get } = await startApp(stub);
    await setDatabasePassword(ROTATED);

    expect(await get()).toBe(500);
    expect(logs.stderr()).toEqual([
      expect.objectContaining({
        level: "error",
        msg: "database secret could not be read",
        secret_arn: SECRET_ARN,
        reason: "password refused",
        error_name: "AccessDeniedException",
        error: expect.stringContaining("not authorized to perform: secretsmanager:GetSecretValue"),
        retry_after_ms: 10_000,
      }),
      expect.objectContaining({
        msg: "request failed",
        error: `password authentication failed for user "${USER}"`,
      }),
    ]);

    // Repeated refusals within the wait fail at once, without calling Secrets Manager again.
    clock.now += 9_999;
    expect(await get()).toBe(500);
    expect(await get()).toBe(500);
    expect(stub.requests).toHaveLength(1);

    // Once the wait is over, the next refused login reads again; this time it works.
    stub.answer = secretWith(ROTATED);
    clock.now += 1;
    expect(await get()).toBe(200);
    expect(stub.requests).toHaveLength(2);
    expectNoPassword(logs);
  });

  it("a secret that is not the JSON RDS writes is reported without quoting any of it", async () => {
    const stub = stubSecretsManager({ secret: `password=${ROTATED}` });
    const { logs, get } = await startApp(stub);
    await setDatabasePassword(ROTATED);

    expect(await get()).toBe(500);
    expect(logs.stderr()[0]).toMatchObject({
      msg: "database secret could not be read",
      error_name: "SecretFormatError",
      error: `the secret's value is not a JSON object with string "username" and "password" (it is not JSON)`,
    });
    expectNoPassword(logs);
  });

  it("waits longer after each read that still finds the refused password (a rotation finishing)", async () => {
    const stub = stubSecretsManager(secretWith(DB_PASSWORD));
    const { logs, clock, get } = await startApp(stub);
    await setDatabasePassword(ROTATED);

    expect(await get()).toBe(500);
    expect(logs.stderr()[0]).toMatchObject({
      level: "warn",
      msg: "database secret read: it still holds the refused password",
      changed: false,
      retry_after_ms: 10_000,
    });
    clock.now += 10_000;
    expect(await get()).toBe(500);
    expect(stub.requests).toHaveLength(2);
    clock.now += 19_999; // the wait has doubled: 20 s
    expect(await get()).toBe(500);
    expect(stub.requests).toHaveLength(2);

    stub.answer = secretWith(ROTATED);
    clock.now += 1;
    expect(await get()).toBe(200);
    expect(stub.requests).toHaveLength(3);
    expectNoPassword(logs);
  });
});

describe("the hourly re-read", () => {
  /** A pool of its own, so that each login is a new connection. */
  function pool(stub: SecretsManagerStub, clock: { now: number }, logins: Login[]) {
    const logs = captureLogs();
    const db = appConfig({ ORDERS_DB_SECRET_ARN: SECRET_ARN }).database;
    const credentials = new DatabaseCredentials({
      db,
      logger: logs.logger,
      secretsManager: stub.factory,
      now: () => clock.now,
    });
    const writer: DatabasePool = createPool(db, {
      applicationName: "orders-test",
      logger: logs.logger,
      credentials,
      Client: passwordCheckingClient(logins),
    });
    /** A new connection (closed afterwards), and one query on it. */
    const login = async () => {
      const client = await writer.connect();
      await client.query("SELECT 1");
      client.release(true);
    };
    return { logs, credentials, login, close: async () => Promise.all([writer.end(), credentials.close()]) };
  }

  it("reads the secret before a login once the password held is an hour old, so a rotation is seen before a refusal", async () => {
    const stub = stubSecretsManager(secretWith(DB_PASSWORD));
    const clock = { now: 0 };
    const logins: Login[] = [];
    const { logs, login, close } = pool(stub, clock, logins);
    try {
      clock.now = 59 * MINUTE;
      await login();
      expect(stub.requests).toHaveLength(0);
      clock.now = 60 * MINUTE;
      await login();
      expect(stub.requests).toEqual([GET_SECRET]);
      expect(logs.stdout()).toEqual([
        expect.objectContaining({ msg: "database secret read", reason: "max age", changed: false }),
      ]);

      await setDatabasePassword(ROTATED);
      stub.answer = secretWith(ROTATED);
      clock.now = 119 * MINUTE; // an hour after the last read: not yet
      await expect(login()).resolves.toBeUndefined(); // refused, read, retried
      expect(stub.requests).toHaveLength(2);

      await setDatabasePassword(ROTATED_AGAIN);
      stub.answer = secretWith(ROTATED_AGAIN);
      clock.now = 179 * MINUTE;
      await login();
      expect(stub.requests).toHaveLength(3);
      expect(logins.map((l) => `${l.gave} ${l.outcome}`)).toEqual([
        "old accepted",
        "old accepted",
        "old refused",
        "rotated accepted",
        "rotated again accepted", // read first, never refused
      ]);
      expectNoPassword(logs);
    } finally {
      await close();
    }
  });

  it("keeps the password held when the hourly read fails, and spaces out the next tries", async () => {
    // The answer when the task role may not use the secret's KMS key.
    const stub = stubSecretsManager({
      status: 400,
      type: "DecryptionFailure",
      message: "Secrets Manager can't decrypt the protected secret text using the provided KMS key.",
    });
    const clock = { now: 0 };
    const logins: Login[] = [];
    const { logs, login, close } = pool(stub, clock, logins);
    try {
      clock.now = 60 * MINUTE;
      await login();
      await login();
      expect(logins.map((l) => `${l.gave} ${l.outcome}`)).toEqual(["old accepted", "old accepted"]);
      expect(stub.requests).toHaveLength(1);
      expect(logs.stderr()).toEqual([
        expect.objectContaining({
          level: "error",
          msg: "database secret could not be read",
          reason: "max age",
          error_name: "DecryptionFailure",
          error: expect.stringContaining("can't decrypt"),
          retry_after_ms: 10_000,
        }),
      ]);
      clock.now += 10_000;
      await login();
      expect(stub.requests).toHaveLength(2);
      expect(logs.stderr()).toHaveLength(2);
      expect(logs.stderr()[1]).toMatchObject({ retry_after_ms: 20_000 });
    } finally {
      await close();
    }
  });
});

describe("without ORDERS_DB_SECRET_ARN (local runs, compose)", () => {
  it("nothing calls AWS: the password is ORDERS_DB_PASSWORD for good, and a refused login fails as it is", async () => {
    const stub = stubSecretsManager(secretWith(ROTATED));
    const { logs, logins, clock, get, holdIdle } = await startApp(stub, {});
    expect(await get()).toBe(200);
    clock.now = 24 * 60 * MINUTE; // no hourly read either
    expect(await get()).toBe(200);

    await setDatabasePassword(ROTATED);
    const release = await holdIdle();
    expect(await get()).toBe(500);
    release();
    expect(logins.map((l) => `${l.gave} ${l.outcome}`)).toEqual(["old accepted", "old refused"]);
    expect(stub.clients).toEqual([]); // no Secrets Manager client was even made
    expect(stub.requests).toEqual([]);
    expect(logs.stderr()).toEqual([
      expect.objectContaining({
        msg: "request failed",
        error: `password authentication failed for user "${USER}"`,
      }),
    ]);
    expectNoPassword(logs);
  });
});
