import { join, relative, resolve, sep } from "node:path";
import {
  type Catalogue,
  type CatalogueLink,
  type CatalogueResource,
  envPrefix,
  type SecretSource,
  type ServiceManifest,
  type VolumeResource,
} from "@berth/core";
import {
  bucketName,
  compare,
  elasticMqConfig,
  LOCAL_AWS_CREDENTIALS,
  LOCAL_NETWORK,
  type LocalQueue,
  linkVariables,
  queueOf,
  queueUrl,
  resourceContainer,
  S3_ENDPOINT,
  S3_SERVICE,
  SQS_PORT,
  SQS_SERVICE,
  s3Container,
  sqsContainer,
  VOLUMES_DIR,
  VOLUMES_SERVICE,
  volumePath,
  volumesContainer,
  waitFor,
} from "./local.js";
import type { BindMount, ComposeFile, ComposeService, DependsOn, KeyComment } from "./model.js";

/** What a compose file is generated from. */
export interface ComposeInput {
  catalogue: Catalogue;
  /** The environment whose manifests (overrides applied) and resources are used. */
  environment: string;
  /** The catalogue folder (`<repository>/apps`): a service's folder is `<appsDir>/<name>`. */
  appsDir: string;
  /** The folder the file is written to: build contexts are relative to it. */
  outDir: string;
  /** The environment's AWS region (ECS sets AWS_REGION; buckets report it). */
  region: string;
}

export interface ComposeResult {
  file: ComposeFile;
  comments: KeyComment[];
  /** The catalogue's services, by name (each one compose service of the same name). */
  apps: string[];
  /** The linked data resources that became local containers, by name. */
  resources: string[];
}

/** The catalogue cannot become one compose file (two containers would share a name). */
export class ComposeError extends Error {}

/** The first host port of web services (8080, 8081, … by name). */
export const FIRST_HOST_PORT = 8080;
/** A web or internal service's container port when the manifest gives none. */
export const DEFAULT_PORT = 8080;
/** The profile of jobs: compose has no scheduler, so jobs run on demand (`docker compose run`). */
export const JOBS_PROFILE = "jobs";
/** The value of a secret no `.env` file sets. */
export const SECRET_PLACEHOLDER = "placeholder";

/**
 * A compose file for running the catalogue's services of one environment locally: each service
 * with the environment a deployed task gets (its manifest's, the platform's and its links'),
 * and each linked data resource as a local container.
 *
 * @example
 * const { file } = composeFile({ catalogue, environment: "dev", appsDir, outDir: root, region: "us-east-1" });
 * file.services.orders.environment; // { DEPLOY_ENV: "dev", PORT: "8080", SERVICE_NAME: "orders", … }
 */
