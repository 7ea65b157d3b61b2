// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests read Compose interpolations (${VAR:-default}), not templates
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadCatalogue } from "@berth/core";
import { describe, expect, it } from "vitest";
import { berthImport, read, reportLines, repoWith } from "./harness.js";

const SCHEMA = "# yaml-language-server: $schema=../../schemas/berth-manifest.schema.json";
const header = (file: string, service: string) =>
  `${SCHEMA}\n# Imported from ${file} (services.${service}) by berth import compose: see ../IMPORT-REPORT.md.\n`;

/** The expected lines the report lacks (empty when it has them all). */
function expectLines(lines: string[], expected: string[]): void {
  expect(expected.filter((l) => !lines.includes(l))).toEqual([]);
}

/** Imports a fixture; the command must succeed, write a valid catalogue and print the report. */
async function imported(fixture: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const root = repoWith(`compose/${fixture}`);
  const r = await berthImport(root, ["compose", ...args], env);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  expect(r.out).toContain(`# Import report: ${args[0]}`);
  const catalogue = loadCatalogue(join(root, "apps"));
  return {
    root,
    r,
    catalogue,
    lines: reportLines(root),
    manifest: (name: string) => read(root, `apps/${name}/berth.yaml`),
  };
}

describe("berth import compose: a Django shop (anchors, merge keys, version header, .env, Celery)", () => {
  it("writes web, worker and job manifests, and shares PostgreSQL and Redis between them", async () => {
    const { manifest, root, catalogue } = await imported("django-celery", ["docker-compose.yml"]);
    expect(manifest("web")).toBe(
      `${header("docker-compose.yml", "web")}name: web
kind: web
build:
  context: ../..
  dockerfile: ../../docker/Dockerfile
  args: { PYTHON_VERSION: "3.12" }
port: 8000
cpu: 512
memory: 1024 # memory 768 MiB rounded up to 1024 (a Fargate task size)
command:
  - gunicorn
  - shop.wsgi:application
  - --bind
  - 0.0.0.0:8000
  - --workers
  - "3"
environment:
  LOG_LEVEL: info
  ALLOWED_HOSTS: localhost,shop.example.com
  SENTRY_DSN: https://public@sentry.example.com/42
  DJANGO_SETTINGS_MODULE: shop.settings.production
secrets:
  SECRET_KEY: { ssm: /berth/<env>/web/secret-key }
healthCheck:
  path: /healthz # the URL of the compose health check: the load balancer checks it
  command:
    - CMD-SHELL
    - curl -fsS http://localhost:8000/healthz || exit 1
  intervalSeconds: 30
  startPeriodSeconds: 60
count: 2
resources:
  media: { type: volume, path: /app/media }
uses: [ db, redis, media ]
`,
    );
    expect(manifest("worker")).toBe(
      `${header("docker-compose.yml", "worker")}name: worker
kind: worker
build:
  context: ../..
  dockerfile: ../../docker/Dockerfile
  args: { PYTHON_VERSION: "3.12" }
command:
  - celery
  - -A
  - shop
  - worker
  - --loglevel=info
  - --concurrency=4
environment:
  LOG_LEVEL: info
  ALLOWED_HOSTS: localhost,shop.example.com
  SENTRY_DSN: https://public@sentry.example.com/42
  C_FORCE_ROOT: "false"
  DJANGO_SETTINGS_MODULE: shop.settings.production
secrets:
  SECRET_KEY: { ssm: /berth/<env>/worker/secret-key }
uses: [ db, redis ]
`,
    );
    expect(manifest("beat")).toBe(
      `${header("docker-compose.yml", "beat")}name: beat
kind: job
build:
  context: ../..
  dockerfile: ../../docker/Dockerfile
  args: { PYTHON_VERSION: "3.12" }
schedule: cron(0 0 1 1 ? 2199) # TODO: a placeholder that never runs before 2199; set the job's real schedule (see the import report)
command: [ celery, -A, shop, beat, --loglevel=info ]
environment:
  LOG_LEVEL: info
  ALLOWED_HOSTS: localhost,shop.example.com
  SENTRY_DSN: https://public@sentry.example.com/42
  DJANGO_SETTINGS_MODULE: shop.settings.production
secrets:
  SECRET_KEY: { ssm: /berth/<env>/beat/secret-key }
uses: [ db, redis ]
`,
    );
    expect(read(root, "apps/berth.shared.yaml")).toBe(
      `# Resources several services use: the platform stack creates each once per environment.
# Imported from docker-compose.yml by berth import compose: see IMPORT-REPORT.md.
resources:
  db: { type: postgres, databaseName: shop } # from services.db (postgres); used by web, worker and beat
  redis: { type: cache } # from services.redis (redis); used by web, worker and beat
`,
    );
    expect(catalogue.links("web", "prod").map((l) => [l.name, l.kind, l.owner, l.access])).toEqual([
      ["db", "postgres", undefined, "connect"],
      ["redis", "cache", undefined, "connect"],
      ["media", "volume", "web", "readwrite"],
    ]);
    expect(catalogue.service("beat", "prod")?.kind).toBe("job");
  });

  it("reports every key: the rewired URLs, the dropped passwords, the secrets to create and the variables used", async () => {
    const { lines, root } = await imported("django-celery", ["docker-compose.yml"]);
    expectLines(lines, [
      "| `version` | docker-compose.yml:2 | dropped | obsolete: the Compose specification ignores it |",
      "| `x-app` | docker-compose.yml:4 | dropped | an extension field: its anchors are expanded where services use them (their rows are under the services) |",
      "| `services.db` | postgres resource `db` (shared by web, worker and beat) |",
      "| `services.web` | `web/berth.yaml` (kind web) |",
      "| (the service) | docker-compose.yml:24 | mapped | kind web: it publishes ports |",
      "| (the service) | docker-compose.yml:45 | mapped | kind worker: its command (celery -A shop worker --loglevel=info --concurrency=4) consumes a queue |",
      "| `environment.DATABASE_URL` | docker-compose.yml:13 | **needs a decision** | dropped: the link to `db` (postgres) injects `DB_HOST`, `DB_PORT`, `DB_NAME`, `DB_SSLMODE`, `DB_USER` (secret) and `DB_PASSWORD` (secret) instead of one URL: build the URL from them in the app (or its entrypoint) |",
      "| `environment.CELERY_BROKER_URL` | docker-compose.yml:14 | **needs a decision** | dropped: the link to `redis` (cache) injects `REDIS_HOST`, `REDIS_PORT`, `REDIS_TLS`, `REDIS_USER` and `REDIS_CACHE_NAME` instead of one URL (TLS on, IAM authentication): build the URL from them in the app (or its entrypoint) |",
      "| `environment.SECRET_KEY` | docker-compose.yml:15 | changed | a secret by its name: `secrets.SECRET_KEY: { ssm: /berth/<env>/web/secret-key }`; the value is not copied (create the parameter: see Secrets to create) |",
      "| `depends_on.db` | docker-compose.yml:17 | dropped | db becomes a managed resource (`uses`), available before the service starts: no start order needed |",
      "| `deploy.resources.limits.memory` | docker-compose.yml:40 | changed | `cpu: 512`, `memory: 1024` from a limit of 768M memory: memory 768 MiB rounded up to 1024 (a Fargate task size) |",
      "| `volumes[0]` | docker-compose.yml:42 | dropped | a bind mount of host files (./shop → /app/shop): on ECS the image carries the code; the pipeline builds it |",
      '| `env_file.SENTRY_DSN` | .env.app:3 | mapped | `environment.SENTRY_DSN: "https://public@sentry.example.com/42"` |',
      "| `environment.POSTGRES_PASSWORD` | docker-compose.yml:61 | changed | the password is generated and kept in Secrets Manager by RDS; never copied: services get it as the secret DB_PASSWORD |",
      "| `environment.POSTGRES_DB` | docker-compose.yml:59 | mapped | `databaseName: shop` (injected as DB_NAME) |",
      "| `volumes` | docker-compose.yml:62 | changed | the managed database keeps the data: move it once (pg_dump, then pg_restore into the new database) |",
      "| `image` | docker-compose.yml:69 | changed | a managed ElastiCache Serverless (Valkey) resource instead of a container: `berth.shared.yaml` resources.redis, used by web, worker and beat; Valkey (the default engine) speaks the Redis protocol: set `engine: redis` to keep Redis OSS |",
      "- [ ] `services.beat` (docker-compose.yml:52): no schedule could be read (no `*.schedule` label or SCHEDULE variable): the manifest has the placeholder `cron(0 0 1 1 ? 2199)`, which never runs before 2199; set the real schedule (a Celery beat service keeps its schedule in the app: make each periodic task a job, or run beat as a worker)",
      "| `/berth/<env>/web/secret-key` | SSM Parameter Store (SecureString) | web | `SECRET_KEY` | the value at docker-compose.yml:15 |",
      "| `POSTGRES_PASSWORD` | .env | docker-compose.yml:13 |",
      "| `DJANGO_SECRET_KEY` | .env | docker-compose.yml:15 |",
    ]);
    const report = read(root, "apps/IMPORT-REPORT.md");
    expect(report).not.toContain("local-only-password");
    expect(report).not.toContain("dev secret");
    for (const service of ["web", "worker", "beat"])
      expect(read(root, `apps/${service}/berth.yaml`)).not.toContain("local-only-password");
  });

  it("prints the report and what it wrote", async () => {
    const { r } = await imported("django-celery", ["docker-compose.yml"]);
    expect(r.out).toContain("## Needs a decision (7)");
    expect(r.out.trimEnd().split("\n").at(-1)).toBe(
      "Wrote 5 files to apps/; IMPORT-REPORT.md lists every key (7 need a decision).",
    );
  });
});

