import { resolve } from "node:path";
import { Command } from "commander";
import { UsageError } from "../errors.js";
import { value } from "../values.js";
import type { DiffFormat, DiffOptions } from "./run.js";

const FORMATS: readonly DiffFormat[] = ["text", "markdown", "json"];

/** `berth diff`: its options, read into {@link DiffOptions}. */
export function diffCommand(cwd: string, onOptions: (opts: DiffOptions) => void): Command {
  return new Command("diff")
    .description(
      "Compare the stacks at a base commit with the working tree, offline: what would be created, updated, replaced or deleted",
    )
    .option(
      "--base <git-ref>",
      "The commit to compare with (default: the merge base of HEAD and the default branch)",
      value("--base"),
    )
    .option("-C, --cwd <dir>", "The Pulumi project of -s (default: current folder)", value("-C"))
    .option(
      "-s, --stack <name>",
      "The stack of the -C project: <stack>, <org>/<stack> or <org>/<project>/<stack>",
      value("-s"),
    )
    .option(
      "--env <env>",
      "An environment: the platform stack (stacks/platform), then every service's stack",
      value("--env"),
    )
    .option(
      "--service <name>",
      "One service's stack <env>.<name> (stacks/service); needs --env",
      value("--service"),
    )
    .option("--format <fmt>", "text (default), markdown (a pull-request comment) or json", value("--format"))
    .option("--debug", "Show stack traces of program errors")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  berth diff --env dev                         the platform's dev and every service's dev.<name>\n" +
        "  berth diff --service orders --env prod       the stack prod.orders\n" +
        "  berth diff -C stacks/shared -s shared        one stack of a project\n" +
        "  berth diff --base origin/main --format markdown\n" +
        "\nThe base is checked out once per commit in .git/berth/worktrees/<commit>,\n" +
        "installed from the local pnpm store (--offline) and built; a stack whose inputs did not change\n" +
        "reuses the working tree's run. Secrets are never printed.\n" +
        "\nExit codes: 0 ok (changes or not), 1 a program failed, 2 bad usage.",
    )
    .action((raw: Record<string, string | boolean | undefined>) => {
      const format = (raw.format as string | undefined) ?? "text";
      if (!FORMATS.includes(format as DiffFormat)) {
        throw new UsageError(`--format is '${format}'; use ${FORMATS.join(", ")}`);
      }
      onOptions({
        cwd,
        ...(raw.base !== undefined ? { base: raw.base as string } : {}),
        ...(raw.cwd !== undefined ? { dir: resolve(cwd, raw.cwd as string) } : {}),
        ...(raw.stack !== undefined ? { stack: raw.stack as string } : {}),
        ...(raw.env !== undefined ? { env: raw.env as string } : {}),
        ...(raw.service !== undefined ? { service: raw.service as string } : {}),
        format: format as DiffFormat,
        debug: raw.debug === true,
      });
    });
}
