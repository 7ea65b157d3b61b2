import { EFS_SYNTHS } from "./aws-efs.js";
import { ELASTICACHE_SYNTHS } from "./aws-elasticache.js";
import { RDS_SYNTHS } from "./aws-rds.js";
import { digits, hex, uuid } from "./hash.js";

/** What the offline engine knows about the account it pretends to deploy into. */
export interface CloudContext {
  region: string;
  account: string;
  partition: string;
}

export type Props = Record<string, unknown>;

export interface Synthesized {
  id: string;
  state: Props;
}

/** Route 53 hosted zone ids of Application Load Balancers, per region (AWS documentation). */
const ALB_ZONE_IDS: Record<string, string> = {
  "us-east-1": "Z35SXDOTRQ7X7K",
  "us-east-2": "Z3AADJGX6KTTL2",
  "us-west-1": "Z368ELLRRE2KJ0",
  "us-west-2": "Z1H1FL5HABSF5",
  "eu-west-1": "Z32O12XQLNTSW2",
  "eu-west-2": "ZHURV8PSTC4K8",
  "eu-west-3": "Z3Q77PNBQS71R4",
  "eu-central-1": "Z215JYRZR1TBD5",
  "eu-north-1": "Z23TAZ7KX1Y6ZB",
  "ap-northeast-1": "Z14GRHDCWA56QT",
  "ap-northeast-2": "ZWKZPGTI48KDX",
  "ap-southeast-1": "Z1LMS91P8CMLE5",
  "ap-southeast-2": "Z1GM3OXH4ZPM65",
  "ap-south-1": "ZP97RAFLXTNZK",
  "ca-central-1": "ZQSVJUPU6J1EY",
  "sa-east-1": "Z2P70J7HTTTPLU",
};

/** Where a resource type keeps its physical name, and how long that name may be. */
const NAME_FIELDS: Record<string, { field: string; max?: number }> = {
  "aws:s3/bucket:Bucket": { field: "bucket", max: 63 },
  "aws:s3/bucketV2:BucketV2": { field: "bucket", max: 63 },
  "aws:ecs/taskDefinition:TaskDefinition": { field: "family", max: 255 },
  "aws:lb/loadBalancer:LoadBalancer": { field: "name", max: 32 },
  "aws:alb/loadBalancer:LoadBalancer": { field: "name", max: 32 },
  "aws:lb/targetGroup:TargetGroup": { field: "name", max: 32 },
  "aws:alb/targetGroup:TargetGroup": { field: "name", max: 32 },
  "aws:cloudwatch/dashboard:Dashboard": { field: "dashboardName" },
  "aws:iam/role:Role": { field: "name", max: 64 },
  "aws:iam/policy:Policy": { field: "name", max: 128 },
  "aws:iam/instanceProfile:InstanceProfile": { field: "name", max: 128 },
  "aws:iam/user:User": { field: "name", max: 64 },
  "aws:codebuild/project:Project": { field: "name", max: 150 },
  "aws:codepipeline/pipeline:Pipeline": { field: "name", max: 100 },
  "aws:ecr/repository:Repository": { field: "name", max: 256 },
  "aws:ecs/cluster:Cluster": { field: "name", max: 255 },
  "aws:ecs/service:Service": { field: "name", max: 255 },
  "aws:ecs/capacityProvider:CapacityProvider": { field: "name", max: 255 },
  "aws:cloudwatch/logGroup:LogGroup": { field: "name", max: 512 },
  "aws:cloudwatch/metricAlarm:MetricAlarm": { field: "name", max: 255 },
  "aws:cloudwatch/eventRule:EventRule": { field: "name", max: 64 },
  "aws:sns/topic:Topic": { field: "name", max: 256 },
  "aws:sqs/queue:Queue": { field: "name", max: 80 },
  "aws:secretsmanager/secret:Secret": { field: "name", max: 512 },
  "aws:ssm/parameter:Parameter": { field: "name", max: 1011 },
  "aws:ec2/securityGroup:SecurityGroup": { field: "name", max: 255 },
  "aws:ec2/launchTemplate:LaunchTemplate": { field: "name", max: 128 },
  "aws:autoscaling/group:Group": { field: "name", max: 255 },
  "aws:appautoscaling/policy:Policy": { field: "name", max: 255 },
  "aws:lambda/function:Function": { field: "name", max: 64 },
  "aws:codestarconnections/connection:Connection": { field: "name", max: 32 },
  "aws:kms/alias:Alias": { field: "name", max: 256 },
  "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": { field: "name" },
};

