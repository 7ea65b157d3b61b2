import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadProject, ProjectError, type RunRecord, runProgramInProcess } from "@berth/testing";
import { Command, CommanderError } from "commander";
import { composeCommand, runCompose } from "./compose-out/index.js";
import { diffCommand } from "./diff/command.js";
import { type DiffOptions, runDiff, type StackPicker } from "./diff/run.js";
import { UsageError } from "./errors.js";
import { reportFailure } from "./failure.js";
import { importCommand } from "./import/index.js";
import { type NewOptions, newCommand, runNew } from "./new.js";
import { toPreviewDigest } from "./preview-json.js";
import { renderMarkdown, renderText } from "./render.js";
import { runServices, type ServicesOptions, servicesCommand } from "./services-command.js";
import { previewStacks } from "./stacks.js";
import { styleFor } from "./style.js";
import { value } from "./values.js";

export interface Io {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export { UsageError };

export interface PreviewOptions {
  cwd: string;
  /** The stack as given with -s: `<stack>`, `<org>/<stack>` or `<org>/<project>/<stack>`. */
  stack?: string;
  json: boolean;
  format: "text" | "markdown";
  fixtures?: string;
  configFile?: string;
  debug: boolean;
  /** A service of the catalogue: its stack `<env>.<service>` of project berth-service (needs env). */
  service?: string;
  /** An environment: the platform stack `<env>`, then every service's (or only --service's). */
  env?: string;
  /** `--base <git-ref>`: show the change against that commit (what `berth diff` prints). */
  base?: string;
}

/** What `pulumi preview`'s own option says, so the two read alike. */
function previewCommand(cwd: string, onOptions: (opts: PreviewOptions) => void): Command {
  return new Command("preview")
    .description("Run a Pulumi program offline and show what it would create")
    .option("-C, --cwd <dir>", "Run the Pulumi project in this folder (default: current folder)", value("-C"))
    .option(
      "-s, --stack <name>",
      "The stack whose Pulumi.<stack>.yaml configures the run: <stack>, <org>/<stack> or <org>/<project>/<stack>",
      value("-s"),
    )
    .option("-j, --json", "Print the `pulumi preview --json` document")
    .option("--format <fmt>", "text (default) or markdown (for pull-request comments)", value("--format"))
    .option("--config-file <file>", "Use this file instead of Pulumi.<stack>.yaml", value("--config-file"))
    .option(
      "--fixtures <file>",
      "Values the engine cannot compute (default: berth.fixtures.yaml)",
      value("--fixtures"),
    )
    .option("--debug", "Show stack traces of program errors")
    .option(
      "--service <name>",
      "Preview this service's stack <env>.<name> (project berth-service, stacks/service); needs --env",
      value("--service"),
    )
    .option(
      "--env <env>",
      "Preview this environment: the platform stack (stacks/platform), then every service's stack",
      value("--env"),
    )
    .option(
      "--base <git-ref>",
      "Show the change against this commit instead of every resource (what `berth diff --base` prints)",
      value("--base"),
    )
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  berth preview -C stacks/platform -s dev    one stack of a Pulumi project\n" +
        "  berth preview --service orders --env prod  the stack prod.orders of stacks/service\n" +
        "  berth preview --env dev                    the platform's dev, then every service's dev.<name>\n" +
        "\nExit codes: 0 ok, 1 a program failed (its message on stderr), 2 bad usage.\n" +
        "No credentials, no network: the program runs under the offline engine.",
    )
    .action((raw: Record<string, string | boolean | undefined>) => {
      const format = (raw.format as string | undefined) ?? "text";
      if (format !== "text" && format !== "markdown") {
        throw new UsageError(`--format is '${format}'; use text or markdown`);
      }
      onOptions({
        cwd: raw.cwd ? resolve(cwd, raw.cwd as string) : cwd,
        ...(raw.stack !== undefined ? { stack: raw.stack as string } : {}),
        json: raw.json === true,
        format,
        ...(raw.fixtures ? { fixtures: resolve(cwd, raw.fixtures as string) } : {}),
        ...(raw.configFile ? { configFile: resolve(cwd, raw.configFile as string) } : {}),
        debug: raw.debug === true,
        ...(raw.service !== undefined ? { service: raw.service as string } : {}),
        ...(raw.env !== undefined ? { env: raw.env as string } : {}),
        ...(raw.base !== undefined ? { base: raw.base as string } : {}),
      });
    });
}

interface Handlers {
  preview(o: PreviewOptions): void;
  diff(o: DiffOptions): void;
  services(o: ServicesOptions): void;
  scaffold(o: NewOptions): void;
  /** A command that runs itself once parsed (compose, import): the run returns the exit code. */
  run(r: (io: Io) => Promise<number>): void;
}

