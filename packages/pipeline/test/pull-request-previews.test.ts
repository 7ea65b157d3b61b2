import { expectInvalid, type RecordedResource, type RunResult, runComponent } from "@berth/testing";
import { beforeAll, describe, expect, it } from "vitest";
import {
  IAM_ROLE_ARN,
  isReadOnlyManagedPolicy,
  PullRequestPreviews,
  type PullRequestPreviewsArgs,
} from "../src/index.js";
import { allStatements, CONNECTION, list, projectVariables, statements } from "./helpers.js";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const TOKEN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:berth/github-token-AbCdEf";
const DEV_ROLE = "arn:aws:iam::123456789012:role/berth-preview-dev";
const PROD_ROLE = "arn:aws:iam::210987654321:role/berth-preview-prod";
const WEBHOOK = "aws:codebuild/webhook:Webhook";
const PROJECT = "aws:codebuild/project:Project";
const ROLE = "aws:iam/role:Role";
const POLICY = "aws:iam/rolePolicy:RolePolicy";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const EXCLUSIVE = "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive";

/** Credentialed (pulumi) mode with the token, as stacks/shared uses it. */
function args(over: Partial<PullRequestPreviewsArgs> = {}): PullRequestPreviewsArgs {
  return {
    source: { connectionArn: CONNECTION, repository: "acme/berth" },
    mode: "pulumi",
    state: { bucket: "acme-berth-state", keyArn: KEY },
    githubTokenSecretArn: TOKEN,
    previewRoleArns: { "berth-platform/dev": DEV_ROLE, "210987654321": PROD_ROLE },
    ...over,
  };
}

const offlineArgs: PullRequestPreviewsArgs = {
  source: { connectionArn: CONNECTION, repository: "acme/berth" },
  githubTokenSecretArn: TOKEN,
};

/** The role a project runs as, and every action its inline policies and attachments give it. */
function serviceRole(run: RunResult, project: RecordedResource) {
  const role = run.ofType(ROLE).find((r) => r.outputs.arn === project.inputs.serviceRole)!;
  const policies = run.ofType(POLICY).filter((p) => p.inputs.role === role.outputs.name);
  const stmts = policies.flatMap((p) => statements(run, p));
  const managed = run.ofType(ATTACHMENT).filter((a) => a.inputs.role === role.outputs.name);
  return { role, stmts, actions: stmts.flatMap((s) => list(s.Action)), managed };
}

const WORKER_ACTIONS = [
  "logs:CreateLogStream",
  "logs:PutLogEvents",
  "s3:GetObject",
  "s3:GetObjectVersion",
  "s3:PutObject",
  "s3:GetBucketAcl",
  "s3:GetBucketLocation",
];

