import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Command, CommanderError } from "commander";
import { afterEach } from "vitest";
import { UsageError } from "../../src/errors.js";
import { type ImportRun, importCommand } from "../../src/import/index.js";
import { capture } from "../helpers.js";

/** The import fixtures: compose projects and Copilot workspaces. */
export const FIXTURES = join(__dirname, "..", "fixtures", "import");

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A repository in a temporary folder (pnpm-workspace.yaml) holding a copy of a fixture folder. */
export function repoWith(fixture: string, extra: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), "berth-import-"));
  temps.push(root);
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages: []\n");
  cpSync(join(FIXTURES, fixture), root, { recursive: true });
  for (const [path, text] of Object.entries(extra)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/**
 * Runs `berth import <args>` the way the berth command does: parse, then run the import;
 * 0 ok, 1 failure, 2 usage (UsageError or a command-line mistake), never a stack trace.
 */
export async function berthImport(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const c = capture(cwd, { env });
  let run: ImportRun | undefined;
  const cmd = new Command("berth").exitOverride().addCommand(
    importCommand(c.io, cwd, (r) => {
      run = r;
    }),
  );
  const usage = (message: string) => {
    c.io.stderr.write(`berth import: ${message}\n`);
    return 2;
  };
  let code: number;
  try {
    cmd.parse(["import", ...args], { from: "user" });
    code = run
      ? await run(c.io).catch((e: unknown) => {
          if (e instanceof UsageError) return usage(e.message);
          throw e;
        })
      : 0;
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : usage(e.message.replace(/^error: /, ""));
    else if (e instanceof UsageError) code = usage(e.message);
    else throw e;
  }
  return { code, out: c.out(), err: c.err() };
}

export function read(root: string, path: string): string {
  return readFileSync(join(root, path), "utf8");
}

/** The report's lines. */
export function reportLines(root: string): string[] {
  return read(root, "apps/IMPORT-REPORT.md").split("\n");
}
