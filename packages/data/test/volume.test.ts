import { mergeGrants } from "@berth/core";
import { expectInvalid, runComponent } from "@berth/testing";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import {
  NFS_PORT,
  VOLUME_ACCESS,
  VOLUME_ACTIONS,
  Volume,
  VolumeAccessPoint,
  type VolumeAccessPointArgs,
  type VolumeArgs,
  type VolumeRef,
  volumeGrant,
} from "../src/volume.js";

const FS = "aws:efs/fileSystem:FileSystem";
const MT = "aws:efs/mountTarget:MountTarget";
const AP = "aws:efs/accessPoint:AccessPoint";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const base: VolumeArgs = { vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-a", "subnet-b"] };

const ref: VolumeRef = {
  fileSystemId: "fs-0123456789abcdef0",
  fileSystemArn: "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0",
  securityGroupId: "sg-0aaaaaaaaaaaaaaaa",
};
const apRef = {
  id: "fsap-0123456789abcdef0",
  arn: "arn:aws:elasticfilesystem:us-east-1:123456789012:access-point/fsap-0123456789abcdef0",
};

function resolve<T>(value: pulumi.Input<T>): Promise<T> {
  return new Promise((ok) => pulumi.output(value).apply((v) => ok(v as T)));
}

describe("Volume defaults", () => {
  it("creates an encrypted General Purpose file system with elastic throughput, IA after 30 days and back on access", async () => {
    const run = await runComponent(() => new Volume("files", base));
    expect(run.one("berth:data:Volume").name).toBe("files");
    const fs = run.one(FS);
    expect(fs.name).toBe("files-fs");
    expect(fs.inputs).toMatchObject({
      encrypted: true,
      performanceMode: "generalPurpose",
      throughputMode: "elastic",
      lifecyclePolicies: [
        { transitionToIa: "AFTER_30_DAYS" },
        { transitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
      ],
      tags: { Name: "files" },
    });
    expect(fs.inputs.kmsKeyId).toBeUndefined();
    expect(fs.inputs.provisionedThroughputInMibps).toBeUndefined();
    expect(fs.options.protect ?? false).toBe(false);
  });

  it("puts a mount target in each subnet behind its own security group, which admits nothing by itself", async () => {
    const run = await runComponent(() => new Volume("files", base));
    const sg = run.one(SG);
    expect(sg.inputs).toMatchObject({ vpcId: "vpc-0123456789abcdef0" });
    expect(sg.inputs.ingress ?? []).toEqual([]);
    expect(run.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")).toEqual([]);
    const mts = run.ofType(MT);
    expect(mts.map((m) => m.name)).toEqual(["files-mount-0", "files-mount-1"]);
    expect(mts.map((m) => m.inputs.subnetId)).toEqual(["subnet-a", "subnet-b"]);
    for (const m of mts) {
      expect(m.inputs).toMatchObject({ fileSystemId: run.one(FS).id, securityGroups: [sg.id] });
    }
  });

  it("denies requests without TLS and clients without an access point, and allows nothing itself", async () => {
    const run = await runComponent(() => new Volume("files", base));
    const fs = run.one(FS);
    const policy = run.one("aws:efs/fileSystemPolicy:FileSystemPolicy");
    expect(policy.inputs.fileSystemId).toBe(fs.id);
    expect(run.json(policy, "policy")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "elasticfilesystem:*",
          Resource: fs.outputs.arn,
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
        {
          Sid: "DenyWithoutAccessPoint",
          Effect: "Deny",
          Principal: "*",
          Action: [
            "elasticfilesystem:ClientMount",
            "elasticfilesystem:ClientWrite",
            "elasticfilesystem:ClientRootAccess",
          ],
          Resource: fs.outputs.arn,
          Condition: { Null: { "elasticfilesystem:AccessPointArn": "true" } },
        },
      ],
    });
    const open = await runComponent(() => new Volume("files", { ...base, requireAccessPoint: false }));
    const statements = (
      open.json(open.one("aws:efs/fileSystemPolicy:FileSystemPolicy"), "policy") as {
        Statement: { Sid: string }[];
      }
    ).Statement;
    expect(statements.map((s) => s.Sid)).toEqual(["DenyInsecureTransport"]);
  });

  it("turns automatic backups off in dev and on with protect (kept on delete) or when asked", async () => {
    const BACKUP = "aws:efs/backupPolicy:BackupPolicy";
    const dev = await runComponent(() => new Volume("files", base));
    expect(dev.one(BACKUP).inputs).toEqual({
      fileSystemId: dev.one(FS).id,
      backupPolicy: { status: "DISABLED" },
    });
    const prod = await runComponent(() => new Volume("files", { ...base, protect: true }));
    expect(prod.one(BACKUP).inputs.backupPolicy).toEqual({ status: "ENABLED" });
    expect(prod.one(FS).options).toMatchObject({ protect: true, retainOnDelete: true });
    const asked = await runComponent(() => new Volume("files", { ...base, backup: true }));
    expect(asked.one(BACKUP).inputs.backupPolicy).toEqual({ status: "ENABLED" });
    const optedOut = await runComponent(() => new Volume("files", { ...base, protect: true, backup: false }));
    expect(optedOut.one(BACKUP).inputs.backupPolicy).toEqual({ status: "DISABLED" });
  });

  it("takes a customer managed key, provisioned throughput, another IA period or none, and transforms", async () => {
    const run = await runComponent(
      () =>
        new Volume("files", {
          ...base,
          kmsKeyArn: KEY,
          throughputMode: "provisioned",
          provisionedThroughputMibps: 64,
          transitionToIaDays: 1,
          tags: { Team: "media" },
          transform: { mountTarget: (a) => ({ ...a, ipAddressType: "IPV4_ONLY" }) },
        }),
    );
    expect(run.one(FS).inputs).toMatchObject({
      kmsKeyId: KEY,
      throughputMode: "provisioned",
      provisionedThroughputInMibps: 64,
      lifecyclePolicies: [
        { transitionToIa: "AFTER_1_DAY" },
        { transitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
      ],
      tags: { Name: "files", Team: "media" },
    });
    expect(run.one(SG).inputs.tags).toEqual({ Team: "media" });
    for (const m of run.ofType(MT)) expect(m.inputs.ipAddressType).toBe("IPV4_ONLY");
    const never = await runComponent(() => new Volume("files", { ...base, transitionToIaDays: false }));
    expect(never.one(FS).inputs.lifecyclePolicies).toEqual([]);
    const ninety = await runComponent(() => new Volume("files", { ...base, transitionToIaDays: 90 }));
    expect((ninety.one(FS).inputs.lifecyclePolicies as unknown[])[0]).toEqual({
      transitionToIa: "AFTER_90_DAYS",
    });
  });

  it("hands out a ref whose file system id resolves after the mount targets and the policy exist", async () => {
    let volume!: Volume;
    const run = await runComponent(() => {
      volume = new Volume("files", base);
    });
    const fs = run.one(FS);
    expect(await resolve(volume.ref.fileSystemId)).toBe(fs.id);
    expect(await resolve(volume.ref.fileSystemArn)).toBe(fs.outputs.arn);
    expect(await resolve(volume.ref.securityGroupId)).toBe(run.one(SG).id);
    expect(await resolve(volume.mountTargetIds)).toEqual(run.ofType(MT).map((m) => m.id));
    // An access point built from the ref depends on every mount target and on the policy.
    await runComponent(() => {
      const v = new Volume("files", base);
      v.accessPoint("orders");
    }).then((r) => {
      const ap = r.one(AP);
      const deps = ap.propertyDependencies.fileSystemId ?? ap.dependencies;
      for (const m of r.ofType(MT)) expect(deps).toContain(m.urn);
      expect(deps).toContain(r.one("aws:efs/fileSystemPolicy:FileSystemPolicy").urn);
    });
  });
});

describe("VolumeAccessPoint: a service's own directory and user", () => {
  it("runs every operation as 1000:1000 in /<service>, created 0750 on the first mount", async () => {
    const run = await runComponent(
      () => new VolumeAccessPoint("files-orders", { volume: ref, volumeName: "files", service: "orders" }),
    );
    expect(run.one("berth:data:VolumeAccessPoint").name).toBe("files-orders");
    expect(run.one(AP).inputs).toEqual({
      fileSystemId: ref.fileSystemId,
      posixUser: { uid: 1000, gid: 1000 },
      rootDirectory: {
        path: "/orders",
        creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: "0750" },
      },
      tags: { Name: "files-orders" },
    });
  });

  it("takes its own user, directory and mode, and a Volume names it <volume>-<service>", async () => {
    const run = await runComponent(() => {
      const v = new Volume("files", base);
      v.accessPoint("billing", {
        posixUser: { uid: 2001, gid: 3001 },
        rootDirectory: "/shared/invoices",
        permissions: "0770",
      });
    });
    const ap = run.one(AP);
    expect(ap.name).toBe("files-billing-ap");
    expect(ap.inputs).toMatchObject({
      fileSystemId: run.one(FS).id,
      posixUser: { uid: 2001, gid: 3001 },
      rootDirectory: {
        path: "/shared/invoices",
        creationInfo: { ownerUid: 2001, ownerGid: 3001, permissions: "0770" },
      },
    });
  });
});

describe("volumeGrant: mount through the access point only", () => {
  it("readwrite: ClientMount and ClientWrite on the file system through that access point, the path, NFS and the volume", async () => {
    const grant = volumeGrant("files", ref, "readwrite", apRef);
    expect(grant.taskRoleStatements).toEqual([
      {
        Sid: "FILESReadWrite",
        Effect: "Allow",
        Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        Resource: [ref.fileSystemArn],
        Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": apRef.arn } },
      },
    ]);
    expect(grant.environment).toEqual({ FILES_PATH: "/mnt/files" });
    expect(grant.secrets).toEqual({});
    expect(grant.secretKmsKeyArns).toEqual([]);
    expect(grant.ingress).toEqual([
      { securityGroupId: ref.securityGroupId, port: 2049, description: "NFS to the files volume" },
    ]);
    expect(grant.volumes).toEqual([
      {
        name: "files",
        fileSystemId: ref.fileSystemId,
        accessPointId: apRef.id,
        containerPath: "/mnt/files",
        readOnly: false,
      },
    ]);
  });

  it("read: ClientMount only and a read-only mount; a path and a prefix of its own", () => {
    const grant = volumeGrant("files", ref, "read", apRef, { path: "/data/in", envPrefix: "INBOX" });
    expect(grant.taskRoleStatements[0]!.Action).toEqual(VOLUME_ACTIONS.read);
    expect(grant.taskRoleStatements[0]!.Sid).toBe("INBOXRead");
    expect(grant.environment).toEqual({ INBOX_PATH: "/data/in" });
    expect(grant.volumes[0]).toMatchObject({ containerPath: "/data/in", readOnly: true });
    expect(grant.ingress[0]!.port).toBe(NFS_PORT);
  });

  it("is what the access point links, with its own ARN in the condition; two volumes merge", async () => {
    let a!: VolumeAccessPoint;
    let b!: VolumeAccessPoint;
    const run = await runComponent(() => {
      a = new VolumeAccessPoint("files-orders", { volume: ref, volumeName: "files", service: "orders" });
      b = new VolumeAccessPoint("cache-orders", {
        volume: ref,
        volumeName: "cache",
        service: "orders",
        path: "/var/cache/app",
      });
    });
    expect(a.accessLevels).toEqual(VOLUME_ACCESS);
    const grant = a.link("readwrite");
    const ap = run.named("files-orders-ap", AP);
    const condition =
      grant.taskRoleStatements[0]!.Condition!.StringEquals!["elasticfilesystem:AccessPointArn"];
    expect(await resolve(condition as pulumi.Input<string>)).toBe(ap.outputs.arn);
    expect(await resolve(grant.volumes[0]!.accessPointId)).toBe(ap.id);
    const merged = mergeGrants([grant, b.link("read")]);
    expect(merged.volumes.map((v) => [v.name, v.containerPath, v.readOnly])).toEqual([
      ["files", "/mnt/files", false],
      ["cache", "/var/cache/app", true],
    ]);
    expect(Object.keys(merged.environment)).toEqual(["FILES_PATH", "CACHE_PATH"]);
  });

  it("refuses an access level it does not offer, a bad path and a volume name ECS cannot use", () => {
    expect(() => volumeGrant("files", ref, "admin" as "read", apRef)).toThrow(
      /berth:data:Volume 'files' offers access "readwrite" or "read", not "admin"/,
    );
    expect(() => volumeGrant("files", ref, "read", apRef, { path: "/mnt/../etc" })).toThrow(
      /berth:data:Volume 'files': path is "\/mnt\/..\/etc"; an absolute path below \//,
    );
    expect(() => volumeGrant("my.files", ref, "read", apRef)).toThrow(
      /volumeName is "my.files"; the task definition's volume is named after it/,
    );
  });
});

describe("invalid Volume args are rejected before anything is created", () => {
  const cases: [string, VolumeArgs, RegExp, string][] = [
    [
      "an unknown throughput mode",
      { ...base, throughputMode: "maxIO" as "elastic" },
      /throughputMode is "maxIO"; allowed: "elastic", "bursting", "provisioned"/,
      "throughputMode",
    ],
    [
      "provisioned throughput without a value",
      { ...base, throughputMode: "provisioned" },
      /provisionedThroughputMibps is undefined; throughputMode "provisioned" needs provisionedThroughputMibps/,
      "provisionedThroughputMibps",
    ],
    [
      "provisioned throughput under 1 MiB/s",
      { ...base, throughputMode: "provisioned", provisionedThroughputMibps: 0 },
      /provisionedThroughputMibps is 0; must be a number from 1 to 3414 MiB\/s/,
      "provisionedThroughputMibps",
    ],
    [
      "provisioned throughput over the default limit",
      { ...base, throughputMode: "provisioned", provisionedThroughputMibps: 5000 },
      /provisionedThroughputMibps is 5000; must be a number from 1 to 3414 MiB\/s/,
      "provisionedThroughputMibps",
    ],
    [
      "a provisioned value with elastic throughput",
      { ...base, provisionedThroughputMibps: 64 },
      /provisionedThroughputMibps is 64; applies to throughputMode "provisioned" only \(throughputMode is "elastic"\)/,
      "provisionedThroughputMibps",
    ],
    [
      "an IA period EFS does not offer",
      { ...base, transitionToIaDays: 45 as 30 },
      /transitionToIaDays is 45; EFS moves files to Infrequent Access after 1, 7, 14, 30, 60, 90, 180, 270, 365 days, or never \(false\)/,
      "transitionToIaDays",
    ],
    ["no subnet", { ...base, subnetIds: [] }, /subnetIds is \[\]; give at least one subnet/, "subnetIds"],
    [
      "the same subnet twice",
      { ...base, subnetIds: ["subnet-a", "subnet-a"] },
      /subnetIds is "subnet-a"; each subnet may appear once: EFS allows one mount target per availability zone/,
      "subnetIds",
    ],
    [
      "subnets as one Output (unknown count)",
      { ...base, subnetIds: pulumi.output(["subnet-a"]) as unknown as string[] },
      /subnetIds is .*; give a list of subnet ids with a known length/,
      "subnetIds",
    ],
    [
      "a KMS alias instead of a key ARN",
      { ...base, kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:alias/files" },
      /kmsKeyArn is "arn:aws:kms:us-east-1:123456789012:alias\/files"; must be an ARN of kms/,
      "kmsKeyArn",
    ],
    ["no VPC", { ...base, vpcId: "" }, /vpcId is ""; the VPC of the mount targets is required/, "vpcId"],
    [
      "a tag key AWS reserves",
      { ...base, tags: { "aws:x": "y" } },
      /tags.aws:x .*reserved for AWS/,
      "tags.aws:x",
    ],
  ];
  it.each(cases)("%s", async (_title, args, message, field) => {
    const err = await expectInvalid(() => new Volume("files", args), message);
    expect(err.field).toBe(field);
  });
});

describe("invalid VolumeAccessPoint args are rejected before anything is created", () => {
  const ap = (extra: Partial<VolumeAccessPointArgs>): VolumeAccessPointArgs => ({
    volume: ref,
    volumeName: "files",
    service: "orders",
    ...extra,
  });
  const cases: [string, VolumeAccessPointArgs, RegExp, string][] = [
    [
      "root as the user",
      ap({ posixUser: { uid: 0 } }),
      /posixUser.uid is 0; must be a whole number from 1 to 4294967295/,
      "posixUser.uid",
    ],
    [
      "a group id over 2^32 - 1",
      ap({ posixUser: { gid: 4_294_967_296 } }),
      /posixUser.gid is 4294967296; must be a whole number from 1 to 4294967295/,
      "posixUser.gid",
    ],
    [
      "a fractional user id",
      ap({ posixUser: { uid: 10.5 } }),
      /posixUser.uid is 10.5; must be a whole number/,
      "posixUser.uid",
    ],
    [
      "a relative root directory",
      ap({ rootDirectory: "orders" }),
      /rootDirectory is "orders"; an absolute directory of at most 4 levels and 100 characters/,
      "rootDirectory",
    ],
    [
      "a root directory climbing out with ..",
      ap({ rootDirectory: "/orders/../billing" }),
      /rootDirectory is "\/orders\/..\/billing"; an absolute directory .* no part starting with "."/,
      "rootDirectory",
    ],
    [
      "a root directory five levels deep",
      ap({ rootDirectory: "/a/b/c/d/e" }),
      /rootDirectory is "\/a\/b\/c\/d\/e"; an absolute directory of at most 4 levels/,
      "rootDirectory",
    ],
    [
      "a root directory over 100 characters",
      ap({ rootDirectory: `/${"a".repeat(100)}` }),
      /rootDirectory is "\/a{100}"; an absolute directory of at most 4 levels and 100 characters/,
      "rootDirectory",
    ],
    [
      "a mount path with ..",
      ap({ path: "/mnt/../etc" }),
      /path is "\/mnt\/..\/etc"; an absolute path below \/ .* without . or .. parts/,
      "path",
    ],
    ["a relative mount path", ap({ path: "data" }), /path is "data"; an absolute path below \//, "path"],
    [
      "the container's root as mount path",
      ap({ path: "/" }),
      /path is "\/"; an absolute path below \//,
      "path",
    ],
    [
      "a mode that is not octal",
      ap({ permissions: "0800" }),
      /permissions is "0800"; an octal mode of 3 or 4 digits/,
      "permissions",
    ],
    [
      "a volume name ECS cannot use",
      ap({ volumeName: "my.files" }),
      /volumeName is "my.files"; the task definition's volume is named after it: letters, digits, - and _/,
      "volumeName",
    ],
    [
      "a lower-case prefix",
      ap({ envPrefix: "files" }),
      /envPrefix is "files"; upper-case letters, digits and _/,
      "envPrefix",
    ],
    [
      "no service",
      ap({ service: "" }),
      /service is ""; the service that mounts the volume is required/,
      "service",
    ],
  ];
  it.each(cases)("%s", async (_title, args, message, field) => {
    const err = await expectInvalid(() => new VolumeAccessPoint("files-orders", args), message);
    expect(err.field).toBe(field);
  });
});
