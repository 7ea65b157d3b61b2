/**
 * The schema of `Pulumi.<stack>.yaml` for berth-bootstrap (one stack per AWS account). Read and
 * checked when the program starts, before any resource exists: an unknown key, a missing key or a
 * value outside what is allowed fails with the file, the key and what is allowed, e.g.
 *
 *   Pulumi.tooling.yaml: berth-bootstrap:environments.dev.account is "12345"; expected a 12-digit AWS account id
 */
import { config, configFailer, readStackConfig, show, stackConfigJsonSchema, type z } from "@berth/core";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";

const ACCOUNT_ID = config.accountId();
const REGION = config.string({
  pattern: /^[a-z]{2}(-gov)?-[a-z]+-\d$/,
  describe: 'an AWS region name such as "us-east-1"',
});
/** An IAM role ARN, exactly (no wildcard: trust and conditions name principals exactly). */
export const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const roleArn = config.string({
  pattern: ROLE_ARN,
  describe: "an IAM role ARN such as arn:aws:iam::123456789012:role/name (no wildcard)",
});
const principalArn = config.string({
  pattern:
    /^arn:(aws|aws-cn|aws-us-gov):(iam::\d{12}:(role|user)\/[\w+=,.@/-]{1,512}|iam::\d{12}:root|sts::\d{12}:assumed-role\/[\w+=,.@/-]+)$/,
  describe: "an IAM role, user or account-root ARN (no wildcard)",
});
const KMS_KEY_ARN = config.string({
  pattern:
    /^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
  describe: "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>; not an alias)",
});
/** Environment names become role names, paths and state prefixes: short, lower case, no dot. */
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,15}$/;
/** A Pulumi project or stack name as the S3 backend writes it into object keys. */
const PULUMI_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const TAG_VALUE = config.tagValue();

/** Services a deploy role may pass its own roles to (iam:PassedToService). */
export const DEFAULT_PASS_ROLE_SERVICES = [
  "ecs-tasks.amazonaws.com",
  "ecs.amazonaws.com",
  "vpc-flow-logs.amazonaws.com",
  "ec2.amazonaws.com",
  // A job's schedule (EventBridge Scheduler) is created with its role.
  "scheduler.amazonaws.com",
] as const;
const PASSABLE_SERVICES = [
  ...DEFAULT_PASS_ROLE_SERVICES,
  "monitoring.rds.amazonaws.com",
  "events.amazonaws.com",
  "states.amazonaws.com",
  "lambda.amazonaws.com",
] as const;

const environment = config.object({
  /** The account the environment's stacks deploy into: its roles and secrets key are made by that account's run. */
  account: ACCOUNT_ID,
  /**
   * The pipeline's deploy project role(s) for this environment (stacks/shared output
   * `deployProjectRoleArns`): the ONLY principals `berth-deploy-<env>` trusts. Omit on the first run
   * (before stacks/shared exists): the deploy role is then not created yet.
   */
  deployPrincipalArns: config.optional(config.list(roleArn, { min: 1, max: 10 })),
  /**
   * Required by the deploy role's trust (`sts:ExternalId`): the deploy build passes it with
   * `aws sts assume-role --external-id`. Not a secret; it binds the trust to Berth's deploy call.
   */
  externalId: config.optional(
    config.string({
      pattern: /^[\w+=,.@:/-]{2,1224}$/,
      describe: "an external id (2-1224 of [\\w+=,.@:/-])",
    }),
  ),
  /**
   * The credentialed preview worker's role (PullRequestPreviews output `previewPrincipalArn`): the
   * only principal `berth-preview-<env>` trusts. Omit: no preview role for this environment (its
   * stacks are previewed offline). Prod usually omits it: a credentialed preview decrypts the
   * environment's Pulumi secrets.
   */
  previewPrincipalArns: config.optional(config.list(roleArn, { min: 1, max: 10 })),
  /**
   * Other stacks this environment's programs read through a StackReference: `<project>/<stack>`.
   * Their checkpoint is readable (never writable) by this environment's roles.
   */
  readStacks: config.withDefault(
    config.list(
      config.string({
        pattern: /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/,
        describe: '"<project>/<stack>", e.g. "berth-shared/shared"',
      }),
      { max: 20 },
    ),
    ["berth-shared/shared"],
  ),
  /**
   * KMS keys of those stacks' secrets providers (a StackReference decrypts the referenced
   * checkpoint's secrets with them). Each one listed lets this environment read THAT stack's secrets.
   */
  readStackKeyArns: config.withDefault(config.list(KMS_KEY_ARN, { max: 5 }), []),
});

