import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import {
  loadCatalogue,
  MANIFEST_FILE,
  ManifestError,
  SERVICE_KINDS,
  SERVICE_NAME,
  SERVICE_NAME_MAX,
  SERVICE_NAME_RULE,
  type ServiceKind,
} from "@berth/core";
import { findRepoRoot } from "@berth/testing";
import { Command } from "commander";
import { UsageError } from "./errors.js";
import type { Io } from "./main.js";
import { APPS_DIR, platformEnvironments } from "./repo.js";
import { value } from "./values.js";

export interface NewOptions {
  /** Where to look for the repository root (upwards). */
  cwd: string;
  kind: string;
  name: string;
  /** The container port (web, internal), as given: checked by {@link checkNew}. @default 8080 */
  port?: number | string;
  /** The folder of the services. @default `<root>/apps` */
  out?: string;
}

export const DEFAULT_PORT = 8080;

/** The folder of the templates, shipped with the package (`files`). */
export const TEMPLATES_DIR = join(__dirname, "..", "templates");

/**
 * The template folders a kind is made of, later ones overriding earlier ones: `common` (package,
 * tsconfig, vitest, logs, the ignore file), `http` (the server of web and internal services), then
 * the kind's own (Dockerfile, manifest, README, entry point, test).
 */
export const TEMPLATE_LAYERS: Record<ServiceKind, string[]> = {
  web: ["common", "http", "web"],
  internal: ["common", "http", "internal"],
  worker: ["common", "worker"],
  job: ["common", "job"],
};

const HTTP_KINDS: ServiceKind[] = ["web", "internal"];

export function newCommand(cwd: string, onOptions: (o: NewOptions) => void): Command {
  return new Command("new")
    .description("Create apps/<name>/: a service of a kind (web, internal, worker, job), ready to build")
    .argument("<kind>", `the kind of service: ${SERVICE_KINDS.join(", ")}`)
    .argument("<name>", `the service's name: ${SERVICE_NAME_RULE}`)
    .option("--port <n>", `The container port (web, internal; default ${DEFAULT_PORT})`, value("--port"))
    .option(
      "--out <apps-dir>",
      "Create the service in this folder (default: <repository>/apps)",
      value("--out"),
    )
    .option(
      "-C, --cwd <dir>",
      "Look for the repository from this folder (default: current folder)",
      value("-C"),
    )
    .addHelpText(
      "after",
      "\nWrites a Dockerfile (multi-stage, built from the repository root, non-root), its ignore file,\n" +
        "package.json (@berth-apps/<name>), tsconfig files, a vitest config, a minimal app with a test,\n" +
        "a README and berth.yaml; then checks the whole catalogue with the new service.\n" +
        "\nExamples:\n" +
        "  berth new web shop              apps/shop: an HTTP service on the shared load balancer at /shop/*\n" +
        "  berth new internal stock --port 3000\n" +
        "  berth new worker invoices       a consumer of its own SQS queue (QUEUE_URL)\n" +
        "  berth new job cleanup           a scheduled task\n" +
        "\nExit codes: 0 created, 1 created but the catalogue has a problem (lines on stderr),\n" +
        "2 bad usage (unknown kind, invalid name, existing folder): nothing written.",
    )
    .action((kind: string, name: string, raw: Record<string, string | undefined>) => {
      onOptions({
        cwd: raw.cwd ? resolve(cwd, raw.cwd) : cwd,
        kind,
        name,
        ...(raw.port !== undefined ? { port: raw.port } : {}),
        ...(raw.out !== undefined ? { out: resolve(cwd, raw.out) } : {}),
      });
    });
}

function parsePort(given: number | string): number {
  const v = String(given);
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 65535) {
    throw new UsageError(`--port '${v}' is not a port: a whole number from 1 to 65535`);
  }
  return n;
}

/** Checks kind, name and port; throws {@link UsageError} before anything is written. */
export function checkNew(opts: Pick<NewOptions, "kind" | "name" | "port">): {
  kind: ServiceKind;
  port: number;
} {
  if (!SERVICE_KINDS.includes(opts.kind as ServiceKind)) {
    throw new UsageError(`kind '${opts.kind}' is not one of ${SERVICE_KINDS.join(", ")}`);
  }
  const kind = opts.kind as ServiceKind;
  const n = opts.name;
  if (!SERVICE_NAME.test(n) || n.length < 2 || n.length > SERVICE_NAME_MAX) {
    throw new UsageError(`'${n}' is not a service name: ${SERVICE_NAME_RULE}`);
  }
  if (opts.port !== undefined && !HTTP_KINDS.includes(kind)) {
    throw new UsageError(`--port applies to kind ${HTTP_KINDS.join(", ")}; a ${kind} listens on no port`);
  }
  return { kind, port: opts.port === undefined ? DEFAULT_PORT : parsePort(opts.port) };
}

