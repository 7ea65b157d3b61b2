import {
  type CacheResource,
  type CatalogueLink,
  type CatalogueResource,
  envPrefix,
  POSTGRES_DEFAULT_VERSION,
  type PostgresResource,
  type QueueResource,
  type VolumeResource,
} from "@berth/core";
import type { ComposeService, DependsOn } from "./model.js";

/**
 * The containers that stand in for AWS locally, and the values a link injects. Images are pinned
 * to a version (a major where the project publishes one), so a generated file means the same
 * thing tomorrow; change them here.
 */
export const LOCAL_IMAGES = {
  /** ElasticMQ's native (GraalVM) server: an SQS-compatible API in one small container. */
  sqs: "softwaremill/elasticmq-native:1.7.1",
  /** Adobe S3Mock: an S3-compatible API that creates buckets from an environment variable. */
  s3: "adobe/s3mock:5.2.0",
  /** Prepares the bind-mounted folders of volumes (owner = the volume's POSIX user). */
  volumes: "busybox:1.37",
} as const;

/** The local helper containers: names no service of the catalogue may take. */
export const SQS_SERVICE = "berth-sqs";
export const S3_SERVICE = "berth-s3";
export const VOLUMES_SERVICE = "berth-volumes";
export const SQS_PORT = 9324;
export const S3_PORT = 9090;
/** ElasticMQ's account id in queue URLs and ARNs (its default). */
export const LOCAL_ACCOUNT = "000000000000";
/**
 * The local S3 server has a fixed address on the project's network: the AWS SDKs address buckets
 * by path (http://<ip>/<bucket>/<key>) when the endpoint's host is an IP address, and by host name
 * (http://<bucket>.<host>/<key>) otherwise, which S3Mock does not serve. The first three parts of
 * the /24 network are `BERTH_NET` (from the shell or .env) for a machine where the default is taken;
 * containers get addresses from its lower half, the S3 server is .250.
 */
export const NETWORK_VARIABLE = "BERTH_NET";
export const DEFAULT_NETWORK = "10.213.213";
const net = `\${${NETWORK_VARIABLE}:-${DEFAULT_NETWORK}}`;
export const LOCAL_NETWORK = { subnet: `${net}.0/24`, ip_range: `${net}.0/25` } as const;
export const S3_ADDRESS = `${net}.250`;
export const S3_ENDPOINT = `http://${S3_ADDRESS}:${S3_PORT}`;

/** Where volumes live on the host, relative to the compose file's folder. */
export const VOLUMES_DIR = "./.berth/volumes";

