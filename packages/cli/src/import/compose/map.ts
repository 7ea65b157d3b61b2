import { resolve } from "node:path";
import {
  envPrefix,
  POSTGRES_DEFAULT_VERSION,
  POSTGRES_MAJOR_VERSIONS,
  RESOURCE_NAME_RULE,
  type DataKind as ResourceKind,
  type ServiceKind,
} from "@berth/core";
import { type Catalogue, SharedDraft } from "../catalogue.js";
import {
  allowTag,
  buildPaths,
  clamp,
  credentialsInUrl,
  dropLinkedVariables,
  isAwsCredential,
  list,
  mapHealthCheck,
  moveToSecrets,
  pinnedImage,
  seconds,
  secretName,
  validEnvName,
} from "../common.js";
import { ManifestDraft } from "../draft.js";
import {
  brief,
  entry,
  fmtLine,
  get,
  isLMap,
  isLSeq,
  type LEntry,
  type LMap,
  type LNode,
  type Position,
  text,
} from "../located.js";
import type { Report, Status } from "../report.js";
import { PLACEHOLDER_SCHEDULE, toEventBridge } from "../schedule.js";
import { fargateFit, mebibytes, resourceName, serviceNamer, shellWords } from "../units.js";
import {
  type DataKind,
  dataKind,
  hostNames,
  imageBase,
  imageTag,
  isProxy,
  looksLikeJob,
  looksLikeWorker,
  referencedHosts,
  scheduleOf,
} from "./classify.js";
import { asMap, type ComposeProject, type ComposeService, type EnvVar } from "./load.js";

/** Where the manifests go: the folder of a service by name. */
export interface MapOptions {
  serviceDir(name: string): string;
}

type Role = "app" | "data" | "proxy" | "inactive" | "unsupported";

interface Plan {
  svc: ComposeService;
  /** Where the service's key is written. */
  at?: Position;
  /** The host port a web service is published on locally (80 or 443 marks the main site). */
  published?: string;
  group: string;
  name: string;
  /** Why `name` is not the service's key. */
  renamed?: string;
  role: Role;
  data?: { kind: DataKind; what: string };
  kind?: ServiceKind;
  kindWhy?: string;
  kindStatus?: Status;
  port?: number;
  draft?: ManifestDraft;
  /** Data services and apps it reaches, from its variables, depends_on and links. */
  reaches: Set<Plan>;
  /** Apps that reach it. */
  reachedBy: Set<Plan>;
  /** Resource placement (data services). */
  resource?: { name: string; type: "postgres" | "cache"; owner?: Plan; users: Plan[] };
}

const DROPPED: Record<string, [Status, string]> = {
  container_name: ["dropped", "ECS names the tasks; other services reach this one by its service name"],
  hostname: ["dropped", "ECS sets the task's host name; other services reach this one by its service name"],
  domainname: ["dropped", "ECS sets the task's host name"],
  networks: [
    "dropped",
    "every service runs in the environment's VPC; internal services are reached through Service Connect (`calls`)",
  ],
  network_mode: ["dropped", "Fargate tasks use awsvpc networking, one network interface each"],
  restart: [
    "dropped",
    "ECS replaces a service's stopped tasks (a job runs once per schedule, with `retries`)",
  ],
  logging: ["dropped", "logs go to the service's CloudWatch log group (`logs.retentionDays`)"],
  tty: ["dropped", "no terminal on ECS; `exec: true` opens a shell in a running task"],
  stdin_open: ["dropped", "no terminal on ECS; `exec: true` opens a shell in a running task"],
  init: [
    "dropped",
    "ECS runs no init process for you: add one (tini) to the Dockerfile if the app forks children",
  ],
  pull_policy: ["dropped", "the pipeline builds each image and pins it by digest"],
  develop: ["dropped", "local development only (file watching)"],
  attach: ["dropped", "local logs only"],
  security_opt: [
    "dropped",
    "Fargate tasks cannot gain privileges; Berth also runs them with a read-only root file system",
  ],
  cap_drop: ["dropped", "Fargate adds no capabilities by default"],
  cap_add: [
    "decide",
    "Fargate lets a task add only SYS_PTRACE: check the app runs without these capabilities",
  ],
  privileged: ["decide", "Fargate runs no privileged containers: the app must run without it"],
  devices: ["decide", "Fargate exposes no host devices"],
  gpus: ["decide", "Fargate has no GPUs"],
  ulimits: ["dropped", "Fargate's limits apply (nofile 65535)"],
  sysctls: ["decide", "Berth sets no kernel parameters: check the app runs with the defaults"],
  extra_hosts: ["decide", "Berth writes no /etc/hosts entries: use DNS names the VPC resolves"],
  dns: ["dropped", "tasks use the VPC's DNS resolver"],
  dns_search: ["dropped", "tasks use the VPC's DNS resolver"],
  dns_opt: ["dropped", "tasks use the VPC's DNS resolver"],
  shm_size: ["decide", "Fargate's /dev/shm has its default size: check the app needs no more"],
  user: ["decide", "Berth runs the image's user: set `USER` in the Dockerfile"],
  working_dir: ["decide", "Berth runs in the image's working folder: set `WORKDIR` in the Dockerfile"],
  tmpfs: [
    "decide",
    "Berth gives the task a read-only root file system and no tmpfs: write to /tmp in the image or use a volume resource",
  ],
  configs: [
    "decide",
    "Berth mounts no config files: copy the file into the image (or pass its values as environment)",
  ],
  annotations: ["dropped", "Berth tags AWS resources itself"],
  mem_reservation: ["dropped", "Fargate reserves the whole task size (cpu/memory)"],
  memswap_limit: ["dropped", "Fargate tasks have no swap"],
  mem_swappiness: ["dropped", "Fargate tasks have no swap"],
  cpu_shares: ["dropped", "the task size (cpu/memory) is what the task gets"],
  cpu_quota: ["dropped", "the task size (cpu/memory) is what the task gets"],
  cpu_period: ["dropped", "the task size (cpu/memory) is what the task gets"],
  cpu_count: ["dropped", "the task size (cpu/memory) is what the task gets"],
  cpu_percent: ["dropped", "the task size (cpu/memory) is what the task gets"],
  cpuset: ["dropped", "Fargate does not pin CPUs"],
  cpu_rt_runtime: ["dropped", "Fargate does not schedule in real time"],
  cpu_rt_period: ["dropped", "Fargate does not schedule in real time"],
  oom_kill_disable: ["dropped", "a task that runs out of memory is stopped and replaced"],
  oom_score_adj: ["dropped", "a task that runs out of memory is stopped and replaced"],
  pids_limit: ["dropped", "Fargate's limits apply"],
  blkio_config: ["dropped", "Fargate's storage has no I/O weights"],
  storage_opt: ["dropped", "Fargate's ephemeral storage has no driver options"],
  external_links: ["dropped", "services outside the file are reached by DNS name"],
  ipc: ["dropped", "Fargate tasks share no IPC namespace"],
  pid: ["dropped", "Fargate tasks share no PID namespace"],
  cgroup: ["dropped", "Fargate manages cgroups"],
  cgroup_parent: ["dropped", "Fargate manages cgroups"],
  isolation: ["dropped", "Linux tasks only"],
  runtime: ["dropped", "Fargate chooses the container runtime"],
  userns_mode: ["dropped", "Fargate manages user namespaces"],
  uts: ["dropped", "Fargate sets the task's host name"],
  mac_address: ["dropped", "Fargate assigns network interfaces"],
  credential_spec: ["dropped", "Linux tasks only"],
  device_cgroup_rules: ["dropped", "Fargate exposes no host devices"],
  volumes_from: ["decide", "tasks share no volumes with other services: use a volume resource both use"],
  post_start: ["decide", "ECS runs no lifecycle hooks: run it in the image's entrypoint"],
  pre_stop: ["decide", "ECS runs no lifecycle hooks: handle SIGTERM in the app"],
  provider: ["decide", "Compose providers have no Berth equivalent"],
  models: ["decide", "Compose models have no Berth equivalent"],
  label_file: ["dropped", "Berth tags AWS resources itself"],
};

/**
 * Maps a compose project to Berth manifests and a report row for every key: services to kinds,
 * datastores to managed resources (owned by their one user, or shared), named volumes to volume
 * resources, secrets to SSM references.
 */
