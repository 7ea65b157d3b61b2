// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are shell code from the buildspecs
// The buildspecs run the way CodeBuild runs them (test/codebuild.ts: each command its own script,
// variables carried, shell options not), with stub commands that record their calls.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

describe("preview buildspec, run stage like CodeBuild", () => {
  /**
   * The worker's checkout of a pull request (PR_DIR, with refs/berth/base as the bundle gives it) and
   * a pnpm whose `turbo --dry-run` fails. The stub's log path is baked in: the buildspec runs pnpm
   * under `env -i`.
   */
  function checkout(): { dir: string; bin: string; env: Record<string, string> } {
    const { dir, bin } = scratch("berth-preview-cb-");
    const pr = join(dir, "pr");
    const work = join(dir, "work");
    mkdirSync(pr);
    mkdirSync(work);
    const git = (...args: string[]) =>
      spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], { cwd: pr });
    git("init", "-q");
    writeFileSync(join(pr, "f.txt"), "1\n");
    git("add", "f.txt");
    git("commit", "-q", "-m", "one");
    git("update-ref", "refs/berth/base", "HEAD");
    stub(
      bin,
      "pnpm",
      `echo "pnpm $*" >> "${join(dir, "calls.log")}"
if [[ "$*" == *--dry-run* ]]; then echo "turbo: could not resolve the workspace" >&2; exit 1; fi`,
    );
    // What the install phase leaves for pre_build (variables carry from one command to the next).
    return { dir, bin, env: { PREVIEW_STAGE: "run", PREVIEW_MODE: "offline", PR_DIR: pr, WORK_DIR: work } };
  }

  it("fails the build in pre_build when `turbo --dry-run` fails, instead of finding no affected stack", () => {
    const { dir, bin, env } = checkout();
    const run = runPhases(spec("preview"), ["pre_build"], dir, bin, env);
    expect(run.status).toBe(1);
    expect(run.failedPhase).toBe("pre_build");
    const failed = run.commands.at(-1)!;
    expect(failed.command).toContain("--dry-run=json");
    expect(run.calls).toEqual([
      "pnpm --silent turbo run typecheck --filter=...[refs/berth/base] --dry-run=json",
    ]);
    expect(run.stderr).toContain("turbo: could not resolve the workspace");
    // Nothing after it ran: no build, no preview.
    expect(run.calls.filter((c) => c.includes("turbo run build"))).toEqual([]);
  });

  it("a change to a service's folder (apps/<name>/) previews the stacks that read the catalogue", () => {
    const { dir, bin, env } = checkout();
    stub(
      bin,
      "pnpm",
      `echo "pnpm $*" >> "${join(dir, "calls.log")}"
if [[ "$*" == *--dry-run* ]]; then echo '{"tasks":[{"directory":"apps/orders","package":"@berth-apps/orders"}]}'; fi`,
    );
    const run = runPhases(spec("preview"), ["pre_build"], dir, bin, env);
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(join(env.WORK_DIR!, "affected.txt"), "utf8")).toBe(
      "stacks/platform\nstacks/service\nstacks/shared\n",
    );
    expect(run.calls).toContain(
      "pnpm turbo run build --output-logs=errors-only --filter=@berth/cli... --filter=@berth-stacks/platform... --filter=@berth-stacks/service... --filter=@berth-stacks/shared...",
    );
  });

  it("without `set -euo pipefail` inside the block, the same failure goes unnoticed (the bug it fixes)", () => {
    const { dir, bin, env } = checkout();
    const s = spec("preview");
    const pre = s.phases.pre_build!.commands!;
    // The old layout: the options as a command of their own, the blocks without them.
    const old = ["set -euo pipefail", ...pre.map((c) => c.replace(/^set -euo pipefail\n/, ""))];
    const run = runPhases({ ...s, phases: { pre_build: { commands: old } } }, ["pre_build"], dir, bin, env);
    expect(run.status, run.stderr).toBe(0);
    // A green build that builds everything and then finds no affected stack.
    expect(run.calls).toContain("pnpm turbo run build --output-logs=errors-only");
    expect(readFileSync(join(env.WORK_DIR!, "affected.txt"), "utf8")).toBe("");
  });
});

