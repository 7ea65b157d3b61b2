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