/** The `berth` command, writing to `io` and never exiting the process itself. */
function program(io: Pick<Io, "stdout" | "stderr">, cwd: string, on: Handlers) {
  const root = new Command("berth")
    .description(
      "Services as data, and offline previews of Pulumi programs: no AWS account, no Pulumi CLI, no network.",
    )
    .version(version(), "-v, --version", "Show the version")
    .helpOption("-h, --help", "Show this help")
    .helpCommand("help [command]", "Show the help of a command")
    .addCommand(previewCommand(cwd, on.preview).helpOption("-h, --help", "Show this help"))
    .addCommand(diffCommand(cwd, on.diff).helpOption("-h, --help", "Show this help"))
    .addCommand(servicesCommand(cwd, on.services).helpOption("-h, --help", "Show this help"))
    .addCommand(newCommand(cwd, on.scaffold).helpOption("-h, --help", "Show this help"))
    .addCommand(
      composeCommand(cwd, (o) => on.run((runIo) => runCompose(o, runIo))).helpOption(
        "-h, --help",
        "Show this help",
      ),
    )
    .addCommand(importCommand(cwd, (r) => on.run(r)).helpOption("-h, --help", "Show this help"));
  const configure = (c: Command) =>
    c
      .exitOverride()
      .configureOutput({
        writeOut: (s) => io.stdout.write(s),
        writeErr: (s) => io.stderr.write(s),
        getOutHasColors: () => false,
        getErrHasColors: () => false,
        getOutHelpWidth: () => 100,
        getErrHelpWidth: () => 100,
        // Errors are written by main(), in one format.
        outputError: () => undefined,
      })
      .showSuggestionAfterError(true);
  configure(root);
  const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
  for (const c of all(root).slice(1)) configure(c);
  return root;
}

/** `berth` with no command: the same help, for the usage errors to point at. */
const IGNORE: Handlers = {
  preview: () => undefined,
  diff: () => undefined,
  services: () => undefined,
  scaffold: () => undefined,
  run: () => undefined,
};

export const USAGE = program({ stdout: { write: () => 0 }, stderr: { write: () => 0 } }, ".", IGNORE)
  .helpInformation()
  .replace(/^Usage: berth \[options\] \[command\]/, "Usage: berth <command> [options]");

/**
 * Parses the options of `berth preview` (everything after the word `preview`). Throws
 * {@link UsageError} for an unknown option, a missing value or a value that is not allowed.
 */
export function parsePreviewArgs(args: string[], cwd: string): PreviewOptions {
  let parsed: PreviewOptions | undefined;
  const silent = { write: () => 0 };
  const cmd = program({ stdout: silent, stderr: silent }, cwd, {
    ...IGNORE,
    preview: (o) => {
      parsed = o;
    },
  });
  try {
    cmd.parse(["preview", ...args], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) throw new UsageError(commanderMessage(e));
    throw e;
  }
  if (!parsed) throw new UsageError("no options parsed");
  return parsed;
}

function commanderMessage(e: CommanderError): string {
  return e.message.replace(/^error: /, "");
}

/** The parts of `-s`: Pulumi's own rule for stack references. */
export interface StackRef {
  organization?: string;
  project?: string;
  stack: string;
}

const NAME_CHARS = /^[A-Za-z0-9_.-]+$/;

/**
 * Checks a stack name the way the Pulumi CLI does (`ParseStackName`, and the backends' stack
 * references): `<stack>`, `<org>/<stack>` or `<org>/<project>/<stack>`, each part 1 to 100
 * letters, digits, `-`, `_` or `.`. So the name can only ever pick `Pulumi.<stack>.yaml` in the
 * project folder, never a path elsewhere.
 *
 * @example parseStackRef("organization/berth-platform/dev") // { organization, project, stack: "dev" }
 */
export function parseStackRef(value: string): StackRef {
  const parts = value.split("/");
  const shape = "a stack is <stack>, <org>/<stack> or <org>/<project>/<stack>";
  if (parts.length > 3) {
    throw new UsageError(`-s '${value}' is not a stack name: ${shape} (it has ${parts.length} parts)`);
  }
  const roles =
    parts.length === 1
      ? ["stack"]
      : parts.length === 2
        ? ["organization", "stack"]
        : ["organization", "project", "stack"];
  parts.forEach((part, i) => {
    const role = roles[i]!;
    if (part === "")
      throw new UsageError(`-s '${value}' is not a stack name: its ${role} is empty; ${shape}`);
    if (part.length > 100) {
      throw new UsageError(`-s '${value}' is not a stack name: a ${role} name has at most 100 characters`);
    }
    if (!NAME_CHARS.test(part)) {
      const bad = [...part].findIndex((c) => !NAME_CHARS.test(c));
      throw new UsageError(
        `-s '${value}' is not a stack name: a ${role} name may only contain letters, digits, '-', '_' ` +
          `and '.' (invalid character '${part[bad]}' at position ${bad} of '${part}')`,
      );
    }
  });
  const stack = parts[parts.length - 1]!;
  if (parts.length === 2) return { organization: parts[0]!, stack };
  if (parts.length === 3) return { organization: parts[0]!, project: parts[1]!, stack };
  return { stack };
}

