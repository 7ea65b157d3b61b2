// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are the JavaScript programs the tests commit
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runProgram } from "@berth/testing";
import { afterEach, describe, expect, it } from "vitest";
import { worktreeDir } from "../src/diff/git.js";
import { runDiff } from "../src/diff/run.js";
import { main } from "../src/index.js";
import { appProject, TempRepo } from "./diff-helpers.js";
import { capture } from "./helpers.js";

const GUARD = join(__dirname, "..", "..", "..", "scripts", "upgrade-guard.mjs");
const repos: TempRepo[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.dispose();
});

/** A repository whose first commit holds the project `berth-app` (stacks/app) as `files` say. */
function appRepo(files: Record<string, string>): TempRepo {
  const r = new TempRepo();
  repos.push(r);
  r.linkSdks("stacks/app");
  for (const [p, t] of Object.entries(files)) r.write(p, t);
  return r;
}

function change(r: TempRepo, files: Record<string, string>): void {
  for (const [p, t] of Object.entries(files)) r.write(p, t);
}

async function diff(r: TempRepo, ...args: string[]) {
  const t = capture(r.root);
  const code = await main(["diff", ...args], t.io);
  return { code, out: t.out(), err: t.err(), lines: t.out().split("\n") };
}

const short = (sha: string) => sha.slice(0, 12);

