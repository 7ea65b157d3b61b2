import { get, isLMap, isLSeq, type Position, text } from "../located.js";
import type { ComposeService, EnvVar } from "./load.js";

/** What a service's image says it is, when it is a datastore or a tool rather than an application. */
export type DataKind = "postgres" | "cache" | "mysql" | "rabbitmq" | "other";

/** The repository part of an image reference: `docker.io/library/postgres:16-alpine` → `postgres`. */
export function imageBase(image: string): string {
  let s = image.split("@")[0]!;
  const slash = s.lastIndexOf("/");
  const colon = s.lastIndexOf(":");
  if (colon > slash) s = s.slice(0, colon);
  const parts = s.split("/");
  if (parts.length > 1 && (parts[0]!.includes(".") || parts[0]!.includes(":") || parts[0] === "localhost"))
    parts.shift();
  if (parts[0] === "library") parts.shift();
  return parts.join("/").toLowerCase();
}

/** The tag of an image reference (`postgres:16-alpine` → `16-alpine`). */
export function imageTag(image: string): string | undefined {
  const s = image.split("@")[0]!;
  const slash = s.lastIndexOf("/");
  const colon = s.lastIndexOf(":");
  return colon > slash ? s.slice(colon + 1) : undefined;
}

const DATA: [RegExp, DataKind, string][] = [
  [/(^|\/)(postgres|postgresql|postgis|timescaledb(-ha)?)$/, "postgres", "PostgreSQL"],
  [/(^|\/)(redis|redis-stack|redis-stack-server|valkey|keydb)$/, "cache", "Redis"],
  [/(^|\/)(mysql|mysql-server|mariadb|percona|percona-server)$/, "mysql", "MySQL"],
  [/(^|\/)rabbitmq$/, "rabbitmq", "RabbitMQ"],
  [/(^|\/)(mongo|mongodb|mongodb-community-server)$/, "other", "MongoDB"],
  [/(^|\/)(elasticsearch|opensearch)$/, "other", "a search engine"],
  [/(^|\/)memcached$/, "other", "Memcached"],
  [/(^|\/)(kafka|cp-kafka|zookeeper|cp-zookeeper)$/, "other", "Kafka"],
  [/(^|\/)minio$/, "other", "MinIO (S3 for local use)"],
  [/(^|\/)localstack$/, "other", "LocalStack (AWS for local use)"],
  [/(^|\/)(mailhog|mailpit)$/, "other", "a local mail catcher"],
  [/(^|\/)(adminer|pgadmin4|phpmyadmin|redis-commander|redisinsight)$/, "other", "a database admin tool"],
];

/** A datastore or local tool recognized by its image (services with `build` are applications). */
export function dataKind(svc: ComposeService): { kind: DataKind; what: string } | undefined {
  if (get(svc.node, "build")) return undefined;
  const image = text(get(svc.node, "image"));
  if (!image) return undefined;
  const base = imageBase(image);
  for (const [re, kind, what] of DATA) if (re.test(base)) return { kind, what };
  return undefined;
}

const PROXIES = /(^|\/)(nginx|nginx-unprivileged|traefik|caddy|haproxy|envoy|httpd)$/;

/** A reverse proxy in front of the app (its routes become the load balancer's). */
export function isProxy(svc: ComposeService): boolean {
  if (get(svc.node, "build")) return false;
  const image = text(get(svc.node, "image"));
  return !!image && PROXIES.test(imageBase(image)) && !!get(svc.node, "depends_on");
}

/** A service's command (or entrypoint) as one string, for recognizing workers and schedulers. */
export function commandText(svc: ComposeService): string {
  const parts: string[] = [];
  for (const k of ["entrypoint", "command"]) {
    const n = get(svc.node, k);
    if (isLSeq(n)) parts.push(n.items.map((i) => text(i) ?? "").join(" "));
    else if (text(n)) parts.push(text(n)!);
  }
  return parts.join(" ");
}

const JOB_NAME = /(^|[-_])(cron|crond|beat|scheduler|schedule|clock)([-_]|$)/i;
const JOB_COMMAND =
  /(celery\b.*\bbeat\b|\bcrond?\b|supercronic|\bschedule:(work|run)\b|\bclockwork\b|\bwhenever\b|\bscheduler\b)/i;
