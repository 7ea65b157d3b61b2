import http from "node:http";
import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type Handler, type HelloServer, sendJson, start } from "../src/app";
import {
  captureLogs,
  deferred,
  request,
  startPartialRequest,
  testConfig,
  tryConnect,
  waitFor,
} from "./helpers";

const running: HelloServer[] = [];

afterEach(async () => {
  // Never leave a listener behind, whatever the test did.
  for (const app of running.splice(0)) {
    app.server.closeAllConnections();
    await app.shutdown("test cleanup");
  }
});

async function startApp(options: Parameters<typeof testConfig>[0] = {}, routes?: Record<string, Handler>) {
  const logs = captureLogs();
  const app = await start({ config: testConfig(options), logger: logs.logger, routes });
  running.push(app);
  return { app, logs, port: app.address.port };
}

describe("endpoints", () => {
  it("GET / greets with the service name, version and environment from the config", async () => {
    const { port } = await startApp({ serviceName: "orders", version: "1.2.3", environment: "staging" });
    const res = await request(port, "/");
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(res.json()).toEqual({
      message: "Hello from orders!",
      service: "orders",
      version: "1.2.3",
      environment: "staging",
    });
  });

  it("GET /healthz answers 200 with a JSON status", async () => {
    const { port } = await startApp();
    const res = await request(port, "/healthz");
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ status: "ok" });
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  it("HEAD /healthz answers 200 without a body", async () => {
    const { port } = await startApp();
    const res = await request(port, "/healthz", { method: "HEAD" });
    expect(res.status).toBe(200);
    expect(res.text).toBe("");
  });

  it("unknown paths answer 404 JSON", async () => {
    const { port } = await startApp();
    const res = await request(port, "/nope?x=1");
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({ error: "not_found", path: "/nope" });
  });

  it("other methods on built-in paths answer 405 with Allow", async () => {
    const { port } = await startApp();
    const res = await request(port, "/", { method: "POST" });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe("GET, HEAD");
    expect(res.json()).toEqual({ error: "method_not_allowed" });
  });

  it("extra routes cannot shadow /healthz", async () => {
    const { port } = await startApp({}, { "/healthz": (_req, res) => sendJson(res, 418, {}) });
    expect((await request(port, "/healthz")).status).toBe(200);
  });

  it("a throwing handler answers 500 and logs the error on stderr", async () => {
    const { port, logs } = await startApp(
      {},
      {
        "/boom": () => {
          throw new Error("kaboom");
        },
      },
    );
    const res = await request(port, "/boom");
    expect(res.status).toBe(500);
    expect(res.json()).toEqual({ error: "internal_error" });
    const errors = logs.stderr();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      level: "error",
      msg: "request failed",
      path: "/boom",
      error: "kaboom",
    });
    // The request line still goes to stdout, with the status the client saw.
    await waitFor(() => logs.stdout().some((l) => l.path === "/boom"), "the request log line");
    expect(logs.stdout().find((l) => l.path === "/boom")).toMatchObject({ status: 500 });
  });
});

describe("logs", () => {
  it("writes one JSON line per request on stdout with the agreed fields and no query string", async () => {
    const { port, logs } = await startApp();
    await request(port, "/");
    await request(port, "/healthz");
    await request(port, "/missing?token=secret");
    await waitFor(() => logs.stdout().filter((l) => l.msg === "request").length === 3, "three request lines");

    const lines = logs.stdout().filter((l) => l.msg === "request");
    expect(lines.map((l) => [l.method, l.path, l.status])).toEqual([
      ["GET", "/", 200],
      ["GET", "/healthz", 200],
      ["GET", "/missing", 404],
    ]);
    for (const line of lines) {
      expect(line.level).toBe("info");
      expect(new Date(line.time as string).toISOString()).toBe(line.time);
      expect(typeof line.duration_ms).toBe("number");
      expect(line.duration_ms as number).toBeGreaterThanOrEqual(0);
    }
    expect(JSON.stringify(logs.stdout())).not.toContain("secret");
    expect(logs.stderr()).toEqual([]);
  });

  it("logs the bound address once listening", async () => {
    const { port, logs } = await startApp({ serviceName: "svc" });
    expect(logs.stdout()[0]).toMatchObject({ level: "info", msg: "listening", port, service: "svc" });
  });
});