export function mapCompose(p: ComposeProject, report: Report, opts: MapOptions): Catalogue {
  const shared = new SharedDraft();
  shared.header.push(
    "Resources several services use: the platform stack creates each once per environment.",
    `Imported from ${p.shown} by berth import compose: see IMPORT-REPORT.md.`,
  );
  const top = "top level";
  for (const e of p.root.entries) {
    if (e.key === "services") continue;
    if (e.key === "version")
      report.add(top, "version", e.at, "dropped", "obsolete: the Compose specification ignores it");
    else if (e.key === "name")
      report.add(top, "name", e.at, "dropped", "the project's name; each service is named after itself");
    else if (e.key === "networks") report.add(top, "networks", e.at, "dropped", DROPPED.networks![1]);
    else if (e.key === "configs") report.add(top, "configs", e.at, "decide", DROPPED.configs![1]);
    else if (e.key === "include")
      report.add(
        top,
        "include",
        e.at,
        "decide",
        "included files are not read: import each of them on its own",
      );
    else if (e.key.startsWith("x-"))
      report.add(
        top,
        e.key,
        e.at,
        "dropped",
        "an extension field: its anchors are expanded where services use them (their rows are under the services)",
      );
    else if (e.key !== "volumes" && e.key !== "secrets")
      report.add(top, e.key, e.at, "dropped", "not read by the importer: Berth has no equivalent");
  }

  report.group(top, "");
  for (const v of p.variables) report.variable(v.name, v.source, v.at);
  for (const svc of p.services) report.group(`services.${svc.key}`, "");
  // 1. Names and roles.
  const plans: Plan[] = [];
  const namer = serviceNamer();
  for (const svc of p.services) {
    const group = `services.${svc.key}`;
    const { name, why: renamed } = namer(svc.key);
    const data = dataKind(svc);
    const role: Role = svc.profiles.length
      ? "inactive"
      : data
        ? data.kind === "postgres" || data.kind === "cache"
          ? "data"
          : "unsupported"
        : isProxy(svc)
          ? "proxy"
          : "app";
    const at = entry(get(p.root, "services") as LMap, svc.key)?.at;
    plans.push({
      svc,
      group,
      name,
      ...(renamed ? { renamed } : {}),
      role,
      ...(at ? { at } : {}),
      ...(data ? { data } : {}),
      reaches: new Set(),
      reachedBy: new Set(),
    });
  }
  const active = plans.filter((x) => x.role !== "inactive");
  const byHost = new Map<string, Plan>();
  for (const x of active) for (const h of hostNames(x.svc)) if (!byHost.has(h)) byHost.set(h, x);
  const hosts = [...byHost.keys()];

  // 2. Who reaches whom: variables, depends_on, links.
  const refsOf = new Map<EnvVar, { plan: Plan; port?: number; host: string }[]>();
  for (const x of active.filter((a) => a.role === "app" || a.role === "proxy")) {
    for (const v of x.svc.env) {
      const refs = referencedHosts(v, hosts)
        .map((r) => ({ ...r, plan: byHost.get(r.host)! }))
        .filter((r) => r.plan !== x);
      refsOf.set(v, refs);
      for (const r of refs) {
        x.reaches.add(r.plan);
        r.plan.reachedBy.add(x);
      }
    }
    for (const target of dependencies(x.svc)) {
      const t = byHost.get(target.name);
      if (t && t !== x) {
        if (t.role === "data" || x.role === "proxy") {
          x.reaches.add(t);
          t.reachedBy.add(x);
        }
      }
    }
  }

  // 3. Datastores become resources: owned by their one user, or shared.
  for (const d of active.filter((x) => x.role === "data")) {
    const users = [...d.reachedBy].filter((u) => u.role === "app");
    const type = d.data!.kind === "postgres" ? "postgres" : "cache";
    d.resource = { name: d.name, type, users, ...(users.length === 1 ? { owner: users[0]! } : {}) };
  }

  // 4. Kinds of the applications.
  for (const x of active.filter((a) => a.role === "app")) classify(x);

  // 5. Drafts.
  for (const x of active.filter((a) => a.role === "app")) {
    x.draft = new ManifestDraft(x.name, x.kind!);
    x.draft.header.push(
      `Imported from ${p.shown} (services.${x.svc.key}) by berth import compose: see ../IMPORT-REPORT.md.`,
    );
  }
  const volumes = collectVolumes(p, active, report);
  for (const x of plans) {
    const where = entry(p.root.entries.find((e) => e.key === "services")!.value as LMap, x.svc.key)?.at;
    if (x.role === "inactive") {
      report.group(x.group, `not imported (profile ${x.svc.profiles.join(", ")})`);
      report.add(
        x.group,
        x.group,
        where,
        "dropped",
        `in profile ${list(x.svc.profiles.map((s) => `\`${s}\``))}: not active by default, so not imported (drop \`profiles\` and import again to include it)`,
      );
    } else if (x.role === "unsupported") {
      const what = x.data!.what;
      const detail =
        x.data!.kind === "mysql"
          ? `${what} is not supported yet: Berth's managed databases are PostgreSQL (Aurora or RDS). Not imported; move to the postgres resource, or keep MySQL outside Berth (RDS for MySQL) and pass its address and password`
          : x.data!.kind === "rabbitmq"
            ? `${what}: Amazon MQ is out of Berth's scope. Not imported; a Berth worker consumes its own SQS queue (kind worker), or run RabbitMQ outside Berth and pass its URL as a secret`
            : `${what} has no Berth resource: not imported; run it as a managed AWS service outside Berth and pass its address`;
      report.group(x.group, "not imported (needs a decision)");
      report.add(x.group, x.group, where, "decide", detail);
    } else if (x.role === "proxy") {
      const behind = [...x.reaches].map((t) => t.name);
      report.group(x.group, "not imported (the load balancer routes instead)");
      report.add(
        x.group,
        x.group,
        where,
        "decide",
        `a reverse proxy (${imageBase(text(get(x.svc.node, "image"))!)}) in front of ${list(behind) || "the app"}: the environment's shared load balancer routes requests to web services (\`http.paths\`, \`http.hosts\`), so it is not imported; move its routing rules there`,
      );
    } else if (x.role === "data") {
      mapDataService(x, report, shared, where);
    } else {
      mapApp(x, p, report, opts, refsOf, where);
    }
  }
  placeVolumes(volumes, report, shared, get(p.root, "volumes"));
  for (const x of active.filter((a) => a.role === "data" || a.role === "app")) {
    for (const e of x.svc.node.entries) report.coverRest(x.group, `${x.group}.${e.key}`, e.value);
  }
  for (const e of p.root.entries) if (e.key !== "services") report.coverRest("top level", e.key, e.value);

  // 6. Calls and routes across services; variables the links inject.
  const apps = active.filter((a) => a.draft);
  for (const x of apps) {
    const own = (x.draft!.get("resources") ?? {}) as Record<string, Record<string, unknown>>;
    dropLinkedVariables(
      x.draft!,
      (n) => {
        const r = own[n] ?? shared.resources[n];
        return r ? { kind: r.type as ResourceKind, settings: r } : undefined;
      },
      report,
    );
  }
  for (const x of apps) {
    const calls = [...new Set([...x.reaches].filter((t) => t.draft?.kind === "internal").map((t) => t.name))];
    if (calls.length === 0) continue;
    if (x.kind === "job") {
      report.note(
        x.group,
        x.at,
        "decide",
        `it reaches ${list(calls)} by name, but a scheduled task cannot use Service Connect: give it their address another way (or make them web services)`,
      );
      continue;
    }
    x.draft!.set(
      "calls",
      calls.slice(0, 4),
      calls.length > 4 ? "ECS allows 5 security groups per task: 4 calls at most" : undefined,
    );
    if (calls.length > 4)
      report.note(
        x.group,
        x.at,
        "decide",
        `it calls ${list(calls)}: Berth allows 4 \`calls\`; kept ${list(calls.slice(0, 4))}`,
      );
  }
  // Web services without routes of their own would all claim /*: the main one keeps it.
  const webs = apps.filter((a) => a.kind === "web" && a.draft!.get("http") === undefined);
  const main =
    webs.find((w) => w.published === "80" || w.published === "443") ??
    webs.find((w) => /^(web|app|frontend|site|www)$/.test(w.name)) ??
    webs[0];
  for (const w of webs) {
    if (w === main) continue;
    w.draft!.set(
      "http",
      { paths: [`/${w.name}/*`] },
      "a placeholder route: each web service needs its own hosts or paths",
    );
    report.note(
      w.group,
      w.at,
      "decide",
      `${main!.name} keeps the catch-all route \`/*\`; ${w.name} gets \`http.paths: ["/${w.name}/*"]\` as a placeholder: choose its hosts or paths`,
    );
  }
  for (const x of apps) {
    report.group(x.group, `\`${relativeManifest(x.name)}\` (kind ${x.kind})`);
  }
  return { drafts: apps.map((a) => a.draft!), ...(Object.keys(shared.resources).length ? { shared } : {}) };

  function classify(x: Plan): void {
    const svc = x.svc;
    const ports = get(svc.node, "ports");
    const hasPorts = isLSeq(ports) && ports.items.length > 0;
    const schedule = scheduleOf(svc);
    const job =
      looksLikeJob(svc) ??
      (schedule
        ? `a schedule is written in ${schedule.path.replace(`services.${svc.key}.`, "")}`
        : undefined);
    const worker = looksLikeWorker(svc);
    const proxied = active.some((a) => a.role === "proxy" && a.reaches.has(x));
    const reachedByApps = [...x.reachedBy].filter((a) => a.role === "app");
    if (job) Object.assign(x, { kind: "job", kindWhy: job, kindStatus: "mapped" });
    else if (!hasPorts && worker) Object.assign(x, { kind: "worker", kindWhy: worker, kindStatus: "mapped" });
    else if (hasPorts) Object.assign(x, { kind: "web", kindWhy: "it publishes ports", kindStatus: "mapped" });
    else if (proxied) {
      const proxy = active.find((a) => a.role === "proxy" && a.reaches.has(x))!;
      Object.assign(x, {
        kind: "web",
        kindWhy: `${proxy.svc.key} (a reverse proxy) published it; the load balancer now sends HTTP to its port directly: if ${proxy.svc.key} did more than route (FastCGI for php-fpm, static files), put that in the image or a sidecar`,
        kindStatus: "decide",
      });
    } else if (get(svc.node, "expose") || reachedByApps.length) {
      const by = reachedByApps.map((a) => a.svc.key);
      Object.assign(x, {
        kind: "internal",
        kindWhy: by.length
          ? `it publishes no port and ${list(by)} reach${by.length === 1 ? "es" : ""} it by name`
          : "it publishes no port and exposes one to other services",
        kindStatus: "mapped",
      });
    } else {
      Object.assign(x, {
        kind: "worker",
        kindWhy:
          "it publishes no port and nothing reaches it by name; a Berth worker consumes its own SQS queue: check that fits, or make it a job",
        kindStatus: "decide",
      });
    }
  }

  function relativeManifest(name: string): string {
    return `${name}/berth.yaml`;
  }
}

