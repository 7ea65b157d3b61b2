import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, relative, sep } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { BerthValidationError, show } from "./errors.js";
import { ACCOUNT_ID, checkTags, TAG_LIMITS, Validator } from "./validate.js";

export { ACCOUNT_ID, z };

/**
 * A stack configuration problem: names the file, the key (with its path inside objects and
 * lists) and what is allowed. Thrown when the program starts, before any resource exists.
 *
 * @example
 * // Pulumi.dev.yaml: berth-platform:network.natMode is "fast"; allowed: "none", "single", "perAz", "instance"
 */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    /** The key, e.g. `berth-platform:network.natMode`; empty when the file as a whole is wrong. */
    readonly key: string,
    message: string,
  ) {
    super(key ? `${file}: ${key} ${message}` : `${file}: ${message}`);
    this.name = "ConfigError";
  }
}

/**
 * The environment variable that names the stack file a run actually read, when it is not
 * `Pulumi.<stack>.yaml` (`pulumi preview --config-file X`, `berth preview --config-file X`). The
 * Pulumi CLI does not tell the program which file it read; `berth preview` sets this variable, and
 * with the Pulumi CLI you set it yourself: `BERTH_CONFIG_FILE=X pulumi preview --config-file X`.
 */
export const CONFIG_FILE_ENV = "BERTH_CONFIG_FILE";

/**
 * The stack file the config came from, as messages name it: `$BERTH_CONFIG_FILE` when set
 * (relative to the program's folder when inside it), else `Pulumi.<stack>.yaml`.
 *
 * @example
 * stackConfigFile("dev") // "Pulumi.dev.yaml"
 */
export function stackConfigFile(stack = pulumi.getStack()): string {
  const given = process.env[CONFIG_FILE_ENV];
  if (!given) return `Pulumi.${stack}.yaml`;
  if (!isAbsolute(given)) return given;
  const inside = relative(process.cwd(), given);
  return inside && !inside.startsWith(`..${sep}`) && inside !== ".." && !isAbsolute(inside) ? inside : given;
}

/**
 * What a schema's valid value looks like, for messages (`expected <this>`). The `config.*` builders
 * set it; anything else is described from its zod definition (an object by its keys, a list by
 * its items, a default with its value). A clone (`.refine(…)`) keeps its parent's description.
 */
export const configLabels = z.registry<{ describe: string }>();

function label<T extends z.ZodType>(schema: T, describe: string): T {
  configLabels.add(schema, { describe });
  return schema;
}

type Schema = z.core.$ZodType;
const defOf = (s: Schema) => s._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;

/** The schema a preprocess pipe (`z.preprocess`) hands its value to, else the schema itself. */
function afterPreprocess(s: Schema): Schema {
  const def = defOf(s);
  if (def.type === "pipe" && (def.in as Schema)._zod.traits.has("$ZodTransform")) {
    return afterPreprocess(def.out as Schema);
  }
  return s;
}

/** The schema without `.optional()`, `.default()`, `.prefault()` and `.nullable()` around it. */
function unwrapOptional(s: Schema): Schema {
  const def = defOf(s);
  if (["optional", "default", "prefault", "nullable", "readonly"].includes(def.type)) {
    return unwrapOptional(def.innerType as Schema);
  }
  return s;
}

/** Whether a key of this schema may be absent from the file (optional or defaulted). */
function mayBeAbsent(s: Schema): boolean {
  return afterPreprocess(s)._zod.optin !== undefined;
}

/**
 * How messages describe what a schema allows.
 *
 * @example
 * describeConfig(config.integer({ min: 2, max: 6 })) // "a whole number from 2 to 6"
 */
