import { expectInvalid, runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { Cluster, Service } from "../src/index.js";
import { IMAGE, network } from "./service-fixtures.js";

describe("Service capacity", () => {
  it("follows the cluster's default strategy (Spot-heavy with an on-demand base) with CLUSTER_DEFAULT", async () => {
    const run = await runComponent(() => {
      const cluster = new Cluster("platform", {
        capacity: { fargate: { base: 1, weight: 1 }, fargateSpot: { weight: 4 } },
      });
      new Service("worker", { cluster: cluster.ref, network, image: IMAGE, capacity: "CLUSTER_DEFAULT" });
    });
    const svc = run.one("aws:ecs/service:Service");
    expect(svc.inputs.launchType).toBeUndefined();
    expect(svc.inputs.capacityProviderStrategies).toBeUndefined();
    expect(run.one("aws:ecs/taskDefinition:TaskDefinition").inputs.requiresCompatibilities).toEqual([
      "FARGATE",
    ]);
    expect(
      run.one("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders").inputs
        .defaultCapacityProviderStrategies,
    ).toEqual([
      { capacityProvider: "FARGATE", base: 1, weight: 1 },
      { capacityProvider: "FARGATE_SPOT", base: 0, weight: 4 },
    ]);
  });

  it("pins on-demand Fargate by default and Spot when asked", async () => {
    const run = await runComponent(() => {
      const cluster = { name: "platform", arn: "arn:aws:ecs:us-east-1:123456789012:cluster/platform" };
      new Service("a", { cluster, network, image: IMAGE });
      new Service("b", { cluster, network, image: IMAGE, capacity: "FARGATE_SPOT" });
    });
    const [a, b] = run.ofType("aws:ecs/service:Service");
    expect(a!.inputs.launchType).toBe("FARGATE");
    expect(b!.inputs.capacityProviderStrategies).toEqual([{ capacityProvider: "FARGATE_SPOT", weight: 1 }]);
  });

  it("rejects an unknown capacity, naming the choices", async () => {
    const cluster = { name: "platform", arn: "arn:aws:ecs:us-east-1:123456789012:cluster/platform" };
    await expectInvalid(
      () => new Service("a", { cluster, network, image: IMAGE, capacity: "SPOT" as "FARGATE" }),
      /capacity is "SPOT"; allowed: "FARGATE", "FARGATE_SPOT", "EC2", "CLUSTER_DEFAULT"/,
    );
  });

  it("mixes Fargate and Fargate Spot explicitly with a capacity list", async () => {
    const run = await runComponent(() => {
      const cluster = { name: "platform", arn: "arn:aws:ecs:us-east-1:123456789012:cluster/platform" };
      new Service("a", {
        cluster,
        network,
        image: IMAGE,
        capacity: [
          { capacityProvider: "FARGATE", base: 1, weight: 1 },
          { capacityProvider: "FARGATE_SPOT", weight: 4 },
        ],
      });
    });
    const svc = run.one("aws:ecs/service:Service");
    expect(svc.inputs.launchType).toBeUndefined();
    expect(svc.inputs.capacityProviderStrategies).toEqual([
      { capacityProvider: "FARGATE", base: 1, weight: 1 },
      { capacityProvider: "FARGATE_SPOT", base: 0, weight: 4 },
    ]);
  });

  it("rejects capacity lists ECS would refuse", async () => {
    const cluster = { name: "platform", arn: "arn:aws:ecs:us-east-1:123456789012:cluster/platform" };
    const svc = (capacity: unknown) => () =>
      new Service("a", { cluster, network, image: IMAGE, capacity: capacity as "FARGATE" });
    await expectInvalid(
      svc([{ capacityProvider: "FARGATE", weight: 0 }]),
      /at least one provider needs a weight above 0/,
    );
    await expectInvalid(
      svc([
        { capacityProvider: "FARGATE", base: 1, weight: 1 },
        { capacityProvider: "FARGATE_SPOT", base: 2, weight: 1 },
      ]),
      /a base on one provider only/,
    );
    await expectInvalid(
      svc([{ capacityProvider: "FARGATE", weight: 1001 }]),
      /capacity\[0\]\.weight is 1001/,
    );
    await expectInvalid(
      svc([{ capacityProvider: "EC2", weight: 1 }]),
      /capacity\[0\]\.capacityProvider is "EC2"/,
    );
    await expectInvalid(
      svc([
        { capacityProvider: "FARGATE", weight: 1 },
        { capacityProvider: "FARGATE", weight: 2 },
      ]),
      /each value may appear only once/,
    );
  });
});
