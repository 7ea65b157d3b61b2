import { posix } from "node:path";
import {
  assumeRolePolicy,
  type Catalogue,
  checkComponent,
  checkTags,
  denyInsecureTransport,
  ECR_REPOSITORY_NAME,
  mergeTags,
  type PolicyStatement,
  policyDocument,
  type RepositoryRef,
  SERVICE_NAME,
  type Transform,
  transformed,
} from "@berth/core";
import { privateBucketControls } from "@berth/data";
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

const TYPE = "berth:pipeline:CatalogueDelivery";

/** The default name of the role a deploy build assumes in an environment's account. */
export function defaultDeployRoleName(environment: string): string {
  return `berth-deploy-${environment}`;
}

/**
 * The paths whose change affects every service: the workspace's packages, its lockfile and
 * manifests, and the service program.
 */
export const DEFAULT_SHARED_PATHS: readonly string[] = [
  "packages/",
  "pnpm-lock.yaml",
  "pnpm-workspace.yaml",
  "package.json",
  "stacks/service/",
];

/** The architectures of a manifest, as image platforms. */
const PLATFORM_OF = { ARM64: "linux/arm64", X86_64: "linux/amd64" } as const;

/** What the pipeline releases of one service, from its manifest (see {@link deliveredServices}). */
export interface DeliveredService {
  /**
   * The service's name (`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`): its folder `apps/<name>/`, its stacks
   * `<env>.<name>` and its release pointers `/berth/<env>/<name>/image`.
   * @example name: "orders"
   */
  name: string;
  /**
   * The ECR repository its image is pushed to (required unless `image` is given).
   * @example repository: registry.repositories.orders
   */
  repository?: RepositoryRef;
  /**
   * How the image is built, paths relative to the repository root.
   * @default { dockerfile: "apps/<name>/Dockerfile", context: "apps/<name>" }
   * @example build: { dockerfile: "apps/orders/Dockerfile", context: ".", target: "runtime" }
   */
  build?: { dockerfile: string; context: string; target?: string; args?: Record<string, string> };
  /**
   * A prebuilt image: nothing is built or pushed, the deploy only runs `pulumi up` of the service.
   * @example image: "public.ecr.aws/nginx/nginx@sha256:…"
   */
  image?: string;
  /**
   * The image platform; the build runs on a matching CodeBuild host.
   * @default "linux/arm64"
   */
  platform?: ImagePlatform;
  /**
   * Whether the manifest has a `release` task (the deploy role may run its task definition).
   * @default false
   */
  release?: boolean;
}

/**
 * The catalogue's services as the delivery needs them: each manifest's `build` (paths made
 * relative to the repository root), `image`, `architecture` and whether it has a `release` task.
 * The build settings must be the same in every environment (an image is built once and promoted).
 *
 * @example
 * const services = deliveredServices(loadCatalogue("../../apps"), { repositories: registry.repositories });
 */
export function deliveredServices(
  catalogue: Catalogue,
  opts: { repositories: Record<string, RepositoryRef>; appsPath?: string },
): DeliveredService[] {
  const appsPath = opts.appsPath ?? "apps";
  return catalogue.services.map((s) => {
    const per = catalogue.environments.map((env) => s.environments[env]!);
    const m = per[0]!;
    const shape = (x: (typeof per)[number]) =>
      JSON.stringify([x.build ?? null, x.image ?? null, x.architecture ?? "ARM64"]);
    const differs = per.find((x) => shape(x) !== shape(m));
    if (differs) {
      throw new Error(
        `${s.file}: build, image and architecture must be the same in every environment (the pipeline builds an image once and promotes it); ${s.name} overrides them in an environment`,
      );
    }
    const folder = posix.join(appsPath, s.name);
    const platform = PLATFORM_OF[m.architecture ?? "ARM64"];
    const release = per.some((x) => x.release !== undefined);
    if (m.image !== undefined) return { name: s.name, image: m.image, platform, release };
    const repository = opts.repositories[s.name];
    if (repository === undefined) {
      throw new Error(`${s.name} is built by the pipeline but has no repository (give one per service)`);
    }
    const b = m.build ?? {};
    return {
      name: s.name,
      repository,
      platform,
      release,
      build: {
        dockerfile: posix.normalize(posix.join(folder, b.dockerfile ?? "Dockerfile")),
        context: posix.normalize(posix.join(folder, b.context ?? ".")),
        ...(b.target !== undefined ? { target: b.target } : {}),
        ...(b.args !== undefined ? { args: b.args } : {}),
      },
    };
  });
}

