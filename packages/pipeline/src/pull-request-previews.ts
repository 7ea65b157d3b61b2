import {
  assumeRolePolicy,
  checkComponent,
  checkTags,
  known,
  mergeTags,
  type PolicyStatement,
  policyDocument,
  type Transform,
  transformed,
  type Validator,
} from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadBuildspec } from "./buildspecs.js";
import {
  BUILD_ENVIRONMENTS,
  CLI_VERSION,
  connectionParts,
  connectionStatement,
  DEFAULT_PULUMI_VERSION,
  escapeRegExp,
  logStatements,
  PULUMI_NAME,
  plain,
  repositoryUrl,
  type SourceProvider,
  validateBranch,
  validateBuildspecText,
  validateReleasePrefix,
  validateRetention,
  validateRoleArn,
  validateSource,
  validateStateBucket,
} from "./common.js";
import { DEFAULT_RELEASE_PARAMETER_PREFIX } from "./release.js";

const TYPE = "berth:pipeline:PullRequestPreviews";

/** Repository roles whose members may approve a fork's preview with a comment (CodeBuild's values). */
export const DEFAULT_APPROVER_ROLES: Record<SourceProvider, string[]> = {
  github: ["GITHUB_MAINTAIN", "GITHUB_ADMIN"],
  bitbucket: ["BITBUCKET_ADMIN"],
  gitlab: ["GITLAB_MAINTAINER", "GITLAB_OWNER"],
};
const APPROVER_ROLES = [
  "GITHUB_READ",
  "GITHUB_TRIAGE",
  "GITHUB_WRITE",
  "GITHUB_MAINTAIN",
  "GITHUB_ADMIN",
  "GITLAB_GUEST",
  "GITLAB_PLANNER",
  "GITLAB_REPORTER",
  "GITLAB_DEVELOPER",
  "GITLAB_MAINTAINER",
  "GITLAB_OWNER",
  "BITBUCKET_READ",
  "BITBUCKET_WRITE",
  "BITBUCKET_ADMIN",
] as const;

/** The AWS managed policy the preview role gets by default (`pulumi` mode): resources and their metadata, no data. */
export const DEFAULT_PREVIEW_POLICY = "job-function/ViewOnlyAccess";

/**
 * AWS managed policies a preview role may get: the read-only family. `ReadOnlyAccess`,
 * `ViewOnlyAccess` (also under `job-function/`), `SecurityAudit`, and any service's
 * `<Service>ReadOnlyAccess` (`AmazonS3ReadOnlyAccess`, `AWSCloudFormationReadOnlyAccess`…).
 * Everything else AWS manages (`AdministratorAccess`, `PowerUserAccess`, `IAMFullAccess`, any
 * `*FullAccess`, job functions such as `job-function/SystemAdministrator`) can change resources.
 */
export const READ_ONLY_MANAGED_POLICIES: readonly string[] = [
  "ReadOnlyAccess",
  "ViewOnlyAccess",
  "job-function/ViewOnlyAccess",
  "SecurityAudit",
];
const MANAGED_POLICY_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(aws|\d{12}):policy\/([\w+=,.@/-]{1,512})$/;

/** Whether an AWS managed policy (its path and name after `policy/`) is in the read-only family. */
export function isReadOnlyManagedPolicy(pathAndName: string): boolean {
  const name = pathAndName.split("/").at(-1) ?? "";
  return (
    READ_ONLY_MANAGED_POLICIES.includes(pathAndName) ||
    (pathAndName.split("/").length === 1 && /^[A-Za-z0-9]+ReadOnlyAccess$/.test(name))
  );
}

/**
 * Checks `readOnlyPolicyArns`: AWS managed policies must be read-only (an error names the policy);
 * customer managed ones cannot be read offline, so they are returned for a warning.
 */
