import { mergeGrants } from "@berth/core";
import { expectInvalid, runComponent } from "@berth/testing";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import {
  finalSnapshotIdentifier,
  POSTGRES_ACCESS,
  Postgres,
  type PostgresArgs,
  type PostgresRef,
  postgresGrant,
} from "../src/postgres.js";

const CLUSTER = "aws:rds/cluster:Cluster";
const CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance";
const INSTANCE = "aws:rds/instance:Instance";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup";
const CLUSTER_PARAMS = "aws:rds/clusterParameterGroup:ClusterParameterGroup";
const PARAMS = "aws:rds/parameterGroup:ParameterGroup";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const network = {
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"],
};
const zones = ["us-east-1a", "us-east-1b"];

function resolve<T>(value: pulumi.Input<T>): Promise<T> {
  return new Promise((ok) => pulumi.output(value).apply((v) => ok(v as T)));
}

async function create(args: Partial<PostgresArgs> = {}, name = "orders-db") {
  let db!: Postgres;
  const run = await runComponent(() => {
    db = new Postgres(name, { ...network, ...args });
  });
  return { run, db };
}

describe("Postgres on Aurora Serverless v2 (dev)", () => {
  it("scales to zero and pauses after autoPauseMinutes, encrypted, TLS only, password in Secrets Manager, disposable", async () => {
    const { run } = await create({ minCapacity: 0, autoPauseMinutes: 30 });
    const cluster = run.one(CLUSTER);
    expect(cluster.name).toBe("orders-db-cluster");
    expect(cluster.inputs).toMatchObject({
      engine: "aurora-postgresql",
      engineMode: "provisioned",
      // AWS upgrades minors itself: RDS gets the major, so a later deploy never asks for a downgrade.
      engineVersion: "16",
      databaseName: "orders_db",
      masterUsername: "postgres",
      manageMasterUserPassword: true,
      storageEncrypted: true,
      port: 5432,
      serverlessv2ScalingConfiguration: { minCapacity: 0, maxCapacity: 4, secondsUntilAutoPause: 1800 },
      backupRetentionPeriod: 7,
      preferredBackupWindow: "03:00-04:00",
      preferredMaintenanceWindow: "sun:04:30-sun:05:30",
      autoMinorVersionUpgrade: true,
      enabledCloudwatchLogsExports: ["postgresql"],
      iamDatabaseAuthenticationEnabled: false,
      copyTagsToSnapshot: true,
      deletionProtection: false,
      skipFinalSnapshot: true,
      deleteAutomatedBackups: true,
    });
    // No password anywhere in the state; the AWS managed key (aws/rds) when none is given.
    expect(cluster.inputs.masterPassword).toBeUndefined();
    expect(cluster.inputs.kmsKeyId).toBeUndefined();
    expect(cluster.inputs.finalSnapshotIdentifier).toBeUndefined();
    expect(cluster.options.protect ?? false).toBe(false);
    expect(cluster.options.retainOnDelete ?? false).toBe(false);

    const writer = run.one(CLUSTER_INSTANCE);
    expect(writer.name).toBe("orders-db-writer");
    expect(writer.inputs).toMatchObject({
      clusterIdentifier: cluster.id,
      engine: "aurora-postgresql",
      instanceClass: "db.serverless",
      promotionTier: 0,
      publiclyAccessible: false,
      performanceInsightsEnabled: true,
      performanceInsightsRetentionPeriod: 7,
      copyTagsToSnapshot: true,
    });
    expect(run.ofType(INSTANCE)).toHaveLength(0);
  });

  it("keeps a minimum of 0.5 ACU by default, without auto-pause", async () => {
    const { run } = await create();
    expect(run.one(CLUSTER).inputs.serverlessv2ScalingConfiguration).toEqual({
      minCapacity: 0.5,
      maxCapacity: 4,
    });
    expect(run.ofType(CLUSTER_INSTANCE)).toHaveLength(1);
  });

  it("puts the database in the isolated subnets behind its own security group without any rule", async () => {
    const { run } = await create();
    const sg = run.one(SG);
    expect(sg.inputs.vpcId).toBe(network.vpcId);
    expect(sg.inputs.ingress).toBeUndefined();
    expect(sg.inputs.egress).toBeUndefined();
    expect(run.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).toHaveLength(0);
    const subnets = run.one(SUBNET_GROUP);
    expect(subnets.inputs.subnetIds).toEqual(network.subnetIds);
    const cluster = run.one(CLUSTER);
    expect(cluster.inputs.vpcSecurityGroupIds).toEqual([sg.id]);
    expect(cluster.inputs.dbSubnetGroupName).toBe(subnets.outputs.name);
    expect(run.one(CLUSTER_INSTANCE).inputs.dbSubnetGroupName).toBe(subnets.outputs.name);
  });

  it("gives RDS only the major while AWS applies minor upgrades, and the exact version when pinned", async () => {
    // With a pinned minor, the first deploy after AWS's automatic minor upgrade would ask RDS to go
    // back ("Cannot upgrade aurora-postgresql from 16.8 to 16.6"); the provider treats "16" as a prefix
    // of the running "16.8" and leaves it.
    const floating = await create({ version: "16.8" });
    expect(floating.run.one(CLUSTER).inputs).toMatchObject({
      engineVersion: "16",
      autoMinorVersionUpgrade: true,
    });
    expect(floating.run.one(CLUSTER_PARAMS).inputs.family).toBe("aurora-postgresql16");
    const pinned = await create({ version: "16.8", autoMinorVersionUpgrade: false });
    expect(pinned.run.one(CLUSTER).inputs).toMatchObject({
      engineVersion: "16.8",
      autoMinorVersionUpgrade: false,
    });
    expect(pinned.run.one(CLUSTER_INSTANCE).inputs.autoMinorVersionUpgrade).toBe(false);
    const rds = await create({ engine: "rds", version: "15.10" });
    expect(rds.run.one(INSTANCE).inputs.engineVersion).toBe("15");
    const rdsPinned = await create({ engine: "rds", version: "15.10", autoMinorVersionUpgrade: false });
    expect(rdsPinned.run.one(INSTANCE).inputs.engineVersion).toBe("15.10");
  });

  it("lets a new major in version upgrade the database in place (RDS refuses that without the flag)", async () => {
    const aurora = await create({ version: "17.4" });
    expect(aurora.run.one(CLUSTER).inputs).toMatchObject({
      engineVersion: "17",
      allowMajorVersionUpgrade: true,
    });
    const rds = await create({ engine: "rds", version: "17" });
    expect(rds.run.one(INSTANCE).inputs).toMatchObject({
      engineVersion: "17",
      allowMajorVersionUpgrade: true,
    });
  });

  it("forces TLS with a cluster parameter group of the version's family", async () => {
    const { run } = await create({ version: "17.4" });
    const params = run.one(CLUSTER_PARAMS);
    expect(params.inputs.family).toBe("aurora-postgresql17");
    expect(params.inputs.parameters).toEqual([
      { name: "rds.force_ssl", value: "1", applyMethod: "immediate" },
    ]);
    expect(run.one(CLUSTER).inputs.dbClusterParameterGroupName).toBe(params.outputs.name);
    const v16 = await create();
    expect(v16.run.one(CLUSTER_PARAMS).inputs.family).toBe("aurora-postgresql16");
  });

  it("exports the endpoints, port, database, secret, resource id, ARN and security group", async () => {
    const { run, db } = await create({ reader: true, availabilityZones: zones });
    const cluster = run.one(CLUSTER);
    const secret = (cluster.outputs.masterUserSecrets as { secretArn: string }[])[0]!.secretArn;
    expect(secret).toMatch(/:secret:rds!cluster-/);
    expect(db.engine).toBe("aurora");
    expect(await resolve(db.endpoint)).toBe(cluster.outputs.endpoint);
    expect(await resolve(db.readerEndpoint!)).toBe(cluster.outputs.readerEndpoint);
    expect(await resolve(db.port)).toBe(5432);
    expect(await resolve(db.databaseName)).toBe("orders_db");
    expect(await resolve(db.secretArn)).toBe(secret);
    expect(await resolve(db.resourceId)).toBe(cluster.outputs.clusterResourceId);
    expect(await resolve(db.arn)).toBe(cluster.outputs.arn);
    expect(await resolve(db.securityGroupId)).toBe(run.one(SG).id);
    expect(await resolve(db.ref.readerHost!)).toBe(cluster.outputs.readerEndpoint);
    expect(db.ref.iamUser).toBeUndefined();
    expect(db.ref.secretKmsKeyArn).toBeUndefined();
  });

  it("uses a customer managed key for storage, Performance Insights and the secret when given", async () => {
    const { run, db } = await create({ kmsKeyArn: KEY, masterUserSecretKmsKeyArn: KEY });
    expect(run.one(CLUSTER).inputs).toMatchObject({
      storageEncrypted: true,
      kmsKeyId: KEY,
      masterUserSecretKmsKeyId: KEY,
    });
    expect(run.one(CLUSTER_INSTANCE).inputs.performanceInsightsKmsKeyId).toBe(KEY);
    expect(await resolve(db.ref.secretKmsKeyArn!)).toBe(KEY);
  });
});

