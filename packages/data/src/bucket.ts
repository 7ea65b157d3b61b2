import {
  checkComponent,
  checkTags,
  denyInsecureTransport,
  emptyGrant,
  envPrefix,
  type Linkable,
  type LinkGrant,
  mergeTags,
  policyDocument,
  type Transform,
  transformed,
  type Validator,
} from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type PrivateBucketControlsTransforms, privateBucketControls } from "./bucket-controls.js";
import { checkAccess } from "./grant.js";

const TYPE = "berth:data:Bucket";

/** How a service may use a bucket; the first is the default of `uses`. */
export const BUCKET_ACCESS = ["readwrite", "read"] as const;
export type BucketAccess = (typeof BUCKET_ACCESS)[number];

/**
 * The exact S3 actions of each access level: `objects` on `<bucket ARN>/*`, `bucket` on the bucket's
 * ARN (Service Authorization Reference, Amazon S3: object actions take the object resource type,
 * ListBucket and ListBucketMultipartUploads the bucket resource type).
 */
export const BUCKET_ACTIONS: Record<BucketAccess, { objects: string[]; bucket: string[] }> = {
  read: { objects: ["s3:GetObject", "s3:GetObjectVersion"], bucket: ["s3:ListBucket"] },
  readwrite: {
    objects: [
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ],
    bucket: ["s3:ListBucket", "s3:ListBucketMultipartUploads"],
  },
};

/**
 * The KMS actions a linked service needs on the bucket's customer managed key: reading decrypts,
 * writing also asks KMS for data keys (Amazon S3 User Guide, "Using server-side encryption with
 * AWS KMS keys", permissions).
 */
export const BUCKET_KMS_ACTIONS: Record<BucketAccess, string[]> = {
  read: ["kms:Decrypt"],
  readwrite: ["kms:Decrypt", "kms:GenerateDataKey"],
};

/**
 * S3's general purpose bucket naming rules (Amazon S3 User Guide, "General purpose bucket naming
 * rules"): 3 to 63 characters of lower-case letters, digits, `.` and `-`, starting and ending with a
 * letter or digit, no `..`, not an IP address, and none of the reserved prefixes and suffixes.
 */
export const BUCKET_NAME_RULES = {
  minLength: 3,
  maxLength: 63,
  reservedPrefixes: ["xn--", "sthree-", "amzn-s3-demo-"],
  reservedSuffixes: ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"],
} as const;

/**
 * The lifecycle rules' day counts. S3 takes any positive whole number of days (Amazon S3 API
 * Reference, NoncurrentVersionExpiration.NoncurrentDays and
 * AbortIncompleteMultipartUpload.DaysAfterInitiation); the upper bounds are Berth's, the same as
 * the manifest's.
 */
export const BUCKET_LIMITS = {
  noncurrentVersionExpirationDays: { min: 1, max: 3650 },
  abortIncompleteUploadDays: { min: 1, max: 365 },
} as const;

/** Pulumi's auto-name appends `-` and 7 random characters to the bucket's logical name. */
const AUTO_NAME_SUFFIX = 8;

/**
 * A bucket as plain outputs, as {@link Bucket} exports it and {@link bucketGrant} takes it: a
 * platform stack can export it and a service stack rebuild the grant from a StackReference.
 *
 * @example
 * const ref: BucketRef = { name: "uploads-1a2b3c4", arn: "arn:aws:s3:::uploads-1a2b3c4",
 *   region: "eu-west-1" };
 */
export interface BucketRef {
  /** The bucket's name (`<PREFIX>_BUCKET`). @example "uploads-1a2b3c4" */
  name: pulumi.Input<string>;
  /** The bucket's ARN: grants use it and `<arn>/*`. @example "arn:aws:s3:::uploads-1a2b3c4" */
  arn: pulumi.Input<string>;
  /** The bucket's region (`<PREFIX>_REGION`), for the SDK's client. @example "eu-west-1" */
  region: pulumi.Input<string>;
  /**
   * The customer managed KMS key the bucket encrypts with (SSE-KMS); linked services then get the
   * KMS actions on exactly this key. Leave it out for SSE-S3.
   * @default none
   * @example kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
   */
  kmsKeyArn?: pulumi.Input<string>;
}

