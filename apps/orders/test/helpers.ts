import http from "node:http";
import net from "node:net";
import { DEFAULTS, type ServerConfig } from "../src/config";
import { createLogger, type Logger } from "../src/log";

/** Only loopback, and port 0 so the kernel picks a free one. */
export const LOOPBACK = "127.0.0.1";

export function testConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return { ...DEFAULTS, host: LOOPBACK, port: 0, ...overrides };
}

/** Parses JSON-lines output (one object per non-empty line); throws on a line that is not JSON. */
export function parseJsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A logger writing into arrays; every line must parse as JSON, or the test fails. */
export function captureLogs(): {
  logger: Logger;
  stdout(): Record<string, unknown>[];
  stderr(): Record<string, unknown>[];
} {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) => ({ write: (chunk: string) => into.push(chunk) });
  return {
    logger: createLogger({ stdout: sink(out), stderr: sink(err) }),
    stdout: () => parseJsonLines(out.join("")),
    stderr: () => parseJsonLines(err.join("")),
  };
}

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test responses are inspected field by field
  json: () => any;
}

export function request(
  port: number,
  path: string,
  options: { method?: string; body?: unknown; headers?: http.OutgoingHttpHeaders } = {},
): Promise<Response> {
  const payload =
    options.body === undefined
      ? undefined
      : typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: LOOPBACK,
        port,
        path,
        method: options.method ?? (payload === undefined ? "GET" : "POST"),
        agent: false,
        timeout: 10_000,
        headers: {
          ...(payload === undefined
            ? {}
            : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no response for ${path} within 10 s`)));
    req.on("error", reject);
    req.end(payload);
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
 * A raw `POST /orders` whose headers and first half of the body are sent, the rest held back: the
 * server has the request in flight. `finish()` sends the rest and resolves with the raw response.
 *
 * With `expectContinue`, the request carries `Expect: 100-continue` and `continued` resolves when the
 * server's `100 Continue` arrives: Node's server writes it right before it hands the request to the
 * handler, so from then on the request is in flight (no sleeping to guess when). The interim
 * response is left out of what `finish()` returns.
 */
export async function startPartialPost(
  port: number,
  body: unknown,
  options: { expectContinue?: boolean } = {},
): Promise<{ finish: () => Promise<string>; closed: Promise<void>; continued: Promise<void> }> {
  const payload = JSON.stringify(body);
  const half = Math.floor(payload.length / 2);
  const socket = net.connect({ host: LOOPBACK, port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let received = "";
  let onContinue = () => {};
  const continued = new Promise<void>((resolve) => {
    onContinue = resolve;
  });
  const interim = "HTTP/1.1 100 Continue\r\n\r\n";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    received += chunk;
    if (received.startsWith(interim)) onContinue();
  });
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const head =
    `POST /orders HTTP/1.1\r\nHost: orders\r\nContent-Type: application/json\r\n` +
    (options.expectContinue ? "Expect: 100-continue\r\n" : "") +
    `Content-Length: ${Buffer.byteLength(payload)}\r\n\r\n`;
  await new Promise<void>((resolve) => socket.write(head + payload.slice(0, half), () => resolve()));
  return {
    closed,
    continued,
    finish: async () => {
      socket.write(payload.slice(half));
      await closed;
      return received.startsWith(interim) ? received.slice(interim.length) : received;
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

export const ORDER = Object.freeze({
  customer: "cus_42",
  currency: "EUR",
  items: [
    { sku: "MUG-BLUE", quantity: 2, unitPriceCents: 1250 },
    { sku: "TEA-01", quantity: 1, unitPriceCents: 499 },
  ],
});