/** One environment the delivery deploys to, in promotion order. */
export interface DeliveryEnvironment {
  /**
   * The environment's name: lowercase letters, digits and `-`, starting with a letter, at most 20
   * characters. Names the stage (`Deploy-<name>`), the stacks (`<name>.<service>`) and the pointers.
   * @example name: "staging"
   */
  name: string;
  /**
   * The role the deploy build assumes to write the release pointers and run `pulumi up`; it may live
   * in another account and must trust the environment's deploy project role (`deployProjectRoleArns`).
   * @default `arn:<partition>:iam::<account>:role/berth-deploy-<name>`
   */
  deployRoleArn?: pulumi.Input<string>;
  /**
   * The external id the deploy role's trust requires (`sts:ExternalId`; stacks/bootstrap
   * `environments.<env>.externalId`). The deploy build sends it when it assumes the role
   * (`DEPLOY_EXTERNAL_ID`, the profile's `external_id`). Not a secret.
   * @default none (no external id is sent)
   * @example deployExternalId: "berth-deploy-prod"
   */
  deployExternalId?: string;
  /**
   * The secrets provider of the environment's new stacks (`pulumi stack select --create
   * --secrets-provider`): one key per environment, so that a role of one environment never decrypts
   * another's secrets (Pulumi's awskms provider sends no encryption context).
   * @default `awskms://alias/berth-secrets-<name>?region=<region>` (the key stacks/bootstrap creates), or `state.secretsProvider` when given
   * @example secretsProvider: "awskms://alias/berth-secrets-prod?region=eu-west-1"
   */
  secretsProvider?: pulumi.Input<string>;
  /**
   * Whether a person approves before this environment is deployed.
   * @default true for production-like names (`prod`, `production`, `prd`, `live`, `prod-*`), else false
   */
  requireApproval?: boolean;
  /**
   * Why a production-like environment may deploy without approval (required to skip it).
   * @default none
   */
  approvalWaiver?: string;
  /**
   * The 12-digit AWS account of the environment.
   * @default the pipeline's account (the connection's)
   */
  account?: string;
  /**
   * The environment's region (for the ARNs of what its deploy role may touch).
   * @default the pipeline's region
   */
  region?: string;
  /**
   * The environment's ECS cluster name: scopes the release tasks the deploy role may run (task
   * definition family `<cluster>-<service>-release`, condition `ecs:cluster`).
   * @default any cluster of the environment's account
   * @example clusterName: "platform-1a2b3c4"
   */
  clusterName?: string;
}

export interface CatalogueDeliveryArgs {
  /** Where the code comes from: a CodeStar (CodeConnections) connection, a repository and a branch. */
  source: {
    /** The connection's ARN; the pipeline runs in its account and region. */
    connectionArn: pulumi.Input<string>;
    /** The repository: `owner/name` (GitLab: `group/subgroup/name`). */
    repository: string;
    /** @default "github" */
    provider?: SourceProvider;
    /** @default "main" */
    branch?: string;
    /**
     * File path globs of the V2 push trigger.
     * @default { excludes: ["docs/**", "**\/*.md"] }
     */
    filePaths?: { includes?: string[]; excludes?: string[] };
  };
  /**
   * The catalogue's services (see {@link deliveredServices}): each built once per commit that
   * affects it, for its platform, and promoted through every environment.
   */
  services: DeliveredService[];
  /** The environments, in promotion order. Each gets a stage; the same digests go to every one. */
  environments: DeliveryEnvironment[];
  /** The Pulumi state backend the deploy builds use. */
  state: {
    /** The S3 bucket of the state backend. */
    bucket: pulumi.Input<string>;
    /**
     * One KMS secrets provider for the new stacks of EVERY environment (`pulumi stack select
     * --create --secrets-provider`). Prefer the per-environment default (`environments[].secretsProvider`):
     * with one key for all, whoever decrypts one environment's secrets decrypts them all.
     * @deprecated give each environment its own (the default: `alias/berth-secrets-<env>`)
     * @default none: each environment's own
     */
    secretsProvider?: pulumi.Input<string>;
    /**
     * The KMS key behind the secrets provider (the environment roles may use it).
     * @default none (not in the environment role policies)
     */
    keyArn?: pulumi.Input<string>;
    /**
     * The account of the state bucket: environment roles in that account get its state objects in
     * `environmentRolePolicies`; others need the bucket's own policy.
     * @default the pipeline's account
     */
    account?: string;
  };
  /** The service program and the CLI that runs it. */
  pulumi?: {
    /** @default "organization" */
    organization?: string;
    /** The project of the service stacks. @default "berth-service" */
    project?: string;
    /** The environment project the service stacks reference. @default "berth-platform" */
    platformProject?: string;
    /** The project's folder. @default "stacks/service" */
    stackDir?: string;
    /** @default "3.248.0" */
    version?: string;
  };
  /**
   * Paths (relative to the repository root; folders end with `/`) whose change affects every service.
   * @default DEFAULT_SHARED_PATHS
   */
  sharedPaths?: string[];
  /** The folder of the services. @default "apps" */
  appsPath?: string;
  /**
   * The ECR pull-through cache prefix for Docker Hub that builds pull base images through.
   * @default undefined (Docker Hub directly)
   */
  pullThroughCachePrefix?: string;
  /** The prefix of the environment tag each deploy moves; `false` for none. @default "release-" */
  releaseTagPrefix?: string | false;
  /** The prefix of the release pointers. @default "/berth" */
  releaseParameterPrefix?: string;
  /** @default "SUPERSEDED" */
  executionMode?: "SUPERSEDED" | "QUEUED";
  /** An existing SNS topic; without it the delivery creates one. */
  notificationTopicArn?: pulumi.Input<string>;
  /** @default 30 */
  logRetentionInDays?: number;
  /** @default 30 */
  artifactRetentionInDays?: number;
  /** Buildspec text replacing the shipped templates. */
  buildspecs?: { test?: string; buildImage?: string; deploy?: string };
  /** Protect the artifact bucket and key. @default false */
  protect?: boolean;
  /** @default {} */
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
  prefix: string;
  organization: string;
  project: string;
  platformProject: string;
  stackDir: string;
  pulumiVersion: string;
  sharedPaths: string[];
  appsPath: string;
  pullThroughCachePrefix?: string;
  releaseTagPrefix: string | false;
  retention: number;
  artifactDays: number;
  executionMode: "SUPERSEDED" | "QUEUED";
  filePaths?: { includes?: string[]; excludes?: string[] };
  environments: (DeliveryEnvironment & { requireApproval: boolean })[];
  services: (DeliveredService & { platform: ImagePlatform })[];
}

