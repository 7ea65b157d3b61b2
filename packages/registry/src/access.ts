import { checkComponent, type PolicyDocument, type PolicyStatement, policyDocument } from "@berth/core";

/** Read an image: check layers, fetch the manifest, download layers. */
export const ECR_PULL_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
] as const;

/**
 * Write an image. Includes the pull actions: `docker push` checks which layers exist, and a
 * BuildKit registry cache (`--cache-from`) is read back from the same repository.
 */
export const ECR_PUSH_ACTIONS = [
  ...ECR_PULL_ACTIONS,
  "ecr:CompleteLayerUpload",
  "ecr:InitiateLayerUpload",
  "ecr:PutImage",
  "ecr:UploadLayerPart",
] as const;

const REPOSITORY_ARN = /^arn:aws[a-z-]*:ecr:[a-z0-9-]+:\d{12}:repository\/[a-z0-9][a-z0-9._/-]*$/;

function repositoryArns(helper: string, arns: string | readonly string[]): string[] {
  const v = checkComponent(`berth:registry:${helper}`, helper, { repositoryArns: arns });
  v.check(
    typeof arns === "string" || Array.isArray(arns),
    "repositoryArns",
    arns,
    "give a repository ARN or a list of them",
  );
  const list = typeof arns === "string" ? [arns] : [...arns];
  v.check(list.length > 0, "repositoryArns", list, "give at least one repository ARN");
  for (const [i, arn] of list.entries()) {
    v.matches(
      `repositoryArns[${i}]`,
      arn,
      REPOSITORY_ARN,
      "must be one repository's ARN (arn:aws:ecr:<region>:<account>:repository/<name>), never a wildcard",
    );
  }
  return list;
}

/** `ecr:GetAuthorizationToken` cannot be scoped to a repository: the one statement on `*`. */
function authorizationToken(): PolicyStatement {
  return { Sid: "EcrLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" };
}

/**
 * Least-privilege IAM statements to pull images from the given repositories (for a task
 * execution role, a CodeBuild role, or a role in another account). Every action except
 * `ecr:GetAuthorizationToken` is scoped to the repository ARNs.
 *
 * @example
 * const doc = pulumi.output(registry.repositories.hello.arn)
 *   .apply((arn) => policyDocument(ecrPullStatements(arn)));
 */
export function ecrPullStatements(arns: string | readonly string[]): PolicyStatement[] {
  const resources = repositoryArns("ecrPullStatements", arns);
  return [
    authorizationToken(),
    { Sid: "EcrPull", Effect: "Allow", Action: [...ECR_PULL_ACTIONS], Resource: resources },
  ];
}

/**
 * Least-privilege IAM statements to push images to the given repositories (and read them back,
 * which `docker push` and a registry build cache need). Every action except
 * `ecr:GetAuthorizationToken` is scoped to the repository ARNs.
 *
 * @example
 * new aws.iam.RolePolicy("push", { role: buildRole.id,
 *   policy: repo.arn.apply((arn) => JSON.stringify(policyDocument(ecrPushStatements(arn)))) });
 */
export function ecrPushStatements(arns: string | readonly string[]): PolicyStatement[] {
  const resources = repositoryArns("ecrPushStatements", arns);
  return [
    authorizationToken(),
    { Sid: "EcrPush", Effect: "Allow", Action: [...ECR_PUSH_ACTIONS], Resource: resources },
  ];
}

/** Who may use one repository across accounts, as a repository (resource) policy. */
export interface RepositoryAccess {
  /** AWS account ids whose principals may pull (they still need IAM permissions in their account). */
  pullAccountIds: readonly string[];
  /** IAM principal ARNs (roles, users, account roots) that may push. */
  pushPrincipalArns: readonly string[];
  /** The AWS partition of the account roots. @default "aws" */
  partition?: string;
}

/**
 * The repository policy for cross-account access, or `undefined` when nobody outside the
 * account's own IAM needs access. A repository policy has no `Resource`: it is the repository.
 */
export function repositoryPolicy(access: RepositoryAccess): PolicyDocument | undefined {
  const partition = access.partition ?? "aws";
  const statements: PolicyStatement[] = [];
  if (access.pullAccountIds.length > 0) {
    statements.push({
      Sid: "PullFromAccounts",
      Effect: "Allow",
      Principal: { AWS: access.pullAccountIds.map((id) => `arn:${partition}:iam::${id}:root`) },
      Action: [...ECR_PULL_ACTIONS],
    });
  }
  if (access.pushPrincipalArns.length > 0) {
    statements.push({
      Sid: "PushFromPrincipals",
      Effect: "Allow",
      Principal: { AWS: [...access.pushPrincipalArns] },
      Action: [...ECR_PUSH_ACTIONS],
    });
  }
  return statements.length > 0 ? policyDocument(statements) : undefined;
}
