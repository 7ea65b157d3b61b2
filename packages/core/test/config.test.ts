import { describe, expect, it } from "vitest";
import { ConfigError, config, readStackConfig } from "../src/index.js";

const schema = {
  owner: config.string({ pattern: /^[a-z][a-z0-9-]*$/, describe: "a team slug like platform-team" }),
  network: config.object({
    cidrBlock: config.string({ pattern: /^\d+\.\d+\.\d+\.\d+\/\d+$/, describe: "an IPv4 CIDR block" }),
    natMode: config.oneOf(["none", "single", "perAz", "instance"] as const),
    availabilityZones: config.withDefault(config.integer({ min: 2, max: 6 }), 3),
    flowLogs: config.optional(config.boolean()),
  }),
  services: config.record(
    config.object({
      cpu: config.integer({ min: 256 }),
      hosts: config.withDefault(config.list(config.string(), { min: 1 }), ["a"]),
    }),
    { pattern: /^[a-z][a-z0-9-]*$/, describe: "a lowercase service name" },
  ),
};

const read = (values: Record<string, unknown>) =>
  readStackConfig(schema, {
    namespace: "platform",
    stack: "dev",
    values: Object.fromEntries(
      Object.entries(values).map(([k, v]) => [
        `platform:${k}`,
        typeof v === "string" ? v : JSON.stringify(v),
      ]),
    ),
  });

const valid = {
  owner: "platform-team",
  network: { cidrBlock: "10.0.0.0/16", natMode: "single" },
  services: { hello: { cpu: 256 } },
};

function error(values: Record<string, unknown>): ConfigError {
  try {
    read(values);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("readStackConfig", () => {
  it("parses a valid file, applying defaults and leaving absent optionals out", () => {
    expect(read(valid)).toEqual({
      owner: "platform-team",
      network: { cidrBlock: "10.0.0.0/16", natMode: "single", availabilityZones: 3 },
      services: { hello: { cpu: 256, hosts: ["a"] } },
    });
  });

  it("names the file, the key path and the allowed values", () => {
    const e = error({ ...valid, network: { ...valid.network, natMode: "fast" } });
    expect(e.message).toBe(
      'Pulumi.dev.yaml: platform:network.natMode is "fast"; allowed: "none", "single", "perAz", "instance"',
    );
    expect(e.key).toBe("platform:network.natMode");
  });

  it("rejects missing required keys and unknown keys (typos) at any depth", () => {
    expect(error({ network: valid.network, services: valid.services }).message).toBe(
      "Pulumi.dev.yaml: platform:owner is missing; expected a team slug like platform-team",
    );
    expect(error({ ...valid, ownr: "x" }).message).toMatch(
      /platform:ownr is not a known key; known keys: owner, network, services/,
    );
    expect(error({ ...valid, network: { ...valid.network, natMod: "none" } }).message).toMatch(
      /platform:network\.natMod is not a known key/,
    );
  });

  it("checks numbers, booleans, lists and map keys", () => {
    expect(error({ ...valid, network: { ...valid.network, availabilityZones: 7 } }).message).toMatch(
      /platform:network\.availabilityZones is 7; expected a whole number from 2 to 6/,
    );
    expect(error({ ...valid, network: { ...valid.network, flowLogs: "yes" } }).message).toMatch(
      /expected true or false/,
    );
    expect(error({ ...valid, services: { hello: { cpu: 256, hosts: [] } } }).message).toMatch(
      /platform:services\.hello\.hosts has 0 items; expected at least 1/,
    );
    expect(error({ ...valid, services: { Hello: { cpu: 256 } } }).message).toMatch(
      /platform:services\.Hello is not a valid name; expected a lowercase service name/,
    );
    expect(error({ ...valid, services: { hello: { cpu: "big" } } }).message).toMatch(
      /services\.hello\.cpu is "big"/,
    );
  });

  it("keeps scalar text as text: a quoted account id stays a string, numbers and booleans parse", () => {
    const parsed = readStackConfig(
      { account: config.string({ pattern: /^\d{12}$/ }), count: config.integer(), on: config.boolean() },
      {
        namespace: "p",
        stack: "dev",
        values: { "p:account": "012345678901", "p:count": "3", "p:on": "true" },
      },
    );
    expect(parsed).toEqual({ account: "012345678901", count: 3, on: true });
  });

  it("types defaulted keys as always present and optional ones as possibly absent", () => {
    const parsed = read(valid);
    const zones: number = parsed.network.availabilityZones;
    const flowLogs: boolean | undefined = parsed.network.flowLogs;
    expect([zones, flowLogs]).toEqual([3, undefined]);
  });
});
