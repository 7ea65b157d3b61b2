import { REPLACEMENT_SOURCE, REPLACEMENT_TABLE } from "./replacement-data.js";

export type { ReplacementEntry } from "./replacement-types.js";
export { REPLACEMENT_SOURCE, REPLACEMENT_TABLE };

/** Network and address types: stateful too (replacing them moves or cuts traffic). */
export const NETWORK_TYPES: readonly string[] = [
  "aws:ec2/vpc:Vpc",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/natGateway:NatGateway",
  "aws:ec2/eip:Eip",
  "aws:lb/loadBalancer:LoadBalancer",
  "aws:lb/targetGroup:TargetGroup",
  "awsx:ec2:Vpc",
];

/**
 * Types that hold data or addresses: replacing or deleting one loses data, changes an endpoint
 * or drops traffic. The diff puts their replacements and deletions at the top of a report, an
 * unknown property change on one is reported as "may replace", and the upgrade guard refuses
 * to replace them silently.
 */
export const STATEFUL_TYPES: readonly string[] = [
  // data
  "aws:rds/instance:Instance",
  "aws:rds/cluster:Cluster",
  "aws:rds/clusterInstance:ClusterInstance",
  // A subnet group in use cannot be deleted; its replacement moves or blocks the database.
  "aws:rds/subnetGroup:SubnetGroup",
  "aws:elasticache/replicationGroup:ReplicationGroup",
  "aws:elasticache/cluster:Cluster",
  "aws:elasticache/serverlessCache:ServerlessCache",
  "aws:efs/fileSystem:FileSystem",
  // The mount point tasks use (its id is in their task definitions) and the NFS address per zone.
  "aws:efs/accessPoint:AccessPoint",
  "aws:efs/mountTarget:MountTarget",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
  "aws:ecr/repository:Repository",
  "aws:cloudwatch/logGroup:LogGroup",
  "aws:sqs/queue:Queue",
  "aws:sns/topic:Topic",
  "aws:dynamodb/table:Table",
  "aws:kms/key:Key",
  "aws:secretsmanager/secret:Secret",
  // network and addresses
  ...NETWORK_TYPES,
];

export function isStateful(type: string): boolean {
  return STATEFUL_TYPES.includes(type);
}

/**
 * In-place updates that still disrupt: the resource stays, but something a reader must know
 * changes. Keyed by type, then top-level property.
 */
export const DISRUPTIVE_UPDATES: Record<string, Record<string, string>> = {
  "aws:rds/instance:Instance": {
    identifier: "renames the instance in place: its endpoint address changes",
  },
  "aws:ecs/service:Service": {
    capacityProviderStrategies:
      "replaces the service unless forceNewDeployment is set and the strategy list stays non-empty",
  },
};

export type ReplacementDecision = "replace" | "may-replace" | "update";

export interface ReplacementVerdict {
  decision: ReplacementDecision;
  /** The changed properties that force it (for "replace"), or why it is unsure. */
  because: string[];
}

/** `containerDefinitions[0].image` → `containerDefinitions.image` (indices dropped). */
function schemaPath(path: string): string {
  return path.replace(/\[\d+\]/g, "").replace(/\["([^"]+)"\]/g, ".$1");
}

/** Does a change at `path` (a dotted/indexed input path) replace a resource of `type`? */
export function replacesOn(type: string, path: string, entry = REPLACEMENT_TABLE[type]): boolean | undefined {
  if (!entry) return undefined;
  const p = schemaPath(path);
  const top = p.split(".")[0]!;
  if (entry.replace.includes(top)) return true;
  return entry.nested.some((n) => p === n || p.startsWith(`${n}.`));
}

/**
 * Whether changing `changedPaths` of a resource of `type` replaces it, from the provider's
 * schema ({@link REPLACEMENT_TABLE}) and the resource's own `replaceOnChanges` option.
 * A type the table does not know is "may-replace" when it is stateful and "update" otherwise;
 * a type whose provider decides some replacements by condition is "may-replace" when one of
 * those properties changed.
 */
export function replacementFor(
  type: string,
  changedPaths: string[],
  options: { replaceOnChanges?: string[] } = {},
): ReplacementVerdict {
  if (changedPaths.length === 0) return { decision: "update", because: [] };
  const forced = changedPaths.filter((p) =>
    (options.replaceOnChanges ?? []).some(
      (r) => r === "*" || schemaPath(p) === r || schemaPath(p).startsWith(`${r}.`),
    ),
  );
  const entry = REPLACEMENT_TABLE[type];
  if (!entry) {
    if (forced.length) return { decision: "replace", because: forced };
    return isStateful(type)
      ? { decision: "may-replace", because: [`no replacement data for ${type}`] }
      : { decision: "update", because: [] };
  }
  const replacing = changedPaths.filter((p) => replacesOn(type, p, entry) || forced.includes(p));
  if (replacing.length) return { decision: "replace", because: replacing };
  const conditional = changedPaths.filter((p) =>
    DISRUPTIVE_UPDATES[type]?.[schemaPath(p).split(".")[0]!]?.startsWith("replaces"),
  );
  if (conditional.length) return { decision: "may-replace", because: conditional };
  return { decision: "update", because: [] };
}
