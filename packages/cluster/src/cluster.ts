import { createHash } from "node:crypto";
import {
  arnParts,
  assumeRolePolicy,
  checkComponent,
  checkTags,
  known,
  LOG_RETENTION_DAYS,
  mergeTags,
  type NetworkRef,
  type Transform,
  transformed,
} from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkCapacityShares } from "./capacity.js";
import type { ClusterRef } from "./refs.js";

const TYPE = "berth:cluster:Cluster";

/** How many tasks a capacity provider takes in the cluster's default strategy. */
export interface CapacityShare {
  /**
   * Relative share of the tasks launched after every `base` is satisfied.
   * @default 0
   * @example weight: 3
   */
  weight?: number;
  /**
   * Tasks that always run on this provider before weights apply. Only one provider of a strategy may
   * have a base.
   * @default 0
   * @example base: 1
   */
  base?: number;
}

/**
 * The cluster's default capacity provider strategy: used by services that do not name their own.
 * Only the providers listed take part. Fargate and EC2 (Auto Scaling group) providers cannot be mixed
 * in one strategy (an ECS rule).
 */
export interface CapacityStrategy {
  /** On-demand Fargate. */
  fargate?: CapacityShare;
  /** Fargate Spot: up to 70% cheaper, tasks can be interrupted with a two-minute warning. */
  fargateSpot?: CapacityShare;
  /** The cluster's EC2 capacity (requires `ec2`). */
  ec2?: CapacityShare;
}

/** EC2 instances running Docker, joined to the cluster through an Auto Scaling group. */
export interface Ec2CapacityArgs {
  /**
   * CPU architecture of the instances; picks the ECS-optimized Amazon Linux 2023 AMI.
   * @default "arm64"
   * @example architecture: "x86_64"
   */
  architecture?: "arm64" | "x86_64";
  /**
   * Instance type; must match `architecture` (Graviton types such as `t4g`, `m7g` are arm64).
   * @default "t4g.medium" for arm64, "t3.medium" for x86_64
   * @example instanceType: "m7g.large"
   */
  instanceType?: string;
  /**
   * Smallest number of instances.
   * @default 0
   * @example minSize: 1
   */
  minSize?: number;
  /**
   * Largest number of instances.
   * @default 4
   * @example maxSize: 10
   */
  maxSize?: number;
  /**
   * Managed scaling target: how full (in %) ECS keeps the instances. 100 packs them; lower keeps spare room.
   * @default 100
   * @example targetCapacity: 80
   */
  targetCapacity?: number;
  /**
   * Whether ECS scales the Auto Scaling group (managed scaling).
   * @default true
   */
  managedScaling?: boolean;
  /**
   * Whether ECS protects instances that run tasks from scale-in (managed termination protection).
   * Requires `managedScaling`.
   * @default true
   */
  managedTerminationProtection?: boolean;
  /**
   * Seconds the ECS agent waits after SIGTERM before it kills a container (`ECS_CONTAINER_STOP_TIMEOUT`).
   * Short, so deployments and scale-in do not linger.
   * @default 10
   * @example containerStopTimeout: 30
   */
  containerStopTimeout?: number;
  /**
   * Size of the encrypted gp3 root volume in GiB (the AMI needs at least 30).
   * @default 30
   * @example rootVolumeSize: 50
   */
  rootVolumeSize?: number;
  /**
   * AMI to launch instead of the recommended ECS-optimized Amazon Linux 2023 image read from SSM.
   * @default the public SSM parameter `/aws/service/ecs/optimized-ami/amazon-linux-2023[/arm64]/recommended/image_id`
   * @example imageId: "ami-0123456789abcdef0"
   */
  imageId?: pulumi.Input<string>;
  /**
   * Subnets of the Auto Scaling group.
   * @default network.privateSubnetIds
   */
  subnetIds?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Attach `AmazonSSMManagedInstanceCore` so operators can open Session Manager shells (no SSH).
   * @default true
   */
  ssmAccess?: boolean;
  /**
   * Physical name of the EC2 capacity provider: up to 255 letters, numbers, hyphens and
   * underscores, not starting with `aws`, `ecs` or `fargate` (CreateCapacityProvider refuses those
   * prefixes; Berth checks them in any letter case).
   * @default `<component name>-ec2-<random>`; when the component name starts with a reserved prefix
   *   or has a `.`, `cp-<component name>-ec2-<8 hex of the stack and name>` instead
   * @example capacityProviderName: "platform-prod-ec2"
   */
  capacityProviderName?: string;
}

