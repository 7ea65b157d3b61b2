import * as pulumi from "@pulumi/pulumi";
import { show } from "./errors.js";

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
    readonly key: string,
    message: string,
  ) {
    super(`${file}: ${key} ${message}`);
    this.name = "ConfigError";
  }
}

/** A 12-digit AWS account id. */
export const ACCOUNT_ID = /^\d{12}$/;

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

function field<T>(describe: string, parse: (v: unknown, path: string, fail: Fail) => T): Field<T> {
  return { optional: false, describe, parse };
}

function isMissing(v: unknown): boolean {
  return v === undefined || v === null;
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
        if (isMissing(x)) return fail(`${path}[${i}]`, `is missing; expected ${item.describe}`);
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
        if (isMissing(x)) fail(`${path}.${k}`, `is missing; expected ${value.describe}`);
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
    if (isMissing(raw) && !f.optional) fail(`${path}.${k}`, `is missing; expected ${f.describe}`);
    const parsed = f.parse(isMissing(raw) ? undefined : raw, `${path}.${k}`, fail);
    if (parsed !== undefined) out[k] = parsed;
  }
  return out;
}

/**
 * For rules that span keys (after `readStackConfig`): a function that throws the same
 * {@link ConfigError} for `<project>:<key>` in `Pulumi.<stack>.yaml`.
 *
 * @example
 * const fail = configFailer();
 * if (min > max) fail("scaling", `min ${min} is above max ${max}`);
 */
export function configFailer(stack = pulumi.getStack(), namespace = pulumi.getProject()) {
  const file = `Pulumi.${stack}.yaml`;
  return (key: string, message: string): never => {
    throw new ConfigError(file, `${namespace}:${key}`, message);
  };
}

/**
 * Reads and checks every key of the project's namespace in the stack's config against a schema,
 * when the program starts. Unknown keys (typos) are errors too, so a misspelled setting never
 * silently falls back to a default.
 *
 * @example
 * const cfg = readStackConfig({ network: config.object({ cidrBlock: config.string() }) });
 */
export function readStackConfig<S extends Shape>(
  shape: S,
  opts: { namespace?: string; stack?: string; values?: Record<string, string> } = {},
): InferShape<S> {
  const namespace = opts.namespace ?? pulumi.getProject();
  const file = `Pulumi.${opts.stack ?? pulumi.getStack()}.yaml`;
  const all = opts.values ?? pulumi.runtime.allConfig();
  const raw: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(all)) {
    if (!key.startsWith(`${namespace}:`)) continue;
    const name = key.slice(namespace.length + 1);
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
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(raw)) {
    if (!(k in shape)) fail(k, `is not a known key; known keys: ${Object.keys(shape).join(", ")}`);
  }
  for (const [k, f] of Object.entries(shape)) {
    const v = raw[k];
    if (isMissing(v) && !f.optional) fail(k, `is missing; expected ${f.describe}`);
    const parsed = f.parse(isMissing(v) ? undefined : v, k, fail);
    if (parsed !== undefined) out[k] = parsed;
  }
  return out as InferShape<S>;
}
