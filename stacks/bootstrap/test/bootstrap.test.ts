// The bootstrap stacks run offline (the real program under @berth/testing's engine) and every role,
// boundary, bucket and key policy they create is checked: no `*` on `*`, no `iam:*`, PassRole
// scoped, the workload boundary required on every role a deploy role creates, trust exact, state
// prefixes isolated per environment (evaluated against the bucket policy's denials).
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { PolicyDocument, PolicyStatement } from "@berth/core";
import { type RecordedResource, type RunResult, runStack } from "@berth/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { environmentKeys } from "../src/policies";

const projectDir = join(__dirname, "..");
const STATE = "arn:aws:s3:::acme-berth-state";
const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** IAM's wildcard match (`*` any run of characters, `/` included; `?` one character). */
function matches(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`).test(value);
}

/** Every policy document of the run, with where it comes from. */
function documents(run: RunResult): { resource: RecordedResource; field: string; doc: PolicyDocument }[] {
  const out: { resource: RecordedResource; field: string; doc: PolicyDocument }[] = [];
  for (const r of run.managed)
    for (const field of ["policy", "assumeRolePolicy"])
      if (typeof r.inputs[field] === "string" && (r.inputs[field] as string).startsWith("{"))
        out.push({ resource: r, field, doc: JSON.parse(r.inputs[field] as string) as PolicyDocument });
  return out;
}

function policyOf(run: RunResult, name: string): PolicyStatement[] {
  return (JSON.parse(run.named(name).inputs.policy as string) as PolicyDocument).Statement;
}

/** Would the bucket policy's Deny statements stop `principal` doing `action` on `key`? */
function bucketDenies(bucket: PolicyStatement[], principal: string, action: string, key: string): boolean {
  const resource = `${STATE}/${key}`;
  return bucket.some((s) => {
    if (s.Effect !== "Deny") return false;
    const acts = list(s.Action);
    const actionHit = s.NotAction
      ? !list(s.NotAction).includes(action)
      : acts.some((a) => matches(a, action));
    if (!actionHit) return false;
    const resHit = s.NotResource
      ? !list(s.NotResource).some((p) => matches(p, resource))
      : list(s.Resource).some((p) => matches(p, resource));
    if (!resHit) return false;
    const c = s.Condition ?? {};
    if (c.Bool) return false; // TLS: the calls here use TLS
    if (c.ArnNotEquals) return !list(c.ArnNotEquals["aws:PrincipalArn"] as string[]).includes(principal);
    if (c.ArnEquals) return list(c.ArnEquals["aws:PrincipalArn"] as string[]).includes(principal);
    return true;
  });
}

/** Does the identity policy allow `action` on `arn` (ignoring conditions), with no explicit deny? */
function identityAllows(statements: PolicyStatement[], action: string, arn: string): boolean {
  const hit = (s: PolicyStatement) =>
    (s.NotAction
      ? !list(s.NotAction).some((a) => matches(a, action))
      : list(s.Action).some((a) => matches(a, action))) &&
    (s.NotResource
      ? !list(s.NotResource).some((p) => matches(p, arn))
      : list(s.Resource).some((p) => matches(p, arn)));
  if (statements.some((s) => s.Effect === "Deny" && hit(s))) return false;
  return statements.some((s) => s.Effect === "Allow" && hit(s));
}

const role = (account: string, name: string) => `arn:aws:iam::${account}:role/${name}`;
const DEV_DEPLOY = role("123456789012", "berth-deploy-dev");
const STAGING_DEPLOY = role("123456789012", "berth-deploy-staging");
const PROD_DEPLOY = role("210987654321", "berth-deploy-prod");
const DEV_PREVIEW = role("123456789012", "berth-preview-dev");

describe("berth-bootstrap, the tooling account (state, dev, staging)", () => {
  let run: RunResult;
  beforeAll(async () => {
    run = await runStack(projectDir, "tooling");
  });

  it("creates the state bucket with SSE-KMS, S3 Bucket Keys off (per-object encryption context), versioning and the layout marker", () => {
    const enc = run.one(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    ).inputs as {
      rules: { applyServerSideEncryptionByDefault: { sseAlgorithm: string }; bucketKeyEnabled: boolean }[];
    };
    expect(enc.rules[0]!.applyServerSideEncryptionByDefault.sseAlgorithm).toBe("aws:kms");
    expect(enc.rules[0]!.bucketKeyEnabled).toBe(false);
    expect(run.one("aws:s3/bucketObjectv2:BucketObjectv2").inputs).toMatchObject({
      key: ".pulumi/meta.yaml",
      content: "version: 1\n",
    });
    expect(run.one("aws:s3/bucket:Bucket").options.protect).toBe(true);
    // berth-shared's secrets key: prod's roles (another account) may only decrypt with it.
    const shared = (JSON.parse(run.named("secrets-shared").inputs.policy as string) as PolicyDocument)
      .Statement;
    expect(shared.map((s) => [s.Sid, s.Action])).toEqual([
      ["AccountAdministersThroughIam", "kms:*"],
      ["CrossAccountProdDecrypt", "kms:Decrypt"],
    ]);
  });

  it("no policy allows `*` on `*`, `iam:*`, or any action on every resource without a condition beyond the known read-only ones", () => {
    for (const { resource, doc } of documents(run)) {
      for (const s of doc.Statement.filter((x) => x.Effect === "Allow")) {
        const actions = list(s.Action);
        expect(actions, resource.name).not.toContain("*");
        expect(actions, resource.name).not.toContain("iam:*");
        expect(s.NotAction, resource.name).toBeUndefined();
        expect(s.NotResource, resource.name).toBeUndefined();
        // Key policies may say "kms:*" on "*" (that key) for the account root only.
        if (actions.includes("kms:*"))
          expect(s.Principal, resource.name).toEqual({ AWS: "arn:aws:iam::123456789012:root" });
      }
    }
  });

  it("trusts exactly the configured principals, with the external id", () => {
    const trust = (name: string) =>
      JSON.parse(run.named(name).inputs.assumeRolePolicy as string) as PolicyDocument;
    expect(trust("deploy-dev").Statement).toEqual([
      {
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Principal: { AWS: "arn:aws:iam::123456789012:role/delivery-deploy-dev-role-a1b2c3d" },
        Condition: { StringEquals: { "sts:ExternalId": "berth-deploy-dev" } },
      },
    ]);
    expect(trust("preview-dev").Statement).toEqual([
      {
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Principal: { AWS: "arn:aws:iam::123456789012:role/previews-aws-worker-role" },
      },
    ]);
    for (const r of run.ofType("aws:iam/role:Role")) {
      for (const s of (JSON.parse(r.inputs.assumeRolePolicy as string) as PolicyDocument).Statement) {
        for (const p of list((s.Principal as { AWS: string | string[] }).AWS))
          expect(p).not.toMatch(/\*|:root$/);
      }
    }
    expect(
      run
        .ofType("aws:iam/role:Role")
        .map((r) => r.inputs.name)
        .sort(),
    ).toEqual(["berth-deploy-dev", "berth-deploy-staging", "berth-preview-dev"]);
  });

  it("caps each deploy role with its boundary, and lets it create roles only under /berth/<env>/ carrying the workload boundary", () => {
    const deploy = run.named("deploy-dev");
    expect(deploy.inputs.permissionsBoundary).toBe(run.named("deploy-boundary-dev").outputs.arn);
    const workload = run.named("workload-boundary-dev").outputs.arn as string;
    expect(workload).toBe("arn:aws:iam::123456789012:policy/berth-boundaries/berth-workload-dev");
    for (const name of ["deploy-dev-policy", "deploy-boundary-dev"]) {
      const stmts = policyOf(run, name);
      const creating = stmts.filter(
        (s) =>
          s.Effect === "Allow" &&
          list(s.Action).some((a) => ["iam:CreateRole", "iam:PutRolePermissionsBoundary"].includes(a)),
      );
      expect(creating, name).toHaveLength(1);
      expect(list(creating[0]!.Resource)).toEqual(["arn:aws:iam::123456789012:role/berth/dev/*"]);
      expect(creating[0]!.Condition).toEqual({ StringEquals: { "iam:PermissionsBoundary": workload } });
      // No other Allow grants role creation (no wildcard that covers it).
      for (const s of stmts.filter((x) => x.Effect === "Allow" && x !== creating[0]))
        for (const a of list(s.Action)) expect(matches(a, "iam:CreateRole"), `${name}: ${a}`).toBe(false);
      const denies = stmts.filter((s) => s.Effect === "Deny").flatMap((s) => list(s.Action));
      expect(denies).toEqual(
        expect.arrayContaining([
          "iam:DeleteRolePermissionsBoundary",
          "organizations:*",
          "account:*",
          "billing:*",
        ]),
      );
    }
  });

  it("passes roles only under /berth/<env>/ and only to the services Berth uses", () => {
    for (const { resource, doc } of documents(run)) {
      for (const s of doc.Statement.filter(
        (x) => x.Effect === "Allow" && list(x.Action).some((a) => matches(a, "iam:PassRole")),
      )) {
        expect(list(s.Action), resource.name).toEqual(["iam:PassRole"]);
        expect(list(s.Resource)[0], resource.name).toMatch(
          /^arn:aws:iam::123456789012:role\/berth\/(dev|staging)\/\*$/,
        );
        // The deploy role passes its roles to the services Berth creates them for (a job's schedule
        // included); a workload (a scheduler role) passes a task's roles to ECS tasks only.
        expect(s.Condition, resource.name).toEqual({
          StringEquals: {
            "iam:PassedToService": resource.name.startsWith("workload-boundary")
              ? "ecs-tasks.amazonaws.com"
              : [
                  "ecs-tasks.amazonaws.com",
                  "ecs.amazonaws.com",
                  "vpc-flow-logs.amazonaws.com",
                  "ec2.amazonaws.com",
                  "scheduler.amazonaws.com",
                ],
          },
        });
      }
    }
  });

  it("keeps workloads (roles a deploy role creates) away from IAM, the state and the keys", () => {
    const stmts = policyOf(run, "workload-boundary-dev");
    const denied = (action: string, arn: string) =>
      stmts.some(
        (s) =>
          s.Effect === "Deny" &&
          list(s.Action).some((a) => matches(a, action)) &&
          list(s.Resource).some((r) => matches(r, arn)),
      );
    expect(denied("s3:GetObject", `${STATE}/.pulumi/stacks/berth-platform/dev.json`)).toBe(true);
    expect(denied("kms:Decrypt", run.named("state-key").outputs.arn as string)).toBe(true);
    expect(denied("kms:Decrypt", run.named("secrets-staging").outputs.arn as string)).toBe(true);
    for (const a of ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy"])
      expect(denied(a, "arn:aws:iam::123456789012:role/x")).toBe(true);
    // PassRole: only the environment's own roles, only to ECS tasks (a job's scheduler role runs its task).
    const passes = stmts.filter(
      (s) => s.Effect === "Allow" && list(s.Action).some((a) => matches(a, "iam:PassRole")),
    );
    expect(passes.map((s) => [list(s.Resource), s.Condition])).toEqual([
      [
        ["arn:aws:iam::123456789012:role/berth/dev/*"],
        { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      ],
    ]);
    expect(denied("organizations:LeaveOrganization", "*")).toBe(true);
  });

  it("lets workloads use linked data: RDS-managed master secrets and IAM-authenticated connects, in the region", () => {
    const stmts = policyOf(run, "workload-boundary-dev");
    const allowed = (action: string, arn: string) =>
      stmts.some(
        (s) =>
          s.Effect === "Allow" &&
          list(s.Action).some((a) => matches(a, action)) &&
          list(s.Resource).some((r) => matches(r, arn)),
      );
    const rdsSecret =
      "arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!cluster-0a1b2c3d-4e5f-6789-abcd-ef0123456789-AbCdEf";
    expect(allowed("secretsmanager:GetSecretValue", rdsSecret)).toBe(true);
    expect(
      allowed(
        "secretsmanager:GetSecretValue",
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:other/x",
      ),
    ).toBe(false);
    expect(allowed("rds-db:connect", "arn:aws:rds-db:us-east-1:123456789012:dbuser:cluster-ABC/app")).toBe(
      true,
    );
    expect(
      allowed("elasticache:Connect", "arn:aws:elasticache:us-east-1:123456789012:serverlesscache:sessions"),
    ).toBe(true);
    // The deploy role lets RDS create and rotate those secrets, and never reads them.
    const deploy = policyOf(run, "deploy-dev-policy").find((s) => s.Sid === "RdsSecrets")!;
    expect(deploy.Resource).toBe("arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!*");
    for (const a of [
      "secretsmanager:CreateSecret",
      "secretsmanager:TagResource",
      "secretsmanager:RotateSecret",
    ])
      expect(list(deploy.Action).some((x) => matches(x, a))).toBe(true);
    for (const a of [
      "secretsmanager:GetSecretValue",
      "secretsmanager:UpdateSecret",
      "secretsmanager:PutSecretValue",
    ])
      expect(list(deploy.Action).some((x) => matches(x, a))).toBe(false);
    // RDS describes the secret's key (aws/secretsmanager) with the deploy role's permissions.
    const platform = policyOf(run, "deploy-dev-policy").find((s) => s.Sid === "ManagePlatformResources")!;
    expect(list(platform.Action)).toContain("kms:DescribeKey");
  });

  it("writes each environment's state only by its deploy role: the bucket policy and the identity policies agree", () => {
    const bucket = (
      JSON.parse(run.one("aws:s3/bucketPolicy:BucketPolicy").inputs.policy as string) as PolicyDocument
    ).Statement;
    const dev = policyOf(run, "deploy-dev-policy");
    const samples = {
      devPlatform: ".pulumi/stacks/berth-platform/dev.json",
      devService: ".pulumi/stacks/berth-service/dev.orders.json",
      devLock: ".pulumi/locks/organization/berth-service/dev.orders/1a2b.json",
      devHistory: ".pulumi/history/berth-platform/dev/dev-1700000000.history.json",
      prodPlatform: ".pulumi/stacks/berth-platform/prod.json",
      prodService: ".pulumi/stacks/berth-service/prod.orders.json",
      stagingPlatform: ".pulumi/stacks/berth-platform/staging.json",
      shared: ".pulumi/stacks/berth-shared/shared.json",
      meta: ".pulumi/meta.yaml",
    };
    for (const key of [samples.devPlatform, samples.devService, samples.devLock, samples.devHistory]) {
      expect(identityAllows(dev, "s3:PutObject", `${STATE}/${key}`), key).toBe(true);
      expect(bucketDenies(bucket, DEV_DEPLOY, "s3:PutObject", key), key).toBe(false);
      expect(bucketDenies(bucket, PROD_DEPLOY, "s3:PutObject", key), key).toBe(true);
      expect(bucketDenies(bucket, STAGING_DEPLOY, "s3:PutObject", key), key).toBe(true);
    }
    for (const key of [
      samples.prodPlatform,
      samples.prodService,
      samples.stagingPlatform,
      samples.shared,
      samples.meta,
    ]) {
      expect(identityAllows(dev, "s3:PutObject", `${STATE}/${key}`), key).toBe(false);
      expect(bucketDenies(bucket, DEV_DEPLOY, "s3:PutObject", key), key).toBe(true);
    }
    expect(bucketDenies(bucket, PROD_DEPLOY, "s3:PutObject", samples.prodService)).toBe(false);
    expect(bucketDenies(bucket, DEV_PREVIEW, "s3:PutObject", samples.devPlatform)).toBe(true);
    expect(bucketDenies(bucket, DEV_PREVIEW, "s3:GetObject", samples.devPlatform)).toBe(false);
    expect(bucketDenies(bucket, DEV_PREVIEW, "s3:GetObject", samples.prodPlatform)).toBe(true);
    expect(bucketDenies(bucket, DEV_DEPLOY, "s3:PutBucketPolicy", "")).toBe(true);
    expect(bucketDenies(bucket, "arn:aws:iam::123456789012:role/berth-admin", "s3:PutBucketPolicy", "")).toBe(
      false,
    );
  });

  it("decrypts state objects only through S3 and only for the environment's own objects (encryption context)", () => {
    const dev = policyOf(run, "deploy-dev-policy");
    const own = dev.find((s) => s.Sid === "StateKeyForOwnObjects")!;
    expect(own.Resource).toBe(run.named("state-key").outputs.arn);
    expect(own.Condition?.StringEquals).toEqual({ "kms:ViaService": "s3.us-east-1.amazonaws.com" });
    expect(list(own.Condition?.StringLike?.["kms:EncryptionContext:aws:s3:arn"] as string[])).toEqual(
      environmentKeys("dev", { "berth-platform": "environment", "berth-service": "per-service" }).all.map(
        (k) => `${STATE}/${k}`,
      ),
    );
    const ctx = list(own.Condition?.StringLike?.["kms:EncryptionContext:aws:s3:arn"] as string[]);
    expect(ctx.some((p) => matches(p, `${STATE}/.pulumi/stacks/berth-platform/prod.json`))).toBe(false);
  });

  it("gives the preview role reads of its own checkpoints and pointers, never a secret value or a write", () => {
    const stmts = policyOf(run, "preview-dev-policy");
    const allows = stmts.filter((s) => s.Effect === "Allow").flatMap((s) => list(s.Action));
    expect(
      allows.filter(
        (a) =>
          !/^(s3:(ListBucket|GetObject|GetObjectVersion)|kms:(Decrypt|DescribeKey)|ssm:GetParameters?)$/.test(
            a,
          ),
      ),
    ).toEqual([]);
    const ssm = stmts.find((s) => s.Sid === "OwnReleasePointers")!;
    expect(list(ssm.Resource)).toEqual(["arn:aws:ssm:us-east-1:123456789012:parameter/berth/dev/*"]);
    const reads = list(stmts.find((s) => s.Sid === "ReadOwnCheckpoints")!.Resource);
    expect(reads.some((p) => matches(p, `${STATE}/.pulumi/stacks/berth-platform/prod.json`))).toBe(false);
    expect(reads.some((p) => matches(p, `${STATE}/.pulumi/stacks/berth-service/dev.orders.json`))).toBe(true);
    const deny = (sid: string) => stmts.find((s) => s.Sid === sid)!;
    expect(list(deny("DenySecretValues").Action)).toContain("secretsmanager:GetSecretValue");
    expect(deny("DenyDecryptThroughSsmOrSecretsManager").Condition).toEqual({
      StringLike: { "kms:ViaService": ["ssm.*.amazonaws.com", "secretsmanager.*.amazonaws.com"] },
    });
    expect(list(deny("DenyWrites").Action)).toEqual(
      expect.arrayContaining(["s3:PutObject", "ssm:PutParameter", "kms:Encrypt"]),
    );
    // Its only managed policy is AWS's read-only ViewOnlyAccess, listed exclusively.
    expect(run.named("preview-dev-managed").inputs.policyArns).toEqual([
      "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
    ]);
  });

  it("lets prod's roles (another account) reach only prod's prefixes, through the bucket and key policies", () => {
    const bucket = (
      JSON.parse(run.one("aws:s3/bucketPolicy:BucketPolicy").inputs.policy as string) as PolicyDocument
    ).Statement;
    const cross = bucket.find((s) => s.Sid === "CrossAccountProd")!;
    expect(cross.Principal).toEqual({ AWS: "arn:aws:iam::210987654321:root" });
    expect(cross.Condition).toEqual({
      ArnEquals: { "aws:PrincipalArn": [PROD_DEPLOY, role("210987654321", "berth-preview-prod")] },
    });
    const key = (JSON.parse(run.named("state-key").inputs.policy as string) as PolicyDocument).Statement;
    const prodKey = key.find((s) => s.Sid === "CrossAccountProdThroughS3")!;
    const ctx = list(prodKey.Condition?.StringLike?.["kms:EncryptionContext:aws:s3:arn"] as string[]);
    expect(ctx.some((p) => matches(p, `${STATE}/.pulumi/stacks/berth-platform/prod.json`))).toBe(true);
    expect(ctx.some((p) => matches(p, `${STATE}/.pulumi/stacks/berth-platform/dev.json`))).toBe(false);
  });

  it("fits IAM's size limits (managed 6,144; a role's inline policies 10,240; bucket policy 20 KB)", () => {
    for (const p of run.ofType("aws:iam/policy:Policy"))
      expect((p.inputs.policy as string).replace(/\s/g, "").length, p.name).toBeLessThanOrEqual(6144);
    for (const p of run.ofType("aws:iam/rolePolicy:RolePolicy"))
      expect((p.inputs.policy as string).replace(/\s/g, "").length, p.name).toBeLessThanOrEqual(10240);
    expect((run.one("aws:s3/bucketPolicy:BucketPolicy").inputs.policy as string).length).toBeLessThanOrEqual(
      20480,
    );
  });
});

describe("berth-bootstrap, the prod account", () => {
  it("creates prod's deploy role and secrets key only, against the tooling account's state key", async () => {
    const run = await runStack(projectDir, "prod");
    expect(run.ofType("aws:iam/role:Role").map((r) => r.inputs.name)).toEqual(["berth-deploy-prod"]);
    expect(run.ofType("aws:s3/bucket:Bucket")).toEqual([]);
    const stmts = policyOf(run, "deploy-prod-policy");
    expect(stmts.find((s) => s.Sid === "StateKeyForOwnObjects")!.Resource).toBe(
      "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    );
    expect(identityAllows(stmts, "s3:PutObject", `${STATE}/.pulumi/stacks/berth-platform/dev.json`)).toBe(
      false,
    );
    expect(
      identityAllows(stmts, "s3:PutObject", `${STATE}/.pulumi/stacks/berth-service/prod.orders.json`),
    ).toBe(true);
    expect(run.outputs.secretsProviders).toEqual({
      prod: "awskms://alias/berth-secrets-prod?region=us-east-1",
    });
  });
});

describe("berth-bootstrap config, checked before any resource", () => {
  const dir = mkdtempSync(join(tmpdir(), "berth-bootstrap-config-"));
  const base = () =>
    (
      parse(readFileSync(join(projectDir, "Pulumi.tooling.yaml"), "utf8")) as {
        config: Record<string, unknown>;
      }
    ).config;
  const env = (c: Record<string, unknown>, name: string) =>
    (c["berth-bootstrap:environments"] as Record<string, Record<string, unknown>>)[name]!;
  const cases: [string, (c: Record<string, unknown>) => void, RegExp][] = [
    [
      "a short account id",
      (c) => {
        env(c, "dev").account = "12345";
      },
      /environments\.dev\.account is "12345"; expected a 12-digit AWS account id/,
    ],
    [
      "a wildcard principal",
      (c) => {
        env(c, "dev").deployPrincipalArns = ["arn:aws:iam::123456789012:role/*"];
      },
      /environments\.dev\.deployPrincipalArns\[0\] is "arn:aws:iam::123456789012:role\/\*"; expected an IAM role ARN/,
    ],
    [
      "a deploy role trusted by another Berth role",
      (c) => {
        env(c, "dev").deployPrincipalArns = ["arn:aws:iam::123456789012:role/berth-deploy-staging"];
      },
      /environments\.dev\.deployPrincipalArns is .*may not be trusted by another/,
    ],
    [
      "a typo",
      (c) => {
        env(c, "dev").deployPrincipalArn = [];
      },
      /environments\.dev\.deployPrincipalArn is not a known key/,
    ],
    [
      "an environment name with a dot",
      (c) => {
        (c["berth-bootstrap:environments"] as Record<string, unknown>)["dev.eu"] = {
          account: "123456789012",
        };
      },
      /environments\.dev\.eu is not a valid name/,
    ],
    [
      "the state in another account without its key",
      (c) => {
        (c["berth-bootstrap:state"] as Record<string, unknown>).account = "210987654321";
      },
      /state\.keyArn is missing; the state is in account 210987654321/,
    ],
    [
      "no admin",
      (c) => {
        c["berth-bootstrap:adminPrincipalArns"] = [];
      },
      /adminPrincipalArns has 0 items; expected at least 1/,
    ],
    [
      "a pass-role service Berth does not use",
      (c) => {
        c["berth-bootstrap:passRoleServices"] = ["iam.amazonaws.com"];
      },
      /passRoleServices\[0\] is "iam\.amazonaws\.com"; allowed:/,
    ],
  ];
  it.each(cases)("rejects %s with the file and the key", async (name, change, message) => {
    const config = base();
    change(config);
    const file = join(dir, `Pulumi.tooling.${name.replace(/\W+/g, "-")}.yaml`);
    writeFileSync(file, stringify({ config }));
    const run = await runStack(projectDir, "tooling", { configFile: file, allowError: true });
    expect(run.error?.name).toBe("ConfigError");
    expect(run.error?.message).toMatch(message);
    expect(run.error?.message.startsWith(`${file}: `)).toBe(true);
    expect(run.managed).toEqual([]);
  });

  it("creates no deploy role before its trusted principal is known (first run)", async () => {
    const config = base();
    delete env(config, "dev").deployPrincipalArns;
    const file = join(dir, "Pulumi.tooling.first-run.yaml");
    writeFileSync(file, stringify({ config }));
    const run = await runStack(projectDir, "tooling", { configFile: file });
    expect(run.ofType("aws:iam/role:Role").map((r) => r.inputs.name)).not.toContain("berth-deploy-dev");
    expect(run.ofType("aws:s3/bucket:Bucket")).toHaveLength(1);
  });
});

describe("berth preview of the bootstrap stacks (the CLI, offline)", () => {
  const berth = join(projectDir, "..", "..", "packages", "cli", "bin", "berth.cjs");
  it.each(["tooling", "prod"])("%s previews offline: exit 0 and a create plan", async (stack) => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [berth, "preview", "-C", projectDir, "-s", stack, "--json"],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const digest = JSON.parse(stdout) as {
      changeSummary: Record<string, number>;
      diagnostics?: { severity: string }[];
    };
    expect(digest.changeSummary.create).toBeGreaterThan(5);
    expect((digest.diagnostics ?? []).filter((d) => d.severity === "error")).toEqual([]);
  });
});
