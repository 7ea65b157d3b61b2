// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are shell code from the buildspecs
// The buildspecs run the way CodeBuild runs them (test/codebuild.ts: each command its own script,
// variables carried, shell options not), with stub commands that record their calls.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type Phases, runPhases } from "./codebuild.js";

const CI = join(__dirname, "..", "..", "..", "ci", "buildspecs");
const COMMIT = "0123456789abcdef0123456789abcdef01234567";
const DIGEST = `sha256:${"ab".repeat(32)}`;
const REPO_URI = "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello";

function spec(name: string): Phases {
  return parse(readFileSync(join(CI, `${name}.yml`), "utf8")) as Phases;
}

function stub(bin: string, name: string, body: string): void {
  const file = join(bin, name);
  writeFileSync(file, `#!/bin/bash\n${body}\n`);
  chmodSync(file, 0o755);
}

function scratch(prefix: string): { dir: string; bin: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const bin = join(dir, ".bin");
  mkdirSync(bin);
  return { dir, bin };
}

describe("CodeBuild runs each command as its own script", () => {
  it("keeps variables but not shell options from one command to the next (the model the tests use)", () => {
    const { dir, bin } = scratch("berth-cb-");
    const run = runPhases(
      {
        phases: {
          build: {
            commands: ["set -euo pipefail", "X=kept", 'echo "X=${X} opts=$-"', "false | true", "echo after"],
          },
        },
      },
      ["build"],
      dir,
      bin,
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("X=kept");
    // `set -e` of the first command is gone: `false | true` passes and the build goes on.
    expect(run.stdout).not.toMatch(/opts=[^\n]*e/);
    expect(run.stdout).toContain("after");
  });
});

describe("preview buildspec, run like CodeBuild", () => {
  /** A clone whose origin/main exists, and a pnpm whose `turbo --dry-run` fails. */
  function clone(): { dir: string; bin: string } {
    const { dir, bin } = scratch("berth-preview-cb-");
    const git = (...args: string[]) =>
      spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: dir });
    git("init", "-q");
    writeFileSync(join(dir, "f.txt"), "1\n");
    git("add", "f.txt");
    git("commit", "-q", "-m", "one");
    git("update-ref", "refs/remotes/origin/main", "HEAD");
    stub(
      bin,
      "pnpm",
      `echo "pnpm $*" >> "$CALLS"
if [[ "$*" == *--dry-run* ]]; then echo "turbo: could not resolve the workspace" >&2; exit 1; fi`,
    );
    return { dir, bin };
  }
  const env = { CODEBUILD_WEBHOOK_BASE_REF: "refs/heads/main", CODEBUILD_WEBHOOK_TRIGGER: "pr/7" };

  it("fails the build when `turbo --dry-run` fails, instead of finding no affected stack", () => {
    const { dir, bin } = clone();
    const run = runPhases(spec("preview"), ["pre_build"], dir, bin, env);
    expect(run.status).toBe(1);
    expect(run.failedPhase).toBe("pre_build");
    const failed = run.commands.at(-1)!;
    expect(failed.command).toContain("--dry-run=json");
    expect(run.stderr).toContain("turbo: could not resolve the workspace");
    // Nothing after it ran: no build, no preview.
    expect(run.calls.filter((c) => c.startsWith("pnpm turbo run build"))).toEqual([]);
  });

  it("without `set -euo pipefail` inside the block, the same failure goes unnoticed (the bug it fixes)", () => {
    const { dir, bin } = clone();
    const s = spec("preview");
    const pre = s.phases.pre_build!.commands!;
    // The old layout: the options as a command of their own, the block without them.
    const old = ["set -euo pipefail", ...pre.map((c) => c.replace(/^set -euo pipefail\n/, ""))];
    const run = runPhases({ ...s, phases: { pre_build: { commands: old } } }, ["pre_build"], dir, bin, {
      ...env,
      PREVIEW_MODE: "offline",
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.calls).toContain("pnpm turbo run build --output-logs=errors-only");
    expect(readFileSync(join(dir, "affected-stacks.txt"), "utf8")).toBe("");
  });
});