export interface ClusterArgs {
  /**
   * Physical name of the ECS cluster (letters, numbers, hyphens, underscores; up to 255).
   * Without it the component name must be a valid start of one (no `.`, at most 239 characters).
   * @default `<component name>-cluster-<random suffix>`
   * @example clusterName: "platform-prod"
   */
  clusterName?: pulumi.Input<string>;
  /**
   * CloudWatch Container Insights: `"enhanced"` adds task- and container-level metrics (costs more).
   * @default "enabled"
   * @example containerInsights: "enhanced"
   */
  containerInsights?: "enabled" | "enhanced" | "disabled";
  /**
   * Audit logging of ECS Exec sessions to a log group the cluster creates.
   * @default { retentionInDays: 365 }
   * @example execLogs: { retentionInDays: 731, kmsKeyArn: key.arn }
   */
  execLogs?: {
    /**
     * Days the session logs are kept (a value CloudWatch Logs accepts).
     * @default 365
     */
    retentionInDays?: number;
    /**
     * KMS key that encrypts the log group and the Exec session data. Its key policy must allow the
     * `logs.<region>.amazonaws.com` service principal.
     * @default none (CloudWatch's own encryption)
     */
    kmsKeyArn?: pulumi.Input<string>;
  };
  /**
   * Default capacity provider strategy (FARGATE and FARGATE_SPOT are always associated).
   * @default { fargate: { weight: 1 } }
   * @example capacity: { fargate: { base: 1, weight: 1 }, fargateSpot: { weight: 3 } }
   */
  capacity?: CapacityStrategy;
  /**
   * Optional EC2 capacity: an Auto Scaling group of ECS-optimized instances and its capacity provider.
   * @default none (Fargate only)
   * @example ec2: { architecture: "arm64", instanceType: "m7g.large", maxSize: 6, targetCapacity: 90 }
   */
  ec2?: Ec2CapacityArgs;
  /**
   * The network; required with `ec2` (instances go to its private subnets).
   * @example network: { vpcId, publicSubnetIds, privateSubnetIds }
   */
  network?: NetworkRef;
  /**
   * ECS Service Connect: the Cloud Map HTTP namespace internal services publish `http://<name>:<port>`
   * in, set as the cluster's `serviceConnectDefaults`. `{ name }` creates the namespace (Cloud Map
   * HTTP namespaces cost nothing while empty; each registered instance and lookup is billed by Cloud
   * Map); `{ name, arn }` uses one the stack already has. The cluster's `ref` then carries its ARN
   * and name, which `InternalService` and any kind with `calls` need.
   * @default none (no Service Connect)
   * @example serviceConnectNamespace: { name: "dev.internal" }
   */
  serviceConnectNamespace?: { name: string; arn?: pulumi.Input<string> };
  /**
   * Protect the Exec audit log group from deletion (`protect` resource option). Prod stacks set it.
   * @default false
   */
  protect?: boolean;
  /**
   * Tags for every taggable child.
   * @default {}
   */
  tags?: Record<string, string>;
  /** Escape hatch: change any child's args before it is created. */
  transform?: {
    cluster?: Transform<aws.ecs.ClusterArgs>;
    execLogGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    capacityProviders?: Transform<aws.ecs.ClusterCapacityProvidersArgs>;
    instanceRole?: Transform<aws.iam.RoleArgs>;
    instancePolicyAttachment?: Transform<aws.iam.RolePolicyAttachmentArgs>;
    instanceProfile?: Transform<aws.iam.InstanceProfileArgs>;
    instanceSecurityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    launchTemplate?: Transform<aws.ec2.LaunchTemplateArgs>;
    autoScalingGroup?: Transform<aws.autoscaling.GroupArgs>;
    ec2CapacityProvider?: Transform<aws.ecs.CapacityProviderArgs>;
    /** The Service Connect namespace (`aws.servicediscovery.HttpNamespace`), when the cluster creates it. */
    serviceConnectNamespace?: Transform<aws.servicediscovery.HttpNamespaceArgs>;
  };
}

