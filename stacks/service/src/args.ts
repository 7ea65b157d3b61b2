/**
 * A manifest, for one environment, as the arguments of its kind's component: a mapping, no logic.
 * Every rule lives in the manifest schema (@berth/core) or in the component (@berth/cluster).
 */
import type {
  ContainerHealthCheckArgs,
  InternalServiceArgs,
  ScalingArgs,
  ScheduledJobArgs,
  SidecarArgs,
  WebServiceArgs,
  WorkerServiceArgs,
} from "@berth/cluster";
import type {
  InternalManifest,
  JobManifest,
  LinkGrant,
  QueueRef,
  Route,
  ServiceManifest,
  WebManifest,
  WorkerManifest,
} from "@berth/core";
import type * as pulumi from "@pulumi/pulumi";
import type { PlatformOutputs } from "./platform";

/** What the program resolved for the service: its image and its secrets as ARNs. */
export interface Resolved {
  environment: string;
  image: pulumi.Input<string>;
  /** Manifest secrets as the ARNs ECS reads (`secrets`), main container and sidecars alike. */
  secretArn: (ref: NonNullable<ServiceManifest["secrets"]>[string]) => pulumi.Input<string>;
  /** What the service's `uses` grant it (statements, paths, variables, secrets, volumes). */
  links: LinkGrant[];
}

function secretsOf(
  secrets: ServiceManifest["secrets"],
  r: Resolved,
): Record<string, pulumi.Input<string>> | undefined {
  if (!secrets || Object.keys(secrets).length === 0) return undefined;
  return Object.fromEntries(Object.entries(secrets).map(([k, ref]) => [k, r.secretArn(ref)]));
}

function containerHealthCheck(m: ServiceManifest): ContainerHealthCheckArgs | undefined {
  const hc = m.healthCheck;
  if (!hc?.command) return undefined;
  return {
    command: hc.command,
    ...(hc.intervalSeconds !== undefined ? { interval: hc.intervalSeconds } : {}),
    ...(hc.timeoutSeconds !== undefined ? { timeout: hc.timeoutSeconds } : {}),
    ...(hc.unhealthyThreshold !== undefined ? { retries: hc.unhealthyThreshold } : {}),
    ...(hc.startPeriodSeconds !== undefined ? { startPeriod: hc.startPeriodSeconds } : {}),
  };
}

/** The task, its placement and what every kind shares. */
function base(m: ServiceManifest, p: PlatformOutputs, r: Resolved) {
  const secrets = secretsOf(m.secrets, r);
  const check = containerHealthCheck(m);
  const sidecars: SidecarArgs[] | undefined = m.sidecars?.map((s) => {
    const sidecarSecrets = secretsOf(s.secrets, r);
    return {
      name: s.name,
      image: s.image,
      ...(s.essential !== undefined ? { essential: s.essential } : {}),
      ...(s.cpu !== undefined ? { cpu: s.cpu } : {}),
      ...(s.memory !== undefined ? { memory: s.memory } : {}),
      ...(s.environment ? { environment: s.environment } : {}),
      ...(sidecarSecrets ? { secrets: sidecarSecrets } : {}),
      ...(s.command ? { command: s.command } : {}),
    };
  });
  // Calls go through Service Connect; the callee admits the security group of its callers.
  const callerGroups = (m.calls ?? []).map((callee) => p.callerSecurityGroups[callee]!);
  return {
    cluster: p.cluster,
    network: p.network,
    image: r.image,
    ...(m.allowMutableImageTag ? { allowMutableImageTag: true } : {}),
    ...(r.links.length > 0 ? { links: r.links } : {}),
    cpu: m.cpu ?? 256,
    memory: m.memory ?? 512,
    architecture: m.architecture ?? "ARM64",
    ...(m.command ? { command: m.command } : {}),
    ...(m.entrypoint ? { entryPoint: m.entrypoint } : {}),
    environment: { SERVICE_NAME: m.name, DEPLOY_ENV: r.environment, ...(m.environment ?? {}) },
    ...(secrets ? { secrets } : {}),
    ...(check ? { containerHealthCheck: check } : {}),
    ...(m.stopTimeoutSeconds !== undefined ? { stopTimeout: m.stopTimeoutSeconds } : {}),
    ...(sidecars ? { sidecars } : {}),
    logs: { retentionInDays: m.logs?.retentionDays ?? 30 },
    protect: p.protect,
    enableExecuteCommand: m.exec ?? false,
    subnets: p.tasks.subnets,
    capacity: p.tasks.capacity,
    ...(callerGroups.length ? { securityGroupIds: callerGroups } : {}),
    tags: { Service: m.name },
  };
}

