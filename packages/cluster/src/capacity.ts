import type { Validator } from "@berth/core";

/** One provider's share of a capacity provider strategy, with the field it was given in. */
export interface CapacityShareInput {
  field: string;
  weight?: number;
  base?: number;
}

/**
 * Checks a capacity provider strategy as ECS does: weights 0–1000, bases 0–100000, at least one
 * weight above 0 (or no task would be placed) and a base on one provider at most. `field` and
 * `value` name the whole strategy; `twoBases` is the message when more than one provider has a base.
 */
export function checkCapacityShares(
  v: Validator,
  field: string,
  value: unknown,
  shares: readonly CapacityShareInput[],
  twoBases: string,
): void {
  for (const s of shares) {
    v.integer(`${s.field}.weight`, s.weight, { min: 0, max: 1000 });
    v.integer(`${s.field}.base`, s.base, { min: 0, max: 100000 });
  }
  if (!shares.some((s) => (s.weight ?? 0) > 0)) {
    v.fail(field, value, "at least one provider needs a weight above 0, or no task would be placed");
  }
  if (shares.filter((s) => (s.base ?? 0) > 0).length > 1) v.fail(field, value, twoBases);
}
