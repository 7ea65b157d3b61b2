import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadProject, type ProgramRunOptions, ProjectError } from "@berth/testing";
import { UsageError } from "../errors.js";
import { appsDirOf } from "../repo.js";
import { stacksToPreview } from "../stacks.js";
import { sameInputs } from "./git.js";

/** One stack compared: where its program is (relative to the repository root) and how it runs. */
export interface DiffTarget {
  /** `<project>/<stack>`. */
  label: string;
  /** The project folder relative to the repository root, with forward slashes. */
  dir: string;
  stack: string;
  /** Run options besides the project folder. */
  run: Omit<ProgramRunOptions, "projectDir">;
}

/** What picks the stacks: one project's stack, or an environment (and maybe one service). */
export type Selection =
  | { kind: "stack"; dir: string; stack: string; organization?: string }
  | { kind: "env"; env: string; service?: string };

/** Files at the root every program's build depends on. */
const ROOT_INPUTS = ["pnpm-lock.yaml", "package.json", "pnpm-workspace.yaml", "tsconfig.base.json"];

/**
 * What a stack's run depends on, as paths relative to the root: its project folder, the
 * workspace packages, the catalogue and the lockfile; for a project under `stacks/`, every stack
 * (stack references run their programs).
 */
export function inputsOf(t: DiffTarget): string[] {
  const under = t.dir.split("/")[0] === "stacks" ? ["stacks"] : [t.dir];
  return [...new Set([...under, "packages", "apps", ...ROOT_INPUTS])];
}

/** Whether the base has the same inputs as the working tree for this target (its run is reused). */
export function unchanged(root: string, commit: string, t: DiffTarget): boolean {
  return sameInputs(root, commit, inputsOf(t));
}

function projectName(dir: string): string | undefined {
  try {
    return loadProject(dir).name;
  } catch (e) {
    if (e instanceof ProjectError) return undefined;
    throw e;
  }
}

function hasStackFile(dir: string, stack: string): boolean {
  return existsSync(join(dir, `Pulumi.${stack}.yaml`)) || existsSync(join(dir, `Pulumi.${stack}.yml`));
}

/** The package of a project folder (its package.json name), for the upgrade guard. */
export function packageOf(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string }).name;
  } catch {
    return undefined;
  }
}

/**
 * The stacks a selection names in one checkout (`root`: the working tree or the base's work
 * tree). A stack that checkout does not have is left out (a new or a removed one); a
 * {@link UsageError} only for a selection that cannot be read there at all.
 */
export function targetsAt(root: string, sel: Selection, env: NodeJS.ProcessEnv): DiffTarget[] {
  if (sel.kind === "stack") {
    const dir = join(root, sel.dir);
    const project = existsSync(dir) ? projectName(dir) : undefined;
    if (!project || !hasStackFile(dir, sel.stack)) return [];
    return [
      {
        label: `${project}/${sel.stack}`,
        dir: sel.dir,
        stack: sel.stack,
        run: { stack: sel.stack, ...(sel.organization ? { organization: sel.organization } : {}) },
      },
    ];
  }
  return stacksToPreview(root, sel.env, sel.service, appsDirOf(root, env)).map((t) => ({
    label: t.label,
    dir: t.run.projectDir
      .slice(root.length + 1)
      .split(/[\\/]/)
      .join("/"),
    stack: t.run.stack,
    run: { stack: t.run.stack, ...(t.run.stackConfigOptional ? { stackConfigOptional: true } : {}) },
  }));
}

/**
 * The stacks of one side, leniently: a selection the side cannot name (an environment or a
 * service it does not have) is an empty side, not an error; the error is kept for when neither
 * side has it.
 */
export function sideTargets(
  root: string,
  sel: Selection,
  env: NodeJS.ProcessEnv,
): { targets: DiffTarget[]; error?: UsageError } {
  try {
    return { targets: targetsAt(root, sel, env) };
  } catch (e) {
    if (e instanceof UsageError) return { targets: [], error: e };
    throw e;
  }
}
