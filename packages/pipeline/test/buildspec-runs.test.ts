// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are shell code from the buildspecs
// Runs the buildspecs' shell (the real text of ci/buildspecs/*.yml and ci/github/pulumi-preview.yml)
// in a scratch folder, with stub `aws`, `pulumi`, `pnpm`, `curl` and `uname` commands that record how
// they were called, and checks what the build does.
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

const ROOT = join(__dirname, "..", "..", "..");
const CI = join(ROOT, "ci", "buildspecs");
const PLATFORM = join(ROOT, "stacks", "platform");
const PROD_PREVIEW_ROLE = "arn:aws:iam::210987654321:role/berth-preview-prod";

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

/** Stubs that log `<command> <args> [key=<AWS_ACCESS_KEY_ID>]` to $CALLS. */
function previewStubs(bin: string): void {
  stub(
    bin,
    "aws",
    `echo "aws $* key=\${AWS_ACCESS_KEY_ID:-}" >> "$CALLS"
case "$*" in
  *get-caller-identity*) echo "\${BUILD_ACCOUNT:-123456789012}" ;;
  *assume-role*)
    while [[ $# -gt 0 && "$1" != "--role-arn" ]]; do shift; done
    account="$(cut -d: -f5 <<< "$2")"
    printf 'ASIA%s\\tsecret\\ttoken\\n' "\${account}" ;;
esac`,
  );
  stub(
    bin,
    "pulumi",
    `echo "pulumi $* key=\${AWS_ACCESS_KEY_ID:-} uri=\${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-}" >> "$CALLS"
echo "+ 3 to create"
exit "\${PULUMI_EXIT:-0}"`,
  );
  stub(bin, "pnpm", `echo "pnpm $*" >> "$CALLS"\necho "### offline preview"`);
  stub(bin, "curl", `echo "curl $*" >> "$CALLS"`);
}

