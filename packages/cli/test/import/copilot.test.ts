// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests read Copilot's variables (${COPILOT_ENVIRONMENT_NAME}), not templates
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadCatalogue, platformEnvironments } from "@berth/core";
import { describe, expect, it } from "vitest";
import { berthImport, read, reportLines, repoWith } from "./harness.js";

const header = (service: string) =>
  "# yaml-language-server: $schema=../../schemas/berth-manifest.schema.json\n" +
  `# Imported from copilot/${service}/manifest.yml by berth import copilot: see ../IMPORT-REPORT.md.\n`;
const X86 =
  "architecture: X86_64 # Copilot builds linux/x86_64 by default; ARM64 (Berth's default) costs less once the image builds for it\n";

function expectLines(lines: string[], expected: string[]): void {
  expect(expected.filter((l) => !lines.includes(l))).toEqual([]);
}

/** Imports a workspace fixture; the command must succeed and write a valid catalogue. */
async function imported(fixture: string, dir = ".", extra: Record<string, string> = {}) {
  const root = repoWith(`copilot/${fixture}`, extra);
  const r = await berthImport(root, ["copilot", dir]);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  const catalogue = loadCatalogue(join(root, "apps"), { environments: platformEnvironments(root) });
  return {
    root,
    r,
    catalogue,
    lines: reportLines(root),
    manifest: (name: string) => read(root, `apps/${name}/berth.yaml`),
  };
}

