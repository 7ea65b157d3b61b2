// Static checks of the container files: there is no Docker engine here, so these read the
// Dockerfile, its ignore file and the compose file as text and check what can be checked offline.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, posix, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { DEFAULTS } from "../src/config";

const appDir = resolve(__dirname, "..");
const repoRoot = resolve(appDir, "..", "..");
const read = (path: string) => readFileSync(path, "utf8");

// ---- a small Dockerfile reader --------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): { globalArgs: Record<string, string>; stages: Stage[] } {
  const logical: string[] = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("#")) continue; // comments, also inside continuations
    if (line.endsWith("\\")) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = "";
  }
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const match = /^(\S+)\s*(.*)$/.exec(line)!;
    const keyword = match[1]!.toUpperCase();
    const args = match[2]!;
    if (keyword === "FROM") {
      const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`cannot read FROM ${args}`);
      stages.push({ base: from[1]!, name: from[2] ?? String(stages.length), instructions: [] });
    } else if (stages.length === 0) {
      if (keyword === "ARG") {
        const [name, value = ""] = args.split("=", 2);
        globalArgs[name!] = value;
      }
    } else {
      stages.at(-1)!.instructions.push({ keyword, args });
    }
  }
  return { globalArgs, stages };
}

interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}

function copies(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.keyword === "COPY")
    .map((i) => {
      const words = i.args.split(/\s+/);
      const flags = words.filter((w) => w.startsWith("--"));
      const paths = words.filter((w) => !w.startsWith("--"));
      const from = flags.find((f) => f.startsWith("--from="))?.slice("--from=".length);
      return { from, sources: paths.slice(0, -1), dest: paths.at(-1)! };
    });
}

const values = (stage: Stage, keyword: string) =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

/** ENV key=value pairs (the form this Dockerfile uses). */
function env(stage: Stage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const args of values(stage, "ENV")) {
    for (const pair of args.split(/\s+/)) {
      const [key, value] = pair.split("=", 2);
      if (key && value !== undefined) out[key] = value;
    }
  }
  return out;
}

// ---- a small .dockerignore matcher with BuildKit's rules ----------------------------------------
// Patterns are relative to the context root; `**` spans directories, `*` and `?` do not; a pattern
// that matches a parent directory matches everything below it; `!` re-includes; the last match wins.

function patternToRegExp(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      if (pattern[i + 2] === "/") {
        out += "(?:.*/)?";
        i += 2;
      } else {
        out += ".*";
        i += 1;
      }
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else out += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

function ignoreMatcher(text: string): (path: string) => boolean {
  const rules = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const negate = line.startsWith("!");
      const cleaned = posix.normalize((negate ? line.slice(1) : line).trim()).replace(/^\/+|\/+$/g, "");
      return { negate, regexp: patternToRegExp(cleaned) };
    });
  return (path) => {
    const parts = path.split("/");
    const candidates = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
    let excluded = false;
    for (const rule of rules) {
      if (candidates.some((candidate) => rule.regexp.test(candidate))) excluded = !rule.negate;
    }
    return excluded;
  };
}

// ---- the files under test ------------------------------------------------------------------------

const dockerfilePath = join(appDir, "Dockerfile");
const { globalArgs, stages } = parseDockerfile(read(dockerfilePath));
const stage = (name: string) => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`no stage ${name}`);
  return found;
};
const isIgnored = ignoreMatcher(read(join(appDir, "Dockerfile.dockerignore")));

