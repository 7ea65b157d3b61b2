/**
 * Every policy document berth-bootstrap creates, as plain functions of plain strings (no Outputs),
 * so that the program and the tests build the very same JSON.
 *
 * Pulumi's S3 ("diy") backend writes, for a stack `<stack>` of project `<project>` (layout version 1,
 * `.pulumi/meta.yaml` says `version: 1`):
 *   .pulumi/stacks/<project>/<stack>.json[.gz|.zst][.bak]   the checkpoint (and its backup copy)
 *   .pulumi/history/<project>/<stack>/…                       update history
 *   .pulumi/backups/<project>/<stack>/…                       checkpoint backups
 *   .pulumi/journal/<project>/<stack>/…                       journal of an update in progress
 *   .pulumi/locks/organization/<project>/<stack>/<id>.json     the update lock (fully qualified name)
 * An environment `<env>` owns, per project, the stack `<env>` (berth-platform) or the stacks
 * `<env>.<service>` (berth-service). IAM's `*` also matches `/`, so `<env>.*` covers `<env>.orders/…`.
 */
import type { PolicyDocument, PolicyStatement } from "@berth/core";
import {
  BOUNDARY_PATH,
  denyInsecureTransport,
  iamPath,
  partitionOfRegion,
  policyDocument,
  workloadBoundaryArn,
} from "@berth/core";

export type ProjectKind = "environment" | "per-service";

export interface Context {
  partition: string;
  region: string;
  /** The account whose roles are built (this run's account). */
  account: string;
  bucket: string;
  stateKeyArn: string;
  projects: Record<string, ProjectKind>;
  passRoleServices: string[];
}

export interface Environment {
  name: string;
  account: string;
  secretsKeyArn: string;
  readStacks: string[];
  readStackKeyArns: string[];
}

/**
 * The role paths and names Berth uses; deploy roles create roles only under `rolePath(env)`, the path
 * the platform and service stacks put their IAM resources under (`placeIamResources`, @berth/core).
 */
export const rolePath = iamPath;
export { BOUNDARY_PATH };
export const deployRoleName = (env: string) => `berth-deploy-${env}`;
export const previewRoleName = (env: string) => `berth-preview-${env}`;
export const deployBoundaryName = (env: string) => `berth-deploy-${env}`;
export const workloadBoundaryName = (env: string) => `berth-workload-${env}`;

export const partitionOf = partitionOfRegion;

export function roleArn(partition: string, account: string, name: string, path = "/"): string {
  return `arn:${partition}:iam::${account}:role${path}${name}`;
}

export function boundaryArn(partition: string, account: string, name: string): string {
  return `arn:${partition}:iam::${account}:policy${BOUNDARY_PATH}${name}`;
}

/** The state object keys an environment owns (read and write), per the layout above. */
export function environmentKeys(
  env: string,
  projects: Record<string, ProjectKind>,
): { checkpoints: string[]; all: string[] } {
  const checkpoints: string[] = [];
  const all: string[] = [];
  for (const [project, kind] of Object.entries(projects)) {
    const stack = kind === "environment" ? env : `${env}.*`;
    const checkpoint =
      kind === "environment"
        ? `.pulumi/stacks/${project}/${env}.json*`
        : `.pulumi/stacks/${project}/${env}.*`;
    const dir = (d: string) =>
      kind === "environment" ? `.pulumi/${d}/${project}/${env}/*` : `.pulumi/${d}/${project}/${stack}`;
    checkpoints.push(checkpoint);
    all.push(
      checkpoint,
      dir("history"),
      dir("backups"),
      dir("journal"),
      kind === "environment"
        ? `.pulumi/locks/organization/${project}/${env}/*`
        : `.pulumi/locks/organization/${project}/${stack}`,
    );
  }
  return { checkpoints, all };
}

export const META_KEY = ".pulumi/meta.yaml";
const readStackKey = (s: string) => {
  const [project, stack] = s.split("/");
  return `.pulumi/stacks/${project}/${stack}.json*`;
};

