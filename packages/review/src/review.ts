import type { RunRecord } from "@berth/testing";
import { costDelta, estimateCost, type PriceTable } from "./cost.js";
import { diffRecords } from "./diff.js";
import type { ReviewPolicy, StackReview } from "./report.js";
import { estimateRollouts, rolloutDelta } from "./rollout.js";

/**
 * Everything the report needs for one stack from two offline runs: the diff, the idle-cost
 * delta and the rollout-time delta. Policy findings come from @berth/policies' `evaluate(head)`.
 */
export function reviewRecords(
  base: RunRecord,
  head: RunRecord,
  options: { policy?: ReviewPolicy; prices?: PriceTable } = {},
): StackReview {
  const stack = `${head.project}/${head.stack}`;
  if (head.error) return { stack, diff: diffRecords(base, base), error: head.error.message };
  return {
    stack,
    diff: diffRecords(base, head),
    cost: costDelta(estimateCost(base, options.prices), estimateCost(head, options.prices)),
    rollout: rolloutDelta(estimateRollouts(base), estimateRollouts(head)),
    ...(options.policy ? { policy: options.policy } : {}),
  };
}

/** An empty record of a stack with no state yet (the base of a first deploy). */
export function emptyRecord(
  like: Pick<RunRecord, "project" | "stack" | "region" | "account" | "organization">,
): RunRecord {
  return { ...like, config: {}, secretKeys: [], resources: [], outputs: {}, diagnostics: [], durationMs: 0 };
}
