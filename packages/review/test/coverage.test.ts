import { join } from "node:path";
import { runStack } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { REPLACEMENT_TABLE } from "../src/index.js";

const root = join(__dirname, "..", "..", "..");

/** awsx:ec2:Vpc is one registration under mocks; these are the children it creates on AWS. */
const AWSX_VPC_CHILDREN = [
  "aws:ec2/vpc:Vpc",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/routeTableAssociation:RouteTableAssociation",
  "aws:ec2/route:Route",
  "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/eip:Eip",
  "aws:ec2/vpcEndpoint:VpcEndpoint",
];

describe("the replacement table covers every AWS type the stacks create", () => {
  it.each([
    ["stacks/platform", "dev"],
    ["stacks/platform", "staging"],
    ["stacks/platform", "prod"],
    ["stacks/shared", "shared"],
  ])(
    "%s (%s)",
    async (dir, stack) => {
      const run = await runStack(join(root, dir), stack);
      const types = new Set(
        run.managed.filter((r) => r.custom && r.type.startsWith("aws:")).map((r) => r.type),
      );
      if (run.managed.some((r) => r.type === "awsx:ec2:Vpc")) for (const t of AWSX_VPC_CHILDREN) types.add(t);
      const missing = [...types].filter((t) => !REPLACEMENT_TABLE[t]).sort();
      expect(missing).toEqual([]);
    },
    120_000,
  );
});
