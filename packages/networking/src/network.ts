import {
  arnParts,
  assumeRolePolicy,
  checkComponent,
  checkTags,
  cidrContains,
  isIpv6Cidr,
  known,
  LOG_RETENTION_DAYS,
  mergeTags,
  type NetworkRef,
  parseCidr,
  policyDocument,
  type Transform,
  transformed,
  Validator,
} from "@berth/core";
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import { endpointServiceName, INTERFACE_ENDPOINT_NAMES, type InterfaceEndpointName } from "./endpoints.js";
import { type NetworkLayout, planLayout, type SubnetStrategy, type SubnetsArgs } from "./layout.js";
import {
  ARM_INSTANCE_TYPE,
  NAT_INSTANCE_AMI,
  NAT_INSTANCE_TYPE,
  natInstanceUserData,
} from "./nat-instance.js";

export const NETWORK_TYPE = "berth:networking:Network";

/**
 * How private subnets reach the internet. Idle monthly cost (730 hours) before any traffic, from
 * us-east-1 on-demand list prices as of 2025 (aws.amazon.com/vpc/pricing, /ec2/pricing/on-demand,
 * /ebs/pricing): NAT gateway $0.045/h, public IPv4 address $0.005/h, t4g.nano $0.0042/h,
 * gp3 $0.08/GB-month. Check the pricing pages for your region before relying on them.
 *
 * | mode       | what                                        | idle / month, 2 zones / 3 zones        | per GB out                  |
 * |------------|---------------------------------------------|----------------------------------------|-----------------------------|
 * | `none`     | no route out; VPC endpoints only            | $0                                     | —                           |
 * | `single`   | one NAT gateway in the first zone           | $36.50                                 | $0.045 processing           |
 * | `perAz`    | one NAT gateway per zone (highly available) | $73.00 / $109.50                       | $0.045 processing           |
 * | `instance` | one t4g.nano NAT instance (or one per zone) | $7.36 (per zone: $14.71 / $22.07)      | none beyond data transfer   |
 *
 * A NAT gateway is $32.85 plus $3.65 for its public address; a NAT instance is $3.07 of compute,
 * $0.64 for its 8 GB gp3 volume and $3.65 for its Elastic IP: about a tenth of a NAT gateway's
 * own hourly charge, a fifth once both pay for their public address. Internet data transfer out is
 * charged the same in every mode.
 */
export type NatMode = "none" | "single" | "perAz" | "instance";
export const NAT_MODES: readonly NatMode[] = ["none", "single", "perAz", "instance"];

/** The NAT instance of `natMode: "instance"`. */
export interface NatInstanceArgs {
  /**
   * A Graviton (arm64) instance type; the AMI is Amazon Linux 2023 for arm64.
   * @default "t4g.nano"
   * @example instanceType: "t4g.micro"
   */
  instanceType?: string;
  /**
   * One NAT instance per availability zone (each zone's private subnet routes to its own), instead
   * of one shared instance in the first zone.
   * @default false
   * @example perAz: true
   */
  perAz?: boolean;
  /**
   * Give the instance an IAM role with `AmazonSSMManagedInstanceCore`, so operators can open a
   * Session Manager shell on it (it has no SSH key and no inbound rule from the internet).
   * @default true
   * @example ssmAccess: false
   */
  ssmAccess?: boolean;
}

/** Where VPC flow logs go. */
export interface FlowLogsArgs {
  /**
   * `cloudwatch`: a log group this component creates (and protects with `protect`);
   * `s3`: a bucket you own (often a central log-archive bucket), given by `bucketArn`.
   * @default "cloudwatch"
   * @example destination: "s3"
   */
  destination?: "cloudwatch" | "s3";
  /**
   * Days CloudWatch Logs keeps flow logs (one of CloudWatch's values; 0 keeps them forever).
   * @default 365
   * @example retentionInDays: 90
   */
  retentionInDays?: number;
  /**
   * KMS key to encrypt the log group with. Its key policy must allow `logs.<region>.amazonaws.com`.
   * @default AWS-owned encryption
   * @example kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * The bucket for `destination: "s3"` (optionally with a folder: `arn:aws:s3:::bucket/vpc/`). Its
   * policy must let `delivery.logs.amazonaws.com` write (AWS adds that policy when it may).
   * @example bucketArn: "arn:aws:s3:::acme-log-archive/vpc-flow-logs/"
   */
  bucketArn?: pulumi.Input<string>;
  /**
   * File format of S3 flow logs; Parquet is smaller and faster to query with Athena.
   * @default "parquet"
   * @example fileFormat: "plain-text"
   */
  fileFormat?: "plain-text" | "parquet";
  /**
   * Which traffic to record.
   * @default "ALL"
   * @example trafficType: "REJECT"
   */
  trafficType?: "ALL" | "ACCEPT" | "REJECT";
  /**
   * Seconds over which a flow is aggregated into one record: 60 or 600.
   * @default 600
   * @example maxAggregationInterval: 60
   */
  maxAggregationInterval?: 60 | 600;
}

/** Escape hatches: change any child's args (and options) before it is created. */
export interface NetworkTransforms {
  /** The awsx VPC component (its subnet specs, NAT strategy, tags). */
  vpc?: Transform<awsx.ec2.VpcArgs, pulumi.ComponentResourceOptions>;
  defaultSecurityGroup?: Transform<aws.ec2.DefaultSecurityGroupArgs>;
  s3Endpoint?: Transform<aws.ec2.VpcEndpointArgs>;
  endpointSecurityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
  /** Called once per interface endpoint; `args.serviceName` tells which. */
  interfaceEndpoint?: Transform<aws.ec2.VpcEndpointArgs>;
  flowLogGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
  flowLogRole?: Transform<aws.iam.RoleArgs>;
  flowLogRolePolicy?: Transform<aws.iam.RolePolicyArgs>;
  flowLog?: Transform<aws.ec2.FlowLogArgs>;
  natSecurityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
  natRole?: Transform<aws.iam.RoleArgs>;
  natRolePolicyAttachment?: Transform<aws.iam.RolePolicyAttachmentArgs>;
  natInstanceProfile?: Transform<aws.iam.InstanceProfileArgs>;
  natLaunchTemplate?: Transform<aws.ec2.LaunchTemplateArgs>;
  /** Called once per NAT instance. */
  natInstance?: Transform<aws.ec2.InstanceArgs>;
  /** Called once per NAT instance's Elastic IP. */
  natEip?: Transform<aws.ec2.EipArgs>;
  /** Called once per private route table's default route to a NAT instance. */
  natRoute?: Transform<aws.ec2.RouteArgs>;
  /** The egress-only internet gateway of `ipv6: true` (private subnets' IPv6 way out). */
  egressOnlyInternetGateway?: Transform<aws.ec2.EgressOnlyInternetGatewayArgs>;
  /**
   * Called once per `::/0` route of `ipv6: true`: public route tables to the internet gateway,
   * private ones to the egress-only internet gateway (`args.gatewayId` or `args.egressOnlyGatewayId`).
   */
  ipv6Route?: Transform<aws.ec2.RouteArgs>;
}

