import {
  arnParts,
  checkComponent,
  checkTags,
  ECR_REPOSITORY_NAME,
  known,
  mergeTags,
  type PolicyDocument,
  policyDocument,
  type RepositoryRef,
  type Transform,
  transformed,
  Validator,
} from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ecrPullStatements, ecrPushStatements, repositoryPolicy } from "./access.js";
import {
  DEFAULT_CACHE_TAG,
  DEFAULT_ENVIRONMENT_TAG_PREFIX,
  LIFECYCLE_DEFAULTS,
  LIFECYCLE_LIMITS,
  type LifecycleArgs,
  lifecyclePolicy,
} from "./lifecycle.js";
import { UPSTREAM_NAMES, UPSTREAMS, type Upstream, upstreamUrl } from "./upstreams.js";

const TYPE = "berth:registry:Registry";

/**
 * ECR repository names: lowercase path components joined by `/` (namespaces), 2 to 256 characters
 * (the length is checked separately). Pull-through cache prefixes (2 to 30 characters) follow the
 * same grammar. Core's {@link ECR_REPOSITORY_NAME}, re-exported under this package's name.
 */
export const REPOSITORY_NAME = ECR_REPOSITORY_NAME;
/** A Docker image tag; tag prefixes (a tag's first characters) follow the same grammar. */
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** Mutability exclusion filters: letters, digits, `._-` and at most two `*` (ECR API). */
const MUTABILITY_FILTER = /^[0-9a-zA-Z._*-]{1,128}$/;
/**
 * ECR takes at most 5 `imageTagMutabilityExclusionFilters` per repository (API reference,
 * CreateRepository / PutImageTagMutability: "Array Members: Minimum number of 1 item. Maximum number
 * of 5 items").
 */
export const MUTABILITY_FILTER_LIMIT = 5;
/** Registry scanning filters (wildcards over repository names). */
const SCAN_FILTER = /^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const AZURE_REGISTRY = /^[a-zA-Z0-9]{5,50}$/;

/** One repository of the registry, when it needs more than a name. */
export interface RepositoryArgs {
  /**
   * The repository name, optionally with namespaces (`team/service`).
   * @example name: "hello"
   */
  name: string;
  /**
   * Tags cannot be overwritten once pushed (except the build-cache tag and `mutableTagPatterns`).
   * @default the registry's `immutableTags`
   * @example immutableTags: false
   */
  immutableTags?: boolean;
  /**
   * The build-cache tag of this repository, or `false` for none.
   * @default the registry's `cacheTag`
   */
  cacheTag?: string | false;
  /**
   * More tags that stay mutable in an immutable repository (wildcards `*`, at most two each).
   * @default the registry's `mutableTagPatterns`
   * @example mutableTagPatterns: ["latest"]
   */
  mutableTagPatterns?: string[];
  /**
   * The prefix of the environment tags of this repository, or `false` for none.
   * @default the registry's `environmentTagPrefix` ("release-")
   * @example environmentTagPrefix: "env-"
   */
  environmentTagPrefix?: string | false;
  /**
   * Lifecycle settings for this repository (merged over the registry's), or `false` for no policy.
   * @default the registry's `lifecycle`
   */
  lifecycle?: LifecycleArgs | false;
  /**
   * KMS key for this repository.
   * @default the registry's `kmsKeyArn`
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * More accounts that may pull this repository (added to the registry's).
   * @default []
   */
  pullAccountIds?: string[];
  /**
   * More principals that may push to this repository (added to the registry's).
   * @default []
   */
  pushPrincipalArns?: pulumi.Input<string>[];
  /**
   * Delete the repository even when it holds images. Opt in explicitly, per repository.
   * @default the registry's `forceDelete` (false)
   */
  forceDelete?: boolean;
  /**
   * Tags for this repository (merged over the registry's).
   * @default {}
   */
  tags?: Record<string, string>;
}

/** Cache images of an upstream registry in ECR, so base images come through your registry. */
export interface PullThroughCacheArgs {
  /**
   * The upstream registry: `docker-hub` (registry-1.docker.io), `ecr-public` (public.ecr.aws),
   * `github` (ghcr.io), `gitlab` (registry.gitlab.com), `k8s` (registry.k8s.io), `quay` (quay.io),
   * `azure` (<azureRegistryName>.azurecr.io).
   * @example upstream: "docker-hub"
   */
  upstream: Upstream;
  /**
   * The ECR repository prefix images appear under (`<registry>/<prefix>/library/node:20`).
   * @default docker-hub: "docker-hub", ecr-public: "ecr-public", github: "github", gitlab: "gitlab",
   * k8s: "kubernetes", quay: "quay", azure: "azure"
   */
  prefix?: string;
  /**
   * ARN of the Secrets Manager secret with the upstream credentials. Required for docker-hub,
   * github, gitlab and azure; the secret's name must start with `ecr-pullthroughcache/` and it must
   * live in the registry's account and region. Berth checks the region (`region`) and, when it
   * knows the account (`accountId` or `aws:allowedAccountIds`), the account.
   * @example credentialArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf"
   */
  credentialArn?: pulumi.Input<string>;
  /**
   * For `azure` only: the Azure Container Registry's name (`<name>.azurecr.io`).
   * @example azureRegistryName: "contoso"
   */
  azureRegistryName?: string;
}

