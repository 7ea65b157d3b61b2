// The API in-process, against real engines (test/engines.ts): Postgres (PGlite over its socket
// server) holds the orders, an S3 server (s3rver) the receipts. The app's S3 client finds the server
// through AWS_ENDPOINT_URL_S3, as the SDK reads it; the tests look with clients of their own.
import type { Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, type OrdersServer, start } from "../src/app";
import { type Config, loadConfig } from "../src/config";
import { openResources, type Resources } from "../src/main";
import { migrate } from "../src/migrations";
import { createS3Client, ReceiptBucket, receiptKey } from "../src/receipts";
import { OrderStore } from "../src/store";
import { REGION, setProcessEnv, startPostgres, startS3, type TestPostgres, type TestS3 } from "./engines";
import { captureLogs, ORDER, request, startPartialPost, testConfig, tryConnect, waitFor } from "./helpers";

const BUCKET = "orders-receipts-app-test";

let postgres: TestPostgres;
let s3: TestS3;
let restoreEnv: () => void;
let config: Config;
let resources: Resources;

beforeAll(async () => {
  [postgres, s3] = await Promise.all([startPostgres(), startS3()]);
  restoreEnv = setProcessEnv(s3.env);
  await s3.createBucket(BUCKET);
  config = loadConfig({
    ...postgres.env,
    RECEIPTS_BUCKET: BUCKET,
    RECEIPTS_BUCKET_ARN: `arn:aws:s3:::${BUCKET}`,
    RECEIPTS_REGION: REGION,
    HOST: "127.0.0.1",
    PORT: "0",
  });
  resources = openResources(config, captureLogs().logger);
  await migrate(postgres.pool, captureLogs().logger);
});

afterAll(async () => {
  await resources?.close();
  restoreEnv?.();
  await Promise.all([postgres?.close(), s3?.close()]);
});

const running: OrdersServer[] = [];

afterEach(async () => {
  for (const app of running.splice(0)) {
    app.server.closeAllConnections();
    await app.shutdown("test cleanup");
  }
});

async function startApp(
  options: Parameters<typeof testConfig>[0] = {},
  extra: { store?: OrderStore; onClose?: () => Promise<void> } = {},
) {
  const logs = captureLogs();
  const app = await start({
    config: testConfig(options),
    logger: logs.logger,
    store: extra.store ?? resources.store,
    ...(extra.onClose ? { onClose: extra.onClose } : {}),
  });
  running.push(app);
  return { app, logs, port: app.address.port };
}

async function countOrders(): Promise<number> {
  return Number((await postgres.pool.query("SELECT count(*) AS n FROM orders")).rows[0].n);
}

