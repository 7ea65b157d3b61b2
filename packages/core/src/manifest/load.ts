import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from "yaml";
import { z } from "zod";
import { show } from "../errors.js";
import { DATA_KINDS, type DataResource, dataResource, resourceOverrides, resources } from "./data.js";
import {
  ENVIRONMENT_NAME,
  fieldsOf,
  KIND_FIELDS,
  SERVICE_KINDS,
  type ServiceKind,
  type ServiceManifest,
  serviceManifest,
  writtenManifestSchema,
} from "./schema.js";

type Path = (string | number)[];

/** One problem in a manifest: where it is, the field, the value and what is allowed. */
export interface ManifestIssue {
  /** The file, relative to the working directory when it is below it. */
  file: string;
  line: number;
  column: number;
  /** The field's path as written, e.g. `environments.prod.count.max`. */
  path: string;
  value: unknown;
  /** What is allowed, as a sentence a user can act on. */
  allowed: string;
}

/**
 * Bad manifests, all problems at once: one line each, `file:line:column: path is value; allowed`.
 *
 * @example
 * // apps/api/berth.yaml:12:7: environments.prod.count.max is 0; must be at least 1
 */
export class ManifestError extends Error {
  readonly issues: ManifestIssue[];
  constructor(issues: ManifestIssue[]) {
    const sorted = [...issues].sort(
      (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column,
    );
    super(sorted.map(formatIssue).join("\n"));
    this.name = "ManifestError";
    this.issues = sorted;
  }
}

export function formatIssue(i: ManifestIssue): string {
  const where = `${i.file}:${i.line}:${i.column}`;
  return i.path ? `${where}: ${i.path} is ${show(i.value)}; ${i.allowed}` : `${where}: ${i.allowed}`;
}

/** A manifest read from its file: as written, and resolved for each environment. */
export interface LoadedManifest {
  file: string;
  name: string;
  kind: ServiceKind;
  /** The manifest for each environment: the body with that environment's overrides applied. */
  environments: Record<string, ServiceManifest>;
  /** Where a field is written (1-based line and column), for errors found later (the catalogue). */
  positionOf(path: Path, environment?: string): { line: number; column: number };
}

export interface LoadOptions {
  /** The platform's environments; every manifest is resolved and checked for each. @default ["dev", "staging", "prod"] */
  environments?: readonly string[];
  /** The manifest's text instead of reading the file (tests, editors). */
  text?: string;
}

export const DEFAULT_ENVIRONMENTS = ["dev", "staging", "prod"] as const;

/** A YAML file read with positions: the value as written and where each path is. */
interface YamlSource {
  shown: string;
  written: Record<string, unknown>;
  /** Where a path is written (its key with `key`), or its nearest written parent. */
  positionAt(path: Path, key?: boolean): { line: number; column: number };
  /** Where a field of an environment's merged value was written: the override, else the body. */
  origin(path: Path, env: string | undefined): Path;
}

/** Reads a YAML map with positions; a syntax error or a non-map throws {@link ManifestError}. */
function readYaml(file: string, text: string | undefined, what: string): YamlSource {
  const shown = displayPath(file);
  const source = text ?? readFileSync(file, "utf8");
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => {
    const p = lines.linePos(offset ?? 0);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    throw new ManifestError(
      doc.errors.map((e) => ({
        file: shown,
        ...at(e.pos[0]),
        path: "",
        value: undefined,
        allowed: `not valid YAML: ${e.message.split("\n")[0]!}`,
      })),
    );
  }
  const written = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (written === null || typeof written !== "object" || Array.isArray(written)) {
    throw new ManifestError([
      { file: shown, line: 1, column: 1, path: "", value: written, allowed: `${what}, not ${show(written)}` },
    ]);
  }
  const root = doc.contents as Node | null;

  /** The node at a path (or the nearest existing parent) and whether the whole path exists. */
  const nodeAt = (path: Path, key = false): { node: Node | undefined; exact: boolean } => {
    let node: Node | undefined = root ?? undefined;
    for (const [i, seg] of path.entries()) {
      if (isMap(node)) {
        const pair = (node as YAMLMap).items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === seg);
        if (!pair) return { node, exact: false };
        if (key && i === path.length - 1) return { node: pair.key as Node, exact: true };
        node = (pair.value as Node | null) ?? (pair.key as Node);
      } else if (isSeq(node) && typeof seg === "number" && node.items[seg]) {
        node = node.items[seg] as Node;
      } else {
        return { node, exact: false };
      }
    }
    return { node, exact: true };
  };
  const origin = (path: Path, env: string | undefined): Path => {
    if (env === undefined) return path;
    const over: Path = ["environments", env];
    for (let n = path.length; n >= 1; n--) {
      const prefix = path.slice(0, n);
      const found = nodeAt([...over, ...prefix]);
      if (!found.exact) continue;
      // The override sets this prefix: all of it when it replaces (not a map), or this exact path.
      if (n === path.length || !isMap(found.node)) return [...over, ...prefix];
      break;
    }
    return path;
  };
  return {
    shown,
    written: written as Record<string, unknown>,
    positionAt: (path, key = false) => at(nodeAt(path, key).node?.range?.[0]),
    origin,
  };
}

