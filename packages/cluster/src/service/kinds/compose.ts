import {
  checkComponent,
  checkTags,
  type LinkGrant,
  mergeTags,
  type NetworkRef,
  type Validator,
} from "@berth/core";
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterRef } from "../../refs.js";
import { createEcsService, type EcsServiceFragment, type EcsServiceTransforms } from "../ecs-service.js";
import {
  type AlbRouteArgs,
  type AlbRoutePart,
  type AlbRouteTransforms,
  albRouteUrl,
  checkRouteName,
  claimAlbRoute,
  createAlbDns,
  createAlbRoute,
  type ResolvedAlbRoute,
  resolveAlbRoute,
} from "../exposure/alb-route.js";
import {
  backlogTracking,
  createWakeUp,
  type QueueTriggerArgs,
  type QueueTriggerTransforms,
  queueContribution,
  queueWidgets,
  type ResolvedQueueTrigger,
  resolveQueueTrigger,
} from "../exposure/queue-trigger.js";
import {
  createServiceConnect,
  type ResolvedServiceConnect,
  resolveServiceConnect,
  type ServiceConnectArgs,
  type ServiceConnectTransforms,
  serviceConnectContribution,
} from "../exposure/service-connect.js";
import { createLinkIngress, type LinkTransforms, linkContribution, resolveLinks } from "../links.js";
import {
  Alarms,
  createDashboard,
  createRouteAlarms,
  createServiceAlarms,
  type ObservabilityArgs,
  type ObservabilityTransforms,
  type ResolvedObservability,
  resolveObservability,
  tracingContribution,
} from "../observability.js";
import {
  capacityFragment,
  createPlacement,
  type PlacementArgs,
  type PlacementTransforms,
  type ResolvedPlacement,
  resolvePlacement,
  resolveSubnets,
} from "../placement.js";
import {
  createRollout,
  deploymentFragment,
  type ResolvedRollout,
  type RolloutArgs,
  type RolloutTiming,
  type RolloutTransforms,
  resolveRolloutSettings,
  rolloutStrategy,
  worstCaseBatchSeconds,
} from "../rollout.js";
import {
  createScaling,
  type ResolvedScaling,
  resolveScaling,
  type ScalingPartArgs,
  type ScalingTransforms,
} from "../scaling.js";
import { partScope, type TaskContribution } from "../scope.js";
import {
  createReleaseTask,
  createTask,
  type ReleaseArgs,
  type ResolvedRelease,
  type ResolvedTask,
  resolveRelease,
  resolveTask,
  resolveTaskLogs,
  type TaskArgs,
  type TaskTransforms,
} from "../task.js";

/** What every kind takes besides its parts: where it runs, its tags. */
export interface KindBaseArgs {
  /**
   * The ECS cluster, as plain outputs (`Cluster` produces them).
   * @example cluster: cluster.ref
   */
  cluster: ClusterRef;
  /**
   * The VPC and its subnets.
   * @example network: network.ref
   */
  network: NetworkRef;
  /**
   * Tags for every taggable child.
   * @default {}
   * @example tags: { Team: "payments" }
   */
  tags?: Record<string, string>;
}

/** The parts every long-running kind (web, internal, worker) shares. */
export type LongRunningArgs = KindBaseArgs &
  TaskArgs &
  PlacementArgs &
  RolloutArgs &
  ScalingPartArgs &
  ObservabilityArgs & {
    /**
     * A release task: a second task definition with this command (same image, roles, network), for
     * the deploy to run to completion (`aws ecs run-task`, see the `releaseTask` output) before the
     * service rolls. Migrations are the usual case.
     * @default none
     * @example release: { command: ["node", "migrate.js"], timeoutMinutes: 10 }
     */
    release?: ReleaseArgs;
  };

/** The transforms every long-running kind shares. */
export type LongRunningTransforms = TaskTransforms &
  LinkTransforms &
  PlacementTransforms &
  RolloutTransforms &
  ScalingTransforms &
  ObservabilityTransforms &
  EcsServiceTransforms;

/** Which exposure a kind has, with its arguments. */
export interface Exposure {
  route?: AlbRouteArgs;
  /** Service Connect: server for internal services; otherwise client when `calls` is given. */
  connect?: { args: ServiceConnectArgs; server: boolean };
  queue?: QueueTriggerArgs;
  /** The kind's default port (web and internal 8080). */
  defaultPort?: number;
}