describe("berth diff of one stack (-C <dir> -s <stack>)", () => {
  it("shows a config change that only updates, old → new", async () => {
    const r = appRepo(appProject({ retention: 7 }));
    const base = r.commit("base");
    change(r, appProject({ retention: 30 }));
    const res = await diff(r, "--base", "HEAD", "-C", "stacks/app", "-s", "dev");
    expect(res.err).toBe("");
    expect(res.code).toBe(0);
    expect(res.out).toBe(
      [
        `Base: ${short(base)} (--base HEAD)`,
        `Head: the working tree at ${short(base)}`,
        "",
        "berth-app/dev: 1 to update, 3 unchanged",
        "  ~  update  aws:cloudwatch/logGroup:LogGroup  app-logs",
        "        retentionInDays: 7 → 30",
        "",
      ].join("\n"),
    );
  }, 60_000);

  it("shows a component change that replaces a target group, and the property that forces it", async () => {
    const r = appRepo(appProject({ protocolVersion: "HTTP1" }));
    r.commit("base");
    r.git("checkout", "-q", "-b", "http2");
    change(r, appProject({ protocolVersion: "HTTP2" }));
    const head = r.commit("web: HTTP/2 to the targets");
    // No --base: the merge base of HEAD and the default branch (main).
    const res = await diff(r, "-C", "stacks/app", "-s", "dev");
    expect(res.code).toBe(0);
    expect(res.lines.slice(0, 2)).toEqual([
      `Base: ${short(r.git("rev-parse", "main"))} (merge base of HEAD and main)`,
      `Head: the working tree at ${short(head)}`,
    ]);
    expect(res.lines.slice(3)).toEqual([
      "berth-app/dev: 1 to replace, 3 unchanged",
      "  +- replace aws:lb/targetGroup:TargetGroup  web-tg (stateful)",
      '        protocolVersion: "HTTP1" → "HTTP2"  (forces replacement)',
      "",
    ]);
  }, 60_000);

  it("shows a cost increase, itemized", async () => {
    const r = appRepo(appProject({}));
    r.commit("base");
    change(r, appProject({ key: true }));
    const res = await diff(r, "--base", "HEAD", "-C", "stacks/app", "-s", "dev");
    expect(res.code).toBe(0);
    expect(res.lines.slice(3)).toEqual([
      "berth-app/dev: 1 to create, 4 unchanged",
      "  +  create  aws:kms/key:Key  app-key",
      "  idle cost: +$1.00/mo ($0.00 → $1.00)",
      "    +$1.00/mo  app-key  KMS key ($0.00 → $1.00)",
      "",
    ]);
  }, 60_000);

  it("shows the head's policy findings, mandatory ones first in the verdict", async () => {
    const r = appRepo(appProject({}));
    r.commit("base");
    change(r, appProject({ repository: { scanOnPush: false } }));
    const res = await diff(r, "--base", "HEAD", "-C", "stacks/app", "-s", "dev");
    expect(res.code).toBe(0);
    expect(res.lines.slice(3)).toEqual([
      "berth-app/dev: 1 to create, 4 unchanged",
      "  +  create  aws:ecr/repository:Repository  app-images",
      "  policies: ❌ 1 mandatory, 2 advisory",
      "    mandatory high ecr-scan-on-push (ECR.1) app-images: images are not scanned on push (imageScanningConfiguration.scanOnPush)",
      "    advisory medium ecr-lifecycle-policy (ECR.3) app-images: the repository has no lifecycle policy",
      "    advisory low ecr-kms app-images: the repository is not encrypted with KMS (encryptionConfigurations)",
      "",
    ]);
  }, 60_000);

  it("prints 'no changes' for two identical commits, exits 0, and checks nothing out", async () => {
    const r = appRepo(appProject({}));
    const first = r.commit("base");
    const second = r.commit("an empty commit");
    const res = await diff(r, "--base", first, "-C", "stacks/app", "-s", "dev");
    expect(res.code).toBe(0);
    expect(res.out).toBe(
      [
        `Base: ${short(first)} (--base ${first})`,
        `Head: the working tree at ${short(second)}`,
        "",
        "berth-app/dev: no changes (4 unchanged)",
        "",
      ].join("\n"),
    );
    expect(existsSync(worktreeDir(r.root, first))).toBe(false);
  }, 60_000);

  it("checks the base out once per commit and reuses it", async () => {
    const r = appRepo(appProject({ retention: 7 }));
    const base = r.commit("base");
    change(r, appProject({ retention: 14 }));
    expect((await diff(r, "--base", base, "-C", "stacks/app", "-s", "dev")).code).toBe(0);
    const dir = worktreeDir(r.root, base);
    expect(r.git("-C", dir, "rev-parse", "HEAD")).toBe(base);
    const marker = spawnSync("stat", ["-c", "%Y", join(dir, ".berth-ready")], { encoding: "utf8" }).stdout;
    const again = await diff(r, "--base", base, "-C", "stacks/app", "-s", "dev");
    expect(again.lines[4]).toBe("  ~  update  aws:cloudwatch/logGroup:LogGroup  app-logs");
    expect(spawnSync("stat", ["-c", "%Y", join(dir, ".berth-ready")], { encoding: "utf8" }).stdout).toBe(
      marker,
    );
  }, 60_000);

  it("runs both sides once, then only the working tree's against a base it has run before", async () => {
    const r = appRepo(appProject({ retention: 7 }));
    const base = r.commit("base");
    change(r, appProject({ retention: 14 }));
    const runs: string[] = [];
    const steps = {
      run: (o: Parameters<typeof runProgram>[0]) => {
        runs.push(o.projectDir.startsWith(worktreeDir(r.root, base)) ? "base" : "head");
        return runProgram(o);
      },
    };
    const opts = {
      cwd: r.root,
      base,
      dir: join(r.root, "stacks/app"),
      stack: "dev",
      format: "text" as const,
      debug: false,
    };
    const pick = () => ({ stack: "dev" });
    expect(await runDiff(opts, capture(r.root).io, pick, steps)).toBe(0);
    expect(runs.sort()).toEqual(["base", "head"]);
    runs.length = 0;
    const t = capture(r.root);
    expect(await runDiff(opts, t.io, pick, steps)).toBe(0);
    expect(runs).toEqual(["head"]);
    expect(t.out()).toContain("        retentionInDays: 7 → 14");
  }, 60_000);

  it("writes the pull-request comment (markdown) and a JSON document", async () => {
    const r = appRepo(appProject({ protocolVersion: "HTTP1" }));
    const base = r.commit("base");
    change(r, appProject({ protocolVersion: "HTTP2" }));
    const md = await diff(r, "--base", "HEAD", "-C", "stacks/app", "-s", "dev", "--format", "markdown");
    expect(md.code).toBe(0);
    expect(md.lines.slice(0, 8)).toEqual([
      "<!-- berth-review -->",
      "## Berth review",
      "",
      `Base \`${short(base)} (--base HEAD)\` → head \`working tree at ${short(base)}\``,
      "",
      "| Stack | Changes | Idle cost | Rollout | Policies |",
      "|---|---|---|---|---|",
      "| `berth-app/dev` | +0 ~0 -0 ±1 | ±$0.00/mo ($0.00 → $0.00) | ±0s | ✅ pass |",
    ]);
    expect(md.out).toContain(
      "- **`berth-app/dev` replaces `aws:lb/targetGroup:TargetGroup` `web-tg`** (`protocolVersion`)",
    );
    const json = await diff(r, "--base", "HEAD", "-C", "stacks/app", "-s", "dev", "--format", "json");
    const doc = JSON.parse(json.out);
    expect(doc.base).toEqual({ ref: "HEAD", commit: base, how: "given" });
    expect(doc.stacks).toHaveLength(1);
    expect(doc.stacks[0]).toMatchObject({
      stack: "berth-app/dev",
      dir: "stacks/app",
      package: "@berth-stacks/app",
      ok: true,
      reused: false,
      counts: { create: 0, update: 0, replace: 1, delete: 0, same: 3 },
    });
    expect(doc.stacks[0].changes).toEqual([
      {
        urn: "urn:pulumi:dev::berth-app::berth:cluster:Web$aws:lb/targetGroup:TargetGroup::web-tg",
        type: "aws:lb/targetGroup:TargetGroup",
        name: "web-tg",
        kind: "replace",
        stateful: true,
        inUse: true,
        properties: [{ path: "protocolVersion", old: '"HTTP1"', new: '"HTTP2"', replaces: true }],
      },
    ]);
  }, 60_000);
});

