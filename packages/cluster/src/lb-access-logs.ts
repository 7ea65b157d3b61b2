import { type PolicyStatement, policyDocument, type Transform, transformed } from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * Regions launched before August 2022. For these AWS documents an Elastic Load Balancing account per
 * region as the principal of the access-log bucket policy; regions launched since then only know the
 * `logdelivery.elasticloadbalancing.amazonaws.com` service principal.
 */
export const ELB_LEGACY_REGIONS: readonly string[] = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "af-south-1",
  "ap-east-1",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "ca-central-1",
  "eu-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-south-1",
  "eu-north-1",
  "me-south-1",
  "sa-east-1",
  "us-gov-west-1",
  "us-gov-east-1",
  "cn-north-1",
  "cn-northwest-1",
];

export const ELB_LOG_DELIVERY_PRINCIPAL = "logdelivery.elasticloadbalancing.amazonaws.com";

/**
 * The bucket policy that lets the load balancer write its access logs, and refuses plain HTTP.
 * Every region gets the log-delivery service principal; regions launched before August 2022 also get
 * their Elastic Load Balancing account (`elbAccountArn`), the principal AWS documents for them.
 */
export function accessLogBucketPolicy(
  bucketArn: string,
  prefix: string,
  accountId: string,
  elbAccountArn: string | undefined,
): ReturnType<typeof policyDocument> {
  const objects = `${bucketArn}/${prefix ? `${prefix}/` : ""}AWSLogs/${accountId}/*`;
  const statements: PolicyStatement[] = [
    {
      Sid: "ElbLogDelivery",
      Effect: "Allow",
      Principal: { Service: ELB_LOG_DELIVERY_PRINCIPAL },
      Action: "s3:PutObject",
      Resource: objects,
    },
  ];
  if (elbAccountArn) {
    statements.push({
      Sid: "ElbRegionalAccountLogDelivery",
      Effect: "Allow",
      Principal: { AWS: elbAccountArn },
      Action: "s3:PutObject",
      Resource: objects,
    });
  }
  statements.push({
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  });
  return policyDocument(statements);
}

export interface AccessLogBucketTransforms {
  accessLogsBucket?: Transform<aws.s3.BucketArgs>;
  accessLogsBucketPolicy?: Transform<aws.s3.BucketPolicyArgs>;
  accessLogsLifecycle?: Transform<aws.s3.BucketLifecycleConfigurationArgs>;
}

/** Creates the access-log bucket: SSE-S3, public access blocked, owner-enforced, expiring, ELB-writable. */
export function createAccessLogBucket(
  parent: pulumi.Resource,
  name: string,
  settings: { prefix: string; retentionInDays: number; protect: boolean; tags: Record<string, string> },
  transform: AccessLogBucketTransforms = {},
): { bucket: aws.s3.Bucket; ready: pulumi.Resource[] } {
  const [bArgs, bOpts] = transformed(
    transform.accessLogsBucket,
    { forceDestroy: false, tags: settings.tags } as aws.s3.BucketArgs,
    { parent, protect: settings.protect } as pulumi.CustomResourceOptions,
  );
  const bucket = new aws.s3.Bucket(`${name}-access-logs`, bArgs, bOpts);
  const child = { parent } as pulumi.CustomResourceOptions;

  const pab = new aws.s3.BucketPublicAccessBlock(
    `${name}-access-logs-public-access`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    child,
  );
  const ownership = new aws.s3.BucketOwnershipControls(
    `${name}-access-logs-ownership`,
    { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
    child,
  );
  // ALB access logs support only SSE-S3 (AES256), not KMS keys.
  const sse = new aws.s3.BucketServerSideEncryptionConfiguration(
    `${name}-access-logs-encryption`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    child,
  );
  const [lcArgs, lcOpts] = transformed(
    transform.accessLogsLifecycle,
    {
      bucket: bucket.id,
      rules: [
        {
          id: "expire-access-logs",
          status: "Enabled",
          filter: {},
          expiration: { days: settings.retentionInDays },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ],
    } as aws.s3.BucketLifecycleConfigurationArgs,
    { parent } as pulumi.CustomResourceOptions,
  );
  const lifecycle = new aws.s3.BucketLifecycleConfiguration(`${name}-access-logs-lifecycle`, lcArgs, lcOpts);

  const region = aws.getRegionOutput({}, { parent }).region;
  const account = aws.getCallerIdentityOutput({}, { parent }).accountId;
  const elbAccountArn = region.apply((r) =>
    ELB_LEGACY_REGIONS.includes(r)
      ? aws.elb.getServiceAccountOutput({ region: r }, { parent }).arn
      : undefined,
  );
  const policy = pulumi
    .all([bucket.arn, account, elbAccountArn])
    .apply(([arn, acct, elb]) => JSON.stringify(accessLogBucketPolicy(arn, settings.prefix, acct, elb)));
  const [pArgs, pOpts] = transformed(
    transform.accessLogsBucketPolicy,
    { bucket: bucket.id, policy } as aws.s3.BucketPolicyArgs,
    // S3 rejects a policy while the public access block is being changed.
    { parent, dependsOn: [pab] } as pulumi.CustomResourceOptions,
  );
  const bucketPolicy = new aws.s3.BucketPolicy(`${name}-access-logs-policy`, pArgs, pOpts);
  return { bucket, ready: [bucketPolicy, ownership, sse, lifecycle, pab] };
}

/** S3 bucket naming rules (general purpose buckets). Returns what is wrong, or undefined. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "a bucket name is 3 to 63 characters long";
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    return "a bucket name has lowercase letters, numbers, dots and hyphens, and starts and ends with a letter or number";
  }
  if (name.includes("..")) return "a bucket name has no two adjacent dots";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "a bucket name is not formatted as an IP address";
  if (
    /^(xn--|sthree-|amzn-s3-demo-)/.test(name) ||
    /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)
  ) {
    return "a bucket name does not use the prefixes or suffixes S3 reserves (xn--, sthree-, -s3alias, --ol-s3…)";
  }
  return undefined;
}
