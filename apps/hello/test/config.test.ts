import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULTS, loadConfig } from "../src/config";

describe("loadConfig", () => {
  it("uses the documented defaults when nothing is set", () => {
    expect(loadConfig({})).toEqual({
      port: 8080,
      host: "0.0.0.0",
      serviceName: "hello",
      version: "dev",
      environment: "local",
      shutdownTimeoutMs: 10_000,
      keepAliveTimeoutMs: 65_000,
    });
    expect(loadConfig({})).toEqual(DEFAULTS);
  });

  it("reads every variable and treats blank values as unset", () => {
    const config = loadConfig({
      PORT: "3000",
      HOST: "127.0.0.1",
      SERVICE_NAME: "orders",
      APP_VERSION: "abc1234",
      DEPLOY_ENV: "prod",
      SHUTDOWN_TIMEOUT_MS: "25000",
      KEEP_ALIVE_TIMEOUT_MS: "" /* blank: default */,
    });
    expect(config).toEqual({
      port: 3000,
      host: "127.0.0.1",
      serviceName: "orders",
      version: "abc1234",
      environment: "prod",
      shutdownTimeoutMs: 25_000,
      keepAliveTimeoutMs: 65_000,
    });
  });

  it.each([
    ["PORT", "http"],
    ["PORT", "70000"],
    ["PORT", "-1"],
    ["PORT", "80.5"],
    ["SHUTDOWN_TIMEOUT_MS", "0"],
    // ECS stops a container with SIGKILL after at most 120 s, so a longer drain cannot finish.
    ["SHUTDOWN_TIMEOUT_MS", "120001"],
    ["KEEP_ALIVE_TIMEOUT_MS", "5s"],
  ])("rejects %s=%s with an error naming the variable and value", (variable, value) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toContain(`${variable}="${value}"`);
    expect((error as Error).message).toMatch(/expected an integer from \d+ to \d+/);
  });
});
