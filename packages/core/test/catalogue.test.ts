import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  derivedPriority,
  loadCatalogue,
  manifestJsonSchema,
  manifestReference,
  platformEnvironments,
  referenceRows,
  SERVICE_KINDS,
} from "../src/index.js";
import { temporaryCatalogues } from "./catalogues.js";

const { root, apps, problems } = temporaryCatalogues("berth-catalogue-");

describe("the catalogue: every manifest, checked together", () => {
  const ok = apps({
    web: "name: web\nkind: web\nhttp: { paths: ['/*'] }\ncalls: [orders]\n",
    orders: "name: orders\nkind: internal\n",
    api: "name: api\nkind: web\nhttp: { hosts: [api.example.com], paths: ['/v1/*'] }\n",
    jobs: "name: jobs\nkind: worker\n",
  });

  it("loads every service folder, by name", () => {
    const c = loadCatalogue(ok);
    expect(c.services.map((s) => [s.name, s.kind])).toEqual([
      ["api", "web"],
      ["jobs", "worker"],
      ["orders", "internal"],
      ["web", "web"],
    ]);
    expect(c.service("web", "prod")?.calls).toEqual(["orders"]);
  });

  it("orders routes so that the more specific rule is evaluated first", () => {
    const routes = loadCatalogue(ok).routes("dev");
    expect(routes.map((r) => r.service)).toEqual(["api", "web"]);
    expect(routes[0]!.priority).toBeLessThan(routes[1]!.priority);
  });

  it("derives a service's priority from its own routes only (adding a service moves nothing)", () => {
    const before = loadCatalogue(ok).routes("prod");
    const more = apps({
      web: "name: web\nkind: web\nhttp: { paths: ['/*'] }\n",
      api: "name: api\nkind: web\nhttp: { hosts: [api.example.com], paths: ['/v1/*'] }\n",
      shop: "name: shop\nkind: web\nhttp: { paths: ['/shop/*'] }\n",
    });
    const after = loadCatalogue(more).routes("prod");
    for (const r of before) expect(after.find((a) => a.service === r.service)?.priority).toBe(r.priority);
    expect(derivedPriority("a", [], ["/*"])).toBeGreaterThan(derivedPriority("a", [], ["/shop/*"]));
    expect(derivedPriority("a", [], ["/shop/cart/*"])).toBeLessThan(derivedPriority("a", [], ["/shop/*"]));
    expect(derivedPriority("z", ["x.example.com"], ["/*"])).toBeLessThan(derivedPriority("z", [], ["/v1/*"]));
    for (const p of [derivedPriority("a", [], []), derivedPriority("b", ["h"], ["/x"])]) {
      expect(p).toBeGreaterThanOrEqual(1);
      expect(p).toBeLessThanOrEqual(50_000);
    }
  });

  it.each([
    [
      "a folder named unlike its service",
      { api: "name: apis\nkind: internal\n" },
      'api/berth.yaml:1:7: name is "apis"; a service\'s folder is named after it: rename the folder to apis or the service to api',
    ],
    [
      "a call to a service that does not exist",
      { web: "name: web\nkind: web\ncalls: [billing]\n" },
      'web/berth.yaml:3:9: calls.0 is "billing"; no service is named billing; the catalogue has web',
    ],
    [
      "a call to a service that is not internal",
      {
        web: "name: web\nkind: web\nhttp: { paths: ['/*'] }\ncalls: [jobs]\n",
        jobs: "name: jobs\nkind: worker\n",
      },
      'web/berth.yaml:4:9: calls.0 is "jobs"; jobs is a worker service; calls name internal services (reached through Service Connect)',
    ],
    [
      "two services on one listener priority",
      {
        aa: "name: aa\nkind: web\nhttp: { paths: ['/a/*'], priority: 10 }\n",
        bb: "name: bb\nkind: web\nhttp: { paths: ['/b/*'], priority: 10 }\n",
      },
      /^bb\/berth.yaml:3:36: http.priority is 10; aa \(.*aa\/berth.yaml\) has listener-rule priority 10 in dev too; give one of them another http.priority$/,
    ],
    [
      "two services on the same hosts and paths",
      {
        aa: "name: aa\nkind: web\nhttp: { paths: ['/x/*'] }\n",
        bb: "name: bb\nkind: web\nhttp: { paths: ['/x/*'] }\n",
      },
      /http.paths is \["\/x\/\*"\]; (aa|bb) \(.*\) routes the same hosts and paths in dev; only the first rule would ever match/,
    ],
    [
      "two web services that both take everything (no http)",
      { aa: "name: aa\nkind: web\n", bb: "name: bb\nkind: web\n" },
      /routes the same hosts and paths in dev/,
    ],
    [
      "a call that only one environment breaks",
      {
        web: "name: web\nkind: web\nenvironments:\n  prod:\n    calls: [nope]\n",
      },
      'web/berth.yaml:5:13: calls.0 is "nope"; no service is named nope; the catalogue has web',
    ],
  ])("rejects %s", (_title, files, expected) => {
    const lines = problems(apps(files as Record<string, string>));
    if (typeof expected === "string") expect(lines).toContain(expected);
    else
      expect(
        lines.some((l) => expected.test(l)),
        lines.join("\n"),
      ).toBe(true);
  });

  it("reports the problems of every manifest at once, before anything else", () => {
    const lines = problems(apps({ aa: "name: aa\nkind: cron\n", bb: "name: bb\nkind: web\nportt: 1\n" }));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^aa\/berth.yaml:2:7: kind is "cron"/);
    expect(lines[1]).toMatch(/^bb\/berth.yaml:3:1: portt is 1; not a field here; did you mean port\?/);
  });
});

describe("platformEnvironments: the stacks of stacks/platform", () => {
  it("lists Pulumi.<env>.yaml files in promotion order, others after by name", () => {
    const repo = join(root, "repo");
    mkdirSync(join(repo, "stacks", "platform"), { recursive: true });
    for (const f of [
      "Pulumi.yaml",
      "Pulumi.prod.yaml",
      "Pulumi.qa.yaml",
      "Pulumi.dev.yaml",
      "Pulumi.staging.yml",
    ])
      writeFileSync(join(repo, "stacks", "platform", f), "");
    expect(platformEnvironments(repo)).toEqual(["dev", "staging", "prod", "qa"]);
  });

  it("falls back to dev, staging and prod without a platform folder; the repository's own are those", () => {
    expect(platformEnvironments(join(root, "nowhere"))).toEqual(["dev", "staging", "prod"]);
    expect(platformEnvironments(join(__dirname, "..", "..", ".."))).toEqual(["dev", "staging", "prod"]);
  });
});

describe("the generated files", () => {
  const repo = join(__dirname, "..", "..", "..");
  it("schemas/berth-manifest.schema.json is the schema's current JSON Schema (run `pnpm generate`)", () => {
    const file = readFileSync(join(repo, "schemas", "berth-manifest.schema.json"), "utf8");
    expect(JSON.parse(file)).toEqual(manifestJsonSchema());
  });

  it("docs/manifest.md is the schema's current reference (run `pnpm generate`)", () => {
    expect(readFileSync(join(repo, "docs", "manifest.md"), "utf8")).toBe(manifestReference());
  });

  it("documents every field of every kind", () => {
    for (const kind of SERVICE_KINDS) {
      const undocumented = referenceRows(kind)
        .filter((r) => !r.description)
        .map((r) => r.path);
      expect(undocumented, `${kind}: fields without a description`).toEqual([]);
    }
  });
});
