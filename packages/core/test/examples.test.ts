// The repository's own example services (apps/*/berth.yaml), loaded as the platform loads them: a
// broken example manifest fails here, in core's tests, before any stack reads it.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { type JobManifest, loadCatalogue, type WebManifest, type WorkerManifest } from "../src/index.js";

const appsDir = join(__dirname, "..", "..", "..", "apps");
const catalogue = loadCatalogue(appsDir);
const get = (name: string, env: string) => {
  const m = catalogue.service(name, env);
  if (!m) throw new Error(`no ${name} in ${env}`);
  return m;
};

describe("the example services in apps/", () => {
  it("are hello (web), mailer (worker), nightly (job) and orders (internal)", () => {
    expect(catalogue.services.map((s) => [s.name, s.kind])).toEqual([
      ["hello", "web"],
      ["mailer", "worker"],
      ["nightly", "job"],
      ["orders", "internal"],
    ]);
    expect(catalogue.environments).toEqual(["dev", "staging", "prod"]);
  });

  it("build from the repository root with the Dockerfile in their own folder", () => {
    for (const s of catalogue.services) {
      const folder = join(appsDir, s.name);
      for (const env of catalogue.environments) {
        const m = get(s.name, env);
        expect(m.image, s.name).toBeUndefined();
        expect(resolve(folder, m.build?.context ?? "."), s.name).toBe(resolve(appsDir, ".."));
        expect(existsSync(join(folder, m.build?.dockerfile ?? "Dockerfile")), s.name).toBe(true);
      }
    }
  });

  it("hello takes every path, checks /healthz and calls orders, in every environment", () => {
    for (const env of catalogue.environments) {
      const hello = get("hello", env) as WebManifest;
      expect(hello.http?.paths).toEqual(["/*"]);
      expect(hello.healthCheck?.path).toBe("/healthz");
      expect(hello.calls).toEqual(["orders"]);
      expect(hello.port ?? 8080).toBe(8080);
      expect(catalogue.routes(env).map((r) => r.service)).toEqual(["hello"]);
    }
    // Today's platform stacks: plain paths in dev, the environment's host name in staging and prod.
    expect(catalogue.routes("dev")[0]).toMatchObject({ hosts: [], paths: ["/*"] });
    expect(catalogue.routes("staging")[0]!.hosts).toEqual(["hello.staging.example.com"]);
    expect(catalogue.routes("prod")[0]!.hosts).toEqual(["hello.example.com"]);
  });

  it("hello's sizes, counts, rollout and retention match what berth-platform ran before the catalogue", () => {
    const dev = get("hello", "dev") as WebManifest;
    const staging = get("hello", "staging") as WebManifest;
    const prod = get("hello", "prod") as WebManifest;
    // dev: cheapest size, one task, a week of logs, fast rolling deploys.
    expect([dev.cpu ?? 256, dev.memory ?? 512, dev.count, dev.logs?.retentionDays]).toEqual([256, 512, 1, 7]);
    expect(dev.deployment?.strategy ?? "ROLLING").toBe("ROLLING");
    expect(dev.healthCheck).toMatchObject({ intervalSeconds: 5, timeoutSeconds: 4, startPeriodSeconds: 0 });
    expect(dev.stopTimeoutSeconds).toBe(5);
    // staging: two to four tasks on 70 % CPU, a month of logs.
    expect([staging.cpu ?? 256, staging.memory ?? 512, staging.logs?.retentionDays ?? 30]).toEqual([
      256, 512, 30,
    ]);
    expect(staging.count).toEqual({ min: 2, max: 4, cpuTarget: 70 });
    expect(staging.deployment?.strategy ?? "ROLLING").toBe("ROLLING");
    // prod: bigger, three to ten tasks on 60 % CPU, canary 10 % with a 10-minute bake, a year of logs.
    expect([prod.cpu, prod.memory, prod.logs?.retentionDays]).toEqual([512, 1024, 365]);
    expect(prod.count).toEqual({ min: 3, max: 10, cpuTarget: 60 });
    expect(prod.deployment).toEqual({ strategy: "CANARY", canary: { percent: 10 }, bakeTimeMinutes: 10 });
    // Each environment's drain ends 2 s before ECS's SIGKILL.
    for (const m of [dev, staging, prod]) {
      expect(Number(m.environment?.SHUTDOWN_TIMEOUT_MS)).toBe(((m.stopTimeoutSeconds ?? 10) - 2) * 1000);
    }
  });

  it("orders is internal with a container health check, its database and bucket, and a release migration", () => {
    for (const env of catalogue.environments) {
      const orders = get("orders", env);
      expect(orders.kind).toBe("internal");
      // No load balancer in front: the container check, no path.
      expect(orders.healthCheck).toEqual({ command: ["CMD", "node", "dist/healthcheck.js"] });
      expect(orders.release).toEqual({ command: ["node", "dist/migrate.js"] });
      expect(orders.uses).toEqual(["orders-db", "receipts"]);
    }
    expect(get("orders", "dev").logs?.retentionDays).toBe(7);
    expect(get("orders", "dev").resources?.["orders-db"]).toEqual({
      type: "postgres",
      minCapacity: 0,
      maxCapacity: 2,
      backupRetentionDays: 1,
    });
    expect(get("orders", "prod")).toMatchObject({
      cpu: 512,
      memory: 1024,
      count: { min: 2, max: 6 },
      logs: { retentionDays: 365 },
      resources: { "orders-db": { minCapacity: 0.5, reader: true, backupRetentionDays: 14 } },
    });
  });

  it("mailer owns a queue with a dead-letter threshold and scales on its backlog, more in prod", () => {
    const dev = get("mailer", "dev") as WorkerManifest;
    const prod = get("mailer", "prod") as WorkerManifest;
    expect(dev.queue).toEqual({ maxReceiveCount: 5 });
    expect(dev.count).toBe(1);
    expect(get("mailer", "staging").count).toEqual({ min: 1, max: 4, backlogPerTask: 100 });
    expect(prod.count).toEqual({ min: 2, max: 10, backlogPerTask: 100 });
    expect(prod.logs?.retentionDays).toBe(365);
  });

  it("nightly runs at 03:00 Paris time, bounded to 10 minutes, the same in every environment", () => {
    for (const env of catalogue.environments) {
      const nightly = get("nightly", env) as JobManifest;
      expect(nightly).toMatchObject({
        schedule: "cron(0 3 * * ? *)",
        timezone: "Europe/Paris",
        timeoutMinutes: 10,
        retries: 1,
        environment: { REPORT_TIMEZONE: "Europe/Paris" },
      });
    }
  });

  it("every manifest starts with the $schema line editors use", () => {
    for (const s of catalogue.services) {
      const first = readFileSync(join(appsDir, s.name, "berth.yaml"), "utf8").split("\n")[0];
      expect(first, s.name).toBe("# yaml-language-server: $schema=../../schemas/berth-manifest.schema.json");
    }
  });
});
