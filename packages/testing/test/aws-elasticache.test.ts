import { describe, expect, it } from "vitest";
// Through the index, as every user does: aws.ts registers the ElastiCache synths when it loads.
import { synthesizeAws } from "../src/index.js";

const SC = "aws:elasticache/serverlessCache:ServerlessCache";
const ctx = { region: "eu-west-1", account: "111122223333", partition: "aws" };

describe("ElastiCache serverless caches", () => {
  it("get a lower-case auto-name, an ARN, a writer endpoint on 6379 and a reader endpoint on 6380", () => {
    const out = synthesizeAws(SC, "Sessions", { engine: "valkey", majorEngineVersion: "8" }, ctx);
    const name = out.state.name as string;
    expect(name).toMatch(/^sessions-[0-9a-f]{7}$/);
    expect(out.id).toBe(name);
    expect(out.state.arn).toBe(`arn:aws:elasticache:eu-west-1:111122223333:serverlesscache:${name}`);
    const endpoints = out.state.endpoints as { address: string; port: number }[];
    const readers = out.state.readerEndpoints as { address: string; port: number }[];
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]!.address).toMatch(
      new RegExp(`^${name}-[0-9a-f]{6}\\.serverless\\.euw1\\.cache\\.amazonaws\\.com$`),
    );
    expect(endpoints[0]!.port).toBe(6379);
    expect(readers).toEqual([{ address: endpoints[0]!.address, port: 6380 }]);
    expect(out.state).toMatchObject({
      status: "available",
      fullEngineVersion: "8.1",
      majorEngineVersion: "8",
    });
    // Without a major version ElastiCache picks the newest.
    expect(synthesizeAws(SC, "Sessions", { engine: "valkey" }, ctx).state).toMatchObject({
      majorEngineVersion: "9",
      fullEngineVersion: "9.0",
    });
  });

  it("keep a given name (in lower case) and reject one longer than 40 characters, as ElastiCache does", () => {
    expect(synthesizeAws(SC, "c", { name: "Orders-Cache", engine: "redis" }, ctx).state).toMatchObject({
      name: "orders-cache",
      arn: "arn:aws:elasticache:eu-west-1:111122223333:serverlesscache:orders-cache",
      majorEngineVersion: "7",
      fullEngineVersion: "7.1",
    });
    expect(() => synthesizeAws(SC, "c", { name: "a".repeat(41), engine: "valkey" }, ctx)).toThrow(
      `${SC} 'c': ElastiCache rejects the serverless cache name '${"a".repeat(41)}': longer than 40 characters`,
    );
  });

  it("use the region's short form in the endpoint and the partition in the ARN", () => {
    const host = (region: string) =>
      (
        synthesizeAws(SC, "c", { name: "c1", engine: "valkey" }, { ...ctx, region }).state.endpoints as {
          address: string;
        }[]
      )[0]!.address;
    expect(host("us-east-1")).toMatch(/^c1-[0-9a-f]{6}\.serverless\.use1\.cache\.amazonaws\.com$/);
    expect(host("ap-southeast-2")).toMatch(/\.serverless\.apse2\./);
    expect(host("eu-central-1")).toMatch(/\.serverless\.euc1\./);
    expect(host("ap-northeast-1")).toMatch(/\.serverless\.apne1\./);
    const china = synthesizeAws(SC, "c", { name: "c1", engine: "valkey" }, { ...ctx, region: "cn-north-1" });
    expect(china.state.arn).toBe("arn:aws-cn:elasticache:cn-north-1:111122223333:serverlesscache:c1");
  });

  it("serve Memcached on 11211 without a reader endpoint", () => {
    const out = synthesizeAws(SC, "c", { name: "m1", engine: "memcached" }, ctx);
    expect((out.state.endpoints as { port: number }[])[0]!.port).toBe(11211);
    expect(out.state.readerEndpoints).toEqual([]);
    expect(out.state.fullEngineVersion).toBe("1.6.22");
  });
});

describe("ElastiCache users and user groups", () => {
  it("are identified by their ids, with user and usergroup ARNs", () => {
    const user = synthesizeAws(
      "aws:elasticache/user:User",
      "app",
      { userId: "cache-prod", userName: "cache-prod", engine: "valkey", authenticationMode: { type: "iam" } },
      ctx,
    );
    expect(user.id).toBe("cache-prod");
    expect(user.state).toMatchObject({
      arn: "arn:aws:elasticache:eu-west-1:111122223333:user:cache-prod",
      authenticationMode: { type: "iam", passwordCount: 0 },
    });
    const withPassword = synthesizeAws(
      "aws:elasticache/user:User",
      "d",
      { userId: "d1", userName: "default", engine: "redis", passwords: ["x".repeat(16)] },
      ctx,
    );
    expect(withPassword.state.authenticationMode).toEqual({ type: "password", passwordCount: 1 });
    const group = synthesizeAws(
      "aws:elasticache/userGroup:UserGroup",
      "g",
      { userGroupId: "Cache-Prod-Group", engine: "valkey", userIds: ["cache-prod"] },
      ctx,
    );
    expect(group.id).toBe("cache-prod-group");
    expect(group.state).toMatchObject({
      userGroupId: "cache-prod-group",
      arn: "arn:aws:elasticache:eu-west-1:111122223333:usergroup:cache-prod-group",
      userIds: ["cache-prod"],
    });
  });
});