export interface BucketArgs {
  /**
   * The bucket's exact name, when it must be known in advance. S3 names are global: a fixed name
   * can be taken by another account. **Replaces** the bucket (and its objects) when changed.
   * @default the component's name, a dash and 7 random characters
   * @example bucketName: "acme-orders-uploads-prod"
   */
  bucketName?: string;
  /**
   * Keep every version of every object (overwrites and deletes become recoverable). Old versions
   * expire after `noncurrentVersionExpirationDays`.
   * @default true when `protect` is set (prod), false otherwise
   * @example versioning: true
   */
  versioning?: boolean;
  /**
   * Days an overwritten or deleted version is kept before S3 removes it (1 to 3650; with
   * versioning only). Delete markers left without versions are removed too.
   * @default 30
   * @example noncurrentVersionExpirationDays: 90
   */
  noncurrentVersionExpirationDays?: number;
  /**
   * Days after which S3 removes the parts of a multipart upload that never completed (1 to 365):
   * they cost storage and are never visible.
   * @default 7
   * @example abortIncompleteUploadDays: 2
   */
  abortIncompleteUploadDays?: number;
  /**
   * Encryption at rest: `"AES256"` (SSE-S3, keys managed by S3, no charge) or a customer managed
   * KMS key (SSE-KMS with an S3 Bucket Key, which cuts KMS requests; linked services then also get
   * `kms:Decrypt`, and `kms:GenerateDataKey` to write, on that key).
   * @default "AES256"
   * @example encryption: { kmsKeyArn: key.arn }
   */
  encryption?: "AES256" | { kmsKeyArn: pulumi.Input<string> };
  /**
   * Production: every child is protected and retained on delete (`protect`, `retainOnDelete`), the
   * bucket is never emptied by a delete (`forceDestroy` off) and versioning is on by default.
   * Without it the bucket is disposable: a destroy deletes it with its objects (`forceDestroy`).
   * @default false
   * @example protect: true
   */
  protect?: boolean;
  /**
   * Tags for the bucket.
   * @default {}
   * @example tags: { Team: "orders" }
   */
  tags?: Record<string, string>;
  /** Changes to the children's args or options before they are created. */
  transform?: PrivateBucketControlsTransforms & {
    /** The bucket (`aws.s3.Bucket`). */
    bucket?: Transform<aws.s3.BucketArgs>;
    /** The lifecycle rules (`aws.s3.BucketLifecycleConfiguration`). */
    lifecycle?: Transform<aws.s3.BucketLifecycleConfigurationArgs>;
    /** The TLS-only bucket policy (`aws.s3.BucketPolicy`). */
    policy?: Transform<aws.s3.BucketPolicyArgs>;
  };
}

interface Resolved {
  bucketName?: string;
  versioning: boolean;
  noncurrentVersionExpirationDays: number;
  abortIncompleteUploadDays: number;
  kmsKeyArn?: pulumi.Input<string>;
  protect: boolean;
}

/**
 * Checks a bucket name against S3's rules (see {@link BUCKET_NAME_RULES}); `prefixOnly` checks the
 * part of an auto-name before its random suffix.
 */
function checkBucketName(v: Validator, field: string, name: string, prefixOnly: boolean): void {
  const R = BUCKET_NAME_RULES;
  const what = prefixOnly
    ? "the bucket is auto-named <name>-<7 random characters> and S3 bucket names have"
    : "S3 bucket names have";
  v.check(
    /^[a-z0-9][a-z0-9.-]*$/.test(name) && (prefixOnly || /[a-z0-9]$/.test(name)),
    field,
    name,
    `${what} only lower-case letters, digits, '.' and '-', and start${prefixOnly ? "" : " and end"} with a letter or digit${prefixOnly ? " (or give bucketName)" : ""}`,
  );
  v.check(!name.includes(".."), field, name, `${what} no two adjacent periods`);
  const max = prefixOnly ? R.maxLength - AUTO_NAME_SUFFIX : R.maxLength;
  v.check(
    name.length <= max && (prefixOnly || name.length >= R.minLength),
    field,
    name,
    prefixOnly
      ? `the bucket is auto-named <name>-<7 random characters> and an S3 bucket name has at most ${R.maxLength} characters: use at most ${max} characters`
      : `an S3 bucket name has ${R.minLength} to ${R.maxLength} characters`,
  );
  const prefix = R.reservedPrefixes.find((p) => name.startsWith(p));
  v.check(prefix === undefined, field, name, `S3 reserves bucket names starting with ${prefix}`);
  if (!prefixOnly) {
    v.check(
      !/^\d{1,3}(\.\d{1,3}){3}$/.test(name),
      field,
      name,
      "an S3 bucket name must not be formatted as an IP address",
    );
    const suffix = R.reservedSuffixes.find((s) => name.endsWith(s));
    v.check(suffix === undefined, field, name, `S3 reserves bucket names ending with ${suffix}`);
  }
}