export interface NetworkArgs {
  /**
   * The VPC's IPv4 block, /16 to /24. Changing it replaces the VPC and everything in it.
   * @default "10.0.0.0/16"
   * @example cidrBlock: "10.20.0.0/16"
   */
  cidrBlock?: string;
  /**
   * How many availability zones (2 to 6, the region's first ones), or their exact names in order.
   * Without `ipv6`, adding zones at the end is safe; removing or reordering zones replaces subnets.
   * With `ipv6: true`, changing the zone count makes the update fail (see `ipv6`).
   * @default 3
   * @example availabilityZones: 2
   * @example availabilityZones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
   */
  availabilityZones?: number | string[];
  /**
   * The prefix length of each availability zone's block. Fixed so that adding zones never moves
   * the existing zones' subnets (awsx would otherwise divide the VPC by the number of zones).
   * @default the VPC prefix + 3 (room for 8 zones; /19 in a /16), never smaller than /28
   * @example availabilityZoneCidrMask: 18
   */
  availabilityZoneCidrMask?: number;
  /**
   * The awsx subnet layout strategy. Never `Legacy` (awsx's default, which upgrades have moved).
   * `Auto` lays the tiers out in order; `Exact` passes the same layout with every gap declared as
   * `Unused`, so awsx itself refuses a layout that differs, but needs the zone blocks to fill the
   * VPC (for example 2 zones of /17 or 4 of /18 in a /16). Switching between them keeps every subnet.
   * @default "Auto"
   * @example subnetStrategy: "Exact"
   */
  subnetStrategy?: SubnetStrategy;
  /**
   * The subnet tiers, laid out in each zone's block in the order private, public, isolated.
   * @default { public: {}, private: {}, isolated: false }
   * @example subnets: { private: { cidrMask: 20 }, public: { cidrMask: 22 }, isolated: { name: "db", cidrMask: 22 } }
   */
  subnets?: SubnetsArgs;
  /**
   * How private subnets reach the internet: `none`, `single` (one NAT gateway), `perAz` (one NAT
   * gateway per zone) or `instance` (a t4g.nano NAT instance). See {@link NatMode} for costs.
   * @default "perAz"
   * @example natMode: "instance"
   */
  natMode?: NatMode;
  /**
   * Dual stack. The VPC gets an Amazon-provided IPv6 /56, every public and private subnet a /64 of it
   * (awsx numbers them: zone by zone, public subnets first) with `assignIpv6AddressOnCreation`, public
   * route tables a `::/0` route to the internet gateway and, unless `natMode` is `"none"`, private
   * ones a `::/0` route to an egress-only internet gateway (outbound only, the IPv6 counterpart of
   * NAT). Isolated subnets get no IPv6 block and no route. DNS64 stays off: the subnets keep IPv4,
   * so IPv4-only destinations are reached over IPv4 (NAT) as before, and DNS64 would need NAT64
   * (a NAT gateway and a `64:ff9b::/96` route) that `natMode` `"instance"` and `"none"` lack.
   *
   * Turning it on later updates the VPC and the public and private subnets in place (it associates
   * the blocks; AWS cannot choose the /56). Turning it off again, or changing the number of
   * availability zones while it is on, makes the update **fail**: the provider replaces a subnet
   * whose IPv6 block changes after it was created with `assignIpv6AddressOnCreation`, Pulumi
   * creates the replacement before deleting the old subnet, and EC2 refuses a second subnet with
   * the same IPv4 block (`InvalidSubnet.Conflict`); awsx also numbers the private /64s after all
   * the zones' public ones, so a new zone's public subnet collides with an existing /64. Treat it
   * as permanent: to undo it, create a new Network and move the services, or accept an outage
   * (remove what runs in the subnets and give them `deleteBeforeReplace` through a `transforms`
   * resource option). See docs/components/networking.md, "Fails (with `ipv6: true`)".
   * @default false
   * @example ipv6: true
   */
  ipv6?: boolean;
  /**
   * Settings of the NAT instance; only with `natMode: "instance"`.
   * @default { instanceType: "t4g.nano", perAz: false, ssmAccess: true }
   * @example natInstance: { perAz: true }
   */
  natInstance?: NatInstanceArgs;
  /**
   * Confirms that the private tier talks only to VPC endpoints, which `natMode: "none"` requires
   * (otherwise private subnets without NAT are an error: tasks there could not pull images).
   * @default false
   * @example endpointsOnly: true
   */
  endpointsOnly?: boolean;
  /**
   * Interface endpoints to create in the private subnets, with private DNS and one security group
   * that allows HTTPS from the VPC only. Each costs $0.01/h per zone ($7.30 a month per zone) plus
   * $0.01/GB. The S3 gateway endpoint (free) is always created.
   * @default []
   * @example interfaceEndpoints: ["ecr.api", "ecr.dkr", "logs", "secretsmanager"]
   */
  interfaceEndpoints?: InterfaceEndpointName[];
  /**
   * VPC flow logs, or `false` for none.
   * @default { destination: "cloudwatch", retentionInDays: 365, trafficType: "ALL", maxAggregationInterval: 600 }
   * @example flowLogs: false
   * @example flowLogs: { destination: "s3", bucketArn: "arn:aws:s3:::acme-log-archive" }
   */
  flowLogs?: FlowLogsArgs | false;
  /**
   * The region the provider deploys to, used to name endpoint services (`com.amazonaws.<region>.s3`)
   * and to check `availabilityZones` names. It does not move the network. Without it, the component
   * asks the provider (`aws.getRegion`) and checks zone names against the explicit provider's region,
   * else the `aws:region` stack configuration.
   * @default the provider's region
   * @example region: "eu-west-1"
   */
  region?: string;
  /**
   * Protect the flow-log log group (audit data) from deletion. Prod stacks set it.
   * @default false
   * @example protect: true
   */
  protect?: boolean;
  /**
   * Tags for every taggable child (stacks add provider `defaultTags`).
   * @default {}
   * @example tags: { Tier: "network" }
   */
  tags?: Record<string, string>;
  /**
   * Escape hatch: change any child's args before it is created.
   * @default {}
   * @example transform: { vpc: (args) => { args.enableNetworkAddressUsageMetrics = true; } }
   */
  transform?: NetworkTransforms;
}

/**
 * What a network provides, as outputs. `Network` and `Network.adopt` both return this shape;
 * `ref` is the small plain interface other components take.
 */
