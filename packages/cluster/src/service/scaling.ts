import { type Transform, transformed, type Validator } from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ScalingArgs } from "../service-args.js";
import { childOpts, type PartScope } from "./scope.js";

/**
 * How many tasks run: a fixed `desiredCount`, or `scaling` between a minimum and a maximum.
 * (`ScalingArgs` is the `scaling` block itself, public since the first `Service`.)
 */
export interface ScalingPartArgs {
  /**
   * Number of tasks (0 to 1000); with `scaling`, the starting count that autoscaling then owns.
   * @default 2
   * @example desiredCount: 1
   */
  desiredCount?: number;
  /**
   * Autoscaling of the task count.
   * @default none (fixed desiredCount)
   * @example scaling: { min: 2, max: 10, cpuTarget: 60, requestsPerTarget: 1000 }
   */
  scaling?: ScalingArgs;
}

/** Escape hatches of the scaling's children. */
export interface ScalingTransforms {
  /** The scalable target of the desired count (`aws.appautoscaling.Target`). */
  scalingTarget?: Transform<aws.appautoscaling.TargetArgs>;
  /** Each scaling policy (`aws.appautoscaling.Policy`): target tracking, and a worker's wake-up step policy. */
  scalingPolicy?: Transform<aws.appautoscaling.PolicyArgs>;
  /** Each scheduled change of the bounds (`aws.appautoscaling.ScheduledAction`). */
  scheduledAction?: Transform<aws.appautoscaling.ScheduledActionArgs>;
}

/** The counts with every default applied. */
export interface ResolvedScaling {
  desiredCount: number;
  /** The autoscaling minimum (`scaling.min`, default `desiredCount`); undefined without scaling. */
  scalingMin: number | undefined;
  scaling: ScalingArgs | undefined;
}

const SCHEDULE = /^(cron|rate|at)\(.+\)$/;

/**
 * Checks the counts (min <= desired <= max, 0 to 1000), the targets, cooldowns and schedules.
 * `defaultDesiredCount` is the kind's default (2 for a service).
 */
export function resolveScaling(
  v: Validator,
  args: ScalingPartArgs,
  defaultDesiredCount = 2,
): ResolvedScaling {
  const desiredCount = args.desiredCount ?? defaultDesiredCount;
  v.integer("desiredCount", desiredCount, { min: 0, max: 1000 });
  let scalingMin: number | undefined;
  if (args.scaling) {
    const s = args.scaling;
    const min = s.min ?? desiredCount;
    scalingMin = min;
    v.integer("scaling.min", min, { min: 0, max: 1000 });
    v.integer("scaling.max", s.max, { min: 1, max: 1000 });
    v.check(
      min <= desiredCount,
      "scaling.min",
      min,
      `must be at most desiredCount (${desiredCount}): min <= desired <= max`,
    );
    v.check(
      desiredCount <= s.max,
      "scaling.max",
      s.max,
      `must be at least desiredCount (${desiredCount}): min <= desired <= max`,
    );
    if (s.cpuTarget !== false) v.number("scaling.cpuTarget", s.cpuTarget, { min: 1, max: 100 }, " percent");
    v.number("scaling.memoryTarget", s.memoryTarget, { min: 1, max: 100 }, " percent");
    v.integer("scaling.requestsPerTarget", s.requestsPerTarget, { min: 1 });
    v.integer("scaling.scaleInCooldown", s.scaleInCooldown, { min: 0, max: 3600 }, " seconds");
    v.integer("scaling.scaleOutCooldown", s.scaleOutCooldown, { min: 0, max: 3600 }, " seconds");
    v.unique(
      "scaling.schedules.name",
      (s.schedules ?? []).map((x) => x.name),
    );
    (s.schedules ?? []).forEach((x, i) => {
      const f = `scaling.schedules[${i}]`;
      v.matches(
        `${f}.name`,
        x.name,
        /^[a-zA-Z0-9-]{1,40}$/,
        "letters, digits and hyphens, at most 40 characters",
      );
      v.matches(`${f}.schedule`, x.schedule, SCHEDULE, "must be cron(...), rate(...) or at(...)");
      v.check(x.min !== undefined || x.max !== undefined, f, x, "needs min, max or both");
      v.integer(`${f}.min`, x.min, { min: 0, max: 1000 });
      v.integer(`${f}.max`, x.max, { min: 0, max: 1000 });
      if (x.min !== undefined && x.max !== undefined)
        v.check(x.min <= x.max, `${f}.min`, x.min, `must be at most max (${x.max})`);
    });
  }
  return { desiredCount, scalingMin, scaling: args.scaling };
}

