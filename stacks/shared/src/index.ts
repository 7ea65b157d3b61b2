// berth-shared / shared: the registry (a repository per service of the catalogue), the one delivery of
// the catalogue and the pull-request previews. One stack serves every environment (dev, staging, prod), so its stateful resources are
// treated as production: the repositories are protected and retained.
//
// Imports are extensionless on purpose: this package is CommonJS, and the Pulumi CLI's ts-node
// resolves "./config" but not "./config.js" to src/config.ts.
import { resolve } from "node:path";
import { loadCatalogue } from "@berth/core";
import { CatalogueDelivery, deliveredServices, PullRequestPreviews } from "@berth/pipeline";
import { Registry } from "@berth/registry";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENVIRONMENTS, loadConfig } from "./config";

// 1. Config first: a wrong or missing key stops the program before any resource exists.
const cfg = loadConfig();

// The catalogue: every apps/<name>/berth.yaml, checked together before anything exists.
// BERTH_APPS_DIR names another catalogue folder (tools and tests; the service and platform stacks
// read it too).
const catalogue = loadCatalogue(process.env.BERTH_APPS_DIR ?? resolve(__dirname, "..", "..", "..", "apps"), {
  environments: ENVIRONMENTS,
});
const serviceNames = catalogue.services.map((s) => s.name);

// 2. One explicit provider for everything (Pulumi.shared.yaml disables the default aws provider,
//    so nothing can be created untagged or in another account by accident).
const provider = new aws.Provider("aws", {
  region: cfg.region as aws.Region,
  allowedAccountIds: [cfg.accountId],
  defaultTags: {
    tags: {
      ...cfg.tags,
      Project: pulumi.getProject(),
      Environment: "shared",
      ManagedBy: "pulumi",
      Owner: cfg.owner,
      CostCenter: cfg.costCenter,
    },
  },
});
const opts: pulumi.ComponentResourceOptions = { providers: [provider] };

// 3. Registry. The environments' accounts other than this one pull the images (repository policy);
//    in this account IAM grants do that.
const pullAccountIds = [...new Set(Object.values(cfg.environmentAccounts))].filter(
  (a) => a !== cfg.accountId,
);

const registry = new Registry(
  "shared",
  {
    repositories: serviceNames,
    // Release tags never change; the BuildKit cache tag (`buildcache`, what the build-image buildspec
    // writes with --cache-to) is excluded from immutability (IMMUTABLE_WITH_EXCLUSION).
    immutableTags: true,
    cacheTag: "buildcache",
    // Lifecycle and the deploy model (docs/components/registry.md, "Retention"): the pipeline tags
    // each image `git-<commit>`, and each deploy moves the tag `release-<env>` onto the image it
    // releases before it writes the environment's release pointer. The rules, in priority order:
    // keep the cache tag; keep every `release-*` image (one per environment, whatever its age, so
    // prod's image is never expired however far it lags); keep the newest `v*` images
    // (keepReleaseImages) and the newest `git-*` images (keepCommitImages); expire `pr-*` after
    // pullRequestExpireAfterDays and untagged images after untaggedExpireAfterDays.
    lifecycle: {
      keepReleaseImages: cfg.registry.keepReleaseImages,
      keepCommitImages: cfg.registry.keepCommitImages,
      releaseTagPrefixes: cfg.registry.releaseTagPrefixes,
      pullRequestTagPrefixes: cfg.registry.pullRequestTagPrefixes,
      pullRequestExpireAfterDays: cfg.registry.pullRequestExpireAfterDays,
      untaggedExpireAfterDays: cfg.registry.untaggedExpireAfterDays,
    },
    scanning:
      cfg.registry.scanning === "enhanced"
        ? {
            type: "enhanced",
            ...(cfg.registry.scanFrequency ? { frequency: cfg.registry.scanFrequency } : {}),
          }
        : { type: "basic" },
    ...(cfg.registry.kmsKeyArn ? { kmsKeyArn: cfg.registry.kmsKeyArn } : {}),
    pullAccountIds,
    // Base images through ECR: FROM <registryUrl>/ecr-public/docker/library/node:20-bookworm-slim,
    // and with Docker Hub credentials <registryUrl>/docker-hub/library/node:20-bookworm-slim.
    pullThroughCache: [
      ...(cfg.registry.ecrPublicCache ? [{ upstream: "ecr-public" as const }] : []),
      ...(cfg.registry.dockerHubCredentialArn
        ? [{ upstream: "docker-hub" as const, credentialArn: cfg.registry.dockerHubCredentialArn }]
        : []),
    ],
    // This stack serves prod: Pulumi refuses to delete the repositories, they stay in AWS if they
    // ever leave the stack, and a repository that holds images is never force-deleted.
    protect: true,
    retainOnDelete: true,
    forceDelete: false,
  },
  opts,
);

