// The release pointer's name and the digest-pinned image it holds are a contract with the platform
// stack, so they live in @berth/core; re-exported here for the pipeline's users.
export { DEFAULT_RELEASE_PARAMETER_PREFIX, isDigestImageRef, releaseParameterName } from "@berth/core";

/** Environment names treated as production: they get a manual approval unless it is waived. */
export const PROD_LIKE_ENVIRONMENTS: readonly string[] = ["prod", "production", "prd", "live"];

/** Whether an environment name is production-like (`prod`, `production`, `prd`, `live`, `prod-eu`…). */
export function isProdLike(name: string): boolean {
  return PROD_LIKE_ENVIRONMENTS.some((p) => name === p || name.startsWith(`${p}-`));
}