export function composeFile(input: ComposeInput): ComposeResult {
  const { catalogue, environment: env } = input;
  const comments: KeyComment[] = [];
  const services: Record<string, ComposeService> = {};
  const owners = new Map<string, string>();
  const claim = (name: string, what: string) => {
    const other = owners.get(name);
    if (other) {
      throw new ComposeError(
        `two containers would be named ${name}: ${other} and ${what}; compose needs one name per container, so rename one of them`,
      );
    }
    owners.set(name, what);
  };

  const apps = catalogue.services
    .map((s) => ({ name: s.name, m: s.environments[env]!, links: catalogue.links(s.name, env) }))
    .sort((a, b) => compare(a.name, b.name));
  const webPorts = new Map(
    apps.filter((a) => a.m.kind === "web").map((a, i) => [a.name, FIRST_HOST_PORT + i] as const),
  );
  const healthy = new Set(apps.filter((a) => a.m.healthCheck?.command).map((a) => a.name));
  const secretVariable = secretVariables(
    apps.map((a) => a.m),
    env,
  );

  // Linked resources and what the local helpers must hold.
  const linked = new Map<string, CatalogueResource>();
  const queues: LocalQueue[] = [];
  const buckets = new Set<string>();
  const volumes = new Map<string, VolumeResource>();
  for (const a of apps) {
    if (a.m.kind === "worker") queues.push(workerQueue(a.m));
    for (const l of a.links) {
      if (linked.has(l.name)) continue;
      linked.set(l.name, l);
      if (l.settings.type === "queue") queues.push(queueOf({ ...l, settings: l.settings }));
      if (l.settings.type === "bucket") buckets.add(bucketName(l.name));
      if (l.settings.type === "volume") volumes.set(l.name, l.settings);
    }
  }

  for (const a of apps) {
    claim(a.name, `the service ${a.name}`);
    const app = appService(a, input, { webPorts, healthy, secretVariable });
    services[a.name] = app.service;
    comments.push(...app.comments);
    if (a.m.release) {
      const name = `${a.name}-release`;
      claim(name, `the release task of ${a.name}`);
      // The service's task with the release command: its image, environment, volumes and resources.
      const task = structuredClone(app.service);
      const deps = Object.fromEntries(
        Object.entries(task.depends_on ?? {}).filter(([n]) => n !== name && !apps.some((o) => o.name === n)),
      );
      services[name] = {
        ...(task.build ? { build: task.build } : { image: task.image! }),
        command: a.m.release.command.map(literal),
        ...(task.entrypoint ? { entrypoint: task.entrypoint } : {}),
        environment: task.environment!,
        ...(task.volumes ? { volumes: task.volumes } : {}),
        ...(Object.keys(deps).length ? { depends_on: deps } : {}),
        deploy: task.deploy!,
        restart: "no",
        "x-berth": { releaseOf: a.name },
      };
      comments.push({
        path: ["services", name],
        before: ` ${a.name}'s release task (${a.m.release.command.join(" ")}): it runs to completion before ${a.name} starts, as a deploy runs it before the rollout`,
      });
    }
    for (const sidecar of a.m.sidecars ?? []) {
      const name = `${a.name}-${sidecar.name}`;
      claim(name, `the sidecar ${sidecar.name} of ${a.name}`);
      const environment = sorted({
        ...mapValues(sidecar.environment ?? {}, literal),
        ...secretValues(sidecar.secrets, secretVariable, env, name, comments),
      });
      services[name] = {
        image: sidecar.image,
        ...(sidecar.command ? { command: sidecar.command.map(literal) } : {}),
        ...(Object.keys(environment).length ? { environment } : {}),
        ...(sidecar.memory ? { deploy: { resources: { limits: { memory: `${sidecar.memory}M` } } } } : {}),
        // A task's containers share one network namespace: the sidecar is on the service's localhost.
        network_mode: `service:${a.name}`,
        restart: a.m.kind === "job" ? "no" : "unless-stopped",
        ...(a.m.kind === "job" ? { profiles: [JOBS_PROFILE] } : {}),
        "x-berth": { sidecarOf: a.name },
      };
      comments.push({
        path: ["services", name],
        before: ` a sidecar of ${a.name}, on its network (localhost)`,
      });
    }
  }

  const namedVolumes: string[] = [];
  const resources = [...linked.values()].sort((a, b) => compare(a.name, b.name));
  for (const r of resources) {
    const container = resourceContainer(r);
    if (!container) continue;
    claim(r.name, `the ${r.kind} ${r.name}`);
    services[r.name] = { ...container.service, "x-berth": { resource: r.name, type: r.kind } };
    if (container.volume) namedVolumes.push(container.volume);
    comments.push({
      path: ["services", r.name],
      // Named first, as the services are: "the postgres postgres" read badly when a resource is named after its kind.
      before: ` ${r.name} (a ${r.kind} resource, ${r.owner ? `owned by ${r.owner}` : "shared"}), as a local container`,
    });
  }
  let configs: ComposeFile["configs"];
  if (queues.length) {
    claim(SQS_SERVICE, "the local SQS service");
    services[SQS_SERVICE] = { ...sqsContainer(), "x-berth": { serves: "sqs" } };
    configs = { [SQS_SERVICE]: { content: elasticMqConfig(queues, input.region) } };
    comments.push({
      path: ["services", SQS_SERVICE],
      before: ` SQS, locally (ElasticMQ): ${queues
        .map((q) => q.name)
        .sort(compare)
        .join(", ")}, each with a dead-letter queue`,
    });
  }
  if (buckets.size) {
    claim(S3_SERVICE, "the local S3 service");
    services[S3_SERVICE] = { ...s3Container([...buckets], input.region), "x-berth": { serves: "s3" } };
    comments.push({
      path: ["services", S3_SERVICE],
      before: ` S3, locally (S3Mock, at a fixed address so requests name buckets by path): ${[...buckets].sort(compare).join(", ")}, empty at each start`,
    });
  }
  if (volumes.size) {
    claim(VOLUMES_SERVICE, "the local volumes' set-up");
    services[VOLUMES_SERVICE] = {
      ...volumesContainer([...volumes].map(([name, settings]) => ({ name, settings }))),
      "x-berth": { serves: "volumes" },
    };
    comments.push({
      path: ["services", VOLUMES_SERVICE],
      before: ` creates ${VOLUMES_DIR}/<volume> for each volume, owned by its POSIX user (an EFS access point's job), then exits`,
    });
  }

  const file: ComposeFile = { "x-berth": { environment: env }, services };
  if (namedVolumes.length) file.volumes = Object.fromEntries(namedVolumes.sort(compare).map((v) => [v, {}]));
  comments.push({
    path: ["x-berth"],
    before:
      " x-berth: what each container is to Berth, for tools that read this file back (Compose ignores x- keys)",
  });
  if (configs) file.configs = configs;
  if (buckets.size) {
    file.networks = { default: { ipam: { config: [{ ...LOCAL_NETWORK }] } } };
    comments.push({
      path: ["networks", "default"],
      before: ` a fixed /24 for the S3 server's address (${S3_SERVICE}); set BERTH_NET=a.b.c in .env when the default is taken`,
    });
  }
  return {
    file,
    comments,
    apps: apps.map((a) => a.name),
    resources: resources.map((r) => r.name),
  };
}

