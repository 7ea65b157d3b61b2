/**
 * berth-bootstrap: run once per AWS account with admin credentials (the role CDK's bootstrap plays).
 *
 * In the state account: the state bucket (SSE-KMS with the state key, S3 Bucket Keys OFF so that
 * the encryption context names each object, versioned, TLS only, owner enforced, configured only
 * by admins; each environment's prefixes written only by its deploy role) and `.pulumi/meta.yaml`.
 * In every account, for each environment living there:
 *   - `alias/berth-secrets-<env>`: the environment's Pulumi secrets key (awskms provider);
 *   - two permission boundaries: `berth-deploy-<env>` (the deploy role's cap) and
 *     `berth-workload-<env>` (every role the deploy role creates must carry it);
 *   - `berth-deploy-<env>`: trusted by exactly the pipeline's deploy project role(s) of that
 *     environment; its state prefixes, keys, release pointers, the platform's services, IAM only
 *     under `/berth/<env>/` with the workload boundary, PassRole only to Berth's services;
 *   - `berth-preview-<env>` (optional): trusted by exactly the credentialed preview worker; reads
 *     only its environment's checkpoints and pointers; no secret value, no write.
 * Every policy is built by src/policies.ts from the checked config (src/config.ts).
 *
 * Imports are extensionless: this package is CommonJS (see stacks/shared).
 */
import { privateBucketControls } from "@berth/data";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { loadBootstrapConfig } from "./config";
import {
  BOUNDARY_PATH,
  type BucketEnvironment,
  bucketPolicy,
  type Context,
  deployBoundary,
  deployBoundaryName,
  deployPolicy,
  deployRoleName,
  type Environment,
  META_KEY,
  partitionOf,
  previewPolicy,
  previewRoleName,
  roleArn,
  stateKeyPolicy,
  trustPolicy,
  workloadBoundary,
  workloadBoundaryName,
} from "./policies";

// 1. Config first: nothing is created from a config that does not check.
const cfg = loadBootstrapConfig();
const partition = partitionOf(cfg.aws.region);
const createsState = cfg.state.account === cfg.accountId;

const provider = new aws.Provider("aws", {
  region: cfg.aws.region as aws.Region,
  allowedAccountIds: [cfg.accountId],
  ...(cfg.aws.profile ? { profile: cfg.aws.profile } : {}),
  defaultTags: {
    tags: {
      Project: "berth",
      Component: "bootstrap",
      ManagedBy: "pulumi",
      Owner: cfg.owner,
      CostCenter: cfg.costCenter,
    },
  },
});
const opts = { provider };
const stateful = { provider, protect: cfg.state.protect, retainOnDelete: cfg.state.protect };
const json = (doc: unknown) => JSON.stringify(doc);

const allEnvs: BucketEnvironment[] = Object.entries(cfg.environments).map(([name, e]) => ({
  name,
  account: e.account,
  deployRole: roleArn(partition, e.account, deployRoleName(name)),
  previewRole: roleArn(partition, e.account, previewRoleName(name)),
  readStacks: e.readStacks,
}));