/** `berth-bootstrap:*` keys. */
export const bootstrapSchema = {
  /** The account this run is for (run once per account, with admin credentials). */
  accountId: ACCOUNT_ID,
  owner: TAG_VALUE,
  costCenter: TAG_VALUE,
  /**
   * Principals that administer the keys and may repair any state (break glass): the admin role the
   * bootstrap runs with. Never a deploy or preview role.
   */
  adminPrincipalArns: config.list(principalArn, { min: 1, max: 10 }),
  /** The Pulumi state backend (one bucket for every account). */
  state: config.object({
    /** The bucket's name. */
    bucket: config.string({
      pattern: /^(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/,
      describe: "an S3 bucket name without dots (3-63 lowercase letters, digits, '-')",
    }),
    /** The account that holds the bucket and the state key: that account's run creates them. */
    account: ACCOUNT_ID,
    region: REGION,
    /** The state key (SSE-KMS of the bucket); required in the other accounts' runs. */
    keyArn: config.optional(KMS_KEY_ARN),
    /** Pulumi `protect` on the bucket and the keys. */
    protect: config.withDefault(config.boolean(), true),
  }),
  /**
   * Pulumi projects whose stacks belong to environments, and how their stacks are named:
   * `environment` (stack = `<env>`, berth-platform) or `per-service` (stacks `<env>.<service>`, berth-service).
   */
  projects: config.withDefault(
    config.record(config.oneOf(["environment", "per-service"] as const), {
      pattern: PULUMI_NAME,
      describe: "a Pulumi project name",
    }),
    { "berth-platform": "environment", "berth-service": "per-service" },
  ),
  /** Every environment of every account (each account's run creates the roles of its own). */
  environments: config.record(environment, {
    pattern: ENVIRONMENT_NAME,
    describe: "an environment name (a-z, 0-9, '-'; up to 16)",
  }),
  /** Services the deploy roles may pass their own roles to. */
  passRoleServices: config.withDefault(config.list(config.oneOf(PASSABLE_SERVICES), { min: 1 }), [
    ...DEFAULT_PASS_ROLE_SERVICES,
  ]),
};

export const awsSchema = {
  region: REGION,
  profile: config.optional(config.string({ minLength: 1, describe: "an AWS CLI profile name" })),
};

const bootstrapConfig = config.object(bootstrapSchema);
const awsConfig = config.object(awsSchema);
export type BootstrapConfig = z.infer<typeof bootstrapConfig> & { aws: z.infer<typeof awsConfig> };
export type EnvironmentConfig = BootstrapConfig["environments"][string];

/** The JSON Schema of `Pulumi.<stack>.yaml` (schemas/stack-config/berth-bootstrap.schema.json). */
export function bootstrapConfigJsonSchema(): Record<string, unknown> {
  return stackConfigJsonSchema("berth-bootstrap", { "berth-bootstrap": bootstrapSchema, aws: awsSchema });
}

/** Reads and checks the stack's whole configuration, including rules that span keys. */
export function loadBootstrapConfig(stack = pulumi.getStack()): BootstrapConfig {
  const cfg = readStackConfig(bootstrapSchema, { stack, parse });
  const aws = readStackConfig(awsSchema, { namespace: "aws", stack, parse });
  const fail = configFailer(stack);
  if (Object.keys(cfg.environments).length === 0)
    fail("environments", "is empty; list at least one environment");
  const createsState = cfg.state.account === cfg.accountId;
  if (createsState && cfg.state.region !== aws.region) {
    fail(
      "state.region",
      `is ${show(cfg.state.region)}; this run creates the bucket in its provider's region ${show(aws.region)}: make them equal`,
    );
  }
  if (!createsState && !cfg.state.keyArn) {
    fail(
      "state.keyArn",
      `is missing; the state is in account ${cfg.state.account}, not this one (${cfg.accountId}): give the state key's ARN (output stateKeyArn of that account's run)`,
    );
  }
  if (cfg.state.keyArn && cfg.state.keyArn.split(":")[4] !== cfg.state.account) {
    fail(
      "state.keyArn",
      `is ${show(cfg.state.keyArn)}; must be a key in the state account ${cfg.state.account}`,
    );
  }
  for (const [name, env] of Object.entries(cfg.environments)) {
    for (const [field, arns] of [
      ["deployPrincipalArns", env.deployPrincipalArns],
      ["previewPrincipalArns", env.previewPrincipalArns],
    ] as const) {
      for (const arn of arns ?? []) {
        if (/\/berth-(deploy|preview)-/.test(arn)) {
          fail(
            `environments.${name}.${field}`,
            `is ${show(arn)}; a Berth deploy or preview role may not be trusted by another (name the pipeline's project role)`,
          );
        }
      }
    }
    for (const admin of cfg.adminPrincipalArns) {
      if (/:role\/berth-(deploy|preview)-/.test(admin))
        fail("adminPrincipalArns", `is ${show(admin)}; an admin is never a deploy or preview role`);
    }
    if (env.readStacks.some((s) => Object.keys(cfg.projects).includes(s.split("/")[0]!))) {
      fail(
        `environments.${name}.readStacks`,
        `is ${show(env.readStacks)}; stacks of ${Object.keys(cfg.projects).join(", ")} belong to environments and are not shared`,
      );
    }
  }
  return { ...cfg, aws };
}
