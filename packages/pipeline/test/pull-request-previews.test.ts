import { expectInvalid, type RunResult, runComponent } from "@berth/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { IAM_ROLE_ARN, PullRequestPreviews, type PullRequestPreviewsArgs } from "../src/index.js";
import { allStatements, CONNECTION, list, projectVariables, statements } from "./helpers.js";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const TOKEN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:berth/github-token-AbCdEf";
const WEBHOOK = "aws:codebuild/webhook:Webhook";
const PROJECT = "aws:codebuild/project:Project";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive";

function args(over: Partial<PullRequestPreviewsArgs> = {}): PullRequestPreviewsArgs {
  return {
    source: { connectionArn: CONNECTION, repository: "acme/berth" },
    state: { bucket: "acme-berth-state", keyArn: KEY },
    githubTokenSecretArn: TOKEN,
    ...over,
  };
}

describe("PullRequestPreviews", () => {
  let run: RunResult;
  beforeAll(async () => {
    run = await runComponent(() => new PullRequestPreviews("previews", args()));
  });

  it("builds pull requests created, updated or reopened against the default branch (anchored pattern)", () => {
    const webhook = run.one(WEBHOOK);
    expect(webhook.inputs.projectName).toBe(run.one(PROJECT).outputs.name);
    expect(webhook.inputs.filterGroups).toEqual([
      {
        filters: [
          { type: "EVENT", pattern: "PULL_REQUEST_CREATED, PULL_REQUEST_UPDATED, PULL_REQUEST_REOPENED" },
          { type: "BASE_REF", pattern: "^refs/heads/main$" },
        ],
      },
    ]);
  });

  it("requires a maintainer's comment approval for pull requests from forks", () => {
    expect(run.one(WEBHOOK).inputs.pullRequestBuildPolicy).toEqual({
      requiresCommentApproval: "FORK_PULL_REQUESTS",
      approverRoles: ["GITHUB_MAINTAIN", "GITHUB_ADMIN"],
    });
  });

  it("clones the full history through the connection, unprivileged, with a concurrency limit", () => {
    const project = run.one(PROJECT);
    expect(project.inputs.source).toMatchObject({
      type: "GITHUB",
      location: "https://github.com/acme/berth.git",
      gitCloneDepth: 0,
      auth: { type: "CODECONNECTIONS", resource: CONNECTION },
    });
    expect((project.inputs.source as { buildspec: string }).buildspec).toContain(
      "# Berth buildspec: preview",
    );
    expect((project.inputs.environment as { privilegedMode: boolean }).privilegedMode).toBe(false);
    expect(project.inputs.concurrentBuildLimit).toBe(2);
  });

  it("reads the GitHub token from Secrets Manager, never as plain text", () => {
    const vars = projectVariables(run.one(PROJECT));
    expect(vars.GITHUB_TOKEN).toEqual({ value: TOKEN, type: "SECRETS_MANAGER" });
    for (const [name, v] of Object.entries(vars))
      if (name !== "GITHUB_TOKEN") expect(v.type).toBe("PLAINTEXT");
    expect(vars.PREVIEW_MODE?.value).toBe("pulumi");
    expect(vars.STATE_BUCKET?.value).toBe("acme-berth-state");
  });

  it("has a read-only role: ViewOnlyAccess, the release pointers, the state bucket read, the state key decrypt, the token, nothing else", () => {
    const role = run.one("aws:iam/role:Role");
    expect(role.inputs.managedPolicyArns).toBeUndefined();
    const attachment = run.one(ATTACHMENT);
    expect(attachment.inputs).toMatchObject({
      role: role.outputs.name,
      policyArn: "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
    });
    expect(attachment.parent).toBe(run.one("berth:pipeline:PullRequestPreviews").urn);
    expect(run.one(EXCLUSIVE).inputs).toEqual({
      roleName: role.outputs.name,
      policyArns: ["arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"],
    });
    const policy = run.one("aws:iam/rolePolicy:RolePolicy");
    const actions = statements(run, policy).flatMap((s) => list(s.Action));
    const writes = actions.filter(
      (a) =>
        !/^(logs:(CreateLogStream|PutLogEvents)|s3:(Get|List)\w+|kms:Decrypt|ssm:GetParameter|sts:GetCallerIdentity|secretsmanager:GetSecretValue|(codestar-connections|codeconnections):(UseConnection|GetConnectionToken|GetConnection))$/.test(
          a,
        ),
    );
    expect(writes).toEqual([]);
    const byAction = (a: string) => statements(run, policy).find((s) => list(s.Action).includes(a))!;
    expect(list(byAction("s3:GetObject").Resource)).toEqual(["arn:aws:s3:::acme-berth-state/*"]);
    expect(list(byAction("s3:ListBucket").Resource)).toEqual(["arn:aws:s3:::acme-berth-state"]);
    expect(list(byAction("kms:Decrypt").Resource)).toEqual([KEY]);
    expect(list(byAction("ssm:GetParameter").Resource)).toEqual([
      "arn:aws:ssm:*:123456789012:parameter/berth/*",
    ]);
    expect(list(byAction("sts:GetCallerIdentity").Resource)).toEqual(["*"]);
    expect(list(byAction("secretsmanager:GetSecretValue").Resource)).toEqual([TOKEN]);
    // only sts:GetCallerIdentity is on "*"; every read of data names its resource
    const onStar = statements(run, policy).filter((s) => list(s.Resource).includes("*"));
    expect(onStar.flatMap((s) => list(s.Action))).toEqual(["sts:GetCallerIdentity"]);
    expect(actions).not.toContain("sts:AssumeRole");
    expect(projectVariables(run.one(PROJECT)).PREVIEW_ROLE_ARNS).toBeUndefined();
    for (const { statement } of allStatements(run)) {
      expect(list(statement.Action).includes("*") && list(statement.Resource).includes("*")).toBe(false);
    }
  });

  it("may assume exactly the per-stack read roles it is given, and hands them to the buildspec", async () => {
    const roles = {
      "berth-platform/prod": "arn:aws:iam::210987654321:role/berth-preview-prod",
      "345678901234": "arn:aws:iam::345678901234:role/berth-preview",
    };
    const multi = await runComponent(
      () => new PullRequestPreviews("previews", args({ previewRoleArns: roles })),
    );
    const assume = statements(multi, multi.one("aws:iam/rolePolicy:RolePolicy")).filter((s) =>
      list(s.Action).some((a) => a.startsWith("sts:") && a !== "sts:GetCallerIdentity"),
    );
    expect(assume).toHaveLength(1);
    expect(list(assume[0]!.Action)).toEqual(["sts:AssumeRole"]);
    expect(list(assume[0]!.Resource)).toEqual(Object.values(roles));
    const vars = projectVariables(multi.one(PROJECT));
    expect(vars.PREVIEW_ROLE_ARNS?.type).toBe("PLAINTEXT");
    expect(JSON.parse(vars.PREVIEW_ROLE_ARNS!.value)).toEqual(roles);
  });

  it("replaces ViewOnlyAccess with readOnlyPolicyArns, reads another pointer prefix, and transforms attachments", async () => {
    const custom = "arn:aws:iam::123456789012:policy/berth-preview-read";
    const other = await runComponent(
      () =>
        new PullRequestPreviews(
          "previews",
          args({
            readOnlyPolicyArns: [custom, "arn:aws:iam::aws:policy/AWSCodeBuildReadOnlyAccess"],
            releaseParameterPrefix: "/acme/berth",
            transform: { readOnlyPolicyAttachment: (a) => ({ ...a, policyArn: a.policyArn }) },
          }),
        ),
    );
    expect(other.ofType(ATTACHMENT).map((a) => a.inputs.policyArn)).toEqual([
      custom,
      "arn:aws:iam::aws:policy/AWSCodeBuildReadOnlyAccess",
    ]);
    expect(other.one(EXCLUSIVE).inputs.policyArns).toEqual([
      custom,
      "arn:aws:iam::aws:policy/AWSCodeBuildReadOnlyAccess",
    ]);
    const ssm = statements(other, other.one("aws:iam/rolePolicy:RolePolicy")).find(
      (s) => s.Sid === "ReadReleasePointers",
    )!;
    expect(list(ssm.Resource)).toEqual(["arn:aws:ssm:*:123456789012:parameter/acme/berth/*"]);
  });

  it("in offline mode gets no AWS read access, no state and no key", async () => {
    const offline = await runComponent(
      () =>
        new PullRequestPreviews("previews", {
          source: { connectionArn: CONNECTION, repository: "acme/berth" },
          mode: "offline",
        }),
    );
    expect(offline.ofType(ATTACHMENT)).toEqual([]);
    // the exclusive list detaches anything attached to the role before (or out of band)
    expect(offline.one(EXCLUSIVE).inputs.policyArns).toEqual([]);
    const actions = statements(offline, offline.one("aws:iam/rolePolicy:RolePolicy")).flatMap((s) =>
      list(s.Action),
    );
    expect(actions.filter((a) => /^(s3|kms|secretsmanager|ssm|sts):/.test(a))).toEqual([]);
    const vars = projectVariables(offline.one(PROJECT));
    expect(vars.PREVIEW_MODE?.value).toBe("offline");
    expect(vars.STATE_BUCKET).toBeUndefined();
  });

  it("filters on paths and another branch for GitLab, with GitLab approvers", async () => {
    const gitlab = await runComponent(
      () =>
        new PullRequestPreviews(
          "previews",
          args({
            source: {
              connectionArn: CONNECTION,
              repository: "acme/platform/berth",
              provider: "gitlab",
              defaultBranch: "release/1.x",
              paths: ["stacks/", "packages/"],
            },
            commentApproval: "ALL_PULL_REQUESTS",
            concurrentBuildLimit: 4,
          }),
        ),
    );
    const webhook = gitlab.one(WEBHOOK);
    const filters = (webhook.inputs.filterGroups as { filters: { type: string; pattern: string }[] }[])[0]!
      .filters;
    expect(filters).toContainEqual({ type: "BASE_REF", pattern: "^refs/heads/release\\/1\\.x$" });
    expect(filters).toContainEqual({ type: "FILE_PATH", pattern: "^(stacks\\/|packages\\/)" });
    expect(webhook.inputs.pullRequestBuildPolicy).toEqual({
      requiresCommentApproval: "ALL_PULL_REQUESTS",
      approverRoles: ["GITLAB_MAINTAINER", "GITLAB_OWNER"],
    });
    expect(gitlab.one(PROJECT).inputs.source).toMatchObject({
      type: "GITLAB",
      location: "https://gitlab.com/acme/platform/berth.git",
    });
    expect(gitlab.one(PROJECT).inputs.concurrentBuildLimit).toBe(4);
  });
});