/** A clone with the real stacks/platform project files (dev and staging in 123456789012, prod in 210987654321). */
function platformClone(): { dir: string; bin: string } {
  const dir = mkdtempSync(join(tmpdir(), "berth-run-"));
  const bin = join(dir, ".bin");
  mkdirSync(bin);
  mkdirSync(join(dir, "stacks", "platform"), { recursive: true });
  for (const f of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.staging.yaml", "Pulumi.prod.yaml"])
    copyFileSync(join(PLATFORM, f), join(dir, "stacks", "platform", f));
  return { dir, bin };
}

function runPreviewBuild(env: Record<string, string>): Run {
  const { dir, bin } = platformClone();
  previewStubs(bin);
  writeFileSync(join(dir, "affected-stacks.txt"), "stacks/platform\n");
  const s = spec("preview");
  return runShell((s.phases.build?.commands ?? []).join("\n"), dir, bin, {
    ...defaults(s),
    CODEBUILD_RESOLVED_SOURCE_VERSION: "0123456789abcdef0123456789abcdef01234567",
    CODEBUILD_SOURCE_REPO_URL: "https://github.com/acme/berth.git",
    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: "/v2/credentials/build",
    PR_NUMBER: "7",
    ...env,
  });
}

const previewed = (run: Run, stack: string) =>
  run.calls.find((c) => c.startsWith("pulumi preview") && c.includes(`/berth-platform/${stack} `));
const offline = (run: Run, stack: string) =>
  run.calls.find((c) => c.startsWith("pnpm exec berth preview") && c.includes(`-s ${stack} `));

describe("preview buildspec, run", () => {
  it("previews the build account's stacks with the project role and a stack in another account offline, with a note, without failing", () => {
    const run = runPreviewBuild({});
    expect(run.status, run.stderr).toBe(0);
    expect(previewed(run, "dev")).toContain("--stack organization/berth-platform/dev");
    expect(previewed(run, "staging")).toBeDefined();
    expect(previewed(run, "prod")).toBeUndefined();
    expect(offline(run, "prod")).toContain("-C stacks/platform -s prod --format markdown");
    expect(run.calls.some((c) => c.includes("assume-role"))).toBe(false);
    const comment = readFileSync(join(run.dir, "preview-comment.md"), "utf8");
    expect(comment).toContain("<b>berth-platform/prod</b>: ok (offline)");
    expect(comment).toContain("No read-only role for account 210987654321");
    expect(comment).toContain("`berth-platform/prod` or `210987654321` to PREVIEW_ROLE_ARNS");
    expect(comment).toContain("<b>berth-platform/dev</b>: ok</summary>");
  });

  it("assumes the stack's role (stack=roleArn pairs) for that stack only, then previews it against AWS", () => {
    const run = runPreviewBuild({ PREVIEW_ROLE_ARNS: `berth-platform/prod=${PROD_PREVIEW_ROLE}` });
    expect(run.status, run.stderr).toBe(0);
    const assume = run.calls.findIndex((c) => c.startsWith("aws sts assume-role"));
    expect(run.calls[assume]).toContain(`--role-arn ${PROD_PREVIEW_ROLE}`);
    const prod = previewed(run, "prod")!;
    expect(prod).toContain("--stack organization/berth-platform/prod");
    // the role's keys, without the container credentials (which the SDKs would not prefer anyway)
    expect(prod).toMatch(/key=ASIA210987654321 uri=$/);
    expect(run.calls.indexOf(prod)).toBeGreaterThan(assume);
    // the other stacks keep the project's role: nothing leaks out of the subshell
    expect(previewed(run, "dev")).toMatch(/key= uri=\/v2\/credentials\/build$/);
    expect(previewed(run, "staging")).toMatch(/key= uri=\/v2\/credentials\/build$/);
    expect(offline(run, "prod")).toBeUndefined();
    expect(readFileSync(join(run.dir, "preview-comment.md"), "utf8")).not.toContain("No read-only role");
  });

  it("takes JSON keyed by account id as well", () => {
    const run = runPreviewBuild({ PREVIEW_ROLE_ARNS: JSON.stringify({ "210987654321": PROD_PREVIEW_ROLE }) });
    expect(run.status, run.stderr).toBe(0);
    expect(previewed(run, "prod")).toMatch(/key=ASIA210987654321 /);
    expect(run.calls.filter((c) => c.startsWith("aws sts assume-role"))).toHaveLength(1);
  });

  it("fails on a PREVIEW_ROLE_ARNS entry that is not key=roleArn", () => {
    const run = runPreviewBuild({ PREVIEW_ROLE_ARNS: "berth-platform/prod=arn:aws:s3:::bucket" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("PREVIEW_ROLE_ARNS: 'berth-platform/prod=arn:aws:s3:::bucket' is not");
    expect(run.calls.some((c) => c.startsWith("pulumi preview"))).toBe(false);
  });

  it("still fails the build when a preview fails", () => {
    const run = runPreviewBuild({ PULUMI_EXIT: "1" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("At least one preview failed");
  });

  it("in offline mode calls no AWS API at all", () => {
    const run = runPreviewBuild({ PREVIEW_MODE: "offline" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.calls.filter((c) => c.startsWith("aws ") || c.startsWith("pulumi "))).toEqual([]);
    expect(run.calls.filter((c) => c.startsWith("pnpm exec berth preview"))).toHaveLength(3);
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

describe("GitHub preview workflow, run", () => {
  const wf = parse(readFileSync(join(ROOT, "ci", "github", "pulumi-preview.yml"), "utf8")) as {
    jobs: Record<
      string,
      { steps: { id?: string; run?: string; uses?: string; with?: Record<string, string> }[] }
    >;
  };
  const affected = wf.jobs.affected!.steps.find((st) => st.id === "stacks")!.run!;

  function stacks(env: Record<string, string>) {
    const { dir, bin } = platformClone();
    stub(bin, "pnpm", `echo '{"tasks":[{"directory":"stacks/platform"},{"directory":"packages/core"}]}'`);
    const out = join(dir, "github-output");
    const run = runShell(affected, dir, bin, {
      BASE_REF: "main",
      GITHUB_OUTPUT: out,
      DEFAULT_ROLE_ARN: "arn:aws:iam::123456789012:role/berth-preview",
      ...env,
    });
    expect(run.status, run.stderr).toBe(0);
    const line = readFileSync(out, "utf8").trim();
    return JSON.parse(line.replace(/^stacks=/, "")) as { stack: string; role: string; account: string }[];
  }

  it("gives each stack the role of its account, and none (offline) to an account without one", () => {
    const targets = stacks({});
    const byStack = Object.fromEntries(targets.map((t) => [t.stack, t]));
    expect(byStack.dev?.role).toBe("arn:aws:iam::123456789012:role/berth-preview");
    expect(byStack.staging?.role).toBe("arn:aws:iam::123456789012:role/berth-preview");
    expect(byStack.prod).toMatchObject({ role: "", account: "210987654321" });
    const withProd = stacks({
      PREVIEW_ROLE_ARNS: JSON.stringify({ "berth-platform/prod": PROD_PREVIEW_ROLE }),
    });
    expect(withProd.find((t) => t.stack === "prod")?.role).toBe(PROD_PREVIEW_ROLE);
  });

  it("assumes the stack's role, not one role for all", () => {
    const creds = wf.jobs.preview!.steps.find((st) =>
      st.uses?.startsWith("aws-actions/configure-aws-credentials@"),
    );
    expect(creds?.with?.["role-to-assume"]).toBe("${{ matrix.target.role }}");
  });
});