describe("berth import copilot: a web service and a backend service (storefront)", () => {
  it("maps types to kinds, environment overrides to the platform's environments, and secrets under /berth/<env>/", async () => {
    const { manifest, catalogue } = await imported("storefront");
    expect(manifest("frontend")).toBe(
      `${header("frontend")}name: frontend
kind: web
build:
  context: ../../frontend
  dockerfile: ../../frontend/Dockerfile
${X86}port: 3000
cpu: 512
memory: 1024
environment: { LOG_LEVEL: info, API_URL: http://api:8080 }
secrets:
  SESSION_SECRET: { ssm: /berth/<env>/frontend/session-secret }
  STRIPE_KEY: { secretsManager: berth/<env>/frontend/stripe, key: apiKey }
healthCheck:
  path: /_health
  intervalSeconds: 15
  timeoutSeconds: 10
  unhealthyThreshold: 2
  startPeriodSeconds: 45
  healthyThreshold: 3
count: { min: 2, max: 10, cpuTarget: 60, requestsPerTarget: 500 }
deregistrationDelaySeconds: 20
calls: [ api ]
exec: true
environments:
  dev:
    count: 1
    environment: { LOG_LEVEL: debug }
  prod:
    count: { min: 3, max: 20, cpuTarget: 50 }
    http:
      hosts: [ shop.example.com, www.shop.example.com ]
`,
    );
    expect(manifest("api")).toBe(
      `${header("api")}name: api
kind: internal
build:
  context: ../..
  dockerfile: ../../api/Dockerfile
  target: production
  args: { GO_VERSION: "1.22" }
environment: { DB_POOL: "10", FEATURE_SEARCH: "on", CACHE_TTL_SECONDS: "120" }
healthCheck:
  command:
    - CMD-SHELL
    - wget -qO- http://localhost:8080/healthz || exit 1
  unhealthyThreshold: 2
  startPeriodSeconds: 30
count: 2
environments:
  prod:
    count: { min: 2, max: 6, memoryTarget: 70 }
    cpu: 1024
    memory: 2048
`,
    );
    expect(catalogue.service("frontend", "prod")).toMatchObject({
      count: { min: 3, max: 20, cpuTarget: 50, requestsPerTarget: 500 },
      http: { hosts: ["shop.example.com", "www.shop.example.com"] },
    });
    expect(catalogue.service("frontend", "dev")?.count).toBe(1);
    expect(catalogue.service("frontend", "staging")?.count).toEqual({
      min: 2,
      max: 10,
      cpuTarget: 60,
      requestsPerTarget: 500,
    });
    expect(catalogue.service("api", "prod")).toMatchObject({ cpu: 1024, memory: 2048 });
  });

  it("reports the environments, the overrides per environment, the secrets to copy and the calls", async () => {
    const { lines } = await imported("storefront");
    expectLines(lines, [
      "| `environments.test` | the platform's environment dev |",
      "| (the environment) | copilot/environments/test/manifest.yml:2 | changed | the platform's environment dev (stacks/platform/Pulumi.dev.yaml): the usual name for test; check the overrides land where you expect |",
      "| `network` | copilot/environments/test/manifest.yml:4 | dropped | the environment's network settings: the platform stack configures environments (stacks/platform/Pulumi.<env>.yaml), not the import |",
      "| `application` | copilot/.workspace:1 | dropped | the application's name (storefront): each Berth service stands on its own in the catalogue |",
      "| (the service) | copilot/frontend/manifest.yml:3 | changed | `architecture: X86_64`: Copilot's default platform is linux/x86_64, kept so the image still runs; Berth's default ARM64 is cheaper: drop the line once the image builds for arm64 |",
      "| `http.path` | copilot/frontend/manifest.yml:6 | mapped | `/`: the catch-all route `/*` (the default) |",
      "| `http.healthcheck.grace_period` | copilot/frontend/manifest.yml:13 | mapped | `healthCheck.startPeriodSeconds: 45` |",
      "| `http.stickiness` | copilot/frontend/manifest.yml:15 | **needs a decision** | sticky sessions: Berth's target groups have none; keep sessions out of the tasks (a cache resource) |",
      "| `count.range.spot_from` | copilot/frontend/manifest.yml:27 | **needs a decision** | Fargate Spot from task 3 on: Berth runs every task on on-demand Fargate (Spot would cost less for a service that tolerates interruptions) |",
      "| `count.response_time` | copilot/frontend/manifest.yml:30 | **needs a decision** | scaling on response time (2s): Berth scales on CPU, memory or requests per task; choose a target |",
      "| `secrets.SESSION_SECRET` | copilot/frontend/manifest.yml:41 | changed | `secrets.SESSION_SECRET: { ssm: /berth/<env>/frontend/session-secret }`: the environment's tasks read only parameters under /berth/<env>/; copy /copilot/storefront/<env>/secrets/SESSION_SECRET there |",
      "| `environments.test.count` | copilot/frontend/manifest.yml:47 | mapped | in dev (Copilot's test): `count: 1` |",
      '| `environments.prod.http.alias` | copilot/frontend/manifest.yml:52 | mapped | in prod: `http.hosts: ["shop.example.com","www.shop.example.com"]`; DNS records and certificates are the environment\'s |',
      "| `/berth/<env>/frontend/session-secret` | SSM Parameter Store (SecureString) | frontend | `SESSION_SECRET` | the SSM parameter /copilot/storefront/<env>/secrets/SESSION_SECRET: copy it |",
      "| `berth/<env>/frontend/stripe` | Secrets Manager | frontend | `STRIPE_KEY` | the secret storefront/<env>/stripe (key apiKey): copy it |",
      "| (the service) | copilot/api/manifest.yml:2 | mapped | frontend calls it (its variables name it): `calls: [api]` |",
      "| `network.connect` | copilot/api/manifest.yml:20 | mapped | Service Connect: callers list it in `calls` and reach http://api:8080 |",
      "| `platform` | copilot/api/manifest.yml:25 | mapped | ARM64, Berth's default architecture |",
      '| `env_file.FEATURE_SEARCH` | api/api.env:1 | mapped | `environment.FEATURE_SEARCH: "on"` |',
      "| `environments.prod.count.memory_percentage` | copilot/api/manifest.yml:37 | mapped | in prod: `count.memoryTarget: 70` |",
    ]);
  });

  it("uses the platform's own environments when the repository has them", async () => {
    const { manifest, lines } = await imported("storefront", ".", {
      "stacks/platform/Pulumi.test.yaml": "config: {}\n",
      "stacks/platform/Pulumi.prod.yaml": "config: {}\n",
    });
    expect(manifest("frontend")).toContain(
      "\n  test:\n    count: 1\n    environment: { LOG_LEVEL: debug }\n",
    );
    expectLines(lines, [
      "| (the environment) | copilot/environments/test/manifest.yml:2 | mapped | the platform's environment test (stacks/platform/Pulumi.test.yaml) |",
    ]);
  });
});

