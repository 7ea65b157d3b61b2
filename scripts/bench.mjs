#!/usr/bin/env node
// `pnpm bench`: whole-process timings of the offline preview, as medians over several runs.
//
// 1. preview vs SDK load: `berth preview` of a stack against a bare Node process that only loads
//    the Pulumi SDK modules that stack uses (@pulumi/pulumi, the @pulumi/aws modules of its resource
//    types, @pulumi/awsx). The ratio is what the engine, the program and the report cost on top of
//    loading the SDKs every Pulumi program pays for.                                  Goal: <= 1.6
// 2. 50 services vs 1: a generated stack with 50 `Service` components against one.    Goal: <= 3
// 3. The deploy unit does not grow with the catalogue: `berth preview --service bench --env dev`
//    (the stack dev.bench of stacks/service) with 50 services in the catalogue against 1
//    (BERTH_APPS_DIR; the platform and shared stacks it reads come from the reference cache,
//    warmed by the first run of each side).                                           Goal: <= 1.2
//
// 4. Change review: `berth diff --env dev` against `berth preview --env dev` (the working tree).
//    The diff runs both sides at once and reuses the head's run for a stack whose inputs did not
//    change; the base (BENCH_BASE, default: the newest of the last 50 commits whose stacks,
//    packages, apps or lockfile differ from the working tree, so both sides really run) is checked
//    out, installed and built by the warm-up run, as a second diff against it would find it.
//                                                                                     Goal: <= 1.3
//
// Runs alternate A, B, A, B… after a warm-up; the ratio is the median of the per-pair ratios.
// Options (environment): BENCH_RUNS (default 7), BENCH_STACK_DIR (default stacks/platform),
// BENCH_STACK (default dev), BENCH_KEEP=1 keeps the generated projects, BENCH_ONLY=4 (or 1,3)
// runs only those cases, BENCH_BASE the base of case 4. Results are also written to bench-results/latest.json.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.env.BENCH_RUNS ?? 7);
const stackDir = join(root, process.env.BENCH_STACK_DIR ?? "stacks/platform");
const stack = process.env.BENCH_STACK ?? "dev";
const cli = join(root, "packages/cli/dist/bin.js");
const work = join(root, "stacks/platform/.bench");
const only = new Set(
  (process.env.BENCH_ONLY ?? "1,2,3,4")
    .split(",")
    .map((x) => Number(x.trim()))
    .filter((n) => n > 0),
);
const results = [];

