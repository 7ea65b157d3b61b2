import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CONFIG_FILE_ENV, readStackDocument, stackConfigFile } from "../src/config.js";
import { ConfigError, config, configFailer, readStackConfig, TAG_LIMITS } from "../src/index.js";

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
    project: "platform",
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

/** The config text a run gets from a parsed stack file, as Pulumi (and the offline engine) pass it. */
function asRead(document: unknown): Record<string, string> {
  const cfg = (document as { config?: unknown } | null)?.config;
  if (document === null || typeof document !== "object" || Array.isArray(document) || !cfg) return {};
  return Object.fromEntries(
    Object.entries(cfg as object).map(([k, v]) => [
      k.includes(":") ? k : `platform:${k}`,
      typeof v === "string" ? v : JSON.stringify(v),
    ]),
  );
}

/** Reads `document` as the stack file `file` the run read. */
function fromDocument(document: unknown, file = "Pulumi.dev.yaml") {
  return readStackConfig(schema, {
    namespace: "platform",
    project: "platform",
    stack: "dev",
    file,
    values: asRead(document),
    document,
  });
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

const validDocument = () => ({
  config: {
    "platform:owner": "platform-team",
    "platform:network": { cidrBlock: "10.0.0.0/16", natMode: "single" },
    "platform:services": { hello: { cpu: 256 } },
  },
});

describe("a stack file that is not a map with a config: map", () => {
  it("names a top level that is a list or a scalar, instead of the first missing key", () => {
    expect(errorOf(() => fromDocument(["owner: platform-team"])).message).toBe(
      "Pulumi.dev.yaml: the top level is a list; it must be a map with a config: key, e.g.\n" +
        "config:\n  platform:<key>: <value>",
    );
    expect(errorOf(() => fromDocument("owner platform-team")).message).toBe(
      'Pulumi.dev.yaml: the top level is the text "owner platform-team"; it must be a map with a config: key, e.g.\n' +
        "config:\n  platform:<key>: <value>",
    );
    const e = errorOf(() => fromDocument(42));
    expect(e.message).toMatch(/^Pulumi\.dev\.yaml: the top level is the number 42; it must be a map/);
    expect(e.key).toBe("");
  });

  it("says so when config: is a list", () => {
    const document = { config: [{ "platform:owner": "platform-team" }, "platform:services: {}"] };
    const e = errorOf(() => fromDocument(document));
    expect(e.message).toBe(
      "Pulumi.dev.yaml: config is a list; it must be a map of keys to values, e.g.\nconfig:\n  platform:<key>: <value>",
    );
    expect(e.key).toBe("config");
  });

  it("without the document: a config: list as Pulumi passes it (keys 0, 1) and a file with no key", () => {
    // What the run gets from `config: [a, b]`: the list's indexes as keys.
    expect(error({ "0": "a", "1": { b: 1 } }).message).toBe(
      "Pulumi.dev.yaml: config is a list (items 0, 1); it must be a map of keys to values, e.g.\n" +
        "config:\n  platform:<key>: <value>",
    );
    // A top-level list or scalar, or an empty file: no key of the project at all.
    expect(error({}).message).toBe(
      "Pulumi.dev.yaml: sets no platform: key; the file's top level must be a map with a config: key " +
        "that sets platform:owner, platform:network, platform:services, e.g.\nconfig:\n  platform:<key>: <value>",
    );
  });
});

describe("numbers that are not finite", () => {
  it.each([
    [Number.NaN, ".nan"],
    [Number.POSITIVE_INFINITY, ".inf"],
    [Number.NEGATIVE_INFINITY, "-.inf"],
  ])("%s is named as %s, not as missing", (value, text) => {
    const document = validDocument();
    (document.config["platform:network"] as Record<string, unknown>).availabilityZones = value;
    expect(errorOf(() => fromDocument(document)).message).toBe(
      `Pulumi.dev.yaml: platform:network.availabilityZones is ${text}, which is not a finite number; ` +
        "expected a whole number from 2 to 6",
    );
  });

  it("at the top level and in lists too, and as text", () => {
    const small = { count: config.integer(), sizes: config.optional(config.list(config.integer())) };
    const read = (document: { config: Record<string, unknown> }) =>
      errorOf(() =>
        readStackConfig(small, {
          namespace: "p",
          project: "p",
          file: "Pulumi.dev.yaml",
          values: Object.fromEntries(
            Object.entries(document.config).map(([k, v]) => [
              k,
              typeof v === "string" ? v : JSON.stringify(v),
            ]),
          ),
          document,
        }),
      ).message;
    expect(read({ config: { "p:count": Number.NaN } })).toBe(
      "Pulumi.dev.yaml: p:count is .nan, which is not a finite number; expected a whole number",
    );
    expect(read({ config: { "p:count": 1, "p:sizes": [1, Number.NEGATIVE_INFINITY] } })).toBe(
      "Pulumi.dev.yaml: p:sizes[1] is -.inf, which is not a finite number; expected a whole number",
    );
    // Written as text (a quoted ".inf", or what another tool printed).
    expect(read({ config: { "p:count": ".inf" } })).toBe(
      'Pulumi.dev.yaml: p:count is ".inf", which is not a finite number; expected a whole number',
    );
  });
});

describe("the file named in messages", () => {
  it("is the document's file, e.g. the one given with --config-file", () => {
    const document = validDocument();
    (document.config["platform:network"] as Record<string, unknown>).natMode = "fast";
    expect(errorOf(() => fromDocument(document, "/tmp/ci/Pulumi.dev.ci.yaml")).message).toMatch(
      /^\/tmp\/ci\/Pulumi\.dev\.ci\.yaml: platform:network\.natMode is "fast"; allowed: /,
    );
  });

  it("is $BERTH_CONFIG_FILE when set (what berth preview --config-file sets), for readStackConfig and configFailer", () => {
    const saved = process.env[CONFIG_FILE_ENV];
    process.env[CONFIG_FILE_ENV] = join(process.cwd(), "ci", "Pulumi.dev.ci.yaml");
    try {
      expect(stackConfigFile("dev")).toBe(join("ci", "Pulumi.dev.ci.yaml"));
      expect(error({ ...valid, owner: 3 }).message).toMatch(
        /^ci\/Pulumi\.dev\.ci\.yaml: platform:owner is "3"/,
      );
      process.env[CONFIG_FILE_ENV] = "/elsewhere/stack.yaml";
      expect(() => configFailer("dev", "platform")("scaling", "is wrong")).toThrow(
        "/elsewhere/stack.yaml: platform:scaling is wrong",
      );
    } finally {
      if (saved === undefined) delete process.env[CONFIG_FILE_ENV];
      else process.env[CONFIG_FILE_ENV] = saved;
    }
    expect(stackConfigFile("dev")).toBe("Pulumi.dev.yaml");
  });

  it("ignores a document whose values are not the ones the run got (another file was read)", () => {
    const document = validDocument();
    // The run read a file where natMode is "fast"; the document on disk says "single".
    const values = {
      ...asRead(document),
      "platform:network": JSON.stringify({ ...valid.network, natMode: "fast" }),
    };
    const e = errorOf(() =>
      readStackConfig(schema, {
        namespace: "platform",
        project: "platform",
        stack: "dev",
        values,
        document: ["x"],
      }),
    );
    expect(e.message).toMatch(/platform:network\.natMode is "fast"; allowed: /);
    const alsoIgnored = errorOf(() =>
      readStackConfig(schema, { namespace: "platform", project: "platform", stack: "dev", values, document }),
    );
    expect(alsoIgnored.message).toMatch(/platform:network\.natMode is "fast"; allowed: /);
  });

  it("reads the document from disk with the parser given", () => {
    const dir = mkdtempSync(join(tmpdir(), "berth-core-config-"));
    try {
      const file = join(dir, "Pulumi.dev.yaml");
      writeFileSync(file, "- not a map\n");
      expect(readStackDocument(JSON.parse, join(dir, "nope.yaml"))).toBeUndefined();
      writeFileSync(file, '["not a map"]');
      const e = errorOf(() =>
        readStackConfig(schema, {
          namespace: "platform",
          project: "platform",
          file,
          values: {},
          parse: JSON.parse,
        }),
      );
      expect(e.message).toBe(
        `${file}: the top level is a list; it must be a map with a config: key, e.g.\nconfig:\n  platform:<key>: <value>`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("empty values", () => {
  it("names ~ (null) for a required key when the file is known, and a missing key as missing", () => {
    const document = validDocument();
    document.config["platform:owner"] = null as unknown as string;
    expect(errorOf(() => fromDocument(document)).message).toBe(
      "Pulumi.dev.yaml: platform:owner is ~ (null); expected a team slug like platform-team",
    );
    expect(error({ ...valid, services: { hello: { cpu: null } } }).message).toBe(
      "Pulumi.dev.yaml: platform:services.hello.cpu is ~ (null); expected a whole number of at least 256",
    );
  });
});

describe("config.tagValue", () => {
  const tags = { owner: config.tagValue(), note: config.optional(config.tagValue({ minLength: 0 })) };
  const readTags = (values: Record<string, string>, document?: unknown) =>
    readStackConfig(tags, { namespace: "p", project: "p", file: "Pulumi.dev.yaml", values, document });
  const tagError = (values: Record<string, string>, document?: unknown) =>
    errorOf(() => readTags(values, document)).message;
  const ALLOWED = "Unicode letters, digits, spaces and _ . : / = + - @";

  it("accepts what AWS accepts as a tag value", () => {
    expect(readTags({ "p:owner": "Équipe plateforme @ Zürich: team/1+2=3", "p:note": "" })).toEqual({
      owner: "Équipe plateforme @ Zürich: team/1+2=3",
      note: "",
    });
    expect(readTags({ "p:owner": "x".repeat(TAG_LIMITS.valueLength) }).owner).toHaveLength(256);
  });

  it("rejects a newline, characters AWS refuses and more than 256 characters, with the file and key", () => {
    expect(tagError({ "p:owner": "platform\nteam" })).toBe(
      `Pulumi.dev.yaml: p:owner is "platform\\nteam"; a tag value is at most 256 characters of ${ALLOWED}`,
    );
    expect(tagError({ "p:owner": "team;drop" })).toMatch(
      /^Pulumi\.dev\.yaml: p:owner is "team;drop"; a tag value/,
    );
    expect(tagError({ "p:owner": "x".repeat(257) })).toMatch(
      /p:owner is "x{257}"; a tag value is at most 256/,
    );
  });

  it("rejects ~ however it arrives: as null from the file, or as the text null", () => {
    expect(tagError({ "p:owner": "null" })).toBe(
      `Pulumi.dev.yaml: p:owner is "null" (what a YAML ~ or null becomes as config text); expected a tag value: 1 to 256 characters of ${ALLOWED}`,
    );
    expect(tagError({ "p:owner": "null" }, { config: { "p:owner": null } })).toBe(
      `Pulumi.dev.yaml: p:owner is ~ (null); expected a tag value: 1 to 256 characters of ${ALLOWED}`,
    );
    expect(tagError({ "p:owner": "" })).toMatch(/p:owner is ""; expected a tag value: 1 to 256/);
  });
});