/**
 * The physical name AWS will see: the given one, or Pulumi's auto-name
 * (`<logical name>-<7 hex>`, the logical part shortened to fit the limit).
 */
export function physicalName(type: string, name: string, inputs: Props, ctx: CloudContext): string {
  const spec = NAME_FIELDS[type] ?? { field: "name" };
  const given = inputs[spec.field];
  if (typeof given === "string" && given.length > 0) return given;
  const prefix = inputs[`${spec.field}Prefix`];
  const suffix = hex(7, type, name, ctx.region, ctx.account);
  if (typeof prefix === "string" && prefix.length > 0) return prefix + suffix;
  // Like the provider's auto-naming: the logical name, a dash and 7 random characters; a name that
  // does not fit the physical name's limit fails `pulumi preview` the same way.
  const max = spec.max ?? 255;
  if (name.length + 8 > max) {
    throw new Error(
      `${type} '${name}': name '${name}' plus 7 random chars is longer than maximum length ${max}`,
    );
  }
  const auto = `${name}-${suffix}`;
  return type.startsWith("aws:s3/") ? auto.toLowerCase().replace(/[^a-z0-9.-]/g, "-") : auto;
}

function ec2Id(prefix: string, type: string, name: string, ctx: CloudContext): string {
  return `${prefix}-${hex(17, type, name, ctx.region, ctx.account)}`;
}

export function arn(
  ctx: CloudContext,
  service: string,
  resource: string,
  region = ctx.region,
  account = ctx.account,
) {
  return `arn:${ctx.partition}:${service}:${region}:${account}:${resource}`;
}

export function str(v: unknown, fallback = ""): string {
  return typeof v === "string" ? v : fallback;
}

/** The parts of an ELB v2 ARN: `app/<name>/<16 hex>`. */
function elbSuffix(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const m = /:loadbalancer\/(.+)$/.exec(value);
  return m?.[1];
}

export type Synth = (ctx: CloudContext, type: string, name: string, inputs: Props) => Synthesized;

const EC2_PREFIXES: Record<string, string> = {
  "aws:ec2/vpc:Vpc": "vpc",
  "aws:ec2/subnet:Subnet": "subnet",
  "aws:ec2/securityGroup:SecurityGroup": "sg",
  "aws:ec2/routeTable:RouteTable": "rtb",
  "aws:ec2/internetGateway:InternetGateway": "igw",
  "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": "eigw",
  "aws:ec2/natGateway:NatGateway": "nat",
  "aws:ec2/eip:Eip": "eipalloc",
  "aws:ec2/instance:Instance": "i",
  "aws:ec2/launchTemplate:LaunchTemplate": "lt",
  "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
  "aws:ec2/flowLog:FlowLog": "fl",
  "aws:ec2/networkInterface:NetworkInterface": "eni",
  "aws:ec2/networkAcl:NetworkAcl": "acl",
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "sg",
  "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": "acl",
  "aws:ec2/defaultRouteTable:DefaultRouteTable": "rtb",
  "aws:ec2/vpcSecurityGroupIngressRule:VpcSecurityGroupIngressRule": "sgr",
  "aws:ec2/vpcSecurityGroupEgressRule:VpcSecurityGroupEgressRule": "sgr",
  "aws:ec2/keyPair:KeyPair": "key",
  "aws:ec2/placementGroup:PlacementGroup": "pg",
};

/** The EC2 resource kind in an ARN (`arn:aws:ec2:<region>:<account>:<kind>/<id>`). */
const EC2_ARN_KINDS: Record<string, string> = {
  vpc: "vpc",
  subnet: "subnet",
  sg: "security-group",
  rtb: "route-table",
  igw: "internet-gateway",
  eigw: "egress-only-internet-gateway",
  nat: "natgateway",
  eipalloc: "elastic-ip",
  i: "instance",
  lt: "launch-template",
  vpce: "vpc-endpoint",
  fl: "vpc-flow-log",
  eni: "network-interface",
  acl: "network-acl",
  sgr: "security-group-rule",
  key: "key-pair",
  pg: "placement-group",
};

