import { CidrAllocator, formatCidr, parseCidr } from "@berth/core";
import {
  availabilityZones,
  type CloudContext,
  ipv6SubnetBlock,
  type Props,
  type Synthesized,
  synthesizeAws,
} from "./aws.js";

interface SubnetSpec {
  type: "Public" | "Private" | "Isolated" | "Unused";
  name?: string;
  cidrMask?: number;
  size?: number;
  cidrBlocks?: string[];
  assignIpv6AddressOnCreation?: boolean;
}

/** awsx creates a zone's subnets public first, then private, then isolated (compareSubnetSpecs). */
const CREATION_ORDER: Record<string, number> = { Public: 0, Private: 1, Isolated: 2 };

function maskForSize(size: number): number {
  return 32 - Math.ceil(Math.log2(size));
}

/**
 * The outputs of awsx v3's `awsx:ec2:Vpc` remote component, which does not run under mocks:
 * subnets per availability zone and spec (aligned, non-overlapping, inside the VPC block),
 * an internet gateway when there are public subnets, NAT gateways and Elastic IPs per the
 * NAT strategy, one route table per subnet with its default route, and the VPC endpoints.
 * With `assignGeneratedIpv6CidrBlock`, the VPC gets an Amazon-provided /56 and every subnet that
 * assigns IPv6 addresses (its spec's `assignIpv6AddressOnCreation`, by default the VPC's setting) a
 * /64 of it, numbered as awsx 3.8+ does: zone index, plus the zone count per subnet created before
 * it in the zone. awsx adds no IPv6 routes and no egress-only internet gateway.
 * Child resources come back as plain objects with their ids and ARNs.
 */
