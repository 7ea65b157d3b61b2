export {
  type CostDelta,
  type CostDeltaLine,
  type CostItem,
  type CostReport,
  costDelta,
  estimateCost,
  idleTaskCount,
  loadPrices,
  PRICED_REGIONS,
  type Price,
  type PriceTable,
  spotTasks,
} from "./cost.js";
export {
  type ChangeKind,
  type Diff,
  type DiffCounts,
  diffFromPreviewJson,
  diffRecords,
  type OutputChange,
  type PreviewDocument,
  type PreviewState,
  type PreviewStepDoc,
  type PropertyChange,
  type ResourceChange,
} from "./diff.js";
export { formatMoney } from "./format.js";
export {
  type Bump,
  type Changeset,
  type GuardFinding,
  type GuardResult,
  type GuardStack,
  parseChangeset,
  renderGuard,
  responsiblePackage,
  upgradeGuard,
} from "./guard.js";
export { code, fenced, html } from "./markdown.js";
export {
  DISRUPTIVE_UPDATES,
  isStateful,
  NETWORK_TYPES,
  REPLACEMENT_SOURCE,
  REPLACEMENT_TABLE,
  type ReplacementDecision,
  type ReplacementEntry,
  type ReplacementVerdict,
  replacementFor,
  replacesOn,
  STATEFUL_TYPES,
} from "./replacement.js";
export {
  policyVerdict,
  REPORT_MARKER,
  type ReviewFinding,
  type ReviewPolicy,
  renderReport,
  type StackReview,
} from "./report.js";
export { emptyRecord, reviewRecords } from "./review.js";
export {
  batchSeconds,
  estimateRollouts,
  formatDuration,
  type RolloutDelta,
  type RolloutInputs,
  rolloutDelta,
  rolloutInputs,
  type ServiceRollout,
  totalSeconds,
} from "./rollout.js";
export { countsText, renderStackText, renderText } from "./text.js";
export { changedLeaves, formatValue, isSecret, maskSecrets, SECRET } from "./values.js";
