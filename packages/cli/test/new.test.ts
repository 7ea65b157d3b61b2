import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { join, relative } from "node:path";
import { loadCatalogue, SERVICE_KINDS } from "@berth/core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/index.js";
import { TEMPLATE_LAYERS, TEMPLATES_DIR, templateFiles } from "../src/new.js";
import { capture, REPO, tempRepo } from "./helpers.js";

const PKG = join(__dirname, "..");
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile variable, not a JS template
const NODE_IMAGE = "${NODE_IMAGE}";
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile variable, not a JS template
const BASE_REGISTRY = "${BASE_REGISTRY}";
const TSC = join(PKG, "node_modules", "typescript", "bin", "tsc");
const VITEST = join(PKG, "node_modules", "vitest", "vitest.mjs");

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const repo = (files: Record<string, string> = {}) => {
  const dir = tempRepo(files);
  temps.push(dir);
  return dir;
};

/** Every file a kind gets, relative to apps/<name>/. */
const FILES: Record<string, string[]> = {
  web: [
    "berth.yaml",
    "Dockerfile",
    "Dockerfile.dockerignore",
    "package.json",
    "README.md",
    "src/config.ts",
    "src/healthcheck.ts",
    "src/log.ts",
    "src/main.ts",
    "src/server.ts",
    "test/server.test.ts",
    "tsconfig.build.json",
    "tsconfig.json",
    "vitest.config.mts",
  ],
  worker: [
    "berth.yaml",
    "Dockerfile",
    "Dockerfile.dockerignore",
    "package.json",
    "README.md",
    "src/config.ts",
    "src/log.ts",
    "src/main.ts",
    "src/queue.ts",
    "src/worker.ts",
    "test/worker.test.ts",
    "tsconfig.build.json",
    "tsconfig.json",
    "vitest.config.mts",
  ],
  job: [
    "berth.yaml",
    "Dockerfile",
    "Dockerfile.dockerignore",
    "package.json",
    "README.md",
    "src/job.ts",
    "src/log.ts",
    "src/main.ts",
    "test/job.test.ts",
    "tsconfig.build.json",
    "tsconfig.json",
    "vitest.config.mts",
  ],
};
FILES.internal = FILES.web!;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split("\\").join("/"))
    .sort((a, b) => a.localeCompare(b));
}

