import * as pulumi from "@pulumi/pulumi";
import { BerthValidationError, show } from "./errors.js";

/** An AWS account id: exactly 12 digits. */
export const ACCOUNT_ID = /^\d{12}$/;

/**
 * The plain value of an input, or `undefined` when it is an Output or a Promise (known only at
 * deployment time, so it cannot be validated up front).
 */
export function known<T>(value: pulumi.Input<T> | undefined): T | undefined {
  if (value === undefined || value === null) return value as T | undefined;
  if (pulumi.Output.isInstance(value) || value instanceof Promise) return undefined;
  return value as T;
}

export interface Range {
  min?: number;
  max?: number;
}

function describeRange({ min, max }: Range, unit = ""): string {
  if (min !== undefined && max !== undefined) return `from ${min} to ${max}${unit}`;
  if (min !== undefined) return `at least ${min}${unit}`;
  if (max !== undefined) return `at most ${max}${unit}`;
  return "any value";
}

/**
 * Checks a component's arguments. Each method throws {@link BerthValidationError} naming the
 * field, the value and what is allowed; values that are Outputs are skipped.
 *
 * @example
 * const v = new Validator("berth:cluster:Service", name);
 * v.oneOf("cpuArchitecture", args.cpuArchitecture, ["ARM64", "X86_64"]);
 * v.integer("desiredCount", args.desiredCount, { min: 0, max: 1000 });
 */
export class Validator {
  constructor(
    readonly component: string,
    readonly resource: string,
  ) {}

  fail(field: string, value: unknown, allowed: string): never {
    throw new BerthValidationError({
      component: this.component,
      resource: this.resource,
      field,
      value,
      allowed,
    });
  }

  check(condition: boolean, field: string, value: unknown, allowed: string): void {
    if (!condition) this.fail(field, value, allowed);
  }

  required<T>(field: string, value: T | undefined | null, allowed = "it is required"): T {
    if (value === undefined || value === null || value === "") this.fail(field, value, allowed);
    return value as T;
  }

  oneOf<T>(field: string, value: pulumi.Input<T> | undefined, allowed: readonly T[]): void {
    const v = known(value);
    if (v === undefined) return;
    if (!allowed.includes(v)) this.fail(field, v, `allowed: ${allowed.map((a) => show(a)).join(", ")}`);
  }

  integer(field: string, value: pulumi.Input<number> | undefined, range: Range = {}, unit = ""): void {
    const v = known(value);
    if (v === undefined) return;
    const ok =
      Number.isInteger(v) &&
      (range.min === undefined || v >= range.min) &&
      (range.max === undefined || v <= range.max);
    if (!ok) this.fail(field, v, `must be a whole number ${describeRange(range, unit)}`);
  }

  number(field: string, value: pulumi.Input<number> | undefined, range: Range = {}, unit = ""): void {
    const v = known(value);
    if (v === undefined) return;
    const ok =
      typeof v === "number" &&
      Number.isFinite(v) &&
      (range.min === undefined || v >= range.min) &&
      (range.max === undefined || v <= range.max);
    if (!ok) this.fail(field, v, `must be a number ${describeRange(range, unit)}`);
  }

  matches(
    field: string,
    value: pulumi.Input<string> | undefined,
    pattern: RegExp,
    description: string,
  ): void {
    const v = known(value);
    if (v === undefined) return;
    if (typeof v !== "string" || !pattern.test(v)) this.fail(field, v, description);
  }

  length(field: string, value: pulumi.Input<string> | undefined, range: Range): void {
    const v = known(value);
    if (v === undefined) return;
    if (
      typeof v !== "string" ||
      (range.min !== undefined && v.length < range.min) ||
      (range.max !== undefined && v.length > range.max)
    ) {
      this.fail(field, v, `must be ${describeRange(range, " characters")} long`);
    }
  }