describe("berth import copilot: a worker subscribed to topics (events)", () => {
  it("keeps the queue's settings, scales on backlog, and leaves the SNS topics for a decision", async () => {
    const { manifest, lines } = await imported("events");
    expect(manifest("notifier")).toBe(
      `${header("notifier")}name: notifier
kind: worker
build:
  context: ../../notifier
  dockerfile: ../../notifier/Dockerfile
${X86}secrets:
  SMTP_PASSWORD: { ssm: /berth/<env>/notifier/smtp-password }
  DB_SECRET: { secretsManager: berth/<env>/notifier/notifier-db }
count: { max: 10, backlogPerTask: 2400 }
queue: { processingSeconds: 50, maxReceiveCount: 5 }
environments:
  dev: { count: 1 }
  staging: { count: 1 }
`,
    );
    expect(manifest("orders")).toBe(
      `${header("orders")}name: orders
kind: web
image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:v42
allowMutableImageTag: true # TODO: pin 123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:v42 by digest before production
${X86}port: 80
http:
  paths: [ /orders, /orders/* ]
environment: { DDB_TABLE_NAME: orders }
healthCheck: { path: /orders/ping }
count: 2
environments:
  prod:
    count: { min: 4, max: 12, requestsPerTarget: 1000 }
`,
    );
    expectLines(lines, [
      "| `environments.production` | the platform's environment prod |",
      "| `subscribe.topics[0]` | copilot/notifier/manifest.yml:10 | **needs a decision** | the SNS topic orders/order-events: Berth has no topics; the worker consumes its own SQS queue (QUEUE_URL): have orders send to it (and filter in the worker) |",
      "| `subscribe.queue.retention` | copilot/notifier/manifest.yml:16 | mapped | `queue.retentionDays: 4` |",
      "| `subscribe.queue.timeout` | copilot/notifier/manifest.yml:17 | changed | `queue.processingSeconds: 50`: Berth's visibility timeout is six times the processing time (300 s for Copilot's 5m) |",
      "| `subscribe.queue.dead_letter` | copilot/notifier/manifest.yml:18 | mapped | `queue.maxReceiveCount: 5` (Berth always has a dead-letter queue) |",
      "| `count.queue_delay` | copilot/notifier/manifest.yml:28 | mapped | `count.backlogPerTask: 2400` (acceptable latency ÷ time per message, as Copilot computes it) |",
      "| `environments.qa.count` | copilot/notifier/manifest.yml:41 | mapped | in dev (Copilot's qa): `count: 1` |",
      "| `publish` | copilot/orders/manifest.yml:9 | **needs a decision** | SNS topics: Berth has none; give each consumer a queue (a worker's own queue, or a `queue` resource it uses) and send messages to it |",
      '| `http.path` | copilot/orders/manifest.yml:4 | mapped | `http.paths: ["/orders", "/orders/*"]` |',
      "| `image.location` | copilot/orders/manifest.yml:7 | **needs a decision** | `image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:v42` is a tag, which can move under a running service: `allowMutableImageTag: true` lets it deploy as imported; before production pin it by digest (`docker buildx imagetools inspect 123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders:v42` prints the `Digest:`): `123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders@sha256:<digest>`, then remove `allowMutableImageTag` |",
      "| `environments.production.count.requests` | copilot/orders/manifest.yml:21 | mapped | in prod (Copilot's production): `count.requestsPerTarget: 1000` |",
    ]);
  });
});

describe("berth import copilot: scheduled jobs (batch, given as the copilot/ folder)", () => {
  it("converts every schedule form and keeps Copilot's retries and timeouts", async () => {
    const { manifest, lines, catalogue } = await imported("batch", "copilot");
    expect(manifest("report")).toBe(
      `${header("report")}name: report
kind: job
build:
  context: ../../report
  dockerfile: ../../report/Dockerfile
${X86}schedule: cron(0 0 * * ? *) # @daily in EventBridge Scheduler's syntax (UTC)
timeoutMinutes: 90
retries: 3
cpu: 1024
memory: 2048
environment: { REPORT_BUCKET: acme-reports }
environments:
  prod: { schedule: cron(0 6 ? * 2-6 *), memory: 4096 }
`,
    );
    expect(manifest("cleanup")).toBe(
      `${header("cleanup")}name: cleanup
kind: job
image: public.ecr.aws/acme/cleanup:1.4.0
allowMutableImageTag: true # TODO: pin public.ecr.aws/acme/cleanup:1.4.0 by digest before production
${X86}schedule: rate(10 minutes) # @every 10m in EventBridge Scheduler's syntax (UTC)
timeoutMinutes: 1
retries: 0 # Copilot retries a job 0 times by default; Berth's default is 2
command: [ cleanup, --older-than, 7d ]
`,
    );
    expect(manifest("sync")).toContain("schedule: cron(0 12 ? * MON *)\n");
    expect(manifest("digest")).toContain(
      "schedule: cron(30 7 1 * ? *) # 30 7 1 * * in EventBridge Scheduler's syntax (UTC)\nretries: 0\n",
    );
    expect(manifest("archive")).toContain(
      "schedule: cron(0 0 1 1 ? 2199) # TODO: disabled in Copilot (schedule: none); a placeholder that never runs before 2199\n",
    );
    expect(catalogue.service("report", "prod")).toMatchObject({
      schedule: "cron(0 6 ? * 2-6 *)",
      memory: 4096,
      cpu: 1024,
    });
    expect(catalogue.service("report", "dev")).toMatchObject({ schedule: "cron(0 0 * * ? *)", memory: 2048 });
    expectLines(lines, [
      "| `environments.prod.on.schedule` | copilot/report/manifest.yml:16 | mapped | in prod: `schedule: cron(0 6 ? * 2-6 *)` (0 6 * * 1-5 in EventBridge Scheduler's syntax, UTC) |",
      "| `timeout` | copilot/cleanup/manifest.yml:7 | changed | `timeoutMinutes: 1` (30s rounded up to whole minutes) |",
      "| `on.schedule` | copilot/archive/manifest.yml:4 | **needs a decision** | the schedule is `none` (the job is disabled): the manifest has the placeholder `cron(0 0 1 1 ? 2199)` (never runs before 2199); Berth has no disabled jobs: keep the placeholder, or remove the job |",
      "| (the service) | copilot/cleanup/manifest.yml:2 | changed | `retries: 0`: Copilot does not retry a failed job unless told to; Berth retries twice by default, so the manifest keeps 0 |",
    ]);
  });

  it("turns managed EFS volumes into volume resources, and leaves an existing file system for a decision", async () => {
    const { manifest, lines } = await imported("batch", "copilot");
    expect(manifest("sync")).toContain(
      "resources:\n  cache: { type: volume, path: /var/cache/sync }\n  shared: { type: volume }\nuses:\n  - cache\n  - { shared: read }\n",
    );
    expectLines(lines, [
      "| `storage.volumes.cache` | copilot/sync/manifest.yml:11 | mapped | the volume resource `cache` (type volume, path /var/cache/sync), `uses: cache`; copy the data from Copilot's file system (AWS DataSync) |",
      "| `storage.volumes.shared` | copilot/sync/manifest.yml:15 | **needs a decision** | the existing file system fs-0123456789abcdef0: a new volume resource `shared` (path /mnt/shared) replaces it, `uses: { shared: read }` (Copilot mounts read-only unless read_only: false); copy the data over (AWS DataSync), or keep the old one outside Berth |",
    ]);
  });
});

