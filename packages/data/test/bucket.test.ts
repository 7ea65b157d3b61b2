import { expectInvalid, type RunResult, runComponent } from "@berth/testing";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import {
  BUCKET_ACCESS,
  BUCKET_ACTIONS,
  Bucket,
  type BucketArgs,
  type BucketRef,
  bucketGrant,
} from "../src/bucket.js";

const B = "aws:s3/bucket:Bucket";
const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const OWN = "aws:s3/bucketOwnershipControls:BucketOwnershipControls";
const VER = "aws:s3/bucketVersioning:BucketVersioning";
const SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const LC = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const POL = "aws:s3/bucketPolicy:BucketPolicy";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

function resolve<T>(value: pulumi.Input<T>): Promise<T> {
  return new Promise((ok) => pulumi.output(value).apply((v) => ok(v as T)));
}

async function make(args: BucketArgs = {}, name = "uploads"): Promise<{ run: RunResult; bucket: Bucket }> {
  let bucket!: Bucket;
  const run = await runComponent(() => {
    bucket = new Bucket(name, args);
  });
  return { run, bucket };
}

describe("Bucket in dev (not protected)", () => {
  it("is private, SSE-S3 encrypted, TLS-only, unversioned and disposable", async () => {
    const { run } = await make();
    const bucket = run.one(B);
    expect(bucket.name).toBe("uploads");
    expect(bucket.outputs.bucket).toMatch(/^uploads-[0-9a-f]{7}$/);
    expect(bucket.inputs.forceDestroy).toBe(true);
    expect(bucket.options.protect ?? false).toBe(false);
    expect(run.one(PAB).inputs).toMatchObject({
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(run.one(OWN).inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
    expect(run.one(SSE).inputs.rules).toEqual([
      { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    ]);
    expect(run.ofType(VER)).toHaveLength(0);
    expect(run.json(run.one(POL), "policy")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [bucket.outputs.arn, `${bucket.outputs.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ],
    });
    expect(run.one(POL).dependencies).toContain(run.one(PAB).urn);
  });

  it("only aborts stale multipart uploads (after 7 days): there are no old versions to expire", async () => {
    const { run } = await make();
    expect(run.one(LC).inputs.rules).toEqual([
      {
        id: "abort-incomplete-multipart-uploads",
        status: "Enabled",
        filter: {},
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
    ]);
  });

  it("versions when asked, with its own expiry days", async () => {
    const { run } = await make({
      versioning: true,
      noncurrentVersionExpirationDays: 90,
      abortIncompleteUploadDays: 2,
    });
    expect(run.one(VER).inputs.versioningConfiguration).toEqual({ status: "Enabled" });
    const rules = run.one(LC).inputs.rules as { id: string }[];
    expect(rules).toEqual([
      {
        id: "abort-incomplete-multipart-uploads",
        status: "Enabled",
        filter: {},
        abortIncompleteMultipartUpload: { daysAfterInitiation: 2 },
      },
      {
        id: "expire-noncurrent-versions",
        status: "Enabled",
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: 90 },
      },
      {
        id: "remove-expired-delete-markers",
        status: "Enabled",
        filter: {},
        expiration: { expiredObjectDeleteMarker: true },
      },
    ]);
    expect(run.one(LC).dependencies).toContain(run.one(VER).urn);
  });
});

describe("Bucket in prod (protect)", () => {
  it("protects and retains every child, never empties the bucket and versions it", async () => {
    const { run } = await make({ protect: true });
    for (const type of [B, PAB, OWN, VER, SSE, LC, POL]) {
      expect(run.one(type).options).toMatchObject({ protect: true, retainOnDelete: true });
    }
    expect(run.one(B).inputs.forceDestroy).toBe(false);
    expect(run.one(VER).inputs.versioningConfiguration).toEqual({ status: "Enabled" });
    const rules = run.one(LC).inputs.rules as { id: string; noncurrentVersionExpiration?: unknown }[];
    expect(rules.map((r) => r.id)).toEqual([
      "abort-incomplete-multipart-uploads",
      "expire-noncurrent-versions",
      "remove-expired-delete-markers",
    ]);
    expect(rules[1]!.noncurrentVersionExpiration).toEqual({ noncurrentDays: 30 });
  });

  it("can turn versioning off explicitly", async () => {
    const { run } = await make({ protect: true, versioning: false });
    expect(run.ofType(VER)).toHaveLength(0);
    expect((run.one(LC).inputs.rules as unknown[]).length).toBe(1);
  });
});

describe("Bucket settings", () => {
  it("encrypts with a customer managed key and an S3 Bucket Key, and hands the key to linked services", async () => {
    const { run, bucket } = await make({ encryption: { kmsKeyArn: KEY } });
    expect(run.one(SSE).inputs.rules).toEqual([
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KEY },
        bucketKeyEnabled: true,
      },
    ]);
    expect(await resolve(bucket.ref.kmsKeyArn as pulumi.Input<string>)).toBe(KEY);
    const plain = await make();
    expect(plain.bucket.ref.kmsKeyArn).toBeUndefined();
  });

  it("takes an exact bucket name", async () => {
    const { run, bucket } = await make({ bucketName: "acme-orders-uploads" });
    expect(run.one(B).inputs.bucket).toBe("acme-orders-uploads");
    expect(await resolve(bucket.bucket)).toBe("acme-orders-uploads");
    expect(await resolve(bucket.ref.arn)).toBe("arn:aws:s3:::acme-orders-uploads");
    expect(await resolve(bucket.ref.region)).toBe(run.record.region);
  });

  it("applies every transform to its own child", async () => {
    const { run } = await make({
      versioning: true,
      tags: { Team: "orders" },
      transform: {
        bucket: (a) => {
          a.objectLockEnabled = true;
        },
        publicAccess: (a) => ({ ...a, skipDestroy: true }),
        ownership: (_a, o) => {
          o.ignoreChanges = ["rule"];
        },
        versioning: (a) => ({ ...a, versioningConfiguration: { status: "Enabled", mfaDelete: "Disabled" } }),
        encryption: (a) => ({ ...a, expectedBucketOwner: "123456789012" }),
        lifecycle: (a) => ({ ...a, transitionDefaultMinimumObjectSize: "all_storage_classes_128K" }),
        policy: (_a, o) => {
          o.deleteBeforeReplace = true;
        },
      },
    });
    expect(run.one(B).inputs).toMatchObject({ objectLockEnabled: true, tags: { Team: "orders" } });
    expect(run.one(PAB).inputs.skipDestroy).toBe(true);
    expect(run.one(OWN).options.ignoreChanges).toEqual(["rule"]);
    expect(run.one(VER).inputs.versioningConfiguration).toEqual({ status: "Enabled", mfaDelete: "Disabled" });
    expect(run.one(SSE).inputs.expectedBucketOwner).toBe("123456789012");
    expect(run.one(LC).inputs.transitionDefaultMinimumObjectSize).toBe("all_storage_classes_128K");
    expect(run.one(POL).options.deleteBeforeReplace).toBe(true);
  });
});

describe("bucket grants: exact actions on this bucket only", () => {
  it("read: objects can be read and listed, nothing written", async () => {
    const { bucket } = await make();
    const grant = bucket.link("read");
    const arn = await resolve(bucket.arn);
    expect(grant.taskRoleStatements).toHaveLength(2);
    const [objects, list] = grant.taskRoleStatements;
    expect(objects).toMatchObject({
      Sid: "UPLOADSReadObjects",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
    });
    expect(await resolve(objects!.Resource[0]!)).toBe(`${arn}/*`);
    expect(list).toMatchObject({ Sid: "UPLOADSReadBucket", Action: ["s3:ListBucket"] });
    expect(await Promise.all(list!.Resource.map((r) => resolve(r)))).toEqual([arn]);
    expect(Object.keys(grant.environment)).toEqual([
      "UPLOADS_BUCKET",
      "UPLOADS_BUCKET_ARN",
      "UPLOADS_REGION",
    ]);
    expect(await resolve(grant.environment.UPLOADS_BUCKET!)).toBe(await resolve(bucket.bucket));
    expect(await resolve(grant.environment.UPLOADS_BUCKET_ARN!)).toBe(arn);
    expect(await resolve(grant.environment.UPLOADS_REGION!)).toBe("us-east-1");
    expect(grant.secrets).toEqual({});
    expect(grant.ingress).toEqual([]);
    expect(grant.volumes).toEqual([]);
  });

  it("readwrite (the default level): also puts, deletes and manages multipart uploads", async () => {
    expect(BUCKET_ACCESS[0]).toBe("readwrite");
    const { bucket } = await make({}, "media-files");
    const grant = bucket.link("readwrite");
    const arn = await resolve(bucket.arn);
    const [objects, list] = grant.taskRoleStatements;
    expect(objects!.Action).toEqual([
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:PutObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]);
    expect(await resolve(objects!.Resource[0]!)).toBe(`${arn}/*`);
    expect(list!.Action).toEqual(["s3:ListBucket", "s3:ListBucketMultipartUploads"]);
    expect(await resolve(list!.Resource[0]!)).toBe(arn);
    expect(Object.keys(grant.environment)).toEqual([
      "MEDIA_FILES_BUCKET",
      "MEDIA_FILES_BUCKET_ARN",
      "MEDIA_FILES_REGION",
    ]);
    for (const s of grant.taskRoleStatements) {
      expect(s.Action.some((a) => a.includes("*"))).toBe(false);
      for (const r of s.Resource) expect(await resolve(r)).not.toBe("*");
    }
  });

  it("adds KMS actions on the customer managed key only: decrypt to read, data keys to write", async () => {
    const { bucket } = await make({ encryption: { kmsKeyArn: KEY } });
    const read = bucket.link("read").taskRoleStatements;
    expect(read).toHaveLength(3);
    expect(read[2]).toEqual({
      Sid: "UPLOADSReadKms",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [KEY],
    });
    const write = bucket.link("readwrite").taskRoleStatements;
    expect(write[2]).toEqual({
      Sid: "UPLOADSReadWriteKms",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: [KEY],
    });
  });

  it("builds the same grant from a plain ref (a service stack reading a StackReference)", async () => {
    const ref: BucketRef = {
      name: "uploads-1a2b3c4",
      arn: "arn:aws:s3:::uploads-1a2b3c4",
      region: "eu-west-1",
    };
    const grant = bucketGrant("uploads", ref, "read");
    expect(grant.taskRoleStatements.map((s) => s.Action)).toEqual([
      BUCKET_ACTIONS.read.objects,
      BUCKET_ACTIONS.read.bucket,
    ]);
    expect(await resolve(grant.taskRoleStatements[0]!.Resource[0]!)).toBe("arn:aws:s3:::uploads-1a2b3c4/*");
    expect(grant.environment).toEqual({
      UPLOADS_BUCKET: "uploads-1a2b3c4",
      UPLOADS_BUCKET_ARN: "arn:aws:s3:::uploads-1a2b3c4",
      UPLOADS_REGION: "eu-west-1",
    });
  });

  it("rejects an access level it does not offer", () => {
    const ref: BucketRef = { name: "b", arn: "arn:aws:s3:::b", region: "eu-west-1" };
    expect(() => bucketGrant("uploads", ref, "write" as never)).toThrow(
      `berth:data:Bucket 'uploads' offers access "readwrite" or "read", not "write"`,
    );
  });
});

describe("Bucket validation: errors before any resource", () => {
  const T = "berth:data:Bucket";
  it.each<[string, string, BucketArgs, string]>([
    [
      "an upper-case name (auto-named bucket)",
      "Uploads",
      {},
      `${T} 'Uploads': name is "Uploads"; the bucket is auto-named <name>-<7 random characters> and S3 bucket names have only lower-case letters, digits, '.' and '-', and start with a letter or digit (or give bucketName)`,
    ],
    [
      "a name too long for the auto-name",
      "a".repeat(56),
      {},
      `${T} '${"a".repeat(56)}': name is "${"a".repeat(56)}"; the bucket is auto-named <name>-<7 random characters> and an S3 bucket name has at most 63 characters: use at most 55 characters`,
    ],
    [
      "a bucket name shorter than 3",
      "uploads",
      { bucketName: "ab" },
      `${T} 'uploads': bucketName is "ab"; an S3 bucket name has 3 to 63 characters`,
    ],
    [
      "a bucket name ending with a hyphen",
      "uploads",
      { bucketName: "acme-uploads-" },
      `${T} 'uploads': bucketName is "acme-uploads-"; S3 bucket names have only lower-case letters, digits, '.' and '-', and start and end with a letter or digit`,
    ],
    [
      "two adjacent periods",
      "uploads",
      { bucketName: "acme..uploads" },
      `${T} 'uploads': bucketName is "acme..uploads"; S3 bucket names have no two adjacent periods`,
    ],
    [
      "an IP address",
      "uploads",
      { bucketName: "192.168.5.4" },
      `${T} 'uploads': bucketName is "192.168.5.4"; an S3 bucket name must not be formatted as an IP address`,
    ],
    [
      "a reserved prefix",
      "uploads",
      { bucketName: "xn--uploads" },
      `${T} 'uploads': bucketName is "xn--uploads"; S3 reserves bucket names starting with xn--`,
    ],
    [
      "a reserved suffix",
      "uploads",
      { bucketName: "uploads-s3alias" },
      `${T} 'uploads': bucketName is "uploads-s3alias"; S3 reserves bucket names ending with -s3alias`,
    ],
    [
      "noncurrent versions kept 0 days",
      "uploads",
      { versioning: true, noncurrentVersionExpirationDays: 0 },
      `${T} 'uploads': noncurrentVersionExpirationDays is 0; must be a whole number from 1 to 3650 days`,
    ],
    [
      "noncurrent expiry without versioning",
      "uploads",
      { noncurrentVersionExpirationDays: 30 },
      `${T} 'uploads': noncurrentVersionExpirationDays is 30; applies with versioning (an unversioned bucket keeps no old versions): set versioning: true or leave it out`,
    ],
    [
      "multipart uploads kept 1.5 days",
      "uploads",
      { abortIncompleteUploadDays: 1.5 },
      `${T} 'uploads': abortIncompleteUploadDays is 1.5; must be a whole number from 1 to 365 days`,
    ],
    [
      "a key that is not a KMS key ARN",
      "uploads",
      { encryption: { kmsKeyArn: "arn:aws:s3:::my-key" } },
      `${T} 'uploads': encryption.kmsKeyArn is "arn:aws:s3:::my-key"; must be an ARN of kms (arn:aws:kms:<region>:<account>:…)`,
    ],
    [
      "an unknown encryption",
      "uploads",
      { encryption: "aws:kms" as never },
      `${T} 'uploads': encryption is "aws:kms"; give "AES256" (SSE-S3) or { kmsKeyArn } (SSE-KMS with a customer managed key)`,
    ],
    [
      "versioning as text",
      "uploads",
      { versioning: "yes" as never },
      `${T} 'uploads': versioning is "yes"; give true or false`,
    ],
    [
      "a reserved tag key",
      "uploads",
      { tags: { "aws:team": "x" } },
      `${T} 'uploads': tags.aws:team is "aws:team"; tag keys starting with aws: are reserved for AWS`,
    ],
  ])("%s", async (_title, name, args, message) => {
    const error = await expectInvalid(() => new Bucket(name, args), message);
    expect(error.message).toBe(message);
  });
});
