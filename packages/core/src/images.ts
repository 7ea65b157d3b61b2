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

/** An image in a private ECR registry, taken apart. */
export interface EcrImage {
  account: string;
  region: string;
  /** Repository name, namespaces included (`team/hello`). */
  repository: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<repository>` */
  repositoryUrl: string;
  tag?: string;
  /** `sha256:<64 hex>` */
  digest?: string;
}

/** An ECR repository name: lowercase components separated by `/`, each `[a-z0-9]` runs joined by `.`, `_` or `-`. */
export const ECR_REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

const ECR_IMAGE = new RegExp(
  `^((\\d{12})\\.dkr\\.ecr(?:-fips)?\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?\\/(${ECR_REPOSITORY_NAME.source.slice(1, -1)}))` +
    "(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?$",
);

/**
 * Takes an ECR repository URL or image reference apart; undefined for anything else (another
 * registry, a malformed digest).
 *
 * @example
 * parseEcrImage("123456789012.dkr.ecr.us-east-1.amazonaws.com/hello@sha256:…")?.digest; // "sha256:…"
 */
export function parseEcrImage(ref: string): EcrImage | undefined {
  const m = ECR_IMAGE.exec(ref);
  if (!m) return undefined;
  return {
    repositoryUrl: m[1]!,
    account: m[2]!,
    region: m[3]!,
    repository: m[4]!,
    ...(m[5] ? { tag: m[5] } : {}),
    ...(m[6] ? { digest: m[6] } : {}),
  };
}

/**
 * Whether a value is an ECR image pinned by digest alone, the only form a release pointer holds.
 *
 * @example
 * isDigestImageRef(`123456789012.dkr.ecr.us-east-1.amazonaws.com/hello@sha256:${"a".repeat(64)}`); // true
 * isDigestImageRef("123456789012.dkr.ecr.us-east-1.amazonaws.com/hello:latest"); // false
 */
export function isDigestImageRef(value: string): boolean {
  const image = parseEcrImage(value);
  return image?.digest !== undefined && image.tag === undefined;
}
