import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { performance } from "node:perf_hooks";
import type { ServerConfig } from "./config";
import { createLogger, errorFields, type Logger } from "./log";
import { validateNewOrder } from "./orders";
import type { OrderStore } from "./store";

export interface CreateServerOptions {
  config: ServerConfig;
  /** @default a JSON logger on process.stdout / process.stderr */
  logger?: Logger;
  /** Where orders and receipts live (Postgres and S3). */
  store: OrderStore;
  /**
   * Called once the drain has finished, before `shutdown complete`: closes what the server used (the
   * database pools, the S3 client). A failure is logged, not thrown. @default nothing to close
   */
  onClose?: () => Promise<void>;
}

export interface ShutdownResult {
  /** The exit code the process should use: 0 when drained, 1 when the timeout cut the drain short. */
  code: 0 | 1;
  drained: boolean;
  durationMs: number;
}

export interface OrdersServer {
  readonly server: http.Server;
  readonly store: OrderStore;
  readonly draining: boolean;
  /** Requests that have arrived and whose response has not closed yet. */
  readonly inFlight: number;
  /** Binds `config.host:config.port`. Resolves with the bound address (useful with port 0). */
  listen(): Promise<AddressInfo>;
  /**
   * Stops accepting connections, answers `/healthz` with 503, closes idle keep-alive sockets, lets
   * in-flight requests finish, runs `onClose` and resolves; after `config.shutdownTimeoutMs` it
   * destroys what is left and resolves with code 1. Idempotent.
   */
  shutdown(reason: string): Promise<ShutdownResult>;
}

/** Request bodies larger than this are refused with 413 before they are read to the end. */
export const MAX_BODY_BYTES = 16 * 1024;
/** `GET /orders?limit=` is capped here. */
export const MAX_LIST = 100;

const JSON_TYPE = "application/json; charset=utf-8";

/** An answer a handler gives by throwing: the status and the JSON body. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: http.OutgoingHttpHeaders = {},
  ) {
    super(String(body.error));
  }
}

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

/** Sends a JSON document that is already serialized (a stored receipt), as it is. */
function sendText(res: http.ServerResponse, status: number, payload: string): void {
  res.writeHead(status, {
    "content-type": JSON_TYPE,
    "content-length": Buffer.byteLength(payload),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(payload);
}

/** Reads a JSON request body: 415 unless it is JSON, 413 past {@link MAX_BODY_BYTES}, 400 if it does not parse. */
async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    throw new HttpError(415, { error: "unsupported_media_type", expected: "application/json" });
  }
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_BODY_BYTES)
    throw new HttpError(413, { error: "body_too_large", maxBytes: MAX_BODY_BYTES });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new HttpError(413, { error: "body_too_large", maxBytes: MAX_BODY_BYTES });
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, { error: "invalid_json" });
  }
}

const methodNotAllowed = (allow: string[]) =>
  new HttpError(405, { error: "method_not_allowed" }, { allow: allow.join(", ") });

const round = (ms: number) => Math.round(ms * 10) / 10;

export function createServer(options: CreateServerOptions): OrdersServer {
  const { config } = options;
  const logger = options.logger ?? createLogger();
  const { store } = options;
  const inFlight = new Set<http.ServerResponse>();
  let draining = false;
  let shutdownPromise: Promise<ShutdownResult> | undefined;

  /** The routes. Each answers (sendJson) or throws an HttpError. */
  const route = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const method = req.method ?? "GET";
    const path = url.pathname;
    if (path === "/healthz") {
      if (method !== "GET" && method !== "HEAD") throw methodNotAllowed(["GET", "HEAD"]);
      if (draining) sendJson(res, 503, { status: "draining" });
      else sendJson(res, 200, { status: "ok" });
      return;
    }
    if (path === "/orders") {
      if (method === "POST") {
        const checked = validateNewOrder(await readJson(req));
        if (!checked.ok) throw new HttpError(422, { error: "invalid_order", issues: checked.issues });
        const order = await store.create(checked.value);
        logger.info("order created", {
          order_id: order.id,
          items: order.items.length,
          total_cents: order.totalCents,
        });
        sendJson(res, 201, order, { location: `/orders/${order.id}` });
        return;
      }
      if (method === "GET" || method === "HEAD") {
        const raw = url.searchParams.get("limit") ?? "20";
        const limit = Number(raw);
        if (!/^\d+$/.test(raw) || limit < 1 || limit > MAX_LIST) {
          throw new HttpError(400, { error: "invalid_limit", allowed: `an integer from 1 to ${MAX_LIST}` });
        }
        sendJson(res, 200, await store.list(limit));
        return;
      }
      throw methodNotAllowed(["GET", "HEAD", "POST"]);
    }
    const match = /^\/orders\/([^/]+)(\/receipt)?$/.exec(path);
    if (match) {
      if (method !== "GET" && method !== "HEAD") throw methodNotAllowed(["GET", "HEAD"]);
      const id = decodeURIComponent(match[1]!);
      const order = await store.get(id);
      if (!order) throw new HttpError(404, { error: "order_not_found", id });
      if (!match[2]) {
        sendJson(res, 200, order);
        return;
      }
      const receipt = await store.receipt(id);
      if (receipt === undefined) throw new HttpError(404, { error: "receipt_not_found", id });
      sendText(res, 200, receipt);
      return;
    }
    throw new HttpError(404, { error: "not_found", path });
  };

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
      // While draining, a finished keep-alive socket would sit idle and hold the shutdown open.
      if (draining && !socket.destroyed) socket.end();
    });
    if (draining) res.setHeader("connection", "close");

    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      path = url.pathname;
      await route(req, res, url);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
      } else if (err instanceof HttpError) {
        // Refused bodies are not read to the end: close the connection rather than drain it.
        if (err.status === 413) res.setHeader("connection", "close");
        sendJson(res, err.status, err.body, err.headers);
      } else if (err instanceof URIError || err instanceof TypeError) {
        sendJson(res, 400, { error: "bad_request" });
      } else {
        logger.error("request failed", { method: req.method, path, ...errorFields(err) });
        sendJson(res, 500, { error: "internal_error" });
      }
    }
  });
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
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

  const closeResources = async () => {
    if (!options.onClose) return;
    try {
      await options.onClose();
    } catch (err) {
      logger.error("closing resources failed", errorFields(err));
    }
  };

  const shutdown = (reason: string): Promise<ShutdownResult> => {
    if (shutdownPromise) return shutdownPromise;
    const started = performance.now();
    draining = true;
    logger.info("shutdown started", {
      reason,
      in_flight: inFlight.size,
      timeout_ms: config.shutdownTimeoutMs,
    });
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
      server.close((err) => {
        if (err && (err as NodeJS.ErrnoException).code !== "ERR_SERVER_NOT_RUNNING") {
          clearTimeout(timer);
          logger.error("shutdown failed", errorFields(err));
          finish({ code: 1, drained: false });
          return;
        }
        // Drained: nothing uses the pools any more. The timer still guards a close that hangs.
        void closeResources().then(() => {
          clearTimeout(timer);
          if (!settled) logger.info("shutdown complete", { duration_ms: round(performance.now() - started) });
          finish({ code: 0, drained: true });
        });
      });
      server.closeIdleConnections();
    });
    return shutdownPromise;
  };

  return {
    server,
    store,
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

export async function start(options: CreateServerOptions): Promise<OrdersServer & { address: AddressInfo }> {
  const app = createServer(options);
  const address = await app.listen();
  return Object.assign(app, { address });
}
