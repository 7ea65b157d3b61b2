import {
  assumeRolePolicy,
  checkComponent,
  checkTags,
  denyInsecureTransport,
  known,
  mergeTags,
  type PolicyStatement,
  policyDocument,
  type Transform,
  transformed,
  type Validator,
} from "@berth/core";
import { privateBucketControls } from "@berth/data";
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
  validateRetention,
  validateRoleArn,
  validateSource,
  validateStateBucket,
} from "./common.js";

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

/**
 * AWS managed policies a preview role may get: the read-only family. `ReadOnlyAccess`,
 * `job-function/ViewOnlyAccess` (AWS has no `ViewOnlyAccess` at the root path), `SecurityAudit`, and
 * any service's `<Service>ReadOnlyAccess` or `<Service>_ReadOnlyAccess` (`AmazonS3ReadOnlyAccess`,
 * `AWSCloudFormationReadOnlyAccess`, `AWSLambda_ReadOnlyAccess`, `AWSCloudTrail_ReadOnlyAccess`…).
 * Everything else AWS manages (`AdministratorAccess`, `PowerUserAccess`, `IAMFullAccess`, any
 * `*FullAccess`, job functions such as `job-function/SystemAdministrator`) can change resources.
 */
export const READ_ONLY_MANAGED_POLICIES: readonly string[] = [
  "ReadOnlyAccess",
  "job-function/ViewOnlyAccess",
  "SecurityAudit",
];
/** A service's read-only AWS managed policy at the root path: `AmazonS3ReadOnlyAccess`, `AWSLambda_ReadOnlyAccess`. */
const SERVICE_READ_ONLY = /^[A-Za-z0-9]+_?ReadOnlyAccess$/;
const MANAGED_POLICY_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(aws|\d{12}):policy\/([\w+=,.@/-]{1,512})$/;