describe("PullRequestPreviews, offline (the default)", () => {
  let run: RunResult;
  beforeAll(async () => {
    run = await runComponent(() => new PullRequestPreviews("previews", offlineArgs));
  });

  it("has two projects: a webhook orchestrator and a worker without a webhook", () => {
    expect(run.ofType(PROJECT).map((p) => p.name)).toEqual(["previews-worker", "previews-project"]);
    expect(run.ofType(WEBHOOK).map((w) => w.inputs.projectName)).toEqual([
      run.named("previews-project").outputs.name,
    ]);
    const vars = projectVariables(run.named("previews-project"));
    expect(vars.PREVIEW_STAGE?.value).toBe("orchestrate");
    expect(vars.WORKER_PROJECT?.value).toBe(run.named("previews-worker").outputs.name);
    expect(vars.REQUIRE_SAME_REPOSITORY?.value).toBe("false");
  });

  it("gives the worker (pull-request code) no token, no secret variable, no connection, no AWS access beyond its logs, source and report", () => {
    const worker = run.named("previews-worker");
    const vars = projectVariables(worker);
    expect(Object.keys(vars).sort()).toEqual(["PREVIEW_MODE", "PREVIEW_STAGE"]);
    expect(vars.PREVIEW_STAGE?.value).toBe("run");
    for (const v of Object.values(vars)) expect(v.type).toBe("PLAINTEXT");
    expect(worker.inputs.source).toMatchObject({ type: "S3" });
    expect((worker.inputs.source as { auth?: unknown }).auth).toBeUndefined();
    const { role, stmts, actions, managed } = serviceRole(run, worker);
    expect([...new Set(actions)].sort()).toEqual([...WORKER_ACTIONS].sort());
    expect(managed).toEqual([]);
    const bucket = run.one("aws:s3/bucket:Bucket").outputs.arn as string;
    const by = (a: string) =>
      stmts.filter((s) => list(s.Action).includes(a)).flatMap((s) => list(s.Resource));
    expect(by("s3:GetObject")).toEqual([`${bucket}/sources/*`]);
    expect(by("s3:PutObject")).toEqual([`${bucket}/reports/*`]);
    expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "codebuild.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
      },
    ]);
  });

  it("gives the orchestrator the token and the connection, and may start exactly its worker", () => {
    const project = run.named("previews-project");
    const vars = projectVariables(project);
    expect(vars.GITHUB_TOKEN).toEqual({ value: TOKEN, type: "SECRETS_MANAGER" });
    expect(project.inputs.source).toMatchObject({
      type: "GITHUB",
      location: "https://github.com/acme/berth.git",
      gitCloneDepth: 0,
      auth: { type: "CODECONNECTIONS", resource: CONNECTION },
    });
    const { stmts, actions, managed } = serviceRole(run, project);
    expect(managed).toEqual([]);
    const start = stmts.find((s) => list(s.Action).includes("codebuild:StartBuild"))!;
    expect(list(start.Resource)).toEqual([run.named("previews-worker").outputs.arn]);
    expect(actions.filter((a) => /^(kms|ssm|sts|iam):/.test(a))).toEqual([]);
    expect(list(stmts.find((s) => s.Sid === "ReadCommentToken")!.Resource)).toEqual([TOKEN]);
  });

  it("requires a maintainer's comment approval for pull requests from forks", () => {
    expect(run.one(WEBHOOK).inputs.pullRequestBuildPolicy).toEqual({
      requiresCommentApproval: "FORK_PULL_REQUESTS",
      approverRoles: ["GITHUB_MAINTAIN", "GITHUB_ADMIN"],
    });
    expect(run.one(WEBHOOK).inputs.filterGroups).toEqual([
      {
        filters: [
          { type: "EVENT", pattern: "PULL_REQUEST_CREATED, PULL_REQUEST_UPDATED, PULL_REQUEST_REOPENED" },
          { type: "BASE_REF", pattern: "^refs/heads/main$" },
        ],
      },
    ]);
  });

  it("keeps the exchange bucket private, TLS-only, owner-enforced and short-lived", () => {
    expect(run.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const policy = run.json(run.one("aws:s3/bucketPolicy:BucketPolicy"), "policy") as {
      Statement: { Effect: string; Condition?: unknown }[];
    };
    expect(policy.Statement[0]).toMatchObject({
      Effect: "Deny",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    const lc = run.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs as {
      rules: { expiration: { days: number } }[];
    };
    expect(lc.rules[0]!.expiration.days).toBe(3);
  });
});

describe("PullRequestPreviews, pulumi mode", () => {
  let run: RunResult;
  beforeAll(async () => {
    run = await runComponent(() => new PullRequestPreviews("previews", args()));
  });

  it("adds a credentialed lane whose every build waits for a maintainer's approval and checks the head is a branch of this repository", () => {
    expect(
      run
        .ofType(PROJECT)
        .map((p) => p.name)
        .sort(),
    ).toEqual(["previews-aws-project", "previews-aws-worker", "previews-project", "previews-worker"]);
    const aws = run.named("previews-aws-webhook");
    expect(aws.inputs.pullRequestBuildPolicy).toEqual({
      requiresCommentApproval: "ALL_PULL_REQUESTS",
      approverRoles: ["GITHUB_MAINTAIN", "GITHUB_ADMIN"],
    });
    const vars = projectVariables(run.named("previews-aws-project"));
    expect(vars.REQUIRE_SAME_REPOSITORY?.value).toBe("true");
    expect(vars.PREVIEW_MODE?.value).toBe("pulumi");
  });

  it("lets the credentialed worker assume exactly the per-stack read roles, and read no state, key, parameter or secret itself", () => {
    const worker = run.named("previews-aws-worker");
    const { stmts, actions, managed } = serviceRole(run, worker);
    expect([...new Set(actions)].sort()).toEqual([...WORKER_ACTIONS, "sts:AssumeRole"].sort());
    const assume = stmts.find((s) => list(s.Action).includes("sts:AssumeRole"))!;
    expect(list(assume.Resource)).toEqual([DEV_ROLE, PROD_ROLE]);
    expect(managed).toEqual([]);
    expect(run.one(EXCLUSIVE).inputs.policyArns).toEqual([]);
    const vars = projectVariables(worker);
    expect(vars.GITHUB_TOKEN).toBeUndefined();
    expect(JSON.parse(vars.PREVIEW_ROLE_ARNS!.value)).toEqual({
      "berth-platform/dev": DEV_ROLE,
      "210987654321": PROD_ROLE,
    });
    expect(vars.STATE_BUCKET?.value).toBe("acme-berth-state");
    for (const v of Object.values(vars)) expect(v.type).toBe("PLAINTEXT");
  });

  it("no role anywhere reads the state key, the state bucket, SSM or Secrets Manager except the orchestrators' token", () => {
    for (const { resource, statement } of allStatements(run)) {
      const actions = list(statement.Action);
      expect(
        actions.filter((a) => a.startsWith("kms:") || a.startsWith("ssm:")),
        resource.name,
      ).toEqual([]);
      expect(JSON.stringify(statement.Resource ?? "")).not.toContain("acme-berth-state");
      if (actions.includes("secretsmanager:GetSecretValue")) {
        expect(["previews-policy", "previews-aws-policy"]).toContain(resource.name);
        expect(list(statement.Resource)).toEqual([TOKEN]);
      }
      expect(actions.includes("*") && list(statement.Resource).includes("*")).toBe(false);
    }
  });

  it("exposes the credentialed worker's role as the principal the per-stack roles trust", () => {
    const worker = run.named("previews-aws-worker");
    expect(run.outputs).toBeDefined();
    const role = run.ofType(ROLE).find((r) => r.outputs.arn === worker.inputs.serviceRole)!;
    expect(role.name).toBe("previews-aws-worker-role");
  });

  it("creates no credentialed lane, with a warning, when no per-stack read role is given", async () => {
    const none = await runComponent(() => new PullRequestPreviews("previews", args({ previewRoleArns: {} })));
    expect(none.ofType(PROJECT).map((p) => p.name)).toEqual(["previews-worker", "previews-project"]);
    const warnings = none.diagnostics.filter(
      (d) => d.severity === "warning" && d.message.startsWith("berth:"),
    );
    expect(warnings.map((d) => d.message)).toEqual([
      expect.stringContaining("pulumi mode without previewRoleArns previews every stack offline"),
    ]);
  });

  it("attaches readOnlyPolicyArns to the credentialed worker only", async () => {
    const other = await runComponent(
      () =>
        new PullRequestPreviews(
          "previews",
          args({ readOnlyPolicyArns: ["arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"] }),
        ),
    );
    const worker = other.named("previews-aws-worker");
    expect(serviceRole(other, worker).managed.map((a) => a.inputs.policyArn)).toEqual([
      "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
    ]);
    expect(serviceRole(other, other.named("previews-worker")).managed).toEqual([]);
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
    const webhook = gitlab.named("previews-webhook");
    const filters = (webhook.inputs.filterGroups as { filters: { type: string; pattern: string }[] }[])[0]!
      .filters;
    expect(filters).toContainEqual({ type: "BASE_REF", pattern: "^refs/heads/release\\/1\\.x$" });
    expect(filters).toContainEqual({ type: "FILE_PATH", pattern: "^(stacks\\/|packages\\/)" });
    expect(webhook.inputs.pullRequestBuildPolicy).toEqual({
      requiresCommentApproval: "ALL_PULL_REQUESTS",
      approverRoles: ["GITLAB_MAINTAINER", "GITLAB_OWNER"],
    });
    expect(gitlab.named("previews-project").inputs.source).toMatchObject({
      type: "GITLAB",
      location: "https://gitlab.com/acme/platform/berth.git",
    });
    expect(gitlab.named("previews-project").inputs.concurrentBuildLimit).toBe(4);
  });
});

describe("PullRequestPreviews validation", () => {
  const invalid: [string, Partial<PullRequestPreviewsArgs>, RegExp, string][] = [
    [
      "pulumi mode without state",
      { state: undefined },
      /state is undefined; pulumi mode logs in to the state/,
      "state",
    ],
    [
      "a credentialed approver below maintainer",
      { credentialedApproverRoles: ["GITHUB_WRITE"] },
      /credentialedApproverRoles\[0\] is "GITHUB_WRITE"; allowed: "GITHUB_MAINTAIN", "GITHUB_ADMIN"/,
      "credentialedApproverRoles[0]",
    ],
    [
      "a comment author that is not a GitHub login",
      { commentAuthor: "bot; rm -rf /" },
      /commentAuthor is "bot; rm -rf \/"; must be a GitHub login/,
      "commentAuthor",
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
      { mode: "offline", previewRoleArns: undefined },
      /state is \{.*\}; is only used in pulumi mode/,
      "state",
    ],
    [
      "read-only policies in offline mode",
      {
        mode: "offline",
        state: undefined,
        previewRoleArns: undefined,
        readOnlyPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
      },
      /readOnlyPolicyArns is .*is only used in pulumi mode/,
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
        // AWS's is job-function/ViewOnlyAccess; nothing by that name exists at the root path
        "ViewOnlyAccess",
        "AWSLambda__ReadOnlyAccess",
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
        `readOnlyPolicyArns\\[${1 + (i % 2)}\\] is "arn:aws:iam::aws:policy/${policy.replace("/", "\\/")}"; is an AWS managed policy that can change resources; a preview role takes read-only ones: ReadOnlyAccess, job-function/ViewOnlyAccess, SecurityAudit or a service's <Service>ReadOnlyAccess or <Service>_ReadOnlyAccess`,
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
      // current names of some services' read-only policies have an underscore
      "arn:aws:iam::aws:policy/AWSLambda_ReadOnlyAccess",
      "arn:aws:iam::aws:policy/AWSCloudTrail_ReadOnlyAccess",
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

describe("isReadOnlyManagedPolicy", () => {
  it("takes the read-only family by AWS's real paths and names, with or without an underscore before ReadOnlyAccess", () => {
    for (const ok of [
      "ReadOnlyAccess",
      "job-function/ViewOnlyAccess",
      "SecurityAudit",
      "AmazonS3ReadOnlyAccess",
      "AWSLambda_ReadOnlyAccess",
      "AWSCloudTrail_ReadOnlyAccess",
    ])
      expect(isReadOnlyManagedPolicy(ok), ok).toBe(true);
    for (const bad of [
      "ViewOnlyAccess",
      "job-function/SystemAdministrator",
      "service-role/AWSLambda_ReadOnlyAccess",
      "AWSLambda__ReadOnlyAccess",
      "_ReadOnlyAccess",
      "AWSLambda_FullAccess",
      "ReadOnlyAccessAndMore",
    ])
      expect(isReadOnlyManagedPolicy(bad), bad).toBe(false);
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
