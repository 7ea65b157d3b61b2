/**
 * Configuration comes from the environment only. A blank value counts as unset; an invalid value
 * stops the process at start with exit code 1 and a log line naming the variable.
 */
export interface Config {
  /** HOST: the address to bind. */
  host: string;
  /** PORT: the TCP port (0 picks a free one). berth.yaml's `port` and the Dockerfile say the same. */
  port: number;
  /**
   * SHUTDOWN_TIMEOUT_MS: how long the drain may take. Keep it below the task's stopTimeoutSeconds
   * (10 s unless berth.yaml says otherwise), so ECS never has to SIGKILL a draining task.
   */
  shutdownTimeoutMs: number;
}

export const DEFAULTS = { HOST: "0.0.0.0", PORT: "{{port}}", SHUTDOWN_TIMEOUT_MS: "8000" } as const;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const read = (name: keyof typeof DEFAULTS) => env[name]?.trim() || DEFAULTS[name];
  return {
    host: read("HOST"),
    port: integer("PORT", read("PORT"), 0, 65535),
    shutdownTimeoutMs: integer("SHUTDOWN_TIMEOUT_MS", read("SHUTDOWN_TIMEOUT_MS"), 1, 120_000),
  };
}

function integer(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new Error(`${name} is "${value}"; expected a whole number from ${min} to ${max}`);
  }
  return n;
}
