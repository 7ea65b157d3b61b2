import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { UsageError } from "../../errors.js";
import { parseEnvFile } from "../envfile.js";
import { ImportError } from "../errors.js";
import {
  type InterpolationContext,
  interpolate,
  type Lookup,
  type Variable,
  type VariableUse,
} from "../interpolate.js";
import {
  entry,
  fmt,
  get,
  isLMap,
  isLSeq,
  type LEntry,
  type LMap,
  type LNode,
  type LScalar,
  type Position,
  parseYaml,
  text,
} from "../located.js";

/** One variable of a service's environment, from `environment` or an `env_file`, with where it was set. */
export interface EnvVar {
  name: string;
  /** Undefined: a bare name with no value at import time (Compose leaves it unset). */
  value: string | undefined;
  /** The report path: `services.web.environment.NAME` or `services.web.env_file[0].NAME`. */
  path: string;
  at: Position;
  /** For a value from a bare name: the variable's source (the shell, .env). */
  source?: string;
}

export interface ComposeService {
  /** The name in the compose file. */
  key: string;
  /** The definition after `extends` (main keys win, lists append, maps merge). */
  node: LMap;
  /** Where `extends` took the base from: `common.yaml#base`. */
  extended?: string;
  /** Profiles it belongs to; a service with profiles is not active by default. */
  profiles: string[];
  /** The container's environment: env files first, then `environment` (which wins). */
  env: EnvVar[];
  /** Variables set twice: the earlier ones, which the later ones replace. */
  overridden: { replaced: EnvVar; by: EnvVar }[];
  /** Env files read, by their report path. */
  envFiles: { path: string; file: string; at: Position; missing?: boolean }[];
}

export interface ComposeProject {
  /** The compose file as shown in messages and the report. */
  shown: string;
  /** The compose file's folder (absolute): relative paths in it are from here. */
  dir: string;
  root: LMap;
  services: ComposeService[];
  /** Variables substituted, with their sources. */
  variables: VariableUse[];
  /** Where the variables came from: `.env`, `--env-file x`. */
  variableFiles: string[];
  /** Absolute folder of each file shown (the main file and extended ones). */
  dirs: Map<string, string>;
}

export interface LoadComposeOptions {
  /** The working folder: the compose file and --env-file paths are relative to it. */
  cwd: string;
  /** `--env-file` files, in order (later ones win); when given, `.env` is not read. */
  envFiles: string[];
  /** The shell's environment (wins over env files, as in Compose). */
  shell: NodeJS.ProcessEnv;
}

const HINT = "set it in the shell, in .env next to the compose file or with --env-file";

/**
 * Reads a compose file as `docker compose config` would: `.env` (or `--env-file`s) and the shell
 * for variables, interpolation of every value, YAML anchors and merge keys, `extends` (same file or
 * another), `env_file`s and `environment` merged into one environment per service.
 */
