import { config, configFailer, readStackConfig, show, stackConfigJsonSchema, type z } from "@berth/core";
import { CONNECTION_ARN, IAM_ROLE_ARN, PREVIEW_ROLE_KEY } from "@berth/pipeline";
import { LIFECYCLE_DEFAULTS, LIFECYCLE_LIMITS } from "@berth/registry";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";

/** The environments the pipeline delivers to, in promotion order (stacks of `berth-platform`). */
export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

/** Tag keys the stack sets itself on every resource (provider `defaultTags`). */
export const STANDARD_TAG_KEYS = ["Project", "Environment", "ManagedBy", "Owner", "CostCenter"] as const;

const ACCOUNT_ID = config.accountId();
const REGION = config.string({
  pattern: /^[a-z]{2}(-gov)?-[a-z]+-\d$/,
  describe: 'an AWS region name such as "us-east-1"',
});
const KMS_KEY_ARN = config.string({
  pattern:
    /^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
  describe: "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>; not an alias)",
});
/** Owner and CostCenter become tags on every resource: AWS's tag-value rules (no newline, no `~`). */
const TAG_VALUE = config.tagValue();
/** An `sts:ExternalId` as IAM (and stacks/bootstrap) takes it. */
const EXTERNAL_ID = config.string({
  pattern: /^[\w+=,.@:/-]{2,1224}$/,
  describe: "an external id (2-1224 of letters, digits and _+=,.@:/-)",
});

/**
 * A lifecycle tag prefix. The pipeline tags every image with its commit SHA (40 hex digits), and a
 * prefix made only of hex digits ("a", "1f") would select those commit images, so a "keep the last N"
 * or "expire after N days" rule could expire an image an environment still runs by digest.
 */