/**
 * Reads and checks one manifest for every environment. Throws {@link ManifestError} with every
 * problem found (syntax, unknown keys with a suggestion, types, ranges, cross-field rules), each
 * at its file, line and column.
 *
 * @example
 * const api = loadManifest("apps/api/berth.yaml");
 * api.environments.prod.count; // { min: 3, max: 10 }
 */
export function loadManifest(file: string, opts: LoadOptions = {}): LoadedManifest {
  const envs = opts.environments ?? DEFAULT_ENVIRONMENTS;
  const { shown, written, positionAt, origin } = readYaml(
    file,
    opts.text,
    "a manifest is a map of fields (name, kind, …)",
  );

  const kind = (written as { kind?: unknown }).kind;
  const { issues, report } = issueCollector(
    { shown, written, positionAt, origin },
    typeof kind === "string" ? (kind as ServiceKind) : undefined,
  );

  // The file as written: its shape, unknown keys (the body's and each override's), the kind.
  const asWritten = writtenManifestSchema().safeParse(written);
  if (!asWritten.success) report(asWritten.error.issues, written, undefined);
  const overrides = ((written as { environments?: unknown }).environments ?? {}) as Record<string, unknown>;
  if (overrides && typeof overrides === "object" && !Array.isArray(overrides)) {
    for (const env of Object.keys(overrides)) {
      if (ENVIRONMENT_NAME.test(env) && !envs.includes(env)) {
        issues.push({
          file: shown,
          ...positionAt(["environments", env], true),
          path: `environments.${env}`,
          value: env,
          allowed: `no environment is named so; the platform has ${envs.join(", ")}`,
        });
      }
    }
  }
  // Without a known kind nothing else can be checked; otherwise go on, to report everything at once.
  if (!SERVICE_KINDS.includes(kind as ServiceKind)) throw new ManifestError(issues);

  // Each environment: the body with its overrides, then every rule (merge first, then validate).
  const { environments: _e, ...body } = written as Record<string, unknown>;
  const resolved: Record<string, ServiceManifest> = {};
  for (const env of envs) {
    const merged = mergeOverride(body, overrides[env]);
    const parsed = serviceManifest.safeParse(merged);
    if (parsed.success) {
      const misplaced = secretsOutside(parsed.data, env);
      if (misplaced.length === 0) resolved[env] = parsed.data;
      else report(misplaced, merged, overrides[env] === undefined ? undefined : env);
    } else report(parsed.error.issues, merged, overrides[env] === undefined ? undefined : env);
  }
  if (issues.length > 0) throw new ManifestError(issues);
  const m = written as { name: string; kind: ServiceKind };
  return {
    file: shown,
    name: m.name,
    kind: m.kind,
    environments: resolved,
    positionOf: (path, env) => positionAt(origin(path, env)),
  };
}