describe("graceful shutdown", () => {
  it("drains: refuses new connections, /healthz answers 503, the in-flight request completes", async () => {
    const release = deferred();
    const arrived = deferred();
    const { app, port, logs } = await startApp(
      { shutdownTimeoutMs: 10_000 },
      {
        "/slow": async (_req, res) => {
          arrived.resolve();
          await release.promise;
          sendJson(res, 200, { done: true });
        },
      },
    );

    const serverSockets: Socket[] = [];
    app.server.on("connection", (socket: Socket) => serverSockets.push(socket));

    const slow = request(port, "/slow");
    await arrived.promise;
    // A request whose headers are still arriving when the signal comes is in flight too. Wait until
    // the server has read its first bytes, so it counts as active rather than idle.
    const health = await startPartialRequest(port, "/healthz");
    await waitFor(() => serverSockets.length === 2 && serverSockets[1]!.bytesRead > 0, "the partial request");

    const stopping = app.shutdown("SIGTERM");
    expect(app.draining).toBe(true);
    expect(await tryConnect(port)).toBe("ECONNREFUSED");

    const healthResponse = await health.finish();
    expect(healthResponse).toMatch(/^HTTP\/1\.1 503 /);
    expect(healthResponse.toLowerCase()).toContain("connection: close");
    expect(healthResponse).toContain('{"status":"draining"}');

    // Still draining: the slow request holds the shutdown open.
    let resolved = false;
    void stopping.then(() => {
      resolved = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(resolved).toBe(false);

    release.resolve();
    const res = await slow;
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ done: true });

    const result = await stopping;
    expect(result).toMatchObject({ code: 0, drained: true });
    expect(result.durationMs).toBeLessThan(10_000);
    const msgs = logs.stdout().map((l) => l.msg);
    expect(msgs).toContain("shutdown started");
    expect(msgs).toContain("shutdown complete");
    expect(logs.stdout().find((l) => l.msg === "shutdown started")).toMatchObject({
      reason: "SIGTERM",
      in_flight: 1,
    });
    expect(logs.stderr()).toEqual([]);
  });

  it("closes idle keep-alive connections instead of waiting for their timeout", async () => {
    const { app, port } = await startApp({ shutdownTimeoutMs: 10_000, keepAliveTimeoutMs: 65_000 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const res = await request(port, "/healthz", { agent });
      expect(res.headers.connection).toBe("keep-alive");
      const socketClosed = new Promise<void>((resolve) => res.socket.once("close", () => resolve()));

      const result = await app.shutdown("SIGTERM");
      expect(result).toMatchObject({ code: 0, drained: true });
      // Far below both the 65 s keep-alive timeout and the 10 s shutdown timeout.
      expect(result.durationMs).toBeLessThan(5_000);
      await socketClosed;
    } finally {
      agent.destroy();
    }
  });

  it("closes a keep-alive connection after its in-flight response instead of keeping it idle", async () => {
    const release = deferred();
    const arrived = deferred();
    const { app, port } = await startApp(
      { shutdownTimeoutMs: 10_000 },
      {
        "/stream": async (_req, res) => {
          // Headers go out before the shutdown, announcing keep-alive.
          res.writeHead(200, { "content-type": "text/plain" });
          res.write("part 1\n");
          arrived.resolve();
          await release.promise;
          res.end("part 2\n");
        },
      },
    );
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const pending = request(port, "/stream", { agent });
      await arrived.promise;
      const stopping = app.shutdown("SIGTERM");
      release.resolve();
      const res = await pending;
      expect(res.text).toBe("part 1\npart 2\n");
      const result = await stopping;
      expect(result).toMatchObject({ code: 0, drained: true });
      expect(result.durationMs).toBeLessThan(5_000);
    } finally {
      agent.destroy();
    }
  });

  it("gives up after SHUTDOWN_TIMEOUT_MS: closes what is left and reports exit code 1", async () => {
    const arrived = deferred();
    const never = deferred();
    const { app, port, logs } = await startApp(
      { shutdownTimeoutMs: 300 },
      {
        "/hang": async () => {
          arrived.resolve();
          await never.promise;
        },
      },
    );
    const hanging = request(port, "/hang").then(
      () => "answered",
      (err: NodeJS.ErrnoException) => err.code ?? err.message,
    );
    await arrived.promise;

    const result = await app.shutdown("SIGTERM");
    expect(result).toMatchObject({ code: 1, drained: false });
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(5_000);
    expect(await hanging).toBe("ECONNRESET");
    expect(logs.stderr()).toEqual([
      expect.objectContaining({
        level: "error",
        msg: "shutdown timed out, closing remaining connections",
        in_flight: 1,
      }),
    ]);
    never.resolve();
  });

  it("returns the same promise when called twice", async () => {
    const { app } = await startApp();
    const first = app.shutdown("SIGTERM");
    expect(app.shutdown("SIGINT")).toBe(first);
    expect((await first).code).toBe(0);
  });

  it("resolves at once when the server never listened", async () => {
    const logs = captureLogs();
    const app = createServer({ config: testConfig(), logger: logs.logger });
    expect(await app.shutdown("SIGTERM")).toMatchObject({ code: 0, drained: true });
  });
});
