import { runComponent } from "@berth/testing";
import { describe, expect, it } from "vitest";
import { Network, type NetworkArgs } from "../src/index.js";
import { NETWORK, subnetsByName, VPC, vpcInputs, vpcOutput } from "./helpers.js";

describe("Network layout passed to awsx", () => {
  it("sets every layout input explicitly by default: Auto, fixed zone blocks, masks, NAT per AZ", async () => {
    const run = await runComponent(() => new Network("main"));
    const vpc = run.one(VPC);
    expect(vpc.parent).toBe(run.one(NETWORK).urn);
    expect(vpc.name).toBe("main-vpc");
    expect(vpc.inputs).toMatchObject({
      cidrBlock: "10.0.0.0/16",
      numberOfAvailabilityZones: 3,
      availabilityZoneCidrMask: 19,
      subnetStrategy: "Auto",
      subnetNameTagStrategy: "Legacy",
      subnetSpecs: [
        { type: "Private", cidrMask: 20 },
        { type: "Public", cidrMask: 22 },
      ],
      natGateways: { strategy: "OnePerAz" },
      enableDnsHostnames: true,
      enableDnsSupport: true,
    });
    expect(vpc.inputs.subnetStrategy).not.toBe("Legacy");
    expect(vpc.inputs.availabilityZoneNames).toBeUndefined();
  });

  it("lays subnets out where Network.plan says they go", async () => {
    const args: NetworkArgs = {
      cidrBlock: "10.20.0.0/16",
      availabilityZones: 3,
      subnets: { isolated: { name: "db", cidrMask: 24 } },
    };
    const plan = Network.plan("main", args);
    expect(plan.subnets.filter((s) => s.azIndex === 0)).toEqual([
      { tier: "private", azIndex: 0, cidrBlock: "10.20.0.0/20" },
      { tier: "public", azIndex: 0, cidrBlock: "10.20.16.0/22" },
      { tier: "isolated", azIndex: 0, cidrBlock: "10.20.20.0/24" },
    ]);
    const run = await runComponent(() => new Network("main", args));
    const synthesized = subnetsByName(run);
    const names: Record<string, string> = { private: "private", public: "public", isolated: "db" };
    for (const s of plan.subnets) {
      expect(synthesized[`main-vpc-${names[s.tier]}-${s.azIndex + 1}`]).toBe(s.cidrBlock);
    }
    expect(vpcOutput<string[]>(run, "isolatedSubnetIds")).toHaveLength(3);
  });

  it("passes explicit availability zone names instead of a count", async () => {
    const zones = ["eu-west-1a", "eu-west-1c"];
    const run = await runComponent(() => new Network("main", { availabilityZones: zones }), {
      config: { "aws:region": "eu-west-1" },
    });
    expect(vpcInputs(run).availabilityZoneNames).toEqual(zones);
    expect(vpcInputs(run).numberOfAvailabilityZones).toBeUndefined();
  });

  it("passes explicit cidrBlocks through for a layout taken over from elsewhere", async () => {
    const run = await runComponent(
      () =>
        new Network("main", {
          availabilityZones: 2,
          subnets: {
            private: { cidrBlocks: ["10.0.0.0/19", "10.0.64.0/19"] },
            public: { cidrBlocks: ["10.0.32.0/20", "10.0.96.0/20"] },
          },
        }),
    );
    const inputs = vpcInputs(run);
    expect(inputs.subnetStrategy).toBe("Auto");
    expect(inputs.availabilityZoneCidrMask).toBeUndefined();
    expect(inputs.subnetSpecs).toEqual([
      { type: "Private", cidrMask: 19, cidrBlocks: ["10.0.0.0/19", "10.0.64.0/19"] },
      { type: "Public", cidrMask: 20, cidrBlocks: ["10.0.32.0/20", "10.0.96.0/20"] },
    ]);
    expect(subnetsByName(run)).toMatchObject({
      "main-vpc-private-2": "10.0.64.0/19",
      "main-vpc-public-1": "10.0.32.0/20",
    });
  });

  it("with the Exact strategy declares every gap as Unused and keeps the same subnets as Auto", async () => {
    const base: NetworkArgs = {
      availabilityZones: 2,
      availabilityZoneCidrMask: 17,
      subnets: { private: { cidrMask: 22 }, public: { cidrMask: 20 }, isolated: { cidrMask: 24 } },
    };
    const exact = await runComponent(() => new Network("main", { ...base, subnetStrategy: "Exact" }));
    const auto = await runComponent(() => new Network("main", base));
    const specs = vpcInputs(exact).subnetSpecs as { type: string; cidrMask: number }[];
    expect(vpcInputs(exact).subnetStrategy).toBe("Exact");
    expect(specs.map((s) => `${s.type}/${s.cidrMask}`)).toEqual([
      "Private/22",
      "Unused/22",
      "Unused/21",
      "Public/20",
      "Isolated/24",
      "Unused/24",
      "Unused/23",
      "Unused/22",
      "Unused/21",
      "Unused/20",
      "Unused/18",
    ]);
    // Every address of the zone's /17 is accounted for.
    expect(specs.reduce((sum, s) => sum + 2 ** (32 - s.cidrMask), 0)).toBe(2 ** 15);
    expect(subnetsByName(exact)).toEqual(subnetsByName(auto));
    expect(subnetsByName(exact)["main-vpc-public-2"]).toBe("10.0.144.0/20");
  });
});

