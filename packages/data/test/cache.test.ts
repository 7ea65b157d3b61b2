import { mergeGrants } from "@berth/core";
import { expectInvalid, type RunComponentOptions, type RunResult, runComponent } from "@berth/testing";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { CACHE_ACCESS, Cache, type CacheArgs, type CacheRef, cacheGrant } from "../src/cache.js";

const SC = "aws:elasticache/serverlessCache:ServerlessCache";
const USER = "aws:elasticache/user:User";
const GROUP = "aws:elasticache/userGroup:UserGroup";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const NET = {
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2", "subnet-0ccccccccccccccc3"],
};

function resolve<T>(value: pulumi.Input<T>): Promise<T> {
  return new Promise((ok) => pulumi.output(value).apply((v) => ok(v as T)));
}

async function make(
  args: Partial<CacheArgs> = {},
  name = "cache",
  opts: RunComponentOptions = {},
): Promise<{ run: RunResult; cache: Cache }> {
  let cache!: Cache;
  const run = await runComponent(() => {
    cache = new Cache(name, { ...NET, ...args });
  }, opts);
  return { run, cache };
}

describe("Cache in dev (not protected)", () => {
  it("creates a Valkey 8 serverless cache with capped usage, a daily snapshot and its own security group", async () => {
    const { run } = await make();
    const sg = run.one(SG);
    expect(sg.inputs).toMatchObject({ vpcId: NET.vpcId });
    expect(sg.inputs.ingress).toBeUndefined();
    expect(sg.inputs.egress).toBeUndefined();
    expect(run.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).toHaveLength(0);
    const cache = run.one(SC);
    expect(cache.name).toBe("cache");
    expect(cache.inputs).toMatchObject({
      engine: "valkey",
      majorEngineVersion: "8",
      cacheUsageLimits: { dataStorage: { maximum: 10, unit: "GB" }, ecpuPerSeconds: [{ maximum: 5000 }] },
      snapshotRetentionLimit: 1,
      securityGroupIds: [sg.id],
      subnetIds: NET.subnetIds,
      userGroupId: run.one(GROUP).id,
      description: "Berth cache cache",
    });
    expect(cache.inputs.kmsKeyId).toBeUndefined();
    expect(cache.inputs.dailySnapshotTime).toBeUndefined();
    expect(cache.outputs.name).toMatch(/^cache-[0-9a-f]{7}$/);
    for (const r of run.managed) expect(r.options.protect ?? false).toBe(false);
  });

  it("authenticates with IAM only: one IAM user (id = name) alone in a Valkey user group, no default user", async () => {
    const { run } = await make();
    const user = run.one(USER);
    expect(user.inputs).toEqual({
      userId: "cache-test",
      userName: "cache-test",
      engine: "valkey",
      accessString: "on ~* +@all",
      authenticationMode: { type: "iam" },
      tags: {},
    });
    expect(user.inputs.passwords).toBeUndefined();
    expect(user.inputs.noPasswordRequired).toBeUndefined();
    expect(run.one(GROUP).inputs).toMatchObject({
      userGroupId: "cache-test-group",
      engine: "valkey",
      userIds: ["cache-test"],
    });
  });

  it("exposes the endpoint, the ARNs and the names a service needs", async () => {
    const { run, cache } = await make();
    const name = run.one(SC).outputs.name as string;
    expect(await resolve(cache.arn)).toBe(
      `arn:aws:elasticache:us-east-1:${run.record.account}:serverlesscache:${name}`,
    );
    expect(await resolve(cache.host)).toMatch(
      new RegExp(`^${name}-[0-9a-f]{6}\\.serverless\\.use1\\.cache\\.amazonaws\\.com$`),
    );
    expect(await resolve(cache.userArn)).toBe(
      `arn:aws:elasticache:us-east-1:${run.record.account}:user:cache-test`,
    );
    expect(await resolve(cache.userGroupId)).toBe("cache-test-group");
    expect(await resolve(cache.securityGroupId)).toBe(run.one(SG).id);
    expect(await resolve(cache.ref.name)).toBe(name);
  });

  it("names the user after the stack, shortened with a hash when the stack name is long", async () => {
    const short = await make({}, "sessions", { stack: "dev.Orders_api" });
    expect(short.run.one(USER).inputs.userId).toBe("sessions-dev-orders-api");
    const long = await make({}, "sessions", { stack: "production-eu-west-1.storefront-checkout" });
    const id = long.run.one(USER).inputs.userId as string;
    expect(id).toMatch(/^sessions-[0-9a-f]{6}$/);
    const again = await make({}, "sessions", { stack: "production-eu-west-1.storefront-checkout" });
    expect(again.run.one(USER).inputs.userId).toBe(id);
  });
});