const object = (c: Pick<Context, "partition" | "bucket">, key: string) =>
  `arn:${c.partition}:s3:::${c.bucket}/${key}`;
const bucketArn = (c: Pick<Context, "partition" | "bucket">) => `arn:${c.partition}:s3:::${c.bucket}`;
const parameters = (c: Context, env: string) =>
  `arn:${c.partition}:ssm:${c.region}:${c.account}:parameter/berth/${env}/*`;

/** Actions no Berth role, and no role a deploy role creates, may ever perform. */
export function commonDenies(c: Context): PolicyStatement[] {
  return [
    {
      Sid: "DenyAccountOrganizationsBilling",
      Effect: "Deny",
      Action: [
        "organizations:*",
        "account:*",
        "billing:*",
        "aws-portal:*",
        "payments:*",
        "tax:*",
        "purchase-orders:*",
        "invoicing:*",
      ],
      Resource: "*",
    },
    {
      Sid: "DenyLongLivedIdentities",
      Effect: "Deny",
      Action: [
        "iam:CreateUser",
        "iam:CreateAccessKey",
        "iam:CreateLoginProfile",
        "iam:UpdateLoginProfile",
        "iam:AttachUserPolicy",
        "iam:PutUserPolicy",
        "iam:CreateGroup",
        "iam:AddUserToGroup",
        "iam:CreateOpenIDConnectProvider",
        "iam:CreateSAMLProvider",
      ],
      Resource: "*",
    },
    {
      Sid: "DenyBoundaryRemoval",
      Effect: "Deny",
      Action: ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"],
      Resource: "*",
    },
    {
      Sid: "DenyBoundaryPolicyChanges",
      Effect: "Deny",
      Action: [
        "iam:CreatePolicyVersion",
        "iam:DeletePolicy",
        "iam:DeletePolicyVersion",
        "iam:SetDefaultPolicyVersion",
      ],
      Resource: `arn:${c.partition}:iam::${c.account}:policy${BOUNDARY_PATH}*`,
    },
    {
      Sid: "DenyBerthRoleChanges",
      Effect: "Deny",
      Action: [
        "iam:UpdateAssumeRolePolicy",
        "iam:PutRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:PutRolePermissionsBoundary",
        "iam:DeleteRole",
        "iam:UpdateRole",
        "iam:TagRole",
        "iam:UntagRole",
      ],
      Resource: [
        `arn:${c.partition}:iam::${c.account}:role/berth-deploy-*`,
        `arn:${c.partition}:iam::${c.account}:role/berth-preview-*`,
      ],
    },
    {
      Sid: "DenyAssumingBerthRoles",
      Effect: "Deny",
      Action: "sts:AssumeRole",
      Resource: [
        `arn:${c.partition}:iam::*:role/berth-deploy-*`,
        `arn:${c.partition}:iam::*:role/berth-preview-*`,
      ],
    },
  ];
}

/** Regional AWS services a platform or service stack manages (the deploy role's reach). */
export const PLATFORM_SERVICES = [
  "ec2",
  "ecs",
  "elasticloadbalancing",
  "logs",
  "cloudwatch",
  "application-autoscaling",
  "autoscaling",
  "servicediscovery",
  "acm",
  "sqs",
  "sns",
  "elasticfilesystem",
  "rds",
  "elasticache",
  "events",
  "scheduler",
] as const;

