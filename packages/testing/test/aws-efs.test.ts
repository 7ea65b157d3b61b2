import { describe, expect, it } from "vitest";
import { synthesizeAws } from "../src/index.js";

const ctx = { region: "eu-west-1", account: "111122223333", partition: "aws" };

describe("EFS synthesized state", () => {
  it("gives a file system an fs- id, its ARN and its DNS name, with CreateFileSystem's defaults", () => {
    const fs = synthesizeAws(
      "aws:efs/fileSystem:FileSystem",
      "files",
      { encrypted: true, throughputMode: "elastic", tags: { Name: "files" } },
      ctx,
    );
    expect(fs.id).toMatch(/^fs-[0-9a-f]{17}$/);
    expect(fs.state.arn).toBe(`arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/${fs.id}`);
    expect(fs.state.dnsName).toBe(`${fs.id}.efs.eu-west-1.amazonaws.com`);
    expect(fs.state).toMatchObject({
      ownerId: "111122223333",
      name: "files",
      performanceMode: "generalPurpose",
      throughputMode: "elastic",
      encrypted: true,
    });
    // Encrypted without a key: the AWS managed key of the region and account.
    expect(fs.state.kmsKeyId).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\/[0-9a-f-]{36}$/);
    const plain = synthesizeAws("aws:efs/fileSystem:FileSystem", "scratch", {}, ctx);
    expect(plain.state).toMatchObject({ throughputMode: "bursting", encrypted: false, kmsKeyId: "" });
    expect(plain.id).not.toBe(fs.id);
  });

  it("keeps a given KMS key and is stable per name, region and account", () => {
    const key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const a = synthesizeAws(
      "aws:efs/fileSystem:FileSystem",
      "files",
      { encrypted: true, kmsKeyId: key },
      ctx,
    );
    const b = synthesizeAws(
      "aws:efs/fileSystem:FileSystem",
      "files",
      { encrypted: true, kmsKeyId: key },
      ctx,
    );
    expect(a.state.kmsKeyId).toBe(key);
    expect(a.id).toBe(b.id);
    const elsewhere = synthesizeAws(
      "aws:efs/fileSystem:FileSystem",
      "files",
      {},
      { ...ctx, region: "us-east-1" },
    );
    expect(elsewhere.id).not.toBe(a.id);
  });

  it("gives a mount target an fsmt- id, a private address and a network interface in its file system", () => {
    const mt = synthesizeAws(
      "aws:efs/mountTarget:MountTarget",
      "files-mount-0",
      { fileSystemId: "fs-0123456789abcdef0", subnetId: "subnet-a", securityGroups: ["sg-1"] },
      ctx,
    );
    expect(mt.id).toMatch(/^fsmt-[0-9a-f]{17}$/);
    expect(mt.state.ipAddress).toMatch(/^10\.\d{1,3}\.\d{1,3}\.\d{1,3}$/);
    expect(mt.state.networkInterfaceId).toMatch(/^eni-[0-9a-f]{17}$/);
    expect(mt.state).toMatchObject({
      fileSystemArn: "arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-0123456789abcdef0",
      dnsName: "fs-0123456789abcdef0.efs.eu-west-1.amazonaws.com",
      ipAddressType: "IPV4_ONLY",
      subnetId: "subnet-a",
      securityGroups: ["sg-1"],
    });
    const given = synthesizeAws(
      "aws:efs/mountTarget:MountTarget",
      "files-mount-1",
      { fileSystemId: "fs-0123456789abcdef0", subnetId: "subnet-b", ipAddress: "10.0.1.20" },
      ctx,
    );
    expect(given.state.ipAddress).toBe("10.0.1.20");
  });

  it("gives an access point an fsap- id and its ARN, and exposes / without a root directory", () => {
    const ap = synthesizeAws(
      "aws:efs/accessPoint:AccessPoint",
      "files-orders",
      {
        fileSystemId: "fs-0123456789abcdef0",
        posixUser: { uid: 1000, gid: 1000 },
        rootDirectory: { path: "/orders" },
      },
      ctx,
    );
    expect(ap.id).toMatch(/^fsap-[0-9a-f]{17}$/);
    expect(ap.state.arn).toBe(`arn:aws:elasticfilesystem:eu-west-1:111122223333:access-point/${ap.id}`);
    expect(ap.state).toMatchObject({
      fileSystemArn: "arn:aws:elasticfilesystem:eu-west-1:111122223333:file-system/fs-0123456789abcdef0",
      rootDirectory: { path: "/orders" },
      posixUser: { uid: 1000, gid: 1000 },
    });
    const bare = synthesizeAws("aws:efs/accessPoint:AccessPoint", "bare", { fileSystemId: "fs-1" }, ctx);
    expect(bare.state.rootDirectory).toEqual({ path: "/" });
  });

  it("identifies file system and backup policies by their file system, in GovCloud with its partition", () => {
    const gov = { region: "us-gov-west-1", account: "111122223333", partition: "aws" };
    for (const type of ["aws:efs/fileSystemPolicy:FileSystemPolicy", "aws:efs/backupPolicy:BackupPolicy"]) {
      expect(synthesizeAws(type, "p", { fileSystemId: "fs-0123456789abcdef0" }, ctx).id).toBe(
        "fs-0123456789abcdef0",
      );
    }
    const fs = synthesizeAws("aws:efs/fileSystem:FileSystem", "files", {}, gov);
    expect(fs.state.arn).toMatch(
      /^arn:aws-us-gov:elasticfilesystem:us-gov-west-1:111122223333:file-system\//,
    );
  });
});