/** Gathers zod issues as {@link ManifestIssue}s at their written positions, each once. */
function issueCollector(src: YamlSource, kind: ServiceKind | undefined) {
  const issues: ManifestIssue[] = [];
  const seen = new Set<string>();
  const report = (zodIssues: z.core.$ZodIssue[], data: unknown, env: string | undefined, at: Path = []) => {
    for (const issue of zodIssues) {
      for (const found of describe(
        { ...issue, path: [...at, ...issue.path] } as z.core.$ZodIssue,
        data,
        kind,
      )) {
        const path = src.origin(found.path, env);
        const text = path.join(".");
        const id = `${text}\0${found.allowed}`;
        if (seen.has(id)) continue;
        seen.add(id);
        issues.push({
          file: src.shown,
          ...src.positionAt(path, found.atKey),
          path: text,
          value: found.value,
          allowed: found.allowed,
        });
      }
    }
  };
  return { issues, report };
}

/** The environment's shared data resources: `apps/berth.shared.yaml`. */
export const SHARED_FILE = "berth.shared.yaml";

/** The shared data resources read from their file: as written and resolved per environment. */
export interface LoadedShared {
  file: string;
  /** The resources of each environment, overrides applied and checked. */
  environments: Record<string, Record<string, DataResource>>;
  positionOf(path: Path, environment?: string): { line: number; column: number };
}

const sharedFile = z.strictObject({
  $schema: z.string().optional(),
  resources: resources.optional(),
  environments: z
    .record(z.string().regex(ENVIRONMENT_NAME), z.strictObject({ resources: resourceOverrides.optional() }))
    .optional(),
});

/**
 * Reads and checks `apps/berth.shared.yaml`: the data resources each environment shares (created by
 * the platform stack), with `environments.<env>.resources` overrides merged per resource.
 *
 * @example
 * // resources: { cache: { type: cache } }
 * // environments: { prod: { resources: { cache: { maxDataStorageGb: 50 } } } }
 * loadShared("apps/berth.shared.yaml").environments.prod.cache; // { type: "cache", maxDataStorageGb: 50 }
 */
export function loadShared(file: string, opts: LoadOptions = {}): LoadedShared {
  const envs = opts.environments ?? DEFAULT_ENVIRONMENTS;
  const src = readYaml(file, opts.text, "the shared resources file is a map (resources, environments)");
  const { issues, report } = issueCollector(src, undefined);
  const parsed = sharedFile.safeParse(src.written);
  if (!parsed.success) report(parsed.error.issues, src.written, undefined);
  const overrides = (src.written.environments ?? {}) as Record<string, { resources?: unknown }>;
  if (overrides && typeof overrides === "object") {
    for (const env of Object.keys(overrides)) {
      if (ENVIRONMENT_NAME.test(env) && !envs.includes(env)) {
        issues.push({
          file: src.shown,
          ...src.positionAt(["environments", env], true),
          path: `environments.${env}`,
          value: env,
          allowed: `no environment is named so; the platform has ${envs.join(", ")}`,
        });
      }
    }
  }
  const out: Record<string, Record<string, DataResource>> = {};
  if (parsed.success) {
    const body = (src.written.resources ?? {}) as Record<string, unknown>;
    for (const env of envs) {
      const merged = mergeOverride(body, overrides[env]?.resources) as Record<string, unknown>;
      out[env] = {};
      for (const [name, r] of Object.entries(merged ?? {})) {
        const one = dataResource.safeParse(r);
        if (one.success) out[env][name] = one.data;
        else
          report(one.error.issues, { resources: merged }, overrides[env] ? env : undefined, [
            "resources",
            name,
          ]);
      }
    }
  }
  if (issues.length > 0) throw new ManifestError(issues);
  return {
    file: src.shown,
    environments: out,
    positionOf: (path, env) => src.positionAt(src.origin(path, env)),
  };
}

/**
 * The secret references of a manifest an environment's tasks could not read: the account
 * bootstrap's workload boundary lets them read SSM parameters under `/berth/<env>/` and Secrets
 * Manager secrets named `berth/<env>/…` only (`<env>` in a reference stands for the environment).
 */
