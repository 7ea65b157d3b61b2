import { type InlineRunOptions, type ProgramRunOptions, runInline, runProgram } from "./engine.js";
import { type RunError, RunResult, STACK_TYPE } from "./record.js";

export interface RunComponentOptions extends InlineRunOptions {
  /** Return the failed run instead of throwing its error. @default false */
  allowError?: boolean;
}

/**
 * Runs a function that creates resources (usually one component) under the offline engine and
 * returns the run to query. Throws the program's own error unless `allowError` is set.
 *
 * @example
 * const run = await runComponent(() => new Network("net", { cidrBlock: "10.0.0.0/16" }));
 * expect(run.ofType("aws:ec2/natGateway:NatGateway")).toHaveLength(0);
 */
export async function runComponent(
  program: () => unknown,
  opts: RunComponentOptions = {},
): Promise<RunResult> {
  const record = await runInline(program, opts);
  if (record.error && !opts.allowError) throw reviveError(record.error);
  return new RunResult(record);
}

/**
 * Runs a Pulumi project's program offline for one stack (in a process of its own) and returns
 * the run to query. Throws the program's error unless `allowError` is set.
 *
 * @example
 * const dev = await runStack("stacks/platform", "dev");
 * expect(dev.outputs.url).toMatch(/^http/);
 */
export async function runStack(
  projectDir: string,
  stack: string,
  opts: Omit<ProgramRunOptions, "projectDir" | "stack"> & { allowError?: boolean } = {},
): Promise<RunResult> {
  const record = await runProgram({ ...opts, projectDir, stack });
  if (record.error && !opts.allowError) throw reviveError(record.error);
  return new RunResult(record);
}

function reviveError(e: RunError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  if (e.field) (err as Error & { field?: string }).field = e.field;
  if (e.stack) err.stack = e.stack;
  return err;
}

/**
 * Asserts that a component rejects its arguments before creating anything: the run fails with an
 * error whose message matches, and no resource other than the stack was registered.
 * Returns the error for further checks (e.g. its `field`).
 *
 * @example
 * await expectInvalid(() => new Network("net", { cidrBlock: "10.0.0.0/8" }), /cidrBlock.*\/8/);
 */
export async function expectInvalid(
  program: () => unknown,
  message: RegExp | string,
  opts: InlineRunOptions = {},
): Promise<RunError> {
  const record = await runInline(program, opts);
  if (!record.error) {
    throw new Error(`expected the program to fail with ${String(message)}, but it succeeded`);
  }
  const matches =
    typeof message === "string" ? record.error.message.includes(message) : message.test(record.error.message);
  if (!matches) {
    throw new Error(`expected an error matching ${String(message)}, got: ${record.error.message}`);
  }
  const created = record.resources.filter((r) => r.type !== STACK_TYPE);
  if (created.length > 0) {
    throw new Error(
      `expected no resource before the error, but ${created.length} were registered: ` +
        created.map((r) => `${r.type} '${r.name}'`).join(", "),
    );
  }
  return record.error;
}
