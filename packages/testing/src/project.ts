import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { SECRET_PLACEHOLDER } from "./record.js";

/** A Pulumi project as the Pulumi CLI sees it (`Pulumi.yaml`). */
export interface PulumiProject {
  dir: string;
  file: string;
  name: string;
  /** `main` from Pulumi.yaml, when set. */
  main?: string;
  runtime: { name: string; options: Record<string, unknown> };
  stackConfigDir?: string;
  /** Project-level config: defaults and declared values, already namespaced. */
  configDefaults: Record<string, unknown>;
}

export class ProjectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProjectError";
  }
}

export function findProjectFile(dir: string): string | undefined {
  for (const f of ["Pulumi.yaml", "Pulumi.yml"]) {
    const p = join(dir, f);
    if (existsSync(p)) return p;
  }
  return undefined;
}

function namespaced(key: string, project: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

export function loadProject(dir: string): PulumiProject {
  const abs = resolve(dir);
  const file = findProjectFile(abs);
  if (!file) throw new ProjectError(`no Pulumi.yaml in ${abs}: not a Pulumi project`);
  let doc: Record<string, unknown>;
  try {
    doc = (parse(readFileSync(file, "utf8")) ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new ProjectError(`${file}: not valid YAML: ${(e as Error).message}`);
  }
  const name = doc.name;
  if (typeof name !== "string" || name.length === 0) throw new ProjectError(`${file}: 'name' is required`);
  const runtimeRaw = doc.runtime;
  const runtime =
    typeof runtimeRaw === "string"
      ? { name: runtimeRaw, options: {} }
      : {
          name: String((runtimeRaw as Record<string, unknown> | undefined)?.name ?? ""),
          options: ((runtimeRaw as Record<string, unknown> | undefined)?.options ?? {}) as Record<
            string,
            unknown
          >,
        };
  if (runtime.name !== "nodejs") {
    throw new ProjectError(
      `${file}: runtime '${runtime.name}' is not supported offline; only 'nodejs' programs run`,
    );
  }
  const configDefaults: Record<string, unknown> = {};
  for (const [key, decl] of Object.entries((doc.config ?? {}) as Record<string, unknown>)) {
    const full = namespaced(key, name);
    if (decl !== null && typeof decl === "object" && !Array.isArray(decl)) {
      const d = decl as Record<string, unknown>;
      if ("value" in d) configDefaults[full] = d.value;
      else if ("default" in d) configDefaults[full] = d.default;
    } else {
      configDefaults[full] = decl;
    }
  }
  return {
    dir: abs,
    file,
    name,
    ...(typeof doc.main === "string" ? { main: doc.main } : {}),
    runtime,
    ...(typeof doc.stackConfigDir === "string" ? { stackConfigDir: doc.stackConfigDir } : {}),
    configDefaults,
  };
}

/**
 * The file the Pulumi CLI would run: `main` from Pulumi.yaml (a file or a folder) or, without it,
 * the project folder's package.json `exports["."]` / `main`, else the folder itself.
 */
export function resolveEntry(project: PulumiProject): string {
  if (project.main) {
    const p = resolve(project.dir, project.main);
    if (!existsSync(p)) throw new ProjectError(`${project.file}: main '${project.main}' does not exist`);
    return statSync(p).isDirectory() ? `${p}/` : p;
  }
  const pkgFile = join(project.dir, "package.json");
  if (existsSync(pkgFile)) {
    const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as Record<string, unknown>;
    const exp = pkg.exports;
    let entry: string | undefined;
    if (typeof exp === "string") entry = exp;
    else if (exp && typeof exp === "object") {
      const dot = (exp as Record<string, unknown>)["."];
      if (typeof dot === "string") entry = dot;
      else if (dot && typeof dot === "object") {
        const d = dot as Record<string, string | undefined>;
        entry = d.default ?? d.require ?? d.import;
      }
    } else if (typeof pkg.main === "string") entry = pkg.main;
    if (entry && existsSync(join(project.dir, entry))) return join(project.dir, entry);
  }
  return `${project.dir}/`;
}

/** A stack's configuration, ready for `pulumi.runtime.setAllConfig`. */
export interface StackConfig {
  file?: string;
  /** Every key namespaced (`project:key`, `aws:region`); objects and lists as JSON text. */
  values: Record<string, string>;
  secretKeys: string[];
  /** The same values for display, with secrets masked. */
  display: Record<string, string>;
  warnings: string[];
}

export interface SecretValues {
  /** Plaintext stand-ins for `secure:` values, by namespaced key (for programs that parse them). */
  [key: string]: string;
}

/** Replaces `{ secure: … }` leaves with a placeholder; reports whether any were found. */
function unsecure(value: unknown, placeholder: string): { value: unknown; secret: boolean } {
  if (Array.isArray(value)) {
    let secret = false;
    const out = value.map((v) => {
      const r = unsecure(v, placeholder);
      secret ||= r.secret;
      return r.value;
    });
    return { value: out, secret };
  }
  if (value !== null && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && keys[0] === "secure" && typeof obj.secure === "string") {
      return { value: placeholder, secret: true };
    }
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      const r = unsecure(v, placeholder);
      secret ||= r.secret;
      out[k] = r.value;
    }
    return { value: out, secret };
  }
  return { value, secret: false };
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null) return "empty (~)";
  return `the ${typeof v} ${JSON.stringify(v)}`;
}

