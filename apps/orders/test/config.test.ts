import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULTS, loadConfig } from "../src/config";

describe("loadConfig", () => {
  it("uses the documented defaults, with the drain 2 s inside ECS's default 10 s stop timeout", () => {
    expect(loadConfig({})).toEqual(DEFAULTS);
    expect(DEFAULTS).toMatchObject({ port: 8080, serviceName: "orders", shutdownTimeoutMs: 8_000 });
  });

  it("reads every variable and treats blank values as unset", () => {
    expect(
      loadConfig({
        PORT: "9000",
        HOST: "127.0.0.1",
        DEPLOY_ENV: "prod",
        MAX_ORDERS: "5",
        SHUTDOWN_TIMEOUT_MS: "",
      }),
    ).toMatchObject({
      port: 9000,
      host: "127.0.0.1",
      environment: "prod",
      maxOrders: 5,
      shutdownTimeoutMs: 8_000,
    });
  });

  it.each([
    ["PORT", "http"],
    ["SHUTDOWN_TIMEOUT_MS", "120001"],
    ["MAX_ORDERS", "0"],
  ])("rejects %s=%s naming the variable", (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(`${variable}="${value}"`);
  });
});
