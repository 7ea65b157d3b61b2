/** The default prefix of release pointers: `/berth/<environment>/<service>/image`. */
export const DEFAULT_RELEASE_PARAMETER_PREFIX = "/berth";

/**
 * The name of an environment's release pointer for a service: the SSM String parameter the deploy
 * build sets to the digest-pinned image and the platform stack reads.
 *
 * @example
 * releaseParameterName("dev", "hello"); // "/berth/dev/hello/image"
 * releaseParameterName("prod", "hello", "/acme/berth"); // "/acme/berth/prod/hello/image"
 */
export function releaseParameterName(
  environment: string,
  service: string,
  prefix: string = DEFAULT_RELEASE_PARAMETER_PREFIX,
): string {
  return `${prefix.replace(/\/+$/, "")}/${environment}/${service}/image`;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:<64 hex>` */
export const DIGEST_IMAGE_REF =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/((?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*)@(sha256:[0-9a-f]{64})$/;

/**
 * Whether a value is a digest-pinned ECR image reference, the only form a release pointer holds.
 *
 * @example
 * isDigestImageRef(`123456789012.dkr.ecr.us-east-1.amazonaws.com/hello@sha256:${"a".repeat(64)}`); // true
 * isDigestImageRef("123456789012.dkr.ecr.us-east-1.amazonaws.com/hello:latest"); // false
 */
export function isDigestImageRef(value: string): boolean {
  return DIGEST_IMAGE_REF.test(value);
}

/** Environment names treated as production: they get a manual approval unless it is waived. */
export const PROD_LIKE_ENVIRONMENTS: readonly string[] = ["prod", "production", "prd", "live"];

/** Whether an environment name is production-like (`prod`, `production`, `prd`, `live`, `prod-eu`…). */
export function isProdLike(name: string): boolean {
  return PROD_LIKE_ENVIRONMENTS.some((p) => name === p || name.startsWith(`${p}-`));
}