function asConfigString(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function stackConfigFile(project: PulumiProject, stack: string): string {
  const dir = project.stackConfigDir ? resolve(project.dir, project.stackConfigDir) : project.dir;
  for (const ext of ["yaml", "yml"]) {
    const p = join(dir, `Pulumi.${stack}.${ext}`);
    if (existsSync(p)) return p;
  }
  return join(dir, `Pulumi.${stack}.yaml`);
}

/**
 * Reads `Pulumi.<stack>.yaml` the way the Pulumi CLI does: keys namespaced by the project unless
 * they carry a namespace (`aws:region`), nested objects and lists kept as JSON, `secure:` values
 * turned into secret placeholders that are never printed. Project-level defaults apply first.
 */
export function loadStackConfig(
  project: PulumiProject,
  stack: string,
  secrets: SecretValues = {},
  configFile?: string,
  optional = false,
): StackConfig {
  const file = configFile ? resolve(configFile) : stackConfigFile(project, stack);
  const warnings: string[] = [];
  let raw: Record<string, unknown> = {};
  if (existsSync(file)) {
    let doc: unknown;
    try {
      doc = parse(readFileSync(file, "utf8")) ?? {};
    } catch (e) {
      throw new ProjectError(`${file}: not valid YAML: ${(e as Error).message}`);
    }
    if (!isMap(doc)) {
      throw new ProjectError(
        `${file}: the top level is ${kindOf(doc)}; a stack file is a map with a config: key`,
      );
    }
    const config = doc.config ?? {};
    if (!isMap(config)) {
      throw new ProjectError(`${file}: config is ${kindOf(config)}; it must be a map of keys to values`);
    }
    raw = config;
    if (doc.environment) {
      warnings.push(`${file}: 'environment' (Pulumi ESC) is not resolved offline; its values are missing`);
    }
  } else if (optional && !configFile) {
    // A stack that needs no config file of its own (the deploy creates it with `pulumi stack init`).
  } else {
    throw new ProjectError(
      configFile
        ? `config file ${file} does not exist`
        : `no stack '${stack}' in ${project.dir}: ${file} does not exist (create it, or pick another stack with -s)`,
    );
  }
  const merged: Record<string, unknown> = { ...project.configDefaults };
  for (const [key, value] of Object.entries(raw)) merged[namespaced(key, project.name)] = value;

  const values: Record<string, string> = {};
  const display: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(merged)) {
    const given = secrets[key];
    const { value: plain, secret } = unsecure(value, given ?? SECRET_PLACEHOLDER);
    values[key] = asConfigString(plain);
    if (secret) {
      secretKeys.push(key);
      display[key] = SECRET_PLACEHOLDER;
    } else {
      display[key] = values[key]!;
    }
  }
  return { ...(existsSync(file) ? { file } : {}), values, secretKeys, display, warnings };
}