/** The services a service depends on (depends_on, links), with the key's position. */
function dependencies(svc: ComposeService): { name: string; path: string; at: Position }[] {
  const out: { name: string; path: string; at: Position }[] = [];
  const deps = get(svc.node, "depends_on");
  if (deps) {
    const m = asMap(deps);
    for (const e of m?.entries ?? [])
      out.push({ name: e.key, path: `services.${svc.key}.depends_on.${e.key}`, at: e.at });
  }
  const links = get(svc.node, "links");
  if (isLSeq(links)) {
    links.items.forEach((l, i) => {
      const t = text(l);
      if (t) out.push({ name: t.split(":")[0]!, path: `services.${svc.key}.links[${i}]`, at: l });
    });
  }
  return out;
}

/** A datastore's keys: the resource it becomes, and why its container settings go. */
function mapDataService(x: Plan, report: Report, shared: SharedDraft, where: Position | undefined): void {
  const r = x.resource!;
  const g = x.group;
  const svc = x.svc;
  if (r.users.length === 0) {
    report.group(g, "not imported (no service uses it)");
    report.add(
      g,
      g,
      where,
      "decide",
      `${x.data!.what}, but no service reaches it (no variable names its host, no depends_on): not imported; add \`resources: { ${r.name}: { type: ${r.type} } }\` to the service that needs it`,
    );
    return;
  }
  const settings: Record<string, unknown> = { type: r.type };
  const place = r.owner
    ? `\`${r.owner.name}/berth.yaml\` resources.${r.name}`
    : `\`berth.shared.yaml\` resources.${r.name}`;
  const users = r.users.map((u) => u.name);
  report.group(
    g,
    `${r.type} resource \`${r.name}\` (${r.owner ? `owned by ${r.owner.name}` : `shared by ${list(users)}`})`,
  );
  const p = envPrefix(r.name);
  for (const e of svc.node.entries) {
    const path = `${g}.${e.key}`;
    if (e.key === "image") {
      const image = text(e.value) ?? "";
      const tag = imageTag(image) ?? "latest";
      const base = imageBase(image);
      const timescale = /(^|\/)timescaledb(-ha)?$/.test(base);
      // TimescaleDB's tags lead with its own version (2.14.2-pg16) and name PostgreSQL's as pg<major>.
      const major = /(?:^|[-_.])pg(\d+)/.exec(tag)?.[1] ?? (timescale ? undefined : /^(\d+)/.exec(tag)?.[1]);
      let detail = `a managed ${r.type === "postgres" ? "Aurora PostgreSQL (Serverless v2)" : "ElastiCache Serverless (Valkey)"} resource instead of a container: ${place}, used by ${list(users)}`;
      let status: Status = "mapped";
      // The extensions Aurora PostgreSQL offers: PostGIS is one, TimescaleDB is not
      // (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/AuroraPostgreSQL.Extensions.html).
      if (timescale) {
        status = "decide";
        detail +=
          "; the image ships TimescaleDB, which Aurora PostgreSQL does not offer: hypertables and TimescaleDB's functions do not exist there; move the app off them, or keep TimescaleDB outside Berth";
      } else if (/(^|\/)postgis$/.test(base)) {
        status = "decide";
        detail +=
          "; the image created the PostGIS extension at its first start: Aurora PostgreSQL offers it, but the database starts without it: run `CREATE EXTENSION postgis;` once (in a migration or a `release.command`)";
      }
      const defaultMajor = POSTGRES_DEFAULT_VERSION.split(".")[0];
      if (r.type === "postgres" && major && major !== defaultMajor) {
        status = "decide";
        const offered = (POSTGRES_MAJOR_VERSIONS as readonly number[]).includes(Number(major));
        detail += offered
          ? `; the container ran PostgreSQL ${major}, the resource defaults to ${POSTGRES_DEFAULT_VERSION}: set \`version\` to a ${major}.x version if the app needs ${major}`
          : `; the container ran PostgreSQL ${major}, which Berth does not offer (majors ${POSTGRES_MAJOR_VERSIONS.join(", ")}): the resource defaults to ${POSTGRES_DEFAULT_VERSION}; check the app and move the data with pg_dump/pg_restore`;
      }
      if (r.type === "cache" && /redis/.test(imageBase(image))) {
        status = "changed";
        detail +=
          "; Valkey (the default engine) speaks the Redis protocol: set `engine: redis` to keep Redis OSS";
      }
      report.add(g, path, e.at, status, detail);
    } else if (e.key === "environment") {
      for (const v of svc.env.filter((v) => v.path.startsWith(`${g}.environment.`))) {
        const n = v.name;
        if (
          r.type === "postgres" &&
          /^(POSTGRES_DB|POSTGRESQL_DATABASE|POSTGRES_DATABASE)$/.test(n) &&
          v.value
        ) {
          const dflt = r.name.replace(/-/g, "_");
          if (v.value !== dflt) settings.databaseName = v.value;
          report.add(
            g,
            v.path,
            v.at,
            "mapped",
            v.value === dflt
              ? `the database name: \`${dflt}\` is the resource's default (${p}_NAME)`
              : `\`databaseName: ${v.value}\` (injected as ${p}_NAME)`,
          );
        } else if (/USER/.test(n)) {
          report.add(
            g,
            v.path,
            v.at,
            "changed",
            `the resource's master user replaces it (RDS manages it): services get it as the secret ${p}_USER`,
          );
        } else if (/PASSWORD|PASS$/.test(n)) {
          report.add(
            g,
            v.path,
            v.at,
            "changed",
            `the password is generated and kept in Secrets Manager by ${r.type === "postgres" ? "RDS" : "AWS"}; never copied${r.type === "postgres" ? `: services get it as the secret ${p}_PASSWORD` : "; the cache uses IAM authentication"}`,
          );
        } else {
          report.add(
            g,
            v.path,
            v.at,
            "dropped",
            "a setting of the container image; the managed resource has its own settings",
          );
        }
      }
    } else if (e.key === "volumes") {
      report.add(
        g,
        path,
        e.at,
        "changed",
        `the managed ${r.type === "postgres" ? "database" : "cache"} keeps the data: move it once (${r.type === "postgres" ? "pg_dump, then pg_restore into the new database" : "cache data is rebuilt by the app"})`,
      );
    } else if (e.key === "ports" || e.key === "expose") {
      report.add(g, path, e.at, "dropped", `services reach it through the link: ${p}_HOST and ${p}_PORT`);
    } else if (e.key === "healthcheck") {
      report.add(g, path, e.at, "dropped", "AWS checks and replaces the managed resource's nodes");
    } else if (e.key === "command" || e.key === "entrypoint") {
      report.add(
        g,
        path,
        e.at,
        "dropped",
        `the container's start command (${brief(e.value)}): the managed resource has its own settings`,
      );
    } else if (e.key === "env_file") {
      report.add(
        g,
        path,
        e.at,
        "dropped",
        "the container image's settings; the managed resource has its own",
      );
    } else {
      report.add(
        g,
        path,
        e.at,
        "dropped",
        `a container setting; the managed resource replaces the container`,
      );
    }
  }
  if (r.owner) {
    r.owner.draft!.set(`resources.${r.name}`, settings);
    r.owner.draft!.push("uses", r.name);
  } else {
    shared.resources[r.name] = settings;
    shared.comments.set(`resources.${r.name}`, {
      text: `from services.${svc.key} (${imageBase(text(get(svc.node, "image"))!)}); used by ${list(users)}`,
    });
    for (const u of r.users) u.draft!.push("uses", r.name);
  }
}