/** How images are scanned for vulnerabilities. */
export type ScanningArgs =
  | {
      /** Basic scanning on push, set on each repository (no registry-wide setting is touched). */
      type: "basic";
    }
  | {
      /**
       * Amazon Inspector enhanced scanning, a registry-wide setting (one per account and region:
       * manage it from one stack only). Billed by Inspector per image scanned.
       */
      type: "enhanced";
      /** @default "SCAN_ON_PUSH" */
      frequency?: "SCAN_ON_PUSH" | "CONTINUOUS_SCAN";
      /**
       * Repository name filters (wildcard `*`) the rule applies to.
       * @default this registry's repository names
       */
      filters?: string[];
    };

/** A replication destination. */
export interface ReplicationDestination {
  /** @example region: "eu-central-1" */
  region: string;
  /**
   * The destination account (its registry policy must allow replication from this account).
   * @default this account
   */
  accountId?: string;
}

/** Registry-wide replication (one setting per account and region: manage it from one stack). */
export interface ReplicationArgs {
  /** Where images are copied to (up to 25). */
  destinations: ReplicationDestination[];
  /**
   * Repository name prefixes to replicate.
   * @default this registry's repository names
   */
  repositoryPrefixes?: string[];
}

export interface RegistryArgs {
  /**
   * The repositories, by name or with settings of their own.
   * @default []
   * @example repositories: ["hello", { name: "team/api", lifecycle: { keepReleaseImages: 100 } }]
   */
  repositories?: (string | RepositoryArgs)[];
  /**
   * Tags cannot be overwritten once pushed: a release tag always means the same image. The
   * build-cache tag and `mutableTagPatterns` stay mutable (ECR `IMMUTABLE_WITH_EXCLUSION`).
   * @default true
   */
  immutableTags?: boolean;
  /**
   * The BuildKit registry-cache tag (`--cache-to type=registry,ref=<repo>:<cacheTag>`): stays
   * mutable and is never expired. `false` for none.
   * @default "buildcache" ({@link DEFAULT_CACHE_TAG})
   */
  cacheTag?: string | false;
  /**
   * More tags that stay mutable in immutable repositories (wildcards `*`, at most two each). ECR
   * takes at most 5 exclusion filters per repository, and the cache tag and the environment tags
   * (`<environmentTagPrefix>*`) use one each, so at most 3 patterns fit with the defaults.
   * @default []
   * @example mutableTagPatterns: ["latest"]
   */
  mutableTagPatterns?: string[];
  /**
   * The prefix of the tag each deploy of the shipped pipeline moves to the image it releases
   * (`release-<environment>`). Tags with this prefix stay mutable (an exclusion filter
   * `<prefix>*`), and the lifecycle policy never expires an image that carries one, so the image an
   * environment's release pointer names is never expired. `false` for none.
   * @default "release-" ({@link DEFAULT_ENVIRONMENT_TAG_PREFIX})
   * @example environmentTagPrefix: "env-"
   */
  environmentTagPrefix?: string | false;
  /**
   * Lifecycle policy for every repository, or `false` for none (images are then kept forever,
   * at $0.10 per GB-month).
   * @default { keepReleaseImages: 30, releaseTagPrefixes: ["v"], keepCommitImages: 30,
   *   commitTagPrefixes: ["git-"], untaggedExpireAfterDays: 7, pullRequestTagPrefixes: ["pr-"],
   *   pullRequestExpireAfterDays: 14 }
   * @example lifecycle: { keepCommitImages: 50 }
   */
  lifecycle?: LifecycleArgs | false;
  /**
   * Customer managed KMS key for the repositories. Images are always KMS-encrypted; without a key
   * ECR uses the AWS managed key `aws/ecr`. Encryption cannot change after creation (a change
   * replaces the repository).
   * @default undefined (AWS managed key)
   * @example kmsKeyArn: key.arn
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * How images are scanned, or `false` for no scanning.
   * @default { type: "basic" }
   * @example scanning: { type: "enhanced", frequency: "CONTINUOUS_SCAN" }
   */
  scanning?: ScanningArgs | false;
  /**
   * Accounts (dev, staging, prod) whose principals may pull every repository.
   * @default []
   * @example pullAccountIds: ["111111111111", "222222222222"]
   */
  pullAccountIds?: string[];
  /**
   * IAM principals (for example a pipeline role in another account) that may push to every
   * repository. Principals in this account can use {@link ecrPushStatements} instead.
   * @default []
   */
  pushPrincipalArns?: pulumi.Input<string>[];
  /**
   * Pull-through cache rules.
   * @default []
   * @example pullThroughCache: [{ upstream: "ecr-public" }, { upstream: "docker-hub", credentialArn: secret.arn }]
   */
  pullThroughCache?: PullThroughCacheArgs[];
  /**
   * Cross-region or cross-account replication.
   * @default undefined (none)
   */
  replication?: ReplicationArgs;
  /**
   * The region the provider deploys to, used to check that pull-through cache secrets live in it
   * and that replication goes elsewhere. It does not move the registry.
   * @default the `aws:region` stack configuration (unchecked when neither is set)
   * @example region: "eu-west-1"
   */
  region?: string;
  /**
   * The account the provider deploys to (the registry's account), used to check that
   * pull-through cache secrets live in it: ECR requires the secret in the rule's account and
   * region. It does not move the registry.
   * @default the `aws:allowedAccountIds` stack configuration when it lists accounts (the secret must
   * then be in one of them); unchecked otherwise (an explicit provider's `allowedAccountIds` cannot
   * be read before deployment, so pass `accountId` with such a provider)
   * @example accountId: "123456789012"
   */
  accountId?: string;
  /**
   * Protect the repositories: Pulumi refuses to delete them (set it in prod).
   * @default false
   */
  protect?: boolean;
  /**
   * Keep the repositories in AWS when they leave the stack.
   * @default false
   */
  retainOnDelete?: boolean;
  /**
   * Delete repositories that still hold images. Never the default.
   * @default false
   */
  forceDelete?: boolean;
  /**
   * Tags for every taggable child.
   * @default {}
   */
  tags?: Record<string, string>;
  /** Escape hatch: change any child's args before it is created. */
  transform?: {
    repository?: Transform<aws.ecr.RepositoryArgs>;
    lifecyclePolicy?: Transform<aws.ecr.LifecyclePolicyArgs>;
    repositoryPolicy?: Transform<aws.ecr.RepositoryPolicyArgs>;
    pullThroughCacheRule?: Transform<aws.ecr.PullThroughCacheRuleArgs>;
    replicationConfiguration?: Transform<aws.ecr.ReplicationConfigurationArgs>;
    registryScanningConfiguration?: Transform<aws.ecr.RegistryScanningConfigurationArgs>;
  };
}