export function synthesizeAwsxVpc(name: string, inputs: Props, ctx: CloudContext): Synthesized {
  const cidrBlock = typeof inputs.cidrBlock === "string" ? inputs.cidrBlock : "10.0.0.0/16";
  const vpcCidr = parseCidr(cidrBlock);
  if (!vpcCidr) throw new Error(`cidrBlock '${cidrBlock}' is not an IPv4 CIDR block`);
  const zoneNames =
    (inputs.availabilityZoneNames as string[] | undefined) ??
    availabilityZones(ctx).names.slice(0, (inputs.numberOfAvailabilityZones as number | undefined) ?? 3);
  const azMask =
    (inputs.availabilityZoneCidrMask as number | undefined) ??
    vpcCidr.mask + Math.ceil(Math.log2(Math.max(1, zoneNames.length)));
  const specs: SubnetSpec[] = (
    (inputs.subnetSpecs as SubnetSpec[] | undefined) ?? [
      { type: "Private", cidrMask: azMask + 1 },
      { type: "Public", cidrMask: azMask + 2 },
    ]
  ).filter((s) => s.type !== "Unused");
  const natStrategy =
    ((inputs.natGateways as Props | undefined)?.strategy as string | undefined) ?? "OnePerAz";

  const assignIpv6 = inputs.assignGeneratedIpv6CidrBlock === true;
  const vpc = synthesizeAws(
    "aws:ec2/vpc:Vpc",
    name,
    // awsx passes its own args on to the aws.ec2.Vpc it creates.
    {
      cidrBlock,
      tags: inputs.tags,
      ...Object.fromEntries(
        ["enableDnsHostnames", "enableDnsSupport", "instanceTenancy"]
          .filter((k) => inputs[k] !== undefined)
          .map((k) => [k, inputs[k]]),
      ),
      ...(assignIpv6 ? { assignGeneratedIpv6CidrBlock: true } : {}),
    },
    ctx,
  );
  const vpcIpv6 = vpc.state.ipv6CidrBlock as string | undefined;
  const vpcId = vpc.id;
  const obj = (type: string, logical: string, props: Props): Props => {
    const r = synthesizeAws(type, logical, props, ctx);
    return { id: r.id, ...r.state };
  };

  const vpcAllocator = new CidrAllocator(vpcCidr);
  const subnets: Props[] = [];
  const byType: Record<string, string[]> = { Public: [], Private: [], Isolated: [] };
  const publicByAz: Props[] = [];
  zoneNames.forEach((az, azIndex) => {
    const zoneAllocator = new CidrAllocator(vpcAllocator.allocate(azMask));
    const ipv6Index = new Map(
      [...specs]
        .sort((a, b) => CREATION_ORDER[a.type]! - CREATION_ORDER[b.type]!)
        .map((spec, k) => [spec, azIndex + k * zoneNames.length] as const),
    );
    for (const spec of specs) {
      const mask = spec.cidrMask ?? (spec.size ? maskForSize(spec.size) : azMask + 2);
      const block = spec.cidrBlocks?.[azIndex] ?? formatCidr(zoneAllocator.allocate(mask));
      const subnetName = `${name}-${(spec.name ?? spec.type).toLowerCase()}-${azIndex + 1}`;
      const ipv6 = spec.assignIpv6AddressOnCreation ?? assignIpv6;
      if (ipv6 && !vpcIpv6) {
        throw new Error(
          "Subnets with assignIpv6AddressOnCreation=true require the VPC to have an IPv6 CIDR block. Set assignGeneratedIpv6CidrBlock=true or provide ipv6CidrBlock.",
        );
      }
      const subnet = obj("aws:ec2/subnet:Subnet", subnetName, {
        vpcId,
        availabilityZone: az,
        cidrBlock: block,
        assignIpv6AddressOnCreation: ipv6,
        ...(ipv6 ? { ipv6CidrBlock: ipv6SubnetBlock(vpcIpv6!, ipv6Index.get(spec)!) } : {}),
        mapPublicIpOnLaunch: spec.type === "Public",
        tags: { ...(inputs.tags as Props | undefined), Name: subnetName, SubnetType: spec.type },
      });
      subnets.push(subnet);
      byType[spec.type]?.push(subnet.id as string);
      if (spec.type === "Public" && publicByAz[azIndex] === undefined) publicByAz[azIndex] = subnet;
    }
  });

  const internetGateway =
    byType.Public!.length > 0 ? obj("aws:ec2/internetGateway:InternetGateway", name, { vpcId }) : undefined;
  const natCount =
    byType.Private!.length === 0 || byType.Public!.length === 0
      ? 0
      : natStrategy === "None"
        ? 0
        : natStrategy === "Single"
          ? 1
          : zoneNames.length;
  const eips: Props[] = [];
  const natGateways: Props[] = [];
  for (let i = 0; i < natCount; i++) {
    const eip = obj("aws:ec2/eip:Eip", `${name}-${i + 1}`, { domain: "vpc" });
    eips.push(eip);
    natGateways.push(
      obj("aws:ec2/natGateway:NatGateway", `${name}-${i + 1}`, {
        subnetId: publicByAz[i]?.id,
        allocationId: eip.id,
        publicIp: eip.publicIp,
      }),
    );
  }

  const routeTables: Props[] = [];
  const routeTableAssociations: Props[] = [];
  const routes: Props[] = [];
  for (const subnet of subnets) {
    const tags = subnet.tags as Record<string, string>;
    const rt = obj("aws:ec2/routeTable:RouteTable", tags.Name!, { vpcId, tags: { Name: tags.Name } });
    routeTables.push(rt);
    routeTableAssociations.push(
      obj("aws:ec2/routeTableAssociation:RouteTableAssociation", tags.Name!, {
        routeTableId: rt.id,
        subnetId: subnet.id,
      }),
    );
    const azIndex = zoneNames.indexOf(subnet.availabilityZone as string);
    if (tags.SubnetType === "Public" && internetGateway) {
      routes.push(
        obj("aws:ec2/route:Route", `${tags.Name}-ig`, {
          routeTableId: rt.id,
          destinationCidrBlock: "0.0.0.0/0",
          gatewayId: internetGateway.id,
        }),
      );
    } else if (tags.SubnetType === "Private" && natGateways.length > 0) {
      const nat = natGateways[Math.min(azIndex, natGateways.length - 1)]!;
      routes.push(
        obj("aws:ec2/route:Route", `${tags.Name}-nat`, {
          routeTableId: rt.id,
          destinationCidrBlock: "0.0.0.0/0",
          natGatewayId: nat.id,
        }),
      );
    }
  }

  const vpcEndpoints = ((inputs.vpcEndpointSpecs as Props[] | undefined) ?? []).map((spec) =>
    obj("aws:ec2/vpcEndpoint:VpcEndpoint", `${name}-${String(spec.serviceName).split(".").pop()}`, {
      ...spec,
      vpcId,
    }),
  );

  return {
    id: vpcId,
    state: {
      ...inputs,
      vpc: { id: vpcId, ...vpc.state },
      vpcId,
      subnets,
      subnetLayout: specs.map((s) => ({ type: s.type, name: s.name, cidrMask: s.cidrMask, size: s.size })),
      publicSubnetIds: byType.Public,
      privateSubnetIds: byType.Private,
      isolatedSubnetIds: byType.Isolated,
      publicSubnets: subnets.filter((s) => (s.tags as Props).SubnetType === "Public"),
      privateSubnets: subnets.filter((s) => (s.tags as Props).SubnetType === "Private"),
      isolatedSubnets: subnets.filter((s) => (s.tags as Props).SubnetType === "Isolated"),
      internetGateway,
      natGateways,
      eips,
      routeTables,
      routeTableAssociations,
      routes,
      vpcEndpoints,
    },
  };
}