/** A target-tracking policy another part contributes (the worker's backlog per task). */
export interface TrackingPolicy {
  key: string;
  targetValue: number;
  predefinedMetricSpecification?: aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification;
  customizedMetricSpecification?: pulumi.Input<aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationCustomizedMetricSpecification>;
}

/** The scalable target, for parts that add step policies of their own. */
export interface ScalingPart {
  target: aws.appautoscaling.Target;
}

/**
 * Creates the scalable target of the service's desired count, one target-tracking policy per
 * target (CPU, memory, ALB requests per target, and what other parts contribute) and the scheduled
 * actions. Nothing without `scaling`.
 */
export function createScaling(
  scope: PartScope,
  r: ResolvedScaling,
  t: ScalingTransforms,
  ctx: {
    serviceName: pulumi.Input<string>;
    /** `<lb arn suffix>/<target group arn suffix>` for ALBRequestCountPerTarget. */
    requestsLabel?: pulumi.Input<string>;
    tracking?: TrackingPolicy[];
  },
): ScalingPart | undefined {
  const s = r.scaling;
  if (!s) return undefined;
  const { name, tags, cluster } = scope;
  const [stArgs, stOpts] = transformed(
    t.scalingTarget,
    {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: pulumi.interpolate`service/${cluster.name}/${ctx.serviceName}`,
      minCapacity: r.scalingMin,
      maxCapacity: s.max,
      tags,
    } as aws.appautoscaling.TargetArgs,
    childOpts(scope),
  );
  const target = new aws.appautoscaling.Target(`${name}-scaling`, stArgs, stOpts);
  const predefined = (
    key: string,
    targetValue: number | undefined,
    predefinedMetricType: string,
    resourceLabel?: pulumi.Input<string>,
  ): TrackingPolicy[] =>
    targetValue === undefined
      ? []
      : [
          {
            key,
            targetValue,
            predefinedMetricSpecification: {
              predefinedMetricType,
              ...(resourceLabel ? { resourceLabel } : {}),
            },
          },
        ];
  const policies: TrackingPolicy[] = [
    ...predefined(
      "cpu",
      s.cpuTarget === false ? undefined : (s.cpuTarget ?? 70),
      "ECSServiceAverageCPUUtilization",
    ),
    ...predefined("memory", s.memoryTarget, "ECSServiceAverageMemoryUtilization"),
    ...(ctx.requestsLabel
      ? predefined("requests", s.requestsPerTarget, "ALBRequestCountPerTarget", ctx.requestsLabel)
      : []),
    ...(ctx.tracking ?? []),
  ];
  for (const p of policies) {
    const [pArgs, pOpts] = transformed(
      t.scalingPolicy,
      {
        policyType: "TargetTrackingScaling",
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          targetValue: p.targetValue,
          ...(p.predefinedMetricSpecification
            ? { predefinedMetricSpecification: p.predefinedMetricSpecification }
            : { customizedMetricSpecification: p.customizedMetricSpecification }),
          scaleInCooldown: s.scaleInCooldown ?? 300,
          scaleOutCooldown: s.scaleOutCooldown ?? 60,
        },
      } as aws.appautoscaling.PolicyArgs,
      childOpts(scope, { dependsOn: [target] }),
    );
    new aws.appautoscaling.Policy(`${name}-scale-${p.key}`, pArgs, pOpts);
  }
  for (const sched of s.schedules ?? []) {
    const [saArgs, saOpts] = transformed(
      t.scheduledAction,
      {
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        schedule: sched.schedule,
        timezone: sched.timezone ?? "UTC",
        scalableTargetAction: { minCapacity: sched.min, maxCapacity: sched.max },
      } as aws.appautoscaling.ScheduledActionArgs,
      childOpts(scope, { dependsOn: [target] }),
    );
    new aws.appautoscaling.ScheduledAction(`${name}-schedule-${sched.name}`, saArgs, saOpts);
  }
  return { target };
}