/** A repository's name, ARN and URL as outputs (a {@link RepositoryRef}). */
export interface RepositoryOutputs extends RepositoryRef {
  name: pulumi.Output<string>;
  arn: pulumi.Output<string>;
  url: pulumi.Output<string>;
}

interface PlannedRepository {
  name: string;
  immutable: boolean;
  mutableFilters: string[];
  cacheTag: string | false;
  environmentTagPrefix: string | false;
  lifecycle: LifecycleArgs | false;
  kmsKeyArn?: pulumi.Input<string>;
  pullAccountIds: string[];
  pushPrincipalArns: pulumi.Input<string>[];
  forceDelete: boolean;
  tags: Record<string, string>;
}

interface PlannedCacheRule {
  prefix: string;
  url: string;
  credentialArn?: pulumi.Input<string>;
}

interface Plan {
  repositories: PlannedRepository[];
  caches: PlannedCacheRule[];
  scanning: ScanningArgs | false;
}

function validateLifecycle(
  v: Validator,
  field: string,
  l: LifecycleArgs,
  cacheTag: string | false,
  environmentTagPrefix: string | false,
): void {
  v.integer(`${field}.keepReleaseImages`, l.keepReleaseImages, LIFECYCLE_LIMITS.keepReleaseImages, " images");
  v.integer(`${field}.keepCommitImages`, l.keepCommitImages, LIFECYCLE_LIMITS.keepCommitImages, " images");
  for (const key of [
    "untaggedExpireAfterDays",
    "pullRequestExpireAfterDays",
    "expireOtherImagesAfterDays",
  ] as const) {
    v.integer(`${field}.${key}`, l[key], LIFECYCLE_LIMITS.days, " days");
  }
  const groups = [
    ["releaseTagPrefixes", l.releaseTagPrefixes ?? LIFECYCLE_DEFAULTS.releaseTagPrefixes, "release"],
    ["commitTagPrefixes", l.commitTagPrefixes ?? LIFECYCLE_DEFAULTS.commitTagPrefixes, "commit"],
    [
      "pullRequestTagPrefixes",
      l.pullRequestTagPrefixes ?? LIFECYCLE_DEFAULTS.pullRequestTagPrefixes,
      "pull-request",
    ],
  ] as const;
  for (const [key, list] of groups) {
    v.check(Array.isArray(list), `${field}.${key}`, list, "must be a list of tag prefixes");
    for (const [i, p] of list.entries()) {
      v.matches(
        `${field}.${key}[${i}]`,
        p,
        IMAGE_TAG,
        "a tag prefix is 1 to 128 letters, digits, '_', '.' or '-'",
      );
    }
    v.unique(`${field}.${key}`, list);
  }
  // Each group's rules must select different tags: a prefix that starts another group's prefix
  // (or the environment tags) would make one rule claim the other's images.
  const overlaps = (a: string, b: string) => a.startsWith(b) || b.startsWith(a);
  for (const [gi, [key, list, what]] of groups.entries()) {
    for (const [i, p] of list.entries()) {
      for (const [otherKey, other, otherWhat] of groups.slice(0, gi)) {
        const clash = other.find((o) => overlaps(o, p));
        if (clash !== undefined) {
          v.fail(
            `${field}.${key}[${i}]`,
            p,
            `overlaps the ${otherWhat} tag prefix ${JSON.stringify(clash)} (${otherKey}); ${otherWhat} and ${what} prefixes must select different tags`,
          );
        }
      }
      if (environmentTagPrefix && overlaps(environmentTagPrefix, p)) {
        v.fail(
          `${field}.${key}[${i}]`,
          p,
          `overlaps the environment tag prefix ${JSON.stringify(environmentTagPrefix)}, whose images are never expired; choose a ${what} prefix that selects other tags`,
        );
      }
    }
  }
  if (cacheTag) {
    const pr = groups[2][1];
    for (const [i, p] of pr.entries()) {
      if (cacheTag.startsWith(p)) {
        v.fail(
          `${field}.pullRequestTagPrefixes[${i}]`,
          p,
          `would select the build-cache tag ${JSON.stringify(cacheTag)}`,
        );
      }
    }
  }
}

