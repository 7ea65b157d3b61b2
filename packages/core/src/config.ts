import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, relative, sep } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { BerthValidationError, show } from "./errors.js";
import { ACCOUNT_ID, checkTags, TAG_LIMITS, Validator } from "./validate.js";

export { ACCOUNT_ID };

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

/** A 12-digit AWS account id. */

/** One field of a config schema: parses a raw YAML value at a path, or explains what is allowed. */
export interface Field<T> {
  readonly optional: boolean;
  /** What a valid value looks like, for messages. */
  readonly describe: string;
  parse(value: unknown, path: string, fail: Fail): T;
}

type Fail = (path: string, message: string) => never;

export type Infer<F> = F extends Field<infer T> ? T : never;
type Shape = Record<string, Field<unknown>>;
/** Keys that may be absent from the result: optional fields without a default. */
type MaybeAbsent<F> = F extends { readonly optional: true }
  ? F extends { readonly hasDefault: true }
    ? false
    : true
  : false;
type InferShape<S extends Shape> = {
  [K in keyof S as MaybeAbsent<S[K]> extends true ? never : K]: Infer<S[K]>;
} & {
  [K in keyof S as MaybeAbsent<S[K]> extends true ? K : never]?: Infer<S[K]>;
};

/** How YAML writes a number that is not finite (`.nan`, `.inf`, `-.inf`). */
function yamlNumber(n: number): string {
  return Number.isNaN(n) ? ".nan" : n > 0 ? ".inf" : "-.inf";
}

/** Text that YAML or JSON tools write for a number that is not finite. */
const NON_FINITE_TEXT = /^[-+]?(\.inf|\.nan|inf|nan|infinity)$/i;

function field<T>(describe: string, parse: (v: unknown, path: string, fail: Fail) => T): Field<T> {
  return {
    optional: false,
    describe,
    parse(v, path, fail) {
      if (typeof v === "number" && !Number.isFinite(v)) {
        return fail(path, `is ${yamlNumber(v)}, which is not a finite number; expected ${describe}`);
      }
      return parse(v, path, fail);
    },
  };
}

function isMissing(v: unknown): boolean {
  return v === undefined || v === null;
}

/** The message for a required key that is absent, or present but empty (`~`, `null`). */
function missing(v: unknown, describe: string): string {
  return v === null ? `is ~ (null); expected ${describe}` : `is missing; expected ${describe}`;
}

/** Builders for stack config schemas. Every value from YAML is checked; unknown keys are errors. */
export const config = {
  string(
    opts: { pattern?: RegExp; describe?: string; minLength?: number; maxLength?: number } = {},
  ): Field<string> {
    const describe = opts.describe ?? "a string";
    return field(describe, (v, path, fail) => {
      if (typeof v !== "string") return fail(path, `is ${show(v)}; expected ${describe}`);
      if (opts.minLength !== undefined && v.length < opts.minLength)
        return fail(path, `is ${show(v)}; expected ${describe}`);
      if (opts.maxLength !== undefined && v.length > opts.maxLength)
        return fail(path, `is ${show(v)}; expected ${describe}`);
      if (opts.pattern && !opts.pattern.test(v)) return fail(path, `is ${show(v)}; expected ${describe}`);
      return v;
    });
  },

  oneOf<const T extends string>(values: readonly T[]): Field<T> {
    const describe = `one of ${values.map((x) => show(x)).join(", ")}`;
    return field(describe, (v, path, fail) => {
      if (typeof v !== "string" || !(values as readonly string[]).includes(v)) {
        return fail(path, `is ${show(v)}; allowed: ${values.map((x) => show(x)).join(", ")}`);
      }
      return v as T;
    });
  },

  integer(opts: { min?: number; max?: number } = {}): Field<number> {
    const range =
      opts.min !== undefined && opts.max !== undefined
        ? ` from ${opts.min} to ${opts.max}`
        : opts.min !== undefined
          ? ` of at least ${opts.min}`
          : opts.max !== undefined
            ? ` of at most ${opts.max}`
            : "";
    const describe = `a whole number${range}`;
    return field(describe, (v, path, fail) => {
      if (typeof v === "string" && NON_FINITE_TEXT.test(v.trim())) {
        return fail(path, `is ${show(v)}, which is not a finite number; expected ${describe}`);
      }
      const n = typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v;
      if (typeof n !== "number" || !Number.isInteger(n))
        return fail(path, `is ${show(v)}; expected ${describe}`);
      if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
        return fail(path, `is ${n}; expected ${describe}`);
      }
      return n;
    });
  },

  /** A whole number from a fixed list (CloudWatch retention periods, Fargate CPU units). */
  integerIn(values: readonly number[]): Field<number> {
    const integer = config.integer();
    return field(`one of ${values.join(", ")}`, (v, path, fail) => {
      const n = integer.parse(v, path, fail);
      if (!values.includes(n)) return fail(path, `is ${n}; allowed: ${values.join(", ")}`);
      return n;
    });
  },

  boolean(): Field<boolean> {
    return field("true or false", (v, path, fail) => {
      if (v === true || v === "true") return true;
      if (v === false || v === "false") return false;
      return fail(path, `is ${show(v)}; expected true or false`);
    });
  },

  list<T>(item: Field<T>, opts: { min?: number; max?: number } = {}): Field<T[]> {
    const describe = `a list of ${item.describe}`;
    return field(describe, (v, path, fail) => {
      if (!Array.isArray(v)) return fail(path, `is ${show(v)}; expected ${describe}`);
      if (opts.min !== undefined && v.length < opts.min)
        return fail(path, `has ${v.length} items; expected at least ${opts.min}`);
      if (opts.max !== undefined && v.length > opts.max)
        return fail(path, `has ${v.length} items; expected at most ${opts.max}`);
      return v.map((x, i) => {
        if (isMissing(x)) return fail(`${path}[${i}]`, missing(x, item.describe));
        return item.parse(x, `${path}[${i}]`, fail);
      });
    });
  },

  /** A map with free keys (matching `key`) and values of one shape, e.g. services by name. */
  record<T>(value: Field<T>, key: { pattern: RegExp; describe: string }): Field<Record<string, T>> {
    const describe = `a map of ${key.describe} to ${value.describe}`;
    return field(describe, (v, path, fail) => {
      if (v === null || typeof v !== "object" || Array.isArray(v))
        return fail(path, `is ${show(v)}; expected ${describe}`);
      const out: Record<string, T> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        if (!key.pattern.test(k)) fail(`${path}.${k}`, `is not a valid name; expected ${key.describe}`);
        if (isMissing(x)) fail(`${path}.${k}`, missing(x, value.describe));
        out[k] = value.parse(x, `${path}.${k}`, fail);
      }
      return out;
    });
  },

  object<S extends Shape>(shape: S): Field<InferShape<S>> {
    const describe = `an object with ${Object.keys(shape).join(", ")}`;
    return field(describe, (v, path, fail) => parseShape(shape, v, path, fail) as InferShape<S>);
  },

  optional<T>(f: Field<T>): Field<T | undefined> & { readonly optional: true } {
    return {
      optional: true as const,
      describe: f.describe,
      parse: (v, path, fail) => (isMissing(v) ? undefined : f.parse(v, path, fail)),
    };
  },

  /**
   * A nested object whose keys all have defaults: absent in the file means all of them.
   * @example rollout: config.defaulted(config.object({ stopTimeoutSeconds: config.withDefault(config.integer(), 10) }))
   */
  defaulted<T>(f: Field<T>) {
    const defaults = f.parse({}, "", (path, message) => {
      throw new Error(`schema default is invalid at ${path}: ${message}`);
    });
    return config.withDefault(f, defaults);
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
  tagValue(opts: { minLength?: number } = {}): Field<string> {
    const min = opts.minLength ?? 1;
    const describe =
      `a tag value: ${min} to ${TAG_LIMITS.valueLength} characters of Unicode letters, digits, ` +
      "spaces and _ . : / = + - @";
    return field(describe, (v, path, fail) => {
      if (typeof v !== "string") return fail(path, `is ${show(v)}; expected ${describe}`);
      if (v === "null") {
        return fail(path, `is "null" (what a YAML ~ or null becomes as config text); expected ${describe}`);
      }
      if (v.length < min) return fail(path, `is ${show(v)}; expected ${describe}`);
      try {
        checkTags(new Validator("config", path), "tag", { Tag: v });
      } catch (e) {
        if (e instanceof BerthValidationError) return fail(path, `is ${show(v)}; ${e.allowed}`);
        throw e;
      }
      return v;
    });
  },

  /** Optional in the file; the default applies when the key is absent. */
  withDefault<T>(f: Field<T>, value: T): Field<T> & { readonly optional: true; readonly hasDefault: true } {
    return {
      optional: true as const,
      hasDefault: true as const,
      describe: `${f.describe} (default ${show(value)})`,
      parse: (v, path, fail) => (isMissing(v) ? value : f.parse(v, path, fail)),
    };
  },
};