describe("Network default layout (as documented)", () => {
  it("gives each zone a /19 of a /16 with private /20, public /22 and isolated /22 in that order", () => {
    const plan = Network.plan("main", { subnets: { isolated: {} } });
    const byZone = [0, 1, 2].map((az) =>
      plan.subnets.filter((s) => s.azIndex === az).map((s) => s.cidrBlock),
    );
    expect(byZone).toEqual([
      ["10.0.0.0/20", "10.0.16.0/22", "10.0.20.0/22"],
      ["10.0.32.0/20", "10.0.48.0/22", "10.0.52.0/22"],
      ["10.0.64.0/20", "10.0.80.0/22", "10.0.84.0/22"],
    ]);
  });

  it("parents every child to the component", async () => {
    const run = await runComponent(
      () =>
        new Network("main", { natMode: "instance", interfaceEndpoints: ["logs"], subnets: { isolated: {} } }),
    );
    const network = run.one(NETWORK);
    const children = run.managed.filter((r) => r.urn !== network.urn);
    expect(children.length).toBeGreaterThan(15);
    for (const r of children) expect(r.parent, `${r.type} ${r.name}`).toBe(network.urn);
  });
});

describe("Network layout stability (changes that must not renumber subnets)", () => {
  const dev: NetworkArgs = { cidrBlock: "10.30.0.0/16", availabilityZones: 2, natMode: "instance" };

  it("adding an availability zone keeps the existing zones' subnets and specs", async () => {
    const two = await runComponent(() => new Network("main", dev));
    const three = await runComponent(() => new Network("main", { ...dev, availabilityZones: 3 }));
    expect(vpcInputs(three).subnetSpecs).toEqual(vpcInputs(two).subnetSpecs);
    expect(vpcInputs(three).availabilityZoneCidrMask).toBe(vpcInputs(two).availabilityZoneCidrMask);
    const before = subnetsByName(two);
    const after = subnetsByName(three);
    for (const [name, cidr] of Object.entries(before)) expect(after[name]).toBe(cidr);
    expect(after["main-vpc-private-3"]).toBe("10.30.64.0/20");
  });

  it("enabling the isolated tier appends it after the existing tiers", async () => {
    const before = subnetsByName(await runComponent(() => new Network("main", dev)));
    const run = await runComponent(() => new Network("main", { ...dev, subnets: { isolated: {} } }));
    const after = subnetsByName(run);
    for (const [name, cidr] of Object.entries(before)) expect(after[name]).toBe(cidr);
    expect(after["main-vpc-isolated-1"]).toBe("10.30.20.0/22");
  });

  it("changing the NAT mode, endpoints or flow logs changes no layout input", async () => {
    const a = vpcInputs(await runComponent(() => new Network("main", dev)));
    const b = vpcInputs(
      await runComponent(
        () =>
          new Network("main", { ...dev, natMode: "perAz", interfaceEndpoints: ["logs"], flowLogs: false }),
      ),
    );
    for (const key of [
      "cidrBlock",
      "numberOfAvailabilityZones",
      "availabilityZoneCidrMask",
      "subnetStrategy",
      "subnetSpecs",
    ]) {
      expect(b[key]).toEqual(a[key]);
    }
  });

  it("switching Auto to Exact keeps every subnet where it is", async () => {
    const args: NetworkArgs = { availabilityZones: 4, availabilityZoneCidrMask: 18 };
    const auto = subnetsByName(await runComponent(() => new Network("main", args)));
    const exact = subnetsByName(
      await runComponent(() => new Network("main", { ...args, subnetStrategy: "Exact" })),
    );
    expect(exact).toEqual(auto);
  });

  it("small VPCs get /28-bounded defaults that fit", () => {
    const plan = Network.plan("main", { cidrBlock: "10.1.0.0/24", availabilityZones: 2 });
    expect(plan.availabilityZoneCidrMask).toBe(27);
    expect(plan.tiers).toEqual([
      { tier: "private", name: "private", cidrMask: 28 },
      { tier: "public", name: "public", cidrMask: 28 },
    ]);
    expect(plan.subnets.map((s) => s.cidrBlock)).toEqual([
      "10.1.0.0/28",
      "10.1.0.16/28",
      "10.1.0.32/28",
      "10.1.0.48/28",
    ]);
  });
});