function checkReadOnlyPolicies(v: Validator, arns: unknown): string[] {
  if (arns === undefined) return [];
  v.check(
    Array.isArray(arns) && arns.length >= 1 && arns.length <= 20,
    "readOnlyPolicyArns",
    arns,
    "must list 1 to 20 managed policy ARNs (IAM attaches at most 20 managed policies to a role)",
  );
  const customer: string[] = [];
  for (const [i, value] of (arns as pulumi.Input<string>[]).entries()) {
    const arn = known(value);
    if (arn === undefined) continue;
    const f = `readOnlyPolicyArns[${i}]`;
    const m = typeof arn === "string" ? MANAGED_POLICY_ARN.exec(arn) : null;
    if (!m)
      v.fail(
        f,
        arn,
        "must be a managed policy ARN: arn:aws:iam::aws:policy/<name> or arn:aws:iam::<account>:policy/<name>",
      );
    if (m[2] === "aws") {
      v.check(
        isReadOnlyManagedPolicy(m[3]!),
        f,
        arn,
        `is an AWS managed policy that can change resources; a preview role takes read-only ones: ${READ_ONLY_MANAGED_POLICIES.join(", ")} or a service's <Service>ReadOnlyAccess`,
      );
    } else {
      customer.push(arn);
    }
  }
  return customer;
}

/** Keys of `previewRoleArns`: `<project>/<stack>` (as in Pulumi.yaml and Pulumi.<stack>.yaml) or an account id. */
export const PREVIEW_ROLE_KEY = /^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+|\d{12})$/;

/** The pull-request events a preview runs for. */
export const PREVIEW_EVENTS = [
  "PULL_REQUEST_CREATED",
  "PULL_REQUEST_UPDATED",
  "PULL_REQUEST_REOPENED",
] as const;