interface Resolved {
  insights: "enabled" | "enhanced" | "disabled";
  retention: number;
  strategy: { provider: "FARGATE" | "FARGATE_SPOT" | "EC2"; weight: number; base: number }[];
  ec2?: Required<Omit<Ec2CapacityArgs, "imageId" | "subnetIds" | "capacityProviderName">> &
    Pick<Ec2CapacityArgs, "imageId" | "subnetIds"> & {
      /** The physical name to set, or undefined to let Pulumi name it `<name>-ec2-<random>`. */
      capacityProviderName: string | undefined;
    };
}

/** CreateCapacityProvider: "The name can't be prefixed with aws, ecs, or fargate." */
const RESERVED_CAPACITY_PROVIDER_PREFIX = /^(aws|ecs|fargate)/i;
const CAPACITY_PROVIDER_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * The EC2 capacity provider's physical name. Pulumi's auto-name (`<name>-ec2-<7 random>`) is kept
 * whenever it is valid, so existing providers are not replaced; a component name CreateCapacityProvider
 * would refuse (a reserved prefix, or a `.`) gets `cp-<name>-ec2-<8 hex>`, where the hex is a hash of
 * the project, stack and component name: stable across runs, distinct between stacks of one account.
 */
export function ec2CapacityProviderName(
  componentName: string,
  project: string,
  stack: string,
): string | undefined {
  if (!RESERVED_CAPACITY_PROVIDER_PREFIX.test(componentName) && !componentName.includes("."))
    return undefined;
  const hash = createHash("sha256").update(`${project}/${stack}/${componentName}`).digest("hex").slice(0, 8);
  return `cp-${componentName.replace(/\./g, "-")}-ec2-${hash}`.slice(0, 255);
}

const GRAVITON = /^[a-z]+\d+[a-z]*g[a-z]*\.[a-z0-9]+$/;

