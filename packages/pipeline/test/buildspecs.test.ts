// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the expected strings are shell code from the buildspecs
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BUILDSPEC_NAMES, DEFAULT_PULUMI_VERSION, loadBuildspec } from "../src/index.js";

const ROOT = join(__dirname, "..", "..", "..");
const CI = join(ROOT, "ci", "buildspecs");

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
  const { text, spec } = read("preview");
  const all = commands(spec);
  const stage = (name: "orchestrate" | "run") =>
    Object.values(spec.phases)
      .flatMap((p) => p.commands ?? [])
      .filter((c) => c.includes(`[[ "\${PREVIEW_STAGE}" == "${name}"`))
      .join("\n");

  it("installs the pull request without its scripts or pnpmfile, in the run stage only", () => {
    expect(all).toContain("pnpm install --frozen-lockfile --ignore-scripts --ignore-pnpmfile");
    expect(all.match(/pnpm install\b[^\n]*/g)).toEqual([
      "pnpm install --frozen-lockfile --ignore-scripts --ignore-pnpmfile",
    ]);
    expect(stage("run")).toContain("pnpm install --frozen-lockfile --ignore-scripts --ignore-pnpmfile");
    // The orchestrator (token, connection) runs nothing of the checkout.
    expect(stage("orchestrate")).not.toMatch(/\b(pnpm|corepack|node|npx|turbo)\b|exec berth/);
  });

  it("finds affected stacks through turbo's graph against refs/berth/base and previews each with berth preview", () => {
    expect(all).toContain('--filter="...[refs/berth/base]" --dry-run=json');
    expect(all).toContain('select(startswith("stacks/"))');
    expect(all).toContain('pnpm exec berth preview -C "${dir}" -s "${stack}" --format markdown');
  });

  it("runs `pulumi preview --diff` only in the credentialed lane, for a stack that has a role, and installs the Pulumi CLI only there", () => {
    expect(all.match(/pulumi preview --diff/g)).toHaveLength(1);
    const build = (spec.phases.build?.commands ?? []).find((c) => c.includes("pulumi preview --diff"))!;
    const guard = build.indexOf('if [[ "${PREVIEW_MODE}" == "pulumi" && -n "${role}" ]]; then');
    const otherwise = build.indexOf("else", guard);
    expect(guard).toBeGreaterThan(-1);
    expect(build.indexOf("pulumi preview --diff")).toBeGreaterThan(guard);
    expect(build.indexOf("pulumi preview --diff")).toBeLessThan(otherwise);
    const install = (spec.phases.install?.commands ?? []).find((c) => c.includes("get.pulumi.com"))!;
    expect(install).toContain('[[ "${PREVIEW_STAGE}" == "run" && "${PREVIEW_MODE}" == "pulumi" ]] || exit 0');
    expect(all).not.toMatch(/pulumi (up|destroy|refresh|import|state)\b/);
  });

  it("hands no pull-request value to sed or eval, and keeps results as data (no file sourced back)", () => {
    expect(all).not.toMatch(/\b(sed|eval)\b/);
    expect(all).not.toMatch(/^\s*(source|\.) /m);
    expect(all).toContain('PREVIEW_FAILED="$(jq -r');
  });

  it("finds its comment by the token's own login and COMMENT_MARKER, default <!-- berth-preview:<mode> -->", () => {
    expect(all).toContain('COMMENT_MARKER="${COMMENT_MARKER:-<!-- berth-preview:${PREVIEW_MODE} -->}"');
    expect(text).toMatch(/^#\s+COMMENT_MARKER\s/m);
    expect(all).toContain("select(.user.login == $author and (.body | startswith($marker)))");
    expect(all).toContain("-X PATCH");
    expect(all).toContain("-X POST");
  });
});

describe("GitHub Actions preview workflows", () => {
  const runs = ["pulumi-preview.yml", "pulumi-preview-comment.yml"].flatMap((f) => {
    const wf = parse(readFileSync(join(ROOT, "ci", "github", f), "utf8")) as {
      jobs: Record<string, { steps: { run?: string }[] }>;
    };
    return Object.values(wf.jobs).flatMap((j) => j.steps.filter((s) => typeof s.run === "string"));
  });

  it("pass the same shellcheck as the buildspecs", () => {
    expect(runs.length).toBeGreaterThanOrEqual(3);
    const bin = shellcheck();
    const dir = mkdtempSync(join(tmpdir(), "berth-workflow-"));
    const file = join(dir, "workflow.sh");
    writeFileSync(
      file,
      `#!/usr/bin/env bash\n${runs.map((s) => s.run!.replace(/\$\{\{[^}]*\}\}/g, "X")).join("\n")}\n`,
    );
    expect(existsSync(file)).toBe(true);
    const res = spawnSync(bin, ["-s", "bash", "-S", "info", file], { encoding: "utf8" });
    expect(res.stdout, res.stdout).toBe("");
    expect(res.status).toBe(0);
  });
});