function platformStatements(c: Context): PolicyStatement[] {
  return [
    {
      // RDS creates, tags, rotates and deletes a database's master user secret (manageMasterUserPassword)
      // with the caller's permissions (Aurora User Guide, "Permissions required for Secrets Manager
      // integration"): create, tag, rotate; never read (RDS deletes the secret with the database).
      Sid: "RdsSecrets",
      Effect: "Allow",
      Action: ["secretsmanager:CreateSecret", "secretsmanager:TagResource", "secretsmanager:RotateSecret"],
      Resource: `arn:${c.partition}:secretsmanager:${c.region}:${c.account}:secret:rds!*`,
    },
    {
      Sid: "ManagePlatformResources",
      Effect: "Allow",
      // kms:DescribeKey: RDS describes its master user secret's key (aws/secretsmanager) as the caller.
      Action: [...PLATFORM_SERVICES.map((s) => `${s}:*`), "kms:DescribeKey"],
      Resource: "*",
      Condition: { StringEquals: { "aws:RequestedRegion": c.region } },
    },
    {
      // Buckets, not objects: the only objects a deploy role writes are its own state (ReadWriteOwnState).
      Sid: "ManagePlatformBuckets",
      Effect: "Allow",
      Action: [
        "s3:CreateBucket",
        "s3:DeleteBucket",
        "s3:ListBucket",
        "s3:Get*",
        "s3:PutBucket*",
        "s3:DeleteBucket*",
        // Lifecycle, encryption, accelerate, replication…: bucket settings, never objects.
        "s3:Put*Configuration",
      ],
      Resource: "*",
      Condition: { StringEquals: { "aws:RequestedRegion": c.region } },
    },
    {
      Sid: "ManageDnsRecords",
      Effect: "Allow",
      Action: [
        "route53:GetHostedZone",
        "route53:ListHostedZones",
        "route53:ListResourceRecordSets",
        "route53:ChangeResourceRecordSets",
        "route53:GetChange",
        "route53:ListTagsForResource",
      ],
      Resource: "*",
    },
    {
      Sid: "PullImages",
      Effect: "Allow",
      Action: [
        "ecr:GetAuthorizationToken",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:DescribeImages",
        "ecr:DescribeRepositories",
      ],
      Resource: "*",
    },
  ];
}

function iamStatements(c: Context, env: string): PolicyStatement[] {
  const roles = `arn:${c.partition}:iam::${c.account}:role${rolePath(env)}*`;
  const boundary = workloadBoundaryArn(c.partition, c.account, env);
  return [
    {
      Sid: "CreateRolesOnlyWithTheWorkloadBoundary",
      Effect: "Allow",
      Action: ["iam:CreateRole", "iam:PutRolePermissionsBoundary"],
      Resource: roles,
      Condition: { StringEquals: { "iam:PermissionsBoundary": boundary } },
    },
    {
      Sid: "ManageOwnRoles",
      Effect: "Allow",
      Action: [
        "iam:GetRole",
        "iam:DeleteRole",
        "iam:UpdateRole",
        "iam:UpdateRoleDescription",
        "iam:UpdateAssumeRolePolicy",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:ListRoleTags",
        "iam:PutRolePolicy",
        "iam:GetRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:ListRolePolicies",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
      ],
      Resource: roles,
    },
    {
      Sid: "ManageOwnPolicies",
      Effect: "Allow",
      Action: [
        "iam:CreatePolicy",
        "iam:DeletePolicy",
        "iam:CreatePolicyVersion",
        "iam:DeletePolicyVersion",
        "iam:GetPolicy",
        "iam:GetPolicyVersion",
        "iam:ListPolicyVersions",
        "iam:TagPolicy",
        "iam:UntagPolicy",
      ],
      Resource: `arn:${c.partition}:iam::${c.account}:policy${rolePath(env)}*`,
    },
    {
      Sid: "ManageOwnInstanceProfiles",
      Effect: "Allow",
      Action: [
        "iam:CreateInstanceProfile",
        "iam:DeleteInstanceProfile",
        "iam:GetInstanceProfile",
        "iam:AddRoleToInstanceProfile",
        "iam:RemoveRoleFromInstanceProfile",
        "iam:TagInstanceProfile",
      ],
      Resource: `arn:${c.partition}:iam::${c.account}:instance-profile${rolePath(env)}*`,
    },
    {
      Sid: "PassOwnRolesToBerthServices",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: roles,
      Condition: { StringEquals: { "iam:PassedToService": c.passRoleServices } },
    },
    {
      Sid: "CreateServiceLinkedRoles",
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      Resource: `arn:${c.partition}:iam::${c.account}:role/aws-service-role/*`,
      Condition: {
        StringEquals: {
          "iam:AWSServiceName": [
            "ecs.amazonaws.com",
            "elasticloadbalancing.amazonaws.com",
            "autoscaling.amazonaws.com",
            "ecs.application-autoscaling.amazonaws.com",
            "rds.amazonaws.com",
            "elasticache.amazonaws.com",
            "elasticfilesystem.amazonaws.com",
          ],
        },
      },
    },
    {
      Sid: "ReadAwsManagedPolicies",
      Effect: "Allow",
      Action: ["iam:GetPolicy", "iam:GetPolicyVersion"],
      Resource: `arn:${c.partition}:iam::aws:policy/*`,
    },
  ];
}