describe("berth import copilot: storage, sidecars, App Runner and a static site (files)", () => {
  it("maps each service type it can, and names the one it cannot", async () => {
    const { manifest, lines, root } = await imported("files");
    expect(manifest("cms")).toBe(
      `${header("cms")}name: cms
kind: web
build: { context: ../../cms, dockerfile: ../../cms/Dockerfile }
allowMutableImageTag: true # TODO: pin public.ecr.aws/nginx/nginx:1.27 by digest before production
${X86}http:
  hosts: [ cms.example.com ]
cpu: 1024
memory: 3072 # memory 3000 MiB rounded up to 3072 (a Fargate task size)
resources:
  media:
    type: volume
    path: /var/www/media
    posixUser: { uid: 33, gid: 33 }
uses: [ media ]
sidecars:
  - name: nginx
    image: public.ecr.aws/nginx/nginx:1.27
    environment: { NGINX_PORT: "80" }
    essential: true
`,
    );
    expect(manifest("thumbs")).toContain("kind: worker\n");
    expect(manifest("thumbs")).toContain(
      "resources:\n  thumbs-media: { type: volume, path: /media }\nuses:\n  - { thumbs-media: read }\n",
    );
    expect(manifest("landing")).toContain("kind: web\n");
    expect(existsSync(join(root, "apps", "docs-site"))).toBe(false);
    expectLines(lines, [
      "| `docs-site` | not imported (needs a decision) |",
      "- [ ] `docs-site` (copilot/docs-site/manifest.yml:2): type Static Site (S3 and CloudFront): Berth has no static-site kind; serve the files from a web service, or keep the site outside Berth. Not imported",
      "| (the service) | copilot/landing/manifest.yml:2 | changed | kind web: type Request-Driven Web Service: App Runner becomes an ECS service behind the environment's shared load balancer |",
      "| `memory` | copilot/cms/manifest.yml:10 | changed | `cpu: 1024`, `memory: 3072` (memory 3000 MiB rounded up to 3072 (a Fargate task size)) |",
      "| `sidecars.nginx` | copilot/cms/manifest.yml:21 | **needs a decision** | a sidecar `nginx` (public.ecr.aws/nginx/nginx:1.27, essential as in Copilot); its port (sidecars get no port mapping), mount_points not copied; its image is a tag, which can move under a running service: `allowMutableImageTag: true` lets it deploy as imported; before production pin it by digest (`docker buildx imagetools inspect public.ecr.aws/nginx/nginx:1.27` prints the `Digest:`): `public.ecr.aws/nginx/nginx@sha256:<digest>`, then remove `allowMutableImageTag` |",
      "| `storage.volumes.media` | copilot/thumbs/manifest.yml:8 | changed | the volume resource `thumbs-media` (named thumbs-media: cms has a volume media too, and a resource name is unique) (type volume, path /media), `uses: { thumbs-media: read }` (Copilot mounts read-only unless read_only: false); copy the data from Copilot's file system (AWS DataSync) |",
      "| `storage.ephemeral` | copilot/thumbs/manifest.yml:6 | **needs a decision** | 50 GiB of task storage: Berth's tasks have Fargate's default 20 GiB |",
      "| `storage.volumes.scratch` | copilot/thumbs/manifest.yml:11 | **needs a decision** | a scratch volume at /scratch (task storage shared with sidecars): Berth gives a task a read-only root and no scratch volumes; use a volume resource, or /tmp in the image |",
      "| `tags` | copilot/landing/manifest.yml:15 | dropped | Berth tags AWS resources itself |",
    ]);
  });
});