// 2. The state bucket and its key (state account only).
let stateKeyArn: pulumi.Output<string>;
let stateBucket: pulumi.Output<string> = pulumi.output(cfg.state.bucket);
let sharedSecretsKeyArn: pulumi.Output<string | undefined> = pulumi.output(undefined);
if (createsState) {
  const key = new aws.kms.Key(
    "state-key",
    {
      description: `Berth Pulumi state (SSE-KMS of s3://${cfg.state.bucket})`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: json(
        stateKeyPolicy(
          { partition, bucket: cfg.state.bucket, projects: cfg.projects, region: cfg.aws.region },
          cfg.accountId,
          allEnvs,
        ),
      ),
    },
    stateful,
  );
  new aws.kms.Alias("state-key-alias", { name: "alias/berth-state", targetKeyId: key.keyId }, opts);
  stateKeyArn = key.arn;
  const bucket = new aws.s3.Bucket("state", { bucket: cfg.state.bucket, forceDestroy: false }, stateful);
  stateBucket = bucket.bucket;
  privateBucketControls("state", bucket, opts, {
    // Bucket Key off on purpose: with it the encryption context is the BUCKET's ARN, and the
    // per-environment kms:EncryptionContext:aws:s3:arn conditions could not tell objects apart.
    encryption: { kmsKeyArn: key.arn, bucketKeyEnabled: false },
    ownershipEnforced: true,
    versioning: true,
  });
  new aws.s3.BucketLifecycleConfiguration(
    "state-lifecycle",
    {
      bucket: bucket.id,
      rules: [
        {
          id: "expire-old-versions",
          status: "Enabled",
          filter: { prefix: "" },
          noncurrentVersionExpiration: { noncurrentDays: 90 },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
      ],
    },
    opts,
  );
  new aws.s3.BucketPolicy(
    "state-policy",
    {
      bucket: bucket.id,
      policy: json(
        bucketPolicy(
          { partition, bucket: cfg.state.bucket, projects: cfg.projects },
          allEnvs,
          cfg.adminPrincipalArns,
          cfg.accountId,
        ),
      ),
    },
    opts,
  );
  // The backend's layout marker, written once by an admin: deploy roles write only their prefixes.
  new aws.s3.BucketObjectv2(
    "state-meta",
    { bucket: bucket.id, key: META_KEY, content: "version: 1\n", contentType: "application/x-yaml" },
    opts,
  );
  // The secrets key of berth-shared (the tooling stack every environment reads by StackReference).
  // Environments decrypt with it only where they list it in readStackKeyArns; other accounts'
  // roles need this key policy too.
  const sharedKey = secretsKey(
    "shared",
    "berth-shared",
    allEnvs
      .filter((e) => e.account !== cfg.accountId)
      .map((e) => ({
        Sid: `CrossAccount${e.name.replace(/(^|-)([a-z])/g, (_m, _d, ch: string) => ch.toUpperCase())}Decrypt`,
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${e.account}:root` },
        Action: "kms:Decrypt",
        Resource: "*",
        Condition: { ArnEquals: { "aws:PrincipalArn": [e.deployRole, e.previewRole] } },
      })),
  );
  sharedSecretsKeyArn = sharedKey.arn;
} else {
  stateKeyArn = pulumi.output(cfg.state.keyArn!);
}

/**
 * A Pulumi secrets key (awskms secrets provider) and its alias `alias/berth-secrets-<name>`: the
 * account administers it through IAM; `extra` statements let other accounts' roles decrypt.
 */
function secretsKey(name: string, of: string, extra: Record<string, unknown>[] = []): aws.kms.Key {
  const key = new aws.kms.Key(
    `secrets-${name}`,
    {
      description: `Berth Pulumi secrets of ${of} (awskms secrets provider)`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: json({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "AccountAdministersThroughIam",
            Effect: "Allow",
            Principal: { AWS: `arn:${partition}:iam::${cfg.accountId}:root` },
            Action: "kms:*",
            Resource: "*",
          },
          ...extra,
        ],
      }),
    },
    stateful,
  );
  new aws.kms.Alias(
    `secrets-${name}-alias`,
    { name: `alias/berth-secrets-${name}`, targetKeyId: key.keyId },
    opts,
  );
  return key;
}

// 3. Per environment living in this account.
const local = Object.entries(cfg.environments).filter(([, e]) => e.account === cfg.accountId);
const secretsKeys = Object.fromEntries(
  local.map(([name]) => {
    const key = secretsKey(name, `the ${name} stacks`);
    return [name, key];
  }),
);
const allSecretsKeyArns = pulumi.all(Object.values(secretsKeys).map((k) => k.arn));

const ctx = (stateKey: string): Context => ({
  partition,
  region: cfg.aws.region,
  account: cfg.accountId,
  bucket: cfg.state.bucket,
  stateKeyArn: stateKey,
  projects: cfg.projects,
  passRoleServices: cfg.passRoleServices,
});

const deployRoleArns: Record<string, pulumi.Output<string>> = {};
const previewRoleArns: Record<string, pulumi.Output<string>> = {};
const boundaryArns: Record<string, pulumi.Output<string>> = {};
for (const [name, e] of local) {
  const env = (secretsKey: string): Environment => ({
    name,
    account: e.account,
    secretsKeyArn: secretsKey,
    readStacks: e.readStacks,
    readStackKeyArns: e.readStackKeyArns,
  });
  const docs = pulumi
    .all([stateKeyArn, secretsKeys[name]!.arn, allSecretsKeyArns])
    .apply(([sk, key, all]) => ({
      deploy: json(deployPolicy(ctx(sk), env(key))),
      deployBoundary: json(deployBoundary(ctx(sk), env(key))),
      workload: json(workloadBoundary(ctx(sk), env(key), all)),
      preview: json(previewPolicy(ctx(sk), env(key))),
    }));
  const workload = new aws.iam.Policy(
    `workload-boundary-${name}`,
    {
      name: workloadBoundaryName(name),
      path: BOUNDARY_PATH,
      description: `Berth: the most any role made by berth-deploy-${name} may do`,
      policy: docs.workload,
    },
    opts,
  );
  boundaryArns[name] = workload.arn;
  const deployCap = new aws.iam.Policy(
    `deploy-boundary-${name}`,
    {
      name: deployBoundaryName(name),
      path: BOUNDARY_PATH,
      description: `Berth: the most berth-deploy-${name} may do`,
      policy: docs.deployBoundary,
    },
    opts,
  );
  if (e.deployPrincipalArns) {
    const role = new aws.iam.Role(
      `deploy-${name}`,
      {
        name: deployRoleName(name),
        description: `Berth: pulumi up of the ${name} stacks, from the pipeline's ${name} deploy project only`,
        assumeRolePolicy: json(trustPolicy(e.deployPrincipalArns, e.externalId)),
        permissionsBoundary: deployCap.arn,
        maxSessionDuration: 3600,
      },
      opts,
    );
    new aws.iam.RolePolicy(
      `deploy-${name}-policy`,
      { role: role.name, name: "berth-deploy", policy: docs.deploy },
      opts,
    );
    new aws.iam.RolePolicyAttachmentsExclusive(
      `deploy-${name}-managed`,
      { roleName: role.name, policyArns: [] },
      opts,
    );
    deployRoleArns[name] = role.arn;
  } else {
    pulumi.log.info(
      `environments.${name}.deployPrincipalArns is not set: berth-deploy-${name} is not created yet (set it to stacks/shared's deployProjectRoleArns.${name} and run again)`,
    );
  }
  if (e.previewPrincipalArns) {
    const role = new aws.iam.Role(
      `preview-${name}`,
      {
        name: previewRoleName(name),
        description: `Berth: credentialed pull-request previews of the ${name} stacks; read-only`,
        assumeRolePolicy: json(trustPolicy(e.previewPrincipalArns)),
        maxSessionDuration: 3600,
      },
      opts,
    );
    new aws.iam.RolePolicy(
      `preview-${name}-policy`,
      { role: role.name, name: "berth-preview", policy: docs.preview },
      opts,
    );
    const viewOnly = `arn:${partition}:iam::aws:policy/job-function/ViewOnlyAccess`;
    const attach = new aws.iam.RolePolicyAttachment(
      `preview-${name}-view-only`,
      { role: role.name, policyArn: viewOnly },
      opts,
    );
    new aws.iam.RolePolicyAttachmentsExclusive(
      `preview-${name}-managed`,
      { roleName: role.name, policyArns: [viewOnly] },
      { ...opts, dependsOn: [attach] },
    );
    previewRoleArns[name] = role.arn;
  }
}

export const stateBucketName = stateBucket;
export const stateKey = stateKeyArn;
/** berth-shared's secrets key (state account): `awskms://alias/berth-secrets-shared`; list it in readStackKeyArns. */
export const sharedSecretsKey = sharedSecretsKeyArn;
/** `pulumi stack init --secrets-provider <this>` for each environment's stacks. */
export const secretsProviders = Object.fromEntries(
  local.map(([name]) => [name, `awskms://alias/berth-secrets-${name}?region=${cfg.aws.region}`]),
);
export const deployRoles = deployRoleArns;
export const previewRoles = previewRoleArns;
export const workloadBoundaries = boundaryArns;