export function loadCompose(file: string, opts: LoadComposeOptions): ComposeProject {
  const abs = resolve(opts.cwd, file);
  if (!existsSync(abs)) throw new UsageError(`${file}: no such file`);
  if (!statSync(abs).isFile())
    throw new UsageError(`${file} is a folder; give the compose file (compose.yaml)`);
  const dir = dirname(abs);
  const shownOf = (p: string) => {
    const r = relative(opts.cwd, p);
    return r && !r.startsWith("..") && !isAbsolute(r) ? r : p;
  };
  const shown = shownOf(abs);

  // Variables: the shell wins over env files; later --env-files win over earlier ones.
  const fileVars = new Map<string, Variable>();
  const shellLookup = (name: string): Variable | undefined => {
    const v = opts.shell[name];
    return v === undefined ? undefined : { value: v, source: "the shell" };
  };
  const lookup: Lookup = (name) => shellLookup(name) ?? fileVars.get(name);
  const variableFiles: string[] = [];
  const readVars = (path: string, label: string) => {
    const entries = parseEnvFile(readFileSync(path, "utf8"), { shown: shownOf(path), lookup, hint: HINT });
    for (const e of entries) {
      if (e.value === undefined) {
        const v = shellLookup(e.name);
        if (v) fileVars.set(e.name, v);
      } else fileVars.set(e.name, { value: e.value, source: label });
    }
    variableFiles.push(label);
  };
  if (opts.envFiles.length) {
    for (const f of opts.envFiles) {
      const p = resolve(opts.cwd, f);
      if (!existsSync(p) || !statSync(p).isFile()) throw new UsageError(`--env-file ${f}: no such file`);
      readVars(p, `--env-file ${f}`);
    }
  } else if (existsSync(resolve(dir, ".env")) && statSync(resolve(dir, ".env")).isFile()) {
    readVars(resolve(dir, ".env"), ".env");
  }

  const used: VariableUse[] = [];
  const dirs = new Map<string, string>([[shown, dir]]);
  const parsed = new Map<string, LMap>();
  const read = (path: string, at?: Position): LMap => {
    const cached = parsed.get(path);
    if (cached) return cached;
    const s = shownOf(path);
    if (!existsSync(path)) throw new ImportError(`${at ? `${fmt(at)}: ` : ""}${s}: no such file`);
    const node = parseYaml(readFileSync(path, "utf8"), s);
    const root = checkComposeRoot(node, s);
    const interpolated = interpolateTree(root, lookup, used) as LMap;
    dirs.set(s, dirname(path));
    parsed.set(path, interpolated);
    return interpolated;
  };
  const root = read(abs);
  const services = get(root, "services");
  if (!isLMap(services) || services.entries.length === 0) {
    throw new ImportError(`${shown} is not a compose file: its services map is empty`);
  }

  // extends: resolved per service, recursively, with cycles refused.
  const resolving: string[] = [];
  const resolvedCache = new Map<string, { node: LMap; extended?: string }>();
  const resolveService = (
    fileAbs: string,
    name: string,
    at?: Position,
  ): { node: LMap; extended?: string } => {
    const id = `${fileAbs}#${name}`;
    const cached = resolvedCache.get(id);
    if (cached) return cached;
    const fileRoot = read(fileAbs, at);
    const svcs = get(fileRoot, "services");
    const e = isLMap(svcs) ? entry(svcs, name) : undefined;
    if (!e) {
      throw new ImportError(
        `${at ? fmt(at) : shownOf(fileAbs)}: extends names service ${name}, which ${shownOf(fileAbs)} does not define`,
      );
    }
    if (!isLMap(e.value)) throw new ImportError(`${fmt(e.value)}: service ${name} is not a map of settings`);
    if (resolving.includes(id)) {
      throw new ImportError(
        `${fmt(e.at)}: extends makes a cycle: ${[...resolving, id].map(label).join(" → ")}`,
      );
    }
    const ext = entry(e.value, "extends");
    if (!ext) {
      const out = { node: e.value };
      resolvedCache.set(id, out);
      return out;
    }
    const ref = ext.value;
    const baseName = isLMap(ref) ? text(get(ref, "service")) : text(ref);
    if (!baseName)
      throw new ImportError(`${fmt(ext.value)}: extends needs a service: { service: <name>, file: <file> }`);
    const baseFile =
      isLMap(ref) && text(get(ref, "file")) ? resolve(dirname(fileAbs), text(get(ref, "file"))!) : fileAbs;
    resolving.push(id);
    const base = resolveService(baseFile, baseName, ext.value);
    resolving.pop();
    const node = mergeService(base.node, {
      ...e.value,
      entries: e.value.entries.filter((x) => x.key !== "extends"),
    });
    const out = {
      node: { ...node, entries: [ext, ...node.entries] },
      extended: `${baseFile === fileAbs ? "" : shownOf(baseFile)}#${baseName}`,
    };
    resolvedCache.set(id, out);
    return out;
  };
  const label = (id: string) => {
    const [f, s] = id.split("#");
    return f === abs ? s! : `${shownOf(f!)}#${s}`;
  };

  const out: ComposeService[] = [];
  for (const e of services.entries) {
    if (!isLMap(e.value)) {
      throw new ImportError(
        `${fmt(e.value)}: service ${e.key} is not a map of settings (image, build, ports …)`,
      );
    }
    const r = resolveService(abs, e.key);
    const profiles = get(r.node, "profiles");
    const svc: ComposeService = {
      key: e.key,
      node: r.node,
      ...(r.extended ? { extended: r.extended } : {}),
      profiles: isLSeq(profiles) ? profiles.items.map((p) => text(p) ?? "").filter(Boolean) : [],
      env: [],
      overridden: [],
      envFiles: [],
    };
    readEnvironment(svc, dirs, shownOf, lookup);
    out.push(svc);
  }
  return { shown, dir, root, services: out, variables: used, variableFiles, dirs };
}