describe("Postgres in production (protect)", () => {
  it("protects and retains the database, keeps a final snapshot, backups and a reader in another zone", async () => {
    const { run } = await create({
      protect: true,
      minCapacity: 1,
      maxCapacity: 16,
      reader: true,
      availabilityZones: zones,
      backupRetentionDays: 14,
    });
    const cluster = run.one(CLUSTER);
    expect(cluster.inputs).toMatchObject({
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "orders-db-test-final",
      deleteAutomatedBackups: false,
      backupRetentionPeriod: 14,
      serverlessv2ScalingConfiguration: { minCapacity: 1, maxCapacity: 16 },
    });
    expect(cluster.options).toMatchObject({ protect: true, retainOnDelete: true });

    const instances = run.ofType(CLUSTER_INSTANCE);
    expect(instances.map((i) => i.name)).toEqual(["orders-db-writer", "orders-db-reader"]);
    const [writer, reader] = instances;
    expect(writer!.inputs).toMatchObject({ availabilityZone: "us-east-1a", promotionTier: 0 });
    expect(reader!.inputs).toMatchObject({
      availabilityZone: "us-east-1b",
      promotionTier: 1,
      instanceClass: "db.serverless",
    });
    expect(reader!.inputs.performanceInsightsEnabled).toBe(writer!.inputs.performanceInsightsEnabled);
    for (const i of instances) expect(i.options).toMatchObject({ protect: true, retainOnDelete: true });

    // What the retained database needs stays too, without blocking a stack's other changes.
    for (const type of [SG, SUBNET_GROUP, CLUSTER_PARAMS]) {
      const r = run.one(type);
      expect(r.options.retainOnDelete).toBe(true);
      expect(r.options.protect ?? false).toBe(false);
    }
  });

  it("names the final snapshot within RDS's 63-character snapshot identifiers, whatever the stack", () => {
    expect(finalSnapshotIdentifier("orders-db", "prod")).toBe("orders-db-prod-final");
    const name = `d${"b".repeat(46)}`; // the longest Aurora name
    const stack = "organization-platform-production-eu-west-1-orders";
    const id = finalSnapshotIdentifier(name, stack);
    expect(id.length).toBeLessThanOrEqual(63);
    expect(id).toMatch(/^[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]$/);
    expect(id).toMatch(/^db+-[0-9a-f]{8}-final$/);
    // Another stack, another identifier (snapshot identifiers are unique per account and Region).
    expect(finalSnapshotIdentifier(name, `${stack}-2`)).not.toBe(id);
  });

  it("puts a reader in the first zone that differs from the writer's", async () => {
    const { run } = await create({
      subnetIds: [...network.subnetIds, "subnet-0cccccccccccccccc"],
      availabilityZones: ["us-east-1c", "us-east-1c", "us-east-1d"],
      reader: true,
    });
    const [writer, reader] = run.ofType(CLUSTER_INSTANCE);
    expect(writer!.inputs.availabilityZone).toBe("us-east-1c");
    expect(reader!.inputs.availabilityZone).toBe("us-east-1d");
  });
});

