/**
 * berth-service: one service of the catalogue in one environment. The stack is named
 * `<env>.<service>` (prod.orders): the program reads apps/<service>/berth.yaml for that environment,
 * what the environment shares (berth-platform/<env>, output `forServices`) and the service's release
 * pointer, then creates the service's kind (web, internal, worker, job) and nothing else, so a deploy
 * of one service never locks or risks another.
 *
 * Imports are extensionless on purpose: this package is CommonJS, and the Pulumi CLI's ts-node
 * resolves "./args" but not "./args.js" to src/args.ts.
 */
import { join } from "node:path";
import { InternalService, ScheduledJob, WebService, WorkerService } from "@berth/cluster";
import {
  loadCatalogue,
  partitionOfRegion,
  placeIamResources,
  platformEnvironments,
  releaseParameterName,
  type ServiceManifest,
} from "@berth/core";
import { createDataResource, type DataRef, linkDataResource, Queue } from "@berth/data";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { internalArgs, jobArgs, type Resolved, webArgs, workerArgs } from "./args";
import { readPlatform } from "./platform";
import { releaseImage } from "./release";
import { parseStackName } from "./stack-name";

const { environment, service } = parseStackName(pulumi.getStack());

// The whole catalogue, checked before anything is declared: a bad manifest anywhere (or a route
// collision with another service) stops the deploy with file:line errors.
const repoRoot = join(__dirname, "..", "..", "..");
const environments = platformEnvironments(repoRoot);
if (!environments.includes(environment)) {
  throw new Error(
    `stack ${pulumi.getStack()}: the platform has no environment ${environment} (it has ${environments.join(", ")})`,
  );
}
const catalogue = loadCatalogue(process.env.BERTH_APPS_DIR ?? join(repoRoot, "apps"), { environments });
const manifest = catalogue.service(service, environment);
if (!manifest) {
  throw new Error(
    `stack ${pulumi.getStack()}: no service ${service} in the catalogue (apps/*/berth.yaml has ${
      catalogue.services.map((s) => s.name).join(", ") || "none"
    })`,
  );
}

const org = pulumi.getOrganization();
const platformName = `${org}/berth-platform/${environment}`;
const platformRef = new pulumi.StackReference(platformName);

