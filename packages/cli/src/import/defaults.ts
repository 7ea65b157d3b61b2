import type { ServiceKind } from "@berth/core";

/**
 * The manifest schema's defaults (packages/core/src/manifest/schema.ts) by field path: an imported
 * manifest leaves out a field equal to its default.
 */
const COMMON: Record<string, unknown> = {
  allowMutableImageTag: false,
  cpu: 256,
  memory: 512,
  architecture: "ARM64",
  exec: false,
  stopTimeoutSeconds: 10,
  count: 1,
  "build.dockerfile": "Dockerfile",
  "build.context": ".",
  "healthCheck.path": "/health",
  "healthCheck.intervalSeconds": 10,
  "healthCheck.timeoutSeconds": 5,
  "healthCheck.healthyThreshold": 2,
  "healthCheck.unhealthyThreshold": 3,
  "healthCheck.startPeriodSeconds": 0,
  "count.min": 1,
  "count.cpuTarget": 70,
  "deployment.strategy": "ROLLING",
  "deployment.minHealthyPercent": 100,
  "deployment.maxPercent": 200,
  "deployment.circuitBreaker": true,
  "deployment.rollbackOnAlarms": true,
  "release.timeoutMinutes": 15,
  "logs.retentionDays": 30,
};

const BY_KIND: Record<ServiceKind, Record<string, unknown>> = {
  web: { port: 8080, deregistrationDelaySeconds: 30 },
  internal: { port: 8080 },
  worker: {
    "count.backlogPerTask": 10,
    "queue.processingSeconds": 30,
    "queue.maxReceiveCount": 3,
    "queue.retentionDays": 4,
    "queue.scaleToZero": false,
  },
  job: { timezone: "UTC", timeoutMinutes: 60, retries: 2 },
};

/** The defaults of a data resource's fields (the data contract), by type. */
const RESOURCE: Record<string, Record<string, unknown>> = {
  postgres: {
    engine: "aurora",
    version: "16.6",
    minCapacity: 0.5,
    maxCapacity: 4,
    reader: false,
    iamAuth: false,
    performanceInsights: true,
    backupRetentionDays: 7,
  },
  cache: {
    engine: "valkey",
    version: "8",
    maxDataStorageGb: 10,
    maxEcpuPerSecond: 5000,
    snapshotRetentionDays: 1,
  },
  volume: { throughputMode: "elastic", transitionToIaDays: 30, "posixUser.uid": 1000, "posixUser.gid": 1000 },
  queue: { fifo: false, visibilityTimeoutSeconds: 30, retentionDays: 4, maxReceiveCount: 3 },
  bucket: { noncurrentVersionExpirationDays: 30, abortIncompleteUploadDays: 7 },
};

/** The default of a manifest field, or undefined when it has none. */
export function defaultOf(kind: ServiceKind, path: string): unknown {
  if (path === "http" && kind === "web") return { paths: ["/*"] };
  const res = /^resources\.([^.]+)\.(.+)$/.exec(path);
  if (res) return undefined;
  return BY_KIND[kind][path] ?? COMMON[path];
}

/** A resource's settings without the fields equal to their defaults (`path` defaults to /mnt/<name>). */
export function stripResource(name: string, settings: Record<string, unknown>): Record<string, unknown> {
  const type = String(settings.type);
  const defaults: Record<string, unknown> = {
    ...(RESOURCE[type] ?? {}),
    ...(type === "volume" ? { path: `/mnt/${name}` } : {}),
  };
  return stripMap(settings, (p) => defaults[p], "");
}

/** A manifest body without the fields equal to their defaults, and without empty maps. */
export function stripDefaults(kind: ServiceKind, body: Record<string, unknown>): Record<string, unknown> {
  const out = stripMap(body, (p) => defaultOf(kind, p), "");
  const resources = out.resources as Record<string, Record<string, unknown>> | undefined;
  if (resources) {
    for (const [n, r] of Object.entries(resources)) resources[n] = stripResource(n, r);
  }
  return out;
}

function stripMap(
  m: Record<string, unknown>,
  def: (path: string) => unknown,
  prefix: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (v === undefined) continue;
    if (path !== "name" && path !== "kind" && equal(v, def(path))) continue;
    if (isPlain(v) && Object.keys(v).length === 0) continue;
    if (isPlain(v) && !["resources", "environment", "secrets"].includes(path)) {
      const inner = stripMap(v, def, path);
      if (Object.keys(inner).length === 0) continue;
      out[k] = inner;
    } else out[k] = v;
  }
  return out;
}

/**
 * What an environment changes over the body: the fields whose value (or default) differs, maps
 * key by key, `null` for a field the environment removes. Empty when nothing differs.
 *
 * @example
 * overrideOf("web", { count: 2 }, { count: 3 }); // { count: 3 }
 */
export function overrideOf(
  kind: ServiceKind,
  base: Record<string, unknown>,
  env: Record<string, unknown>,
  prefix = "",
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(base), ...Object.keys(env)])) {
    const path = prefix ? `${prefix}.${k}` : k;
    const a = base[k] ?? defaultOf(kind, path);
    const b = env[k] ?? defaultOf(kind, path);
    if (equal(a, b)) continue;
    if (b === undefined) {
      // Only a whole field can be removed (null); a nested one goes back to nothing it can name.
      if (!prefix) out[k] = null;
    } else if (isPlain(base[k]) && isPlain(env[k]) && !path.startsWith("resources")) {
      // Maps merge key by key (count too): write only the keys that differ.
      const inner = overrideOf(
        kind,
        base[k] as Record<string, unknown>,
        env[k] as Record<string, unknown>,
        path,
      );
      if (Object.keys(inner).length) out[k] = inner;
    } else out[k] = b;
  }
  return out;
}

export function isPlain(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (isPlain(v))
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, sorted(v[k])]),
    );
  return v;
}
