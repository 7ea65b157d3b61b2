import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DATA_ACCESS, type DataKind, type DataResource, linkedVariableNames, usesOf } from "./data.js";
import {
  DEFAULT_ENVIRONMENTS,
  type LoadedManifest,
  type LoadedShared,
  loadManifest,
  loadShared,
  ManifestError,
  type ManifestIssue,
  SHARED_FILE,
} from "./load.js";
import type { ServiceManifest, WebManifest } from "./schema.js";

/**
 * The platform's environments: the stacks of `<repoRoot>/stacks/platform` (its `Pulumi.<env>.yaml`
 * files), in promotion order when they are dev, staging and prod; the defaults when there is no
 * such folder.
 *
 * @example
 * platformEnvironments("/src/acme"); // ["dev", "staging", "prod"]
 */
export function platformEnvironments(repoRoot: string): string[] {
  const dir = join(repoRoot, "stacks", "platform");
  if (!existsSync(dir)) return [...DEFAULT_ENVIRONMENTS];
  const found = readdirSync(dir)
    .map((f) => /^Pulumi\.([a-z][a-z0-9-]*)\.ya?ml$/.exec(f)?.[1])
    .filter((e): e is string => e !== undefined);
  const order = (e: string) => {
    const i = (DEFAULT_ENVIRONMENTS as readonly string[]).indexOf(e);
    return i < 0 ? DEFAULT_ENVIRONMENTS.length : i;
  };
  return found.length
    ? found.sort((a, b) => order(a) - order(b) || a.localeCompare(b))
    : [...DEFAULT_ENVIRONMENTS];
}

/** The manifest file of a service folder. */
export const MANIFEST_FILE = "berth.yaml";

/** A web service's place on the shared load balancer in one environment. */
export interface Route {
  service: string;
  hosts: string[];
  paths: string[];
  /** The listener-rule priority: given in `http.priority`, else derived (see {@link derivedPriority}). */
  priority: number;
}

/** A data resource of an environment: owned by one service, or shared (`apps/berth.shared.yaml`). */
export interface CatalogueResource {
  name: string;
  kind: DataKind;
  /** The service that owns it (created in its stack); absent for a shared resource (the platform's). */
  owner?: string;
  settings: DataResource;
}

/** A service's link to a data resource in one environment. */
export interface CatalogueLink extends CatalogueResource {
  /** The access the service has: written in `uses`, else the kind's default. */
  access: string;
}

/** Every service of the repository: the manifests of `apps/<name>/berth.yaml`, checked together. */
export interface Catalogue {
  environments: readonly string[];
  services: LoadedManifest[];
  /** `apps/berth.shared.yaml`, when there is one. */
  shared?: LoadedShared;
  /** The data resources of an environment (owned and shared), by name. */
  resources(environment: string): CatalogueResource[];
  /** What a service uses in an environment, in `uses` order. */
  links(service: string, environment: string): CatalogueLink[];
  /** A service's manifest in an environment. */
  service(name: string, environment: string): ServiceManifest | undefined;
  /** The web services' routes in an environment, by priority. */
  routes(environment: string): Route[];
}

/**
 * Reads every `<appsDir>/<name>/berth.yaml` and checks them one by one and together: the folder is
 * named after the service, `calls` name internal services that exist, and no two web services
 * claim one listener-rule priority or the same hosts and paths. Throws one {@link ManifestError}
 * with every problem of every file, before anything else happens.
 *
 * @example
 * const catalogue = loadCatalogue("apps");
 * catalogue.routes("prod"); // [{ service: "hello", paths: ["/*"], priority: 48731, … }]
 */