export interface PullRequestPreviewsArgs {
  /** The repository whose pull requests are previewed, through a CodeStar (CodeConnections) connection. */
  source: {
    /**
     * The connection's ARN; CodeBuild clones through it and registers the webhook.
     * @example connectionArn: "arn:aws:codeconnections:us-east-1:123456789012:connection/8f0c1c1e-4a4b-4b7e-9a59-0d3c5e2f1a7b"
     */
    connectionArn: pulumi.Input<string>;
    /**
     * The repository: `owner/name` (GitLab: `group/subgroup/name`).
     * @example repository: "acme/berth"
     */
    repository: string;
    /**
     * The git host.
     * @default "github"
     * @example provider: "bitbucket"
     */
    provider?: SourceProvider;
    /**
     * Pull requests against this branch are previewed.
     * @default "main"
     * @example defaultBranch: "trunk"
     */
    defaultBranch?: string;
    /**
     * Folder prefixes a pull request must touch to be previewed (webhook FILE_PATH filter).
     * @default every change
     * @example paths: ["packages/", "stacks/", "pnpm-lock.yaml"]
     */
    paths?: string[];
  };
  /**
   * `pulumi`: `pulumi preview --diff` against the real state with the read-only role.
   * `offline`: `berth preview` only; the role gets no AWS read access, no state and no key at all.
   * @default "pulumi"
   * @example mode: "offline"
   */
  mode?: "pulumi" | "offline";
  /** The Pulumi state backend (required in `pulumi` mode): read-only access to both. */
  state?: {
    /**
     * The S3 bucket of the state backend.
     * @example bucket: "acme-berth-state"
     */
    bucket: pulumi.Input<string>;
    /**
     * The KMS key of the stacks' secrets provider (decrypt only).
     * @example keyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
     */
    keyArn: pulumi.Input<string>;
  };
  /**
   * The Secrets Manager secret holding a token that may comment on pull requests (GitHub).
   * @default none: the result is only in the build log
   * @example githubTokenSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:berth/github-token-AbCdEf"
   */
  githubTokenSecretArn?: pulumi.Input<string>;
  /**
   * Which pull requests wait for a maintainer's approval comment before they run.
   * @default "FORK_PULL_REQUESTS"
   * @example commentApproval: "ALL_PULL_REQUESTS"
   */
  commentApproval?: "FORK_PULL_REQUESTS" | "ALL_PULL_REQUESTS";
  /**
   * Repository roles that may approve with a comment (and whose own pull requests run directly).
   * @default GitHub: GITHUB_MAINTAIN, GITHUB_ADMIN; Bitbucket: BITBUCKET_ADMIN; GitLab: GITLAB_MAINTAINER, GITLAB_OWNER
   * @example approverRoles: ["GITHUB_WRITE", "GITHUB_MAINTAIN", "GITHUB_ADMIN"]
   */
  approverRoles?: string[];
  /**
   * Managed policies giving the role read access to AWS (`pulumi` mode only). They replace the
   * default `ViewOnlyAccess` (resources and their metadata, no object or parameter values); the
   * narrow reads a preview needs (release pointers, state bucket, state key) are granted inline anyway.
   * AWS managed policies must be read-only ({@link READ_ONLY_MANAGED_POLICIES} or a service's
   * `<Service>ReadOnlyAccess`): `AdministratorAccess`, `PowerUserAccess`, any `*FullAccess` and the
   * like are rejected. Customer managed policies cannot be inspected offline: they are accepted with
   * a warning naming them, and their owner answers for them being read-only.
   * @default ["arn:<partition>:iam::aws:policy/job-function/ViewOnlyAccess"]
   * @example readOnlyPolicyArns: ["arn:aws:iam::123456789012:policy/berth-preview-read"]
   */
  readOnlyPolicyArns?: pulumi.Input<string>[];
  /**
   * The SSM path prefix of the release pointers the stacks read (`ssm:GetParameter` on
   * `<prefix>/*` in the build's account; `pulumi` mode only).
   * @default "/berth"
   * @example releaseParameterPrefix: "/acme/berth"
   */
  releaseParameterPrefix?: string;
  /**
   * Read-only roles for stacks whose provider is pinned to another account (`allowedAccountIds`):
   * the build assumes the role before previewing that stack, and the project role may
   * `sts:AssumeRole` exactly these ARNs. Keys are `<project>/<stack>` or a 12-digit account id
   * (every stack whose `<project>:accountId` config is that account). Each role must trust the
   * project role and may read its account, the state bucket and decrypt with the state key
   * (`pulumi` mode only). A stack in another account without a role is previewed offline
   * (`berth preview`), with a note in the comment.
   * @default {} (stacks in the build's account use the project role; others are previewed offline)
   * @example previewRoleArns: { "berth-platform/prod": "arn:aws:iam::210987654321:role/berth-preview-prod" }
   */
  previewRoleArns?: Record<string, pulumi.Input<string>>;
  /**
   * How many previews run at once.
   * @default 2
   * @example concurrentBuildLimit: 4
   */
  concurrentBuildLimit?: number;
  /**
   * The organization part of stack references.
   * @default "organization"
   * @example pulumiOrganization: "organization"
   */
  pulumiOrganization?: string;
  /**
   * The pinned Pulumi CLI version.
   * @default "3.248.0"
   * @example pulumiVersion: "3.248.0"
   */
  pulumiVersion?: string;
  /**
   * Days the preview logs are kept.
   * @default 30
   * @example logRetentionInDays: 14
   */
  logRetentionInDays?: number;
  /**
   * Buildspec text replacing the shipped `ci/buildspecs/preview.yml`.
   * @default the shipped template
   * @example buildspec: readFileSync("ci/my-preview.yml", "utf8")
   */
  buildspec?: string;
  /**
   * Tags for every taggable child.
   * @default {}
   * @example tags: { Team: "platform" }
   */
  tags?: Record<string, string>;
  /** Escape hatch: change any child's args before it is created. */
  transform?: {
    project?: Transform<aws.codebuild.ProjectArgs>;
    webhook?: Transform<aws.codebuild.WebhookArgs>;
    role?: Transform<aws.iam.RoleArgs>;
    /** Each managed read-only policy's attachment (`${name}-read-<n>`). */
    readOnlyPolicyAttachment?: Transform<aws.iam.RolePolicyAttachmentArgs>;
    /** The exclusive list of the role's managed policies (`${name}-managed-policies`). */
    managedPolicies?: Transform<aws.iam.RolePolicyAttachmentsExclusiveArgs>;
    rolePolicy?: Transform<aws.iam.RolePolicyArgs>;
    logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
  };
}

