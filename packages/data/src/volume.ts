import {
  checkComponent,
  checkTags,
  denyInsecureTransport,
  emptyGrant,
  envPrefix,
  known,
  type Linkable,
  type LinkGrant,
  mergeTags,
  type PolicyStatement,
  policyDocument,
  type Transform,
  transformed,
  type Validator,
} from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkAccess } from "./grant.js";

const TYPE = "berth:data:Volume";
const ACCESS_POINT_TYPE = "berth:data:VolumeAccessPoint";

/** How a service may use a volume (the first is the default). */
export const VOLUME_ACCESS = ["readwrite", "read"] as const;

/** How a service may use a volume. */
export type VolumeAccess = (typeof VOLUME_ACCESS)[number];

/**
 * The exact NFS client actions of each access level (EFS User Guide, "Using IAM to control access
 * to file systems": ClientMount is read-only access, ClientWrite adds writes). Never
 * `ClientRootAccess`: services run as their access point's POSIX user.
 */
export const VOLUME_ACTIONS: Record<VolumeAccess, string[]> = {
  readwrite: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
  read: ["elasticfilesystem:ClientMount"],
};

/** The NFS port of EFS mount targets. */
export const NFS_PORT = 2049;

/** EFS throughput modes (CreateFileSystem `ThroughputMode`). */
export const VOLUME_THROUGHPUT_MODES = ["elastic", "bursting", "provisioned"] as const;

/**
 * Days without access after which files move to Infrequent Access: the values of the lifecycle
 * policy's `TransitionToIA` (`AFTER_1_DAY`, `AFTER_7_DAYS`, … `AFTER_365_DAYS`; EFS API reference,
 * "LifecyclePolicy").
 */
export const VOLUME_IA_DAYS = [1, 7, 14, 30, 60, 90, 180, 270, 365] as const;

/** EFS's limits the component checks up front. */
export const VOLUME_LIMITS = {
  /** `ProvisionedThroughputInMibps`: 1 to 3414 MiB/s, the upper limit depending on the Region (EFS API reference, "UpdateFileSystem"; AWS Support can raise it). */
  provisionedThroughputMibps: { min: 1, max: 3414 },
  /** POSIX user and group ids of an access point: 0 to 4294967295 (EFS API reference, "PosixUser" and "CreationInfo"); 0 (root) is refused. */
  posixId: { min: 1, max: 4_294_967_295 },
  /** An access point's root directory: at most 100 characters and four subdirectories (EFS API reference, "RootDirectory"). */
  rootDirectoryLength: 100,
  rootDirectoryDepth: 4,
  /** An ECS volume name: up to 255 letters, numbers, hyphens and underscores (ECS task definition parameters, "volumes"). */
  volumeNameLength: 255,
} as const;

/**
 * A file system as plain outputs, what a service stack needs to create its access point and link:
 * `Volume.ref` produces it, a stack can rebuild it from a StackReference.
 *
 * @example
 * const files: VolumeRef = { fileSystemId: "fs-0123456789abcdef0",
 *   fileSystemArn: "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123456789abcdef0",
 *   securityGroupId: "sg-0123456789abcdef0" };
 */
export interface VolumeRef {
  /** The file system's id. Resolves once its mount targets and policy exist, so a task never mounts too early. */
  fileSystemId: pulumi.Input<string>;
  /** The file system's ARN: the task role's statements are scoped to it. */
  fileSystemArn: pulumi.Input<string>;
  /** The mount targets' security group: a link opens NFS (2049) on it from the service's tasks. */
  securityGroupId: pulumi.Input<string>;
}

/** A service's access point as plain outputs. */
export interface VolumeAccessPointRef {
  /** The access point's id (`fsap-…`): the task definition mounts through it. */
  id: pulumi.Input<string>;
  /** The access point's ARN: the task role may mount only through it. */
  arn: pulumi.Input<string>;
}