describe("build-image buildspec, run like CodeBuild", () => {
  const SERVICES = JSON.stringify({
    hello: { repository: `${REPO_URI}`, dockerfile: "apps/hello/Dockerfile", context: "." },
    orders: {
      repository: "123456789012.dkr.ecr.us-east-1.amazonaws.com/orders",
      dockerfile: "apps/orders/Dockerfile",
      context: ".",
      args: { NODE_ENV: "production" },
    },
  });

  /** A clone with apps/hello, apps/orders and packages/core; both services released at the first commit. */
  function clone(): { dir: string; bin: string; first: string; commit: (file: string) => string } {
    const { dir, bin } = scratch("berth-image-cb-");
    const git = (...args: string[]) =>
      spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
        cwd: dir,
        encoding: "utf8",
      });
    git("init", "-q");
    const commit = (file: string) => {
      mkdirSync(join(dir, file, ".."), { recursive: true });
      writeFileSync(join(dir, file), `${Math.random()}\n`);
      git("add", file);
      git("commit", "-q", "-m", file);
      return git("rev-parse", "HEAD").stdout.trim();
    };
    commit("apps/hello/src.ts");
    commit("apps/orders/src.ts");
    const first = commit("packages/core/index.ts");
    mkdirSync(join(dir, ".markers"));
    for (const svc of ["hello", "orders"]) writeFileSync(join(dir, ".markers", svc), first);
    stub(
      bin,
      "aws",
      `echo "aws $*" >> "$CALLS"
case "$*" in
  *ssm\\ get-parameter*) all="$*"; name="\${all#*--name }"; name="\${name%% *}"; cat "$PWD/.markers/\${name##*/}" 2>/dev/null || { echo "ParameterNotFound" >&2; exit 254; } ;;
  *get-login-password*) echo token ;;
  *describe-images*) echo "An error occurred (ImageNotFoundException)" >&2; exit 254 ;;
esac`,
    );
    stub(
      bin,
      "docker",
      `echo "docker $*" >> "$CALLS"
if [[ "$1" == "login" ]]; then cat > /dev/null; fi
if [[ "$1 $2" == "buildx build" ]]; then
  while [[ $# -gt 0 && "$1" != "--metadata-file" ]]; do shift; done
  printf '{"containerimage.digest":"${DIGEST}"}' > "$2"
fi`,
    );
    return { dir, bin, first, commit };
  }
  const env = (commit: string) => ({
    SERVICES,
    MARKER_PREFIX: "/berth/_delivery/berth",
    CODEBUILD_RESOLVED_SOURCE_VERSION: commit,
    AWS_REGION: "us-east-1",
  });
  const builds = (calls: string[]) =>
    calls.filter((c) => c.startsWith("docker buildx build")).map((c) => /--tag \S+\/(\w+):/.exec(c)?.[1]);

  it("builds only the service whose folder changed since its released commit, and records its digest", () => {
    const { dir, bin, commit } = clone();
    const head = commit("apps/hello/src.ts");
    const run = runPhases(spec("build-image"), ["pre_build", "build"], dir, bin, env(head));
    expect(run.status, run.stderr).toBe(0);
    expect(builds(run.calls)).toEqual(["hello"]);
    expect(run.stdout).toContain("orders: unchanged since");
    const release = JSON.parse(readFileSync(join(dir, "release.json"), "utf8"));
    expect(release).toEqual({
      commit: head,
      platform: "linux/arm64",
      services: {
        hello: {
          imageUri: `${REPO_URI}@${DIGEST}`,
          digest: DIGEST,
          tag: `git-${head}`,
          repository: REPO_URI,
        },
      },
    });
  });

  it("builds every service when a shared package changed, with each one's build arguments", () => {
    const { dir, bin, commit } = clone();
    const head = commit("packages/core/index.ts");
    const run = runPhases(spec("build-image"), ["pre_build", "build"], dir, bin, env(head));
    expect(run.status, run.stderr).toBe(0);
    expect(builds(run.calls)).toEqual(["hello", "orders"]);
    expect(run.calls.find((c) => c.includes("/orders:"))).toContain("--build-arg NODE_ENV=production ");
    expect(Object.keys(JSON.parse(readFileSync(join(dir, "release.json"), "utf8")).services)).toEqual([
      "hello",
      "orders",
    ]);
  });

  it("builds nothing, and logs in nowhere, when no service is affected; a service never released is", () => {
    const { dir, bin, commit } = clone();
    const head = commit("docs/readme.md");
    const run = runPhases(spec("build-image"), ["pre_build", "build"], dir, bin, env(head));
    expect(run.status, run.stderr).toBe(0);
    expect(run.calls.filter((c) => c.startsWith("docker"))).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, "release.json"), "utf8")).services).toEqual({});
    rmSync(join(dir, ".markers", "orders"));
    const again = runPhases(spec("build-image"), ["pre_build", "build"], dir, bin, env(head));
    expect(builds(again.calls)).toEqual(["orders"]);
  });

  it("refuses a service name that is not one, before building anything", () => {
    const { dir, bin, commit } = clone();
    const head = commit("apps/hello/src.ts");
    const run = runPhases(spec("build-image"), ["pre_build", "build"], dir, bin, {
      ...env(head),
      SERVICES: JSON.stringify({ "x;rm -rf": { repository: REPO_URI } }),
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("is not a service name");
    expect(run.calls.some((c) => c.startsWith("docker"))).toBe(false);
  });
});