interface Resolved {
  provider: SourceProvider;
  branch: string;
  mode: "pulumi" | "offline";
  /** The state backend: given in `pulumi` mode, unused (undefined) in `offline` mode. */
  state?: { bucket: pulumi.Input<string>; keyArn: pulumi.Input<string> };
  commentApproval: "FORK_PULL_REQUESTS" | "ALL_PULL_REQUESTS";
  approverRoles: string[];
  concurrency: number;
  organization: string;
  pulumiVersion: string;
  retention: number;
  parameterPrefix: string;
}

function validate(name: string, args: PullRequestPreviewsArgs | undefined): Resolved {
  const v = checkComponent(TYPE, name, args);
  const a = v.required("args", args, "give source and, in pulumi mode, state");
  checkTags(v, "tags", a.tags);
  const provider = validateSource(v, "source", a.source);
  const branch = a.source.defaultBranch ?? "main";
  validateBranch(v, "source.defaultBranch", branch);
  if (a.source.paths !== undefined) {
    v.check(
      Array.isArray(a.source.paths) && a.source.paths.length >= 1,
      "source.paths",
      a.source.paths,
      "must list at least one path prefix",
    );
    for (const [i, p] of a.source.paths.entries()) {
      v.check(
        typeof p === "string" && p.length > 0 && !p.startsWith("/") && !p.includes(".."),
        `source.paths[${i}]`,
        p,
        "must be a path prefix relative to the repository root, without '..'",
      );
    }
  }
  const mode = a.mode ?? "pulumi";
  v.oneOf("mode", mode, ["pulumi", "offline"]);
  let state: Resolved["state"];
  if (mode === "pulumi") {
    state = v.required(
      "state",
      a.state,
      'pulumi mode reads the state: give state.bucket and state.keyArn (or use mode: "offline")',
    );
    validateStateBucket(v, state.bucket);
    v.required("state.keyArn", state.keyArn, "the KMS key ARN of the secrets provider");
    v.arn("state.keyArn", state.keyArn, "kms", /^key\/.+$/);
  } else {
    v.check(
      a.state === undefined,
      "state",
      a.state,
      'is only used in pulumi mode (mode: "offline" reads no state and gets no access to it); remove it or use mode: "pulumi"',
    );
    v.check(
      a.readOnlyPolicyArns === undefined,
      "readOnlyPolicyArns",
      a.readOnlyPolicyArns,
      'are only used in pulumi mode (mode: "offline" gets no AWS access)',
    );
  }
  const customerPolicies = checkReadOnlyPolicies(v, a.readOnlyPolicyArns);
  const parameterPrefix = a.releaseParameterPrefix ?? DEFAULT_RELEASE_PARAMETER_PREFIX;
  validateReleasePrefix(v, parameterPrefix);
  if (a.previewRoleArns !== undefined) {
    v.check(
      typeof a.previewRoleArns === "object" &&
        a.previewRoleArns !== null &&
        !Array.isArray(a.previewRoleArns),
      "previewRoleArns",
      a.previewRoleArns,
      'must map "<project>/<stack>" or an account id to a role ARN',
    );
    v.check(
      mode === "pulumi",
      "previewRoleArns",
      Object.keys(a.previewRoleArns),
      'are only used in pulumi mode (mode: "offline" gets no AWS access)',
    );
    for (const [key, arn] of Object.entries(a.previewRoleArns)) {
      v.check(
        PREVIEW_ROLE_KEY.test(key),
        `previewRoleArns["${key}"]`,
        key,
        "keys must be <project>/<stack> (letters, digits, '_', '.', '-') or a 12-digit account id",
      );
      v.required(`previewRoleArns["${key}"]`, arn, "the ARN of a read-only role");
      validateRoleArn(
        v,
        `previewRoleArns["${key}"]`,
        arn,
        /^\d{12}$/.test(key) ? { id: key, inAccount: `must be a role in account ${key}` } : undefined,
      );
    }
  }
  if (a.githubTokenSecretArn !== undefined)
    v.arn("githubTokenSecretArn", a.githubTokenSecretArn, "secretsmanager", /^secret:.+$/);
  const commentApproval = a.commentApproval ?? "FORK_PULL_REQUESTS";
  v.oneOf("commentApproval", commentApproval, ["FORK_PULL_REQUESTS", "ALL_PULL_REQUESTS"]);
  const approverRoles = a.approverRoles ?? DEFAULT_APPROVER_ROLES[provider];
  v.check(
    Array.isArray(approverRoles) && approverRoles.length >= 1,
    "approverRoles",
    approverRoles,
    "must list at least one role",
  );
  approverRoles.forEach((role, i) => {
    v.oneOf(`approverRoles[${i}]`, role, APPROVER_ROLES);
    v.check(
      role.startsWith(`${provider.toUpperCase()}_`),
      `approverRoles[${i}]`,
      role,
      `must be a ${provider} role (${provider.toUpperCase()}_…)`,
    );
  });
  const concurrency = a.concurrentBuildLimit ?? 2;
  v.integer("concurrentBuildLimit", concurrency, { min: 1, max: 100 });
  const organization = a.pulumiOrganization ?? "organization";
  v.matches("pulumiOrganization", organization, PULUMI_NAME, "must be letters, digits, '_', '.', '-'");
  const pulumiVersion = a.pulumiVersion ?? DEFAULT_PULUMI_VERSION;
  v.matches("pulumiVersion", pulumiVersion, CLI_VERSION, "must be an exact CLI version like 3.248.0");
  const retention = a.logRetentionInDays ?? 30;
  validateRetention(v, "logRetentionInDays", retention);
  if (a.buildspec !== undefined) validateBuildspecText(v, "buildspec", a.buildspec);
  if (customerPolicies.length > 0) {
    pulumi.log.warn(
      `${TYPE} '${name}': readOnlyPolicyArns ${customerPolicies.join(", ")} ${customerPolicies.length === 1 ? "is a customer managed policy" : "are customer managed policies"} Berth cannot inspect offline; make sure ${customerPolicies.length === 1 ? "it grants" : "they grant"} only read actions, since pull-request code runs with this role`,
    );
  }
  return {
    provider,
    branch,
    mode,
    ...(state ? { state } : {}),
    commentApproval,
    approverRoles,
    concurrency,
    organization,
    pulumiVersion,
    retention,
    parameterPrefix,
  };
}