function validateBucket(name: string, args: BucketArgs): Resolved {
  const v = checkComponent(TYPE, name, args);
  const a = args ?? {};
  if (a.bucketName === undefined) checkBucketName(v, "name", name, true);
  else {
    v.check(typeof a.bucketName === "string", "bucketName", a.bucketName, "give the bucket's name as text");
    checkBucketName(v, "bucketName", a.bucketName, false);
  }
  v.check(
    envPrefix(name) !== "",
    "name",
    name,
    "the name becomes the linked variables' prefix: it needs a letter or digit",
  );
  for (const field of ["versioning", "protect"] as const) {
    const value = a[field];
    v.check(value === undefined || typeof value === "boolean", field, value, "give true or false");
  }
  checkTags(v, "tags", a.tags);
  const L = BUCKET_LIMITS;
  v.integer(
    "noncurrentVersionExpirationDays",
    a.noncurrentVersionExpirationDays,
    L.noncurrentVersionExpirationDays,
    " days",
  );
  v.integer("abortIncompleteUploadDays", a.abortIncompleteUploadDays, L.abortIncompleteUploadDays, " days");
  const protect = a.protect ?? false;
  const versioning = a.versioning ?? protect;
  v.check(
    versioning || a.noncurrentVersionExpirationDays === undefined,
    "noncurrentVersionExpirationDays",
    a.noncurrentVersionExpirationDays,
    "applies with versioning (an unversioned bucket keeps no old versions): set versioning: true or leave it out",
  );
  const enc = a.encryption ?? "AES256";
  if (enc !== "AES256") {
    v.check(
      typeof enc === "object" && enc !== null && "kmsKeyArn" in enc,
      "encryption",
      enc,
      'give "AES256" (SSE-S3) or { kmsKeyArn } (SSE-KMS with a customer managed key)',
    );
    v.arn("encryption.kmsKeyArn", enc.kmsKeyArn, "kms", /^key\/.+/);
  }
  return {
    ...(a.bucketName !== undefined ? { bucketName: a.bucketName } : {}),
    versioning,
    noncurrentVersionExpirationDays: a.noncurrentVersionExpirationDays ?? 30,
    abortIncompleteUploadDays: a.abortIncompleteUploadDays ?? 7,
    ...(enc !== "AES256" ? { kmsKeyArn: enc.kmsKeyArn } : {}),
    protect,
  };
}

/**
 * What a service that uses bucket `name` gets (the one place a bucket grant is built; `Bucket.link`
 * and a service stack holding only a {@link BucketRef} both call it). `read`: `s3:GetObject` and
 * `s3:GetObjectVersion` on `<arn>/*`, `s3:ListBucket` on `<arn>`; `readwrite` adds `s3:PutObject`,
 * `s3:DeleteObject`, `s3:AbortMultipartUpload`, `s3:ListMultipartUploadParts` on `<arn>/*` and
 * `s3:ListBucketMultipartUploads` on `<arn>` (see {@link BUCKET_ACTIONS}); with a customer managed
 * key, {@link BUCKET_KMS_ACTIONS} on that key. Variables (`P` = `envPrefix(name)`): `P_BUCKET`,
 * `P_BUCKET_ARN`, `P_REGION`.
 *
 * @example
 * const grant = bucketGrant("uploads", uploads.ref, "read"); // UPLOADS_BUCKET, s3:GetObject on <arn>/*
 */
export function bucketGrant(name: string, ref: BucketRef, access: BucketAccess): LinkGrant {
  checkAccess(TYPE, name, BUCKET_ACCESS, access);
  const prefix = envPrefix(name);
  if (prefix === "") throw new Error(`${TYPE} '${name}': the name gives no variable prefix`);
  const sid = `${prefix.replace(/_/g, "")}${access === "read" ? "Read" : "ReadWrite"}`;
  const grant = emptyGrant();
  grant.taskRoleStatements.push(
    {
      Sid: `${sid}Objects`,
      Effect: "Allow",
      Action: [...BUCKET_ACTIONS[access].objects],
      Resource: [pulumi.interpolate`${ref.arn}/*`],
    },
    { Sid: `${sid}Bucket`, Effect: "Allow", Action: [...BUCKET_ACTIONS[access].bucket], Resource: [ref.arn] },
  );
  if (ref.kmsKeyArn !== undefined) {
    grant.taskRoleStatements.push({
      Sid: `${sid}Kms`,
      Effect: "Allow",
      Action: [...BUCKET_KMS_ACTIONS[access]],
      Resource: [ref.kmsKeyArn],
    });
  }
  grant.environment[`${prefix}_BUCKET`] = ref.name;
  grant.environment[`${prefix}_BUCKET_ARN`] = ref.arn;
  grant.environment[`${prefix}_REGION`] = ref.region;
  return grant;
}