const ENV_NAME = /^[a-z][a-z0-9-]{0,19}$/;
const RELATIVE_PATH = /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9_.@/-]+$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** An `sts:ExternalId` as IAM takes it (and as the deploy buildspec checks it before writing the profile). */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const SECRETS_PROVIDER = /^awskms:\/\/\S+$/;

function validate(name: string, args: CatalogueDeliveryArgs | undefined): Resolved {
  const v = checkComponent(TYPE, name, args);
  const a = v.required("args", args, "give source, services, environments and state");
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
  }

  const services = v.required("services", a.services, "list the catalogue's services (deliveredServices)");
  v.check(
    Array.isArray(services) && services.length >= 1,
    "services",
    services,
    "must list at least one service",
  );
  v.unique(
    "services[].name",
    services.map((s) => s.name),
  );
  const resolvedServices = services.map((s, i) => {
    const f = `services[${i}]`;
    v.check(
      typeof s.name === "string" && SERVICE_NAME.test(s.name),
      `${f}.name`,
      s.name,
      "must be a service name: lowercase letters and digits, single '-' between them, starting with a letter",
    );
    v.check(
      (s.image === undefined) !== (s.repository === undefined),
      `${f}`,
      s.name,
      "give either repository (the pipeline builds the image) or image (a prebuilt image), not both",
    );
    if (s.repository !== undefined) {
      v.required(`${f}.repository.arn`, s.repository.arn);
      v.required(`${f}.repository.url`, s.repository.url);
      v.arn(`${f}.repository.arn`, s.repository.arn, "ecr", /^repository\/.+$/);
    }
    if (s.image !== undefined) {
      v.check(
        typeof s.image === "string" && /^[^\s]+@sha256:[0-9a-f]{64}$|^[^\s@]+:[^\s@/]+$/.test(s.image),
        `${f}.image`,
        s.image,
        "must be an image reference (pin it by digest: repo@sha256:…)",
      );
    }
    const platform = s.platform ?? "linux/arm64";
    v.oneOf(`${f}.platform`, platform, Object.keys(BUILD_ENVIRONMENTS) as ImagePlatform[]);
    if (s.build !== undefined) {
      v.matches(`${f}.build.dockerfile`, s.build.dockerfile, RELATIVE_PATH, "must be relative, without '..'");
      v.check(
        s.build.context === "." || RELATIVE_PATH.test(s.build.context),
        `${f}.build.context`,
        s.build.context,
        "must be a folder relative to the repository root, without '..'",
      );
      for (const k of Object.keys(s.build.args ?? {})) {
        v.check(/^[A-Za-z_][A-Za-z0-9_]*$/.test(k), `${f}.build.args`, k, "keys must be variable names");
      }
    }
    const build =
      s.build ??
      (s.repository ? { dockerfile: `apps/${s.name}/Dockerfile`, context: `apps/${s.name}` } : undefined);
    return { ...s, platform, ...(build ? { build } : {}) };
  });

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
    Array.isArray(envs) && envs.length >= 1 && envs.length <= 45,
    "environments",
    envs,
    "must list 1 to 45 environments (CodePipeline allows 50 stages)",
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
    if (e.account !== undefined) v.accountId(`${f}.account`, e.account);
    if (e.region !== undefined) v.matches(`${f}.region`, e.region, REGION, "must be an AWS region name");
    if (e.clusterName !== undefined)
      v.matches(`${f}.clusterName`, e.clusterName, CLUSTER_NAME, "must be an ECS cluster name");
    if (e.deployExternalId !== undefined)
      v.matches(
        `${f}.deployExternalId`,
        e.deployExternalId,
        EXTERNAL_ID,
        "must be an external id: 2 to 1224 letters, digits and _+=,.@:/-",
      );
    if (e.secretsProvider !== undefined)
      v.matches(
        `${f}.secretsProvider`,
        e.secretsProvider,
        SECRETS_PROVIDER,
        "must be a KMS secrets provider URL (awskms://alias/<name>?region=<region> or awskms://<key id>)",
      );
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

  const st = v.required("state", a.state, "give the state bucket");
  validateStateBucket(v, st.bucket);
  if (st.secretsProvider !== undefined)
    v.matches(
      "state.secretsProvider",
      st.secretsProvider,
      SECRETS_PROVIDER,
      "must be a KMS secrets provider URL (awskms://alias/<name>?region=<region> or awskms://<key id>)",
    );
  if (st.keyArn !== undefined) v.arn("state.keyArn", st.keyArn, "kms", /^key\/.+$/);
  if (st.account !== undefined) v.accountId("state.account", st.account);

  const organization = a.pulumi?.organization ?? "organization";
  const project = a.pulumi?.project ?? "berth-service";
  const platformProject = a.pulumi?.platformProject ?? "berth-platform";
  const stackDir = a.pulumi?.stackDir ?? "stacks/service";
  const pulumiVersion = a.pulumi?.version ?? DEFAULT_PULUMI_VERSION;
  for (const [field, value] of [
    ["pulumi.organization", organization],
    ["pulumi.project", project],
    ["pulumi.platformProject", platformProject],
  ] as const) {
    v.matches(field, value, PULUMI_NAME, "must be letters, digits, '_', '.', '-'");
  }
  v.matches("pulumi.stackDir", stackDir, RELATIVE_PATH, "must be a folder relative to the repository root");
  v.matches("pulumi.version", pulumiVersion, CLI_VERSION, "must be an exact CLI version like 3.248.0");

  const sharedPaths = a.sharedPaths ?? [...DEFAULT_SHARED_PATHS];
  v.check(Array.isArray(sharedPaths), "sharedPaths", sharedPaths, "must be a list of paths");
  for (const [i, p] of sharedPaths.entries()) {
    v.matches(`sharedPaths[${i}]`, p, RELATIVE_PATH, "must be a path relative to the repository root");
  }
  const appsPath = a.appsPath ?? "apps";
  v.matches("appsPath", appsPath, RELATIVE_PATH, "must be a folder relative to the repository root");

  const pullThroughCachePrefix = a.pullThroughCachePrefix;
  if (pullThroughCachePrefix !== undefined) {
    v.check(
      typeof pullThroughCachePrefix === "string" &&
        pullThroughCachePrefix.length >= 2 &&
        pullThroughCachePrefix.length <= 30 &&
        ECR_REPOSITORY_NAME.test(pullThroughCachePrefix),
      "pullThroughCachePrefix",
      pullThroughCachePrefix,
      "must be a pull-through cache prefix: 2 to 30 lowercase letters, digits, '.', '_', '-'",
    );
  }
  const releaseTagPrefix = a.releaseTagPrefix ?? "release-";
  if (releaseTagPrefix !== false) {
    v.check(
      typeof releaseTagPrefix === "string" && /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}$/.test(releaseTagPrefix),
      "releaseTagPrefix",
      releaseTagPrefix,
      "must be a tag prefix (letters, digits, '_', '.', '-', not starting with '.' or '-'), or false",
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
    prefix,
    organization,
    project,
    platformProject,
    stackDir,
    pulumiVersion,
    sharedPaths,
    appsPath,
    ...(pullThroughCachePrefix !== undefined ? { pullThroughCachePrefix } : {}),
    releaseTagPrefix,
    retention,
    artifactDays,
    executionMode,
    ...(includes || excludes
      ? { filePaths: { ...(includes ? { includes } : {}), ...(excludes ? { excludes } : {}) } }
      : {}),
    environments,
    services: resolvedServices,
  };
}

