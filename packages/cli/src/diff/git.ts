import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { UsageError } from "../errors.js";

/** A git command failed in a way the user can act on (not a usage mistake). */
export class GitError extends Error {}

/** Runs git in `cwd`; its stdout trimmed, or undefined when it exits non-zero. */
export function git(cwd: string, args: string[]): string | undefined {
  const r = spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new GitError(`git could not be run: ${r.error.message}`);
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function gitOrThrow(cwd: string, args: string[], what: string): string {
  const r = spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new GitError(`git could not be run: ${r.error.message}`);
  if (r.status !== 0) throw new GitError(`${what}: git ${args.join(" ")}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** The top folder of the git work tree around `from`; a {@link UsageError} outside one. */
export function gitRoot(from: string): string {
  if (!existsSync(from)) throw new UsageError(`${from} does not exist`);
  const top = git(from, ["rev-parse", "--show-toplevel"]);
  if (top === undefined || top === "") {
    throw new UsageError(
      `${resolve(from)} is not in a git repository: berth diff compares two commits of one`,
    );
  }
  return resolve(top);
}

/** The commit a ref names; a {@link UsageError} naming the ref when it names none. */
export function resolveCommit(root: string, ref: string): string {
  if (ref.startsWith("-")) throw new UsageError(`--base '${ref}' is not a git ref`);
  const sha = git(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  if (!sha) throw new UsageError(`--base '${ref}' is not a commit of the repository at ${root}`);
  return sha;
}

/** How the base was chosen, for the report's first line. */
export interface Base {
  /** The ref as given, or the branch whose merge base was taken. */
  ref: string;
  commit: string;
  /** `--base <ref>`, or the merge base of HEAD and the default branch. */
  how: "given" | "merge-base";
}

/**
 * The default branch: what `origin/HEAD` points at, else the first of `main`, `master`,
 * `origin/main`, `origin/master` that exists.
 */
export function defaultBranch(root: string): string | undefined {
  const remoteHead = git(root, ["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"]);
  if (remoteHead) return remoteHead.replace(/^refs\/remotes\//, "");
  for (const b of ["main", "master", "origin/main", "origin/master"]) {
    if (git(root, ["rev-parse", "--verify", "--quiet", `${b}^{commit}`])) return b;
  }
  return undefined;
}

/** `--base <ref>`, or by default the merge base of HEAD and the default branch. */
export function chooseBase(root: string, ref: string | undefined): Base {
  if (ref !== undefined) return { ref, commit: resolveCommit(root, ref), how: "given" };
  if (!git(root, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])) {
    throw new UsageError(`the repository at ${root} has no commit yet: nothing to compare with`);
  }
  const branch = defaultBranch(root);
  if (!branch) {
    throw new UsageError(
      "no default branch to compare with (no origin/HEAD, main or master): pass --base <git-ref>",
    );
  }
  const commit = git(root, ["merge-base", "HEAD", branch]);
  if (!commit) throw new UsageError(`HEAD and ${branch} have no common commit: pass --base <git-ref>`);
  return { ref: branch, commit, how: "merge-base" };
}

/** `HEAD`'s commit (the working tree is compared, with its uncommitted changes). */
export function headCommit(root: string): string | undefined {
  return git(root, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"]);
}

/**
 * Whether the working tree has the same content as `commit` under every path of `paths`
 * (folders or files, relative to the root): no tracked difference, staged or not, and no
 * untracked file that is not ignored.
 */
export function sameInputs(root: string, commit: string, paths: string[]): boolean {
  const specs = ["--", ...paths];
  const r = spawnSync("git", ["diff", "--quiet", commit, ...specs], { cwd: root });
  if (r.status !== 0) return false;
  const untracked = git(root, ["ls-files", "--others", "--exclude-standard", ...specs]);
  return untracked === "";
}

/** A path relative to the root with forward slashes, or undefined when it is outside the root. */
export function insideRoot(root: string, path: string): string | undefined {
  const rel = relative(root, resolve(path));
  if (rel.startsWith("..") || rel.startsWith(sep) || /^[A-Za-z]:/.test(rel)) return undefined;
  return rel.split(sep).join("/");
}

// ---------------------------------------------------------------------------------------------
// The base's work tree, installed and built, cached by commit.

/** What preparing a base work tree runs; each step gets the folder and returns nothing or throws. */
export interface Preparation {
  /** Installs the workspace's dependencies (`pnpm install --offline --frozen-lockfile`). */
  install(dir: string): void;
  /**
   * Builds the workspace packages the programs load (`turbo run build --filter=<f>` for each of
   * `filters`, e.g. `./stacks/*...`: the stacks' dependencies).
   */
  build(dir: string, headRoot: string, filters: string[]): void;
}

function run(cmd: string, args: string[], cwd: string, what: string): void {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, CI: "true", TURBO_TELEMETRY_DISABLED: "1", NO_COLOR: "1" },
  });
  if (r.error) throw new GitError(`${what}: ${cmd} could not be run: ${r.error.message}`);
  if (r.status !== 0) {
    const tail = `${r.stdout}\n${r.stderr}`.trim().split("\n").slice(-15).join("\n");
    throw new GitError(`${what}: \`${cmd} ${args.join(" ")}\` exited ${r.status}:\n${tail}`);
  }
}