describe("berth import compose: Rails and Sidekiq (extends from another file, list environments, long ports)", () => {
  it("merges the extended service, its env files (one optional) and the file's own keys", async () => {
    const { manifest, lines, root } = await imported("rails-sidekiq", ["compose.yaml"]);
    expect(manifest("app")).toBe(
      `${header("compose.yaml", "app")}name: app
kind: web
build:
  context: ../..
  dockerfile: ../../Dockerfile
  target: production
port: 3000
command: [ bundle, exec, puma, -C, config/puma.rb ]
environment:
  RAILS_MAX_THREADS: "5"
  WEB_CONCURRENCY: "2"
  RAILS_ENV: production
  RAILS_LOG_TO_STDOUT: "true"
  ASSET_HOST: ""
  PRICE_FORMAT: $%.2f
secrets:
  STRIPE_API_KEY: { ssm: /berth/<env>/app/stripe-api-key }
healthCheck:
  path: /up # the URL of the compose health check: the load balancer checks it
  command: [ CMD-SHELL, curl --fail http://localhost:3000/up || exit 1 ]
  intervalSeconds: 15
  timeoutSeconds: 14
  unhealthyThreshold: 10
  startPeriodSeconds: 300
stopTimeoutSeconds: 90
uses: [ postgres, cache ]
`,
    );
    expect(manifest("sidekiq")).toBe(
      `${header("compose.yaml", "sidekiq")}name: sidekiq
kind: worker
build:
  context: ../..
  dockerfile: ../../Dockerfile
  target: production
cpu: 1024
memory: 2048
command: [ bundle, exec, sidekiq, -C, config/sidekiq.yml ]
environment:
  RAILS_MAX_THREADS: "5"
  WEB_CONCURRENCY: "2"
  RAILS_ENV: production
  RAILS_LOG_TO_STDOUT: "true"
  SIDEKIQ_CONCURRENCY: "10"
secrets:
  STRIPE_API_KEY: { ssm: /berth/<env>/sidekiq/stripe-api-key }
count: 3
uses: [ postgres, cache ]
`,
    );
    expect(read(root, "apps/berth.shared.yaml")).toContain(
      "  postgres: { type: postgres, databaseName: storefront_production } # from services.postgres (postgres); used by app and sidekiq\n",
    );
    expectLines(lines, [
      "| `name` | compose.yaml:1 | dropped | the project's name; each service is named after itself |",
      "| `extends` | compose.yaml:5 | mapped | merged with common.yml#rails-base: the keys it brings are listed with this service (at their own lines) |",
      "| `ports[0]` | compose.yaml:10 | mapped | `port: 3000`: the load balancer sends its traffic there (published on host port 80 locally; the load balancer listens on 80/443) |",
      '| `environment.PRICE_FORMAT` | compose.yaml:17 | mapped | `environment.PRICE_FORMAT: "$%.2f"` |',
      "| `healthcheck.timeout` | compose.yaml:21 | changed | `healthCheck.timeoutSeconds: 14` (a check must time out before the next one starts: 15 s lowered below the 15 s interval) |",
      "| `healthcheck.retries` | compose.yaml:22 | changed | `healthCheck.unhealthyThreshold: 10` (retries 12 is above Berth's maximum: lowered to 10) |",
      "| `healthcheck.start_period` | compose.yaml:23 | changed | `healthCheck.startPeriodSeconds: 300` (start period (seconds) 600 is above Berth's maximum: lowered to 300) |",
      "| `stop_grace_period` | compose.yaml:24 | mapped | `stopTimeoutSeconds: 90` |",
      "| `depends_on.postgres` | compose.yaml:26 | dropped | postgres becomes a managed resource (`uses`), available before the service starts: no start order needed |",
      "| `build.target` | common.yml:6 | mapped | `build.target: production` |",
      "| `env_file[1]` | common.yml:13 | dropped | ./config/local.env does not exist; it is optional (required: false) |",
      "| `env_file[0].STRIPE_API_KEY` | config/rails.env:4 | changed | a secret by its name: `secrets.STRIPE_API_KEY: { ssm: /berth/<env>/app/stripe-api-key }`; the value is not copied (create the parameter: see Secrets to create) |",
      "| `deploy.resources.reservations` | compose.yaml:43 | dropped | Fargate reserves the whole task size (`cpu`, `memory`) |",
      "| `image` | compose.yaml:47 | **needs a decision** | a managed Aurora PostgreSQL (Serverless v2) resource instead of a container: `berth.shared.yaml` resources.postgres, used by app and sidekiq; the container ran PostgreSQL 15, the resource defaults to 16.6: set `version` to a 15.x version if the app needs 15 |",
      '| `command` | compose.yaml:59 | dropped | the container\'s start command (valkey-server --save "" --appendonly no): the managed resource has its own settings |',
    ]);
  });
});

