import { SQSClient } from "@aws-sdk/client-sqs";
import { createLogger, type Logger } from "../src/log";

/** Parses JSON-lines output (one object per non-empty line); throws on a line that is not JSON. */
export function parseJsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A logger writing into arrays; every line must parse as JSON, or the test fails. */
export function captureLogs(): { logger: Logger; lines(): Record<string, unknown>[] } {
  const all: string[] = [];
  const sink = { write: (chunk: string) => all.push(chunk) };
  return { logger: createLogger({ stdout: sink, stderr: sink }), lines: () => parseJsonLines(all.join("")) };
}

/** The real SDK client, pointed at the stand-in with dummy credentials (nothing reaches AWS). */
export function testClient(queueUrl: string): SQSClient {
  return new SQSClient({
    region: "us-east-1",
    endpoint: new URL(queueUrl).origin,
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
    maxAttempts: 1,
  });
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

export const MAIL = Object.freeze({ to: "ada@example.org", subject: "Your order", text: "It ships today." });