describe("PullRequestPreviews validation", () => {
  const invalid: [string, Partial<PullRequestPreviewsArgs>, RegExp, string][] = [
    [
      "pulumi mode without state",
      { state: undefined },
      /state is undefined; pulumi mode reads the state/,
      "state",
    ],
    [
      "a state key that is not a KMS key",
      { state: { bucket: "acme-berth-state", keyArn: "arn:aws:kms:us-east-1:123456789012:alias/x" } },
      /state\.keyArn is .*must be an ARN of kms/,
      "state.keyArn",
    ],
    [
      "a token that is not a secret",
      { githubTokenSecretArn: "arn:aws:ssm:us-east-1:123456789012:parameter/token" },
      /githubTokenSecretArn is .*must be an ARN of secretsmanager/,
      "githubTokenSecretArn",
    ],
    [
      "disabled comment approval",
      { commentApproval: "DISABLED" as "FORK_PULL_REQUESTS" },
      /commentApproval is "DISABLED"; allowed: "FORK_PULL_REQUESTS", "ALL_PULL_REQUESTS"/,
      "commentApproval",
    ],
    [
      "an approver role of another host",
      { approverRoles: ["GITLAB_OWNER"] },
      /approverRoles\[0\] is "GITLAB_OWNER"; must be a github role/,
      "approverRoles[0]",
    ],
    [
      "an unknown approver role",
      { approverRoles: ["GITHUB_GOD"] },
      /approverRoles\[0\] is "GITHUB_GOD"; allowed:/,
      "approverRoles[0]",
    ],
    [
      "a concurrency of zero",
      { concurrentBuildLimit: 0 },
      /concurrentBuildLimit is 0; must be a whole number from 1 to 100/,
      "concurrentBuildLimit",
    ],
    [
      "a default branch ending in .lock",
      { source: { connectionArn: CONNECTION, repository: "acme/berth", defaultBranch: "main.lock" } },
      /source\.defaultBranch is "main\.lock"/,
      "source.defaultBranch",
    ],
    [
      "a path escaping the repository",
      { source: { connectionArn: CONNECTION, repository: "acme/berth", paths: ["../x"] } },
      /source\.paths\[0\] is "\.\.\/x"/,
      "source.paths[0]",
    ],
    [
      "a per-stack read role that is not an IAM role",
      { previewRoleArns: { "berth-platform/prod": "arn:aws:iam::210987654321:user/preview" } },
      /previewRoleArns\["berth-platform\/prod"\] is .*must be an IAM role ARN/,
      'previewRoleArns["berth-platform/prod"]',
    ],
    [
      "a per-stack read role under a key that is neither project/stack nor an account",
      { previewRoleArns: { prod: "arn:aws:iam::210987654321:role/berth-preview-prod" } },
      /previewRoleArns\["prod"\] is "prod"; keys must be <project>\/<stack>/,
      'previewRoleArns["prod"]',
    ],
    [
      "an account's read role in another account",
      { previewRoleArns: { "210987654321": "arn:aws:iam::123456789012:role/berth-preview" } },
      /must be a role in account 210987654321/,
      'previewRoleArns["210987654321"]',
    ],
    [
      "per-stack read roles in offline mode",
      {
        mode: "offline",
        state: undefined,
        previewRoleArns: { "berth-platform/prod": "arn:aws:iam::210987654321:role/berth-preview-prod" },
      },
      /previewRoleArns is .*only used in pulumi mode/,
      "previewRoleArns",
    ],
    [
      "a per-stack read role outside the aws, aws-cn and aws-us-gov partitions",
      { previewRoleArns: { "210987654321": "arn:aws-iso:iam::210987654321:role/berth-preview" } },
      /previewRoleArns\["210987654321"\] is .*must be an IAM role ARN/,
      'previewRoleArns["210987654321"]',
    ],
    [
      "a release parameter prefix with a trailing slash",
      { releaseParameterPrefix: "/berth/" },
      /releaseParameterPrefix is "\/berth\/"; must be an SSM path/,
      "releaseParameterPrefix",
    ],
    [
      "an unknown provider",
      { source: { connectionArn: CONNECTION, repository: "acme/berth", provider: "svn" as "github" } },
      /source\.provider is "svn"/,
      "source.provider",
    ],
    [
      "a connection ARN in the wrong shape",
      {
        source: {
          connectionArn: "arn:aws:codestar-connections:us-east-1:123456789012:connection/nope",
          repository: "acme/berth",
        },
      },
      /source\.connectionArn is .*must be a connection ARN/,
      "source.connectionArn",
    ],
    [
      "state in offline mode (it would be ignored)",
      { mode: "offline" },
      /state is \{.*\}; is only used in pulumi mode/,
      "state",
    ],
    [
      "read-only policies in offline mode",
      { mode: "offline", state: undefined, readOnlyPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
      /readOnlyPolicyArns is .*are only used in pulumi mode/,
      "readOnlyPolicyArns",
    ],
    ...(
      [
        "AdministratorAccess",
        "PowerUserAccess",
        "IAMFullAccess",
        "AmazonS3FullAccess",
        "job-function/SystemAdministrator",
        "service-role/AWSCodeBuildReadOnlyAccessAndMore",
      ] as const
    ).map((policy, i): [string, Partial<PullRequestPreviewsArgs>, RegExp, string] => [
      `the AWS managed ${policy} as a read-only policy`,
      {
        readOnlyPolicyArns: [
          "arn:aws:iam::aws:policy/ReadOnlyAccess",
          ...Array.from({ length: i % 2 }, () => "arn:aws:iam::aws:policy/SecurityAudit"),
          `arn:aws:iam::aws:policy/${policy}`,
        ],
      },
      new RegExp(
        `readOnlyPolicyArns\\[${1 + (i % 2)}\\] is "arn:aws:iam::aws:policy/${policy.replace("/", "\\/")}"; is an AWS managed policy that can change resources; a preview role takes read-only ones: ReadOnlyAccess, ViewOnlyAccess, job-function/ViewOnlyAccess, SecurityAudit`,
      ),
      `readOnlyPolicyArns[${1 + (i % 2)}]`,
    ]),
    [
      "a read-only policy that is not a policy ARN",
      { readOnlyPolicyArns: ["ReadOnlyAccess"] },
      /readOnlyPolicyArns\[0\] is "ReadOnlyAccess"; must be a managed policy ARN/,
      "readOnlyPolicyArns[0]",
    ],
    ["a tag key AWS reserves", { tags: { "aws:team": "x" } }, /tags/, "tags.aws:team"],
  ];
  for (const [what, over, message, field] of invalid) {
    it(`rejects ${what} before creating anything`, async () => {
      const err = await expectInvalid(() => new PullRequestPreviews("previews", args(over)), message);
      expect(err.field).toBe(field);
    });
  }

  it("rejects a component name with a space before creating anything", async () => {
    const err = await expectInvalid(
      () => new PullRequestPreviews("pr previews", args()),
      /name is "pr previews"/,
    );
    expect(err.field).toBe("name");
  });

  it("takes the read-only family of AWS managed policies, and warns naming customer managed ones", async () => {
    const readOnly = [
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
      "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
      "arn:aws:iam::aws:policy/SecurityAudit",
      "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
    ];
    const aws = await runComponent(
      () => new PullRequestPreviews("previews", args({ readOnlyPolicyArns: readOnly })),
    );
    expect(aws.ofType(ATTACHMENT).map((a) => a.inputs.policyArn)).toEqual(readOnly);
    expect(aws.diagnostics.filter((d) => d.severity === "warning")).toEqual([]);

    const custom = "arn:aws:iam::123456789012:policy/berth-preview-read";
    const run = await runComponent(
      () => new PullRequestPreviews("previews", args({ readOnlyPolicyArns: [readOnly[0]!, custom] })),
    );
    expect(run.ofType(ATTACHMENT).map((a) => a.inputs.policyArn)).toEqual([readOnly[0], custom]);
    const warnings = run.diagnostics.filter((d) => d.severity === "warning").map((d) => d.message);
    expect(warnings).toEqual([
      expect.stringContaining(
        `readOnlyPolicyArns ${custom} is a customer managed policy Berth cannot inspect offline; make sure it grants only read actions`,
      ),
    ]);
  });
});

describe("IAM_ROLE_ARN", () => {
  it("takes role ARNs (with paths) in the aws, aws-cn and aws-us-gov partitions, nothing else", () => {
    for (const ok of [
      "arn:aws:iam::210987654321:role/berth-preview-prod",
      "arn:aws-cn:iam::210987654321:role/team/berth-preview",
      "arn:aws-us-gov:iam::210987654321:role/berth+preview=1,a.b@c-d_e",
    ])
      expect(IAM_ROLE_ARN.test(ok), ok).toBe(true);
    for (const bad of [
      "arn:aws-iso:iam::210987654321:role/berth-preview",
      "arn:aws:iam::210987654321:user/berth-preview",
      "arn:aws:iam::21098765432:role/berth-preview",
      "arn:aws:iam::210987654321:role/",
      "arn:aws:sts::210987654321:role/berth-preview",
    ])
      expect(IAM_ROLE_ARN.test(bad), bad).toBe(false);
  });
});