describe("berth import compose: a front end and an internal API (calls, owned resources, PG variables)", () => {
  it("makes the API internal, lets the front end call it, and gives the API its own database and volume", async () => {
    const { manifest, lines, catalogue, root } = await imported("node-api", ["compose.yml"]);
    expect(manifest("api")).toBe(
      `${header("compose.yml", "api")}name: api
kind: internal
build: { context: ../../api, dockerfile: ../../api/Dockerfile.prod }
port: 4000
environment: { NODE_ENV: production, PORT: "4000" }
secrets:
  JWT_SECRET: { ssm: /berth/<env>/api/jwt-secret }
healthCheck:
  command: [ CMD, node, healthcheck.js ]
  timeoutSeconds: 3
  unhealthyThreshold: 5
resources:
  db: { type: postgres, databaseName: api }
  uploads: { type: volume, path: /srv/uploads }
uses: [ db, uploads ]
`,
    );
    expect(manifest("frontend")).toBe(
      `${header("compose.yml", "frontend")}name: frontend
kind: web
build:
  context: ../../frontend
  dockerfile: ../../frontend/Dockerfile
port: 3000
environment:
  NODE_ENV: production
  API_URL: http://api:4000/v1
  NEXT_TELEMETRY_DISABLED: "1"
calls: [ api ]
`,
    );
    expect(existsSync(join(root, "apps", "berth.shared.yaml"))).toBe(false);
    expect(catalogue.resources("dev").map((r) => [r.name, r.owner])).toEqual([
      ["db", "api"],
      ["uploads", "api"],
    ]);
    expectLines(lines, [
      "| (the service) | compose.yml:14 | mapped | kind internal: it publishes no port and frontend reaches it by name |",
      "| `expose[0]` | compose.yml:19 | mapped | `port: 4000`: callers reach it at http://api:4000 (Service Connect) |",
      '| `environment.API_URL` | compose.yml:9 | mapped | `environment.API_URL: "http://api:4000/v1"`; `calls: [api]` |',
      "| `environment.PGHOST` | compose.yml:23 | **needs a decision** | dropped: the link to `db` (postgres) injects `DB_HOST` instead: read that name in the app |",
      "| `environment.PGPASSWORD` | compose.yml:26 | **needs a decision** | dropped: the link to `db` (postgres) injects `DB_PASSWORD` (secret) instead: read that name in the app |",
      "| `environment.UPLOADS_PATH` | compose.yml:28 | mapped | injected by the link to `uploads` (where the volume is mounted in the main container); not written in the manifest |",
      "| `environment.AWS_SECRET_ACCESS_KEY` | compose.yml:31 | dropped | AWS credentials are never copied: the task role gives the service its AWS access |",
      "| `environment.FEATURE_FLAGS` | compose.yml:32 | **needs a decision** | no value at import time (Compose takes it from the shell it runs in): give it a value in `environment`, or a secret |",
      "| `volumes[1]` | compose.yml:35 | dropped | an anonymous volume (/srv/app/node_modules): it kept the image's files under a bind mount; not needed without the bind mount |",
      "| `depends_on.api` | compose.yml:12 | dropped | start order is not needed on ECS: each service starts on its own, so frontend must retry its connections to api until it answers |",
      "| `image` | compose.yml:46 | mapped | a managed Aurora PostgreSQL (Serverless v2) resource instead of a container: `api/berth.yaml` resources.db, used by api |",
      "| `volumes.dbdata` | compose.yml:61 | dropped | the data of db, which becomes a managed resource (it keeps its own data) |",
    ]);
  });
});

describe("berth import compose: scheduled containers (labels, SCHEDULE, supercronic) and profiles", () => {
  it("reads schedules into EventBridge expressions, and leaves a safe placeholder where there is none", async () => {
    const { manifest, lines } = await imported("cron-jobs", ["compose.yaml"]);
    expect(manifest("nightly-report")).toBe(
      `${header("compose.yaml", "nightly-report")}name: nightly-report
kind: job
image: ghcr.io/acme/reports-app:2.3.1
allowMutableImageTag: true # TODO: pin ghcr.io/acme/reports-app:2.3.1 by digest before production
schedule: cron(0 3 * * ? *) # 0 3 * * * in EventBridge Scheduler's syntax (UTC)
command: [ python, -m, reports.nightly ]
`,
    );
    expect(manifest("cleanup")).toBe(
      `${header("compose.yaml", "cleanup")}name: cleanup
kind: job
image: ghcr.io/acme/reports-app:2.3.1
allowMutableImageTag: true # TODO: pin ghcr.io/acme/reports-app:2.3.1 by digest before production
schedule: rate(6 hours) # @every 6h in EventBridge Scheduler's syntax (UTC)
command: [ python, -m, reports.cleanup, --older-than, 30d ]
`,
    );
    expect(manifest("weekly-digest")).toContain(
      "schedule: cron(30 7 ? * 2-6 *) # 30 7 * * MON-FRI in EventBridge Scheduler's syntax (UTC)\n",
    );
    expect(manifest("crontab")).toBe(
      `${header("compose.yaml", "crontab")}name: crontab
kind: job
image: ghcr.io/acme/reports-app:2.3.1
allowMutableImageTag: true # TODO: pin ghcr.io/acme/reports-app:2.3.1 by digest before production
schedule: cron(0 0 1 1 ? 2199) # TODO: a placeholder that never runs before 2199; set the job's real schedule (see the import report)
entrypoint: [ supercronic, /etc/crontab ]
`,
    );
    expect(manifest("app")).toContain(
      "kind: web\nimage: ghcr.io/acme/reports-app:2.3.1\nallowMutableImageTag: true # TODO: pin ghcr.io/acme/reports-app:2.3.1 by digest before production\n",
    );
    expectLines(lines, [
      "| `services.adminer` | not imported (profile debug) |",
      "| `services.mailpit` | not imported (profile debug, mail) |",
      "| `services.adminer` | compose.yaml:37 | dropped | in profile `debug`: not active by default, so not imported (drop `profiles` and import again to include it) |",
      "| `services.mailpit` | compose.yaml:43 | dropped | in profile `debug` and `mail`: not active by default, so not imported (drop `profiles` and import again to include it) |",
      "| (the service) | compose.yaml:10 | mapped | kind job: a schedule is written in labels.ofelia.job-run.nightly.schedule |",
      "| `labels.ofelia.job-run.nightly.schedule` | compose.yaml:15 | mapped | `schedule: cron(0 3 * * ? *)` (0 3 * * * in EventBridge Scheduler's syntax, UTC) |",
      "| `labels.com.acme.team` | compose.yaml:16 | dropped | Berth tags AWS resources itself; labels are not copied |",
      "| `environment.SCHEDULE` | compose.yaml:23 | mapped | `schedule: rate(6 hours)` (@every 6h in EventBridge Scheduler's syntax, UTC) |",
      "| `restart` | compose.yaml:21 | dropped | ECS replaces a service's stopped tasks (a job runs once per schedule, with `retries`) |",
      "| (the service) | compose.yaml:31 | mapped | kind job: its command (supercronic /etc/crontab) runs a scheduler |",
      "- [ ] `services.nightly-report.image` (compose.yaml:11): `image: ghcr.io/acme/reports-app:2.3.1` is a tag, which can move under a running service: `allowMutableImageTag: true` lets it deploy as imported; before production pin it by digest (`docker buildx imagetools inspect ghcr.io/acme/reports-app:2.3.1` prints the `Digest:`): `ghcr.io/acme/reports-app@sha256:<digest>`, then remove `allowMutableImageTag`",
      "- [ ] `services.crontab` (compose.yaml:31): no schedule could be read (no `*.schedule` label or SCHEDULE variable): the manifest has the placeholder `cron(0 0 1 1 ? 2199)`, which never runs before 2199; set the real schedule",
    ]);
  });
});

