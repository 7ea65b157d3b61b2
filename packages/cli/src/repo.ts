import { join, resolve } from "node:path";
import { platformEnvironments } from "@berth/core";
import { findRepoRoot } from "@berth/testing";
import { UsageError } from "./errors.js";

/** The platform's environments: core's reading of `<root>/stacks/platform/Pulumi.<env>.yaml`. */
export { platformEnvironments };

/** Where the platform's environments are: one `Pulumi.<env>.yaml` per environment. */
export const PLATFORM_DIR = join("stacks", "platform");
/** The one program of every service stack (Pulumi project `berth-service`). */
export const SERVICE_DIR = join("stacks", "service");
/** The catalogue: `apps/<name>/berth.yaml`. */
export const APPS_DIR = "apps";

/**
 * The catalogue folder of a repository: `<root>/apps`, or the folder `BERTH_APPS_DIR` names (the
 * stacks read the same variable, so a preview and its programs see one catalogue).
 */
export function appsDirOf(root: string, env: NodeJS.ProcessEnv): string {
  return env.BERTH_APPS_DIR ?? join(root, APPS_DIR);
}

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

/** Checks `--env` against the platform's environments. */
export function checkEnvironment(env: string, environments: readonly string[]): string {
  if (!environments.includes(env)) {
    throw new UsageError(`--env '${env}' is not an environment of the platform: ${environments.join(", ")}`);
  }
  return env;
}