/** The state bucket and keys may be used, never configured, by a deploy role. */
function stateGuardDenies(c: Context, env: Environment): PolicyStatement[] {
  return [
    {
      Sid: "DenyStateBucketConfiguration",
      Effect: "Deny",
      NotAction: [
        "s3:ListBucket",
        "s3:GetBucketLocation",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:PutObject",
        "s3:DeleteObject",
      ],
      Resource: [bucketArn(c), `${bucketArn(c)}/*`],
    },
    {
      Sid: "DenyKeyAdministration",
      Effect: "Deny",
      NotAction: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
      Resource: [c.stateKeyArn, env.secretsKeyArn],
    },
  ];
}

/** `berth-deploy-<env>`'s own policy: its environment's state, keys, pointers and resources. */
export function deployPolicy(c: Context, env: Environment): PolicyDocument {
  const keys = environmentKeys(env.name, c.projects);
  const reads = [META_KEY, ...env.readStacks.map(readStackKey)];
  const viaS3 = { "kms:ViaService": `s3.${c.region}.amazonaws.com` };
  return policyDocument([
    {
      Sid: "ListState",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn(c),
      Condition: { StringLike: { "s3:prefix": [".pulumi/*"] } },
    },
    {
      Sid: "ReadWriteOwnState",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"],
      Resource: keys.all.map((k) => object(c, k)),
    },
    {
      Sid: "ReadBackendMetaAndReferencedStacks",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: reads.map((k) => object(c, k)),
    },
    {
      Sid: "StateKeyForOwnObjects",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: c.stateKeyArn,
      Condition: {
        StringLike: { "kms:EncryptionContext:aws:s3:arn": keys.all.map((k) => object(c, k)) },
        StringEquals: viaS3,
      },
    },
    {
      Sid: "StateKeyForReadObjects",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: c.stateKeyArn,
      Condition: {
        StringLike: { "kms:EncryptionContext:aws:s3:arn": reads.map((k) => object(c, k)) },
        StringEquals: viaS3,
      },
    },
    {
      Sid: "OwnSecretsKey",
      Effect: "Allow",
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
      Resource: env.secretsKeyArn,
    },
    ...referencedStacksSecrets(env),
    {
      Sid: "OwnReleasePointers",
      Effect: "Allow",
      Action: [
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:PutParameter",
        "ssm:DeleteParameter",
        "ssm:AddTagsToResource",
        "ssm:RemoveTagsFromResource",
        "ssm:ListTagsForResource",
      ],
      Resource: parameters(c, env.name),
    },
    ...platformStatements(c),
    ...iamStatements(c, env.name),
    ...stateGuardDenies(c, env),
    ...commonDenies(c),
  ]);
}

/**
 * The boundary of `berth-deploy-<env>` itself: the same reach in coarser terms (IAM keeps a managed
 * policy under 6,144 characters), the same denials. Its identity policy stays the exact grant.
 */