/** Every file that COPY takes from the build context (not from another stage), relative to the root. */
const contextSources = stages.flatMap((s) =>
  copies(s)
    .filter((c) => !c.from)
    .flatMap((c) => c.sources),
);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe("Dockerfile", () => {
  it("has the stages deps, build and runtime, in that order", () => {
    expect(stages.map((s) => s.name)).toEqual(["deps", "build", "runtime"]);
  });

  it("pins the Node 20 base image by version tag, from BASE_REGISTRY, and uses it for deps and runtime", () => {
    const image = globalArgs.NODE_IMAGE!;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile variable, not a JS template
    const prefix = "${BASE_REGISTRY}/library/";
    expect(image.startsWith(prefix)).toBe(true);
    expect(image.slice(prefix.length)).toMatch(
      /^node:20\.\d+\.\d+-(bookworm-slim|bullseye-slim|slim|alpine\d*(\.\d+)*)(@sha256:[0-9a-f]{64})?$/,
    );
    // Docker Hub unless the build passes its pull-through cache (ci/buildspecs/build-image.yml).
    expect(globalArgs.BASE_REGISTRY).toBe("docker.io");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile variable, not a JS template
    const fromArg = "${NODE_IMAGE}";
    expect(stage("deps").base).toBe(fromArg);
    expect(stage("build").base).toBe("deps");
    expect(stage("runtime").base).toBe(fromArg); // a fresh image: nothing from deps leaks in
  });

  it("deps installs with the workspace's pnpm from the lockfile and the four manifests only", () => {
    const deps = stage("deps");
    const rootPackage = JSON.parse(read(join(repoRoot, "package.json"))) as { packageManager: string };
    const pnpmVersion = values(deps, "ARG")
      .find((a) => a.startsWith("PNPM_VERSION="))
      ?.split("=")[1];
    expect(`pnpm@${pnpmVersion}`).toBe(rootPackage.packageManager);
    expect(copies(deps).flatMap((c) => c.sources)).toEqual([
      "package.json",
      "pnpm-lock.yaml",
      "pnpm-workspace.yaml",
      "apps/hello/package.json",
    ]);
    const runs = values(deps, "RUN").join("\n");
    expect(runs).toContain("pnpm install --frozen-lockfile --filter @berth-apps/hello...");
    expect(env(deps).NODE_ENV).toBeUndefined(); // the build needs devDependencies (typescript)
  });

  it("build compiles the app with its tsconfig.build.json", () => {
    const build = stage("build");
    expect(values(build, "RUN").join("\n")).toContain("pnpm --filter @berth-apps/hello build");
    const pkg = JSON.parse(read(join(appDir, "package.json"))) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toBe("tsc -p tsconfig.build.json");
    expect(copies(build).flatMap((c) => c.sources)).toEqual(
      expect.arrayContaining(["apps/hello/tsconfig.build.json", "apps/hello/src", "tsconfig.base.json"]),
    );
  });

  it("runtime runs as a non-root user with NODE_ENV=production", () => {
    const runtime = stage("runtime");
    const users = values(runtime, "USER");
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.split(":")[0]!;
    expect(["root", "0", ""]).not.toContain(user);
    expect(env(runtime).NODE_ENV).toBe("production");
  });

  it("runtime copies only the compiled output from build: no node_modules, no installs", () => {
    const runtime = stage("runtime");
    const runtimeCopies = copies(runtime);
    expect(runtimeCopies.length).toBeGreaterThan(0);
    for (const copy of runtimeCopies) {
      expect(copy.from).toBe("build");
      for (const source of copy.sources) {
        expect(source).toMatch(/^\/repo\/apps\/hello\/(dist|package\.json)$/);
        expect(source).not.toContain("node_modules");
      }
    }
    expect(values(runtime, "RUN").join("\n")).not.toMatch(/\b(npm|pnpm|yarn)\b/);
    // Sound only while the app has no runtime dependencies; otherwise the stage needs `pnpm deploy --prod`.
    const pkg = JSON.parse(read(join(appDir, "package.json"))) as { dependencies?: Record<string, string> };
    expect(Object.keys(pkg.dependencies ?? {})).toEqual([]);
  });

  it("runtime starts node directly on dist/server.js, exposes 8080 and stops with SIGTERM", () => {
    const runtime = stage("runtime");
    expect(JSON.parse(values(runtime, "CMD").at(-1)!)).toEqual(["node", "dist/server.js"]);
    expect(values(runtime, "ENTRYPOINT")).toEqual([]);
    expect(values(runtime, "EXPOSE")).toEqual(["8080"]);
    expect(values(runtime, "STOPSIGNAL")).toEqual(["SIGTERM"]);
    expect(env(runtime).PORT).toBe("8080");
    // Both entry points are compiled from src (rootDir src → dist).
    expect(existsSync(join(appDir, "src", "server.ts"))).toBe(true);
    const healthcheck = values(runtime, "HEALTHCHECK").at(-1)!;
    expect(healthcheck).toContain('CMD ["node", "dist/healthcheck.js"]');
    expect(existsSync(join(appDir, "src", "healthcheck.ts"))).toBe(true);
  });

  it("copies from the context only files that exist relative to the repository root", () => {
    expect(contextSources.length).toBeGreaterThan(0);
    for (const source of contextSources) expect(existsSync(join(repoRoot, source)), source).toBe(true);
  });
});