/**
 * A template that is not valid in its own language until substituted (berth.yaml: `name: {{name}}`
 * is a YAML map) is named `<file>.tmpl`, so formatters leave it alone; the suffix is dropped.
 */
const TEMPLATE_SUFFIX = ".tmpl";

/** Every template file of a kind: its path in the service folder → the template it comes from. */
export function templateFiles(kind: ServiceKind, templatesDir = TEMPLATES_DIR): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string, base: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full, base);
      else {
        const path = relative(base, full).split(sep).join("/");
        files.set(path.endsWith(TEMPLATE_SUFFIX) ? path.slice(0, -TEMPLATE_SUFFIX.length) : path, full);
      }
    }
  };
  for (const layer of TEMPLATE_LAYERS[kind]) walk(join(templatesDir, layer), join(templatesDir, layer));
  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)));
}

/** A template's text with `{{name}}` and `{{port}}` replaced. */
export function render(text: string, vars: { name: string; port: number }): string {
  return text.replace(/\{\{(name|port)\}\}/g, (_, k: "name" | "port") => String(vars[k]));
}

/**
 * Writes `<appsDir>/<name>/` from the kind's templates. Refuses an existing folder. Returns the
 * files written, relative to the service folder.
 */
export function scaffold(
  kind: ServiceKind,
  name: string,
  appsDir: string,
  port = DEFAULT_PORT,
  templatesDir = TEMPLATES_DIR,
): string[] {
  const dir = join(appsDir, name);
  if (existsSync(dir)) throw new UsageError(`${dir} already exists; choose another name or remove it`);
  const files = templateFiles(kind, templatesDir);
  mkdirSync(dir, { recursive: true });
  for (const [path, source] of files) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, render(readFileSync(source, "utf8"), { name, port }), { flag: "wx" });
  }
  return [...files.keys()];
}

export async function runNew(opts: NewOptions, io: Io): Promise<number> {
  const { kind, port } = checkNew(opts);
  const root = findRepoRoot(opts.out ?? opts.cwd);
  if (!opts.out && !root) {
    throw new UsageError(
      `no repository around ${opts.cwd}: no pnpm-workspace.yaml or .git in it or above it; pass -C <repository> or --out <apps-dir>`,
    );
  }
  const appsDir = opts.out ?? join(root!, APPS_DIR);
  const shown = (p: string) => {
    const r = relative(opts.cwd, p);
    return (r && !r.startsWith("..") ? r : p).split(sep).join("/");
  };
  const dir = join(appsDir, opts.name);
  if (existsSync(dir)) throw new UsageError(`${shown(dir)} already exists; choose another name or remove it`);
  const files = scaffold(kind, opts.name, appsDir, port);
  io.stdout.write(`Created ${shown(dir)}/ (${kind}${HTTP_KINDS.includes(kind) ? `, port ${port}` : ""}):\n`);
  for (const f of files) io.stdout.write(`  ${f}\n`);

  const environments = root ? platformEnvironments(root) : undefined;
  try {
    const catalogue = loadCatalogue(appsDir, environments ? { environments } : {});
    if (kind === "web") {
      // One line per distinct route, naming its environments.
      const routes = new Map<string, string[]>();
      for (const env of catalogue.environments) {
        const route = catalogue.routes(env).find((r) => r.service === opts.name);
        if (!route) continue;
        const text = `${[...route.hosts, ...route.paths].join(" ")} (listener priority ${route.priority})`;
        routes.set(text, [...(routes.get(text) ?? []), env]);
      }
      for (const [text, envs] of routes) io.stdout.write(`Route in ${envs.join(", ")}: ${text}\n`);
    }
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    io.stderr.write(`${err.message}\n`);
    io.stderr.write(
      `berth new: ${shown(dir)} was written, but the catalogue has the problems above: fix ${shown(join(dir, MANIFEST_FILE))} (or the files named) before deploying\n`,
    );
    return 1;
  }
  io.stdout.write(
    `\nNext:\n  pnpm install                                  (links the new workspace package; installs nothing new)\n` +
      `  pnpm --filter @berth-apps/${opts.name} test\n` +
      `  berth services                                (the catalogue, with ${opts.name})\n`,
  );
  return 0;
}