export function deployBoundary(c: Context, env: Environment): PolicyDocument {
  return policyDocument([
    {
      Sid: "StateAndKeys",
      Effect: "Allow",
      Action: [
        "s3:ListBucket",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:PutObject",
        "s3:DeleteObject",
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "kms:DescribeKey",
      ],
      Resource: [
        bucketArn(c),
        `${bucketArn(c)}/*`,
        c.stateKeyArn,
        env.secretsKeyArn,
        ...env.readStackKeyArns,
      ],
    },
    {
      Sid: "ReleasePointers",
      Effect: "Allow",
      Action: "ssm:*",
      Resource: parameters(c, env.name),
    },
    ...platformStatements(c),
    ...iamStatements(c, env.name),
    ...stateGuardDenies(c, env),
    ...commonDenies(c),
  ]);
}

/** Services an application's task (or a platform role such as flow logs) may use. */
export const WORKLOAD_SERVICES = [
  "s3",
  "sqs",
  "sns",
  "logs",
  "xray",
  "ssmmessages",
  "elasticfilesystem",
  "servicediscovery",
  "events",
  "ecs",
  "elasticloadbalancing",
] as const;

/** The boundary every role a deploy role creates must carry (iam:PermissionsBoundary). */
export function workloadBoundary(c: Context, env: Environment, allSecretsKeyArns: string[]): PolicyDocument {
  return policyDocument([
    {
      Sid: "WorkloadServices",
      Effect: "Allow",
      Action: WORKLOAD_SERVICES.map((s) => `${s}:*`),
      Resource: "*",
      Condition: { StringEquals: { "aws:RequestedRegion": c.region } },
    },
    {
      Sid: "WorkloadReads",
      Effect: "Allow",
      Action: [
        "cloudwatch:PutMetricData",
        "ecr:GetAuthorizationToken",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchCheckLayerAvailability",
        "ec2:Describe*",
        "kms:Decrypt",
        "kms:GenerateDataKey",
        "kms:DescribeKey",
      ],
      Resource: "*",
    },
    {
      Sid: "OwnParametersAndSecrets",
      Effect: "Allow",
      Action: [
        "ssm:GetParameter",
        "ssm:GetParameters",
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
      ],
      Resource: [
        parameters(c, env.name),
        `arn:${c.partition}:secretsmanager:${c.region}:${c.account}:secret:berth/${env.name}/*`,
        // The master user secrets RDS manages for the environment's databases (`manageMasterUserPassword`).
        `arn:${c.partition}:secretsmanager:${c.region}:${c.account}:secret:rds!*`,
      ],
    },
    {
      // Linked data with IAM authentication: each task role names its own database user or cache.
      Sid: "WorkloadDataConnect",
      Effect: "Allow",
      Action: ["rds-db:connect", "elasticache:Connect"],
      // The region and account in the resources (a database login carries no API request).
      Resource: [
        `arn:${c.partition}:rds-db:${c.region}:${c.account}:dbuser:*`,
        `arn:${c.partition}:elasticache:${c.region}:${c.account}:serverlesscache:*`,
        `arn:${c.partition}:elasticache:${c.region}:${c.account}:user:*`,
      ],
    },
    {
      Sid: "DenyState",
      Effect: "Deny",
      Action: "s3:*",
      Resource: [bucketArn(c), `${bucketArn(c)}/*`],
    },
    {
      Sid: "DenyStateAndSecretsKeys",
      Effect: "Deny",
      Action: "kms:*",
      Resource: [c.stateKeyArn, ...allSecretsKeyArns],
    },
    {
      Sid: "DenyIamChanges",
      Effect: "Deny",
      Action: [
        "iam:Create*",
        "iam:Delete*",
        "iam:Put*",
        "iam:Attach*",
        "iam:Detach*",
        "iam:Update*",
        "iam:Add*",
        "iam:Remove*",
        "iam:Set*",
        "iam:Tag*",
        "iam:Untag*",
        "iam:Upload*",
      ],
      Resource: "*",
    },
    {
      // A job's scheduler role starts its task (ecs:RunTask), which passes the task's two roles:
      // only the environment's own roles, only to ECS tasks.
      Sid: "PassOwnRolesToEcsTasks",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: `arn:${c.partition}:iam::${c.account}:role${rolePath(env.name)}*`,
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    },
    ...commonDenies(c),
  ]);
}