/**
 * The default preparation of a pnpm + turbo workspace: an offline install from the local pnpm
 * store (the lockfile as committed), then a build that shares the head's turbo cache, so a
 * package that did not change between the two commits is a cache hit. A folder without a
 * pnpm-lock.yaml (or without turbo.json) skips that step.
 */
export const PNPM_TURBO: Preparation = {
  install(dir) {
    if (!existsSync(join(dir, "pnpm-lock.yaml"))) return;
    run("pnpm", ["install", "--offline", "--frozen-lockfile"], dir, "installing the base");
  },
  build(dir, headRoot, filters) {
    if (!existsSync(join(dir, "turbo.json"))) return;
    run(
      "pnpm",
      [
        "exec",
        "turbo",
        "run",
        "build",
        "--output-logs=errors-only",
        `--cache-dir=${join(headRoot, ".turbo", "cache")}`,
        ...filters.map((f) => `--filter=${f}`),
      ],
      dir,
      "building the base",
    );
  },
};

/**
 * Where base work trees are kept: `<git dir>/berth/worktrees/<commit>`. Inside the repository's
 * git folder they never show in `git status`, need no ignore rule and go with the clone; not
 * under node_modules, whose modules the engine keeps loaded between runs (a program there would
 * not be loaded afresh).
 */
export function worktreeDir(root: string, commit: string): string {
  const common = git(root, ["rev-parse", "--git-common-dir"]) ?? ".git";
  return join(resolve(root, common), "berth", "worktrees", commit);
}

const READY = ".berth-ready";

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A folder lock (mkdir is atomic); a lock whose process is gone is taken over. */
function withLock<T>(lock: string, fn: () => T, waitMs = 20 * 60_000): T {
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(existsSync(join(lock, "pid")) ? readFileSync(join(lock, "pid"), "utf8") : NaN);
      if (Number.isInteger(pid) && pid > 0 && !alive(pid)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - started > waitMs) throw new GitError(`${lock} is held by another berth diff`);
      sleep(250);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * A work tree of `commit`, installed and built, in {@link worktreeDir}: made once per commit
 * and reused by every later diff against it (a second `berth diff` costs no install or build;
 * one that needs other packages built builds only those).
 * Two diffs preparing the same commit at once take turns.
 */
export function baseWorktree(
  root: string,
  commit: string,
  filters: string[],
  prepare: Preparation = PNPM_TURBO,
): string {
  const dir = worktreeDir(root, commit);
  const built = (): string[] | undefined => {
    if (!existsSync(join(dir, READY)) || git(dir, ["rev-parse", "HEAD"]) !== commit) return undefined;
    try {
      return JSON.parse(readFileSync(join(dir, READY), "utf8")) as string[];
    } catch {
      return undefined;
    }
  };
  const missing = () => filters.filter((f) => !built()?.includes(f));
  if (built() && !missing().length) return dir;
  mkdirSync(join(dir, ".."), { recursive: true });
  return withLock(`${dir}.lock`, () => {
    const had = built();
    if (had) {
      // Checked out and installed already; build what this diff needs that was not built yet.
      const more = missing();
      if (more.length) {
        prepare.build(dir, root, more);
        writeFileSync(join(dir, READY), JSON.stringify([...had, ...more]));
      }
      return dir;
    }
    if (existsSync(dir)) {
      git(root, ["worktree", "remove", "--force", dir]);
      rmSync(dir, { recursive: true, force: true });
    }
    git(root, ["worktree", "prune"]);
    gitOrThrow(
      root,
      ["worktree", "add", "--detach", "--force", dir, commit],
      `checking out the base ${commit.slice(0, 12)}`,
    );
    prepare.install(dir);
    prepare.build(dir, root, filters);
    writeFileSync(join(dir, READY), JSON.stringify(filters));
    return dir;
  });
}
