import {
  denyInsecureTransport,
  type PolicyStatement,
  policyDocument,
  type Transform,
  transformed,
} from "@berth/core";
import { privateBucketControls } from "@berth/data";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * The Elastic Load Balancing account of each Region launched before August 2022: the principal AWS
 * documents for access-log bucket policies there ("Enable access logs for your Application Load
 * Balancer", step 2, "Regions available before August 2022"; the same table backs the provider's
 * `aws.elb.getServiceAccount`). Asia Pacific (Jakarta), launched December 2021, is one of them.
 * Regions launched since (Middle East (UAE), Europe (Zurich), Europe (Spain), Asia Pacific
 * (Hyderabad), Asia Pacific (Melbourne), Israel (Tel Aviv), Canada West (Calgary), Asia Pacific
 * (Malaysia), Asia Pacific (Thailand), Mexico (Central), Asia Pacific (Taipei), …) have no such
 * account: only the `logdelivery.elasticloadbalancing.amazonaws.com` service principal.
 */
export const ELB_ACCOUNT_BY_REGION: Readonly<Record<string, string>> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "af-south-1": "098369216593",
  "ap-east-1": "754344448648",
  "ap-southeast-3": "589379963580",
  "ap-south-1": "718504428378",
  "ap-northeast-3": "383597477331",
  "ap-northeast-2": "600734575887",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "ap-northeast-1": "582318560864",
  "ca-central-1": "985666609251",
  "eu-central-1": "054676820928",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-south-1": "635631232127",
  "eu-west-3": "009996457667",
  "eu-north-1": "897822967062",
  "me-south-1": "076674570225",
  "sa-east-1": "507241528517",
  "us-gov-west-1": "048591011584",
  "us-gov-east-1": "190560391635",
  "cn-north-1": "638102146993",
  "cn-northwest-1": "037604701340",
};

/** Regions launched before August 2022, whose access-log bucket policies name an ELB account. */
export const ELB_LEGACY_REGIONS: readonly string[] = Object.keys(ELB_ACCOUNT_BY_REGION);

/** The partition of a Region: `aws-cn` for China, `aws-us-gov` for GovCloud, else `aws`. */
function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/**
 * `arn:<partition>:iam::<elb account>:root` for a Region launched before August 2022; undefined for
 * newer Regions, which only know the log-delivery service principal.
 *
 * @example
 * elbAccountArn("ap-southeast-3"); // "arn:aws:iam::589379963580:root"
 */
export function elbAccountArn(region: string): string | undefined {
  const account = ELB_ACCOUNT_BY_REGION[region];
  return account ? `arn:${partitionOf(region)}:iam::${account}:root` : undefined;
}

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
  statements.push(denyInsecureTransport("s3:*", [bucketArn, `${bucketArn}/*`]));
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

  // ALB access logs support only SSE-S3 (AES256), not KMS keys.
  const controls = privateBucketControls(`${name}-access-logs`, bucket, child, {
    encryption: "AES256",
    ownershipEnforced: true,
    versioning: false,
  });
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
  // A plain table, not the aws.elb.getServiceAccount invoke: it covers every Region AWS lists.
  const elbAccount = region.apply(elbAccountArn);
  const policy = pulumi
    .all([bucket.arn, account, elbAccount])
    .apply(([arn, acct, elb]) => JSON.stringify(accessLogBucketPolicy(arn, settings.prefix, acct, elb)));
  const [pArgs, pOpts] = transformed(
    transform.accessLogsBucketPolicy,
    { bucket: bucket.id, policy } as aws.s3.BucketPolicyArgs,
    // S3 rejects a policy while the public access block is being changed.
    { parent, dependsOn: [controls.publicAccess] } as pulumi.CustomResourceOptions,
  );
  const bucketPolicy = new aws.s3.BucketPolicy(`${name}-access-logs-policy`, pArgs, pOpts);
  return { bucket, ready: [bucketPolicy, lifecycle, ...controls.all] };
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