/** Every part resolved: what the create step needs. */
export interface LongRunningPlan {
  type: string;
  placement: ResolvedPlacement;
  task: ResolvedTask;
  /** The links, checked and merged. */
  links: LinkGrant;
  scaling: ResolvedScaling;
  route?: ResolvedAlbRoute;
  rollout: ResolvedRollout;
  observability: ResolvedObservability;
  connect?: ResolvedServiceConnect;
  queue?: ResolvedQueueTrigger;
  release?: ResolvedRelease;
  worstCaseBatchSeconds: number;
}

const NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,31}$/;

/** The first checks of every kind: the name, the arguments object, cluster, network and image. */
export function checkKindBase(
  type: string,
  name: string,
  args: KindBaseArgs & { image?: unknown },
): Validator {
  const v = checkComponent(type, name, args);
  v.check(
    typeof name === "string" && NAME.test(name),
    "name",
    name,
    "must start with a letter and contain only letters, digits and hyphens, at most 32 characters",
  );
  if (!args) v.fail("args", args, "cluster, network and image are required");
  v.required("cluster", args.cluster, "a ClusterRef ({ name, arn }) is required");
  v.required(
    "network",
    args.network,
    "a NetworkRef ({ vpcId, publicSubnetIds, privateSubnetIds }) is required",
  );
  v.required("image", args.image, "an image reference pinned by digest is required");
  v.arn("cluster.arn", args.cluster.arn, "ecs", /^cluster\/.+/);
  return v;
}

/** Rejects fields another kind owns: `<field> applies to kind <kind>`. */
export function rejectFields(v: Validator, args: object, fields: readonly string[], owner: string): void {
  for (const field of fields) {
    const value = (args as Record<string, unknown>)[field];
    v.check(value === undefined, field, value, owner);
  }
}

/**
 * Resolves every part of a long-running kind, with the rules that span parts: requests per target
 * needs a route and ROLLING; traffic shifting needs a route; the route's name limit; a release
 * command. The listener rule is claimed last, when everything else is valid.
 */
export function resolveLongRunning(
  v: Validator,
  name: string,
  args: LongRunningArgs,
  exposure: Exposure,
  owner: string,
): LongRunningPlan {
  const route = exposure.route;
  const routed = route !== undefined;
  const connectArgs = exposure.connect?.args ?? {};
  const contributions: TaskContribution[] = [tracingContribution(args)];
  const placement = resolvePlacement(v, args);
  const links = resolveLinks(v, args.links, {
    environment: args.environment,
    secrets: args.secrets,
    contributions,
    scratchPath: args.scratchPath ?? "/tmp",
  });
  const task = resolveTask(v, args, {
    placement,
    cluster: args.cluster,
    defaultPort: exposure.defaultPort,
    contributions: [...contributions, linkContribution(links)],
  });
  checkTags(v, "tags", args.tags);

  // Counts.
  const strategy = rolloutStrategy(args);
  const scaling = resolveScaling(v, args);
  const s = args.scaling;
  if (s?.requestsPerTarget !== undefined) {
    v.check(routed, "scaling.requestsPerTarget", s.requestsPerTarget, "needs a loadBalancer");
    v.check(
      strategy === "ROLLING",
      "scaling.requestsPerTarget",
      s.requestsPerTarget,
      `tracks one target group, so it works with the ROLLING strategy only (strategy is ${strategy})`,
    );
  }
  if (s?.backlogPerTask !== undefined && !exposure.queue) {
    v.fail(
      "scaling.backlogPerTask",
      s.backlogPerTask,
      "applies to kind worker (a service that consumes a queue)",
    );
  }

  const taskWithLogs = resolveTaskLogs(v, args, task);
  resolveSubnets(v, placement);

  // Routing.
  const r: Partial<AlbRouteArgs> = route ?? {};
  const resolvedRoute = route ? resolveAlbRoute(v, r) : undefined;

  // Deployments.
  v.oneOf("deployment.strategy", strategy, ["ROLLING", "BLUE_GREEN", "CANARY", "LINEAR"] as const);
  if (routed) checkRouteName(v, name, strategy);
  if (strategy !== "ROLLING") {
    v.check(
      routed,
      "deployment.strategy",
      strategy,
      `${strategy} shifts load balancer traffic, so it needs a loadBalancer; workers use ROLLING`,
    );
  }
  const rollout = resolveRolloutSettings(v, args.deployment ?? {}, strategy, { routed });
  const observability = resolveObservability(v, args, {
    allowMutableImageTag: args.allowMutableImageTag === true,
  });

  // Exposures other than the route.
  const connect = exposure.connect
    ? resolveServiceConnect(v, name, connectArgs, { server: exposure.connect.server, cluster: args.cluster })
    : undefined;
  const queue = exposure.queue
    ? resolveQueueTrigger(v, exposure.queue, {
        scaling: args.scaling,
        scalingMin: scaling.scalingMin,
        containerInsights: args.cluster.containerInsights === true,
      })
    : undefined;
  if (exposure.queue && args.environment && "QUEUE_URL" in args.environment) {
    v.fail(
      "environment.QUEUE_URL",
      "QUEUE_URL",
      "a worker gets QUEUE_URL from its queue; leave it out of environment",
    );
  }
  const release = resolveRelease(v, args.release);

  // Rollout time of one batch.
  const chc = taskWithLogs.containerHealthCheck;
  const timing: RolloutTiming = resolvedRoute
    ? {
        startupSeconds: rollout.gracePeriod,
        healthCheckIntervalSeconds: resolvedRoute.healthCheck.interval,
        healthyThreshold: resolvedRoute.healthCheck.healthyThreshold,
        deregistrationDelaySeconds: resolvedRoute.deregistrationDelay,
        stopTimeoutSeconds: taskWithLogs.stopTimeout,
      }
    : {
        startupSeconds: chc?.startPeriod ?? 0,
        healthCheckIntervalSeconds: chc?.interval ?? 0,
        healthyThreshold: chc ? 1 : 0,
        deregistrationDelaySeconds: 0,
        stopTimeoutSeconds: taskWithLogs.stopTimeout,
      };

  // Last: the rule claims its priority on the shared listener(s) only once everything else is valid.
  if (route?.rule) claimAlbRoute(v, owner, route, strategy);

  return {
    type: v.component,
    placement,
    task: taskWithLogs,
    links,
    scaling,
    ...(resolvedRoute ? { route: resolvedRoute } : {}),
    rollout,
    observability,
    ...(connect ? { connect } : {}),
    ...(queue ? { queue } : {}),
    ...(release ? { release } : {}),
    worstCaseBatchSeconds: worstCaseBatchSeconds(timing),
  };
}