export interface VolumeArgs {
  /**
   * The VPC of the mount targets (and of the tasks that mount the volume).
   * @example vpcId: network.ref.vpcId
   */
  vpcId: pulumi.Input<string>;
  /**
   * The subnets that get a mount target: one per availability zone the tasks run in (EFS allows one
   * mount target per zone, so give one subnet of each zone, usually the private ones). A list with
   * a known length: one mount target is created per entry. **Replaces** a mount target when its
   * entry changes.
   * @example subnetIds: [0, 1, 2].map((i) => network.privateSubnetIds.apply((ids) => ids[i]!))
   */
  subnetIds: pulumi.Input<string>[];
  /**
   * EFS throughput: `"elastic"` scales with the workload and bills what is used (AWS's recommendation
   * for most workloads), `"bursting"` scales with the stored size, `"provisioned"` is fixed at
   * `provisionedThroughputMibps`.
   * @default "elastic"
   * @example throughputMode: "provisioned"
   */
  throughputMode?: (typeof VOLUME_THROUGHPUT_MODES)[number];
  /**
   * The throughput of `"provisioned"` mode, in MiB/s (1 to 3414; the upper limit depends on the
   * Region). Only with `throughputMode: "provisioned"`, and required there.
   * @default none
   * @example provisionedThroughputMibps: 64
   */
  provisionedThroughputMibps?: number;
  /**
   * Days a file goes unread before EFS moves it to Infrequent Access (1, 7, 14, 30, 60, 90, 180,
   * 270 or 365); the next access moves it back. `false` keeps every file in Standard storage.
   * @default 30
   * @example transitionToIaDays: 90
   */
  transitionToIaDays?: (typeof VOLUME_IA_DAYS)[number] | false;
  /**
   * A customer managed KMS key for encryption at rest (a key ARN). **Replaces** the file system.
   * @default the AWS managed key aws/elasticfilesystem
   * @example kmsKeyArn: key.arn
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * Daily AWS Backup of the file system (EFS's automatic backups, kept 35 days).
   * @default true with `protect`, false without
   * @example backup: true
   */
  backup?: boolean;
  /**
   * Refuse every NFS client that does not mount through an access point, so each service sees only
   * its own directory as its own POSIX user. Turn it off only to mount the whole file system from
   * an administration host.
   * @default true
   * @example requireAccessPoint: false
   */
  requireAccessPoint?: boolean;
  /**
   * Protect the file system from deletion (`protect` and `retainOnDelete`): in prod it holds data
   * that must outlive the stack. EFS has no deletion protection of its own.
   * @default false
   * @example protect: true
   */
  protect?: boolean;
  /**
   * Tags for the file system (which also gets `Name`) and the security group.
   * @default {}
   * @example tags: { Team: "media" }
   */
  tags?: Record<string, string>;
  /** Changes to the children's args or options before they are created. */
  transform?: {
    /** The file system (`aws.efs.FileSystem`). */
    fileSystem?: Transform<aws.efs.FileSystemArgs>;
    /** The mount targets' security group, without ingress (`aws.ec2.SecurityGroup`). */
    securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    /** Each mount target (`aws.efs.MountTarget`). */
    mountTarget?: Transform<aws.efs.MountTargetArgs>;
    /** The TLS-only, access-point-only file system policy (`aws.efs.FileSystemPolicy`). */
    fileSystemPolicy?: Transform<aws.efs.FileSystemPolicyArgs>;
    /** The automatic backup setting (`aws.efs.BackupPolicy`). */
    backupPolicy?: Transform<aws.efs.BackupPolicyArgs>;
  };
}

interface ResolvedVolume {
  throughputMode: (typeof VOLUME_THROUGHPUT_MODES)[number];
  provisionedThroughputMibps: number | undefined;
  transitionToIa: string | undefined;
  backup: boolean;
  requireAccessPoint: boolean;
}

