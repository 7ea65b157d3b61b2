import { arn, type CloudContext, type Props, type Synth, str } from "./aws.js";
import { hex, uuid } from "./hash.js";

/**
 * RDS identifiers (clusters, instances) and group names: 1 to 63 characters for identifiers (RDS API
 * reference, CreateDBCluster / CreateDBInstance "Constraints"), 255 for subnet and parameter groups.
 */
const RDS_NAME_MAX: Record<string, number> = {
  "aws:rds/cluster:Cluster": 63,
  "aws:rds/clusterInstance:ClusterInstance": 63,
  "aws:rds/instance:Instance": 63,
  "aws:rds/subnetGroup:SubnetGroup": 255,
  "aws:rds/clusterParameterGroup:ClusterParameterGroup": 255,
  "aws:rds/parameterGroup:ParameterGroup": 255,
};

/**
 * The name RDS will see: the given one, `<prefix><random>`, or Pulumi's auto-name
 * (`<logical name>-<7 hex>`), lower-cased as RDS stores identifiers. A name past RDS's limit fails
 * the way `pulumi preview` does.
 */
function rdsName(type: string, name: string, inputs: Props, field: string, ctx: CloudContext): string {
  const given = inputs[field];
  if (typeof given === "string" && given.length > 0) return given.toLowerCase();
  const suffix = hex(7, type, name, ctx.region, ctx.account);
  const prefix = inputs[`${field}Prefix`];
  const out = (
    typeof prefix === "string" && prefix.length > 0 ? prefix + suffix : `${name}-${suffix}`
  ).toLowerCase();
  const max = RDS_NAME_MAX[type] ?? 255;
  if (out.length > max) {
    throw new Error(`${type} '${name}': ${field} '${out}' is longer than RDS's maximum of ${max} characters`);
  }
  return out;
}

/** Upper-case letters and digits, as RDS resource ids use them (`cluster-ABC…`, `db-ABC…`). */
function upperAlnum(length: number, ...seed: string[]): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const h = hex(length * 2, ...seed);
  let out = "";
  for (let i = 0; i < length; i++) out += chars[parseInt(h.slice(i * 2, i * 2 + 2), 16) % chars.length];
  return out;
}

/** Mixed-case letters and digits: the 6-character suffix Secrets Manager appends to a secret's ARN. */
function secretSuffix(...seed: string[]): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const h = hex(12, ...seed);
  let out = "";
  for (let i = 0; i < 6; i++) out += chars[parseInt(h.slice(i * 2, i * 2 + 2), 16) % chars.length];
  return out;
}

/**
 * The account-and-region part of every RDS endpoint (`<id>.cluster-<this>.<region>.rds.amazonaws.com`):
 * 12 lower-case characters, the same for all databases of an account in a region.
 */
function endpointKey(ctx: CloudContext): string {
  return hex(12, "rds-endpoint", ctx.region, ctx.account);
}

function dnsSuffix(ctx: CloudContext): string {
  return ctx.partition === "aws-cn" ? "rds.amazonaws.com.cn" : "rds.amazonaws.com";
}

/** The AWS managed key `aws/rds` of the account (what RDS encrypts with when no key is given). */
function awsManagedKey(ctx: CloudContext, alias: string): string {
  return arn(ctx, "kms", `key/${uuid("aws-managed-key", alias, ctx.region, ctx.account)}`);
}

/**
 * The secret RDS creates for `manageMasterUserPassword` (its name is `rds!cluster-<uuid>` or
 * `rds!db-<uuid>`; Secrets Manager appends `-<6 characters>` to the ARN), encrypted with the given
 * key or `aws/secretsmanager`.
 */
function masterUserSecrets(ctx: CloudContext, kind: "cluster" | "db", name: string, inputs: Props): Props[] {
  if (inputs.manageMasterUserPassword !== true) return [];
  const secretName = `rds!${kind}-${uuid("rds-master-secret", kind, name, ctx.region, ctx.account)}`;
  return [
    {
      secretArn: arn(ctx, "secretsmanager", `secret:${secretName}-${secretSuffix(secretName, ctx.account)}`),
      secretStatus: "active",
      kmsKeyId: str(inputs.masterUserSecretKmsKeyId) || awsManagedKey(ctx, "aws/secretsmanager"),
    },
  ];
}

/** Storage encryption as RDS reports it: the given key, or `aws/rds` when encrypted without one. */
function storageKey(ctx: CloudContext, inputs: Props): Props {
  if (inputs.storageEncrypted !== true) return { storageEncrypted: false };
  return { storageEncrypted: true, kmsKeyId: str(inputs.kmsKeyId) || awsManagedKey(ctx, "aws/rds") };
}

