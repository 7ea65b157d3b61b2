// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are shell code
// A hostile pull request, played offline against the preview as configured: the projects and roles
// PullRequestPreviews creates (offline engine) and the real ci/buildspecs/preview.yml, run the way
// CodeBuild runs it (test/codebuild.ts), with stub `aws`, `curl`, `pnpm`, `corepack` and `sed`.
//
// The pull request adds a root `postinstall`, a workspace `preinstall`, a `.pnpmfile.cjs`, an
// `.npmrc` turning scripts back on, a hostile `build` script and a stack program; every one of them
// runs `steal.sh`, which dumps its environment and tries the container credentials endpoint, the
// state bucket and the comment token. It also adds a project named `x//e;#` (GNU sed's `e` runs a
// command) and program output that tries to break out of the comment's code fence.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type RecordedResource, type RunResult, runComponent } from "@berth/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PullRequestPreviews, type PullRequestPreviewsArgs } from "../src/index.js";
import { type Phases, runPhases } from "./codebuild.js";
import { CONNECTION, list, projectVariables, statements } from "./helpers.js";

const ROOT = join(__dirname, "..", "..", "..");
const SPEC = parse(readFileSync(join(ROOT, "ci", "buildspecs", "preview.yml"), "utf8")) as Phases;
const TOKEN_VALUE = "ghp_THE_COMMENT_TOKEN_0123456789";
const TOKEN_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:berth/github-token-AbCdEf";
const BUILD_UUID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
const ALL_PHASES = ["install", "pre_build", "build"];
/** Every variable name a process of pull-request code may see (the buildspec's `env -i` allow-list). */
const SANDBOX_VARIABLES = [
  "HOME",
  "PATH",
  "LANG",
  "CI",
  "TURBO_TELEMETRY_DISABLED",
  "COREPACK_ENABLE_DOWNLOAD_PROMPT",
  "npm_config_ignore_scripts",
  "PULUMI_SKIP_UPDATE_CHECK",
  // set by bash itself in every process
  "PWD",
  "SHLVL",
  "_",
  "OLDPWD",
];

const args: PullRequestPreviewsArgs = {
  source: { connectionArn: CONNECTION, repository: "acme/berth" },
  githubTokenSecretArn: TOKEN_ARN,
};

function sh(cwd: string, command: string): string {
  const res = spawnSync("/bin/bash", ["-c", command], { cwd, encoding: "utf8" });
  if (res.status !== 0) throw new Error(`${command}: ${res.stderr}`);
  return res.stdout.trim();
}

function write(file: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, mode);
}

interface World {
  root: string;
  bin: string;
  /** The fake S3: <s3>/<bucket>/<key>. */
  s3: string;
  /** Where steal.sh writes what it could see: <loot>/<who>.env and <who>.attempts. */
  loot: string;
  log: string;
  /** The pull request's repository (origin) and its head and base commits. */
  origin: string;
  head: string;
  base: string;
}

