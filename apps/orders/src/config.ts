/**
 * Configuration comes from the environment only. Every variable is optional; an empty string counts
 * as unset. Invalid values fail fast with a message that names the variable.
 */
export interface Config {
  /** `PORT`: TCP port to listen on; callers reach it as http://orders:<port>. 0 picks a free port (tests). @default 8080 */
  port: number;
  /** `HOST`: address to bind. @default "0.0.0.0" */
  host: string;
  /** `SERVICE_NAME`: written in the `listening` log line. @default "orders" */
  serviceName: string;
  /** `APP_VERSION`: image version or commit. @default "dev" */
  version: string;
  /** `DEPLOY_ENV`: environment name (dev, staging, prod). @default "local" */
  environment: string;
  /**
   * `SHUTDOWN_TIMEOUT_MS`: how long the drain may take after SIGTERM before the process gives up and
   * exits 1. The default sits 2 s inside the ECS default `stopTimeout` (10 s), so ECS never has to
   * SIGKILL a draining task. @default 8000
   */
  shutdownTimeoutMs: number;
  /**
   * `KEEP_ALIVE_TIMEOUT_MS`: idle keep-alive timeout. Keep it above the idle timeout of the proxy in
   * front (Service Connect's Envoy), so the proxy closes idle connections first. @default 65000
   */
  keepAliveTimeoutMs: number;
  /** `MAX_ORDERS`: orders kept in memory; creating one more answers 507. @default 10000 */
  maxOrders: number;
}

export const DEFAULTS: Readonly<Config> = Object.freeze({
  port: 8080,
  host: "0.0.0.0",
  serviceName: "orders",
  version: "dev",
  environment: "local",
  shutdownTimeoutMs: 8_000,
  keepAliveTimeoutMs: 65_000,
  maxOrders: 10_000,
});

/** ECS allows a container stopTimeout of at most 120 seconds; a longer drain can never finish. */
export const MAX_SHUTDOWN_TIMEOUT_MS = 120_000;

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
  return {
    port: integer(env, "PORT", DEFAULTS.port, 0, 65_535),
    host: text(env, "HOST", DEFAULTS.host),
    serviceName: text(env, "SERVICE_NAME", DEFAULTS.serviceName),
    version: text(env, "APP_VERSION", DEFAULTS.version),
    environment: text(env, "DEPLOY_ENV", DEFAULTS.environment),
    shutdownTimeoutMs: integer(
      env,
      "SHUTDOWN_TIMEOUT_MS",
      DEFAULTS.shutdownTimeoutMs,
      1,
      MAX_SHUTDOWN_TIMEOUT_MS,
    ),
    keepAliveTimeoutMs: integer(env, "KEEP_ALIVE_TIMEOUT_MS", DEFAULTS.keepAliveTimeoutMs, 1_000, 600_000),
    maxOrders: integer(env, "MAX_ORDERS", DEFAULTS.maxOrders, 1, 1_000_000),
  };
}
