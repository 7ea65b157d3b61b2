export { BUILDSPEC_NAMES, type BuildspecName, loadBuildspec } from "./buildspecs.js";
export {
  CatalogueDelivery,
  type CatalogueDeliveryArgs,
  DEFAULT_SHARED_PATHS,
  type DeliveredService,
  type DeliveryEnvironment,
  defaultDeployRoleName,
  defaultSecretsProvider,
  deliveredServices,
  type EnvironmentScope,
  environmentRolePath,
  environmentRoleStatements,
  releasedCommitParameterName,
} from "./catalogue-delivery.js";
export {
  CONNECTION_ARN,
  DEFAULT_PULUMI_VERSION,
  IAM_ROLE_ARN,
  type ImagePlatform,
  type SourceProvider,
} from "./common.js";
export {
  DEFAULT_APPROVER_ROLES,
  isReadOnlyManagedPolicy,
  PREVIEW_EVENTS,
  PREVIEW_ROLE_KEY,
  PullRequestPreviews,
  type PullRequestPreviewsArgs,
} from "./pull-request-previews.js";
export {
  DEFAULT_RELEASE_PARAMETER_PREFIX,
  isDigestImageRef,
  isProdLike,
  PROD_LIKE_ENVIRONMENTS,
  releaseParameterName,
} from "./release.js";