/** Count, deployment, release and the environment-wide observability choices of a long-running kind. */
function longRunning(m: WebManifest | InternalManifest | WorkerManifest, p: PlatformOutputs, r: Resolved) {
  const count = m.count ?? 1;
  const scaling: ScalingArgs | undefined =
    typeof count === "number"
      ? undefined
      : {
          min: count.min ?? 1,
          max: count.max,
          ...(count.cpuTarget !== undefined ? { cpuTarget: count.cpuTarget } : {}),
          ...(count.memoryTarget !== undefined ? { memoryTarget: count.memoryTarget } : {}),
          ...(count.requestsPerTarget !== undefined ? { requestsPerTarget: count.requestsPerTarget } : {}),
          ...(count.backlogPerTask !== undefined ? { backlogPerTask: count.backlogPerTask } : {}),
        };
  const d = m.deployment;
  return {
    ...base(m, p, r),
    desiredCount: typeof count === "number" ? count : (count.min ?? 1),
    ...(scaling ? { scaling } : {}),
    ...(d || (m.kind === "web" && m.healthCheck?.startPeriodSeconds !== undefined)
      ? {
          deployment: {
            ...(d?.strategy ? { strategy: d.strategy } : {}),
            ...(d?.minHealthyPercent !== undefined ? { minHealthyPercent: d.minHealthyPercent } : {}),
            ...(d?.maxPercent !== undefined ? { maxPercent: d.maxPercent } : {}),
            ...(d?.bakeTimeMinutes !== undefined ? { bakeTimeMinutes: d.bakeTimeMinutes } : {}),
            ...(d?.canary ? { canary: d.canary } : {}),
            ...(d?.linear ? { linear: d.linear } : {}),
            ...(d?.circuitBreaker !== undefined ? { circuitBreaker: d.circuitBreaker } : {}),
            ...(d?.rollbackOnAlarms !== undefined ? { rollbackOnAlarms: d.rollbackOnAlarms } : {}),
            // Behind the load balancer only: elsewhere the container check's start period applies.
            ...(m.kind === "web" && m.healthCheck?.startPeriodSeconds !== undefined
              ? { healthCheckGracePeriodSeconds: m.healthCheck.startPeriodSeconds }
              : {}),
          },
        }
      : {}),
    ...(m.release ? { release: m.release } : {}),
    ...(m.calls?.length ? { calls: m.calls } : {}),
    // One dashboard per environment, not one per service ($3 a month each).
    dashboard: false,
  };
}

export function webArgs(m: WebManifest, p: PlatformOutputs, r: Resolved, route: Route): WebServiceArgs {
  const hc = m.healthCheck;
  return {
    ...longRunning(m, p, r),
    ...(m.port !== undefined ? { port: m.port } : {}),
    loadBalancer: p.loadBalancer,
    rule: {
      priority: route.priority,
      ...(route.hosts.length ? { hosts: route.hosts } : {}),
      ...(route.paths.length ? { paths: route.paths } : {}),
    },
    healthCheck: {
      path: hc?.path ?? "/health",
      ...(hc?.intervalSeconds !== undefined ? { interval: hc.intervalSeconds } : {}),
      ...(hc?.timeoutSeconds !== undefined ? { timeout: hc.timeoutSeconds } : {}),
      ...(hc?.healthyThreshold !== undefined ? { healthyThreshold: hc.healthyThreshold } : {}),
      ...(hc?.unhealthyThreshold !== undefined ? { unhealthyThreshold: hc.unhealthyThreshold } : {}),
    },
    ...(m.deregistrationDelaySeconds !== undefined
      ? { deregistrationDelaySeconds: m.deregistrationDelaySeconds }
      : {}),
  };
}

export function internalArgs(m: InternalManifest, p: PlatformOutputs, r: Resolved): InternalServiceArgs {
  return {
    ...longRunning(m, p, r),
    ...(m.port !== undefined ? { port: m.port } : {}),
    // Exactly the tasks of the services that list this one in `calls`.
    callers: [p.callerSecurityGroups[m.name]!],
  };
}

export function workerArgs(
  m: WorkerManifest,
  p: PlatformOutputs,
  r: Resolved,
  queue: QueueRef,
): WorkerServiceArgs {
  return { ...longRunning(m, p, r), queue };
}

export function jobArgs(m: JobManifest, p: PlatformOutputs, r: Resolved): ScheduledJobArgs {
  return {
    ...base(m, p, r),
    schedule: m.schedule,
    ...(m.timezone !== undefined ? { timezone: m.timezone } : {}),
    ...(m.flexibleWindowMinutes !== undefined ? { flexibleWindowMinutes: m.flexibleWindowMinutes } : {}),
    ...(m.retries !== undefined ? { retries: m.retries } : {}),
    ...(m.timeoutMinutes !== undefined ? { timeoutMinutes: m.timeoutMinutes } : {}),
  };
}
