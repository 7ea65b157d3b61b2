import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { runStack } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { berthImport, repoWith } from "./harness.js";

// Every catalogue an import writes previews offline in dev with no edits: each imported service's
// stack (stacks/service, dev.<name>) runs under the offline engine, with the repository's platform
// and shared stacks read from that same catalogue (BERTH_APPS_DIR).
const serviceProject = join(__dirname, "..", "..", "..", "..", "stacks", "service");

// [fixture, the import's arguments, the shell's variables]
const IMPORTS: [string, string[], NodeJS.ProcessEnv?][] = [
  ["compose/cron-jobs", ["compose", "compose.yaml"]],
  ["compose/django-celery", ["compose", "docker-compose.yml"]],
  [
    "compose/interpolation",
    ["compose", "compose.yaml", "--env-file", "prod.env"],
    { FROM_SHELL: "from-the-shell" },
  ],
  ["compose/laravel", ["compose", "compose.yaml"]],
  ["compose/ledger", ["compose", "docker-compose.yml"]],
  ["compose/legacy-v2", ["compose", "docker-compose.yml"]],
  ["compose/monorepo", ["compose", "deploy/compose.yaml", "--out", "apps"]],
  ["compose/multi-web", ["compose", "compose.yaml"]],
  ["compose/node-api", ["compose", "compose.yml"]],
  ["compose/rabbitmq", ["compose", "docker-compose.yml"]],
  ["compose/rails-sidekiq", ["compose", "compose.yaml"]],
  ["compose/shared-volumes", ["compose", "compose.yaml"]],
  ["compose/wordpress-mysql", ["compose", "docker-compose.yaml"]],
  ["copilot/batch", ["copilot", "."]],
  ["copilot/events", ["copilot", "."]],
  ["copilot/files", ["copilot", "."]],
  ["copilot/legacy-app", ["copilot", "."]],
  ["copilot/shop", ["copilot", "."]],
  ["copilot/storefront", ["copilot", "."]],
];

describe("an imported catalogue previews offline in dev with no edits", () => {
  it.each(IMPORTS)("%s", async (fixture, args, env) => {
    const root = repoWith(fixture);
    const imported = await berthImport(root, args, env);
    expect(imported.code, imported.err).toBe(0);
    const apps = join(root, "apps");
    const services = readdirSync(apps, { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(apps, d.name, "berth.yaml")))
      .map((d) => d.name);
    expect(services.length).toBeGreaterThan(0);
    const runs = await Promise.all(
      services.map((s) =>
        runStack(serviceProject, `dev.${s}`, {
          stackConfigOptional: true,
          environment: { BERTH_APPS_DIR: apps },
          allowError: true,
        }),
      ),
    );
    for (const [i, r] of runs.entries()) {
      expect(r.error?.message, services[i]).toBeUndefined();
      expect(r.managed.filter((x) => x.type.startsWith("berth:cluster:")).map((x) => x.name)).toEqual([
        services[i],
      ]);
    }
  });
});