describe("build-image buildspec, run like CodeBuild", () => {
  function stubs(bin: string, opts: { loginFails?: boolean } = {}): void {
    stub(
      bin,
      "aws",
      `echo "aws $*" >> "$CALLS"
case "$*" in
  *get-login-password*) ${opts.loginFails ? 'echo "Unable to locate credentials" >&2; exit 255' : "echo token"} ;;
  *describe-images*) echo "An error occurred (ImageNotFoundException)" >&2; exit 254 ;;
esac`,
    );
    stub(
      bin,
      "docker",
      `echo "docker $*" >> "$CALLS"
if [[ "$1" == "login" ]]; then
  password="$(cat)"
  [[ -n "\${password}" ]] || { echo "docker login: password is empty" >&2; exit 1; }
  echo "docker login with \${password}" >> "$CALLS"
fi
if [[ "$1 $2" == "buildx build" ]]; then
  while [[ $# -gt 0 && "$1" != "--metadata-file" ]]; do shift; done
  printf '{"containerimage.digest":"${DIGEST}"}' > "$2"
fi`,
    );
  }
  const env = {
    IMAGE_REPO_URI: REPO_URI,
    CODEBUILD_RESOLVED_SOURCE_VERSION: COMMIT,
    AWS_REGION: "us-east-1",
  };

  it("pushes the image tagged git-<commit> (what the lifecycle keeps N of) and records its digest", () => {
    const { dir, bin } = scratch("berth-image-cb-");
    stubs(bin);
    const run = runPhases(spec("build-image"), ["pre_build", "build"], dir, bin, env);
    expect(run.status, run.stderr).toBe(0);
    const build = run.calls.find((c) => c.startsWith("docker buildx build"))!;
    expect(build).toContain(`--tag ${REPO_URI}:git-${COMMIT} `);
    const image = JSON.parse(readFileSync(join(dir, "image.json"), "utf8"));
    expect(image).toEqual({
      imageUri: `${REPO_URI}@${DIGEST}`,
      digest: DIGEST,
      tag: `git-${COMMIT}`,
      commit: COMMIT,
      repository: REPO_URI,
    });
  });

  it("pulls BuildKit, the Dockerfile frontend and the base images through the pull-through cache when given one", () => {
    const { dir, bin } = scratch("berth-image-cb-");
    stubs(bin);
    const cache = "123456789012.dkr.ecr.us-east-1.amazonaws.com/docker-hub";
    const run = runPhases(spec("build-image"), ["pre_build", "build"], dir, bin, {
      ...env,
      BASE_IMAGE_REGISTRY: cache,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.calls.find((c) => c.startsWith("docker buildx create"))).toContain(
      `--driver-opt image=${cache}/moby/buildkit:buildx-stable-1 `,
    );
    const build = run.calls.find((c) => c.startsWith("docker buildx build"))!;
    expect(build).toContain(`--build-arg BASE_REGISTRY=${cache} `);
    expect(build).toContain(`--build-arg BUILDKIT_SYNTAX=${cache}/docker/dockerfile:1 `);
    expect(run.stderr).not.toContain("pulled anonymously");
  });

  it("without a cache, says base images come from Docker Hub and passes no cache build arguments", () => {
    const { dir, bin } = scratch("berth-image-cb-");
    stubs(bin);
    const run = runPhases(spec("build-image"), ["pre_build", "build"], dir, bin, env);
    expect(run.stderr).toContain("base images are pulled anonymously from Docker Hub");
    expect(run.calls.find((c) => c.startsWith("docker buildx build"))).not.toContain("BUILDKIT_SYNTAX");
  });

  it("fails when the ECR login fails, though `docker login` at the end of the pipe succeeds", () => {
    const { dir, bin } = scratch("berth-image-cb-");
    stubs(bin, { loginFails: true });
    // A docker that accepts an empty password, like a pipe that hides the failing `aws`.
    stub(bin, "docker", `echo "docker $*" >> "$CALLS"; cat > /dev/null`);
    const run = runPhases(spec("build-image"), ["pre_build", "build"], dir, bin, env);
    expect(run.status).toBe(1);
    expect(run.failedPhase).toBe("pre_build");
    expect(run.commands.at(-1)!.command).toContain("get-login-password");
    expect(run.calls.some((c) => c.startsWith("docker buildx build"))).toBe(false);
  });
});

describe("deploy buildspec, run like CodeBuild", () => {
  const IMAGE_URI = `${REPO_URI}@${DIGEST}`;
  const MEDIA = "application/vnd.docker.distribution.manifest.v2+json";

  function stubs(bin: string, putImage = 'echo "{}"'): void {
    stub(
      bin,
      "aws",
      `echo "aws $* profile=\${AWS_PROFILE:-}" >> "$CALLS"
case "$*" in
  *batch-get-image*) printf '["${MEDIA}", "{\\\\"schemaVersion\\\\": 2}"]\\n' ;;
  *put-image*) ${putImage} ;;
  *get-caller-identity*) echo "arn:aws:sts::210987654321:assumed-role/berth-deploy-prod/x" ;;
esac`,
    );
    stub(bin, "pulumi", `echo "pulumi $*" >> "$CALLS"`);
  }
  const env = {
    ENVIRONMENT: "prod",
    STACK: "prod",
    RELEASE_PARAMETER: "/berth/prod/hello/image",
    STATE_BUCKET: "acme-berth-state",
    IMAGE_URI,
    AWS_REGION: "us-east-1",
    DEPLOY_ROLE_ARN: "arn:aws:iam::210987654321:role/berth-deploy-prod",
  };

  it("tags the released image release-<environment> with the build's own role, before the release pointer moves", () => {
    const { dir, bin } = scratch("berth-deploy-cb-");
    stubs(bin);
    const run = runPhases(spec("deploy"), ["pre_build", "build"], dir, bin, env);
    expect(run.status, run.stderr).toBe(0);
    const put = run.calls.findIndex((c) => c.startsWith("aws ecr put-image"));
    expect(run.calls[put]).toContain(
      `--registry-id 123456789012 --repository-name hello --image-tag release-prod --image-digest ${DIGEST} --image-manifest {"schemaVersion": 2} --image-manifest-media-type ${MEDIA} `,
    );
    // The registry's account, not the environment's deploy role.
    expect(run.calls[put]).toMatch(/profile=$/);
    const pointer = run.calls.findIndex((c) => c.startsWith("aws ssm put-parameter"));
    expect(pointer).toBeGreaterThan(put);
    expect(run.calls[pointer]).toContain("profile=berth-deploy");
    expect(run.stdout).toContain(`Tagged ${IMAGE_URI} release-prod`);
  });

  it("accepts an image that already carries the tag, and fails on any other tagging error", () => {
    const already = scratch("berth-deploy-cb-");
    stubs(
      already.bin,
      'echo "An error occurred (ImageAlreadyExistsException) when calling the PutImage operation" >&2; exit 254',
    );
    const ok = runPhases(spec("deploy"), ["pre_build"], already.dir, already.bin, env);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain("is already tagged release-prod");

    const denied = scratch("berth-deploy-cb-");
    stubs(denied.bin, 'echo "An error occurred (AccessDeniedException)" >&2; exit 254');
    const bad = runPhases(spec("deploy"), ["pre_build", "build"], denied.dir, denied.bin, env);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("AccessDeniedException");
    expect(bad.calls.some((c) => c.startsWith("aws ssm put-parameter"))).toBe(false);
  });

  it("tags nothing when RELEASE_TAG_PREFIX is empty", () => {
    const { dir, bin } = scratch("berth-deploy-cb-");
    stubs(bin);
    const run = runPhases(spec("deploy"), ["pre_build"], dir, bin, { ...env, RELEASE_TAG_PREFIX: "" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.calls.some((c) => c.includes("ecr "))).toBe(false);
  });
});