describe("Postgres on RDS", () => {
  it("creates one encrypted gp3 instance with storage autoscaling, TLS only and a managed password", async () => {
    const { run, db } = await create({ engine: "rds" });
    expect(run.ofType(CLUSTER)).toHaveLength(0);
    expect(run.ofType(CLUSTER_INSTANCE)).toHaveLength(0);
    const instance = run.one(INSTANCE);
    expect(instance.name).toBe("orders-db-instance");
    expect(instance.inputs).toMatchObject({
      engine: "postgres",
      engineVersion: "16",
      instanceClass: "db.t4g.micro",
      allocatedStorage: 20,
      maxAllocatedStorage: 40,
      storageType: "gp3",
      storageEncrypted: true,
      dbName: "orders_db",
      username: "postgres",
      manageMasterUserPassword: true,
      multiAz: false,
      publiclyAccessible: false,
      port: 5432,
      backupRetentionPeriod: 7,
      backupWindow: "03:00-04:00",
      maintenanceWindow: "sun:04:30-sun:05:30",
      performanceInsightsEnabled: true,
      enabledCloudwatchLogsExports: ["postgresql"],
      copyTagsToSnapshot: true,
      deletionProtection: false,
      skipFinalSnapshot: true,
    });
    expect(instance.inputs.password).toBeUndefined();
    const params = run.one(PARAMS);
    expect(params.inputs).toMatchObject({
      family: "postgres16",
      parameters: [{ name: "rds.force_ssl", value: "1", applyMethod: "immediate" }],
    });
    expect(instance.inputs.parameterGroupName).toBe(params.outputs.name);
    expect(db.engine).toBe("rds");
    expect(db.readerEndpoint).toBeUndefined();
    expect(await resolve(db.endpoint)).toBe(instance.outputs.address);
    expect(await resolve(db.resourceId)).toBe(instance.outputs.resourceId);
    expect(await resolve(db.secretArn)).toMatch(/:secret:rds!db-/);
  });

  it("runs Multi-AZ and protected in prod, with its own class and storage", async () => {
    const { run } = await create({
      engine: "rds",
      version: "17",
      instanceClass: "db.m7g.large",
      storageGb: 100,
      maxStorageGb: 0,
      multiAz: true,
      availabilityZones: zones,
      protect: true,
    });
    const instance = run.one(INSTANCE);
    expect(instance.inputs).toMatchObject({
      engineVersion: "17",
      instanceClass: "db.m7g.large",
      allocatedStorage: 100,
      multiAz: true,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "orders-db-test-final",
    });
    // Autoscaling off, and no zone for a Multi-AZ instance (RDS places the standby).
    expect(instance.inputs.maxAllocatedStorage).toBeUndefined();
    expect(instance.inputs.availabilityZone).toBeUndefined();
    expect(instance.options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(run.one(PARAMS).inputs.family).toBe("postgres17");
    const single = await create({ engine: "rds", availabilityZones: zones });
    expect(single.run.one(INSTANCE).inputs.availabilityZone).toBe("us-east-1a");
  });
});

describe("the link: exact grants, named variables, no wildcard", () => {
  it("password auth: plain connection variables, the master secret's keys as secrets, 5432 from the tasks", async () => {
    const { run, db } = await create({ reader: true, availabilityZones: zones });
    const cluster = run.one(CLUSTER);
    const secret = (cluster.outputs.masterUserSecrets as { secretArn: string }[])[0]!.secretArn;
    const grant = db.link("connect");
    expect(Object.keys(grant.environment)).toEqual([
      "ORDERS_DB_HOST",
      "ORDERS_DB_READER_HOST",
      "ORDERS_DB_PORT",
      "ORDERS_DB_NAME",
      "ORDERS_DB_SSLMODE",
      "ORDERS_DB_SECRET_ARN",
    ]);
    // RDS rotates the password every 7 days and ECS sets secrets only at start: the task may read
    // exactly this secret again (and nothing else).
    expect(await resolve(grant.environment.ORDERS_DB_SECRET_ARN!)).toBe(secret);
    expect(grant.taskRoleStatements).toHaveLength(1);
    expect(grant.taskRoleStatements[0]).toMatchObject({
      Sid: "ORDERSDBReadSecret",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue"],
    });
    expect(await resolve(pulumi.output(grant.taskRoleStatements[0]!.Resource))).toEqual([secret]);
    expect(await resolve(grant.environment.ORDERS_DB_HOST!)).toBe(cluster.outputs.endpoint);
    expect(await resolve(grant.environment.ORDERS_DB_READER_HOST!)).toBe(cluster.outputs.readerEndpoint);
    expect(grant.environment.ORDERS_DB_PORT).toBe("5432");
    expect(await resolve(grant.environment.ORDERS_DB_NAME!)).toBe("orders_db");
    expect(grant.environment.ORDERS_DB_SSLMODE).toBe("require");
    expect(Object.keys(grant.secrets)).toEqual(["ORDERS_DB_USER", "ORDERS_DB_PASSWORD"]);
    expect(await resolve(grant.secrets.ORDERS_DB_USER!)).toBe(`${secret}:username::`);
    expect(await resolve(grant.secrets.ORDERS_DB_PASSWORD!)).toBe(`${secret}:password::`);
    expect(grant.secretKmsKeyArns).toEqual([]);
    expect(grant.ingress).toHaveLength(1);
    expect(grant.ingress[0]).toMatchObject({
      port: 5432,
      description: "PostgreSQL orders-db",
    });
    expect(await resolve(grant.ingress[0]!.securityGroupId)).toBe(run.one(SG).id);
    expect(grant.volumes).toEqual([]);
    // Security group rule descriptions allow only these characters (EC2 API, IpRange Description).
    expect(grant.ingress[0]!.description).toMatch(/^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{1,255}$/);
  });

  it("gives the execution role and the task role the secret's customer managed key", async () => {
    const { db } = await create({ masterUserSecretKmsKeyArn: KEY });
    const grant = db.link("connect");
    expect(grant.secretKmsKeyArns).toEqual([KEY]);
    expect(grant.taskRoleStatements.map((s) => s.Sid)).toEqual([
      "ORDERSDBReadSecret",
      "ORDERSDBDecryptSecret",
    ]);
    expect(grant.taskRoleStatements[1]).toEqual({
      Sid: "ORDERSDBDecryptSecret",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [KEY],
    });
  });

  it("IAM auth: rds-db:connect on exactly the dbuser ARN, the user as a plain variable, no password", async () => {
    const { run, db } = await create({ iamAuth: true, iamUser: "orders_app" });
    const cluster = run.one(CLUSTER);
    expect(cluster.inputs.iamDatabaseAuthenticationEnabled).toBe(true);
    const grant = db.link("connect");
    expect(grant.taskRoleStatements).toHaveLength(1);
    const [statement] = grant.taskRoleStatements;
    expect(statement!.Sid).toBe("ORDERSDBConnect");
    expect(statement!.Action).toEqual(["rds-db:connect"]);
    expect(statement!.Resource).toHaveLength(1);
    expect(await resolve(statement!.Resource[0]!)).toBe(
      `arn:aws:rds-db:us-east-1:123456789012:dbuser:${cluster.outputs.clusterResourceId}/orders_app`,
    );
    expect(String(cluster.outputs.clusterResourceId)).toMatch(/^cluster-[A-Z0-9]{26}$/);
    expect(grant.environment.ORDERS_DB_USER).toBe("orders_app");
    expect(grant.environment.ORDERS_DB_SECRET_ARN).toBeUndefined();
    expect(grant.secrets).toEqual({});
    const all = JSON.stringify(await resolve(pulumi.output(grant.taskRoleStatements)));
    expect(all).not.toContain("*");
  });

  it("IAM auth on RDS uses the instance's db- resource id, and the default user app", async () => {
    const { run, db } = await create({ engine: "rds", iamAuth: true });
    const instance = run.one(INSTANCE);
    expect(instance.inputs.iamDatabaseAuthenticationEnabled).toBe(true);
    const grant = db.link("connect");
    expect(await resolve(grant.taskRoleStatements[0]!.Resource[0]!)).toBe(
      `arn:aws:rds-db:us-east-1:123456789012:dbuser:${instance.outputs.resourceId}/app`,
    );
    expect(grant.environment.ORDERS_DB_READER_HOST).toBeUndefined();
  });

  it("is rebuilt from a plain ref (another stack's exports) exactly as the component builds it", async () => {
    const ref: PostgresRef = {
      host: "orders.cluster-abcdefghijkl.eu-west-1.rds.amazonaws.com",
      databaseName: "orders",
      secretArn: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!cluster-1234-AbCdEf",
      securityGroupId: "sg-0123456789abcdef0",
      resourceId: "cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
      arn: "arn:aws-cn:rds:cn-north-1:111122223333:cluster:orders",
      iamUser: "app",
    };
    const grant = postgresGrant("shared-db", ref, "connect");
    expect(grant.environment).toMatchObject({
      SHARED_DB_HOST: ref.host,
      SHARED_DB_PORT: "5432",
      SHARED_DB_NAME: "orders",
      SHARED_DB_SSLMODE: "require",
      SHARED_DB_USER: "app",
    });
    expect(await resolve(grant.taskRoleStatements[0]!.Resource[0]!)).toBe(
      "arn:aws-cn:rds-db:cn-north-1:111122223333:dbuser:cluster-ABCDEFGHIJKLMNOPQRSTUVWXYZ/app",
    );
    const { iamUser: _iam, ...passwordRef } = ref;
    const password = postgresGrant("shared-db", passwordRef, "connect");
    expect(await resolve(password.secrets.SHARED_DB_PASSWORD!)).toBe(`${ref.secretArn}:password::`);
    expect(password.environment.SHARED_DB_SECRET_ARN).toBe(ref.secretArn);
    expect(password.taskRoleStatements).toEqual([
      {
        Sid: "SHAREDDBReadSecret",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: [ref.secretArn],
      },
    ]);
    expect(password.ingress).toEqual([
      {
        securityGroupId: ref.securityGroupId,
        port: 5432,
        description: "PostgreSQL shared-db",
      },
    ]);
  });

  it("offers only connect, and two databases of one name cannot both be linked", async () => {
    const { db } = await create();
    expect(POSTGRES_ACCESS).toEqual(["connect"]);
    expect(db.accessLevels).toEqual(["connect"]);
    expect(() => db.link("admin" as "connect")).toThrow(
      /berth:data:Postgres 'orders-db' offers access "connect", not "admin"/,
    );
    expect(() => mergeGrants([db.link("connect"), db.link("connect")])).toThrow(
      /two linked resources set the variable ORDERS_DB_HOST/,
    );
  });
});

describe("tags and transforms", () => {
  it("tags every resource and applies each child's transform to that child only", async () => {
    const { run } = await create({
      engine: "aurora",
      reader: true,
      availabilityZones: zones,
      tags: { Team: "orders" },
      transform: {
        securityGroup: (a) => {
          a.tags = { ...(a.tags as Record<string, string>), Tier: "data" };
        },
        subnetGroup: (a) => ({ ...a, description: "db subnets" }),
        clusterParameterGroup: (a) => {
          a.parameters = [
            { name: "rds.force_ssl", value: "1", applyMethod: "immediate" },
            { name: "log_min_duration_statement", value: "500" },
          ];
        },
        cluster: (a, o) => {
          a.applyImmediately = true;
          o.ignoreChanges = ["engineVersion"];
        },
        writer: (a) => {
          a.caCertIdentifier = "rds-ca-ecc384-g1";
        },
        reader: (a) => {
          a.promotionTier = 2;
        },
      },
    });
    for (const r of run.managed.filter((m) => m.custom)) {
      expect((r.inputs.tags as Record<string, string>).Team, r.type).toBe("orders");
    }
    expect(run.one(SG).inputs.tags).toEqual({ Team: "orders", Tier: "data" });
    expect(run.one(SUBNET_GROUP).inputs.tags).toEqual({ Team: "orders" });
    expect(run.one(SUBNET_GROUP).inputs.description).toBe("db subnets");
    expect(run.one(CLUSTER_PARAMS).inputs.parameters).toHaveLength(2);
    expect(run.one(CLUSTER).inputs.applyImmediately).toBe(true);
    expect(run.one(CLUSTER).options.ignoreChanges).toEqual(["engineVersion"]);
    const [writer, reader] = run.ofType(CLUSTER_INSTANCE);
    expect(writer!.inputs).toMatchObject({ caCertIdentifier: "rds-ca-ecc384-g1", promotionTier: 0 });
    expect(reader!.inputs.promotionTier).toBe(2);
    expect(reader!.inputs.caCertIdentifier).toBeUndefined();
  });

  it("applies the RDS children's transforms", async () => {
    const { run } = await create({
      engine: "rds",
      transform: {
        parameterGroup: (a) => ({ ...a, description: "pg" }),
        instance: (a) => {
          a.storageThroughput = 125;
        },
      },
    });
    expect(run.one(PARAMS).inputs.description).toBe("pg");
    expect(run.one(INSTANCE).inputs.storageThroughput).toBe(125);
  });
});

describe("invalid Postgres args are rejected before anything is created", () => {
  const cases: [string, Partial<PostgresArgs> | string, RegExp, string][] = [
    [
      "an unknown engine",
      { engine: "mysql" as "rds" },
      /engine is "mysql"; allowed: "aurora", "rds"/,
      "engine",
    ],
    [
      "a major PostgreSQL version AWS does not offer",
      { version: "12.19" },
      /version is "12.19"; PostgreSQL majors Aurora and RDS offer: 13, 14, 15, 16, 17/,
      "version",
    ],
    [
      "a version that is not a version",
      { version: "latest" },
      /version is "latest"; give "<major>\.<minor>" \(a string, e\.g\. "16\.6"\), major 13, 14, 15, 16, 17/,
      "version",
    ],
    [
      "a bare major on Aurora",
      { version: "16" },
      /version is "16"; Aurora needs the minor version too, e\.g\. "16\.3"/,
      "version",
    ],
    [
      "an Aurora version older than Serverless v2",
      { version: "14.2" },
      /version is "14\.2"; Aurora Serverless v2 runs Aurora PostgreSQL 14\.3 and later/,
      "version",
    ],
    [
      "a major past its end of standard support (billed RDS Extended Support)",
      { version: "13.20" },
      /version is "13\.20"; PostgreSQL 13 left standard support on 2026-02-28: RDS would enroll the database in RDS Extended Support, billed per vCPU-hour \(ACU-hour on Serverless v2\) on top of the instance; use 14 or later/,
      "version",
    ],
    [
      "PostgreSQL 13 on RDS too",
      { engine: "rds", version: "13" },
      /version is "13"; PostgreSQL 13 left standard support on 2026-02-28/,
      "version",
    ],
    [
      "scale to zero on a version that cannot pause",
      { minCapacity: 0, version: "16.2" },
      /minCapacity is 0; a minimum of 0 ACU \(automatic pause\) needs Aurora PostgreSQL 16\.3 or later; version is "16\.2": raise it or use 0\.5/,
      "minCapacity",
    ],
    [
      "capacity off the half steps",
      { minCapacity: 0.75 },
      /minCapacity is 0\.75; Aurora capacity is 0 to 256 ACU, in steps of 0\.5/,
      "minCapacity",
    ],
    [
      "capacity over 256 ACU",
      { maxCapacity: 300 },
      /maxCapacity is 300; Aurora capacity is 0 to 256 ACU/,
      "maxCapacity",
    ],
    [
      "a maximum under 1 ACU",
      { maxCapacity: 0.5 },
      /maxCapacity is 0\.5; must be at least 1 ACU/,
      "maxCapacity",
    ],
    [
      "a maximum under the minimum",
      { minCapacity: 8, maxCapacity: 4 },
      /maxCapacity is 4; must be at least minCapacity \(8\)/,
      "maxCapacity",
    ],
    [
      "auto-pause without scaling to zero",
      { autoPauseMinutes: 10 },
      /autoPauseMinutes is 10; applies only with minCapacity 0 .*minCapacity is 0\.5/,
      "autoPauseMinutes",
    ],
    [
      "auto-pause over a day",
      { minCapacity: 0, autoPauseMinutes: 1441 },
      /autoPauseMinutes is 1441; must be a whole number from 5 to 1440 minutes/,
      "autoPauseMinutes",
    ],
    [
      "an RDS setting on Aurora",
      { storageGb: 100 },
      /storageGb is 100; storageGb applies to engine "rds", and this database's engine is "aurora"/,
      "storageGb",
    ],
    [
      "an Aurora setting on RDS",
      { engine: "rds", reader: true },
      /reader is true; reader applies to engine "aurora", and this database's engine is "rds"/,
      "reader",
    ],
    [
      "storage under 20 GiB",
      { engine: "rds", storageGb: 10 },
      /storageGb is 10; must be a whole number from 20 to 65536 GiB/,
      "storageGb",
    ],
    [
      "an autoscaling ceiling under the storage",
      { engine: "rds", storageGb: 100, maxStorageGb: 50 },
      /maxStorageGb is 50; storage autoscaling grows above storageGb \(100\): give more than 100, or 0 to turn it off/,
      "maxStorageGb",
    ],
    [
      "Aurora's instance class on RDS",
      { engine: "rds", instanceClass: "db.serverless" },
      /instanceClass is "db\.serverless"; an RDS for PostgreSQL instance class/,
      "instanceClass",
    ],
    [
      "backups over 35 days",
      { backupRetentionDays: 36 },
      /backupRetentionDays is 36; must be a whole number from 1 to 35 days/,
      "backupRetentionDays",
    ],
    [
      "fewer than 7 days of backups in prod",
      { protect: true, backupRetentionDays: 3 },
      /backupRetentionDays is 3; a protected \(production\) database keeps at least 7 days of backups/,
      "backupRetentionDays",
    ],
    [
      "a database name starting with a digit",
      { databaseName: "1orders" },
      /databaseName is "1orders"; letters, digits and _, starting with a letter, at most 63 characters$/,
      "databaseName",
    ],
    [
      "a database name of 64 characters",
      { databaseName: `d${"b".repeat(63)}` },
      /databaseName is "db{63}"; letters, digits and _, starting with a letter, at most 63 characters/,
      "databaseName",
    ],
    [
      "a reserved word as the database name",
      { databaseName: "select" },
      /databaseName is "select"; a reserved word \(PostgreSQL's key words and RDS's rdsadmin\), which RDS refuses; choose another/,
      "databaseName",
    ],
    [
      "the database every server already has",
      { databaseName: "postgres" },
      /databaseName is "postgres"; every PostgreSQL server already has postgres, template0, template1, rdsadmin/,
      "databaseName",
    ],
    [
      "a master user name over 16 characters",
      { masterUsername: "a".repeat(17) },
      /masterUsername is "a{17}"; 1 to 16 letters, digits or _, starting with a letter/,
      "masterUsername",
    ],
    [
      "RDS's own user as the master user",
      { masterUsername: "rdsadmin" },
      /masterUsername is "rdsadmin"; a reserved word \(PostgreSQL's key words and RDS's rdsadmin\)/,
      "masterUsername",
    ],
    [
      "the master user as the IAM user",
      { iamAuth: true, iamUser: "postgres" },
      /iamUser is "postgres"; must not be the master user: a role granted rds_iam can no longer log in with its password/,
      "iamUser",
    ],
    [
      "an IAM user without IAM auth",
      { iamUser: "app" },
      /iamUser is "app"; applies only with iamAuth: true/,
      "iamUser",
    ],
    [
      "a single subnet",
      { subnetIds: ["subnet-0aaaaaaaaaaaaaaaa"] },
      /subnetIds is \["subnet-0aaaaaaaaaaaaaaaa"\]; a DB subnet group needs subnets in at least two Availability Zones/,
      "subnetIds",
    ],
    [
      "a subnet given twice",
      { subnetIds: ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0aaaaaaaaaaaaaaaa"] },
      /subnetIds is "subnet-0aaaaaaaaaaaaaaaa"; each value may appear only once/,
      "subnetIds",
    ],
    [
      "subnets in one zone",
      { availabilityZones: ["us-east-1a", "us-east-1a"] },
      /availabilityZones is \["us-east-1a","us-east-1a"\]; the subnets must be in at least two Availability Zones/,
      "availabilityZones",
    ],
    [
      "zones that do not match the subnets",
      { availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"] },
      /availabilityZones is .*; give the zone of each subnet, in the order of subnetIds \(2 subnets\)/,
      "availabilityZones",
    ],
    [
      "a reader without zones",
      { reader: true },
      /reader is true; a reader goes into another Availability Zone than the writer: give availabilityZones/,
      "reader",
    ],
    ["a VPC that is not a VPC id", { vpcId: "my-vpc" }, /vpcId is "my-vpc"; a VPC id \(vpc-…\)/, "vpcId"],
    [
      "a storage key that is not a KMS ARN",
      { kmsKeyArn: "alias/aws/rds" },
      /kmsKeyArn is "alias\/aws\/rds"; must be an ARN of kms/,
      "kmsKeyArn",
    ],
    [
      "a backup window in the wrong format",
      { backupWindow: "3:00-4:00" },
      /backupWindow is "3:00-4:00"; the format hh24:mi-hh24:mi in UTC/,
      "backupWindow",
    ],
    [
      "a backup window under 30 minutes",
      { backupWindow: "03:00-03:15" },
      /backupWindow is "03:00-03:15"; must be at least 30 minutes/,
      "backupWindow",
    ],
    [
      "a maintenance window with an unknown day",
      { maintenanceWindow: "sunday:04:00-sunday:05:00" },
      /maintenanceWindow is "sunday:04:00-sunday:05:00"; the format ddd:hh24:mi-ddd:hh24:mi in UTC, days mon to sun/,
      "maintenanceWindow",
    ],
    [
      "a maintenance window that overlaps the backups",
      { maintenanceWindow: "wed:03:30-wed:04:30" },
      /maintenanceWindow is "wed:03:30-wed:04:30"; must not overlap the daily backup window \(03:00-04:00\)/,
      "maintenanceWindow",
    ],
    [
      "a maintenance window across midnight that overlaps backups after it",
      { backupWindow: "00:10-00:40", maintenanceWindow: "sun:23:30-mon:00:30" },
      /maintenanceWindow is "sun:23:30-mon:00:30"; must not overlap the daily backup window \(00:10-00:40\)/,
      "maintenanceWindow",
    ],
    [
      "a Performance Insights retention AWS does not offer",
      { performanceInsightsRetentionDays: 30 },
      /performanceInsightsRetentionDays is 30; 7 \(free\), a multiple of 31 from 31 to 713 \(1 to 23 months\), or 731/,
      "performanceInsightsRetentionDays",
    ],
    [
      "the IAM authentication error log without IAM authentication",
      { logExports: ["postgresql", "iam-db-auth-error"] },
      /logExports is \["postgresql","iam-db-auth-error"\]; the "iam-db-auth-error" log needs IAM database authentication: set iamAuth: true or leave that log out/,
      "logExports",
    ],
    [
      "a master user PostgreSQL reserves (pg_)",
      { masterUsername: "pg_admin" },
      /masterUsername is "pg_admin"; PostgreSQL reserves role names starting with pg_ and RDS has its own rds_… roles/,
      "masterUsername",
    ],
    [
      "a master user that is one of RDS's own roles",
      { masterUsername: "rds_superuser" },
      /masterUsername is "rds_superuser"; PostgreSQL reserves role names starting with pg_/,
      "masterUsername",
    ],
    [
      "an IAM user RDS already has",
      { iamAuth: true, iamUser: "rds_iam" },
      /iamUser is "rds_iam"; PostgreSQL reserves role names starting with pg_ and RDS has its own rds_… roles/,
      "iamUser",
    ],
    [
      "an IAM user with upper-case letters (CREATE USER would fold it)",
      { iamAuth: true, iamUser: "OrdersApp" },
      /iamUser is "OrdersApp"; a PostgreSQL role name in lower case/,
      "iamUser",
    ],
    [
      "a log type of the other engine",
      { logExports: ["postgresql", "upgrade"] },
      /logExports is "upgrade"; allowed: "postgresql", "instance", "iam-db-auth-error"/,
      "logExports",
    ],
    [
      "a reserved tag key",
      { tags: { "aws:team": "x" } },
      /tags\.aws:team is "aws:team"; .*reserved for AWS/,
      "tags.aws:team",
    ],
    ["args given as a string", "aurora", /args is "aurora"; give the arguments as an object/, "args"],
  ];
  it.each(cases)("%s", async (_title, args, message, field) => {
    const given = typeof args === "string" ? args : { ...network, ...args };
    const err = await expectInvalid(() => new Postgres("orders-db", given as PostgresArgs), message);
    expect(err.field).toBe(field);
  });

  it("rejects missing network settings", async () => {
    const noVpc = await expectInvalid(
      () => new Postgres("orders-db", { subnetIds: network.subnetIds } as PostgresArgs),
      /vpcId is undefined; give the VPC of the isolated subnets/,
    );
    expect(noVpc.field).toBe("vpcId");
    const noSubnets = await expectInvalid(
      () => new Postgres("orders-db", { vpcId: network.vpcId } as PostgresArgs),
      /subnetIds is undefined; give the isolated subnets \(at least two, in two Availability Zones\)/,
    );
    expect(noSubnets.field).toBe("subnetIds");
  });
});

describe("names RDS accepts as identifiers", () => {
  // The cluster and instances are auto-named `<name>-<role>-<7 random>` (at most 63 characters).
  it.each([
    ["aurora", 47],
    ["rds", 46],
  ] as const)(
    "accepts a %s database named with %i characters, whose identifiers fit 63",
    async (engine, length) => {
      const name = `d${"b".repeat(length - 1)}`;
      const { run } = await create({ engine, databaseName: "app" }, name);
      const ids = [...run.ofType(CLUSTER), ...run.ofType(CLUSTER_INSTANCE)].map((r) => r.id);
      ids.push(...run.ofType(INSTANCE).map((r) => String(r.outputs.identifier)));
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(String(id).length).toBeLessThanOrEqual(63);
    },
  );

  it.each([
    ["aurora", 48, /use at most 47 characters/],
    ["rds", 47, /use at most 46 characters/],
  ] as const)("rejects a %s database named with %i characters", async (engine, length, message) => {
    const err = await expectInvalid(
      () => new Postgres(`d${"b".repeat(length - 1)}`, { ...network, engine, databaseName: "app" }),
      message,
    );
    expect(err.field).toBe("name");
  });

  it.each([["orders--db"], ["orders-db-"], ["9orders"], ["orders_db"], ["orders.db"]])(
    "rejects the name %s (RDS identifier rules)",
    async (name) => {
      const err = await expectInvalid(
        () => new Postgres(name, { ...network, databaseName: "app" }),
        /letters, digits and single hyphens, starting with a letter and not ending with a hyphen/,
      );
      expect(err.field).toBe("name");
    },
  );

  it("derives the database name from the component's name and refuses one that is a reserved word", async () => {
    const { run } = await create({}, "Billing-Ledger");
    expect(run.one(CLUSTER).inputs.databaseName).toBe("Billing_Ledger");
    const err = await expectInvalid(
      () => new Postgres("user", network),
      /databaseName is "user"; a reserved word/,
    );
    expect(err.field).toBe("databaseName");
  });
});