describe("berth import compose: an old version 2.4 file (mem_limit, cpus, platform, container_name)", () => {
  it("sizes tasks from the limits, keeps amd64 and renames hosts to service names", async () => {
    const { manifest, lines } = await imported("legacy-v2", ["docker-compose.yml"]);
    expect(manifest("gateway")).toBe(
      `${header("docker-compose.yml", "gateway")}name: gateway
kind: web
image: registry.example.com/billing/gateway@sha256:4f1c2a7d9e0b3c5a6f8e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b2a
architecture: X86_64 # the compose file pins linux/amd64
port: 9000
cpu: 1024
memory: 2048 # CPU 768 units rounded up to 1024; memory 1536 MiB rounded up to 2048 (a Fargate task size)
environment: { LEDGER_ADDR: ledger:7000, LOG_FORMAT: json }
calls: [ ledger ]
`,
    );
    expect(manifest("ledger")).toBe(
      `${header("docker-compose.yml", "ledger")}name: ledger
kind: internal
image: registry.example.com/billing/ledger:5.2.0
allowMutableImageTag: true # TODO: pin registry.example.com/billing/ledger:5.2.0 by digest before production
port: 7000
cpu: 512
memory: 3072 # CPU 512 units: the least Fargate pairs with 3072 MiB (a Fargate task size)
environment: { LEDGER_DATA_DIR: /data }
resources:
  ledger-data: { type: volume, path: /data }
uses: [ ledger-data ]
`,
    );
    expectLines(lines, [
      "| `version` | docker-compose.yml:1 | dropped | obsolete: the Compose specification ignores it |",
      "| `image` | docker-compose.yml:4 | mapped | `image: registry.example.com/billing/gateway@sha256:4f1c2a7d9e0b3c5a6f8e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b2a` |",
      "| `image` | docker-compose.yml:27 | **needs a decision** | `image: registry.example.com/billing/ledger:5.2.0` is a tag, which can move under a running service: `allowMutableImageTag: true` lets it deploy as imported; before production pin it by digest (`docker buildx imagetools inspect registry.example.com/billing/ledger:5.2.0` prints the `Digest:`): `registry.example.com/billing/ledger@sha256:<digest>`, then remove `allowMutableImageTag` |",
      '| `environment.LEDGER_ADDR` | docker-compose.yml:11 | changed | `environment.LEDGER_ADDR: "ledger:7000"`; host ledger-svc renamed ledger (its Service Connect name); `calls: [ledger]` |',
      "| `stop_signal` | docker-compose.yml:13 | **needs a decision** | ECS sends the image's STOPSIGNAL (SIGTERM by default): add `STOPSIGNAL SIGINT` to the Dockerfile |",
      "| `read_only` | docker-compose.yml:14 | mapped | Berth always runs tasks with a read-only root file system |",
      "| `user` | docker-compose.yml:17 | **needs a decision** | Berth runs the image's user: set `USER` in the Dockerfile |",
      "| `logging` | docker-compose.yml:18 | dropped | logs go to the service's CloudWatch log group (`logs.retentionDays`) |",
      "| (the service) | docker-compose.yml:26 | mapped | port 7000, the port other services use in their URLs |",
      "| `container_name` | docker-compose.yml:28 | dropped | ECS names the tasks; other services reach this one by its service name |",
      "| `volumes[1]` | docker-compose.yml:39 | **needs a decision** | a host file (./ledger.toml → /etc/ledger/ledger.toml): copy it into the image (`COPY` in the Dockerfile), or pass its values as environment |",
      "| `healthcheck` | docker-compose.yml:43 | dropped | disabled: no container check (the image's HEALTHCHECK is not used by ECS either) |",
      "| `privileged` | docker-compose.yml:49 | **needs a decision** | Fargate runs no privileged containers: the app must run without it |",
      "| `networks` | docker-compose.yml:53 | dropped | every service runs in the environment's VPC; internal services are reached through Service Connect (`calls`) |",
    ]);
  });
});

describe("berth import compose: datastores Berth does not manage", () => {
  it("reports MySQL as not supported yet and keeps the variables that pointed at it for a decision", async () => {
    const { manifest, lines, root } = await imported("wordpress-mysql", ["docker-compose.yaml"]);
    expect(manifest("wordpress")).toBe(
      `${header("docker-compose.yaml", "wordpress")}name: wordpress
kind: web
image: wordpress:6.5-php8.3-apache
allowMutableImageTag: true # TODO: pin wordpress:6.5-php8.3-apache by digest before production
port: 80
environment:
  WORDPRESS_DB_HOST: mysql:3306
  WORDPRESS_DB_USER: wordpress
  WORDPRESS_DB_NAME: wordpress
secrets:
  WORDPRESS_DB_PASSWORD: { ssm: /berth/<env>/wordpress/wordpress-db-password }
resources:
  wp-content: { type: volume, path: /var/www/html/wp-content }
uses: [ wp-content ]
`,
    );
    expect(existsSync(join(root, "apps", "mysql"))).toBe(false);
    expectLines(lines, [
      "| `services.mysql` | not imported (needs a decision) |",
      "- [ ] `services.mysql` (docker-compose.yaml:16): MySQL is not supported yet: Berth's managed databases are PostgreSQL (Aurora or RDS). Not imported; move to the postgres resource, or keep MySQL outside Berth (RDS for MySQL) and pass its address and password",
      "- [ ] `services.wordpress.environment.WORDPRESS_DB_HOST` (docker-compose.yaml:7): `environment.WORDPRESS_DB_HOST` kept, but it points at mysql, which is not imported: set it to the address of its replacement",
      "| `volumes.mysql-data` | docker-compose.yaml:29 | dropped | the data of mysql, which is not imported |",
    ]);
  });

  it("reports RabbitMQ as out of scope, and moves URLs with passwords to secrets", async () => {
    const { manifest, lines } = await imported("rabbitmq", ["docker-compose.yml"]);
    expect(manifest("fulfilment-worker")).toBe(
      `${header("docker-compose.yml", "fulfilment-worker")}name: fulfilment-worker
kind: worker
build: { context: ../.., dockerfile: ../../Dockerfile }
command: [ python, -m, fulfilment.consume, --queue, orders ]
secrets:
  AMQP_URL: { ssm: /berth/<env>/fulfilment-worker/amqp-url }
count: 2
`,
    );
    expectLines(lines, [
      "- [ ] `services.rabbitmq` (docker-compose.yml:21): RabbitMQ: Amazon MQ is out of Berth's scope. Not imported; a Berth worker consumes its own SQS queue (kind worker), or run RabbitMQ outside Berth and pass its URL as a secret",
      "| `environment.AMQP_URL` | docker-compose.yml:7 | changed | points at rabbitmq (not imported): `secrets.AMQP_URL: { ssm: /berth/<env>/orders/amqp-url }`; the value is not copied (create the parameter: see Secrets to create) |",
      "| `depends_on.rabbitmq` | docker-compose.yml:10 | dropped | start order is not needed on ECS: each service starts on its own, so orders must retry its connections to rabbitmq until it answers |",
    ]);
  });
});