/** The hostile pull request, as a repository whose main is the base and pr-7 the head. */
function hostileRepository(
  world: Omit<World, "origin" | "head" | "base">,
): Pick<World, "origin" | "head" | "base"> {
  const origin = join(world.root, "origin");
  mkdirSync(origin);
  sh(origin, "git init -q -b main && git config user.email t@example.com && git config user.name t");
  write(join(origin, "package.json"), JSON.stringify({ name: "berth", private: true }, null, 2));
  write(join(origin, "stacks/platform/Pulumi.yaml"), "name: berth-platform\nruntime: nodejs\n");
  write(
    join(origin, "stacks/platform/Pulumi.dev.yaml"),
    'config:\n  berth-platform:accountId: "123456789012"\n',
  );
  sh(origin, "git add -A && git commit -q -m base");
  const base = sh(origin, "git rev-parse HEAD");
  sh(origin, "git checkout -q -b pr-7");
  const steal = `#!/bin/bash
# What a hostile pull request would do with whatever it finds.
who="$1"
env > "${world.loot}/\${who}.env"
{
  curl -fsS "http://169.254.170.2\${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-}" && echo "creds endpoint: OPEN"
  aws s3 cp s3://acme-berth-state/.pulumi/stacks/berth-platform/prod.json - && echo "state: READ"
  aws secretsmanager get-secret-value --secret-id berth/github-token && echo "token secret: READ"
  [[ -n "\${GITHUB_TOKEN:-}" ]] && echo "GITHUB_TOKEN: \${GITHUB_TOKEN}"
} >> "${world.loot}/\${who}.attempts" 2>&1
echo 'pwned? @octocat \`\`\`\` </details><img src=x onerror=alert(1)> [click](https://evil.example)'
exit 0
`;
  write(join(origin, "steal.sh"), steal, 0o755);
  write(
    join(origin, "package.json"),
    JSON.stringify(
      {
        name: "berth",
        private: true,
        scripts: { postinstall: "bash steal.sh postinstall", build: "bash steal.sh build" },
      },
      null,
      2,
    ),
  );
  write(
    join(origin, "packages/evil/package.json"),
    JSON.stringify({ name: "evil", scripts: { preinstall: "bash ../../steal.sh preinstall" } }),
  );
  write(
    join(origin, ".pnpmfile.cjs"),
    `require("node:child_process").execFileSync("bash", ["steal.sh", "pnpmfile"]);\nmodule.exports = {};\n`,
  );
  write(join(origin, ".npmrc"), "ignore-scripts=false\n");
  write(join(origin, "stacks/platform/program.sh"), "bash ../../steal.sh program\n", 0o755);
  write(join(origin, "stacks/pwn/Pulumi.yaml"), 'name: "x//e;#"\nruntime: nodejs\n');
  write(join(origin, "stacks/pwn/Pulumi.dev.yaml"), 'config:\n  x//e;#:accountId: "123456789012"\n');
  sh(origin, "git add -A && git commit -q -m 'innocent change'");
  const head = sh(origin, "git rev-parse HEAD");
  return { origin, head, base };
}

/** Stub commands. Paths are baked in: pull-request code runs under `env -i`, so no $VAR survives. */
function stubs(w: World): void {
  const stub = (name: string, body: string) => write(join(w.bin, name), `#!/bin/bash\n${body}\n`, 0o755);
  const record = `a="$*"; printf '%s\\n' "$(basename "$0") \${a//$'\\n'/ } | key=\${AWS_ACCESS_KEY_ID:-} uri=\${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-} token=\${GITHUB_TOKEN:+set}" >> "${w.log}"`;
  stub(
    "aws",
    `${record}
if [[ -z "\${AWS_ACCESS_KEY_ID:-}\${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-}" ]]; then
  echo "Unable to locate credentials. You can configure credentials by running \\"aws configure\\"." >&2
  exit 255
fi
case "$1 $2" in
  "s3 cp")
    shift 2
    [[ "$1" == --only-show-errors ]] && shift
    from="$1" to="$2"
    if [[ "$from" == s3://* ]]; then
      src="${w.s3}/\${from#s3://}"
      [[ -f "$src" ]] || { echo "404 $from" >&2; exit 1; }
      if [[ "$to" == - ]]; then cat "$src"; else cp "$src" "$to"; fi
    else
      dst="${w.s3}/\${to#s3://}"
      mkdir -p "$(dirname "$dst")" && cp "$from" "$dst"
    fi ;;
  "codebuild start-build") echo "previews-worker:11111111-2222-3333-4444-555555555555" ;;
  "codebuild batch-get-builds") echo SUCCEEDED ;;
  "codebuild stop-build") ;;
  *) echo "AccessDenied: $*" >&2; exit 254 ;;
esac`,
  );
  stub(
    "curl",
    `${record}
url="" method=GET body=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    -X) method="$2"; shift 2 ;;
    -d) body="$2"; shift 2 ;;
    -H) shift 2 ;;
    -*) shift ;;
    *) url="$1"; shift ;;
  esac
done
case "$url" in
  http://169.254.170.2) echo "curl: (22) 404: no credentials path" >&2; exit 22 ;;
  http://169.254.170.2/*) echo '{"AccessKeyId":"ASIAWORKER"}' ;;
  */user) echo '{"login":"berth-bot"}' ;;
  */issues/7/comments\\?*) cat "${w.root}/comments.json" ;;
  */issues/7/comments | */issues/comments/*)
    printf '%s %s\\n' "$method" "$url" >> "${w.root}/posts.log"
    printf '%s' "$body" > "${w.root}/posted.json" ;;
  */pulls/7) cat "${w.root}/pull.json" ;;
  *) echo "unexpected $url" >&2; exit 22 ;;
esac`,
  );
  stub(
    "pnpm",
    `${record}
n=$(ls "${w.root}/pnpm-env" | wc -l)
env > "${w.root}/pnpm-env/$n.env"
node="${process.execPath}"
script() { "$node" -e 'const p=require(process.argv[1]);process.stdout.write((p.scripts||{})[process.argv[2]]||"")' "$PWD/$1" "$2"; }
case "$*" in
  install*)
    if [[ "$*" != *--ignore-pnpmfile* && -f .pnpmfile.cjs ]]; then "$node" .pnpmfile.cjs; fi
    if [[ "$*" != *--ignore-scripts* ]]; then
      (cd packages/evil && bash -c "$(script package.json preinstall)")
      bash -c "$(script package.json postinstall)"
    fi ;;
  *"turbo run typecheck"*)
    echo '{"tasks":[{"directory":"packages/evil","package":"evil"},{"directory":"stacks/platform","package":"@berth-stacks/platform"},{"directory":"stacks/pwn","package":"pwn;touch x"},{"directory":"stacks/../../etc","package":"etc"}]}' ;;
  *"turbo run build"*) bash -c "$(script package.json build)" ;;
  *"exec berth preview"*)
    dir="" stack=""
    while [[ $# -gt 0 ]]; do case "$1" in -C) dir="$2"; shift 2 ;; -s) stack="$2"; shift 2 ;; *) shift ;; esac; done
    echo "### offline preview of \${dir} \${stack}"
    if [[ -f "\${dir}/program.sh" ]]; then (cd "\${dir}" && bash program.sh); fi ;;
esac`,
  );
  stub("corepack", record);
  stub("sed", `${record}\nexit 1`);
  stub("npx", `${record}\nexit 1`);
}

