/**
 * berth-platform: one environment (dev, staging or prod) of the Berth platform.
 *
 *   network -> cluster -> shared load balancer -> hello service
 *
 * Everything that differs between environments is in Pulumi.<env>.yaml, checked against
 * src/config.ts before anything is created. The hello image comes from the environment's release
 * pointer (`/berth/<env>/hello/image`), which the deploy pipeline writes before `pulumi up`, so a
 * later manual `pulumi up` keeps the deployed image.
 */
import { Cluster, type FargateCapacityShare, LoadBalancer, Service } from "@berth/cluster";
import { releaseParameterName } from "@berth/core";
import { Network } from "@berth/networking";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadPlatformConfig, type PlatformConfig } from "./config";
import { releaseImage } from "./release";

const env = pulumi.getStack();
const cfg = loadPlatformConfig(env);
const { protect, network: net, cluster: ecs, loadBalancer: lb, hello } = cfg;

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

// The registry lives in the shared stack (berth-shared).
const shared = new pulumi.StackReference(cfg.sharedStack);

export = async () => {
  // The image first: a wrong release pointer stops the program before any AWS resource is declared
  // (only the provider and the StackReference exist by then, and they create nothing in AWS).
  const image = await releaseImage({
    environment: env,
    service: "hello",
    shared,
    provider,
    region: cfg.aws.region,
    override: hello.imageOverride,
    overrideKey: "berth-platform:hello.imageOverride",
    hint:
      "The deploy pipeline writes it; for a first deploy before any pipeline run, set " +
      `berth-platform:hello.imageOverride in Pulumi.${env}.yaml.`,
  });

  const network = new Network(
    "platform",
    {
      cidrBlock: net.cidrBlock,
      availabilityZones: net.availabilityZones,
      natMode: net.natMode,
      // Without NAT only public tasks run (checked in config.ts): the private tier stays empty.
      ...(net.natMode === "none" ? { endpointsOnly: true } : {}),
      interfaceEndpoints: net.interfaceEndpoints,
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

  const service = new Service(
    "hello",
    {
      cluster: cluster.ref,
      network: network.ref,
      loadBalancer: loadBalancer.ref,
      image,
      port: 8080,
      healthCheck: {
        path: "/healthz",
        interval: hello.rollout.healthCheckIntervalSeconds,
        timeout: Math.min(5, hello.rollout.healthCheckIntervalSeconds - 1),
      },
      deployment: {
        ...deployment(hello.deployment),
        healthCheckGracePeriodSeconds: hello.rollout.healthCheckGracePeriodSeconds,
      },
      deregistrationDelaySeconds: hello.rollout.deregistrationDelaySeconds,
      stopTimeout: hello.rollout.stopTimeoutSeconds,
      environment: {
        SERVICE_NAME: "hello",
        DEPLOY_ENV: env,
        // The app drains on SIGTERM and exits before ECS's SIGKILL at the stop timeout.
        SHUTDOWN_TIMEOUT_MS: String((hello.rollout.stopTimeoutSeconds - 2) * 1000),
      },
      rule: lb.domain
        ? { priority: hello.priority, hosts: [lb.domain] }
        : { priority: hello.priority, paths: ["/*"] },
      cpu: hello.cpu,
      memory: hello.memory,
      architecture: hello.architecture,
      desiredCount: hello.desiredCount,
      logs: { retentionInDays: hello.logRetentionInDays },
      ...(hello.scaling ? { scaling: hello.scaling } : {}),
      // The same Fargate / Fargate Spot mix as the cluster's default strategy.
      capacity: capacityProviderStrategy(ecs.capacity),
      subnets: hello.subnets,
      protect,
    },
    providers,
  );

  return {
    environment: env,
    url: service.url,
    vpcId: network.vpcId,
    clusterName: cluster.name,
    serviceName: service.serviceName,
    loadBalancerDnsName: loadBalancer.dnsName,
    logGroupName: service.logGroupName,
    worstCaseBatchSeconds: service.worstCaseBatchSeconds,
    dashboardName: service.dashboardName,
    image,
    releasePointer: hello.imageOverride ? undefined : releaseParameterName(env, "hello"),
  };
};

function deployment(d: PlatformConfig["hello"]["deployment"]) {
  return {
    strategy: d.strategy,
    ...(d.canaryPercent !== undefined ? { canary: { percent: d.canaryPercent } } : {}),
    ...(d.linearStepPercent !== undefined ? { linear: { stepPercent: d.linearStepPercent } } : {}),
    ...(d.bakeTimeMinutes !== undefined ? { bakeTimeMinutes: d.bakeTimeMinutes } : {}),
  };
}

function capacityProviderStrategy(capacity: PlatformConfig["cluster"]["capacity"]): FargateCapacityShare[] {
  return [
    ...(capacity.fargate ? [{ capacityProvider: "FARGATE" as const, ...capacity.fargate }] : []),
    ...(capacity.fargateSpot ? [{ capacityProvider: "FARGATE_SPOT" as const, ...capacity.fargateSpot }] : []),
  ];
}