describe("berth new: the files of each kind", () => {
  it.each(SERVICE_KINDS)("%s: writes the service folder, and the catalogue loads it", async (kind) => {
    const root = repo();
    const name = `my-${kind}`;
    const t = capture(root);
    expect(await main(["new", kind, name], t.io)).toBe(0);
    const dir = join(root, "apps", name);
    expect(walk(dir)).toEqual(FILES[kind]);
    const out = t.out().split("\n");
    expect(out[0]).toBe(
      `Created apps/${name}/ (${kind}${kind === "web" || kind === "internal" ? ", port 8080" : ""}):`,
    );
    expect(out.slice(1, FILES[kind]!.length + 1)).toEqual(FILES[kind]!.map((f) => `  ${f}`));
    expect(t.out()).toContain(`pnpm --filter @berth-apps/${name} test`);
    expect(t.err()).toBe("");

    const text = (f: string) => readFileSync(join(dir, f), "utf8");
    // Nothing left to substitute.
    for (const f of FILES[kind]!) expect(text(f)).not.toMatch(/\{\{\w+\}\}/);

    const manifest = text("berth.yaml");
    expect(manifest.split("\n")[0]).toBe(
      "# yaml-language-server: $schema=../../schemas/berth-manifest.schema.json",
    );
    const catalogue = loadCatalogue(join(root, "apps"));
    const m = catalogue.service(name, "prod")!;
    expect(m).toMatchObject({ name, kind, build: { context: "../.." } });
    const only = Object.keys(m).sort();
    expect(only).toEqual(
      {
        web: ["build", "description", "healthCheck", "http", "kind", "name", "port"],
        internal: ["build", "description", "healthCheck", "kind", "name", "port"],
        worker: ["build", "description", "kind", "name"],
        job: ["build", "description", "kind", "name", "schedule"],
      }[kind],
    );
    if (kind === "web") {
      expect(catalogue.routes("prod")).toEqual([
        expect.objectContaining({ service: name, hosts: [], paths: [`/${name}/*`] }),
      ]);
      expect(t.out()).toMatch(
        new RegExp(`^Route in dev, staging, prod: /${name}/\\* \\(listener priority \\d+\\)$`, "m"),
      );
    }

    const pkg = JSON.parse(text("package.json"));
    expect(pkg.name).toBe(`@berth-apps/${name}`);
    expect(Object.keys(pkg.scripts)).toEqual(["build", "start", "typecheck", "lint", "test"]);
    expect(pkg.dependencies).toBeUndefined();
    // The workspace's exact versions: the scaffold installs nothing new.
    const rootPkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
    for (const [dep, version] of Object.entries(pkg.devDependencies)) {
      expect(rootPkg.devDependencies[dep], dep).toBe(version);
    }
    expect(JSON.parse(text("tsconfig.json")).extends).toBe("../../tsconfig.base.json");
    expect(text("vitest.config.mts")).toContain('export { default } from "../../vitest.shared.mts";');

    const docker = text("Dockerfile");
    expect(docker).toContain("ARG BASE_REGISTRY=docker.io\n");
    expect(docker).toContain(`ARG NODE_IMAGE=${BASE_REGISTRY}/library/node:20.20.2-bookworm-slim\n`);
    expect(docker.match(/^FROM .+$/gm)).toEqual([
      `FROM ${NODE_IMAGE} AS deps`,
      "FROM deps AS build",
      `FROM ${NODE_IMAGE} AS runtime`,
    ]);
    expect(docker).toContain(
      `pnpm install --frozen-lockfile --filter @berth-apps/${name}... --ignore-scripts`,
    );
    expect(docker).toMatch(/^USER node$/m);
    expect(docker.trim().split("\n").at(-1)).toBe('CMD ["node", "dist/main.js"]');
    expect(docker).toContain(`ARG PNPM_VERSION=${rootPkg.packageManager.replace("pnpm@", "")}\n`);
    if (kind === "web" || kind === "internal") expect(docker).toMatch(/^EXPOSE 8080$/m);
    else expect(docker).not.toMatch(/^(EXPOSE|HEALTHCHECK)/m);
    // The ignore file lets in exactly what the Dockerfile copies from the repository.
    const ignore = text("Dockerfile.dockerignore");
    for (const path of ["package.json", "tsconfig.json", "tsconfig.build.json", "src"]) {
      expect(ignore).toContain(`!apps/${name}/${path}\n`);
    }
    expect(text("README.md")).toMatch(new RegExp(`^# @berth-apps/${name}\\n`));
  });

  it("writes --port into the manifest, the Dockerfile and the app's default", async () => {
    const root = repo();
    const t = capture(root);
    expect(await main(["new", "internal", "stock", "--port", "3000"], t.io)).toBe(0);
    expect(t.out().split("\n")[0]).toBe("Created apps/stock/ (internal, port 3000):");
    const dir = join(root, "apps", "stock");
    expect(loadCatalogue(join(root, "apps")).service("stock", "dev")).toMatchObject({ port: 3000 });
    expect(readFileSync(join(dir, "Dockerfile"), "utf8")).toMatch(/PORT=3000 \\\n[\s\S]*^EXPOSE 3000$/m);
    expect(readFileSync(join(dir, "src", "config.ts"), "utf8")).toContain('PORT: "3000"');
  });

  it("creates the service where --out says, and the templates it copies are the package's files", async () => {
    const root = repo();
    const t = capture(root);
    expect(await main(["new", "job", "report", "--out", "services"], t.io)).toBe(0);
    expect(existsSync(join(root, "services", "report", "berth.yaml"))).toBe(true);
    expect(t.out().split("\n")[0]).toBe("Created services/report/ (job):");
    const pkg = JSON.parse(readFileSync(join(PKG, "package.json"), "utf8"));
    expect(pkg.files).toContain("templates");
    expect(Object.keys(TEMPLATE_LAYERS)).toEqual([...SERVICE_KINDS]);
    expect([...templateFiles("job").values()].every((f) => f.startsWith(TEMPLATES_DIR))).toBe(true);
  });
});

