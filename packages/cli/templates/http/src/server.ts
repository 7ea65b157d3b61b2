import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "./config";
import { errorFields, type Logger } from "./log";

export interface Server {
  readonly address: AddressInfo;
  /**
   * Stops accepting connections, answers /healthz with 503, closes idle keep-alive connections and
   * lets in-flight requests finish. Resolves with the exit code: 0 when drained, 1 when
   * SHUTDOWN_TIMEOUT_MS cut the drain short. Calling it again returns the same promise.
   */
  shutdown(reason: string): Promise<0 | 1>;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    "cache-control": "no-store",
  });
  res.end(payload);
}

/** The routes. /healthz is what the load balancer and the container check ask; add yours here. */
function handle(req: http.IncomingMessage, res: http.ServerResponse, draining: boolean): void {
  const path = new URL(req.url ?? "/", "http://localhost").pathname;
  if (path === "/healthz") {
    send(res, draining ? 503 : 200, { status: draining ? "draining" : "ok" });
    return;
  }
  // Behind the shared load balancer, requests keep their path (/{{name}}/…).
  if (path === "/" || path === "/{{name}}" || path.startsWith("/{{name}}/")) {
    send(res, 200, { service: "{{name}}", path });
    return;
  }
  send(res, 404, { error: "not_found", path });
}

/** Creates the server and binds it. */
export async function start(config: Config, logger: Logger): Promise<Server> {
  let draining = false;
  const server = http.createServer((req, res) => {
    res.once("close", () => {
      logger.info("request", { method: req.method, path: req.url?.split("?")[0], status: res.statusCode });
      // During the drain, end a keep-alive connection once its response is out.
      if (draining) req.socket.end();
    });
    if (draining) res.setHeader("connection", "close");
    try {
      handle(req, res, draining);
    } catch (err) {
      logger.error("request failed", errorFields(err));
      if (!res.headersSent) send(res, 500, { error: "internal_error" });
    }
  });
  // Above the load balancer's idle timeout (60 s), so it never reuses a connection the app has closed.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  logger.info("listening", { host: address.address, port: address.port });

  let stopping: Promise<0 | 1> | undefined;
  const shutdown = (reason: string) => {
    stopping ??= new Promise<0 | 1>((resolve) => {
      draining = true;
      logger.info("shutdown started", { reason, timeout_ms: config.shutdownTimeoutMs });
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        logger.error("shutdown timed out, closing remaining connections");
        server.closeAllConnections();
        resolve(1);
      }, config.shutdownTimeoutMs);
      server.close(() => {
        clearTimeout(timer);
        if (settled) return;
        logger.info("shutdown complete");
        resolve(0);
      });
      server.closeIdleConnections();
    });
    return stopping;
  };
  return { address, shutdown };
}
