import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The buildspec templates `@berth/pipeline` ships (`ci/buildspecs/<name>.yml` in the repository). */
export const BUILDSPEC_NAMES = ["test", "build-image", "deploy", "preview"] as const;
export type BuildspecName = (typeof BUILDSPEC_NAMES)[number];

/**
 * Where the templates are: the package's own `buildspecs/` folder (copied there by `pnpm build`),
 * or, inside the Berth repository before a build, their single source `ci/buildspecs/`.
 */
function candidates(): string[] {
  const pkg = join(__dirname, "..");
  return [join(pkg, "buildspecs"), join(pkg, "..", "..", "ci", "buildspecs")];
}

/**
 * The text of one of the shipped buildspec templates.
 *
 * @example
 * const spec = loadBuildspec("deploy"); // "# Berth buildspec: deploy ..."
 */
export function loadBuildspec(name: BuildspecName): string {
  if (!BUILDSPEC_NAMES.includes(name)) {
    throw new Error(`unknown buildspec '${name}'; known: ${BUILDSPEC_NAMES.join(", ")}`);
  }
  const dirs = candidates();
  for (const dir of dirs) {
    const file = join(dir, `${name}.yml`);
    if (existsSync(file)) return readFileSync(file, "utf8");
  }
  throw new Error(
    `buildspec '${name}' not found in ${dirs.join(" or ")}; run \`pnpm --filter @berth/pipeline build\``,
  );
}