describe("deploy buildspec, run like CodeBuild", () => {
  const MEDIA = "application/vnd.docker.distribution.manifest.v2+json";
  const uri = (svc: string) => `123456789012.dkr.ecr.us-east-1.amazonaws.com/${svc}@${DIGEST}`;
  const TD = (svc: string, rev: number) =>
    `arn:aws:ecs:us-east-1:210987654321:task-definition/platform-${svc}:${rev}`;

  /**
   * A deploy of `services` with stub aws and pulumi: each stack's outputs come from
   * .outputs/<stack>.json, `pulumi up` fails for the stacks in FAIL_UP, the release task exits with
   * RELEASE_EXIT.
   */
  function setup(services: string[], outputs: Record<string, unknown>) {
    const { dir, bin } = scratch("berth-deploy-cb-");
    const art = join(dir, ".release");
    mkdirSync(art);
    writeFileSync(
      join(art, "release.json"),
      JSON.stringify({
        commit: COMMIT,
        platform: "linux/arm64",
        services: Object.fromEntries(services.map((s) => [s, { imageUri: uri(s), digest: DIGEST }])),
      }),
    );
    mkdirSync(join(dir, ".outputs"));
    for (const [stack, out] of Object.entries(outputs)) {
      writeFileSync(join(dir, ".outputs", `${stack}.json`), JSON.stringify(out));
    }
    stub(
      bin,
      "aws",
      `echo "aws $* profile=\${AWS_PROFILE:-}" >> "$CALLS"
case "$*" in
  *batch-get-image*) printf '["${MEDIA}", "{\\\\"schemaVersion\\\\": 2}"]\\n' ;;
  *get-caller-identity*) echo "arn:aws:sts::210987654321:assumed-role/berth-deploy-prod/x" ;;
  *run-task*) echo '{"tasks":[{"taskArn":"arn:aws:ecs:us-east-1:210987654321:task/platform/abc"}],"failures":[]}' ;;
  *describe-tasks*) echo "\${RELEASE_EXIT:-0}" ;;
  *describe-services*) all="$*"; svc="\${all#*--services }"; svc="\${svc%% *}"; printf '{"status":"PRIMARY","rolloutState":"COMPLETED","taskDefinition":"arn:aws:ecs:us-east-1:210987654321:task-definition/platform-%s:7"}' "\${svc}" ;;
  *describe-task-definition*) all="$*"; td="\${all#*task-definition/platform-}"; td="\${td%%:*}"; echo "123456789012.dkr.ecr.us-east-1.amazonaws.com/\${td}@${DIGEST}" ;;
esac`,
    );
    stub(
      bin,
      "pulumi",
      `echo "pulumi $*" >> "$CALLS"
stack=""; args=("$@")
for ((i = 0; i < \${#args[@]}; i++)); do
  if [[ "\${args[i]}" == "--stack" ]]; then stack="\${args[i+1]##*/}"; fi
  if [[ "\${args[0]} \${args[1]}" == "stack select" && $i == 2 ]]; then stack="\${args[i]##*/}"; fi
done
case "$1 $2" in
  "stack output") cat "$PWD/.outputs/\${stack}.json" 2>/dev/null || echo '{}' ;;
  "stack export") td="$(jq -r '.releaseTask.taskDefinitionArn // empty' "$PWD/.outputs/\${stack}.json")"
    printf '{"deployment":{"resources":[{"urn":"urn:pulumi:%s::berth-service::aws:ecs/taskDefinition:TaskDefinition::x-release-taskdef","type":"aws:ecs/taskDefinition:TaskDefinition","outputs":{"arn":"%s"}}]}}' "\${stack}" "\${td}" ;;
  "up --yes") if [[ " \${FAIL_UP:-} " == *" \${stack} "* ]]; then echo "error: update of \${stack} failed" >&2; exit 255; fi ;;
esac`,
    );
    return { dir, bin };
  }
  const env = {
    ENVIRONMENT: "prod",
    STATE_BUCKET: "acme-berth-state",
    SECRETS_PROVIDER: "awskms://alias/berth-state?region=us-east-1",
    RELEASE_ARTIFACTS: "ReleaseArm64",
    AWS_REGION: "us-east-1",
    DEPLOY_ROLE_ARN: "arn:aws:iam::210987654321:role/berth-deploy-prod",
  };
  const serviceOutputs = (svc: string) => ({
    serviceName: svc,
    clusterName: "platform",
    taskDefinitionArn: TD(svc, 7),
  });
  const phases = ["pre_build", "build", "post_build"];
  const run = (d: { dir: string; bin: string }, extra: Record<string, string> = {}) =>
    runPhases(spec("deploy"), phases, d.dir, d.bin, {
      ...env,
      CODEBUILD_SRC_DIR_ReleaseArm64: join(d.dir, ".release"),
      ...extra,
    });

  it("deploys each service as its own stack: tag, pointer, stack select --create, up, then checks its own outputs", () => {
    const d = setup(["hello", "orders"], {
      "prod.hello": serviceOutputs("hello"),
      "prod.orders": serviceOutputs("orders"),
    });
    const r = run(d, { MARKER_PREFIX: "/berth/_delivery/berth" });
    expect(r.status, r.stderr).toBe(0);
    const hello = r.calls.filter((c) => c.includes("hello"));
    const idx = (re: RegExp) => hello.findIndex((c) => re.test(c));
    expect(idx(/^aws ecr put-image .*--image-tag release-prod .*profile=$/)).toBeGreaterThan(-1);
    expect(
      idx(/^aws ssm put-parameter --name \/berth\/prod\/hello\/image .*profile=berth-deploy$/),
    ).toBeGreaterThan(idx(/^aws ecr put-image/));
    expect(hello).toContain(
      "pulumi stack select organization/berth-service/prod.hello --cwd stacks/service --create --secrets-provider awskms://alias/berth-state?region=us-east-1",
    );
    expect(idx(/^pulumi up --yes .*--stack organization\/berth-service\/prod\.hello/)).toBeGreaterThan(
      idx(/^aws ssm put-parameter/),
    );
    // The rollout check asks about the service the stack deployed, from its outputs.
    expect(r.calls).toContain(
      "aws ecs describe-services --cluster platform --services hello --query services[0].deployments[?status=='PRIMARY'] | [0] --output json profile=berth-deploy",
    );
    expect(r.calls.some((c) => c.includes("--services orders"))).toBe(true);
    // The last environment records each released service's commit, with the build's own role.
    expect(r.calls).toContain(
      `aws ssm put-parameter --name /berth/_delivery/berth/hello --type String --value ${COMMIT} --overwrite profile=`,
    );
  });

  it("lets the other services deploy when one fails, then fails the stage naming it (and records no marker for it)", () => {
    const d = setup(["hello", "mailer", "orders"], {
      "prod.hello": serviceOutputs("hello"),
      "prod.mailer": serviceOutputs("mailer"),
      "prod.orders": serviceOutputs("orders"),
    });
    const r = run(d, { FAIL_UP: "prod.mailer", MARKER_PREFIX: "/berth/_delivery/berth" });
    expect(r.status).toBe(1);
    expect(r.failedPhase).toBe("post_build");
    expect(r.stderr).toContain("Failed in prod: mailer");
    expect(r.calls.some((c) => /^pulumi up --yes .*prod\.orders/.test(c))).toBe(true);
    expect(r.stdout).toContain("=== orders: deployed to prod");
    expect(r.calls.some((c) => c.includes("_delivery/berth/mailer"))).toBe(false);
    expect(r.calls.some((c) => c.includes("_delivery/berth/orders"))).toBe(true);
  });

  it("fails the stage when ECS runs another task definition than the stack deployed (a rollback)", () => {
    const d = setup(["hello"], {
      "prod.hello": { ...serviceOutputs("hello"), taskDefinitionArn: TD("hello", 8) },
    });
    const r = run(d);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`hello: hello runs ${TD("hello", 7)}, not the stack's ${TD("hello", 8)}`);
  });

  it("runs the release task with the new task definition revision before rolling; exit 1 stops that service only", () => {
    const releaseTask = {
      taskDefinitionArn: "arn:aws:ecs:us-east-1:210987654321:task-definition/platform-orders-release:3",
      cluster: "arn:aws:ecs:us-east-1:210987654321:cluster/platform",
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ["subnet-1"], securityGroups: ["sg-1"], assignPublicIp: "DISABLED" },
      },
      capacityProviderStrategy: [{ capacityProvider: "FARGATE", weight: 1 }],
      containerName: "app",
      timeoutMinutes: 5,
    };
    const outputs = {
      "prod.orders": { ...serviceOutputs("orders"), releaseTask },
      "prod.hello": serviceOutputs("hello"),
    };
    const ok = run(setup(["orders"], outputs));
    expect(ok.status, ok.stderr).toBe(0);
    const orders = ok.calls.filter((c) => /^(pulumi up|aws ecs run-task)/.test(c));
    expect(orders[0]).toMatch(
      /^pulumi up --yes --non-interactive --target urn:pulumi:prod\.orders::\S+x-release-taskdef /,
    );
    expect(orders[1]).toContain(
      `aws ecs run-task --cluster ${releaseTask.cluster} --task-definition ${releaseTask.taskDefinitionArn} --network-configuration {"awsvpcConfiguration":{"subnets":["subnet-1"],"securityGroups":["sg-1"],"assignPublicIp":"DISABLED"}} --capacity-provider-strategy [{"capacityProvider":"FARGATE","weight":1}]`,
    );
    expect(orders[2]).toMatch(
      /^pulumi up --yes --non-interactive --diff --stack organization\/berth-service\/prod\.orders/,
    );

    const failed = run(setup(["hello", "orders"], outputs), { RELEASE_EXIT: "1" });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain(
      "orders: the release task's container app exited with '1'; not rolling the service",
    );
    expect(failed.stderr).toContain("Failed in prod: orders");
    expect(
      failed.calls.filter((c) => /^pulumi up --yes --non-interactive --diff .*prod\.orders/.test(c)),
    ).toEqual([]);
    expect(failed.calls.some((c) => /^pulumi up --yes .*prod\.hello/.test(c))).toBe(true);
  });

  it("checks a job's schedule instead of an ECS service", () => {
    const d = setup(["nightly"], {
      "prod.nightly": {
        taskDefinitionArn: TD("nightly", 7),
        scheduleArn: "arn:aws:scheduler:us-east-1:210987654321:schedule/nightly-group/nightly",
      },
    });
    stub(
      d.bin,
      "aws",
      `echo "aws $* profile=\${AWS_PROFILE:-}" >> "$CALLS"
case "$*" in
  *batch-get-image*) printf '["${MEDIA}", "{}"]\\n' ;;
  *get-schedule*) echo "${TD("nightly", 6)}" ;;
esac`,
    );
    const r = run(d);
    expect(r.status).toBe(1);
    expect(r.calls).toContain(
      "aws scheduler get-schedule --group-name nightly-group --name nightly --query Target.EcsParameters.TaskDefinitionArn --output text profile=berth-deploy",
    );
    expect(r.stderr).toContain(
      `nightly: the schedule runs ${TD("nightly", 6)}, not the stack's ${TD("nightly", 7)}`,
    );
  });
});
