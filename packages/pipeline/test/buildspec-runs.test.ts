// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are shell code from the buildspecs
// Runs the buildspecs' shell (the real text of ci/buildspecs/*.yml) in a scratch folder, with stub
// `aws`, `pulumi`, `pnpm`, `corepack`, `curl` and `uname` commands that record how they were called,
// and checks what the build does. The offline preview against a hostile pull request is in
// pull-request-previews-hostile.test.ts; the credentialed lane's worker is here.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type Phases, runPhases } from "./codebuild.js";

const ROOT = join(__dirname, "..", "..", "..");
const CI = join(ROOT, "ci", "buildspecs");
const PLATFORM = join(ROOT, "stacks", "platform");
const PROD_PREVIEW_ROLE = "arn:aws:iam::210987654321:role/berth-preview-prod";
const DEV_PREVIEW_ROLE = "arn:aws:iam::123456789012:role/berth-preview-dev";

interface Buildspec {
  env?: { variables?: Record<string, unknown> };
  phases: Record<string, { commands?: string[] }>;
}

function spec(name: string): Buildspec {
  return parse(readFileSync(join(CI, `${name}.yml`), "utf8")) as Buildspec;
}

function defaults(s: Buildspec): Record<string, string> {
  return Object.fromEntries(Object.entries(s.env?.variables ?? {}).map(([k, v]) => [k, String(v)]));
}

function stub(bin: string, name: string, body: string): void {
  const file = join(bin, name);
  writeFileSync(file, `#!/bin/bash\n${body}\n`);
  chmodSync(file, 0o755);
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  calls: string[];
  dir: string;
}

/** Runs shell text with bash in `dir`, the stub folder first on the PATH (or as the whole PATH). */
function runShell(
  script: string,
  dir: string,
  bin: string,
  env: Record<string, string>,
  opts: { isolatedPath?: boolean } = {},
): Run {
  const calls = join(dir, "calls.log");
  writeFileSync(calls, "");
  const res = spawnSync("/bin/bash", ["-c", script], {
    cwd: dir,
    encoding: "utf8",
    env: {
      HOME: dir,
      PATH: opts.isolatedPath ? bin : `${bin}:${process.env.PATH}`,
      CALLS: calls,
      ...env,
    },
  });
  return {
    status: res.status,
    stdout: res.stdout,
    stderr: res.stderr,
    calls: readFileSync(calls, "utf8").split("\n").filter(Boolean),
    dir,
  };
}

/**
 * The preview worker (PREVIEW_STAGE=run) of a pull request that changes the real stacks/platform
 * project files (dev and staging in 123456789012, prod in 210987654321), run the way CodeBuild runs
 * it (test/codebuild.ts) on a bundle of refs/berth/head only (no base: every stack is previewed).
 * Stubs log `<command> <args> key=<AWS_ACCESS_KEY_ID> uri=<container credentials path>`; their paths
 * are baked in, because the buildspec runs pull-request commands under `env -i`.
 */
