import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { performance } from "node:perf_hooks";
import type { Config } from "./config";
import { createLogger, errorFields, type Logger } from "./log";

export interface RequestContext {
  /** The parsed request URL (path and query). */
  readonly url: URL;
  readonly config: Config;
  /** True once shutdown has begun. */
  readonly draining: boolean;
}

/** Handles one request and must answer it (for example with {@link sendJson}). */
export type Handler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  ctx: RequestContext,
) => void | Promise<void>;

export interface CreateServerOptions {
  config: Config;
  /** @default a JSON logger on process.stdout / process.stderr */
  logger?: Logger;
  /**
   * Extra routes keyed by exact path. The built-in `/` and `/healthz` always win, so an extra route
   * cannot hide the health check. Extra routes see every method.
   * @example { "/slow": async (_req, res) => { await sleep(500); sendJson(res, 200, { ok: true }); } }
   */
  routes?: Record<string, Handler>;
}

export interface ShutdownResult {
  /** The exit code the process should use: 0 when drained, 1 when the timeout cut the drain short. */
  code: 0 | 1;
  drained: boolean;
  /** Milliseconds from the start of the shutdown until it resolved. */
  durationMs: number;
}

export interface HelloServer {
  readonly server: http.Server;
  readonly config: Config;
  readonly draining: boolean;
  /** Requests that have arrived and whose response has not closed yet. */
  readonly inFlight: number;
  /** Binds `config.host:config.port`. Resolves with the bound address (useful with port 0). */
  listen(): Promise<AddressInfo>;
  /**
   * Stops accepting connections, answers `/healthz` with 503, closes idle keep-alive sockets, lets
   * in-flight requests finish, and resolves when the last connection has closed. If that takes
   * longer than `config.shutdownTimeoutMs`, it destroys the remaining connections and resolves with
   * code 1. Calling it again returns the same promise.
   */
  shutdown(reason: string): Promise<ShutdownResult>;
}

const JSON_TYPE = "application/json; charset=utf-8";
const READ_METHODS = ["GET", "HEAD"];

/** Writes `body` as a JSON response. Safe to call once per response. */
export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": JSON_TYPE,
    "content-length": Buffer.byteLength(payload),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...headers,
  });
  res.end(payload);
}

function builtInRoutes(): Record<string, Handler> {
  return {
    "/": (_req, res, { config }) =>
      sendJson(res, 200, {
        message: `Hello from ${config.serviceName}!`,
        service: config.serviceName,
        version: config.version,
        environment: config.environment,
      }),
    "/healthz": (_req, res, { draining }) =>
      draining ? sendJson(res, 503, { status: "draining" }) : sendJson(res, 200, { status: "ok" }),
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** Creates the server without binding it. See {@link start} to create and listen in one call. */
export function createServer(options: CreateServerOptions): HelloServer {
  const { config } = options;
  const logger = options.logger ?? createLogger();
  const builtIn = builtInRoutes();
  const extra = options.routes ?? {};
  const inFlight = new Set<http.ServerResponse>();
  let draining = false;
  let shutdownPromise: Promise<ShutdownResult> | undefined;

  const server = http.createServer(async (req, res) => {
    const started = performance.now();
    const socket: Socket = req.socket;
    inFlight.add(res);
    let path = "(invalid)";

    res.once("close", () => {
      inFlight.delete(res);
      logger.info("request", {
        method: req.method,
        path,
        status: res.statusCode,
        duration_ms: round(performance.now() - started),
        ...(res.writableFinished ? {} : { aborted: true }),
      });
      // During the drain a finished keep-alive socket would otherwise sit idle until its timeout
      // and hold the shutdown open. Ending it (not destroying it) still flushes what was written.
      if (draining && !socket.destroyed) socket.end();
    });
    if (draining) res.setHeader("connection", "close");

    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
      path = url.pathname;
    } catch {
      sendJson(res, 400, { error: "bad_request" });
      return;
    }

    const ctx: RequestContext = { url, config, draining };
    try {
      const own = builtIn[url.pathname];
      if (own) {
        if (!READ_METHODS.includes(req.method ?? "")) {
          sendJson(res, 405, { error: "method_not_allowed" }, { allow: READ_METHODS.join(", ") });
          return;
        }
        await own(req, res, ctx);
        return;
      }
      const route = extra[url.pathname];
      if (route) {
        await route(req, res, ctx);
        return;
      }
      sendJson(res, 404, { error: "not_found", path: url.pathname });
    } catch (err) {
      logger.error("request failed", { method: req.method, path, ...errorFields(err) });
      if (!res.headersSent) sendJson(res, 500, { error: "internal_error" });
      else res.destroy();
    }
  });
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  // headersTimeout must exceed keepAliveTimeout, or Node can cut a reused socket short.
  server.headersTimeout = config.keepAliveTimeoutMs + 1_000;

  const listen = () =>
    new Promise<AddressInfo>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once("error", onError);
      server.listen(config.port, config.host, () => {
        server.off("error", onError);
        const address = server.address() as AddressInfo;
        logger.info("listening", {
          host: address.address,
          port: address.port,
          service: config.serviceName,
          version: config.version,
          environment: config.environment,
        });
        resolve(address);
      });
    });

  const shutdown = (reason: string): Promise<ShutdownResult> => {
    if (shutdownPromise) return shutdownPromise;
    const started = performance.now();
    draining = true;
    logger.info("shutdown started", {
      reason,
      in_flight: inFlight.size,
      timeout_ms: config.shutdownTimeoutMs,
    });
    // Responses not yet begun tell the client this connection closes after them.
    for (const res of inFlight) if (!res.headersSent) res.setHeader("connection", "close");

    shutdownPromise = new Promise<ShutdownResult>((resolve) => {
      let settled = false;
      const finish = (result: Omit<ShutdownResult, "durationMs">) => {
        if (settled) return;
        settled = true;
        resolve({ ...result, durationMs: round(performance.now() - started) });
      };
      const timer = setTimeout(() => {
        logger.error("shutdown timed out, closing remaining connections", {
          in_flight: inFlight.size,
          timeout_ms: config.shutdownTimeoutMs,
        });
        server.closeAllConnections();
        finish({ code: 1, drained: false });
      }, config.shutdownTimeoutMs);

      // close() stops accepting and calls back once every connection has ended. Since Node 19 it
      // also closes the connections that are idle right now; the explicit call documents the intent.
      server.close((err) => {
        clearTimeout(timer);
        if (err && (err as NodeJS.ErrnoException).code !== "ERR_SERVER_NOT_RUNNING") {
          logger.error("shutdown failed", errorFields(err));
          finish({ code: 1, drained: false });
          return;
        }
        if (!settled) logger.info("shutdown complete", { duration_ms: round(performance.now() - started) });
        finish({ code: 0, drained: true });
      });
      server.closeIdleConnections();
    });
    return shutdownPromise;
  };

  return {
    server,
    config,
    get draining() {
      return draining;
    },
    get inFlight() {
      return inFlight.size;
    },
    listen,
    shutdown,
  };
}

/** Creates the server and binds it. */
export async function start(options: CreateServerOptions): Promise<HelloServer & { address: AddressInfo }> {
  const app = createServer(options);
  const address = await app.listen();
  return Object.assign(app, { address });
}