/**
 * The tag mutability exclusion filters of an immutable repository (cache tag, environment tags,
 * patterns, without duplicates), checked against ECR's limit of {@link MUTABILITY_FILTER_LIMIT},
 * naming the field whose value brings the count over it.
 */
function mutabilityFilters(
  v: Validator,
  field: string,
  cacheTag: string | false,
  environmentTagPrefix: string | false,
  patterns: readonly string[],
): string[] {
  const filters = [
    ...new Set([
      ...(cacheTag ? [cacheTag] : []),
      ...(environmentTagPrefix ? [`${environmentTagPrefix}*`] : []),
      ...patterns,
    ]),
  ];
  if (filters.length > MUTABILITY_FILTER_LIMIT) {
    v.fail(
      field,
      patterns,
      `gives ${filters.length} tag mutability exclusion filters (${filters.map((f) => JSON.stringify(f)).join(", ")}: the cache tag, the environment tags and the patterns); ECR allows at most ${MUTABILITY_FILTER_LIMIT} imageTagMutabilityExclusionFilters per repository`,
    );
  }
  return filters;
}

/**
 * Checks an environment tag prefix against the prefixes of a lifecycle it inherits (one
 * {@link validateLifecycle} does not see together with it), naming the prefix's field.
 */
function checkEnvironmentOverlap(v: Validator, field: string, prefix: string, l: LifecycleArgs): void {
  const all = [
    ...(l.releaseTagPrefixes ?? LIFECYCLE_DEFAULTS.releaseTagPrefixes),
    ...(l.commitTagPrefixes ?? LIFECYCLE_DEFAULTS.commitTagPrefixes),
    ...(l.pullRequestTagPrefixes ?? LIFECYCLE_DEFAULTS.pullRequestTagPrefixes),
  ];
  const clash = all.find((p) => p.startsWith(prefix) || prefix.startsWith(p));
  if (clash !== undefined) {
    v.fail(
      field,
      prefix,
      `overlaps the lifecycle tag prefix ${JSON.stringify(clash)}; environment tags must not share a prefix with release, commit or pull-request tags`,
    );
  }
}

function checkEnvironmentTagPrefix(v: Validator, field: string, prefix: unknown): void {
  if (prefix === undefined || prefix === false) return;
  v.check(
    typeof prefix === "string" &&
      /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$/.test(prefix) &&
      MUTABILITY_FILTER.test(`${prefix}*`),
    field,
    prefix,
    "a tag prefix of 1 to 100 letters, digits, '_', '.' or '-' (not starting with '.' or '-'), or false",
  );
}

/**
 * Checks a cache tag against the pull-request prefixes of a lifecycle it inherits (one whose
 * prefixes {@link validateLifecycle} does not see together with this tag), naming the tag's field.
 */
function checkCacheTag(v: Validator, field: string, cacheTag: string, lifecycle: LifecycleArgs): void {
  const pr: readonly string[] = lifecycle.pullRequestTagPrefixes ?? LIFECYCLE_DEFAULTS.pullRequestTagPrefixes;
  const clash = pr.find((p) => cacheTag.startsWith(p));
  if (clash !== undefined) {
    v.fail(
      field,
      cacheTag,
      `the pull-request tag prefix ${JSON.stringify(clash)} of the lifecycle policy would select it; choose a cache tag no pull-request prefix starts`,
    );
  }
}

function checkMutablePatterns(v: Validator, field: string, patterns: string[] | undefined): void {
  for (const [i, p] of (patterns ?? []).entries()) {
    v.matches(
      `${field}[${i}]`,
      p,
      MUTABILITY_FILTER,
      "letters, digits, '.', '_', '-' and '*', 1 to 128 characters",
    );
    v.check((p.match(/\*/g) ?? []).length <= 2, `${field}[${i}]`, p, "at most two '*' wildcards");
  }
}

/**
 * The `aws:allowedAccountIds` stack configuration (the default provider deploys to one of these
 * accounts only), or undefined when it is not set or not a list of account ids.
 */
function allowedAccountIds(): string[] | undefined {
  let ids: unknown;
  try {
    ids = new pulumi.Config("aws").getObject<unknown>("allowedAccountIds");
  } catch {
    return undefined;
  }
  if (!Array.isArray(ids) || ids.length === 0) return undefined;
  const accounts = ids.map((id) => String(id));
  return accounts.every((id) => /^\d{12}$/.test(id)) ? accounts : undefined;
}