const TAG_PREFIX = config.string({
  pattern: /^(?![0-9a-f]+$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
  describe:
    "an image tag prefix (letters, digits, '_', '.', '-') that cannot match a commit SHA, i.e. not only hex digits 0-9a-f",
});

/**
 * The stack's config schema (`berth-shared:<key>` in Pulumi.shared.yaml). Every key is checked when
 * the program starts; unknown keys are errors, so a typo never falls back to a default.
 */
export const schema = {
  /** The account this stack deploys into (the provider refuses any other: `allowedAccountIds`). */
  accountId: ACCOUNT_ID,
  /** `Owner` tag on every resource. */
  owner: TAG_VALUE,
  /** `CostCenter` tag on every resource. */
  costCenter: TAG_VALUE,
  /** More tags on every resource (not the standard keys, which the stack sets). */
  tags: config.withDefault(
    config.record(config.tagValue({ minLength: 0 }), {
      pattern: /^(?!aws:)[\p{L}\p{N}\s_.:/=+\-@]{1,128}$/u,
      describe: "a tag key of 1 to 128 characters, not starting with aws:",
    }),
    {},
  ),
  /** Where the code comes from. */
  source: config.object({
    /** CodeStar (CodeConnections) connection to GitHub; in this stack's account and region. */
    connectionArn: config.string({
      pattern: CONNECTION_ARN,
      describe:
        "a CodeStar connection ARN (arn:aws:codestar-connections:<region>:<account>:connection/<uuid>)",
    }),
    /** GitHub `owner/repo`. */
    repository: config.string({
      pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/,
      describe: 'a GitHub repository "owner/name"',
    }),
    /** The branch the pipeline delivers and pull requests are previewed against. */
    branch: config.withDefault(
      config.string({
        pattern: /^(?!\/)(?!.*\.\.)(?!.*\/\/)(?!.*\/$)(?!.*\.lock$)[A-Za-z0-9._/-]{1,250}$/,
        describe: "a git branch name",
      }),
      "main",
    ),
  }),
  /**
   * Accounts of the environments (default: this stack's account). Other accounts get pull access to
   * the registry, and their `berth-deploy-<env>` role is assumed by the deploy builds.
   */
  accounts: config.defaulted(
    config.object({
      dev: config.optional(ACCOUNT_ID),
      staging: config.optional(ACCOUNT_ID),
      prod: config.optional(ACCOUNT_ID),
    }),
  ),
  /**
   * The Pulumi state backend (stacks/bootstrap). Each environment's deploy build creates its stacks
   * with that environment's own secrets key, `awskms://alias/berth-secrets-<env>?region=<region>`
   * (stacks/bootstrap output `secretsProviders`); no role here decrypts with the state key.
   */
  state: config.object({
    bucket: config.string({
      pattern: /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      describe: "an S3 bucket name (3-63 lowercase letters, digits, '.', '-')",
    }),
  }),
  /** ECR settings. */
  registry: config.defaulted(
    config.object({
      /** Basic scan on push per repository, or Inspector enhanced scanning (registry-wide, billed). */
      scanning: config.withDefault(config.oneOf(["basic", "enhanced"]), "basic"),
      /** Enhanced scanning only. */
      scanFrequency: config.optional(config.oneOf(["SCAN_ON_PUSH", "CONTINUOUS_SCAN"])),
      // The Registry's own defaults and limits, so the file is checked exactly as the component would.
      keepReleaseImages: config.withDefault(
        config.integer(LIFECYCLE_LIMITS.keepReleaseImages),
        LIFECYCLE_DEFAULTS.keepReleaseImages,
      ),
      /** How many pipeline-built (`git-<commit>`) images each repository keeps, newest first. */
      keepCommitImages: config.withDefault(
        config.integer(LIFECYCLE_LIMITS.keepCommitImages),
        LIFECYCLE_DEFAULTS.keepCommitImages,
      ),
      releaseTagPrefixes: config.withDefault(config.list(TAG_PREFIX, { min: 1, max: 10 }), [
        ...LIFECYCLE_DEFAULTS.releaseTagPrefixes,
      ]),
      pullRequestTagPrefixes: config.withDefault(config.list(TAG_PREFIX, { min: 1, max: 10 }), [
        ...LIFECYCLE_DEFAULTS.pullRequestTagPrefixes,
      ]),
      pullRequestExpireAfterDays: config.withDefault(
        config.integer(LIFECYCLE_LIMITS.days),
        LIFECYCLE_DEFAULTS.pullRequestExpireAfterDays,
      ),
      untaggedExpireAfterDays: config.withDefault(
        config.integer(LIFECYCLE_LIMITS.days),
        LIFECYCLE_DEFAULTS.untaggedExpireAfterDays,
      ),
      /** Pull-through cache rule for ECR Public (`<registry>/ecr-public/docker/library/node:20`). */
      ecrPublicCache: config.withDefault(config.boolean(), false),
      /**
       * The Secrets Manager secret with Docker Hub credentials (its name starts with
       * `ecr-pullthroughcache/`). With it, a Docker Hub pull-through cache rule exists and image builds
       * pull BuildKit, the Dockerfile frontend and base images through it, not anonymously from
       * Docker Hub (which rate-limits CodeBuild's shared addresses). In this stack's account and
       * region (ECR requires the secret where the pull-through cache rule is).
       */
      dockerHubCredentialArn: config.optional(
        config.string({
          pattern:
            /^arn:aws(-cn|-us-gov)?:secretsmanager:[a-z0-9-]+:\d{12}:secret:ecr-pullthroughcache\/[A-Za-z0-9/_+=.@-]+$/,
          describe:
            "a Secrets Manager secret ARN whose name starts with ecr-pullthroughcache/ (what ECR pull-through cache requires)",
        }),
      ),
      /** Customer managed key for the repositories (changing it replaces them). */
      kmsKeyArn: config.optional(KMS_KEY_ARN),
    }),
  ),
  /** Delivery pipeline settings. */
  pipeline: config.defaulted(
    config.object({
      executionMode: config.withDefault(config.oneOf(["SUPERSEDED", "QUEUED"]), "SUPERSEDED"),
      /**
       * The external id each environment's deploy role requires (stacks/bootstrap
       * `environments.<env>.externalId`); the deploy build sends it when it assumes the role.
       */
      deployExternalIds: config.defaulted(
        config.object({
          dev: config.optional(EXTERNAL_ID),
          staging: config.optional(EXTERNAL_ID),
          prod: config.optional(EXTERNAL_ID),
        }),
      ),
      /** An existing topic for failures and approvals; default: the pipeline creates one. */
      notificationTopicArn: config.optional(
        config.string({
          pattern: /^arn:aws(-cn|-us-gov)?:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/,
          describe: "an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)",
        }),
      ),
    }),
  ),
  /**
   * Pull-request previews: every pull request offline (`berth preview`, no credential); the stacks
   * with a read-only role in `roleArns` also with `pulumi preview --diff`, approved per commit by a
   * maintainer (docs/security.md).
   */
  previews: config.object({
    /** Secrets Manager secret with a GitHub token that may comment on pull requests. */
    githubTokenSecretArn: config.string({
      pattern: /^arn:aws(-cn|-us-gov)?:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/,
      describe: "a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)",
    }),
    /** The token's login: the comment updated is the one by this login (default: asked from GitHub). */
    commentAuthor: config.optional(
      config.string({
        pattern: /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(\[bot\])?$/,
        describe: 'a GitHub login such as "acme-berth-bot" or "<app>[bot]"',
      }),
    ),
    /**
     * Read-only roles of the credentialed previews, by `<project>/<stack>` or account id: the
     * `berth-preview-<env>` roles of stacks/bootstrap (output `previewRoles`), which trust this
     * stack's `previewPrincipalArn`. Give them to non-production environments only: a preview role
     * decrypts its environment's Pulumi secrets. A stack without one is previewed offline.
     */
    roleArns: config.withDefault(
      config.record(
        config.string({
          pattern: IAM_ROLE_ARN,
          describe: "an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
        }),
        {
          pattern: PREVIEW_ROLE_KEY,
          describe: "<project>/<stack> or a 12-digit account id",
        },
      ),
      {},
    ),
    /** Who waits for a maintainer's approval comment. Disabling approval is not offered. */
    commentApproval: config.withDefault(
      config.oneOf(["FORK_PULL_REQUESTS", "ALL_PULL_REQUESTS"]),
      "FORK_PULL_REQUESTS",
    ),
  }),
};

const sharedConfig = config.object(schema);

export type SharedConfig = z.infer<typeof sharedConfig> & {
  /** `aws:region`. */
  region: string;
  /** Every environment's account, defaults applied. */
  environmentAccounts: Record<EnvironmentName, string>;
};

/** The JSON Schema of `Pulumi.shared.yaml` (schemas/stack-config/berth-shared.schema.json). */
export function sharedConfigJsonSchema(): Record<string, unknown> {
  // Only aws:region is read: other aws: keys (aws:profile) are the provider's business.
  return stackConfigJsonSchema(
    "berth-shared",
    { "berth-shared": schema, aws: { region: REGION } },
    { open: ["aws"] },
  );
}

/**
 * Reads and checks the stack's config when the program starts. Errors name the file, the key and
 * what is allowed, e.g.
 * `Pulumi.shared.yaml: berth-shared:registry.scanning is "deep"; allowed: "basic", "enhanced"`.
 */
export function loadConfig(): SharedConfig {
  const all = pulumi.runtime.allConfig();
  const region = all["aws:region"];
  // The file itself too (`parse`), so a top level or `config:` that is not a map, `~` and `.nan` are
  // named as what they are, in the file the run actually read (BERTH_CONFIG_FILE, set by berth preview).
  const c = readStackConfig(schema, { parse });
  const { region: checkedRegion } = readStackConfig(
    { region: REGION },
    { namespace: "aws", values: region === undefined ? {} : { "aws:region": region }, parse },
  );
  const fail = configFailer();

  // Cross-key rules the per-key schema cannot express.
  const conn = CONNECTION_ARN.exec(c.source.connectionArn)!;
  if (conn[4] !== c.accountId) {
    fail(
      "source.connectionArn",
      `is in account ${conn[4]}; the pipeline runs in the connection's account, so it must be accountId ${c.accountId}`,
    );
  }
  if (conn[3] !== checkedRegion) {
    fail(
      "source.connectionArn",
      `is in region ${conn[3]}; the pipeline runs in the connection's region, so it must be aws:region ${checkedRegion}`,
    );
  }
  // ECR: "The account and Region that the secret is in must match the account and Region that the
  // pull through cache rule is in."
  if (c.registry.dockerHubCredentialArn !== undefined) {
    const [, , , secretRegion, secretAccount] = c.registry.dockerHubCredentialArn.split(":");
    if (secretAccount !== c.accountId) {
      fail(
        "registry.dockerHubCredentialArn",
        `is in account ${secretAccount}; the pull-through cache rule is in this stack's account, so the secret must be in accountId ${c.accountId}`,
      );
    }
    if (secretRegion !== checkedRegion) {
      fail(
        "registry.dockerHubCredentialArn",
        `is in region ${secretRegion}; the pull-through cache rule is in this stack's region, so the secret must be in aws:region ${checkedRegion}`,
      );
    }
  }
  if (c.registry.scanFrequency !== undefined && c.registry.scanning !== "enhanced") {
    fail("registry.scanFrequency", `is only allowed with registry.scanning: "enhanced"`);
  }
  const overlap = c.registry.releaseTagPrefixes.find((r) =>
    c.registry.pullRequestTagPrefixes.some((p) => r.startsWith(p) || p.startsWith(r)),
  );
  if (overlap !== undefined) {
    fail(
      "registry.pullRequestTagPrefixes",
      `overlaps the release prefix "${overlap}"; release and preview prefixes must not select the same tags`,
    );
  }
  for (const key of Object.keys(c.tags)) {
    if ((STANDARD_TAG_KEYS as readonly string[]).includes(key)) {
      fail(
        `tags.${key}`,
        `is set by the stack itself; allowed: any key except ${STANDARD_TAG_KEYS.join(", ")}`,
      );
    }
  }

  const environmentAccounts = Object.fromEntries(
    ENVIRONMENTS.map((env) => [env, c.accounts[env] ?? c.accountId]),
  ) as Record<EnvironmentName, string>;

  // A preview role is assumed in the account it previews: one keyed by an account id must be in that
  // account, and one for a berth-platform environment in that environment's account. Checked here,
  // with the rest of the file, rather than by PullRequestPreviews after the registry exists.
  for (const [key, arn] of Object.entries(c.previews.roleArns)) {
    const roleAccount = IAM_ROLE_ARN.exec(arn)![2]!;
    const env = /^berth-platform\/(.+)$/.exec(key)?.[1] as EnvironmentName | undefined;
    const [account, why] = /^\d{12}$/.test(key)
      ? [key, `the key is account ${key}`]
      : env !== undefined && (ENVIRONMENTS as readonly string[]).includes(env)
        ? [environmentAccounts[env], `${env} runs in account ${environmentAccounts[env]} (accounts.${env})`]
        : [undefined, ""];
    if (account !== undefined && roleAccount !== account) {
      fail(
        `previews.roleArns.${key}`,
        `is ${show(arn)}, a role in account ${roleAccount}; ${why}, so the role must be arn:aws:iam::${account}:role/<name>`,
      );
    }
  }
  return { ...c, region: checkedRegion, environmentAccounts };
}
