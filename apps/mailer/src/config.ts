/**
 * Configuration comes from the environment only. `QUEUE_URL` is required (the platform injects it for
 * a worker's own queue); everything else is optional, and a blank value counts as unset. Invalid
 * values fail fast with a message that names the variable.
 */
export interface Config {
  /** `QUEUE_URL`: the SQS queue to consume, e.g. https://sqs.us-east-1.amazonaws.com/123456789012/mailer. */
  queueUrl: string;
  /** `AWS_REGION`: the queue's region. @default the region in QUEUE_URL's host (sqs.<region>.amazonaws.com) */
  region: string;
  /**
   * `VISIBILITY_TIMEOUT_SECONDS`: how long a received message stays hidden from other consumers. Sent
   * with every receive, so the worker knows it exactly; a message still being processed after half
   * of it gets it extended again. The default is the platform's: six times the manifest's
   * `queue.processingSeconds` (30). @default 180
   */
  visibilityTimeoutSeconds: number;
  /**
   * `SHUTDOWN_TIMEOUT_MS`: after SIGTERM, how long the messages in flight may take to finish before the
   * process gives up and exits 1 (they return to the queue). 2 s inside ECS's default 10 s
   * `stopTimeout`. @default 8000
   */
  shutdownTimeoutMs: number;
  /** `MAIL_FROM`: the sender address of every mail. @default "no-reply@example.com" */
  mailFrom: string;
  /** `SERVICE_NAME`, `APP_VERSION`, `DEPLOY_ENV`: written in the `started` log line. */
  serviceName: string;
  version: string;
  environment: string;
}

export const DEFAULTS = Object.freeze({
  visibilityTimeoutSeconds: 180,
  shutdownTimeoutMs: 8_000,
  mailFrom: "no-reply@example.com",
  serviceName: "mailer",
  version: "dev",
  environment: "local",
});

/** SQS: a visibility timeout is at most 12 hours. */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
export const MAX_SHUTDOWN_TIMEOUT_MS = 120_000;
export const EMAIL = /^[^\s@<>",;]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly value: string,
    allowed: string,
  ) {
    super(`Invalid ${variable}=${JSON.stringify(value)}: expected ${allowed}`);
    this.name = "ConfigError";
  }
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  return raw ? raw : fallback;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new ConfigError(name, raw, `an integer from ${min} to ${max}`);
  }
  return value;
}

/** Reads the configuration from `env` (default `process.env`). Throws {@link ConfigError}. */
export function loadConfig(env: Env = process.env): Config {
  const queueUrl = env.QUEUE_URL?.trim() ?? "";
  let url: URL;
  try {
    url = new URL(queueUrl);
    if (!["https:", "http:"].includes(url.protocol) || url.pathname.split("/").filter(Boolean).length !== 2) {
      throw new Error("not a queue URL");
    }
  } catch {
    throw new ConfigError(
      "QUEUE_URL",
      queueUrl,
      "an SQS queue URL such as https://sqs.<region>.amazonaws.com/<account>/<queue>",
    );
  }
  const region = env.AWS_REGION?.trim() || /^sqs\.([a-z0-9-]+)\.amazonaws\.com/.exec(url.hostname)?.[1];
  if (!region)
    throw new ConfigError("AWS_REGION", "", "a region (or a QUEUE_URL on sqs.<region>.amazonaws.com)");
  const mailFrom = text(env, "MAIL_FROM", DEFAULTS.mailFrom);
  if (!EMAIL.test(mailFrom)) throw new ConfigError("MAIL_FROM", mailFrom, "an e-mail address");
  return {
    queueUrl,
    region,
    visibilityTimeoutSeconds: integer(
      env,
      "VISIBILITY_TIMEOUT_SECONDS",
      DEFAULTS.visibilityTimeoutSeconds,
      1,
      MAX_VISIBILITY_TIMEOUT_SECONDS,
    ),
    shutdownTimeoutMs: integer(
      env,
      "SHUTDOWN_TIMEOUT_MS",
      DEFAULTS.shutdownTimeoutMs,
      1,
      MAX_SHUTDOWN_TIMEOUT_MS,
    ),
    mailFrom,
    serviceName: text(env, "SERVICE_NAME", DEFAULTS.serviceName),
    version: text(env, "APP_VERSION", DEFAULTS.version),
    environment: text(env, "DEPLOY_ENV", DEFAULTS.environment),
  };
}
