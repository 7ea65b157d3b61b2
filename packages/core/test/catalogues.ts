import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { loadCatalogue, ManifestError } from "../src/index.js";

/**
 * Temporary catalogues for a test file: `apps(manifests, shared?)` writes one `berth.yaml` per
 * service folder (and `berth.shared.yaml` when given) into a fresh folder; `problems(dir)` loads it
 * and returns the error's lines, paths relative to the folder.
 */
export function temporaryCatalogues(prefix: string) {
  const root = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  const apps = (manifests: Record<string, string>, shared?: string): string => {
    const dir = join(root, `apps-${n++}`);
    mkdirSync(dir, { recursive: true });
    for (const [folder, text] of Object.entries(manifests)) {
      mkdirSync(join(dir, folder), { recursive: true });
      writeFileSync(join(dir, folder, "berth.yaml"), text);
    }
    if (shared !== undefined) writeFileSync(join(dir, "berth.shared.yaml"), shared);
    return dir;
  };
  const problems = (dir: string): string[] => {
    try {
      loadCatalogue(dir);
    } catch (err) {
      expect(err).toBeInstanceOf(ManifestError);
      return (err as ManifestError).message.split("\n").map((l) => l.replace(`${dir}/`, ""));
    }
    throw new Error("expected the catalogue to be rejected");
  };
  return { root, apps, problems };
}