describe("berth import compose: Laravel behind nginx (proxy, extends in the same file, php artisan)", () => {
  it("imports the app as web without its proxy, the queue as a worker and the scheduler as a job", async () => {
    const { manifest, lines } = await imported("laravel", ["compose.yaml"]);
    expect(manifest("app")).toBe(
      `${header("compose.yaml", "app")}name: app
kind: web
build: { context: ../.., dockerfile: ../../docker/php/Dockerfile }
port: 9000
environment:
  APP_URL: https://laravel.example.com
  LOG_CHANNEL: stderr
  MAIL_MAILER: ses
  APP_ENV: production
  DB_CONNECTION: pgsql
  QUEUE_CONNECTION: redis
secrets:
  APP_KEY: { ssm: /berth/<env>/app/app-key }
uses: [ pgsql, redis ]
`,
    );
    expect(manifest("queue")).toContain("kind: worker\n");
    expect(manifest("scheduler")).toContain("kind: job\n");
    expectLines(lines, [
      "| `services.nginx` | not imported (the load balancer routes instead) |",
      "| (the service) | compose.yaml:29 | **needs a decision** | kind web: nginx (a reverse proxy) published it; the load balancer now sends HTTP to its port directly: if nginx did more than route (FastCGI for php-fpm, static files), put that in the image or a sidecar |",
      "| `expose[0]` | compose.yaml:32 | mapped | `port: 9000`: callers reach it at http://app:9000 (Service Connect) |",
      "| (the service) | compose.yaml:34 | mapped | kind worker: its command (php artisan queue:work --sleep=3 --tries=3 --max-time=3600) consumes a queue |",
      "| `extends` | compose.yaml:41 | mapped | merged with #app: the keys it brings are listed with this service (at their own lines) |",
      "| `environment.DB_HOST` | compose.yaml:10 | **needs a decision** | dropped: the link to `pgsql` (postgres) injects `PGSQL_HOST` instead: read that name in the app |",
      "| `environment.REDIS_HOST` | compose.yaml:15 | mapped | injected by the link to `redis` (cache): `REDIS_HOST`; not written in the manifest |",
      "| `services.pgsql` | postgres resource `pgsql` (shared by app, queue and scheduler) |",
    ]);
  });
});

describe("berth import compose: volumes and secrets shared between services", () => {
  it("shares volumes used by several services, read-only where every mount is, and secrets become SSM parameters", async () => {
    const { manifest, lines, root } = await imported("shared-volumes", ["compose.yaml"]);
    expect(manifest("cms")).toBe(
      `${header("compose.yaml", "cms")}name: cms
kind: web
build: { context: ../../cms, dockerfile: ../../cms/Dockerfile }
environment: { CMS_SITE_NAME: Acme News, CMS_CACHE_TTL: "300" }
secrets:
  DB_PASSWORD: { ssm: /berth/<env>/cms/db-password }
  SMTP_PASSWORD: { ssm: /berth/<env>/cms/smtp-password }
resources:
  archive: { type: volume, path: /archive }
uses: [ uploads, exports, archive ]
`,
    );
    expect(manifest("thumbnailer")).toContain("uses:\n  - { uploads: read }\n  - exports\n");
    expect(read(root, "apps/berth.shared.yaml")).toContain(
      "resources:\n  uploads: { type: volume, path: /var/www/uploads } # the compose volume uploads, used by cms and thumbnailer\n  exports: { type: volume } # the compose volume exports, used by cms and thumbnailer\n",
    );
    expectLines(lines, [
      "- [ ] `services.cms.volumes[1]` (compose.yaml:7): an EFS volume resource: `berth.shared.yaml` resources.exports (type volume), `uses: exports`; copy existing data to it (AWS DataSync); the services mount it at /exports and /data/exports, but a volume has one path: choose it",
      "| `volumes[2]` | compose.yaml:8 | **needs a decision** | an EFS volume resource: resources.archive (type volume, path /archive), `uses: archive`; copy existing data to it (AWS DataSync); the volume is external (its data was made outside this file): the new EFS volume starts empty, copy the data over |",
      "| `secrets[0]` | compose.yaml:10 | **needs a decision** | `secrets.DB_PASSWORD: { ssm: /berth/<env>/cms/db-password }`: Compose mounted it as the file /run/secrets/db_password; Berth gives it as the variable DB_PASSWORD: read the variable (or write the file from it in the entrypoint) |",
      "| `/berth/<env>/cms/db-password` | SSM Parameter Store (SecureString) | cms | `DB_PASSWORD` | the file ./secrets/db_password.txt |",
      "| `/berth/<env>/cms/smtp-password` | SSM Parameter Store (SecureString) | cms | `SMTP_PASSWORD` | the variable SMTP_PASSWORD |",
      "| `secrets.db_password` | compose.yaml:33 | changed | the value goes to SSM Parameter Store (see Secrets to create); the file ./secrets/db_password.txt is not read |",
      '| `env_file[0].CMS_SITE_NAME` | cms.env:1 | mapped | `environment.CMS_SITE_NAME: "Acme News"` |',
      "| `env_file[1]` | compose.yaml:16 | dropped | ./cms.local.env does not exist; it is optional (required: false) |",
      "| (the service) | compose.yaml:19 | **needs a decision** | kind worker: it publishes no port and nothing reaches it by name; a Berth worker consumes its own SQS queue: check that fits, or make it a job |",
    ]);
  });
});