/**
 * `berth-preview-<env>`: read its environment's checkpoints, decrypt them (state key, only for those
 * objects, only through S3) and its secrets key, read its release pointers; never an SSM
 * SecureString or Secrets Manager value, never a write.
 */
export function previewPolicy(c: Context, env: Environment): PolicyDocument {
  const reads = [
    ...environmentKeys(env.name, c.projects).checkpoints,
    META_KEY,
    ...env.readStacks.map(readStackKey),
  ];
  return policyDocument([
    {
      Sid: "ListState",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn(c),
      Condition: { StringLike: { "s3:prefix": [".pulumi/*"] } },
    },
    {
      Sid: "ReadOwnCheckpoints",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: reads.map((k) => object(c, k)),
    },
    {
      Sid: "StateKeyForOwnCheckpoints",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: c.stateKeyArn,
      Condition: {
        StringLike: { "kms:EncryptionContext:aws:s3:arn": reads.map((k) => object(c, k)) },
        StringEquals: { "kms:ViaService": `s3.${c.region}.amazonaws.com` },
      },
    },
    {
      // Pulumi's awskms secrets provider decrypts the stack's data key with NO encryption context
      // (gocloud.dev/secrets/awskms), so no condition can narrow this: the key is per environment.
      Sid: "OwnSecretsKeyDecrypt",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:DescribeKey"],
      Resource: env.secretsKeyArn,
    },
    ...referencedStacksSecrets(env),
    {
      Sid: "OwnReleasePointers",
      Effect: "Allow",
      Action: ["ssm:GetParameter", "ssm:GetParameters"],
      Resource: parameters(c, env.name),
    },
    {
      Sid: "DenySecretValues",
      Effect: "Deny",
      Action: ["secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue"],
      Resource: "*",
    },
    {
      // A SecureString (even under aws/ssm) or a secret decrypts through KMS via those services.
      Sid: "DenyDecryptThroughSsmOrSecretsManager",
      Effect: "Deny",
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: {
        StringLike: { "kms:ViaService": ["ssm.*.amazonaws.com", "secretsmanager.*.amazonaws.com"] },
      },
    },
    {
      Sid: "DenyWrites",
      Effect: "Deny",
      Action: [
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "ssm:PutParameter",
        "ssm:DeleteParameter",
        "ssm:DeleteParameters",
        "kms:Encrypt",
        "kms:GenerateDataKey",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
      ],
      Resource: "*",
    },
    ...commonDenies(c),
  ]);
}

/** A role trusted by exactly these principals (and, if given, only with the external id). */
export function trustPolicy(principals: string[], externalId?: string): PolicyDocument {
  return policyDocument([
    {
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Principal: { AWS: principals.length === 1 ? principals[0]! : principals },
      ...(externalId ? { Condition: { StringEquals: { "sts:ExternalId": externalId } } } : {}),
    },
  ]);
}

export interface BucketEnvironment {
  name: string;
  account: string;
  deployRole: string;
  previewRole: string;
  /** `<project>/<stack>` it reads through StackReferences. */
  readStacks: string[];
}

/**
 * The state bucket's policy: TLS only; only admins configure the bucket; each environment's objects
 * are written only by its deploy role and read only by its deploy and preview roles (and admins),
 * and a deploy role writes nothing outside its environment. Environments in other accounts get
 * their grants here too (a cross-account call needs both sides).
 */
