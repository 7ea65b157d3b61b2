import { expectInvalid, runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { LoadBalancer, Service } from "../src/index.js";
import { network, web } from "./service-fixtures.js";

// Auto-named children carry Pulumi's 8-character suffix; target group and load balancer names
// have 32 characters at most, and the provider fails `pulumi preview` on a longer one.
describe("names that become AWS names with a length limit", () => {
  it("accepts the longest service names that still fit their target groups", async () => {
    const run = await runComponent(() => {
      new Service("a".repeat(21), web());
      new Service(
        "b".repeat(17),
        web({ rule: { priority: 2, paths: ["/b/*"] }, deployment: { strategy: "CANARY" } }),
      );
    });
    for (const tg of run.ofType("aws:lb/targetGroup:TargetGroup")) {
      expect((tg.outputs.name as string).length).toBeLessThanOrEqual(32);
    }
  });

  it("rejects a load-balanced service name its target groups could not carry", async () => {
    await expectInvalid(
      () => new Service("a".repeat(22), web()),
      /at most 21 characters with strategy ROLLING/,
    );
    await expectInvalid(
      () => new Service("b".repeat(18), web({ deployment: { strategy: "LINEAR" } })),
      /at most 17 characters with strategy LINEAR/,
    );
  });

  it("rejects a load balancer name too long for its auto-named ALB, unless a name is given", async () => {
    await expectInvalid(
      () => new LoadBalancer("x".repeat(21), { network, allowHttpOnly: true }),
      /at most 20 characters/,
    );
    const run = await runComponent(
      () => new LoadBalancer("x".repeat(21), { network, allowHttpOnly: true, name: "shared-web" }),
    );
    expect(run.one("aws:lb/loadBalancer:LoadBalancer").outputs.name).toBe("shared-web");
  });

  it.each([
    ["web.v2", /only letters, numbers and hyphens and may not begin with internal-/],
    ["web_v2", /only letters, numbers and hyphens and may not begin with internal-/],
    ["internal-web", /only letters, numbers and hyphens and may not begin with internal-/],
    ["Internal-web", /only letters, numbers and hyphens and may not begin with internal-/],
  ])(
    "rejects %s, which its auto-named ALB could not carry, unless a name is given",
    async (name, message) => {
      const err = await expectInvalid(
        () => new LoadBalancer(name, { network, allowHttpOnly: true }),
        message,
      );
      expect(err.field).toBe("name");
      if (name.includes("_")) return; // the access-logs bucket refuses `_` too (next test)
      const run = await runComponent(
        () => new LoadBalancer(name, { network, allowHttpOnly: true, name: "shared-web" }),
      );
      expect(run.one("aws:lb/loadBalancer:LoadBalancer").outputs.name).toBe("shared-web");
    },
  );

  it("rejects _ in the name of the access-logs bucket it creates, unless it logs elsewhere", async () => {
    const err = await expectInvalid(
      () => new LoadBalancer("web_v2", { network, allowHttpOnly: true, name: "shared-web" }),
      /S3 bucket names have only letters, numbers, dots and hyphens \(no _\)/,
    );
    expect(err.field).toBe("name");
    for (const accessLogs of [false, { bucketName: "acme-alb-logs" }] as const) {
      const run = await runComponent(
        () => new LoadBalancer("web_v2", { network, allowHttpOnly: true, name: "shared-web", accessLogs }),
      );
      expect(run.ofType("aws:s3/bucket:Bucket")).toHaveLength(0);
    }
  });

  it("rejects a component name too long for the access-logs bucket's auto-name", async () => {
    const name = "w".repeat(44);
    await expectInvalid(
      () => new LoadBalancer(name, { network, allowHttpOnly: true, name: "shared-web" }),
      /use at most 43 of those in the component name/,
    );
    const run = await runComponent(
      () => new LoadBalancer("w".repeat(43), { network, allowHttpOnly: true, name: "shared-web" }),
    );
    expect((run.one("aws:s3/bucket:Bucket").outputs.bucket as string).length).toBe(63);
  });
});