describe("berth import compose: variables", () => {
  it("reads .env next to the file, lets the shell win, and applies every default form", async () => {
    const { manifest, lines } = await imported("interpolation", ["compose.yaml"], {
      FROM_SHELL: "from-the-shell",
    });
    expect(manifest("api")).toBe(
      `${header("compose.yaml", "api")}name: api
kind: web
image: ghcr.io/acme/api:1.4.2
allowMutableImageTag: true # TODO: pin ghcr.io/acme/api:1.4.2 by digest before production
environment:
  NESTED: nested-default
  EMPTY_OR_DEFAULT: fallback
  EMPTY_KEPT: ""
  ALTERNATE: tagged
  LITERAL_DOLLAR: price is $5
  SHELL_WINS: from-the-shell
  FROM_ENV_FILE: dotenv
  BRACED_AND_PLAIN: 1.4.2-1.4.2
count: 2
`,
    );
    expectLines(lines, [
      "| `TAG` | .env | compose.yaml:4 |",
      "| `FROM_SHELL` | the shell | compose.yaml:13 |",
      "| `ONLY_IN_FILE` | .env | compose.yaml:14 |",
    ]);
  });

  it("reads --env-file files instead of .env, later ones winning", async () => {
    const { manifest, lines } = await imported(
      "interpolation",
      ["compose.yaml", "--env-file", "prod.env", "--env-file", "override.env"],
      { FROM_SHELL: "shell" },
    );
    expect(manifest("api")).toContain(
      "image: ghcr.io/acme/api:2.0.0\nallowMutableImageTag: true # TODO: pin ghcr.io/acme/api:2.0.0 by digest before production\n",
    );
    expect(manifest("api")).toContain("  EMPTY_KEPT: kept-empty\n");
    expect(manifest("api")).toContain("  FROM_ENV_FILE: prod-file\n");
    expect(manifest("api")).toContain("  SHELL_WINS: shell\n");
    expect(manifest("api")).toContain("count: 6\n");
    expectLines(lines, [
      "| `TAG` | --env-file prod.env | compose.yaml:4 |",
      "| `REPLICAS` | --env-file override.env | compose.yaml:17 |",
      "| `FROM_SHELL` | the shell | compose.yaml:13 |",
    ]);
  });
});

describe("berth import compose: several web services (Traefik rules, sizes, health checks)", () => {
  it("routes by the Traefik rule, keeps the catch-all for one service and sizes the other", async () => {
    const { manifest, lines } = await imported("multi-web", ["compose.yaml"]);
    expect(manifest("site")).toBe(
      `${header("compose.yaml", "site")}name: site
kind: web
image: ghcr.io/acme/site:3.1.0
allowMutableImageTag: true # TODO: pin ghcr.io/acme/site:3.1.0 by digest before production
# from the Traefik rule
http:
  hosts: [ www.acme.example ]
`,
    );
    expect(manifest("admin")).toBe(
      `${header("compose.yaml", "admin")}name: admin
kind: web
image: ghcr.io/acme/admin:3.1.0
allowMutableImageTag: true # TODO: pin ghcr.io/acme/admin:3.1.0 by digest before production
port: 9090
cpu: 4096
memory: 8192 # memory 512 MiB rounded up to 8192 (a Fargate task size)
healthCheck:
  path: /admin/health # the URL of the compose health check: the load balancer checks it
  command: [ CMD, wget, -qO-, http://127.0.0.1:9090/admin/health ]
  intervalSeconds: 5
  timeoutSeconds: 4
  unhealthyThreshold: 2
  startPeriodSeconds: 300
`,
    );
    expectLines(lines, [
      '| `labels.traefik.http.routers.site.rule` | compose.yaml:7 | mapped | `http: {"hosts":["www.acme.example"]}` (the shared load balancer routes these hosts and paths, as the Traefik rule did) |',
      "| `ports[1]` | compose.yaml:15 | **needs a decision** | a second port (9091): a web service serves one port through the load balancer; serve it on 9090 or split it into another service |",
      "| `deploy.mode` | compose.yaml:17 | **needs a decision** | global mode (one task per node): Fargate has no nodes; set `count` |",
      "| `healthcheck.interval` | compose.yaml:24 | changed | `healthCheck.intervalSeconds: 5` (interval (seconds) 2 is below Berth's minimum: raised to 5) |",
      "| `healthcheck.start_interval` | compose.yaml:28 | dropped | ECS checks at one interval, also during the start period |",
      "| `environment.SCRAPE_TARGETS` | compose.yaml:33 | **needs a decision** | `environment.SCRAPE_TARGETS: \"site:8080,admin:9090\"`; site is a web service, reached through the load balancer's address, not by name: set the URL per environment; admin is a web service, reached through the load balancer's address, not by name: set the URL per environment |",
    ]);
  });

  it("gives web services without routes of their own a placeholder path each, but one", async () => {
    const root = repoWith("compose/errors", {
      "two-webs.yml":
        "services:\n  shop:\n    image: shop:1\n    ports: ['8080:8080']\n  blog:\n    image: blog:1\n    ports: ['80:3000']\n",
    });
    const r = await berthImport(root, ["compose", "two-webs.yml"]);
    expect(r.code).toBe(0);
    expect(read(root, "apps/blog/berth.yaml")).not.toContain("http:");
    expect(read(root, "apps/shop/berth.yaml")).toContain(
      "# a placeholder route: each web service needs its own hosts or paths\nhttp:\n  paths: [ /shop/* ]\n",
    );
    expect(reportLines(root)).toContain(
      '- [ ] `services.shop` (two-webs.yml:2): blog keeps the catch-all route `/*`; shop gets `http.paths: ["/shop/*"]` as a placeholder: choose its hosts or paths',
    );
  });
});

describe("berth import compose: a monorepo (compose file in a subfolder, contexts elsewhere)", () => {
  it("writes build paths relative to the service's folder", async () => {
    const { manifest, lines } = await imported("monorepo", ["deploy/compose.yaml"]);
    expect(manifest("web")).toBe(
      `${header("deploy/compose.yaml", "web")}name: web
kind: web
build:
  context: ../..
  dockerfile: ../../services/web/Dockerfile
  args: { APP: web }
  target: runtime
port: 3000
environment:
  API_BASE: http://api:8080
  PUBLIC_URL: https://acme.example
calls: [ api ]
`,
    );
    expect(manifest("api")).toBe(
      `${header("deploy/compose.yaml", "api")}name: api
kind: internal
build:
  context: ../../services/api
  dockerfile: ../../docker/go.Dockerfile
environment: { GOMAXPROCS: "2", GIN_MODE: release }
healthCheck:
  command: [ CMD, /api, healthcheck ]
  intervalSeconds: 90
  timeoutSeconds: 60
  unhealthyThreshold: 10
  startPeriodSeconds: 300
`,
    );
    expectLines(lines, [
      "| `build.args.GIT_SHA` | deploy/compose.yaml:9 | **needs a decision** | no value (Compose takes it from the environment): give it one in `build.args` |",
      "| `build.cache_from` | deploy/compose.yaml:11 | dropped | the pipeline manages the build cache |",
      "| `healthcheck.timeout` | deploy/compose.yaml:28 | changed | `healthCheck.timeoutSeconds: 60` (timeout (seconds) 120 is above ECS's maximum for a container health check: lowered to 60) |",
    ]);
  });
});

