import type { NetworkRef, Transform, Validator } from "@berth/core";
import { transformed } from "@berth/core";
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { checkCapacityShares } from "../capacity.js";
import type { ClusterRef } from "../refs.js";
import type { CpuArchitecture, FargateCapacityShare } from "../service-args.js";
import { childOpts, type PartScope } from "./scope.js";

/** Where the tasks run: capacity, CPU architecture, subnets and extra security groups. */
export interface PlacementArgs {
  /**
   * CPU architecture. Graviton (`ARM64`) costs about 20% less on Fargate; the image must be built
   * for it.
   * @default "ARM64"
   * @example architecture: "X86_64"
   */
  architecture?: CpuArchitecture;
  /**
   * Where tasks run: Fargate on demand, Fargate Spot (up to 70% cheaper, may be interrupted with
   * two minutes' notice: dev, or stateless workers), or the cluster's EC2 capacity provider
   * (`cluster.ec2CapacityProviderName`). The cluster must have the capacity provider associated
   * (`Cluster` associates FARGATE and FARGATE_SPOT). `"CLUSTER_DEFAULT"` follows the cluster's
   * default capacity provider strategy (e.g. an on-demand base with a Spot-heavy rest, set by the
   * stack on `Cluster`); that strategy must then be Fargate-only. ECS applies a cluster's default
   * when the service is created: a later change of the default does not move existing services.
   * A list mixes Fargate and Fargate Spot explicitly (weights 0–1000, at least one above 0; `base`
   * tasks on at most one provider).
   * @default "FARGATE"
   * @example capacity: [{ capacityProvider: "FARGATE", base: 1, weight: 1 }, { capacityProvider: "FARGATE_SPOT", weight: 4 }]
   */
  capacity?: "FARGATE" | "FARGATE_SPOT" | "EC2" | "CLUSTER_DEFAULT" | FargateCapacityShare[];
  /**
   * Subnets of the tasks. `"public"` puts them in the public subnets with a public IP, for a dev
   * environment without NAT (Fargate only); the security group still admits only the load balancer.
   * @default "private"
   * @example subnets: "public"
   */
  subnets?: "private" | "public";
  /**
   * More security groups for the tasks (e.g. one a database admits).
   * @default []
   * @example securityGroupIds: [dbClientSg.id]
   */
  securityGroupIds?: pulumi.Input<string>[];
}

/** Escape hatches of the placement's children. */
export interface PlacementTransforms {
  /** The tasks' security group (`aws.ec2.SecurityGroup`). */
  securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
  /** Its one egress rule: all outbound traffic (`aws.vpc.SecurityGroupEgressRule`). */
  egressRule?: Transform<aws.vpc.SecurityGroupEgressRuleArgs>;
}

export type Capacity = "FARGATE" | "FARGATE_SPOT" | "EC2" | "CLUSTER_DEFAULT" | FargateCapacityShare[];

/** The placement with every default applied. */
export interface ResolvedPlacement {
  capacity: Capacity;
  architecture: CpuArchitecture;
  subnets: "private" | "public";
}

/** Checks capacity (providers, weights and bases as ECS does) and architecture. */
export function resolvePlacement(v: Validator, args: PlacementArgs): ResolvedPlacement {
  const capacity = args.capacity ?? "FARGATE";
  if (Array.isArray(capacity)) {
    v.check(capacity.length > 0, "capacity", capacity, "a capacity list needs at least one provider");
    v.unique(
      "capacity",
      capacity.map((c) => c.capacityProvider),
    );
    capacity.forEach((c, i) => {
      v.oneOf(`capacity[${i}].capacityProvider`, c.capacityProvider, ["FARGATE", "FARGATE_SPOT"] as const);
    });
    checkCapacityShares(
      v,
      "capacity",
      capacity,
      capacity.map((c, i) => ({ field: `capacity[${i}]`, weight: c.weight, base: c.base })),
      "ECS allows a base on one provider only",
    );
  } else {
    v.oneOf("capacity", capacity, ["FARGATE", "FARGATE_SPOT", "EC2", "CLUSTER_DEFAULT"] as const);
  }
  const architecture = args.architecture ?? "ARM64";
  v.oneOf("architecture", architecture, ["ARM64", "X86_64"] as const);
  // ECS (and Scheduler, and RunTask) take at most 5 security groups per task; the task's own is one.
  v.check(
    (args.securityGroupIds?.length ?? 0) <= 4,
    "securityGroupIds",
    args.securityGroupIds,
    "ECS allows 5 security groups per task, the service's own included: at most 4 more",
  );
  return { capacity, architecture, subnets: args.subnets ?? "private" };
}