describe("berth import copilot: an older app (addons, placement, FireLens, an environment the platform lacks)", () => {
  it("writes what maps and lists the rest for a decision", async () => {
    const { manifest, lines, catalogue } = await imported("legacy-app");
    expect(manifest("web")).toBe(
      `${header("web")}name: web
kind: web
build: { context: ../.., dockerfile: ../../Dockerfile }
allowMutableImageTag: true # TODO: pin public.ecr.aws/acme/migrate:3 by digest before production
${X86}port: 8000
http:
  paths: [ /api, /api/* ]
environment: { RAILS_ENV: production, WEB_CONCURRENCY: "4" }
secrets:
  DATABASE_URL: { ssm: /berth/<env>/web/database-url }
  SECRET_KEY_BASE: { ssm: /berth/<env>/web/secret-key-base }
healthCheck: { path: /api/healthz }
count: 3
deployment: { minHealthyPercent: 0, maxPercent: 100 }
sidecars:
  - { name: migrate, image: public.ecr.aws/acme/migrate:3 }
environments:
  dev: { count: 1, deployment: null }
  prod:
    count: { min: 3, max: 9, cpuTarget: 75 }
`,
    );
    expect(catalogue.service("web", "dev")?.deployment).toBeUndefined();
    expect(catalogue.service("web", "staging")?.deployment).toEqual({
      minHealthyPercent: 0,
      maxPercent: 100,
    });
    expect(manifest("worker")).toContain("kind: worker\n");
    expectLines(lines, [
      "| `environments.qa` | no platform environment (needs a decision) |",
      "- [ ] `web.environments.qa` (copilot/web/manifest.yml:47): no environment of the platform is qa (it has dev, staging, prod): these overrides are not written; add them to `environments.<env>` by hand",
      "- [ ] `web.image.depends_on` (copilot/web/manifest.yml:11): the app waited for migrate to finish: a one-off step before the app belongs in `release: { command: […] }` (run before each rollout)",
      "- [ ] `web.addons/orders-table.yml` (copilot/web/addons/orders-table.yml:1): a CloudFormation addon (AWS::DynamoDB::Table, AWS::S3::Bucket): Berth has no addons; an S3 bucket becomes a `bucket` resource, declare the equivalents in `resources` (or keep them outside Berth and pass their names)",
      "| `deployment.rolling` | copilot/web/manifest.yml:15 | mapped | `deployment: { minHealthyPercent: 0, maxPercent: 100 }` (stop the old tasks, then start new ones) |",
      "| `network.vpc.placement` | copilot/web/manifest.yml:20 | changed | public: Berth runs tasks in the environment's private subnets (out through its NAT) |",
      "| `logging` | copilot/web/manifest.yml:22 | **needs a decision** | FireLens log routing: Berth sends the service's logs to its CloudWatch log group (`logs.retentionDays`); ship them on from there |",
      "| `variables.DATABASE_URL` | copilot/web/manifest.yml:29 | changed | a URL with a password in it: `secrets.DATABASE_URL: { ssm: /berth/<env>/web/database-url }`; the value is not copied (create the parameter: see Secrets to create) |",
      "| `variables.AWS_ACCESS_KEY_ID` | copilot/web/manifest.yml:30 | dropped | AWS credentials are never copied: the task role gives the service its AWS access |",
      "| `taskdef_overrides` | copilot/web/manifest.yml:32 | **needs a decision** | task definition patches: Berth has none in manifests; change the service through its fields, or the component's `transform` in TypeScript |",
      "| `environments.dev.deployment.rolling` | copilot/web/manifest.yml:46 | mapped | in dev: new tasks first (Berth's default rolling deployment) |",
      "| `env_file.SECRET_KEY_BASE` | web.env:1 | changed | a secret by its name: `secrets.SECRET_KEY_BASE: { ssm: /berth/<env>/web/secret-key-base }`; the value is not copied (create the parameter: see Secrets to create) |",
      "| (the service) | copilot/worker/manifest.yml:2 | **needs a decision** | kind worker: type Backend Service without image.port: nothing can reach it, so it becomes a worker (a Berth worker consumes its own SQS queue: check that fits) |",
    ]);
  });
});