describe("berth diff --env <env>: the platform and every service of the catalogue", () => {
  const platform = {
    "stacks/platform/Pulumi.yaml":
      "name: berth-platform\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n",
    "stacks/platform/Pulumi.dev.yaml": "config:\n  aws:region: us-east-1\n",
    "stacks/platform/index.js":
      'const aws = require("@pulumi/aws");\nnew aws.cloudwatch.LogGroup("platform-logs", { retentionInDays: 30 });\n',
    "stacks/service/Pulumi.yaml":
      "name: berth-service\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n",
    "stacks/service/index.js": [
      'const aws = require("@pulumi/aws");',
      'const pulumi = require("@pulumi/pulumi");',
      'const service = pulumi.getStack().split(".")[1];',
      "new aws.cloudwatch.LogGroup(`${service}-logs`, { retentionInDays: 30 });",
      "",
    ].join("\n"),
    "apps/shop/berth.yaml": 'name: shop\nkind: web\nhttp: { paths: ["/shop/*"] }\n',
    "apps/tasks/berth.yaml": "name: tasks\nkind: job\nschedule: rate(1 hour)\n",
  };

  it("shows a removed service: its stack's resources deleted, the others unchanged", async () => {
    const r = new TempRepo();
    repos.push(r);
    r.linkSdks("stacks/platform").linkSdks("stacks/service");
    change(r, platform);
    const base = r.commit("base");
    r.remove("apps/tasks");
    const res = await diff(r, "--base", "HEAD", "--env", "dev");
    expect(res.err).toBe("");
    expect(res.code).toBe(0);
    expect(res.out).toBe(
      [
        `Base: ${short(base)} (--base HEAD)`,
        `Head: the working tree at ${short(base)}`,
        "",
        "berth-platform/dev: no changes (1 unchanged)",
        "",
        "berth-service/dev.shop: no changes (1 unchanged)",
        "",
        "berth-service/dev.tasks: 1 to delete, 0 unchanged",
        "  -  delete  aws:cloudwatch/logGroup:LogGroup  tasks-logs (stateful)",
        "",
        "3 stacks: 1 changed, 2 unchanged, 0 failed",
        "",
      ].join("\n"),
    );
  }, 90_000);
});