function validateVolume(name: string, args: VolumeArgs): ResolvedVolume {
  const v = checkComponent(TYPE, name, args);
  if (!args) v.fail("args", args, "vpcId and subnetIds are required");
  v.required("vpcId", args.vpcId, "the VPC of the mount targets is required");
  v.check(
    Array.isArray(args.subnetIds),
    "subnetIds",
    args.subnetIds,
    "give a list of subnet ids with a known length (one mount target is created per subnet), e.g. one private subnet per availability zone",
  );
  v.check(
    args.subnetIds.length > 0,
    "subnetIds",
    args.subnetIds,
    "give at least one subnet: tasks reach the file system only through a mount target",
  );
  // EFS allows one mount target per availability zone ("Creating mount targets"); with only ids
  // known here, the same id twice is what can be refused up front.
  const knownIds = args.subnetIds.map((s) => known(s)).filter((s): s is string => s !== undefined);
  const duplicate = knownIds.find((s, i) => knownIds.indexOf(s) !== i);
  v.check(
    duplicate === undefined,
    "subnetIds",
    duplicate,
    "each subnet may appear once: EFS allows one mount target per availability zone",
  );
  const throughputMode = args.throughputMode ?? "elastic";
  v.oneOf("throughputMode", throughputMode, VOLUME_THROUGHPUT_MODES);
  if (throughputMode === "provisioned") {
    v.required(
      "provisionedThroughputMibps",
      args.provisionedThroughputMibps,
      'throughputMode "provisioned" needs provisionedThroughputMibps (1 to 3414 MiB/s)',
    );
    v.number(
      "provisionedThroughputMibps",
      args.provisionedThroughputMibps,
      VOLUME_LIMITS.provisionedThroughputMibps,
      " MiB/s (the default upper limit; AWS Support can raise it, then set it through transform.fileSystem)",
    );
  } else {
    v.check(
      args.provisionedThroughputMibps === undefined,
      "provisionedThroughputMibps",
      args.provisionedThroughputMibps,
      `applies to throughputMode "provisioned" only (throughputMode is "${throughputMode}")`,
    );
  }
  const ia = args.transitionToIaDays ?? 30;
  v.check(
    ia === false || (VOLUME_IA_DAYS as readonly unknown[]).includes(ia),
    "transitionToIaDays",
    ia,
    `EFS moves files to Infrequent Access after ${VOLUME_IA_DAYS.join(", ")} days, or never (false)`,
  );
  v.arn("kmsKeyArn", args.kmsKeyArn, "kms", /^key\/.+/);
  for (const f of ["backup", "requireAccessPoint", "protect"] as const) {
    v.check(args[f] === undefined || typeof args[f] === "boolean", f, args[f], "give true or false");
  }
  checkTags(v, "tags", args.tags);
  return {
    throughputMode,
    provisionedThroughputMibps: args.provisionedThroughputMibps,
    transitionToIa: ia === false ? undefined : ia === 1 ? "AFTER_1_DAY" : `AFTER_${ia}_DAYS`,
    backup: args.backup ?? args.protect ?? false,
    requireAccessPoint: args.requireAccessPoint ?? true,
  };
}

/**
 * The file system policy: deny every request without TLS (`aws:SecureTransport` false) and, with
 * `requireAccessPoint`, every NFS client that mounts without an access point. It allows nothing:
 * once a policy exists, EFS's default "any anonymous client may mount" is gone, and a service mounts
 * with IAM authorization through its task role (an Allow in either the identity policy or the file
 * system policy suffices; EFS User Guide, "Using IAM to control access to file systems").
 */
export function volumePolicy(fileSystemArn: string, requireAccessPoint = true): PolicyStatement[] {
  return [
    denyInsecureTransport("elasticfilesystem:*", fileSystemArn),
    ...(requireAccessPoint
      ? [
          {
            Sid: "DenyWithoutAccessPoint",
            Effect: "Deny" as const,
            Principal: "*" as const,
            Action: [
              "elasticfilesystem:ClientMount",
              "elasticfilesystem:ClientWrite",
              "elasticfilesystem:ClientRootAccess",
            ],
            Resource: fileSystemArn,
            Condition: { Null: { "elasticfilesystem:AccessPointArn": "true" } },
          },
        ]
      : []),
  ];
}

