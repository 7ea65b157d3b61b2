/**
 * berth-platform: one environment (dev, staging or prod) of the Berth platform.
 *
 *   network -> cluster -> shared load balancer -> hello service
 *
 * Everything that differs between environments is in Pulumi.<env>.yaml, checked against
 * src/config.ts before anything is created. The hello image comes from the environment's release
 * pointer (`/berth/<env>/hello/image`), which the deploy pipeline writes before `pulumi up`.
 */
import { Cluster, LoadBalancer, Service } from "@berth/cluster";
import { Network } from "@berth/networking";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadPlatformConfig } from "./config";
import { checkReleasePointer, releasePointerName } from "./release";

const env = pulumi.getStack();
const cfg = loadPlatformConfig(env);
const protect = cfg.protect;

// One provider for the whole stack: every resource is tagged and lands in this region.
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

// Registry outputs of the shared stack (berth-shared).
const shared = new pulumi.StackReference(cfg.sharedStack);
const helloRepositoryUrl = shared
  .requireOutput("repositoryUrls")
  .apply((urls) => requireKey(urls as Record<string, string>, "hello", "repositoryUrls"));

const network = new Network(
  "platform",
  {
    cidrBlock: cfg.network.cidrBlock,
    availabilityZones: cfg.network.availabilityZones,
    natMode: cfg.network.natMode,
    interfaceEndpoints: cfg.network.interfaceEndpoints,
    flowLogs: cfg.network.flowLogs.enabled
      ? { retentionInDays: cfg.network.flowLogs.retentionInDays }
      : false,
    region: cfg.aws.region,
    protect,
  },
  providers,
);

const cluster = new Cluster(
  "platform",
  {
    containerInsights: cfg.cluster.containerInsights,
    capacity: cfg.cluster.capacity,
    execLogs: { retentionInDays: cfg.cluster.execLogRetentionInDays },
    protect,
  },
  providers,
);

const lbConfig = cfg.loadBalancer;
const loadBalancer = new LoadBalancer(
  "web",
  {
    network: network.ref,
    ...(lbConfig.domain
      ? {
          domain: {
            name: lbConfig.domain,
            ...(lbConfig.hostedZone ? { hostedZoneName: lbConfig.hostedZone } : {}),
          },
        }
      : {}),
    ...(lbConfig.certificateArn ? { certificateArn: lbConfig.certificateArn } : {}),
    deletionProtection: lbConfig.deletionProtection,
    accessLogs: lbConfig.accessLogs.enabled
      ? { retentionInDays: lbConfig.accessLogs.retentionInDays }
      : false,
    protect,
  },
  providers,
);

// The release pointer, unless the file names an image for the very first deploy.
const hello = cfg.hello;
const pointer = releasePointerName(env, "hello");
const image = hello.imageOverride
  ? warnOverride(hello.imageOverride)
  : pulumi
      .all([aws.ssm.getParameterOutput({ name: pointer }, { provider }).value, helloRepositoryUrl])
      .apply(([value, repositoryUrl]) =>
        checkReleasePointer({
          parameter: pointer,
          value,
          repositoryUrl,
          region: cfg.aws.region,
          hint:
            `The deploy pipeline writes it; for a first deploy before any pipeline run, set ` +
            `berth-platform:hello.imageOverride in Pulumi.${env}.yaml.`,
        }),
      );

const service = new Service(
  "hello",
  {
    cluster: cluster.ref,
    network: network.ref,
    loadBalancer: loadBalancer.ref,
    image,
    port: 8080,
    healthCheck: { path: "/healthz" },
    rule: lbConfig.domain
      ? { priority: hello.priority, hosts: [lbConfig.domain] }
      : { priority: hello.priority, paths: ["/*"] },
    cpu: hello.cpu,
    memory: hello.memory,
    architecture: hello.architecture,
    desiredCount: hello.desiredCount,
    logs: { retentionInDays: hello.logRetentionInDays },
    deployment: {
      strategy: hello.deployment.strategy,
      ...(hello.deployment.canaryPercent !== undefined
        ? { canary: { percent: hello.deployment.canaryPercent } }
        : {}),
      ...(hello.deployment.linearStepPercent !== undefined
        ? { linear: { stepPercent: hello.deployment.linearStepPercent } }
        : {}),
      ...(hello.deployment.bakeTimeMinutes !== undefined
        ? { bakeTimeMinutes: hello.deployment.bakeTimeMinutes }
        : {}),
    },
    ...(hello.scaling
      ? { scaling: { min: hello.scaling.min, max: hello.scaling.max, cpuTarget: hello.scaling.cpuTarget } }
      : {}),
    protect,
    transform: {
      // The Service takes one capacity provider; run it on the cluster's strategy (Spot mix) instead.
      service: (args) => {
        delete args.launchType;
        args.capacityProviderStrategies = capacityProviderStrategy(cfg.cluster.capacity);
      },
    },
  },
  providers,
);

export const environment = env;
export const url = service.url;
export const vpcId = network.vpcId;
export const clusterName = cluster.name;
export const serviceName = service.serviceName;
export const loadBalancerDnsName = loadBalancer.dnsName;
export const logGroupName = service.logGroupName;
export const worstCaseBatchSeconds = service.worstCaseBatchSeconds;
export const dashboardName = service.dashboardName;
export const releasePointer = hello.imageOverride ? undefined : pointer;
export { image };

function capacityProviderStrategy(capacity: typeof cfg.cluster.capacity) {
  return [
    ...(capacity.fargate ? [{ capacityProvider: "FARGATE", ...capacity.fargate }] : []),
    ...(capacity.fargateSpot ? [{ capacityProvider: "FARGATE_SPOT", ...capacity.fargateSpot }] : []),
  ];
}

function requireKey(map: Record<string, string> | undefined, key: string, output: string): string {
  const value = map?.[key];
  if (!value) {
    throw new Error(
      `the shared stack ${cfg.sharedStack} has no '${key}' in its ${output} output (has: ${Object.keys(map ?? {}).join(", ") || "none"})`,
    );
  }
  return value;
}

function warnOverride(override: string): string {
  pulumi.log.warn(
    `hello runs ${override} from berth-platform:hello.imageOverride, not the release pointer ${pointer}; ` +
      `remove the override once the pipeline has deployed`,
  );
  return override;
}