describe("Network outputs", () => {
  it("exposes ids, zones and a plain NetworkRef", async () => {
    const run = await runComponent(() => {
      const n = new Network("main", { availabilityZones: 2, subnets: { isolated: {} }, natMode: "single" });
      return {
        vpcId: n.vpcId,
        cidrBlock: n.cidrBlock,
        azs: n.availabilityZones,
        publicSubnetIds: n.publicSubnetIds,
        privateSubnetIds: n.privateSubnetIds,
        isolatedSubnetIds: n.isolatedSubnetIds,
        natPublicIps: n.natPublicIps,
        endpointSecurityGroupId: n.endpointSecurityGroupId,
        ref: n.ref,
      };
    });
    const out = run.outputs as Record<string, unknown>;
    expect(out.vpcId).toBe(vpcOutput(run, "vpcId"));
    expect(out.cidrBlock).toBe("10.0.0.0/16");
    expect(out.azs).toEqual(["us-east-1a", "us-east-1b"]);
    expect(out.publicSubnetIds).toEqual(vpcOutput(run, "publicSubnetIds"));
    expect(out.privateSubnetIds).toEqual(vpcOutput(run, "privateSubnetIds"));
    expect(out.isolatedSubnetIds).toEqual(vpcOutput(run, "isolatedSubnetIds"));
    expect(out.natPublicIps).toEqual([vpcOutput<{ publicIp: string }[]>(run, "eips")[0]!.publicIp]);
    expect(out.endpointSecurityGroupId).toBeUndefined();
    expect(out.ref).toEqual({
      vpcId: out.vpcId,
      vpcCidrBlock: "10.0.0.0/16",
      publicSubnetIds: out.publicSubnetIds,
      privateSubnetIds: out.privateSubnetIds,
      isolatedSubnetIds: out.isolatedSubnetIds,
      availabilityZones: ["us-east-1a", "us-east-1b"],
    });
  });

  it("passes tags to the VPC and to its own children", async () => {
    const run = await runComponent(
      () =>
        new Network("main", {
          tags: { Team: "platform" },
          interfaceEndpoints: ["logs"],
          natMode: "instance",
        }),
    );
    expect(vpcInputs(run).tags).toEqual({ Team: "platform" });
    for (const type of [
      "aws:ec2/securityGroup:SecurityGroup",
      "aws:ec2/vpcEndpoint:VpcEndpoint",
      "aws:cloudwatch/logGroup:LogGroup",
      "aws:ec2/instance:Instance",
      "aws:ec2/eip:Eip",
    ]) {
      for (const r of run.ofType(type))
        expect(r.inputs.tags, `${type} ${r.name}`).toMatchObject({ Team: "platform" });
    }
  });

  it("applies transform hooks to children", async () => {
    const run = await runComponent(
      () =>
        new Network("main", {
          natMode: "instance",
          transform: {
            vpc: (args) => {
              args.enableNetworkAddressUsageMetrics = true;
            },
            natInstance: (args) => {
              args.monitoring = true;
            },
            flowLogGroup: (args, opts) => {
              args.retentionInDays = 3653;
              opts.retainOnDelete = true;
            },
          },
        }),
    );
    expect(vpcInputs(run).enableNetworkAddressUsageMetrics).toBe(true);
    expect(run.one("aws:ec2/instance:Instance").inputs.monitoring).toBe(true);
    const lg = run.one("aws:cloudwatch/logGroup:LogGroup");
    expect(lg.inputs.retentionInDays).toBe(3653);
    expect(lg.options.retainOnDelete).toBe(true);
  });
});