/**
 * A private S3 bucket: all four public-access blocks on, ACLs disabled (`BucketOwnerEnforced`),
 * encrypted at rest (SSE-S3, or SSE-KMS with a Bucket Key), a policy that denies every request
 * without TLS, versioning in production, and lifecycle rules that expire old versions, remove
 * orphaned delete markers and abort stale multipart uploads. A service uses it through
 * {@link Bucket.link}: `readwrite` or `read`, exact actions on this bucket only.
 *
 * Without `bucketName`, the bucket is named after the component (`<name>-<7 random characters>`),
 * so the name has lower-case letters, digits, `.` and `-` and at most 55 characters.
 *
 * @example
 * const uploads = new Bucket("uploads", { protect: true });
 * const grant = uploads.link("read"); // UPLOADS_BUCKET, UPLOADS_BUCKET_ARN, UPLOADS_REGION
 */
export class Bucket extends pulumi.ComponentResource implements Linkable<BucketAccess> {
  readonly accessLevels = BUCKET_ACCESS;
  /** The bucket's name. */
  readonly bucket: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly region: pulumi.Output<string>;
  /** The bucket as a {@link BucketRef}, for a service or another stack. */
  readonly ref: BucketRef;
  private readonly linkName: string;

  constructor(name: string, args: BucketArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
    const r = validateBucket(name, args);
    super(TYPE, name, {}, opts);
    this.linkName = name;
    const tags = mergeTags(args.tags);
    const t = args.transform ?? {};
    const child: pulumi.CustomResourceOptions = {
      parent: this,
      ...(r.protect ? { protect: true, retainOnDelete: true } : {}),
    };

    const bucket = new aws.s3.Bucket(
      name,
      ...transformed(
        t.bucket,
        {
          ...(r.bucketName !== undefined ? { bucket: r.bucketName } : {}),
          // A protected bucket is never emptied by a delete; a dev bucket is disposable.
          forceDestroy: !r.protect,
          tags,
        } as aws.s3.BucketArgs,
        child,
      ),
    );
    const controls = privateBucketControls(name, bucket, child, {
      encryption: r.kmsKeyArn !== undefined ? { kmsKeyArn: r.kmsKeyArn, bucketKeyEnabled: true } : "AES256",
      ownershipEnforced: true,
      versioning: r.versioning,
      transform: {
        ...(t.publicAccess ? { publicAccess: t.publicAccess } : {}),
        ...(t.ownership ? { ownership: t.ownership } : {}),
        ...(t.versioning ? { versioning: t.versioning } : {}),
        ...(t.encryption ? { encryption: t.encryption } : {}),
      },
    });

    // Every rule covers the whole bucket (an empty filter). S3 rejects ExpiredObjectDeleteMarker
    // next to Days or Date in one Expiration (Amazon S3 API Reference, LifecycleExpiration), so the
    // delete-marker cleanup is a rule of its own.
    const rules: aws.types.input.s3.BucketLifecycleConfigurationRule[] = [
      {
        id: "abort-incomplete-multipart-uploads",
        status: "Enabled",
        filter: {},
        abortIncompleteMultipartUpload: { daysAfterInitiation: r.abortIncompleteUploadDays },
      },
    ];
    if (r.versioning) {
      rules.push(
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: {},
          noncurrentVersionExpiration: { noncurrentDays: r.noncurrentVersionExpirationDays },
        },
        {
          id: "remove-expired-delete-markers",
          status: "Enabled",
          filter: {},
          expiration: { expiredObjectDeleteMarker: true },
        },
      );
    }
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      ...transformed(t.lifecycle, { bucket: bucket.id, rules } as aws.s3.BucketLifecycleConfigurationArgs, {
        ...child,
        // Noncurrent-version rules act once versioning is on (the provider's guidance).
        ...(controls.versioning ? { dependsOn: [controls.versioning] } : {}),
      }),
    );
    new aws.s3.BucketPolicy(
      `${name}-policy`,
      ...transformed(
        t.policy,
        {
          bucket: bucket.id,
          policy: pulumi.jsonStringify(
            policyDocument([
              denyInsecureTransport("s3:*", [
                bucket.arn as unknown as string,
                pulumi.interpolate`${bucket.arn}/*` as unknown as string,
              ]),
            ]),
          ),
        } as aws.s3.BucketPolicyArgs,
        // S3 rejects a bucket policy while the public access block is being changed.
        { ...child, dependsOn: [controls.publicAccess] },
      ),
    );

    this.bucket = bucket.bucket;
    this.arn = bucket.arn;
    this.region = bucket.region;
    this.ref = {
      name: bucket.bucket,
      arn: bucket.arn,
      region: bucket.region,
      ...(r.kmsKeyArn !== undefined ? { kmsKeyArn: r.kmsKeyArn } : {}),
    };
    this.registerOutputs({ bucket: this.bucket, arn: this.arn, region: this.region });
  }

  /** What a service that uses this bucket gets: {@link bucketGrant} with this bucket's name and ref. */
  link(access: BucketAccess): LinkGrant {
    return bucketGrant(this.linkName, this.ref, access);
  }
}
