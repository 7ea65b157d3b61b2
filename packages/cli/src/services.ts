import type { Catalogue, CatalogueLink, Route, ServiceKind, ServiceManifest } from "@berth/core";

/** What `berth services --json` prints; `version` changes only when a field changes meaning. */
export interface ServicesDocument {
  version: 1;
  /** The environments shown: the platform's, or the one given with --env. */
  environments: string[];
  services: ServiceEntry[];
}

export interface ServiceEntry {
  name: string;
  kind: ServiceKind;
  description: string | null;
  /** The manifest, relative to the repository root (`apps/<name>/berth.yaml`). */
  manifest: string;
  environments: Record<string, ServiceInEnvironment>;
}

/** A service in one environment: its manifest with that environment's overrides. */
export interface ServiceInEnvironment {
  /** web: its rule on the shared load balancer. */
  route: { hosts: string[]; paths: string[]; priority: number } | null;
  /** internal: the Service Connect address its callers use. */
  endpoint: string | null;
  /** worker: the queue it owns and consumes. */
  queue: { processingSeconds: number; maxReceiveCount: number; scaleToZero: boolean } | null;
  /** job: when it runs. */
  schedule: { expression: string; timezone: string } | null;
  /** A fixed number of tasks, or a range with the targets the manifest gives; null for a job. */
  count: number | { min: number; max: number; [target: string]: number } | null;
  calls: string[];
  /** Data resources the service uses: name, kind, access, and whether the environment shares it. */
  uses: { name: string; kind: string; access: string; shared: boolean }[];
}

const DEFAULT_PORT = 8080;

function inEnvironment(
  m: ServiceManifest,
  route: Route | undefined,
  links: CatalogueLink[],
): ServiceInEnvironment {
  const count: ServiceInEnvironment["count"] =
    m.kind === "job"
      ? null
      : m.count === undefined
        ? 1
        : typeof m.count === "number"
          ? m.count
          : {
              min: m.count.min ?? 1,
              max: m.count.max,
              ...Object.fromEntries(
                (["cpuTarget", "memoryTarget", "requestsPerTarget", "backlogPerTask"] as const)
                  .filter((k) => m.count && typeof m.count === "object" && m.count[k] !== undefined)
                  .map((k) => [k, (m.count as Record<string, number>)[k]!]),
              ),
            };
  return {
    route: route ? { hosts: route.hosts, paths: route.paths, priority: route.priority } : null,
    endpoint: m.kind === "internal" ? `http://${m.name}:${m.port ?? DEFAULT_PORT}` : null,
    queue:
      m.kind === "worker"
        ? {
            processingSeconds: m.queue?.processingSeconds ?? 30,
            maxReceiveCount: m.queue?.maxReceiveCount ?? 3,
            scaleToZero: m.queue?.scaleToZero ?? false,
          }
        : null,
    schedule: m.kind === "job" ? { expression: m.schedule, timezone: m.timezone ?? "UTC" } : null,
    count,
    calls: [...(m.calls ?? [])],
    uses: links.map((l) => ({ name: l.name, kind: l.kind, access: l.access, shared: l.owner === undefined })),
  };
}

/** The catalogue as a document: every service, in each of the given environments. */
export function servicesDocument(
  catalogue: Catalogue,
  environments: readonly string[],
  manifestPath: (file: string) => string,
): ServicesDocument {
  const routes = new Map(environments.map((env) => [env, catalogue.routes(env)]));
  return {
    version: 1,
    environments: [...environments],
    services: catalogue.services.map((s) => {
      const first = s.environments[environments[0]!] ?? Object.values(s.environments)[0];
      return {
        name: s.name,
        kind: s.kind,
        description: first?.description ?? null,
        manifest: manifestPath(s.file),
        environments: Object.fromEntries(
          environments
            .filter((env) => s.environments[env] !== undefined)
            .map((env) => [
              env,
              inEnvironment(
                s.environments[env]!,
                routes.get(env)!.find((r) => r.service === s.name),
                catalogue.links(s.name, env),
              ),
            ]),
        ),
      };
    }),
  };
}

const NONE = "—";

function routeCell(e: ServiceInEnvironment): string {
  if (e.route) {
    const where = [e.route.hosts.join(","), e.route.paths.join(",")].filter((p) => p !== "").join(" ");
    return `${where} (priority ${e.route.priority})`;
  }
  if (e.endpoint) return e.endpoint;
  if (e.queue) return "queue";
  if (e.schedule) {
    // rate(…) has no time zone; cron(…) and at(…) are read in one.
    return e.schedule.expression.startsWith("rate(")
      ? e.schedule.expression
      : `${e.schedule.expression} ${e.schedule.timezone}`;
  }
  return NONE;
}

const TARGETS: Record<string, (n: number) => string> = {
  cpuTarget: (n) => `cpu ${n}%`,
  memoryTarget: (n) => `memory ${n}%`,
  requestsPerTarget: (n) => `${n} requests/task`,
  backlogPerTask: (n) => `backlog ${n}/task`,
};

function countCell(e: ServiceInEnvironment): string {
  if (e.count === null) return NONE;
  if (typeof e.count === "number") return String(e.count);
  const { min, max, ...targets } = e.count;
  const said = Object.entries(targets).map(([k, v]) => TARGETS[k]?.(v) ?? `${k} ${v}`);
  return `${min}-${max}${said.length ? ` (${said.join(", ")})` : ""}`;
}

const list = (xs: string[]) => (xs.length ? xs.join(", ") : NONE);

export const SERVICES_HEADER = ["Name", "Kind", "Environments", "Route / schedule", "Count", "Calls", "Uses"];

/**
 * The table `berth services` prints: a line per service, or one per group of environments where
 * the service differs (the environments column says which), with the same cells in each group.
 */
export function servicesTable(doc: ServicesDocument): string {
  const rows: string[][] = [SERVICES_HEADER];
  for (const s of doc.services) {
    const groups = new Map<string, { envs: string[]; cells: string[] }>();
    for (const [env, e] of Object.entries(s.environments)) {
      const cells = [routeCell(e), countCell(e), list(e.calls), list(e.uses.map((u) => u.name))];
      const key = JSON.stringify(cells);
      const group = groups.get(key) ?? { envs: [], cells };
      group.envs.push(env);
      groups.set(key, group);
    }
    [...groups.values()].forEach((g, i) => {
      rows.push([i === 0 ? s.name : "", i === 0 ? s.kind : "", g.envs.join(", "), ...g.cells]);
    });
  }
  const widths = SERVICES_HEADER.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!)))
        .join("  ")
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}