function performanceInsights(ctx: CloudContext, inputs: Props): Props {
  if (inputs.performanceInsightsEnabled !== true) return {};
  return {
    performanceInsightsKmsKeyId: str(inputs.performanceInsightsKmsKeyId) || awsManagedKey(ctx, "aws/rds"),
    performanceInsightsRetentionPeriod: inputs.performanceInsightsRetentionPeriod ?? 7,
  };
}

function port(inputs: Props): number {
  return typeof inputs.port === "number" ? inputs.port : 5432;
}

function firstZone(ctx: CloudContext): string {
  return `${ctx.region}a`;
}

/** What AWS computes for RDS (Aurora clusters and instances, DB instances, subnet and parameter groups): ids, ARNs, endpoints. */
export const RDS_SYNTHS: Record<string, Synth> = {
  "aws:rds/cluster:Cluster": (ctx, type, name, inputs) => {
    const id = rdsName(type, name, inputs, "clusterIdentifier", ctx);
    const host = (kind: string) => `${id}.${kind}-${endpointKey(ctx)}.${ctx.region}.${dnsSuffix(ctx)}`;
    return {
      id,
      state: {
        clusterIdentifier: id,
        arn: arn(ctx, "rds", `cluster:${id}`),
        clusterResourceId: `cluster-${upperAlnum(26, type, name, ctx.region, ctx.account)}`,
        endpoint: host("cluster"),
        readerEndpoint: host("cluster-ro"),
        port: port(inputs),
        engineVersionActual: inputs.engineVersion,
        masterUserSecrets: masterUserSecrets(ctx, "cluster", name, inputs),
        ...storageKey(ctx, inputs),
        hostedZoneId: `Z${upperAlnum(13, "rds-zone", ctx.region)}`,
      },
    };
  },
  "aws:rds/clusterInstance:ClusterInstance": (ctx, type, name, inputs) => {
    const id = rdsName(type, name, inputs, "identifier", ctx);
    return {
      id,
      state: {
        identifier: id,
        arn: arn(ctx, "rds", `db:${id}`),
        dbiResourceId: `db-${upperAlnum(26, type, name, ctx.region, ctx.account)}`,
        endpoint: `${id}.${endpointKey(ctx)}.${ctx.region}.${dnsSuffix(ctx)}`,
        port: port(inputs),
        availabilityZone: str(inputs.availabilityZone) || firstZone(ctx),
        engineVersionActual: inputs.engineVersion,
        storageEncrypted: true,
        publiclyAccessible: inputs.publiclyAccessible ?? false,
        ...performanceInsights(ctx, inputs),
      },
    };
  },
  "aws:rds/instance:Instance": (ctx, type, name, inputs) => {
    const identifier = rdsName(type, name, inputs, "identifier", ctx);
    // Since the provider's v5, a DB instance's id is its resource id (`db-…`), not its identifier.
    const resourceId = `db-${upperAlnum(26, type, name, ctx.region, ctx.account)}`;
    const address = `${identifier}.${endpointKey(ctx)}.${ctx.region}.${dnsSuffix(ctx)}`;
    return {
      id: resourceId,
      state: {
        identifier,
        resourceId,
        arn: arn(ctx, "rds", `db:${identifier}`),
        address,
        endpoint: `${address}:${port(inputs)}`,
        port: port(inputs),
        availabilityZone: str(inputs.availabilityZone) || firstZone(ctx),
        engineVersionActual: inputs.engineVersion,
        masterUserSecrets: masterUserSecrets(ctx, "db", name, inputs),
        ...storageKey(ctx, inputs),
        ...performanceInsights(ctx, inputs),
        hostedZoneId: `Z${upperAlnum(13, "rds-zone", ctx.region)}`,
        status: "available",
      },
    };
  },
  "aws:rds/subnetGroup:SubnetGroup": (ctx, type, name, inputs) => {
    const n = rdsName(type, name, inputs, "name", ctx);
    return {
      id: n,
      state: { name: n, arn: arn(ctx, "rds", `subgrp:${n}`), supportedNetworkTypes: ["IPV4"] },
    };
  },
  "aws:rds/clusterParameterGroup:ClusterParameterGroup": (ctx, type, name, inputs) => {
    const n = rdsName(type, name, inputs, "name", ctx);
    return { id: n, state: { name: n, arn: arn(ctx, "rds", `cluster-pg:${n}`) } };
  },
  "aws:rds/parameterGroup:ParameterGroup": (ctx, type, name, inputs) => {
    const n = rdsName(type, name, inputs, "name", ctx);
    return { id: n, state: { name: n, arn: arn(ctx, "rds", `pg:${n}`) } };
  },
};