interface App {
  name: string;
  m: ServiceManifest;
  links: CatalogueLink[];
}

interface Shared {
  webPorts: Map<string, number>;
  healthy: Set<string>;
  secretVariable: (owner: string, name: string) => string;
}

function appService(a: App, input: ComposeInput, shared: Shared) {
  const { m, links } = a;
  const env = input.environment;
  const comments: KeyComment[] = [];
  const at = (...path: string[]) => ["services", a.name, ...path];
  const service: ComposeService = { ...imageOf(m, join(input.appsDir, a.name), input.outDir) };
  if (m.command) service.command = m.command.map(literal);
  if (m.entrypoint) service.entrypoint = m.entrypoint.map(literal);

  // As a deployed task: the platform's variables, the manifest's, the links', the secrets.
  const environment: Record<string, string> = {
    SERVICE_NAME: m.name,
    DEPLOY_ENV: env,
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
  };
  const localNames: string[] = [];
  const port = m.kind === "web" || m.kind === "internal" ? (m.port ?? DEFAULT_PORT) : undefined;
  const local = (name: string, value: string, why: string) => {
    environment[name] = value;
    localNames.push(name);
    comments.push({ path: at("environment", name), after: ` local only: ${why}` });
  };
  if (port !== undefined && !m.environment?.PORT) {
    local("PORT", String(port), "the manifest's port, for apps that read PORT");
  }
  if (m.kind === "worker") environment.QUEUE_URL = queueUrl(m.name);
  const dependsOn: Record<string, DependsOn> = {};
  const mounts: BindMount[] = [];
  let s3 = false;
  let sqs = m.kind === "worker";
  let signs = m.kind === "worker";
  for (const l of links) {
    const { vars, notes } = linkVariables(l, input.region);
    Object.assign(environment, vars);
    for (const [name, note] of Object.entries(notes))
      comments.push({ path: at("environment", name), after: note });
    const s = l.settings;
    if (s.type === "postgres" || s.type === "cache") dependsOn[l.name] = waitFor("healthy");
    if (s.type === "bucket") s3 = true;
    if (s.type === "queue") sqs = true;
    if (
      s.type === "bucket" ||
      s.type === "queue" ||
      s.type === "cache" ||
      (s.type === "postgres" && s.iamAuth)
    )
      signs = true;
    if (s.type === "volume") {
      dependsOn[VOLUMES_SERVICE] = waitFor("done");
      mounts.push({
        type: "bind",
        source: `${VOLUMES_DIR}/${l.name}`,
        target: volumePath(l.name, s),
        ...(l.access === "read" ? { read_only: true } : {}),
      });
    }
  }
  if (s3) {
    dependsOn[S3_SERVICE] = waitFor("healthy");
    local("AWS_ENDPOINT_URL_S3", S3_ENDPOINT, "the SDKs send S3 requests to S3Mock, by path (an IP address)");
  }
  if (sqs) {
    dependsOn[SQS_SERVICE] = waitFor("healthy");
    local(
      "AWS_ENDPOINT_URL_SQS",
      `http://${SQS_SERVICE}:${SQS_PORT}`,
      "the SDKs send SQS requests to ElasticMQ",
    );
  }
  if (signs) {
    for (const [name, value] of Object.entries(LOCAL_AWS_CREDENTIALS))
      local(name, value, "not a credential; the task role signs deployed requests");
  }
  const injected = Object.keys(environment).filter((n) => !localNames.includes(n));
  Object.assign(environment, mapValues(m.environment ?? {}, literal));
  Object.assign(environment, secretValues(m.secrets, shared.secretVariable, env, a.name, comments));
  service.environment = sorted(environment);

  const hostPort = shared.webPorts.get(a.name);
  if (hostPort !== undefined) service.ports = [`${hostPort}:${port}`];
  if (mounts.length) service.volumes = mounts.sort((x, y) => compare(x.target, y.target));
  for (const callee of m.calls ?? []) {
    dependsOn[callee] = { condition: shared.healthy.has(callee) ? "service_healthy" : "service_started" };
  }
  if (m.release) dependsOn[`${a.name}-release`] = waitFor("done");
  if (Object.keys(dependsOn).length) service.depends_on = sorted(dependsOn);
  const hc = m.healthCheck;
  if (hc?.command) {
    service.healthcheck = {
      test: hc.command.map(literal),
      interval: `${hc.intervalSeconds ?? 10}s`,
      timeout: `${hc.timeoutSeconds ?? 5}s`,
      retries: hc.unhealthyThreshold ?? 3,
      start_period: `${hc.startPeriodSeconds ?? 0}s`,
    };
  }
  const cpu = m.cpu ?? 256;
  service.deploy = { resources: { limits: { cpus: String(cpu / 1024), memory: `${m.memory ?? 512}M` } } };
  service.stop_grace_period = `${m.stopTimeoutSeconds ?? 10}s`;
  service.restart = m.kind === "job" ? "no" : "unless-stopped";
  if (m.kind === "job") {
    service.profiles = [JOBS_PROFILE];
    comments.push({
      path: at("profiles"),
      before: ` deployed, it runs on ${m.schedule} (${m.timezone ?? "UTC"}); compose has no scheduler: docker compose run --rm ${a.name}`,
    });
  }
  const what =
    m.kind === "web"
      ? `web, on http://localhost:${hostPort}`
      : m.kind === "internal"
        ? `internal, reached as http://${a.name}:${port} (not published)`
        : m.kind === "worker"
          ? `worker, consumes ${queueUrl(m.name)}`
          : "job";
  comments.push({ path: at(), before: ` ${a.name} (${what})${m.description ? `: ${m.description}` : ""}` });
  service["x-berth"] = {
    kind: m.kind,
    ...(m.uses?.length ? { uses: m.uses } : {}),
    injected: injected.sort(compare),
    local: localNames.sort(compare),
    ...(m.kind === "job" ? { schedule: m.schedule, timezone: m.timezone ?? "UTC" } : {}),
  };
  return { service, comments };
}

