import { BerthValidationError, Validator } from "@berth/core";
import { expect } from "vitest";

/** A validator as a part sees it: the component and name are the kind's. */
export const validator = () => new Validator("berth:cluster:Test", "x");

/** Runs a resolve step and returns the validation error it throws. */
export function rejects(fn: (v: Validator) => unknown, message: RegExp): BerthValidationError {
  try {
    fn(validator());
  } catch (err) {
    expect(err).toBeInstanceOf(BerthValidationError);
    expect((err as Error).message).toMatch(message);
    return err as BerthValidationError;
  }
  throw new Error("expected a validation error");
}