function secretsOutside(m: ServiceManifest, env: string): z.core.$ZodIssue[] {
  const issues: z.core.$ZodIssue[] = [];
  const check = (secrets: ServiceManifest["secrets"], at: (string | number)[]) => {
    for (const [name, ref] of Object.entries(secrets ?? {})) {
      if ("ssm" in ref) {
        const path = ref.ssm.replaceAll("<env>", env);
        if (!path.startsWith(`/berth/${env}/`)) {
          issues.push({
            code: "custom",
            path: [...at, name, "ssm"],
            input: ref.ssm,
            message: `in ${env}, tasks may read only SSM parameters under /berth/${env}/ (write /berth/<env>/…)`,
          } as z.core.$ZodIssue);
        }
      } else {
        const secret = ref.secretsManager.replaceAll("<env>", env);
        const bare = secret.startsWith("arn:") ? secret.split(":").slice(6).join(":") : secret;
        if (!bare.startsWith(`berth/${env}/`)) {
          issues.push({
            code: "custom",
            path: [...at, name, "secretsManager"],
            input: ref.secretsManager,
            message: `in ${env}, tasks may read only Secrets Manager secrets named berth/${env}/… (write berth/<env>/…)`,
          } as z.core.$ZodIssue);
        }
      }
    }
  };
  check(m.secrets, ["secrets"]);
  for (const [i, s] of (m.sidecars ?? []).entries()) check(s.secrets, ["sidecars", i, "secrets"]);
  return issues;
}

/**
 * Applies an environment's overrides to the body: maps merge key by key, scalars and lists replace,
 * a value of another shape (a shorthand) replaces the whole field, and `null` removes a value.
 *
 * @example
 * mergeOverride({ count: { min: 1, max: 10 } }, { count: 2 }); // { count: 2 }
 */
export function mergeOverride(base: unknown, override: unknown): unknown {
  if (override === undefined) return base;
  if (override === null) return undefined;
  if (!isPlainMap(base) || !isPlainMap(override)) return override;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) {
    const merged = mergeOverride(base[k], v);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  return out;
}

function isPlainMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") ? rel : file;
}

interface Described {
  path: Path;
  value: unknown;
  allowed: string;
  /** Point at the key rather than its value (unknown keys). */
  atKey?: boolean;
}

function valueAt(data: unknown, path: Path): unknown {
  let v = data;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** A zod issue in our words: the field, the value given and what is allowed. */
function describe(issue: z.core.$ZodIssue, data: unknown, kind: ServiceKind | undefined): Described[] {
  const path = issue.path as Path;
  const value = valueAt(data, path);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => ({
        path: [...path, key],
        value: valueAt(data, [...path, key]),
        atKey: true,
        allowed: unknownKey(key, path, data, kind),
      }));
    case "invalid_union": {
      if (path.length === 0 || (path.length === 1 && path[0] === "kind")) {
        return [
          {
            path: ["kind"],
            value: valueAt(data, ["kind"]),
            allowed: `kind is one of ${SERVICE_KINDS.join(", ")}`,
          },
        ];
      }
      // The branch the value was meant for: the one that did not fail on the value's type itself.
      const branches = (issue.errors ?? []).filter(
        (errs) =>
          !errs.some(
            (e) => e.path.length === 0 && (e.code === "invalid_type" || e.code === "unrecognized_keys"),
          ),
      );
      const best = branches.sort((a, b) => a.length - b.length)[0];
      if (best)
        return best.flatMap((e) =>
          describe({ ...e, path: [...path, ...e.path] } as z.core.$ZodIssue, data, kind),
        );
      return [{ path, value, allowed: unionHint(path) }];
    }
    case "invalid_type":
      if (value === undefined) return [{ path, value, allowed: `${last(path)} is required` }];
      if (!issue.message.startsWith("Invalid input")) return [{ path, value, allowed: issue.message }];
      return [{ path, value, allowed: `expected ${article(issue.expected)}` }];
    case "too_small":
    case "too_big": {
      const bound = Number(issue.code === "too_small" ? issue.minimum : issue.maximum);
      const word = issue.code === "too_small" ? "at least" : "at most";
      const unit = issue.origin === "string" ? " characters" : issue.origin === "array" ? " items" : "";
      const rule =
        typeof issue.message === "string" && !issue.message.startsWith("Too ") ? issue.message : "";
      return [{ path, value, allowed: rule || `must be ${word} ${bound}${unit}` }];
    }
    case "invalid_value":
      return [{ path, value, allowed: `one of ${issue.values.map((v) => show(v)).join(", ")}` }];
    case "invalid_key":
      return [
        {
          path,
          value: path.at(-1),
          atKey: true,
          allowed: issue.issues[0]?.message.replace(/^Invalid string: /, "") ?? "not a valid name here",
        },
      ];
    default:
      return [{ path, value, allowed: issue.message.replace(/^Invalid string: /, "") }];
  }
}