export function loadCatalogue(appsDir: string, opts: { environments?: readonly string[] } = {}): Catalogue {
  const environments = opts.environments ?? DEFAULT_ENVIRONMENTS;
  const issues: ManifestIssue[] = [];
  const services: LoadedManifest[] = [];
  const folders = existsSync(appsDir)
    ? readdirSync(appsDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(appsDir, d.name, MANIFEST_FILE)))
        .map((d) => d.name)
        .sort()
    : [];
  for (const folder of folders) {
    try {
      const m = loadManifest(join(appsDir, folder, MANIFEST_FILE), { environments });
      if (m.name !== folder) {
        issues.push({
          file: m.file,
          ...m.positionOf(["name"]),
          path: "name",
          value: m.name,
          allowed: `a service's folder is named after it: rename the folder to ${m.name} or the service to ${folder}`,
        });
      }
      services.push(m);
    } catch (err) {
      if (err instanceof ManifestError) issues.push(...err.issues);
      else throw err;
    }
  }
  let shared: LoadedShared | undefined;
  if (existsSync(join(appsDir, SHARED_FILE))) {
    try {
      shared = loadShared(join(appsDir, SHARED_FILE), { environments });
    } catch (err) {
      if (err instanceof ManifestError) issues.push(...err.issues);
      else throw err;
    }
  }
  const byName = new Map(services.map((s) => [s.name, s]));
  const routesByEnv = new Map<string, Route[]>();
  const resourcesByEnv = new Map<string, CatalogueResource[]>();
  const linksByEnv = new Map<string, Map<string, CatalogueLink[]>>();
  for (const env of environments) {
    const { resources, links } = checkData(services, shared, env, issues);
    resourcesByEnv.set(env, resources);
    linksByEnv.set(env, links);
    for (const s of services) {
      const m = s.environments[env]!;
      for (const [i, target] of (m.calls ?? []).entries()) {
        const callee = byName.get(target);
        const allowed = !callee
          ? `no service is named ${target}; the catalogue has ${[...byName.keys()].join(", ") || "none"}`
          : callee.kind !== "internal"
            ? `${target} is a ${callee.kind} service; calls name internal services (reached through Service Connect)`
            : undefined;
        if (allowed) {
          issues.push({
            file: s.file,
            ...s.positionOf(["calls", i], env),
            path: `calls.${i}`,
            value: target,
            allowed,
          });
        }
      }
    }
    routesByEnv.set(env, checkRoutes(services, env, issues));
  }
  if (issues.length > 0) throw new ManifestError(dedupe(issues));
  return {
    environments,
    services,
    ...(shared ? { shared } : {}),
    resources: (env) => resourcesByEnv.get(env) ?? [],
    links: (name, env) => linksByEnv.get(env)?.get(name) ?? [],
    service: (name, env) => byName.get(name)?.environments[env],
    routes: (env) => routesByEnv.get(env) ?? [],
  };
}

/**
 * The data resources of one environment and every service's links: one owner per name (no two
 * services, no service and the shared file), `uses` of resources that exist and that the service
 * may use (its own or shared), an access its kind offers, and no injected variable that the
 * manifest or another link also sets.
 */
function checkData(
  services: LoadedManifest[],
  shared: LoadedShared | undefined,
  env: string,
  issues: ManifestIssue[],
): { resources: CatalogueResource[]; links: Map<string, CatalogueLink[]> } {
  const all = new Map<
    string,
    CatalogueResource & { where: () => { file: string; line: number; column: number } }
  >();
  for (const [name, settings] of Object.entries(shared?.environments[env] ?? {})) {
    all.set(name, {
      name,
      kind: settings.type,
      settings,
      where: () => ({ file: shared!.file, ...shared!.positionOf(["resources", name], env) }),
    });
  }
  for (const s of services) {
    for (const [name, settings] of Object.entries(s.environments[env]?.resources ?? {})) {
      const other = all.get(name);
      if (other) {
        issues.push({
          file: s.file,
          ...s.positionOf(["resources", name], env),
          path: `resources.${name}`,
          value: name,
          allowed: `${name} is already ${other.owner ? `owned by ${other.owner}` : "shared"} (${other.where().file}); a resource has one owner: give this one another name, or use the other one`,
        });
        continue;
      }
      all.set(name, {
        name,
        kind: settings.type,
        owner: s.name,
        settings,
        where: () => ({ file: s.file, ...s.positionOf(["resources", name], env) }),
      });
    }
  }
  const links = new Map<string, CatalogueLink[]>();
  for (const s of services) {
    const m = s.environments[env];
    if (!m) continue;
    const mine: CatalogueLink[] = [];
    const variables = new Map<string, string>();
    for (const name of [...Object.keys(m.environment ?? {}), ...Object.keys(m.secrets ?? {})])
      variables.set(name, `the manifest's ${name in (m.environment ?? {}) ? "environment" : "secrets"}`);
    for (const u of usesOf(m.uses)) {
      const at = (sub: (string | number)[] = []) => ({
        file: s.file,
        ...s.positionOf(["uses", u.index, ...sub], env),
      });
      const r = all.get(u.name);
      const problem = !r
        ? `no resource is named ${u.name}; there are ${[...all.keys()].join(", ") || "none"} (declare it in this manifest's resources, or in apps/${SHARED_FILE} to share it)`
        : r.owner !== undefined && r.owner !== s.name
          ? `${u.name} is owned by ${r.owner} and only its owner uses it; move it to apps/${SHARED_FILE} to share it`
          : u.access !== undefined && !(DATA_ACCESS[r.kind] as readonly string[]).includes(u.access)
            ? `a ${r.kind} offers access ${DATA_ACCESS[r.kind].join(", ")}`
            : undefined;
      if (problem || !r) {
        issues.push({
          ...at(u.access !== undefined && r ? [u.name] : []),
          path: `uses.${u.index}`,
          value: u.access !== undefined && r ? u.access : u.name,
          allowed: problem!,
        });
        continue;
      }
      for (const v of linkedVariableNames(r.kind, r.name)) {
        const taken = variables.get(v);
        if (taken) {
          issues.push({
            ...at(),
            path: `uses.${u.index}`,
            value: u.name,
            allowed: `the link sets ${v}, which ${taken} also sets; rename one of them`,
          });
        }
        variables.set(v, `the link to ${r.name}`);
      }
      const { where: _w, ...resource } = r;
      mine.push({ ...resource, access: u.access ?? DATA_ACCESS[r.kind][0] });
    }
    links.set(s.name, mine);
  }
  return { resources: [...all.values()].map(({ where: _w, ...r }) => r), links };
}

