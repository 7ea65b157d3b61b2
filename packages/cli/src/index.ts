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
  type PreviewDiagnostic,
  type PreviewDigest,
  type PreviewStep,
  type ResourceV3,
  toPreviewDigest,
} from "./preview-json.js";
export { commentMarker, renderMarkdown, renderText, resourceTree } from "./render.js";
export { type Style, styleFor } from "./style.js";
