import type * as pulumi from "@pulumi/pulumi";

/** One IAM policy statement as plain JSON (no invokes needed to build policies). */
export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: "*" | Record<string, string | string[]>;
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export function policyDocument(statements: PolicyStatement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * The statement every Berth resource policy starts with: deny any request not made over TLS
 * (`aws:SecureTransport` false). `action` is the service's wildcard, e.g. `s3:*` or `sqs:*`;
 * `resource` the ARNs it covers (for a bucket: the bucket and `<bucket>/*`).
 */
export function denyInsecureTransport(action: string, resource: string | string[]): PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: action,
    Resource: resource,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** A trust policy letting an AWS service assume a role, optionally only for one source account. */
export function assumeRolePolicy(service: string | string[], sourceAccount?: string): PolicyDocument {
  return policyDocument([
    {
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Principal: { Service: service },
      ...(sourceAccount ? { Condition: { StringEquals: { "aws:SourceAccount": sourceAccount } } } : {}),
    },
  ]);
}

/** The parts of an ARN (`arn:<partition>:<service>:<region>:<account>:<resource>`). */
export interface ArnParts {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

/** Takes an ARN apart (missing parts are empty; the partition defaults to `aws`). */
export function arnParts(arn: string): ArnParts {
  const [, partition = "aws", service = "", region = "", account = "", ...rest] = arn.split(":");
  return { partition, service, region, account, resource: rest.join(":") };
}

/**
 * Where Berth's IAM roles, managed policies and instance profiles live in an environment's account:
 * the path `/berth/<env>/`. The account's bootstrap (stacks/bootstrap) lets each environment's deploy
 * role create IAM resources only there, and roles only with the environment's workload boundary.
 */
export const iamPath = (environment: string): string => `/berth/${environment}/`;

/** The path of the permissions-boundary policies the bootstrap creates. */
export const BOUNDARY_PATH = "/berth-boundaries/";

/** The workload permissions boundary every role of an environment carries. */
export function workloadBoundaryArn(partition: string, account: string, environment: string): string {
  return `arn:${partition}:iam::${account}:policy${BOUNDARY_PATH}berth-workload-${environment}`;
}

/**
 * A stack transformation that puts every IAM role, managed policy and instance profile the program
 * creates under `/berth/<env>/`, and gives every role the environment's workload boundary, as the
 * bootstrap's deploy role requires. Register it before any resource:
 *
 * @example
 * pulumi.runtime.registerStackTransformation(placeIamResources("prod", "aws", "210987654321"));
 */
export function placeIamResources(
  environment: string,
  partition: string,
  account: string,
): (args: {
  type: string;
  props: Record<string, unknown>;
  opts: pulumi.ResourceOptions;
}) => { props: Record<string, unknown>; opts: pulumi.ResourceOptions } | undefined {
  const path = iamPath(environment);
  const boundary = workloadBoundaryArn(partition, account, environment);
  return ({ type, props, opts }) => {
    if (type === "aws:iam/role:Role")
      return { props: { ...props, path, permissionsBoundary: boundary }, opts };
    if (type === "aws:iam/policy:Policy" || type === "aws:iam/instanceProfile:InstanceProfile") {
      return { props: { ...props, path }, opts };
    }
    return undefined;
  };
}

/**
 * The partition of a region: `aws-cn` for China, `aws-us-gov` for GovCloud, `aws` elsewhere.
 *
 * @example
 * partitionOfRegion("cn-north-1"); // "aws-cn"
 */
export function partitionOfRegion(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}