export function describeConfig(s: Schema): string {
  const own = configLabels.get(s as z.ZodType)?.describe;
  if (own) return own;
  const def = defOf(s);
  switch (def.type) {
    case "optional":
    case "nullable":
    case "readonly":
      return describeConfig(def.innerType as Schema);
    case "default":
    case "prefault": {
      const value =
        def.type === "default" ? def.defaultValue : z.parse(def.innerType as Schema, def.defaultValue);
      return `${describeConfig(def.innerType as Schema)} (default ${show(value)})`;
    }
    case "pipe":
      return describeConfig(afterPreprocess(s) === s ? (def.in as Schema) : afterPreprocess(s));
    case "object":
      return `an object with ${Object.keys(def.shape as object).join(", ")}`;
    case "array":
      return `a list of ${describeConfig(def.element as Schema)}`;
    case "record":
      return `a map of ${describeConfig(def.keyType as Schema)} to ${describeConfig(def.valueType as Schema)}`;
    case "enum":
      return `one of ${Object.values(def.entries as object)
        .map((x) => show(x))
        .join(", ")}`;
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "true or false";
    default:
      return z.globalRegistry.get(s as z.ZodType)?.description ?? "a valid value";
  }
}

/** How YAML writes a number that is not finite (`.nan`, `.inf`, `-.inf`). */
function yamlNumber(n: number): string {
  return Number.isNaN(n) ? ".nan" : n > 0 ? ".inf" : "-.inf";
}

/** Text that YAML or JSON tools write for a number that is not finite. */
const NON_FINITE_TEXT = /^[-+]?(\.inf|\.nan|inf|nan|infinity)$/i;

/** Pulumi passes scalars as text: a whole number written in the file arrives as "3". */
const integerText = (v: unknown) => (typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v);
const booleanText = (v: unknown) => (v === "true" ? true : v === "false" ? false : v);

/**
 * Builders of zod schemas for stack config, with the descriptions messages use. Any zod schema
 * works in a stack's config schema; objects must be strict (`config.object` or `z.strictObject`),
 * so that an unknown key (a typo) is an error.
 */
