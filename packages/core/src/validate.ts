import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT_ID } from "./config.js";
import { BerthValidationError, show } from "./errors.js";

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
