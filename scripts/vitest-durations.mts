import { writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import type { ReportedHookContext, Reporter, TestCase, TestModule } from "vitest/node";

/** One timed piece of a test run: a test, a hook, or a test file's import (collection). */
export interface Duration {
  kind: "test" | "hook" | "import";
  ms: number;
  label: string;
}

/**
 * A vitest reporter that writes how long every test, every hook and every test file's import
 * took to `$BERTH_TEST_REPORT_DIR/<package folder>.json` (read by scripts/test-durations.mjs).
 * vitest's own JSON report has no hook durations, and beforeAll hooks run the offline programs.
 */
export default class DurationsReporter implements Reporter {
  private readonly rows: Duration[] = [];
  private readonly started = new Map<string, number>();
  private readonly root = join(import.meta.dirname, "..");

  private where(moduleId: string): string {
    return relative(this.root, moduleId);
  }

  onHookStart(hook: ReportedHookContext): void {
    this.started.set(`${hook.entity.id}:${hook.name}`, performance.now());
  }

  onHookEnd(hook: ReportedHookContext): void {
    const key = `${hook.entity.id}:${hook.name}`;
    const start = this.started.get(key);
    if (start === undefined) return;
    this.started.delete(key);
    const entity = hook.entity;
    const label =
      entity.type === "module"
        ? `${this.where(entity.moduleId)} > ${hook.name}`
        : `${this.where(entity.module.moduleId)} > ${hook.name} of ${entity.fullName}`;
    this.rows.push({ kind: "hook", ms: performance.now() - start, label });
  }

  onTestCaseResult(test: TestCase): void {
    this.rows.push({
      kind: "test",
      ms: test.diagnostic()?.duration ?? 0,
      label: `${this.where(test.module.moduleId)} > ${test.fullName}`,
    });
  }

  onTestModuleEnd(module: TestModule): void {
    this.rows.push({
      kind: "import",
      ms: module.diagnostic().collectDuration,
      label: this.where(module.moduleId),
    });
  }

  onTestRunEnd(): void {
    const dir = process.env.BERTH_TEST_REPORT_DIR;
    if (dir) writeFileSync(join(dir, `${basename(process.cwd())}.json`), JSON.stringify(this.rows));
  }
}
