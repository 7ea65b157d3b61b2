import { expectInvalid, type RecordedResource, type RunResult, runComponent } from "@berth/testing";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { DeliveryPipeline, type DeliveryPipelineArgs, releaseParameterName } from "../src/index.js";
import {
  allStatements,
  CONNECTION,
  list,
  PROD_ROLE,
  pipelineArgs,
  projectVariables,
  REPO_ARN,
  statements,
} from "./helpers.js";

const PIPELINE = "aws:codepipeline/pipeline:Pipeline";
const PROJECT = "aws:codebuild/project:Project";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";

interface Action {
  name: string;
  category: string;
  provider: string;
  runOrder?: number;
  namespace?: string;
  inputArtifacts?: string[];
  outputArtifacts?: string[];
  configuration?: Record<string, string>;
}
interface Stage {
  name: string;
  actions: Action[];
}

function stages(run: RunResult): Stage[] {
  return run.one(PIPELINE).inputs.stages as Stage[];
}

function policyOf(run: RunResult, suffix: string): RecordedResource {
  return run.one(ROLE_POLICY, `hello-${suffix}-policy`);
}

describe("DeliveryPipeline with dev, staging and prod", () => {
  let run: RunResult;
  beforeAll(async () => {
    run = await runComponent(() => new DeliveryPipeline("hello", pipelineArgs()));
  });

  it("is a CodePipeline V2 with Source, Build and one deploy stage per environment in order", () => {
    const pipeline = run.one(PIPELINE);
    expect(pipeline.inputs.pipelineType).toBe("V2");
    expect(pipeline.inputs.executionMode).toBe("SUPERSEDED");
    expect(stages(run).map((s) => s.name)).toEqual([
      "Source",
      "Build",
      "Deploy-dev",
      "Deploy-staging",
      "Deploy-prod",
    ]);
    expect(pipeline.parent).toBe(run.one("berth:pipeline:DeliveryPipeline").urn);
  });

  it("takes the source from the connection on the branch as a git clone reference", () => {
    const [source] = stages(run)[0]!.actions;
    expect(source).toMatchObject({
      category: "Source",
      provider: "CodeStarSourceConnection",
      outputArtifacts: ["SourceArtifact"],
    });
    expect(source!.configuration).toEqual({
      ConnectionArn: CONNECTION,
      FullRepositoryId: "acme/berth",
      BranchName: "main",
      OutputArtifactFormat: "CODEBUILD_CLONE_REF",
    });
  });

  it("starts on pushes to the branch, filtered by file paths (V2 trigger)", () => {
    const triggers = run.one(PIPELINE).inputs.triggers as {
      providerType: string;
      gitConfiguration: {
        sourceActionName: string;
        pushes: { branches: { includes: string[] }; filePaths: unknown }[];
      };
    }[];
    expect(triggers).toHaveLength(1);
    expect(triggers[0]!.providerType).toBe("CodeStarSourceConnection");
    expect(triggers[0]!.gitConfiguration.sourceActionName).toBe("Source");
    expect(triggers[0]!.gitConfiguration.pushes).toEqual([
      { branches: { includes: ["main"] }, filePaths: { excludes: ["docs/**", "**/*.md"] } },
    ]);
  });

  it("tests and builds the image in parallel in the Build stage; the build exports its variables", () => {
    const build = stages(run)[1]!;
    expect(build.actions.map((a) => [a.name, a.category, a.provider, a.runOrder])).toEqual([
      ["Test", "Test", "CodeBuild", 1],
      ["BuildImage", "Build", "CodeBuild", 1],
    ]);
    const image = build.actions[1]!;
    expect(image.namespace).toBe("BuildVariables");
    expect(image.outputArtifacts).toEqual(["ImageArtifact"]);
    expect(image.configuration?.ProjectName).toBe(run.one(PROJECT, "hello-build-image").outputs.name);
  });

  it("asks for approval before prod only, and deploys after it", () => {
    const deploys = stages(run).slice(2);
    expect(deploys.map((s) => s.actions.map((a) => `${a.runOrder}:${a.name}`))).toEqual([
      ["1:Deploy"],
      ["1:Deploy"],
      ["1:Approve", "2:Deploy"],
    ]);
    const approve = deploys[2]!.actions[0]!;
    expect(approve).toMatchObject({ category: "Approval", provider: "Manual" });
    expect(approve.configuration?.NotificationArn).toBe(run.one("aws:sns/topic:Topic").outputs.arn);
    expect(approve.configuration?.CustomData).toContain("#{BuildVariables.IMAGE_URI}");
  });

  it("promotes the same digest: every deploy takes IMAGE_URI from the one image build", () => {
    for (const stage of stages(run).slice(2)) {
      const deploy = stage.actions.find((a) => a.name === "Deploy")!;
      expect(deploy.inputArtifacts).toEqual(["SourceArtifact", "ImageArtifact"]);
      expect(deploy.configuration?.PrimarySource).toBe("SourceArtifact");
      const vars = JSON.parse(deploy.configuration!.EnvironmentVariables!) as {
        name: string;
        value: string;
      }[];
      expect(vars).toContainEqual({
        name: "IMAGE_URI",
        value: "#{BuildVariables.IMAGE_URI}",
        type: "PLAINTEXT",
      });
    }
  });

  it("gives each environment a deploy project with its stack, release pointer and deploy role", () => {
    for (const [env, role] of [
      ["dev", "arn:aws:iam::123456789012:role/berth-deploy-dev"],
      ["prod", PROD_ROLE],
    ] as const) {
      const vars = projectVariables(run.one(PROJECT, `hello-deploy-${env}`));
      expect(vars.ENVIRONMENT?.value).toBe(env);
      expect(vars.STACK?.value).toBe(env);
      expect(vars.RELEASE_PARAMETER?.value).toBe(`/berth/${env}/hello/image`);
      expect(vars.DEPLOY_ROLE_ARN?.value).toBe(role);
      expect(vars.STATE_BUCKET?.value).toBe("acme-berth-state");
      expect(vars.PULUMI_PROJECT?.value).toBe("berth-platform");
      expect(vars.STACK_DIR?.value).toBe("stacks/platform");
      expect(Object.values(vars).every((v) => v.type === "PLAINTEXT")).toBe(true);
    }
  });

  it("turns privileged mode on for the image build only, on ARM by default", () => {
    const projects = run.ofType(PROJECT);
    expect(projects).toHaveLength(5);
    const privileged = projects.filter(
      (p) => (p.inputs.environment as { privilegedMode: boolean }).privilegedMode,
    );
    expect(privileged.map((p) => p.name)).toEqual(["hello-build-image"]);
    for (const p of projects) expect((p.inputs.environment as { type: string }).type).toBe("ARM_CONTAINER");
    const vars = projectVariables(run.one(PROJECT, "hello-build-image"));
    expect(vars.PLATFORM?.value).toBe("linux/arm64");
    expect(vars.DOCKERFILE?.value).toBe("apps/hello/Dockerfile");
    expect(vars.BUILD_CONTEXT?.value).toBe(".");
    expect(vars.IMAGE_REPO_URI?.value).toBe("123456789012.dkr.ecr.us-east-1.amazonaws.com/hello");
  });

  it("uses the shipped buildspecs and logs to CloudWatch with retention", () => {
    const image = run.one(PROJECT, "hello-build-image");
    expect((image.inputs.source as { buildspec: string }).buildspec).toContain(
      "# Berth buildspec: build-image",
    );
    for (const p of run.ofType(PROJECT)) {
      const logs = (p.inputs.logsConfig as { cloudwatchLogs: { status: string; groupName: string } })
        .cloudwatchLogs;
      expect(logs.status).toBe("ENABLED");
      const group = run.find(
        (r) => r.type === "aws:cloudwatch/logGroup:LogGroup" && r.outputs.name === logs.groupName,
      );
      expect(group).toHaveLength(1);
      expect(group[0]!.inputs.retentionInDays).toBe(30);
    }
  });

  it("stores artifacts in a versioned, KMS-encrypted, private bucket with a lifecycle", () => {
    const bucket = run.one("aws:s3/bucket:Bucket");
    const key = run.one("aws:kms/key:Key");
    expect(key.inputs.enableKeyRotation).toBe(true);
    const byBucket = (type: string) => run.find((r) => r.type === type && r.inputs.bucket === bucket.id);
    expect(byBucket("aws:s3/bucketVersioning:BucketVersioning")[0]!.inputs.versioningConfiguration).toEqual({
      status: "Enabled",
    });
    const sse = byBucket(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )[0]!;
    expect(sse.inputs.rules).toEqual([
      {
        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.outputs.arn },
        bucketKeyEnabled: true,
      },
    ]);
    expect(byBucket("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0]!.inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const lifecycle = byBucket("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[0]!;
    expect(lifecycle.inputs.rules).toEqual([
      expect.objectContaining({ status: "Enabled", expiration: { days: 30 } }),
    ]);
    expect(run.one(PIPELINE).inputs.artifactStores).toEqual([
      { type: "S3", location: bucket.outputs.bucket, encryptionKey: { id: key.outputs.arn, type: "KMS" } },
    ]);
  });

  it("notifies SNS on failures and pending approvals", () => {
    const rule = run.one("aws:codestarnotifications/notificationRule:NotificationRule");
    expect(rule.inputs.resource).toBe(run.one(PIPELINE).outputs.arn);
    expect(rule.inputs.eventTypeIds).toContain("codepipeline-pipeline-pipeline-execution-failed");
    expect(rule.inputs.eventTypeIds).toContain("codepipeline-pipeline-manual-approval-needed");
    expect(rule.inputs.targets).toEqual([
      { type: "SNS", address: run.one("aws:sns/topic:Topic").outputs.arn },
    ]);
  });

  it("allows no '*' action on a '*' resource in any policy", () => {
    const all = allStatements(run);
    expect(all.length).toBeGreaterThan(10);
    for (const { resource, statement } of all) {
      if (statement.Effect !== "Allow") continue;
      const wildAction = list(statement.Action).includes("*");
      const wildResource = list(statement.Resource).includes("*");
      expect(wildAction && wildResource, `${resource.name}: ${JSON.stringify(statement)}`).toBe(false);
      expect(statement.NotAction, resource.name).toBeUndefined();
    }
  });

  it("lets only the image build push layers, the deploys only re-tag, and only in the given repository", () => {
    for (const r of run.ofType(ROLE_POLICY)) {
      for (const s of statements(run, r)) {
        const uploads = list(s.Action).filter((a) =>
          ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"].includes(a),
        );
        if (uploads.length > 0) expect(r.name).toBe("hello-build-image-policy");
        if (!list(s.Action).includes("ecr:PutImage")) continue;
        expect(list(s.Resource)).toEqual([REPO_ARN]);
        if (r.name !== "hello-build-image-policy") {
          // A deploy moves its environment tag: read the manifest, put it back under the tag.
          expect(r.name).toMatch(/^hello-deploy-(dev|staging|prod)-policy$/);
          expect(s).toMatchObject({ Sid: "TagReleasedImage", Action: ["ecr:BatchGetImage", "ecr:PutImage"] });
        }
      }
    }
    const login = statements(run, policyOf(run, "build-image")).find((s) =>
      list(s.Action).includes("ecr:GetAuthorizationToken"),
    );
    expect(list(login!.Action)).toEqual(["ecr:GetAuthorizationToken"]);
  });

  it("lets each deploy project assume exactly its environment's role, and nothing touches ECS or SSM", () => {
    const expected: Record<string, string> = {
      dev: "arn:aws:iam::123456789012:role/berth-deploy-dev",
      staging: "arn:aws:iam::123456789012:role/berth-deploy-staging",
      prod: PROD_ROLE,
    };
    for (const r of run.ofType(ROLE_POLICY)) {
      const assumes = statements(run, r).filter((s) => list(s.Action).includes("sts:AssumeRole"));
      const env = /^hello-deploy-(\w+)-policy$/.exec(r.name)?.[1];
      if (env === undefined) {
        expect(assumes, r.name).toEqual([]);
        continue;
      }
      expect(assumes).toHaveLength(1);
      expect(list(assumes[0]!.Action)).toEqual(["sts:AssumeRole"]);
      expect(list(assumes[0]!.Resource)).toEqual([expected[env]]);
    }
    for (const { statement } of allStatements(run)) {
      for (const a of list(statement.Action)) expect(a).not.toMatch(/^(ecs|ssm):/);
    }
  });

  it("lets the pipeline start its own builds only", () => {
    const runBuilds = statements(run, policyOf(run, "pipeline")).find((s) =>
      list(s.Action).includes("codebuild:StartBuild"),
    );
    expect(list(runBuilds!.Resource).sort()).toEqual(
      run
        .ofType(PROJECT)
        .map((p) => p.outputs.arn as string)
        .sort(),
    );
  });

  it("exports the release pointers and the roles the environments must trust", async () => {
    const pipeline = await runComponent(() => {
      const p = new DeliveryPipeline("hello", pipelineArgs());
      return {
        parameters: p.releaseParameterNames,
        roles: p.deployRoleArns,
        projectRoles: p.deployProjectRoleArns,
      };
    });
    expect(pipeline.outputs.parameters).toEqual({
      dev: releaseParameterName("dev", "hello"),
      staging: "/berth/staging/hello/image",
      prod: "/berth/prod/hello/image",
    });
    expect((pipeline.outputs.roles as Record<string, string>).prod).toBe(PROD_ROLE);
    expect(Object.keys(pipeline.outputs.projectRoles as object).sort()).toEqual(["dev", "prod", "staging"]);
  });
});

describe("DeliveryPipeline options", () => {
  it("builds amd64 on x86 hosts, QUEUED, with a custom prefix, file paths and an existing topic", async () => {
    const topic = "arn:aws:sns:us-east-1:123456789012:platform-alerts";
    const run = await runComponent(
      () =>
        new DeliveryPipeline(
          "hello",
          pipelineArgs({
            source: {
              connectionArn: CONNECTION,
              repository: "acme/berth",
              branch: "release/v2",
              filePaths: { includes: ["apps/**", "stacks/**"] },
            },
            image: { platform: "linux/amd64", dockerfile: "apps/api/Dockerfile", context: "apps/api" },
            executionMode: "QUEUED",
            releaseParameterPrefix: "/acme/berth",
            notificationTopicArn: topic,
          }),
        ),
    );
    const pipeline = run.one(PIPELINE);
    expect(pipeline.inputs.executionMode).toBe("QUEUED");
    const push = (pipeline.inputs.triggers as { gitConfiguration: { pushes: unknown[] } }[])[0]!
      .gitConfiguration.pushes[0];
    expect(push).toEqual({
      branches: { includes: ["release/v2"] },
      filePaths: { includes: ["apps/**", "stacks/**"] },
    });
    const image = run.one(PROJECT, "hello-build-image");
    expect((image.inputs.environment as { type: string }).type).toBe("LINUX_CONTAINER");
    expect(projectVariables(image).PLATFORM?.value).toBe("linux/amd64");
    expect(projectVariables(run.one(PROJECT, "hello-deploy-dev")).RELEASE_PARAMETER?.value).toBe(
      "/acme/berth/dev/hello/image",
    );
    expect(run.ofType("aws:sns/topic:Topic")).toHaveLength(0);
    const rule = run.one("aws:codestarnotifications/notificationRule:NotificationRule");
    expect(rule.inputs.targets).toEqual([{ type: "SNS", address: topic }]);
  });

  it("lets a prod-like environment skip approval only with a stated waiver", async () => {
    const run = await runComponent(
      () =>
        new DeliveryPipeline(
          "hello",
          pipelineArgs({
            environments: [
              { name: "dev", stack: "dev", requireApproval: true },
              { name: "prod", stack: "prod", requireApproval: false, approvalWaiver: "sandbox account" },
            ],
          }),
        ),
    );
    expect(
      stages(run)
        .slice(2)
        .map((s) => s.actions.map((a) => a.name)),
    ).toEqual([["Approve", "Deploy"], ["Deploy"]]);
  });

  it("overrides buildspec text and applies transforms", async () => {
    const custom = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo custom\n";
    const run = await runComponent(
      () =>
        new DeliveryPipeline(
          "hello",
          pipelineArgs({
            buildspecs: { test: custom },
            protect: true,
            transform: {
              testProject: (a) => {
                a.buildTimeout = 15;
              },
              logGroup: (a) => {
                a.retentionInDays = 400;
              },
            },
          }),
        ),
    );
    const test = run.one(PROJECT, "hello-test");
    expect((test.inputs.source as { buildspec: string }).buildspec).toBe(custom);
    expect(test.inputs.buildTimeout).toBe(15);
    expect(
      run.ofType("aws:cloudwatch/logGroup:LogGroup").every((l) => l.inputs.retentionInDays === 400),
    ).toBe(true);
    expect(run.one("aws:s3/bucket:Bucket").options.protect).toBe(true);
    expect(run.one("aws:kms/key:Key").options.protect).toBe(true);
  });

  it("accepts a connection ARN and deploy role that are Outputs", async () => {
    const run = await runComponent(
      () =>
        new DeliveryPipeline(
          "hello",
          pipelineArgs({
            source: { connectionArn: pulumi.output(CONNECTION), repository: "acme/berth" },
            environments: [
              {
                name: "dev",
                stack: "dev",
                deployRoleArn: pulumi.output("arn:aws:iam::123456789012:role/custom"),
              },
            ],
          }),
        ),
    );
    const assume = statements(run, policyOf(run, "deploy-dev")).find((s) =>
      list(s.Action).includes("sts:AssumeRole"),
    );
    expect(list(assume!.Resource)).toEqual(["arn:aws:iam::123456789012:role/custom"]);
  });
});

describe("DeliveryPipeline base images and retention", () => {
  it("pulls base images through the registry's Docker Hub cache: exactly the pull and import actions on the cache prefix", async () => {
    const run = await runComponent(
      () => new DeliveryPipeline("hello", pipelineArgs({ image: { pullThroughCachePrefix: "docker-hub" } })),
    );
    const build = statements(run, policyOf(run, "build-image"));
    const cache = "arn:aws:ecr:us-east-1:123456789012:repository/docker-hub/*";
    expect(build.find((st) => st.Sid === "PullBaseImagesThroughCache")).toEqual({
      Sid: "PullBaseImagesThroughCache",
      Effect: "Allow",
      Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      Resource: cache,
    });
    expect(build.find((st) => st.Sid === "ImportBaseImagesIntoCache")).toEqual({
      Sid: "ImportBaseImagesIntoCache",
      Effect: "Allow",
      Action: ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
      Resource: cache,
    });
    // Nothing else in the build's role reaches beyond its own repository and the cache prefix.
    for (const st of build) {
      if (!list(st.Action).some((a) => a.startsWith("ecr:")) || st.Sid === "EcrLogin") continue;
      for (const resource of list(st.Resource))
        expect(resource, st.Sid).toMatch(
          /^arn:aws:ecr:us-east-1:123456789012:repository\/(hello|docker-hub\/\*)$/,
        );
    }
    const project = run.find(
      (r) => r.type === "aws:codebuild/project:Project" && r.name === "hello-build-image",
    )[0]!;
    expect(projectVariables(project).BASE_IMAGE_REGISTRY?.value).toBe(
      "123456789012.dkr.ecr.us-east-1.amazonaws.com/docker-hub",
    );
  });

  it("without a cache prefix, grants no cache access and passes no BASE_IMAGE_REGISTRY", async () => {
    const run = await runComponent(() => new DeliveryPipeline("hello", pipelineArgs()));
    const actions = statements(run, policyOf(run, "build-image")).flatMap((st) => list(st.Action));
    expect(actions).not.toContain("ecr:BatchImportUpstreamImage");
    expect(actions).not.toContain("ecr:CreateRepository");
    const project = run.find(
      (r) => r.type === "aws:codebuild/project:Project" && r.name === "hello-build-image",
    )[0]!;
    expect(projectVariables(project).BASE_IMAGE_REGISTRY).toBeUndefined();
  });

  it("has each deploy move release-<environment> (the Registry's environment tag) with only BatchGetImage and PutImage", async () => {
    const run = await runComponent(() => new DeliveryPipeline("hello", pipelineArgs()));
    for (const env of ["dev", "staging", "prod"]) {
      const project = run.find(
        (r) => r.type === "aws:codebuild/project:Project" && r.name === `hello-deploy-${env}`,
      )[0]!;
      expect(projectVariables(project).RELEASE_TAG_PREFIX?.value).toBe("release-");
      expect(
        statements(run, policyOf(run, `deploy-${env}`)).find((st) => st.Sid === "TagReleasedImage"),
      ).toEqual({
        Sid: "TagReleasedImage",
        Effect: "Allow",
        Action: ["ecr:BatchGetImage", "ecr:PutImage"],
        Resource: REPO_ARN,
      });
    }
    const off = await runComponent(
      () => new DeliveryPipeline("hello", pipelineArgs({ releaseTagPrefix: false })),
    );
    const project = off.find(
      (r) => r.type === "aws:codebuild/project:Project" && r.name === "hello-deploy-dev",
    )[0]!;
    expect(projectVariables(project).RELEASE_TAG_PREFIX?.value).toBe("");
    expect(statements(off, policyOf(off, "deploy-dev")).some((st) => st.Sid === "TagReleasedImage")).toBe(
      false,
    );
  });
});

describe("DeliveryPipeline validation", () => {
  const invalid: [string, Partial<DeliveryPipelineArgs>, RegExp, string][] = [
    [
      "a bad connection ARN",
      { source: { connectionArn: "arn:aws:s3:::bucket", repository: "acme/berth" } },
      /source\.connectionArn is "arn:aws:s3:::bucket"; must be a connection ARN/,
      "source.connectionArn",
    ],
    [
      "a repository without owner",
      { source: { connectionArn: CONNECTION, repository: "berth" } },
      /source\.repository is "berth"; must be owner\/name/,
      "source.repository",
    ],
    [
      "a branch with a space",
      { source: { connectionArn: CONNECTION, repository: "acme/berth", branch: "my branch" } },
      /source\.branch is "my branch"; must be a git branch name/,
      "source.branch",
    ],
    [
      "a branch with '..'",
      { source: { connectionArn: CONNECTION, repository: "acme/berth", branch: "a..b" } },
      /source\.branch is "a\.\.b"/,
      "source.branch",
    ],
    [
      "no environment",
      { environments: [] },
      /environments is \[\]; must list 1 to 48 environments/,
      "environments",
    ],
    [
      "an uppercase environment",
      { environments: [{ name: "Dev", stack: "dev" }] },
      /environments\[0\]\.name is "Dev"; must be lowercase/,
      "environments[0].name",
    ],
    [
      "duplicate environments",
      {
        environments: [
          { name: "dev", stack: "dev" },
          { name: "dev", stack: "dev2" },
        ],
      },
      /environments\[\]\.name is "dev"; each value may appear only once/,
      "environments[].name",
    ],
    [
      "duplicate stacks",
      {
        environments: [
          { name: "dev", stack: "dev" },
          { name: "qa", stack: "dev" },
        ],
      },
      /environments\[\]\.stack is "dev"/,
      "environments[].stack",
    ],
    [
      "prod before dev",
      {
        environments: [
          { name: "prod", stack: "prod" },
          { name: "dev", stack: "dev" },
        ],
      },
      /environments\[1\]\.name is "dev"; environments are promoted in order: 'dev' cannot come after the production-like 'prod'/,
      "environments[1].name",
    ],
    [
      "prod without approval and no waiver",
      { environments: [{ name: "prod", stack: "prod", requireApproval: false }] },
      /environments\[0\]\.requireApproval is false; 'prod' is production-like and needs a manual approval/,
      "environments[0].requireApproval",
    ],
    [
      "a deploy role in another account than declared",
      { environments: [{ name: "dev", stack: "dev", account: "111111111111", deployRoleArn: PROD_ROLE }] },
      /environments\[0\]\.deployRoleArn is ".*"; must be a role in the environment's account 111111111111/,
      "environments[0].deployRoleArn",
    ],
    [
      "a deploy role that is not a role",
      { environments: [{ name: "dev", stack: "dev", deployRoleArn: "arn:aws:iam::123456789012:user/bob" }] },
      /deployRoleArn is .*must be an IAM role ARN/,
      "environments[0].deployRoleArn",
    ],
    [
      "a short account id",
      { environments: [{ name: "dev", stack: "dev", account: "1234" }] },
      /environments\[0\]\.account is "1234"; an AWS account id is exactly 12 digits/,
      "environments[0].account",
    ],
    [
      "an uppercase ECR repository name",
      {
        repository: {
          name: "Hello",
          arn: REPO_ARN,
          url: "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello",
        },
      },
      /repository\.name is "Hello"; must be an ECR repository name/,
      "repository.name",
    ],
    [
      "a repository ARN of another service",
      {
        repository: {
          name: "hello",
          arn: "arn:aws:s3:::hello",
          url: "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello",
        },
      },
      /repository\.arn is "arn:aws:s3:::hello"; must be an ARN of ecr/,
      "repository.arn",
    ],
    [
      "a state bucket name with capitals",
      { state: { bucket: "Berth_State", secretsProvider: "awskms://alias/x" } },
      /state\.bucket is "Berth_State"; must be an S3 bucket name/,
      "state.bucket",
    ],
    [
      "a passphrase secrets provider",
      { state: { bucket: "acme-berth-state", secretsProvider: "passphrase" } },
      /state\.secretsProvider is "passphrase"; must be a KMS secrets provider URL/,
      "state.secretsProvider",
    ],
    [
      "a reserved release prefix",
      { releaseParameterPrefix: "/aws/berth" },
      /releaseParameterPrefix is "\/aws\/berth"; must not start with \/aws or \/ssm/,
      "releaseParameterPrefix",
    ],
    [
      "a Dockerfile outside the repository",
      { image: { dockerfile: "../Dockerfile" } },
      /image\.dockerfile is "\.\.\/Dockerfile"; must be a path relative to the repository root/,
      "image.dockerfile",
    ],
    [
      "an unsupported platform",
      { image: { platform: "linux/s390x" as "linux/arm64" } },
      /image\.platform is "linux\/s390x"; allowed: "linux\/arm64", "linux\/amd64"/,
      "image.platform",
    ],
    [
      "a retention CloudWatch does not offer",
      { logRetentionInDays: 2 },
      /logRetentionInDays is 2; allowed: 1, 3, 5/,
      "logRetentionInDays",
    ],
    [
      "an unpinned Pulumi version",
      { pulumi: { version: "^3" } },
      /pulumi\.version is "\^3"; must be an exact CLI version/,
      "pulumi.version",
    ],
    [
      "too many file path patterns",
      {
        source: {
          connectionArn: CONNECTION,
          repository: "acme/berth",
          filePaths: { includes: Array.from({ length: 9 }, (_, i) => `p${i}/**`) },
        },
      },
      /source\.filePaths\.includes is .*must list 1 to 8 glob patterns/,
      "source.filePaths.includes",
    ],
    [
      "a repository URL naming 'acme/..'",
      {
        repository: {
          name: pulumi.output("x") as unknown as string,
          arn: REPO_ARN,
          url: "123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/..",
        },
        service: "hello",
      },
      /repository\.url is "123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/acme\/\.\."; names the repository "acme\/\.\.", which must be an ECR repository name/,
      "repository.url",
    ],
    [
      "a repository name 'acme/..'",
      {
        repository: {
          name: "acme/..",
          arn: REPO_ARN,
          url: "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello",
        },
      },
      /repository\.name is "acme\/\.\."; must be an ECR repository name/,
      "repository.name",
    ],
    [
      "a repository ARN naming 'acme/..'",
      {
        repository: {
          name: pulumi.output("x") as unknown as string,
          arn: "arn:aws:ecr:us-east-1:123456789012:repository/acme/..",
          url: "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello",
        },
        service: "hello",
      },
      /repository\.arn is .*names the repository "acme\/\.\."/,
      "repository.arn",
    ],
    [
      "a repository whose name, ARN and URL disagree",
      {
        repository: {
          name: "hello",
          arn: REPO_ARN,
          url: "123456789012.dkr.ecr.us-east-1.amazonaws.com/other",
        },
      },
      /name, arn and url must be one repository's/,
      "repository",
    ],
    [
      "a pull-through cache prefix that is not one",
      { image: { pullThroughCachePrefix: "Docker Hub" } },
      /image\.pullThroughCachePrefix is "Docker Hub"; must be a pull-through cache prefix/,
      "image.pullThroughCachePrefix",
    ],
    [
      "a release tag prefix starting with '-'",
      { releaseTagPrefix: "-rel" },
      /releaseTagPrefix is "-rel"; must be a tag prefix/,
      "releaseTagPrefix",
    ],
    ["a tag key AWS reserves", { tags: { "aws:owner": "x" } }, /tags/, "tags.aws:owner"],
    [
      "a buildspec override that is not 0.2",
      { buildspecs: { deploy: "version: 0.1\nphases: {}" } },
      /buildspecs\.deploy is .*must be buildspec text with version: 0\.2/,
      "buildspecs.deploy",
    ],
  ];
  for (const [what, over, message, field] of invalid) {
    it(`rejects ${what} before creating anything`, async () => {
      const err = await expectInvalid(() => new DeliveryPipeline("hello", pipelineArgs(over)), message);
      expect(err.field).toBe(field);
      expect(err.message).toMatch(/^berth:pipeline:DeliveryPipeline 'hello': /);
    });
  }

  it("rejects a component name with a space before creating anything", async () => {
    const err = await expectInvalid(
      () => new DeliveryPipeline("hello world", pipelineArgs()),
      /name is "hello world"/,
    );
    expect(err.field).toBe("name");
  });

  it("needs a service name when the repository name is an Output", async () => {
    const repository = {
      name: pulumi.output("hello"),
      arn: REPO_ARN,
      url: "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello",
    };
    const err = await expectInvalid(
      () => new DeliveryPipeline("hello", pipelineArgs({ repository })),
      /service is undefined; name the service/,
    );
    expect(err.field).toBe("service");
    await runComponent(() => new DeliveryPipeline("hello", pipelineArgs({ repository, service: "hello" })));
  });
});