export = async () => {
  // What the environment shares, as plain values, and the image, before any AWS resource.
  const platform = await readPlatform(platformRef, platformName);
  // IAM under /berth/<env>/ with the environment's workload boundary (stacks/bootstrap requires it).
  pulumi.runtime.registerStackTransformation(
    placeIamResources(environment, partitionOfRegion(platform.region), platform.accountId),
  );
  const provider = new aws.Provider("aws", {
    region: platform.region as aws.Region,
    allowedAccountIds: [platform.accountId],
    defaultTags: {
      tags: {
        Project: "berth",
        Environment: environment,
        Service: service,
        ManagedBy: "pulumi",
        ...platform.tags,
      },
    },
  });
  const image = await imageOf(manifest, platform.sharedStack, provider, platform.region);
  const partition = partitionOfRegion(platform.region);
  const resolved: Resolved = {
    environment,
    image,
    secretArn: (ref) => {
      // `<env>` in a reference stands for the environment (the catalogue checked the prefixes).
      if ("ssm" in ref) {
        const name = ref.ssm.replaceAll("<env>", environment);
        return `arn:${partition}:ssm:${platform.region}:${platform.accountId}:parameter${name}`;
      }
      // By name: the full ARN (with the 6 characters Secrets Manager appends), so the execution role
      // may read exactly that secret. Preview fails here if the secret does not exist.
      const secret = ref.secretsManager.replaceAll("<env>", environment);
      const arn = secret.startsWith("arn:")
        ? pulumi.output(secret)
        : aws.secretsmanager.getSecretOutput({ name: secret }, { provider }).arn;
      return ref.key ? pulumi.interpolate`${arn}:${ref.key}::` : arn;
    },
    links: [],
  };
  const opts = { providers: [provider] };

  // The data resources this service owns (its manifest's `resources`), then what its `uses` grant:
  // its own resources, or the environment's shared ones (created by berth-platform/<env>).
  const owned: Record<string, DataRef> = {};
  for (const r of catalogue.resources(environment).filter((r) => r.owner === service)) {
    owned[r.name] = createDataResource(
      r.name,
      r.settings,
      {
        network: {
          vpcId: platform.network.vpcId,
          privateSubnetIds: platform.network.privateSubnetIds as string[],
          ...(platform.network.isolatedSubnetIds
            ? { isolatedSubnetIds: platform.network.isolatedSubnetIds as string[] }
            : {}),
          ...(platform.network.availabilityZones
            ? { availabilityZones: platform.network.availabilityZones }
            : {}),
        },
        protect: platform.protect,
        tags: { Service: service },
      },
      opts,
    );
  }
  // The owned resources' plain outputs (endpoints, ARNs, the database's secret ARN: no secret value).
  const dataOutput = Object.keys(owned).length > 0 ? { data: owned } : {};
  resolved.links = catalogue.links(service, environment).map((link) => {
    const data = link.owner === undefined ? platform.data?.[link.name] : owned[link.name];
    if (!data) {
      throw new Error(
        `stack ${pulumi.getStack()}: uses ${link.name}, a shared ${link.kind} of apps/berth.shared.yaml, but ${platformName} does not export it yet: deploy the platform stack first`,
      );
    }
    return linkDataResource(link, data, service, opts);
  });

  switch (manifest.kind) {
    case "web": {
      const route = catalogue.routes(environment).find((r) => r.service === service)!;
      const web = new WebService(service, webArgs(manifest, platform, resolved, route), {
        ...opts,
        // A web service that ran in berth-platform as `Service` keeps its state (docs/operations.md).
        aliases: [{ type: "berth:cluster:Service" }],
      });
      return {
        kind: manifest.kind,
        image,
        url: web.url,
        serviceName: web.serviceName,
        clusterName: platform.cluster.name,
        taskDefinitionArn: web.taskDefinitionArn,
        logGroupName: web.logGroupName,
        securityGroupId: web.securityGroupId,
        worstCaseBatchSeconds: web.worstCaseBatchSeconds,
        ...(manifest.release ? { releaseTask: web.releaseTask } : {}),
        releasePointer: pointerOf(manifest),
        ...dataOutput,
      };
    }
    case "internal": {
      const internal = new InternalService(service, internalArgs(manifest, platform, resolved), opts);
      return {
        kind: manifest.kind,
        image,
        url: internal.url,
        serviceName: internal.serviceName,
        clusterName: platform.cluster.name,
        taskDefinitionArn: internal.taskDefinitionArn,
        logGroupName: internal.logGroupName,
        securityGroupId: internal.securityGroupId,
        worstCaseBatchSeconds: internal.worstCaseBatchSeconds,
        ...(manifest.release ? { releaseTask: internal.releaseTask } : {}),
        releasePointer: pointerOf(manifest),
        ...dataOutput,
      };
    }
    case "worker": {
      // The worker owns its queue: visibility six times the processing time, at most 12 hours.
      const q = manifest.queue ?? {};
      const queue = new Queue(
        service,
        {
          visibilityTimeoutSeconds: Math.min(6 * (q.processingSeconds ?? 30), 43_200),
          ...(q.maxReceiveCount !== undefined ? { maxReceiveCount: q.maxReceiveCount } : {}),
          ...(q.retentionDays !== undefined ? { retentionDays: q.retentionDays } : {}),
          protect: platform.protect,
          tags: { Service: service },
        },
        opts,
      );
      const worker = new WorkerService(service, workerArgs(manifest, platform, resolved, queue.ref), {
        ...opts,
        aliases: [{ type: "berth:cluster:Service" }],
      });
      return {
        kind: manifest.kind,
        image,
        serviceName: worker.serviceName,
        clusterName: platform.cluster.name,
        taskDefinitionArn: worker.taskDefinitionArn,
        logGroupName: worker.logGroupName,
        queueUrl: queue.url,
        deadLetterQueueUrl: queue.deadLetterQueueUrl,
        worstCaseBatchSeconds: worker.worstCaseBatchSeconds,
        ...(manifest.release ? { releaseTask: worker.releaseTask } : {}),
        releasePointer: pointerOf(manifest),
        ...dataOutput,
      };
    }
    case "job": {
      const job = new ScheduledJob(service, jobArgs(manifest, platform, resolved), opts);
      return {
        kind: manifest.kind,
        image,
        clusterName: platform.cluster.name,
        taskDefinitionArn: job.taskDefinitionArn,
        logGroupName: job.logGroupName,
        scheduleArn: job.scheduleArn,
        deadLetterQueueUrl: job.deadLetterQueueUrl,
        releasePointer: pointerOf(manifest),
        ...dataOutput,
      };
    }
  }
};

function pointerOf(m: ServiceManifest): string | undefined {
  return m.image === undefined ? releaseParameterName(environment, service) : undefined;
}

/** A prebuilt image as written; a built one from the service's release pointer, checked. */
async function imageOf(
  m: ServiceManifest,
  sharedStack: string,
  provider: aws.Provider,
  region: string,
): Promise<string> {
  if (m.image !== undefined) return m.image;
  const override = new pulumi.Config("berth-service").get("imageOverride");
  if (override !== undefined && !/^[^\s@]+@sha256:[0-9a-f]{64}$/.test(override)) {
    throw new Error(
      `berth-service:imageOverride is ${JSON.stringify(override)}; expected an image pinned by digest (<repository>@sha256:<64 hex digits>)`,
    );
  }
  return releaseImage({
    environment,
    service,
    shared: new pulumi.StackReference(sharedStack),
    provider,
    region,
    ...(override !== undefined ? { override } : {}),
    overrideKey: "berth-service:imageOverride",
    hint:
      "The deploy pipeline writes it; for a first deploy before any pipeline run, " +
      `\`pulumi config set berth-service:imageOverride <repo>@sha256:<digest> -s ${pulumi.getStack()}\`.`,
  });
}