describe("Cache in prod (protect)", () => {
  it("protects and retains every child and keeps the snapshots it is given", async () => {
    const { run } = await make({ protect: true, snapshotRetentionDays: 7, dailySnapshotTime: "03:30" });
    const children = run.managed.filter((r) => r.custom);
    expect(children.map((r) => r.type)).toEqual([SG, USER, GROUP, SC]);
    for (const r of children) expect(r.options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(run.one(SC).inputs).toMatchObject({ snapshotRetentionLimit: 7, dailySnapshotTime: "03:30" });
  });
});

describe("Cache settings", () => {
  it("Redis OSS: adds the user named default a Redis user group needs, disabled and with a random secret password", async () => {
    const { run } = await make({ engine: "redis" });
    expect(run.one(SC).inputs).toMatchObject({ engine: "redis", majorEngineVersion: "7" });
    const users = run.ofType(USER);
    expect(users).toHaveLength(2);
    const fallback = run.named("cache-default-user", USER);
    expect(fallback.inputs).toMatchObject({
      userId: "cache-test-default",
      userName: "default",
      engine: "redis",
      accessString: "off -@all",
      authenticationMode: { type: "password", passwords: ["[secret]"] },
    });
    expect(fallback.inputs.noPasswordRequired).toBeUndefined();
    expect(fallback.options.ignoreChanges).toEqual(["authenticationMode"]);
    expect(run.named("cache-user", USER).inputs).toMatchObject({
      engine: "redis",
      authenticationMode: { type: "iam" },
    });
    expect(run.one(GROUP).inputs).toMatchObject({
      engine: "redis",
      userIds: ["cache-test-default", "cache-test"],
    });
  });

  it("passes its own settings through", async () => {
    const { run } = await make({
      version: "7",
      maxDataStorageGb: 50,
      maxEcpuPerSecond: 20_000,
      snapshotRetentionDays: 0,
      kmsKeyArn: KEY,
      description: "Sessions of the storefront",
      userId: "storefront",
      accessString: "on ~app:* -@all +@read +@write",
      tags: { Team: "storefront" },
    });
    expect(run.one(SC).inputs).toMatchObject({
      majorEngineVersion: "7",
      cacheUsageLimits: { dataStorage: { maximum: 50, unit: "GB" }, ecpuPerSeconds: [{ maximum: 20_000 }] },
      snapshotRetentionLimit: 0,
      kmsKeyId: KEY,
      description: "Sessions of the storefront",
      tags: { Team: "storefront" },
    });
    expect(run.one(USER).inputs).toMatchObject({
      userId: "storefront",
      userName: "storefront",
      accessString: "on ~app:* -@all +@read +@write",
    });
    expect(run.one(GROUP).inputs.userGroupId).toBe("storefront-group");
    for (const r of run.managed.filter((c) => c.custom))
      expect(r.inputs.tags).toEqual({ Team: "storefront" });
  });

  it("applies every transform to its own child", async () => {
    const { run } = await make({
      engine: "redis",
      transform: {
        securityGroup: (a) => ({ ...a, revokeRulesOnDelete: true }),
        user: (a) => ({ ...a, accessString: "on ~* +@read" }),
        defaultUser: (_a, o) => {
          o.deleteBeforeReplace = true;
        },
        userGroup: (a) => ({ ...a, tags: { ...a.tags, Group: "yes" } }),
        cache: (a) => ({ ...a, networkType: "dualStack" }),
      },
    });
    expect(run.one(SG).inputs.revokeRulesOnDelete).toBe(true);
    expect(run.named("cache-user", USER).inputs.accessString).toBe("on ~* +@read");
    expect(run.named("cache-default-user", USER).options).toMatchObject({
      deleteBeforeReplace: true,
      ignoreChanges: ["authenticationMode"],
    });
    expect(run.one(GROUP).inputs.tags).toEqual({ Group: "yes" });
    expect(run.one(SC).inputs.networkType).toBe("dualStack");
    expect(run.one(SC).inputs.tags).toEqual({});
  });
});

describe("cache grants: connect as the IAM user, exact resources, two ports", () => {
  it("gives elasticache:Connect on the cache and the user, the connection variables and ingress on 6379 and 6380", async () => {
    expect(CACHE_ACCESS).toEqual(["connect"]);
    const { run, cache } = await make({}, "sessions");
    const grant = cache.link("connect");
    expect(grant.taskRoleStatements).toHaveLength(1);
    const [statement] = grant.taskRoleStatements;
    expect(statement).toMatchObject({
      Sid: "SESSIONSConnect",
      Effect: "Allow",
      Action: ["elasticache:Connect"],
    });
    expect(await Promise.all(statement!.Resource.map((r) => resolve(r)))).toEqual([
      await resolve(cache.arn),
      await resolve(cache.userArn),
    ]);
    expect(Object.keys(grant.environment)).toEqual([
      "SESSIONS_HOST",
      "SESSIONS_PORT",
      "SESSIONS_READER_PORT",
      "SESSIONS_TLS",
      "SESSIONS_USER",
      "SESSIONS_CACHE_NAME",
    ]);
    const env = Object.fromEntries(
      await Promise.all(Object.entries(grant.environment).map(async ([k, v]) => [k, await resolve(v)])),
    );
    const host = run.one(SC).outputs.endpoints as { address: string }[];
    expect(env).toEqual({
      SESSIONS_HOST: host[0]!.address,
      SESSIONS_PORT: "6379",
      SESSIONS_READER_PORT: "6380",
      SESSIONS_TLS: "true",
      SESSIONS_USER: "sessions-test",
      SESSIONS_CACHE_NAME: run.one(SC).outputs.name,
    });
    expect(grant.secrets).toEqual({});
    expect(grant.secretKmsKeyArns).toEqual([]);
    expect(grant.ingress.map((i) => [i.port, i.description])).toEqual([
      [6379, "Cache sessions: reads and writes (TLS)"],
      [6380, "Cache sessions: reads from replicas (TLS)"],
    ]);
    for (const i of grant.ingress) expect(await resolve(i.securityGroupId)).toBe(run.one(SG).id);
  });

  it("builds the same grant from a plain ref and merges with other links", async () => {
    const ref: CacheRef = {
      name: "cache-1a2b3c4",
      arn: "arn:aws:elasticache:eu-west-1:123456789012:serverlesscache:cache-1a2b3c4",
      host: "cache-1a2b3c4-x7k2pq.serverless.euw1.cache.amazonaws.com",
      userId: "cache-prod",
      userArn: "arn:aws:elasticache:eu-west-1:123456789012:user:cache-prod",
      securityGroupId: "sg-0123456789abcdef0",
    };
    const grant = cacheGrant("cache", ref, "connect");
    expect(grant.taskRoleStatements).toEqual([
      {
        Sid: "CACHEConnect",
        Effect: "Allow",
        Action: ["elasticache:Connect"],
        Resource: [ref.arn, ref.userArn],
      },
    ]);
    expect(grant.environment).toEqual({
      CACHE_HOST: ref.host,
      CACHE_PORT: "6379",
      CACHE_READER_PORT: "6380",
      CACHE_TLS: "true",
      CACHE_USER: "cache-prod",
      CACHE_CACHE_NAME: "cache-1a2b3c4",
    });
    const merged = mergeGrants([grant, cacheGrant("sessions", ref, "connect")]);
    expect(merged.ingress).toHaveLength(4);
    expect(() => cacheGrant("cache", ref, "read" as never)).toThrow(
      `berth:data:Cache 'cache' offers access "connect", not "read"`,
    );
  });
});

describe("Cache validation: errors before any resource", () => {
  const T = "berth:data:Cache";
  it.each<[string, string, Partial<CacheArgs>, string]>([
    [
      "an upper-case name",
      "Sessions",
      {},
      `${T} 'Sessions': name is "Sessions"; the cache is named <name>-<7 random characters> and ElastiCache cache names have lower-case letters, digits and single hyphens, starting with a letter`,
    ],
    [
      "a name too long for a cache name",
      "a".repeat(33),
      {},
      `${T} '${"a".repeat(33)}': name is "${"a".repeat(33)}"; the cache is named <name>-<7 random characters> and a serverless cache name has at most 40 characters: use at most 32 characters`,
    ],
    [
      "one subnet",
      "cache",
      { subnetIds: ["subnet-0aaaaaaaaaaaaaaa1"] },
      `${T} 'cache': subnetIds is ["subnet-0aaaaaaaaaaaaaaa1"]; give at least two private subnets in different Availability Zones, so the endpoint survives the loss of one`,
    ],
    [
      "no VPC",
      "cache",
      { vpcId: undefined as never },
      `${T} 'cache': vpcId is undefined; give the VPC of the cache's subnets (the network's vpcId)`,
    ],
    [
      "an unknown engine",
      "cache",
      { engine: "memcached" as never },
      `${T} 'cache': engine is "memcached"; allowed: "valkey", "redis"`,
    ],
    [
      "a Redis version ElastiCache Serverless does not offer",
      "cache",
      { engine: "redis", version: "8" },
      `${T} 'cache': version is "8"; redis offers the major versions "7" (quote it: a text, not a number)`,
    ],
    [
      "a version given as a number",
      "cache",
      { version: 8 as never },
      `${T} 'cache': version is 8; valkey offers the major versions "7", "8", "9" (quote it: a text, not a number)`,
    ],
    [
      "storage above 5,000 GB",
      "cache",
      { maxDataStorageGb: 6000 },
      `${T} 'cache': maxDataStorageGb is 6000; must be a whole number from 1 to 5000 GB`,
    ],
    [
      "fewer than 1,000 ECPUs per second",
      "cache",
      { maxEcpuPerSecond: 500 },
      `${T} 'cache': maxEcpuPerSecond is 500; must be a whole number from 1000 to 15000000 ECPUs per second`,
    ],
    [
      "snapshots kept 36 days",
      "cache",
      { snapshotRetentionDays: 36 },
      `${T} 'cache': snapshotRetentionDays is 36; must be a whole number from 0 to 35 days`,
    ],
    [
      "a protected cache without snapshots",
      "cache",
      { protect: true, snapshotRetentionDays: 0 },
      `${T} 'cache': snapshotRetentionDays is 0; a protected cache keeps daily snapshots (at least 1 day): deleting a cache takes no final snapshot`,
    ],
    [
      "a snapshot time that is not HH:MM",
      "cache",
      { dailySnapshotTime: "3am" },
      `${T} 'cache': dailySnapshotTime is "3am"; a UTC time of day as HH:MM, e.g. "03:00"`,
    ],
    [
      "a snapshot time without snapshots",
      "cache",
      { snapshotRetentionDays: 0, dailySnapshotTime: "03:00" },
      `${T} 'cache': dailySnapshotTime is "03:00"; applies with daily snapshots: set snapshotRetentionDays to at least 1`,
    ],
    [
      "a key that is not a KMS key",
      "cache",
      { kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:alias/cache" },
      `${T} 'cache': kmsKeyArn is "arn:aws:kms:us-east-1:123456789012:alias/cache"; must be an ARN of kms (arn:aws:kms:<region>:<account>:…)`,
    ],
    [
      "an upper-case user id",
      "cache",
      { userId: "Storefront" },
      `${T} 'cache': userId is "Storefront"; an ElastiCache user id is a letter followed by letters, digits and hyphens; Berth keeps it lower case and at most 32 characters`,
    ],
    [
      "the reserved user id default",
      "cache",
      { userId: "default" },
      `${T} 'cache': userId is "default"; ElastiCache reserves the user id "default" (its own default user)`,
    ],
    [
      "a password in the access string",
      "cache",
      { accessString: "on >secret ~* +@all" },
      `${T} 'cache': accessString is "on >secret ~* +@all"; ElastiCache access strings take no passwords and no nopass, resetpass or reset (found ">secret"): the user authenticates with IAM`,
    ],
    [
      "a description with angle brackets",
      "cache",
      { description: "<b>cache</b>" },
      `${T} 'cache': description is "<b>cache</b>"; at most 255 characters, without < or >`,
    ],
  ])("%s", async (_title, name, args, message) => {
    const error = await expectInvalid(() => new Cache(name, { ...NET, ...args } as CacheArgs), message);
    expect(error.message).toBe(message);
  });
});