/**
 * An EFS file system for services' shared files: encrypted at rest, General Purpose, elastic
 * throughput, files unread for 30 days moved to Infrequent Access and back on the next access, a
 * mount target in each given subnet behind its own security group (no ingress: each link opens NFS
 * from exactly its service's tasks), and a policy that refuses clients without TLS or without an
 * access point. With `protect` (prod) the file system is kept when the stack goes and backed up
 * daily.
 *
 * A service uses it through its own access point (`volume.accessPoint("orders")`, or a
 * `VolumeAccessPoint` built from `ref` in the service's stack): its directory `/<service>`, its POSIX
 * user, and the grant of {@link volumeGrant}.
 *
 * @example
 * const files = new Volume("files", {
 *   vpcId: network.ref.vpcId,
 *   subnetIds: [0, 1].map((i) => network.privateSubnetIds.apply((ids) => ids[i]!)),
 *   protect: true,
 * });
 * const ap = files.accessPoint("orders");
 * const grant = ap.link("readwrite"); // FILES_PATH=/mnt/files, NFS from the orders tasks
 */
export class Volume extends pulumi.ComponentResource {
  readonly accessLevels = VOLUME_ACCESS;
  readonly fileSystemId: pulumi.Output<string>;
  readonly fileSystemArn: pulumi.Output<string>;
  /** The file system's DNS name (`fs-….efs.<region>.amazonaws.com`). */
  readonly dnsName: pulumi.Output<string>;
  /** The mount targets' security group. */
  readonly securityGroupId: pulumi.Output<string>;
  readonly mountTargetIds: pulumi.Output<string[]>;
  /** The file system as a `VolumeRef`, for a service's access point or another stack. */
  readonly ref: VolumeRef;
  private readonly volumeName: string;

  constructor(name: string, args: VolumeArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const r = validateVolume(name, args);
    super(TYPE, name, {}, opts);
    this.volumeName = name;
    const tags = mergeTags(args.tags);
    const keep = args.protect ? { protect: true, retainOnDelete: true } : {};
    const t = args.transform ?? {};

    const fileSystem = new aws.efs.FileSystem(
      `${name}-fs`,
      ...transformed(
        t.fileSystem,
        {
          encrypted: true,
          ...(args.kmsKeyArn !== undefined ? { kmsKeyId: args.kmsKeyArn } : {}),
          performanceMode: "generalPurpose",
          throughputMode: r.throughputMode,
          ...(r.provisionedThroughputMibps !== undefined
            ? { provisionedThroughputInMibps: r.provisionedThroughputMibps }
            : {}),
          // One transition per LifecyclePolicy object (EFS API reference, "LifecyclePolicy").
          lifecyclePolicies: r.transitionToIa
            ? [{ transitionToIa: r.transitionToIa }, { transitionToPrimaryStorageClass: "AFTER_1_ACCESS" }]
            : [],
          tags: mergeTags({ Name: name }, args.tags),
        },
        { parent: this, ...keep },
      ),
    );
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      ...transformed(
        t.securityGroup,
        {
          vpcId: args.vpcId,
          description: `Mount targets of the ${name} file system: NFS from the tasks of linked services only`,
          tags,
        },
        { parent: this },
      ),
    );
    const mountTargets = args.subnetIds.map(
      (subnetId, i) =>
        new aws.efs.MountTarget(
          `${name}-mount-${i}`,
          ...transformed(
            t.mountTarget,
            { fileSystemId: fileSystem.id, subnetId, securityGroups: [securityGroup.id] },
            { parent: this },
          ),
        ),
    );
    const policy = new aws.efs.FileSystemPolicy(
      `${name}-policy`,
      ...transformed(
        t.fileSystemPolicy,
        {
          fileSystemId: fileSystem.id,
          policy: fileSystem.arn.apply((arn) =>
            JSON.stringify(policyDocument(volumePolicy(arn, r.requireAccessPoint))),
          ),
        },
        { parent: this },
      ),
    );
    new aws.efs.BackupPolicy(
      `${name}-backup`,
      ...transformed(
        t.backupPolicy,
        { fileSystemId: fileSystem.id, backupPolicy: { status: r.backup ? "ENABLED" : "DISABLED" } },
        { parent: this },
      ),
    );

