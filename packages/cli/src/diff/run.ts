import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { ManifestError } from "@berth/core";
import { evaluate } from "@berth/policies";
import {
  diffRecords,
  emptyRecord,
  type ResourceChange,
  renderReport,
  renderText,
  reviewRecords,
  type StackReview,
} from "@berth/review";
import { type ProgramRunOptions, type RunRecord, runProgram } from "@berth/testing";
import { UsageError } from "../errors.js";
import type { Io } from "../main.js";
import { reportManifestError } from "../services-command.js";
import { styleFor } from "../style.js";
import {
  type Base,
  baseWorktree,
  chooseBase,
  GitError,
  gitRoot,
  headCommit,
  insideRoot,
  type Preparation,
  sameInputs,
} from "./git.js";
import { type DiffTarget, packageOf, type Selection, sideTargets, unchanged } from "./targets.js";

export type DiffFormat = "text" | "markdown" | "json";

export interface DiffOptions {
  /** Where the command runs (the repository is found from here). */
  cwd: string;
  /** `--base <ref>`; by default the merge base of HEAD and the default branch. */
  base?: string;
  /** `-C <dir>`: the project folder of `-s`. */
  dir?: string;
  /** `-s <stack>`: `<stack>`, `<org>/<stack>` or `<org>/<project>/<stack>`. */
  stack?: string;
  env?: string;
  service?: string;
  format: DiffFormat;
  debug: boolean;
}

/** The steps a diff takes that tests may replace: running one side's program, preparing the base. */
export interface DiffSteps {
  /** Runs one program offline (default: the engine's worker processes). */
  run?: (opts: ProgramRunOptions) => Promise<RunRecord>;
  /** Installs and builds the base's work tree (default: pnpm install --offline, turbo run build). */
  prepare?: Preparation;
}

/** One stack's result: the review, and how each side was had. */
export interface StackDiff {
  target: DiffTarget;
  /** The package of the stack's program (package.json name), for the upgrade guard. */
  package: string;
  review: StackReview;
  /** The base's inputs are the working tree's: the head's run stands for the base. */
  reused: boolean;
  /** Which side failed, if one did. */
  failed?: "base" | "head";
  /** The failed program's stack trace (shown with --debug). */
  trace?: string;
}

/** `-s` (or the only stack file of the folder) as Pulumi reads a stack name; throws UsageError. */
export type StackPicker = (
  dir: string,
  given: string | undefined,
) => { stack: string; organization?: string };

/** The environment a stack's policies judge by: `dev` for `dev` and for `dev.orders`. */
function environmentOf(stack: string): string {
  return stack.split(".")[0]!;
}

function label(base: Base): string {
  return base.how === "given" ? `--base ${base.ref}` : `merge base of HEAD and ${base.ref}`;
}

/** A selection from the options, checked the way `berth preview` checks its own. */
export function selectionOf(opts: DiffOptions, root: string, pick: StackPicker): Selection {
  if (opts.env !== undefined || opts.service !== undefined) {
    if (opts.stack !== undefined || opts.dir !== undefined) {
      throw new UsageError(
        "-C/-s pick one stack of a project; --env and --service pick stacks by name: give one",
      );
    }
    if (opts.env === undefined)
      throw new UsageError("--service needs --env <env>: a service has a stack per environment");
    return { kind: "env", env: opts.env, ...(opts.service !== undefined ? { service: opts.service } : {}) };
  }
  const dir = opts.dir ?? opts.cwd;
  const rel = insideRoot(root, dir);
  if (rel === undefined) throw new UsageError(`-C ${dir} is outside the git repository at ${root}`);
  const ref = pick(dir, opts.stack);
  return {
    kind: "stack",
    dir: rel === "" ? "." : rel,
    stack: ref.stack,
    ...(ref.organization ? { organization: ref.organization } : {}),
  };
}

function withoutInputs(c: ResourceChange): Omit<ResourceChange, "oldInputs" | "newInputs"> {
  const { oldInputs: _o, newInputs: _n, ...rest } = c;
  return rest;
}

/** The JSON document `berth diff --format json` prints (version 1). */
export function diffDocument(base: Base, head: string | undefined, results: StackDiff[]) {
  return {
    version: 1 as const,
    base: { ref: base.ref, commit: base.commit, how: base.how },
    head: { commit: head ?? null, workingTree: true },
    stacks: results.map((r) => ({
      stack: r.review.stack,
      dir: r.target.dir,
      package: r.package,
      ok: !r.review.error,
      reused: r.reused,
      ...(r.review.error ? { error: r.review.error, failed: r.failed } : {}),
      counts: r.review.diff.counts,
      changes: r.review.diff.changes.map(withoutInputs),
      outputs: r.review.diff.outputs,
      ...(r.review.cost ? { cost: r.review.cost } : {}),
      ...(r.review.rollout ? { rollout: r.review.rollout } : {}),
      ...(r.review.policy ? { policy: r.review.policy } : {}),
    })),
  };
}

