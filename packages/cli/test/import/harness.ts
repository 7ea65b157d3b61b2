import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";
import { main } from "../../src/index.js";
import { capture } from "../helpers.js";

/** The import fixtures: compose projects and Copilot workspaces. */
export const FIXTURES = join(__dirname, "..", "fixtures", "import");

const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A repository in a temporary folder (pnpm-workspace.yaml) holding a copy of a fixture folder
 * (none when `fixture` is undefined) and the `extra` files.
 */
export function repoWith(fixture: string | undefined, extra: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), "berth-import-"));
  temps.push(root);
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages: []\n");
  if (fixture !== undefined) cpSync(join(FIXTURES, fixture), root, { recursive: true });
  for (const [path, text] of Object.entries(extra)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

/** Runs `berth import <args>` through the berth command: 0 ok, 1 failure, 2 usage, never a stack trace. */
export async function berthImport(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const c = capture(cwd, { env });
  const code = await main(["import", ...args], c.io);
  return { code, out: c.out(), err: c.err() };
}

export function read(root: string, path: string): string {
  return readFileSync(join(root, path), "utf8");
}

/** The report's lines. */
export function reportLines(root: string): string[] {
  return read(root, "apps/IMPORT-REPORT.md").split("\n");
}
