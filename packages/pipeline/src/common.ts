import { known, LOG_RETENTION_DAYS, type PolicyStatement, type Validator } from "@berth/core";
import * as pulumi from "@pulumi/pulumi";

/** The git hosts a CodeStar (CodeConnections) connection can serve. */
export type SourceProvider = "github" | "bitbucket" | "gitlab";
export const SOURCE_PROVIDERS: readonly SourceProvider[] = ["github", "bitbucket", "gitlab"];

/** `arn:<partition>:(codestar-connections|codeconnections):<region>:<account>:connection/<uuid>` */
export const CONNECTION_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):(codestar-connections|codeconnections):([a-z0-9-]+):(\d{12}):connection\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The parts of a connection ARN the components need (its account and region host the pipeline). */
export interface ConnectionParts {
  partition: string;
  region: string;
  account: string;
}

export function connectionParts(arn: pulumi.Input<string>): pulumi.Output<ConnectionParts> {
  return pulumi.output(arn).apply((a) => {
    const m = CONNECTION_ARN.exec(a);
    if (!m) throw new Error(`'${a}' is not a CodeStar connection ARN`);
    return { partition: m[1]!, region: m[3]!, account: m[4]! };
  });
}

/** A git branch name git itself would accept (`git check-ref-format --branch`), without wildcards. */
export function isBranchName(branch: string): boolean {
  return (
    branch.length > 0 &&
    branch.length <= 250 &&
    ![...branch].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f) &&
    !/[\s~^:?*[\\]/.test(branch) &&
    !branch.includes("..") &&
    !branch.includes("@{") &&
    !branch.includes("//") &&
    !branch.startsWith("-") &&
    !branch.startsWith("/") &&
    !branch.endsWith("/") &&
    !branch.endsWith(".") &&
    !branch.endsWith(".lock") &&
    branch !== "@" &&
    !branch.split("/").some((part) => part.startsWith("."))
  );
}

/** `owner/name` on GitHub and Bitbucket; GitLab also allows subgroups (`group/sub/name`). */
export function isRepositoryId(id: string, provider: SourceProvider): boolean {
  const part = "[A-Za-z0-9_.-]+";
  const pattern =
    provider === "gitlab" ? new RegExp(`^${part}(/${part})+$`) : new RegExp(`^${part}/${part}$`);
  return pattern.test(id) && !id.split("/").some((p) => p === "." || p === "..");
}

/** The HTTPS clone URL of a repository, as CodeBuild sources expect it. */
export function repositoryUrl(id: string, provider: SourceProvider): string {
  const host = { github: "github.com", bitbucket: "bitbucket.org", gitlab: "gitlab.com" }[provider];
  return `https://${host}/${id}.git`;
}

/** Escapes a literal for use inside a regular expression (webhook filter patterns). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** ECR repository names: lowercase path segments of letters and digits joined by `.`, `_`, `-`. */
export const ECR_REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/** Checks the source settings shared by both components. */
export function validateSource(
  v: Validator,
  field: string,
  source:
    | { connectionArn?: pulumi.Input<string>; repository?: string; provider?: SourceProvider }
    | undefined,
): SourceProvider {
  const s = v.required(field, source, "give the CodeStar connection ARN and the repository (owner/name)");
  v.required(`${field}.connectionArn`, s.connectionArn, "the ARN of a CodeStar (CodeConnections) connection");
  v.matches(
    `${field}.connectionArn`,
    s.connectionArn,
    CONNECTION_ARN,
    "must be a connection ARN: arn:aws:codestar-connections:<region>:<account>:connection/<uuid> (or codeconnections)",
  );
  const provider = s.provider ?? "github";
  v.oneOf(`${field}.provider`, provider, SOURCE_PROVIDERS);
  const repo = v.required(`${field}.repository`, s.repository, "the repository as owner/name");
  v.check(
    typeof repo === "string" && isRepositoryId(repo, provider),
    `${field}.repository`,
    repo,
    provider === "gitlab"
      ? "must be group/name (subgroups allowed) of letters, digits, '.', '_' and '-'"
      : "must be owner/name of letters, digits, '.', '_' and '-'",
  );
  return provider;
}

export function validateBranch(v: Validator, field: string, branch: string): void {
  v.check(
    typeof branch === "string" && isBranchName(branch),
    field,
    branch,
    "must be a git branch name (no spaces, '..', '~', '^', ':', '?', '*', '[', '\\', no leading '-' or '/', no trailing '/', '.' or '.lock')",
  );
}

export function validateRetention(v: Validator, field: string, days: number): void {
  v.oneOf(field, days, LOG_RETENTION_DAYS);
}

/** A known string, or undefined when it is an Output. */
export function knownString(value: pulumi.Input<string> | undefined): string | undefined {
  const k = known(value);
  return typeof k === "string" ? k : undefined;
}

/** CloudWatch Logs permissions for a CodeBuild project writing to one log group. */
export function logStatements(logGroupArn: pulumi.Input<string>): PolicyStatement[] {
  return [
    {
      Sid: "WriteBuildLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      // The ARN is usually an Output: interpolate (a template literal would print Pulumi's
      // "Calling [toString] on an [Output<T>]" text); policies are written with pulumi.jsonStringify.
      Resource: [logGroupArn, pulumi.interpolate`${logGroupArn}:*`] as unknown as string[],
    },
  ];
}

/** Using a CodeStar connection (both service prefixes, since connections exist under both names). */
export function connectionStatement(
  connectionArn: string,
  actions: string[] = ["UseConnection"],
): PolicyStatement {
  return {
    Sid: "UseSourceConnection",
    Effect: "Allow",
    Action: actions.flatMap((a) => [`codestar-connections:${a}`, `codeconnections:${a}`]),
    Resource: connectionArn,
  };
}

/** Trust policy for a service with the confused-deputy guard on the source account. */
export function serviceTrust(service: string, account: string) {
  return {
    Version: "2012-10-17" as const,
    Statement: [
      {
        Effect: "Allow" as const,
        Principal: { Service: service },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": account } },
      },
    ],
  };
}