export interface NetworkOutputs {
  vpcId: pulumi.Output<string>;
  cidrBlock: pulumi.Output<string>;
  availabilityZones: pulumi.Output<string[]>;
  publicSubnetIds: pulumi.Output<string[]>;
  privateSubnetIds: pulumi.Output<string[]>;
  isolatedSubnetIds: pulumi.Output<string[]>;
  /** The addresses private subnets' traffic leaves from (NAT gateways' or NAT instances' Elastic IPs). */
  natPublicIps: pulumi.Output<string[]>;
  /** The security group of the interface endpoints; undefined when there are none. */
  endpointSecurityGroupId: pulumi.Output<string | undefined>;
  /** The private subnets' route tables, in zone order (for peering or transit gateway routes). */
  privateRouteTableIds: pulumi.Output<string[]>;
  /** The VPC's IPv6 /56 with `ipv6: true`; undefined without IPv6. */
  ipv6CidrBlock: pulumi.Output<string | undefined>;
  /**
   * `{ vpcId, vpcCidrBlock, publicSubnetIds, privateSubnetIds, isolatedSubnetIds }` for other
   * components, plus `ipv6: true` and `vpcIpv6CidrBlock` with IPv6.
   */
  ref: NetworkRef;
}

/** An existing network's ids, for {@link Network.adopt}. */
export interface AdoptNetworkArgs {
  /** @example vpcId: "vpc-0a1b2c3d4e5f67890" */
  vpcId: pulumi.Input<string>;
  /** @example cidrBlock: "10.0.0.0/16" */
  cidrBlock: pulumi.Input<string>;
  /** @example privateSubnetIds: ["subnet-0a1b2c3d4e5f67890", "subnet-0b1c2d3e4f5a67890"] */
  privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** @default [] */
  publicSubnetIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** @default [] */
  isolatedSubnetIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** @default [] @example availabilityZones: ["us-east-1a", "us-east-1b"] */
  availabilityZones?: pulumi.Input<pulumi.Input<string>[]>;
  /** @default [] */
  natPublicIps?: pulumi.Input<pulumi.Input<string>[]>;
  /** @default undefined */
  endpointSecurityGroupId?: pulumi.Input<string>;
  /** @default [] */
  privateRouteTableIds?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * The VPC's IPv6 block, when its public and private subnets are dual stack: the ref then says
   * `ipv6: true`, so dual-stack load balancers accept it.
   * @default undefined (IPv4 only)
   * @example ipv6CidrBlock: "2600:1f18:abcd:ef00::/56"
   */
  ipv6CidrBlock?: pulumi.Input<string>;
}

// 0 keeps flow logs forever; otherwise a period CloudWatch Logs accepts.
const RETENTION_DAYS = [0, ...LOG_RETENTION_DAYS];
const AZ_NAME = /^[a-z]{2}(-[a-z]+)+-\d+[a-z]$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const VPC_ID = /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/;
const SUBNET_ID = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
const SG_ID = /^sg-([0-9a-f]{8}|[0-9a-f]{17})$/;
/** Prefix lengths a VPC's IPv6 block can have (IPAM netmasks 44 to 60 in steps of 4; Amazon-provided: 56). */
const VPC_IPV6_MASKS = [44, 48, 52, 56, 60];

/** Flow-log settings that only one destination takes, and what to say when the other gets them. */
const DESTINATION_ONLY: {
  field: keyof FlowLogsArgs;
  destination: NonNullable<FlowLogsArgs["destination"]>;
  allowed: string;
}[] = [
  { field: "bucketArn", destination: "s3", allowed: 'only applies with destination "s3"' },
  { field: "fileFormat", destination: "s3", allowed: 'only applies with destination "s3"' },
  {
    field: "retentionInDays",
    destination: "cloudwatch",
    allowed: "applies to CloudWatch Logs only; use the bucket's lifecycle rules",
  },
  {
    field: "kmsKeyArn",
    destination: "cloudwatch",
    allowed: "applies to CloudWatch Logs only; use the bucket's default encryption",
  },
];

/** Private address space a VPC normally uses: RFC 1918 and RFC 6598 (shared address space). */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"];

interface Resolved {
  layout: NetworkLayout;
  ipv6: boolean;
  /** Set when the zone names must be checked against the provider's region (known at run time only). */
  zoneRegionCheck?: { zones: string[]; provider?: pulumi.ProviderResource };
  /** Problems worth a warning but not a failure. */
  warnings: string[];
  azCount: number;
  azNames?: string[];
  natMode: NatMode;
  natInstance: Required<NatInstanceArgs>;
  endpoints: InterfaceEndpointName[];
  flowLogs?: Required<
    Pick<
      FlowLogsArgs,
      "destination" | "trafficType" | "maxAggregationInterval" | "retentionInDays" | "fileFormat"
    >
  > &
    FlowLogsArgs;
}

/**
 * The aws provider a Network's children will use when it is given explicitly: `provider` or
 * `providers` in the options, else the parent's. Undefined means the default provider.
 */
function explicitAwsProvider(
  opts: pulumi.ComponentResourceOptions | undefined,
): pulumi.ProviderResource | undefined {
  if (!opts) return undefined;
  const isAws = (p: unknown): p is pulumi.ProviderResource => aws.Provider.isInstance(p);
  if (isAws(opts.provider)) return opts.provider;
  const providers = opts.providers;
  if (Array.isArray(providers)) {
    const found = providers.find(isAws);
    if (found) return found;
  } else if (providers && isAws((providers as Record<string, unknown>).aws)) {
    return (providers as Record<string, pulumi.ProviderResource>).aws;
  }
  const inherited = opts.parent?.getProvider("aws::");
  return isAws(inherited) ? inherited : undefined;
}

/** Every zone name must be `<region><letter>`. */
function checkZonesInRegion(v: Validator, zones: string[], region: string, source: string): void {
  zones.forEach((z, i) => {
    v.check(
      z.startsWith(region) && /^[a-z]$/.test(z.slice(region.length)),
      `availabilityZones[${i}]`,
      z,
      `must be a zone of region ${region} (${source}), such as "${region}a"`,
    );
  });
}

