import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Io } from "../src/index.js";

/** The repository this package is in (the four example apps, stacks/platform, stacks/service). */
export const REPO = join(__dirname, "..", "..", "..");
/** A small repository: apps shop (web) and tasks (job), platform dev and prod, a stand-in stacks/service. */
export const FIXTURE_REPO = join(__dirname, "fixtures", "repo");

/** An Io that keeps what the command writes. */
export function capture(cwd: string, opts: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  let out = "";
  let err = "";
  const io: Io = {
    stdout: { write: (s: string) => (out += s), isTTY: opts.tty ?? false },
    stderr: { write: (s: string) => (err += s), isTTY: opts.tty ?? false },
    env: opts.env ?? {},
    cwd,
  };
  return { io, out: () => out, err: () => err };
}

/** A repository in the system's temporary folder: a pnpm-workspace.yaml and the given files. */
export function tempRepo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "berth-cli-repo-"));
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages: []\n");
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