function checkRoutes(services: LoadedManifest[], env: string, issues: ManifestIssue[]): Route[] {
  const routes: (Route & { from: LoadedManifest })[] = [];
  for (const s of services) {
    const m = s.environments[env]!;
    if (m.kind !== "web") continue;
    const http = (m as WebManifest).http ?? { paths: ["/*"] };
    const hosts = [...(http.hosts ?? [])].sort();
    const paths = [...(http.paths ?? [])].sort();
    routes.push({
      service: s.name,
      hosts,
      paths,
      priority: http.priority ?? derivedPriority(s.name, hosts, paths),
      from: s,
    });
  }
  routes.sort((a, b) => a.priority - b.priority || a.service.localeCompare(b.service));
  for (const [i, a] of routes.entries()) {
    for (const b of routes.slice(i + 1)) {
      const where = (r: typeof a, field: string) => ({
        file: r.from.file,
        ...r.from.positionOf(["http", field], env),
      });
      if (a.priority === b.priority) {
        issues.push({
          ...where(b, "priority"),
          path: "http.priority",
          value: b.priority,
          allowed: `${a.service} (${a.from.file}) has listener-rule priority ${a.priority} in ${env} too; give one of them another http.priority`,
        });
      }
      if (a.hosts.join() === b.hosts.join() && a.paths.join() === b.paths.join()) {
        issues.push({
          ...where(b, b.paths.length ? "paths" : "hosts"),
          path: b.paths.length ? "http.paths" : "http.hosts",
          value: b.paths.length ? b.paths : b.hosts,
          allowed: `${a.service} (${a.from.file}) routes the same hosts and paths in ${env}; only the first rule would ever match`,
        });
      }
    }
  }
  return routes.map(({ from: _f, ...r }) => r);
}

/**
 * A web service's listener-rule priority when its manifest gives none: from its own routes only,
 * so adding or removing another service never moves it (each service deploys on its own). More
 * specific rules get lower numbers (ALB evaluates them first): hosts and paths, then hosts only,
 * then paths, then a catch-all `/*` (12,500 numbers each); within a class, deeper literal path
 * prefixes first (`/api/v2/*` before `/api/*`, 3,125 numbers for each depth 3+, 2, 1, 0); a hash of
 * the name picks the number inside. Two services can still draw the same number (about a 1 in 3
 * chance among 50 services of the same class and depth): the catalogue check names both, and one
 * of them sets `http.priority`. From 1 to 50,000, ALB's range.
 */
export function derivedPriority(service: string, hosts: string[], paths: string[]): number {
  const catchAll = paths.length === 0 || paths.some((p) => p === "/*" || p === "/");
  const cls = hosts.length && paths.length ? 0 : hosts.length ? 1 : catchAll ? 3 : 2;
  const depth = Math.max(0, ...paths.map((p) => (p.split(/[*?]/)[0]!.match(/\/[^/]+(?=\/)/g) ?? []).length));
  const bucket = 3 - Math.min(depth, 3);
  const spread = createHash("sha256").update(service).digest().readUInt32BE(0) % 3125;
  return cls * 12_500 + bucket * 3125 + spread + 1;
}

function dedupe(issues: ManifestIssue[]): ManifestIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const id = `${i.file}:${i.line}:${i.column}:${i.path}:${i.allowed}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
