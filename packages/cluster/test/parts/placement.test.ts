import { runComponent } from "@berth/testing";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import {
  capacityFragment,
  createPlacement,
  type PlacementArgs,
  resolvePlacement,
  resolveSubnets,
} from "../../src/index.js";
import { partScope } from "../../src/service/scope.js";
import { cluster, network } from "../service-fixtures.js";
import { rejects, validator } from "./helpers.js";

describe("placement part", () => {
  it("defaults to Fargate, ARM64, private subnets", () => {
    expect(resolvePlacement(validator(), {})).toEqual({
      capacity: "FARGATE",
      architecture: "ARM64",
      subnets: "private",
    });
  });

  it.each<[string, PlacementArgs, ReturnType<typeof capacityFragment>]>([
    ["FARGATE", { capacity: "FARGATE" }, { launchType: "FARGATE" }],
    [
      "FARGATE_SPOT",
      { capacity: "FARGATE_SPOT" },
      { capacityProviderStrategies: [{ capacityProvider: "FARGATE_SPOT", weight: 1 }] },
    ],
    ["CLUSTER_DEFAULT", { capacity: "CLUSTER_DEFAULT" }, {}],
    [
      "a mix",
      {
        capacity: [
          { capacityProvider: "FARGATE", base: 1, weight: 1 },
          { capacityProvider: "FARGATE_SPOT", weight: 3 },
        ],
      },
      {
        capacityProviderStrategies: [
          { capacityProvider: "FARGATE", weight: 1, base: 1 },
          { capacityProvider: "FARGATE_SPOT", weight: 3, base: 0 },
        ],
      },
    ],
  ])("%s becomes the launch settings RunTask and CreateService take", (_t, args, fragment) => {
    expect(capacityFragment(resolvePlacement(validator(), args), cluster)).toEqual(fragment);
  });

  it.each<[string, PlacementArgs, RegExp, string]>([
    [
      "an unknown capacity",
      { capacity: "SPOT" as never },
      /capacity is "SPOT"; allowed: "FARGATE", "FARGATE_SPOT", "EC2", "CLUSTER_DEFAULT"/,
      "capacity",
    ],
    [
      "an empty mix",
      { capacity: [] },
      /capacity is \[\]; a capacity list needs at least one provider/,
      "capacity",
    ],
    [
      "two bases",
      {
        capacity: [
          { capacityProvider: "FARGATE", base: 1, weight: 1 },
          { capacityProvider: "FARGATE_SPOT", base: 1, weight: 1 },
        ],
      },
      /ECS allows a base on one provider only/,
      "capacity",
    ],
    [
      "an unknown architecture",
      { architecture: "ARM" as never },
      /architecture is "ARM"; allowed: "ARM64", "X86_64"/,
      "architecture",
    ],
    [
      "public subnets on EC2",
      { capacity: "EC2", subnets: "public" },
      /subnets is "public"; public IPs are a Fargate feature/,
      "subnets",
    ],
    [
      "more than 4 extra security groups (ECS takes 5 per task, the task's own included)",
      { securityGroupIds: ["sg-1", "sg-2", "sg-3", "sg-4", "sg-5"] },
      /securityGroupIds is \["sg-1","sg-2","sg-3","sg-4","sg-5"\]; ECS allows 5 security groups per task/,
      "securityGroupIds",
    ],
  ])("rejects %s", (_t, args, message, field) => {
    const err = rejects((v) => resolveSubnets(v, resolvePlacement(v, args)), message);
    expect(err.field).toBe(field);
  });

  it("creates a security group with one egress rule and no ingress", async () => {
    const run = await runComponent(() => {
      const parent = new pulumi.ComponentResource("test:index:Parent", "p");
      const r = resolvePlacement(validator(), {
        subnets: "public",
        securityGroupIds: ["sg-0aaaaaaaaaaaaaaaa"],
      });
      const part = createPlacement(
        partScope(parent, "p", cluster, {}),
        { securityGroupIds: ["sg-0aaaaaaaaaaaaaaaa"] },
        r,
        network,
        {},
        "Tasks of p",
      );
      return { sgs: pulumi.all(part.securityGroups), public: part.assignPublicIp, subnets: part.subnets };
    });
    expect(run.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).toEqual([]);
    expect(run.one("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").inputs).toMatchObject({
      ipProtocol: "-1",
      cidrIpv4: "0.0.0.0/0",
    });
    expect(run.outputs.sgs).toEqual([
      run.one("aws:ec2/securityGroup:SecurityGroup").id,
      "sg-0aaaaaaaaaaaaaaaa",
    ]);
    expect(run.outputs.public).toBe(true);
    expect(run.outputs.subnets).toEqual(["subnet-pub1", "subnet-pub2"]);
  });
});
