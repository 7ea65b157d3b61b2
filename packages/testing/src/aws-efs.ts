import { arn, type CloudContext, type Props, type Synth, str } from "./aws.js";
import { hex, uuid } from "./hash.js";

/** An EFS id as AWS hands it out: `<prefix>-` and 17 hex digits (`fs-0123456789abcdef0`). */
function efsId(prefix: string, type: string, name: string, ctx: CloudContext): string {
  return `${prefix}-${hex(17, type, name, ctx.region, ctx.account)}`;
}

/** The file system id of an ARN or an id (`…:file-system/fs-…` or `fs-…`). */
function fileSystemIdOf(value: unknown): string {
  const s = str(value);
  return s.split("/").pop() ?? s;
}

/** A private IPv4 address for a mount target's network interface, stable per name. */
function privateIp(seed: string): string {
  const d = hex(6, "efs-mount-target", seed);
  return `10.${parseInt(d.slice(0, 2), 16) % 250}.${parseInt(d.slice(2, 4), 16) % 250}.${(parseInt(d.slice(4, 6), 16) % 250) + 4}`;
}

const fileSystem: Synth = (ctx, type, name, inputs) => {
  const id = efsId("fs", type, name, ctx);
  const encrypted = inputs.encrypted === true;
  const tags = (inputs.tags as Record<string, string> | undefined) ?? {};
  const state: Props = {
    arn: arn(ctx, "elasticfilesystem", `file-system/${id}`),
    dnsName: `${id}.efs.${ctx.region}.amazonaws.com`,
    ownerId: ctx.account,
    // The provider's idempotency token when none is given (pulumi-aws generates a unique one).
    creationToken: str(inputs.creationToken) || `${name}-${hex(8, "creation-token", type, name)}`,
    name: tags.Name ?? "",
    numberOfMountTargets: 0,
    // CreateFileSystem's defaults: General Purpose, bursting throughput, not encrypted.
    performanceMode: inputs.performanceMode ?? "generalPurpose",
    throughputMode: inputs.throughputMode ?? "bursting",
    encrypted,
    // An encrypted file system without a key uses the AWS managed key aws/elasticfilesystem.
    kmsKeyId: encrypted
      ? str(inputs.kmsKeyId) ||
        arn(ctx, "kms", `key/${uuid("aws/elasticfilesystem", ctx.region, ctx.account)}`)
      : "",
    protection: (inputs.protection as Props | undefined) ?? { replicationOverwrite: "ENABLED" },
    sizeInBytes: [{ value: 6144, valueInIa: 0, valueInStandard: 6144, valueInArchive: 0 }],
    availabilityZoneName: str(inputs.availabilityZoneName),
    availabilityZoneId: "",
    region: ctx.region,
  };
  return { id, state };
};

const mountTarget: Synth = (ctx, type, name, inputs) => {
  const id = efsId("fsmt", type, name, ctx);
  const fileSystemId = fileSystemIdOf(inputs.fileSystemId);
  return {
    id,
    state: {
      fileSystemArn: arn(ctx, "elasticfilesystem", `file-system/${fileSystemId}`),
      dnsName: `${fileSystemId}.efs.${ctx.region}.amazonaws.com`,
      ipAddress: str(inputs.ipAddress) || privateIp(`${ctx.region}/${ctx.account}/${name}`),
      ipAddressType: inputs.ipAddressType ?? "IPV4_ONLY",
      networkInterfaceId: efsId("eni", `${type}#eni`, name, ctx),
      ownerId: ctx.account,
      securityGroups: inputs.securityGroups ?? [],
      region: ctx.region,
    },
  };
};

const accessPoint: Synth = (ctx, type, name, inputs) => {
  const id = efsId("fsap", type, name, ctx);
  const fileSystemId = fileSystemIdOf(inputs.fileSystemId);
  return {
    id,
    state: {
      arn: arn(ctx, "elasticfilesystem", `access-point/${id}`),
      fileSystemArn: arn(ctx, "elasticfilesystem", `file-system/${fileSystemId}`),
      ownerId: ctx.account,
      // Without a root directory, an access point exposes the file system's root.
      rootDirectory: (inputs.rootDirectory as Props | undefined) ?? { path: "/" },
      region: ctx.region,
    },
  };
};

/** File system policies and backup policies are identified by their file system's id. */
const byFileSystem: Synth = (ctx, _type, _name, inputs) => ({
  id: fileSystemIdOf(inputs.fileSystemId),
  state: { region: ctx.region },
});

/** What AWS computes for EFS (file systems, mount targets, access points): ids, ARNs, endpoints. */
export const EFS_SYNTHS: Record<string, Synth> = {
  "aws:efs/fileSystem:FileSystem": fileSystem,
  "aws:efs/mountTarget:MountTarget": mountTarget,
  "aws:efs/accessPoint:AccessPoint": accessPoint,
  "aws:efs/fileSystemPolicy:FileSystemPolicy": byFileSystem,
  "aws:efs/backupPolicy:BackupPolicy": byFileSystem,
};