/** Local database credentials: development values, the same in every generated file, never secrets. */
export const LOCAL_POSTGRES = { user: "berth", password: "berth-local" } as const;
/** Credentials the AWS SDKs sign local requests with (ElasticMQ and S3Mock accept any). */
export const LOCAL_AWS_CREDENTIALS = { AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" } as const;

const HEALTH = { interval: "5s", timeout: "3s", retries: 10 } as const;

/** The database a postgres resource creates: `databaseName`, else the name with - as _. */
export function databaseName(r: CatalogueResource & { settings: PostgresResource }): string {
  return r.settings.databaseName ?? r.name.replaceAll("-", "_");
}

/** The local name of a bucket: its resource name (S3 names have at least 3 characters). */
export function bucketName(name: string): string {
  return name.length >= 3 ? name : `${name}-local`;
}

/** A local queue and its dead-letter queue, as ElasticMQ creates them at start. */
export interface LocalQueue {
  name: string;
  fifo: boolean;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
}

/** The local queue of a queue resource (`.fifo` names for FIFO queues, as SQS requires). */
export function queueOf(r: CatalogueResource & { settings: QueueResource }): LocalQueue {
  const fifo = r.settings.fifo ?? false;
  return {
    name: fifo ? `${r.name}.fifo` : r.name,
    fifo,
    visibilityTimeoutSeconds: r.settings.visibilityTimeoutSeconds ?? 30,
    maxReceiveCount: r.settings.maxReceiveCount ?? 3,
  };
}

export function queueUrl(queue: string): string {
  return `http://${SQS_SERVICE}:${SQS_PORT}/${LOCAL_ACCOUNT}/${queue}`;
}

function deadLetterName(q: LocalQueue): string {
  return q.fifo ? `${q.name.replace(/\.fifo$/, "")}-dlq.fifo` : `${q.name}-dlq`;
}

/**
 * The variables a link injects, with local values (the contract's names, see LINK_VARIABLES), and a
 * note for each value that differs from the deployed one in kind, not only in address.
 */
export function linkVariables(
  link: CatalogueLink,
  region: string,
): { vars: Record<string, string>; notes: Record<string, string> } {
  const p = envPrefix(link.name);
  const s = link.settings;
  const notes: Record<string, string> = {};
  const vars = variablesOf();
  return { vars, notes };

  function variablesOf(): Record<string, string> {
    switch (s.type) {
      case "postgres": {
        const vars: Record<string, string> = {
          [`${p}_HOST`]: link.name,
          [`${p}_PORT`]: "5432",
          [`${p}_NAME`]: databaseName({ ...link, settings: s }),
          // Deployed "require"; the local server has no certificate.
          [`${p}_SSLMODE`]: "disable",
          [`${p}_USER`]: LOCAL_POSTGRES.user,
        };
        // Aurora has a reader endpoint; locally the one server answers both.
        if ((s.engine ?? "aurora") === "aurora") vars[`${p}_READER_HOST`] = link.name;
        if (!s.iamAuth) vars[`${p}_PASSWORD`] = LOCAL_POSTGRES.password;
        notes[`${p}_SSLMODE`] = ' deployed: "require" (TLS only)';
        return vars;
      }
      case "bucket": {
        const bucket = bucketName(link.name);
        return {
          [`${p}_BUCKET`]: bucket,
          [`${p}_BUCKET_ARN`]: `arn:aws:s3:::${bucket}`,
          [`${p}_REGION`]: region,
        };
      }
      case "queue": {
        const q = queueOf({ ...link, settings: s });
        return {
          [`${p}_QUEUE_URL`]: queueUrl(q.name),
          [`${p}_QUEUE_ARN`]: `arn:aws:sqs:${region}:${LOCAL_ACCOUNT}:${q.name}`,
        };
      }
      case "cache":
        notes[`${p}_TLS`] = ' deployed: "true"';
        notes[`${p}_READER_PORT`] = " deployed: 6380 (replicas)";
        return {
          [`${p}_HOST`]: link.name,
          [`${p}_PORT`]: "6379",
          // The local server has no replicas: reads go to the one port.
          [`${p}_READER_PORT`]: "6379",
          [`${p}_TLS`]: "false",
          // Valkey's default user has no password, so any token the app signs is accepted.
          [`${p}_USER`]: "default",
          [`${p}_CACHE_NAME`]: link.name,
        };
      case "volume":
        return { [`${p}_PATH`]: volumePath(link.name, s) };
    }
  }
}

export function volumePath(name: string, s: VolumeResource): string {
  return s.path ?? `/mnt/${name}`;
}

/** A resource as a local container (postgres, cache); queues, buckets and volumes share helpers. */
export function resourceContainer(
  r: CatalogueResource,
): { service: ComposeService; volume?: string } | undefined {
  const s = r.settings;
  if (s.type === "postgres") return postgresContainer({ ...r, settings: s });
  if (s.type === "cache") return { service: cacheContainer(s) };
  return undefined;
}

function postgresContainer(r: CatalogueResource & { settings: PostgresResource }) {
  const major = Number((r.settings.version ?? POSTGRES_DEFAULT_VERSION).split(".")[0]);
  const db = databaseName(r);
  const volume = `${r.name}-data`;
  const environment: Record<string, string> = {
    POSTGRES_DB: db,
    POSTGRES_PASSWORD: LOCAL_POSTGRES.password,
    POSTGRES_USER: LOCAL_POSTGRES.user,
  };
  // With IAM authentication the app sends a signed token as its password: locally any is accepted.
  if (r.settings.iamAuth) environment.POSTGRES_HOST_AUTH_METHOD = "trust";
  const service: ComposeService = {
    image: `postgres:${major}`,
    environment,
    // The image keeps its data under /var/lib/postgresql/data up to 17, under /var/lib/postgresql from 18.
    volumes: [`${volume}:${major >= 18 ? "/var/lib/postgresql" : "/var/lib/postgresql/data"}`],
    healthcheck: { test: ["CMD", "pg_isready", "-U", LOCAL_POSTGRES.user, "-d", db], ...HEALTH },
  };
  return { service, volume };
}

function cacheContainer(s: CacheResource): ComposeService {
  const engine = s.engine ?? "valkey";
  const version = s.version ?? (engine === "valkey" ? "8" : "7");
  return engine === "valkey"
    ? { image: `valkey/valkey:${version}`, healthcheck: { test: ["CMD", "valkey-cli", "ping"], ...HEALTH } }
    : { image: `redis:${version}`, healthcheck: { test: ["CMD", "redis-cli", "ping"], ...HEALTH } };
}

/** ElasticMQ's configuration: queue URLs on the compose network, and every queue created at start. */
export function elasticMqConfig(queues: LocalQueue[], region: string): string {
  const q = (name: string) => JSON.stringify(name);
  const lines = [
    'include classpath("application.conf")',
    "",
    "node-address {",
    "  protocol = http",
    `  host = ${q(SQS_SERVICE)}`,
    `  port = ${SQS_PORT}`,
    '  context-path = ""',
    "}",
    "",
    "rest-sqs {",
    "  enabled = true",
    `  bind-port = ${SQS_PORT}`,
    '  bind-hostname = "0.0.0.0"',
    "  sqs-limits = strict",
    "}",
    "",
    "aws {",
    `  region = ${q(region)}`,
    `  accountId = ${q(LOCAL_ACCOUNT)}`,
    "}",
    "",
    "queues {",
  ];
  for (const queue of [...queues].sort((a, b) => compare(a.name, b.name))) {
    const dlq = deadLetterName(queue);
    lines.push(
      `  ${q(queue.name)} {`,
      `    defaultVisibilityTimeout = ${queue.visibilityTimeoutSeconds} seconds`,
      `    fifo = ${queue.fifo}`,
      "    deadLettersQueue {",
      `      name = ${q(dlq)}`,
      `      maxReceiveCount = ${queue.maxReceiveCount}`,
      "    }",
      "  }",
      `  ${q(dlq)} {`,
      `    fifo = ${queue.fifo}`,
      "  }",
    );
  }
  lines.push("}", "");
  return lines.join("\n");
}

export function sqsContainer(): ComposeService {
  return {
    image: LOCAL_IMAGES.sqs,
    configs: [{ source: SQS_SERVICE, target: "/opt/elasticmq.conf" }],
    healthcheck: {
      test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://localhost:${SQS_PORT}/health`],
      ...HEALTH,
    },
  };
}

export function s3Container(buckets: string[], region: string): ComposeService {
  return {
    image: LOCAL_IMAGES.s3,
    networks: { default: { ipv4_address: S3_ADDRESS } },
    environment: {
      COM_ADOBE_TESTING_S3MOCK_STORE_INITIAL_BUCKETS: [...buckets].sort(compare).join(","),
      COM_ADOBE_TESTING_S3MOCK_STORE_REGION: region,
    },
    healthcheck: {
      test: ["CMD", "wget", "--spider", "-q", `http://localhost:${S3_PORT}/favicon.ico`],
      ...HEALTH,
    },
  };
}

/** The one-off container that creates each volume's folder, owned by the volume's POSIX user. */
export function volumesContainer(volumes: { name: string; settings: VolumeResource }[]): ComposeService {
  const steps = [...volumes]
    .sort((a, b) => compare(a.name, b.name))
    .map(({ name, settings }) => {
      const uid = settings.posixUser?.uid ?? 1000;
      const gid = settings.posixUser?.gid ?? 1000;
      return `mkdir -p /volumes/${name} && chown ${uid}:${gid} /volumes/${name}`;
    });
  return {
    image: LOCAL_IMAGES.volumes,
    command: ["sh", "-c", steps.join(" && ")],
    volumes: [{ type: "bind", source: VOLUMES_DIR, target: "/volumes", bind: { create_host_path: true } }],
    restart: "no",
  };
}

/** Code-point order: the same in every locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** How a service waits for a resource's container. */
export function waitFor(kind: "healthy" | "done"): DependsOn {
  return { condition: kind === "healthy" ? "service_healthy" : "service_completed_successfully" };
}
