import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { main } from "../../src/index.js";
import { capture } from "../helpers.js";
import { berthImport, read, repoWith } from "./harness.js";

// Round trip: a compose file imported into a catalogue, then `berth compose` of that catalogue, runs
// the same app services with the same environment names. The import report (which lists every key
// of the input) is the record of the original names: a name the import kept is in the generated
// file under the same service; a name it replaced with a link's variable (DATABASE_URL → DB_HOST…)
// is there as that variable.
const CASES: [string, string][] = [
  ["node-api", "compose.yml"],
  ["rails-sidekiq", "compose.yaml"],
  ["django-celery", "docker-compose.yml"],
  ["laravel", "compose.yaml"],
  ["interpolation", "compose.yaml"],
];

interface Service {
  environment?: Record<string, string>;
  "x-berth"?: { kind?: string };
}

/** Per service of the report's "Every key" section: [name, result, details] of its environment keys. */
function reportedEnvironment(report: string): Map<string, [string, string, string][]> {
  const out = new Map<string, [string, string, string][]>();
  let service: string | undefined;
  for (const line of report.split("\n")) {
    const heading = /^### `services\.([^`]+)`/.exec(line);
    if (heading) service = heading[1];
    else if (line.startsWith("### ")) service = undefined;
    const row = /^\| `environment\.([A-Za-z_][A-Za-z0-9_]*)` \| [^|]* \| ([^|]+) \| (.*) \|$/.exec(line);
    if (service && row) out.set(service, [...(out.get(service) ?? []), [row[1]!, row[2]!.trim(), row[3]!]]);
  }
  return out;
}

describe("berth import compose, then berth compose: the same services and variable names", () => {
  it.each(CASES)("%s", async (fixture, file) => {
    const root = repoWith(`compose/${fixture}`);
    const imported = await berthImport(root, ["compose", file]);
    expect(imported.code, imported.err).toBe(0);
    const services = readdirSync(join(root, "apps"), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(root, "apps", d.name, "berth.yaml")))
      .map((d) => d.name)
      .sort();
    expect(services.length).toBeGreaterThan(0);

    const c = capture(root);
    expect(await main(["compose", "--env", "dev"], c.io), c.err()).toBe(0);
    const generated = (parse(c.out()) as { services: Record<string, Service> }).services;
    const apps = Object.entries(generated)
      .filter(([, s]) => s["x-berth"]?.kind !== undefined)
      .map(([name]) => name)
      .sort();
    expect(apps).toEqual(services);

    const report = reportedEnvironment(read(root, "apps/IMPORT-REPORT.md"));
    let checked = 0;
    for (const service of services) {
      const env = Object.keys(generated[service]!.environment ?? {});
      for (const [name, result, details] of report.get(service) ?? []) {
        const injected = /injects `([A-Z0-9_]+)`/.exec(details)?.[1];
        if (result === "mapped" || result === "changed") {
          expect(env, `${service}: ${name} (${result})`).toContain(name);
          checked++;
        } else if (injected) {
          expect(env, `${service}: ${name} → ${injected}`).toContain(injected);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});