export const config = {
  string(opts: { pattern?: RegExp; describe?: string; minLength?: number; maxLength?: number } = {}) {
    let s = z.string();
    if (opts.minLength !== undefined) s = s.min(opts.minLength);
    if (opts.maxLength !== undefined) s = s.max(opts.maxLength);
    if (opts.pattern) s = s.regex(opts.pattern);
    if (opts.describe) s = s.describe(opts.describe);
    return label(s, opts.describe ?? "a string");
  },

  oneOf<const T extends readonly string[]>(values: T) {
    return z.enum(values);
  },

  integer(opts: { min?: number; max?: number } = {}) {
    const range =
      opts.min !== undefined && opts.max !== undefined
        ? ` from ${opts.min} to ${opts.max}`
        : opts.min !== undefined
          ? ` of at least ${opts.min}`
          : opts.max !== undefined
            ? ` of at most ${opts.max}`
            : "";
    const describe = `a whole number${range}`;
    let n = z.number().int();
    if (opts.min !== undefined) n = n.min(opts.min);
    if (opts.max !== undefined) n = n.max(opts.max);
    return label(z.preprocess(integerText, label(n, describe)), describe);
  },

  /** A whole number from a fixed list (CloudWatch retention periods, Fargate CPU units). */
  integerIn(values: readonly number[]) {
    const integer = z.preprocess(integerText, label(z.number().int(), "a whole number"));
    return label(
      integer
        .refine((n) => values.includes(n), {
          error: (iss) => `is ${iss.input}; allowed: ${values.join(", ")}`,
        })
        .meta({ enum: [...values] }),
      `one of ${values.join(", ")}`,
    );
  },

  boolean() {
    return label(z.preprocess(booleanText, z.boolean()), "true or false");
  },

  list<T extends z.ZodType>(item: T, opts: { min?: number; max?: number } = {}) {
    let s = z.array(item);
    if (opts.min !== undefined) s = s.min(opts.min);
    if (opts.max !== undefined) s = s.max(opts.max);
    return s;
  },

  /** A map with free keys (matching `key`) and values of one shape, e.g. services by name. */
  record<T extends z.ZodType>(value: T, key: { pattern: RegExp; describe: string }) {
    return z.record(label(z.string().regex(key.pattern).describe(key.describe), key.describe), value);
  },

  /** An object with these keys and no other (`z.strictObject`). */
  object<S extends z.ZodRawShape>(shape: S) {
    return z.strictObject(shape);
  },

  optional<T extends z.ZodType>(f: T) {
    return f.optional();
  },

  /**
   * A nested object whose keys all have defaults: absent in the file means all of them.
   * @example rollout: config.defaulted(config.object({ stopTimeoutSeconds: config.withDefault(config.integer(), 10) }))
   */
  defaulted<T extends z.ZodType>(f: T) {
    return f.prefault({} as z.input<T> & {});
  },

  /** A 12-digit AWS account id. */
  accountId(describe = "a 12-digit AWS account id") {
    return config.string({ pattern: ACCOUNT_ID, describe });
  },

  /**
   * Text that becomes an AWS tag value (the `Owner` and `CostCenter` tags, extra tags): checked by
   * the same rules as {@link checkTags}, so a value AWS would refuse (a newline, a `;`, more than
   * 256 characters) or a YAML `~` (which reaches the program as the text "null") fails here, with
   * the file and the key, instead of at deployment.
   *
   * @example owner: config.tagValue()
   */
  tagValue(opts: { minLength?: number } = {}) {
    const min = opts.minLength ?? 1;
    const describe =
      `a tag value: ${min} to ${TAG_LIMITS.valueLength} characters of Unicode letters, digits, ` +
      "spaces and _ . : / = + - @";
    const s = z.string().superRefine((v, ctx) => {
      const fail = (message: string) => ctx.addIssue({ code: "custom", message, input: v });
      if (v === "null") {
        return fail(`is "null" (what a YAML ~ or null becomes as config text); expected ${describe}`);
      }
      if (v.length < min) return fail(`is ${show(v)}; expected ${describe}`);
      try {
        checkTags(new Validator("config", "tag"), "tag", { Tag: v });
      } catch (e) {
        if (e instanceof BerthValidationError) return fail(`is ${show(v)}; ${e.allowed}`);
        throw e;
      }
    });
    return label(
      s.meta({ description: describe, minLength: min, maxLength: TAG_LIMITS.valueLength }),
      describe,
    );
  },

  /** Optional in the file; the default applies when the key is absent. */
  withDefault<T extends z.ZodType>(f: T, value: z.output<T>) {
    return f.default(value as z.util.NoUndefined<z.output<T>>);
  },
};

type PathKey = PropertyKey;

