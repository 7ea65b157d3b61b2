export {
  ECR_PULL_ACTIONS,
  ECR_PUSH_ACTIONS,
  ecrPullStatements,
  ecrPushStatements,
  type RepositoryAccess,
  repositoryPolicy,
} from "./access.js";
export {
  DEFAULT_CACHE_TAG,
  DEFAULT_ENVIRONMENT_TAG_PREFIX,
  ENVIRONMENT_TAGS_KEPT,
  LIFECYCLE_DEFAULTS,
  LIFECYCLE_LIMITS,
  type LifecycleArgs,
  type LifecyclePolicyDocument,
  type LifecycleRule,
  lifecyclePolicy,
} from "./lifecycle.js";
export {
  MUTABILITY_FILTER_LIMIT,
  type PullThroughCacheArgs,
  REPOSITORY_NAME,
  Registry,
  type RegistryArgs,
  type ReplicationArgs,
  type ReplicationDestination,
  type RepositoryArgs,
  type RepositoryOutputs,
  type ScanningArgs,
} from "./registry.js";
export { UPSTREAMS, type Upstream, upstreamUrl } from "./upstreams.js";
