import { describe, expect, it } from "vitest";
import { LINK_VARIABLES, linkedVariableNames, loadCatalogue } from "../src/index.js";
import { temporaryCatalogues } from "./catalogues.js";

const { apps, problems } = temporaryCatalogues("berth-catalogue-data-");

const orders = `name: orders
kind: internal
resources:
  orders-db: { type: postgres }
  receipts: { type: bucket }
uses:
  - orders-db
  - receipts: read
  - cache
environments:
  dev:
    resources:
      orders-db: { minCapacity: 0, autoPauseMinutes: 10 }
  prod:
    resources:
      orders-db: { minCapacity: 1, maxCapacity: 16, reader: true }
`;
const shared = `resources:
  cache: { type: cache }
environments:
  prod:
    resources:
      cache: { maxDataStorageGb: 50 }
`;

describe("data resources and uses in the catalogue", () => {
  it("resolves owned and shared resources per environment, with the overrides merged", () => {
    const c = loadCatalogue(apps({ orders }, shared));
    expect(c.resources("dev").map((r) => [r.name, r.kind, r.owner])).toEqual([
      ["cache", "cache", undefined],
      ["orders-db", "postgres", "orders"],
      ["receipts", "bucket", "orders"],
    ]);
    expect(c.resources("dev").find((r) => r.name === "orders-db")?.settings).toEqual({
      type: "postgres",
      minCapacity: 0,
      autoPauseMinutes: 10,
    });
    expect(c.resources("prod").find((r) => r.name === "orders-db")?.settings).toEqual({
      type: "postgres",
      minCapacity: 1,
      maxCapacity: 16,
      reader: true,
    });
    expect(c.resources("prod").find((r) => r.name === "cache")?.settings).toEqual({
      type: "cache",
      maxDataStorageGb: 50,
    });
    expect(c.resources("staging").find((r) => r.name === "cache")?.settings).toEqual({ type: "cache" });
  });

  it("gives every link its access: the one written, else the kind's default", () => {
    const c = loadCatalogue(apps({ orders }, shared));
    expect(c.links("orders", "prod").map((l) => [l.name, l.kind, l.access, l.owner])).toEqual([
      ["orders-db", "postgres", "connect", "orders"],
      ["receipts", "bucket", "read", "orders"],
      ["cache", "cache", "connect", undefined],
    ]);
    expect(c.links("nobody", "prod")).toEqual([]);
  });

  it("accepts an image by tag once the manifest says a tag may move", () => {
    const c = loadCatalogue(
      apps({ api: "name: api\nkind: internal\nimage: ghcr.io/acme/api:1.2.3\nallowMutableImageTag: true\n" }),
    );
    expect(c.service("api", "dev")?.allowMutableImageTag).toBe(true);
  });

  it("documents the injected variables of every kind, prefixed by the resource's name", () => {
    expect(linkedVariableNames("postgres", "orders-db")).toEqual([
      "ORDERS_DB_HOST",
      "ORDERS_DB_READER_HOST",
      "ORDERS_DB_PORT",
      "ORDERS_DB_NAME",
      "ORDERS_DB_SSLMODE",
      "ORDERS_DB_USER",
      "ORDERS_DB_PASSWORD",
      "ORDERS_DB_SECRET_ARN",
    ]);
    expect(linkedVariableNames("bucket", "receipts")).toEqual([
      "RECEIPTS_BUCKET",
      "RECEIPTS_BUCKET_ARN",
      "RECEIPTS_REGION",
    ]);
    expect(LINK_VARIABLES.postgres.filter((v) => v.secret).map((v) => v.name)).toEqual(["USER", "PASSWORD"]);
  });

  const invalid: [string, Record<string, string>, string | undefined, string][] = [
    [
      "a use of a resource that does not exist",
      { api: "name: api\nkind: internal\nuses: [orders-db]\n" },
      undefined,
      'api/berth.yaml:3:8: uses.0 is "orders-db"; no resource is named orders-db; there are none (declare it in this manifest\'s resources, or in apps/berth.shared.yaml to share it)',
    ],
    [
      "a use of another service's owned resource",
      {
        api: "name: api\nkind: internal\nuses: [orders-db]\n",
        orders: "name: orders\nkind: internal\nresources:\n  orders-db: { type: postgres }\n",
      },
      undefined,
      'api/berth.yaml:3:8: uses.0 is "orders-db"; orders-db is owned by orders and only its owner uses it; move it to apps/berth.shared.yaml to share it',
    ],
    [
      "two services claiming one owned resource",
      {
        api: "name: api\nkind: internal\nresources:\n  files: { type: volume }\n",
        orders: "name: orders\nkind: internal\nresources:\n  files: { type: volume }\n",
      },
      undefined,
      'orders/berth.yaml:4:10: resources.files is "files"; files is already owned by api',
    ],
    [
      "an owned resource with the name of a shared one",
      { api: "name: api\nkind: internal\nresources:\n  cache: { type: cache }\n" },
      "resources:\n  cache: { type: cache }\n",
      'api/berth.yaml:4:10: resources.cache is "cache"; cache is already shared',
    ],
    [
      "an access the kind does not offer",
      {
        api: "name: api\nkind: internal\nresources:\n  receipts: { type: bucket }\nuses:\n  - receipts: write\n",
      },
      undefined,
      'api/berth.yaml:6:15: uses.0 is "write"; a bucket offers access readwrite, read',
    ],
    [
      "a link whose variable the manifest also sets",
      {
        api: "name: api\nkind: internal\nenvironment: { RECEIPTS_BUCKET: x }\nresources:\n  receipts: { type: bucket }\nuses: [receipts]\n",
      },
      undefined,
      'api/berth.yaml:6:8: uses.0 is "receipts"; the link sets RECEIPTS_BUCKET, which the manifest\'s environment also sets; rename one of them',
    ],
    [
      "a resource listed twice in uses",
      {
        api: "name: api\nkind: internal\nresources:\n  receipts: { type: bucket }\nuses: [receipts, receipts]\n",
      },
      undefined,
      'api/berth.yaml:5:18: uses.1 is "receipts"; receipts is listed twice',
    ],
    [
      "two entries in one uses map",
      { api: "name: api\nkind: internal\nuses:\n  - { a1: read, b2: read }\n" },
      undefined,
      'uses.0 is {"a1":"read","b2":"read"}; one resource per entry: { <name>: <access> }',
    ],
    [
      "an unknown resource type",
      { api: "name: api\nkind: internal\nresources:\n  db: { type: mysql }\n" },
      undefined,
      'api/berth.yaml:4:15: resources.db.type is "mysql"; a resource\'s type is one of postgres, bucket, queue, cache, volume',
    ],
    [
      "a resource name AWS and the variables cannot take",
      { api: "name: api\nkind: internal\nresources:\n  Orders_DB: { type: postgres }\n" },
      undefined,
      "lower-case letters, digits and single hyphens, starting with a letter, 2 to 24 characters",
    ],
    [
      "ACUs above Aurora's maximum",
      { api: "name: api\nkind: internal\nresources:\n  db: { type: postgres, maxCapacity: 512 }\n" },
      undefined,
      "api/berth.yaml:4:38: resources.db.maxCapacity is 512; must be at most 256",
    ],
    [
      "ACUs off the half-unit steps",
      { api: "name: api\nkind: internal\nresources:\n  db: { type: postgres, minCapacity: 0.3 }\n" },
      undefined,
      "resources.db.minCapacity is 0.3; Aurora capacity goes in steps of 0.5 ACU",
    ],
    [
      "a negative ACU",
      { api: "name: api\nkind: internal\nresources:\n  db: { type: postgres, minCapacity: -1 }\n" },
      undefined,
      "resources.db.minCapacity is -1; must be at least 0",
    ],
    [
      "min above max",
      {
        api: "name: api\nkind: internal\nresources:\n  db: { type: postgres, minCapacity: 8, maxCapacity: 4 }\n",
      },
      undefined,
      "resources.db.minCapacity is 8; must not be above maxCapacity (4)",
    ],
    [
      "max below 1",
      {
        api: "name: api\nkind: internal\nresources:\n  db: { type: postgres, minCapacity: 0, maxCapacity: 0.5 }\n",
      },
      undefined,
      "resources.db.maxCapacity is 0.5; must be at least 1",
    ],
    [
      "auto-pause without scaling to zero",
      { api: "name: api\nkind: internal\nresources:\n  db: { type: postgres, autoPauseMinutes: 10 }\n" },
      undefined,
      "resources.db.autoPauseMinutes is 10; applies with minCapacity 0 (only a database that scales to zero pauses)",
    ],
    [
      "an unsupported engine version",
      { api: "name: api\nkind: internal\nresources:\n  db: { type: postgres, version: '12.9' }\n" },
      undefined,
      'resources.db.version is "12.9"; a PostgreSQL version: major 13, 14, 15, 16, 17, with a minor (e.g. "16.6")',
    ],
    [
      "an image by tag, without saying a tag may move",
      { api: "name: api\nkind: internal\nimage: ghcr.io/acme/api:1.2.3\n" },
      undefined,
      'api/berth.yaml:3:8: image is "ghcr.io/acme/api:1.2.3"; pin it by digest (repo@sha256:<64 hex>): a tag can move; or set allowMutableImageTag (a first import, a throwaway dev stack)',
    ],
    [
      "a sidecar image by tag",
      { api: "name: api\nkind: internal\nsidecars:\n  - { name: proxy, image: nginx:1.27 }\n" },
      undefined,
      'sidecars.0.image is "nginx:1.27"; pin it by digest',
    ],
    [
      "a container health check timeout above ECS's 60 seconds",
      {
        api: "name: api\nkind: internal\nhealthCheck: { command: [CMD, ./check], intervalSeconds: 120, timeoutSeconds: 90 }\n",
      },
      undefined,
      "healthCheck.timeoutSeconds is 90; at most 60 with a command (ECS's container health check)",
    ],
    [
      "a major past standard support (billed Extended Support from day one)",
      { api: "name: api\nkind: internal\nresources:\n  db: { type: postgres, version: '13.20' }\n" },
      undefined,
      'resources.db.version is "13.20"; PostgreSQL 13 left standard support on 2026-02-28: RDS would enroll the database in RDS Extended Support, billed per vCPU-hour (ACU-hour on Serverless v2) on top of the instance; use 14 or later',
    ],
    [
      "an engine that is neither aurora nor rds",
      { api: "name: api\nkind: internal\nresources:\n  db: { type: postgres, engine: aurora-mysql }\n" },
      undefined,
      'resources.db.engine is "aurora-mysql"; one of "aurora", "rds"',
    ],
    [
      "an Aurora field on RDS",
      { api: "name: api\nkind: internal\nresources:\n  db: { type: postgres, engine: rds, reader: true }\n" },
      undefined,
      "resources.db.reader is true; applies to engine aurora; this is rds",
    ],
    [
      "an RDS field on Aurora",
      { api: "name: api\nkind: internal\nresources:\n  db: { type: postgres, storageGb: 100 }\n" },
      undefined,
      "resources.db.storageGb is 100; applies to engine rds; this is aurora",
    ],
    [
      "backups longer than 35 days",
      { api: "name: api\nkind: internal\nresources:\n  db: { type: postgres, backupRetentionDays: 90 }\n" },
      undefined,
      "resources.db.backupRetentionDays is 90; must be at most 35",
    ],
    [
      "no backups at all",
      { api: "name: api\nkind: internal\nresources:\n  db: { type: postgres, backupRetentionDays: 0 }\n" },
      undefined,
      "resources.db.backupRetentionDays is 0; must be at least 1",
    ],
    [
      "a database name PostgreSQL refuses",
      { api: "name: api\nkind: internal\nresources:\n  db: { type: postgres, databaseName: 1orders }\n" },
      undefined,
      'resources.db.databaseName is "1orders"; letters, digits and _, starting with a letter, at most 63 characters',
    ],
    [
      "an RDS instance class that is not one",
      {
        api: "name: api\nkind: internal\nresources:\n  db: { type: postgres, engine: rds, instanceClass: t4g.micro }\n",
      },
      undefined,
      'resources.db.instanceClass is "t4g.micro"; an RDS instance class, e.g. db.t4g.micro',
    ],
    [
      "a Redis version ElastiCache Serverless does not offer",
      { api: "name: api\nkind: internal\nresources:\n  c1: { type: cache, engine: redis, version: '8' }\n" },
      undefined,
      'resources.c1.version is "8"; redis offers 7',
    ],
    [
      "cache storage above ElastiCache Serverless's limit",
      { api: "name: api\nkind: internal\nresources:\n  c1: { type: cache, maxDataStorageGb: 6000 }\n" },
      undefined,
      "resources.c1.maxDataStorageGb is 6000; must be at most 5000",
    ],
    [
      "ECPUs below the minimum",
      { api: "name: api\nkind: internal\nresources:\n  c1: { type: cache, maxEcpuPerSecond: 10 }\n" },
      undefined,
      "resources.c1.maxEcpuPerSecond is 10; must be at least 1000",
    ],
    [
      "an EFS transition EFS does not offer",
      { api: "name: api\nkind: internal\nresources:\n  f1: { type: volume, transitionToIaDays: 45 }\n" },
      undefined,
      "resources.f1.transitionToIaDays is 45; one of 1, 7, 14, 30, 60, 90, 180, 270, 365",
    ],
    [
      "a volume path with ..",
      { api: "name: api\nkind: internal\nresources:\n  f1: { type: volume, path: /data/../etc }\n" },
      undefined,
      'resources.f1.path is "/data/../etc"; an absolute path in the container, without . or .. parts',
    ],
    [
      "a queue kept longer than SQS allows",
      { api: "name: api\nkind: internal\nresources:\n  q1: { type: queue, retentionDays: 30 }\n" },
      undefined,
      "resources.q1.retentionDays is 30; must be at most 14",
    ],
    [
      "an unknown setting of a resource, with a suggestion",
      {
        api: "name: api\nkind: internal\nresources:\n  q1: { type: queue, fifo: true, maxRecieveCount: 5 }\n",
      },
      undefined,
      "resources.q1.maxRecieveCount is 5; not a field here; did you mean maxReceiveCount?",
    ],
    [
      "a type changed in an environment",
      {
        api: "name: api\nkind: internal\nresources:\n  q1: { type: queue }\nenvironments:\n  prod:\n    resources:\n      q1: { type: bucket }\n",
      },
      undefined,
      'environments.prod.resources.q1.type is "bucket"; a resource\'s type is the same in every environment: set it once, in resources',
    ],
    [
      "a bad override, reported where it is written",
      {
        api: "name: api\nkind: internal\nresources:\n  db: { type: postgres }\nenvironments:\n  prod:\n    resources:\n      db: { maxCapacity: 300 }\n",
      },
      undefined,
      "api/berth.yaml:8:26: environments.prod.resources.db.maxCapacity is 300; must be at most 256",
    ],
    [
      "a bad shared resource, in the shared file",
      { api: "name: api\nkind: internal\n" },
      "resources:\n  cache: { type: cache, snapshotRetentionDays: 40 }\n",
      "berth.shared.yaml:2:48: resources.cache.snapshotRetentionDays is 40; must be at most 35",
    ],
    [
      "an unknown environment in the shared file",
      { api: "name: api\nkind: internal\n" },
      "resources:\n  cache: { type: cache }\nenvironments:\n  qa:\n    resources: {}\n",
      'berth.shared.yaml:4:3: environments.qa is "qa"; no environment is named so; the platform has dev, staging, prod',
    ],
  ];

  it.each(invalid)(
    "refuses %s, naming the file, line, field, value and what is allowed",
    (_what, manifests, sharedText, expected) => {
      const lines = problems(apps(manifests, sharedText));
      expect(
        lines.some((l) => l.includes(expected)),
        `${lines.join("\n")}\n  does not include\n${expected}`,
      ).toBe(true);
    },
  );
});