function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let v = root;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** The schema of the value at `path` (an object's key, a list's item, a map's value). */
function schemaAt(root: Schema, path: readonly PathKey[]): Schema | undefined {
  let s: Schema | undefined = root;
  for (const k of path) {
    if (!s) return undefined;
    const u = afterPreprocess(unwrapOptional(s));
    const def = defOf(u);
    if (def.type === "object") s = (def.shape as Record<PropertyKey, Schema>)[k];
    else if (def.type === "array") s = def.element as Schema;
    else if (def.type === "record") s = def.valueType as Schema;
    else return undefined;
  }
  return s;
}

/**
 * The message of one zod issue, in the words of a stack config error: `is <value>; expected <what
 * is allowed>` (the key is added by the caller). `raw` is the config as the file holds it, so `~`
 * (null) and `.nan` are named as such.
 */
function issueMessage(iss: z.core.$ZodRawIssue, raw: unknown, root: Schema): string {
  const path = iss.path ?? [];
  const owner = ((iss as { schema?: Schema }).schema ?? iss.inst) as Schema;
  const def = defOf(owner);
  if (iss.code === "unrecognized_keys") {
    return `is not a known key; known keys: ${Object.keys(def.shape as object).join(", ")}`;
  }
  if (iss.code === "invalid_key") {
    return `is not a valid name; expected ${describeConfig(def.keyType as Schema)}`;
  }
  const value = valueAt(raw, path);
  const outer = () => describeConfig(unwrapOptional(schemaAt(root, path) ?? owner));
  if (value === undefined) return `is missing; expected ${outer()}`;
  if (value === null) return `is ~ (null); expected ${outer()}`;
  if (typeof value === "number" && !Number.isFinite(value)) {
    return `is ${yamlNumber(value)}, which is not a finite number; expected ${outer()}`;
  }
  const describe = describeConfig(owner);
  if (iss.code === "invalid_type" && typeof value === "string" && NON_FINITE_TEXT.test(value.trim())) {
    if (iss.expected === "number" || iss.expected === "int") {
      return `is ${show(value)}, which is not a finite number; expected ${describe}`;
    }
  }
  if ((iss.code === "too_small" || iss.code === "too_big") && iss.origin === "array") {
    const count = Array.isArray(value) ? value.length : 0;
    return iss.code === "too_small"
      ? `has ${count} items; expected at least ${iss.minimum}`
      : `has ${count} items; expected at most ${iss.maximum}`;
  }
  if (iss.code === "invalid_value")
    return `is ${show(value)}; allowed: ${iss.values.map((x) => show(x)).join(", ")}`;
  if ((iss.code === "too_small" || iss.code === "too_big") && iss.origin === "number") {
    return `is ${show(iss.input)}; expected ${describe}`;
  }
  return `is ${show(value)}; expected ${describe}`;
}

/**
 * The problem a reader meets first, as the keys read top-down: an issue about a container (an
 * unknown key in an object, too many items in a list) comes before issues about what it holds.
 */
function firstIssue(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue | undefined {
  let first = issues[0];
  for (const iss of issues) {
    if (!first) break;
    const p = iss.path;
    if (p.length < first.path.length && p.every((k, i) => k === first?.path[i])) first = iss;
  }
  return first;
}

/** `network.flowLogs`, `services.hello.hosts[0]`: a path as messages write it. */
function formatPath(path: readonly PathKey[]): string {
  return path
    .map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`))
    .join("");
}

/**
 * YAML `~` on an object's key means the key is absent (so an optional key is left out and a
 * default applies); in lists and as a map's value it stays null, which no schema accepts.
 */
function withoutNullKeys(schema: Schema, v: unknown): unknown {
  const def = defOf(afterPreprocess(unwrapOptional(schema)));
  if (def.type === "object" && isMap(v)) {
    const shape = def.shape as Record<string, Schema>;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (!(k in shape)) out[k] = x;
      else if (x !== null) out[k] = withoutNullKeys(shape[k] as Schema, x);
    }
    return out;
  }
  if (def.type === "array" && Array.isArray(v))
    return v.map((x) => withoutNullKeys(def.element as Schema, x));
  if (def.type === "record" && isMap(v)) {
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [k, withoutNullKeys(def.valueType as Schema, x)]),
    );
  }
  return v;
}

const checkedStrict = new WeakSet<Schema>();

/**
 * Throws when an object in the schema would drop unknown keys instead of naming them (`z.object`
 * strips them, `z.looseObject` keeps them): in a stack file, an unknown key is a typo.
 */
function assertStrict(s: Schema, path = ""): void {
  if (checkedStrict.has(s)) return;
  checkedStrict.add(s);
  const def = defOf(s);
  const inner = (x: unknown, at = path) => assertStrict(x as Schema, at);
  if (def.type === "object") {
    const catchall = def.catchall as Schema | undefined;
    if (catchall?._zod.def.type !== "never") {
      checkedStrict.delete(s);
      throw new Error(
        `stack config schema: the object at ${path || "the top level"} must be strict (config.object or z.strictObject), so that an unknown key is an error`,
      );
    }
    for (const [k, x] of Object.entries(def.shape as object)) inner(x, path ? `${path}.${k}` : k);
  } else if (def.type === "array") inner(def.element, `${path}[]`);
  else if (def.type === "record") inner(def.valueType, `${path}.*`);
  else if (def.type === "pipe") {
    inner(def.in);
    inner(def.out);
  } else if (def.type === "union") for (const x of def.options as Schema[]) inner(x);
  else if ("innerType" in def) inner(def.innerType);
}

/**
 * Checks `raw` against a stack config schema: the parsed value, or the first problem as a path
 * (`network.natMode`) and a message (`is "fast"; allowed: "none", "single"`).
 */
export function checkConfig<T extends z.ZodType>(
  schema: T,
  raw: unknown,
): { ok: true; value: z.output<T> } | { ok: false; path: string; message: string } {
  assertStrict(schema);
  const result = schema.safeParse(withoutNullKeys(schema, raw), {
    error: (iss) => issueMessage(iss, raw, schema),
  });
  if (result.success) return { ok: true, value: result.data };
  const iss = firstIssue(result.error.issues);
  if (!iss) return { ok: false, path: "", message: "is not valid" };
  const path = iss.code === "unrecognized_keys" ? [...iss.path, iss.keys[0] as string] : iss.path;
  return { ok: false, path: formatPath(path), message: iss.message };
}

/**
 * For rules that span keys (after `readStackConfig`): a function that throws the same
 * {@link ConfigError} for `<project>:<key>` in the stack file ({@link stackConfigFile}).
 *
 * @example
 * const fail = configFailer();
 * if (min > max) fail("scaling", `min ${min} is above max ${max}`);
 */
export function configFailer(
  stack = pulumi.getStack(),
  namespace = pulumi.getProject(),
  file = stackConfigFile(stack),
) {
  return (key: string, message: string): never => {
    throw new ConfigError(file, `${namespace}:${key}`, message);
  };
}

export interface ReadStackConfigOptions {
  /** The config namespace the schema covers. @default the project name */
  namespace?: string;
  /** The stack, for the default file name. @default the running stack */
  stack?: string;
  /** The project, which owns keys written without a namespace. @default the running project */
  project?: string;
  /** Config values by namespaced key, as Pulumi passes them. @default `pulumi.runtime.allConfig()` */
  values?: Record<string, string>;
  /** The file messages name. @default {@link stackConfigFile} */
  file?: string;
  /**
   * A YAML parser (`parse` from the `yaml` package): `file` is then read from the program's folder
   * and given as `document`. Core has no YAML parser of its own.
   */
  parse?: (text: string) => unknown;
  /**
   * The parsed YAML of that file, when the program has read it ({@link readStackDocument}). Pulumi
   * hands a program its config as text, where `~`, `.nan` and a `config:` list have already lost
   * their shape; the document keeps it, so messages can say what the file really holds. It is only
   * used when its values are the ones the run got (a `--config-file` elsewhere is not mistaken for it).
   */
  document?: unknown;
}

/** How a YAML value reads in a message. */
function describeYaml(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null || v === undefined) return "empty";
  if (typeof v === "object") return "a map";
  if (typeof v === "number") return `the number ${Number.isFinite(v) ? v : yamlNumber(v)}`;
  if (typeof v === "boolean") return `the boolean ${v}`;
  return `the text ${show(v)}`;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The `secure:` leaves Pulumi decrypts: their file value is ciphertext, not what the program gets. */
function hasSecure(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasSecure);
  if (!isMap(v)) return false;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === "secure") return true;
  return Object.values(v).some(hasSecure);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]))
    );
  }
  if (isMap(a) || isMap(b)) {
    if (!isMap(a) || !isMap(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => k in b && sameValue(a[k], b[k]));
  }
  return a === b;
}

/** Whether a value from the file is what the run got as `text` (Pulumi's text form of it). */
function readAs(fileValue: unknown, text: string | undefined): boolean {
  if (text === undefined) return false;
  if (typeof fileValue === "string") return fileValue === text;
  let got: unknown = text;
  try {
    got = JSON.parse(text);
  } catch {
    // plain text
  }
  // JSON has no NaN or infinities: the run got them as null.
  const expected: unknown = JSON.parse(JSON.stringify(fileValue) ?? "null");
  return sameValue(expected, got);
}

const namespaceOf = (key: string, project: string) => (key.includes(":") ? key : `${project}:${key}`);

/**
 * Checks the shape of a stack file (a map with a `config:` map) and returns its namespaced config
 * values, or `undefined` when the document cannot be the file the run read.
 */
function fileValues(
  document: unknown,
  values: Record<string, string>,
  namespace: string,
  project: string,
  file: string,
): Record<string, unknown> | undefined {
  const inNamespace = Object.keys(values).filter((k) => k.startsWith(`${namespace}:`));
  const example = `config:\n  ${namespace}:<key>: <value>`;
  if (document !== null && document !== undefined && !isMap(document)) {
    // Pulumi reads no config from such a file: it is the one read only if the run got none.
    if (inNamespace.length > 0) return undefined;
    throw new ConfigError(
      file,
      "",
      `the top level is ${describeYaml(document)}; it must be a map with a config: key, e.g.\n${example}`,
    );
  }
  const cfg = isMap(document) ? document.config : undefined;
  if (cfg !== null && cfg !== undefined && !isMap(cfg)) {
    const asRead = Array.isArray(cfg)
      ? inNamespace.every((k) => k !== `${project}:` && /^\d+$/.test(k.slice(k.indexOf(":") + 1)))
      : inNamespace.length === 0;
    if (!asRead) return undefined;
    throw new ConfigError(
      file,
      "config",
      `is ${describeYaml(cfg)}; it must be a map of keys to values, e.g.\n${example}`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(isMap(cfg) ? cfg : {})) {
    const full = namespaceOf(key, project);
    if (!full.startsWith(`${namespace}:`) || hasSecure(value)) continue;
    if (!readAs(value, values[full])) return undefined;
    out[full] = value;
  }
  return out;
}

/**
 * Reads the stack file for {@link readStackConfig}'s `document`, with the YAML parser the program
 * already has (`yaml`'s `parse`). `undefined` when there is no such file in the program's folder.
 *
 * @example
 * import { parse } from "yaml";
 * const document = readStackDocument(parse, "Pulumi.dev.yaml");
 */
export function readStackDocument(parse: (text: string) => unknown, file = stackConfigFile()): unknown {
  if (!existsSync(file)) return undefined;
  try {
    return parse(readFileSync(file, "utf8")) ?? null;
  } catch {
    // Pulumi reports YAML it cannot parse before the program runs; nothing to add here.
    return undefined;
  }
}

/**
 * Reads and checks every key of the project's namespace in the stack's config against a schema,
 * when the program starts. Unknown keys (typos) are errors too, so a misspelled setting never
 * silently falls back to a default. Every message names the file, the key, the value and what is
 * allowed, and a file that is not a map with a `config:` map is named as such.
 *
 * @example
 * const cfg = readStackConfig({ network: config.object({ cidrBlock: config.string() }) });
 * const same = readStackConfig(z.strictObject({ network: z.strictObject({ cidrBlock: z.string() }) }));
 */
export function readStackConfig<S extends z.ZodRawShape>(
  shape: S,
  opts?: ReadStackConfigOptions,
): z.output<z.ZodObject<S, z.core.$strict>>;
export function readStackConfig<T extends z.ZodObject>(schema: T, opts?: ReadStackConfigOptions): z.output<T>;
export function readStackConfig(
  schema: z.ZodRawShape | z.ZodObject,
  opts: ReadStackConfigOptions = {},
): Record<string, unknown> {
  const object = schema instanceof z.ZodObject ? schema : z.strictObject(schema);
  const namespace = opts.namespace ?? pulumi.getProject();
  const project = opts.project ?? pulumi.getProject();
  const file = opts.file ?? stackConfigFile(opts.stack ?? pulumi.getStack());
  const all = opts.values ?? pulumi.runtime.allConfig();
  const document =
    opts.document !== undefined
      ? opts.document
      : opts.parse
        ? readStackDocument(opts.parse, file)
        : undefined;
  const fromFile = document === undefined ? undefined : fileValues(document, all, namespace, project, file);
  const raw: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(all)) {
    if (!key.startsWith(`${namespace}:`)) continue;
    const name = key.slice(namespace.length + 1);
    if (fromFile && key in fromFile) {
      // The file's own value: `~` stays null and `.nan` stays NaN instead of the text "null".
      raw[name] = fromFile[key];
      continue;
    }
    // Pulumi stores objects and lists as JSON text and scalars as their text: only the former are
    // parsed, so a quoted "123456789012" stays a string (integer/boolean fields read their text).
    let value: unknown = text;
    if (/^\s*[[{]/.test(text)) {
      try {
        value = JSON.parse(text);
      } catch {
        // not JSON after all: keep the text
      }
    }
    raw[name] = value;
  }
  const names = Object.keys(raw);
  const example = `config:\n  ${namespace}:<key>: <value>`;
  const keys = Object.keys(object.shape);
  if (names.length > 0 && names.every((k, i) => k === String(i)) && !keys.includes("0")) {
    // What a `config:` list becomes once Pulumi has read it: keys 0, 1, 2…
    throw new ConfigError(
      file,
      "config",
      `is a list (items ${names.join(", ")}); it must be a map of keys to values, e.g.\n${example}`,
    );
  }
  const required = keys.filter((k) => !mayBeAbsent(object.shape[k] as Schema));
  if (names.length === 0 && required.length > 0 && namespace === project) {
    // Not one key of the project: the file is empty, or its top level is not a map with `config:`.
    throw new ConfigError(
      file,
      "",
      `sets no ${namespace}: key; the file's top level must be a map with a config: key that sets ` +
        `${required.map((k) => `${namespace}:${k}`).join(", ")}, e.g.\n${example}`,
    );
  }
  const checked = checkConfig(object, raw);
  if (!checked.ok) throw new ConfigError(file, `${namespace}:${checked.path}`, checked.message);
  return checked.value;
}