/** The IAM path of the roles an environment's stacks create (stacks/bootstrap's deploy role creates and passes only these). */
export function environmentRolePath(env: string): string {
  return `/berth/${env}/`;
}

/** The secrets provider of an environment's stacks by default: its own key, as stacks/bootstrap names it. */
export function defaultSecretsProvider(env: string, region: string): string {
  return `awskms://alias/berth-secrets-${env}?region=${region}`;
}

/** Where an environment's resources are, for the ARNs of its deploy role's policy. */
export interface EnvironmentScope {
  partition: string;
  region: string;
  account: string;
  /** The state bucket's name and account (state statements only when it is `account`). */
  stateBucket: string;
  stateAccount: string;
  stateKeyArn?: string;
}

/**
 * What the environment's deploy role (`berth-deploy-<env>`, assumed by the deploy build) needs for
 * the delivery itself, besides what `pulumi up` of the service stacks creates and changes: write
 * exactly the release pointers of the catalogue's built services, read and write the state of the
 * `<project>/<env>.*` stacks and read `<platformProject>/<env>` (only when the state bucket is in the
 * environment's account; otherwise the bucket policy must grant it), run and watch the release
 * tasks of the services that have one (family `<cluster>-<service>-release`, on that cluster only),
 * pass the environment's roles (path `/berth/<env>/`) to ECS tasks only, and read what it verifies (services, schedules, task
 * definitions).
 */