/**
 * Compares the stacks a selection names at the base and in the working tree: both sides run
 * offline at once, a stack whose inputs did not change reuses the head's run for the base, and
 * the base's work tree is only checked out (and installed and built, once per commit) when some
 * stack needs it.
 */
export async function compare(
  opts: DiffOptions,
  io: Io,
  pick: StackPicker,
  steps: DiffSteps = {},
): Promise<{ base: Base; head: string | undefined; results: StackDiff[] }> {
  const root = gitRoot(opts.dir ?? opts.cwd);
  const sel = selectionOf(opts, root, pick);
  const base = chooseBase(root, opts.base);
  const head = headCommit(root);
  const headSide = sideTargets(root, sel, io.env);
  if (headSide.error && sameInputs(root, base.commit, ["stacks", "apps"])) throw headSide.error;
  const reuse = new Map(headSide.targets.map((t) => [t.label, unchanged(root, base.commit, t)]));
  let baseRoot: string | undefined;
  let baseTargets: DiffTarget[];
  if (headSide.targets.length > 0 && headSide.targets.every((t) => reuse.get(t.label))) {
    // Nothing the stacks read changed: the base has exactly these stacks with these inputs.
    baseTargets = headSide.targets;
  } else {
    baseRoot = baseWorktree(root, base.commit, buildFilters(sel), steps.prepare);
    const baseSide = sideTargets(baseRoot, sel, io.env);
    if (!headSide.targets.length && !baseSide.targets.length) {
      throw headSide.error ?? baseSide.error ?? new UsageError(noStack(sel));
    }
    baseTargets = baseSide.targets;
  }
  if (!headSide.targets.length && !baseTargets.length) throw headSide.error ?? new UsageError(noStack(sel));

  // Both sides at once: at least two engine processes (the head's and the base's programs).
  process.env.BERTH_ENGINE_WORKERS ??= String(Math.max(2, availableParallelism() - 1));
  const run = steps.run ?? runProgram;
  const extra = io.env.BERTH_APPS_DIR ? { environment: { BERTH_APPS_DIR: io.env.BERTH_APPS_DIR } } : {};
  const headRuns = new Map(
    headSide.targets.map((t) => [t.label, run({ ...t.run, ...extra, projectDir: join(root, t.dir) })]),
  );
  const baseRuns = new Map(
    baseTargets
      .filter((t) => !(headRuns.has(t.label) && reuse.get(t.label)))
      .map((t) => {
        const opts = { ...t.run, ...extra, projectDir: join(baseRoot!, t.dir) };
        return [t.label, cachedRun(baseRoot!, opts, run)] as const;
      }),
  );
  // Head order first, then the stacks only the base has (removed ones).
  const labels = [...new Set([...headSide.targets.map((t) => t.label), ...baseTargets.map((t) => t.label)])];
  const results: StackDiff[] = [];
  for (const l of labels) {
    const h = headSide.targets.find((t) => t.label === l);
    const b = baseTargets.find((t) => t.label === l);
    const target = (h ?? b)!;
    const reused = h !== undefined && reuse.get(l) === true;
    const headRecord = h ? await headRuns.get(l)! : undefined;
    const baseRecord = reused ? headRecord : b ? await baseRuns.get(l)! : undefined;
    const pkg =
      (h ? packageOf(join(root, target.dir)) : undefined) ??
      (baseRoot ? packageOf(join(baseRoot, target.dir)) : undefined) ??
      target.dir;
    results.push({ target, package: pkg, reused, ...review(l, target, baseRecord, headRecord) });
  }
  return { base, head, results };
}

/** What identifies the engine that made a record: its package's version and its build. */
function engineStamp(): string {
  try {
    const main = require.resolve("@berth/testing");
    const pkg = join(dirname(main), "..", "package.json");
    return [main, statSync(main).mtimeMs, readFileSync(pkg, "utf8").length].join("\0");
  } catch {
    return "unknown";
  }
}

/**
 * A base stack's run, kept beside the base's work tree: the base is a commit, installed and built
 * once, so its record only changes with the engine (its build is part of the key) or the run's
 * options. A second diff against the same base runs only the working tree's side.
 */