/**
 * An Amazon-provided IPv6 /56 for a VPC, like AWS hands out (`2600:1f<xx>:<xxxx>:<xx>00::/56`;
 * 2600:1f00::/24 is Amazon's range): stable per VPC, region and account.
 */
export function amazonIpv6Block(seed: string): string {
  const d = hex(8, "ipv6", seed);
  const third = parseInt(d.slice(2, 6), 16).toString(16);
  // The /56 ends inside the fourth group: its high byte, never 0 (so the group is never "::"-compressed).
  const fourth = ((parseInt(d.slice(6, 8), 16) % 255) + 1).toString(16);
  return `2600:1f${d.slice(0, 2)}:${third}:${fourth}00::/56`;
}

/**
 * The /64 awsx gives subnet number `index` (0–255) of a VPC's /56: the last 8 bits of the prefix's
 * fourth group (awsx's createIpv6SubnetCidrBlock).
 */
export function ipv6SubnetBlock(vpcBlock: string, index: number): string {
  const m = /^([0-9a-f]+):([0-9a-f]+):([0-9a-f]+):([0-9a-f]+)::\/56$/i.exec(vpcBlock);
  if (!m) throw new Error(`'${vpcBlock}' is not an IPv6 /56 of the form a:b:c:d::/56`);
  if (!Number.isInteger(index) || index < 0 || index > 255)
    throw new Error(`subnet index ${index} is outside 0-255 (a /56 holds 256 /64s)`);
  const fourth = (parseInt(m[4]!, 16) & 0xff00) | index;
  return `${m[1]}:${m[2]}:${m[3]}:${fourth.toString(16)}::/64`;
}

/** The partition a region belongs to (what AWS puts in its ARNs). */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  if (region.startsWith("us-iso-")) return "aws-iso";
  if (region.startsWith("us-isob-")) return "aws-iso-b";
  return "aws";
}

function ipFrom(seed: string, first: number): string {
  const d = hex(6, seed);
  return `${first}.${parseInt(d.slice(0, 2), 16) % 250}.${parseInt(d.slice(2, 4), 16) % 250}.${(parseInt(d.slice(4, 6), 16) % 250) + 2}`;
}