interface VolumeUse {
  plan: Plan;
  volume: string;
  target: string;
  readOnly: boolean;
  path: string;
  at: Position;
  /** Declared `external: true`: its data was made outside the file. */
  external: boolean;
}

/** Reads every app service's volume mounts; rows for binds and anonymous volumes, uses of named volumes. */
function collectVolumes(p: ComposeProject, active: Plan[], report: Report): Map<string, VolumeUse[]> {
  const uses = new Map<string, VolumeUse[]>();
  const declared = get(p.root, "volumes");
  for (const x of active.filter((a) => a.role === "app")) {
    const vols = get(x.svc.node, "volumes");
    if (!isLSeq(vols)) continue;
    vols.items.forEach((item, i) => {
      const path = `${x.group}.volumes[${i}]`;
      const m = parseMount(item);
      if (!m) {
        report.add(x.group, path, item, "dropped", `not a mount Compose writes (${brief(item)})`);
        return;
      }
      if (m.type === "bind") {
        const file = /\.[a-z0-9]{1,6}$/i.test(m.source ?? "") && !/(^|\/)\.?$/.test(m.source ?? "");
        if (m.source === "/var/run/docker.sock")
          report.add(
            x.group,
            path,
            item,
            "decide",
            "the Docker socket: Fargate has none; the app must do without it",
          );
        else if (file)
          report.add(
            x.group,
            path,
            item,
            "decide",
            `a host file (${m.source} → ${m.target}): copy it into the image (\`COPY\` in the Dockerfile), or pass its values as environment`,
          );
        else
          report.add(
            x.group,
            path,
            item,
            "dropped",
            `a bind mount of host files (${m.source} → ${m.target}): on ECS the image carries the code; the pipeline builds it`,
          );
        return;
      }
      if (m.type === "tmpfs") {
        report.add(x.group, path, item, "decide", DROPPED.tmpfs![1]);
        return;
      }
      if (!m.source) {
        report.add(
          x.group,
          path,
          item,
          "dropped",
          `an anonymous volume (${m.target}): it kept the image's files under a bind mount; not needed without the bind mount`,
        );
        return;
      }
      const decl = isLMap(declared) ? get(declared, m.source) : undefined;
      const external = get(decl, "external");
      const isExternal =
        external?.kind === "scalar" && (external.value === true || external.value === "true");
      const list = uses.get(m.source) ?? [];
      list.push({
        plan: x,
        volume: m.source,
        target: m.target,
        readOnly: m.readOnly,
        path,
        at: item,
        external: isExternal,
      });
      uses.set(m.source, list);
    });
  }
  // Top-level volumes: each one's fate.
  if (isLMap(declared)) {
    for (const e of declared.entries) {
      const users = uses.get(e.key);
      const dataUser = active.find(
        (a) =>
          (a.role === "data" || a.role === "unsupported") &&
          isLSeq(get(a.svc.node, "volumes")) &&
          (get(a.svc.node, "volumes") as { items: LNode[] }).items.some(
            (i) => parseMount(i)?.source === e.key,
          ),
      );
      if (users) continue; // reported when placed
      report.add(
        "top level",
        `volumes.${e.key}`,
        e.at,
        "dropped",
        dataUser
          ? dataUser.role === "data"
            ? `the data of ${dataUser.svc.key}, which becomes a managed resource (it keeps its own data)`
            : `the data of ${dataUser.svc.key}, which is not imported`
          : "no imported service mounts it",
      );
    }
  }
  return uses;
}

/** A mount in short (`src:target:ro`) or long (`{ type, source, target, read_only }`) syntax. */
function parseMount(
  item: LNode,
): { type: "volume" | "bind" | "tmpfs"; source?: string; target: string; readOnly: boolean } | undefined {
  if (isLMap(item)) {
    const type = text(get(item, "type")) ?? "volume";
    const target = text(get(item, "target"));
    if (!target) return undefined;
    const source = text(get(item, "source"));
    const ro = get(item, "read_only");
    return {
      type: type === "bind" ? "bind" : type === "tmpfs" ? "tmpfs" : "volume",
      ...(source ? { source } : {}),
      target,
      readOnly: ro?.kind === "scalar" && (ro.value === true || ro.value === "true"),
    };
  }
  const s = text(item);
  if (!s) return undefined;
  const parts = s.split(":");
  if (parts.length === 1) return { type: "volume", target: parts[0]!, readOnly: false };
  const [source, target, mode] = parts as [string, string, string | undefined];
  const bind = /^[./~]/.test(source) || source.startsWith("$");
  return { type: bind ? "bind" : "volume", source, target, readOnly: (mode ?? "").split(",").includes("ro") };
}

function placeVolumes(
  uses: Map<string, VolumeUse[]>,
  report: Report,
  shared: SharedDraft,
  declared: LNode | undefined,
): void {
  const taken = new Set<string>();
  for (const [volume, list_] of uses) {
    const services = [...new Set(list_.map((u) => u.plan))];
    let name = resourceName(volume) ?? "files";
    for (const s of services) {
      const res = s.draft!.get("resources") as Record<string, unknown> | undefined;
      if (res?.[name] || shared.resources[name]) name = resourceName(`${name}-files`) ?? name;
    }
    while (taken.has(name)) name = `${name.slice(0, 14)}-v`;
    taken.add(name);
    const targets = [...new Set(list_.map((u) => u.target))];
    const settings: Record<string, unknown> = { type: "volume" };
    if (targets.length === 1) settings.path = targets[0];
    const owner = services.length === 1 ? services[0]! : undefined;
    if (owner) owner.draft!.set(`resources.${name}`, settings);
    else {
      shared.resources[name] = settings;
      shared.comments.set(`resources.${name}`, {
        text: `the compose volume ${volume}, used by ${list(services.map((s) => s.name))}`,
      });
    }
    for (const u of list_) {
      const readOnly = list_.filter((x) => x.plan === u.plan).every((x) => x.readOnly);
      u.plan.draft!.push("uses", readOnly ? { [name]: "read" } : name);
      const where = owner ? `resources.${name}` : `\`berth.shared.yaml\` resources.${name}`;
      let detail = `an EFS volume resource: ${where} (type volume${targets.length === 1 ? `, path ${targets[0]}` : ""}), \`uses: ${readOnly ? `{ ${name}: read }` : name}\`; copy existing data to it (AWS DataSync)`;
      let status: Status = volume === name ? "mapped" : "changed";
      if (targets.length > 1) {
        status = "decide";
        detail += `; the services mount it at ${list(targets)}, but a volume has one path: choose it`;
      }
      if (volume !== name) detail += ` (renamed from ${volume}: ${RESOURCE_NAME_RULE})`;
      if (u.external) {
        status = "decide";
        detail +=
          "; the volume is external (its data was made outside this file): the new EFS volume starts empty, copy the data over";
      }
      report.add(u.plan.group, u.path, u.at, status, detail);
    }
    const decl = isLMap(declared) ? entry(declared, volume) : undefined;
    report.add(
      "top level",
      `volumes.${volume}`,
      decl?.at,
      volume === name ? "mapped" : "changed",
      `the volume resource \`${name}\` (${owner ? `owned by ${owner.name}` : `shared by ${list(services.map((s) => s.name))}`})`,
    );
  }
}

