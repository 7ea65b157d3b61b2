import { runComponent } from "@berth/testing";
import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { privateBucketControls } from "../src/index.js";

describe("privateBucketControls", () => {
  it("blocks all public access, enforces ownership, versions and encrypts with KMS", async () => {
    const run = await runComponent(() => {
      const bucket = new aws.s3.Bucket("b", {});
      const c = privateBucketControls(
        "b",
        bucket,
        {},
        {
          encryption: { kmsKeyArn: "arn:aws:kms:us-east-1:111111111111:key/k", bucketKeyEnabled: false },
          ownershipEnforced: true,
          versioning: true,
        },
      );
      expect(c.all).toHaveLength(4);
    });
    expect(run.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(run.named("b-public-access")).toBeDefined();
    expect(run.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule).toEqual({
      objectOwnership: "BucketOwnerEnforced",
    });
    expect(run.one("aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration).toEqual({
      status: "Enabled",
    });
    expect(
      run.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs
        .rules,
    ).toEqual([
      {
        applyServerSideEncryptionByDefault: {
          sseAlgorithm: "aws:kms",
          kmsMasterKeyId: "arn:aws:kms:us-east-1:111111111111:key/k",
        },
        bucketKeyEnabled: false,
      },
    ]);
  });

  it("with SSE-S3 and neither ownership nor versioning, creates only the block and the encryption", async () => {
    const run = await runComponent(() => {
      const bucket = new aws.s3.Bucket("logs", {});
      privateBucketControls(
        "logs",
        bucket,
        {},
        { encryption: "AES256", ownershipEnforced: false, versioning: false },
      );
    });
    expect(run.ofType("aws:s3/bucketOwnershipControls:BucketOwnershipControls")).toHaveLength(0);
    expect(run.ofType("aws:s3/bucketVersioning:BucketVersioning")).toHaveLength(0);
    expect(
      run.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs
        .rules,
    ).toEqual([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
  });

  it("hands each control its own transform (args or options), the others untouched", async () => {
    const run = await runComponent(() => {
      const bucket = new aws.s3.Bucket("state", {});
      privateBucketControls(
        "state",
        bucket,
        { protect: true },
        {
          encryption: "AES256",
          ownershipEnforced: true,
          versioning: true,
          transform: {
            publicAccess: (a) => ({ ...a, skipDestroy: true }),
            ownership: (_a, o) => {
              o.retainOnDelete = true;
            },
            versioning: (a) => ({ ...a, expectedBucketOwner: "111111111111" }),
            encryption: (a) => ({ ...a, expectedBucketOwner: "111111111111" }),
          },
        },
      );
    });
    expect(run.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs.skipDestroy).toBe(true);
    const ownership = run.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls");
    expect(ownership.options).toMatchObject({ protect: true, retainOnDelete: true });
    expect(run.one("aws:s3/bucketVersioning:BucketVersioning").inputs.expectedBucketOwner).toBe(
      "111111111111",
    );
    expect(
      run.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs
        .expectedBucketOwner,
    ).toBe("111111111111");
    // The options object is shared by the caller: a transform changes only its own copy.
    for (const type of [
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
      "aws:s3/bucketVersioning:BucketVersioning",
    ]) {
      expect(run.one(type).options.protect).toBe(true);
      expect(run.one(type).options.retainOnDelete ?? false).toBe(false);
    }
  });
});