describe("berth new: refusals (exit 2, one line, nothing written)", () => {
  it.each([
    [["new", "api", "shop"], "berth new: kind 'api' is not one of web, internal, worker, job"],
    [
      ["new", "web", "Shop"],
      "berth new: 'Shop' is not a service name: lower-case letters, digits and single hyphens, starting with a letter, 2 to 17 characters",
    ],
    [
      ["new", "web", "a-very-long-service-name"],
      "berth new: 'a-very-long-service-name' is not a service name: lower-case letters, digits and single hyphens, starting with a letter, 2 to 17 characters",
    ],
    [
      ["new", "web", "x"],
      "berth new: 'x' is not a service name: lower-case letters, digits and single hyphens, starting with a letter, 2 to 17 characters",
    ],
    [
      ["new", "worker", "mails", "--port", "80"],
      "berth new: --port applies to kind web, internal; a worker listens on no port",
    ],
    [
      ["new", "web", "shop", "--port", "http"],
      "berth new: --port 'http' is not a port: a whole number from 1 to 65535",
    ],
    [
      ["new", "web", "shop", "--port", "70000"],
      "berth new: --port '70000' is not a port: a whole number from 1 to 65535",
    ],
    [["new", "web", "taken"], "berth new: apps/taken already exists; choose another name or remove it"],
  ])("%j: %j", async (argv, message) => {
    const root = repo({ "apps/taken/README.md": "someone's\n" });
    const t = capture(root);
    expect(await main(argv, t.io)).toBe(2);
    expect(t.err()).toBe(`${message}\n`);
    expect(t.out()).toBe("");
    expect(walk(join(root, "apps"))).toEqual(["taken/README.md"]);
  });

  it("reports missing arguments and unknown options with the hint to the help", async () => {
    const t = capture(repo());
    expect(await main(["new", "web"], t.io)).toBe(2);
    expect(t.err()).toBe(
      "berth new: missing required argument 'name'\nRun 'berth new --help' for the options.\n",
    );
  });

  it("asks for a repository (or --out) outside one", async () => {
    const t = capture("/");
    expect(await main(["new", "web", "shop"], t.io)).toBe(2);
    expect(t.err()).toBe(
      "berth new: no repository around /: no pnpm-workspace.yaml or .git in it or above it; pass -C <repository> or --out <apps-dir>\n",
    );
  });

  it("writes the service but exits 1 with the catalogue's lines when it collides with another (a route)", async () => {
    const root = repo({
      "apps/store/berth.yaml": 'name: store\nkind: web\nhttp: { paths: ["/shop/*"] }\n',
    });
    const t = capture(root);
    expect(await main(["new", "web", "shop"], t.io)).toBe(1);
    const file = join(root, "apps", "shop", "berth.yaml");
    expect(existsSync(file)).toBe(true);
    const lines = t.err().split("\n");
    // The line names one of the two services' files and the other service (whichever comes second
    // in the listener's order carries the error).
    const dir = join(root, "apps").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    expect(lines[0]).toMatch(
      new RegExp(
        `^${dir}/(shop|store)/berth\\.yaml:\\d+:\\d+: http\\.paths is \\["/shop/\\*"\\]; (store|shop) \\(.*\\) routes the same hosts and paths in dev; only the first rule would ever match$`,
      ),
    );
    expect(lines.at(-2)).toBe(
      `berth new: apps/shop was written, but the catalogue has the problems above: fix apps/shop/berth.yaml (or the files named) before deploying`,
    );
  });

  it("has its help", async () => {
    const t = capture(REPO);
    expect(await main(["new", "--help"], t.io)).toBe(0);
    expect(t.out()).toMatch(/^Usage: berth new \[options\] <kind> <name>/);
    for (const text of ["--port <n>", "--out <apps-dir>", "-C, --cwd <dir>", "berth new worker invoices"]) {
      expect(t.out()).toContain(text);
    }
  });
});

/**
 * The generated code, built and run. The scaffold is written into a small repository under this
 * package's node_modules (ignored by git, biome and the workspace; its tsconfig.base.json and
 * vitest.shared.mts point at the real ones), so the workspace's TypeScript, vitest and @types/node
 * resolve without an install, and nothing appears in the real apps/ for others to see.
 */
