import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunResult, runStack } from "@berth/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The example app orders owns a Postgres database (orders-db) and a bucket (receipts) and uses both
// from its manifest: no TypeScript. These tests read what its stack would create and grant.
const projectDir = join(__dirname, "..");
const repoApps = join(projectDir, "..", "..", "apps");
const tmp = mkdtempSync(join(tmpdir(), "berth-service-data-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let dev: RunResult;
let prod: RunResult;
beforeAll(async () => {
  [dev, prod] = await Promise.all(
    ["dev.orders", "prod.orders"].map((s) =>
      runStack(projectDir, s, { stackConfigOptional: true, allowError: true }),
    ),
  );
});

interface Container {
  environment: { name: string; value: string }[];
  secrets?: { name: string; valueFrom: string }[];
  mountPoints?: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
}
const main = (r: RunResult, service = "orders") =>
  (
    r.json(
      r.one("aws:ecs/taskDefinition:TaskDefinition", `${service}-taskdef`),
      "containerDefinitions",
    ) as Container[]
  )[0]!;
const statements = (r: RunResult) =>
  r
    .ofType("aws:iam/rolePolicy:RolePolicy")
    .flatMap(
      (p) =>
        (JSON.parse(p.inputs.policy as string) as { Statement: { Action: unknown; Resource: unknown }[] })
          .Statement,
    );

describe("orders' database: Aurora Serverless v2, cheap in dev, protected in prod", () => {
  it("dev scales to zero and pauses, keeps no final snapshot and can be deleted", () => {
    expect(dev.error?.message).toBeUndefined();
    const cluster = dev.one("aws:rds/cluster:Cluster");
    expect(cluster.inputs).toMatchObject({
      engine: "aurora-postgresql",
      engineVersion: "16", // the major: AWS applies minor versions itself
      serverlessv2ScalingConfiguration: { minCapacity: 0, maxCapacity: 2, secondsUntilAutoPause: 300 },
      storageEncrypted: true,
      manageMasterUserPassword: true,
      skipFinalSnapshot: true,
      deletionProtection: false,
      backupRetentionPeriod: 1,
    });
    expect(cluster.inputs).not.toHaveProperty("masterPassword");
    expect(cluster.options.protect).toBeUndefined();
    expect(dev.ofType("aws:rds/clusterInstance:ClusterInstance")).toHaveLength(1);
    // The stack exports what it owns, as plain outputs (the secret's ARN, never its value).
    const data = dev.outputs.data as Record<string, { kind: string; ref: Record<string, unknown> }>;
    expect(Object.keys(data)).toEqual(["orders-db", "receipts"]);
    expect(data["orders-db"]).toMatchObject({ kind: "postgres", ref: { host: cluster.outputs.endpoint } });
    expect(data.receipts!.kind).toBe("bucket");
    // The bucket goes with the stack in dev.
    expect(dev.one("aws:s3/bucket:Bucket").inputs.forceDestroy).toBe(true);
  });

  it("prod never pauses, has a reader in another zone, a final snapshot, 14 days of backups, and is protected", () => {
    expect(prod.error?.message).toBeUndefined();
    const cluster = prod.one("aws:rds/cluster:Cluster");
    expect(cluster.inputs).toMatchObject({
      serverlessv2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 8 },
      deletionProtection: true,
      skipFinalSnapshot: false,
      backupRetentionPeriod: 14,
    });
    expect(cluster.inputs.finalSnapshotIdentifier).toMatch(/^orders-db-/);
    expect(cluster.options).toMatchObject({ protect: true, retainOnDelete: true });
    const zones = prod
      .ofType("aws:rds/clusterInstance:ClusterInstance")
      .map((i) => i.inputs.availabilityZone);
    expect(zones).toHaveLength(2);
    expect(new Set(zones).size).toBe(2);
    const bucket = prod.one("aws:s3/bucket:Bucket");
    expect(bucket.options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(bucket.inputs.forceDestroy).toBeFalsy();
    expect(prod.one("aws:s3/bucketVersioning:BucketVersioning").inputs).toMatchObject({
      versioningConfiguration: { status: "Enabled" },
    });
  });

  it("runs in the environment's isolated subnets, which exist because a database does", () => {
    const platform = dev.one("pulumi:pulumi:StackReference", "organization/berth-platform/dev").outputs
      .outputs as {
      forServices: { network: { isolatedSubnetIds: string[]; privateSubnetIds: string[] } };
    };
    const isolated = platform.forServices.network.isolatedSubnetIds;
    expect(isolated).toHaveLength(2);
    expect(dev.one("aws:rds/subnetGroup:SubnetGroup").inputs.subnetIds).toEqual(isolated);
  });
});

describe("orders' links: least privilege, one network path, variables and secrets", () => {
  it("injects the documented variables, and the credentials only as ECS secrets from the RDS-managed secret", () => {
    const c = main(dev);
    const env = Object.fromEntries(c.environment.map((e) => [e.name, e.value]));
    const cluster = dev.one("aws:rds/cluster:Cluster").outputs;
    const bucket = dev.one("aws:s3/bucket:Bucket").outputs;
    expect(env).toMatchObject({
      ORDERS_DB_HOST: cluster.endpoint,
      ORDERS_DB_READER_HOST: cluster.readerEndpoint,
      ORDERS_DB_PORT: "5432",
      ORDERS_DB_NAME: "orders_db",
      ORDERS_DB_SSLMODE: "require",
      RECEIPTS_BUCKET: bucket.bucket,
      RECEIPTS_BUCKET_ARN: bucket.arn,
      RECEIPTS_REGION: "us-east-1",
    });
    expect(Object.keys(env).filter((k) => /PASSWORD|_USER$/.test(k))).toEqual([]);
    const secret = (cluster.masterUserSecrets as { secretArn: string }[])[0]!.secretArn;
    expect(c.secrets).toEqual([
      { name: "ORDERS_DB_USER", valueFrom: `${secret}:username::` },
      { name: "ORDERS_DB_PASSWORD", valueFrom: `${secret}:password::` },
    ]);
  });

  it("grants exact actions on the bucket's own ARNs and reads exactly the database's secret: no * resource beyond ECR's token", () => {
    const all = statements(dev);
    const arn = dev.one("aws:s3/bucket:Bucket").outputs.arn as string;
    const s3 = all.filter((s) => JSON.stringify(s.Action).includes("s3:"));
    expect(s3.map((s) => s.Resource)).toEqual([[`${arn}/*`], [arn]]);
    const wildcards = all.filter((s) => [s.Resource].flat().includes("*"));
    expect(wildcards.map((s) => s.Action)).toEqual(["ecr:GetAuthorizationToken"]);
    const secret = (
      dev.one("aws:rds/cluster:Cluster").outputs.masterUserSecrets as { secretArn: string }[]
    )[0]!.secretArn;
    const reads = all.filter((s) => JSON.stringify(s.Action).includes("secretsmanager:GetSecretValue"));
    // The execution role injects it; the task role may read it again after RDS rotates it (every 7 days).
    expect(reads.map((s) => s.Resource)).toEqual([[secret], [secret]]);
  });

  it("opens 5432 on the database's security group from orders' task security group, and nothing else", () => {
    const dbGroup = dev.one("aws:ec2/securityGroup:SecurityGroup", "orders-db-sg").id;
    const rules = dev
      .ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
      .filter((r) => r.inputs.securityGroupId === dbGroup);
    expect(
      rules.map((r) => [r.inputs.fromPort, r.inputs.toPort, r.inputs.referencedSecurityGroupId]),
    ).toEqual([[5432, 5432, dev.outputs.securityGroupId]]);
    expect(rules[0]!.inputs.cidrIpv4).toBeUndefined();
  });

  it("the release task (migrations) gets the same links as the service", () => {
    const release = (
      dev.json(
        dev.one("aws:ecs/taskDefinition:TaskDefinition", "orders-release-taskdef"),
        "containerDefinitions",
      ) as Container[]
    )[0]!;
    expect(release.environment.map((e) => e.name)).toContain("ORDERS_DB_HOST");
    expect(release.secrets?.map((s) => s.name)).toEqual(["ORDERS_DB_USER", "ORDERS_DB_PASSWORD"]);
  });
});

describe("shared resources and volumes, from manifests only", () => {
  async function withApps(name: string, edit: (apps: string) => void, stack: string): Promise<RunResult> {
    const apps = join(tmp, name);
    cpSync(repoApps, apps, { recursive: true, filter: (src) => !/node_modules|dist$/.test(src) });
    edit(apps);
    return runStack(projectDir, stack, {
      stackConfigOptional: true,
      environment: { BERTH_APPS_DIR: apps },
      allowError: true,
    });
  }

  it("a shared cache (apps/berth.shared.yaml) is created by the platform and linked by the service that uses it", async () => {
    const r = await withApps(
      "shared-cache",
      (apps) => {
        writeFileSync(
          join(apps, "berth.shared.yaml"),
          "resources:\n  sessions: { type: cache }\n  events: { type: queue }\n",
        );
        const m = join(apps, "hello", "berth.yaml");
        writeFileSync(m, `${readFileSync(m, "utf8")}uses: [sessions, { events: send }]\n`);
      },
      "dev.hello",
    );
    expect(r.error?.message).toBeUndefined();
    // Not in hello's stack: the platform's.
    expect(r.ofType("aws:elasticache/serverlessCache:ServerlessCache")).toEqual([]);
    const shared = (
      r.one("pulumi:pulumi:StackReference", "organization/berth-platform/dev").outputs.outputs as {
        forServices: { data: Record<string, { kind: string; ref: Record<string, string> }> };
      }
    ).forServices.data.sessions!;
    expect(shared.kind).toBe("cache");
    const env = Object.fromEntries(main(r, "hello").environment.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({
      SESSIONS_HOST: shared.ref.host,
      SESSIONS_PORT: "6379",
      SESSIONS_TLS: "true",
    });
    const connect = statements(r).filter((s) => JSON.stringify(s.Action).includes("elasticache:Connect"));
    expect(connect.map((s) => s.Resource)).toEqual([[shared.ref.arn, shared.ref.userArn]]);
    const rules = r
      .ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
      .filter((x) => x.inputs.securityGroupId === shared.ref.securityGroupId);
    expect(rules.map((x) => x.inputs.fromPort).sort()).toEqual([6379, 6380]);
    // The shared queue: send only, on its own ARN.
    const events = (
      r.one("pulumi:pulumi:StackReference", "organization/berth-platform/dev").outputs.outputs as {
        forServices: { data: Record<string, { ref: Record<string, string> }> };
      }
    ).forServices.data.events!.ref;
    expect(env).toMatchObject({ EVENTS_QUEUE_URL: events.url, EVENTS_QUEUE_ARN: events.arn });
    const sqs = statements(r).filter((s) => JSON.stringify(s.Action).includes("sqs:"));
    expect(sqs.map((s) => [s.Action, s.Resource])).toEqual([
      [["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"], [events.arn]],
    ]);
  });

  it("an owned volume is mounted through the service's own access point, with IAM and TLS", async () => {
    const r = await withApps(
      "volume",
      (apps) => {
        const m = join(apps, "hello", "berth.yaml");
        writeFileSync(
          m,
          `${readFileSync(m, "utf8")}resources:\n  files: { type: volume, path: /data }\nuses: [files]\n`,
        );
      },
      "dev.hello",
    );
    expect(r.error?.message).toBeUndefined();
    const fs = r.one("aws:efs/fileSystem:FileSystem");
    expect(fs.inputs.encrypted).toBe(true);
    const ap = r.one("aws:efs/accessPoint:AccessPoint");
    expect(ap.inputs).toMatchObject({
      posixUser: { uid: 1000, gid: 1000 },
      rootDirectory: { path: "/hello" },
    });
    const volumes = r.one("aws:ecs/taskDefinition:TaskDefinition", "hello-taskdef").inputs.volumes as {
      name: string;
      efsVolumeConfiguration?: Record<string, unknown>;
    }[];
    expect(volumes.find((v) => v.name === "files")?.efsVolumeConfiguration).toEqual({
      fileSystemId: fs.id,
      transitEncryption: "ENABLED",
      authorizationConfig: { accessPointId: ap.id, iam: "ENABLED" },
    });
    expect(main(r, "hello").mountPoints).toContainEqual({
      sourceVolume: "files",
      containerPath: "/data",
      readOnly: false,
    });
    const mount = statements(r).filter((s) => JSON.stringify(s.Action).includes("elasticfilesystem:"));
    expect(mount).toHaveLength(1);
    expect(mount[0]).toMatchObject({
      Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
      Resource: [fs.outputs.arn],
      Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": ap.outputs.arn } },
    });
  });

  it("a database the manifest does not size pauses in dev and never in prod", async () => {
    const edit = (apps: string) => {
      const m = join(apps, "hello", "berth.yaml");
      writeFileSync(m, `${readFileSync(m, "utf8")}resources:\n  db: { type: postgres }\nuses: [db]\n`);
    };
    const [d, p] = await Promise.all([
      withApps("unsized-dev", edit, "dev.hello"),
      withApps("unsized-prod", edit, "prod.hello"),
    ]);
    expect(d.error?.message).toBeUndefined();
    expect(p.error?.message).toBeUndefined();
    expect(d.one("aws:rds/cluster:Cluster").inputs.serverlessv2ScalingConfiguration).toEqual({
      minCapacity: 0,
      maxCapacity: 4,
      secondsUntilAutoPause: 300,
    });
    expect(p.one("aws:rds/cluster:Cluster").inputs.serverlessv2ScalingConfiguration).toEqual({
      minCapacity: 0.5,
      maxCapacity: 4,
    });
  });

  it("a use of another service's resource stops the stack with the manifest's file and line, before any resource", async () => {
    const r = await withApps(
      "foreign",
      (apps) => {
        const m = join(apps, "hello", "berth.yaml");
        writeFileSync(m, `${readFileSync(m, "utf8")}uses: [orders-db]\n`);
      },
      "dev.hello",
    );
    expect(r.error?.message).toMatch(
      /hello\/berth\.yaml:\d+:\d+: uses\.0 is "orders-db"; orders-db is owned by orders and only its owner uses it; move it to apps\/berth\.shared\.yaml to share it/,
    );
    expect(r.managed.filter((x) => x.custom)).toEqual([]);
  });
});
