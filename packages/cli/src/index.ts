export {
  type Io,
  main,
  type PreviewOptions,
  parsePreviewArgs,
  pickStack,
  USAGE,
  UsageError,
} from "./main.js";
export {
  checkNew,
  DEFAULT_PORT,
  type NewOptions,
  scaffold,
  TEMPLATE_LAYERS,
  TEMPLATES_DIR,
  templateFiles,
} from "./new.js";
export {
  type PreviewDiagnostic,
  type PreviewDigest,
  type PreviewStep,
  type ResourceV3,
  toPreviewDigest,
} from "./preview-json.js";
export { commentMarker, renderMarkdown, renderText, resourceTree } from "./render.js";
export { platformEnvironments, repositoryRoot } from "./repo.js";
export {
  type ServiceEntry,
  type ServiceInEnvironment,
  type ServicesDocument,
  servicesDocument,
  servicesTable,
} from "./services.js";
export {
  PLATFORM_PROJECT,
  platformStack,
  SERVICE_PROJECT,
  type StackTarget,
  serviceStack,
  stacksToPreview,
} from "./stacks.js";
export { type Style, styleFor } from "./style.js";