function validateNetwork(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions): Resolved {
  const v = checkComponent(NETWORK_TYPE, name, args);
  args ??= {};
  const warnings: string[] = [];

  if (args.region !== undefined)
    v.matches("region", args.region, REGION, 'must be a region name such as "us-east-1"');
  checkTags(v, "tags", args.tags);
  v.check(
    args.ipv6 === undefined || typeof args.ipv6 === "boolean",
    "ipv6",
    args.ipv6,
    "must be true or false",
  );
  const ipv6 = args.ipv6 === true;

  const zones = args.availabilityZones ?? 3;
  let azCount: number;
  let azNames: string[] | undefined;
  let zoneRegionCheck: Resolved["zoneRegionCheck"];
  if (Array.isArray(zones)) {
    v.check(
      zones.length >= 2 && zones.length <= 6,
      "availabilityZones",
      zones,
      "give 2 to 6 availability zone names",
    );
    zones.forEach((z, i) => {
      v.matches(
        `availabilityZones[${i}]`,
        z,
        AZ_NAME,
        'must be an availability zone name such as "us-east-1a"',
      );
    });
    v.unique("availabilityZones", zones);
    // Zones of another region fail only at deploy time (awsx creates the subnets there): check them
    // against the region the provider deploys to, as far as it is known before anything registers.
    const provider = explicitAwsProvider(opts);
    const configRegion = new pulumi.Config("aws").get("region");
    if (args.region !== undefined) {
      checkZonesInRegion(v, zones, args.region, "the region argument");
    } else if (provider) {
      zoneRegionCheck = { zones: [...zones], provider };
    } else if (configRegion) {
      checkZonesInRegion(v, zones, configRegion, "the aws:region stack configuration");
    } else {
      zoneRegionCheck = { zones: [...zones] };
    }
    const region = zones[0]!.replace(/[a-z]$/, "");
    zones.forEach((z, i) => {
      v.check(
        z.replace(/[a-z]$/, "") === region,
        `availabilityZones[${i}]`,
        z,
        `all zones must be in one region (${region})`,
      );
    });
    azCount = zones.length;
    azNames = [...zones];
  } else {
    v.integer("availabilityZones", zones, { min: 2, max: 6 });
    azCount = zones;
  }

  const layout = planLayout(v, {
    cidrBlock: args.cidrBlock,
    azCount,
    availabilityZoneCidrMask: args.availabilityZoneCidrMask,
    subnetStrategy: args.subnetStrategy,
    subnets: args.subnets,
    ipv6,
  });
  const vpcBlock = parseCidr(layout.cidrBlock)!;
  if (!PRIVATE_RANGES.some((r) => cidrContains(parseCidr(r)!, vpcBlock))) {
    warnings.push(
      `${NETWORK_TYPE} '${name}': cidrBlock ${layout.cidrBlock} is public address space (not RFC 1918 ` +
        `10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 nor RFC 6598 100.64.0.0/10). AWS accepts it, but the ` +
        `VPC then cannot reach the internet hosts that own those addresses, and it may overlap networks ` +
        `you peer with. Use private space unless you own this block.`,
    );
  }

  const natMode = args.natMode ?? "perAz";
  v.oneOf("natMode", natMode, NAT_MODES);
  if (natMode === "none") {
    v.check(
      args.endpointsOnly === true,
      "natMode",
      natMode,
      'private subnets without NAT cannot reach the internet (no image pulls, no AWS APIs without endpoints); choose "instance", "single" or "perAz", or set endpointsOnly: true if the private tier only talks to VPC endpoints',
    );
  } else if (args.endpointsOnly !== undefined) {
    v.check(
      args.endpointsOnly === false,
      "endpointsOnly",
      args.endpointsOnly,
      'only applies with natMode "none"',
    );
  }
  if (args.natInstance !== undefined) {
    v.check(natMode === "instance", "natInstance", args.natInstance, 'only applies with natMode "instance"');
  }
  const natInstance: Required<NatInstanceArgs> = {
    instanceType: args.natInstance?.instanceType ?? NAT_INSTANCE_TYPE,
    perAz: args.natInstance?.perAz ?? false,
    ssmAccess: args.natInstance?.ssmAccess ?? true,
  };
  v.matches(
    "natInstance.instanceType",
    natInstance.instanceType,
    ARM_INSTANCE_TYPE,
    'must be a Graviton (arm64) instance type such as "t4g.nano" or "t4g.micro" (the AMI is arm64)',
  );

  const endpoints = args.interfaceEndpoints ?? [];
  v.check(Array.isArray(endpoints), "interfaceEndpoints", endpoints, "must be a list of endpoint names");
  endpoints.forEach((e, i) => {
    if (e === ("s3" as string)) {
      v.fail(
        `interfaceEndpoints[${i}]`,
        e,
        'the S3 gateway endpoint is always created (and free); leave "s3" out',
      );
    }
    v.oneOf(`interfaceEndpoints[${i}]`, e, INTERFACE_ENDPOINT_NAMES);
  });
  v.unique("interfaceEndpoints", endpoints);

  let flowLogs: Resolved["flowLogs"];
  if (args.flowLogs !== false) {
    const f = args.flowLogs ?? {};
    v.check(typeof f === "object" && f !== null, "flowLogs", f, "must be flow log settings or false");
    const destination = f.destination ?? "cloudwatch";
    v.oneOf("flowLogs.destination", destination, ["cloudwatch", "s3"] as const);
    v.oneOf("flowLogs.trafficType", f.trafficType, ["ALL", "ACCEPT", "REJECT"] as const);
    v.oneOf("flowLogs.maxAggregationInterval", f.maxAggregationInterval, [60, 600] as const);
    if (destination === "cloudwatch") {
      v.oneOf("flowLogs.retentionInDays", f.retentionInDays, RETENTION_DAYS);
      v.arn("flowLogs.kmsKeyArn", f.kmsKeyArn, "kms", /^key\//);
    } else {
      v.required("flowLogs.bucketArn", f.bucketArn, 'is required with destination "s3" (the bucket\'s ARN)');
      v.arn("flowLogs.bucketArn", f.bucketArn, "s3");
      v.oneOf("flowLogs.fileFormat", f.fileFormat, ["plain-text", "parquet"] as const);
    }
    for (const { field, destination: only, allowed } of DESTINATION_ONLY) {
      if (only === destination) continue;
      const value = f[field];
      v.check(value === undefined, `flowLogs.${field}`, known(value) ?? "(an Output)", allowed);
    }
    flowLogs = {
      ...f,
      destination,
      trafficType: f.trafficType ?? "ALL",
      maxAggregationInterval: f.maxAggregationInterval ?? 600,
      retentionInDays: f.retentionInDays ?? 365,
      fileFormat: f.fileFormat ?? "parquet",
    };
  }

  return {
    layout,
    ipv6,
    ...(zoneRegionCheck ? { zoneRegionCheck } : {}),
    warnings,
    azCount,
    ...(azNames ? { azNames } : {}),
    natMode,
    natInstance,
    endpoints,
    flowLogs,
  };
}

/**
 * Zone names given without a `region` argument are checked against the provider's region. With an
 * explicit provider (or no `aws:region` configuration) that region is only known once the provider
 * answers, so the Network's own registration waits for the check: an explicit dependency that
 * resolves to nothing, or fails with the validation error. Children wait for their parent, so on a
 * mismatch nothing of the Network registers.
 */
function withZoneRegionCheck(
  name: string,
  cfg: Resolved,
  opts: pulumi.ComponentResourceOptions | undefined,
): pulumi.ComponentResourceOptions | undefined {
  const check = cfg.zoneRegionCheck;
  if (!check) return opts;
  const source = check.provider
    ? "the region of the Network's aws provider"
    : "the default aws provider's region";
  const gate = aws
    .getRegionOutput({}, check.provider ? { provider: check.provider } : {})
    .region.apply((region) => {
      checkZonesInRegion(new Validator(NETWORK_TYPE, name), check.zones, region, source);
      return [] as pulumi.Resource[];
    });
  const dependsOn = opts?.dependsOn === undefined ? [gate] : [gate, opts.dependsOn];
  return { ...opts, dependsOn: dependsOn as pulumi.Input<pulumi.Resource>[] };
}

/** The {@link NetworkRef} other components take, from a network's outputs (built or adopted). */
function networkRef(
  out: Pick<
    NetworkOutputs,
    | "vpcId"
    | "cidrBlock"
    | "availabilityZones"
    | "publicSubnetIds"
    | "privateSubnetIds"
    | "isolatedSubnetIds"
    | "ipv6CidrBlock"
  >,
  ipv6: boolean,
): NetworkRef {
  return {
    vpcId: out.vpcId,
    vpcCidrBlock: out.cidrBlock,
    publicSubnetIds: out.publicSubnetIds,
    privateSubnetIds: out.privateSubnetIds,
    isolatedSubnetIds: out.isolatedSubnetIds,
    availabilityZones: out.availabilityZones,
    ...(ipv6 ? { ipv6: true, vpcIpv6CidrBlock: out.ipv6CidrBlock as pulumi.Output<string> } : {}),
  };
}

/** Reads one property of an awsx child: a plain object offline, a Resource with Output properties in a deploy. */
function prop<T extends string>(obj: unknown, key: string): pulumi.Output<T> {
  return pulumi.output((obj as Record<string, pulumi.Input<T>>)[key]) as pulumi.Output<T>;
}

function props<T extends string>(list: pulumi.Output<unknown[]>, key: string): pulumi.Output<T[]> {
  return list.apply((items) => pulumi.all(items.map((item) => prop<T>(item, key)))) as pulumi.Output<T[]>;
}

/**
 * A production-shaped VPC on awsx's `ec2.Vpc`: public, private and optional isolated subnets in 2–6
 * availability zones with a layout that never renumbers, NAT gateways or a NAT instance, the S3
 * gateway endpoint plus chosen interface endpoints, flow logs, and a default security group with
 * no rules.
 *
 * @example
 * const network = new Network("main", {
 *   cidrBlock: "10.20.0.0/16",
 *   availabilityZones: 2,
 *   natMode: "instance",
 *   interfaceEndpoints: ["ecr.api", "ecr.dkr", "logs"],
 *   flowLogs: { retentionInDays: 90 },
 * });
 * new Service("api", { network: network.ref, ... });
 */
export class Network extends pulumi.ComponentResource implements NetworkOutputs {
  readonly vpcId: pulumi.Output<string>;
  readonly cidrBlock: pulumi.Output<string>;
  readonly availabilityZones: pulumi.Output<string[]>;
  readonly publicSubnetIds: pulumi.Output<string[]>;
  readonly privateSubnetIds: pulumi.Output<string[]>;
  readonly isolatedSubnetIds: pulumi.Output<string[]>;
  readonly natPublicIps: pulumi.Output<string[]>;
  readonly endpointSecurityGroupId: pulumi.Output<string | undefined>;
  readonly privateRouteTableIds: pulumi.Output<string[]>;
  /** The public subnets' route tables, in zone order. */
  readonly publicRouteTableIds: pulumi.Output<string[]>;
  readonly ipv6CidrBlock: pulumi.Output<string | undefined>;
  /** The egress-only internet gateway of `ipv6: true` (undefined without IPv6 or with `natMode: "none"`). */
  readonly egressOnlyInternetGatewayId: pulumi.Output<string | undefined>;
  /** Whether the network is dual stack (`ipv6: true`). */
  readonly ipv6: boolean;
  /** The flow-log log group's name (CloudWatch destination only). */
  readonly flowLogGroupName: pulumi.Output<string | undefined>;
  readonly ref: NetworkRef;
  /** The NAT mode in effect. */
  readonly natMode: NatMode;
  /** The resolved subnet layout: what Berth passed to awsx and each planned subnet's block. */
  readonly layout: NetworkLayout;
  /** The awsx VPC component. */
  readonly vpc: awsx.ec2.Vpc;

  /**
   * Checks the arguments and returns the subnet layout a `Network` with them would create,
   * without creating anything: review CIDR blocks before a deploy or an awsx upgrade.
   *
   * @example
   * Network.plan("main", { availabilityZones: 2 }).subnets
   * // [{ tier: "private", azIndex: 0, cidrBlock: "10.0.0.0/20" }, { tier: "public", azIndex: 0, cidrBlock: "10.0.16.0/22" }, …]
   */
  static plan(name: string, args: NetworkArgs = {}): NetworkLayout {
    return validateNetwork(name, args).layout;
  }

  /**
   * The outputs of a network managed elsewhere (another stack, another tool), from its ids:
   * creates nothing and makes no calls. Components take `.ref` exactly as from a `Network`.
   *
   * @example
   * const network = Network.adopt("shared", {
   *   vpcId: "vpc-0a1b2c3d4e5f67890", cidrBlock: "10.0.0.0/16",
   *   publicSubnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2"],
   *   privateSubnetIds: ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"],
   * });
   */
  static adopt(name: string, args: AdoptNetworkArgs): NetworkOutputs {
    const v = checkComponent(NETWORK_TYPE, name, args);
    v.check(
      args !== undefined,
      "args",
      args,
      "give the network's ids ({ vpcId, cidrBlock, privateSubnetIds })",
    );
    v.required("vpcId", args.vpcId);
    v.matches("vpcId", args.vpcId, VPC_ID, 'must be a VPC id such as "vpc-0a1b2c3d4e5f67890"');
    v.required("cidrBlock", args.cidrBlock);
    const cidr = known(args.cidrBlock);
    if (cidr !== undefined) {
      const parsed = parseCidr(cidr);
      v.check(
        parsed !== undefined && parsed.mask >= 16 && parsed.mask <= 28,
        "cidrBlock",
        cidr,
        'must be the VPC\'s IPv4 block, /16 to /28, such as "10.0.0.0/16"',
      );
    }
    const checkIds = (
      field: string,
      value: AdoptNetworkArgs["privateSubnetIds"] | undefined,
      nonEmpty: boolean,
    ) => {
      const list = known(value);
      if (list === undefined) return;
      v.check(Array.isArray(list), field, list, "must be a list of subnet ids");
      if (nonEmpty) v.check(list.length > 0, field, list, "give at least one subnet id");
      list.forEach((id, i) => {
        v.matches(`${field}[${i}]`, id, SUBNET_ID, 'must be a subnet id such as "subnet-0a1b2c3d4e5f67890"');
      });
      v.unique(
        field,
        list.filter((id) => typeof id === "string"),
      );
    };
    checkIds("privateSubnetIds", args.privateSubnetIds, true);
    checkIds("publicSubnetIds", args.publicSubnetIds, false);
    checkIds("isolatedSubnetIds", args.isolatedSubnetIds, false);
    v.matches(
      "endpointSecurityGroupId",
      args.endpointSecurityGroupId,
      SG_ID,
      'must be a security group id such as "sg-0a1b2c3d4e5f67890"',
    );
    const ipv6Cidr = known(args.ipv6CidrBlock);
    if (ipv6Cidr !== undefined) {
      v.check(
        typeof ipv6Cidr === "string" &&
          isIpv6Cidr(ipv6Cidr) &&
          VPC_IPV6_MASKS.includes(Number(ipv6Cidr.split("/")[1])),
        "ipv6CidrBlock",
        ipv6Cidr,
        'must be the VPC\'s IPv6 block, /44 to /60 in steps of 4 (Amazon-provided blocks are /56), such as "2600:1f18:abcd:ef00::/56"',
      );
    }

    const list = (value: pulumi.Input<pulumi.Input<string>[]> | undefined) =>
      pulumi.output(value ?? []) as pulumi.Output<string[]>;
    const out: Omit<NetworkOutputs, "ref"> = {
      vpcId: pulumi.output(args.vpcId),
      cidrBlock: pulumi.output(args.cidrBlock),
      availabilityZones: list(args.availabilityZones),
      publicSubnetIds: list(args.publicSubnetIds),
      privateSubnetIds: list(args.privateSubnetIds),
      isolatedSubnetIds: list(args.isolatedSubnetIds),
      natPublicIps: list(args.natPublicIps),
      endpointSecurityGroupId: pulumi.output(args.endpointSecurityGroupId) as pulumi.Output<
        string | undefined
      >,
      privateRouteTableIds: list(args.privateRouteTableIds),
      ipv6CidrBlock: pulumi.output(args.ipv6CidrBlock) as pulumi.Output<string | undefined>,
    };
    return { ...out, ref: networkRef(out, args.ipv6CidrBlock !== undefined) };
  }

  constructor(name: string, args: NetworkArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const cfg = validateNetwork(name, args, opts);
    super(NETWORK_TYPE, name, {}, withZoneRegionCheck(name, cfg, opts));
    for (const warning of cfg.warnings) pulumi.log.warn(warning, this);
    const { layout, natMode } = cfg;
    this.layout = layout;
    this.natMode = natMode;
    this.ipv6 = cfg.ipv6;
    const tags = mergeTags(args.tags);
    const t = args.transform ?? {};
    const named = (suffix: string) => mergeTags(tags, { Name: `${name}-${suffix}` });

    // 1. The VPC, subnets, route tables and NAT gateways: awsx, with every layout input explicit.
    const vpcArgs: awsx.ec2.VpcArgs = {
      cidrBlock: layout.cidrBlock,
      ...(cfg.azNames ? { availabilityZoneNames: cfg.azNames } : { numberOfAvailabilityZones: cfg.azCount }),
      ...(layout.explicit ? {} : { availabilityZoneCidrMask: layout.availabilityZoneCidrMask }),
      subnetStrategy: layout.strategy,
      subnetSpecs: layout.subnetSpecs,
      subnetNameTagStrategy: "Legacy",
      natGateways: { strategy: natMode === "single" ? "Single" : natMode === "perAz" ? "OnePerAz" : "None" },
      enableDnsHostnames: true,
      enableDnsSupport: true,
      ...(cfg.ipv6 ? { assignGeneratedIpv6CidrBlock: true } : {}),
      tags,
    };
    // awsx's Vpc is a remote component: it does not inherit this component's aws provider the way
    // a custom resource does, so hand it over explicitly (its subnets, gateways and routes would
    // otherwise go through the default provider: other credentials, no default tags).
    const awsProvider = this.getProvider("aws::");
    const [vArgs, vOpts] = transformed(t.vpc, vpcArgs, {
      parent: this,
      ...(awsProvider ? { providers: [awsProvider] } : {}),
    } as pulumi.ComponentResourceOptions);
    const vpc = new awsx.ec2.Vpc(`${name}-vpc`, vArgs, vOpts);
    this.vpc = vpc;
    const vpcId = vpc.vpcId;
    const cidr = layout.cidrBlock;

    const routeTableIds = props<string>(vpc.routeTables, "id");
    const associations = vpc.routeTableAssociations.apply((list) =>
      pulumi.all(list.map((a) => pulumi.all([prop<string>(a, "subnetId"), prop<string>(a, "routeTableId")]))),
    );
    const routeTablesOf = (subnetIds: pulumi.Output<string[]>) =>
      pulumi.all([subnetIds, associations]).apply(([ids, pairs]) => {
        const bySubnet = new Map(pairs);
        return ids.map((id) => bySubnet.get(id) ?? "");
      });
    this.privateRouteTableIds = routeTablesOf(vpc.privateSubnetIds);
    this.publicRouteTableIds = routeTablesOf(vpc.publicSubnetIds);
    const ipv6CidrBlock: pulumi.Output<string | undefined> = cfg.ipv6
      ? vpc.vpc.apply((v) => prop<string>(v, "ipv6CidrBlock"))
      : pulumi.output(undefined);

    // 2. The VPC's default security group, with no rules at all (Security Hub EC2.2).
    const [dsgArgs, dsgOpts] = transformed(
      t.defaultSecurityGroup,
      { vpcId, ingress: [], egress: [], tags: named("default-no-rules") } as aws.ec2.DefaultSecurityGroupArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, dsgArgs, dsgOpts);

    // 3. Endpoints: S3 gateway (free, on every route table) and the chosen interface endpoints.
    const region: pulumi.Output<string> = args.region
      ? pulumi.output(args.region)
      : aws.getRegionOutput({}, { parent: this }).region;
    const [s3Args, s3Opts] = transformed(
      t.s3Endpoint,
      {
        vpcId,
        serviceName: region.apply((r) => endpointServiceName(r, "s3")),
        vpcEndpointType: "Gateway",
        routeTableIds,
        tags: named("s3"),
      } as aws.ec2.VpcEndpointArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    new aws.ec2.VpcEndpoint(`${name}-s3`, s3Args, s3Opts);

    let endpointSgId: pulumi.Output<string | undefined> = pulumi.output(undefined);
    if (cfg.endpoints.length > 0) {
      const [sgArgs, sgOpts] = transformed(
        t.endpointSecurityGroup,
        {
          vpcId,
          description: "HTTPS from the VPC to its interface endpoints",
          ingress: [
            {
              protocol: "tcp",
              fromPort: 443,
              toPort: 443,
              cidrBlocks: [cidr],
              // Dual stack: clients may connect over IPv6 once an endpoint is dualstack (transform).
              ...(cfg.ipv6 ? { ipv6CidrBlocks: [ipv6CidrBlock as pulumi.Output<string>] } : {}),
              description: "HTTPS from the VPC",
            },
          ],
          egress: [],
          tags: named("endpoints"),
        } as aws.ec2.SecurityGroupArgs,
        { parent: this } as pulumi.CustomResourceOptions,
      );
      const sg = new aws.ec2.SecurityGroup(`${name}-endpoints`, sgArgs, sgOpts);
      endpointSgId = sg.id;
      for (const endpoint of cfg.endpoints) {
        const [eArgs, eOpts] = transformed(
          t.interfaceEndpoint,
          {
            vpcId,
            serviceName: region.apply((r) => endpointServiceName(r, endpoint)),
            vpcEndpointType: "Interface",
            privateDnsEnabled: true,
            subnetIds: vpc.privateSubnetIds,
            securityGroupIds: [sg.id],
            tags: named(endpoint),
          } as aws.ec2.VpcEndpointArgs,
          { parent: this } as pulumi.CustomResourceOptions,
        );
        new aws.ec2.VpcEndpoint(`${name}-${endpoint.replace(/\./g, "-")}`, eArgs, eOpts);
      }
    }
    this.endpointSecurityGroupId = endpointSgId;

    // 4. Flow logs.
    let flowLogGroupName: pulumi.Output<string | undefined> = pulumi.output(undefined);
    if (cfg.flowLogs) {
      const f = cfg.flowLogs;
      const common = {
        vpcId,
        trafficType: f.trafficType,
        maxAggregationInterval: f.maxAggregationInterval,
        tags: named("flow-logs"),
      };
      let flowArgs: aws.ec2.FlowLogArgs;
      if (f.destination === "cloudwatch") {
        const [lgArgs, lgOpts] = transformed(
          t.flowLogGroup,
          {
            retentionInDays: f.retentionInDays,
            ...(f.kmsKeyArn !== undefined ? { kmsKeyId: f.kmsKeyArn } : {}),
            tags: named("flow-logs"),
          } as aws.cloudwatch.LogGroupArgs,
          { parent: this, protect: args.protect ?? false } as pulumi.CustomResourceOptions,
        );
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-flow-logs`, lgArgs, lgOpts);
        flowLogGroupName = logGroup.name;
        const [roleArgs, roleOpts] = transformed(
          t.flowLogRole,
          {
            description: `Lets VPC Flow Logs write ${name}'s flow logs to CloudWatch Logs`,
            assumeRolePolicy: logGroup.arn.apply((arn) =>
              JSON.stringify(assumeRolePolicy("vpc-flow-logs.amazonaws.com", arnParts(arn).account)),
            ),
            tags,
          } as aws.iam.RoleArgs,
          { parent: this } as pulumi.CustomResourceOptions,
        );
        const role = new aws.iam.Role(`${name}-flow-logs`, roleArgs, roleOpts);
        const [rpArgs, rpOpts] = transformed(
          t.flowLogRolePolicy,
          {
            role: role.id,
            policy: logGroup.arn.apply((arn) =>
              JSON.stringify(
                policyDocument([
                  {
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                    Resource: [arn, `${arn}:*`],
                  },
                  {
                    Effect: "Allow",
                    Action: "logs:DescribeLogGroups",
                    Resource: arn.replace(/log-group:.*$/, "log-group:*"),
                  },
                ]),
              ),
            ),
          } as aws.iam.RolePolicyArgs,
          { parent: this } as pulumi.CustomResourceOptions,
        );
        new aws.iam.RolePolicy(`${name}-flow-logs`, rpArgs, rpOpts);
        flowArgs = {
          ...common,
          logDestinationType: "cloud-watch-logs",
          logDestination: logGroup.arn,
          iamRoleArn: role.arn,
        };
      } else {
        flowArgs = {
          ...common,
          logDestinationType: "s3",
          logDestination: f.bucketArn,
          destinationOptions: { fileFormat: f.fileFormat, perHourPartition: true },
        };
      }
      const [flArgs, flOpts] = transformed(t.flowLog, flowArgs, {
        parent: this,
      } as pulumi.CustomResourceOptions);
      new aws.ec2.FlowLog(`${name}-flow-logs`, flArgs, flOpts);
    }
    this.flowLogGroupName = flowLogGroupName;

    // 5. IPv6 routes: public subnets to the internet gateway, private ones out through an egress-only
    //    internet gateway (none with natMode "none": that tier talks to VPC endpoints only).
    this.egressOnlyInternetGatewayId = cfg.ipv6
      ? this.ipv6Routes(name, cfg, vpc, named, t)
      : pulumi.output(undefined);

    // 6. NAT: gateways come from awsx; NAT instances are created here.
    if (natMode === "single" || natMode === "perAz") {
      this.natPublicIps = props<string>(vpc.eips, "publicIp");
    } else if (natMode === "instance") {
      this.natPublicIps = this.natInstances(name, cfg, vpc, cidr, tags, named, t);
    } else {
      this.natPublicIps = pulumi.output([]);
    }

    this.vpcId = vpcId;
    this.cidrBlock = pulumi.output(cidr);
    this.availabilityZones = cfg.azNames
      ? pulumi.output(cfg.azNames)
      : props<string>(vpc.privateSubnets, "availabilityZone");
    this.publicSubnetIds = vpc.publicSubnetIds;
    this.privateSubnetIds = vpc.privateSubnetIds;
    this.isolatedSubnetIds = vpc.isolatedSubnetIds;
    this.ipv6CidrBlock = ipv6CidrBlock;
    this.ref = networkRef(this, cfg.ipv6);
    this.registerOutputs({
      vpcId: this.vpcId,
      cidrBlock: this.cidrBlock,
      availabilityZones: this.availabilityZones,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetIds: this.privateSubnetIds,
      isolatedSubnetIds: this.isolatedSubnetIds,
      natPublicIps: this.natPublicIps,
      endpointSecurityGroupId: this.endpointSecurityGroupId,
      privateRouteTableIds: this.privateRouteTableIds,
      publicRouteTableIds: this.publicRouteTableIds,
      ipv6CidrBlock: this.ipv6CidrBlock,
      egressOnlyInternetGatewayId: this.egressOnlyInternetGatewayId,
      flowLogGroupName: this.flowLogGroupName,
    });
  }

  /** `::/0` routes of a dual-stack network; returns the egress-only internet gateway's id. */
  private ipv6Routes(
    name: string,
    cfg: Resolved,
    vpc: awsx.ec2.Vpc,
    named: (suffix: string) => Record<string, string>,
    t: NetworkTransforms,
  ): pulumi.Output<string | undefined> {
    const parent = { parent: this } as pulumi.CustomResourceOptions;
    const igwId = vpc.internetGateway.apply((igw) => prop<string>(igw, "id"));
    const route = (role: string, i: number, args: aws.ec2.RouteArgs) => {
      const [rArgs, rOpts] = transformed(t.ipv6Route, args, { ...parent });
      new aws.ec2.Route(`${name}-${role}-ipv6-${i + 1}`, rArgs, rOpts);
    };
    for (let i = 0; i < cfg.azCount; i++) {
      route("public", i, {
        routeTableId: this.publicRouteTableIds.apply((ids) => ids[i]!),
        destinationIpv6CidrBlock: "::/0",
        gatewayId: igwId,
      });
    }
    if (cfg.natMode === "none") return pulumi.output(undefined);
    const [eArgs, eOpts] = transformed(
      t.egressOnlyInternetGateway,
      { vpcId: vpc.vpcId, tags: named("eigw") } as aws.ec2.EgressOnlyInternetGatewayArgs,
      { ...parent },
    );
    const eigw = new aws.ec2.EgressOnlyInternetGateway(`${name}-eigw`, eArgs, eOpts);
    for (let i = 0; i < cfg.azCount; i++) {
      route("private", i, {
        routeTableId: this.privateRouteTableIds.apply((ids) => ids[i]!),
        destinationIpv6CidrBlock: "::/0",
        egressOnlyGatewayId: eigw.id,
      });
    }
    return eigw.id;
  }

  private natInstances(
    name: string,
    cfg: Resolved,
    vpc: awsx.ec2.Vpc,
    cidr: string,
    tags: Record<string, string>,
    named: (suffix: string) => Record<string, string>,
    t: NetworkTransforms,
  ): pulumi.Output<string[]> {
    const parent = { parent: this } as pulumi.CustomResourceOptions;
    const [sgArgs, sgOpts] = transformed(
      t.natSecurityGroup,
      {
        vpcId: vpc.vpcId,
        description: "NAT instance: all traffic from the VPC in, anything out",
        ingress: [
          {
            protocol: "-1",
            fromPort: 0,
            toPort: 0,
            cidrBlocks: [cidr],
            description: "Everything from the VPC",
          },
        ],
        egress: [
          {
            protocol: "-1",
            fromPort: 0,
            toPort: 0,
            cidrBlocks: ["0.0.0.0/0"],
            description: "To the internet",
          },
        ],
        tags: named("nat"),
      } as aws.ec2.SecurityGroupArgs,
      { ...parent },
    );
    const sg = new aws.ec2.SecurityGroup(`${name}-nat`, sgArgs, sgOpts);

    let instanceProfile: aws.types.input.ec2.LaunchTemplateIamInstanceProfile | undefined;
    if (cfg.natInstance.ssmAccess) {
      const [roleArgs, roleOpts] = transformed(
        t.natRole,
        {
          description: `NAT instance of ${name}: Session Manager access only`,
          assumeRolePolicy: JSON.stringify(assumeRolePolicy("ec2.amazonaws.com")),
          tags,
        } as aws.iam.RoleArgs,
        { ...parent },
      );
      const role = new aws.iam.Role(`${name}-nat`, roleArgs, roleOpts);
      const [attArgs, attOpts] = transformed(
        t.natRolePolicyAttachment,
        {
          role: role.name,
          // AWS managed policies live in the role's own partition (aws, aws-cn, aws-us-gov): read it
          // from the role's ARN rather than asking the provider.
          policyArn: role.arn.apply(
            (arn) => `arn:${arnParts(arn).partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
          ),
        } as aws.iam.RolePolicyAttachmentArgs,
        { ...parent },
      );
      new aws.iam.RolePolicyAttachment(`${name}-nat-ssm`, attArgs, attOpts);
      const [ipArgs, ipOpts] = transformed(
        t.natInstanceProfile,
        { role: role.name, tags } as aws.iam.InstanceProfileArgs,
        {
          ...parent,
        },
      );
      const profile = new aws.iam.InstanceProfile(`${name}-nat`, ipArgs, ipOpts);
      instanceProfile = { arn: profile.arn };
    }

    const metadataOptions = {
      httpEndpoint: "enabled",
      httpTokens: "required",
      httpPutResponseHopLimit: 1,
      instanceMetadataTags: "disabled",
    };
    const [ltArgs, ltOpts] = transformed(
      t.natLaunchTemplate,
      {
        description: `NAT instance of ${name}`,
        imageId: NAT_INSTANCE_AMI,
        instanceType: cfg.natInstance.instanceType,
        userData: Buffer.from(natInstanceUserData(cidr)).toString("base64"),
        metadataOptions,
        ...(instanceProfile ? { iamInstanceProfile: instanceProfile } : {}),
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: { encrypted: "true", volumeType: "gp3", deleteOnTermination: "true" },
          },
        ],
        tagSpecifications: [
          { resourceType: "instance", tags: named("nat") },
          { resourceType: "volume", tags: named("nat") },
        ],
        updateDefaultVersion: true,
        tags,
      } as aws.ec2.LaunchTemplateArgs,
      { ...parent },
    );
    const template = new aws.ec2.LaunchTemplate(`${name}-nat`, ltArgs, ltOpts);

    const count = cfg.natInstance.perAz ? cfg.azCount : 1;
    const eips: aws.ec2.Eip[] = [];
    const instances: aws.ec2.Instance[] = [];
    for (let i = 0; i < count; i++) {
      const [iArgs, iOpts] = transformed(
        t.natInstance,
        {
          launchTemplate: { id: template.id, version: template.latestVersion.apply((n) => String(n)) },
          subnetId: vpc.publicSubnetIds.apply((ids) => ids[i]!),
          vpcSecurityGroupIds: [sg.id],
          associatePublicIpAddress: true,
          sourceDestCheck: false,
          metadataOptions,
          tags: named(`nat-${i + 1}`),
        } as aws.ec2.InstanceArgs,
        { ...parent },
      );
      const instance = new aws.ec2.Instance(`${name}-nat-${i + 1}`, iArgs, iOpts);
      instances.push(instance);
      const [eArgs, eOpts] = transformed(
        t.natEip,
        {
          domain: "vpc",
          instance: instance.id,
          tags: named(`nat-${i + 1}`),
        } as aws.ec2.EipArgs,
        { ...parent },
      );
      eips.push(new aws.ec2.Eip(`${name}-nat-${i + 1}`, eArgs, eOpts));
    }

    // One private route table per zone (one private tier): each gets a default route to its zone's
    // NAT instance, or to the only one.
    for (let i = 0; i < cfg.azCount; i++) {
      const instance = instances[Math.min(i, instances.length - 1)]!;
      const [rArgs, rOpts] = transformed(
        t.natRoute,
        {
          routeTableId: this.privateRouteTableIds.apply((ids) => ids[i]!),
          destinationCidrBlock: "0.0.0.0/0",
          networkInterfaceId: instance.primaryNetworkInterfaceId,
        } as aws.ec2.RouteArgs,
        { ...parent },
      );
      new aws.ec2.Route(`${name}-nat-route-${i + 1}`, rArgs, rOpts);
    }
    return pulumi.all(eips.map((e) => e.publicIp));
  }
}