export function bucketPolicy(
  c: Pick<Context, "partition" | "bucket" | "projects">,
  envs: BucketEnvironment[],
  admins: string[],
  stateAccount: string,
): PolicyDocument {
  const all = [bucketArn(c), `${bucketArn(c)}/*`];
  const statements: PolicyStatement[] = [
    denyInsecureTransport("s3:*", all),
    {
      Sid: "OnlyAdminsConfigureTheBucket",
      Effect: "Deny",
      Principal: "*",
      NotAction: [
        "s3:ListBucket",
        "s3:GetBucketLocation",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:PutObject",
        "s3:DeleteObject",
      ],
      Resource: all,
      Condition: { ArnNotEquals: { "aws:PrincipalArn": admins } },
    },
  ];
  for (const e of envs) {
    const keys = environmentKeys(e.name, c.projects).all.map((k) => object(c, k));
    statements.push(
      {
        Sid: `Only${pascal(e.name)}DeployWrites${pascal(e.name)}State`,
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
        Resource: keys,
        Condition: { ArnNotEquals: { "aws:PrincipalArn": [e.deployRole, ...admins] } },
      },
      {
        Sid: `Only${pascal(e.name)}RolesRead${pascal(e.name)}State`,
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:GetObject", "s3:GetObjectVersion"],
        Resource: keys,
        Condition: { ArnNotEquals: { "aws:PrincipalArn": [e.deployRole, e.previewRole, ...admins] } },
      },
      {
        Sid: `${pascal(e.name)}DeployWritesNothingElse`,
        Effect: "Deny",
        Principal: "*",
        Action: ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"],
        NotResource: keys,
        Condition: { ArnEquals: { "aws:PrincipalArn": e.deployRole } },
      },
    );
    if (e.account !== stateAccount) {
      statements.push({
        Sid: `CrossAccount${pascal(e.name)}`,
        Effect: "Allow",
        Principal: { AWS: `arn:${c.partition}:iam::${e.account}:root` },
        Action: ["s3:ListBucket", "s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"],
        Resource: all,
        Condition: { ArnEquals: { "aws:PrincipalArn": [e.deployRole, e.previewRole] } },
      });
    }
  }
  return policyDocument(statements);
}

/**
 * The state key's policy: the account administers and uses it through IAM (the identity policies
 * above narrow each role to its objects); environments in other accounts may use it only through
 * S3, only for their own objects.
 */
export function stateKeyPolicy(
  c: Pick<Context, "partition" | "bucket" | "projects" | "region">,
  stateAccount: string,
  envs: BucketEnvironment[],
): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "AccountAdministersThroughIam",
      Effect: "Allow",
      Principal: { AWS: `arn:${c.partition}:iam::${stateAccount}:root` },
      Action: "kms:*",
      Resource: "*",
    },
  ];
  for (const e of envs.filter((x) => x.account !== stateAccount)) {
    const keys = environmentKeys(e.name, c.projects).all.map((k) => object(c, k));
    statements.push({
      Sid: `CrossAccount${pascal(e.name)}ThroughS3`,
      Effect: "Allow",
      Principal: { AWS: `arn:${c.partition}:iam::${e.account}:root` },
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: {
        ArnEquals: { "aws:PrincipalArn": [e.deployRole, e.previewRole] },
        StringEquals: { "kms:ViaService": `s3.${c.region}.amazonaws.com` },
        StringLike: {
          "kms:EncryptionContext:aws:s3:arn": [
            ...keys,
            object(c, META_KEY),
            ...e.readStacks.map((s) => object(c, readStackKey(s))),
          ],
        },
      },
    });
  }
  return policyDocument(statements);
}

function pascal(name: string): string {
  return name
    .split("-")
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join("");
}

/** Decrypting the secrets of the stacks an environment reads (its `readStacks`' keys), if any. */
function referencedStacksSecrets(env: Environment): PolicyStatement[] {
  return env.readStackKeyArns.length > 0
    ? [
        {
          Sid: "ReferencedStacksSecrets",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: env.readStackKeyArns,
        },
      ]
    : [];
}