/**
 * Previews the Pulumi stacks a pull request affects and keeps one comment on it up to date: a
 * CodeBuild project with a webhook for pull requests against the default branch, a read-only role,
 * comment approval for pull requests from forks and a concurrency limit.
 *
 * @example
 * new PullRequestPreviews("previews", {
 *   source: { connectionArn, repository: "acme/berth" },
 *   state: { bucket: "acme-berth-state", keyArn: stateKey.arn },
 *   githubTokenSecretArn: token.arn,
 * });
 */
export class PullRequestPreviews extends pulumi.ComponentResource {
  readonly projectName: pulumi.Output<string>;
  readonly projectArn: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  /** The webhook's payload URL (CodeBuild registers it with the git host). */
  readonly webhookUrl: pulumi.Output<string>;

  constructor(name: string, args: PullRequestPreviewsArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = validate(name, args);
    super(TYPE, name, {}, opts);

    const tags = mergeTags({ "berth:component": "PullRequestPreviews" }, args.tags);
    const t = args.transform ?? {};
    const conn = connectionParts(args.source.connectionArn);

    const [lgArgs, lgOpts] = transformed(
      t.logGroup,
      { retentionInDays: r.retention, tags } as aws.cloudwatch.LogGroupArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, lgArgs, lgOpts);

    const readOnlyPolicies =
      r.mode === "pulumi"
        ? (args.readOnlyPolicyArns ?? [
            pulumi.interpolate`arn:${conn.partition}:iam::aws:policy/${DEFAULT_PREVIEW_POLICY}`,
          ])
        : [];
    const [roleArgs, roleOpts] = transformed(
      t.role,
      {
        description: `Berth pull-request previews ${name}: read-only`,
        assumeRolePolicy: conn.account.apply((acc) =>
          JSON.stringify(assumeRolePolicy("codebuild.amazonaws.com", acc)),
        ),
        tags,
      } as aws.iam.RoleArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    const role = new aws.iam.Role(`${name}-role`, roleArgs, roleOpts);

    // Managed policies: one attachment each (Role.managedPolicyArns is deprecated), and the
    // exclusive list so that anything else attached to the role (an older ReadOnlyAccess, an
    // out-of-band attachment) is detached on the next `pulumi up`.
    const attachments = readOnlyPolicies.map((policyArn, i) => {
      const [aArgs, aOpts] = transformed(
        t.readOnlyPolicyAttachment,
        { role: role.name, policyArn } as aws.iam.RolePolicyAttachmentArgs,
        { parent: this } as pulumi.CustomResourceOptions,
      );
      return new aws.iam.RolePolicyAttachment(`${name}-read-${i}`, aArgs, aOpts);
    });
    const [exArgs, exOpts] = transformed(
      t.managedPolicies,
      { roleName: role.name, policyArns: readOnlyPolicies } as aws.iam.RolePolicyAttachmentsExclusiveArgs,
      { parent: this, dependsOn: attachments } as pulumi.CustomResourceOptions,
    );
    const managedPolicies = new aws.iam.RolePolicyAttachmentsExclusive(
      `${name}-managed-policies`,
      exArgs,
      exOpts,
    );

    const statements: PolicyStatement[] = [
      ...logStatements(logGroup.arn),
      connectionStatement(args.source.connectionArn, [
        "UseConnection",
        "GetConnectionToken",
        "GetConnection",
      ]),
    ];
    if (r.state) {
      statements.push(
        {
          Sid: "WhoAmI",
          Effect: "Allow",
          Action: "sts:GetCallerIdentity",
          Resource: "*",
        },
        {
          Sid: "ReadReleasePointers",
          Effect: "Allow",
          Action: "ssm:GetParameter",
          Resource:
            pulumi.interpolate`arn:${conn.partition}:ssm:*:${conn.account}:parameter${r.parameterPrefix}/*` as unknown as string,
        },
        {
          Sid: "ListStateBucket",
          Effect: "Allow",
          Action: ["s3:ListBucket", "s3:GetBucketLocation"],
          Resource: pulumi.interpolate`arn:${conn.partition}:s3:::${r.state.bucket}` as unknown as string,
        },
        {
          Sid: "ReadState",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:GetObjectVersion"],
          Resource: pulumi.interpolate`arn:${conn.partition}:s3:::${r.state.bucket}/*` as unknown as string,
        },
        {
          Sid: "DecryptStateSecrets",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: r.state.keyArn as string,
        },
      );
    }
    // previewRoleArns is refused outside pulumi mode (validate).
    const stackRoles = Object.values(args.previewRoleArns ?? {});
    if (stackRoles.length > 0) {
      statements.push({
        Sid: "AssumeStackPreviewRoles",
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Resource: stackRoles as unknown as string[],
      });
    }
    if (args.githubTokenSecretArn !== undefined) {
      statements.push({
        Sid: "ReadCommentToken",
        Effect: "Allow",
        Action: "secretsmanager:GetSecretValue",
        Resource: args.githubTokenSecretArn as string,
      });
    }
    const [pArgs, pOpts] = transformed(
      t.rolePolicy,
      { role: role.name, policy: pulumi.jsonStringify(policyDocument(statements)) } as aws.iam.RolePolicyArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    const policy = new aws.iam.RolePolicy(`${name}-policy`, pArgs, pOpts);

    const buildEnv = BUILD_ENVIRONMENTS["linux/arm64"];
    const variables: aws.types.input.codebuild.ProjectEnvironmentEnvironmentVariable[] = [
      plain("PREVIEW_MODE", r.mode),
      plain("BASE_BRANCH", r.branch),
      plain("PULUMI_ORG", r.organization),
      plain("PULUMI_VERSION", r.pulumiVersion),
      ...(r.state ? [plain("STATE_BUCKET", r.state.bucket)] : []),
      ...(stackRoles.length > 0
        ? [plain("PREVIEW_ROLE_ARNS", pulumi.jsonStringify(args.previewRoleArns ?? {}))]
        : []),
      ...(args.githubTokenSecretArn !== undefined
        ? [{ name: "GITHUB_TOKEN", value: args.githubTokenSecretArn, type: "SECRETS_MANAGER" }]
        : []),
    ];
    const [projArgs, projOpts] = transformed(
      t.project,
      {
        description: `Berth pull-request previews for ${args.source.repository}`,
        serviceRole: role.arn,
        source: {
          type: r.provider.toUpperCase(),
          location: repositoryUrl(args.source.repository, r.provider),
          gitCloneDepth: 0,
          buildspec: args.buildspec ?? loadBuildspec("preview"),
          reportBuildStatus: true,
          auth: { type: "CODECONNECTIONS", resource: args.source.connectionArn },
        },
        artifacts: { type: "NO_ARTIFACTS" },
        environment: {
          type: buildEnv.type,
          image: buildEnv.image,
          computeType: "BUILD_GENERAL1_SMALL",
          imagePullCredentialsType: "CODEBUILD",
          privilegedMode: false,
          environmentVariables: variables,
        },
        logsConfig: {
          cloudwatchLogs: { status: "ENABLED", groupName: logGroup.name },
          s3Logs: { status: "DISABLED" },
        },
        concurrentBuildLimit: r.concurrency,
        buildTimeout: 30,
        tags,
      } as aws.codebuild.ProjectArgs,
      { parent: this, dependsOn: [policy, managedPolicies, ...attachments] } as pulumi.CustomResourceOptions,
    );
    const project = new aws.codebuild.Project(`${name}-project`, projArgs, projOpts);

    const filters: aws.types.input.codebuild.WebhookFilterGroupFilter[] = [
      { type: "EVENT", pattern: PREVIEW_EVENTS.join(", ") },
      { type: "BASE_REF", pattern: `^refs/heads/${escapeRegExp(r.branch)}$` },
    ];
    if (args.source.paths) {
      filters.push({ type: "FILE_PATH", pattern: `^(${args.source.paths.map(escapeRegExp).join("|")})` });
    }
    const [whArgs, whOpts] = transformed(
      t.webhook,
      {
        projectName: project.name,
        buildType: "BUILD",
        filterGroups: [{ filters }],
        pullRequestBuildPolicy: {
          requiresCommentApproval: r.commentApproval,
          approverRoles: r.approverRoles,
        },
      } as aws.codebuild.WebhookArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    const webhook = new aws.codebuild.Webhook(`${name}-webhook`, whArgs, whOpts);

    this.projectName = project.name;
    this.projectArn = project.arn;
    this.roleArn = role.arn;
    this.logGroupName = logGroup.name;
    this.webhookUrl = webhook.payloadUrl;
    this.registerOutputs({
      projectName: this.projectName,
      projectArn: this.projectArn,
      roleArn: this.roleArn,
      logGroupName: this.logGroupName,
      webhookUrl: this.webhookUrl,
    });
  }
}