describe("berth import copilot: images by tag and container health checks", () => {
  const DIGEST = "ghcr.io/acme/api@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  const workspace = {
    "copilot/.workspace": "application: shop\n",
    "copilot/api/manifest.yml": `name: api
type: Load Balanced Web Service
http:
  path: '/'
  healthcheck:
    path: /healthz
    interval: 2m
    timeout: 90s
image:
  location: ${DIGEST}
  port: 8080
  healthcheck:
    command: ["CMD", "/api", "check"]
environments:
  dev:
    image:
      location: ghcr.io/acme/api:edge
`,
    "copilot/jobs/manifest.yml": `name: jobs
type: Backend Service
image:
  location: ghcr.io/acme/jobs:1.0
  port: 9000
  healthcheck:
    command: ["CMD-SHELL", "curl -f http://localhost:9000/ || exit 1"]
    interval: 90s
    timeout: 75s
environments:
  prod:
    image:
      location: ghcr.io/acme/jobs@sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752
`,
  };

  it("allows a tag where an environment uses one, and keeps a container check's timeout within 60 s", async () => {
    const root = repoWith(undefined, workspace);
    const r = await berthImport(root, ["copilot", "."]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(read(root, "apps/api/berth.yaml")).toBe(
      `${header("api")}name: api
kind: web
image: ${DIGEST}
${X86}healthCheck:
  path: /healthz
  intervalSeconds: 120
  timeoutSeconds: 60
  command: [ CMD, /api, check ]
environments:
  dev:
    image: ghcr.io/acme/api:edge
    allowMutableImageTag: true # TODO: pin ghcr.io/acme/api:edge by digest before production
`,
    );
    expect(read(root, "apps/jobs/berth.yaml")).toBe(
      `${header("jobs")}name: jobs
kind: internal
image: ghcr.io/acme/jobs:1.0
allowMutableImageTag: true # TODO: pin ghcr.io/acme/jobs:1.0 by digest before production
${X86}port: 9000
healthCheck:
  command: [ CMD-SHELL, curl -f http://localhost:9000/ || exit 1 ]
  intervalSeconds: 90
  timeoutSeconds: 60
environments:
  prod:
    image: ghcr.io/acme/jobs@sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752
    allowMutableImageTag: false
`,
    );
    const catalogue = loadCatalogue(join(root, "apps"));
    expect(catalogue.service("api", "dev")?.allowMutableImageTag).toBe(true);
    expect(catalogue.service("api", "prod")?.allowMutableImageTag).toBeUndefined();
    expect(catalogue.service("jobs", "prod")?.allowMutableImageTag).toBe(false);
    expectLines(reportLines(root), [
      "| `image.location` | copilot/api/manifest.yml:10 | mapped | `image: ghcr.io/acme/api@sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08` |",
      "| `http.healthcheck.timeout` | copilot/api/manifest.yml:8 | changed | `healthCheck.timeoutSeconds: 60` (timeout (seconds) 90 is above ECS's maximum for a container health check: lowered to 60) |",
      "| `environments.dev.image.location` | copilot/api/manifest.yml:17 | **needs a decision** | in dev: `image: ghcr.io/acme/api:edge` is a tag, which can move under a running service: `allowMutableImageTag: true` lets it deploy as imported; before production pin it by digest (`docker buildx imagetools inspect ghcr.io/acme/api:edge` prints the `Digest:`): `ghcr.io/acme/api@sha256:<digest>`, then remove `allowMutableImageTag` |",
      "| `image.healthcheck.timeout` | copilot/jobs/manifest.yml:9 | changed | `healthCheck.timeoutSeconds: 60` (timeout (seconds) 75 is above ECS's maximum for a container health check: lowered to 60) |",
      "| `environments.prod.image.location` | copilot/jobs/manifest.yml:13 | mapped | in prod: `image: ghcr.io/acme/jobs@sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752` |",
    ]);
  });
});

