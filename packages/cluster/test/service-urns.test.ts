import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { type ClusterRef, Service, type ServiceArgs } from "../src/index.js";
import { IMAGE, loadBalancer, network } from "./service-fixtures.js";

/**
 * The URNs of `hello` in the platform stack's offline previews, recorded before `Service` was split
 * into parts (`berth preview -C stacks/platform -s <env> --json`, every `steps[].urn`). A Service run
 * shaped like hello's must register exactly these URNs: the split moved no resource.
 */
function recorded(env: string): string[] {
  const urns = JSON.parse(
    readFileSync(join(__dirname, "fixtures", `platform-${env}-urns.json`), "utf8"),
  ) as string[];
  return urns.filter((u) => u.includes("::berth:cluster:Service")).map(suffix);
}

/** `urn:pulumi:<stack>::<project>::<type chain>::<name>` without stack and project. */
function suffix(urn: string): string {
  return urn.split("::").slice(2).join("::");
}

const hello = (cluster: ClusterRef, extra: Partial<ServiceArgs>): ServiceArgs => ({
  cluster,
  network,
  loadBalancer,
  image: IMAGE,
  port: 8080,
  healthCheck: { path: "/healthz", interval: 5, timeout: 4 },
  environment: { SERVICE_NAME: "hello", DEPLOY_ENV: "dev" },
  rule: { priority: 100, paths: ["/*"] },
  ...extra,
});

const clusterRef = (containerInsights: boolean): ClusterRef => ({
  name: "platform-abc",
  arn: "arn:aws:ecs:us-east-1:123456789012:cluster/platform-abc",
  containerInsights,
});

async function urnsOf(args: ServiceArgs): Promise<string[]> {
  const run = await runComponent(() => {
    new Service("hello", args);
  });
  return run.managed.filter((r) => r.urn.includes("::berth:cluster:Service")).map((r) => suffix(r.urn));
}

describe("Service URNs did not move in the split into parts", () => {
  it("dev: rolling, one public task, no Container Insights", async () => {
    const urns = await urnsOf(
      hello(clusterRef(false), {
        desiredCount: 1,
        subnets: "public",
        capacity: [
          { capacityProvider: "FARGATE", base: 0, weight: 1 },
          { capacityProvider: "FARGATE_SPOT", weight: 4 },
        ],
      }),
    );
    expect(urns.sort()).toEqual(recorded("dev").sort());
  });

  it("staging: rolling with CPU autoscaling and Container Insights", async () => {
    const urns = await urnsOf(
      hello(clusterRef(true), { desiredCount: 2, scaling: { min: 2, max: 4, cpuTarget: 70 } }),
    );
    expect(urns.sort()).toEqual(recorded("staging").sort());
  });

  it("prod: canary (no test listener), autoscaling and Container Insights", async () => {
    const urns = await urnsOf(
      hello(clusterRef(true), {
        desiredCount: 3,
        rule: { priority: 100, hosts: ["hello.example.com"] },
        deployment: { strategy: "CANARY", canary: { percent: 10 }, bakeTimeMinutes: 10 },
        scaling: { min: 3, max: 10, cpuTarget: 60 },
      }),
    );
    expect(urns.sort()).toEqual(recorded("prod").sort());
  });
});
