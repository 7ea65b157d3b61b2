export {
  type Catalogue,
  derivedPriority,
  loadCatalogue,
  MANIFEST_FILE,
  platformEnvironments,
  type Route,
} from "./catalogue.js";
export {
  closest,
  DEFAULT_ENVIRONMENTS,
  formatIssue,
  type LoadedManifest,
  type LoadOptions,
  loadManifest,
  ManifestError,
  type ManifestIssue,
  mergeOverride,
} from "./load.js";
export { manifestReference, type ReferenceRow, referenceRows } from "./reference.js";
export {
  AWS_CREDENTIAL_NAMES,
  DEPLOYMENT_STRATEGIES,
  ENV_NAME,
  type InternalManifest,
  type JobManifest,
  manifestJsonSchema,
  SECRET_LOOKING_NAME,
  SERVICE_KINDS,
  SERVICE_NAME,
  SERVICE_NAME_MAX,
  SERVICE_NAME_RULE,
  type SecretSource,
  type ServiceKind,
  type ServiceManifest,
  serviceManifest,
  type WebManifest,
  type WorkerManifest,
} from "./schema.js";