describe("berth import copilot: a shop (service discovery names, a job that names a backend service)", () => {
  it("writes Copilot's service discovery name of a backend service as its Service Connect name, with calls", async () => {
    const { manifest, lines } = await imported("shop");
    expect(manifest("frontend")).toBe(
      `${header("frontend")}name: frontend
kind: web
build:
  context: ../../frontend
  dockerfile: ../../frontend/Dockerfile
${X86}port: 3000
environment: { PAYMENTS_URL: http://payments:8080, NODE_ENV: production }
secrets:
  SESSION_SECRET: { ssm: /berth/<env>/frontend/session-secret }
healthCheck: { intervalSeconds: 15, timeoutSeconds: 10 }
calls: [ payments ]
exec: true
environments:
  prod:
    count: { min: 2, max: 6, cpuTarget: 60 }
    cpu: 512
    memory: 1024
`,
    );
    expectLines(lines, [
      "| `variables.PAYMENTS_URL` | copilot/frontend/manifest.yml:20 | changed | `environment.PAYMENTS_URL: \"http://payments:8080\"`: payments.${COPILOT_ENVIRONMENT_NAME}.${COPILOT_APPLICATION_NAME}.local is Copilot's service discovery name; Berth's Service Connect name is the service's own, the same in every environment |",
      "| (the service) | copilot/payments/manifest.yml:2 | mapped | frontend calls it (its variables name it): `calls: [payments]` |",
    ]);
    expect(lines.filter((l) => l.includes("Copilot substituted"))).toEqual([]);
  });

  it("gives a scheduled job that names a backend service no calls, and a decision", async () => {
    const { manifest, lines, catalogue } = await imported("shop");
    expect(manifest("sweeper")).not.toContain("calls");
    expect(manifest("sweeper")).toContain(
      "schedule: rate(30 minutes) # @every 30m in EventBridge Scheduler's syntax (UTC)\n",
    );
    expect(catalogue.services.find((s) => s.name === "sweeper")?.kind).toBe("job");
    expectLines(lines, [
      "- [ ] `sweeper` (copilot/sweeper/manifest.yml:2): its variables name payments, but a scheduled task cannot use Service Connect: give it their address another way (or make them web services)",
    ]);
  });

  it("names the secrets to copy with the workspace's application name, and where the name is written", async () => {
    const { lines } = await imported("shop");
    expectLines(lines, [
      "| `/berth/<env>/frontend/session-secret` | SSM Parameter Store (SecureString) | frontend | `SESSION_SECRET` | the SSM parameter /copilot/shop/<env>/secrets/session: copy it |",
      "| `berth/<env>/payments/stripe` | Secrets Manager | payments | `STRIPE_KEY` | the secret shop/<env>/stripe (key key): copy it |",
      "| `application` | copilot/.workspace:1 | dropped | the application's name (shop): each Berth service stands on its own in the catalogue |",
    ]);
    expect(lines.filter((l) => l.includes("COPILOT_APPLICATION_NAME") && l.includes("copy"))).toEqual([]);
  });

  it("keeps at most 4 calls and says which it kept", async () => {
    const backend = (name: string) =>
      `name: ${name}\ntype: Backend Service\nimage:\n  location: public.ecr.aws/acme/${name}@sha256:${"a".repeat(64)}\n  port: 8080\n`;
    const extra: Record<string, string> = {
      "copilot/.workspace": "application: wide\n",
      "copilot/gateway/manifest.yml":
        "name: gateway\ntype: Load Balanced Web Service\nhttp: { path: / }\nimage:\n  location: public.ecr.aws/acme/gateway@sha256:" +
        "b".repeat(64) +
        "\n  port: 8080\nvariables:\n" +
        ["a", "b", "c", "d", "e"].map((n) => `  ${n.toUpperCase()}_URL: http://svc-${n}:8080\n`).join(""),
    };
    for (const n of ["a", "b", "c", "d", "e"]) extra[`copilot/svc-${n}/manifest.yml`] = backend(`svc-${n}`);
    const root = repoWith(undefined, extra);
    const r = await berthImport(root, ["copilot", "."]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(read(root, "apps/gateway/berth.yaml")).toContain(
      "calls: [ svc-a, svc-b, svc-c, svc-d ] # ECS allows 5 security groups per task: 4 calls at most\n",
    );
    expectLines(reportLines(root), [
      "- [ ] `gateway` (copilot/gateway/manifest.yml:2): its variables name svc-a, svc-b, svc-c, svc-d and svc-e: Berth allows 4 `calls`; kept svc-a, svc-b, svc-c and svc-d",
    ]);
  });
});

describe("berth import copilot: names Berth cannot take as they are", () => {
  it("numbers a taken name from the name itself, prefixes a one-letter name, and says why", async () => {
    const job = (name: string) =>
      `name: ${name}\ntype: Scheduled Job\non: { schedule: "@daily" }\nimage: { location: public.ecr.aws/acme/${name.toLowerCase()}@sha256:${"c".repeat(64)} }\nplatform: linux/arm64\nretries: 2\n`;
    const root = repoWith(undefined, {
      "copilot/.workspace": "application: names\n",
      "copilot/a/manifest.yml": job("a"),
      "copilot/b/manifest.yml": job("b"),
      "copilot/report/manifest.yml": job("report"),
      "copilot/Report_/manifest.yml": job("Report_"),
      "copilot/REPORT__/manifest.yml": job("REPORT__"),
    });
    const r = await berthImport(root, ["copilot", "."]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const lines = reportLines(root);
    // The workspace's folders in order (distinct on case-insensitive file systems too).
    expect(lines.filter((l) => l.startsWith("| `") && l.includes("/berth.yaml` (kind job)"))).toEqual([
      "| `a` | `svc-a/berth.yaml` (kind job) |",
      "| `b` | `svc-b/berth.yaml` (kind job) |",
      "| `report` | `report/berth.yaml` (kind job) |",
      "| `Report_` | `report-2/berth.yaml` (kind job) |",
      "| `REPORT__` | `report-3/berth.yaml` (kind job) |",
    ]);
    expectLines(lines, [
      "| `name` | copilot/a/manifest.yml:1 | changed | `name: svc-a` (a service name is lower-case letters, digits and single hyphens, starting with a letter, 2 to 17 characters) |",
      "| `name` | copilot/REPORT__/manifest.yml:1 | changed | `name: report-3` (report is taken by another service) |",
    ]);
    expect(read(root, "apps/report-3/berth.yaml")).toContain("name: report-3\n");
  });
});

describe("berth import copilot: nothing left out", () => {
  it.each([
    ["storefront", "."],
    ["events", "."],
    ["batch", "copilot"],
    ["files", "."],
    ["legacy-app", "."],
    ["shop", "."],
  ])("%s: every key has a deliberate row", async (fixture, dir) => {
    const { lines, root } = await imported(fixture, dir);
    expect(lines.filter((l) => l.includes("not read by the importer"))).toEqual([]);
    const report = read(root, "apps/IMPORT-REPORT.md");
    expect(report).not.toContain("hunter2");
    expect(report).not.toContain("not-a-real-secret");
    expect(report).not.toContain("AKIAEXAMPLE");
  });
});

describe("berth import copilot: inputs it cannot read", () => {
  const cases: [string, string, string[], number, string][] = [
    [
      "a folder that is not a workspace",
      "errors",
      ["not-a-workspace"],
      1,
      "error: not-a-workspace is not a Copilot workspace: it has no copilot/ folder (copilot/.workspace, copilot/<service>/manifest.yml)\n",
    ],
    [
      "a workspace without services",
      "errors",
      ["empty"],
      1,
      "error: empty is not a Copilot workspace with services: empty/copilot has no <service>/manifest.yml\n",
    ],
    [
      "a manifest that does not parse",
      "errors",
      ["bad-yaml"],
      1,
      "error: bad-yaml/copilot/api/manifest.yml:6:1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]\n",
    ],
    [
      "a manifest without a type",
      "errors",
      ["no-type"],
      1,
      "error: no-type/copilot/api/manifest.yml:1:1: no-type/copilot/api/manifest.yml is not a Copilot manifest: it has no type (Load Balanced Web Service, Backend Service, Worker Service, Request-Driven Web Service, Scheduled Job)\n",
    ],
    ["a folder that does not exist", "errors", ["nope"], 2, "berth import: nope: no such folder\n"],
    [
      "a file",
      "errors",
      ["not-a-workspace/README.md"],
      2,
      "berth import: not-a-workspace/README.md is a file; give the workspace folder (the one holding copilot/)\n",
    ],
    [
      "no folder at all",
      "errors",
      [],
      2,
      "berth import: missing required argument 'copilot-dir'\nRun 'berth import --help' for the options.\n",
    ],
  ];

  it.each(cases)("%s: exit %#", async (_title, fixture, args, code, err) => {
    const root = repoWith(`copilot/${fixture}`);
    const r = await berthImport(root, ["copilot", ...args]);
    expect(r.code).toBe(code);
    expect(r.err).toBe(err);
    expect(r.out).toBe("");
    expect(existsSync(join(root, "apps"))).toBe(false);
  });

  it("refuses to overwrite an existing manifest", async () => {
    const root = repoWith("copilot/events");
    mkdirSync(join(root, "apps", "orders"), { recursive: true });
    writeFileSync(join(root, "apps", "orders", "berth.yaml"), "name: orders\n");
    const r = await berthImport(root, ["copilot", "."]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      "berth import: will not overwrite apps/orders/berth.yaml: move it away or choose another --out; nothing was written\n",
    );
    expect(existsSync(join(root, "apps", "notifier"))).toBe(false);
  });
});
