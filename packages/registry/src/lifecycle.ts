/**
 * ECR lifecycle policies as plain JSON.
 *
 * How ECR reads a policy (Amazon ECR User Guide, "Lifecycle policy properties"):
 * - rules are evaluated from the lowest `rulePriority` to the highest; priorities are unique;
 * - an image that matches the tag selection of a rule cannot be expired by a later rule, so an
 *   early rule "claims" the images it selects (this is how the build-cache tag is kept);
 * - a rule with `tagStatus: "any"` must have the highest priority;
 * - several entries in one `tagPrefixList` select only images that carry **all** of them, so each
 *   prefix gets its own rule here.
 */

/** One rule of an ECR lifecycle policy. */
export interface LifecycleRule {
  rulePriority: number;
  description: string;
  selection: {
    tagStatus: "tagged" | "untagged" | "any";
    tagPrefixList?: string[];
    tagPatternList?: string[];
    countType: "imageCountMoreThan" | "sinceImagePushed";
    countUnit?: "days";
    countNumber: number;
  };
  action: { type: "expire" };
}

/** An ECR lifecycle policy document (`{ rules: [...] }`), ready for `JSON.stringify`. */
export interface LifecyclePolicyDocument {
  rules: LifecycleRule[];
}

/** What a repository keeps and what it lets expire. */
export interface LifecycleArgs {
  /**
   * How many release images to keep per release tag prefix; older ones expire.
   * @default 30
   * @example keepReleaseImages: 50
   */
  keepReleaseImages?: number;
  /**
   * Tag prefixes that mark release images. Each prefix gets its own "keep the last N" rule
   * (ECR ANDs the entries of one rule's prefix list).
   * @default ["v"]
   * @example releaseTagPrefixes: ["v", "release-"]
   */
  releaseTagPrefixes?: string[];
  /**
   * Untagged images (superseded cache manifests, re-tagged images) expire this many days after push.
   * @default 7
   * @example untaggedExpireAfterDays: 1
   */
  untaggedExpireAfterDays?: number;
  /**
   * Tag prefixes of pull-request preview images.
   * @default ["pr-"]
   * @example pullRequestTagPrefixes: ["pr-", "preview-"]
   */
  pullRequestTagPrefixes?: string[];
  /**
   * Pull-request preview images expire this many days after push.
   * @default 14
   * @example pullRequestExpireAfterDays: 7
   */
  pullRequestExpireAfterDays?: number;
  /**
   * Images that no other rule selects (for example tags that are only a commit SHA) expire this
   * many days after push. Off by default: an image a running service still uses by digest would
   * otherwise disappear. Releases, previews younger than their limit and the cache are never
   * touched by this rule.
   * @default undefined (never)
   * @example expireOtherImagesAfterDays: 90
   */
  expireOtherImagesAfterDays?: number;
}

/** The BuildKit registry-cache tag repositories keep mutable and never expire, unless told otherwise. */
export const DEFAULT_CACHE_TAG = "buildcache";

/**
 * The ranges lifecycle settings must lie in (what the Registry checks): `keepReleaseImages` in
 * images, every `...AfterDays` setting in days.
 */
export const LIFECYCLE_LIMITS = {
  keepReleaseImages: { min: 1, max: 10000 },
  days: { min: 1, max: 3650 },
} as const;

export const LIFECYCLE_DEFAULTS = {
  keepReleaseImages: 30,
  releaseTagPrefixes: ["v"],
  untaggedExpireAfterDays: 7,
  pullRequestTagPrefixes: ["pr-"],
  pullRequestExpireAfterDays: 14,
} as const;

/**
 * Builds the lifecycle policy of one repository. Rules come out in this order, with priorities
 * 1, 2, 3…: keep the build-cache tag, keep the last N images per release prefix, expire preview
 * images per PR prefix after N days, expire untagged images after N days, and (only when asked)
 * expire everything else after N days.
 *
 * @param cacheTag the build-cache tag to keep forever, or `false` for none
 * @example
 * const doc = lifecyclePolicy({ keepReleaseImages: 10 }, "buildcache");
 * new aws.ecr.LifecyclePolicy("p", { repository: "hello", policy: JSON.stringify(doc) });
 */
export function lifecyclePolicy(
  args: LifecycleArgs = {},
  cacheTag: string | false = DEFAULT_CACHE_TAG,
): LifecyclePolicyDocument {
  const keep = args.keepReleaseImages ?? LIFECYCLE_DEFAULTS.keepReleaseImages;
  const releasePrefixes = args.releaseTagPrefixes ?? LIFECYCLE_DEFAULTS.releaseTagPrefixes;
  const prPrefixes = args.pullRequestTagPrefixes ?? LIFECYCLE_DEFAULTS.pullRequestTagPrefixes;
  const prDays = args.pullRequestExpireAfterDays ?? LIFECYCLE_DEFAULTS.pullRequestExpireAfterDays;
  const untaggedDays = args.untaggedExpireAfterDays ?? LIFECYCLE_DEFAULTS.untaggedExpireAfterDays;

  const rules: Omit<LifecycleRule, "rulePriority">[] = [];
  if (cacheTag) {
    rules.push({
      description: `Keep the build cache '${cacheTag}': a tag names one image, so this never expires it, and later rules cannot`,
      selection: {
        tagStatus: "tagged",
        tagPatternList: [cacheTag],
        countType: "imageCountMoreThan",
        countNumber: 1,
      },
      action: { type: "expire" },
    });
  }
  for (const prefix of releasePrefixes) {
    rules.push({
      description: `Keep the last ${keep} release images tagged '${prefix}*'`,
      selection: {
        tagStatus: "tagged",
        tagPrefixList: [prefix],
        countType: "imageCountMoreThan",
        countNumber: keep,
      },
      action: { type: "expire" },
    });
  }
  for (const prefix of prPrefixes) {
    rules.push({
      description: `Expire pull-request images tagged '${prefix}*' ${prDays} days after push`,
      selection: {
        tagStatus: "tagged",
        tagPrefixList: [prefix],
        countType: "sinceImagePushed",
        countUnit: "days",
        countNumber: prDays,
      },
      action: { type: "expire" },
    });
  }
  rules.push({
    description: `Expire untagged images ${untaggedDays} days after push`,
    selection: {
      tagStatus: "untagged",
      countType: "sinceImagePushed",
      countUnit: "days",
      countNumber: untaggedDays,
    },
    action: { type: "expire" },
  });
  if (args.expireOtherImagesAfterDays !== undefined) {
    rules.push({
      description: `Expire images no earlier rule selects ${args.expireOtherImagesAfterDays} days after push`,
      selection: {
        tagStatus: "any",
        countType: "sinceImagePushed",
        countUnit: "days",
        countNumber: args.expireOtherImagesAfterDays,
      },
      action: { type: "expire" },
    });
  }
  return { rules: rules.map((r, i) => ({ rulePriority: i + 1, ...r })) };
}