const ec2: Synth = (ctx, type, name, inputs) => {
  const prefix = EC2_PREFIXES[type]!;
  const id = ec2Id(prefix, type, name, ctx);
  const state: Props = { arn: arn(ctx, "ec2", `${EC2_ARN_KINDS[prefix]}/${id}`), ownerId: ctx.account };
  switch (prefix) {
    case "vpc":
      if (inputs.assignGeneratedIpv6CidrBlock === true) {
        Object.assign(state, {
          ipv6CidrBlock: amazonIpv6Block(`${ctx.region}/${ctx.account}/${name}`),
          ipv6AssociationId: ec2Id("vpc-cidr-assoc", `${type}#ipv6`, name, ctx),
          ipv6CidrBlockNetworkBorderGroup: ctx.region,
        });
      }
      Object.assign(state, {
        cidrBlock: inputs.cidrBlock ?? "10.0.0.0/16",
        defaultSecurityGroupId: ec2Id("sg", `${type}#default`, name, ctx),
        defaultNetworkAclId: ec2Id("acl", `${type}#default`, name, ctx),
        defaultRouteTableId: ec2Id("rtb", `${type}#default`, name, ctx),
        mainRouteTableId: ec2Id("rtb", `${type}#main`, name, ctx),
        dhcpOptionsId: ec2Id("dopt", type, name, ctx),
        enableDnsSupport: inputs.enableDnsSupport ?? true,
        enableDnsHostnames: inputs.enableDnsHostnames ?? false,
        instanceTenancy: inputs.instanceTenancy ?? "default",
      });
      break;
    case "subnet":
      if (typeof inputs.ipv6CidrBlock === "string") {
        state.ipv6CidrBlockAssociationId = ec2Id("subnet-cidr-assoc", `${type}#ipv6`, name, ctx);
      }
      state.assignIpv6AddressOnCreation = inputs.assignIpv6AddressOnCreation ?? false;
      if (typeof inputs.availabilityZone === "string") {
        const zones = availabilityZones(ctx);
        state.availabilityZoneId = zones.zoneIds[zones.names.indexOf(inputs.availabilityZone)];
      }
      break;
    case "sg":
      state.name = physicalName(type, name, inputs, ctx);
      state.ownerId = ctx.account;
      break;
    case "eipalloc":
      Object.assign(state, {
        allocationId: id,
        publicIp: ipFrom(`${ctx.region}/${name}`, 52),
        publicDns: `ec2-${ipFrom(`${ctx.region}/${name}`, 52).replace(/\./g, "-")}.compute-1.amazonaws.com`,
        domain: "vpc",
      });
      break;
    case "nat":
      Object.assign(state, {
        privateIp: ipFrom(`nat/${name}`, 10),
        publicIp: inputs.connectivityType === "private" ? undefined : ipFrom(`nat/${name}/public`, 52),
        networkInterfaceId: ec2Id("eni", `${type}#eni`, name, ctx),
      });
      break;
    case "i":
      Object.assign(state, {
        privateIp: ipFrom(`instance/${name}`, 10),
        primaryNetworkInterfaceId: ec2Id("eni", `${type}#eni`, name, ctx),
        instanceState: "running",
      });
      break;
    case "lt":
      Object.assign(state, {
        name: physicalName(type, name, inputs, ctx),
        latestVersion: 1,
        defaultVersion: 1,
      });
      break;
    case "vpce":
      Object.assign(state, {
        vpcEndpointType: inputs.vpcEndpointType ?? "Gateway",
        prefixListId: inputs.vpcEndpointType === "Interface" ? undefined : `pl-${hex(8, type, name)}`,
        dnsEntries:
          inputs.vpcEndpointType === "Interface"
            ? [
                {
                  dnsName: `${id}.${str(inputs.serviceName).split(".").slice(3).join(".")}.vpce.amazonaws.com`,
                },
              ]
            : [],
        state: "available",
      });
      break;
  }
  return { id, state };
};

