import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { main, type PreviewDigest, parsePreviewArgs } from "../src/index.js";
import { serviceStack, stacksToPreview } from "../src/stacks.js";
import { capture, FIXTURE_REPO, REPO, tempRepo } from "./helpers.js";

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const stackStep = (digest: PreviewDigest) =>
  digest.steps!.find((s) => s.newState?.type === "pulumi:pulumi:Stack")!;

describe("berth preview --service <name> --env <env>", () => {
  it("maps a service to the stack <env>.<service> of project berth-service, with no stack file", () => {
    expect(serviceStack("/repo", "prod", "orders")).toEqual({
      label: "berth-service/prod.orders",
      run: {
        projectDir: join("/repo", "stacks", "service"),
        stack: "prod.orders",
        stackConfigOptional: true,
      },
    });
    expect(stacksToPreview(FIXTURE_REPO, "dev").map((s) => s.label)).toEqual([
      "berth-platform/dev",
      "berth-service/dev.shop",
      "berth-service/dev.tasks",
    ]);
    expect(parsePreviewArgs(["--service", "shop", "--env=dev"], FIXTURE_REPO)).toMatchObject({
      service: "shop",
      env: "dev",
    });
  });

  it("previews that stack: the program sees the stack name", async () => {
    const t = capture(FIXTURE_REPO);
    expect(await main(["preview", "--service", "shop", "--env", "prod", "--json"], t.io)).toBe(0);
    const digest = JSON.parse(t.out()) as PreviewDigest;
    expect(digest.steps!.map((s) => s.urn)).toEqual([
      "urn:pulumi:prod.shop::berth-service::pulumi:pulumi:Stack::berth-service-prod.shop",
      "urn:pulumi:prod.shop::berth-service::berth:test:Service::prod.shop",
    ]);
    expect(stackStep(digest).newState?.outputs).toEqual({ environment: "prod", service: "shop" });

    const text = capture(join(FIXTURE_REPO, "apps"));
    expect(await main(["preview", "--service", "shop", "--env", "dev"], text.io)).toBe(0);
    expect(text.out()).toContain("Previewing update (dev.shop) of berth-service");
    expect(text.out()).toMatch(/└─ berth:test:Service\s+dev\.shop\s+create/);
    const md = capture(FIXTURE_REPO);
    expect(await main(["preview", "--service", "shop", "--env", "dev", "--format", "markdown"], md.io)).toBe(
      0,
    );
    expect(md.out().split("\n")[0]).toBe("<!-- berth-preview:berth-service/dev.shop -->");
  });

  it("reports the service's failure like -s does: message on stderr, exit 1", async () => {
    const t = capture(FIXTURE_REPO);
    expect(await main(["preview", "--service", "tasks", "--env", "prod"], t.io)).toBe(1);
    expect(t.err()).toBe("error: berth-service/prod.tasks: prod.tasks fails on purpose\n");
  });

  it("previews the real stacks/service (project berth-service) for orders in dev", async () => {
    const t = capture(REPO);
    const code = await main(["preview", "--service", "orders", "--env", "dev", "--json"], t.io);
    expect(t.err()).toBe("");
    expect(code).toBe(0);
    const digest = JSON.parse(t.out()) as PreviewDigest;
    expect(stackStep(digest).urn).toBe(
      "urn:pulumi:dev.orders::berth-service::pulumi:pulumi:Stack::berth-service-dev.orders",
    );
  });
});

