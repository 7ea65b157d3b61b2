#!/usr/bin/env node
// `pnpm test:durations`: runs the whole test command cold (turbo --force, as CI does) with every
// package writing vitest's JSON report, then prints the slowest tests and the slowest set-up
// and hooks (beforeAll hooks run the offline programs) against the timeout. Exits 1 when
// anything took more than a fifth of its timeout: on a 2-core machine that is the margin we keep.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const TIMEOUT_MS = 60_000; // vitest.shared.mts: testTimeout and hookTimeout
const MARGIN = 5;
const root = join(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "berth-durations-"));

const started = Date.now();
const run = spawnSync(
  "pnpm",
  [
    "exec",
    "turbo",
    "run",
    "typecheck",
    "lint",
    "test",
    "--force",
    "--concurrency=100%",
    "--output-logs=errors-only",
  ],
  { cwd: root, stdio: "inherit", env: { ...process.env, BERTH_TEST_REPORT_DIR: dir } },
);
const wall = (Date.now() - started) / 1000;
if (run.status !== 0) {
  console.error(`test-durations: the test command failed (exit ${run.status}); durations not read`);
  process.exit(run.status ?? 1);
}

const rows = readdirSync(dir).flatMap((name) => JSON.parse(readFileSync(join(dir, name), "utf8")));
rmSync(dir, { recursive: true, force: true });

const limit = TIMEOUT_MS / MARGIN;
const show = (title, rows) => {
  console.log(`\n${title}`);
  for (const r of rows.sort((a, b) => b.ms - a.ms).slice(0, 10))
    console.log(`${(r.ms / 1000).toFixed(2).padStart(7)} s  ${r.ms > limit ? "TOO SLOW  " : ""}${r.label}`);
};
const of = (kind) => rows.filter((r) => r.kind === kind);
console.log(
  `\n${of("test").length} tests in ${of("import").length} files; whole command ${wall.toFixed(1)} s`,
);
show("Slowest tests:", of("test"));
show("Slowest hooks:", of("hook"));
show("Slowest test-file imports (not under a timeout):", of("import"));
// Tests and hooks run under the 60 s timeouts; imports do not.
const over = rows.filter((r) => r.kind !== "import" && r.ms > limit);
console.log(
  over.length
    ? `\n${over.length} over ${limit / 1000} s, a fifth of the ${TIMEOUT_MS / 1000} s timeout`
    : `\nall within a fifth of the ${TIMEOUT_MS / 1000} s timeout`,
);
process.exit(over.length ? 1 : 0);
