import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type RunRecord, runProgramInProcess } from "@berth/testing";
import { toPreviewDigest } from "./preview-json.js";
import { renderMarkdown, renderText } from "./render.js";
import { styleFor } from "./style.js";

export interface Io {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const USAGE = `Usage: berth <command> [options]

Commands:
  preview     Run a Pulumi program offline and show what it would create

Options for preview (as for \`pulumi preview\`):
  -C, --cwd <dir>          Run the Pulumi project in this folder (default: current folder)
  -s, --stack <name>       The stack whose Pulumi.<stack>.yaml configures the run
  -j, --json               Print the \`pulumi preview --json\` document
      --format <fmt>       text (default) or markdown (for pull-request comments)
      --config-file <file> Use this file instead of Pulumi.<stack>.yaml
      --fixtures <file>    Values the engine cannot compute (default: berth.fixtures.yaml)
      --debug              Show stack traces of program errors
  -h, --help               Show this help
  -v, --version            Show the version
`;

export class UsageError extends Error {}

export interface PreviewOptions {
  cwd: string;
  stack?: string;
  json: boolean;
  format: "text" | "markdown";
  fixtures?: string;
  configFile?: string;
  debug: boolean;
}

export function parsePreviewArgs(args: string[], cwd: string): PreviewOptions {
  const opts: PreviewOptions = { cwd, json: false, format: "text", debug: false };
  const value = (i: number, flag: string): string => {
    const v = args[i + 1];
    if (v === undefined || v.startsWith("-")) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < args.length; i++) {
    const raw = args[i]!;
    const [flag, inline] =
      raw.startsWith("--") && raw.includes("=")
        ? [raw.slice(0, raw.indexOf("=")), raw.slice(raw.indexOf("=") + 1)]
        : [raw, undefined];
    const take = () => {
      if (inline !== undefined) return inline;
      const v = value(i, flag);
      i++;
      return v;
    };
    switch (flag) {
      case "-C":
      case "--cwd":
        opts.cwd = resolve(cwd, take());
        break;
      case "-s":
      case "--stack":
        opts.stack = take();
        break;
      case "-j":
      case "--json":
        opts.json = true;
        break;
      case "--format": {
        const f = take();
        if (f !== "text" && f !== "markdown")
          throw new UsageError(`--format is '${f}'; use text or markdown`);
        opts.format = f;
        break;
      }
      case "--fixtures":
        opts.fixtures = resolve(cwd, take());
        break;
      case "--config-file":
        opts.configFile = resolve(cwd, take());
        break;
      case "--debug":
        opts.debug = true;
        break;
      default:
        throw new UsageError(`unknown option '${raw}'`);
    }
  }
  return opts;
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

/** Errors that point at a bug rather than at bad input: their stack trace is worth offering. */
const PROGRAMMING_ERRORS = ["TypeError", "ReferenceError", "SyntaxError", "RangeError"];

function reportFailure(record: RunRecord, io: Io, debug: boolean): void {
  const style = styleFor(io.stderr, io.env);
  const err = record.error!;
  io.stderr.write(`${style.red("error")}: ${err.message}\n`);
  if (debug && err.stack) io.stderr.write(`${err.stack}\n`);
  else if (PROGRAMMING_ERRORS.includes(err.name) && err.stack) {
    io.stderr.write(style.dim("(run with --debug for the stack trace)\n"));
  }
}

/** Runs the CLI; returns the exit code (0 ok, 1 the program failed, 2 bad usage). */
export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "-h" || command === "--help" || command === "help") {
    (command === undefined ? io.stderr : io.stdout).write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === "-v" || command === "--version") {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  if (command !== "preview") {
    io.stderr.write(`berth: unknown command '${command}'\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes("-h") || rest.includes("--help")) {
    io.stdout.write(USAGE);
    return 0;
  }
  let opts: PreviewOptions;
  let stack: string;
  try {
    opts = parsePreviewArgs(rest, io.cwd);
    stack = pickStack(opts.cwd, opts.stack);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`berth preview: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const record = await runProgramInProcess({
    projectDir: opts.cwd,
    stack,
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