/** The worker's own queue: visibility six times processingSeconds (at most 12 hours), as deployed. */
function workerQueue(m: Extract<ServiceManifest, { kind: "worker" }>): LocalQueue {
  return {
    name: m.name,
    fifo: false,
    visibilityTimeoutSeconds: Math.min(6 * (m.queue?.processingSeconds ?? 30), 43_200),
    maxReceiveCount: m.queue?.maxReceiveCount ?? 3,
  };
}

/** `build` with paths relative to the output folder, or the manifest's `image`. */
function imageOf(m: ServiceManifest, serviceDir: string, outDir: string): ComposeService {
  if (m.image !== undefined) return { image: m.image };
  const b = m.build ?? {};
  const context = resolve(serviceDir, b.context ?? ".");
  const dockerfile = resolve(serviceDir, b.dockerfile ?? "Dockerfile");
  const ctx = posix(relative(outDir, context)) || ".";
  return {
    build: {
      context: ctx.startsWith(".") || ctx.startsWith("/") ? ctx : `./${ctx}`,
      dockerfile: posix(relative(context, dockerfile)),
      ...(b.target ? { target: b.target } : {}),
      ...(b.args ? { args: sorted(mapValues(b.args, literal)) } : {}),
    },
  };
}

/**
 * The variable of the `.env` file (or the shell) that gives a secret its local value: the secret's
 * own name, or `<SERVICE>_<NAME>` when services give one name different sources.
 */