function previewWorker(
  env: Record<string, string>,
  opts: { pulumiFails?: boolean; services?: Record<string, string> } = {},
) {
  const root = mkdtempSync(join(tmpdir(), "berth-preview-run-"));
  const bin = join(root, ".bin");
  const src = join(root, "src");
  const origin = join(root, "origin");
  for (const d of [bin, src, join(origin, "stacks", "platform")]) mkdirSync(d, { recursive: true });
  for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml"])
    copyFileSync(join(PLATFORM, f), join(origin, "stacks", "platform", f));
  if (opts.services) {
    // The per-service project (no stack files of its own) and the catalogue's manifests.
    mkdirSync(join(origin, "stacks", "service"), { recursive: true });
    copyFileSync(
      join(PLATFORM, "..", "service", "Pulumi.yaml"),
      join(origin, "stacks", "service", "Pulumi.yaml"),
    );
    for (const [name, manifest] of Object.entries(opts.services)) {
      mkdirSync(join(origin, "apps", name), { recursive: true });
      writeFileSync(join(origin, "apps", name, "berth.yaml"), manifest);
    }
  }
  const git = (...args: string[]) =>
    spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
      cwd: origin,
      encoding: "utf8",
    });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "-m", "change the platform");
  const head = git("rev-parse", "HEAD").stdout.trim();
  git("update-ref", "refs/berth/head", head);
  git("bundle", "create", join(src, "source.bundle"), "refs/berth/head");
  const log = join(src, "calls.log");
  const record = `echo "$(basename "$0") $* key=\${AWS_ACCESS_KEY_ID:-} uri=\${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-}" >> "${log}"`;
  stub(
    bin,
    "aws",
    `${record}
case "$*" in
  *assume-role*)
    while [[ $# -gt 0 && "$1" != "--role-arn" ]]; do shift; done
    account="$(cut -d: -f5 <<< "$2")"
    printf 'ASIA%s\\tsecret\\ttoken\\n' "\${account}" ;;
esac`,
  );
  stub(bin, "pulumi", `${record}\necho "+ 3 to create"\nexit ${opts.pulumiFails ? 1 : 0}`);
  stub(bin, "pnpm", `${record}\necho "### offline preview"`);
  stub(bin, "corepack", record);
  stub(bin, "curl", record);
  const s = spec("preview") as Phases;
  const run = runPhases(s, ["install", "pre_build", "build"], src, bin, {
    PREVIEW_STAGE: "run",
    PREVIEW_MODE: "pulumi",
    PR_NUMBER: "7",
    PR_COMMIT: head,
    BASE_BRANCH: "main",
    STATE_BUCKET: "acme-berth-state",
    CODEBUILD_SRC_DIR: src,
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/worker",
    AWS_REGION: "us-east-1",
    ...env,
  });
  const reportFile = join(src, "preview-report", "report.json");
  const report = existsSync(reportFile)
    ? (JSON.parse(readFileSync(reportFile, "utf8")) as {
        mode: string;
        stacks: { project: string; stack: string; status: string; offline: boolean; output: string }[];
      })
    : undefined;
  return { run, report, src };
}

const previewed = (calls: string[], stack: string) =>
  calls.find((c) => c.startsWith("pulumi preview") && c.includes(`/berth-platform/${stack} `));
const offline = (calls: string[], stack: string) =>
  calls.find((c) => c.startsWith("pnpm exec berth preview") && c.includes(`-s ${stack} `));

