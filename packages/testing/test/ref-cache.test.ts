import { mkdirSync, mkdtempSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ReferenceCache } from "../src/ref-cache.js";

function repo() {
  const root = mkdtempSync(join(tmpdir(), "berth-cache-"));
  writeFileSync(join(root, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
  const project = join(root, "stacks", "shared");
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, "Pulumi.yaml"), "name: shared\nruntime: nodejs\n");
  writeFileSync(join(project, "Pulumi.shared.yaml"), "config: {}\n");
  writeFileSync(join(project, "index.ts"), "export const a = 1;\n");
  return { root, project };
}

describe("the stack-reference cache", () => {
  afterEach(() => {
    delete process.env.BERTH_NO_CACHE;
  });

  it("returns what was stored under the same key", () => {
    const { root, project } = repo();
    const cache = ReferenceCache.forRepo(root)!;
    const key = cache.key(project, "shared", "organization", "123456789012", root);
    expect(cache.get(key)).toBeUndefined();
    cache.set(key, { repositoryUrls: { hello: "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello" } });
    expect(cache.get(key)).toEqual({
      repositoryUrls: { hello: "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello" },
    });
  });

  it("changes its key when the program, its config, the lockfile, the stack or the account change", () => {
    const { root, project } = repo();
    const cache = ReferenceCache.forRepo(root)!;
    const key = () => cache.key(project, "shared", "organization", "123456789012", root);
    const first = key();
    expect(key()).toBe(first);
    // Touching a file changes nothing; changing it does.
    const later = new Date(Date.now() + 5000);
    utimesSync(join(project, "index.ts"), later, later);
    expect(key()).toBe(first);
    writeFileSync(join(project, "index.ts"), "export const changed = true;\n");
    const afterProgram = key();
    expect(afterProgram).not.toBe(first);
    writeFileSync(join(project, "Pulumi.shared.yaml"), "config:\n  shared:x: 1\n");
    const afterConfig = key();
    expect(afterConfig).not.toBe(afterProgram);
    writeFileSync(join(root, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n# changed\n");
    expect(key()).not.toBe(afterConfig);
    expect(cache.key(project, "other", "organization", "123456789012", root)).not.toBe(key());
    expect(cache.key(project, "shared", "organization", "210987654321", root)).not.toBe(key());
  });

  it("changes its key when a service manifest, or the folder the run reads them from, changes", () => {
    const { root, project } = repo();
    const cache = ReferenceCache.forRepo(root)!;
    const key = (env: Record<string, string> = {}) =>
      cache.key(project, "dev", "organization", "123456789012", root, env);
    mkdirSync(join(root, "apps", "orders"), { recursive: true });
    writeFileSync(join(root, "apps", "orders", "berth.yaml"), "name: orders\nkind: internal\n");
    const first = key();
    writeFileSync(join(root, "apps", "orders", "berth.yaml"), "name: orders\nkind: worker\n");
    const afterManifest = key();
    expect(afterManifest).not.toBe(first);
    mkdirSync(join(root, "other-apps"));
    expect(key({ BERTH_APPS_DIR: join(root, "other-apps") })).not.toBe(afterManifest);
  });

  it("changes its key with the shared resources file, and with contents whose modification time was kept", () => {
    const { root, project } = repo();
    const cache = ReferenceCache.forRepo(root)!;
    const key = () => cache.key(project, "dev", "organization", "123456789012", root);
    mkdirSync(join(root, "apps", "orders"), { recursive: true });
    const manifest = join(root, "apps", "orders", "berth.yaml");
    writeFileSync(manifest, "name: orders\nkind: internal\n");
    const first = key();
    writeFileSync(join(root, "apps", "berth.shared.yaml"), "resources:\n  cache: { type: cache }\n");
    const withShared = key();
    expect(withShared).not.toBe(first);
    // Same size, same modification time (a copy or a checkout can keep it), other contents.
    const { mtime } = statSync(manifest);
    writeFileSync(manifest, "name: orders\nkind: internaL\n");
    utimesSync(manifest, mtime, mtime);
    expect(key()).not.toBe(withShared);
  });

  it("is off with BERTH_NO_CACHE=1", () => {
    const { root } = repo();
    process.env.BERTH_NO_CACHE = "1";
    expect(ReferenceCache.forRepo(root)).toBeUndefined();
  });
});