// 4. Delivery: one CodePipeline for the repository. A push builds the services it affects (their
//    folder, or a shared package, changed since the commit last released to prod), once each, and
//    promotes their digests dev -> staging -> (approval) -> prod: per service, the release pointer
//    /berth/<env>/<service>/image, the tag release-<env> and `pulumi up` of berth-service/<env>.<service>.
//    Each environment's deploy build assumes `berth-deploy-<env>` there (stacks/bootstrap), with the
//    external id its trust requires, and creates the service stacks with that environment's own
//    secrets key (`alias/berth-secrets-<env>`, CatalogueDelivery's default). The role must trust
//    deployProjectRoleArns.<env> (docs/security.md).
// The application's repository, through the CodeStar connection: delivered and previewed alike.
const source = {
  connectionArn: cfg.source.connectionArn,
  repository: cfg.source.repository,
  provider: "github" as const,
};

const delivery = new CatalogueDelivery(
  // Not "berth-…": its deploy project roles are trusted by the accounts' berth-deploy-<env> roles,
  // and the bootstrap refuses to let a berth-* role trust another.
  "delivery",
  {
    source: { ...source, branch: cfg.source.branch },
    services: deliveredServices(catalogue, { repositories: registry.repositories }),
    environments: ENVIRONMENTS.map((env) => ({
      name: env,
      account: cfg.environmentAccounts[env],
      ...(cfg.pipeline.deployExternalIds[env] !== undefined
        ? { deployExternalId: cfg.pipeline.deployExternalIds[env] }
        : {}),
    })),
    state: { bucket: cfg.state.bucket },
    // BuildKit, the Dockerfile frontend and the base images through the Docker Hub cache rule.
    ...(cfg.registry.dockerHubCredentialArn ? { pullThroughCachePrefix: "docker-hub" } : {}),
    executionMode: cfg.pipeline.executionMode,
    ...(cfg.pipeline.notificationTopicArn ? { notificationTopicArn: cfg.pipeline.notificationTopicArn } : {}),
    // The artifact key and bucket hold what the deploys of every environment read.
    protect: true,
  },
  opts,
);

// 5. Pull-request previews (docs/security.md): every pull request gets `berth preview` (offline) in
//    a worker without any credential; an orchestrator that runs no pull-request code holds the token
//    and keeps one comment. The stacks of `previews.roleArns` (dev: `berth-preview-dev` of
//    stacks/bootstrap, which trusts `previewPrincipalArn`) also get `pulumi preview --diff` with
//    that role only, after a maintainer approves the commit. Forks wait for a maintainer's comment.
const previews = new PullRequestPreviews(
  "previews",
  {
    source: { ...source, defaultBranch: cfg.source.branch },
    mode: "pulumi",
    state: { bucket: cfg.state.bucket },
    githubTokenSecretArn: cfg.previews.githubTokenSecretArn,
    ...(cfg.previews.commentAuthor !== undefined ? { commentAuthor: cfg.previews.commentAuthor } : {}),
    commentApproval: cfg.previews.commentApproval,
    previewRoleArns: cfg.previews.roleArns,
  },
  opts,
);

// Outputs. stacks/platform reads the registry ones through a StackReference
// (organization/berth-shared/shared).
export const repositoryUrls = registry.repositoryUrls;
export const repositoryArns = registry.repositoryArns;
export const registryId = registry.registryId;
export const registryUrl = registry.registryUrl;
export const pullThroughCacheUrls = registry.pullThroughCacheUrls;

export const pipelineName = delivery.pipelineName;
export const pipelineArn = delivery.pipelineArn;
/** Trust these from each environment's `berth-deploy-<env>` role. */
export const deployProjectRoleArns = delivery.deployProjectRoleArns;
export const deployRoleArns = delivery.deployRoleArns;
/** What each `berth-deploy-<env>` role needs for the delivery (a policy document, JSON). */
export const environmentRolePolicies = delivery.environmentRolePolicies;
export const releaseParameterNames = delivery.releaseParameterNames;
export const notificationTopicArn = delivery.notificationTopicArn;

export const previewProjectName = previews.projectName;
export const previewWebhookUrl = previews.webhookUrl;
export const previewRoleArn = previews.roleArn;
/**
 * The credentialed preview worker's role: put it into stacks/bootstrap's
 * `environments.<env>.previewPrincipalArns` (the only principal `berth-preview-<env>` trusts).
 */
export const previewPrincipalArn = previews.previewPrincipalArn;
