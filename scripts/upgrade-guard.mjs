#!/usr/bin/env node
// `pnpm guard`: the upgrade guard. Runs `berth diff` against the base for every stack of the
// repository and every service of the catalogue (one `berth diff --env <env>` per environment of
// stacks/platform covers the platform and each service's <env>.<name>; every other project's
// stacks one by one), and fails when a change would replace or delete a stateful or network
// resource (databases, caches, volumes, buckets, repositories, log groups, queues, VPC, subnets,
// NAT, load balancers, target groups in use) unless a changeset of the change releases the
// responsible package as **major** and carries a `## Migration` section. docs/review.md says how
// to acknowledge an intended replacement.
//
//   node scripts/upgrade-guard.mjs [--base <git-ref>]     (run from anywhere in the repository)
//
// Exit codes: 0 passed, 1 an unacknowledged replacement or deletion, or a program failed, 2 usage.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const workspace = join(here, "..");
const cli = join(workspace, "packages", "cli", "dist", "bin.js");
const review = createRequire(join(workspace, "packages", "review", "package.json"))(
  join(workspace, "packages", "review", "dist", "index.js"),
);

function usage(message) {
  process.stderr.write(
    `upgrade-guard: ${message}\nusage: node scripts/upgrade-guard.mjs [--base <git-ref>]\n`,
  );
  process.exit(2);
}

const args = process.argv.slice(2);
let base;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--base" && args[i + 1] && !args[i + 1].startsWith("-")) base = args[++i];
  else if (args[i].startsWith("--base=")) base = args[i].slice("--base=".length);
  else usage(`unknown argument '${args[i]}'`);
}
if (!existsSync(cli)) usage(`${cli} is not built: run \`pnpm exec turbo run build --filter=@berth/cli...\``);

function git(cwd, ...a) {
  const r = spawnSync("git", a, { cwd, encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const root = git(process.cwd(), "rev-parse", "--show-toplevel");
if (!root) usage(`${process.cwd()} is not in a git repository`);

/** Every `berth diff` the guard runs: per environment, then every other project's stacks. */
function diffs() {
  const runs = [];
  const stacksDir = join(root, "stacks");
  const projects = existsSync(stacksDir)
    ? readdirSync(stacksDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && existsSync(join(stacksDir, d.name, "Pulumi.yaml")))
        .map((d) => d.name)
        .sort()
    : [];
  const stackFiles = (dir) =>
    readdirSync(join(stacksDir, dir))
      .map((f) => /^Pulumi\.([A-Za-z0-9_.-]+)\.ya?ml$/.exec(f)?.[1])
      .filter(Boolean)
      .sort();
  for (const p of projects) {
    // The service stacks (no stack files) are the --env diffs' <env>.<service>.
    if (p === "service") continue;
    for (const stack of stackFiles(p)) {
      runs.push(p === "platform" ? ["--env", stack] : ["-C", join("stacks", p), "-s", stack]);
    }
  }
  return runs;
}

// Nothing to judge when the working tree is the base itself (main in CI): the same commit, no
// uncommitted change. The diffs would run every program twice to find no difference.
const head = git(root, "rev-parse", "HEAD");
const defaultBase = ["origin/HEAD", "main", "master"]
  .map((ref) => git(root, "merge-base", "HEAD", ref))
  .find(Boolean);
const baseRef = base ? git(root, "rev-parse", `${base}^{commit}`) : defaultBase;
if (head && baseRef === head && git(root, "status", "--porcelain") === "") {
  process.stdout.write(`upgrade-guard: no change against the base ${head.slice(0, 12)}: nothing to judge\n`);
  process.exit(0);
}

const stacks = [];
const failures = [];
let baseCommit;
for (const selection of diffs()) {
  const argv = [cli, "diff", ...(base ? ["--base", base] : []), ...selection, "--format", "json"];
  process.stderr.write(`upgrade-guard: berth diff ${selection.join(" ")}\n`);
  const r = spawnSync(process.execPath, argv, {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.status === 2) {
    process.stderr.write(r.stderr);
    process.exit(2);
  }
  let doc;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    failures.push(`berth diff ${selection.join(" ")} exited ${r.status}: ${r.stderr.trim()}`);
    continue;
  }
  baseCommit = doc.base.commit;
  for (const s of doc.stacks) {
    if (!s.ok) {
      failures.push(`${s.stack}: ${s.error}`);
      continue;
    }
    stacks.push({
      stack: s.stack,
      package: s.package,
      diff: { source: "records", changes: s.changes, counts: s.counts, outputs: s.outputs },
    });
  }
}

/** Changesets this change adds or edits (a pending one from before does not acknowledge it). */
function changesets() {
  if (!baseCommit) return [];
  const changed = new Set(
    [
      git(root, "diff", "--name-only", baseCommit, "--", ".changeset"),
      git(root, "ls-files", "--others", "--exclude-standard", "--", ".changeset"),
    ]
      .filter(Boolean)
      .flatMap((s) => s.split("\n")),
  );
  return [...changed]
    .filter(
      (f) => /^\.changeset\/[^/]+\.md$/.test(f) && f !== ".changeset/README.md" && existsSync(join(root, f)),
    )
    .sort()
    .map((f) => review.parseChangeset(f, readFileSync(join(root, f), "utf8")));
}

const result = review.upgradeGuard(stacks, changesets());
process.stdout.write(review.renderGuard(result));
for (const f of failures) process.stdout.write(`\nA program failed, so the guard cannot judge it: ${f}\n`);
process.exit(result.passed && failures.length === 0 ? 0 : 1);
