import { describe, expect, it } from "vitest";
import {
  ConfigError,
  checkConfig,
  config,
  describeConfig,
  readStackConfig,
  stackConfigJsonSchema,
  z,
} from "../src/index.js";

/** Reads `document` as the file the run read (so `~` and numbers keep their YAML shape). */
function fromFile<T extends z.ZodObject>(schema: T, cfg: Record<string, unknown>): z.output<T> {
  const values = Object.fromEntries(
    Object.entries(cfg).map(([k, v]) => [`p:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
  );
  const document = { config: Object.fromEntries(Object.entries(cfg).map(([k, v]) => [`p:${k}`, v])) };
  return readStackConfig(schema, { namespace: "p", project: "p", file: "Pulumi.dev.yaml", values, document });
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("stack config schemas are zod schemas", () => {
  it("takes plain zod next to the config.* builders, with the same messages", () => {
    const schema = z.strictObject({
      tier: z.enum(["small", "large"]).default("small"),
      name: config.string({ pattern: /^[a-z]+$/, describe: "a lower-case name" }),
      limits: z.strictObject({ cpu: config.integer({ min: 256 }), note: z.string().optional() }),
    });
    expect(fromFile(schema, { name: "web", limits: { cpu: 512 } })).toEqual({
      tier: "small",
      name: "web",
      limits: { cpu: 512 },
    });
    const parsed: { tier: "small" | "large"; limits: { note?: string | undefined } } = fromFile(schema, {
      name: "web",
      limits: { cpu: 512 },
    });
    expect(parsed.tier).toBe("small");
    expect(messageOf(() => fromFile(schema, { name: "web", tier: "huge", limits: { cpu: 512 } }))).toBe(
      'Pulumi.dev.yaml: p:tier is "huge"; allowed: "small", "large"',
    );
    expect(messageOf(() => fromFile(schema, { name: "web", limits: { cpu: 512, note: 3 } }))).toBe(
      "Pulumi.dev.yaml: p:limits.note is 3; expected a string",
    );
    expect(messageOf(() => fromFile(schema, { name: "web", limits: {} }))).toBe(
      "Pulumi.dev.yaml: p:limits.cpu is missing; expected a whole number of at least 256",
    );
  });

  it("refuses an object that would drop unknown keys (z.object, z.looseObject)", () => {
    expect(() =>
      fromFile(config.object({ limits: z.object({ cpu: z.string() }) }), { limits: { cpu: "1" } }),
    ).toThrow(/the object at limits must be strict \(config\.object or z\.strictObject\)/);
  });

  it("treats ~ on an object's key as absent, and as an error in a list or a map", () => {
    const schema = config.object({
      size: config.withDefault(config.integer(), 3),
      note: config.optional(config.string()),
      hosts: config.list(config.string()),
      owners: config.record(config.string(), { pattern: /^[a-z]+$/, describe: "a name" }),
    });
    expect(fromFile(schema, { size: null, note: null, hosts: ["a"], owners: {} })).toEqual({
      size: 3,
      hosts: ["a"],
      owners: {},
    });
    expect(messageOf(() => fromFile(schema, { hosts: ["a", null], owners: {} }))).toBe(
      "Pulumi.dev.yaml: p:hosts[1] is ~ (null); expected a string",
    );
    expect(messageOf(() => fromFile(schema, { hosts: [], owners: { web: null } }))).toBe(
      "Pulumi.dev.yaml: p:owners.web is ~ (null); expected a string",
    );
  });

  it("names what a reader meets first: an unknown key or a list's size before what they hold", () => {
    const schema = config.object({
      network: config.object({ zones: config.list(config.integer(), { max: 2 }), mode: config.oneOf(["a"]) }),
    });
    expect(messageOf(() => fromFile(schema, { network: { mode: "b", zones: [1], modes: "x" } }))).toBe(
      "Pulumi.dev.yaml: p:network.modes is not a known key; known keys: zones, mode",
    );
    expect(messageOf(() => fromFile(schema, { network: { zones: [1, "x", 3], mode: "a" } }))).toBe(
      "Pulumi.dev.yaml: p:network.zones has 3 items; expected at most 2",
    );
  });

  it("describes schemas for messages, and checks a value without a stack", () => {
    expect(describeConfig(config.list(config.integer({ max: 5 })))).toBe(
      "a list of a whole number of at most 5",
    );
    expect(describeConfig(config.withDefault(config.oneOf(["x", "y"]), "x"))).toBe(
      'one of "x", "y" (default "x")',
    );
    expect(describeConfig(config.object({ a: config.boolean(), b: z.string() }))).toBe("an object with a, b");
    expect(checkConfig(config.object({ a: config.boolean() }), { a: "true" })).toEqual({
      ok: true,
      value: { a: true },
    });
    expect(checkConfig(config.object({ a: config.boolean() }), { a: "yes" })).toEqual({
      ok: false,
      path: "a",
      message: 'is "yes"; expected true or false',
    });
  });
});

describe("stackConfigJsonSchema", () => {
  it("describes the stack file: the namespaced keys under config:, what the file may leave out", () => {
    const json = stackConfigJsonSchema("p", {
      p: {
        owner: config.string({ describe: "a team" }),
        size: config.withDefault(config.integer({ min: 1 }), 3),
      },
      aws: z.strictObject({ region: z.string() }),
    }) as { properties: { config: Record<string, unknown> } };
    expect(json.properties.config).toEqual({
      type: "object",
      properties: {
        "p:owner": { type: "string", description: "a team" },
        "p:size": { type: "integer", minimum: 1, default: 3 },
        "aws:region": { type: "string" },
      },
      required: ["p:owner", "aws:region"],
      additionalProperties: false,
      patternProperties: { "^pulumi:": {} },
    });
  });
});
