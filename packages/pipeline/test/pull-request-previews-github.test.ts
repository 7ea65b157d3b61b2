// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are shell code
// The GitHub Actions template (ci/github/pulumi-preview.yml + pulumi-preview-comment.yml): its
// permissions and pins as written, and its steps run with bash against stub `pnpm`, `corepack` and
// `gh`, with a pull request whose program and output are hostile.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const GITHUB = join(__dirname, "..", "..", "..", "ci", "github");
const HEAD = "0123456789abcdef0123456789abcdef01234567";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: unknown;
  env?: Record<string, string>;
  jobs: Record<string, { permissions?: unknown; steps: Step[]; if?: string }>;
}

const files = {
  preview: join(GITHUB, "pulumi-preview.yml"),
  comment: join(GITHUB, "pulumi-preview-comment.yml"),
};
const read = (f: string) => readFileSync(f, "utf8");
const wf = (f: string) => parse(read(f)) as Workflow;

function write(file: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, mode);
}

function bash(script: string, cwd: string, env: Record<string, string>) {
  return spawnSync("/bin/bash", ["-c", script], { cwd, encoding: "utf8", env });
}

describe("GitHub Actions template, as written", () => {
  it("grants nothing at the top and the least per job; no id-token, no pull_request_target", () => {
    const preview = wf(files.preview);
    const comment = wf(files.comment);
    expect(Object.keys(preview.on)).toEqual(["pull_request"]);
    expect(Object.keys(comment.on)).toEqual(["workflow_run"]);
    expect(preview.permissions).toEqual({});
    expect(comment.permissions).toEqual({});
    expect(Object.values(preview.jobs).map((j) => j.permissions)).toEqual([{ contents: "read" }]);
    expect(Object.values(comment.jobs).map((j) => j.permissions)).toEqual([
      { actions: "read", "pull-requests": "write" },
    ]);
    for (const f of Object.values(files)) {
      const yaml = read(f)
        .split("\n")
        .filter((l) => !/^\s*#/.test(l))
        .join("\n");
      expect(yaml).not.toMatch(/id-token|pull_request_target/);
    }
  });

  it("gives the job that runs pull-request code no secret and no persisted token", () => {
    const text = read(files.preview);
    expect(text).not.toMatch(/secrets\.|github\.token|GITHUB_TOKEN|GH_TOKEN/);
    const checkout = wf(files.preview).jobs.preview!.steps.find((s) =>
      s.uses?.startsWith("actions/checkout@"),
    )!;
    expect(checkout.with?.["persist-credentials"]).toBe(false);
  });

  it("pins every action by a full commit SHA with its version in a comment", () => {
    const uses = [...read(files.preview).matchAll(/uses:\s*(\S+)(.*)$/gm)];
    expect(uses.map((m) => m[1]!.split("@")[0])).toEqual([
      "actions/checkout",
      "actions/setup-node",
      "actions/upload-artifact",
    ]);
    for (const m of uses) {
      expect(m[1], m[0]).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
      expect(m[2], m[0]).toMatch(/^ # v\d+\.\d+\.\d+$/);
    }
    // The comment workflow checks out nothing and uses no action at all.
    expect(read(files.comment)).not.toMatch(/uses:/);
  });
});

/** Stubs that record calls and environments; the paths are baked in (`env -i` keeps no $VAR). */
function scratch() {
  const root = mkdtempSync(join(tmpdir(), "berth-gh-"));
  const bin = join(root, "bin");
  const log = join(root, "calls.log");
  mkdirSync(bin);
  mkdirSync(join(root, "envs"));
  writeFileSync(log, "");
  const record = `a="$*"; printf '%s\\n' "$(basename "$0") \${a//$'\\n'/ }" >> "${log}"; env > "${root}/envs/$(basename "$0")-$(date +%s%N).env"`;
  write(
    join(bin, "pnpm"),
    `#!/bin/bash
${record}
case "$*" in
  *"turbo run typecheck"*) echo '{"tasks":[{"directory":"stacks/platform","package":"@berth-stacks/platform"},{"directory":"stacks/pwn","package":"$(touch pwned)"}]}' ;;
  *"exec berth preview"*)
    echo 'plan @octocat \`\`\`\` </details><script>x</script>'
    env > "${root}/program.env" ;;
esac`,
    0o755,
  );
  write(join(bin, "corepack"), `#!/bin/bash\n${record}`, 0o755);
  return { root, bin, log };
}

describe("GitHub preview workflow, run", () => {
  it("installs without scripts, previews offline under env -i, and writes the report the comment workflow reads", () => {
    const { root, bin, log } = scratch();
    const repo = join(root, "repo");
    write(join(repo, "stacks/platform/Pulumi.yaml"), "name: berth-platform\n");
    write(join(repo, "stacks/platform/Pulumi.dev.yaml"), "config: {}\n");
    write(join(repo, "stacks/pwn/Pulumi.yaml"), 'name: "x//e;#"\n');
    write(join(repo, "stacks/pwn/Pulumi.dev.yaml"), "config: {}\n");
    const steps = wf(files.preview).jobs.preview!.steps.filter((s) => s.run);
    const env = {
      HOME: root,
      PATH: `${bin}:${process.env.PATH}`,
      // What a runner has around a step: none of it may reach pull-request code.
      ACTIONS_RUNTIME_TOKEN: "runtime-token",
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: "oidc-request-token",
      GITHUB_TOKEN: "ghs_should_not_be_here",
      PNPM_VERSION: "10.34.9",
      BASE_REF: "main",
      PR_NUMBER: "7",
      HEAD_SHA: HEAD,
    };
    for (const step of steps) {
      const res = bash(step.run!, repo, env);
      expect(res.status, `${step.name}: ${res.stderr}`).toBe(0);
    }
    const calls = read(log).split("\n").filter(Boolean);
    expect(calls).toContain("pnpm install --frozen-lockfile --ignore-scripts --ignore-pnpmfile");
    expect(calls).toContain(
      "pnpm turbo run build --output-logs=errors-only --filter=@berth/cli... --filter=@berth-stacks/platform...",
    );
    expect(existsSync(join(repo, "pwned"))).toBe(false);
    for (const d of readdirSync(join(root, "envs")))
      expect(read(join(root, "envs", d)), d).not.toMatch(/TOKEN|GITHUB_|ACTIONS_/);
    expect(read(join(root, "program.env"))).not.toMatch(/TOKEN|GITHUB_|ACTIONS_/);
    const report = JSON.parse(read(join(repo, "preview-report", "report.json"))) as {
      pr: number;
      commit: string;
      stacks: { project: string; status: string }[];
    };
    expect(report.pr).toBe(7);
    expect(report.commit).toBe(HEAD);
    expect(report.stacks.map((s) => [s.project, s.status])).toEqual([
      ["berth-platform", "ok"],
      ["", "invalid-project-name"],
    ]);
  });
});

describe("GitHub comment workflow, run", () => {
  function comment(report: object, prHead: string, comments: object[]) {
    const { root, bin, log } = scratch();
    write(join(root, "report.json"), JSON.stringify(report));
    write(join(root, "comments.json"), JSON.stringify(comments));
    write(
      join(bin, "gh"),
      `#!/bin/bash
a="$*"; printf '%s\\n' "gh \${a//$'\\n'/ }" >> "${log}"
case "$1 $2" in
  "run download") while [[ "$1" != --dir ]]; do shift; done; mkdir -p "$2"; cp "${root}/report.json" "$2/report.json" ;;
  "api repos/acme/berth/pulls/7") echo "${prHead}" ;;
  "api --paginate") jq -c '.[]' "${root}/comments.json" ;;
  "api --method") while [[ "$1" != --input ]]; do shift; done; cp "$2" "${root}/posted.json" ;;
  *) echo "unexpected gh $*" >&2; exit 1 ;;
esac`,
      0o755,
    );
    const step = wf(files.comment).jobs.comment!.steps[0]!;
    const res = bash(step.run!, root, {
      HOME: root,
      PATH: `${bin}:${process.env.PATH}`,
      ...step.env,
      GH_TOKEN: "ghs_token",
      REPOSITORY: "acme/berth",
      RUN_ID: "42",
      RUN_CONCLUSION: "success",
      HEAD_SHA: HEAD,
    });
    const calls = read(log).split("\n").filter(Boolean);
    const posted = existsSync(join(root, "posted.json"))
      ? (JSON.parse(read(join(root, "posted.json"))) as { body: string }).body
      : undefined;
    return { res, calls, posted };
  }
  const hostile = {
    pr: 7,
    stacks: [
      {
        project: "berth-platform",
        stack: "dev",
        status: "ok",
        output: "plan @octocat ```` </details><script>x</script>\u001b[31m",
      },
      { project: "x//e;#", stack: "dev", status: "<b>ok</b>", output: ["not", "text"] },
    ],
  };

  it("posts its own comment (not the fork author's pre-posted marker), fenced, mentions neutralized", () => {
    const { res, calls, posted } = comment(hostile, HEAD, [
      [{ id: 111, user: { login: "mallory" }, body: "<!-- berth-preview:offline -->\nfake" }],
    ]);
    expect(res.status, res.stderr).toBe(0);
    expect(calls.at(-1)).toBe(
      "gh api --method POST repos/acme/berth/issues/7/comments --input " + calls.at(-1)!.split(" ").at(-1),
    );
    expect(posted!.startsWith("<!-- berth-preview:offline -->\n")).toBe(true);
    expect(posted).toContain("`````text\nplan @\u200boctocat ```` </details><script>x</script>[31m\n`````");
    expect(posted).toContain("<b>(invalid name)/dev</b>: invalid");
    expect(posted).not.toContain("\u001b");
  });

  it("updates the bot's own marked comment across pages", () => {
    const { res, calls } = comment(hostile, HEAD, [
      [{ id: 111, user: { login: "mallory" }, body: "<!-- berth-preview:offline -->\nfake" }],
      [{ id: 333, user: { login: "github-actions[bot]" }, body: "<!-- berth-preview:offline -->\nold" }],
    ]);
    expect(res.status, res.stderr).toBe(0);
    expect(calls.at(-1)).toMatch(/^gh api --method PATCH repos\/acme\/berth\/issues\/comments\/333 --input /);
  });

  it("refuses a report whose pull request is not at the run's commit, or that names none", () => {
    const moved = comment(hostile, "f".repeat(40), []);
    expect(moved.res.status).toBe(1);
    expect(moved.res.stderr).toContain("not commenting");
    expect(moved.posted).toBeUndefined();
    const unnamed = comment({ ...hostile, pr: "7; curl evil" }, HEAD, []);
    expect(unnamed.res.status).toBe(1);
    expect(unnamed.posted).toBeUndefined();
  });
});
