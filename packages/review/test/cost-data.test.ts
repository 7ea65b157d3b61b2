import { describe, expect, it } from "vitest";
import { estimateCost } from "../src/index.js";
import { record, res } from "./records.js";

// Idle monthly cost of the data resources (us-east-1 table, 730 hours).
const cluster = (min: number) =>
  res(
    "aws:rds/cluster:Cluster",
    "orders-db-cluster",
    {
      manageMasterUserPassword: true,
      serverlessv2ScalingConfiguration: { minCapacity: min, maxCapacity: 4 },
    },
    { id: "orders-db-cluster-1a2b3c4" },
  );
const instance = (name: string) =>
  res("aws:rds/clusterInstance:ClusterInstance", name, {
    instanceClass: "db.serverless",
    clusterIdentifier: "orders-db-cluster-1a2b3c4",
  });

describe("the cost of data resources", () => {
  it("a paused Aurora Serverless v2 database costs its managed secret only; at 0.5 ACU, $43.80 per instance", () => {
    const dev = estimateCost(record([cluster(0), instance("orders-db-writer")]));
    expect(dev.items.map((i) => [i.what, i.monthly])).toEqual([
      ["Secrets Manager secret (RDS-managed password)", 0.4],
      ["Aurora Serverless v2 at its minimum (0 ACU)", 0],
    ]);
    const prod = estimateCost(
      record([cluster(0.5), instance("orders-db-writer"), instance("orders-db-reader")]),
    );
    expect(prod.totalMonthly).toBe(88);
    expect(prod.unpriced).toEqual([]);
  });

  it("prices RDS PostgreSQL by instance class (Multi-AZ doubles it) and gp3 storage", () => {
    const c = estimateCost(
      record([
        res("aws:rds/instance:Instance", "db", {
          instanceClass: "db.t4g.micro",
          allocatedStorage: 20,
          multiAz: true,
          manageMasterUserPassword: true,
        }),
      ]),
    );
    expect(c.items.map((i) => [i.what, i.monthly])).toEqual([
      ["RDS PostgreSQL db.t4g.micro (Multi-AZ)", 23.36],
      ["RDS gp3 storage (GB)", 2.3],
      ["Secrets Manager secret (RDS-managed password)", 0.4],
    ]);
  });

  it("an unknown instance class is listed without a price, never guessed", () => {
    const c = estimateCost(
      record([res("aws:rds/instance:Instance", "db", { instanceClass: "db.r8g.large" })]),
    );
    expect(c.unpriced.map((i) => [i.what, i.note])).toEqual([
      ["RDS PostgreSQL db.r8g.large", "instance class not in the table"],
    ]);
  });

  it("ElastiCache Serverless meters its minimum data: Valkey 100 MB, Redis OSS 1 GB; empty EFS costs nothing", () => {
    const c = estimateCost(
      record([
        res("aws:elasticache/serverlessCache:ServerlessCache", "sessions", { engine: "valkey" }),
        res("aws:elasticache/serverlessCache:ServerlessCache", "legacy", { engine: "redis" }),
        res("aws:efs/fileSystem:FileSystem", "files", { encrypted: true }),
      ]),
    );
    expect(c.items.map((i) => [i.name, i.monthly])).toEqual([
      ["sessions", 6.13],
      ["legacy", 91.25],
      ["files", 0],
    ]);
  });
});