function validateRegistry(name: string, args: RegistryArgs): Plan {
  const v = checkComponent(TYPE, name, args);
  checkTags(v, "tags", args.tags);
  if (args.region !== undefined)
    v.matches("region", args.region, REGION, 'an AWS region such as "eu-west-1"');
  const region = args.region ?? new pulumi.Config("aws").get("region");
  v.accountId("accountId", args.accountId);
  // The accounts the registry can be in: the one given, else those the provider may deploy to.
  const accounts = args.accountId !== undefined ? [args.accountId] : allowedAccountIds();

  v.check(
    args.cacheTag === undefined || args.cacheTag === false || typeof args.cacheTag === "string",
    "cacheTag",
    args.cacheTag,
    "a tag or false",
  );
  if (typeof args.cacheTag === "string") {
    v.matches(
      "cacheTag",
      args.cacheTag,
      IMAGE_TAG,
      "a Docker tag: 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'",
    );
  }
  checkMutablePatterns(v, "mutableTagPatterns", args.mutableTagPatterns);
  checkEnvironmentTagPrefix(v, "environmentTagPrefix", args.environmentTagPrefix);
  const registryCacheTag = args.cacheTag ?? DEFAULT_CACHE_TAG;
  const registryEnvPrefix = args.environmentTagPrefix ?? DEFAULT_ENVIRONMENT_TAG_PREFIX;
  if (args.immutableTags !== false) {
    mutabilityFilters(
      v,
      "mutableTagPatterns",
      registryCacheTag,
      registryEnvPrefix,
      args.mutableTagPatterns ?? [],
    );
  }
  if (args.lifecycle) validateLifecycle(v, "lifecycle", args.lifecycle, registryCacheTag, registryEnvPrefix);
  else if (args.lifecycle === undefined && typeof args.environmentTagPrefix === "string")
    checkEnvironmentOverlap(v, "environmentTagPrefix", args.environmentTagPrefix, {});
  else if (args.lifecycle === undefined && typeof args.cacheTag === "string")
    checkCacheTag(v, "cacheTag", args.cacheTag, {});
  v.arn("kmsKeyArn", args.kmsKeyArn, "kms", /^(key|alias)\/.+$/);

  const pulls = args.pullAccountIds ?? [];
  for (const [i, id] of pulls.entries()) {
    v.accountId(`pullAccountIds[${i}]`, id);
  }
  v.unique("pullAccountIds", pulls);
  for (const [i, arn] of (args.pushPrincipalArns ?? []).entries()) {
    v.arn(`pushPrincipalArns[${i}]`, arn, "iam");
  }

  // Pull-through cache rules.
  const caches: PlannedCacheRule[] = [];
  for (const [i, c] of (args.pullThroughCache ?? []).entries()) {
    const f = `pullThroughCache[${i}]`;
    v.oneOf(`${f}.upstream`, c.upstream, UPSTREAM_NAMES);
    v.required(
      `${f}.upstream`,
      c.upstream,
      `allowed: ${UPSTREAM_NAMES.map((u) => JSON.stringify(u)).join(", ")}`,
    );
    const spec = UPSTREAMS[c.upstream];
    const prefix = c.prefix ?? spec.prefix;
    v.length(`${f}.prefix`, prefix, { min: 2, max: 30 });
    v.matches(
      `${f}.prefix`,
      prefix,
      REPOSITORY_NAME,
      "lowercase letters, digits, '.', '_', '-' and '/' between path parts",
    );
    if (c.upstream === "azure") {
      v.required(
        `${f}.azureRegistryName`,
        c.azureRegistryName,
        "the Azure registry's name (<name>.azurecr.io) is required for azure",
      );
      v.matches(
        `${f}.azureRegistryName`,
        c.azureRegistryName,
        AZURE_REGISTRY,
        "an Azure Container Registry name: 5 to 50 letters or digits",
      );
    } else {
      v.check(
        c.azureRegistryName === undefined,
        `${f}.azureRegistryName`,
        c.azureRegistryName,
        "only the azure upstream takes a registry name",
      );
    }
    if (spec.credential) {
      v.required(
        `${f}.credentialArn`,
        c.credentialArn,
        `${c.upstream} requires a Secrets Manager secret whose name starts with "ecr-pullthroughcache/"`,
      );
    }
    v.arn(
      `${f}.credentialArn`,
      c.credentialArn,
      "secretsmanager",
      /^secret:ecr-pullthroughcache\/[A-Za-z0-9/_+=.@-]+$/,
    );
    const arn = known(c.credentialArn);
    const arnRegion = typeof arn === "string" ? arnParts(arn).region : undefined;
    if (region && arnRegion && arnRegion !== region) {
      v.fail(`${f}.credentialArn`, arn, `the secret must be in the registry's region (${region})`);
    }
    const arnAccount = typeof arn === "string" ? arnParts(arn).account : undefined;
    if (accounts && arnAccount && !accounts.includes(arnAccount)) {
      v.fail(
        `${f}.credentialArn`,
        arn,
        accounts.length === 1
          ? `the secret must be in the registry's account (${accounts[0]}): ECR requires the rule and its secret in one account and region`
          : `the secret must be in the registry's account, one of aws:allowedAccountIds (${accounts.join(", ")}): ECR requires the rule and its secret in one account and region`,
      );
    }
    caches.push({
      prefix,
      url: upstreamUrl(c.upstream, c.azureRegistryName),
      credentialArn: c.credentialArn,
    });
  }
  v.unique(
    "pullThroughCache[].prefix",
    caches.map((c) => c.prefix),
  );

  // Repositories.
  const repositories: PlannedRepository[] = [];
  for (const [i, entry] of (args.repositories ?? []).entries()) {
    const r: RepositoryArgs = typeof entry === "string" ? { name: entry } : entry;
    const f = `repositories[${i}]`;
    v.required(`${f}.name`, r.name);
    v.length(`${f}.name`, r.name, { min: 2, max: 256 });
    v.matches(
      `${f}.name`,
      r.name,
      REPOSITORY_NAME,
      "lowercase letters, digits, '.', '_' and '-' inside parts, '/' between namespace parts, starting and ending with a letter or digit",
    );
    const underCache = caches.find((c) => r.name.startsWith(`${c.prefix}/`));
    if (underCache) {
      v.fail(
        `${f}.name`,
        r.name,
        `lies under the pull-through cache prefix ${JSON.stringify(underCache.prefix)}; choose another namespace`,
      );
    }
    const cacheTag = r.cacheTag ?? registryCacheTag;
    if (typeof r.cacheTag === "string") v.matches(`${f}.cacheTag`, r.cacheTag, IMAGE_TAG, "a Docker tag");
    const patterns = r.mutableTagPatterns ?? args.mutableTagPatterns ?? [];
    checkMutablePatterns(v, `${f}.mutableTagPatterns`, r.mutableTagPatterns);
    checkEnvironmentTagPrefix(v, `${f}.environmentTagPrefix`, r.environmentTagPrefix);
    const envPrefix = r.environmentTagPrefix ?? registryEnvPrefix;
    const immutable = r.immutableTags ?? args.immutableTags ?? true;
    const filters = immutable
      ? mutabilityFilters(
          v,
          r.mutableTagPatterns !== undefined ? `${f}.mutableTagPatterns` : "mutableTagPatterns",
          cacheTag,
          envPrefix,
          patterns,
        )
      : [];
    const lifecycle =
      r.lifecycle === false || (args.lifecycle === false && r.lifecycle === undefined)
        ? false
        : { ...(args.lifecycle || {}), ...(r.lifecycle || {}) };
    if (r.lifecycle) validateLifecycle(v, `${f}.lifecycle`, lifecycle as LifecycleArgs, cacheTag, envPrefix);
    else if (lifecycle !== false) {
      if (typeof r.cacheTag === "string") checkCacheTag(v, `${f}.cacheTag`, r.cacheTag, lifecycle);
      if (typeof r.environmentTagPrefix === "string")
        checkEnvironmentOverlap(v, `${f}.environmentTagPrefix`, r.environmentTagPrefix, lifecycle);
    }
    checkTags(v, `${f}.tags`, r.tags);
    v.arn(`${f}.kmsKeyArn`, r.kmsKeyArn, "kms", /^(key|alias)\/.+$/);
    for (const [j, id] of (r.pullAccountIds ?? []).entries()) v.accountId(`${f}.pullAccountIds[${j}]`, id);
    for (const [j, arn] of (r.pushPrincipalArns ?? []).entries())
      v.arn(`${f}.pushPrincipalArns[${j}]`, arn, "iam");
    repositories.push({
      name: r.name,
      immutable,
      mutableFilters: filters,
      cacheTag,
      environmentTagPrefix: envPrefix,
      lifecycle,
      kmsKeyArn: r.kmsKeyArn ?? args.kmsKeyArn,
      pullAccountIds: [...new Set([...pulls, ...(r.pullAccountIds ?? [])])],
      pushPrincipalArns: [...(args.pushPrincipalArns ?? []), ...(r.pushPrincipalArns ?? [])],
      forceDelete: r.forceDelete ?? args.forceDelete ?? false,
      tags: mergeTags(args.tags, r.tags),
    });
  }
  v.unique(
    "repositories[].name",
    repositories.map((r) => r.name),
  );

  // Scanning.
  const scanning = args.scanning ?? { type: "basic" };
  if (scanning !== false) {
    v.oneOf("scanning.type", scanning.type, ["basic", "enhanced"] as const);
    if (scanning.type === "enhanced") {
      v.oneOf("scanning.frequency", scanning.frequency, ["SCAN_ON_PUSH", "CONTINUOUS_SCAN"] as const);
      for (const [i, p] of (scanning.filters ?? []).entries()) {
        v.matches(
          `scanning.filters[${i}]`,
          p,
          SCAN_FILTER,
          "a repository name pattern: lowercase letters, digits, '.', '_', '-', '/' and '*'",
        );
      }
      v.check(
        scanning.filters === undefined ? repositories.length > 0 : scanning.filters.length > 0,
        "scanning.filters",
        scanning.filters,
        'enhanced scanning needs repositories or at least one filter (use ["*"] for the whole registry)',
      );
    }
  }

  // Replication.
  if (args.replication) {
    const dests = args.replication.destinations ?? [];
    v.check(
      dests.length >= 1 && dests.length <= 25,
      "replication.destinations",
      dests.length,
      "give 1 to 25 destinations",
    );
    for (const [i, d] of dests.entries()) {
      v.matches(
        `replication.destinations[${i}].region`,
        d.region,
        REGION,
        'an AWS region such as "eu-central-1"',
      );
      v.accountId(`replication.destinations[${i}].accountId`, d.accountId);
      if (d.accountId === undefined && region !== undefined && d.region === region) {
        v.fail(
          `replication.destinations[${i}].region`,
          d.region,
          "is this registry's own region; replicate to another region or account",
        );
      }
    }
    v.unique(
      "replication.destinations",
      dests.map((d) => `${d.accountId ?? "this account"}/${d.region}`),
    );
    for (const [i, p] of (args.replication.repositoryPrefixes ?? []).entries()) {
      v.matches(
        `replication.repositoryPrefixes[${i}]`,
        p,
        /^[a-z0-9][a-z0-9._/-]{1,255}$/,
        "a repository name prefix (lowercase, 2 to 256 characters)",
      );
    }
    v.check(
      args.replication.repositoryPrefixes === undefined
        ? repositories.length > 0
        : args.replication.repositoryPrefixes.length > 0,
      "replication.repositoryPrefixes",
      args.replication.repositoryPrefixes,
      "replication needs repositories or at least one repository prefix",
    );
  }

  return { repositories, caches, scanning };
}