function validateCluster(name: string, args: ClusterArgs): Resolved {
  const v = checkComponent(TYPE, name, args);
  checkTags(v, "tags", args.tags);
  v.matches(
    "clusterName",
    args.clusterName,
    /^[A-Za-z0-9_-]{1,255}$/,
    "up to 255 letters, numbers, hyphens and underscores",
  );
  if (args?.clusterName === undefined) {
    // Pulumi auto-names the ECS cluster `<name>-cluster-<7 random characters>`, and ECS
    // CreateCluster accepts only letters, numbers, hyphens and underscores, up to 255.
    v.check(
      /^[A-Za-z0-9_-]{1,239}$/.test(name),
      "name",
      name,
      "the ECS cluster is named after the component (<name>-cluster-<random>), and ECS allows only letters, numbers, hyphens and underscores, up to 255 characters: use at most 239 of those in the component name, or give clusterName",
    );
  }
  v.oneOf("containerInsights", args.containerInsights, ["enabled", "enhanced", "disabled"]);
  if (args.serviceConnectNamespace !== undefined) {
    // Cloud Map: an HTTP namespace name is 1 to 1024 printable ASCII characters; Berth keeps to a DNS-like name.
    v.matches(
      "serviceConnectNamespace.name",
      args.serviceConnectNamespace.name,
      /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
      "a DNS-like name: lowercase labels of letters, digits and hyphens separated by dots (dev.internal)",
    );
    v.arn(
      "serviceConnectNamespace.arn",
      args.serviceConnectNamespace.arn,
      "servicediscovery",
      /^namespace\/ns-/,
    );
  }

  const retention = args.execLogs?.retentionInDays ?? 365;
  v.oneOf("execLogs.retentionInDays", retention, LOG_RETENTION_DAYS);
  v.arn("execLogs.kmsKeyArn", args.execLogs?.kmsKeyArn, "kms", /^key\//);

  const capacity = args.capacity ?? { fargate: { weight: 1 } };
  const entries = (
    [
      ["fargate", "FARGATE"],
      ["fargateSpot", "FARGATE_SPOT"],
      ["ec2", "EC2"],
    ] as const
  ).filter(([key]) => capacity[key] !== undefined);
  if (entries.length === 0) v.fail("capacity", capacity, "name at least one of fargate, fargateSpot, ec2");
  checkCapacityShares(
    v,
    "capacity",
    capacity,
    entries.map(([key]) => ({
      field: `capacity.${key}`,
      weight: capacity[key]!.weight,
      base: capacity[key]!.base,
    })),
    "only one capacity provider of a strategy may have a base above 0",
  );
  const strategy = entries.map(([key, provider]) => {
    const share = capacity[key]!;
    return { provider, weight: share.weight ?? 0, base: share.base ?? 0 };
  });
  if (capacity.ec2 && !args.ec2)
    v.fail("capacity.ec2", capacity.ec2, "an EC2 share needs EC2 capacity: set `ec2`");
  if (capacity.ec2 && (capacity.fargate || capacity.fargateSpot)) {
    v.fail(
      "capacity",
      capacity,
      "ECS does not mix Fargate and EC2 (Auto Scaling group) providers in one strategy",
    );
  }

  let ec2: Resolved["ec2"];
  if (args.ec2) {
    const e = args.ec2;
    if (!args.network) v.fail("network", undefined, "EC2 capacity needs a network (its private subnets)");
    v.oneOf("ec2.architecture", e.architecture, ["arm64", "x86_64"]);
    const architecture = e.architecture ?? "arm64";
    const instanceType = e.instanceType ?? (architecture === "arm64" ? "t4g.medium" : "t3.medium");
    v.matches(
      "ec2.instanceType",
      instanceType,
      /^[a-z][a-z0-9-]*\.[a-z0-9]+$/,
      "an EC2 instance type such as m7g.large",
    );
    const graviton = GRAVITON.test(instanceType);
    if (graviton !== (architecture === "arm64")) {
      v.fail(
        "ec2.instanceType",
        instanceType,
        architecture === "arm64"
          ? 'architecture is arm64: use a Graviton type (t4g, m7g, c7g, r8g…) or set architecture: "x86_64"'
          : 'architecture is x86_64: this is a Graviton (arm64) type; set architecture: "arm64" or use t3, m7i, c7a…',
      );
    }
    const minSize = e.minSize ?? 0;
    const maxSize = e.maxSize ?? 4;
    v.integer("ec2.minSize", minSize, { min: 0, max: 1000 });
    v.integer("ec2.maxSize", maxSize, { min: 1, max: 1000 });
    if (minSize > maxSize) v.fail("ec2.minSize", minSize, `must not exceed ec2.maxSize (${maxSize})`);
    const targetCapacity = e.targetCapacity ?? 100;
    v.integer("ec2.targetCapacity", targetCapacity, { min: 1, max: 100 }, " %");
    const managedScaling = e.managedScaling ?? true;
    const managedTerminationProtection = e.managedTerminationProtection ?? true;
    if (managedTerminationProtection && !managedScaling) {
      v.fail(
        "ec2.managedTerminationProtection",
        true,
        "managed termination protection requires managedScaling: true",
      );
    }
    const containerStopTimeout = e.containerStopTimeout ?? 10;
    v.integer("ec2.containerStopTimeout", containerStopTimeout, { min: 1, max: 120 }, " seconds");
    const rootVolumeSize = e.rootVolumeSize ?? 30;
    v.integer("ec2.rootVolumeSize", rootVolumeSize, { min: 30, max: 16384 }, " GiB");
    const subnets = known(e.subnetIds);
    if (Array.isArray(subnets) && subnets.length === 0)
      v.fail("ec2.subnetIds", subnets, "give at least one subnet");
    if (e.capacityProviderName !== undefined) {
      v.matches(
        "ec2.capacityProviderName",
        e.capacityProviderName,
        CAPACITY_PROVIDER_NAME,
        "up to 255 letters, numbers, hyphens and underscores",
      );
      v.check(
        !RESERVED_CAPACITY_PROVIDER_PREFIX.test(e.capacityProviderName),
        "ec2.capacityProviderName",
        e.capacityProviderName,
        "ECS refuses capacity provider names starting with aws, ecs or fargate; start it with something else, such as cp-",
      );
    }
    const capacityProviderName =
      e.capacityProviderName ?? ec2CapacityProviderName(name, pulumi.getProject(), pulumi.getStack());
    ec2 = {
      architecture,
      instanceType,
      minSize,
      maxSize,
      targetCapacity,
      managedScaling,
      managedTerminationProtection,
      containerStopTimeout,
      rootVolumeSize,
      ssmAccess: e.ssmAccess ?? true,
      imageId: e.imageId,
      subnetIds: e.subnetIds,
      capacityProviderName,
    };
  }
  return { insights: args.containerInsights ?? "enabled", retention, strategy, ec2 };
}

/** The public SSM parameter holding the recommended ECS-optimized Amazon Linux 2023 AMI id. */
export function ecsAmiParameter(architecture: "arm64" | "x86_64"): string {
  return `/aws/service/ecs/optimized-ami/amazon-linux-2023/${architecture === "arm64" ? "arm64/" : ""}recommended/image_id`;
}

/** The user data that joins an instance to a cluster (plain text; the launch template carries it base64). */
export function ecsUserData(clusterName: string, containerStopTimeout: number): string {
  return [
    "#!/bin/bash",
    "cat <<'EOF' >> /etc/ecs/ecs.config",
    `ECS_CLUSTER=${clusterName}`,
    `ECS_CONTAINER_STOP_TIMEOUT=${containerStopTimeout}s`,
    "ECS_AWSVPC_BLOCK_IMDS=true",
    "ECS_ENABLE_SPOT_INSTANCE_DRAINING=true",
    "EOF",
    "",
  ].join("\n");
}

/**
 * An ECS cluster that can run any service of the platform: Container Insights, audited ECS Exec,
 * FARGATE and FARGATE_SPOT with a default strategy, and optional EC2 capacity.
 *
 * @example
 * const cluster = new Cluster("platform", {
 *   capacity: { fargate: { base: 1, weight: 1 }, fargateSpot: { weight: 3 } },
 * });
 * export const clusterName = cluster.name;
 */
export class Cluster extends pulumi.ComponentResource {
  /** Cluster name. */
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** Capacity providers associated with the cluster: FARGATE, FARGATE_SPOT and the EC2 one when there is one. */
  readonly capacityProviderNames: pulumi.Output<string[]>;
  /** The EC2 capacity provider's name, when the cluster has EC2 capacity. */
  readonly ec2CapacityProviderName: pulumi.Output<string | undefined>;
  /** The Auto Scaling group's name, when the cluster has EC2 capacity. */
  readonly autoScalingGroupName: pulumi.Output<string | undefined>;
  /** Security group of the EC2 instances (egress only), when the cluster has EC2 capacity. */
  readonly instanceSecurityGroupId: pulumi.Output<string | undefined>;
  /** Log group receiving ECS Exec session logs. */
  readonly execLogGroupName: pulumi.Output<string>;
  /** The cluster as plain outputs, for services and other stacks. */
  readonly ref: ClusterRef;

  constructor(name: string, args: ClusterArgs = {}, opts?: pulumi.ComponentResourceOptions) {
    const r = validateCluster(name, args);
    super(TYPE, name, {}, opts);
    const tags = mergeTags(args.tags);
    const kms = args.execLogs?.kmsKeyArn;

    const [lgArgs, lgOpts] = transformed(
      args.transform?.execLogGroup,
      { retentionInDays: r.retention, kmsKeyId: kms, tags } as aws.cloudwatch.LogGroupArgs,
      { parent: this, protect: args.protect ?? false } as pulumi.CustomResourceOptions,
    );
    const execLogGroup = new aws.cloudwatch.LogGroup(`${name}-exec-logs`, lgArgs, lgOpts);

    const sc = args.serviceConnectNamespace;
    let namespaceArn: pulumi.Input<string> | undefined = sc?.arn;
    if (sc && sc.arn === undefined) {
      const [nsArgs, nsOpts] = transformed(
        args.transform?.serviceConnectNamespace,
        {
          name: sc.name,
          description: `ECS Service Connect namespace of ${name}`,
          tags,
        } as aws.servicediscovery.HttpNamespaceArgs,
        { parent: this } as pulumi.CustomResourceOptions,
      );
      namespaceArn = new aws.servicediscovery.HttpNamespace(`${name}-namespace`, nsArgs, nsOpts).arn;
    }

    const [clArgs, clOpts] = transformed(
      args.transform?.cluster,
      {
        name: args.clusterName,
        ...(namespaceArn !== undefined ? { serviceConnectDefaults: { namespace: namespaceArn } } : {}),
        settings: [{ name: "containerInsights", value: r.insights }],
        configuration: {
          executeCommandConfiguration: {
            kmsKeyId: kms,
            logging: "OVERRIDE",
            logConfiguration: {
              cloudWatchLogGroupName: execLogGroup.name,
              cloudWatchEncryptionEnabled: kms !== undefined,
            },
          },
        },
        tags,
      } as aws.ecs.ClusterArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    const cluster = new aws.ecs.Cluster(`${name}-cluster`, clArgs, clOpts);

    let ec2Provider: aws.ecs.CapacityProvider | undefined;
    let asg: aws.autoscaling.Group | undefined;
    let instanceSg: aws.ec2.SecurityGroup | undefined;
    if (r.ec2) {
      ({ ec2Provider, asg, instanceSg } = this.ec2Capacity(name, args, r.ec2, cluster, tags));
    }

    const providerNames: pulumi.Input<string>[] = ["FARGATE", "FARGATE_SPOT"];
    if (ec2Provider) providerNames.push(ec2Provider.name);
    const [ccpArgs, ccpOpts] = transformed(
      args.transform?.capacityProviders,
      {
        clusterName: cluster.name,
        capacityProviders: providerNames,
        defaultCapacityProviderStrategies: r.strategy.map((s) => ({
          capacityProvider: s.provider === "EC2" ? ec2Provider!.name : s.provider,
          weight: s.weight,
          base: s.base,
        })),
      } as aws.ecs.ClusterCapacityProvidersArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    const ccp = new aws.ecs.ClusterCapacityProviders(`${name}-capacity`, ccpArgs, ccpOpts);

    // The name and providers are read through the association, so services wait until it exists.
    this.name = pulumi.all([cluster.name, ccp.id]).apply(([n]) => n);
    this.arn = cluster.arn;
    this.capacityProviderNames = pulumi
      .all([ccp.id, ...providerNames])
      .apply(([, ...names]) => names as string[]);
    this.ec2CapacityProviderName = ec2Provider ? ec2Provider.name : pulumi.output(undefined);
    this.autoScalingGroupName = asg ? asg.name : pulumi.output(undefined);
    this.instanceSecurityGroupId = instanceSg ? instanceSg.id : pulumi.output(undefined);
    this.execLogGroupName = execLogGroup.name;
    this.ref = {
      name: this.name,
      arn: this.arn,
      ...(ec2Provider ? { ec2CapacityProviderName: ec2Provider.name } : {}),
      execLogGroupArn: execLogGroup.arn,
      ...(kms ? { execKmsKeyArn: kms } : {}),
      containerInsights: r.insights !== "disabled",
      ...(namespaceArn !== undefined && sc
        ? { serviceConnectNamespaceArn: namespaceArn, serviceConnectNamespaceName: sc.name }
        : {}),
    };
    this.registerOutputs({
      name: this.name,
      arn: this.arn,
      capacityProviderNames: this.capacityProviderNames,
      ec2CapacityProviderName: this.ec2CapacityProviderName,
      autoScalingGroupName: this.autoScalingGroupName,
      instanceSecurityGroupId: this.instanceSecurityGroupId,
      execLogGroupName: this.execLogGroupName,
    });
  }

  private ec2Capacity(
    name: string,
    args: ClusterArgs,
    e: NonNullable<Resolved["ec2"]>,
    cluster: aws.ecs.Cluster,
    tags: Record<string, string>,
  ) {
    const t = args.transform ?? {};
    const network = args.network!;
    const partition = cluster.arn.apply((a) => arnParts(a).partition);

    const [roleArgs, roleOpts] = transformed(
      t.instanceRole,
      {
        description: `ECS container instances of ${name}`,
        assumeRolePolicy: JSON.stringify(assumeRolePolicy("ec2.amazonaws.com")),
        tags,
      } as aws.iam.RoleArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    const role = new aws.iam.Role(`${name}-instance-role`, roleArgs, roleOpts);
    // Managed policies as attachments (the role's managedPolicyArns is deprecated in @pulumi/aws 7).
    const instancePolicies: [string, pulumi.Output<string>][] = [
      [
        "ecs",
        pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role`,
      ],
      ...(e.ssmAccess
        ? [
            ["ssm", pulumi.interpolate`arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`] as [
              string,
              pulumi.Output<string>,
            ],
          ]
        : []),
    ];
    const attachments = instancePolicies.map(([suffix, policyArn]) => {
      const [aArgs, aOpts] = transformed(
        t.instancePolicyAttachment,
        { role: role.name, policyArn } as aws.iam.RolePolicyAttachmentArgs,
        { parent: this } as pulumi.CustomResourceOptions,
      );
      return new aws.iam.RolePolicyAttachment(`${name}-instance-${suffix}`, aArgs, aOpts);
    });

    const [ipArgs, ipOpts] = transformed(
      t.instanceProfile,
      { role: role.name, tags } as aws.iam.InstanceProfileArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    const profile = new aws.iam.InstanceProfile(`${name}-instance-profile`, ipArgs, ipOpts);

    const [sgArgs, sgOpts] = transformed(
      t.instanceSecurityGroup,
      {
        description: `ECS container instances of ${name}: outbound only`,
        vpcId: network.vpcId,
        egress: [
          {
            description: "ECS agent, image pulls, AWS APIs",
            protocol: "-1",
            fromPort: 0,
            toPort: 0,
            cidrBlocks: ["0.0.0.0/0"],
          },
        ],
        tags: { ...tags, Name: `${name}-instances` },
      } as aws.ec2.SecurityGroupArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    const instanceSg = new aws.ec2.SecurityGroup(`${name}-instances`, sgArgs, sgOpts);

    const imageId =
      e.imageId ??
      aws.ssm.getParameterOutput({ name: ecsAmiParameter(e.architecture) }, { parent: this }).value;

    const [ltArgs, ltOpts] = transformed(
      t.launchTemplate,
      {
        description: `ECS-optimized Amazon Linux 2023 (${e.architecture}) for ${name}`,
        imageId,
        instanceType: e.instanceType,
        iamInstanceProfile: { arn: profile.arn },
        vpcSecurityGroupIds: [instanceSg.id],
        metadataOptions: {
          httpEndpoint: "enabled",
          httpTokens: "required",
          httpPutResponseHopLimit: 1,
          instanceMetadataTags: "disabled",
        },
        blockDeviceMappings: [
          {
            deviceName: "/dev/xvda",
            ebs: {
              volumeSize: e.rootVolumeSize,
              volumeType: "gp3",
              encrypted: "true",
              deleteOnTermination: "true",
            },
          },
        ],
        userData: cluster.name.apply((n) =>
          Buffer.from(ecsUserData(n, e.containerStopTimeout)).toString("base64"),
        ),
        updateDefaultVersion: true,
        tagSpecifications: [
          { resourceType: "instance", tags: { ...tags, Name: `${name}-ecs` } },
          { resourceType: "volume", tags },
        ],
        tags,
      } as aws.ec2.LaunchTemplateArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    const lt = new aws.ec2.LaunchTemplate(`${name}-launch-template`, ltArgs, ltOpts);

    const [asgArgs, asgOpts] = transformed(
      t.autoScalingGroup,
      {
        vpcZoneIdentifiers: e.subnetIds ?? network.privateSubnetIds,
        minSize: e.minSize,
        maxSize: e.maxSize,
        launchTemplate: { id: lt.id, version: lt.latestVersion.apply((x) => String(x)) },
        protectFromScaleIn: e.managedTerminationProtection,
        healthCheckType: "EC2",
        tags: [
          // ECS adds this tag to groups it manages; declaring it keeps Pulumi from removing it.
          { key: "AmazonECSManaged", value: "", propagateAtLaunch: true },
          ...Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
        ],
      } as aws.autoscaling.GroupArgs,
      // Managed scaling changes the desired capacity; Pulumi must not fight it. Instances start
      // only once their role has the ECS policies (or they would fail to join the cluster).
      {
        parent: this,
        ignoreChanges: ["desiredCapacity"],
        dependsOn: attachments,
      } as pulumi.CustomResourceOptions,
    );
    const asg = new aws.autoscaling.Group(`${name}-asg`, asgArgs, asgOpts);

    const [cpArgs, cpOpts] = transformed(
      t.ec2CapacityProvider,
      {
        ...(e.capacityProviderName ? { name: e.capacityProviderName } : {}),
        autoScalingGroupProvider: {
          autoScalingGroupArn: asg.arn,
          managedScaling: {
            status: e.managedScaling ? "ENABLED" : "DISABLED",
            targetCapacity: e.targetCapacity,
            minimumScalingStepSize: 1,
            maximumScalingStepSize: 10,
            instanceWarmupPeriod: 300,
          },
          managedTerminationProtection: e.managedTerminationProtection ? "ENABLED" : "DISABLED",
          managedDraining: "ENABLED",
        },
        tags,
      } as aws.ecs.CapacityProviderArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    const ec2Provider = new aws.ecs.CapacityProvider(`${name}-ec2`, cpArgs, cpOpts);
    return { ec2Provider, asg, instanceSg };
  }
}
