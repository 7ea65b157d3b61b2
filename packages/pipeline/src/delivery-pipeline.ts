import {
  arnParts,
  assumeRolePolicy,
  checkComponent,
  checkTags,
  ECR_REPOSITORY_NAME,
  mergeTags,
  type PolicyStatement,
  policyDocument,
  type RepositoryRef,
  type Transform,
  transformed,
} from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadBuildspec } from "./buildspecs.js";
import {
  BUILD_ENVIRONMENTS,
  CLI_VERSION,
  connectionParts,
  connectionStatement,
  DEFAULT_PULUMI_VERSION,
  type ImagePlatform,
  knownString,
  logStatements,
  PULUMI_NAME,
  plain,
  type SourceProvider,
  validateBranch,
  validateBuildspecText,
  validateReleasePrefix,
  validateRetention,
  validateRoleArn,
  validateSource,
  validateStateBucket,
} from "./common.js";
import { DEFAULT_RELEASE_PARAMETER_PREFIX, isProdLike, releaseParameterName } from "./release.js";

const TYPE = "berth:pipeline:DeliveryPipeline";

/** The default name of the role a deploy build assumes in an environment's account. */
export function defaultDeployRoleName(environment: string): string {
  return `berth-deploy-${environment}`;
}

/** One environment the pipeline deploys to, in promotion order. */
export interface DeliveryEnvironment {
  /**
   * The environment's name: lowercase letters, digits and `-`, starting with a letter, at most 20
   * characters. Names the pipeline stage (`Deploy-<name>`) and the release pointer.
   * @example name: "staging"
   */
  name: string;
  /**
   * The Pulumi stack of the environment in the platform project (`<organization>/<project>/<stack>`).
   * @example stack: "staging"
   */
  stack: string;
  /**
   * The role the deploy build assumes to set the release pointer and run `pulumi up`; it may live in
   * another account and must trust the environment's deploy project role (output `deployRoleArns`).
   * @default `arn:<partition>:iam::<account>:role/berth-deploy-<name>`
   * @example deployRoleArn: "arn:aws:iam::210987654321:role/berth-deploy-prod"
   */
  deployRoleArn?: pulumi.Input<string>;
  /**
   * Whether a person approves before this environment is deployed.
   * @default true for production-like names (`prod`, `production`, `prd`, `live`, `prod-*`), else false
   * @example requireApproval: true
   */
  requireApproval?: boolean;
  /**
   * Why a production-like environment may deploy without approval. Required to set
   * `requireApproval: false` on one.
   * @default none
   * @example approvalWaiver: "sandbox account, no customer traffic"
   */
  approvalWaiver?: string;
  /**
   * The 12-digit AWS account of the environment (for the default deploy role).
   * @default the pipeline's account (the connection's)
   * @example account: "210987654321"
   */
  account?: string;
}