const SYNTHS: Record<string, Synth> = {
  "aws:ecr/repository:Repository": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    return {
      id: n,
      state: {
        name: n,
        arn: arn(ctx, "ecr", `repository/${n}`),
        registryId: ctx.account,
        repositoryUrl: `${ctx.account}.dkr.ecr.${ctx.region}.amazonaws.com/${n}`,
      },
    };
  },
  "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": (ctx, _t, _n, inputs) => ({
    id: str(inputs.ecrRepositoryPrefix),
    state: { registryId: ctx.account },
  }),
  "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration": (ctx) => ({
    id: ctx.account,
    state: { registryId: ctx.account },
  }),
  "aws:ecr/replicationConfiguration:ReplicationConfiguration": (ctx) => ({
    id: ctx.account,
    state: { registryId: ctx.account },
  }),
  "aws:ecr/lifecyclePolicy:LifecyclePolicy": (ctx, _t, _n, inputs) => ({
    id: str(inputs.repository),
    state: { registryId: ctx.account },
  }),
  "aws:ecr/repositoryPolicy:RepositoryPolicy": (ctx, _t, _n, inputs) => ({
    id: str(inputs.repository),
    state: { registryId: ctx.account },
  }),
  "aws:ecs/cluster:Cluster": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    const a = arn(ctx, "ecs", `cluster/${n}`);
    return { id: a, state: { name: n, arn: a } };
  },
  "aws:ecs/capacityProvider:CapacityProvider": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    const a = arn(ctx, "ecs", `capacity-provider/${n}`);
    return { id: a, state: { name: n, arn: a } };
  },
  "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": (_ctx, _t, _n, inputs) => ({
    id: str(inputs.clusterName),
    state: {},
  }),
  "aws:ecs/taskDefinition:TaskDefinition": (ctx, type, name, inputs) => {
    const family = physicalName(type, name, inputs, ctx);
    const withoutRevision = arn(ctx, "ecs", `task-definition/${family}`);
    return {
      id: family,
      state: { family, revision: 1, arn: `${withoutRevision}:1`, arnWithoutRevision: withoutRevision },
    };
  },
  "aws:ecs/service:Service": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    const cluster = str(inputs.cluster, "default").split("/").pop();
    const a = arn(ctx, "ecs", `service/${cluster}/${n}`);
    return { id: a, state: { name: n, arn: a } };
  },
  "aws:lb/loadBalancer:LoadBalancer": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    const kind = inputs.loadBalancerType === "network" ? "net" : "app";
    const suffix = `${kind}/${n}/${hex(16, type, name, ctx.region, ctx.account)}`;
    const a = arn(ctx, "elasticloadbalancing", `loadbalancer/${suffix}`);
    const internal = inputs.internal === true ? "internal-" : "";
    return {
      id: a,
      state: {
        name: n,
        arn: a,
        arnSuffix: suffix,
        dnsName: `${internal}${n}-${digits(10, name, ctx.region)}.${ctx.region}.elb.amazonaws.com`,
        zoneId: ALB_ZONE_IDS[ctx.region] ?? `Z${hex(13, "zone", ctx.region).toUpperCase()}`,
        vpcId: inputs.vpcId ?? ec2Id("vpc", "lb-vpc", name, ctx),
        loadBalancerType: inputs.loadBalancerType ?? "application",
      },
    };
  },
  "aws:lb/targetGroup:TargetGroup": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    const suffix = `targetgroup/${n}/${hex(16, type, name, ctx.region, ctx.account)}`;
    const a = arn(ctx, "elasticloadbalancing", suffix);
    return { id: a, state: { name: n, arn: a, arnSuffix: suffix } };
  },
  "aws:lb/listener:Listener": (ctx, type, name, inputs) => {
    const lb = elbSuffix(inputs.loadBalancerArn) ?? `app/unknown/${hex(16, "lb", name)}`;
    const a = arn(ctx, "elasticloadbalancing", `listener/${lb}/${hex(16, type, name, ctx.region)}`);
    return { id: a, state: { arn: a } };
  },
  "aws:lb/listenerRule:ListenerRule": (ctx, type, name, inputs) => {
    const listener = str(inputs.listenerArn).split(":listener/")[1] ?? `app/unknown/${hex(16, name)}/x`;
    const a = arn(
      ctx,
      "elasticloadbalancing",
      `listener-rule/${listener}/${hex(16, type, name, ctx.region)}`,
    );
    return { id: a, state: { arn: a } };
  },
  "aws:lb/listenerCertificate:ListenerCertificate": (_ctx, _t, _n, inputs) => ({
    id: `${str(inputs.listenerArn)}_${str(inputs.certificateArn)}`,
    state: {},
  }),
  "aws:iam/role:Role": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    const path = str(inputs.path, "/");
    return {
      id: n,
      state: {
        name: n,
        arn: `arn:${ctx.partition}:iam::${ctx.account}:role${path}${n}`,
        uniqueId: `AROA${hex(17, type, name).toUpperCase()}`,
        path,
      },
    };
  },
  "aws:iam/policy:Policy": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    const a = `arn:${ctx.partition}:iam::${ctx.account}:policy${str(inputs.path, "/")}${n}`;
    return { id: a, state: { name: n, arn: a, policyId: `ANPA${hex(17, type, name).toUpperCase()}` } };
  },
  "aws:iam/instanceProfile:InstanceProfile": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    return {
      id: n,
      state: {
        name: n,
        arn: `arn:${ctx.partition}:iam::${ctx.account}:instance-profile${str(inputs.path, "/")}${n}`,
        uniqueId: `AIPA${hex(17, type, name).toUpperCase()}`,
      },
    };
  },
  "aws:iam/rolePolicy:RolePolicy": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    return { id: `${str(inputs.role)}:${n}`, state: { name: n } };
  },
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (_ctx, type, name, inputs) => ({
    id: `${str(inputs.role)}-${hex(8, type, name)}`,
    state: {},
  }),
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (ctx, _t, _n, inputs) => {
    const host = str(inputs.url).replace(/^https:\/\//, "");
    const a = `arn:${ctx.partition}:iam::${ctx.account}:oidc-provider/${host}`;
    return { id: a, state: { arn: a } };
  },
  "aws:s3/bucket:Bucket": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    return {
      id: n,
      state: {
        bucket: n,
        arn: `arn:${ctx.partition}:s3:::${n}`,
        bucketDomainName: `${n}.s3.amazonaws.com`,
        bucketRegionalDomainName: `${n}.s3.${ctx.region}.amazonaws.com`,
        hostedZoneId: "Z3AQBSTGFYJSTF",
        region: ctx.region,
      },
    };
  },
  "aws:kms/key:Key": (ctx, type, name) => {
    const keyId = uuid(type, name, ctx.region, ctx.account);
    return { id: keyId, state: { keyId, arn: arn(ctx, "kms", `key/${keyId}`) } };
  },
  "aws:kms/alias:Alias": (ctx, type, name, inputs) => {
    const n = str(inputs.name) || `alias/${physicalName(type, name, inputs, ctx)}`;
    return {
      id: n,
      state: {
        name: n,
        arn: arn(ctx, "kms", n),
        targetKeyArn: arn(ctx, "kms", `key/${str(inputs.targetKeyId)}`),
      },
    };
  },
  "aws:cloudwatch/logGroup:LogGroup": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    return { id: n, state: { name: n, arn: arn(ctx, "logs", `log-group:${n}`) } };
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    return { id: n, state: { name: n, arn: arn(ctx, "cloudwatch", `alarm:${n}`) } };
  },
  "aws:cloudwatch/compositeAlarm:CompositeAlarm": (ctx, type, name, inputs) => {
    const n = str(inputs.alarmName) || physicalName(type, name, inputs, ctx);
    return { id: n, state: { alarmName: n, arn: arn(ctx, "cloudwatch", `alarm:${n}`) } };
  },
  "aws:cloudwatch/dashboard:Dashboard": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    return {
      id: n,
      state: {
        dashboardName: n,
        dashboardArn: `arn:${ctx.partition}:cloudwatch::${ctx.account}:dashboard/${n}`,
      },
    };
  },
  "aws:cloudwatch/eventRule:EventRule": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    return { id: n, state: { name: n, arn: arn(ctx, "events", `rule/${n}`) } };
  },
  "aws:sns/topic:Topic": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    const a = arn(ctx, "sns", n);
    return { id: a, state: { name: n, arn: a } };
  },
  "aws:sns/topicSubscription:TopicSubscription": (ctx, type, name, inputs) => {
    const a = `${str(inputs.topic, arn(ctx, "sns", "topic"))}:${uuid(type, name)}`;
    return { id: a, state: { arn: a } };
  },
  "aws:sqs/queue:Queue": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    return {
      id: `https://sqs.${ctx.region}.amazonaws.com/${ctx.account}/${n}`,
      state: {
        name: n,
        arn: arn(ctx, "sqs", n),
        url: `https://sqs.${ctx.region}.amazonaws.com/${ctx.account}/${n}`,
      },
    };
  },
  "aws:secretsmanager/secret:Secret": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    const a = arn(ctx, "secretsmanager", `secret:${n}-${hex(6, type, name)}`);
    return { id: a, state: { name: n, arn: a } };
  },
  "aws:ssm/parameter:Parameter": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    return {
      id: n,
      state: { name: n, arn: arn(ctx, "ssm", `parameter${n.startsWith("/") ? "" : "/"}${n}`), version: 1 },
    };
  },
  "aws:acm/certificate:Certificate": (ctx, type, name, inputs) => {
    const a = arn(ctx, "acm", `certificate/${uuid(type, name, ctx.region, ctx.account)}`);
    const domains = [
      str(inputs.domainName),
      ...((inputs.subjectAlternativeNames as string[] | undefined) ?? []),
    ]
      .filter((d) => d.length > 0)
      .filter((d, i, all) => all.indexOf(d) === i);
    return {
      id: a,
      state: {
        arn: a,
        status: "PENDING_VALIDATION",
        domainValidationOptions: domains.map((d) => ({
          domainName: d,
          resourceRecordName: `_${hex(32, "acm", d)}.${d.replace(/^\*\./, "")}.`,
          resourceRecordType: "CNAME",
          resourceRecordValue: `_${hex(32, "acm-value", d)}.${hex(10, "acm-zone", d)}.acm-validations.aws.`,
        })),
      },
    };
  },
  "aws:acm/certificateValidation:CertificateValidation": (_ctx, _t, _n, inputs) => ({
    id: str(inputs.certificateArn),
    state: {},
  }),
  "aws:route53/zone:Zone": (ctx, type, name, inputs) => {
    const zoneId = `Z${hex(20, type, name, ctx.account).toUpperCase()}`;
    return {
      id: zoneId,
      state: {
        zoneId,
        arn: `arn:${ctx.partition}:route53:::hostedzone/${zoneId}`,
        nameServers: [1, 2, 3, 4].map(
          (i) => `ns-${digits(3, name, String(i))}.awsdns-${digits(2, name, String(i))}.com`,
        ),
        name: inputs.name,
      },
    };
  },
  "aws:route53/record:Record": (_ctx, _t, _n, inputs) => {
    const fqdn = str(inputs.name).replace(/\.$/, "");
    return { id: `${str(inputs.zoneId)}_${fqdn}_${str(inputs.type)}`, state: { fqdn } };
  },
  "aws:autoscaling/group:Group": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    return {
      id: n,
      state: {
        name: n,
        arn: arn(ctx, "autoscaling", `autoScalingGroup:${uuid(type, name)}:autoScalingGroupName/${n}`),
      },
    };
  },
  "aws:appautoscaling/target:Target": (_ctx, _t, _n, inputs) => ({
    id: str(inputs.resourceId),
    state: {},
  }),
  "aws:appautoscaling/policy:Policy": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    return {
      id: n,
      state: {
        name: n,
        arn: arn(
          ctx,
          "autoscaling",
          `scalingPolicy:${uuid(type, name)}:resource/${str(inputs.serviceNamespace, "ecs")}/${str(inputs.resourceId).replace(/^service\//, "service/")}:policyName/${n}`,
        ),
        alarmArns: [],
      },
    };
  },
  "aws:appautoscaling/scheduledAction:ScheduledAction": (ctx, type, name, inputs) => {
    const n = str(inputs.name) || physicalName(type, name, inputs, ctx);
    return {
      id: n,
      state: {
        name: n,
        arn: arn(ctx, "autoscaling", `scheduledAction:${uuid(type, name)}:scheduledActionName/${n}`),
      },
    };
  },
  "aws:codebuild/project:Project": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    const a = arn(ctx, "codebuild", `project/${n}`);
    return { id: a, state: { name: n, arn: a, badgeUrl: "" } };
  },
  "aws:codebuild/webhook:Webhook": (ctx, _t, name, inputs) => ({
    id: str(inputs.projectName),
    state: {
      url: `https://codebuild.${ctx.region}.amazonaws.com/webhooks?t=${hex(40, "webhook", name)}`,
      payloadUrl: `https://codebuild.${ctx.region}.amazonaws.com/webhooks?t=${hex(40, "webhook", name)}`,
      secret: hex(32, "webhook-secret", name),
    },
  }),
  "aws:codebuild/sourceCredential:SourceCredential": (ctx, type, name) => {
    const a = arn(ctx, "codebuild", `token/${hex(8, type, name)}`);
    return { id: a, state: { arn: a } };
  },
  "aws:codepipeline/pipeline:Pipeline": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    return { id: n, state: { name: n, arn: arn(ctx, "codepipeline", n) } };
  },
  "aws:codestarconnections/connection:Connection": (ctx, type, name, inputs) => {
    const a = arn(ctx, "codestar-connections", `connection/${uuid(type, name)}`);
    return {
      id: a,
      state: { arn: a, name: physicalName(type, name, inputs, ctx), connectionStatus: "PENDING" },
    };
  },
  "aws:codestarnotifications/notificationRule:NotificationRule": (ctx, type, name) => {
    const a = arn(ctx, "codestar-notifications", `notificationrule/${hex(40, type, name)}`);
    return { id: a, state: { arn: a } };
  },
  "aws:lambda/function:Function": (ctx, type, name, inputs) => {
    const n = physicalName(type, name, inputs, ctx);
    const a = arn(ctx, "lambda", `function:${n}`);
    return {
      id: n,
      state: {
        name: n,
        arn: a,
        invokeArn: `arn:${ctx.partition}:apigateway:${ctx.region}:lambda:path/2015-03-31/functions/${a}/invocations`,
        version: "$LATEST",
        qualifiedArn: `${a}:$LATEST`,
      },
    };
  },
  "aws:servicediscovery/privateDnsNamespace:PrivateDnsNamespace": (ctx, type, name, inputs) => {
    const id = `ns-${hex(16, type, name)}`;
    return {
      id,
      state: {
        arn: arn(ctx, "servicediscovery", `namespace/${id}`),
        hostedZone: `Z${hex(20, "ns-zone", name).toUpperCase()}`,
        name: inputs.name,
      },
    };
  },
  "aws:servicediscovery/httpNamespace:HttpNamespace": (ctx, type, name, inputs) => {
    const id = `ns-${hex(16, type, name)}`;
    return {
      id,
      state: {
        arn: arn(ctx, "servicediscovery", `namespace/${id}`),
        httpName: inputs.name,
        name: inputs.name,
      },
    };
  },
  "aws:servicediscovery/service:Service": (ctx, type, name, inputs) => {
    const id = `srv-${hex(16, type, name)}`;
    return {
      id,
      state: {
        arn: arn(ctx, "servicediscovery", `service/${id}`),
        name: physicalName(type, name, inputs, ctx),
      },
    };
  },
};