function unionHint(path: Path): string {
  const field = path.filter((p) => typeof p === "string").at(-1);
  if (field === "count") return "a number of tasks, or { min, max, cpuTarget… }";
  if (field === "type" && path.includes("resources"))
    return `a resource's type is one of ${DATA_KINDS.join(", ")}`;
  if (path.includes("secrets"))
    return "a reference: { ssm: /parameter/name } or { secretsManager: name-or-arn, key? }; never the value itself";
  return "not one of the accepted shapes";
}

function unknownKey(key: string, path: Path, data: unknown, kind: ServiceKind | undefined): string {
  const atBody = path.length === 0 || (path.length === 2 && path[0] === "environments");
  if (atBody) {
    const kinds = KIND_FIELDS[key];
    if (kinds && kind && !kinds.includes(kind))
      return `${key} applies to kind ${kinds.join(", ")}; this is a ${kind}`;
    if (path.length === 2 && (key === "name" || key === "kind"))
      return `${key} cannot differ per environment`;
  }
  const known = atBody ? fieldsOf(kind) : keysAt(writtenManifestSchema(), path, data);
  const suggestion = closest(key, known);
  return `not a field here${suggestion ? `; did you mean ${suggestion}?` : ""}`;
}

/** The field names a written manifest allows at a path (for "did you mean"). */
function keysAt(schema: z.ZodType, path: Path, data: unknown): string[] {
  let nodes: unknown[] = [schema];
  const def = (n: unknown) => (n as { _zod: { def: Record<string, unknown> } })._zod.def;
  const unwrap = (list: unknown[]): unknown[] =>
    list.flatMap((n) => {
      const d = def(n);
      if (d.type === "optional" || d.type === "nullable" || d.type === "default")
        return unwrap([d.innerType]);
      if (d.type === "pipe") return unwrap([d.in]);
      if (d.type === "union") return unwrap(d.options as unknown[]);
      return [n];
    });
  const kind = valueAt(data, ["kind"]);
  for (const seg of path) {
    nodes = unwrap(nodes).flatMap((n) => {
      const d = def(n);
      if (d.type === "object") {
        const shape = d.shape as Record<string, unknown>;
        const k =
          shape.kind && def(shape.kind).type === "literal"
            ? (def(shape.kind).values as unknown[])
            : undefined;
        if (k && kind !== undefined && !k.includes(kind)) return [];
        return typeof seg === "string" && shape[seg] ? [shape[seg]] : [];
      }
      if (d.type === "record") return [d.valueType];
      if (d.type === "array") return [d.element];
      return [];
    });
  }
  return [
    ...new Set(
      unwrap(nodes).flatMap((n) => (def(n).type === "object" ? Object.keys(def(n).shape as object) : [])),
    ),
  ];
}

/** The known name nearest to a misspelt one (edit distance at most 2, or a case slip). */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = c.toLowerCase() === word.toLowerCase() ? 0 : editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = up;
    }
  }
  return row[b.length]!;
}

function last(path: Path): string {
  return String(path.at(-1) ?? "the manifest");
}

function article(type: string): string {
  if (type === "object") return "a map";
  if (type === "array") return "a list";
  if (type === "int") return "a whole number";
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}