function mapApp(
  x: Plan,
  p: ComposeProject,
  report: Report,
  opts: MapOptions,
  refsOf: Map<EnvVar, { plan: Plan; port?: number; host: string }[]>,
  where: Position | undefined,
): void {
  const d = x.draft!;
  const g = x.group;
  const svc = x.svc;
  const node = svc.node;
  const kind = x.kind!;
  report.note(g, where, x.kindStatus!, `kind ${kind}: ${x.kindWhy}`);
  if (x.renamed) report.note(g, where, "changed", `\`name: ${x.name}\`: ${x.renamed}`);
  const row = (key: string, e: { at: Position }, status: Status, detail: string) =>
    report.add(g, `${g}.${key}`, e.at, status, detail);
  const dirOf = (n: Position) => p.dirs.get(n.file) ?? p.dir;
  const serviceDir = opts.serviceDir(x.name);
  const size: { cpu?: number; memory?: number; rows: { path: string; at: Position; what: string }[] } = {
    rows: [],
  };
  let health: { command?: string } = {};

  for (const e of node.entries) {
    const k = e.key;
    const v = e.value;
    switch (k) {
      case "image": {
        if (get(node, "build"))
          row(
            k,
            e,
            "dropped",
            "names the image built locally; the pipeline builds from `build` and tags it with the commit",
          );
        else {
          const image = text(v);
          d.set("image", image);
          if (image === undefined || pinnedImage(image)) row(k, e, "mapped", `\`image: ${image}\``);
          else row(k, e, "decide", `\`image: ${image}\` is a tag${allowTag(d, image)}`);
        }
        break;
      }
      case "build":
        mapBuild(e);
        break;
      case "command":
      case "entrypoint": {
        if (v.kind === "scalar" && v.value === null) {
          row(k, e, "dropped", `null: the image's ${k === "command" ? "CMD" : "ENTRYPOINT"} applies`);
          break;
        }
        const words = isLSeq(v) ? v.items.map((i) => text(i) ?? "") : shellWords(text(v) ?? "");
        if (!words) {
          row(k, e, "decide", `\`${text(v)}\` has a quote that is never closed: write it as a list`);
        } else if (words.length === 0) {
          row(
            k,
            e,
            "decide",
            `empty: it clears the image's ${k === "command" ? "CMD" : "ENTRYPOINT"}, which a manifest cannot: change the Dockerfile`,
          );
        } else {
          d.set(k, words);
          row(
            k,
            e,
            "mapped",
            `\`${k}: ${JSON.stringify(words)}\`${v.kind === "scalar" ? " (split into words as Compose does; no shell)" : ""}`,
          );
        }
        break;
      }
      case "environment":
      case "env_file":
        break; // below, from the merged environment
      case "ports":
        mapPorts(e);
        break;
      case "expose":
        mapExpose(e);
        break;
      case "healthcheck":
        mapHealth(e);
        break;
      case "deploy":
        mapDeploy(e);
        break;
      case "cpus": {
        const cpus = Number(text(v));
        if (Number.isFinite(cpus)) {
          size.cpu = Math.round(cpus * 1024);
          size.rows.push({ path: `${g}.${k}`, at: e.at, what: `${cpus} CPU` });
        } else row(k, e, "dropped", `\`${text(v)}\` is not a number of CPUs`);
        break;
      }
      case "mem_limit": {
        const mib = mebibytes(text(v) ?? "");
        if (mib !== undefined) {
          size.memory = mib;
          size.rows.push({ path: `${g}.${k}`, at: e.at, what: `${text(v)} memory` });
        } else row(k, e, "dropped", `\`${text(v)}\` is not a byte value (512m, 1g)`);
        break;
      }
      case "scale": {
        mapCount(`${g}.${k}`, e.at, text(v));
        break;
      }
      case "depends_on":
      case "links": {
        for (const dep of dependencies(svc).filter((x_) => x_.path.startsWith(`${g}.${k}`))) {
          const target = p.services.find((s) => hostNames(s).includes(dep.name));
          const data = target ? dataKind(target) : undefined;
          if (data && (data.kind === "postgres" || data.kind === "cache")) {
            report.add(
              g,
              dep.path,
              dep.at,
              "dropped",
              `${dep.name} becomes a managed resource (\`uses\`), available before the service starts: no start order needed`,
            );
          } else {
            report.add(
              g,
              dep.path,
              dep.at,
              "dropped",
              `start order is not needed on ECS: each service starts on its own, so ${x.name} must retry its connections to ${dep.name} until it answers`,
            );
          }
        }
        break;
      }
      case "volumes":
        break; // collectVolumes reported each mount
      case "labels":
        mapLabels(e);
        break;
      case "stop_grace_period": {
        const s = seconds(text(v));
        if (s === undefined) {
          row(k, e, "dropped", `\`${text(v)}\` is not a duration`);
          break;
        }
        const c = clamp(s, 2, 120, "stop grace period (seconds)");
        d.set("stopTimeoutSeconds", c.value);
        row(
          k,
          e,
          c.note ? "changed" : "mapped",
          `\`stopTimeoutSeconds: ${c.value}\`${c.note ? ` (${c.note}: ECS's stop timeout is 2 to 120 s)` : ""}`,
        );
        break;
      }
      case "stop_signal": {
        const sig = text(v);
        if (sig === "SIGTERM")
          row(k, e, "mapped", "ECS stops tasks with SIGTERM, then SIGKILL after `stopTimeoutSeconds`");
        else
          row(
            k,
            e,
            "decide",
            `ECS sends the image's STOPSIGNAL (SIGTERM by default): add \`STOPSIGNAL ${sig}\` to the Dockerfile`,
          );
        break;
      }
      case "read_only": {
        const ro = v.kind === "scalar" && (v.value === true || v.value === "true");
        if (ro) row(k, e, "mapped", "Berth always runs tasks with a read-only root file system");
        else
          row(
            k,
            e,
            "decide",
            "Berth runs every task with a read-only root file system: the app may write only to /tmp-like volumes (a volume resource)",
          );
        break;
      }
      case "platform": {
        const plat = text(v) ?? "";
        if (/amd64|x86_64/.test(plat)) {
          d.set("architecture", "X86_64", "the compose file pins linux/amd64");
          row(k, e, "mapped", "`architecture: X86_64`");
        } else if (/arm64|aarch64/.test(plat)) row(k, e, "mapped", "ARM64, Berth's default architecture");
        else row(k, e, "decide", `${plat}: Berth runs Linux on ARM64 or X86_64`);
        break;
      }
      case "profiles":
        row(k, e, "mapped", "no profile: always active");
        break;
      case "extends":
        row(
          k,
          e,
          "mapped",
          `merged with ${svc.extended}: the keys it brings are listed with this service (at their own lines)`,
        );
        break;
      case "secrets":
        mapComposeSecrets(e);
        break;
      default: {
        const known = DROPPED[k];
        if (k.startsWith("x-")) row(k, e, "dropped", "an extension field");
        else if (known) row(k, e, known[0], known[1]);
      }
    }
  }

  mapEnvironment();
  if (size.cpu !== undefined || size.memory !== undefined) {
    const fit = fargateFit(size.cpu, size.memory);
    d.set("cpu", fit.cpu);
    d.set("memory", fit.memory, fit.note ? fit.note : undefined);
    for (const r of size.rows) {
      report.add(
        g,
        r.path,
        r.at,
        fit.note ? "changed" : "mapped",
        `\`cpu: ${fit.cpu}\`, \`memory: ${fit.memory}\` from ${r.what}${fit.note ? `: ${fit.note}` : ""}`,
      );
    }
  }
  if (kind === "web" || kind === "internal") {
    if (x.port === undefined) {
      x.port = portFromReferences() ?? 8080;
      if (kind === "internal") {
        const fromRef = portFromReferences();
        report.note(
          g,
          where,
          fromRef ? "mapped" : "decide",
          fromRef
            ? `port ${fromRef}, the port other services use in their URLs`
            : "no port is exposed or named by its callers: port 8080 (Berth's default); check the app listens on it",
        );
      }
    }
    d.set("port", x.port);
  }
  if (kind === "job" && d.get("schedule") === undefined) {
    d.set(
      "schedule",
      PLACEHOLDER_SCHEDULE,
      "TODO: a placeholder that never runs before 2199; set the job's real schedule (see the import report)",
    );
    report.note(
      g,
      where,
      "decide",
      `no schedule could be read (no \`*.schedule\` label or SCHEDULE variable): the manifest has the placeholder \`${PLACEHOLDER_SCHEDULE}\`, which never runs before 2199; set the real schedule${/beat/i.test(svc.key) ? " (a Celery beat service keeps its schedule in the app: make each periodic task a job, or run beat as a worker)" : ""}`,
    );
  }

  function portFromReferences(): number | undefined {
    for (const [, refs] of refsOf) for (const r of refs) if (r.plan === x && r.port) return r.port;
    return undefined;
  }

  function mapBuild(e: LEntry): void {
    const v = e.value;
    const base = dirOf(v);
    if (v.kind === "scalar") {
      const ctx = text(v) ?? ".";
      if (/^(https?|git)[:@]/.test(ctx)) {
        row(
          "build",
          e,
          "decide",
          `a remote build context (${ctx}): the pipeline builds from this repository; vendor the code or build the image elsewhere and give \`image\``,
        );
        return;
      }
      const paths = buildPaths(serviceDir, resolve(base, ctx), resolve(base, ctx, "Dockerfile"));
      setBuild(paths);
      row(
        "build",
        e,
        "mapped",
        `\`build: { context: ${paths.context}${paths.dockerfile === "Dockerfile" ? "" : `, dockerfile: ${paths.dockerfile}`} }\` (paths relative to the service's folder)`,
      );
      return;
    }
    if (!isLMap(v)) return;
    const ctx = text(get(v, "context")) ?? ".";
    if (/^(https?|git)[:@]/.test(ctx)) {
      row(
        "build",
        e,
        "decide",
        `a remote build context (${ctx}): the pipeline builds from this repository; vendor the code or build the image elsewhere and give \`image\``,
      );
      return;
    }
    const contextAbs = resolve(base, ctx);
    const dockerfile = text(get(v, "dockerfile")) ?? "Dockerfile";
    const paths = buildPaths(serviceDir, contextAbs, resolve(contextAbs, dockerfile));
    setBuild(paths);
    for (const b of v.entries) {
      const path = `build.${b.key}`;
      switch (b.key) {
        case "context":
          row(path, b, "mapped", `\`build.context: ${paths.context}\` (relative to the service's folder)`);
          break;
        case "dockerfile":
          row(
            path,
            b,
            "mapped",
            `\`build.dockerfile: ${paths.dockerfile}\` (relative to the service's folder; Compose's is relative to the context)`,
          );
          break;
        case "target":
          d.set("build.target", text(b.value));
          row(path, b, "mapped", `\`build.target: ${text(b.value)}\``);
          break;
        case "args": {
          const m = asMap(b.value);
          for (const a of m?.entries ?? []) {
            const apath = `build.args.${a.key}`;
            if (secretName(a.key))
              row(
                apath,
                a,
                "decide",
                "a secret as a build argument stays in the image's history: pass it as a BuildKit secret instead; not copied",
              );
            else if (text(a.value) === undefined)
              row(
                apath,
                a,
                "decide",
                "no value (Compose takes it from the environment): give it one in `build.args`",
              );
            else {
              d.set(`build.args.${a.key}`, text(a.value));
              row(apath, a, "mapped", `\`build.args.${a.key}: "${text(a.value)}"\``);
            }
          }
          break;
        }
        case "dockerfile_inline":
          row(path, b, "decide", "an inline Dockerfile: write it to a file next to the manifest");
          break;
        case "platforms":
          row(path, b, "dropped", "the pipeline builds for the service's `architecture`");
          break;
        case "cache_from":
        case "cache_to":
        case "no_cache":
        case "pull":
          row(path, b, "dropped", "the pipeline manages the build cache");
          break;
        case "tags":
        case "labels":
          row(path, b, "dropped", "the pipeline tags the image with the commit and records its digest");
          break;
        case "secrets":
        case "ssh":
          row(
            path,
            b,
            "decide",
            "build secrets: the pipeline's build has none yet; build without them or ask for them in the delivery",
          );
          break;
        default:
          row(path, b, "dropped", "a local build setting; the pipeline's build does not use it");
      }
    }
  }

  function setBuild(paths: { context: string; dockerfile: string }): void {
    if (paths.context !== ".") d.set("build.context", paths.context);
    if (paths.dockerfile !== "Dockerfile") d.set("build.dockerfile", paths.dockerfile);
    if (paths.context === "." && paths.dockerfile === "Dockerfile") d.set("build", {});
  }

  function mapPorts(e: LEntry): void {
    if (!isLSeq(e.value)) return;
    e.value.items.forEach((item, i) => {
      const path = `ports[${i}]`;
      const port = parsePort(item);
      if (!port) {
        row(path, { at: item }, "dropped", `not a port mapping (${brief(item)})`);
        return;
      }
      if (kind !== "web") {
        row(
          path,
          { at: item },
          "dropped",
          `a ${kind} takes no inbound traffic: ${kind === "job" ? "it runs and exits" : "it consumes its queue"}`,
        );
        return;
      }
      if (port.protocol === "udp") {
        row(path, { at: item }, "decide", "UDP: the load balancer forwards HTTP only");
        return;
      }
      if (x.port === undefined) {
        x.port = port.target;
        if (port.published) x.published = port.published;
        const host =
          port.published && port.published !== String(port.target)
            ? ` (published on host port ${port.published} locally; the load balancer listens on 80/443)`
            : "";
        row(
          path,
          { at: item },
          "mapped",
          `\`port: ${port.target}\`${port.target === 8080 ? " (Berth's default)" : ""}: the load balancer sends its traffic there${host}${port.range ? `; a range: only ${port.target} is served` : ""}`,
        );
      } else {
        row(
          path,
          { at: item },
          "decide",
          `a second port (${port.target}): a web service serves one port through the load balancer; serve it on ${x.port} or split it into another service`,
        );
      }
    });
  }

  function mapExpose(e: LEntry): void {
    if (!isLSeq(e.value)) return;
    e.value.items.forEach((item, i) => {
      const path = `expose[${i}]`;
      const n = Number((text(item) ?? "").split(/[-/]/)[0]);
      if (!Number.isInteger(n) || n < 1) {
        row(path, { at: item }, "dropped", `not a port (${brief(item)})`);
      } else if ((kind === "internal" || kind === "web") && x.port === undefined) {
        x.port = n;
        row(
          path,
          { at: item },
          "mapped",
          `\`port: ${n}\`: callers reach it at http://${x.name}:${n} (Service Connect)`,
        );
      } else if ((kind === "internal" || kind === "web") && n === x.port) {
        row(path, { at: item }, "mapped", `the service's port (${n})`);
      } else if (kind === "internal" || kind === "web") {
        row(
          path,
          { at: item },
          "decide",
          `another port (${n}): a service serves one port; serve it on ${x.port ?? 8080} or split it into another service`,
        );
      } else {
        row(path, { at: item }, "dropped", `a ${kind} takes no inbound traffic`);
      }
    });
  }

  function mapHealth(e: LEntry): void {
    const hc = e.value;
    if (!isLMap(hc)) return;
    const test = get(hc, "test");
    const disabled = get(hc, "disable");
    const noCheck =
      (disabled?.kind === "scalar" && (disabled.value === true || disabled.value === "true")) ||
      (isLSeq(test) && text(test.items[0]) === "NONE");
    if (noCheck) {
      row(
        "healthcheck",
        e,
        "dropped",
        "disabled: no container check (the image's HEALTHCHECK is not used by ECS either)",
      );
      return;
    }
    let command: string[] | undefined;
    if (isLSeq(test)) {
      const words = test.items.map((i) => text(i) ?? "");
      if (words[0] === "CMD" || words[0] === "CMD-SHELL") command = words;
      else command = ["CMD", ...words];
    } else if (text(test)) command = ["CMD-SHELL", text(test)!];
    if (command) health = { command: command.slice(1).join(" ") };
    if (health.command && kind === "web") {
      const path = /https?:\/\/(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?::\d+)?(\/[^\s"'|;&]*)?/.exec(
        health.command,
      )?.[1];
      if (path && /^\/[A-Za-z0-9\-._~/%?=&]*$/.test(path)) {
        d.set("healthCheck.path", path, "the URL of the compose health check: the load balancer checks it");
      }
    }
    const f = (key: string) => {
      const n = entry(hc, key);
      return n && text(n.value) !== undefined
        ? { value: text(n.value)!, path: `${g}.healthcheck.${key}`, at: n.at }
        : undefined;
    };
    const testEntry = entry(hc, "test");
    mapHealthCheck(d, report, g, {
      ...(command && testEntry
        ? { command: { value: command, path: `${g}.healthcheck.test`, at: testEntry.at } }
        : {}),
      ...(f("interval") ? { interval: f("interval")! } : {}),
      ...(f("timeout") ? { timeout: f("timeout")! } : {}),
      ...(f("retries") ? { retries: f("retries")! } : {}),
      ...(f("start_period") ? { startPeriod: f("start_period")! } : {}),
    });
    const si = entry(hc, "start_interval");
    if (si)
      row(
        "healthcheck.start_interval",
        si,
        "dropped",
        "ECS checks at one interval, also during the start period",
      );
    if (disabled) row("healthcheck.disable", { at: hc }, "mapped", "false: the check runs");
  }

  function mapCount(path: string, at: Position, value: string | undefined): void {
    const n = Number(value);
    if (kind === "job") {
      report.add(g, path, at, "dropped", "a job runs one task per schedule");
      return;
    }
    if (!Number.isInteger(n) || n < 0) {
      report.add(g, path, at, "dropped", `\`${value}\` is not a number of tasks`);
      return;
    }
    const c = clamp(n, 0, 1000, "replicas");
    d.set("count", c.value);
    report.add(
      g,
      path,
      at,
      c.note ? "changed" : "mapped",
      `\`count: ${c.value}\`${n === 1 ? " (Berth's default)" : ""}${c.note ? ` (${c.note})` : ""}`,
    );
  }

  function mapDeploy(e: LEntry): void {
    if (!isLMap(e.value)) return;
    for (const de of e.value.entries) {
      const path = `${g}.deploy.${de.key}`;
      switch (de.key) {
        case "replicas":
          mapCount(path, de.at, text(de.value));
          break;
        case "mode":
          if (text(de.value) === "global")
            report.add(
              g,
              path,
              de.at,
              "decide",
              "global mode (one task per node): Fargate has no nodes; set `count`",
            );
          else report.add(g, path, de.at, "mapped", "replicated: ECS keeps `count` tasks");
          break;
        case "resources": {
          if (!isLMap(de.value)) break;
          for (const re of de.value.entries) {
            const rpath = `${path}.${re.key}`;
            if (re.key === "limits" && isLMap(re.value)) {
              for (const le of re.value.entries) {
                const lpath = `${rpath}.${le.key}`;
                if (le.key === "cpus") {
                  const cpus = Number(text(le.value));
                  if (Number.isFinite(cpus) && cpus > 0) {
                    size.cpu = Math.round(cpus * 1024);
                    size.rows.push({ path: lpath, at: le.at, what: `a limit of ${text(le.value)} CPU` });
                  } else
                    report.add(g, lpath, le.at, "dropped", `\`${text(le.value)}\` is not a number of CPUs`);
                } else if (le.key === "memory") {
                  const mib = mebibytes(text(le.value) ?? "");
                  if (mib !== undefined) {
                    size.memory = mib;
                    size.rows.push({ path: lpath, at: le.at, what: `a limit of ${text(le.value)} memory` });
                  } else
                    report.add(
                      g,
                      lpath,
                      le.at,
                      "dropped",
                      `\`${text(le.value)}\` is not a byte value (512M, 1G)`,
                    );
                } else
                  report.add(
                    g,
                    lpath,
                    le.at,
                    "dropped",
                    "Fargate limits a task by its size (cpu, memory) only",
                  );
              }
            } else if (re.key === "reservations") {
              report.add(
                g,
                rpath,
                re.at,
                "dropped",
                "Fargate reserves the whole task size (`cpu`, `memory`)",
              );
            } else report.add(g, rpath, re.at, "dropped", "not a Fargate setting");
          }
          break;
        }
        case "restart_policy":
          report.add(
            g,
            path,
            de.at,
            "dropped",
            "ECS replaces a service's stopped tasks; a job retries with `retries`",
          );
          break;
        case "update_config":
        case "rollback_config":
          report.add(
            g,
            path,
            de.at,
            "dropped",
            "Berth rolls out with ECS's rolling deployment (new tasks first), a circuit breaker and alarm rollback",
          );
          break;
        case "placement":
          report.add(
            g,
            path,
            de.at,
            "dropped",
            "Fargate places tasks across the environment's availability zones",
          );
          break;
        case "labels":
          report.add(g, path, de.at, "dropped", "Berth tags AWS resources itself");
          break;
        case "endpoint_mode":
          report.add(g, path, de.at, "dropped", "Service Connect balances calls between tasks");
          break;
        default:
          report.add(g, path, de.at, "dropped", "not read by the importer: Berth has no equivalent");
      }
    }
  }

  function mapLabels(e: LEntry): void {
    const schedule = scheduleOf(svc);
    const m = asMap(e.value);
    for (const l of m?.entries ?? []) {
      const path = `${g}.labels.${l.key}`;
      if (schedule && schedule.path === path) {
        if (kind !== "job") {
          report.add(
            g,
            path,
            l.at,
            "dropped",
            `a schedule, but the service runs all the time (kind ${kind})`,
          );
          continue;
        }
        mapSchedule(schedule.value, path, l.at);
      } else if (/^traefik\.http\.routers\.[^.]+\.rule$/.test(l.key) && text(l.value)) {
        mapTraefikRule(text(l.value)!, path, l.at);
      } else if (/^traefik\./.test(l.key)) {
        report.add(
          g,
          path,
          l.at,
          "dropped",
          "Traefik's settings: the shared load balancer routes by `http.hosts` and `http.paths`",
        );
      } else report.add(g, path, l.at, "dropped", "Berth tags AWS resources itself; labels are not copied");
    }
  }

  /** A Traefik router rule's hosts and path prefixes (`Host(\`a.example\`) && PathPrefix(\`/api\`)`) as `http`. */
  function mapTraefikRule(rule: string, path: string, at: Position): void {
    const args = (fn: string) =>
      [...rule.matchAll(new RegExp(`\\b${fn}\\(([^)]*)\\)`, "g"))].flatMap((m) =>
        [...m[1]!.matchAll(/[`"']([^`"']+)[`"']/g)].map((a) => a[1]!),
      );
    const hosts = args("Host");
    const paths = args("PathPrefix").map((p_) =>
      p_.endsWith("/") ? `${p_}*` : `${p_}*`.replace(/\*$/, "/*"),
    );
    const exact = args("Path");
    const all = [...paths, ...exact];
    if (kind !== "web" || (!hosts.length && !all.length) || /\|\||!/.test(rule)) {
      report.add(
        g,
        path,
        at,
        kind === "web" ? "decide" : "dropped",
        `the Traefik rule \`${rule}\`: ${kind === "web" ? "set `http.hosts` and `http.paths` by hand" : `a ${kind} takes no requests`}`,
      );
      return;
    }
    const http: Record<string, string[]> = {};
    if (hosts.length) http.hosts = hosts.slice(0, 3);
    if (all.length) http.paths = all.slice(0, 3);
    d.set("http", http, "from the Traefik rule");
    report.add(
      g,
      path,
      at,
      "mapped",
      `\`http: ${JSON.stringify(http)}\` (the shared load balancer routes these hosts and paths, as the Traefik rule did)`,
    );
  }

  function mapSchedule(value: string, path: string, at: Position): void {
    const c = toEventBridge(value);
    if ("expression" in c) {
      d.set(
        "schedule",
        c.expression,
        c.expression === value ? undefined : `${value} in EventBridge Scheduler's syntax (UTC)`,
      );
      report.add(
        g,
        path,
        at,
        c.note ? "changed" : "mapped",
        `\`schedule: ${c.expression}\`${c.expression === value ? "" : ` (${value} in EventBridge Scheduler's syntax, UTC${c.note ? `; ${c.note}` : ""})`}`,
      );
    } else {
      d.set(
        "schedule",
        PLACEHOLDER_SCHEDULE,
        `TODO: ${value} could not be converted; a placeholder that never runs before 2199`,
      );
      report.add(
        g,
        path,
        at,
        "decide",
        `${c.problem}: the manifest has the placeholder \`${PLACEHOLDER_SCHEDULE}\` (never runs before 2199); write the schedule in EventBridge's syntax`,
      );
    }
  }

  function mapComposeSecrets(e: LEntry): void {
    if (!isLSeq(e.value)) return;
    const declared = get(p.root, "secrets");
    e.value.items.forEach((item, i) => {
      const source = isLMap(item) ? text(get(item, "source")) : text(item);
      const target = (isLMap(item) ? text(get(item, "target")) : undefined) ?? source;
      if (!source || !target) return;
      const variable = target
        .replace(/^.*\//, "")
        .replace(/[^A-Za-z0-9_]/g, "_")
        .toUpperCase();
      const decl = get(declared, source);
      const file = text(get(decl, "file"));
      const envSource = text(get(decl, "environment"));
      const name = `/berth/<env>/${x.name}/${variable.toLowerCase().replace(/_/g, "-")}`;
      d.set(`secrets.${variable}`, { ssm: name });
      report.secrets.push({
        name,
        store: "SSM Parameter Store (SecureString)",
        service: x.name,
        variable,
        from: file
          ? `the file ${file}`
          : envSource
            ? `the variable ${envSource}`
            : `the compose secret ${source}`,
      });
      report.add(
        g,
        `${g}.secrets[${i}]`,
        item,
        "decide",
        `\`secrets.${variable}: { ssm: ${name} }\`: Compose mounted it as the file /run/secrets/${target}; Berth gives it as the variable ${variable}: read the variable (or write the file from it in the entrypoint)`,
      );
      const topPath = `secrets.${source}`;
      if (!report.covers(topPath) && isLMap(declared)) {
        const de = entry(declared, source);
        report.add(
          "top level",
          topPath,
          de?.at,
          "changed",
          `the value goes to SSM Parameter Store (see Secrets to create); ${file ? `the file ${file} is not read` : "not copied"}`,
        );
      }
    });
  }

  function mapEnvironment(): void {
    for (const { replaced, by } of svc.overridden) {
      report.add(
        g,
        replaced.path,
        replaced.at,
        "dropped",
        `set again by ${by.path.replace(`${g}.`, "")}, which wins`,
      );
    }
    for (const f of svc.envFiles) {
      report.add(
        g,
        f.path,
        f.at,
        f.missing ? "dropped" : "mapped",
        f.missing
          ? `${f.file} does not exist; it is optional (required: false)`
          : `read ${f.file}: its variables are listed as ${f.path.replace(`${g}.`, "")}.<NAME>`,
      );
    }
    if (!entry(node, "environment") && !entry(node, "env_file")) return;
    const rewired = new Map<Plan, string[]>();
    const schedule = scheduleOf(svc);
    for (const v of svc.env) {
      const at = v.at;
      const vrow = (status: Status, detail: string) => report.add(g, v.path, at, status, detail);
      if (schedule?.path === v.path) {
        if (kind === "job") mapSchedule(schedule.value, v.path, at);
        else vrow("dropped", `a schedule, but the service runs all the time (kind ${kind})`);
        continue;
      }
      if (isAwsCredential(v.name)) {
        vrow("dropped", "AWS credentials are never copied: the task role gives the service its AWS access");
        continue;
      }
      if (v.value === undefined) {
        vrow(
          "decide",
          "no value at import time (Compose takes it from the shell it runs in): give it a value in `environment`, or a secret",
        );
        continue;
      }
      const refs = refsOf.get(v) ?? [];
      const dataRef = refs.find((r) => r.plan.role === "data" && r.plan.resource?.users.includes(x));
      const conv = dataRef ? undefined : conventionalDataVar(v.name);
      if (dataRef || conv) {
        const target = dataRef?.plan ?? conv!.plan;
        rewireData(v, target, conv?.part);
        rewired.set(target, [...(rewired.get(target) ?? []), v.name]);
        continue;
      }
      if (refs.some((r) => r.plan.role === "unsupported")) {
        const t = refs.find((r) => r.plan.role === "unsupported")!.plan;
        if (secretName(v.name) || credentialsInUrl(v.value))
          moveToSecrets(
            d,
            report,
            { group: g, path: v.path, at },
            v.name,
            `points at ${t.svc.key} (not imported)`,
            `the value at ${fmtLine(v.at)}`,
          );
        else {
          d.set(`environment.${v.name}`, v.value);
          d.origins.set(v.name, v.path);
          vrow(
            "decide",
            `\`environment.${v.name}\` kept, but it points at ${t.svc.key}, which is not imported: set it to the address of its replacement`,
          );
        }
        continue;
      }
      if (!validEnvName(v.name)) {
        vrow("decide", `${v.name} is not a name ECS takes (letters, digits and _): rename it`);
        continue;
      }
      if (secretName(v.name) || credentialsInUrl(v.value)) {
        moveToSecrets(
          d,
          report,
          { group: g, path: v.path, at },
          v.name,
          secretName(v.name) ? "a secret by its name" : "a URL with a password in it",
          `the value at ${fmtLine(v.at)}${v.source ? ` (from ${v.source})` : ""}`,
        );
        continue;
      }
      let value = v.value;
      const notes: string[] = [];
      for (const r of refs.filter((r_) => r_.plan.role === "app")) {
        const t = r.plan;
        if (t.kind === "internal") {
          if (r.host !== t.name) {
            value = value.replace(
              new RegExp(`(^|://|@)${r.host.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?=$|[:/])`),
              `$1${t.name}`,
            );
            notes.push(`host ${r.host} renamed ${t.name} (its Service Connect name)`);
          }
          if (r.port && t.port !== undefined && r.port !== t.port)
            notes.push(`${t.name} listens on ${t.port}, not ${r.port}: check the port`);
          // A job gets no `calls` (a scheduled task has no Service Connect): the service's row says so.
          notes.push(
            x.kind === "job"
              ? `no \`calls\`: a scheduled task cannot reach ${t.name} through Service Connect (see the decision on the service)`
              : `\`calls: [${t.name}]\``,
          );
        } else if (t.kind === "web") {
          notes.push(
            `NEEDS: ${t.name} is a web service, reached through the load balancer's address, not by name: set the URL per environment`,
          );
        } else {
          notes.push(`NEEDS: ${t.name} is a ${t.kind} and takes no calls: change how ${x.name} reaches it`);
        }
      }
      d.set(`environment.${v.name}`, value);
      d.origins.set(v.name, v.path);
      const needs = notes.filter((n) => n.startsWith("NEEDS: ")).map((n) => n.slice(7));
      const info = notes.filter((n) => !n.startsWith("NEEDS: "));
      const from = v.source ? ` (the value of ${v.source} at import time)` : "";
      const status: Status = needs.length ? "decide" : value !== v.value ? "changed" : "mapped";
      vrow(
        status,
        `\`environment.${v.name}: ${JSON.stringify(value)}\`${from}${info.length ? `; ${info.join("; ")}` : ""}${needs.length ? `; ${needs.join("; ")}` : ""}`,
      );
    }
  }

  /** A variable named like a datastore's setting (DB_PORT, POSTGRES_USER, REDIS_PASSWORD) when the service uses one datastore of that kind. */
  function conventionalDataVar(name: string): { plan: Plan; part: string } | undefined {
    const m =
      /^(POSTGRES|POSTGRESQL|PG|DB|DATABASE|REDIS|CACHE|VALKEY)_?(HOST|HOSTNAME|SERVER|PORT|USER|USERNAME|PASSWORD|PASS|DB|NAME|DATABASE|SSLMODE|URL|URI|DSN)$/.exec(
        name,
      );
    if (!m) return undefined;
    const type = /^(REDIS|CACHE|VALKEY)$/.test(m[1]!) ? "cache" : "postgres";
    const used = [...x.reaches].filter(
      (t) => t.role === "data" && t.resource?.type === type && t.resource.users.includes(x),
    );
    if (used.length !== 1) return undefined;
    if (type === "cache" && (m[2] === "DB" || m[2] === "NAME" || m[2] === "DATABASE")) return undefined;
    return { plan: used[0]!, part: m[2]! };
  }

  function rewireData(v: EnvVar, t: Plan, part?: string): void {
    const r = t.resource!;
    const P = envPrefix(r.name);
    const pg = r.type === "postgres";
    const whole = pg
      ? [`${P}_HOST`, `${P}_PORT`, `${P}_NAME`, `${P}_SSLMODE`, `${P}_USER`, `${P}_PASSWORD`]
      : [`${P}_HOST`, `${P}_PORT`, `${P}_TLS`, `${P}_USER`, `${P}_CACHE_NAME`];
    const which =
      part ?? (/(HOST|HOSTNAME|SERVER)$/.test(v.name) && !v.value?.includes("://") ? "HOST" : "URL");
    const one: Record<string, string> = {
      HOST: `${P}_HOST`,
      HOSTNAME: `${P}_HOST`,
      SERVER: `${P}_HOST`,
      PORT: `${P}_PORT`,
      USER: `${P}_USER`,
      USERNAME: `${P}_USER`,
      PASSWORD: `${P}_PASSWORD`,
      PASS: `${P}_PASSWORD`,
      DB: `${P}_NAME`,
      NAME: `${P}_NAME`,
      DATABASE: `${P}_NAME`,
      SSLMODE: `${P}_SSLMODE`,
    };
    const replacement = one[which];
    const secretVars = pg ? [`${P}_USER`, `${P}_PASSWORD`] : [];
    const describe = (names: string[]) =>
      list(names.map((n) => `\`${n}\`${secretVars.includes(n) ? " (secret)" : ""}`));
    if (!pg && (which === "PASSWORD" || which === "PASS")) {
      report.add(
        g,
        v.path,
        v.at,
        "dropped",
        `the cache \`${r.name}\` uses IAM authentication (no password): the app signs in as \`${P}_USER\` with an IAM token for \`${P}_CACHE_NAME\`; never copied`,
      );
      return;
    }
    if (replacement) {
      const same = replacement === v.name;
      report.add(
        g,
        v.path,
        v.at,
        same ? "mapped" : "decide",
        same
          ? `injected by the link to \`${r.name}\` (${r.type}): ${describe([replacement])}; not written in the manifest`
          : `dropped: the link to \`${r.name}\` (${r.type}) injects ${describe([replacement])} instead: read that name in the app`,
      );
      return;
    }
    report.add(
      g,
      v.path,
      v.at,
      "decide",
      `dropped: the link to \`${r.name}\` (${r.type}) injects ${describe(whole)} instead of one URL${pg ? "" : " (TLS on, IAM authentication)"}: build the URL from them in the app (or its entrypoint)`,
    );
  }
}

/** A port mapping in short (`"8080:80"`, `"127.0.0.1:8001:8001/tcp"`, `3000`) or long syntax. */
function parsePort(
  item: LNode,
): { target: number; published?: string; protocol: string; range: boolean } | undefined {
  if (isLMap(item)) {
    const target = Number(text(get(item, "target")));
    if (!Number.isInteger(target)) return undefined;
    const published = text(get(item, "published"));
    return {
      target,
      ...(published ? { published } : {}),
      protocol: text(get(item, "protocol")) ?? "tcp",
      range: false,
    };
  }
  const s = text(item);
  if (!s) return undefined;
  const [spec, protocol = "tcp"] = s.split("/") as [string, string | undefined];
  const withoutIp = spec.replace(/^\[[^\]]*\]:/, "");
  const parts = withoutIp.split(":");
  const container = parts.at(-1)!;
  const published = parts.length >= 2 ? parts.at(-2) : undefined;
  const target = Number(container.split("-")[0]);
  if (!Number.isInteger(target) || target < 1) return undefined;
  return { target, ...(published ? { published } : {}), protocol, range: container.includes("-") };
}
