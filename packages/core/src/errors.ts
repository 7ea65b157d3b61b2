/** Renders a value the way an error message should show it. */
export function show(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "string") return JSON.stringify(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export interface ValidationIssue {
  /** The component type, e.g. `berth:networking:Network`. */
  component: string;
  /** The component's logical name. */
  resource: string;
  /** The argument path, e.g. `subnets.private.cidrMask`. */
  field: string;
  /** The value given. */
  value: unknown;
  /** What is allowed, as a sentence a user can act on. */
  allowed: string;
}

/**
 * The one error every Berth component throws for bad arguments, before any resource is created.
 * Its message names the component, the field, the value given and what is allowed.
 *
 * @example
 * // berth:networking:Network 'main': cidrBlock is "10.0.0.0/8"; the VPC block must be /16 to /24
 */
export class BerthValidationError extends Error {
  readonly component: string;
  readonly resource: string;
  readonly field: string;
  readonly value: unknown;
  readonly allowed: string;

  constructor(issue: ValidationIssue) {
    super(`${issue.component} '${issue.resource}': ${issue.field} is ${show(issue.value)}; ${issue.allowed}`);
    this.name = "BerthValidationError";
    this.component = issue.component;
    this.resource = issue.resource;
    this.field = issue.field;
    this.value = issue.value;
    this.allowed = issue.allowed;
  }
}
