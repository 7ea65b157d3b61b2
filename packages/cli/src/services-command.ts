import { relative, resolve, sep } from "node:path";
import { loadCatalogue, ManifestError } from "@berth/core";
import { Command } from "commander";
import type { Io } from "./main.js";
import { appsDirOf, checkEnvironment, platformEnvironments, repositoryRoot } from "./repo.js";
import { servicesDocument, servicesTable } from "./services.js";
import { value } from "./values.js";

export interface ServicesOptions {
  /** Where to look for the repository root (upwards). */
  cwd: string;
  env?: string;
  json: boolean;
}

export function servicesCommand(cwd: string, onOptions: (o: ServicesOptions) => void): Command {
  return new Command("services")
    .description("List the catalogue: every service of apps/*/berth.yaml, checked together")
    .option(
      "-C, --cwd <dir>",
      "Look for the repository from this folder (default: current folder)",
      value("-C"),
    )
    .option("--env <env>", "Show one environment of the platform (default: all of them)", value("--env"))
    .option("-j, --json", "Print a machine-readable document (version 1)")
    .addHelpText(
      "after",
      "\nThe repository is the nearest folder up with pnpm-workspace.yaml or .git; the environments are\n" +
        "the platform's stacks (stacks/platform/Pulumi.<env>.yaml), else dev, staging and prod.\n" +
        "A service that differs between environments gets a line per group of environments.\n" +
        "\nExamples:\n" +
        "  berth services\n" +
        "  berth services --env prod --json\n" +
        "\nExit codes: 0 ok, 1 a manifest is invalid (file:line:column lines on stderr), 2 bad usage.",
    )
    .action((raw: Record<string, string | boolean | undefined>) => {
      onOptions({
        cwd: raw.cwd ? resolve(cwd, raw.cwd as string) : cwd,
        ...(raw.env !== undefined ? { env: raw.env as string } : {}),
        json: raw.json === true,
      });
    });
}

/** Writes a catalogue's problems as they come: one `file:line:column: …` line each. */
export function reportManifestError(err: ManifestError, io: Io): number {
  io.stderr.write(`${err.message}\n`);
  return 1;
}

export async function runServices(opts: ServicesOptions, io: Io): Promise<number> {
  const root = repositoryRoot(opts.cwd);
  const all = platformEnvironments(root);
  const environments = opts.env !== undefined ? [checkEnvironment(opts.env, all)] : all;
  let catalogue: ReturnType<typeof loadCatalogue>;
  try {
    catalogue = loadCatalogue(appsDirOf(root, io.env), { environments: all });
  } catch (err) {
    if (err instanceof ManifestError) return reportManifestError(err, io);
    throw err;
  }
  const doc = servicesDocument(catalogue, environments, (file) =>
    relative(root, resolve(file)).split(sep).join("/"),
  );
  io.stdout.write(opts.json ? `${JSON.stringify(doc, null, 2)}\n` : servicesTable(doc));
  return 0;
}