function parseShape(shape: Shape, v: unknown, path: string, fail: Fail): Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    return fail(path, `is ${show(v)}; expected an object with ${Object.keys(shape).join(", ")}`);
  }
  const obj = v as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (!(k in shape))
      fail(`${path}.${k}`, `is not a known key; known keys: ${Object.keys(shape).join(", ")}`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, f] of Object.entries(shape)) {
    const raw = obj[k];
    if (isMissing(raw) && !f.optional) fail(`${path}.${k}`, missing(raw, f.describe));
    const parsed = f.parse(isMissing(raw) ? undefined : raw, `${path}.${k}`, fail);
    if (parsed !== undefined) out[k] = parsed;
  }
  return out;
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
 */
export function readStackConfig<S extends Shape>(shape: S, opts: ReadStackConfigOptions = {}): InferShape<S> {
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
  const fail: Fail = (path, message) => {
    throw new ConfigError(file, `${namespace}:${path}`, message);
  };
  const names = Object.keys(raw);
  const example = `config:\n  ${namespace}:<key>: <value>`;
  if (names.length > 0 && names.every((k, i) => k === String(i)) && !("0" in shape)) {
    // What a `config:` list becomes once Pulumi has read it: keys 0, 1, 2…
    throw new ConfigError(
      file,
      "config",
      `is a list (items ${names.join(", ")}); it must be a map of keys to values, e.g.\n${example}`,
    );
  }
  const required = Object.entries(shape).filter(([, f]) => !f.optional);
  if (names.length === 0 && required.length > 0 && namespace === project) {
    // Not one key of the project: the file is empty, or its top level is not a map with `config:`.
    throw new ConfigError(
      file,
      "",
      `sets no ${namespace}: key; the file's top level must be a map with a config: key that sets ` +
        `${required.map(([k]) => `${namespace}:${k}`).join(", ")}, e.g.\n${example}`,
    );
  }
  const out: Record<string, unknown> = {};
  for (const k of names) {
    if (!(k in shape)) fail(k, `is not a known key; known keys: ${Object.keys(shape).join(", ")}`);
  }
  for (const [k, f] of Object.entries(shape)) {
    const v = raw[k];
    if (isMissing(v) && !f.optional) fail(k, missing(v, f.describe));
    const parsed = f.parse(isMissing(v) ? undefined : v, k, fail);
    if (parsed !== undefined) out[k] = parsed;
  }
  return out as InferShape<S>;
}