describe("storage: Postgres and S3", () => {
  it("stores a created order as a row of the orders table and its receipt in the bucket", async () => {
    const { port } = await startApp();
    const order = (await request(port, "/orders", { body: ORDER })).json();

    const rows = await postgres.pool.query("SELECT * FROM orders WHERE id = $1", [order.id]);
    expect(rows.rows).toEqual([
      expect.objectContaining({
        id: order.id,
        customer: "cus_42",
        currency: "EUR",
        items: ORDER.items,
        total_cents: "2999",
        status: "created",
        created_at: new Date(order.createdAt),
      }),
    ]);

    const object = await s3.getObject(BUCKET, `receipts/${order.id}.json`);
    expect(object?.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(object!.body)).toEqual({
      orderId: order.id,
      issuedAt: order.createdAt,
      issuedBy: "orders",
      customer: "cus_42",
      currency: "EUR",
      lines: [
        { sku: "MUG-BLUE", quantity: 2, unitPriceCents: 1250, lineTotalCents: 2500 },
        { sku: "TEA-01", quantity: 1, unitPriceCents: 499, lineTotalCents: 499 },
      ],
      totalCents: 2999,
    });
  });

  it("GET /orders/:id/receipt answers the stored receipt; HEAD too; 404 for an unknown order", async () => {
    const { port } = await startApp();
    const order = (await request(port, "/orders", { body: ORDER })).json();
    const receipt = await request(port, `/orders/${order.id}/receipt`);
    expect(receipt.status).toBe(200);
    expect(receipt.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(receipt.text).toBe((await s3.getObject(BUCKET, receiptKey(order.id)))!.body);
    expect(receipt.json()).toMatchObject({ orderId: order.id, totalCents: 2999 });

    const head = await request(port, `/orders/${order.id}/receipt`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.text).toBe("");

    const unknown = await request(port, "/orders/ord_00000000000000000000000000000000/receipt");
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toEqual({ error: "order_not_found", id: "ord_00000000000000000000000000000000" });
    const post = await request(port, `/orders/${order.id}/receipt`, { body: {} });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, HEAD");
  });

  it("answers 404 receipt_not_found when an order's receipt is missing from the bucket", async () => {
    const { port } = await startApp();
    const order = (await request(port, "/orders", { body: ORDER })).json();
    await s3.deleteObject(BUCKET, receiptKey(order.id));
    const res = await request(port, `/orders/${order.id}/receipt`);
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({ error: "receipt_not_found", id: order.id });
  });

  it("creates no order when its receipt cannot be written (500, nothing in the table)", async () => {
    const store = new OrderStore({
      writer: resources.writer,
      receipts: new ReceiptBucket(createS3Client(config.receipts), "no-such-bucket"),
    });
    const { port, logs } = await startApp({}, { store });
    const before = await countOrders();
    const res = await request(port, "/orders", { body: ORDER });
    expect(res.status).toBe(500);
    expect(res.json()).toEqual({ error: "internal_error" });
    expect(await countOrders()).toBe(before);
    expect(logs.stderr()).toEqual([
      expect.objectContaining({ msg: "request failed", method: "POST", error_name: "NoSuchBucket" }),
    ]);
  });

  it("reads the list from the reader pool and single orders from the writer", async () => {
    const { Pool } = await import("pg");
    const reader = new Pool({
      host: postgres.host,
      port: postgres.port,
      user: "postgres",
      database: "postgres",
    });
    try {
      const store = new OrderStore({
        writer: resources.writer,
        reader,
        receipts: new ReceiptBucket(resources.s3, BUCKET),
      });
      const { port } = await startApp({}, { store });
      const created = (await request(port, "/orders", { body: ORDER })).json();
      expect(reader.totalCount).toBe(0);
      expect((await request(port, `/orders/${created.id}`)).status).toBe(200);
      expect(reader.totalCount).toBe(0);
      expect((await request(port, "/orders?limit=1")).json().orders).toEqual([created]);
      expect(reader.totalCount).toBeGreaterThan(0);
    } finally {
      await reader.end();
    }
  });

  it("closes the pools and the S3 client through onClose when the drain ends", async () => {
    const own = openResources(config, captureLogs().logger);
    const { app, port, logs } = await startApp({}, { store: own.store, onClose: own.close });
    expect((await request(port, "/orders", { body: ORDER })).status).toBe(201);
    expect(own.writer.ended).toBe(false);
    expect(await app.shutdown("SIGTERM")).toMatchObject({ code: 0, drained: true });
    expect(own.writer.ended).toBe(true);
    expect(logs.stdout().at(-1)).toMatchObject({ msg: "shutdown complete" });
  });
});

describe("POST /orders and GET /orders/:id", () => {
  it("creates an order (201, Location, computed total) that GET /orders/:id then returns", async () => {
    const { port, logs } = await startApp();
    const created = await request(port, "/orders", { body: ORDER });
    expect(created.status).toBe(201);
    const order = created.json();
    expect(order).toMatchObject({
      customer: "cus_42",
      currency: "EUR",
      items: ORDER.items,
      totalCents: 2 * 1250 + 499,
      status: "created",
    });
    expect(order.id).toMatch(/^ord_[0-9a-f]{32}$/);
    expect(new Date(order.createdAt).toISOString()).toBe(order.createdAt);
    expect(created.headers.location).toBe(`/orders/${order.id}`);

    const fetched = await request(port, `/orders/${order.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.json()).toEqual(order);
    expect(fetched.headers["content-type"]).toBe("application/json; charset=utf-8");
    await waitFor(() => logs.stdout().some((l) => l.msg === "order created"), "the order log line");
    expect(logs.stdout().find((l) => l.msg === "order created")).toMatchObject({
      order_id: order.id,
      items: 2,
      total_cents: 2999,
    });
    // The customer is not written to the logs.
    expect(JSON.stringify(logs.stdout())).not.toContain("cus_42");
  });

  it("defaults the currency to EUR and trims the customer", async () => {
    const { port } = await startApp();
    const res = await request(port, "/orders", {
      body: { customer: "  cus_7 ", items: [{ sku: "A1", quantity: 3, unitPriceCents: 0 }] },
    });
    expect(res.status).toBe(201);
    expect(res.json()).toMatchObject({ customer: "cus_7", currency: "EUR", totalCents: 0 });
  });

  it("answers 404 for an unknown or malformed id", async () => {
    const { port } = await startApp();
    for (const id of ["ord_00000000000000000000000000000000", "nope", "%E0%A4%A"]) {
      const res = await request(port, `/orders/${id}`);
      expect(res.status, id).toBe(id.startsWith("%") ? 400 : 404);
    }
    expect((await request(port, "/orders/nope")).json()).toEqual({ error: "order_not_found", id: "nope" });
  });

  it("lists the newest orders first, with a bounded limit and the total count", async () => {
    const { port } = await startApp();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await request(port, "/orders", { body: { ...ORDER, customer: `c${i}` } })).json().id);
    }
    const res = await request(port, "/orders?limit=2");
    expect(res.status).toBe(200);
    expect(res.json().orders.map((o: { id: string }) => o.id)).toEqual([ids[2], ids[1]]);
    expect(res.json().total).toBe(await countOrders());
    for (const limit of ["0", "101", "x"]) {
      expect((await request(port, `/orders?limit=${limit}`)).json()).toMatchObject({
        error: "invalid_limit",
      });
    }
  });
});

describe("input validation", () => {
  it.each([
    ["not an object", [1, 2], [{ path: "", message: "must be a JSON object" }]],
    ["no customer and no items", {}, [{ path: "customer" }, { path: "items" }]],
    ["an empty item list", { customer: "c", items: [] }, [{ path: "items" }]],
    ["an unknown field", { ...ORDER, coupon: "FREE" }, [{ path: "coupon", message: "unknown field" }]],
    ["an unknown currency", { ...ORDER, currency: "BTC" }, [{ path: "currency" }]],
    [
      "bad item fields, all reported at once",
      { customer: "c", items: [{ sku: "lower", quantity: 0, unitPriceCents: 1.5 }] },
      [{ path: "items.0.sku" }, { path: "items.0.quantity" }, { path: "items.0.unitPriceCents" }],
    ],
    [
      "the same sku twice",
      {
        customer: "c",
        items: [
          { sku: "A", quantity: 1, unitPriceCents: 1 },
          { sku: "A", quantity: 1, unitPriceCents: 1 },
        ],
      },
      [{ path: "items.1.sku" }],
    ],
  ])("refuses %s with 422 and every issue", async (_title, body, issues) => {
    const { port } = await startApp();
    const before = await countOrders();
    const res = await request(port, "/orders", { body });
    expect(res.status).toBe(422);
    expect(res.json().error).toBe("invalid_order");
    expect(res.json().issues).toEqual(issues.map((i) => expect.objectContaining(i)));
    expect(await countOrders()).toBe(before);
  });

  it("answers 400 for malformed JSON and 415 for another content type", async () => {
    const { port } = await startApp();
    const bad = await request(port, "/orders", { body: '{"customer":' });
    expect(bad.status).toBe(400);
    expect(bad.json()).toEqual({ error: "invalid_json" });
    const form = await request(port, "/orders", {
      body: "customer=c",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
  });

  it("refuses a body over the limit with 413 without reading it all", async () => {
    const { port } = await startApp();
    const res = await request(port, "/orders", { body: { customer: "x".repeat(MAX_BODY_BYTES) } });
    expect(res.status).toBe(413);
    expect(res.json()).toEqual({ error: "body_too_large", maxBytes: MAX_BODY_BYTES });
  });
});

describe("other routes", () => {
  it("GET /healthz answers 200; unknown paths 404; wrong methods 405 with Allow", async () => {
    const { port } = await startApp();
    expect((await request(port, "/healthz")).json()).toEqual({ status: "ok" });
    expect((await request(port, "/nope")).status).toBe(404);
    const del = await request(port, "/orders/ord_1", { method: "DELETE" });
    expect(del.status).toBe(405);
    expect(del.headers.allow).toBe("GET, HEAD");
    expect((await request(port, "/orders", { method: "PUT" })).headers.allow).toBe("GET, HEAD, POST");
  });

  it("logs one JSON line per request, without the query string", async () => {
    const { port, logs } = await startApp();
    await request(port, "/orders?limit=5&token=secret");
    await waitFor(() => logs.stdout().some((l) => l.msg === "request"), "the request line");
    expect(logs.stdout().find((l) => l.msg === "request")).toMatchObject({
      level: "info",
      method: "GET",
      path: "/orders",
      status: 200,
    });
    expect(JSON.stringify(logs.stdout())).not.toContain("secret");
  });
});

describe("graceful shutdown", () => {
  it("refuses new connections, answers 503 on /healthz, and lets a half-sent POST complete", async () => {
    const { app, port } = await startApp();
    const before = await countOrders();
    const sockets: Socket[] = [];
    app.server.on("connection", (s: Socket) => sockets.push(s));
    const post = await startPartialPost(port, ORDER);
    await waitFor(() => sockets.length === 1 && sockets[0]!.bytesRead > 0, "the partial request");
    await waitFor(() => app.inFlight === 1, "the request in flight");

    const stopping = app.shutdown("SIGTERM");
    expect(await tryConnect(port)).toBe("ECONNREFUSED");
    const raw = await post.finish();
    expect(raw).toMatch(/^HTTP\/1\.1 201 /);
    expect(raw.toLowerCase()).toContain("connection: close");
    expect(await stopping).toMatchObject({ code: 0, drained: true });
    const created = JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4));
    expect(await countOrders()).toBe(before + 1);
    expect(await s3.exists(BUCKET, receiptKey(created.id))).toBe(true);
  });

  it("gives up after SHUTDOWN_TIMEOUT_MS and reports exit code 1", async () => {
    const { app, port, logs } = await startApp({ shutdownTimeoutMs: 200 });
    const post = await startPartialPost(port, ORDER);
    await waitFor(() => app.inFlight === 1, "the request in flight");
    expect(await app.shutdown("SIGTERM")).toMatchObject({ code: 1, drained: false });
    await post.closed;
    expect(logs.stderr()).toEqual([
      expect.objectContaining({ msg: "shutdown timed out, closing remaining connections", in_flight: 1 }),
    ]);
  });
});
