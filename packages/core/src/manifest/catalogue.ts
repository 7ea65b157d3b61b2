import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import {
  DEFAULT_ENVIRONMENTS,
  type LoadedManifest,
  loadManifest,
  ManifestError,
  type ManifestIssue,
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

/** Every service of the repository: the manifests of `apps/<name>/berth.yaml`, checked together. */
export interface Catalogue {
  environments: readonly string[];
  services: LoadedManifest[];
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
  const byName = new Map(services.map((s) => [s.name, s]));
  const routesByEnv = new Map<string, Route[]>();
  for (const env of environments) {
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
    service: (name, env) => byName.get(name)?.environments[env],
    routes: (env) => routesByEnv.get(env) ?? [],
  };
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