/** Checks the subnets (public IPs are a Fargate feature). */
export function resolveSubnets(v: Validator, r: ResolvedPlacement): void {
  v.oneOf("subnets", r.subnets, ["private", "public"] as const);
  v.check(
    !(r.subnets === "public" && r.capacity === "EC2"),
    "subnets",
    r.subnets,
    'public IPs are a Fargate feature; use "private" with capacity "EC2"',
  );
}

/** The launch type or capacity provider strategy, as ECS's RunTask and CreateService take it. */
export function capacityFragment(
  r: ResolvedPlacement,
  cluster: ClusterRef,
):
  | { launchType: string }
  | {
      capacityProviderStrategies: { capacityProvider: pulumi.Input<string>; weight: number; base?: number }[];
    }
  | Record<string, never> {
  // CLUSTER_DEFAULT sets neither: ECS then applies the cluster's default strategy.
  if (Array.isArray(r.capacity)) {
    return {
      capacityProviderStrategies: r.capacity.map((c) => ({
        capacityProvider: c.capacityProvider,
        weight: c.weight ?? 0,
        base: c.base ?? 0,
      })),
    };
  }
  if (r.capacity === "CLUSTER_DEFAULT") return {};
  if (r.capacity === "FARGATE") return { launchType: "FARGATE" };
  return {
    capacityProviderStrategies: [
      {
        capacityProvider: r.capacity === "EC2" ? cluster.ec2CapacityProviderName! : "FARGATE_SPOT",
        weight: 1,
      },
    ],
  };
}

/** The tasks' security group and network settings. */
export interface PlacementPart {
  securityGroup: aws.ec2.SecurityGroup;
  subnets: pulumi.Input<pulumi.Input<string>[]>;
  securityGroups: pulumi.Input<string>[];
  assignPublicIp: boolean;
}

/**
 * Creates the tasks' security group with one egress rule (all outbound: images, secrets, logs and
 * the services the app calls) and no ingress: each exposure adds exactly the ingress it needs.
 */
export function createPlacement(
  scope: PartScope,
  args: PlacementArgs,
  r: ResolvedPlacement,
  network: NetworkRef,
  t: PlacementTransforms,
  description: string,
): PlacementPart {
  const { name, tags } = scope;
  const [sgArgs, sgOpts] = transformed(
    t.securityGroup,
    { vpcId: network.vpcId, description, tags } as aws.ec2.SecurityGroupArgs,
    childOpts(scope),
  );
  const securityGroup = new aws.ec2.SecurityGroup(`${name}-sg`, sgArgs, sgOpts);
  const [egArgs, egOpts] = transformed(
    t.egressRule,
    {
      securityGroupId: securityGroup.id,
      ipProtocol: "-1",
      cidrIpv4: "0.0.0.0/0",
      description: "Outbound: images, secrets, logs and the services the app calls",
      tags,
    } as aws.vpc.SecurityGroupEgressRuleArgs,
    childOpts(scope),
  );
  new aws.vpc.SecurityGroupEgressRule(`${name}-egress`, egArgs, egOpts);
  return {
    securityGroup,
    subnets: r.subnets === "public" ? network.publicSubnetIds : network.privateSubnetIds,
    securityGroups: [securityGroup.id, ...(args.securityGroupIds ?? [])],
    assignPublicIp: r.subnets === "public",
  };
}