/** What a release task's deploy step needs to `aws ecs run-task` it. */
export interface ReleaseTaskRun {
  /** The release task definition's ARN (`--task-definition`). */
  taskDefinitionArn: string;
  /** The cluster's ARN (`--cluster`). */
  cluster: string;
  /** `--network-configuration`, in RunTask's shape. */
  networkConfiguration: {
    awsvpcConfiguration: {
      subnets: string[];
      securityGroups: string[];
      assignPublicIp: "ENABLED" | "DISABLED";
    };
  };
  /** `--launch-type` (FARGATE or EC2), when the service uses one. */
  launchType?: string;
  /** `--capacity-provider-strategy`, when the service uses one (CLUSTER_DEFAULT: neither, ECS uses the cluster's). */
  capacityProviderStrategy?: { capacityProvider: string; weight: number; base?: number }[];
  /** The container whose exit code decides (`app` unless renamed). */
  containerName: string;
  /** Minutes the deploy waits before `aws ecs stop-task` and failing. */
  timeoutMinutes: number;
}

/** The resources and outputs of a long-running kind. */
export interface LongRunningOutputs {
  service: aws.ecs.Service;
  serviceName: pulumi.Output<string>;
  serviceArn: pulumi.Output<string>;
  url: pulumi.Output<string | undefined>;
  taskDefinitionArn: pulumi.Output<string>;
  taskRoleArn: pulumi.Output<string>;
  executionRoleArn: pulumi.Output<string>;
  logGroupName: pulumi.Output<string>;
  securityGroupId: pulumi.Output<string>;
  targetGroupArn: pulumi.Output<string | undefined>;
  targetGroupArns: pulumi.Output<string[]>;
  listenerRuleArn: pulumi.Output<string | undefined>;
  alarmNames: pulumi.Output<string[]>;
  dashboardName: pulumi.Output<string | undefined>;
  releaseTaskDefinitionArn: pulumi.Output<string | undefined>;
  releaseTask: pulumi.Output<ReleaseTaskRun | undefined>;
}