/**
 * The JSON Schema of a stack file `Pulumi.<stack>.yaml` (for editors: `# yaml-language-server:
 * $schema=…`), from the schemas its program reads with {@link readStackConfig}, by namespace. It
 * describes keys written with their namespace (`berth-platform:owner`, as Berth's files do, not a
 * bare `owner`) and plain values (not `secure:` ones); `pulumi:` keys are always allowed.
 *
 * @example
 * stackConfigJsonSchema("berth-platform", { "berth-platform": platformSchema, aws: awsSchema })
 */
export function stackConfigJsonSchema(
  project: string,
  namespaces: Record<string, z.ZodRawShape | z.ZodObject>,
  opts: {
    /** Namespaces whose other keys the program does not check (e.g. `aws` when only `aws:region` is read). */
    open?: readonly string[];
  } = {},
): Record<string, unknown> {
  const keys: Record<string, z.ZodType> = {};
  for (const [namespace, schema] of Object.entries(namespaces)) {
    const shape = schema instanceof z.ZodObject ? schema.shape : schema;
    for (const [k, s] of Object.entries(shape)) keys[`${namespace}:${k}`] = s as z.ZodType;
  }
  const file = z
    .looseObject({ config: z.strictObject(keys) })
    .meta({ title: `Pulumi.<stack>.yaml of ${project}` });
  return z.toJSONSchema(file, {
    io: "input",
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) => {
      const def = defOf(zodSchema);
      // zod leaves out the default of a schema that preprocesses (config.integer, config.boolean).
      if (def.type === "default" && !("default" in jsonSchema)) jsonSchema.default = def.defaultValue;
      // A whole number's implicit safe-integer bounds say nothing to a reader.
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      if (zodSchema === file.shape.config) {
        // Pulumi's own keys (`pulumi:disable-default-providers`, `pulumi:tags`) are always allowed.
        const open = ["pulumi", ...(opts.open ?? [])];
        jsonSchema.patternProperties = Object.fromEntries(
          open.map((ns) => [`^${ns.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:`, {}]),
        );
      }
    },
  }) as Record<string, unknown>;
}
