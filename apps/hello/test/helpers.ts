import http from "node:http";
import net from "node:net";
import { type Config, DEFAULTS } from "../src/config";
import { createLogger, type Logger } from "../src/log";

/** Only loopback, and port 0 so the kernel picks a free one. */
export const LOOPBACK = "127.0.0.1";

export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...DEFAULTS, host: LOOPBACK, port: 0, ...overrides };
}

export interface CapturedLogs {
  logger: Logger;
  /** Parsed JSON lines written to stdout. */
  stdout(): Record<string, unknown>[];
  /** Parsed JSON lines written to stderr. */
  stderr(): Record<string, unknown>[];
}

/** Parses JSON-lines output (one object per non-empty line); throws on a line that is not JSON. */
export function parseJsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A logger writing into arrays; every line must parse as JSON, or the test fails. */
export function captureLogs(): CapturedLogs {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => ({
    write: (chunk: string) => {
      into.push(chunk);
      return true;
    },
  });
  const parse = (chunks: string[]) => parseJsonLines(chunks.join(""));
  return {
    logger: createLogger({ stdout: sink(out), stderr: sink(err) }),
    stdout: () => parse(out),
    stderr: () => parse(err),
  };
}

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: () => unknown;
  /** The client socket that carried the request (kept open by a keep-alive agent). */
  socket: net.Socket;
}

export function request(
  port: number,
  path: string,
  options: { method?: string; agent?: http.Agent | false } = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    let socket: net.Socket | undefined;
    const req = http.request(
      {
        host: LOOPBACK,
        port,
        path,
        method: options.method ?? "GET",
        agent: options.agent ?? false,
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text),
            socket: socket!,
          });
        });
        res.on("error", reject);
      },
    );
    req.once("socket", (s) => {
      socket = s;
    });
    req.on("timeout", () => req.destroy(new Error(`no response for ${path} within 10 s`)));
    req.on("error", reject);
    req.end();
  });
}

/** Resolves with the error code of a connection attempt, or "connected" if it was accepted. */
export function tryConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: LOOPBACK, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve("connected");
    });
    socket.once("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

/**
 * A raw connection that has sent the first line and a header of a request but not the blank line
 * that ends the headers. The server counts such a connection as active, not idle, so a shutdown
 * lets it finish. `finish()` sends the rest and resolves with the raw response.
 */
export async function startPartialRequest(
  port: number,
  path: string,
): Promise<{ finish: () => Promise<string>; closed: Promise<void> }> {
  const socket = net.connect({ host: LOOPBACK, port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let received = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    received += chunk;
  });
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await new Promise<void>((resolve) =>
    socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n`, () => resolve()),
  );
  return {
    closed,
    finish: async () => {
      socket.write("\r\n");
      await closed;
      return received;
    },
  };
}

/** Polls `check` every 10 ms until it returns true; throws after `timeoutMs`. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
