import { type Transform, transformed } from "@berth/core";
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** How a private bucket's objects are encrypted at rest. */
export type BucketEncryption =
  /** SSE-S3. The only choice for buckets AWS services write to without a key grant (ALB access logs). */
  | "AES256"
  /** SSE-KMS with this key. `bucketKeyEnabled` trades per-object encryption context for fewer KMS calls. */
  | { kmsKeyArn: pulumi.Input<string>; bucketKeyEnabled: boolean };

export interface PrivateBucketControlsArgs {
  /** Encryption at rest. Example: `"AES256"` or `{ kmsKeyArn: key.arn, bucketKeyEnabled: true }`. */
  encryption: BucketEncryption;
  /** Adds `BucketOwnershipControls` with `BucketOwnerEnforced` (ACLs disabled). Example: `true`. */
  ownershipEnforced: boolean;
  /** Adds `BucketVersioning` with status `Enabled`. Example: `true` for state and artifacts. */
  versioning: boolean;
  /**
   * Changes to each control's args or options before it is created.
   * @default {}
   * @example transform: { encryption: (args) => { args.expectedBucketOwner = "123456789012"; } }
   */
  transform?: PrivateBucketControlsTransforms;
}

/** The controls' transform hooks (the same keys as {@link PrivateBucketControls}). */
export interface PrivateBucketControlsTransforms {
  /** The public access block (`aws.s3.BucketPublicAccessBlock`). */
  publicAccess?: Transform<aws.s3.BucketPublicAccessBlockArgs>;
  /** The ownership controls (`aws.s3.BucketOwnershipControls`). */
  ownership?: Transform<aws.s3.BucketOwnershipControlsArgs>;
  /** The versioning (`aws.s3.BucketVersioning`). */
  versioning?: Transform<aws.s3.BucketVersioningArgs>;
  /** The default encryption (`aws.s3.BucketServerSideEncryptionConfiguration`). */
  encryption?: Transform<aws.s3.BucketServerSideEncryptionConfigurationArgs>;
}

export interface PrivateBucketControls {
  publicAccess: aws.s3.BucketPublicAccessBlock;
  ownership?: aws.s3.BucketOwnershipControls;
  versioning?: aws.s3.BucketVersioning;
  encryption: aws.s3.BucketServerSideEncryptionConfiguration;
  /** Every resource above, for `dependsOn` of what must wait until the bucket is private. */
  all: pulumi.CustomResource[];
}

/**
 * The settings every private Berth bucket has, as sibling resources of the bucket named
 * `<prefix>-public-access`, `<prefix>-ownership`, `<prefix>-versioning` and `<prefix>-encryption`:
 * all four public-access blocks on, then the optional ownership and versioning, then encryption.
 * `opts` is passed to each (parent, provider, protection); `args.transform` may change one of them.
 * A bucket policy should depend on `publicAccess`: S3 rejects a policy while the block is being
 * changed.
 */
export function privateBucketControls(
  prefix: string,
  bucket: aws.s3.Bucket,
  opts: pulumi.CustomResourceOptions,
  args: PrivateBucketControlsArgs,
): PrivateBucketControls {
  const t = args.transform ?? {};
  const publicAccess = new aws.s3.BucketPublicAccessBlock(
    `${prefix}-public-access`,
    ...transformed(
      t.publicAccess,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      } as aws.s3.BucketPublicAccessBlockArgs,
      opts,
    ),
  );
  const ownership = args.ownershipEnforced
    ? new aws.s3.BucketOwnershipControls(
        `${prefix}-ownership`,
        ...transformed(
          t.ownership,
          {
            bucket: bucket.id,
            rule: { objectOwnership: "BucketOwnerEnforced" },
          } as aws.s3.BucketOwnershipControlsArgs,
          opts,
        ),
      )
    : undefined;
  const versioning = args.versioning
    ? new aws.s3.BucketVersioning(
        `${prefix}-versioning`,
        ...transformed(
          t.versioning,
          {
            bucket: bucket.id,
            versioningConfiguration: { status: "Enabled" },
          } as aws.s3.BucketVersioningArgs,
          opts,
        ),
      )
    : undefined;
  const rule: aws.types.input.s3.BucketServerSideEncryptionConfigurationRule =
    args.encryption === "AES256"
      ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }
      : {
          applyServerSideEncryptionByDefault: {
            sseAlgorithm: "aws:kms",
            kmsMasterKeyId: args.encryption.kmsKeyArn,
          },
          bucketKeyEnabled: args.encryption.bucketKeyEnabled,
        };
  const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
    `${prefix}-encryption`,
    ...transformed(
      t.encryption,
      { bucket: bucket.id, rules: [rule] } as aws.s3.BucketServerSideEncryptionConfigurationArgs,
      opts,
    ),
  );
  const all = [publicAccess, ownership, versioning, encryption].filter(
    (r): r is NonNullable<typeof r> => r !== undefined,
  );
  return { publicAccess, ownership, versioning, encryption, all };
}
