import { arn, type CloudContext, type Props, physicalName, type Synth, str } from "./aws.js";
import { hex } from "./hash.js";

/** The longest serverless cache name ElastiCache accepts. */
const SERVERLESS_CACHE_NAME_MAX = 40;

/** Full engine versions a new serverless cache reports for each major version (ElastiCache engine versions). */
const FULL_VERSIONS: Record<string, Record<string, string>> = {
  valkey: { "7": "7.2", "8": "8.1", "9": "9.0" },
  redis: { "7": "7.1" },
  memcached: { "1.6": "1.6.22" },
};

/** The major version ElastiCache picks when none is given: the newest. */
const LATEST_MAJOR: Record<string, string> = { valkey: "9", redis: "7", memcached: "1.6" };

const DIRECTIONS: Record<string, string> = {
  north: "n",
  south: "s",
  east: "e",
  west: "w",
  central: "c",
  northeast: "ne",
  northwest: "nw",
  southeast: "se",
  southwest: "sw",
};

/**
 * The region's short form in ElastiCache serverless endpoints: `us-east-1` → `use1`,
 * `ap-southeast-2` → `apse2`, `eu-central-1` → `euc1`.
 */
function shortRegion(region: string): string {
  return region
    .split("-")
    .map((part) => DIRECTIONS[part] ?? part)
    .join("");
}

function serverlessCache(ctx: CloudContext, type: string, name: string, inputs: Props) {
  // ElastiCache stores the name in lower case (CreateServerlessCache).
  const n = physicalName(type, name, inputs, ctx).toLowerCase();
  if (n.length > SERVERLESS_CACHE_NAME_MAX) {
    throw new Error(
      `${type} '${name}': ElastiCache rejects the serverless cache name '${n}': longer than ${SERVERLESS_CACHE_NAME_MAX} characters`,
    );
  }
  const engine = str(inputs.engine, "valkey").toLowerCase();
  const major = str(inputs.majorEngineVersion) || LATEST_MAJOR[engine] || "";
  const host = `${n}-${hex(6, type, name, ctx.region, ctx.account)}.serverless.${shortRegion(ctx.region)}.cache.amazonaws.com`;
  const memcached = engine === "memcached";
  return {
    id: n,
    state: {
      name: n,
      arn: arn(ctx, "elasticache", `serverlesscache:${n}`),
      engine,
      majorEngineVersion: major,
      fullEngineVersion: FULL_VERSIONS[engine]?.[major] ?? major,
      // Valkey and Redis OSS: 6379 reads and writes, 6380 reads from replicas; Memcached: 11211.
      endpoints: [{ address: host, port: memcached ? 11211 : 6379 }],
      readerEndpoints: memcached ? [] : [{ address: host, port: 6380 }],
      status: "available",
      networkType: str(inputs.networkType, "ipv4"),
      snapshotRetentionLimit: inputs.snapshotRetentionLimit ?? 0,
      dailySnapshotTime: str(inputs.dailySnapshotTime, "00:00"),
      securityGroupIds: inputs.securityGroupIds ?? [],
      subnetIds: inputs.subnetIds ?? [],
      description: str(inputs.description),
    },
  };
}

/** What AWS computes for ElastiCache (serverless caches, users and user groups): ids, ARNs, endpoints. */
export const ELASTICACHE_SYNTHS: Record<string, Synth> = {
  "aws:elasticache/serverlessCache:ServerlessCache": serverlessCache,
  "aws:elasticache/user:User": (ctx, _type, _name, inputs) => {
    const id = str(inputs.userId);
    const mode = (inputs.authenticationMode ?? {}) as { type?: string; passwords?: unknown[] };
    const passwords = Array.isArray(mode.passwords)
      ? mode.passwords.length
      : Array.isArray(inputs.passwords)
        ? inputs.passwords.length
        : 0;
    const authType =
      mode.type ??
      (inputs.noPasswordRequired === true ? "no-password-required" : passwords ? "password" : "");
    return {
      id,
      state: {
        arn: arn(ctx, "elasticache", `user:${id}`),
        authenticationMode: { ...mode, type: authType, passwordCount: passwords },
      },
    };
  },
  "aws:elasticache/userGroup:UserGroup": (ctx, _type, _name, inputs) => {
    // ElastiCache stores user group ids in lower case (CreateUserGroup).
    const id = str(inputs.userGroupId).toLowerCase();
    return { id, state: { userGroupId: id, arn: arn(ctx, "elasticache", `usergroup:${id}`) } };
  },
};