function secretVariables(manifests: ServiceManifest[], env: string): (owner: string, name: string) => string {
  const sources = new Map<string, Set<string>>();
  const add = (secrets: ServiceManifest["secrets"]) => {
    for (const [name, ref] of Object.entries(secrets ?? {})) {
      if (!sources.has(name)) sources.set(name, new Set());
      sources.get(name)!.add(describeSecret(ref, env));
    }
  };
  for (const m of manifests) {
    add(m.secrets);
    for (const s of m.sidecars ?? []) add(s.secrets);
  }
  return (owner, name) => ((sources.get(name)?.size ?? 0) > 1 ? `${envPrefix(owner)}_${name}` : name);
}

function secretValues(
  secrets: ServiceManifest["secrets"],
  variable: (owner: string, name: string) => string,
  env: string,
  owner: string,
  comments: KeyComment[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, ref] of Object.entries(secrets ?? {})) {
    const v = variable(owner, name);
    out[name] = `\${${v}:-${SECRET_PLACEHOLDER}}`;
    comments.push({
      path: ["services", owner, "environment", name],
      before: ` secret (deployed from ${describeSecret(ref, env)}): set ${v} in .env next to this file, or "${SECRET_PLACEHOLDER}" is used`,
    });
  }
  return out;
}

function describeSecret(ref: SecretSource, env: string): string {
  if ("ssm" in ref) return `SSM ${ref.ssm.replaceAll("<env>", env)}`;
  const name = ref.secretsManager.replaceAll("<env>", env);
  return `Secrets Manager ${name}${ref.key ? ` key ${ref.key}` : ""}`;
}

/** A value as Compose reads it literally: `$` starts an interpolation, `$$` is one `$`. */
export function literal(value: string): string {
  return value.replaceAll("$", () => "$$");
}

function mapValues(o: Record<string, string>, f: (v: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
}

function sorted<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => compare(a, b)));
}

function posix(path: string): string {
  return path.split(sep).join("/");
}