export function environmentRoleStatements(
  env: Pick<DeliveryEnvironment, "name" | "clusterName">,
  services: Pick<DeliveredService, "name" | "image" | "release">[],
  scope: EnvironmentScope,
  opts: { releaseParameterPrefix?: string; project?: string; platformProject?: string } = {},
): PolicyStatement[] {
  const { partition: p, region, account } = scope;
  const prefix = opts.releaseParameterPrefix ?? DEFAULT_RELEASE_PARAMETER_PREFIX;
  const project = opts.project ?? "berth-service";
  const platformProject = opts.platformProject ?? "berth-platform";
  const built = services.filter((s) => s.image === undefined);
  const statements: PolicyStatement[] = [];
  if (built.length > 0) {
    statements.push({
      Sid: "WriteReleasePointers",
      Effect: "Allow",
      Action: ["ssm:PutParameter", "ssm:GetParameter"],
      Resource: built.map(
        (s) => `arn:${p}:ssm:${region}:${account}:parameter${releaseParameterName(env.name, s.name, prefix)}`,
      ),
    });
  }
  if (scope.stateAccount === account) {
    const bucket = `arn:${p}:s3:::${scope.stateBucket}`;
    statements.push(
      {
        Sid: "ServiceStacksState",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        // stacks/, history/, backups/ and locks/<org>/ of the environment's service stacks
        Resource: `${bucket}/.pulumi/*/${project}/${env.name}.*`,
      },
      {
        Sid: "ReadEnvironmentStackAndBackend",
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: [
          `${bucket}/.pulumi/stacks/${platformProject}/${env.name}.json*`,
          `${bucket}/.pulumi/meta.yaml`,
        ],
      },
      {
        Sid: "ListState",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bucket,
        Condition: { StringLike: { "s3:prefix": [".pulumi/*"] } },
      },
    );
    if (scope.stateKeyArn !== undefined) {
      statements.push({
        Sid: "StateSecretsKey",
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
        Resource: scope.stateKeyArn,
      });
    }
  }
  const ecs = `arn:${p}:ecs:${region}:${account}`;
  const cluster = env.clusterName ?? "*";
  const withRelease = services.filter((s) => s.release);
  if (withRelease.length > 0) {
    statements.push(
      {
        Sid: "RunReleaseTasks",
        Effect: "Allow",
        Action: "ecs:RunTask",
        Resource: withRelease.map((s) => `${ecs}:task-definition/${cluster}-${s.name}-release:*`),
        Condition: { ArnEquals: { "ecs:cluster": `${ecs}:cluster/${cluster}` } },
      },
      {
        Sid: "WatchReleaseTasks",
        Effect: "Allow",
        Action: ["ecs:DescribeTasks", "ecs:StopTask"],
        Resource: `${ecs}:task/${cluster}/*`,
      },
      {
        Sid: "PassTaskRolesToEcsTasks",
        Effect: "Allow",
        Action: "iam:PassRole",
        // The stacks create their roles under /berth/<env>/ (the path stacks/bootstrap lets them use).
        Resource: `arn:${p}:iam::${account}:role${environmentRolePath(env.name)}*`,
        Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      },
    );
  }
  statements.push(
    {
      Sid: "VerifyRollouts",
      Effect: "Allow",
      Action: "ecs:DescribeServices",
      Resource: `${ecs}:service/${cluster}/*`,
    },
    {
      Sid: "VerifySchedules",
      Effect: "Allow",
      Action: "scheduler:GetSchedule",
      Resource: `arn:${p}:scheduler:${region}:${account}:schedule/*/*`,
    },
    // DescribeTaskDefinition supports no resource-level permission (Service Authorization Reference).
    { Sid: "ReadTaskDefinitions", Effect: "Allow", Action: "ecs:DescribeTaskDefinition", Resource: "*" },
  );
  return statements;
}