/** Whether an AWS managed policy (its path and name after `policy/`) is in the read-only family. */
export function isReadOnlyManagedPolicy(pathAndName: string): boolean {
  const name = pathAndName.split("/").at(-1) ?? "";
  return (
    READ_ONLY_MANAGED_POLICIES.includes(pathAndName) ||
    (pathAndName.split("/").length === 1 && SERVICE_READ_ONLY.test(name))
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
        `is an AWS managed policy that can change resources; a preview role takes read-only ones: ${READ_ONLY_MANAGED_POLICIES.join(", ")} or a service's <Service>ReadOnlyAccess or <Service>_ReadOnlyAccess`,
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

/** Roles that may approve a credentialed preview: maintainers and owners only (CodeBuild's values). */
export const MAINTAINER_ROLES: readonly string[] = [
  "GITHUB_MAINTAIN",
  "GITHUB_ADMIN",
  "GITLAB_MAINTAINER",
  "GITLAB_OWNER",
  "BITBUCKET_ADMIN",
];

/** A GitHub login (or an app's `<name>[bot]`), as the comment's author is matched. */
const GITHUB_LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(\[bot\])?$/;

export interface PullRequestPreviewsArgs {
  /** The repository whose pull requests are previewed, through a CodeStar (CodeConnections) connection. */
  source: {
    /**
     * The connection's ARN; the trusted orchestrator clones through it and CodeBuild registers the
     * webhook. The projects that run pull-request code never get it.
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
   * `offline`: every pull request gets `berth preview` (the offline engine) in a project whose role
   * can write its logs and its report, nothing else.
   * `pulumi`: the same, plus a credentialed `pulumi preview --diff` for pull requests from branches
   * of this repository, each build approved by a maintainer (CodeBuild comment approval on every
   * pull request), with the read-only per-stack roles of `previewRoleArns` only.
   * @default "offline"
   * @example mode: "pulumi"
   */
  mode?: "pulumi" | "offline";
  /** The Pulumi state backend (`pulumi` mode): the credentialed worker logs in to it with the per-stack roles. */
  state?: {
    /**
     * The S3 bucket of the state backend.
     * @example bucket: "acme-berth-state"
     */
    bucket: pulumi.Input<string>;
    /**
     * The bucket's region.
     * @default the build's region
     * @example region: "us-east-1"
     */
    region?: string;
    /**
     * Not granted to any project any more: the per-stack roles (stacks/bootstrap) decrypt. Accepted
     * so that existing stacks keep working; checked to be a KMS key ARN.
     * @deprecated the per-stack preview roles hold the decrypt permission
     * @example keyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
     */
    keyArn?: pulumi.Input<string>;
  };
  /**
   * The Secrets Manager secret holding a token that may comment on pull requests (GitHub). Only the
   * trusted orchestrators read it; the projects that run pull-request code never do.
   * @default none: the result is only in the build log
   * @example githubTokenSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:berth/github-token-AbCdEf"
   */
  githubTokenSecretArn?: pulumi.Input<string>;
  /**
   * The login of the token's user (a bot account, or `<app>[bot]`): the comment to update is the one
   * by this login that starts with the marker, never one by anybody else.
   * @default asked from GitHub (`GET /user` with the token)
   * @example commentAuthor: "acme-berth-bot"
   */
  commentAuthor?: string;
  /**
   * Which pull requests wait for a maintainer's approval comment before the OFFLINE preview runs.
   * (The credentialed preview always waits for one on every pull request.)
   * @default "FORK_PULL_REQUESTS"
   * @example commentApproval: "ALL_PULL_REQUESTS"
   */
  commentApproval?: "FORK_PULL_REQUESTS" | "ALL_PULL_REQUESTS";
  /**
   * Repository roles that may approve the offline preview with a comment (and whose own pull
   * requests run directly).
   * @default GitHub: GITHUB_MAINTAIN, GITHUB_ADMIN; Bitbucket: BITBUCKET_ADMIN; GitLab: GITLAB_MAINTAINER, GITLAB_OWNER
   * @example approverRoles: ["GITHUB_WRITE", "GITHUB_MAINTAIN", "GITHUB_ADMIN"]
   */
  approverRoles?: string[];
  /**
   * Repository roles that may approve a CREDENTIALED preview (`/codebuild_run(<commit>)`, for that
   * commit only): maintainer-level roles only.
   * @default GitHub: GITHUB_MAINTAIN, GITHUB_ADMIN; Bitbucket: BITBUCKET_ADMIN; GitLab: GITLAB_MAINTAINER, GITLAB_OWNER
   * @example credentialedApproverRoles: ["GITHUB_ADMIN"]
   */
  credentialedApproverRoles?: string[];
  /**
   * Managed policies attached to the credentialed worker's own role (`pulumi` mode). Usually none:
   * the per-stack roles of `previewRoleArns` carry the reads. AWS managed policies must be
   * read-only ({@link READ_ONLY_MANAGED_POLICIES} or a service's `<Service>ReadOnlyAccess`);
   * customer managed ones are accepted with a warning naming them.
   * @default []
   * @example readOnlyPolicyArns: ["arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"]
   */
  readOnlyPolicyArns?: pulumi.Input<string>[];
  /**
   * Read-only roles per stack (`<project>/<stack>`) or per account (12-digit id), `pulumi` mode:
   * the credentialed worker may `sts:AssumeRole` exactly these and gives each stack's process its
   * own role's credentials. Create them with stacks/bootstrap (`berth-preview-<env>`: that
   * environment's state objects, its secrets key, its release pointers; no SSM SecureString or
   * Secrets Manager value) trusting `previewPrincipalArn`. A stack without a role is previewed offline.
   * @default {} (in `pulumi` mode without any, no credentialed lane is created, with a warning)
   * @example previewRoleArns: { "berth-platform/dev": "arn:aws:iam::123456789012:role/berth-preview-dev" }
   */
  previewRoleArns?: Record<string, pulumi.Input<string>>;
  /**
   * How many previews run at once (per project).
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
   * The pinned Pulumi CLI version (credentialed worker).
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
   * Days sources and reports stay in the exchange bucket.
   * @default 3
   * @example exchangeRetentionInDays: 1
   */
  exchangeRetentionInDays?: number;
  /**
   * Buildspec text replacing the shipped `ci/buildspecs/preview.yml` (all projects; it must honour
   * PREVIEW_STAGE the way the shipped one does).
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
    /** The orchestrators (`${name}-project`, `${name}-aws-project`). */
    project?: Transform<aws.codebuild.ProjectArgs>;
    /** The workers that run pull-request code (`${name}-worker`, `${name}-aws-worker`). */
    workerProject?: Transform<aws.codebuild.ProjectArgs>;
    webhook?: Transform<aws.codebuild.WebhookArgs>;
    /** Every service role. */
    role?: Transform<aws.iam.RoleArgs>;
    /** Each managed read-only policy's attachment (`${name}-read-<n>`). */
    readOnlyPolicyAttachment?: Transform<aws.iam.RolePolicyAttachmentArgs>;
    /** The exclusive list of the credentialed worker role's managed policies (`${name}-managed-policies`). */
    managedPolicies?: Transform<aws.iam.RolePolicyAttachmentsExclusiveArgs>;
    /** Every role's inline policy. */
    rolePolicy?: Transform<aws.iam.RolePolicyArgs>;
    logGroup?: Transform<aws.cloudwatch.LogGroupArgs>;
    exchangeBucket?: Transform<aws.s3.BucketArgs>;
  };
}

interface Resolved {
  provider: SourceProvider;
  branch: string;
  mode: "pulumi" | "offline";
  commentApproval: "FORK_PULL_REQUESTS" | "ALL_PULL_REQUESTS";
  approverRoles: string[];
  credentialedApproverRoles: string[];
  concurrency: number;
  organization: string;
  pulumiVersion: string;
  retention: number;
  exchangeDays: number;
}

function checkApproverRoles(
  v: Validator,
  field: string,
  roles: unknown,
  provider: SourceProvider,
  allowed: readonly string[],
  allowedText: string,
): void {
  v.check(Array.isArray(roles) && roles.length >= 1, field, roles, "must list at least one role");
  (roles as string[]).forEach((role, i) => {
    v.oneOf(`${field}[${i}]`, role, allowed);
    v.check(
      role.startsWith(`${provider.toUpperCase()}_`),
      `${field}[${i}]`,
      role,
      `must be a ${provider} role (${provider.toUpperCase()}_…)${allowedText}`,
    );
  });
}

function validate(name: string, args: PullRequestPreviewsArgs | undefined): Resolved {
  const v = checkComponent(TYPE, name, args);
  const a = v.required("args", args, "give source (and, in pulumi mode, state and previewRoleArns)");
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
  const mode = a.mode ?? "offline";
  v.oneOf("mode", mode, ["pulumi", "offline"]);
  if (mode === "pulumi") {
    const state = v.required(
      "state",
      a.state,
      'pulumi mode logs in to the state: give state.bucket (or use mode: "offline")',
    );
    validateStateBucket(v, state.bucket);
    if (state.region !== undefined)
      v.matches("state.region", state.region, /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, "must be a region");
    if (state.keyArn !== undefined) v.arn("state.keyArn", state.keyArn, "kms", /^key\/.+$/);
    if (a.previewRoleArns === undefined || Object.keys(a.previewRoleArns).length === 0) {
      pulumi.log.warn(
        `${TYPE} '${name}': pulumi mode without previewRoleArns previews every stack offline and creates no credentialed lane; give the read-only roles stacks/bootstrap creates (berth-preview-<env>)`,
      );
    }
  } else {
    for (const [field, value] of [
      ["state", a.state],
      ["readOnlyPolicyArns", a.readOnlyPolicyArns],
      ["previewRoleArns", a.previewRoleArns],
      ["credentialedApproverRoles", a.credentialedApproverRoles],
    ] as const) {
      v.check(
        value === undefined,
        field,
        value,
        'is only used in pulumi mode (mode: "offline" gets no AWS access); remove it or use mode: "pulumi"',
      );
    }
  }
  const customerPolicies = checkReadOnlyPolicies(v, a.readOnlyPolicyArns);
  if (a.previewRoleArns !== undefined) {
    v.check(
      typeof a.previewRoleArns === "object" &&
        a.previewRoleArns !== null &&
        !Array.isArray(a.previewRoleArns),
      "previewRoleArns",
      a.previewRoleArns,
      'must map "<project>/<stack>" or an account id to a role ARN',
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
  if (a.commentAuthor !== undefined)
    v.matches(
      "commentAuthor",
      a.commentAuthor,
      GITHUB_LOGIN,
      "must be a GitHub login (letters, digits, '-') or an app's <name>[bot]",
    );
  const commentApproval = a.commentApproval ?? "FORK_PULL_REQUESTS";
  v.oneOf("commentApproval", commentApproval, ["FORK_PULL_REQUESTS", "ALL_PULL_REQUESTS"]);
  const approverRoles = a.approverRoles ?? DEFAULT_APPROVER_ROLES[provider];
  checkApproverRoles(v, "approverRoles", approverRoles, provider, APPROVER_ROLES, "");
  const credentialedApproverRoles = a.credentialedApproverRoles ?? DEFAULT_APPROVER_ROLES[provider];
  checkApproverRoles(
    v,
    "credentialedApproverRoles",
    credentialedApproverRoles,
    provider,
    MAINTAINER_ROLES,
    "; a credentialed preview is approved by maintainers only",
  );
  const concurrency = a.concurrentBuildLimit ?? 2;
  v.integer("concurrentBuildLimit", concurrency, { min: 1, max: 100 });
  const organization = a.pulumiOrganization ?? "organization";
  v.matches("pulumiOrganization", organization, PULUMI_NAME, "must be letters, digits, '_', '.', '-'");
  const pulumiVersion = a.pulumiVersion ?? DEFAULT_PULUMI_VERSION;
  v.matches("pulumiVersion", pulumiVersion, CLI_VERSION, "must be an exact CLI version like 3.248.0");
  const retention = a.logRetentionInDays ?? 30;
  validateRetention(v, "logRetentionInDays", retention);
  const exchangeDays = a.exchangeRetentionInDays ?? 3;
  v.integer("exchangeRetentionInDays", exchangeDays, { min: 1, max: 30 });
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
    commentApproval,
    approverRoles,
    credentialedApproverRoles,
    concurrency,
    organization,
    pulumiVersion,
    retention,
    exchangeDays,
  };
}

/** What one orchestrator + worker pair is built from. */
interface Lane {
  /** Name prefix of the pair's children: `${name}` (offline) or `${name}-aws` (credentialed). */
  prefix: string;
  mode: "offline" | "pulumi";
  /** Extra statements of the worker's role (the credentialed one may assume the per-stack roles). */
  workerStatements: PolicyStatement[];
  workerVariables: aws.types.input.codebuild.ProjectEnvironmentEnvironmentVariable[];
  orchestratorVariables: aws.types.input.codebuild.ProjectEnvironmentEnvironmentVariable[];
  buildPolicy: aws.types.input.codebuild.WebhookPullRequestBuildPolicy;
}

/**
 * Previews the Pulumi stacks a pull request affects and keeps one comment on it up to date, in two
 * CodeBuild projects per lane so that pull-request code never runs next to a credential:
 *
 * - the **orchestrator** (webhook; trusted buildspec, no pull-request code) packs the pull request as
 *   a git bundle into the exchange bucket, starts the worker on it, reads its `report.json` as data,
 *   renders it safely and comments with the token;
 * - the **worker** runs the pull request's code (install with --ignore-scripts, build, `berth
 *   preview`) with a role that can write its logs and its report, read its source, nothing else.
 *
 * `mode: "pulumi"` adds a second lane for credentialed `pulumi preview --diff`: every build waits
 * for a maintainer's `/codebuild_run(<commit>)`, runs only for branches of this repository, and its
 * worker may only assume the read-only per-stack roles of `previewRoleArns`.
 *
 * @example
 * new PullRequestPreviews("previews", {
 *   source: { connectionArn, repository: "acme/berth" },
 *   githubTokenSecretArn: token.arn,
 * });
 */
export class PullRequestPreviews extends pulumi.ComponentResource {
  /** The offline lane's orchestrator (the webhook's project). */
  readonly projectName: pulumi.Output<string>;
  readonly projectArn: pulumi.Output<string>;
  /** The offline orchestrator's role (reads the token; runs no pull-request code). */
  readonly roleArn: pulumi.Output<string>;
  /** The offline worker, which runs pull-request code with no credential. */
  readonly workerProjectName: pulumi.Output<string>;
  readonly workerRoleArn: pulumi.Output<string>;
  /**
   * The credentialed worker's role (`pulumi` mode): the one principal the per-stack preview roles
   * (stacks/bootstrap `berth-preview-<env>`) trust. Undefined in `offline` mode.
   */
  readonly previewPrincipalArn: pulumi.Output<string | undefined>;
  readonly exchangeBucketName: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  /** The offline lane's webhook payload URL (CodeBuild registers it with the git host). */
  readonly webhookUrl: pulumi.Output<string>;

  constructor(name: string, args: PullRequestPreviewsArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = validate(name, args);
    super(TYPE, name, {}, opts);

    const tags = mergeTags({ "berth:component": "PullRequestPreviews" }, args.tags);
    const t = args.transform ?? {};
    const conn = connectionParts(args.source.connectionArn);
    const buildspec = args.buildspec ?? loadBuildspec("preview");
    const buildEnv = BUILD_ENVIRONMENTS["linux/arm64"];

    const [lgArgs, lgOpts] = transformed(
      t.logGroup,
      { retentionInDays: r.retention, tags } as aws.cloudwatch.LogGroupArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, lgArgs, lgOpts);

    // The exchange bucket: sources/<orchestrator build>/source.zip in, reports/<same>/report/report.json out.
    const [bArgs, bOpts] = transformed(
      t.exchangeBucket,
      { forceDestroy: true, tags } as aws.s3.BucketArgs,
      { parent: this } as pulumi.CustomResourceOptions,
    );
    const bucket = new aws.s3.Bucket(`${name}-exchange`, bArgs, bOpts);
    privateBucketControls(
      `${name}-exchange`,
      bucket,
      { parent: this },
      { encryption: "AES256", ownershipEnforced: true, versioning: false },
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-exchange-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-exchange",
            status: "Enabled",
            filter: { prefix: "" },
            expiration: { days: r.exchangeDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      { parent: this },
    );
    const sources = pulumi.interpolate`${bucket.arn}/sources/*`;
    const reports = pulumi.interpolate`${bucket.arn}/reports/*`;
    new aws.s3.BucketPolicy(
      `${name}-exchange-policy`,
      {
        bucket: bucket.id,
        policy: pulumi.jsonStringify(
          policyDocument([
            denyInsecureTransport("s3:*", [
              bucket.arn,
              pulumi.interpolate`${bucket.arn}/*`,
            ] as unknown as string[]),
          ]),
        ),
      },
      { parent: this },
    );

    const role = (roleName: string, description: string) => {
      const [roleArgs, roleOpts] = transformed(
        t.role,
        {
          description,
          assumeRolePolicy: conn.account.apply((acc) =>
            JSON.stringify(assumeRolePolicy("codebuild.amazonaws.com", acc)),
          ),
          tags,
        } as aws.iam.RoleArgs,
        { parent: this } as pulumi.CustomResourceOptions,
      );
      return new aws.iam.Role(roleName, roleArgs, roleOpts);
    };
    const inline = (policyName: string, target: aws.iam.Role, statements: PolicyStatement[]) => {
      const [pArgs, pOpts] = transformed(
        t.rolePolicy,
        {
          role: target.name,
          policy: pulumi.jsonStringify(policyDocument(statements)),
        } as aws.iam.RolePolicyArgs,
        { parent: this } as pulumi.CustomResourceOptions,
      );
      return new aws.iam.RolePolicy(policyName, pArgs, pOpts);
    };
    const filters: aws.types.input.codebuild.WebhookFilterGroupFilter[] = [
      { type: "EVENT", pattern: PREVIEW_EVENTS.join(", ") },
      { type: "BASE_REF", pattern: `^refs/heads/${escapeRegExp(r.branch)}$` },
    ];
    if (args.source.paths) {
      filters.push({ type: "FILE_PATH", pattern: `^(${args.source.paths.map(escapeRegExp).join("|")})` });
    }
    const environment = (variables: aws.types.input.codebuild.ProjectEnvironmentEnvironmentVariable[]) => ({
      type: buildEnv.type,
      image: buildEnv.image,
      computeType: "BUILD_GENERAL1_SMALL",
      imagePullCredentialsType: "CODEBUILD",
      privilegedMode: false,
      environmentVariables: variables,
    });
    const logsConfig = (stream: string) => ({
      cloudwatchLogs: { status: "ENABLED", groupName: logGroup.name, streamName: stream },
      s3Logs: { status: "DISABLED" },
    });

    const lane = (l: Lane, extraDependsOn: pulumi.Resource[] = []) => {
      // Worker: pull-request code. Its logs, its source, its report: nothing else.
      const workerRole = role(
        `${l.prefix}-worker-role`,
        `Berth pull-request previews ${name}: runs pull-request code (${l.mode}); logs and its report only`,
      );
      const workerPolicy = inline(`${l.prefix}-worker-policy`, workerRole, [
        ...logStatements(logGroup.arn),
        {
          Sid: "ReadOwnSource",
          Effect: "Allow",
          Action: ["s3:GetObject", "s3:GetObjectVersion"],
          Resource: sources as unknown as string,
        },
        {
          Sid: "WriteOwnReport",
          Effect: "Allow",
          Action: "s3:PutObject",
          Resource: reports as unknown as string,
        },
        {
          Sid: "LocateExchangeBucket",
          Effect: "Allow",
          Action: ["s3:GetBucketAcl", "s3:GetBucketLocation"],
          Resource: bucket.arn as unknown as string,
        },
        ...l.workerStatements,
      ]);
      const [wArgs, wOpts] = transformed(
        t.workerProject,
        {
          description: `Berth pull-request previews for ${args.source.repository}: runs the pull request (${l.mode}), no credentials`,
          serviceRole: workerRole.arn,
          source: {
            type: "S3",
            location: pulumi.interpolate`${bucket.bucket}/sources/none/source.zip`,
            buildspec,
          },
          artifacts: {
            type: "S3",
            location: bucket.bucket,
            path: "reports/none",
            name: "report",
            packaging: "NONE",
            namespaceType: "NONE",
          },
          environment: environment([
            plain("PREVIEW_STAGE", "run"),
            plain("PREVIEW_MODE", l.mode),
            ...l.workerVariables,
          ]),
          logsConfig: logsConfig(`${l.prefix}-worker`),
          concurrentBuildLimit: r.concurrency,
          buildTimeout: 30,
          tags,
        } as aws.codebuild.ProjectArgs,
        { parent: this, dependsOn: [workerPolicy, ...extraDependsOn] } as pulumi.CustomResourceOptions,
      );
      const worker = new aws.codebuild.Project(`${l.prefix}-worker`, wArgs, wOpts);

      // Orchestrator: trusted text only; reads the token, never runs pull-request code.
      const orchestratorRole = role(
        `${l.prefix}-role`,
        `Berth pull-request previews ${name}: orchestrates (${l.mode}), runs no pull-request code`,
      );
      const orchestratorPolicy = inline(`${l.prefix}-policy`, orchestratorRole, [
        ...logStatements(logGroup.arn),
        connectionStatement(args.source.connectionArn, [
          "UseConnection",
          "GetConnectionToken",
          "GetConnection",
        ]),
        {
          Sid: "UploadSource",
          Effect: "Allow",
          Action: "s3:PutObject",
          Resource: sources as unknown as string,
        },
        {
          Sid: "ReadReport",
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: reports as unknown as string,
        },
        {
          Sid: "RunWorker",
          Effect: "Allow",
          Action: ["codebuild:StartBuild", "codebuild:BatchGetBuilds", "codebuild:StopBuild"],
          Resource: worker.arn as unknown as string,
        },
        ...(args.githubTokenSecretArn !== undefined
          ? [
              {
                Sid: "ReadCommentToken",
                Effect: "Allow" as const,
                Action: "secretsmanager:GetSecretValue",
                Resource: args.githubTokenSecretArn as string,
              },
            ]
          : []),
      ]);
      const [pArgs, pOpts] = transformed(
        t.project,
        {
          description: `Berth pull-request previews for ${args.source.repository}: orchestrator (${l.mode}), runs no pull-request code`,
          serviceRole: orchestratorRole.arn,
          source: {
            type: r.provider.toUpperCase(),
            location: repositoryUrl(args.source.repository, r.provider),
            gitCloneDepth: 0,
            buildspec,
            reportBuildStatus: true,
            auth: { type: "CODECONNECTIONS", resource: args.source.connectionArn },
          },
          artifacts: { type: "NO_ARTIFACTS" },
          environment: environment([
            plain("PREVIEW_STAGE", "orchestrate"),
            plain("PREVIEW_MODE", l.mode),
            plain("GITHUB_REPOSITORY", args.source.repository),
            plain("BASE_BRANCH", r.branch),
            plain("EXCHANGE_BUCKET", bucket.bucket),
            plain("WORKER_PROJECT", worker.name),
            plain("WAIT_SECONDS", "2100"),
            ...(args.commentAuthor !== undefined ? [plain("COMMENT_AUTHOR", args.commentAuthor)] : []),
            ...l.orchestratorVariables,
            ...(args.githubTokenSecretArn !== undefined
              ? [{ name: "GITHUB_TOKEN", value: args.githubTokenSecretArn, type: "SECRETS_MANAGER" }]
              : []),
          ]),
          logsConfig: logsConfig(`${l.prefix}-orchestrator`),
          concurrentBuildLimit: r.concurrency,
          buildTimeout: 45,
          tags,
        } as aws.codebuild.ProjectArgs,
        { parent: this, dependsOn: [orchestratorPolicy] } as pulumi.CustomResourceOptions,
      );
      const project = new aws.codebuild.Project(`${l.prefix}-project`, pArgs, pOpts);
      const [whArgs, whOpts] = transformed(
        t.webhook,
        {
          projectName: project.name,
          buildType: "BUILD",
          filterGroups: [{ filters }],
          pullRequestBuildPolicy: l.buildPolicy,
        } as aws.codebuild.WebhookArgs,
        { parent: this } as pulumi.CustomResourceOptions,
      );
      const webhook = new aws.codebuild.Webhook(`${l.prefix}-webhook`, whArgs, whOpts);
      return { worker, workerRole, project, orchestratorRole, webhook };
    };

    const offline = lane({
      prefix: name,
      mode: "offline",
      workerStatements: [],
      workerVariables: [],
      orchestratorVariables: [plain("REQUIRE_SAME_REPOSITORY", "false")],
      buildPolicy: { requiresCommentApproval: r.commentApproval, approverRoles: r.approverRoles },
    });

    let previewPrincipalArn: pulumi.Output<string | undefined> = pulumi.output(undefined);
    let credentialed = false;
    const stackRoles = Object.values(args.previewRoleArns ?? {});
    if (r.mode === "pulumi" && stackRoles.length > 0) {
      const state = args.state!;
      // Managed policies on the credentialed worker's own role: none by default; the exclusive list
      // detaches anything attached out of band on the next `pulumi up`.
      const readOnlyPolicies = args.readOnlyPolicyArns ?? [];
      const awsLane = lane({
        prefix: `${name}-aws`,
        mode: "pulumi",
        workerStatements: [
          {
            Sid: "AssumeStackPreviewRoles",
            Effect: "Allow",
            Action: "sts:AssumeRole",
            Resource: stackRoles as unknown as string[],
          },
        ],
        workerVariables: [
          plain("STATE_BUCKET", state.bucket),
          ...(state.region ? [plain("STATE_REGION", state.region)] : []),
          plain("PULUMI_ORG", r.organization),
          plain("PULUMI_VERSION", r.pulumiVersion),
          plain("PREVIEW_ROLE_ARNS", pulumi.jsonStringify(args.previewRoleArns ?? {})),
        ],
        orchestratorVariables: [plain("REQUIRE_SAME_REPOSITORY", "true")],
        // Every credentialed build waits for a maintainer's `/codebuild_run(<commit>)` (maintainers'
        // own pull requests excepted), for that commit only.
        buildPolicy: {
          requiresCommentApproval: "ALL_PULL_REQUESTS",
          approverRoles: r.credentialedApproverRoles,
        },
      });
      const workerRole = awsLane.workerRole;
      const attachments = readOnlyPolicies.map((policyArn, i) => {
        const [aArgs, aOpts] = transformed(
          t.readOnlyPolicyAttachment,
          { role: workerRole.name, policyArn } as aws.iam.RolePolicyAttachmentArgs,
          { parent: this } as pulumi.CustomResourceOptions,
        );
        return new aws.iam.RolePolicyAttachment(`${name}-read-${i}`, aArgs, aOpts);
      });
      const [exArgs, exOpts] = transformed(
        t.managedPolicies,
        {
          roleName: workerRole.name,
          policyArns: readOnlyPolicies,
        } as aws.iam.RolePolicyAttachmentsExclusiveArgs,
        { parent: this, dependsOn: attachments } as pulumi.CustomResourceOptions,
      );
      new aws.iam.RolePolicyAttachmentsExclusive(`${name}-managed-policies`, exArgs, exOpts);
      previewPrincipalArn = workerRole.arn;
      credentialed = true;
    }

    this.projectName = offline.project.name;
    this.projectArn = offline.project.arn;
    this.roleArn = offline.orchestratorRole.arn;
    this.workerProjectName = offline.worker.name;
    this.workerRoleArn = offline.workerRole.arn;
    this.previewPrincipalArn = previewPrincipalArn;
    this.exchangeBucketName = bucket.bucket;
    this.logGroupName = logGroup.name;
    this.webhookUrl = offline.webhook.payloadUrl;
    this.registerOutputs({
      projectName: this.projectName,
      projectArn: this.projectArn,
      roleArn: this.roleArn,
      workerProjectName: this.workerProjectName,
      workerRoleArn: this.workerRoleArn,
      ...(credentialed ? { previewPrincipalArn: this.previewPrincipalArn } : {}),
      exchangeBucketName: this.exchangeBucketName,
      logGroupName: this.logGroupName,
      webhookUrl: this.webhookUrl,
    });
  }
}
