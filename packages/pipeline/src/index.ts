export { BUILDSPEC_NAMES, type BuildspecName, loadBuildspec } from "./buildspecs.js";
export { CONNECTION_ARN, type SourceProvider } from "./common.js";
export {
  DEFAULT_PULUMI_VERSION,
  type DeliveryEnvironment,
  DeliveryPipeline,
  type DeliveryPipelineArgs,
  defaultDeployRoleName,
  type ImagePlatform,
} from "./delivery-pipeline.js";
export {
  DEFAULT_APPROVER_ROLES,
  DEFAULT_PREVIEW_POLICY,
  IAM_ROLE_ARN,
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
