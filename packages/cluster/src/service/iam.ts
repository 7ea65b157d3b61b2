import { type PolicyDocument, type PolicyStatement, parseEcrImage, policyDocument } from "@berth/core";

/** The IAM resource of a Secrets Manager `valueFrom` (drops `:<json key>:<stage>:<version>`). */
export function secretResourceArn(valueFrom: string): string {
  return valueFrom.split(":").slice(0, 7).join(":");
}

export function isSsmParameterArn(arn: string): boolean {
  return /^arn:[^:]+:ssm:/.test(arn);
}

/** The ECR repository ARN of an image in a private ECR registry, or undefined for other registries. */
export function ecrRepositoryArn(image: string, partition: string): string | undefined {
  const ecr = parseEcrImage(image);
  return ecr && `arn:${partition}:ecr:${ecr.region}:${ecr.account}:repository/${ecr.repository}`;
}

const unique = (xs: string[]) => [...new Set(xs)].sort();

/**
 * The execution role's policy: write to the service's log group, pull its ECR images, read exactly
 * the given secrets and decrypt with exactly the given keys.
 */
export function executionPolicy(input: {
  partition: string;
  logGroupArn: string;
  images: string[];
  secretArns: string[];
  kmsKeyArns: string[];
}): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "WriteLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [`${input.logGroupArn}:log-stream:*`],
    },
  ];
  const repos = unique(
    input.images.map((i) => ecrRepositoryArn(i, input.partition)).filter((a): a is string => a !== undefined),
  );
  if (repos.length > 0) {
    statements.push(
      // GetAuthorizationToken has no resource-level permissions.
      { Sid: "EcrAuth", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      {
        Sid: "EcrPull",
        Effect: "Allow",
        Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        Resource: repos,
      },
    );
  }
  const parameters = unique(input.secretArns.filter(isSsmParameterArn));
  const secrets = unique(input.secretArns.filter((a) => !isSsmParameterArn(a)).map(secretResourceArn));
  if (parameters.length > 0) {
    statements.push({
      Sid: "ReadParameters",
      Effect: "Allow",
      Action: "ssm:GetParameters",
      Resource: parameters,
    });
  }
  if (secrets.length > 0) {
    statements.push({
      Sid: "ReadSecrets",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: secrets,
    });
  }
  const keys = unique(input.kmsKeyArns);
  if (keys.length > 0) {
    statements.push({ Sid: "DecryptSecrets", Effect: "Allow", Action: "kms:Decrypt", Resource: keys });
  }
  return policyDocument(statements);
}

/** What ECS Exec needs in the task role (the SSM messages channels have no resource-level permissions). */
export const EXEC_STATEMENT: PolicyStatement = {
  Sid: "EcsExec",
  Effect: "Allow",
  Action: [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
  ],
  Resource: "*",
};

/**
 * What ECS Exec needs to audit a session to the cluster's log group (and decrypt with the cluster's
 * Exec key): without these the agent cannot log, and the session does not start.
 */
export function execAuditStatements(logGroupArn: string, kmsKeyArn?: string): PolicyStatement[] {
  return [
    { Sid: "EcsExecAuditFind", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
    {
      Sid: "EcsExecAuditWrite",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
      Resource: `${logGroupArn}:*`,
    },
    ...(kmsKeyArn
      ? [{ Sid: "EcsExecSessionKey", Effect: "Allow" as const, Action: "kms:Decrypt", Resource: kmsKeyArn }]
      : []),
  ];
}

/** What the ADOT collector needs to send traces to X-Ray (X-Ray has no resource-level permissions). */
export const XRAY_STATEMENT: PolicyStatement = {
  Sid: "XRayWrite",
  Effect: "Allow",
  Action: [
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:GetSamplingStatisticSummaries",
  ],
  Resource: "*",
};

/** The AWS managed policy ECS blue/green, canary and linear deployments need for the load balancer. */
export function infrastructurePolicyArn(partition: string): string {
  return `arn:${partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers`;
}

/** The ADOT collector configuration: OTLP in, X-Ray out. */
export const ADOT_XRAY_CONFIG = `extensions:
  health_check:
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 0.0.0.0:4317
      http:
        endpoint: 0.0.0.0:4318
processors:
  batch/traces:
    timeout: 1s
    send_batch_size: 50
exporters:
  awsxray:
service:
  extensions: [health_check]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch/traces]
      exporters: [awsxray]
`;