async function cachedRun(
  baseRoot: string,
  opts: ProgramRunOptions,
  run: (o: ProgramRunOptions) => Promise<RunRecord>,
): Promise<RunRecord> {
  const key = createHash("sha256")
    .update(JSON.stringify({ opts, engine: engineStamp() }))
    .digest("hex");
  const file = join(`${baseRoot}.runs`, `${key}.json`);
  if (existsSync(file)) {
    try {
      return JSON.parse(readFileSync(file, "utf8")) as RunRecord;
    } catch {
      // A torn or foreign file: run again.
    }
  }
  const record = await run(opts);
  if (!record.error) {
    mkdirSync(dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(record));
    renameSync(tmp, file);
  }
  return record;
}

/** What the base needs built: the dependencies of every stack (or of the -C project elsewhere). */
function buildFilters(sel: Selection): string[] {
  const filters = ["./stacks/*..."];
  if (sel.kind === "stack" && sel.dir.split("/")[0] !== "stacks") filters.push(`./${sel.dir}...`);
  return filters;
}

function noStack(sel: Selection): string {
  return sel.kind === "stack"
    ? `no stack ${sel.stack} in ${sel.dir} at the base or in the working tree (no Pulumi.yaml or Pulumi.${sel.stack}.yaml)`
    : `no stack for --env ${sel.env}${sel.service ? ` --service ${sel.service}` : ""} at the base or in the working tree`;
}

function review(
  label: string,
  target: DiffTarget,
  base: RunRecord | undefined,
  head: RunRecord | undefined,
): Pick<StackDiff, "review" | "failed" | "trace"> {
  const like = head ?? base!;
  const empty = emptyRecord({ ...like, stack: target.stack });
  if (base?.error) {
    return {
      review: {
        stack: label,
        diff: diffRecords(empty, empty),
        error: `the base failed: ${base.error.message}`,
      },
      failed: "base",
      ...(base.error.stack ? { trace: base.error.stack } : {}),
    };
  }
  if (head?.error) {
    return {
      review: { stack: label, diff: diffRecords(empty, empty), error: head.error.message },
      failed: "head",
      ...(head.error.stack ? { trace: head.error.stack } : {}),
    };
  }
  const b = base ?? empty;
  const h = head ?? empty;
  const policy = head
    ? (() => {
        const r = evaluate(head, { environment: environmentOf(target.stack) });
        return { findings: r.findings };
      })()
    : undefined;
  const out = reviewRecords(b, h, policy ? { policy } : {});
  return { review: { ...out, stack: label } };
}

/** The first lines of the text report: which commit is the base, what the head is. */
function header(base: Base, head: string | undefined): string {
  return [
    `Base: ${base.commit.slice(0, 12)} (${label(base)})`,
    `Head: the working tree${head ? ` at ${head.slice(0, 12)}` : ""}`,
    "",
    "",
  ].join("\n");
}

function summary(results: StackDiff[]): string {
  if (results.length < 2) return "";
  const failed = results.filter((r) => r.review.error).length;
  const changed = results.filter(
    (r) => !r.review.error && (r.review.diff.changes.length > 0 || r.review.diff.outputs.length > 0),
  ).length;
  return `\n${results.length} stacks: ${changed} changed, ${results.length - changed - failed} unchanged, ${failed} failed\n`;
}

/** `berth diff`: prints the report; 0 ok, 1 a program failed, 2 bad usage (thrown as UsageError). */
export async function runDiff(
  opts: DiffOptions,
  io: Io,
  pick: StackPicker,
  steps: DiffSteps = {},
): Promise<number> {
  let out: Awaited<ReturnType<typeof compare>>;
  const style = styleFor(io.stderr, io.env);
  try {
    out = await compare(opts, io, pick, steps);
  } catch (e) {
    if (e instanceof ManifestError) return reportManifestError(e, io);
    if (e instanceof GitError) {
      io.stderr.write(`${style.red("error")}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const { base, head, results } = out;
  const reviews = results.map((r) => r.review);
  if (opts.format === "json") {
    io.stdout.write(`${JSON.stringify(diffDocument(base, head, results), null, 2)}\n`);
  } else if (opts.format === "markdown") {
    io.stdout.write(
      renderReport(reviews, {
        base: `${base.commit.slice(0, 12)} (${label(base)})`,
        head: `working tree${head ? ` at ${head.slice(0, 12)}` : ""}`,
      }),
    );
  } else {
    io.stdout.write(header(base, head) + renderText(reviews) + summary(results));
  }
  for (const r of results) {
    if (!r.review.error) continue;
    io.stderr.write(`${style.red("error")}: ${r.review.stack}: ${r.review.error}\n`);
    if (opts.debug && r.trace) io.stderr.write(`${r.trace}\n`);
  }
  return results.some((r) => r.review.error) ? 1 : 0;
}
