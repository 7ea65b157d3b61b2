import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  DEFAULT_ENVIRONMENTS,
  formatIssue,
  loadCatalogue,
  ManifestError,
  platformEnvironments,
} from "@berth/core";
import { findRepoRoot } from "@berth/testing";
import { Command } from "commander";
import { UsageError } from "../errors.js";
import type { Io } from "../main.js";
import { APPS_DIR } from "../repo.js";
import { value } from "../values.js";
import {
  type Catalogue,
  checkFree,
  plannedFiles,
  REPORT_FILE,
  relativeTo,
  writeCatalogue,
} from "./catalogue.js";
import { loadCompose } from "./compose/load.js";
import { mapCompose } from "./compose/map.js";
import { loadCopilot } from "./copilot/load.js";
import { mapCopilot } from "./copilot/map.js";
import { ImportError } from "./errors.js";
import { Report } from "./report.js";

export { ImportError } from "./errors.js";
export { Report } from "./report.js";
export { toEventBridge } from "./schedule.js";

/** An import to run once the command line is parsed: writes to `io`, returns the exit code. */
export type ImportRun = (io: Io) => Promise<number>;

export interface ComposeImportOptions {
  cwd: string;
  file: string;
  out?: string;
  envFiles: string[];
}

export interface CopilotImportOptions {
  cwd: string;
  dir: string;
  out?: string;
}

/**
 * `berth import`: `compose <file>` and `copilot <dir>`, each writing one manifest per service into
 * `<apps-dir>/<service>/berth.yaml`, shared resources into `<apps-dir>/berth.shared.yaml` and
 * the report into `<apps-dir>/IMPORT-REPORT.md`. The command only parses: `onRun` receives the
 * import to run (exit codes 0 written and valid, 1 an input problem or an invalid result, 2 usage).
 *
 * @example
 * program.addCommand(importCommand(cwd, (run) => { action = () => run(io); }));
 */
export function importCommand(cwd: string, onRun: (run: ImportRun) => void): Command {
  const root = new Command("import")
    .description(
      "Turn a docker compose file or a Copilot workspace into service manifests, with a report of every key",
    )
    .helpCommand(false)
    // Without a known subcommand: one usage message, naming the word that is not one.
    .allowExcessArguments(true)
    .action((_options: unknown, cmd: Command) => {
      const what = cmd.args[0];
      throw new UsageError(
        `${what ? `unknown command '${what}'` : "say what to import"}: berth import compose <compose-file>, or berth import copilot <copilot-dir>`,
      );
    });
  root.addCommand(
    new Command("compose")
      .description("Import a compose file: one apps/<service>/berth.yaml per service")
      .argument("<compose-file>", "the compose file (compose.yaml, docker-compose.yml)")
      .option("--out <apps-dir>", "Write the services here (default: <repository>/apps)", value("--out"))
      .option(
        "--env-file <file>",
        "Variables for interpolation, instead of the .env next to the file (repeatable; later files win)",
        (v: string, prev: string[]) => [...prev, value("--env-file")(v)],
        [] as string[],
      )
      .addHelpText(
        "after",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose's variable syntax, shown in the help
        "\nReads the file as docker compose does (anchors, merge keys, extends, env_file, ${VAR:-default},\n" +
          ".env or --env-file, the shell's variables), then maps each active service to a kind (web,\n" +
          "internal, worker, job), PostgreSQL and Redis to managed resources, named volumes to EFS volumes\n" +
          "and secret-looking variables to SSM parameters. Services with profiles are not imported.\n" +
          "\nExamples:\n" +
          "  berth import compose docker-compose.yml\n" +
          "  berth import compose compose.yaml --env-file .env.production --out apps\n" +
          "\nExit codes: 0 written and valid, 1 the input cannot be read (file:line:column) or a written\n" +
          "manifest fails the checks, 2 bad usage or a file would be overwritten (nothing written).",
      )
      .action((file: string, raw: { out?: string; envFile: string[] }) => {
        onRun((runIo) =>
          runComposeImport({ cwd, file, envFiles: raw.envFile, ...(raw.out ? { out: raw.out } : {}) }, runIo),
        );
      }),
  );
  root.addCommand(
    new Command("copilot")
      .description("Import an AWS Copilot workspace: one apps/<service>/berth.yaml per service and job")
      .argument("<copilot-dir>", "the workspace (the folder with copilot/) or its copilot/ folder")
      .option("--out <apps-dir>", "Write the services here (default: <repository>/apps)", value("--out"))
      .addHelpText(
        "after",
        "\nReads copilot/<name>/manifest.yml (Load Balanced Web, Backend, Worker and Request-Driven Web\n" +
          "Services, Scheduled Jobs) and copilot/environments/<env>/manifest.yml; environment overrides\n" +
          "become environments.<env> of the platform's environments.\n" +
          "\nExamples:\n" +
          "  berth import copilot .\n" +
          "  berth import copilot ../legacy/copilot --out apps\n" +
          "\nExit codes: 0 written and valid, 1 the input cannot be read or a written manifest fails the\n" +
          "checks, 2 bad usage or a file would be overwritten (nothing written).",
      )
      .action((dir: string, raw: { out?: string }) => {
        onRun((runIo) => runCopilotImport({ cwd, dir, ...(raw.out ? { out: raw.out } : {}) }, runIo));
      }),
  );
  // Output, errors and exit codes are configured by the berth command for every subcommand.
  for (const c of root.commands) c.helpOption("-h, --help", "Show this help");
  return root;
}

