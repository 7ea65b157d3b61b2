import { describe, expect, it } from "vitest";
import { synthesizeAws } from "../src/index.js";

const ctx = { region: "eu-west-1", account: "111122223333", partition: "aws" };
const CLUSTER = "aws:rds/cluster:Cluster";
const CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const INSTANCE = "aws:rds/instance:Instance";

describe("Aurora clusters", () => {
  const cluster = synthesizeAws(
    CLUSTER,
    "orders-db-cluster",
    {
      engine: "aurora-postgresql",
      engineVersion: "16.6",
      manageMasterUserPassword: true,
      storageEncrypted: true,
    },
    ctx,
  );

  it("are named like Pulumi's auto-names, lower-cased, and carry RDS's ARN, endpoints and port", () => {
    expect(cluster.id).toMatch(/^orders-db-cluster-[0-9a-f]{7}$/);
    expect(cluster.state.clusterIdentifier).toBe(cluster.id);
    expect(cluster.state.arn).toBe(`arn:aws:rds:eu-west-1:111122223333:cluster:${cluster.id}`);
    expect(cluster.state.endpoint).toMatch(
      new RegExp(`^${cluster.id}\\.cluster-[0-9a-z]{12}\\.eu-west-1\\.rds\\.amazonaws\\.com$`),
    );
    expect(cluster.state.readerEndpoint).toMatch(
      new RegExp(`^${cluster.id}\\.cluster-ro-[0-9a-z]{12}\\.eu-west-1\\.rds\\.amazonaws\\.com$`),
    );
    expect(cluster.state.port).toBe(5432);
    expect(cluster.state.clusterResourceId).toMatch(/^cluster-[A-Z0-9]{26}$/);
    expect(cluster.state.engineVersionActual).toBe("16.6");
    expect(synthesizeAws(CLUSTER, "Orders", {}, ctx).id).toMatch(/^orders-[0-9a-f]{7}$/);
  });

  it("share the account's endpoint key across clusters of a region, like RDS", () => {
    const other = synthesizeAws(CLUSTER, "billing-db-cluster", {}, ctx);
    const key = (s: unknown) => String(s).split(".")[1];
    expect(key(other.state.endpoint)).toBe(key(cluster.state.endpoint));
    expect(other.state.clusterResourceId).not.toBe(cluster.state.clusterResourceId);
  });

  it("report the RDS-managed master secret (rds!cluster-<uuid>-<6>) with the aws/secretsmanager key", () => {
    const [secret] = cluster.state.masterUserSecrets as {
      secretArn: string;
      secretStatus: string;
      kmsKeyId: string;
    }[];
    expect(secret!.secretArn).toMatch(
      /^arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!cluster-[0-9a-f-]{36}-[A-Za-z0-9]{6}$/,
    );
    expect(secret!.secretStatus).toBe("active");
    expect(secret!.kmsKeyId).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\/[0-9a-f-]{36}$/);
    const key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const own = synthesizeAws(
      CLUSTER,
      "c",
      { manageMasterUserPassword: true, masterUserSecretKmsKeyId: key },
      ctx,
    );
    expect((own.state.masterUserSecrets as { kmsKeyId: string }[])[0]!.kmsKeyId).toBe(key);
    expect(synthesizeAws(CLUSTER, "c", {}, ctx).state.masterUserSecrets).toEqual([]);
  });

  it("encrypt with aws/rds unless given a key", () => {
    expect(cluster.state.kmsKeyId).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\//);
    const key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    expect(synthesizeAws(CLUSTER, "c", { storageEncrypted: true, kmsKeyId: key }, ctx).state.kmsKeyId).toBe(
      key,
    );
  });

  it("keep a given identifier and refuse one longer than RDS's 63 characters", () => {
    expect(synthesizeAws(CLUSTER, "c", { clusterIdentifier: "Main" }, ctx).id).toBe("main");
    expect(() => synthesizeAws(CLUSTER, "a".repeat(56), {}, ctx)).toThrow(
      /clusterIdentifier 'a{56}-[0-9a-f]{7}' is longer than RDS's maximum of 63 characters/,
    );
    expect(synthesizeAws(CLUSTER, "a".repeat(55), {}, ctx).id).toHaveLength(63);
  });
});