    this.fileSystemArn = fileSystem.arn;
    this.dnsName = fileSystem.dnsName;
    this.securityGroupId = securityGroup.id;
    this.mountTargetIds = pulumi.all(mountTargets.map((m) => m.id));
    // The id services mount resolves once every mount target and the policy exist: a task
    // definition that uses it waits for them.
    this.fileSystemId = pulumi.all([fileSystem.id, this.mountTargetIds, policy.id]).apply(([id]) => id);
    this.ref = {
      fileSystemId: this.fileSystemId,
      fileSystemArn: this.fileSystemArn,
      securityGroupId: this.securityGroupId,
    };
    this.registerOutputs({
      fileSystemId: this.fileSystemId,
      fileSystemArn: this.fileSystemArn,
      dnsName: this.dnsName,
      securityGroupId: this.securityGroupId,
      mountTargetIds: this.mountTargetIds,
    });
  }

  /**
   * A service's access point on this file system (its directory `/<service>`, its POSIX user), as a
   * `VolumeAccessPoint` named `<volume>-<service>`; link it with `.link(access)`.
   *
   * @example
   * const grant = files.accessPoint("orders", { posixUser: { uid: 1001, gid: 1001 } }).link("read");
   */
  accessPoint(
    service: string,
    args: Omit<VolumeAccessPointArgs, "volume" | "volumeName" | "service"> = {},
    opts: pulumi.ComponentResourceOptions = {},
  ): VolumeAccessPoint {
    return new VolumeAccessPoint(
      `${this.volumeName}-${service}`,
      { ...args, volume: this.ref, volumeName: this.volumeName, service },
      opts,
    );
  }
}

export interface VolumeAccessPointArgs {
  /**
   * The file system.
   * @example volume: files.ref
   */
  volume: VolumeRef;
  /**
   * The volume's name (the `Volume` component's name): the prefix of the variables
   * (`<NAME>_PATH`), the task definition's volume name and the default mount path.
   * @example volumeName: "files"
   */
  volumeName: string;
  /**
   * The service that uses the volume: its root directory is `/<service>`.
   * @example service: "orders"
   */
  service: string;
  /**
   * The POSIX user and group every file operation through the access point runs as, whatever the
   * container's user (1 to 4294967295; root is refused).
   * @default { uid: 1000, gid: 1000 }
   * @example posixUser: { uid: 1001, gid: 1001 }
   */
  posixUser?: { uid?: number; gid?: number };
  /**
   * The directory of the file system the service sees as its root (absolute, at most four levels
   * and 100 characters, no part starting with `.`). EFS creates it on the first mount, owned by
   * `posixUser`. **Replaces** the access point.
   * @default "/<service>"
   * @example rootDirectory: "/shared/uploads"
   */
  rootDirectory?: string;
  /**
   * The octal mode EFS gives the root directory when it creates it.
   * @default "0750"
   * @example permissions: "0770"
   */
  permissions?: string;
  /**
   * Where the main container sees the volume (absolute, not `/`, no `..`).
   * @default "/mnt/<volumeName>"
   * @example path: "/data/uploads"
   */
  path?: string;
  /**
   * The prefix of the variable the service gets (`<PREFIX>_PATH`).
   * @default volumeName in SCREAMING_SNAKE_CASE
   * @example envPrefix: "UPLOADS"
   */
  envPrefix?: string;
  /**
   * Tags for the access point.
   * @default {}
   * @example tags: { Team: "orders" }
   */
  tags?: Record<string, string>;
  /** Changes to the child's args or options before it is created. */
  transform?: {
    /** The access point (`aws.efs.AccessPoint`). */
    accessPoint?: Transform<aws.efs.AccessPointArgs>;
  };
}

interface ResolvedAccessPoint {
  uid: number;
  gid: number;
  rootDirectory: string;
  permissions: string;
  path: string;
  envPrefix: string;
}