describe("berth preview --env <env>", () => {
  it("previews the platform stack, then every service's, and closes with a line per stack", async () => {
    const t = capture(FIXTURE_REPO);
    expect(await main(["preview", "--env", "dev"], t.io)).toBe(0);
    const out = t.out();
    const order = [
      "Previewing update (dev) of berth-platform",
      "Previewing update (dev.shop) of berth-service",
      "Previewing update (dev.tasks) of berth-service",
    ].map((s) => out.indexOf(s));
    expect(order.every((i, n) => i >= 0 && (n === 0 || i > order[n - 1]!))).toBe(true);
    expect(out.slice(out.indexOf("\nSummary:"))).toBe(
      [
        "",
        "Summary: 3 stacks, 3 ok, 0 failed",
        "  ok      berth-platform/dev       +2 to create",
        "  ok      berth-service/dev.shop   +2 to create",
        "  ok      berth-service/dev.tasks  +2 to create",
        "",
      ].join("\n"),
    );
    expect(t.err()).toBe("");
  });

  it("exits 1 when any stack fails, naming it on stderr and in the summary", async () => {
    const t = capture(FIXTURE_REPO);
    expect(await main(["preview", "--env", "prod"], t.io)).toBe(1);
    expect(t.out()).toContain("Summary: 3 stacks, 2 ok, 1 failed\n");
    expect(t.out()).toContain("  failed  berth-service/prod.tasks  prod.tasks fails on purpose\n");
    expect(t.err()).toBe("error: berth-service/prod.tasks: prod.tasks fails on purpose\n");
  });

  it("--json prints one document with every stack's preview", async () => {
    const t = capture(FIXTURE_REPO);
    expect(await main(["preview", "--env", "prod", "--json"], t.io)).toBe(1);
    const doc = JSON.parse(t.out()) as { stacks: { stack: string; ok: boolean; preview: PreviewDigest }[] };
    expect(doc.stacks.map((s) => [s.stack, s.ok])).toEqual([
      ["berth-platform/prod", true],
      ["berth-service/prod.shop", true],
      ["berth-service/prod.tasks", false],
    ]);
    expect(doc.stacks[0]!.preview.config).toMatchObject({ "aws:region": "eu-west-1" });
    expect(doc.stacks[2]!.preview.diagnostics).toContainEqual({
      severity: "error",
      message: "prod.tasks fails on purpose\n",
    });
  });

  it("--format markdown writes each comment in turn, then a summary table", async () => {
    const t = capture(FIXTURE_REPO);
    expect(await main(["preview", "--env", "dev", "--format", "markdown"], t.io)).toBe(0);
    const markers = t.out().match(/^<!-- berth-preview.*-->$/gm);
    expect(markers).toEqual([
      "<!-- berth-preview:berth-platform/dev -->",
      "<!-- berth-preview:berth-service/dev.shop -->",
      "<!-- berth-preview:berth-service/dev.tasks -->",
      "<!-- berth-preview-summary:berth-platform/dev -->",
    ]);
    expect(t.out()).toContain("| `berth-service/dev.tasks` | ✅ ok | +2 to create |\n");
  });
});

describe("berth preview: choosing stacks by name, usage errors", () => {
  it.each([
    [["--env", "staging"], "berth preview: --env 'staging' is not an environment of the platform: dev, prod"],
    [
      ["--service", "nope", "--env", "dev"],
      "berth preview: --service 'nope' is not in the catalogue (apps/*/berth.yaml): shop, tasks",
    ],
    [
      ["--service", "shop"],
      "berth preview: --service needs --env <env>: a service has a stack per environment",
    ],
    [
      ["-s", "dev", "--env", "dev"],
      "berth preview: -s picks one stack of the -C project; --env and --service pick stacks by name: give one",
    ],
    [
      ["--env", "dev", "--config-file", "x.yaml"],
      "berth preview: --config-file applies to one stack: use it with --service, or with -C and -s",
    ],
    [["--env"], "berth preview: option '--env <env>' argument missing"],
  ])("%j: exit 2 and %j", async (argv, message) => {
    const t = capture(FIXTURE_REPO);
    expect(await main(["preview", ...argv], t.io)).toBe(2);
    expect(t.err().split("\n")[0]).toBe(message);
    expect(t.out()).toBe("");
  });

  it("checks the catalogue first: an invalid manifest stops before any program runs", async () => {
    const root = tempRepo({ "apps/api/berth.yaml": "name: api\nkind: internal\nport: 0\n" });
    temps.push(root);
    const t = capture(root);
    expect(await main(["preview", "--env", "dev"], t.io)).toBe(1);
    expect(t.err()).toBe(`${join(root, "apps/api/berth.yaml")}:3:7: port is 0; must be at least 1\n`);
    expect(t.out()).toBe("");
  });

  it("documents --service and --env in its help", async () => {
    const t = capture(FIXTURE_REPO);
    expect(await main(["preview", "--help"], t.io)).toBe(0);
    for (const text of ["--service <name>", "--env <env>", "berth preview --service orders --env prod"]) {
      expect(t.out()).toContain(text);
    }
  });
});
