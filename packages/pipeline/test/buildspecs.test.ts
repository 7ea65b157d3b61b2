// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the expected strings are shell code from the buildspecs
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BUILDSPEC_NAMES, DEFAULT_PULUMI_VERSION, loadBuildspec } from "../src/index.js";

const ROOT = join(__dirname, "..", "..", "..");
const CI = join(ROOT, "ci", "buildspecs");
const WORKFLOW = join(ROOT, "ci", "github", "pulumi-preview.yml");

interface Buildspec {
  version: unknown;
  env?: {
    shell?: string;
    variables?: Record<string, unknown>;
    "parameter-store"?: Record<string, string>;
    "secrets-manager"?: Record<string, string>;
    "exported-variables"?: string[];
  };
  phases: Record<string, { commands?: string[]; "runtime-versions"?: Record<string, unknown> }>;
  artifacts?: { files?: string[] };
}

function read(name: string): { text: string; spec: Buildspec } {
  const text = readFileSync(join(CI, `${name}.yml`), "utf8");
  return { text, spec: parse(text) as Buildspec };
}

/** The buildspec as the one bash script CodeBuild 0.2 runs: exported variables, then every phase's commands. */
function script(spec: Buildspec): string {
  const lines = ["#!/usr/bin/env bash"];
  for (const [k, v] of Object.entries(spec.env?.variables ?? {}))
    lines.push(`export ${k}=${JSON.stringify(String(v))}`);
  for (const [phase, body] of Object.entries(spec.phases)) {
    lines.push(`# phase: ${phase}`);
    for (const c of body.commands ?? []) lines.push(c);
  }
  return `${lines.join("\n")}\n`;
}

function shellcheck(): string {
  const found = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
  if (found.error || found.status !== 0) {
    throw new Error(
      "shellcheck is not installed: install the Debian package (apt-get install shellcheck) to lint the buildspecs",
    );
  }
  return "shellcheck";
}

function commands(spec: Buildspec): string {
  return Object.values(spec.phases)
    .flatMap((p) => p.commands ?? [])
    .join("\n");
}

const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSPHRASE|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL)/i;