Object.assign(SYNTHS, RDS_SYNTHS, ELASTICACHE_SYNTHS, EFS_SYNTHS);

/** ELB v2 resources exist under both `aws:lb` and `aws:alb`; they compute the same outputs. */
for (const t of Object.keys(SYNTHS)) {
  if (t.startsWith("aws:lb/")) SYNTHS[t.replace("aws:lb/", "aws:alb/")] = SYNTHS[t]!;
}
for (const t of Object.keys(EC2_PREFIXES)) SYNTHS[t] = ec2;

function kebab(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

/** Types that have no physical name or ARN of their own (attachments, settings, associations). */
const NAMELESS =
  /(Attachment|Association|Association[A-Z]\w*|Configuration|Settings|Policy|Rule|Route|Version|Permission|Subscription)$/;

/** Computes what AWS would return for a resource of the given type. */
export function synthesizeAws(type: string, name: string, inputs: Props, context: CloudContext): Synthesized {
  // The run's context says "aws" unless told otherwise; a China or GovCloud region has its own.
  const ctx = context.partition === "aws" ? { ...context, partition: partitionOf(context.region) } : context;
  const synth = SYNTHS[type];
  let out: Synthesized;
  if (synth) {
    out = synth(ctx, type, name, inputs);
  } else {
    // Unknown type: a stable id, and for named resources a name and an ARN of the usual shape.
    const m = /^aws:([a-zA-Z0-9]+)\/[^:]+:(\w+)$/.exec(type);
    const service = m?.[1] ?? "unknown";
    const kind = m?.[2] ?? "Resource";
    if (NAMELESS.test(kind)) {
      out = { id: `${name}-${hex(8, type, name)}`, state: {} };
    } else {
      const n = physicalName(type, name, inputs, ctx);
      out = { id: n, state: { arn: arn(ctx, service, `${kebab(kind)}/${n}`) } };
      if (!("name" in inputs)) out.state.name = n;
    }
  }
  const tags = inputs.tags as Record<string, string> | undefined;
  return { id: out.id, state: { ...inputs, ...out.state, ...(tags ? { tagsAll: { ...tags } } : {}) } };
}

/** The region's availability zones: `<region>a`, `<region>b`, … (six, like us-east-1). */
export function availabilityZones(ctx: CloudContext): { names: string[]; zoneIds: string[] } {
  const letters = ctx.region === "us-east-1" ? "abcdef" : "abc";
  const short = ctx.region
    .split("-")
    .map((p, i) => (i === 2 ? p : p.slice(0, i === 0 ? 2 : 1)))
    .join("");
  return {
    names: [...letters].map((l) => `${ctx.region}${l}`),
    zoneIds: [...letters].map((_, i) => `${short}-az${i + 1}`),
  };
}
