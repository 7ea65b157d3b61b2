import { arnParts, known, LOG_RETENTION_DAYS, type PolicyStatement, type Validator } from "@berth/core";
import * as pulumi from "@pulumi/pulumi";

/** The default Pulumi CLI the buildspecs pin (same release as the workspace's `@pulumi/pulumi`). */
export const DEFAULT_PULUMI_VERSION = "3.248.0";

/** CodeBuild images per architecture (Amazon Linux 2023 standard images with Node.js 20 and Docker). */
export const BUILD_ENVIRONMENTS = {
  "linux/arm64": { type: "ARM_CONTAINER", image: "aws/codebuild/amazonlinux-aarch64-standard:3.0" },
  "linux/amd64": { type: "LINUX_CONTAINER", image: "aws/codebuild/amazonlinux-x86_64-standard:5.0" },
} as const;
export type ImagePlatform = keyof typeof BUILD_ENVIRONMENTS;

/** A plain-text CodeBuild environment variable. */
export function plain(name: string, value: pulumi.Input<string>) {
  return { name, value, type: "PLAINTEXT" };
}

/** The git hosts a CodeStar (CodeConnections) connection can serve. */
export type SourceProvider = "github" | "bitbucket" | "gitlab";
const SOURCE_PROVIDERS: readonly SourceProvider[] = ["github", "bitbucket", "gitlab"];

/** `arn:<partition>:(codestar-connections|codeconnections):<region>:<account>:connection/<uuid>` */
export const CONNECTION_ARN =
  /^arn:(aws|aws-cn|aws-us-gov):(codestar-connections|codeconnections):([a-z0-9-]+):(\d{12}):connection\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The parts of a connection ARN the components need (its account and region host the pipeline). */
interface ConnectionParts {
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
function isBranchName(branch: string): boolean {
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
function isRepositoryId(id: string, provider: SourceProvider): boolean {
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

/** `arn:<partition>:iam::<account>:role/<path/name>`: a role ARN in the aws, aws-cn or aws-us-gov partition. */
export const IAM_ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

/** Pulumi organization, project and stack names. */
export const PULUMI_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** An exact Pulumi CLI version (`3.248.0`). */
export const CLI_VERSION = /^\d+\.\d+\.\d+$/;

const S3_BUCKET_NAME = /^(?!xn--)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SSM_PATH = /^(\/[A-Za-z0-9_.-]+)+$/;
const BUILDSPEC_VERSION = /^\s*version:\s*0\.2\s*$/m;

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

/** The S3 bucket of the Pulumi state backend (`state.bucket`). */
export function validateStateBucket(v: Validator, bucket: pulumi.Input<string> | undefined): void {
  v.required("state.bucket", bucket, "the S3 bucket of the Pulumi state backend");
  v.matches(
    "state.bucket",
    bucket,
    S3_BUCKET_NAME,
    "must be an S3 bucket name (3-63 lowercase letters, digits, '.', '-')",
  );
}

/** The SSM path prefix of the release pointers (`releaseParameterPrefix`). */
export function validateReleasePrefix(v: Validator, prefix: string): void {
  v.matches(
    "releaseParameterPrefix",
    prefix,
    SSM_PATH,
    "must be an SSM path like /berth (segments of letters, digits, '_', '.', '-'; no trailing '/')",
  );
}

/** Buildspec text given in place of a shipped template. */
export function validateBuildspecText(v: Validator, field: string, text: unknown): void {
  v.check(
    typeof text === "string" && BUILDSPEC_VERSION.test(text),
    field,
    typeof text === "string" ? `${text.slice(0, 40)}…` : text,
    "must be buildspec text with version: 0.2",
  );
}

/**
 * An IAM role ARN (checked when known) and, given an account, that the role lives in it
 * (`inAccount` says which account in the error).
 */
export function validateRoleArn(
  v: Validator,
  field: string,
  arn: pulumi.Input<string> | undefined,
  account?: { id: string; inAccount: string },
): void {
  v.matches(field, arn, IAM_ROLE_ARN, "must be an IAM role ARN: arn:aws:iam::<account>:role/<name>");
  const literal = knownString(arn);
  if (account !== undefined && literal !== undefined) {
    v.check(arnParts(literal).account === account.id, field, literal, account.inAccount);
  }
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
  connectionArn: pulumi.Input<string>,
  actions: string[] = ["UseConnection"],
): PolicyStatement {
  return {
    Sid: "UseSourceConnection",
    Effect: "Allow",
    Action: actions.flatMap((a) => [`codestar-connections:${a}`, `codeconnections:${a}`]),
    // Usually an Output: policies are written with pulumi.jsonStringify.
    Resource: connectionArn as string,
  };
}