function run(args, cwd = root) {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (r.status !== 0) {
    throw new Error(`bench: \`node ${args.join(" ")}\` exited ${r.status}:\n${r.stderr}`);
  }
  return { ms, stdout: r.stdout };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Alternating A/B runs after one warm-up each; medians and the median of pairwise ratios. */
function compare(label, a, b, goal) {
  a();
  b();
  const ta = [];
  const tb = [];
  for (let i = 0; i < runs; i++) {
    ta.push(a());
    tb.push(b());
  }
  const ratios = ta.map((x, i) => x / tb[i]);
  const result = {
    label,
    runs,
    medianA_ms: Math.round(median(ta)),
    medianB_ms: Math.round(median(tb)),
    minA_ms: Math.round(Math.min(...ta)),
    maxA_ms: Math.round(Math.max(...ta)),
    minB_ms: Math.round(Math.min(...tb)),
    maxB_ms: Math.round(Math.max(...tb)),
    ratio: Number(median(ratios).toFixed(2)),
    goal,
    met: median(ratios) <= goal,
  };
  console.log(
    `${label}\n  A median ${result.medianA_ms} ms (min ${result.minA_ms}, max ${result.maxA_ms})` +
      `\n  B median ${result.medianB_ms} ms (min ${result.minB_ms}, max ${result.maxB_ms})` +
      `\n  ratio A/B ${result.ratio} (goal <= ${goal}: ${result.met ? "met" : "NOT met"})\n`,
  );
  return result;
}

// 1. Preview vs loading the SDK modules the stack uses.
if (only.has(1)) {
  const previewArgs = [cli, "preview", "-C", stackDir, "-s", stack, "--json"];
  const digest = JSON.parse(run(previewArgs).stdout);
  const types = digest.steps.map((s) => s.newState.type);
  const awsModules = [
    ...new Set(types.filter((t) => t.startsWith("aws:")).map((t) => t.slice(4).split("/")[0])),
  ].sort();
  const usesAwsx = types.some((t) => t.startsWith("awsx:"));
  mkdirSync(work, { recursive: true });
  const loader = join(work, "load-sdks.cjs");
  writeFileSync(
    loader,
    [
      "// Loads what any Pulumi program with this stack's resources loads, and nothing else.",
      'require("@pulumi/pulumi");',
      'const aws = require("@pulumi/aws");',
      `for (const m of ${JSON.stringify(awsModules)}) void aws[m];`,
      usesAwsx ? 'require("@pulumi/awsx");' : "",
    ].join("\n"),
  );
  console.log(
    `Stack ${relative(root, stackDir)} (${stack}): ${types.length} resources; aws modules ${awsModules.join(", ")}` +
      `${usesAwsx ? "; awsx" : ""}\n`,
  );
  results.push(
    compare(
      `1. berth preview ${relative(root, stackDir)} -s ${stack} (A) vs loading its SDK modules (B)`,
      () => run(previewArgs).ms,
      () => run([loader], stackDir).ms,
      1.6,
    ),
  );
}

// 2. A generated stack of N services.
if (only.has(2)) {
  function servicesProject(n) {
    const dir = join(work, `services-${n}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "Pulumi.yaml"), `name: berth-bench-${n}\nruntime: nodejs\nmain: index.ts\n`);
    writeFileSync(join(dir, "Pulumi.bench.yaml"), "config:\n  aws:region: us-east-1\n");
    writeFileSync(
      join(dir, "index.ts"),
      `import { Service } from "@berth/cluster";

const account = "123456789012";
const lbSuffix = "app/bench/0123456789abcdef";
const cluster = { name: "bench", arn: \`arn:aws:ecs:us-east-1:\${account}:cluster/bench\` };
const network = {
  vpcId: "vpc-0123456789abcdef0",
  vpcCidrBlock: "10.0.0.0/16",
  publicSubnetIds: ["subnet-0a", "subnet-0b"],
  privateSubnetIds: ["subnet-1a", "subnet-1b"],
};
const loadBalancer = {
  arn: \`arn:aws:elasticloadbalancing:us-east-1:\${account}:loadbalancer/\${lbSuffix}\`,
  arnSuffix: lbSuffix,
  dnsName: "bench-123.us-east-1.elb.amazonaws.com",
  zoneId: "Z35SXDOTRQ7X7K",
  securityGroupId: "sg-0123456789abcdef0",
  listenerArn: \`arn:aws:elasticloadbalancing:us-east-1:\${account}:listener/\${lbSuffix}/0123456789abcdef\`,
  protocol: "HTTPS" as const,
  url: "https://bench.example.com",
};
const image = \`\${account}.dkr.ecr.us-east-1.amazonaws.com/hello@sha256:\${"c3".repeat(32)}\`;

export const services = Array.from({ length: ${n} }, (_, i) =>
  new Service(\`svc-\${i}\`, {
    cluster,
    network,
    loadBalancer,
    image,
    rule: { priority: i + 1, paths: [\`/svc-\${i}/*\`] },
    healthCheck: { path: "/healthz" },
  }).serviceName,
);
`,
    );
    return dir;
  }
  const one = servicesProject(1);
  const fifty = servicesProject(50);
  const count = (dir) =>
    JSON.parse(run([cli, "preview", "-C", dir, "-s", "bench", "--json"]).stdout).steps.length;
  console.log(
    `Generated stacks: 1 service = ${count(one)} resources, 50 services = ${count(fifty)} resources\n`,
  );
  results.push(
    compare(
      "2. berth preview of 50 services (A) vs 1 service (B)",
      () => run([cli, "preview", "-C", fifty, "-s", "bench", "--json"]).ms,
      () => run([cli, "preview", "-C", one, "-s", "bench", "--json"]).ms,
      3,
    ),
  );
}

// 3. One service's stack with 50 services in the catalogue against 1.
if (only.has(3)) {
  function catalogue(n) {
    const dir = join(work, `apps-${n}`);
    rmSync(dir, { recursive: true, force: true });
    for (let i = 0; i < n; i++) {
      const name = i === 0 ? "bench" : `svc-${i}`;
      mkdirSync(join(dir, name), { recursive: true });
      writeFileSync(
        join(dir, name, "berth.yaml"),
        // Explicit priorities: the benchmark measures the deploy unit, not how many derived ones collide.
        `name: ${name}\nkind: web\nbuild: { context: ../.. }\nhttp: { paths: ["/${name}/*"], priority: ${100 + i} }\n`,
      );
    }
    return dir;
  }
  const apps1 = catalogue(1);
  const apps50 = catalogue(50);
  const servicePreview = (apps) => () => {
    const started = performance.now();
    const r = spawnSync(process.execPath, [cli, "preview", "--service", "bench", "--env", "dev", "--json"], {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, BERTH_APPS_DIR: apps },
    });
    if (r.status !== 0)
      throw new Error(`bench: preview --service bench (${apps}) exited ${r.status}:\n${r.stderr}`);
    return performance.now() - started;
  };
  results.push(
    compare(
      "3. berth preview --service bench --env dev with 50 services in the catalogue (A) vs 1 (B)",
      servicePreview(apps50),
      servicePreview(apps1),
      1.2,
    ),
  );
}

// 4. berth diff of an environment against the offline preview of the working tree.
if (only.has(4)) {
  const git = (...a) => spawnSync("git", a, { cwd: root, encoding: "utf8" });
  const inputs = ["stacks", "packages", "apps", "pnpm-lock.yaml"];
  const base =
    process.env.BENCH_BASE ??
    git("rev-list", "-n", "50", "HEAD")
      .stdout.split("\n")
      .filter(Boolean)
      .find((c) => git("diff", "--quiet", c, "--", ...inputs).status !== 0);
  if (!base)
    throw new Error("bench: no commit among the last 50 differs from the working tree; set BENCH_BASE");
  const diffArgs = [cli, "diff", "--env", "dev", "--base", base, "--format", "json"];
  const doc = JSON.parse(run(diffArgs).stdout);
  const reused = doc.stacks.filter((x) => x.reused).length;
  console.log(
    `4. base ${doc.base.commit.slice(0, 12)}: ${doc.stacks.length} stacks, ${reused} reused the head's run, ` +
      `${doc.stacks.filter((x) => x.changes.length).length} changed\n`,
  );
  results.push(
    compare(
      `4. berth diff --env dev --base ${doc.base.commit.slice(0, 12)} (A) vs berth preview --env dev (B)`,
      () => run(diffArgs).ms,
      () => run([cli, "preview", "--env", "dev", "--json"]).ms,
      1.3,
    ),
  );
}

mkdirSync(join(root, "bench-results"), { recursive: true });
// A run of some cases keeps the other cases' last results.
const latest = join(root, "bench-results/latest.json");
const kept =
  only.size < 4 && existsSync(latest)
    ? (JSON.parse(readFileSync(latest, "utf8")).results ?? []).filter(
        (r) => !only.has(Number(String(r.label).split(".")[0])),
      )
    : [];
const all = [...kept, ...results].sort((a, b) => a.label.localeCompare(b.label));
writeFileSync(
  latest,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, results: all }, null, 2)}\n`,
);
if (!process.env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