describe("every buildspec", () => {
  for (const name of BUILDSPEC_NAMES) {
    describe(name, () => {
      it("parses, has version 0.2, bash, and a header saying what it does and which variables it expects", () => {
        const { text, spec } = read(name);
        expect(spec.version).toBe(0.2);
        expect(spec.env?.shell).toBe("bash");
        expect(text.startsWith(`# Berth buildspec: ${name}\n`)).toBe(true);
        expect(text).toMatch(/^# Variables/m);
        expect(Object.keys(spec.phases).length).toBeGreaterThan(0);
      });

      it("passes shellcheck", () => {
        const bin = shellcheck();
        const dir = mkdtempSync(join(tmpdir(), "berth-buildspec-"));
        const file = join(dir, `${name}.sh`);
        writeFileSync(file, script(read(name).spec));
        const res = spawnSync(bin, ["-s", "bash", "-S", "info", file], { encoding: "utf8" });
        expect(res.stdout, res.stdout).toBe("");
        expect(res.status).toBe(0);
      });

      it("starts every multi-line command with `set -euo pipefail` (CodeBuild runs each command as its own script) and has no single-line pipeline", () => {
        const { spec } = read(name);
        for (const c of Object.values(spec.phases).flatMap((p) => p.commands ?? [])) {
          if (c.trim().includes("\n")) expect(c.startsWith("set -euo pipefail\n"), c).toBe(true);
          // A pipe outside `||`: its first commands' failures would be hidden.
          else expect(/(^|[^|])\|([^|]|$)/.test(c), c).toBe(false);
          expect(c.trim(), "set -e as a command of its own does not carry over").not.toBe(
            "set -euo pipefail",
          );
        }
      });

      it("keeps no secret in plain env.variables", () => {
        const { spec } = read(name);
        for (const [k, v] of Object.entries(spec.env?.variables ?? {})) {
          expect(SECRET_NAME.test(k), `${name}: ${k} looks like a secret`).toBe(false);
          expect(String(v)).not.toMatch(/^(ghp_|github_pat_|AKIA|ASIA)/);
        }
      });

      it("ships as the package's default text", () => {
        expect(loadBuildspec(name)).toBe(read(name).text);
      });
    });
  }
});

describe("pinned versions stay in sync", () => {
  const pnpm = /^pnpm@(\d+\.\d+\.\d+)$/.exec(
    (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { packageManager: string })
      .packageManager,
  )?.[1];
  const specs = BUILDSPEC_NAMES.map((name) => ({ name, ...read(name) }));

  it("PNPM_VERSION in the buildspecs (and their headers) is the root package.json packageManager", () => {
    expect(pnpm).toMatch(/^\d+\.\d+\.\d+$/);
    const pinned = specs.filter((s) => s.spec.env?.variables?.PNPM_VERSION !== undefined);
    expect(pinned.map((s) => s.name)).toEqual(expect.arrayContaining(["test", "deploy", "preview"]));
    for (const { name, spec, text } of pinned) {
      expect(String(spec.env?.variables?.PNPM_VERSION), name).toBe(pnpm);
      for (const m of text.matchAll(/^#\s+PNPM_VERSION\b.*?default (\S+)/gm)) expect(m[1], name).toBe(pnpm);
    }
  });

  it("PULUMI_VERSION in the buildspecs (and their headers) is DEFAULT_PULUMI_VERSION", () => {
    const pinned = specs.filter((s) => s.spec.env?.variables?.PULUMI_VERSION !== undefined);
    expect(pinned.map((s) => s.name)).toEqual(expect.arrayContaining(["deploy", "preview"]));
    for (const { name, spec, text } of pinned) {
      expect(String(spec.env?.variables?.PULUMI_VERSION), name).toBe(DEFAULT_PULUMI_VERSION);
      const header = [...text.matchAll(/^#\s+PULUMI_VERSION\s.*?default (\S+)/gm)].map((m) => m[1]);
      expect(header, name).toEqual([DEFAULT_PULUMI_VERSION]);
    }
  });

  it("the GitHub workflow pins the same Pulumi CLI", () => {
    const wf = parse(readFileSync(WORKFLOW, "utf8")) as { env?: Record<string, unknown> };
    expect(String(wf.env?.PULUMI_VERSION)).toBe(DEFAULT_PULUMI_VERSION);
  });

  it("DEFAULT_PULUMI_VERSION is the @pulumi/pulumi release the package is built and tested with", () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as {
      devDependencies: Record<string, string>;
    };
    expect(pkg.devDependencies["@pulumi/pulumi"]).toBe(DEFAULT_PULUMI_VERSION);
  });

  it("every buildspec that runs turbo turns its telemetry off", () => {
    for (const { name, spec } of specs) {
      if (!commands(spec).includes("turbo")) continue;
      expect(spec.env?.variables?.TURBO_TELEMETRY_DISABLED, name).toBe("1");
    }
  });
});

describe("test buildspec", () => {
  it("installs with the frozen lockfile and runs typecheck, lint and test through turbo, filtered only on request", () => {
    const { spec } = read("test");
    const all = commands(spec);
    expect(all).toContain("pnpm install --frozen-lockfile");
    expect(spec.env?.variables?.TURBO_TASKS).toBe("typecheck lint test");
    expect(spec.env?.variables?.BASE_REF).toBe("");
    expect(all).toContain('--filter="...[${BASE_REF}]"');
  });

  it("installs a pinned, checksum-verified shellcheck release for x86_64 and aarch64 before the tests", () => {
    const { spec } = read("test");
    const install = (spec.phases.install?.commands ?? []).join("\n");
    expect(install).toContain('SHELLCHECK_VERSION="0.10.0"');
    expect(install).toContain(
      "https://github.com/koalaman/shellcheck/releases/download/v${SHELLCHECK_VERSION}/shellcheck-v${SHELLCHECK_VERSION}.linux.${sc_arch}.tar.xz",
    );
    expect(install).toContain("6c881ab0698e4e6ea235245f22832860544f17ba386442fe7e9d629f8cbedf87");
    expect(install).toContain("324a7e89de8fa2aed0d0c28f3dab59cf84c6d74264022c00c22af665ed1a09bb");
    expect(install).toContain("sha256sum -c -");
    expect(install.indexOf("shellcheck")).toBeLessThan(install.indexOf("pnpm install"));
  });
});

describe("build-image buildspec", () => {
  const { spec } = read("build-image");
  const all = commands(spec);

  it("builds with buildx and the ECR registry cache in image-manifest OCI form, per service repository", () => {
    expect(all).toContain("docker buildx build");
    expect(all).toContain('--cache-from "type=registry,ref=${repo}:${CACHE_TAG}"');
    expect(all).toContain(
      '--cache-to "type=registry,ref=${repo}:${CACHE_TAG},mode=max,image-manifest=true,oci-mediatypes=true"',
    );
    expect(all).toContain("--push");
    expect(all).toContain('--platform "${PLATFORM}"');
    expect(spec.env?.variables?.PLATFORM).toBe("linux/arm64");
  });

  it("tags git-<commit>, records the digests in release.json and exports the affected services", () => {
    expect(spec.env?.variables?.IMAGE_TAG_PREFIX).toBe("git-");
    expect(all).toContain('IMAGE_TAG="${IMAGE_TAG_PREFIX}${COMMIT}"');
    expect(all).toContain("containerimage.digest");
    expect(spec.env?.["exported-variables"]).toEqual(["AFFECTED_SERVICES", "COMMIT"]);
    expect(spec.artifacts?.files).toEqual(["release.json"]);
  });

  it("never hands a value to sed or eval", () => {
    expect(all).not.toMatch(/\b(sed|eval)\b/);
  });
});

describe("deploy buildspec", () => {
  const { spec } = read("deploy");
  const all = commands(spec);

  it("pins the Pulumi CLI, logs in to the S3 backend and deploys the berth-service stacks", () => {
    expect(spec.env?.variables?.PULUMI_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(all).toContain('--version "${PULUMI_VERSION}"');
    expect(all).toContain('pulumi login "s3://${STATE_BUCKET}');
    expect(spec.env?.variables).toMatchObject({
      PULUMI_PROJECT: "berth-service",
      STACK_DIR: "stacks/service",
    });
    expect(all).toContain('stack_ref="${PULUMI_ORG}/${PULUMI_PROJECT}/${ENVIRONMENT}.${svc}"');
    expect(all).toContain('--create --secrets-provider "${SECRETS_PROVIDER}"');
  });

  it("switches to the deploy role before the pointers and pulumi up", () => {
    const assume = all.indexOf('export AWS_PROFILE="berth-deploy"');
    expect(assume).toBeGreaterThan(-1);
    expect(all.indexOf("aws ssm put-parameter")).toBeGreaterThan(assume);
    expect(all.indexOf("pulumi up --yes")).toBeGreaterThan(assume);
  });

  it("refuses an image that is not digest-pinned", () => {
    const pattern = /uri}" =~ (\S+) \]\]/.exec(all)?.[1];
    expect(pattern).toBeDefined();
    const re = new RegExp(pattern!);
    expect(re.test(`123456789012.dkr.ecr.us-east-1.amazonaws.com/hello@sha256:${"ab".repeat(32)}`)).toBe(
      true,
    );
    expect(re.test("123456789012.dkr.ecr.us-east-1.amazonaws.com/hello:latest")).toBe(false);
  });

  it("changes ECS only by running and stopping release tasks; everything else it reads", () => {
    const ecsCalls = [...new Set([...all.matchAll(/aws ecs ([a-z-]+)/g)].map((m) => m[1]))].sort();
    expect(ecsCalls).toEqual([
      "describe-services",
      "describe-task-definition",
      "describe-tasks",
      "run-task",
      "stop-task",
      "wait",
    ]);
    expect(all).not.toMatch(/\beval\b/);
  });
});

describe("preview buildspec", () => {
  const { spec } = read("preview");
  const all = commands(spec);

  it("finds affected stacks through turbo's graph and previews each with --diff, or offline", () => {
    expect(all).toContain('--filter="...[origin/${BASE_BRANCH}]" --dry-run=json');
    expect(all).toContain('select(startswith("stacks/"))');
    expect(all).toContain("pulumi preview --diff");
    expect(all).toContain('pnpm exec berth preview -C "${dir}" -s "${stack}" --format markdown');
  });

  it("keeps the preview result in a shell variable, not in a file sourced back", () => {
    expect(all).toContain('PREVIEW_FAILED="${failed}"');
    expect(all).not.toContain("preview-status.env");
    expect(all).not.toMatch(/^\s*(source|\.) /m);
  });

  it("creates or updates one marked comment on the pull request", () => {
    expect(all).toContain('MARKER="<!-- berth-preview -->"');
    expect(all).toContain("-X PATCH");
    expect(all).toContain("-X POST");
    expect(all).not.toMatch(/pulumi (up|destroy|refresh)/);
  });
});

describe("GitHub Actions preview workflow", () => {
  const text = readFileSync(WORKFLOW, "utf8");
  const wf = parse(text) as {
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<
      string,
      {
        permissions?: Record<string, string>;
        steps: { uses?: string; if?: string; with?: Record<string, unknown>; run?: string }[];
      }
    >;
  };
  const steps = Object.values(wf.jobs).flatMap((j) => j.steps);

  it("parses and runs on pull_request only (never pull_request_target)", () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    const code = text
      .split("\n")
      .filter((l) => !l.trimStart().startsWith("#"))
      .join("\n");
    expect(code).not.toContain("pull_request_target");
  });

  it("previews with pulumi/actions, diff and one edited PR comment", () => {
    const pulumi = steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(pulumi?.with).toMatchObject({
      command: "preview",
      "comment-on-pr": true,
      diff: true,
      "edit-pr-comment": true,
    });
  });

  it("grants only read permissions besides commenting and OIDC", () => {
    for (const perms of [wf.permissions, ...Object.values(wf.jobs).map((j) => j.permissions ?? {})]) {
      for (const [scope, level] of Object.entries(perms)) {
        if (scope === "pull-requests" || scope === "id-token") expect(level).toBe("write");
        else expect(level).toBe("read");
      }
    }
  });

  it("gives forks no credentials and runs the offline preview for them", () => {
    const creds = steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    const pulumi = steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
    expect(creds?.if).toBe("env.FORK == 'false' && matrix.target.role != ''");
    expect(pulumi?.if).toBe("env.FORK == 'false' && matrix.target.role != ''");
    const offline = steps.find((s) => s.run?.includes("berth preview"));
    expect(offline?.if).toBe("env.FORK == 'true' || matrix.target.role == ''");
    expect(text).toContain("github.event.pull_request.head.repo.full_name != github.repository");
  });

  it("passes the same shellcheck as the buildspecs", () => {
    const bin = shellcheck();
    const dir = mkdtempSync(join(tmpdir(), "berth-workflow-"));
    const file = join(dir, "workflow.sh");
    const runs = steps
      .filter((s) => typeof s.run === "string")
      .map((s) => s.run!.replace(/\$\{\{[^}]*\}\}/g, "X"));
    writeFileSync(file, `#!/usr/bin/env bash\n${runs.join("\n")}\n`);
    expect(existsSync(file)).toBe(true);
    expect(() => execFileSync(bin, ["-s", "bash", "-S", "info", file], { encoding: "utf8" })).not.toThrow();
  });
});
