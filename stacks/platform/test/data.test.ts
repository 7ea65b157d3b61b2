import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runStack } from "@berth/testing";
import { afterAll, describe, expect, it } from "vitest";

// The platform creates the environment's shared data resources (apps/berth.shared.yaml) and, where
// any database exists, the isolated subnet tier it runs in.
const projectDir = join(__dirname, "..");
const repoApps = join(projectDir, "..", "..", "apps");
const tmp = mkdtempSync(join(tmpdir(), "berth-platform-data-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function apps(name: string, shared?: string, ordersWithoutData = false): string {
  const dir = join(tmp, name);
  cpSync(repoApps, dir, { recursive: true, filter: (src) => !/node_modules|dist$/.test(src) });
  if (shared !== undefined) writeFileSync(join(dir, "berth.shared.yaml"), shared);
  if (ordersWithoutData) writeFileSync(join(dir, "orders", "berth.yaml"), "name: orders\nkind: internal\n");
  return dir;
}

const isolatedSubnets = (r: Awaited<ReturnType<typeof runStack>>) =>
  (r.outputs.forServices as { network: { isolatedSubnetIds: string[] } }).network.isolatedSubnetIds;

describe("shared data and the isolated tier", () => {
  it("creates apps/berth.shared.yaml's resources and exports their plain outputs for the services", async () => {
    const r = await runStack(projectDir, "prod", {
      environment: {
        BERTH_APPS_DIR: apps(
          "shared",
          "resources:\n  sessions: { type: cache }\n  events: { type: queue }\nenvironments:\n  prod:\n    resources:\n      sessions: { maxDataStorageGb: 50 }\n",
        ),
      },
      allowError: true,
    });
    expect(r.error?.message).toBeUndefined();
    const cache = r.one("aws:elasticache/serverlessCache:ServerlessCache");
    expect(cache.inputs).toMatchObject({
      engine: "valkey",
      cacheUsageLimits: { dataStorage: { maximum: 50, unit: "GB" } },
    });
    // Prod: protected and kept.
    expect(cache.options).toMatchObject({ protect: true, retainOnDelete: true });
    const data = (
      r.outputs.forServices as { data: Record<string, { kind: string; ref: Record<string, unknown> }> }
    ).data;
    expect(Object.keys(data).sort()).toEqual(["events", "sessions"]);
    expect(data.sessions).toMatchObject({ kind: "cache", ref: { arn: cache.outputs.arn } });
    expect(data.events!.kind).toBe("queue");
    expect(data.events!.ref.url).toMatch(/^https:\/\/sqs\.us-east-1\.amazonaws\.com\/\d{12}\/events-queue-/);
  });

  it("adds isolated subnets where a database exists (orders' orders-db), and none where none does", async () => {
    const [withDb, without] = await Promise.all([
      runStack(projectDir, "dev", { environment: { BERTH_APPS_DIR: apps("with-db") }, allowError: true }),
      runStack(projectDir, "dev", {
        environment: { BERTH_APPS_DIR: apps("without-db", undefined, true) },
        allowError: true,
      }),
    ]);
    expect(withDb.error?.message).toBeUndefined();
    expect(without.error?.message).toBeUndefined();
    expect(isolatedSubnets(withDb)).toHaveLength(2);
    expect(isolatedSubnets(without)).toEqual([]);
  });
});
