import {
  type ArnParts,
  arnParts,
  assumeRolePolicy,
  type LinkVolume,
  type PolicyStatement,
} from "@berth/core";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterRef } from "../refs.js";

/**
 * What every part's `createX` works in: the component that parents the children, the name the
 * children are named from, the merged tags and the cluster (its ARN gives partition, region and
 * account).
 */
export interface PartScope {
  parent: pulumi.ComponentResource;
  name: string;
  tags: Record<string, string>;
  cluster: ClusterRef;
  /** Partition, region and account of the cluster's ARN. */
  arn: pulumi.Output<ArnParts>;
}

export function partScope(
  parent: pulumi.ComponentResource,
  name: string,
  cluster: ClusterRef,
  tags: Record<string, string>,
): PartScope {
  return { parent, name, tags, cluster, arn: pulumi.output(cluster.arn).apply(arnParts) };
}

/** Options of a child: parented to the component, plus `extra`. */
export function childOpts(
  scope: PartScope,
  extra: pulumi.CustomResourceOptions = {},
): pulumi.CustomResourceOptions {
  return { parent: scope.parent, ...extra } as pulumi.CustomResourceOptions;
}

/** A trust policy for an AWS service principal, pinned to the cluster's account (`aws:SourceAccount`). */
export function trustFor(scope: PartScope, principal: string): pulumi.Output<string> {
  return scope.arn.apply((p) => JSON.stringify(assumeRolePolicy(principal, p.account || undefined)));
}

/** Environment variables as ECS stores them. */
export type Env = Record<string, pulumi.Input<string>>;

/**
 * What a part adds to the task, the one way links, tracing, queues and Service Connect change it:
 * variables and secrets of the main container (defaults: a value the user set wins; links are
 * checked never to collide), containers after the sidecars, task-role statements, EFS volumes, and
 * the name of the main port mapping.
 */
export interface TaskContribution {
  /** Variables of the main container, set unless the user set them. */
  environment?: Env;
  /** Secrets of the main container (ECS `secrets`, name → ARN): the execution role may read exactly these. */
  secrets?: Env;
  /** KMS keys the execution role may decrypt those secrets with. */
  secretKmsKeyArns?: pulumi.Input<string>[];
  /** EFS volumes of the task, each mounted in the main container. */
  volumes?: LinkVolume[];
  /** Task-role statements, after ECS Exec's and before the user's `taskRoleStatements`. */
  statements?: PolicyStatement[];
  /** Containers after the sidecars; the task supplies stop timeout, scratch mount and log configuration. */
  containers?: ((shared: ContainerShared) => Record<string, unknown>)[];
  /** Names of those containers (for uniqueness and the 10-container limit). */
  containerNames?: string[];
  /** Bytes those containers add to the task definition (its 64 KiB limit). */
  bytes?: number;
  /** Containers the main container waits for. */
  dependsOn?: { containerName: string; condition: string }[];
  /** Name and protocol of the main container's port mapping (Service Connect refers to it by name). */
  portMapping?: { name: string; appProtocol?: "http" | "http2" | "grpc" };
}

/** What the task gives every container it did not build itself. */
export interface ContainerShared {
  stopTimeout: number;
  mountPoints: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
  logConfiguration: (streamPrefix: string) => Record<string, unknown>;
}