describe("Default security group", () => {
  it("manages the VPC's default security group with no rules at all", async () => {
    const run = await runComponent(() => new Network("main"));
    const sg = run.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
    expect(sg.inputs.vpcId).toBe(vpcOutput(run, "vpcId"));
    expect(sg.inputs.ingress).toEqual([]);
    expect(sg.inputs.egress).toEqual([]);
    expect(sg.parent).toBe(run.one(NETWORK).urn);
  });
});

describe("Network.adopt", () => {
  const ids = {
    vpcId: "vpc-0a1b2c3d4e5f67890",
    cidrBlock: "10.8.0.0/16",
    publicSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
    privateSubnetIds: ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
  };

  it("builds the same output shape from existing ids without creating anything", async () => {
    const run = await runComponent(() => {
      const n = Network.adopt("shared", { ...ids, availabilityZones: ["us-east-1a", "us-east-1b"] });
      return {
        ref: n.ref,
        azs: n.availabilityZones,
        nat: n.natPublicIps,
        isolated: n.isolatedSubnetIds,
        sg: n.endpointSecurityGroupId,
      };
    });
    expect(run.managed).toHaveLength(0);
    expect(run.outputs).toEqual({
      ref: {
        vpcId: ids.vpcId,
        vpcCidrBlock: ids.cidrBlock,
        publicSubnetIds: ids.publicSubnetIds,
        privateSubnetIds: ids.privateSubnetIds,
        isolatedSubnetIds: [],
        availabilityZones: ["us-east-1a", "us-east-1b"],
      },
      azs: ["us-east-1a", "us-east-1b"],
      nat: [],
      isolated: [],
    });
  });

  it("builds its ref from its own outputs, as a Network does", () => {
    const n = Network.adopt("shared", ids);
    expect(n.ref.vpcId).toBe(n.vpcId);
    expect(n.ref.vpcCidrBlock).toBe(n.cidrBlock);
    expect(n.ref.publicSubnetIds).toBe(n.publicSubnetIds);
    expect(n.ref.privateSubnetIds).toBe(n.privateSubnetIds);
    expect(n.ref.isolatedSubnetIds).toBe(n.isolatedSubnetIds);
  });
});