function checkComposeRoot(node: LNode | undefined, shown: string): LMap {
  if (!node || !isLMap(node)) {
    const what = !node ? "empty" : node.kind === "seq" ? "a list" : `the text ${JSON.stringify(node.value)}`;
    throw new ImportError(`${shown} is not a compose file: it is ${what}, not a map with services`);
  }
  const services = entry(node, "services");
  if (!services) {
    const looksV1 = node.entries.some(
      (e) => isLMap(e.value) && (entry(e.value, "image") || entry(e.value, "build")),
    );
    throw new ImportError(
      looksV1
        ? `${shown} is not a compose file Compose still reads: its services are at the top level (the version 1 format); put them under services:`
        : `${shown} is not a compose file: it has no services (top-level keys: ${node.entries.map((e) => e.key).join(", ")})`,
    );
  }
  if (!isLMap(services.value)) {
    throw new ImportError(`${fmt(services.value)}: services is a map of service names to their settings`);
  }
  return node;
}

/** Interpolates every string value (never keys), as Compose does before merging. */
function interpolateTree(node: LNode, lookup: Lookup, used: VariableUse[]): LNode {
  if (node.kind === "scalar") {
    if (typeof node.value !== "string" || !node.value.includes("$")) return node;
    const ctx: InterpolationContext = { at: node, hint: HINT, used };
    return { ...node, value: interpolate(node.value, lookup, ctx) };
  }
  if (node.kind === "seq") return { ...node, items: node.items.map((i) => interpolateTree(i, lookup, used)) };
  return {
    ...node,
    entries: node.entries.map((e) => ({ ...e, value: interpolateTree(e.value, lookup, used) })),
  };
}

/** Keys merged as maps by `extends` (main keys win). */
const MAP_KEYS = new Set([
  "annotations",
  "build",
  "build.args",
  "build.labels",
  "deploy",
  "deploy.labels",
  "deploy.resources",
  "deploy.resources.limits",
  "deploy.resources.reservations",
  "deploy.restart_policy",
  "deploy.update_config",
  "deploy.rollback_config",
  "depends_on",
  "environment",
  "healthcheck",
  "labels",
  "logging",
  "logging.options",
  "sysctls",
  "storage_opt",
  "extra_hosts",
  "ulimits",
]);
/** Keys whose lists `extends` appends (main after base). */
const LIST_KEYS = new Set([
  "cap_add",
  "cap_drop",
  "configs",
  "devices",
  "dns",
  "dns_search",
  "env_file",
  "expose",
  "external_links",
  "ports",
  "secrets",
  "security_opt",
  "tmpfs",
]);

/** A service definition merged over its `extends` base, by the Compose specification's rules. */
export function mergeService(base: LMap, main: LMap, prefix = ""): LMap {
  const entries: LEntry[] = base.entries.filter((e) => e.key !== "extends").map((e) => ({ ...e }));
  for (const m of main.entries) {
    const path = prefix ? `${prefix}.${m.key}` : m.key;
    const i = entries.findIndex((e) => e.key === m.key);
    if (i < 0) {
      entries.push(m);
      continue;
    }
    const b = entries[i]!;
    let value: LNode = m.value;
    if (MAP_KEYS.has(path)) {
      const bm = asMap(b.value);
      const mm = asMap(m.value);
      if (bm && mm) value = mergeService(bm, mm, path);
    } else if (LIST_KEYS.has(path) && isLSeq(b.value) && isLSeq(m.value)) {
      const seen = new Set<string>();
      const items = [...b.value.items, ...m.value.items].filter((it) => {
        const k = JSON.stringify(strip(it));
        if (seen.has(k) && path !== "env_file" && path !== "dns") return false;
        seen.add(k);
        return true;
      });
      value = { ...m.value, items };
    } else if (path === "volumes" && isLSeq(b.value) && isLSeq(m.value)) {
      // Volumes are keyed by their target path: the main file's mount replaces the base's.
      const targets = new Set(m.value.items.map(volumeTarget));
      value = {
        ...m.value,
        items: [...b.value.items.filter((it) => !targets.has(volumeTarget(it))), ...m.value.items],
      };
    }
    entries[i] = { ...m, value };
  }
  return { ...main, entries };
}