const WORKER_NAME = /(^|[-_])(worker|workers|consumer|jobs|queue|sidekiq|celery|rq)([-_]|$)/i;
const WORKER_COMMAND =
  /(celery\b.*\bworker\b|\bsidekiq\b|\brq\b\s+worker|\brqworker\b|\bresque\b|\bqueue:(work|listen)\b|\bdramatiq\b|\bhuey\b|\bworker\b|\bjobs:work\b|\bgood_job\b|\bsolid_queue\b|\bbull\b)/i;

export function looksLikeJob(svc: ComposeService): string | undefined {
  if (JOB_NAME.test(svc.key)) return `its name (${svc.key}) says it runs on a schedule`;
  const cmd = commandText(svc);
  if (JOB_COMMAND.test(cmd)) return `its command (${cmd}) runs a scheduler`;
  return undefined;
}

export function looksLikeWorker(svc: ComposeService): string | undefined {
  const cmd = commandText(svc);
  if (WORKER_COMMAND.test(cmd)) return `its command (${cmd}) consumes a queue`;
  if (WORKER_NAME.test(svc.key)) return `its name (${svc.key}) says it consumes a queue`;
  return undefined;
}

/** A schedule written in labels (`*.schedule`, `*.cron`, Ofelia's `ofelia.job-*.*.schedule`) or env (`SCHEDULE`, `CRON_SCHEDULE`, `CRON`). */
export function scheduleOf(svc: ComposeService): { value: string; path: string; at: Position } | undefined {
  const labels = get(svc.node, "labels");
  if (isLMap(labels)) {
    for (const e of labels.entries) {
      if (/(^|[._-])(schedule|cron)$/i.test(e.key) && text(e.value)) {
        return { value: text(e.value)!, path: `services.${svc.key}.labels.${e.key}`, at: e.value };
      }
    }
  } else if (isLSeq(labels)) {
    for (const item of labels.items) {
      const [k, ...v] = (text(item) ?? "").split("=");
      if (k && /(^|[._-])(schedule|cron)$/i.test(k) && v.length) {
        return { value: v.join("="), path: `services.${svc.key}.labels.${k}`, at: item };
      }
    }
  }
  const env = svc.env.find((e) => /^(SCHEDULE|CRON_SCHEDULE|CRON|CRON_EXPRESSION)$/.test(e.name) && e.value);
  if (env) return { value: env.value!, path: env.path, at: env.at };
  return undefined;
}

/** Host names other services may use to reach a service: its name, container_name, hostname, network aliases. */
export function hostNames(svc: ComposeService): string[] {
  const names = [svc.key];
  for (const k of ["container_name", "hostname"]) {
    const t = text(get(svc.node, k));
    if (t) names.push(t);
  }
  const networks = get(svc.node, "networks");
  if (isLMap(networks)) {
    for (const n of networks.entries) {
      const aliases = get(n.value, "aliases");
      if (isLSeq(aliases)) for (const a of aliases.items) if (text(a)) names.push(text(a)!);
    }
  }
  return [...new Set(names)];
}

const HOST_VARIABLE = /(_|^)(HOST|HOSTNAME|SERVER|ADDR|ADDRESS|SERVICE|ENDPOINT)$/i;

/**
 * The host names a variable's value points at: in a URL (`http://api:8000/x`), as `name:port`, or
 * alone when the variable names a host (`DB_HOST=db`).
 *
 * @example
 * referencedHosts({ name: "API_URL", value: "http://api:8000" }, ["api", "db"]); // [{ host: "api", port: 8000 }]
 */
export function referencedHosts(
  v: Pick<EnvVar, "name" | "value">,
  hosts: string[],
): { host: string; port?: number }[] {
  const value = v.value;
  if (!value) return [];
  const out: { host: string; port?: number }[] = [];
  for (const host of hosts) {
    const h = host.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    if (value === host && HOST_VARIABLE.test(v.name)) {
      out.push({ host });
      continue;
    }
    // In a URL (after :// or @), or as host:port anywhere; several hosts may be listed (a,b).
    const re = new RegExp(`(?:^|://|@|,|\\s)${h}(?::(\\d+))?(?=$|[/\\s,;?#]|:\\d)`, "g");
    for (const m of value.matchAll(re)) {
      const isUrlish = value.includes("://") || m[1] !== undefined || value.includes("@");
      if (!isUrlish) continue;
      out.push({ host, ...(m[1] ? { port: Number(m[1]) } : {}) });
    }
  }
  return out;
}
