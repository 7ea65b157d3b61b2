import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES, type OrdersServer, start } from "../src/app";
import { OrderStore } from "../src/orders";
import { captureLogs, ORDER, request, startPartialPost, testConfig, tryConnect, waitFor } from "./helpers";

const running: OrdersServer[] = [];

afterEach(async () => {
  for (const app of running.splice(0)) {
    app.server.closeAllConnections();
    await app.shutdown("test cleanup");
  }
});

async function startApp(options: Parameters<typeof testConfig>[0] = {}, store?: OrderStore) {
  const logs = captureLogs();
  const app = await start({ config: testConfig(options), logger: logs.logger, ...(store ? { store } : {}) });
  running.push(app);
  return { app, logs, port: app.address.port };
}

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

  it("lists the newest orders first, with a bounded limit", async () => {
    const { port } = await startApp();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await request(port, "/orders", { body: { ...ORDER, customer: `c${i}` } })).json().id);
    }
    const res = await request(port, "/orders?limit=2");
    expect(res.status).toBe(200);
    expect(res.json().orders.map((o: { id: string }) => o.id)).toEqual([ids[2], ids[1]]);
    expect(res.json().total).toBe(3);
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
    const { port, app } = await startApp();
    const res = await request(port, "/orders", { body });
    expect(res.status).toBe(422);
    expect(res.json().error).toBe("invalid_order");
    expect(res.json().issues).toEqual(issues.map((i) => expect.objectContaining(i)));
    expect(app.store.size).toBe(0);
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

  it("answers 507 when the bounded in-memory store is full", async () => {
    const { port } = await startApp({}, new OrderStore(1));
    expect((await request(port, "/orders", { body: ORDER })).status).toBe(201);
    const full = await request(port, "/orders", { body: ORDER });
    expect(full.status).toBe(507);
    expect(full.json()).toEqual({ error: "store_full" });
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
    expect(app.store.size).toBe(1);
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