export interface DeliveryPipelineArgs {
  /** Where the code comes from: a CodeStar (CodeConnections) connection, a repository and a branch. */
  source: {
    /**
     * The connection's ARN; the pipeline runs in its account and region.
     * @example connectionArn: "arn:aws:codestar-connections:us-east-1:123456789012:connection/8f0c1c1e-4a4b-4b7e-9a59-0d3c5e2f1a7b"
     */
    connectionArn: pulumi.Input<string>;
    /**
     * The repository: `owner/name` (GitLab: `group/subgroup/name`).
     * @example repository: "acme/berth"
     */
    repository: string;
    /**
     * The git host behind the connection.
     * @default "github"
     * @example provider: "gitlab"
     */
    provider?: SourceProvider;
    /**
     * The branch whose pushes are delivered.
     * @default "main"
     * @example branch: "trunk"
     */
    branch?: string;
    /**
     * File path globs (V2 trigger filter): a push starts the pipeline only when it changes a file
     * matching `includes` and not only files matching `excludes`. At most 8 patterns each.
     * @default { excludes: ["docs/**", "**\/*.md"] }
     * @example filePaths: { includes: ["apps/**", "packages/**", "stacks/**", "pnpm-lock.yaml"] }
     */
    filePaths?: { includes?: string[]; excludes?: string[] };
  };
  /**
   * The ECR repository the image is pushed to (the build may push there and nowhere else).
   * @example repository: registry.repositories.hello
   */
  repository: RepositoryRef;
  /**
   * The service the image belongs to; names the release pointers `<prefix>/<environment>/<service>/image`.
   * @default the repository's name (required when that is not a plain string)
   * @example service: "hello"
   */
  service?: string;
  /**
   * The environments, in promotion order. Each gets a stage; the same digest goes to every one.
   * @example environments: [{ name: "dev", stack: "dev" }, { name: "prod", stack: "prod" }]
   */
  environments: DeliveryEnvironment[];
  /** The Pulumi state backend the deploy builds use. */
  state: {
    /**
     * The S3 bucket of the state backend.
     * @example bucket: "acme-berth-state"
     */
    bucket: pulumi.Input<string>;
    /**
     * The KMS secrets provider of the stacks (used when a stack has to be created).
     * @example secretsProvider: "awskms://alias/berth-state?region=us-east-1"
     */
    secretsProvider: pulumi.Input<string>;
  };
  /** Where the platform program is and the CLI that runs it. */
  pulumi?: {
    /**
     * The organization part of stack references (`organization` on the S3 backend).
     * @default "organization"
     * @example organization: "organization"
     */
    organization?: string;
    /**
     * The Pulumi project of the environments' stacks.
     * @default "berth-platform"
     * @example project: "acme-platform"
     */
    project?: string;
    /**
     * The project's folder in the repository.
     * @default "stacks/platform"
     * @example stackDir: "infra/platform"
     */
    stackDir?: string;
    /**
     * The pinned Pulumi CLI version.
     * @default "3.248.0"
     * @example version: "3.248.0"
     */
    version?: string;
  };
  /** How the image is built. */
  image?: {
    /**
     * The Dockerfile, relative to the repository root.
     * @default "apps/hello/Dockerfile"
     * @example dockerfile: "apps/api/Dockerfile"
     */
    dockerfile?: string;
    /**
     * The build context, relative to the repository root.
     * @default "."
     * @example context: "apps/api"
     */
    context?: string;
    /**
     * The image platform; the build runs on a matching CodeBuild host (ARM or x86).
     * @default "linux/arm64"
     * @example platform: "linux/amd64"
     */
    platform?: ImagePlatform;
    /**
     * The ECR pull-through cache prefix for Docker Hub (a Registry `pullThroughCache` rule with
     * `upstream: "docker-hub"`, in the repository's registry) that base images come through: the
     * build gets `BASE_IMAGE_REGISTRY=<registry host>/<prefix>` (BuildKit's image, the Dockerfile
     * frontend and the build argument `BASE_REGISTRY` use it) and its role may pull and import
     * images under `repository/<prefix>/*`, nothing else. Without it, base images are pulled
     * anonymously from Docker Hub, which rate-limits CodeBuild's shared addresses.
     * @default undefined (Docker Hub directly)
     * @example pullThroughCachePrefix: "docker-hub"
     */
    pullThroughCachePrefix?: string;
  };
  /**
   * The prefix of the tag each deploy moves to the image it releases (`<prefix><environment>`, e.g.
   * `release-prod`), so the Registry's lifecycle policy never expires an image an environment runs.
   * Must be the Registry's `environmentTagPrefix`; `false` for no tag.
   * @default "release-"
   * @example releaseTagPrefix: "env-"
   */
  releaseTagPrefix?: string | false;
  /**
   * The prefix of the release pointers (SSM parameter names).
   * @default "/berth"
   * @example releaseParameterPrefix: "/acme/berth"
   */
  releaseParameterPrefix?: string;
  /**
   * How executions that overlap are handled: the newest replaces a waiting one (`SUPERSEDED`) or
   * each waits its turn (`QUEUED`).
   * @default "SUPERSEDED"
   * @example executionMode: "QUEUED"
   */
  executionMode?: "SUPERSEDED" | "QUEUED";
  /**
   * An existing SNS topic for failure and approval notifications; without it the pipeline creates one.
   * @default a new topic
   * @example notificationTopicArn: "arn:aws:sns:us-east-1:123456789012:platform-alerts"
   */
  notificationTopicArn?: pulumi.Input<string>;
  /**
   * Days the build logs are kept (a value CloudWatch Logs offers).
   * @default 30
   * @example logRetentionInDays: 90
   */
  logRetentionInDays?: number;
  /**
   * Days pipeline artifacts are kept in the artifact bucket (older versions: 7 days).
   * @default 30
   * @example artifactRetentionInDays: 90
   */
  artifactRetentionInDays?: number;
  /**
   * Buildspec text replacing the shipped templates (`ci/buildspecs/*.yml`).
   * @default the shipped templates
   * @example buildspecs: { test: readFileSync("ci/my-test.yml", "utf8") }
   */
  buildspecs?: { test?: string; buildImage?: string; deploy?: string };
  /**
   * Protect the stateful children (artifact bucket and key) from deletion.
   * @default false
   * @example protect: true
   */
  protect?: boolean;
  /**
   * Tags for every taggable child.
   * @default {}
   * @example tags: { Team: "platform" }
   */
  tags?: Record<string, string>;
  /** Escape hatch: change any child's args before it is created. */
  transform?: {
    pipeline?: Transform<aws.codepipeline.PipelineArgs>;
    artifactBucket?: Transform<aws.s3.BucketArgs>;
    artifactKey?: Transform<aws.kms.KeyArgs>;
    artifactLifecycle?: Transform<aws.s3.BucketLifecycleConfigurationArgs>;
    logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    role?: Transform<aws.iam.RoleArgs>;
    rolePolicy?: Transform<aws.iam.RolePolicyArgs>;
    testProject?: Transform<aws.codebuild.ProjectArgs>;
    buildImageProject?: Transform<aws.codebuild.ProjectArgs>;
    deployProject?: Transform<aws.codebuild.ProjectArgs>;
    topic?: Transform<aws.sns.TopicArgs>;
    notificationRule?: Transform<aws.codestarnotifications.NotificationRuleArgs>;
  };
}

interface Resolved {
  branch: string;
  service: string;
  prefix: string;
  organization: string;
  project: string;
  stackDir: string;
  pulumiVersion: string;
  dockerfile: string;
  context: string;
  platform: ImagePlatform;
  pullThroughCachePrefix?: string;
  releaseTagPrefix: string | false;
  retention: number;
  artifactDays: number;
  executionMode: "SUPERSEDED" | "QUEUED";
  /** The trigger's file path filter, when there is one. */
  filePaths?: { includes?: string[]; excludes?: string[] };
  environments: (DeliveryEnvironment & { requireApproval: boolean })[];
}

