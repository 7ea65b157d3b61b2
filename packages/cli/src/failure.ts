import type { RunRecord } from "@berth/testing";
import type { Io } from "./main.js";
import { styleFor } from "./style.js";

/** Errors that point at a bug rather than at bad input: their stack trace is worth offering. */
const PROGRAMMING_ERRORS = ["TypeError", "ReferenceError", "SyntaxError", "RangeError"];

/** A failed run on stderr: its message (with the stack it belongs to), a trace only when it helps. */
export function reportFailure(record: RunRecord, io: Io, debug: boolean, label?: string): void {
  const style = styleFor(io.stderr, io.env);
  const err = record.error!;
  io.stderr.write(`${style.red("error")}: ${label ? `${label}: ` : ""}${err.message}\n`);
  if (debug && err.stack) io.stderr.write(`${err.stack}\n`);
  else if (PROGRAMMING_ERRORS.includes(err.name) && err.stack) {
    io.stderr.write(style.dim("(run with --debug for the stack trace)\n"));
  }
}