/** Without -s: the only stack that has a Pulumi.<stack>.yaml, else an error listing them. */
export function pickStack(dir: string, stack: string | undefined): string {
  if (stack) return stack;
  const stacks = existsSync(dir)
    ? readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
    : [];
  if (stacks.length === 1) return stacks[0]!;
  throw new UsageError(
    stacks.length === 0
      ? `no stack config (Pulumi.<stack>.yaml) in ${dir}; pass -s <stack>`
      : `choose a stack with -s: ${stacks.sort().join(", ")}`,
  );
}

function version(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

/** The project named in -s must be the folder's project, as the Pulumi CLI requires. */
function checkProject(dir: string, ref: StackRef, given: string): void {
  if (ref.project === undefined) return;
  let name: string;
  try {
    name = loadProject(dir).name;
  } catch (e) {
    if (e instanceof ProjectError) return; // the run reports the missing or broken Pulumi.yaml
    throw e;
  }
  if (name !== ref.project) {
    throw new UsageError(`-s '${given}' names project '${ref.project}', but ${dir} is project '${name}'`);
  }
}

/** `-s` (or the folder's only stack file), checked as Pulumi checks a stack name. */
const pickRef: StackPicker = (dir, given) => {
  const name = pickStack(dir, given);
  const ref = parseStackRef(name);
  checkProject(dir, ref, name);
  return ref;
};

/** `berth preview --base <ref>`: the diff against that commit, in the preview's format. */
function previewAgainst(opts: PreviewOptions, io: Io): Promise<number> {
  for (const [flag, given] of [
    ["--config-file", opts.configFile],
    ["--fixtures", opts.fixtures],
  ] as const) {
    if (given !== undefined)
      throw new UsageError(`${flag} does not apply with --base (both sides use their own)`);
  }
  const byName = opts.env !== undefined || opts.service !== undefined;
  return runDiff(
    {
      cwd: io.cwd,
      base: opts.base!,
      ...(byName ? {} : { dir: opts.cwd }),
      ...(opts.stack !== undefined ? { stack: opts.stack } : {}),
      ...(opts.env !== undefined ? { env: opts.env } : {}),
      ...(opts.service !== undefined ? { service: opts.service } : {}),
      format: opts.json ? "json" : opts.format,
      debug: opts.debug,
    },
    io,
    pickRef,
  );
}

async function preview(opts: PreviewOptions, io: Io): Promise<number> {
  if (opts.base !== undefined) return previewAgainst(opts, io);
  if (opts.env !== undefined || opts.service !== undefined) return previewStacks(opts, io);
  const given = pickStack(opts.cwd, opts.stack);
  const ref = parseStackRef(given);
  checkProject(opts.cwd, ref, given);
  // The engine tells the program which file its config came from (BERTH_CONFIG_FILE).
  const record: RunRecord = await runProgramInProcess({
    projectDir: opts.cwd,
    stack: ref.stack,
    ...(ref.organization ? { organization: ref.organization } : {}),
    ...(opts.fixtures ? { fixtures: opts.fixtures } : {}),
    ...(opts.configFile ? { configFile: opts.configFile } : {}),
  });
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(toPreviewDigest(record), null, 4)}\n`);
  } else if (opts.format === "markdown") {
    io.stdout.write(renderMarkdown(record));
  } else if (!record.error) {
    io.stdout.write(renderText(record, styleFor(io.stdout, io.env)));
  }
  if (record.error) {
    reportFailure(record, io, opts.debug);
    return 1;
  }
  return 0;
}

/** Runs the CLI; returns the exit code (0 ok, 1 the program failed, 2 bad usage). */
export async function main(argv: string[], io: Io): Promise<number> {
  let action: (() => Promise<number>) | undefined;
  const cmd = program(io, io.cwd, {
    preview: (o) => {
      action = () => preview(o, io);
    },
    diff: (o) => {
      action = () => runDiff(o, io, pickRef);
    },
    services: (o) => {
      action = () => runServices(o, io);
    },
    scaffold: (o) => {
      action = () => runNew(o, io);
    },
    run: (r) => {
      action = () => r(io);
    },
  });
  if (argv.length === 0) {
    cmd.outputHelp({ error: true });
    return 2;
  }
  const command = cmd.commands.find((c) => c.name() === argv[0]);
  const prefix = command ? `berth ${command.name()}` : "berth";
  const usage = (message: string, hint: boolean) => {
    io.stderr.write(`${prefix}: ${message}\n`);
    if (hint) io.stderr.write(`Run '${prefix} --help' for the options.\n`);
    return 2;
  };
  try {
    cmd.parse(argv, { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end the parse too, successfully.
      if (e.exitCode === 0) return 0;
      return usage(commanderMessage(e), true);
    }
    if (e instanceof UsageError) return usage(e.message, true);
    throw e;
  }
  if (!action) return 0;
  try {
    return await action();
  } catch (e) {
    if (e instanceof UsageError) return usage(e.message, false);
    throw e;
  }
}
