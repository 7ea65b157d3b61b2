/**
 * ECR lifecycle policies as plain JSON.
 *
 * How ECR reads a policy (Amazon ECR User Guide, "Lifecycle policy properties"):
 * - rules are evaluated from the lowest `rulePriority` to the highest; priorities are unique;
 * - an image that matches the tag selection of a rule cannot be expired by a later rule, so an
 *   early rule "claims" the images it selects (this is how the build-cache tag is kept);
 * - a rule with `tagStatus: "any"` must have the highest priority;
 * - several entries in one `tagPrefixList` select only images that carry **all** of them, so each
 *   prefix gets its own rule here;
 * - `imageCountMoreThan` keeps the newest N of what a rule selects by the image's first push time
 *   (`imagePushedAt`): adding a tag to an image later (a promotion) does not make it younger.
 *
 * How the shipped pipeline tags images, and so what the default policy keeps:
 * - every image it builds is pushed with `git-<commit>` (the build-image buildspec): the newest
 *   `keepCommitImages` of those are kept, older ones expire;
 * - each deploy moves the tag `release-<environment>` to the image it releases, before it writes the
 *   environment's release pointer: the image any environment currently runs carries such a tag, and
 *   the rule for those tags (priority 2, right after the cache) never expires one, however old;
 * - `buildcache` (the BuildKit cache) is never expired; untagged manifests expire after 7 days.
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
   * @example releaseTagPrefixes: ["v", "stable-"]
   */
  releaseTagPrefixes?: string[];
  /**
   * Untagged images (superseded cache manifests, re-tagged images) expire this many days after push.
   * @default 7
   * @example untaggedExpireAfterDays: 1
   */
  untaggedExpireAfterDays?: number;
  /**
   * Tag prefixes of the images the pipeline builds (`git-<commit>`): the newest `keepCommitImages`
   * per prefix are kept, older ones expire (unless an environment runs them: see
   * `environmentTagPrefix` on the Registry).
   * @default ["git-"]
   * @example commitTagPrefixes: ["git-", "sha-"]
   */
  commitTagPrefixes?: string[];
  /**
   * How many pipeline-built images (`commitTagPrefixes`) to keep per prefix, counted by push time.
   * @default 30
   * @example keepCommitImages: 100
   */
  keepCommitImages?: number;
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
 * The prefix of the tag a deploy moves to the image it releases (`release-<environment>`, see the
 * deploy buildspec): tags with it stay mutable, and the lifecycle policy never expires their images.
 */
export const DEFAULT_ENVIRONMENT_TAG_PREFIX = "release-";

/**
 * How many images carrying an environment tag the policy keeps: each such tag names one image, so
 * this is an upper bound on the number of environments, never reached in practice, and nothing the
 * rule selects is ever expired.
 */
export const ENVIRONMENT_TAGS_KEPT = 1000;

/**
 * The ranges lifecycle settings must lie in (what the Registry checks): `keepReleaseImages` in
 * images, every `...AfterDays` setting in days.
 */
export const LIFECYCLE_LIMITS = {
  keepReleaseImages: { min: 1, max: 10000 },
  keepCommitImages: { min: 1, max: 10000 },
  days: { min: 1, max: 3650 },
} as const;

export const LIFECYCLE_DEFAULTS = {
  keepReleaseImages: 30,
  releaseTagPrefixes: ["v"],
  keepCommitImages: 30,
  commitTagPrefixes: ["git-"],
  untaggedExpireAfterDays: 7,
  pullRequestTagPrefixes: ["pr-"],
  pullRequestExpireAfterDays: 14,
} as const;

/**
 * Builds the lifecycle policy of one repository. Rules come out in this order, with priorities
 * 1, 2, 3…: keep the build-cache tag, keep every image an environment runs (environment tags), keep
 * the last N images per release prefix, keep the last N pipeline-built images per commit prefix,
 * expire preview images per PR prefix after N days, expire untagged images after N days, and (only
 * when asked) expire everything else after N days.
 *
 * @param cacheTag the build-cache tag to keep forever, or `false` for none
 * @param environmentTagPrefix the prefix of the environment tags (`release-<env>`) whose images are
 *   never expired, or `false` for none
 * @example
 * const doc = lifecyclePolicy({ keepReleaseImages: 10 }, "buildcache");
 * new aws.ecr.LifecyclePolicy("p", { repository: "hello", policy: JSON.stringify(doc) });
 */
export function lifecyclePolicy(
  args: LifecycleArgs = {},
  cacheTag: string | false = DEFAULT_CACHE_TAG,
  environmentTagPrefix: string | false = DEFAULT_ENVIRONMENT_TAG_PREFIX,
): LifecyclePolicyDocument {
  const keep = args.keepReleaseImages ?? LIFECYCLE_DEFAULTS.keepReleaseImages;
  const releasePrefixes = args.releaseTagPrefixes ?? LIFECYCLE_DEFAULTS.releaseTagPrefixes;
  const keepCommits = args.keepCommitImages ?? LIFECYCLE_DEFAULTS.keepCommitImages;
  const commitPrefixes = args.commitTagPrefixes ?? LIFECYCLE_DEFAULTS.commitTagPrefixes;
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
  if (environmentTagPrefix) {
    rules.push({
      description: `Keep every image an environment runs (tagged '${environmentTagPrefix}<environment>' by the deploy): at most one image per environment carries such a tag, so this never expires one, and later rules cannot`,
      selection: {
        tagStatus: "tagged",
        tagPrefixList: [environmentTagPrefix],
        countType: "imageCountMoreThan",
        countNumber: ENVIRONMENT_TAGS_KEPT,
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
  for (const prefix of commitPrefixes) {
    rules.push({
      description: `Keep the last ${keepCommits} pipeline-built images tagged '${prefix}*'`,
      selection: {
        tagStatus: "tagged",
        tagPrefixList: [prefix],
        countType: "imageCountMoreThan",
        countNumber: keepCommits,
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
