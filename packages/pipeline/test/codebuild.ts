// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are shell code
// Runs a buildspec's phases the way CodeBuild does: every item of `commands` is its own bash script
// (`/codebuild/output/tmp/script.sh` in CodeBuild's logs); shell VARIABLES carry from one command to
// the next (what buildspec version 0.2 promises), shell OPTIONS (`set -e`, `pipefail`) and functions
// do not; the first failing command ends its phase, and a failed phase ends the build.
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface Phases {
  phases: Record<string, { commands?: string[] }>;
  env?: { variables?: Record<string, unknown> };
}

export interface CommandRun {
  phase: string;
  index: number;
  command: string;
  status: number | null;
}

export interface BuildRun {
  /** 0 when every command of every phase run succeeded, else 1 (CodeBuild's FAILED). */
  status: number;
  /** The phase that failed, if any. */
  failedPhase?: string;
  commands: CommandRun[];
  stdout: string;
  stderr: string;
  calls: string[];
  dir: string;
}

/** Bash's own variables, which cannot (or must not) be set again from a saved state. */
const INTERNAL =
  "__BERTH_STATE|BASH[A-Z_]*|SHELLOPTS|BASHOPTS|EUID|PPID|UID|GROUPS|FUNCNAME|RANDOM|SRANDOM|SECONDS|LINENO|EPOCHREALTIME|EPOCHSECONDS|PIPESTATUS|DIRSTACK|HISTCMD|OPTIND|OPTERR|OPTARG|_|__berth_rc";

/** Before each command: load the variables the previous one left; on exit, save them. */
function wrap(command: string): string {
  return [
    '[[ -s "${__BERTH_STATE}" ]] && source "${__BERTH_STATE}"',
    "__berth_save() {",
    "  __berth_rc=$?",
    `  declare -p | grep -vE '^declare -[A-Za-z-]*r' | grep -vE '^declare -[A-Za-z-]* (${INTERNAL})=' > "\${__BERTH_STATE}.next"`,
    '  mv "${__BERTH_STATE}.next" "${__BERTH_STATE}"',
    '  exit "${__berth_rc}"',
    "}",
    "trap __berth_save EXIT",
    command,
  ].join("\n");
}

/**
 * Runs the given phases of a buildspec, command by command, in `dir` with `bin` first on the PATH.
 * Variables of `env` and of the buildspec's `env.variables` (the buildspec's lose) are exported.
 */
export function runPhases(
  spec: Phases,
  phases: string[],
  dir: string,
  bin: string,
  env: Record<string, string> = {},
): BuildRun {
  const calls = join(dir, "calls.log");
  writeFileSync(calls, "");
  const state = join(dir, ".codebuild-state");
  writeFileSync(state, "");
  const defaults = Object.fromEntries(
    Object.entries(spec.env?.variables ?? {}).map(([k, v]) => [k, String(v)]),
  );
  const base = {
    HOME: dir,
    PATH: `${bin}:${process.env.PATH}`,
    CALLS: calls,
    __BERTH_STATE: state,
    ...defaults,
    ...env,
  };
  const commands: CommandRun[] = [];
  let stdout = "";
  let stderr = "";
  let failedPhase: string | undefined;
  for (const phase of phases) {
    for (const [index, command] of (spec.phases[phase]?.commands ?? []).entries()) {
      const res = spawnSync("/bin/bash", ["-c", wrap(command)], {
        cwd: dir,
        encoding: "utf8",
        env: base,
      });
      stdout += res.stdout;
      stderr += res.stderr;
      commands.push({ phase, index, command, status: res.status });
      if (res.status !== 0) {
        failedPhase = phase;
        break;
      }
    }
    if (failedPhase) break;
  }
  return {
    status: failedPhase ? 1 : 0,
    ...(failedPhase ? { failedPhase } : {}),
    commands,
    stdout,
    stderr,
    calls: readFileSync(calls, "utf8").split("\n").filter(Boolean),
    dir,
  };
}
