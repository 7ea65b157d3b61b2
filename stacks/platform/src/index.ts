/**
 * berth-platform: one environment (dev, staging or prod) of the Berth platform: what its services
 * share.
 *
 *   network -> cluster (with the Service Connect namespace) -> shared load balancer
 *           -> per internal service, the security group of its callers
 *
 * Everything that differs between environments is in Pulumi.<env>.yaml, checked against
 * src/config.ts before anything is created. The services themselves are not here: each runs in its
 * own stack (berth-service/<env>.<service>, stacks/service), which reads `forServices` through a
 * StackReference, so deploying one service never locks or risks another.
 */
import { join } from "node:path";
import { Cluster, type FargateCapacityShare, LoadBalancer } from "@berth/cluster";
import { loadCatalogue, partitionOfRegion, placeIamResources, platformEnvironments } from "@berth/core";
import { createDataResource, type DataRef } from "@berth/data";
import { Network } from "@berth/networking";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadPlatformConfig, type PlatformConfig } from "./config";

const env = pulumi.getStack();
const cfg = loadPlatformConfig(env);
const { protect, network: net, cluster: ecs, loadBalancer: lb } = cfg;

// The catalogue (apps/*/berth.yaml), checked whole before any resource: the environment keeps what
// its services share (the callers' security groups of the internal ones).
const repoRoot = join(__dirname, "..", "..", "..");
const catalogue = loadCatalogue(process.env.BERTH_APPS_DIR ?? join(repoRoot, "apps"), {
  environments: platformEnvironments(repoRoot),
});

// Every IAM role, policy and instance profile under /berth/<env>/, roles with the environment's
// workload boundary: what the account's bootstrap (stacks/bootstrap) lets the deploy role create.
pulumi.runtime.registerStackTransformation(
  placeIamResources(env, partitionOfRegion(cfg.aws.region), cfg.accountId),
);

// One provider for the whole stack: every resource is tagged, in this account and region.
const provider = new aws.Provider("aws", {
  region: cfg.aws.region as aws.Region,
  allowedAccountIds: [cfg.accountId],
  ...(cfg.aws.profile ? { profile: cfg.aws.profile } : {}),
  defaultTags: {
    tags: {
      Project: "berth",
      Environment: env,
      ManagedBy: "pulumi",
      Owner: cfg.owner,
      CostCenter: cfg.costCenter,
    },
  },
});
const providers = { providers: [provider] };

// Databases run in isolated subnets (no route out of the VPC): the tier exists only in an environment
// with a database (owned by a service or shared); adding it later lays it out after the other tiers.
const databases = catalogue.resources(env).filter((r) => r.kind === "postgres");

export = async () => {
  const network = new Network(
    "platform",
    {
      cidrBlock: net.cidrBlock,
      availabilityZones: net.availabilityZones,
      natMode: net.natMode,
      // Without NAT only public tasks run (checked in config.ts): the private tier stays empty.
      ...(net.natMode === "none" ? { endpointsOnly: true } : {}),
      interfaceEndpoints: net.interfaceEndpoints,
      ...(databases.length > 0 ? { subnets: { isolated: {} } } : {}),
      flowLogs: net.flowLogs.enabled ? { retentionInDays: net.flowLogs.retentionInDays } : false,
      ipv6: net.ipv6,
      region: cfg.aws.region,
      protect,
    },
    providers,
  );

  const cluster = new Cluster(
    "platform",
    {
      containerInsights: ecs.containerInsights,
      capacity: ecs.capacity,
      execLogs: { retentionInDays: ecs.execLogRetentionInDays },
      // ECS Service Connect: internal services publish http://<name>:<port> in this namespace.
      serviceConnectNamespace: { name: `${env}.internal` },
      protect,
    },
    providers,
  );

  const loadBalancer = new LoadBalancer(
    "web",
    {
      network: network.ref,
      ...(lb.domain ? { domain: { name: lb.domain, hostedZoneName: lb.hostedZone } } : {}),
      ...(lb.certificateArn ? { certificateArn: lb.certificateArn } : {}),
      deletionProtection: lb.deletionProtection,
      ipAddressType: lb.ipAddressType,
      accessLogs: lb.accessLogs.enabled ? { retentionInDays: lb.accessLogs.retentionInDays } : false,
      protect,
    },
    providers,
  );

  // Per internal service of the catalogue, the security group its callers' tasks join: the internal
  // service admits exactly this group, so no service stack ever names another service's stack.
  // Kept in AWS when a service leaves the catalogue in prod (retiring a service is an explicit step).
  const callerSecurityGroups: Record<string, pulumi.Output<string>> = {};
  for (const svc of catalogue.services.filter((s) => s.kind === "internal")) {
    callerSecurityGroups[svc.name] = new aws.ec2.SecurityGroup(
      `${svc.name}-callers`,
      {
        vpcId: network.vpcId,
        description: `Tasks that may call ${svc.name} through Service Connect`,
        tags: { Name: `${svc.name}-callers`, Service: svc.name },
      },
      { provider, ...(protect ? { retainOnDelete: true } : {}) },
    ).id;
  }

  // The environment's shared data resources (apps/berth.shared.yaml): each service that lists one in
  // `uses` links it from its own stack (permissions, the security-group path, its variables).
  const zones = net.availabilityZones;
  const perZone = (ids: pulumi.Output<string[]>) =>
    Array.from({ length: zones }, (_, i) => ids.apply((all) => all[i]!));
  const data: Record<string, DataRef> = {};
  for (const r of catalogue.resources(env).filter((r) => r.owner === undefined)) {
    data[r.name] = createDataResource(
      r.name,
      r.settings,
      {
        network: {
          vpcId: network.vpcId,
          privateSubnetIds: perZone(network.privateSubnetIds),
          isolatedSubnetIds: perZone(network.isolatedSubnetIds),
          availabilityZones: network.availabilityZones,
        },
        protect,
        tags: { Shared: "true" },
      },
      providers,
    );
  }

  // What every service stack (berth-service/<env>.<service>) reads through a StackReference.
  const forServices = {
    environment: env,
    region: cfg.aws.region,
    accountId: cfg.accountId,
    sharedStack: cfg.sharedStack,
    protect,
    tags: { Owner: cfg.owner, CostCenter: cfg.costCenter },
    network: network.ref,
    cluster: cluster.ref,
    loadBalancer: loadBalancer.ref,
    // Where tasks run and on which capacity: dev has no NAT, so its tasks are public.
    tasks: { subnets: cfg.tasks.subnets, capacity: capacityProviderStrategy(ecs.capacity) },
    callerSecurityGroups,
    data,
  };

  return {
    environment: env,
    forServices,
    vpcId: network.vpcId,
    clusterName: cluster.name,
    loadBalancerDnsName: loadBalancer.dnsName,
    url: loadBalancer.url,
  };
};

function capacityProviderStrategy(capacity: PlatformConfig["cluster"]["capacity"]): FargateCapacityShare[] {
  return [
    ...(capacity.fargate ? [{ capacityProvider: "FARGATE" as const, ...capacity.fargate }] : []),
    ...(capacity.fargateSpot ? [{ capacityProvider: "FARGATE_SPOT" as const, ...capacity.fargateSpot }] : []),
  ];
}