describe("berth new: the generated service builds, passes its own test and runs", () => {
  let root: string;
  const children: ChildProcess[] = [];

  beforeAll(() => {
    root = mkdtempSync(join(PKG, "node_modules", ".berth-new-"));
    writeFileSync(join(root, "pnpm-workspace.yaml"), "packages: []\n");
    writeFileSync(
      join(root, "tsconfig.base.json"),
      JSON.stringify({ extends: relative(root, join(REPO, "tsconfig.base.json")) }),
    );
    writeFileSync(
      join(root, "vitest.shared.mts"),
      `export { default } from "${relative(root, join(REPO, "vitest.shared.mts"))}";\n`,
    );
  });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  /** Scaffolds, type-checks and compiles src and test (tsconfig.json, emitting), runs its vitest test. */
  async function build(kind: string, name: string): Promise<string> {
    const t = capture(root);
    const port = kind === "web" || kind === "internal" ? ["--port", "8081"] : [];
    expect(await main(["new", kind, name, ...port], t.io)).toBe(0);
    const dir = join(root, "apps", name);
    const out = join(root, "out", name);
    const run = (args: string[]) => {
      try {
        return execFileSync(process.execPath, args, {
          cwd: dir,
          encoding: "utf8",
          stdio: "pipe",
          // A clean environment: nothing of this vitest run (its pool, its workers) leaks in.
          env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1" },
        });
      } catch (err) {
        const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
        throw new Error(`${args.join(" ")} failed:\n${stdout}${stderr}`);
      }
    };
    run([
      TSC,
      "-p",
      "tsconfig.json",
      "--noEmit",
      "false",
      "--outDir",
      out,
      "--declaration",
      "false",
      "--declarationMap",
      "false",
    ]);
    const tested = run([VITEST, "run", "--reporter", "dot"]);
    expect(tested).toMatch(/Tests {2}1 passed \(1\)/);
    return join(out, "src");
  }

  function start(script: string, env: Record<string, string>) {
    const child = spawn(process.execPath, [script], {
      env: { PATH: process.env.PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let out = "";
    let err = "";
    child.stdout!.setEncoding("utf8").on("data", (s: string) => {
      out += s;
    });
    child.stderr!.setEncoding("utf8").on("data", (s: string) => {
      err += s;
    });
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    const logs = () =>
      out
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const waitFor = async (msg: string) => {
      for (let i = 0; i < 200; i++) {
        const line = logs().find((l) => l.msg === msg);
        if (line) return line;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`no "${msg}" log line; stdout: ${out} stderr: ${err}`);
    };
    return { child, exited, logs, waitFor, stderr: () => err };
  }

  const get = (port: number, path: string) =>
    new Promise<number>((resolve, reject) => {
      http
        .get({ host: "127.0.0.1", port, path, agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on("error", reject);
    });

  it.each(["web", "internal"])(
    "%s: serves /healthz, passes the health check, drains on SIGTERM and exits 0",
    async (kind) => {
      const dist = await build(kind, `run-${kind}`);
      expect(readFileSync(join(dist, "config.js"), "utf8")).toContain('PORT: "8081"');
      const app = start(join(dist, "main.js"), { HOST: "127.0.0.1", PORT: "0" });
      const port = (await app.waitFor("listening")).port as number;
      expect(await get(port, "/healthz")).toBe(200);
      expect(await get(port, `/run-${kind}/x`)).toBe(200);
      const check = spawn(process.execPath, [join(dist, "healthcheck.js")], {
        env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: String(port) },
      });
      expect(await new Promise((r) => check.once("close", r))).toBe(0);
      app.child.kill("SIGTERM");
      expect(await app.exited).toBe(0);
      expect(app.logs().map((l) => l.msg)).toEqual([
        "listening",
        "request",
        "request",
        "request", // the health check's
        "shutdown started",
        "shutdown complete",
      ]);

      const bad = start(join(dist, "main.js"), { PORT: "http" });
      expect(await bad.exited).toBe(1);
      expect(bad.stderr()).toContain(
        '"msg":"invalid configuration","error":"PORT is \\"http\\"; expected a whole number from 0 to 65535"',
      );
    },
  );

  it("worker: long-polls QUEUE_URL until SIGTERM, then exits 0; exits 1 without QUEUE_URL", async () => {
    const dist = await build("worker", "run-worker");
    const app = start(join(dist, "main.js"), {
      QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/123456789012/run-worker",
    });
    await app.waitFor("worker started");
    app.child.kill("SIGTERM");
    expect(await app.exited).toBe(0);
    expect(app.logs().map((l) => l.msg)).toEqual(["worker started", "shutdown started", "shutdown complete"]);
    const bad = start(join(dist, "main.js"), {});
    expect(await bad.exited).toBe(1);
    expect(bad.stderr()).toContain('"msg":"invalid configuration"');
  });

  it("job: does its work and exits 0", async () => {
    const dist = await build("job", "run-job");
    const app = start(join(dist, "main.js"), {});
    expect(await app.exited).toBe(0);
    expect(app.logs().map((l) => l.msg)).toEqual(["job started", "job done"]);
  });
});