/** The released-commit marker of a service (tooling account), read by the build, set by the last deploy. */
export function releasedCommitParameterName(prefix: string, delivery: string, service: string): string {
  return `${prefix.replace(/\/+$/, "")}/_delivery/${delivery}/${service}`;
}

/**
 * Delivers the catalogue of a repository on one CodePipeline V2: Source → Test and Build (one
 * image build per architecture, each building only the services a push affects) → Deploy to each
 * environment in order (approval where asked), every affected service as its own stack
 * `<env>.<service>` of the service program, with the digests the build recorded.
 *
 * @example
 * const delivery = new CatalogueDelivery("berth", {
 *   source: { connectionArn, repository: "acme/berth" },
 *   services: deliveredServices(loadCatalogue("../../apps"), { repositories: registry.repositories }),
 *   environments: [{ name: "dev" }, { name: "staging" }, { name: "prod" }],
 *   state: { bucket: "acme-berth-state" },
 * });
 */
export class CatalogueDelivery extends pulumi.ComponentResource {
  readonly pipelineName: pulumi.Output<string>;
  readonly pipelineArn: pulumi.Output<string>;
  readonly artifactBucketName: pulumi.Output<string>;
  readonly artifactKeyArn: pulumi.Output<string>;
  readonly notificationTopicArn: pulumi.Output<string>;
  readonly testProjectName: pulumi.Output<string>;
  /** The image build project per platform (`linux/arm64`, `linux/amd64`). */
  readonly buildImageProjectNames: pulumi.Output<Record<string, string>>;
  /** Deploy project name per environment. */
  readonly deployProjectNames: pulumi.Output<Record<string, string>>;
  /** The role each environment's deploy build runs as; the environment's deploy role must trust it. */
  readonly deployProjectRoleArns: pulumi.Output<Record<string, string>>;
  /** The role each environment's deploy build assumes. */
  readonly deployRoleArns: pulumi.Output<Record<string, string>>;
  /** Per environment, per service: the release pointer (SSM parameter name). */
  readonly releaseParameterNames: pulumi.Output<Record<string, Record<string, string>>>;
  /** Per environment: the policy document (JSON) the environment's deploy role needs for the delivery. */
  readonly environmentRolePolicies: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: CatalogueDeliveryArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = validate(name, args);
    super(TYPE, name, {}, opts);

