export { BUILDSPEC_NAMES, type BuildspecName, loadBuildspec } from "./buildspecs.js";
export {
  CONNECTION_ARN,
  DEFAULT_PULUMI_VERSION,
  IAM_ROLE_ARN,
  type ImagePlatform,
  type SourceProvider,
} from "./common.js";
export {
  type DeliveryEnvironment,
  DeliveryPipeline,
  type DeliveryPipelineArgs,
  defaultDeployRoleName,
} from "./delivery-pipeline.js";
export {
  DEFAULT_APPROVER_ROLES,
  DEFAULT_PREVIEW_POLICY,
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