describe("preview buildspec: the per-service stacks", () => {
  it("previews every <env>.<service> stack of the catalogue offline (berth-service has no stack files)", () => {
    const { run, report } = previewWorker(
      { PREVIEW_MODE: "offline" },
      {
        services: {
          orders: "name: orders\nkind: internal\n",
          "bad.name": "name: x\nkind: web\n", // not a service name: never reaches a command
        },
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const services = run.calls.filter((c) => c.startsWith("pnpm exec berth preview --service"));
    expect(services.map((c) => c.replace(/ key=.*$/, ""))).toEqual(
      ["dev", "prod", "staging"].map(
        (env) => `pnpm exec berth preview --service orders --env ${env} --format markdown`,
      ),
    );
    expect(run.calls.some((c) => c.includes("bad.name"))).toBe(false);
    expect(
      report?.stacks.filter((x) => x.project === "berth-service").map((x) => [x.stack, x.status, x.offline]),
    ).toEqual([
      ["dev.orders", "ok", true],
      ["prod.orders", "ok", true],
      ["staging.orders", "ok", true],
    ]);
  });
});

describe("preview buildspec, credentialed worker, run like CodeBuild", () => {
  it("previews a stack with its own role's short-lived keys only, and the stacks without a role offline", () => {
    const { run, report } = previewWorker({
      PREVIEW_ROLE_ARNS: JSON.stringify({ "berth-platform/dev": DEV_PREVIEW_ROLE }),
    });
    expect(run.status, run.stderr).toBe(0);
    const assume = run.calls.findIndex((c) => c.startsWith("aws sts assume-role"));
    expect(run.calls[assume]).toContain(`--role-arn ${DEV_PREVIEW_ROLE} --role-session-name berth-preview-7`);
    expect(run.calls.filter((c) => c.startsWith("aws sts assume-role"))).toHaveLength(1);
    const dev = previewed(run.calls, "dev")!;
    expect(dev).toContain("pulumi preview --diff --non-interactive --stack organization/berth-platform/dev");
    // the role's keys and nothing of the worker's own role (env -i drops the container credentials path)
    expect(dev).toMatch(/key=ASIA123456789012 uri=$/);
    expect(run.calls.indexOf(dev)).toBeGreaterThan(assume);
    // the other stacks get no key: nothing leaks out of the one stack's process
    expect(previewed(run.calls, "staging")).toBeUndefined();
    expect(previewed(run.calls, "prod")).toBeUndefined();
    expect(offline(run.calls, "staging")).toMatch(
      /-C stacks\/platform -s staging --format markdown key= uri=$/,
    );
    expect(offline(run.calls, "prod")).toMatch(/key= uri=$/);
    expect(report?.mode).toBe("pulumi");
    expect(report?.stacks.map((x) => [x.stack, x.status, x.offline])).toEqual([
      ["dev", "ok", false],
      ["prod", "ok", true],
      ["staging", "ok", true],
    ]);
  });

  it("takes a role keyed by account id for every stack of that account", () => {
    const { run } = previewWorker({
      PREVIEW_ROLE_ARNS: JSON.stringify({ "210987654321": PROD_PREVIEW_ROLE }),
    });
    expect(run.status, run.stderr).toBe(0);
    expect(previewed(run.calls, "prod")).toMatch(
      /--stack organization\/berth-platform\/prod key=ASIA210987654321 uri=$/,
    );
    expect(run.calls.filter((c) => c.startsWith("aws sts assume-role"))).toHaveLength(1);
    expect(previewed(run.calls, "dev")).toBeUndefined();
    expect(offline(run.calls, "dev")).toBeDefined();
  });

  it("fails on a PREVIEW_ROLE_ARNS entry that is not <project>/<stack> or an account id -> a role ARN, before any preview", () => {
    const { run } = previewWorker({
      PREVIEW_ROLE_ARNS: JSON.stringify({ "berth-platform/prod": "arn:aws:s3:::bucket" }),
    });
    expect(run.status).toBe(1);
    expect(run.failedPhase).toBe("build");
    expect(run.stderr).toContain("PREVIEW_ROLE_ARNS: 'berth-platform/prod' -> 'arn:aws:s3:::bucket' is not");
    expect(run.calls.some((c) => c.startsWith("pulumi preview") || c.includes("berth preview"))).toBe(false);
  });

  it("records a failed preview in the report, and the orchestrator then fails the build after rendering it", () => {
    const { run, report } = previewWorker(
      { PREVIEW_ROLE_ARNS: JSON.stringify({ "berth-platform/dev": DEV_PREVIEW_ROLE }) },
      { pulumiFails: true },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(report?.stacks.find((x) => x.stack === "dev")).toMatchObject({ status: "failed", offline: false });
    // The orchestrator's rendering and verdict, on that report (no token: the comment is only logged).
    const work = mkdtempSync(join(tmpdir(), "berth-preview-verdict-"));
    writeFileSync(join(work, "report.json"), JSON.stringify(report));
    const s = spec("preview") as Phases;
    const verdict = (s.phases.build?.commands ?? []).filter(
      (c) => c.includes('== "orchestrate" ]] || exit 0') && !c.includes("start-build"),
    );
    expect(verdict).toHaveLength(3);
    const res = runPhases(
      { ...s, phases: { build: { commands: verdict } } },
      ["build"],
      work,
      join(work, "none"),
      {
        PREVIEW_STAGE: "orchestrate",
        PREVIEW_MODE: "pulumi",
        WORK_DIR: work,
        WORKER_STATUS: "SUCCEEDED",
        PR_COMMIT: "0123456789abcdef0123456789abcdef01234567",
        COMMENT_MARKER: "<!-- berth-preview:pulumi -->",
      },
    );
    expect(res.status).toBe(1);
    expect(res.stdout).toContain("<b>berth-platform/dev</b>: failed</summary>");
    expect(res.stderr).toContain("At least one preview failed");
  });

  it("in offline mode calls no AWS API and installs no Pulumi CLI: every stack through berth preview", () => {
    const { run, report } = previewWorker({ PREVIEW_MODE: "offline" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.calls.filter((c) => /^(aws|pulumi|curl) /.test(c))).toEqual([]);
    expect(run.calls.filter((c) => c.startsWith("pnpm exec berth preview"))).toHaveLength(3);
    expect(report?.stacks.every((x) => x.offline && x.status === "ok")).toBe(true);
  });
});

describe("test buildspec, run", () => {
  function repo(): { dir: string; bin: string } {
    const dir = mkdtempSync(join(tmpdir(), "berth-test-run-"));
    const bin = join(dir, ".bin");
    mkdirSync(bin);
    stub(bin, "pnpm", `echo "pnpm $*" >> "$CALLS"`);
    const git = (...args: string[]) =>
      spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir });
    git("init", "-q");
    for (const n of [1, 2, 3]) {
      writeFileSync(join(dir, `f${n}.txt`), `${n}\n`);
      git("add", `f${n}.txt`);
      git("commit", "-q", "-m", `commit ${n}`);
    }
    return { dir, bin };
  }
  const s = spec("test");
  const build = (s.phases.build?.commands ?? []).join("\n");
  const turbo = (run: Run) => run.calls.filter((c) => c.startsWith("pnpm turbo run"));

  it("checks the whole workspace by default, so every commit of a push is tested", () => {
    const { dir, bin } = repo();
    const run = runShell(build, dir, bin, defaults(s));
    expect(run.status, run.stderr).toBe(0);
    expect(turbo(run)).toEqual(["pnpm turbo run typecheck lint test --output-logs=errors-only"]);
  });

  it("filters on BASE_REF when it is given and known, and checks everything when it is unknown", () => {
    const { dir, bin } = repo();
    const filtered = runShell(build, dir, bin, { ...defaults(s), BASE_REF: "HEAD~2" });
    expect(turbo(filtered)).toEqual([
      "pnpm turbo run typecheck lint test --filter=...[HEAD~2] --output-logs=errors-only",
    ]);
    const unknown = runShell(build, dir, bin, { ...defaults(s), BASE_REF: "origin/nope" });
    expect(turbo(unknown)).toEqual(["pnpm turbo run typecheck lint test --output-logs=errors-only"]);
  });
});

describe("test buildspec, shellcheck install", () => {
  const s = spec("test");
  const install = (s.phases.install?.commands ?? []).find((c) => c.includes("koalaman/shellcheck"))!;

  /** A PATH of only the tools the install uses (so no system shellcheck), with stub uname and curl. */
  function sandbox(arch: string, withShellcheck = false) {
    const dir = mkdtempSync(join(tmpdir(), "berth-sc-"));
    const bin = join(dir, "bin");
    const target = join(dir, "target");
    mkdirSync(bin);
    mkdirSync(target);
    for (const tool of ["mktemp", "sha256sum", "tar", "xz", "install", "rm", "sed", "cat", "cut"]) {
      const found = spawnSync("/bin/bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
      symlinkSync(found, join(bin, tool));
    }
    stub(bin, "uname", `echo "${arch}"`);
    // a release-shaped archive: shellcheck-v0.10.0/shellcheck
    const release = join(dir, "release", "shellcheck-v0.10.0");
    mkdirSync(release, { recursive: true });
    writeFileSync(join(release, "shellcheck"), "#!/bin/bash\necho 'version: 0.10.0'\n");
    chmodSync(join(release, "shellcheck"), 0o755);
    const archive = join(dir, "release.tar.xz");
    spawnSync("tar", ["-cJf", archive, "-C", join(dir, "release"), "shellcheck-v0.10.0"]);
    stub(
      bin,
      "curl",
      `echo "curl $*" >> "$CALLS"
while [[ $# -gt 0 && "$1" != "-o" ]]; do shift; done
/bin/cp "${archive}" "$2"`,
    );
    if (withShellcheck) stub(bin, "shellcheck", "echo 'version: 0.9.0'");
    const sha = spawnSync("sha256sum", [archive], { encoding: "utf8" }).stdout.split(" ")[0]!;
    const env = { SHELLCHECK_INSTALL_DIR: target };
    const path = `${bin}:${target}`;
    return { dir, path, target, sha, env };
  }

  function run(script: string, box: ReturnType<typeof sandbox>): Run {
    return runShell(`set -euo pipefail\n${script}`, box.dir, box.path, box.env, { isolatedPath: true });
  }

  it("downloads the x86_64 or aarch64 release and refuses it when its sha256 is not the pinned one", () => {
    for (const [arch, asset] of [
      ["x86_64", "shellcheck-v0.10.0.linux.x86_64.tar.xz"],
      ["aarch64", "shellcheck-v0.10.0.linux.aarch64.tar.xz"],
    ] as const) {
      const box = sandbox(arch);
      const res = run(install, box);
      expect(res.calls).toEqual([
        expect.stringContaining(`https://github.com/koalaman/shellcheck/releases/download/v0.10.0/${asset}`),
      ]);
      expect(res.status).not.toBe(0);
      expect(res.stderr + res.stdout).toMatch(/FAILED/);
      expect(existsSync(join(box.target, "shellcheck"))).toBe(false);
    }
  });

  it("installs the verified binary on the PATH", () => {
    const box = sandbox("aarch64");
    const pinned = "324a7e89de8fa2aed0d0c28f3dab59cf84c6d74264022c00c22af665ed1a09bb";
    const res = run(install.replace(pinned, box.sha), box);
    expect(res.status, res.stderr).toBe(0);
    expect(existsSync(join(box.target, "shellcheck"))).toBe(true);
    expect(res.stdout).toContain("version: 0.10.0");
  });

  it("skips the download when shellcheck is already there, and fails on an unknown architecture", () => {
    const present = sandbox("x86_64", true);
    const skipped = run(install, present);
    expect(skipped.status, skipped.stderr).toBe(0);
    expect(skipped.calls).toEqual([]);
    expect(skipped.stdout).toContain("0.9.0");
    const other = run(install, sandbox("armv7l"));
    expect(other.status).not.toBe(0);
    expect(other.stderr).toContain("No shellcheck release for the architecture armv7l");
  });
});

describe("deploy buildspec, run", () => {
  const s = spec("deploy");
  const roleSwitch = (s.phases.pre_build?.commands ?? []).find((c) => c.includes("DEPLOY_ROLE_ARN:-"))!;

  it("hands the deploy role to the SDKs as a profile they re-assume (no one-hour keys in the environment)", () => {
    const dir = mkdtempSync(join(tmpdir(), "berth-deploy-"));
    const run = runShell(`set -euo pipefail\n${roleSwitch}\nenv | sort`, dir, join(dir, "none"), {
      ENVIRONMENT: "prod",
      DEPLOY_ROLE_ARN: "arn:aws:iam::210987654321:role/berth-deploy-prod",
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/build",
      AWS_ACCESS_KEY_ID: "ASIASTALE",
    });
    expect(run.status, run.stderr).toBe(0);
    const env = run.stdout.split("\n");
    expect(env).toContain("AWS_PROFILE=berth-deploy");
    expect(env).toContain(`AWS_CONFIG_FILE=${dir}/.aws/berth-deploy-config`);
    expect(env).toContain("AWS_SDK_LOAD_CONFIG=1");
    // the container credentials stay: they are the profile's source
    expect(env).toContain("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/build");
    expect(env.filter((l) => /^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN)=/.test(l))).toEqual([]);
    expect(readFileSync(join(dir, ".aws", "berth-deploy-config"), "utf8")).toBe(
      [
        "[profile berth-deploy]",
        "role_arn = arn:aws:iam::210987654321:role/berth-deploy-prod",
        "credential_source = EcsContainer",
        "role_session_name = berth-deploy-prod",
        "duration_seconds = 3600",
        "",
      ].join("\n"),
    );
    expect((s.phases.pre_build?.commands ?? []).join("\n")).not.toContain("aws sts assume-role");
  });

  it("sends the deploy role's external id from the profile, and refuses one that could add profile lines", () => {
    const dir = mkdtempSync(join(tmpdir(), "berth-deploy-"));
    const env = {
      ENVIRONMENT: "prod",
      DEPLOY_ROLE_ARN: "arn:aws:iam::210987654321:role/berth-deploy-prod",
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/build",
    };
    const run = runShell(`set -euo pipefail\n${roleSwitch}`, dir, join(dir, "none"), {
      ...env,
      DEPLOY_EXTERNAL_ID: "berth-deploy-prod",
    });
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(join(dir, ".aws", "berth-deploy-config"), "utf8")).toBe(
      [
        "[profile berth-deploy]",
        "role_arn = arn:aws:iam::210987654321:role/berth-deploy-prod",
        "credential_source = EcsContainer",
        "role_session_name = berth-deploy-prod",
        "duration_seconds = 3600",
        "external_id = berth-deploy-prod",
        "",
      ].join("\n"),
    );
    const other = mkdtempSync(join(tmpdir(), "berth-deploy-"));
    const bad = runShell(`set -euo pipefail\n${roleSwitch}`, other, join(other, "none"), {
      ...env,
      DEPLOY_EXTERNAL_ID: "x\nrole_arn = arn:aws:iam::999999999999:role/evil",
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("DEPLOY_EXTERNAL_ID is not an external id");
    expect(existsSync(join(other, ".aws"))).toBe(false);
  });

  it("keeps the build's own role when no deploy role is given", () => {
    const dir = mkdtempSync(join(tmpdir(), "berth-deploy-"));
    const run = runShell(`set -euo pipefail\n${roleSwitch}\nenv | sort`, dir, join(dir, "none"), {
      ENVIRONMENT: "dev",
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).not.toContain("AWS_PROFILE=");
    expect(existsSync(join(dir, ".aws"))).toBe(false);
  });
});