/**
 * Creates a long-running kind's parts in order: task, placement, exposure, rollout, alarms that
 * may roll back, the ECS service, its alarms, scaling, DNS, dashboard.
 */
export function createLongRunning(
  component: pulumi.ComponentResource,
  name: string,
  args: LongRunningArgs,
  exposure: Exposure,
  plan: LongRunningPlan,
  t: LongRunningTransforms & AlbRouteTransforms & ServiceConnectTransforms & QueueTriggerTransforms,
): LongRunningOutputs {
  const scope = partScope(component, name, args.cluster, mergeTags(args.tags));
  if (args.allowMutableImageTag) {
    pulumi.log.warn(
      `${name}: allowMutableImageTag is on, so image tags are accepted; deployments are not reproducible. Use digests outside throwaway dev stacks.`,
      component,
    );
  }
  const route = exposure.route;
  const advanced = plan.rollout.strategy !== "ROLLING";
  const port = plan.task.port;

  // Task.
  const contributions: TaskContribution[] = [
    tracingContribution(args, plan.observability, name),
    ...(exposure.queue ? [queueContribution(exposure.queue)] : []),
    serviceConnectContribution(name, plan.connect),
    linkContribution(plan.links),
  ];
  const task = createTask(scope, args, plan.task, plan.placement, t, contributions);

  // Placement: the security group has no ingress; each exposure adds exactly its own.
  const description = route
    ? `Tasks of ${name}: the load balancer on port ${port}`
    : plan.connect?.server
      ? `Tasks of ${name}: Service Connect callers on port ${port}`
      : `Tasks of ${name} (no ingress)`;
  const placement = createPlacement(scope, args, plan.placement, args.network, t, description);
  // Links: each linked resource admits the tasks' security group on its port.
  const linkIngress = createLinkIngress(scope, plan.links, placement.securityGroup.id, t);
  const release = plan.release ? createReleaseTask(scope, task, plan.task, plan.release, t) : undefined;

  // Exposure.
  const dependsOn: pulumi.Resource[] = [...task.policies, ...linkIngress];
  let routePart: AlbRoutePart | undefined;
  if (route && plan.route) {
    routePart = createAlbRoute(scope, route, plan.route, args.network, t, {
      securityGroupId: placement.securityGroup.id,
      port: port!,
      advanced,
    });
    dependsOn.push(routePart.productionRule);
    if (routePart.testRule) dependsOn.push(routePart.testRule);
  }
  let infrastructureRole: aws.iam.Role | undefined;
  if (route && advanced) {
    const rollout = createRollout(scope, plan.rollout, t);
    infrastructureRole = rollout.infrastructureRole;
    dependsOn.push(rollout.attachment);
  }
  const serviceConnectConfiguration = plan.connect
    ? createServiceConnect(scope, plan.connect, t, {
        securityGroupId: placement.securityGroup.id,
        port,
        logGroupName: task.logGroup.name,
      })
    : undefined;

  // Alarms that may roll a deployment back (they only need the load balancer and target groups).
  const alarms = new Alarms(scope, plan.observability, t);
  const targetGroups = routePart?.targetGroups ?? [];
  const rollbackAlarms: pulumi.Input<string>[] = [];
  if (route) {
    const routeAlarms = createRouteAlarms(alarms, plan.observability, {
      lbSuffix: route.loadBalancer.arnSuffix,
      targetGroupSuffixes: targetGroups.map((tg) => tg.arnSuffix),
    });
    if (plan.rollout.rollbackOnAlarms) rollbackAlarms.push(...routeAlarms.map((a) => a.name));
  }
  rollbackAlarms.push(...(args.deployment?.rollbackAlarmNames ?? []));

  // The service.
  const fragments: EcsServiceFragment[] = [
    { taskDefinition: task.taskDefinition.arn, desiredCount: plan.scaling.desiredCount },
    capacityFragment(plan.placement, args.cluster) as EcsServiceFragment,
    {
      networkConfiguration: {
        subnets: placement.subnets,
        securityGroups: placement.securityGroups,
        assignPublicIp: placement.assignPublicIp,
      },
      loadBalancers:
        route && routePart
          ? [
              {
                targetGroupArn: targetGroups[0]!.arn,
                containerName: plan.task.containerName,
                containerPort: port!,
                ...(advanced
                  ? {
                      advancedConfiguration: {
                        alternateTargetGroupArn: targetGroups[1]!.arn,
                        productionListenerRule: routePart.productionRule.arn,
                        ...(routePart.testRule ? { testListenerRule: routePart.testRule.arn } : {}),
                        roleArn: infrastructureRole!.arn,
                      },
                    }
                  : {}),
              },
            ]
          : undefined,
      healthCheckGracePeriodSeconds: route ? plan.rollout.gracePeriod : undefined,
    },
    deploymentFragment(plan.rollout, rollbackAlarms),
    { enableExecuteCommand: args.enableExecuteCommand ?? false },
    ...(serviceConnectConfiguration ? [{ serviceConnectConfiguration }] : []),
  ];
  const service = createEcsService(scope, t, fragments, {
    dependsOn,
    scaling: Boolean(args.scaling),
    trafficShifting: advanced,
  });

  // Alarms on the service itself, scaling, DNS, dashboard.
  createServiceAlarms(alarms, plan.observability, {
    clusterName: args.cluster.name,
    serviceName: service.name,
    containerInsights: args.cluster.containerInsights === true,
  });
  const scaling = createScaling(scope, plan.scaling, t, {
    serviceName: service.name,
    ...(route && targetGroups[0]
      ? { requestsLabel: pulumi.interpolate`${route.loadBalancer.arnSuffix}/${targetGroups[0].arnSuffix}` }
      : {}),
    tracking:
      exposure.queue && plan.queue ? backlogTracking(scope, exposure.queue, plan.queue, service.name) : [],
  });
  if (exposure.queue && plan.queue?.wakeUp && scaling) {
    createWakeUp(scope, exposure.queue, t, { target: scaling.target, serviceName: service.name });
  }
  if (route && plan.route) createAlbDns(scope, route, plan.route, t);
  const queueName = exposure.queue?.queue.name;
  const dashboardName = createDashboard(scope, plan.observability, t, {
    serviceName: service.name,
    ...(route ? { lbSuffix: route.loadBalancer.arnSuffix } : {}),
    targetGroupSuffixes: targetGroups.map((tg) => tg.arnSuffix),
    ...(queueName !== undefined
      ? { extraWidgets: pulumi.all([scope.arn, queueName]).apply(([p, q]) => queueWidgets(p.region, q)) }
      : {}),
  });

  const releaseTask: pulumi.Output<ReleaseTaskRun | undefined> =
    release && plan.release
      ? pulumi
          .all([
            release.arn,
            args.cluster.arn,
            pulumi.output(placement.subnets),
            pulumi.all(placement.securityGroups),
            pulumi.output(capacityFragment(plan.placement, args.cluster)),
          ])
          .apply(([taskDefinitionArn, clusterArn, subnets, securityGroups, capacity]) => ({
            taskDefinitionArn,
            cluster: clusterArn,
            networkConfiguration: {
              awsvpcConfiguration: {
                subnets: subnets as string[],
                securityGroups,
                assignPublicIp: placement.assignPublicIp ? ("ENABLED" as const) : ("DISABLED" as const),
              },
            },
            ...("launchType" in capacity ? { launchType: capacity.launchType as string } : {}),
            ...("capacityProviderStrategies" in capacity
              ? {
                  capacityProviderStrategy: (
                    capacity.capacityProviderStrategies as {
                      capacityProvider: string;
                      weight: number;
                      base?: number;
                    }[]
                  ).map((c) => ({ ...c })),
                }
              : {}),
            containerName: plan.task.containerName,
            timeoutMinutes: plan.release!.timeoutMinutes,
          }))
      : pulumi.output(undefined);

  return {
    service,
    serviceName: service.name,
    serviceArn: service.arn,
    url: route && plan.route ? albRouteUrl(route, plan.route) : pulumi.output(undefined),
    taskDefinitionArn: task.taskDefinition.arn,
    taskRoleArn: task.taskRole.arn,
    executionRoleArn: task.executionRole.arn,
    logGroupName: task.logGroup.name,
    securityGroupId: placement.securityGroup.id,
    targetGroupArn: targetGroups[0] ? targetGroups[0].arn : pulumi.output(undefined),
    targetGroupArns: pulumi.all(targetGroups.map((tg) => tg.arn)),
    listenerRuleArn: routePart ? routePart.productionRule.arn : pulumi.output(undefined),
    alarmNames: alarms.names,
    dashboardName,
    releaseTaskDefinitionArn: release ? release.arn : pulumi.output(undefined),
    releaseTask,
  };
}