function strip(n: LNode): unknown {
  if (n.kind === "scalar") return n.value;
  if (n.kind === "seq") return n.items.map(strip);
  return n.entries.map((e) => [e.key, strip(e.value)]);
}

function volumeTarget(n: LNode): string | undefined {
  if (isLMap(n)) return text(get(n, "target"));
  const s = text(n);
  if (!s) return undefined;
  const parts = s.split(":");
  return parts.length === 1 ? parts[0] : parts[1];
}

/** A map, or a list of `KEY=value` / `service` items as a map (environment, labels, args, depends_on). */
export function asMap(n: LNode): LMap | undefined {
  if (isLMap(n)) return n;
  if (!isLSeq(n)) return undefined;
  const entries: LEntry[] = [];
  for (const item of n.items) {
    const s = text(item);
    if (s === undefined) return undefined;
    const eq = s.indexOf("=");
    const key = eq < 0 ? s : s.slice(0, eq);
    const value: LScalar = {
      kind: "scalar",
      file: item.file,
      line: item.line,
      column: item.column,
      value: eq < 0 ? null : s.slice(eq + 1),
    };
    entries.push({ key, at: item, value });
  }
  return { kind: "map", file: n.file, line: n.line, column: n.column, entries };
}

/** Reads a service's env files and environment into one list (later entries win). */
function readEnvironment(
  svc: ComposeService,
  dirs: Map<string, string>,
  shownOf: (p: string) => string,
  lookup: Lookup,
): void {
  const base = `services.${svc.key}`;
  const files = entry(svc.node, "env_file");
  if (files) {
    const list = isLSeq(files.value) ? files.value.items : [files.value];
    list.forEach((item, i) => {
      const path = isLMap(item) ? text(get(item, "path")) : text(item);
      if (!path) throw new ImportError(`${fmt(item)}: env_file takes a file name or { path, required }`);
      const required = isLMap(item) ? get(item, "required") : undefined;
      const raw = isLMap(item) && text(get(item, "format")) === "raw";
      const optional =
        required?.kind === "scalar" && (required.value === false || required.value === "false");
      const abs = resolve(dirs.get(item.file) ?? ".", path);
      const reportPath = isLSeq(files.value) ? `${base}.env_file[${i}]` : `${base}.env_file`;
      if (!existsSync(abs) || !statSync(abs).isFile()) {
        if (optional) {
          svc.envFiles.push({ path: reportPath, file: path, at: item, missing: true });
          return;
        }
        throw new ImportError(
          `${fmt(item)}: env_file ${path} not found (${shownOf(abs)}); create it, or mark it optional: { path: ${path}, required: false }`,
        );
      }
      svc.envFiles.push({ path: reportPath, file: path, at: item });
      const entries = parseEnvFile(readFileSync(abs, "utf8"), {
        shown: shownOf(abs),
        lookup,
        raw,
        hint: HINT,
      });
      for (const e of entries) {
        const fromShell = e.value === undefined ? lookup(e.name) : undefined;
        if (e.value === undefined && !fromShell) continue;
        setVar(svc, {
          name: e.name,
          value: e.value ?? fromShell!.value,
          path: `${reportPath}.${e.name}`,
          at: e.at,
          ...(fromShell ? { source: fromShell.source } : {}),
        });
      }
    });
  }
  const env = entry(svc.node, "environment");
  if (env) {
    const m = asMap(env.value);
    if (!m) throw new ImportError(`${fmt(env.value)}: environment is a map or a list of NAME=value`);
    for (const e of m.entries) {
      const v = e.value;
      if (v.kind !== "scalar")
        throw new ImportError(`${fmt(v)}: environment.${e.key} is a map or list; give text`);
      const path = `${base}.environment.${e.key}`;
      if (v.value === null) {
        // A bare name: its value comes from the environment Compose runs in.
        const from = lookup(e.key);
        setVar(svc, {
          name: e.key,
          value: from?.value,
          path,
          at: e.at,
          ...(from ? { source: from.source } : {}),
        });
      } else setVar(svc, { name: e.key, value: String(v.value), path, at: e.at });
    }
  }
}

function setVar(svc: ComposeService, v: EnvVar): void {
  const i = svc.env.findIndex((x) => x.name === v.name);
  if (i >= 0) svc.overridden.push({ replaced: svc.env.splice(i, 1)[0]!, by: v });
  svc.env.push(v);
}
