import { UsageError } from "./errors.js";

/** An option's value parser that refuses the next option taken as the value (`-s -j`). */
export const value = (flag: string) => (v: string) => {
  if (v.startsWith("-")) throw new UsageError(`${flag} needs a value`);
  return v;
};