describe("Dockerfile.dockerignore", () => {
  it("sits beside the Dockerfile under the name BuildKit looks for (<Dockerfile>.dockerignore)", () => {
    expect(existsSync(`${dockerfilePath}.dockerignore`)).toBe(true);
  });

  it("lets in every file the Dockerfile copies from the context", () => {
    const files = contextSources.flatMap((source) => {
      const full = join(repoRoot, source);
      return statSync(full).isDirectory() ? filesUnder(full).map((f) => relative(repoRoot, f)) : [source];
    });
    expect(files).toContain("apps/hello/src/server.ts");
    for (const file of files) expect(isIgnored(file), file).toBe(false);
  });

  it.each([
    "node_modules/.pnpm/lock.yaml",
    "apps/hello/node_modules/typescript/package.json",
    "apps/hello/src/node_modules/x.js",
    ".git/HEAD",
    "apps/hello/dist/server.js",
    ".turbo/cookies/1.cookie",
    "apps/hello/.env",
    "apps/hello/test/app.test.ts",
    "packages/core/src/index.ts",
    "stacks/platform/Pulumi.dev.yaml",
  ])("keeps %s out of the build context", (path) => {
    expect(isIgnored(path)).toBe(true);
  });
});

describe("compose.yaml", () => {
  const compose = parseYaml(read(join(appDir, "compose.yaml"))) as {
    services: Record<string, Record<string, unknown>>;
  };
  const service = compose.services.hello!;

  it("builds the runtime stage of apps/hello/Dockerfile with the repository root as context", () => {
    const build = service.build as { context: string; dockerfile: string; target?: string };
    expect(resolve(appDir, build.context)).toBe(repoRoot);
    expect(resolve(appDir, build.context, build.dockerfile)).toBe(dockerfilePath);
    expect(build.target).toBe("runtime");
  });

  it("publishes container port 8080", () => {
    const ports = (service.ports as unknown[]).map(String);
    expect(ports.some((p) => /(^|:)8080(\/tcp)?$/.test(p))).toBe(true);
  });

  it("sets only variables the app reads, all of which the README documents", () => {
    const environment = service.environment as Record<string, string>;
    const configSource = read(join(appDir, "src", "config.ts"));
    const readme = read(join(appDir, "README.md"));
    const known = [...configSource.matchAll(/\(\s*env,\s*"([A-Z_]+)"/g)].map((m) => m[1]!);
    expect(known).toEqual(
      expect.arrayContaining([
        "PORT",
        "HOST",
        "SERVICE_NAME",
        "APP_VERSION",
        "DEPLOY_ENV",
        "SHUTDOWN_TIMEOUT_MS",
      ]),
    );
    for (const key of Object.keys(environment)) expect(known).toContain(key);
    for (const key of known) expect(readme).toContain(`\`${key}\``);
    expect(environment.PORT).toBe("8080");
  });

  it("health-checks with the bundled script and gives the drain time to finish before SIGKILL", () => {
    expect((service.healthcheck as { test: string[] }).test).toEqual(["CMD", "node", "dist/healthcheck.js"]);
    expect(service.stop_signal).toBe("SIGTERM");
    const environment = service.environment as Record<string, string>;
    const shutdownMs = Number(environment.SHUTDOWN_TIMEOUT_MS ?? DEFAULTS.shutdownTimeoutMs);
    const graceMs = durationMs(String(service.stop_grace_period));
    expect(graceMs).toBeGreaterThan(shutdownMs);
  });
});

/** Compose durations such as "15s", "1m30s", "500ms". */
function durationMs(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|us|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text) throw new Error(`bad duration ${text}`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0);
}