describe("the upgrade guard (scripts/upgrade-guard.mjs)", () => {
  const guard = (r: TempRepo, ...args: string[]) =>
    spawnSync(process.execPath, [GUARD, ...args], { cwd: r.root, encoding: "utf8" });

  it("has nothing to judge on the base itself (main in CI): no program runs", () => {
    const r = appRepo(appProject({}));
    const base = r.commit("base");
    const res = guard(r, "--base", base);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toBe(
      `upgrade-guard: no change against the base ${base.slice(0, 12)}: nothing to judge\n`,
    );
    expect(res.stderr).toBe("");
  });

  it("stops an unacknowledged replacement, and passes an intended one with a major changeset and a migration note", async () => {
    const r = appRepo(appProject({ protocolVersion: "HTTP1" }));
    const base = r.commit("base");
    change(r, appProject({ protocolVersion: "HTTP2" }));
    const stopped = guard(r, "--base", base);
    expect(stopped.status, stopped.stderr).toBe(1);
    expect(stopped.stdout.split("\n").slice(0, 2)).toEqual([
      "Upgrade guard: 1 unacknowledged replacement(s) or deletion(s):",
      "  berth-app/dev: replace aws:lb/targetGroup:TargetGroup web-tg (protocolVersion) — @berth/cluster",
    ]);
    expect(stopped.stdout).toContain('  "@berth/cluster": major');

    // A minor changeset, or a major one without a migration note, acknowledges nothing.
    r.write(".changeset/http2.md", '---\n"@berth/cluster": major\n---\n\nTargets speak HTTP/2.\n');
    const noNote = guard(r, "--base", base);
    expect(noNote.status).toBe(1);
    expect(noNote.stdout).toContain('Major changesets without a "## Migration" section: .changeset/http2.md');

    r.write(
      ".changeset/http2.md",
      '---\n"@berth/cluster": major\n---\n\nTargets speak HTTP/2.\n\n## Migration\n\nDeploy outside business hours: the target group is replaced.\n',
    );
    const passed = guard(r, "--base", base);
    expect(passed.status, passed.stdout + passed.stderr).toBe(0);
    expect(passed.stdout).toBe(
      [
        "Upgrade guard: passed",
        "",
        "Acknowledged:",
        "  berth-app/dev: replace aws:lb/targetGroup:TargetGroup web-tg (protocolVersion) — @berth/cluster (.changeset/http2.md)",
        "",
      ].join("\n"),
    );
  }, 120_000);
});

describe("berth diff: usage and errors", () => {
  it("names a bad ref, exit 2, no stack trace", async () => {
    const r = appRepo(appProject({}));
    r.commit("base");
    const res = await diff(r, "--base", "no-such-ref", "-C", "stacks/app", "-s", "dev");
    expect(res.code).toBe(2);
    expect(res.err).toBe(`berth diff: --base 'no-such-ref' is not a commit of the repository at ${r.root}\n`);
    expect(res.out).toBe("");
  });

  it("says when the folder is not in a git repository", async () => {
    const dir = mkdtempSync(join(tmpdir(), "berth-nogit-"));
    try {
      const t = capture(dir);
      expect(await main(["diff", "-s", "dev"], t.io)).toBe(2);
      expect(t.err()).toBe(
        `berth diff: ${dir} is not in a git repository: berth diff compares two commits of one\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an unknown format and mixed selections", async () => {
    const r = appRepo(appProject({}));
    r.commit("base");
    const format = await diff(r, "--format", "html");
    expect(format.code).toBe(2);
    expect(format.err).toContain("berth diff: --format is 'html'; use text, markdown, json");
    const mixed = await diff(r, "--env", "dev", "-s", "dev");
    expect(mixed.code).toBe(2);
    expect(mixed.err).toContain("-C/-s pick one stack of a project; --env and --service pick stacks by name");
  });

  it("reports the head's failing program on stderr with exit 1", async () => {
    const r = appRepo(appProject({}));
    r.commit("base");
    r.write("stacks/app/Pulumi.dev.yaml", "config:\n  aws:region: us-east-1\n");
    const res = await diff(r, "--base", "HEAD", "-C", "stacks/app", "-s", "dev");
    expect(res.code).toBe(1);
    expect(res.lines[3]).toBe("berth-app/dev: failed");
    expect(res.err).toMatch(/^error: berth-app\/dev: .*retention/);
  }, 60_000);
});