describe("berth import compose: a Python ledger (worker, cron, a scheduled report, an internal search, loopback ports)", () => {
  it("writes the API with a loopback port, a 0.75 CPU limit rounded to a Fargate size, env files and calls", async () => {
    const { manifest, catalogue } = await imported("ledger", ["docker-compose.yml"]);
    expect(manifest("api")).toBe(
      `${header("docker-compose.yml", "api")}name: api
kind: web
build: { context: ../.., dockerfile: ../../api/Dockerfile }
port: 80
cpu: 1024
memory: 2048 # CPU 768 units rounded up to 1024; memory 700 MiB rounded up to 2048 (a Fargate task size)
environment:
  LOG_LEVEL: debug
  SENTRY_DSN: https://abc@sentry.io/1
  FEATURE_FLAGS: a,b
  APP_ENV: production
  GUNICORN_CMD_ARGS: --workers=2
  SEARCH_URL: http://search:9200
secrets:
  JWT_SECRET: { ssm: /berth/<env>/api/jwt-secret }
  STRIPE_API_KEY: { ssm: /berth/<env>/api/stripe-api-key }
healthCheck:
  path: /healthz # the URL of the compose health check: the load balancer checks it
  command: [ CMD-SHELL, wget -qO- http://localhost/healthz || exit 1 ]
  intervalSeconds: 15
  startPeriodSeconds: 20
calls: [ search ]
uses: [ postgres, redis ]
`,
    );
    expect(catalogue.services.map((s) => [s.name, s.kind])).toEqual([
      ["api", "web"],
      ["cron", "job"],
      ["reports", "job"],
      ["search", "internal"],
      ["worker", "worker"],
    ]);
  });

  it("gives a job that names an internal service no calls, and says so on the variable's row", async () => {
    const { manifest, lines } = await imported("ledger", ["docker-compose.yml"]);
    expect(manifest("reports")).not.toContain("calls");
    expectLines(lines, [
      "- [ ] `services.reports` (docker-compose.yml:54): it reaches search by name, but a scheduled task cannot use Service Connect: give it their address another way (or make them web services)",
      '| `environment.SEARCH_URL` | docker-compose.yml:19 | mapped | `environment.SEARCH_URL: "http://search:9200"`; `calls: [search]` |',
      '| `environment.SEARCH_URL` | docker-compose.yml:61 | mapped | `environment.SEARCH_URL: "http://search:9200"`; no `calls`: a scheduled task cannot reach search through Service Connect (see the decision on the service) |',
    ]);
    expect(lines.filter((l) => l.includes("`calls: [search]`"))).toHaveLength(1);
  });
});

describe("berth import compose: PostgreSQL images with extensions (PostGIS, TimescaleDB)", () => {
  it("reads PostgreSQL's major from a TimescaleDB tag (2.14.2-pg15), and asks about the extensions", async () => {
    const digest = "a".repeat(64);
    const root = repoWith(undefined, {
      "compose.yaml": `services:
  api:
    image: ghcr.io/acme/api@sha256:${digest}
    ports: ["8080:8080"]
    environment: { METRICS_URL: "postgres://u:p@tsdb:5432/metrics", GEO_URL: "postgres://u:p@geo:5432/geo" }
  tsdb:
    image: timescale/timescaledb:2.14.2-pg15
  geo:
    image: postgis/postgis:16-3.4
`,
    });
    const r = await berthImport(root, ["compose", "compose.yaml"]);
    expect(r.code, r.err).toBe(0);
    expectLines(reportLines(root), [
      "| `image` | compose.yaml:7 | **needs a decision** | a managed Aurora PostgreSQL (Serverless v2) resource instead of a container: `api/berth.yaml` resources.tsdb, used by api; the image ships TimescaleDB, which Aurora PostgreSQL does not offer: hypertables and TimescaleDB's functions do not exist there; move the app off them, or keep TimescaleDB outside Berth; the container ran PostgreSQL 15, the resource defaults to 16.6: set `version` to a 15.x version if the app needs 15 |",
      "| `image` | compose.yaml:9 | **needs a decision** | a managed Aurora PostgreSQL (Serverless v2) resource instead of a container: `api/berth.yaml` resources.geo, used by api; the image created the PostGIS extension at its first start: Aurora PostgreSQL offers it, but the database starts without it: run `CREATE EXTENSION postgis;` once (in a migration or a `release.command`) |",
    ]);
    expect(read(root, "apps/IMPORT-REPORT.md")).not.toContain("PostgreSQL 2,");
  });
});

describe("berth import compose: service names Berth cannot take as they are", () => {
  it("renames with a reason on the service's row: a one-letter name gets svc-, a taken one a number", async () => {
    const image = `nginx@sha256:${"d".repeat(64)}`;
    const root = repoWith(undefined, {
      "compose.yaml": `services:
  Web_App:
    image: ${image}
    ports: ["80:80"]
    environment: { SEARCH: "http://x:9200" }
  web-app:
    image: ${image}
    expose: ["8080"]
  x:
    image: ${image}
    expose: ["9200"]
`,
    });
    const r = await berthImport(root, ["compose", "compose.yaml"]);
    expect(r.code, r.err).toBe(0);
    expectLines(reportLines(root), [
      "| `services.Web_App` | `web-app/berth.yaml` (kind web) |",
      "| `services.web-app` | `web-app-2/berth.yaml` (kind internal) |",
      "| `services.x` | `svc-x/berth.yaml` (kind internal) |",
      "| (the service) | compose.yaml:2 | changed | `name: web-app`: a service name is lower-case letters, digits and single hyphens, starting with a letter, 2 to 17 characters |",
      "| (the service) | compose.yaml:6 | changed | `name: web-app-2`: web-app is taken by another service |",
      "| (the service) | compose.yaml:9 | changed | `name: svc-x`: a service name is lower-case letters, digits and single hyphens, starting with a letter, 2 to 17 characters |",
    ]);
    expect(read(root, "apps/web-app/berth.yaml")).toContain("environment: { SEARCH: http://svc-x:9200 }\n");
    expect(read(root, "apps/web-app/berth.yaml")).toContain("calls: [ svc-x ]\n");
  });
});