function world(): World {
  const root = mkdtempSync(join(tmpdir(), "berth-hostile-"));
  const partial = {
    root,
    bin: join(root, "bin"),
    s3: join(root, "s3"),
    loot: join(root, "loot"),
    log: join(root, "calls.log"),
  };
  for (const d of [partial.bin, partial.s3, partial.loot, join(root, "pnpm-env")]) mkdirSync(d);
  writeFileSync(partial.log, "");
  const w = { ...partial, ...hostileRepository(partial) };
  stubs(w);
  // A fork author pre-posted the marker; the bot has not commented yet.
  writeFileSync(
    join(root, "comments.json"),
    JSON.stringify([{ id: 111, user: { login: "mallory" }, body: "<!-- berth-preview:offline -->\nfake" }]),
  );
  return w;
}

function variables(project: RecordedResource): Record<string, string> {
  return Object.fromEntries(Object.entries(projectVariables(project)).map(([k, v]) => [k, v.value]));
}

/** The orchestrator's checkout: what CodeBuild clones through the connection (PR head, origin set). */
function orchestratorCheckout(w: World): string {
  const dir = join(w.root, "checkout");
  sh(w.root, `git clone -q "${w.origin}" checkout && cd checkout && git checkout -q ${w.head}`);
  return dir;
}

function orchestrate(w: World, run: RunResult, phases: string[]) {
  const project = run.named("previews-project");
  const vars = variables(project);
  const dir = join(w.root, "checkout");
  return runPhases(SPEC, phases, dir, w.bin, {
    ...vars,
    // CodeBuild resolves the SECRETS_MANAGER variable into the orchestrator's environment.
    GITHUB_TOKEN: TOKEN_VALUE,
    CODEBUILD_SRC_DIR: dir,
    CODEBUILD_BUILD_ID: `${vars.WORKER_PROJECT?.replace("worker", "project")}:${BUILD_UUID}`,
    CODEBUILD_WEBHOOK_TRIGGER: "pr/7",
    CODEBUILD_RESOLVED_SOURCE_VERSION: w.head,
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/orchestrator",
    AWS_REGION: "us-east-1",
    POLL_SECONDS: "0",
  });
}