  /** An ARN, optionally of one service (`arn:<partition>:<service>:…`). */
  arn(
    field: string,
    value: pulumi.Input<string> | undefined,
    service?: string,
    resourcePattern?: RegExp,
  ): void {
    const v = known(value);
    if (v === undefined) return;
    const m = /^arn:aws(-[a-z]+)*:([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws|):(.+)$/.exec(String(v));
    const ok =
      m !== null &&
      (service === undefined || m[2] === service) &&
      (!resourcePattern || resourcePattern.test(m[5]!));
    if (!ok)
      this.fail(
        field,
        v,
        `must be an ARN${service ? ` of ${service}` : ""} (arn:aws:${service ?? "<service>"}:<region>:<account>:…)`,
      );
  }

  /** A 12-digit AWS account id. */
  accountId(field: string, value: pulumi.Input<string> | undefined): void {
    this.matches(field, value, ACCOUNT_ID, "an AWS account id is exactly 12 digits");
  }

  /** No value appears twice. */
  unique(field: string, values: readonly unknown[]): void {
    const seen = new Set<string>();
    for (const v of values) {
      const key = show(v);
      if (seen.has(key)) this.fail(field, v, "each value may appear only once");
      seen.add(key);
    }
  }
}

/**
 * AWS tag rules (Tagging AWS Resources, "Tag naming limits and requirements"): a key of 1 to 128
 * characters, a value of 0 to 256, Unicode letters, digits, spaces and `_ . : / = + - @`, and no
 * key starting with `aws:` (reserved for AWS). At most 50 user tags per resource.
 */
export const TAG_LIMITS = { keyLength: 128, valueLength: 256, perResource: 50 } as const;
const TAG_TEXT = /^[\p{L}\p{Zs}\p{N}_.:/=+\-@]*$/u;
const TAG_ALLOWED = "Unicode letters, digits, spaces and _ . : / = + - @";

/**
 * Checks a map of tags the way AWS will: key and value lengths and characters, no `aws:` prefix,
 * string values only (a YAML `~` or a number would otherwise become the text "null" or "3").
 * Outputs are skipped.
 *
 * @example
 * checkTags(v, "tags", args.tags);
 */
export function checkTags(v: Validator, field: string, tags: unknown): void {
  if (tags === undefined || pulumi.Output.isInstance(tags) || tags instanceof Promise) return;
  if (tags === null || typeof tags !== "object" || Array.isArray(tags)) {
    v.fail(field, tags, "give a map of tag keys to text values");
  }
  const entries = Object.entries(tags as Record<string, unknown>);
  v.check(
    entries.length <= TAG_LIMITS.perResource,
    field,
    `${entries.length} tags`,
    `AWS allows at most ${TAG_LIMITS.perResource} tags per resource`,
  );
  for (const [key, value] of entries) {
    const at = `${field}.${key}`;
    v.check(
      key.length >= 1 && key.length <= TAG_LIMITS.keyLength && TAG_TEXT.test(key),
      at,
      key,
      `a tag key is 1 to ${TAG_LIMITS.keyLength} characters of ${TAG_ALLOWED}`,
    );
    v.check(
      !key.toLowerCase().startsWith("aws:"),
      at,
      key,
      "tag keys starting with aws: are reserved for AWS",
    );
    if (pulumi.Output.isInstance(value) || value instanceof Promise) continue;
    v.check(typeof value === "string", at, value, "a tag value is text (quote it in YAML; ~ is null)");
    const text = value as string;
    v.check(
      text.length <= TAG_LIMITS.valueLength && TAG_TEXT.test(text),
      at,
      text,
      `a tag value is at most ${TAG_LIMITS.valueLength} characters of ${TAG_ALLOWED}`,
    );
  }
}

/**
 * The first check of every Berth component: a resource name Pulumi and AWS can use (non-empty,
 * printable ASCII without spaces, since it becomes part of IAM, log-group and other physical
 * names) and arguments that are an object (a string or a list would otherwise read as `{}`).
 * Returns a Validator for the component.
 *
 * @example
 * const v = checkComponent("berth:networking:Network", name, args);
 */
export function checkComponent(component: string, name: unknown, args: unknown): Validator {
  const v = new Validator(component, String(name));
  if (typeof name !== "string" || name === "") {
    throw new BerthValidationError({
      component,
      resource: String(name),
      field: "name",
      value: name,
      allowed: "give the component a non-empty name",
    });
  }
  v.check(
    /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name),
    "name",
    name,
    "a name starts with a letter or digit and has only ASCII letters, digits, '.', '_' and '-' (it becomes part of AWS names)",
  );
  if (args !== undefined && (args === null || typeof args !== "object" || Array.isArray(args))) {
    v.fail("args", args, "give the arguments as an object");
  }
  return v;
}