const ENV_NAME = /^[a-z][a-z0-9-]{0,19}$/;
const RELATIVE_PATH = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9_.@/-]+$/;

const REPOSITORY_URL = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/(.+)$/;
const ECR_NAME_RULE =
  "must be an ECR repository name: 2-256 characters, lowercase letters and digits, with '.', '_' or '-' only between them and '/' between namespace parts (no empty, '.' or '..' parts)";

function validate(name: string, args: DeliveryPipelineArgs | undefined): Resolved {
  const v = checkComponent(TYPE, name, args);
  const a = v.required("args", args, "give source, repository, environments and state");
  checkTags(v, "tags", a.tags);
  validateSource(v, "source", a.source);
  const branch = a.source.branch ?? "main";
  validateBranch(v, "source.branch", branch);
  for (const key of ["includes", "excludes"] as const) {
    const patterns = a.source.filePaths?.[key];
    if (patterns === undefined) continue;
    v.check(
      Array.isArray(patterns) && patterns.length >= 1 && patterns.length <= 8,
      `source.filePaths.${key}`,
      patterns,
      "must list 1 to 8 glob patterns",
    );
    for (const [i, p] of patterns.entries()) {
      v.check(
        typeof p === "string" && p.length >= 1 && p.length <= 255 && !p.startsWith("/"),
        `source.filePaths.${key}[${i}]`,
        p,
        "must be a glob relative to the repository root (1-255 characters, no leading '/')",
      );
    }
  }

  const repo = v.required(
    "repository",
    a.repository,
    "the ECR repository as a RepositoryRef { name, arn, url }",
  );
  v.required("repository.arn", repo.arn);
  v.required("repository.url", repo.url);
  const repoName = knownString(repo.name);
  const isEcrName = (n: string) => n.length >= 2 && n.length <= 256 && ECR_REPOSITORY_NAME.test(n);
  if (repoName !== undefined) v.check(isEcrName(repoName), "repository.name", repoName, ECR_NAME_RULE);
  v.arn("repository.arn", repo.arn, "ecr", /^repository\/.+$/);
  const arnName = knownString(repo.arn)?.replace(/^.*?:repository\//, "");
  if (arnName !== undefined)
    v.check(
      isEcrName(arnName),
      "repository.arn",
      repo.arn,
      `names the repository "${arnName}", which ${ECR_NAME_RULE}`,
    );
  v.matches(
    "repository.url",
    repo.url,
    REPOSITORY_URL,
    "must be <account>.dkr.ecr.<region>.amazonaws.com/<name>",
  );
  const url = knownString(repo.url);
  const urlName = url ? REPOSITORY_URL.exec(url)?.[3] : undefined;
  if (urlName !== undefined)
    v.check(
      isEcrName(urlName),
      "repository.url",
      url,
      `names the repository "${urlName}", which ${ECR_NAME_RULE}`,
    );
  const names = [repoName, arnName, urlName].filter((n): n is string => n !== undefined);
  v.check(
    new Set(names).size <= 1,
    "repository",
    { name: repoName, arn: knownString(repo.arn), url },
    "name, arn and url must be one repository's",
  );

  const service = a.service ?? repoName;
  v.required(
    "service",
    service,
    "name the service (the repository's name is an Output, so it cannot be the default)",
  );
  v.matches(
    "service",
    service,
    /^[a-z][a-z0-9-]{0,62}$/,
    "must be lowercase letters, digits and '-', starting with a letter, at most 63 characters",
  );

  const prefix = a.releaseParameterPrefix ?? DEFAULT_RELEASE_PARAMETER_PREFIX;
  validateReleasePrefix(v, prefix);
  v.check(
    !/^\/(aws|ssm)(\/|$)/i.test(prefix),
    "releaseParameterPrefix",
    prefix,
    "must not start with /aws or /ssm (reserved by AWS)",
  );

  const envs = v.required("environments", a.environments, "list at least one environment");
  v.check(
    Array.isArray(envs) && envs.length >= 1 && envs.length <= 48,
    "environments",
    envs,
    "must list 1 to 48 environments (CodePipeline allows 50 stages)",
  );
  let seenProd: string | undefined;
  const environments = envs.map((e, i) => {
    const f = `environments[${i}]`;
    v.matches(
      `${f}.name`,
      e.name,
      ENV_NAME,
      "must be lowercase letters, digits and '-', starting with a letter, at most 20 characters",
    );
    v.required(`${f}.stack`, e.stack, "the Pulumi stack of the environment");
    v.matches(
      `${f}.stack`,
      e.stack,
      PULUMI_NAME,
      "must be a Pulumi stack name (letters, digits, '_', '.', '-')",
    );
    if (e.account !== undefined) v.accountId(`${f}.account`, e.account);
    validateRoleArn(
      v,
      `${f}.deployRoleArn`,
      e.deployRoleArn,
      e.account === undefined
        ? undefined
        : { id: e.account, inAccount: `must be a role in the environment's account ${e.account}` },
    );
    const prodLike = isProdLike(e.name);
    if (prodLike && e.requireApproval === false) {
      v.check(
        typeof e.approvalWaiver === "string" && e.approvalWaiver.trim().length > 0,
        `${f}.requireApproval`,
        false,
        `'${e.name}' is production-like and needs a manual approval; give approvalWaiver with the reason to deploy it without one`,
      );
    }
    if (prodLike) seenProd ??= e.name;
    else if (seenProd !== undefined) {
      v.fail(
        `${f}.name`,
        e.name,
        `environments are promoted in order: '${e.name}' cannot come after the production-like '${seenProd}'`,
      );
    }
    return { ...e, requireApproval: e.requireApproval ?? prodLike };
  });
  v.unique(
    "environments[].name",
    environments.map((e) => e.name),
  );
  v.unique(
    "environments[].stack",
    environments.map((e) => e.stack),
  );

  const st = v.required("state", a.state, "give the state bucket and the KMS secrets provider");
  validateStateBucket(v, st.bucket);
  v.required(
    "state.secretsProvider",
    st.secretsProvider,
    "the KMS secrets provider, awskms://alias/<name>?region=<region>",
  );
  v.matches(
    "state.secretsProvider",
    st.secretsProvider,
    /^awskms:\/\/\S+$/,
    "must be a KMS secrets provider URL (awskms://alias/<name>?region=<region> or awskms://<key id>)",
  );

  const organization = a.pulumi?.organization ?? "organization";
  const project = a.pulumi?.project ?? "berth-platform";
  const stackDir = a.pulumi?.stackDir ?? "stacks/platform";
  const pulumiVersion = a.pulumi?.version ?? DEFAULT_PULUMI_VERSION;
  v.matches("pulumi.organization", organization, PULUMI_NAME, "must be letters, digits, '_', '.', '-'");
  v.matches(
    "pulumi.project",
    project,
    PULUMI_NAME,
    "must be a Pulumi project name (letters, digits, '_', '.', '-')",
  );
  v.matches(
    "pulumi.stackDir",
    stackDir,
    RELATIVE_PATH,
    "must be a folder relative to the repository root, without '..'",
  );
  v.matches(
    "pulumi.version",
    pulumiVersion,
    CLI_VERSION,
    "must be an exact CLI version like 3.248.0 (the deploy pins it)",
  );

  const dockerfile = a.image?.dockerfile ?? "apps/hello/Dockerfile";
  const context = a.image?.context ?? ".";
  const platform = a.image?.platform ?? "linux/arm64";
  v.matches(
    "image.dockerfile",
    dockerfile,
    RELATIVE_PATH,
    "must be a path relative to the repository root, without '..'",
  );
  v.matches(
    "image.context",
    context,
    RELATIVE_PATH,
    "must be a folder relative to the repository root, without '..'",
  );
  v.oneOf("image.platform", platform, Object.keys(BUILD_ENVIRONMENTS) as ImagePlatform[]);
  const pullThroughCachePrefix = a.image?.pullThroughCachePrefix;
  if (pullThroughCachePrefix !== undefined) {
    v.check(
      typeof pullThroughCachePrefix === "string" &&
        pullThroughCachePrefix.length >= 2 &&
        pullThroughCachePrefix.length <= 30 &&
        ECR_REPOSITORY_NAME.test(pullThroughCachePrefix),
      "image.pullThroughCachePrefix",
      pullThroughCachePrefix,
      "must be a pull-through cache prefix: 2 to 30 lowercase letters, digits, '.', '_', '-' and '/' between parts",
    );
  }
  const releaseTagPrefix = a.releaseTagPrefix ?? "release-";
  if (releaseTagPrefix !== false) {
    const longest = Math.max(...environments.map((e) => e.name.length));
    v.check(
      typeof releaseTagPrefix === "string" &&
        /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(releaseTagPrefix) &&
        releaseTagPrefix.length + longest <= 128,
      "releaseTagPrefix",
      releaseTagPrefix,
      `must be a tag prefix (letters, digits, '_', '.', '-', not starting with '.' or '-') that leaves room for the environment name (a tag is at most 128 characters), or false`,
    );
  }

  const retention = a.logRetentionInDays ?? 30;
  validateRetention(v, "logRetentionInDays", retention);
  const artifactDays = a.artifactRetentionInDays ?? 30;
  v.integer("artifactRetentionInDays", artifactDays, { min: 1, max: 3650 }, " days");
  const executionMode = a.executionMode ?? "SUPERSEDED";
  v.oneOf("executionMode", executionMode, ["SUPERSEDED", "QUEUED"]);
  if (a.notificationTopicArn !== undefined) v.arn("notificationTopicArn", a.notificationTopicArn, "sns");
  for (const [k, text] of Object.entries(a.buildspecs ?? {})) {
    validateBuildspecText(v, `buildspecs.${k}`, text);
  }

  const { includes, excludes } = a.source.filePaths ?? { excludes: ["docs/**", "**/*.md"] };
  return {
    branch,
    service: service as string,
    prefix,
    organization,
    project,
    stackDir,
    pulumiVersion,
    dockerfile,
    context,
    platform,
    ...(pullThroughCachePrefix !== undefined ? { pullThroughCachePrefix } : {}),
    releaseTagPrefix,
    retention,
    artifactDays,
    executionMode,
    ...(includes || excludes
      ? { filePaths: { ...(includes ? { includes } : {}), ...(excludes ? { excludes } : {}) } }
      : {}),
    environments,
  };
}

/**
 * Delivers a service from a git branch to its environments on CodePipeline V2: Source → Test and
 * Build image → Deploy to each environment in order (with a manual approval where asked), promoting
 * the same image digest. Deploys set the environment's release pointer and run `pulumi up`; the
 * pipeline never changes ECS resources itself.
 *
 * @example
 * const pipeline = new DeliveryPipeline("hello", {
 *   source: { connectionArn, repository: "acme/berth" },
 *   repository: registry.repositories.hello,
 *   environments: [{ name: "dev", stack: "dev" }, { name: "staging", stack: "staging" }, { name: "prod", stack: "prod" }],
 *   state: { bucket: "acme-berth-state", secretsProvider: "awskms://alias/berth-state?region=us-east-1" },
 * });
 */
export class DeliveryPipeline extends pulumi.ComponentResource {
  readonly pipelineName: pulumi.Output<string>;
  readonly pipelineArn: pulumi.Output<string>;
  readonly artifactBucketName: pulumi.Output<string>;
  readonly artifactKeyArn: pulumi.Output<string>;
  readonly notificationTopicArn: pulumi.Output<string>;
  readonly testProjectName: pulumi.Output<string>;
  readonly buildImageProjectName: pulumi.Output<string>;
  /** Deploy project name per environment. */
  readonly deployProjectNames: pulumi.Output<Record<string, string>>;
  /** The role each environment's deploy build runs as; the environment's deploy role must trust it. */
  readonly deployProjectRoleArns: pulumi.Output<Record<string, string>>;
  /** The role each environment's deploy build assumes. */
  readonly deployRoleArns: pulumi.Output<Record<string, string>>;
  /** The release pointer (SSM parameter name) per environment. */
  readonly releaseParameterNames: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: DeliveryPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = validate(name, args);
    super(TYPE, name, {}, opts);

    const tags = mergeTags({ "berth:component": "DeliveryPipeline" }, args.tags);
    const conn = connectionParts(args.source.connectionArn);
    const account = conn.account;
    const protect = args.protect ?? false;
    const t = args.transform ?? {};

    // Artifact store: KMS key and a private, versioned, encrypted bucket with a lifecycle.
    const createTopic = args.notificationTopicArn === undefined;
    const keyPolicy = pulumi.jsonStringify(
      policyDocument([
        {
          Sid: "AccountAdministers",
          Effect: "Allow",
          Principal: {
            AWS: pulumi.interpolate`arn:${conn.partition}:iam::${account}:root` as unknown as string,
          },
          Action: "kms:*",
          Resource: "*",
        },
        ...(createTopic
          ? [
              {
                Sid: "NotificationsPublishEncrypted",
                Effect: "Allow" as const,
                Principal: { Service: "codestar-notifications.amazonaws.com" },
                Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                Resource: "*",
                Condition: {
                  StringEquals: {
                    "kms:ViaService":
                      pulumi.interpolate`sns.${conn.region}.amazonaws.com` as unknown as string,
                  },
                },
              },
            ]
          : []),
      ]),
    );
    const [keyArgs, keyOpts] = transformed(
      t.artifactKey,
      {
        description: `Berth pipeline ${name}: artifacts, build output and notifications`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: keyPolicy,
        tags,
      } as aws.kms.KeyArgs,
      { parent: this, protect } as pulumi.CustomResourceOptions,
    );
    const key = new aws.kms.Key(`${name}-artifacts-key`, keyArgs, keyOpts);

    const [bucketArgs, bucketOpts] = transformed(
      t.artifactBucket,
      { forceDestroy: false, tags } as aws.s3.BucketArgs,
      { parent: this, protect } as pulumi.CustomResourceOptions,
    );
    const bucket = new aws.s3.Bucket(`${name}-artifacts`, bucketArgs, bucketOpts);
    const artifactObjects = pulumi.interpolate`${bucket.arn}/*`;
    new aws.s3.BucketPublicAccessBlock(
      `${name}-artifacts-public-access`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent: this },
    );
    new aws.s3.BucketVersioning(
      `${name}-artifacts-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      { parent: this },
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-artifacts-encryption`,
      {
        bucket: bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn },
            bucketKeyEnabled: true,
          },
        ],
      },
      { parent: this },
    );
    const [lcArgs, lcOpts] = transformed(
      t.artifactLifecycle,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-artifacts",
            status: "Enabled",
            filter: { prefix: "" },
            expiration: { days: r.artifactDays },
            noncurrentVersionExpiration: { noncurrentDays: 7 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      } as aws.s3.BucketLifecycleConfigurationArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    new aws.s3.BucketLifecycleConfiguration(`${name}-artifacts-lifecycle`, lcArgs, lcOpts);
    new aws.s3.BucketPolicy(
      `${name}-artifacts-policy`,
      {
        bucket: bucket.id,
        policy: pulumi.jsonStringify(
          policyDocument([
            {
              Sid: "DenyInsecureTransport",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: [bucket.arn, artifactObjects] as unknown as string[],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ]),
        ),
      },
      { parent: this },
    );

    // Notifications.
    let topicArn: pulumi.Output<string>;
    if (createTopic) {
      const [topicArgs, topicOpts] = transformed(
        t.topic,
        { kmsMasterKeyId: key.arn, tags } as aws.sns.TopicArgs,
        { parent: this } as pulumi.CustomResourceOptions,
      );
      const topic = new aws.sns.Topic(`${name}-notifications`, topicArgs, topicOpts);
      new aws.sns.TopicPolicy(
        `${name}-notifications-policy`,
        {
          arn: topic.arn,
          policy: pulumi.jsonStringify(
            policyDocument([
              {
                Sid: "CodeStarNotificationsPublish",
                Effect: "Allow",
                Principal: { Service: "codestar-notifications.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topic.arn as unknown as string,
                Condition: { StringEquals: { "aws:SourceAccount": account as unknown as string } },
              },
            ]),
          ),
        },
        { parent: this },
      );
      topicArn = topic.arn;
    } else {
      topicArn = pulumi.output(args.notificationTopicArn!);
    }

    // Shared pieces of the CodeBuild projects.
    const useConnection = connectionStatement(args.source.connectionArn);
    const artifactRead: PolicyStatement[] = [
      {
        Sid: "ReadArtifacts",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:GetObjectVersion"],
        Resource: artifactObjects as unknown as string,
      },
      {
        Sid: "UseArtifactKey",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: key.arn as unknown as string,
      },
    ];
    const buildEnv = BUILD_ENVIRONMENTS[r.platform];

    const role = (suffix: string, service: string, description: string) => {
      const [roleArgs, roleOpts] = transformed(
        t.role,
        {
          assumeRolePolicy: account.apply((acc) => JSON.stringify(assumeRolePolicy(service, acc))),
          description,
          tags,
        } as aws.iam.RoleArgs,
        { parent: this } as pulumi.CustomResourceOptions,
      );
      return new aws.iam.Role(`${name}-${suffix}-role`, roleArgs, roleOpts);
    };
    const rolePolicy = (suffix: string, roleRes: aws.iam.Role, statements: PolicyStatement[]) => {
      const [pArgs, pOpts] = transformed(
        t.rolePolicy,
        {
          role: roleRes.name,
          policy: pulumi.jsonStringify(policyDocument(statements)),
        } as aws.iam.RolePolicyArgs,
        { parent: this } as pulumi.CustomResourceOptions,
      );
      return new aws.iam.RolePolicy(`${name}-${suffix}-policy`, pArgs, pOpts);
    };
    /**
     * One CodeBuild project with its own log group and role: log group, role, role policy (write
     * its logs, read the artifacts, then `statements`), project, in that order.
     */
    const codeBuild = (
      suffix: string,
      transform: Transform<aws.codebuild.ProjectArgs> | undefined,
      spec: {
        roleDescription: string;
        statements: PolicyStatement[];
        buildspec: string;
        privileged: boolean;
        computeType: string;
        timeout: number;
        variables: { name: string; value: pulumi.Input<string>; type: string }[];
        description: string;
      },
    ) => {
      const [lgArgs, lgOpts] = transformed(
        t.logGroup,
        { retentionInDays: r.retention, tags } as aws.cloudwatch.LogGroupArgs,
        { parent: this } as pulumi.CustomResourceOptions,
      );
      const logs = new aws.cloudwatch.LogGroup(`${name}-${suffix}-logs`, lgArgs, lgOpts);
      const projectRole = role(suffix, "codebuild.amazonaws.com", spec.roleDescription);
      const policy = rolePolicy(suffix, projectRole, [
        ...logStatements(logs.arn),
        ...artifactRead,
        ...spec.statements,
      ]);
      const [pArgs, pOpts] = transformed(
        transform,
        {
          description: spec.description,
          serviceRole: projectRole.arn,
          source: { type: "CODEPIPELINE", buildspec: spec.buildspec },
          artifacts: { type: "CODEPIPELINE" },
          environment: {
            type: buildEnv.type,
            image: buildEnv.image,
            computeType: spec.computeType,
            imagePullCredentialsType: "CODEBUILD",
            privilegedMode: spec.privileged,
            environmentVariables: spec.variables,
          },
          logsConfig: {
            cloudwatchLogs: { status: "ENABLED", groupName: logs.name },
            s3Logs: { status: "DISABLED" },
          },
          encryptionKey: key.arn,
          buildTimeout: spec.timeout,
          tags,
        } as aws.codebuild.ProjectArgs,
        { parent: this, dependsOn: [policy] } as pulumi.CustomResourceOptions,
      );
      return {
        project: new aws.codebuild.Project(`${name}-${suffix}`, pArgs, pOpts),
        role: projectRole,
      };
    };

    // Test.
    const { project: testProject } = codeBuild("test", t.testProject, {
      roleDescription: `Berth pipeline ${name}: test build`,
      statements: [useConnection],
      buildspec: args.buildspecs?.test ?? loadBuildspec("test"),
      privileged: false,
      computeType: "BUILD_GENERAL1_LARGE",
      timeout: 60,
      variables: [],
      description: `Berth pipeline ${name}: typecheck, lint and test what the change affects`,
    });

    // Base images through the registry's pull-through cache: pull, import from the upstream and
    // create the cache repository on first pull (ECR User Guide, pull through cache "Required IAM
    // permissions"), on the cache prefix of the repository's own registry only.
    const cachePrefix = r.pullThroughCachePrefix;
    const cacheStatements: PolicyStatement[] = [];
    const cacheVariables: ReturnType<typeof plain>[] = [];
    if (cachePrefix !== undefined) {
      const cacheRepositories = pulumi.output(args.repository.arn).apply((arn) => {
        const p = arnParts(arn);
        return `arn:${p.partition}:ecr:${p.region}:${p.account}:repository/${cachePrefix}/*`;
      });
      cacheStatements.push(
        {
          Sid: "PullBaseImagesThroughCache",
          Effect: "Allow",
          Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
          Resource: cacheRepositories as unknown as string,
        },
        {
          Sid: "ImportBaseImagesIntoCache",
          Effect: "Allow",
          Action: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
          Resource: cacheRepositories as unknown as string,
        },
      );
      cacheVariables.push(
        plain(
          "BASE_IMAGE_REGISTRY",
          pulumi.output(args.repository.url).apply((u) => `${u.split("/")[0]}/${cachePrefix}`),
        ),
      );
    }

    // Build image: the only privileged project; pushes to its own repository only.
    const { project: imageProject } = codeBuild("build-image", t.buildImageProject, {
      roleDescription: `Berth pipeline ${name}: image build`,
      statements: [
        {
          Sid: "WriteArtifacts",
          Effect: "Allow",
          Action: ["s3:PutObject"],
          Resource: artifactObjects as unknown as string,
        },
        useConnection,
        { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
        {
          Sid: "PushToOwnRepository",
          Effect: "Allow",
          Action: [
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
            "ecr:InitiateLayerUpload",
            "ecr:UploadLayerPart",
            "ecr:CompleteLayerUpload",
            "ecr:PutImage",
            "ecr:DescribeImages",
          ],
          Resource: args.repository.arn as string,
        },
        ...cacheStatements,
      ],
      buildspec: args.buildspecs?.buildImage ?? loadBuildspec("build-image"),
      privileged: true,
      computeType: "BUILD_GENERAL1_LARGE",
      timeout: 60,
      variables: [
        plain("IMAGE_REPO_URI", args.repository.url),
        plain("DOCKERFILE", r.dockerfile),
        plain("BUILD_CONTEXT", r.context),
        plain("PLATFORM", r.platform),
        ...cacheVariables,
      ],
      description: `Berth pipeline ${name}: build and push the image once, record its digest`,
    });

    // Deploy: one project per environment, each may only assume its environment's role.
    const deployBuildspec = args.buildspecs?.deploy ?? loadBuildspec("deploy");
    const deploys = r.environments.map((env) => {
      const deployRoleArn: pulumi.Output<string> = env.deployRoleArn
        ? pulumi.output(env.deployRoleArn)
        : pulumi.interpolate`arn:${conn.partition}:iam::${env.account ?? account}:role/${defaultDeployRoleName(env.name)}`;
      const parameter = releaseParameterName(env.name, r.service, r.prefix);
      const { project: proj, role: projectRole } = codeBuild(`deploy-${env.name}`, t.deployProject, {
        roleDescription: `Berth pipeline ${name}: deploy ${env.name}`,
        statements: [
          useConnection,
          {
            Sid: "AssumeEnvironmentDeployRole",
            Effect: "Allow",
            Action: "sts:AssumeRole",
            Resource: deployRoleArn as unknown as string,
          },
          // Moves the environment tag to the released image (batch-get-image + put-image), so the
          // registry's lifecycle policy keeps it.
          ...(r.releaseTagPrefix !== false
            ? [
                {
                  Sid: "TagReleasedImage",
                  Effect: "Allow" as const,
                  Action: ["ecr:BatchGetImage", "ecr:PutImage"],
                  Resource: args.repository.arn as string,
                },
              ]
            : []),
        ],
        buildspec: deployBuildspec,
        privileged: false,
        computeType: "BUILD_GENERAL1_SMALL",
        timeout: 90,
        variables: [
          plain("ENVIRONMENT", env.name),
          plain("STACK", env.stack),
          plain("RELEASE_PARAMETER", parameter),
          plain("DEPLOY_ROLE_ARN", deployRoleArn),
          plain("STATE_BUCKET", args.state.bucket),
          plain("SECRETS_PROVIDER", args.state.secretsProvider),
          plain("PULUMI_ORG", r.organization),
          plain("PULUMI_PROJECT", r.project),
          plain("STACK_DIR", r.stackDir),
          plain("PULUMI_VERSION", r.pulumiVersion),
          plain("RELEASE_TAG_PREFIX", r.releaseTagPrefix === false ? "" : r.releaseTagPrefix),
        ],
        description: `Berth pipeline ${name}: release the image to ${env.name} and run pulumi up`,
      });
      return { env, project: proj, projectRole, deployRoleArn, parameter };
    });

    // The pipeline.
    const pipelineRole = role(
      "pipeline",
      "codepipeline.amazonaws.com",
      `Berth pipeline ${name}: CodePipeline`,
    );
    const projectArns = [testProject.arn, imageProject.arn, ...deploys.map((d) => d.project.arn)];
    const pipelinePolicy = rolePolicy("pipeline", pipelineRole, [
      {
        Sid: "ArtifactBucket",
        Effect: "Allow",
        Action: ["s3:GetBucketVersioning", "s3:GetBucketLocation"],
        Resource: bucket.arn as unknown as string,
      },
      {
        Sid: "ArtifactObjects",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"],
        Resource: artifactObjects as unknown as string,
      },
      {
        Sid: "ArtifactKey",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
        Resource: key.arn as unknown as string,
      },
      useConnection,
      {
        Sid: "RunOwnBuilds",
        Effect: "Allow",
        Action: ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:StopBuild"],
        Resource: projectArns as unknown as string[],
      },
      {
        Sid: "ApprovalNotifications",
        Effect: "Allow",
        Action: "sns:Publish",
        Resource: topicArn as unknown as string,
      },
    ]);

    const SOURCE = "SourceArtifact";
    const IMAGE = "ImageArtifact";
    const stages: aws.types.input.codepipeline.PipelineStage[] = [
      {
        name: "Source",
        actions: [
          {
            name: "Source",
            category: "Source",
            owner: "AWS",
            provider: "CodeStarSourceConnection",
            version: "1",
            namespace: "SourceVariables",
            outputArtifacts: [SOURCE],
            configuration: {
              ConnectionArn: args.source.connectionArn,
              FullRepositoryId: args.source.repository,
              BranchName: r.branch,
              OutputArtifactFormat: "CODEBUILD_CLONE_REF",
            },
          },
        ],
      },
      {
        name: "Build",
        actions: [
          {
            name: "Test",
            category: "Test",
            owner: "AWS",
            provider: "CodeBuild",
            version: "1",
            runOrder: 1,
            inputArtifacts: [SOURCE],
            configuration: { ProjectName: testProject.name },
          },
          {
            name: "BuildImage",
            category: "Build",
            owner: "AWS",
            provider: "CodeBuild",
            version: "1",
            runOrder: 1,
            namespace: "BuildVariables",
            inputArtifacts: [SOURCE],
            outputArtifacts: [IMAGE],
            configuration: { ProjectName: imageProject.name },
          },
        ],
      },
      ...deploys.map(({ env, project: proj }): aws.types.input.codepipeline.PipelineStage => {
        const actions: aws.types.input.codepipeline.PipelineStageAction[] = [];
        if (env.requireApproval) {
          actions.push({
            name: "Approve",
            category: "Approval",
            owner: "AWS",
            provider: "Manual",
            version: "1",
            runOrder: 1,
            configuration: {
              NotificationArn: topicArn,
              CustomData: `Release #{BuildVariables.IMAGE_URI} (commit #{SourceVariables.CommitId}) to ${env.name}?`,
            },
          });
        }
        actions.push({
          name: "Deploy",
          category: "Build",
          owner: "AWS",
          provider: "CodeBuild",
          version: "1",
          runOrder: env.requireApproval ? 2 : 1,
          inputArtifacts: [SOURCE, IMAGE],
          configuration: {
            ProjectName: proj.name,
            PrimarySource: SOURCE,
            EnvironmentVariables: JSON.stringify([
              plain("IMAGE_URI", "#{BuildVariables.IMAGE_URI}"),
              plain("IMAGE_ARTIFACT", IMAGE),
            ]),
          },
        });
        return { name: `Deploy-${env.name}`, actions };
      }),
    ];

    const [plArgs, plOpts] = transformed(
      t.pipeline,
      {
        pipelineType: "V2",
        executionMode: r.executionMode,
        roleArn: pipelineRole.arn,
        artifactStores: [
          { type: "S3", location: bucket.bucket, encryptionKey: { id: key.arn, type: "KMS" } },
        ],
        stages,
        triggers: [
          {
            providerType: "CodeStarSourceConnection",
            gitConfiguration: {
              sourceActionName: "Source",
              pushes: [
                {
                  branches: { includes: [r.branch] },
                  ...(r.filePaths ? { filePaths: r.filePaths } : {}),
                },
              ],
            },
          },
        ],
        tags,
      } as aws.codepipeline.PipelineArgs,
      { parent: this, dependsOn: [pipelinePolicy] } as pulumi.CustomResourceOptions,
    );
    const pipeline = new aws.codepipeline.Pipeline(name, plArgs, plOpts);

    const [nrArgs, nrOpts] = transformed(
      t.notificationRule,
      {
        resource: pipeline.arn,
        detailType: "FULL",
        eventTypeIds: [
          "codepipeline-pipeline-pipeline-execution-failed",
          "codepipeline-pipeline-action-execution-failed",
          "codepipeline-pipeline-manual-approval-needed",
        ],
        targets: [{ type: "SNS", address: topicArn }],
        tags,
      } as aws.codestarnotifications.NotificationRuleArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    new aws.codestarnotifications.NotificationRule(`${name}-failures`, nrArgs, nrOpts);

    const record = (f: (d: (typeof deploys)[number]) => pulumi.Input<string>) =>
      pulumi
        .all(deploys.map((d) => pulumi.output(f(d))))
        .apply((vals) => Object.fromEntries(deploys.map((d, i) => [d.env.name, vals[i]!])));

    this.pipelineName = pipeline.name;
    this.pipelineArn = pipeline.arn;
    this.artifactBucketName = bucket.bucket;
    this.artifactKeyArn = key.arn;
    this.notificationTopicArn = topicArn;
    this.testProjectName = testProject.name;
    this.buildImageProjectName = imageProject.name;
    this.deployProjectNames = record((d) => d.project.name);
    this.deployProjectRoleArns = record((d) => d.projectRole.arn);
    this.deployRoleArns = record((d) => d.deployRoleArn);
    this.releaseParameterNames = record((d) => d.parameter);
    this.registerOutputs({
      pipelineName: this.pipelineName,
      pipelineArn: this.pipelineArn,
      artifactBucketName: this.artifactBucketName,
      artifactKeyArn: this.artifactKeyArn,
      notificationTopicArn: this.notificationTopicArn,
      testProjectName: this.testProjectName,
      buildImageProjectName: this.buildImageProjectName,
      deployProjectNames: this.deployProjectNames,
      deployProjectRoleArns: this.deployProjectRoleArns,
      deployRoleArns: this.deployRoleArns,
      releaseParameterNames: this.releaseParameterNames,
    });
  }
}
