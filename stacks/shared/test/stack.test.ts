import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type RecordedResource, type RunResult, runStack } from "@berth/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const projectDir = resolve(__dirname, "..");
const SERVICES = ["hello", "mailer", "nightly", "orders"];

interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Principal?: { AWS?: string | string[] };
  Action: string | string[];
  Resource?: string | string[];
}
interface PipelineAction {
  name: string;
  category: string;
  runOrder?: number;
}
interface PipelineStage {
  name: string;
  actions: PipelineAction[];
}

let run: RunResult;

beforeAll(async () => {
  run = await runStack(projectDir, "shared");
});

function hello(): RecordedResource {
  const repos = run.ofType("aws:ecr/repository:Repository");
  expect(repos.map((r) => r.inputs.name)).toEqual(SERVICES);
  return repos.find((r) => r.inputs.name === "hello")!;
}

interface EnvironmentVariable {
  name: string;
  value: string;
  type?: string;
}

/** The environment variables of the one CodeBuild project with this logical name. */
function projectVariables(name: string): EnvironmentVariable[] {
  const project = run.one("aws:codebuild/project:Project", name);
  return (project.inputs.environment as { environmentVariables: EnvironmentVariable[] }).environmentVariables;
}

/** The same, as a map of names to values. */
function variableValues(name: string): Record<string, string> {
  return Object.fromEntries(projectVariables(name).map((v) => [v.name, v.value]));
}

