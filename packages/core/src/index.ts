export {
  type Cidr,
  CidrAllocator,
  cidrContains,
  cidrOverlaps,
  cidrSize,
  formatCidr,
  isIpv6Cidr,
  parseCidr,
} from "./cidr.js";
export { LOG_RETENTION_DAYS } from "./cloudwatch.js";
export {
  ACCOUNT_ID,
  CONFIG_FILE_ENV,
  ConfigError,
  checkConfig,
  config,
  configFailer,
  describeConfig,
  readStackConfig,
  stackConfigJsonSchema,
  z,
} from "./config.js";
export { BerthValidationError, show, type ValidationIssue } from "./errors.js";
export {
  describeFargateMemory,
  FARGATE_CPU_VALUES,
  fargateMemoryOptions,
} from "./fargate.js";
export {
  type ArnParts,
  arnParts,
  assumeRolePolicy,
  BOUNDARY_PATH,
  denyInsecureTransport,
  iamPath,
  type PolicyDocument,
  type PolicyStatement,
  partitionOfRegion,
  placeIamResources,
  policyDocument,
  workloadBoundaryArn,
} from "./iam.js";
export {
  DEFAULT_RELEASE_PARAMETER_PREFIX,
  ECR_REPOSITORY_NAME,
  type EcrImage,
  isDigestImageRef,
  parseEcrImage,
  releaseParameterName,
} from "./images.js";
export {
  emptyGrant,
  envPrefix,
  type GrantStatement,
  type Linkable,
  type LinkGrant,
  type LinkIngress,
  type LinkVolume,
  mergeGrants,
} from "./links.js";
export * from "./manifest/index.js";
export type { NetworkRef, QueueRef, RepositoryRef } from "./refs.js";
export { mergeTags } from "./tags.js";
export { type Transform, transformed } from "./transform.js";
export { checkComponent, checkTags, known, type Range, TAG_LIMITS, Validator } from "./validate.js";
