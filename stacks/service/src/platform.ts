/**
 * What an environment shares with its services: the `forServices` output of berth-platform/<env>,
 * read through a StackReference as plain values (awaited before anything is declared, so every check
 * of the components runs on real values).
 */
import type { ClusterRef, FargateCapacityShare, LoadBalancerRef } from "@berth/cluster";
import type { NetworkRef } from "@berth/core";
import type { DataRef } from "@berth/data";
import type * as pulumi from "@pulumi/pulumi";

export interface PlatformOutputs {
  environment: string;
  region: string;
  accountId: string;
  /** The shared stack (`org/berth-shared/shared`): the registry's repositories. */
  sharedStack: string;
  /** Prod: stateful resources are protected and kept. */
  protect: boolean;
  /** Owner and CostCenter, tags of every resource. */
  tags: Record<string, string>;
  network: NetworkRef;
  cluster: ClusterRef;
  loadBalancer: LoadBalancerRef;
  tasks: { subnets: "private" | "public"; capacity: FargateCapacityShare[] };
  /** Per internal service, the security group its callers' tasks join. */
  callerSecurityGroups: Record<string, string>;
  /** The environment's shared data resources (apps/berth.shared.yaml), by name. */
  data?: Record<string, DataRef>;
}

const REQUIRED: (keyof PlatformOutputs)[] = [
  "region",
  "accountId",
  "sharedStack",
  "network",
  "cluster",
  "loadBalancer",
  "tasks",
  "callerSecurityGroups",
];

/** Reads `forServices` from the environment's stack, naming what is missing. */
export async function readPlatform(ref: pulumi.StackReference, name: string): Promise<PlatformOutputs> {
  const value = (await ref.getOutputDetails("forServices")).value as Partial<PlatformOutputs> | undefined;
  if (!value || typeof value !== "object") {
    throw new Error(
      `${name} has no output forServices: deploy the environment's platform stack (stacks/platform) first, with a Berth version that exports it`,
    );
  }
  const missing = REQUIRED.filter((k) => value[k] === undefined);
  if (missing.length > 0) throw new Error(`${name}'s forServices lacks ${missing.join(", ")}`);
  return value as PlatformOutputs;
}
