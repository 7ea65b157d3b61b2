import type { Transform } from "@berth/core";
import { transformed } from "@berth/core";
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { childOpts, type PartScope } from "./scope.js";

/** Escape hatch of the ECS service. */
export interface EcsServiceTransforms {
  /** The ECS service (`aws.ecs.Service`). */
  service?: Transform<aws.ecs.ServiceArgs>;
}

/**
 * What Pulumi leaves alone on the ECS service after creating it. Autoscaling owns `desiredCount`.
 * With BLUE_GREEN, CANARY and LINEAR, ECS owns the load balancer block: each deployment moves
 * production traffic to the other target group and ECS remembers which one is live, so re-sending
 * the declared pair on a later `pulumi up` (which the provider does whenever its recorded state
 * differs from the program) would tell ECS that the idle group is production
 * (hashicorp/terraform-provider-aws#45678). The listener rules ignore their forward weights for
 * the same reason.
 */
export function serviceIgnoreChanges(scaling: boolean, trafficShifting: boolean): string[] {
  return [...(scaling ? ["desiredCount"] : []), ...(trafficShifting ? ["loadBalancers"] : [])];
}

/** One part's share of the ECS service's arguments (task, placement, exposure, rollout, counts). */
export type EcsServiceFragment = Partial<aws.ecs.ServiceArgs>;

/**
 * Creates the one `aws.ecs.Service` from the parts' fragments, in order (a later fragment's key
 * wins), with ECS-managed tags propagated from the service and Pulumi ignoring what autoscaling
 * and traffic shifting own.
 */
export function createEcsService(
  scope: PartScope,
  t: EcsServiceTransforms,
  fragments: EcsServiceFragment[],
  opts: { dependsOn: pulumi.Resource[]; scaling: boolean; trafficShifting: boolean },
): aws.ecs.Service {
  const [svcArgs, svcOpts] = transformed(
    t.service,
    {
      cluster: scope.cluster.arn,
      ...Object.assign({}, ...fragments),
      propagateTags: "SERVICE",
      enableEcsManagedTags: true,
      tags: scope.tags,
    } as aws.ecs.ServiceArgs,
    childOpts(scope, {
      dependsOn: opts.dependsOn,
      ignoreChanges: serviceIgnoreChanges(opts.scaling, opts.trafficShifting),
    }),
  );
  return new aws.ecs.Service(scope.name, svcArgs, svcOpts);
}