    const tags = mergeTags({ "berth:component": "CatalogueDelivery" }, args.tags);
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
    privateBucketControls(
      `${name}-artifacts`,
      bucket,
      { parent: this },
      {
        encryption: { kmsKeyArn: key.arn, bucketKeyEnabled: true },
        ownershipEnforced: false,
        versioning: true,
      },
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
            denyInsecureTransport("s3:*", [bucket.arn, artifactObjects] as unknown as string[]),
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
        platform: ImagePlatform;
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
            type: BUILD_ENVIRONMENTS[spec.platform].type,
            image: BUILD_ENVIRONMENTS[spec.platform].image,
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
      roleDescription: `Berth delivery ${name}: test build`,
      statements: [useConnection],
      buildspec: args.buildspecs?.test ?? loadBuildspec("test"),
      privileged: false,
      computeType: "BUILD_GENERAL1_LARGE",
      platform: "linux/arm64",
      timeout: 60,
      variables: [],
      description: `Berth delivery ${name}: typecheck, lint and test the workspace`,
    });

    // Released-commit markers (tooling account): read by the builds, written by the last deploy.
    const markerPrefix = `${r.prefix.replace(/\/+$/, "")}/_delivery/${name}`;
    const markerArns = (services: { name: string }[]) =>
      conn.apply((c) =>
        services.map(
          (s) =>
            `arn:${c.partition}:ssm:${c.region}:${c.account}:parameter${releasedCommitParameterName(r.prefix, name, s.name)}`,
        ),
      );
    const repositoryArns = (services: DeliveredService[]) =>
      pulumi.all(services.filter((s) => s.repository).map((s) => pulumi.output(s.repository!.arn)));
    const built = r.services.filter((s) => s.repository !== undefined);
    const registryUrl = built[0]
      ? pulumi.output(built[0].repository!.url).apply((u) => u.split("/")[0]!)
      : undefined;

    // Image builds: one project per platform present; prebuilt images ride with the first one.
    const platforms = [...new Set(r.services.filter((s) => s.repository).map((s) => s.platform))].sort();
    if (platforms.length === 0) platforms.push("linux/arm64");
    const builds = platforms.map((platform, i) => {
      const mine = r.services.filter(
        (s) => (s.repository !== undefined && s.platform === platform) || (s.image !== undefined && i === 0),
      );
      const mineBuilt = mine.filter((s) => s.repository !== undefined);
      const arch = platform === "linux/arm64" ? "Arm64" : "Amd64";
      const urls = pulumi.all(mine.map((s) => pulumi.output(s.repository ? s.repository.url : "")));
      const servicesJson = urls.apply((u) =>
        JSON.stringify(
          Object.fromEntries(
            mine.map((s, j) => [
              s.name,
              s.repository ? { repository: u[j], ...s.build } : { image: s.image },
            ]),
          ),
        ),
      );
      const cacheStatements: PolicyStatement[] = [];
      const cacheVariables: ReturnType<typeof plain>[] = [];
      if (r.pullThroughCachePrefix !== undefined && registryUrl !== undefined) {
        const cacheRepositories = conn.apply(
          (c) => `arn:${c.partition}:ecr:${c.region}:${c.account}:repository/${r.pullThroughCachePrefix}/*`,
        );
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
          plain("BASE_IMAGE_REGISTRY", pulumi.interpolate`${registryUrl}/${r.pullThroughCachePrefix}`),
        );
      }
      const statements: PolicyStatement[] = [
        {
          Sid: "WriteArtifacts",
          Effect: "Allow",
          Action: ["s3:PutObject"],
          Resource: artifactObjects as unknown as string,
        },
        useConnection,
        {
          Sid: "ReadReleasedCommits",
          Effect: "Allow",
          Action: "ssm:GetParameter",
          Resource: markerArns(mine) as unknown as string[],
        },
      ];
      if (mineBuilt.length > 0) {
        statements.push(
          { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
          {
            Sid: "PushToServiceRepositories",
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
            Resource: repositoryArns(mineBuilt) as unknown as string[],
          },
          ...cacheStatements,
        );
      }
      const { project } = codeBuild(`build-${arch.toLowerCase()}`, t.buildImageProject, {
        roleDescription: `Berth delivery ${name}: image builds for ${platform}`,
        statements,
        buildspec: args.buildspecs?.buildImage ?? loadBuildspec("build-image"),
        privileged: true,
        computeType: "BUILD_GENERAL1_LARGE",
        platform,
        timeout: 120,
        variables: [
          plain("SERVICES", servicesJson),
          plain("PLATFORM", platform),
          plain("MARKER_PREFIX", markerPrefix),
          plain("APPS_DIR", r.appsPath),
          plain("SHARED_PATHS", r.sharedPaths.join(" ")),
          ...cacheVariables,
        ],
        description: `Berth delivery ${name}: build the images of the affected ${platform} services once, record their digests`,
      });
      return { platform, arch, project, artifact: `Release${arch}`, namespace: `Build${arch}` };
    });

    // Deploys: one project per environment; each may only assume its environment's role.
    const deployBuildspec = args.buildspecs?.deploy ?? loadBuildspec("deploy");
    const last = r.environments.length - 1;
    const deploys = r.environments.map((env, i) => {
      const envAccount = conn.apply((c) => env.account ?? c.account);
      const secretsProvider: pulumi.Output<string> = pulumi.output(
        env.secretsProvider ??
          args.state.secretsProvider ??
          conn.apply((c) => defaultSecretsProvider(env.name, env.region ?? c.region)),
      );
      const deployRoleArn: pulumi.Output<string> = env.deployRoleArn
        ? pulumi.output(env.deployRoleArn)
        : pulumi.interpolate`arn:${conn.partition}:iam::${envAccount}:role/${defaultDeployRoleName(env.name)}`;
      const statements: PolicyStatement[] = [
        useConnection,
        {
          Sid: "AssumeEnvironmentDeployRole",
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Resource: deployRoleArn as unknown as string,
        },
      ];
      if (r.releaseTagPrefix !== false && built.length > 0) {
        statements.push({
          Sid: "TagReleasedImages",
          Effect: "Allow",
          Action: ["ecr:BatchGetImage", "ecr:PutImage"],
          Resource: repositoryArns(built) as unknown as string[],
        });
      }
      if (i === last) {
        statements.push({
          Sid: "WriteReleasedCommits",
          Effect: "Allow",
          Action: "ssm:PutParameter",
          Resource: markerArns(r.services) as unknown as string[],
        });
      }
      const { project, role: projectRole } = codeBuild(`deploy-${env.name}`, t.deployProject, {
        roleDescription: `Berth delivery ${name}: deploy ${env.name}`,
        statements,
        buildspec: deployBuildspec,
        privileged: false,
        computeType: "BUILD_GENERAL1_SMALL",
        platform: "linux/arm64",
        timeout: 240,
        variables: [
          plain("ENVIRONMENT", env.name),
          plain("DEPLOY_ROLE_ARN", deployRoleArn),
          ...(env.deployExternalId !== undefined ? [plain("DEPLOY_EXTERNAL_ID", env.deployExternalId)] : []),
          plain("STATE_BUCKET", args.state.bucket),
          plain("SECRETS_PROVIDER", secretsProvider),
          plain("RELEASE_PARAMETER_PREFIX", r.prefix),
          plain("PULUMI_ORG", r.organization),
          plain("PULUMI_PROJECT", r.project),
          plain("STACK_DIR", r.stackDir),
          plain("PULUMI_VERSION", r.pulumiVersion),
          plain("RELEASE_TAG_PREFIX", r.releaseTagPrefix === false ? "" : r.releaseTagPrefix),
          plain("RELEASE_ARTIFACTS", builds.map((b) => b.artifact).join(" ")),
          ...(i === last ? [plain("MARKER_PREFIX", markerPrefix)] : []),
        ],
        description: `Berth delivery ${name}: release the built services to ${env.name}, one stack each`,
      });
      const policy = pulumi
        .all([conn, envAccount, pulumi.output(args.state.bucket), pulumi.output(args.state.keyArn)])
        .apply(([c, acc, bucket, keyArn]) =>
          JSON.stringify(
            policyDocument(
              environmentRoleStatements(
                env,
                r.services,
                {
                  partition: c.partition,
                  region: env.region ?? c.region,
                  account: acc,
                  stateBucket: bucket,
                  stateAccount: args.state.account ?? c.account,
                  ...(keyArn !== undefined ? { stateKeyArn: keyArn } : {}),
                },
                { releaseParameterPrefix: r.prefix, project: r.project, platformProject: r.platformProject },
              ),
            ),
          ),
        );
      const pointers = Object.fromEntries(
        r.services
          .filter((s) => s.repository !== undefined)
          .map((s) => [s.name, releaseParameterName(env.name, s.name, r.prefix)]),
      );
      return { env, project, projectRole, deployRoleArn, policy, pointers };
    });

    // The pipeline.
    const pipelineRole = role(
      "pipeline",
      "codepipeline.amazonaws.com",
      `Berth delivery ${name}: CodePipeline`,
    );
    const projectArns = [
      testProject.arn,
      ...builds.map((b) => b.project.arn),
      ...deploys.map((d) => d.project.arn),
    ];
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
    const affectedText = builds.map((b) => `#{${b.namespace}.AFFECTED_SERVICES}`).join(" ");
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
              // A full clone: the builds diff against the last released commit.
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
          ...builds.map(
            (b): aws.types.input.codepipeline.PipelineStageAction => ({
              name: `BuildImages-${b.arch}`,
              category: "Build",
              owner: "AWS",
              provider: "CodeBuild",
              version: "1",
              runOrder: 1,
              namespace: b.namespace,
              inputArtifacts: [SOURCE],
              outputArtifacts: [b.artifact],
              configuration: { ProjectName: b.project.name },
            }),
          ),
        ],
      },
      ...deploys.map(({ env, project }): aws.types.input.codepipeline.PipelineStage => {
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
              CustomData: `Release commit #{SourceVariables.CommitId} to ${env.name}: ${affectedText}?`,
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
          inputArtifacts: [SOURCE, ...builds.map((b) => b.artifact)],
          configuration: { ProjectName: project.name, PrimarySource: SOURCE },
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
                { branches: { includes: [r.branch] }, ...(r.filePaths ? { filePaths: r.filePaths } : {}) },
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

    const record = <T>(f: (d: (typeof deploys)[number]) => pulumi.Input<T>) =>
      pulumi
        .all(deploys.map((d) => pulumi.output(f(d))))
        .apply((vals) => Object.fromEntries(deploys.map((d, i) => [d.env.name, vals[i] as T])));

    this.pipelineName = pipeline.name;
    this.pipelineArn = pipeline.arn;
    this.artifactBucketName = bucket.bucket;
    this.artifactKeyArn = key.arn;
    this.notificationTopicArn = topicArn;
    this.testProjectName = testProject.name;
    this.buildImageProjectNames = pulumi
      .all(builds.map((b) => b.project.name))
      .apply((names) => Object.fromEntries(builds.map((b, i) => [b.platform, names[i]!])));
    this.deployProjectNames = record((d) => d.project.name);
    this.deployProjectRoleArns = record((d) => d.projectRole.arn);
    this.deployRoleArns = record((d) => d.deployRoleArn);
    this.releaseParameterNames = record<Record<string, string>>((d) => d.pointers);
    this.environmentRolePolicies = record((d) => d.policy);
    this.registerOutputs({
      pipelineName: this.pipelineName,
      pipelineArn: this.pipelineArn,
      artifactBucketName: this.artifactBucketName,
      artifactKeyArn: this.artifactKeyArn,
      notificationTopicArn: this.notificationTopicArn,
      testProjectName: this.testProjectName,
      buildImageProjectNames: this.buildImageProjectNames,
      deployProjectNames: this.deployProjectNames,
      deployProjectRoleArns: this.deployProjectRoleArns,
      deployRoleArns: this.deployRoleArns,
      releaseParameterNames: this.releaseParameterNames,
      environmentRolePolicies: this.environmentRolePolicies,
    });
  }
}