/**
 * The platform's container registry on ECR: repositories that keep release tags immutable,
 * encrypt with KMS, scan images and expire what nobody needs; cross-account pull and push access;
 * pull-through cache rules for base images; replication and registry-wide scanning.
 *
 * Cost: ECR storage is $0.10 per GB-month (the lifecycle policy is what keeps it small); data
 * transfer out of the region is charged; enhanced scanning is billed by Amazon Inspector per image
 * scanned (and rescanned, with continuous scanning).
 *
 * @example
 * const registry = new Registry("shared", {
 *   repositories: ["hello"],
 *   pullAccountIds: ["111111111111", "222222222222"],
 *   pullThroughCache: [{ upstream: "ecr-public" }],
 *   protect: true,
 * });
 * export const helloUrl = registry.repositories.hello.url;
 */
export class Registry extends pulumi.ComponentResource {
  /** Each repository's name, ARN and URL, keyed by repository name. */
  readonly repositories: Readonly<Record<string, RepositoryOutputs>>;
  /** The ECR repository resources, keyed by repository name. */
  readonly repositoryResources: Readonly<Record<string, aws.ecr.Repository>>;
  /** Repository URLs (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`) by name. */
  readonly repositoryUrls: pulumi.Output<Record<string, string>>;
  /** Repository ARNs by name. */
  readonly repositoryArns: pulumi.Output<Record<string, string>>;
  /** Repository names by name (handy as a stack output to pass along). */
  readonly repositoryNames: pulumi.Output<Record<string, string>>;
  /** The registry id (the AWS account id). */
  readonly registryId: pulumi.Output<string>;
  /** The registry host, `<account>.dkr.ecr.<region>.amazonaws.com` (what `docker login` takes). */
  readonly registryUrl: pulumi.Output<string>;
  /** Where each pull-through cache serves images, `<registryUrl>/<prefix>`, keyed by prefix. */
  readonly pullThroughCacheUrls: pulumi.Output<Record<string, string>>;
  private readonly registryName: string;