describe("the shared stack offline", () => {
  it("runs without errors", () => {
    expect(run.error).toBeUndefined();
    expect(run.ok).toBe(true);
    expect(run.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(run.countsByType()["berth:registry:Registry"]).toBe(1);
    expect(run.countsByType()["berth:pipeline:CatalogueDelivery"]).toBe(1);
    expect(run.countsByType()["berth:pipeline:DeliveryPipeline"]).toBeUndefined();
    expect(run.countsByType()["berth:pipeline:PullRequestPreviews"]).toBe(1);
  });

  it("previews the same program through the berth CLI", () => {
    const cli = resolve(projectDir, "../../packages/cli/dist/bin.js");
    const out = execFileSync(process.execPath, [cli, "preview", "-C", projectDir, "-s", "shared", "--json"], {
      encoding: "utf8",
    });
    const doc = JSON.parse(out) as { steps: { newState: { urn: string } }[] };
    expect(doc.steps.map((s) => s.newState.urn).sort()).toEqual(run.resources.map((r) => r.urn).sort());
  });

  it("exports what the platform stack reads: repository maps with every service and the registry id", () => {
    const urls = run.outputs.repositoryUrls as Record<string, string>;
    const arns = run.outputs.repositoryArns as Record<string, string>;
    expect(Object.keys(urls)).toEqual(SERVICES);
    expect(urls.hello).toBe("123456789012.dkr.ecr.us-east-1.amazonaws.com/hello");
    expect(arns.hello).toBe("arn:aws:ecr:us-east-1:123456789012:repository/hello");
    expect(run.outputs.registryId).toBe("123456789012");
  });

  it("exports the pipeline, its deploy roles, the release pointers, the previews and the topic", () => {
    expect(run.outputs.releaseParameterNames).toEqual(
      Object.fromEntries(
        ["dev", "staging", "prod"].map((env) => [
          env,
          Object.fromEntries(SERVICES.map((svc) => [svc, `/berth/${env}/${svc}/image`])),
        ]),
      ),
    );
    const projectRoles = run.outputs.deployProjectRoleArns as Record<string, string>;
    expect(Object.keys(projectRoles).sort()).toEqual(["dev", "prod", "staging"]);
    for (const arn of Object.values(projectRoles)) expect(arn).toMatch(/^arn:aws:iam::123456789012:role\//);
    // prod's deploy build assumes the role in the prod account from config
    expect(run.outputs.deployRoleArns).toMatchObject({
      dev: "arn:aws:iam::123456789012:role/berth-deploy-dev",
      prod: "arn:aws:iam::210987654321:role/berth-deploy-prod",
    });
    const pipeline = run.one("aws:codepipeline/pipeline:Pipeline");
    expect(run.outputs.pipelineName).toBe(pipeline.outputs.name);
    const project = run.find(
      (r) => r.type === "aws:codebuild/project:Project" && r.outputs.name === run.outputs.previewProjectName,
    );
    expect(project).toHaveLength(1);
    expect(run.outputs.previewWebhookUrl).toMatch(
      /^https:\/\/codebuild\.us-east-1\.amazonaws\.com\/webhooks/,
    );
    expect(run.outputs.notificationTopicArn).toBe(run.one("aws:sns/topic:Topic").outputs.arn);
  });
});

describe("registry", () => {
  it("keeps image tags immutable but lets the build cache and the environment tags (release-<env>) move", () => {
    const repo = hello();
    expect(repo.inputs.imageTagMutability).toBe("IMMUTABLE_WITH_EXCLUSION");
    expect(repo.inputs.imageTagMutabilityExclusionFilters).toEqual([
      { filter: "buildcache", filterType: "WILDCARD" },
      { filter: "release-*", filterType: "WILDCARD" },
    ]);
  });

  it("scans on push", () => {
    expect(hello().inputs.imageScanningConfiguration).toEqual({ scanOnPush: true });
    expect(run.ofType("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration")).toHaveLength(0);
  });

  it("protects and retains the repository and never force-deletes it", () => {
    const repo = hello();
    expect(repo.options.protect).toBe(true);
    expect(repo.options.retainOnDelete).toBe(true);
    expect(repo.inputs.forceDelete).toBe(false);
  });

  it("never lets a lifecycle rule select commit-SHA tagged images", () => {
    const policies = run.ofType("aws:ecr/lifecyclePolicy:LifecyclePolicy");
    expect(policies).toHaveLength(SERVICES.length);
    const rules = policies.flatMap(
      (p) =>
        (
          run.json(p, "policy") as {
            rules: {
              selection: { tagStatus: string; tagPrefixList?: string[]; tagPatternList?: string[] };
            }[];
          }
        ).rules,
    );
    const sha = "3f9a2c1e8b7d6f5a4c3b2a1908f7e6d5c4b3a291";
    for (const { selection } of rules) {
      // no catch-all rule: images that only carry a commit tag are never expired
      expect(selection.tagStatus).not.toBe("any");
      for (const prefix of selection.tagPrefixList ?? []) expect(sha.startsWith(prefix)).toBe(false);
      for (const pattern of selection.tagPatternList ?? []) expect(pattern).toBe("buildcache");
    }
  });

  it("lets the prod account pull, and no other foreign account", () => {
    for (const r of run.ofType("aws:ecr/repositoryPolicy:RepositoryPolicy")) {
      const policy = run.json(r, "policy") as { Statement: PolicyStatement[] };
      const principals = policy.Statement.flatMap((s) => [s.Principal?.AWS ?? []].flat());
      expect(principals).toEqual(["arn:aws:iam::210987654321:root"]);
      for (const s of policy.Statement) expect([s.Action].flat()).not.toContain("ecr:PutImage");
    }
  });

  it("caches ECR Public and Docker Hub (with credentials) through the registry", () => {
    const rules = run.ofType("aws:ecr/pullThroughCacheRule:PullThroughCacheRule");
    expect(
      rules.map((r) => [r.inputs.ecrRepositoryPrefix, r.inputs.upstreamRegistryUrl, r.inputs.credentialArn]),
    ).toEqual([
      ["ecr-public", "public.ecr.aws", undefined],
      [
        "docker-hub",
        "registry-1.docker.io",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf",
      ],
    ]);
    expect(run.outputs.pullThroughCacheUrls).toEqual({
      "ecr-public": "123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-public",
      "docker-hub": "123456789012.dkr.ecr.us-east-1.amazonaws.com/docker-hub",
    });
  });
});

describe("delivery pipeline", () => {
  it("promotes dev, then staging, then prod after a manual approval", () => {
    const stages = run.one("aws:codepipeline/pipeline:Pipeline").inputs.stages as PipelineStage[];
    const deploys = stages.map((s) => s.name).filter((n) => n.startsWith("Deploy-"));
    expect(deploys).toEqual(["Deploy-dev", "Deploy-staging", "Deploy-prod"]);
    const stage = (name: string) => stages.find((s) => s.name === name)!;
    expect(stage("Deploy-dev").actions.map((a) => a.category)).not.toContain("Approval");
    expect(stage("Deploy-staging").actions.map((a) => a.category)).not.toContain("Approval");
    const prod = stage("Deploy-prod").actions;
    const approve = prod.find((a) => a.category === "Approval")!;
    const deploy = prod.find((a) => a.category === "Build")!;
    expect(approve).toBeDefined();
    expect(approve.runOrder!).toBeLessThan(deploy.runOrder!);
  });

  it("builds the catalogue's services for arm64, each into its own repository, through the Docker Hub cache", () => {
    const vars = variableValues("delivery-build-arm64");
    const services = JSON.parse(vars.SERVICES!) as Record<string, { repository: string; dockerfile: string }>;
    expect(Object.keys(services)).toEqual(SERVICES);
    for (const svc of SERVICES) {
      expect(services[svc]).toMatchObject({
        repository: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${svc}`,
        dockerfile: `apps/${svc}/Dockerfile`,
      });
    }
    expect(vars).toMatchObject({
      PLATFORM: "linux/arm64",
      BASE_IMAGE_REGISTRY: "123456789012.dkr.ecr.us-east-1.amazonaws.com/docker-hub",
    });
  });

  it("deploys the berth-service stacks with the state bucket, each environment's own secrets key and its deploy role's external id", () => {
    for (const env of ["dev", "staging", "prod"]) {
      const vars = variableValues(`delivery-deploy-${env}`);
      expect(vars).toMatchObject({
        ENVIRONMENT: env,
        STATE_BUCKET: "acme-berth-state",
        // the key stacks/bootstrap creates per environment (output secretsProviders.<env>)
        SECRETS_PROVIDER: `awskms://alias/berth-secrets-${env}?region=us-east-1`,
        DEPLOY_EXTERNAL_ID: `berth-deploy-${env}`,
        PULUMI_PROJECT: "berth-service",
        STACK_DIR: "stacks/service",
      });
    }
  });

  it("lets the deploy roles pass only their environment's roles (/berth/<env>/) to ECS tasks", () => {
    const policies = run.outputs.environmentRolePolicies as Record<string, string>;
    for (const [env, account] of [
      ["dev", "123456789012"],
      ["prod", "210987654321"],
    ]) {
      const doc = JSON.parse(policies[env]!) as { Statement: PolicyStatement[] };
      const statements = doc.Statement.filter((s) => [s.Action].flat().includes("iam:PassRole"));
      for (const st of statements) expect(st.Resource).toBe(`arn:aws:iam::${account}:role/berth/${env}/*`);
      // no state key in this stack's config: the deploy roles' key grants come from stacks/bootstrap
      expect(doc.Statement.some((s) => [s.Action].flat().some((a) => a.startsWith("kms:")))).toBe(false);
    }
  });

  it("starts on pushes to main through the CodeStar connection", () => {
    const pipeline = run.one("aws:codepipeline/pipeline:Pipeline");
    const triggers = pipeline.inputs.triggers as {
      gitConfiguration: { pushes: { branches: { includes: string[] } }[] };
    }[];
    expect(triggers[0]!.gitConfiguration.pushes[0]!.branches.includes).toEqual(["main"]);
    const source = (pipeline.inputs.stages as PipelineStage[])[0]!.actions[0] as PipelineAction & {
      configuration: Record<string, string>;
    };
    expect(source.configuration.ConnectionArn).toMatch(
      /^arn:aws:codestar-connections:us-east-1:123456789012:connection\//,
    );
    expect(source.configuration.FullRepositoryId).toBe("acme/berth");
  });
});

describe("pull-request previews", () => {
  const TOKEN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:berth/github-token-AbCdEf";
  const DEV_PREVIEW_ROLE = "arn:aws:iam::123456789012:role/berth-preview-dev";

  /** The role a project runs as, and every statement of its inline policies. */
  function serviceRole(project: string) {
    const p = run.one("aws:codebuild/project:Project", project);
    const role = run.ofType("aws:iam/role:Role").find((r) => r.outputs.arn === p.inputs.serviceRole)!;
    const statements = run
      .ofType("aws:iam/rolePolicy:RolePolicy")
      .filter((r) => r.inputs.role === role.outputs.name)
      .flatMap((r) => (run.json(r, "policy") as { Statement: PolicyStatement[] }).Statement);
    const managed = run
      .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => a.inputs.role === role.outputs.name);
    return { role, statements, actions: statements.flatMap((s) => [s.Action].flat()), managed };
  }

  it("runs on pull requests against main: forks wait for a maintainer's comment offline, every credentialed build for a maintainer's approval", () => {
    const hook = run.named("previews-webhook");
    const filters = (hook.inputs.filterGroups as { filters: { type: string; pattern: string }[] }[])[0]!
      .filters;
    expect(filters).toContainEqual({ type: "BASE_REF", pattern: "^refs/heads/main$" });
    const events = filters.find((f) => f.type === "EVENT")!.pattern.split(/,\s*/);
    expect(events.sort()).toEqual(["PULL_REQUEST_CREATED", "PULL_REQUEST_REOPENED", "PULL_REQUEST_UPDATED"]);
    expect(hook.inputs.pullRequestBuildPolicy).toMatchObject({
      requiresCommentApproval: "FORK_PULL_REQUESTS",
    });
    expect(run.ofType("aws:codebuild/webhook:Webhook")).toHaveLength(2);
    expect(run.named("previews-aws-webhook").inputs.pullRequestBuildPolicy).toEqual({
      requiresCommentApproval: "ALL_PULL_REQUESTS",
      approverRoles: ["GITHUB_MAINTAIN", "GITHUB_ADMIN"],
    });
  });

  it("gives the token to the orchestrators only, which read no state and hold no key or role to assume", () => {
    for (const name of ["previews", "previews-aws"]) {
      const policy = run.json(run.named(`${name}-policy`), "policy") as { Statement: PolicyStatement[] };
      const actions = policy.Statement.flatMap((s) => [s.Action].flat());
      expect(
        actions.filter((a) => /^(kms|sts|ssm):/.test(a)),
        name,
      ).toEqual([]);
      expect(JSON.stringify(policy.Statement), name).not.toContain("acme-berth-state");
      const token = policy.Statement.find((s) =>
        [s.Action].flat().includes("secretsmanager:GetSecretValue"),
      )!;
      expect(token.Resource).toBe(TOKEN);
      const vars = projectVariables(`${name}-project`);
      expect(vars.find((v) => v.name === "GITHUB_TOKEN")).toEqual({
        name: "GITHUB_TOKEN",
        type: "SECRETS_MANAGER",
        value: TOKEN,
      });
    }
  });

  it("runs pull-request code in workers with no token, no secret variable, no state and no key", () => {
    for (const worker of ["previews-worker", "previews-aws-worker"]) {
      const vars = projectVariables(worker);
      expect(
        vars.filter((v) => v.type !== "PLAINTEXT" || /TOKEN/.test(v.name)),
        worker,
      ).toEqual([]);
      const { statements, actions, managed } = serviceRole(worker);
      expect(
        actions.filter((a) => /^(kms|ssm|secretsmanager|codestar-connections|codeconnections):/.test(a)),
      ).toEqual([]);
      expect(JSON.stringify(statements), worker).not.toContain("acme-berth-state");
      expect(managed, worker).toEqual([]);
    }
    // The offline worker may not assume anything.
    expect(serviceRole("previews-worker").actions).not.toContain("sts:AssumeRole");
  });

  it("previews dev with bootstrap's berth-preview-dev role and only that one; prod is previewed offline", () => {
    const policy = run.json(run.named("previews-aws-worker-policy"), "policy") as {
      Statement: PolicyStatement[];
    };
    const assume = policy.Statement.filter((s) => [s.Action].flat().includes("sts:AssumeRole"));
    expect(assume.map((s) => s.Resource)).toEqual([[DEV_PREVIEW_ROLE]]);
    const roles = projectVariables("previews-aws-worker").find((v) => v.name === "PREVIEW_ROLE_ARNS");
    expect(JSON.parse(roles!.value)).toEqual({ "berth-platform/dev": DEV_PREVIEW_ROLE });
    expect(
      JSON.stringify(run.ofType("aws:iam/rolePolicy:RolePolicy").map((p) => p.inputs.policy)),
    ).not.toContain("berth-preview-prod");
  });

  it("exports the credentialed worker's role as previewPrincipalArn, for stacks/bootstrap's previewPrincipalArns", () => {
    const worker = serviceRole("previews-aws-worker").role;
    expect(worker.name).toBe("previews-aws-worker-role");
    expect(run.outputs.previewPrincipalArn).toBe(worker.outputs.arn);
    expect(run.outputs.previewPrincipalArn).toMatch(/^arn:aws:iam::123456789012:role\//);
  });
});

describe("provider and IAM", () => {
  it("tags everything through one provider with defaultTags and pins the account", () => {
    const providers = run.resources.filter((r) => r.type === "pulumi:providers:aws");
    expect(providers).toHaveLength(1);
    const provider = providers[0]!;
    const parse = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);
    expect(parse(provider.inputs.defaultTags)).toEqual({
      tags: {
        Project: "berth-shared",
        Environment: "shared",
        ManagedBy: "pulumi",
        Owner: "platform-team",
        CostCenter: "CC-1234",
      },
    });
    expect(parse(provider.inputs.allowedAccountIds)).toEqual(["123456789012"]);
    expect(provider.inputs.region).toBe("us-east-1");
    const aws = run.resources.filter((r) => r.custom && r.type.startsWith("aws:"));
    expect(aws.length).toBeGreaterThan(0);
    for (const r of aws) expect(r.provider?.startsWith(`${provider.urn}::`), r.name).toBe(true);
  });

  it("gives every CodeBuild role its log group and the log streams in it", () => {
    const policies = run.ofType("aws:iam/rolePolicy:RolePolicy");
    for (const p of policies) {
      const doc = run.json(p, "policy") as { Statement: PolicyStatement[] };
      for (const s of doc.Statement.filter((x) => x.Sid === "WriteBuildLogs")) {
        const [group, streams] = [s.Resource].flat();
        expect(group, p.name).toMatch(/^arn:aws:logs:us-east-1:123456789012:log-group:[\w-]+$/);
        expect(streams, p.name).toBe(`${group}:*`);
      }
    }
  });
});

describe("growth with the catalogue", () => {
  const tmp = mkdtempSync(join(tmpdir(), "berth-shared-apps-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("adds at most 5 resources per service: one more app adds its repository and nothing to the delivery", async () => {
    // The real apps, plus a copy of orders named billing.
    const apps = join(tmp, "apps");
    cpSync(resolve(projectDir, "../../apps"), apps, {
      recursive: true,
      filter: (src) => !/node_modules|dist$/.test(src),
    });
    cpSync(join(apps, "orders"), join(apps, "billing"), { recursive: true });
    const manifest = join(apps, "billing", "berth.yaml");
    // Its own data: a resource has one owner, so the copy names its database and bucket anew.
    writeFileSync(
      manifest,
      readFileSync(manifest, "utf8")
        .replace(/^name: orders$/m, "name: billing")
        .replaceAll("orders-db", "billing-db")
        .replaceAll("receipts", "invoices"),
    );
    const bigger = await runStack(projectDir, "shared", { environment: { BERTH_APPS_DIR: apps } });
    expect(bigger.error).toBeUndefined();
    const added = bigger.resources.length - run.resources.length;
    expect(added).toBeGreaterThan(0);
    expect(added).toBeLessThanOrEqual(5);
    const before = run.countsByType();
    const after = bigger.countsByType();
    // Only the registry grows; the delivery keeps its 35 resources.
    const grown = Object.keys(after).filter((k) => after[k] !== before[k]);
    expect(grown.every((k) => k.startsWith("aws:ecr/"))).toBe(true);
    expect(Object.keys(bigger.outputs.repositoryUrls as Record<string, string>)).toEqual([
      "billing",
      ...SERVICES,
    ]);
    console.log(
      `shared stack: ${run.resources.length} resources with 4 services, ${bigger.resources.length} with 5 (+${added})`,
    );
  });
});