describe("berth import compose: nothing left out", () => {
  const fixtures: [string, string][] = [
    ["django-celery", "docker-compose.yml"],
    ["rails-sidekiq", "compose.yaml"],
    ["node-api", "compose.yml"],
    ["cron-jobs", "compose.yaml"],
    ["legacy-v2", "docker-compose.yml"],
    ["wordpress-mysql", "docker-compose.yaml"],
    ["laravel", "compose.yaml"],
    ["rabbitmq", "docker-compose.yml"],
    ["shared-volumes", "compose.yaml"],
    ["interpolation", "compose.yaml"],
    ["multi-web", "compose.yaml"],
    ["monorepo", "deploy/compose.yaml"],
    ["ledger", "docker-compose.yml"],
  ];

  it.each(fixtures)("%s: every key has a deliberate row", async (fixture, file) => {
    const { lines } = await imported(fixture, [file]);
    expect(lines.filter((l) => l.includes("not read by the importer"))).toEqual([]);
  });

  it("reports a key it does not know instead of dropping it silently", async () => {
    const root = repoWith("compose/errors", {
      "odd.yml":
        "services:\n  web:\n    image: nginx:1\n    ports: ['80:80']\n    frobnicate: { level: 3 }\nmystery: true\n",
    });
    const r = await berthImport(root, ["compose", "odd.yml"]);
    expect(r.code).toBe(0);
    expectLines(reportLines(root), [
      "| `mystery` | odd.yml:6 | dropped | not read by the importer: Berth has no equivalent |",
      "| `frobnicate.level` | odd.yml:5 | dropped | not read by the importer: Berth has no equivalent |",
    ]);
  });
});

describe("berth import compose: where it writes", () => {
  it("writes to --out, and points the schema line at the repository's schema", async () => {
    const root = repoWith("compose/node-api");
    mkdirSync(join(root, "schemas"));
    writeFileSync(join(root, "schemas", "berth-manifest.schema.json"), "{}");
    const r = await berthImport(root, ["compose", "compose.yml", "--out", "services/catalogue"]);
    expect(r.code).toBe(0);
    expect(read(root, "services/catalogue/api/berth.yaml").split("\n")[0]).toBe(
      "# yaml-language-server: $schema=../../../schemas/berth-manifest.schema.json",
    );
    expect(existsSync(join(root, "services/catalogue/IMPORT-REPORT.md"))).toBe(true);
    expect(r.out).toContain("Wrote 3 files to services/catalogue/;");
  });

  it("refuses to overwrite a manifest or the report, and writes nothing", async () => {
    const root = repoWith("compose/node-api");
    mkdirSync(join(root, "apps", "api"), { recursive: true });
    writeFileSync(join(root, "apps", "api", "berth.yaml"), "name: api\n");
    writeFileSync(join(root, "apps", "IMPORT-REPORT.md"), "old\n");
    const r = await berthImport(root, ["compose", "compose.yml"]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      "berth import: will not overwrite apps/api/berth.yaml, apps/IMPORT-REPORT.md: move them away or choose another --out; nothing was written\n",
    );
    expect(existsSync(join(root, "apps", "frontend"))).toBe(false);
    expect(read(root, "apps/api/berth.yaml")).toBe("name: api\n");
  });

  it("fails when the imported services clash with the catalogue already there, naming the problem", async () => {
    const root = repoWith("compose/cron-jobs");
    mkdirSync(join(root, "apps", "shop"), { recursive: true });
    writeFileSync(
      join(root, "apps", "shop", "berth.yaml"),
      "name: shop\nkind: web\nimage: shop:1\nallowMutableImageTag: true\n",
    );
    const r = await berthImport(root, ["compose", "compose.yaml"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error: the written manifests do not pass the checks:\napps\/app\/berth\.yaml:3:1: http\.paths is \["\/\*"\]; shop \(apps\/shop\/berth\.yaml\) routes the same hosts and paths in dev; only the first rule would ever match\n/,
    );
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe("berth import compose: inputs it cannot read", () => {
  const cases: [string, string[], number, string][] = [
    [
      "a file that is not a compose file",
      ["k8s-deployment.yaml"],
      1,
      "error: k8s-deployment.yaml is not a compose file: it has no services (top-level keys: apiVersion, kind, metadata, spec)\n",
    ],
    [
      "the version 1 format",
      ["version-1.yml"],
      1,
      "error: version-1.yml is not a compose file Compose still reads: its services are at the top level (the version 1 format); put them under services:\n",
    ],
    [
      "YAML that does not parse",
      ["bad-yaml.yml"],
      1,
      "error: bad-yaml.yml:6:1: not valid YAML: All mapping items must start at the same column\n",
    ],
    [
      "a key given twice",
      ["duplicate-key.yml"],
      1,
      "error: duplicate-key.yml:4:3: not valid YAML: Map keys must be unique\n",
    ],
    [
      "an unset variable without a default",
      ["unknown-variable.yml"],
      1,
      "error: unknown-variable.yml:6:22: variable DB_HOST is not set and has no default; set it in the shell, in .env next to the compose file or with --env-file, or give a default: ${DB_HOST:-value}\n",
    ],
    [
      "a required variable",
      ["required-variable.yml"],
      1,
      "error: required-variable.yml:3:12: variable IMAGE is required: give the image to deploy (set it in the shell, in .env next to the compose file or with --env-file)\n",
    ],
    [
      "a missing env_file",
      ["missing-env-file.yml"],
      1,
      "error: missing-env-file.yml:5:9: env_file ./web.env not found (web.env); create it, or mark it optional: { path: ./web.env, required: false }\n",
    ],
    [
      "an extends cycle",
      ["extends-cycle.yml"],
      1,
      "error: extends-cycle.yml:2:3: extends makes a cycle: a → b → a\n",
    ],
    ["a missing compose file", ["nope.yml"], 2, "berth import: nope.yml: no such file\n"],
    ["a folder", ["."], 2, "berth import: . is a folder; give the compose file (compose.yaml)\n"],
    [
      "a missing --env-file",
      ["unknown-variable.yml", "--env-file", "x.env"],
      2,
      "berth import: --env-file x.env: no such file\n",
    ],
    [
      "no file at all",
      [],
      2,
      "berth import: missing required argument 'compose-file'\nRun 'berth import --help' for the options.\n",
    ],
  ];

  it.each(cases)("%s: exit %#", async (_title, args, code, err) => {
    const root = repoWith("compose/errors");
    const r = await berthImport(root, ["compose", ...args]);
    expect(r.code).toBe(code);
    expect(r.err).toBe(err);
    expect(r.out).toBe("");
    expect(existsSync(join(root, "apps"))).toBe(false);
  });

  it("names the extended service a file does not define", async () => {
    const root = repoWith("compose/errors", {
      "extends-missing.yml": "services:\n  web:\n    extends:\n      file: base.yml\n      service: nope\n",
      "base.yml": "services:\n  base:\n    image: nginx\n",
    });
    const r = await berthImport(root, ["compose", "extends-missing.yml"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "error: extends-missing.yml:4:7: extends names service nope, which base.yml does not define\n",
    );
  });
});

describe("berth import compose: nothing to import", () => {
  it("prints the report, writes nothing and exits 1 when no service can be imported", async () => {
    const root = repoWith("compose/errors", {
      "only-mysql.yml":
        "services:\n  mysql:\n    image: mysql:8\n  adminer:\n    image: adminer\n    profiles: [debug]\n",
    });
    const r = await berthImport(root, ["compose", "only-mysql.yml"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "error: only-mysql.yml: no service could be imported (services.mysql: not imported (needs a decision); services.adminer: not imported (profile debug)); nothing was written\n",
    );
    expect(r.out).toContain("## Needs a decision (1)");
    expect(existsSync(join(root, "apps"))).toBe(false);
  });
});