/** Characters a root directory part may not contain, and may not start with `.` (EFS's RootDirectory pattern). */
const ROOT_PART = /^[^.$#<>;`|&?{}^*/\n][^$#<>;`|&?{}^*/\n]*$/;
const CONTAINER_PATH = /^\/[A-Za-z0-9._\-/]*$/;
const ECS_VOLUME_NAME = /^[A-Za-z0-9_-]+$/;

function checkRootDirectory(v: Validator, field: string, value: string): void {
  const parts = value === "/" ? [] : value.split("/").slice(1);
  v.check(
    typeof value === "string" &&
      value.startsWith("/") &&
      value.length <= VOLUME_LIMITS.rootDirectoryLength &&
      parts.length <= VOLUME_LIMITS.rootDirectoryDepth &&
      parts.every((p) => ROOT_PART.test(p)),
    field,
    value,
    `an absolute directory of at most ${VOLUME_LIMITS.rootDirectoryDepth} levels and ${VOLUME_LIMITS.rootDirectoryLength} characters, no part starting with "." and none of $#<>;\`|&?{}^*`,
  );
}

/** Checks a container path: absolute, not `/`, no `.` or `..` part. */
function checkContainerPath(v: Validator, field: string, value: string): void {
  v.check(
    typeof value === "string" &&
      CONTAINER_PATH.test(value) &&
      value !== "/" &&
      !value.endsWith("/") &&
      value
        .split("/")
        .slice(1)
        .every((p) => p !== "" && p !== "." && p !== ".."),
    field,
    value,
    "an absolute path below / (letters, digits, . _ - and /), without . or .. parts, e.g. /mnt/files",
  );
}

function checkPosixId(v: Validator, field: string, value: unknown): void {
  v.integer(field, value as number, VOLUME_LIMITS.posixId);
  v.check(
    value !== 0,
    field,
    value,
    "root (0) bypasses every permission check on EFS; give a service its own user and group",
  );
}

/** Checks the grant's inputs that end up in the task definition: the volume name, the path and the prefix. */
function resolveGrantOptions(
  v: Validator,
  name: string,
  options: { path?: string; envPrefix?: string },
): { path: string; envPrefix: string } {
  v.check(
    typeof name === "string" && ECS_VOLUME_NAME.test(name) && name.length <= VOLUME_LIMITS.volumeNameLength,
    "volumeName",
    name,
    "the task definition's volume is named after it: letters, digits, - and _ (ECS volume names)",
  );
  const path = options.path ?? `/mnt/${name}`;
  checkContainerPath(v, "path", path);
  const prefix = options.envPrefix ?? envPrefix(name);
  v.matches(
    "envPrefix",
    prefix,
    /^[A-Z][A-Z0-9_]{0,40}$/,
    "upper-case letters, digits and _, starting with a letter",
  );
  return { path, envPrefix: prefix };
}

function validateAccessPoint(name: string, args: VolumeAccessPointArgs): ResolvedAccessPoint {
  const v = checkComponent(ACCESS_POINT_TYPE, name, args);
  if (!args) v.fail("args", args, "volume, volumeName and service are required");
  v.required("volume", args.volume, "the file system's VolumeRef is required");
  v.required("volume.fileSystemId", args.volume.fileSystemId, "the file system's id is required");
  v.required("service", args.service, "the service that mounts the volume is required");
  v.check(
    typeof args.service === "string" && ROOT_PART.test(args.service),
    "service",
    args.service,
    "the service's name, which names its directory /<service>",
  );
  const uid = args.posixUser?.uid ?? 1000;
  const gid = args.posixUser?.gid ?? 1000;
  checkPosixId(v, "posixUser.uid", uid);
  checkPosixId(v, "posixUser.gid", gid);
  const rootDirectory = args.rootDirectory ?? `/${args.service}`;
  checkRootDirectory(v, "rootDirectory", rootDirectory);
  const permissions = args.permissions ?? "0750";
  v.matches("permissions", permissions, /^[0-7]{3,4}$/, 'an octal mode of 3 or 4 digits, e.g. "0750"');
  const { path, envPrefix: prefix } = resolveGrantOptions(v, args.volumeName, args);
  checkTags(v, "tags", args.tags);
  return { uid, gid, rootDirectory, permissions, path, envPrefix: prefix };
}

/**
 * One service's access point on a file system: every operation runs as its POSIX user (1000:1000
 * by default) inside its root directory (`/<service>`, created on the first mount, mode 0750). It
 * is what the service links: {@link VolumeAccessPoint.link} builds the grant of {@link volumeGrant}.
 * Type `berth:data:VolumeAccessPoint`; the service's stack creates it from a `VolumeRef`.
 *
 * @example
 * const ap = new VolumeAccessPoint("files-orders", { volume: filesRef, volumeName: "files", service: "orders" });
 * new WebService("orders", { ..., links: [ap.link("readwrite")] });
 */
export class VolumeAccessPoint extends pulumi.ComponentResource implements Linkable<VolumeAccess> {
  readonly accessLevels = VOLUME_ACCESS;
  readonly id: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly ref: VolumeAccessPointRef;
  private readonly volume: VolumeRef;
  private readonly volumeName: string;
  private readonly resolved: ResolvedAccessPoint;

  constructor(name: string, args: VolumeAccessPointArgs, opts: pulumi.ComponentResourceOptions = {}) {
    const r = validateAccessPoint(name, args);
    super(ACCESS_POINT_TYPE, name, {}, opts);
    this.resolved = r;
    this.volume = args.volume;
    this.volumeName = args.volumeName;
    const accessPoint = new aws.efs.AccessPoint(
      `${name}-ap`,
      ...transformed(
        args.transform?.accessPoint,
        {
          fileSystemId: args.volume.fileSystemId,
          posixUser: { uid: r.uid, gid: r.gid },
          rootDirectory: {
            path: r.rootDirectory,
            creationInfo: { ownerUid: r.uid, ownerGid: r.gid, permissions: r.permissions },
          },
          tags: mergeTags({ Name: name }, args.tags),
        },
        { parent: this },
      ),
    );
    this.id = accessPoint.id;
    this.arn = accessPoint.arn;
    this.ref = { id: accessPoint.id, arn: accessPoint.arn };
    this.registerOutputs({ id: this.id, arn: this.arn });
  }

  /** What the service gets: see {@link volumeGrant}. */
  link(access: VolumeAccess): LinkGrant {
    return volumeGrant(this.volumeName, this.volume, access, this.ref, {
      path: this.resolved.path,
      envPrefix: this.resolved.envPrefix,
    });
  }
}

/**
 * What a service that mounts volume `name` through its access point gets, for an access level:
 * - task role: {@link VOLUME_ACTIONS} on the file system's ARN, only through that access point
 *   (`elasticfilesystem:AccessPointArn`);
 * - the volume in the task definition (transit encryption and IAM authorization on, through the
 *   access point) and its mount point in the main container, read-only for `read`;
 * - `<PREFIX>_PATH`, the mount path (`/mnt/<name>` unless `path` is given);
 * - NFS (2049) from the service's tasks on the mount targets' security group.
 *
 * @example
 * const grant = volumeGrant("files", filesRef, "read", ap.ref); // FILES_PATH=/mnt/files, read-only
 */
export function volumeGrant(
  name: string,
  ref: VolumeRef,
  access: VolumeAccess,
  accessPoint: VolumeAccessPointRef,
  options: { path?: string; envPrefix?: string } = {},
): LinkGrant {
  checkAccess(TYPE, name, VOLUME_ACCESS, access);
  const v = checkComponent(TYPE, name, {});
  const { path, envPrefix: prefix } = resolveGrantOptions(v, name, options);
  const grant = emptyGrant();
  grant.taskRoleStatements.push({
    Sid: `${prefix.replace(/_/g, "")}${access === "read" ? "Read" : "ReadWrite"}`,
    Effect: "Allow",
    Action: [...VOLUME_ACTIONS[access]],
    Resource: [ref.fileSystemArn],
    // The access point's ARN is an Output; the task resolves the statement as a whole.
    Condition: { StringEquals: { "elasticfilesystem:AccessPointArn": accessPoint.arn as unknown as string } },
  });
  grant.environment[`${prefix}_PATH`] = path;
  grant.ingress.push({
    securityGroupId: ref.securityGroupId,
    port: NFS_PORT,
    description: `NFS to the ${name} volume`,
  });
  grant.volumes.push({
    name,
    fileSystemId: ref.fileSystemId,
    accessPointId: accessPoint.id,
    containerPath: path,
    readOnly: access === "read",
  });
  return grant;
}