  constructor(name: string, args: RegistryArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const plan = validateRegistry(name, args);
    super(TYPE, name, {}, opts);
    this.registryName = name;
    const t = args.transform ?? {};

    const repositories: Record<string, RepositoryOutputs> = {};
    const resources: Record<string, aws.ecr.Repository> = {};
    for (const r of plan.repositories) {
      const [repoArgs, repoOpts] = transformed<aws.ecr.RepositoryArgs, pulumi.CustomResourceOptions>(
        t.repository,
        {
          name: r.name,
          imageTagMutability: r.immutable
            ? r.mutableFilters.length > 0
              ? "IMMUTABLE_WITH_EXCLUSION"
              : "IMMUTABLE"
            : "MUTABLE",
          ...(r.immutable && r.mutableFilters.length > 0
            ? {
                imageTagMutabilityExclusionFilters: r.mutableFilters.map((filter) => ({
                  filter,
                  filterType: "WILDCARD",
                })),
              }
            : {}),
          encryptionConfigurations: [
            { encryptionType: "KMS", ...(r.kmsKeyArn !== undefined ? { kmsKey: r.kmsKeyArn } : {}) },
          ],
          imageScanningConfiguration: {
            scanOnPush: plan.scanning !== false && plan.scanning.type === "basic",
          },
          forceDelete: r.forceDelete,
          tags: r.tags,
        },
        { parent: this, protect: args.protect ?? false, retainOnDelete: args.retainOnDelete ?? false },
      );
      const repo = new aws.ecr.Repository(`${name}-repo-${r.name}`, repoArgs, repoOpts);
      resources[r.name] = repo;
      repositories[r.name] = { name: repo.name, arn: repo.arn, url: repo.repositoryUrl };

      if (r.lifecycle !== false) {
        const doc = lifecyclePolicy(r.lifecycle, r.cacheTag, r.environmentTagPrefix);
        const [lpArgs, lpOpts] = transformed<aws.ecr.LifecyclePolicyArgs, pulumi.CustomResourceOptions>(
          t.lifecyclePolicy,
          { repository: repo.name, policy: JSON.stringify(doc) },
          { parent: this },
        );
        new aws.ecr.LifecyclePolicy(`${name}-lifecycle-${r.name}`, lpArgs, lpOpts);
      }

      if (r.pullAccountIds.length > 0 || r.pushPrincipalArns.length > 0) {
        const policy = pulumi.all([repo.arn, pulumi.output(r.pushPrincipalArns)]).apply(([arn, push]) =>
          JSON.stringify(
            repositoryPolicy({
              partition: arnParts(arn).partition,
              pullAccountIds: r.pullAccountIds,
              pushPrincipalArns: push,
            }),
          ),
        );
        const [rpArgs, rpOpts] = transformed<aws.ecr.RepositoryPolicyArgs, pulumi.CustomResourceOptions>(
          t.repositoryPolicy,
          { repository: repo.name, policy },
          { parent: this },
        );
        new aws.ecr.RepositoryPolicy(`${name}-policy-${r.name}`, rpArgs, rpOpts);
      }
    }
    this.repositories = repositories;
    this.repositoryResources = resources;

    const first = plan.repositories[0] ? resources[plan.repositories[0].name] : undefined;
    if (first) {
      this.registryId = first.registryId;
      this.registryUrl = first.repositoryUrl.apply((u) => u.split("/")[0]!);
    } else {
      const caller = aws.getCallerIdentityOutput({}, { parent: this });
      const region = aws.getRegionOutput({}, { parent: this });
      const partition = aws.getPartitionOutput({}, { parent: this });
      this.registryId = caller.accountId;
      this.registryUrl = pulumi.interpolate`${caller.accountId}.dkr.ecr.${region.region}.${partition.dnsSuffix}`;
    }

    const entries = Object.entries(repositories);
    const collect = (pick: (r: RepositoryOutputs) => pulumi.Output<string>) =>
      pulumi.all(Object.fromEntries(entries.map(([k, r]) => [k, pick(r)]))) as pulumi.Output<
        Record<string, string>
      >;
    this.repositoryUrls = collect((r) => r.url);
    this.repositoryArns = collect((r) => r.arn);
    this.repositoryNames = collect((r) => r.name);

    for (const c of plan.caches) {
      const [ptcArgs, ptcOpts] = transformed<aws.ecr.PullThroughCacheRuleArgs, pulumi.CustomResourceOptions>(
        t.pullThroughCacheRule,
        {
          ecrRepositoryPrefix: c.prefix,
          upstreamRegistryUrl: c.url,
          ...(c.credentialArn !== undefined ? { credentialArn: c.credentialArn } : {}),
        },
        { parent: this },
      );
      new aws.ecr.PullThroughCacheRule(`${name}-cache-${c.prefix.replace(/\//g, "-")}`, ptcArgs, ptcOpts);
    }
    this.pullThroughCacheUrls = this.registryUrl.apply((host) =>
      Object.fromEntries(plan.caches.map((c) => [c.prefix, `${host}/${c.prefix}`])),
    );

    if (plan.scanning !== false && plan.scanning.type === "enhanced") {
      const filters = plan.scanning.filters ?? plan.repositories.map((r) => r.name);
      const [scArgs, scOpts] = transformed<
        aws.ecr.RegistryScanningConfigurationArgs,
        pulumi.CustomResourceOptions
      >(
        t.registryScanningConfiguration,
        {
          scanType: "ENHANCED",
          rules: [
            {
              scanFrequency: plan.scanning.frequency ?? "SCAN_ON_PUSH",
              repositoryFilters: filters.map((filter) => ({ filter, filterType: "WILDCARD" })),
            },
          ],
        },
        { parent: this },
      );
      new aws.ecr.RegistryScanningConfiguration(`${name}-scanning`, scArgs, scOpts);
    }

    if (args.replication) {
      const prefixes = args.replication.repositoryPrefixes ?? plan.repositories.map((r) => r.name);
      const [rcArgs, rcOpts] = transformed<
        aws.ecr.ReplicationConfigurationArgs,
        pulumi.CustomResourceOptions
      >(
        t.replicationConfiguration,
        {
          replicationConfiguration: {
            rules: [
              {
                destinations: args.replication.destinations.map((d) => ({
                  region: d.region,
                  registryId: d.accountId ?? this.registryId,
                })),
                repositoryFilters: prefixes.map((filter) => ({ filter, filterType: "PREFIX_MATCH" })),
              },
            ],
          },
        },
        { parent: this },
      );
      new aws.ecr.ReplicationConfiguration(`${name}-replication`, rcArgs, rcOpts);
    }

    this.registerOutputs({
      repositoryUrls: this.repositoryUrls,
      repositoryArns: this.repositoryArns,
      repositoryNames: this.repositoryNames,
      registryId: this.registryId,
      registryUrl: this.registryUrl,
      pullThroughCacheUrls: this.pullThroughCacheUrls,
    });
  }

