import { expectInvalid, type RunResult, runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { Network, type NetworkArgs } from "../src/index.js";
import { privateRouteTables, type SynthSubnet, vpcInputs, vpcOutput } from "./helpers.js";

const EIGW = "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway";
const ROUTE = "aws:ec2/route:Route";

interface Ipv6Subnet extends SynthSubnet {
  ipv6CidrBlock?: string;
  assignIpv6AddressOnCreation?: boolean;
}

function subnets(run: RunResult): Ipv6Subnet[] {
  return vpcOutput<Ipv6Subnet[]>(run, "subnets");
}

function vpcIpv6(run: RunResult): string {
  return vpcOutput<{ ipv6CidrBlock: string }>(run, "vpc").ipv6CidrBlock;
}

function publicRouteTables(run: RunResult): string[] {
  const ids = vpcOutput<string[]>(run, "publicSubnetIds");
  const assoc = vpcOutput<{ subnetId: string; routeTableId: string }[]>(run, "routeTableAssociations");
  return ids.map((id) => assoc.find((a) => a.subnetId === id)!.routeTableId);
}

/** The `::/0` routes the Network added, by target kind. */
function ipv6Routes(run: RunResult) {
  const routes = run.ofType(ROUTE).filter((r) => r.inputs.destinationIpv6CidrBlock === "::/0");
  return {
    toIgw: routes.filter((r) => r.inputs.gatewayId !== undefined),
    toEigw: routes.filter((r) => r.inputs.egressOnlyGatewayId !== undefined),
    all: routes,
  };
}

const run = (args: NetworkArgs) =>
  runComponent(() => {
    const n = new Network("main", args);
    return { ref: n.ref, ipv6CidrBlock: n.ipv6CidrBlock, eigw: n.egressOnlyInternetGatewayId };
  });

describe("Network without IPv6 (the default)", () => {
  it("asks for no IPv6 block and adds no IPv6 gateway or route; the ref says nothing of IPv6", async () => {
    const r = await run({});
    expect(vpcInputs(r).assignGeneratedIpv6CidrBlock).toBeUndefined();
    expect((vpcInputs(r).subnetSpecs as object[]).every((s) => !("assignIpv6AddressOnCreation" in s))).toBe(
      true,
    );
    expect(subnets(r).every((s) => s.ipv6CidrBlock === undefined)).toBe(true);
    expect(r.ofType(EIGW)).toHaveLength(0);
    expect(ipv6Routes(r).all).toHaveLength(0);
    const ref = r.outputs.ref as Record<string, unknown>;
    expect(ref.ipv6).toBeUndefined();
    expect(ref.vpcIpv6CidrBlock).toBeUndefined();
    expect(r.outputs.ipv6CidrBlock).toBeUndefined();
    // Beside awsx's VPC (which holds the subnets, tables, gateways): the default SG, the S3 endpoint
    // and the flow log (log group, role, policy, flow log).
    expect(r.managed.filter((x) => x.custom)).toHaveLength(6);
  });
});

describe("Network with ipv6: true", () => {
  it("gives the VPC an Amazon /56 and each public and private subnet its own /64 of it, isolated none", async () => {
    const r = await run({ ipv6: true, subnets: { isolated: { name: "db" } } });
    expect(vpcInputs(r).assignGeneratedIpv6CidrBlock).toBe(true);
    expect(vpcInputs(r).subnetSpecs).toEqual([
      { type: "Private", cidrMask: 20, assignIpv6AddressOnCreation: true },
      { type: "Public", cidrMask: 22, assignIpv6AddressOnCreation: true },
      { type: "Isolated", name: "db", cidrMask: 22, assignIpv6AddressOnCreation: false },
    ]);
    const block = vpcIpv6(r);
    expect(block).toMatch(/^2600:1f[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,2}00::\/56$/);
    const prefix = block.replace(/[0-9a-f]{2}::\/56$/, "");

    const dualStack = subnets(r).filter((s) => s.tags.SubnetType !== "Isolated");
    expect(dualStack).toHaveLength(6);
    for (const s of dualStack) {
      expect(s.ipv6CidrBlock).toMatch(/::\/64$/);
      expect(s.ipv6CidrBlock!.startsWith(prefix)).toBe(true);
      expect(s.assignIpv6AddressOnCreation).toBe(true);
    }
    expect(new Set(dualStack.map((s) => s.ipv6CidrBlock)).size).toBe(6);
    for (const s of subnets(r).filter((x) => x.tags.SubnetType === "Isolated")) {
      expect(s.ipv6CidrBlock).toBeUndefined();
      expect(s.assignIpv6AddressOnCreation).toBe(false);
    }

    const ref = r.outputs.ref as Record<string, unknown>;
    expect(ref.ipv6).toBe(true);
    expect(ref.vpcIpv6CidrBlock).toBe(block);
    expect(r.outputs.ipv6CidrBlock).toBe(block);
  });

  it("routes ::/0 from public tables to the internet gateway and from private ones to an egress-only gateway", async () => {
    const r = await run({ ipv6: true, subnets: { isolated: {} } });
    const eigw = r.one(EIGW);
    expect(eigw.inputs.vpcId).toBe(vpcOutput(r, "vpcId"));
    expect(eigw.inputs.tags).toEqual({ Name: "main-eigw" });
    expect(eigw.id).toMatch(/^eigw-[0-9a-f]{17}$/);
    expect(eigw.parent).toBe(r.one("berth:networking:Network").urn);
    expect(r.outputs.eigw).toBe(eigw.id);

    const { toIgw, toEigw, all } = ipv6Routes(r);
    const igw = vpcOutput<{ id: string }>(r, "internetGateway").id;
    expect(toIgw.map((x) => x.inputs.routeTableId)).toEqual(publicRouteTables(r));
    expect(toIgw.every((x) => x.inputs.gatewayId === igw)).toBe(true);
    expect(toEigw.map((x) => x.inputs.routeTableId)).toEqual(privateRouteTables(r));
    expect(toEigw.every((x) => x.inputs.egressOnlyGatewayId === eigw.id)).toBe(true);
    expect(all).toHaveLength(6);
    expect(toIgw.map((x) => x.name)).toEqual([
      "main-public-ipv6-1",
      "main-public-ipv6-2",
      "main-public-ipv6-3",
    ]);

    // Isolated subnets keep no route out, for either family.
    const isolatedIds = vpcOutput<string[]>(r, "isolatedSubnetIds");
    const assoc = vpcOutput<{ subnetId: string; routeTableId: string }[]>(r, "routeTableAssociations");
    const isolatedTables = assoc.filter((a) => isolatedIds.includes(a.subnetId)).map((a) => a.routeTableId);
    expect(isolatedTables).toHaveLength(3);
    const allRoutes = [
      ...r.ofType(ROUTE).map((x) => x.inputs),
      ...vpcOutput<{ routeTableId: string }[]>(r, "routes"),
    ];
    expect(allRoutes.filter((x) => isolatedTables.includes(x.routeTableId as string))).toEqual([]);

    // What IPv6 adds to a default-sized network: one gateway and two routes per zone.
    const without = await run({ subnets: { isolated: {} } });
    expect(r.managed.filter((x) => x.custom).length - without.managed.filter((x) => x.custom).length).toBe(7);
  });

  it('with natMode "none" the private tier gets no IPv6 way out either (endpoints only)', async () => {
    const r = await run({ ipv6: true, natMode: "none", endpointsOnly: true });
    expect(r.ofType(EIGW)).toHaveLength(0);
    const { toIgw, toEigw } = ipv6Routes(r);
    expect(toIgw).toHaveLength(3);
    expect(toEigw).toHaveLength(0);
    expect(r.outputs.eigw).toBeUndefined();
    // Private subnets are still dual stack (tasks there can talk IPv6 inside the VPC).
    expect(
      subnets(r)
        .filter((s) => s.tags.SubnetType === "Private")
        .every((s) => s.ipv6CidrBlock !== undefined),
    ).toBe(true);
  });

  it("keeps the NAT instance's IPv4 default routes next to the IPv6 ones", async () => {
    const r = await run({ ipv6: true, natMode: "instance", availabilityZones: 2 });
    const tables = privateRouteTables(r);
    const v4 = r.ofType(ROUTE).filter((x) => x.inputs.destinationCidrBlock === "0.0.0.0/0");
    expect(v4.map((x) => x.inputs.routeTableId)).toEqual(tables);
    expect(ipv6Routes(r).toEigw.map((x) => x.inputs.routeTableId)).toEqual(tables);
  });

  it("lets IPv6 clients in the VPC reach the interface endpoints; the default SG stays empty", async () => {
    const r = await run({ ipv6: true, interfaceEndpoints: ["logs"] });
    const sg = r.one("aws:ec2/securityGroup:SecurityGroup", "main-endpoints");
    expect(sg.inputs.ingress).toEqual([
      expect.objectContaining({
        protocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrBlocks: ["10.0.0.0/16"],
        ipv6CidrBlocks: [vpcIpv6(r)],
      }),
    ]);
    expect(sg.inputs.egress).toEqual([]);
    const dsg = r.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
    expect(dsg.inputs.ingress).toEqual([]);
    expect(dsg.inputs.egress).toEqual([]);
    // Flow logs record the VPC's traffic of both families unchanged.
    expect(r.one("aws:ec2/flowLog:FlowLog").inputs.trafficType).toBe("ALL");

    const v4only = await run({ interfaceEndpoints: ["logs"] });
    const ingress = v4only.one("aws:ec2/securityGroup:SecurityGroup", "main-endpoints").inputs
      .ingress as object[];
    expect(ingress.every((rule) => !("ipv6CidrBlocks" in rule))).toBe(true);
  });

  it("passes the egress-only gateway and every ::/0 route through their transforms", async () => {
    const seen: string[] = [];
    await runComponent(
      () =>
        new Network("main", {
          ipv6: true,
          availabilityZones: 2,
          transform: {
            egressOnlyInternetGateway: (args) => {
              args.tags = { Name: "custom" };
            },
            ipv6Route: (args) => {
              seen.push(args.gatewayId ? "igw" : "eigw");
            },
          },
        }),
    ).then((r) => {
      expect(r.one(EIGW).inputs.tags).toEqual({ Name: "custom" });
    });
    expect(seen).toEqual(["igw", "igw", "eigw", "eigw"]);
  });

  it("shows in Network.plan what awsx gets", () => {
    const plan = Network.plan("main", { ipv6: true, availabilityZones: 2, subnets: { isolated: {} } });
    expect(plan.subnetSpecs.map((s) => [s.type, s.assignIpv6AddressOnCreation])).toEqual([
      ["Private", true],
      ["Public", true],
      ["Isolated", false],
    ]);
  });

  it("rejects an ipv6 that is not a boolean", async () => {
    const err = await expectInvalid(
      () => new Network("main", { ipv6: "yes" as unknown as boolean }),
      /ipv6 is "yes"; must be true or false/,
    );
    expect(err.field).toBe("ipv6");
  });
});

describe("Network.adopt with an IPv6 block", () => {
  const ids = {
    vpcId: "vpc-0a1b2c3d4e5f67890",
    cidrBlock: "10.0.0.0/16",
    privateSubnetIds: ["subnet-0bbbbbbbbbbbbbbb1"],
  };

  it("marks the ref dual stack", async () => {
    const r = await runComponent(
      () => Network.adopt("shared", { ...ids, ipv6CidrBlock: "2600:1f18:abcd:ef00::/56" }).ref,
    );
    expect(r.outputs).toMatchObject({ ipv6: true, vpcIpv6CidrBlock: "2600:1f18:abcd:ef00::/56" });
    const v4 = await runComponent(() => Network.adopt("shared", ids).ref);
    expect(v4.outputs.ipv6).toBeUndefined();
  });

  it.each([
    ["an IPv4 block", "10.0.0.0/16"],
    ["a subnet's /64", "2600:1f18:abcd:ef01::/64"],
  ])("rejects %s as the VPC's IPv6 block", async (_label, block) => {
    const err = await expectInvalid(
      () => Network.adopt("shared", { ...ids, ipv6CidrBlock: block }),
      /ipv6CidrBlock is .*\/44 to \/60 in steps of 4/,
    );
    expect(err.field).toBe("ipv6CidrBlock");
  });
});