describe("a hostile pull request, previewed as configured", () => {
  let run: RunResult;
  let w: World;
  let worker: ReturnType<typeof runPhases>;
  let orchestrator: ReturnType<typeof runPhases>;
  let startRequest: { projectName: string; environmentVariablesOverride: { name: string; value: string }[] };
  let workerCalls: string[];
  let orchestratorCalls: string[];

  beforeAll(async () => {
    run = await runComponent(() => new PullRequestPreviews("previews", args));
    w = world();
    orchestratorCheckout(w);
    // 1. The orchestrator packs the pull request and uploads it (its first two phases).
    const pack = orchestrate(w, run, ["install", "pre_build"]);
    expect(pack.status, pack.stderr).toBe(0);
    // 2. The worker, on exactly what CodeBuild would give it: its project's variables, the
    //    orchestrator's overrides (read from the start-build request of step 3's run), the source zip.
    const src = join(w.root, "worker");
    mkdirSync(src);
    const zip = join(
      w.s3,
      run.named("previews-exchange").outputs.bucket as string,
      "sources",
      BUILD_UUID,
      "source.zip",
    );
    sh(src, `unzip -q "${zip}"`);
    const workerProject = run.named("previews-worker");
    const before = readFileSync(w.log, "utf8").split("\n").filter(Boolean).length;
    worker = runPhases(SPEC, ALL_PHASES, src, w.bin, {
      ...variables(workerProject),
      PR_NUMBER: "7",
      PR_COMMIT: w.head,
      BASE_BRANCH: "main",
      CODEBUILD_SRC_DIR: src,
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/worker",
      AWS_REGION: "us-east-1",
    });
    workerCalls = readFileSync(w.log, "utf8").split("\n").filter(Boolean).slice(before);
    // CodeBuild uploads the worker's artifact where the orchestrator's override said.
    const report = join(
      w.s3,
      run.named("previews-exchange").outputs.bucket as string,
      "reports",
      BUILD_UUID,
      "report",
    );
    mkdirSync(report, { recursive: true });
    copyFileSync(join(src, "preview-report", "report.json"), join(report, "report.json"));
    // 3. The orchestrator, whole: start, wait, read the report as data, comment.
    const mark = readFileSync(w.log, "utf8").split("\n").filter(Boolean).length;
    const lootBefore = readdirSync(w.loot).length;
    orchestrator = orchestrate(w, run, ALL_PHASES);
    orchestratorCalls = readFileSync(w.log, "utf8").split("\n").filter(Boolean).slice(mark);
    expect(readdirSync(w.loot)).toHaveLength(lootBefore);
    const start = orchestratorCalls.find((c) => c.startsWith("aws codebuild start-build"))!;
    startRequest = JSON.parse(start.slice(start.indexOf("{"), start.lastIndexOf("}") + 1));
  });

  it("installs with --ignore-scripts --ignore-pnpmfile: the postinstall, the preinstall and the pnpmfile never run", () => {
    expect(worker.status, worker.stderr).toBe(0);
    const install = workerCalls.find((c) => c.startsWith("pnpm install"))!;
    expect(install).toContain("--frozen-lockfile --ignore-scripts --ignore-pnpmfile");
    for (const who of ["postinstall", "preinstall", "pnpmfile"])
      expect(existsSync(join(w.loot, `${who}.env`)), who).toBe(false);
  });

  it("runs the pull request's build script and program with no credential, no token and no AWS variable in their environment", () => {
    // They did run (this is the step that runs pull-request code)...
    for (const who of ["build", "program"]) expect(existsSync(join(w.loot, `${who}.env`)), who).toBe(true);
    // ...and saw only the allow-listed variables.
    for (const who of ["build", "program"]) {
      const names = readFileSync(join(w.loot, `${who}.env`), "utf8")
        .split("\n")
        .filter((l) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(l))
        .map((l) => l.slice(0, l.indexOf("=")));
      expect(
        names.filter((n) => !SANDBOX_VARIABLES.includes(n)),
        who,
      ).toEqual([]);
      const text = readFileSync(join(w.loot, `${who}.env`), "utf8");
      expect(text).not.toMatch(/AWS_|GITHUB_TOKEN|GH_TOKEN|STATE_BUCKET|PREVIEW_ROLE_ARNS|CODEBUILD_/);
    }
    // Every pnpm/turbo/berth process too.
    const dumps = readdirSync(join(w.root, "pnpm-env"));
    expect(dumps.length).toBeGreaterThanOrEqual(4);
    for (const d of dumps)
      expect(readFileSync(join(w.root, "pnpm-env", d), "utf8"), d).not.toMatch(
        /AWS_|GITHUB_TOKEN|CODEBUILD_/,
      );
  });

  it("leaves every theft attempt without a credential: the endpoint path, the state, the token secret", () => {
    for (const who of ["build", "program"]) {
      const attempts = readFileSync(join(w.loot, `${who}.attempts`), "utf8");
      expect(attempts).not.toMatch(/OPEN|READ|GITHUB_TOKEN:/);
      expect(attempts).toContain("Unable to locate credentials");
    }
    const fromPrCode = workerCalls.filter((c) =>
      /^(aws s3 cp s3:\/\/acme-berth-state|aws secretsmanager|curl)/.test(c),
    );
    expect(fromPrCode.length).toBeGreaterThanOrEqual(4);
    for (const c of fromPrCode) expect(c).toMatch(/\| key= uri= token=$/);
  });

  it("the worker's project and role: no secret variable, no connection, logs and its own source and report only, and no role to assume", () => {
    const project = run.named("previews-worker");
    for (const v of Object.values(projectVariables(project))) expect(v.type).toBe("PLAINTEXT");
    expect(Object.keys(projectVariables(project)).sort()).toEqual(["PREVIEW_MODE", "PREVIEW_STAGE"]);
    const role = run.ofType("aws:iam/role:Role").find((r) => r.outputs.arn === project.inputs.serviceRole)!;
    const policies = run
      .ofType("aws:iam/rolePolicy:RolePolicy")
      .filter((p) => p.inputs.role === role.outputs.name);
    const stmts = policies.flatMap((p) => statements(run, p));
    const bucket = run.named("previews-exchange").outputs.arn as string;
    const logs = run.one("aws:cloudwatch/logGroup:LogGroup").outputs.arn as string;
    expect(stmts.map((s) => [list(s.Action), list(s.Resource)])).toEqual([
      [
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        [logs, `${logs}:*`],
      ],
      [["s3:GetObject", "s3:GetObjectVersion"], [`${bucket}/sources/*`]],
      [["s3:PutObject"], [`${bucket}/reports/*`]],
      [["s3:GetBucketAcl", "s3:GetBucketLocation"], [bucket]],
    ]);
    expect(
      run
        .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .filter((a) => a.inputs.role === role.outputs.name),
    ).toEqual([]);
    // No role in the run trusts the worker's role (nothing is reachable from it by sts:AssumeRole).
    for (const r of run.ofType("aws:iam/role:Role")) {
      const trust = JSON.parse(r.inputs.assumeRolePolicy as string) as {
        Statement: { Principal: unknown }[];
      };
      expect(trust.Statement.map((s) => s.Principal)).toEqual([{ Service: "codebuild.amazonaws.com" }]);
    }
  });

  it("never reaches an interpreter with a pull-request value: the project `x//e;#` is reported invalid, sed is never called", () => {
    const report = JSON.parse(
      readFileSync(join(w.root, "worker", "preview-report", "report.json"), "utf8"),
    ) as {
      stacks: { project: string; stack: string; dir: string; status: string }[];
    };
    expect(report.stacks.map((s) => [s.dir, s.project, s.stack, s.status])).toEqual([
      ["stacks/platform", "berth-platform", "dev", "ok"],
      ["stacks/pwn", "", "", "invalid-project-name"],
    ]);
    expect([...workerCalls, ...orchestratorCalls].filter((c) => c.startsWith("sed "))).toEqual([]);
    // `stacks/../../etc` from turbo's output was dropped, not previewed; a package name that is not
    // a name is not built.
    expect(workerCalls.some((c) => c.includes("etc"))).toBe(false);
    const build = workerCalls.find((c) => c.startsWith("pnpm turbo run build"))!;
    expect(build).toContain("--filter=@berth/cli... --filter=@berth-stacks/platform...");
    expect(build).not.toContain("pwn");
  });

  it("refuses to run the pull-request stage when a token is in its environment", () => {
    const src = join(w.root, "worker");
    const guarded = runPhases(SPEC, ["install"], src, w.bin, {
      ...variables(run.named("previews-worker")),
      PR_NUMBER: "7",
      PR_COMMIT: w.head,
      GITHUB_TOKEN: TOKEN_VALUE,
    });
    expect(guarded.status).toBe(1);
    expect(guarded.stderr).toContain(
      "Refusing to run pull-request code: GITHUB_TOKEN is set in this project",
    );
  });

  it("the orchestrator (token, connection) runs none of the pull request's code and hands the worker no secret", () => {
    expect(orchestratorCalls.filter((c) => /^(pnpm|corepack|npx|sed) /.test(c))).toEqual([]);
    expect(startRequest.projectName).toBe(run.named("previews-worker").outputs.name);
    expect(startRequest.environmentVariablesOverride.map((v) => v.name)).toEqual([
      "PR_NUMBER",
      "PR_COMMIT",
      "BASE_BRANCH",
    ]);
    // The token is never on a command line (curl reads it from a 0600 header file).
    expect([...workerCalls, ...orchestratorCalls].join("\n")).not.toContain(TOKEN_VALUE);
    // The bundle carries objects and two refs: no .git/config, no remote, no credential.
    const bundle = join(w.root, "worker", "source.bundle");
    expect(sh(w.root, `git bundle list-heads "${bundle}" | cut -d' ' -f2 | sort`)).toBe(
      "refs/berth/base\nrefs/berth/head",
    );
  });

  it("posts its own comment instead of editing the fork author's pre-posted marker, with every output fenced and mentions neutralized", () => {
    const posts = readFileSync(join(w.root, "posts.log"), "utf8");
    expect(posts.trim()).toBe("POST https://api.github.com/repos/acme/berth/issues/7/comments");
    const body = (JSON.parse(readFileSync(join(w.root, "posted.json"), "utf8")) as { body: string }).body;
    expect(body.startsWith("<!-- berth-preview:offline -->\n")).toBe(true);
    // The output holds a run of 4 backticks: the fence is 5 long, so the content cannot close it.
    const fence = /^(`{5,})text$/m.exec(body)!;
    expect(fence[1]).toBe("`````");
    const inside = body.slice(body.indexOf(fence[0]) + fence[0].length, body.indexOf(`\n${fence[1]}\n`));
    expect(inside).toContain("</details><img src=x onerror=alert(1)>");
    expect(body).not.toMatch(/@octocat/);
    expect(body).toContain("@\u200boctocat");
    expect(body).toContain("<b>(invalid name)/(invalid name)</b>: invalid");
    // The build fails (a stack is invalid), after commenting.
    expect(orchestrator.status).toBe(1);
    expect(orchestrator.stderr).toContain("At least one preview failed");
  });

  it("updates the bot's own marked comment when there is one", () => {
    writeFileSync(
      join(w.root, "comments.json"),
      JSON.stringify([
        { id: 111, user: { login: "mallory" }, body: "<!-- berth-preview:offline -->\nfake" },
        { id: 222, user: { login: "berth-bot" }, body: "<!-- berth-preview:offline -->\nold" },
      ]),
    );
    writeFileSync(join(w.root, "posts.log"), "");
    const again = orchestrate(w, run, ALL_PHASES);
    expect(again.status).toBe(1);
    expect(readFileSync(join(w.root, "posts.log"), "utf8").trim()).toBe(
      "PATCH https://api.github.com/repos/acme/berth/issues/comments/222",
    );
  });
});