  private refs(names: string[]): RepositoryOutputs[] {
    const v = new Validator(TYPE, this.registryName);
    v.check(names.length > 0, "repositories", names, "name at least one repository");
    return names.map((n) => {
      const ref = this.repositories[n];
      if (!ref)
        v.fail(
          "repositories",
          n,
          `not a repository of this registry (${Object.keys(this.repositories).join(", ") || "none"})`,
        );
      return ref;
    });
  }

  /**
   * A least-privilege policy document to pull from the named repositories (all when none named).
   * @example new aws.iam.RolePolicy("pull", { role: role.id, policy: registry.pullPolicy("hello").apply(JSON.stringify) })
   */
  pullPolicy(...names: string[]): pulumi.Output<PolicyDocument> {
    const refs = this.refs(names.length ? names : Object.keys(this.repositories));
    return pulumi.all(refs.map((r) => r.arn)).apply((arns) => policyDocument(ecrPullStatements(arns)));
  }

  /** A least-privilege policy document to push to the named repositories (all when none named). */
  pushPolicy(...names: string[]): pulumi.Output<PolicyDocument> {
    const refs = this.refs(names.length ? names : Object.keys(this.repositories));
    return pulumi.all(refs.map((r) => r.arn)).apply((arns) => policyDocument(ecrPushStatements(arns)));
  }
}