/** The apps folder, the manifest schema and the platform's environments, from where the command runs. */
function target(cwd: string, out: string | undefined) {
  const root = findRepoRoot(cwd);
  const outDir = out ? resolve(cwd, out) : join(root ?? cwd, APPS_DIR);
  const schema = root ? join(root, "schemas", "berth-manifest.schema.json") : undefined;
  const environments = root ? platformEnvironments(root) : [...DEFAULT_ENVIRONMENTS];
  return { outDir, schemaFile: schema && existsSync(schema) ? schema : undefined, environments };
}

export async function runComposeImport(opts: ComposeImportOptions, io: Io): Promise<number> {
  return guarded(io, "compose", () => {
    const t = target(opts.cwd, opts.out);
    const project = loadCompose(opts.file, { cwd: opts.cwd, envFiles: opts.envFiles, shell: io.env });
    const report = new Report(
      `berth import compose ${opts.file}${opts.envFiles.map((f) => ` --env-file ${f}`).join("")}`,
      project.shown,
    );
    const cat = mapCompose(project, report, { serviceDir: (name) => join(t.outDir, name) });
    return finish(cat, report, t, opts.cwd, io);
  });
}

export async function runCopilotImport(opts: CopilotImportOptions, io: Io): Promise<number> {
  return guarded(io, "copilot", () => {
    const t = target(opts.cwd, opts.out);
    const ws = loadCopilot(opts.dir, { cwd: opts.cwd });
    const report = new Report(`berth import copilot ${opts.dir}`, ws.shown);
    const cat = mapCopilot(ws, report, {
      serviceDir: (name) => join(t.outDir, name),
      environments: t.environments,
    });
    return finish(cat, report, t, opts.cwd, io);
  });
}

function finish(cat: Catalogue, report: Report, t: ReturnType<typeof target>, cwd: string, io: Io): number {
  if (cat.drafts.length === 0) {
    // Nothing to write: the report (on stdout) says why each service was left out.
    io.stdout.write(report.markdown());
    const why = report.groups.filter((g) => g.result).map((g) => `${g.name}: ${g.result}`);
    throw new ImportError(
      `${report.input}: no service could be imported (${why.join("; ")}); nothing was written`,
    );
  }
  checkFree(plannedFiles(cat, t.outDir), cwd);
  writeCatalogue(cat, report, t, cwd);
  io.stdout.write(report.markdown());
  const decisions = report.counts().decide;
  io.stdout.write(
    `\nWrote ${report.written.length} files to ${relativeTo(cwd, t.outDir)}/; ${REPORT_FILE} lists every key` +
      `${decisions ? ` (${decisions} need${decisions === 1 ? "s" : ""} a decision)` : ""}.\n`,
  );
  try {
    loadCatalogue(t.outDir, { environments: t.environments });
  } catch (e) {
    if (e instanceof ManifestError) {
      // Paths as the user gave them (the checks name files from the process's folder).
      const shown = e.issues
        .map((i) => formatIssue({ ...i, file: relativeTo(cwd, resolve(i.file)) }))
        .join("\n")
        .replaceAll(`${t.outDir}/`, `${relativeTo(cwd, t.outDir)}/`);
      io.stderr.write(`error: the written manifests do not pass the checks:\n${shown}\n`);
      return 1;
    }
    throw e;
  }
  return 0;
}

/** Runs an import: input problems are one message and exit code 1, never a stack trace. */
async function guarded(io: Io, what: string, run: () => number): Promise<number> {
  try {
    return run();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if (e instanceof ImportError) {
      io.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    const message = e instanceof Error ? e.message : String(e);
    io.stderr.write(
      `error: berth import ${what} failed unexpectedly: ${message} (a bug in the importer: please report it with the input)\n`,
    );
    return 1;
  }
}
