import type { PolicyStatement } from "@berth/core";
import { expectInvalid, type RecordedResource, type RunResult, runComponent } from "@berth/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { CatalogueDelivery, environmentRoleStatements } from "../src/index.js";
import {
  allStatements,
  catalogueServices,
  deliveryArgs,
  list,
  PROD_ROLE,
  projectVariables,
  repositoryRef,
  statements,
} from "./helpers.js";

const PIPELINE = "aws:codepipeline/pipeline:Pipeline";
const PROJECT = "aws:codebuild/project:Project";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const REPO = (n: string) => `arn:aws:ecr:us-east-1:123456789012:repository/${n}`;
const MARKER = (n: string) => `arn:aws:ssm:us-east-1:123456789012:parameter/berth/_delivery/berth/${n}`;
const SERVICES = ["hello", "mailer", "nightly", "orders"];

interface Action {
  name: string;
  category: string;
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

const stages = (run: RunResult) => run.one(PIPELINE).inputs.stages as Stage[];
const policyOf = (run: RunResult, suffix: string): RecordedResource =>
  run.one(ROLE_POLICY, `berth-${suffix}-policy`);
const bySid = (run: RunResult, suffix: string): Record<string, PolicyStatement> =>
  Object.fromEntries(statements(run, policyOf(run, suffix)).map((s) => [s.Sid, s]));

describe("CatalogueDelivery with the 4 example services and dev, staging, prod", () => {
  let run: RunResult;
  beforeAll(async () => {
    run = await runComponent(() => new CatalogueDelivery("berth", deliveryArgs()));
  });

  it("reads the catalogue: 4 services built for arm64 from the repository root with their own Dockerfile", () => {
    expect(
      catalogueServices().map((s) => [s.name, s.platform, s.build?.dockerfile, s.build?.context]),
    ).toEqual([
      ["hello", "linux/arm64", "apps/hello/Dockerfile", "."],
      ["mailer", "linux/arm64", "apps/mailer/Dockerfile", "."],
      ["nightly", "linux/arm64", "apps/nightly/Dockerfile", "."],
      ["orders", "linux/arm64", "apps/orders/Dockerfile", "."],
    ]);
  });

  it("is one pipeline of a fixed size: 35 resources, whatever the number of services", () => {
    expect(run.countsByType()).toEqual({
      "berth:pipeline:CatalogueDelivery": 1,
      "aws:kms/key:Key": 1,
      "aws:s3/bucket:Bucket": 1,
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
      "aws:s3/bucketVersioning:BucketVersioning": 1,
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
      "aws:s3/bucketPolicy:BucketPolicy": 1,
      "aws:sns/topic:Topic": 1,
      "aws:sns/topicPolicy:TopicPolicy": 1,
      // test, build-arm64, deploy-dev, deploy-staging, deploy-prod; plus the pipeline's role
      "aws:cloudwatch/logGroup:LogGroup": 5,
      "aws:iam/role:Role": 6,
      "aws:iam/rolePolicy:RolePolicy": 6,
      "aws:codebuild/project:Project": 5,
      "aws:codepipeline/pipeline:Pipeline": 1,
      "aws:codestarnotifications/notificationRule:NotificationRule": 1,
    });
  });

  it("has Source, Build (test and one image build per architecture) and a deploy stage per environment", () => {
    const s = stages(run);
    expect(s.map((x) => x.name)).toEqual(["Source", "Build", "Deploy-dev", "Deploy-staging", "Deploy-prod"]);
    expect(s[0]!.actions[0]!.configuration?.OutputArtifactFormat).toBe("CODEBUILD_CLONE_REF");
    expect(s[1]!.actions.map((a) => [a.name, a.namespace, a.outputArtifacts])).toEqual([
      ["Test", undefined, undefined],
      ["BuildImages-Arm64", "BuildArm64", ["ReleaseArm64"]],
    ]);
    expect(s.slice(2).map((x) => x.actions.map((a) => `${a.runOrder}:${a.name}`))).toEqual([
      ["1:Deploy"],
      ["1:Deploy"],
      ["1:Approve", "2:Deploy"],
    ]);
    for (const stage of s.slice(2)) {
      const deploy = stage.actions.find((a) => a.name === "Deploy")!;
      // Every deploy reads what the one build recorded (release.json), not a variable of its own.
      expect(deploy.inputArtifacts).toEqual(["SourceArtifact", "ReleaseArm64"]);
      expect(deploy.configuration?.PrimarySource).toBe("SourceArtifact");
    }
    expect(s[4]!.actions[0]!.configuration?.CustomData).toContain("#{BuildArm64.AFFECTED_SERVICES}");
  });

  it("gives the build the catalogue (repository and build settings per service) and the marker prefix", () => {
    const vars = projectVariables(run.one(PROJECT, "berth-build-arm64"));
    expect(JSON.parse(vars.SERVICES!.value)).toEqual(
      Object.fromEntries(
        SERVICES.map((n) => [
          n,
          {
            repository: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${n}`,
            dockerfile: `apps/${n}/Dockerfile`,
            context: ".",
          },
        ]),
      ),
    );
    expect(vars.PLATFORM!.value).toBe("linux/arm64");
    expect(vars.MARKER_PREFIX!.value).toBe("/berth/_delivery/berth");
    expect(vars.SHARED_PATHS!.value).toBe(
      "packages/ pnpm-lock.yaml pnpm-workspace.yaml package.json stacks/service/",
    );
    expect(run.one(PROJECT, "berth-build-arm64").inputs.environment).toMatchObject({
      type: "ARM_CONTAINER",
      privilegedMode: true,
    });
  });

  it("lets the build push exactly to the catalogue's repositories and read exactly their markers", () => {
    const s = bySid(run, "build-arm64");
    expect(s.PushToServiceRepositories!.Resource).toEqual(SERVICES.map(REPO));
    expect(list(s.PushToServiceRepositories!.Action)).toContain("ecr:PutImage");
    expect(s.ReadReleasedCommits).toMatchObject({
      Action: "ssm:GetParameter",
      Resource: SERVICES.map(MARKER),
    });
    expect(Object.keys(s).sort()).toEqual(
      [
        "EcrLogin",
        "PushToServiceRepositories",
        "ReadArtifacts",
        "ReadReleasedCommits",
        "UseArtifactKey",
        "UseSourceConnection",
        "WriteArtifacts",
        "WriteBuildLogs",
      ].sort(),
    );
  });

  it("lets each deploy project assume exactly its environment's role and re-tag the catalogue's images; only the last writes markers", () => {
    for (const env of ["dev", "staging", "prod"]) {
      const s = bySid(run, `deploy-${env}`);
      expect(s.AssumeEnvironmentDeployRole!.Resource).toBe(
        env === "prod" ? PROD_ROLE : `arn:aws:iam::123456789012:role/berth-deploy-${env}`,
      );
      expect(s.TagReleasedImages).toMatchObject({
        Action: ["ecr:BatchGetImage", "ecr:PutImage"],
        Resource: SERVICES.map(REPO),
      });
      if (env === "prod") {
        expect(s.WriteReleasedCommits).toMatchObject({
          Action: "ssm:PutParameter",
          Resource: SERVICES.map(MARKER),
        });
      } else expect(s.WriteReleasedCommits).toBeUndefined();
      // Nothing in the tooling account touches ECS, the state or the release pointers.
      const actions = Object.values(s).flatMap((x) => list(x.Action));
      expect(
        actions.filter(
          (a) =>
            /^(ecs|s3:PutObject|iam|ssm:PutParameter)/.test(a) &&
            !(env === "prod" && a === "ssm:PutParameter"),
        ),
      ).toEqual([]);
      const vars = projectVariables(run.one(PROJECT, `berth-deploy-${env}`));
      expect(vars.ENVIRONMENT!.value).toBe(env);
      expect(vars.PULUMI_PROJECT!.value).toBe("berth-service");
      expect(vars.STACK_DIR!.value).toBe("stacks/service");
      expect(vars.RELEASE_ARTIFACTS!.value).toBe("ReleaseArm64");
      expect(vars.MARKER_PREFIX?.value).toBe(env === "prod" ? "/berth/_delivery/berth" : undefined);
    }
  });

  it("gives each environment's new stacks that environment's own secrets key, and sends the external id where one is set", () => {
    for (const env of ["dev", "staging", "prod"]) {
      const vars = projectVariables(run.one(PROJECT, `berth-deploy-${env}`));
      expect(vars.SECRETS_PROVIDER).toEqual({
        value: `awskms://alias/berth-secrets-${env}?region=us-east-1`,
        type: "PLAINTEXT",
      });
      if (env === "prod")
        expect(vars.DEPLOY_EXTERNAL_ID).toEqual({ value: "berth-deploy-prod", type: "PLAINTEXT" });
      else expect(vars.DEPLOY_EXTERNAL_ID).toBeUndefined();
    }
  });

  it("allows no '*' action and no '*' resource except ECR login", () => {
    for (const { statement } of allStatements(run)) {
      for (const a of list(statement.Action)) expect(a).not.toBe("*");
      if (list(statement.Resource).includes("*") && statement.Principal === undefined) {
        expect(statement.Sid).toBe("EcrLogin");
      }
    }
  });

  it("exports, per environment, the exact policy its deploy role needs", () => {
    const policies = run.outputs.environmentRolePolicies as Record<string, string>;
    const prod = JSON.parse(policies.prod!) as {
      Statement: { Sid: string; Action: unknown; Resource: unknown; Condition?: unknown }[];
    };
    const sid = Object.fromEntries(prod.Statement.map((s) => [s.Sid, s]));
    expect(sid.WriteReleasePointers!.Resource).toEqual(
      SERVICES.map((n) => `arn:aws:ssm:us-east-1:210987654321:parameter/berth/prod/${n}/image`),
    );
    // prod's account does not hold the state: the bucket's own policy must grant it
    expect(sid.ServiceStacksState).toBeUndefined();
    expect(sid.VerifyRollouts!.Resource).toBe("arn:aws:ecs:us-east-1:210987654321:service/platform-prod/*");
    const dev = JSON.parse(policies.dev!) as typeof prod;
    const d = Object.fromEntries(dev.Statement.map((s) => [s.Sid, s]));
    expect(d.ServiceStacksState).toEqual({
      Sid: "ServiceStacksState",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      Resource: "arn:aws:s3:::acme-berth-state/.pulumi/*/berth-service/dev.*",
    });
    expect(d.ReadEnvironmentStackAndBackend!.Resource).toEqual([
      "arn:aws:s3:::acme-berth-state/.pulumi/stacks/berth-platform/dev.json*",
      "arn:aws:s3:::acme-berth-state/.pulumi/meta.yaml",
    ]);
    expect(d.StateSecretsKey!.Resource).toBe(
      "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    );
    // orders migrates its database before each rollout: exactly its release task family may run
    expect(d.RunReleaseTasks!.Resource).toEqual([
      "arn:aws:ecs:us-east-1:123456789012:task-definition/*-orders-release:*",
    ]);
  });
});

describe("environmentRoleStatements", () => {
  const scope = {
    partition: "aws",
    region: "eu-west-1",
    account: "210987654321",
    stateBucket: "acme-berth-state",
    stateAccount: "123456789012",
  };
  it("runs exactly the release task families of the services that have one, on the environment's cluster", () => {
    const s = environmentRoleStatements(
      { name: "prod", clusterName: "platform-prod" },
      [
        { name: "orders", release: true },
        { name: "hello" },
        { name: "ext", image: "public.ecr.aws/x/y@sha256:" + "a".repeat(64) },
      ],
      scope,
    );
    const sid = Object.fromEntries(s.map((x) => [x.Sid, x]));
    expect(sid.WriteReleasePointers!.Resource).toEqual([
      "arn:aws:ssm:eu-west-1:210987654321:parameter/berth/prod/orders/image",
      "arn:aws:ssm:eu-west-1:210987654321:parameter/berth/prod/hello/image",
    ]);
    expect(sid.RunReleaseTasks).toEqual({
      Sid: "RunReleaseTasks",
      Effect: "Allow",
      Action: "ecs:RunTask",
      Resource: ["arn:aws:ecs:eu-west-1:210987654321:task-definition/platform-prod-orders-release:*"],
      Condition: { ArnEquals: { "ecs:cluster": "arn:aws:ecs:eu-west-1:210987654321:cluster/platform-prod" } },
    });
    expect(sid.WatchReleaseTasks!.Resource).toBe("arn:aws:ecs:eu-west-1:210987654321:task/platform-prod/*");
    expect(sid.PassTaskRolesToEcsTasks).toEqual({
      Sid: "PassTaskRolesToEcsTasks",
      Effect: "Allow",
      Action: "iam:PassRole",
      // only the roles the environment's stacks create, under the path stacks/bootstrap allows
      Resource: "arn:aws:iam::210987654321:role/berth/prod/*",
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    });
  });
});

describe("CatalogueDelivery options", () => {
  it("builds amd64 services on an x86 host of their own, and each build pushes only to its services", async () => {
    const services = catalogueServices().map((s) =>
      s.name === "mailer" ? { ...s, platform: "linux/amd64" as const } : s,
    );
    const run = await runComponent(() => new CatalogueDelivery("berth", deliveryArgs({ services })));
    expect(bySid(run, "build-amd64").PushToServiceRepositories!.Resource).toEqual([REPO("mailer")]);
    expect(bySid(run, "build-arm64").PushToServiceRepositories!.Resource).toEqual(
      ["hello", "nightly", "orders"].map(REPO),
    );
    expect(run.one(PROJECT, "berth-build-amd64").inputs.environment).toMatchObject({
      type: "LINUX_CONTAINER",
    });
    const deploy = stages(run)[2]!.actions[0]!;
    expect(deploy.inputArtifacts).toEqual(["SourceArtifact", "ReleaseAmd64", "ReleaseArm64"]);
  });

  it("takes a secrets provider per environment (region of the environment by default), and state.secretsProvider for the others", async () => {
    const run = await runComponent(
      () =>
        new CatalogueDelivery(
          "berth",
          deliveryArgs({
            environments: [
              { name: "dev", region: "eu-west-1" },
              { name: "staging", secretsProvider: "awskms://alias/staging-keys?region=us-east-1" },
              { name: "prod", account: "210987654321" },
            ],
          }),
        ),
    );
    const provider = (env: string) =>
      projectVariables(run.one(PROJECT, `berth-deploy-${env}`)).SECRETS_PROVIDER!.value;
    expect(provider("dev")).toBe("awskms://alias/berth-secrets-dev?region=eu-west-1");
    expect(provider("staging")).toBe("awskms://alias/staging-keys?region=us-east-1");
    expect(provider("prod")).toBe("awskms://alias/berth-secrets-prod?region=us-east-1");
    const shared = await runComponent(
      () =>
        new CatalogueDelivery(
          "berth",
          deliveryArgs({
            environments: [
              { name: "dev", secretsProvider: "awskms://alias/berth-secrets-dev?region=us-east-1" },
              { name: "prod" },
            ],
            state: {
              bucket: "acme-berth-state",
              secretsProvider: "awskms://alias/berth-state?region=us-east-1",
            },
          }),
        ),
    );
    expect(projectVariables(shared.one(PROJECT, "berth-deploy-dev")).SECRETS_PROVIDER!.value).toBe(
      "awskms://alias/berth-secrets-dev?region=us-east-1",
    );
    expect(projectVariables(shared.one(PROJECT, "berth-deploy-prod")).SECRETS_PROVIDER!.value).toBe(
      "awskms://alias/berth-state?region=us-east-1",
    );
  });

  it("rejects an external id IAM would refuse and a secrets provider that is not awskms, before creating anything", async () => {
    const err = await expectInvalid(
      () =>
        new CatalogueDelivery(
          "berth",
          deliveryArgs({ environments: [{ name: "dev", deployExternalId: "x\nrole_arn = evil" }] }),
        ),
      /environments\[0\]\.deployExternalId is .*must be an external id/,
    );
    expect(err.field).toBe("environments[0].deployExternalId");
    await expectInvalid(
      () =>
        new CatalogueDelivery(
          "berth",
          deliveryArgs({ environments: [{ name: "dev", secretsProvider: "passphrase" }] }),
        ),
      /environments\[0\]\.secretsProvider is "passphrase"; must be a KMS secrets provider URL/,
    );
  });

  it("does not grow with the catalogue: a fifth service adds no resource", async () => {
    const services = [...catalogueServices(), { name: "billing", repository: repositoryRef("billing") }];
    const run = await runComponent(() => new CatalogueDelivery("berth", deliveryArgs({ services })));
    expect(run.resources.length).toBe(35);
  });

  it("rejects a service with both a repository and an image, and a bad name, before creating anything", async () => {
    await expectInvalid(
      () =>
        new CatalogueDelivery(
          "berth",
          deliveryArgs({ services: [{ name: "x", repository: repositoryRef("x"), image: "nginx:1" }] }),
        ),
      /repository .* or image/,
    );
    await expectInvalid(
      () =>
        new CatalogueDelivery("berth", deliveryArgs({ services: [{ name: "Bad_Name", image: "nginx:1" }] })),
      /services\[0\]\.name/,
    );
  });
});
