import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { DEFAULT_ENVIRONMENTS, ENVIRONMENT_NAME } from "@berth/core";
import { findRepoRoot } from "@berth/testing";
import { UsageError } from "./errors.js";

/** Where the platform's environments are: one `Pulumi.<env>.yaml` per environment. */
export const PLATFORM_DIR = join("stacks", "platform");
/** The one program of every service stack (Pulumi project `berth-service`). */
export const SERVICE_DIR = join("stacks", "service");
/** The catalogue: `apps/<name>/berth.yaml`. */
export const APPS_DIR = "apps";

/** The repository root: the nearest folder up from `from` with pnpm-workspace.yaml or .git. */
export function repositoryRoot(from: string): string {
  const root = findRepoRoot(from);
  if (!root) {
    throw new UsageError(
      `no repository around ${resolve(from)}: no pnpm-workspace.yaml or .git in it or above it; pass -C <repository>`,
    );
  }
  return root;
}

const STACK_FILE = /^Pulumi\.(.+)\.ya?ml$/;

/**
 * The platform's environments: the stacks of `<root>/stacks/platform` (its `Pulumi.<env>.yaml`
 * files) when that folder exists, else dev, staging and prod. The usual three come first, in that
 * order, then any other by name.
 */
export function platformEnvironments(root: string): string[] {
  const dir = join(root, PLATFORM_DIR);
  if (!existsSync(dir)) return [...DEFAULT_ENVIRONMENTS];
  const found = readdirSync(dir)
    .map((f) => STACK_FILE.exec(f)?.[1])
    .filter((e): e is string => e !== undefined && ENVIRONMENT_NAME.test(e));
  if (found.length === 0) return [...DEFAULT_ENVIRONMENTS];
  const rank = (e: string) => {
    const i = (DEFAULT_ENVIRONMENTS as readonly string[]).indexOf(e);
    return i < 0 ? DEFAULT_ENVIRONMENTS.length : i;
  };
  return [...new Set(found)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Checks `--env` against the platform's environments. */
export function checkEnvironment(env: string, environments: readonly string[]): string {
  if (!environments.includes(env)) {
    throw new UsageError(`--env '${env}' is not an environment of the platform: ${environments.join(", ")}`);
  }
  return env;
}
