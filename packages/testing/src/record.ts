/** Resource options as the program registered them. */
export interface RecordedOptions {
  protect?: boolean;
  retainOnDelete?: boolean;
  deleteBeforeReplace?: boolean;
  ignoreChanges?: string[];
  replaceOnChanges?: string[];
  additionalSecretOutputs?: string[];
  aliases?: string[];
  deletedWith?: string;
  importId?: string;
  version?: string;
  remote?: boolean;
  /** Providers by package handed to a component (`{ aws: "<provider urn>::<id>" }`). */
  providers?: Record<string, string>;
  customTimeouts?: { create?: string; update?: string; delete?: string };
}

/** One registered resource: what the program asked for and what the engine answered. */
export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  /** True for provider resources (AWS resources); false for components. */
  custom: boolean;
  /** True for resources the program reads rather than manages (`.get()`, StackReference). */
  read?: boolean;
  parent?: string;
  /** Provider reference `<provider urn>::<provider id>`; default providers are synthesized. */
  provider?: string;
  id?: string;
  /** Inputs as registered; secret values are replaced by `"[secret]"`. */
  inputs: Record<string, unknown>;
  /** Outputs as the engine computed them (inputs plus what AWS would compute); secrets masked. */
  outputs: Record<string, unknown>;
  /** URNs this resource depends on (explicit `dependsOn` and the inputs' own dependencies). */
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  options: RecordedOptions;
}

export interface Diagnostic {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  urn?: string;
}

export interface RunError {
  name: string;
  message: string;
  /** The field a component's validation error names, when it names one. */
  field?: string;
  stack?: string;
}

/** The record of one offline run of a Pulumi program. Plain JSON. */
export interface RunRecord {
  project: string;
  stack: string;
  organization: string;
  region: string;
  account: string;
  /** The program's configuration as applied (secret values masked). */
  config: Record<string, string>;
  secretKeys: string[];
  resources: RecordedResource[];
  /** Stack outputs, with secret outputs masked. */
  outputs: Record<string, unknown>;
  diagnostics: Diagnostic[];
  error?: RunError;
  durationMs: number;
}

export const SECRET_PLACEHOLDER = "[secret]";
export const STACK_TYPE = "pulumi:pulumi:Stack";

/** Reads a dotted/indexed path (`a.b[0].c`) out of a value. */
export function readPath(value: unknown, path: string): unknown {
  const parts = path.match(/[^.[\]]+/g) ?? [];
  let cur: unknown = value;
  for (const p of parts) {
    if (cur === null || cur === undefined) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** Parses an input that holds JSON text (IAM policies, container definitions), or returns it as is. */
export function parseJsonInput(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** A queryable view over a {@link RunRecord}, for tests that read like specifications. */
export class RunResult {
  constructor(readonly record: RunRecord) {}

  get resources(): RecordedResource[] {
    return this.record.resources;
  }

  /** Every resource except the stack itself and provider resources. */
  get managed(): RecordedResource[] {
    return this.record.resources.filter(
      (r) => r.type !== STACK_TYPE && !r.type.startsWith("pulumi:providers:"),
    );
  }

  get outputs(): Record<string, unknown> {
    return this.record.outputs;
  }

  get diagnostics(): Diagnostic[] {
    return this.record.diagnostics;
  }

  get error(): RunError | undefined {
    return this.record.error;
  }

  get ok(): boolean {
    return this.record.error === undefined;
  }

  /** Resources of a type token (`aws:ecs/service:Service`), in registration order. */
  ofType(type: string): RecordedResource[] {
    return this.record.resources.filter((r) => r.type === type);
  }

  /** The one resource of a type (optionally with a logical name); throws when there is not exactly one. */
  one(type: string, name?: string): RecordedResource {
    const found = this.ofType(type).filter((r) => name === undefined || r.name === name);
    if (found.length !== 1) {
      const names = this.ofType(type).map((r) => r.name);
      throw new Error(
        `expected exactly one ${type}${name ? ` named '${name}'` : ""}, found ${found.length}` +
          (names.length ? ` (registered: ${names.join(", ")})` : ""),
      );
    }
    return found[0]!;
  }

  /** The resource with a logical name (and type, when names repeat across types). */
  named(name: string, type?: string): RecordedResource {
    const found = this.record.resources.filter(
      (r) => r.name === name && (type === undefined || r.type === type),
    );
    if (found.length !== 1)
      throw new Error(`expected exactly one resource named '${name}', found ${found.length}`);
    return found[0]!;
  }

  find(predicate: (r: RecordedResource) => boolean): RecordedResource[] {
    return this.record.resources.filter(predicate);
  }

  byUrn(urn: string): RecordedResource | undefined {
    return this.record.resources.find((r) => r.urn === urn);
  }

  /** Direct children of a resource. */
  children(parent: RecordedResource | string): RecordedResource[] {
    const urn = typeof parent === "string" ? parent : parent.urn;
    return this.record.resources.filter((r) => r.parent === urn);
  }

  /** All resources below a resource, depth first. */
  descendants(parent: RecordedResource | string): RecordedResource[] {
    const out: RecordedResource[] = [];
    for (const child of this.children(parent)) out.push(child, ...this.descendants(child));
    return out;
  }

  /** Number of resources per type (stack and providers excluded). */
  countsByType(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.managed) counts[r.type] = (counts[r.type] ?? 0) + 1;
    return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
  }

  /** An input of a resource by path; JSON-text inputs can be read with {@link RunResult.json}. */
  input(r: RecordedResource, path: string): unknown {
    return readPath(r.inputs, path);
  }

  output(r: RecordedResource, path: string): unknown {
    return readPath(r.outputs, path);
  }

  /** A JSON-text input (policy documents, container definitions) parsed. */
  json(r: RecordedResource, path: string): unknown {
    return parseJsonInput(readPath(r.inputs, path));
  }
}