describe("Aurora cluster instances and DB instances", () => {
  it("give a cluster instance its own endpoint, db- resource id and zone", () => {
    const writer = synthesizeAws(
      CLUSTER_INSTANCE,
      "orders-db-writer",
      { instanceClass: "db.serverless", availabilityZone: "eu-west-1b", performanceInsightsEnabled: true },
      ctx,
    );
    expect(writer.id).toMatch(/^orders-db-writer-[0-9a-f]{7}$/);
    expect(writer.state.arn).toBe(`arn:aws:rds:eu-west-1:111122223333:db:${writer.id}`);
    expect(writer.state.endpoint).toMatch(
      new RegExp(`^${writer.id}\\.[0-9a-z]{12}\\.eu-west-1\\.rds\\.amazonaws\\.com$`),
    );
    expect(writer.state.dbiResourceId).toMatch(/^db-[A-Z0-9]{26}$/);
    expect(writer.state.availabilityZone).toBe("eu-west-1b");
    expect(writer.state.performanceInsightsRetentionPeriod).toBe(7);
  });

  it("give a DB instance its resource id as id, an address, a host:port endpoint and an rds!db- secret", () => {
    const db = synthesizeAws(
      INSTANCE,
      "orders-db-instance",
      { engine: "postgres", manageMasterUserPassword: true, storageEncrypted: true },
      ctx,
    );
    expect(db.id).toMatch(/^db-[A-Z0-9]{26}$/);
    expect(db.state.resourceId).toBe(db.id);
    expect(db.state.identifier).toMatch(/^orders-db-instance-[0-9a-f]{7}$/);
    expect(db.state.arn).toBe(`arn:aws:rds:eu-west-1:111122223333:db:${db.state.identifier}`);
    expect(db.state.address).toMatch(/\.eu-west-1\.rds\.amazonaws\.com$/);
    expect(db.state.endpoint).toBe(`${db.state.address}:5432`);
    expect((db.state.masterUserSecrets as { secretArn: string }[])[0]!.secretArn).toMatch(
      /:secret:rds!db-[0-9a-f-]{36}-[A-Za-z0-9]{6}$/,
    );
  });

  it("use .com.cn endpoints in the China partition", () => {
    const cn = { region: "cn-north-1", account: "111122223333", partition: "aws" };
    const cluster = synthesizeAws(CLUSTER, "c", {}, cn);
    expect(cluster.state.endpoint).toMatch(/\.cn-north-1\.rds\.amazonaws\.com\.cn$/);
    expect(cluster.state.arn).toMatch(/^arn:aws-cn:rds:cn-north-1:/);
  });
});

describe("subnet and parameter groups", () => {
  it("are named and given RDS's ARNs (subgrp, cluster-pg, pg)", () => {
    const sg = synthesizeAws(
      "aws:rds/subnetGroup:SubnetGroup",
      "orders-db-subnets",
      { subnetIds: ["subnet-1"] },
      ctx,
    );
    expect(sg.id).toMatch(/^orders-db-subnets-[0-9a-f]{7}$/);
    expect(sg.state.arn).toBe(`arn:aws:rds:eu-west-1:111122223333:subgrp:${sg.id}`);
    const cpg = synthesizeAws(
      "aws:rds/clusterParameterGroup:ClusterParameterGroup",
      "orders-db-cluster-params",
      { family: "aurora-postgresql16" },
      ctx,
    );
    expect(cpg.state.arn).toBe(`arn:aws:rds:eu-west-1:111122223333:cluster-pg:${cpg.id}`);
    const pg = synthesizeAws(
      "aws:rds/parameterGroup:ParameterGroup",
      "p",
      { family: "postgres16", name: "pg16" },
      ctx,
    );
    expect(pg.id).toBe("pg16");
    expect(pg.state.arn).toBe("arn:aws:rds:eu-west-1:111122223333:pg:pg16");
    expect(pg.state.family).toBe("postgres16");
  });
});
