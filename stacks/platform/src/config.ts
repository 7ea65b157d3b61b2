/**
 * The one schema every `Pulumi.<env>.yaml` of berth-platform follows. `loadPlatformConfig()` reads
 * and checks the whole file when the program starts, before any resource exists: an unknown key (a
 * typo), a missing key or a value outside what is allowed fails with the file, the key and what is
 * allowed, e.g.
 *
 *   Pulumi.dev.yaml: berth-platform:network.natMode is "fast"; allowed: "none", "single", "perAz", "instance"
 */
import {
  config,
  configFailer,
  LOG_RETENTION_DAYS,
  parseCidr,
  readStackConfig,
  show,
  stackConfigJsonSchema,
  type z,
} from "@berth/core";
import { INTERFACE_ENDPOINT_NAMES, NAT_MODES } from "@berth/networking";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";

/** Owner and CostCenter become tags on every resource: AWS's tag-value rules (no newline, no `~`). */
const TAG_VALUE = config.tagValue();

const retentionDays = config.integerIn(LOG_RETENTION_DAYS);

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const hostName = config.string({
  pattern: DNS_NAME,
  describe: 'a lower-case DNS name such as "hello.example.com"',
});

/** An IPv4 VPC block, /16 to /24, without host bits (the Network component's range). */
const VPC_CIDR = 'an IPv4 block from /16 to /24 without host bits, such as "10.20.0.0/16"';
const vpcCidr = config.string({ describe: VPC_CIDR }).refine((text) => {
  const cidr = parseCidr(text);
  return cidr !== undefined && cidr.mask >= 16 && cidr.mask <= 24;
});

const capacityShare = config.object({
  /** Tasks placed on this provider first (only one provider of a strategy may have a base). */
  base: config.withDefault(config.integer({ min: 0, max: 100_000 }), 0),
  /** Share of the tasks beyond the base. */
  weight: config.withDefault(config.integer({ min: 0, max: 1000 }), 0),
});

/** `berth-platform:*` keys. */
export const platformSchema = {
  /** The AWS account this environment deploys to: the provider refuses credentials of any other. */
  accountId: config.accountId('a 12-digit AWS account id such as "123456789012"'),
  /** Team that owns the environment: the `Owner` tag on every resource. */
  owner: TAG_VALUE,
  /** Cost center billed for the environment: the `CostCenter` tag on every resource. */
  costCenter: TAG_VALUE,
  /** The shared stack (registry): the service stacks read their repositories from it. */
  sharedStack: config.withDefault(
    config.string({
      pattern: /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/,
      describe: '"<organization>/<project>/<stack>"',
    }),
    "organization/berth-shared/shared",
  ),
  /**
   * Pulumi `protect` on stateful resources: flow-log group, ALB access-log bucket, service log
   * group, ECS Exec audit log group. `pulumi destroy` then stops at them.
   */
  protect: config.boolean(),
  network: config.object({
    cidrBlock: vpcCidr,
    availabilityZones: config.integer({ min: 2, max: 6 }),
    natMode: config.oneOf(NAT_MODES),
    /** Interface endpoints in the private subnets (the S3 gateway endpoint is always there). */
    interfaceEndpoints: config.withDefault(config.list(config.oneOf(INTERFACE_ENDPOINT_NAMES)), []),
    flowLogs: config.object({
      enabled: config.boolean(),
      retentionInDays: config.withDefault(retentionDays, 365),
    }),
    /**
     * IPv6 on the VPC and its public and private subnets (Amazon /56, /64 per subnet, egress-only
     * gateway). Needed for a dual-stack load balancer. Turning it off later replaces the subnets.
     */
    ipv6: config.withDefault(config.boolean(), false),
  }),
  cluster: config.object({
    containerInsights: config.withDefault(config.oneOf(["enabled", "enhanced", "disabled"]), "enabled"),
    /** Default capacity provider strategy; the hello service runs on the same strategy. */
    capacity: config.object({
      fargate: config.optional(capacityShare),
      fargateSpot: config.optional(capacityShare),
    }),
    /** Days the ECS Exec audit log is kept. */
    execLogRetentionInDays: config.withDefault(retentionDays, 365),
  }),
  loadBalancer: config.object({
    /** Host name served over HTTPS (ACM certificate, DNS-validated in `hostedZone`). Omit for HTTP only. */
    domain: config.optional(hostName),
    /** Public Route 53 zone that holds `domain`. */
    hostedZone: config.optional(hostName),
    /** An existing ACM certificate instead of one Berth requests. */
    certificateArn: config.optional(
      config.string({
        pattern: /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/,
        describe: "an ACM certificate ARN",
      }),
    ),
    deletionProtection: config.boolean(),
    /**
     * `ipv4`, `dualstack` (IPv4 and IPv6), or `dualstack-without-public-ipv4` (IPv6 only from the
     * internet: no public IPv4 address charge, but IPv4-only clients cannot connect). Dual-stack
     * types need `network.ipv6: true`.
     */
    ipAddressType: config.withDefault(
      config.oneOf(["ipv4", "dualstack", "dualstack-without-public-ipv4"]),
      "ipv4",
    ),
    accessLogs: config.object({
      enabled: config.boolean(),
      /** Days before log objects expire. */
      retentionInDays: config.withDefault(config.integer({ min: 1, max: 3650 }), 90),
    }),
  }),
  /** How the environment runs service tasks (every service of the catalogue). */
  tasks: config.defaulted(
    config.object({
      /**
       * Where the tasks run: "private" subnets behind NAT (the default), or "public" subnets with a
       * public IP each, for a network without NAT (`network.natMode: none`, the cheapest dev).
       */
      subnets: config.withDefault(config.oneOf(["private", "public"]), "private"),
    }),
  ),
};

/** `aws:*` keys: the explicit provider is built from them, so any other `aws:` key would be ignored. */
export const awsSchema = {
  region: config.string({
    pattern: /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/,
    describe: 'a region such as "us-east-1"',
  }),
  profile: config.optional(config.string({ minLength: 1, describe: "an AWS CLI profile name" })),
};

const platformConfig = config.object(platformSchema);
const awsConfig = config.object(awsSchema);
export type PlatformConfig = z.infer<typeof platformConfig> & { aws: z.infer<typeof awsConfig> };

/** The JSON Schema of `Pulumi.<env>.yaml` (schemas/stack-config/berth-platform.schema.json). */
export function platformConfigJsonSchema(): Record<string, unknown> {
  return stackConfigJsonSchema("berth-platform", { "berth-platform": platformSchema, aws: awsSchema });
}

/** Reads and checks the stack's whole configuration, including rules that span keys. */
export function loadPlatformConfig(stack = pulumi.getStack()): PlatformConfig {
  // The file itself too (`parse`), so a top level or `config:` that is not a map, `~` and `.nan` are
  // named as what they are, in the file the run actually read (BERTH_CONFIG_FILE, set by berth preview).
  const cfg = readStackConfig(platformSchema, { stack, parse });
  const aws = readStackConfig(awsSchema, { namespace: "aws", stack, parse });
  const fail = configFailer(stack);

  const lb = cfg.loadBalancer;
  if (lb.hostedZone && !lb.domain) fail("loadBalancer.hostedZone", "is set without loadBalancer.domain");
  if (lb.domain && lb.hostedZone && lb.domain !== lb.hostedZone && !lb.domain.endsWith(`.${lb.hostedZone}`)) {
    fail(
      "loadBalancer.domain",
      `is ${show(lb.domain)}; must be inside loadBalancer.hostedZone ${show(lb.hostedZone)}`,
    );
  }
  if (lb.domain && !lb.hostedZone && !lb.certificateArn) {
    fail(
      "loadBalancer.domain",
      "needs loadBalancer.hostedZone (to request a certificate) or loadBalancer.certificateArn",
    );
  }

  const { fargate, fargateSpot } = cfg.cluster.capacity;
  if ((fargate?.weight ?? 0) + (fargateSpot?.weight ?? 0) === 0) {
    fail("cluster.capacity", `is ${show(cfg.cluster.capacity)}; give at least one provider a weight above 0`);
  }
  if ((fargate?.base ?? 0) > 0 && (fargateSpot?.base ?? 0) > 0) {
    fail("cluster.capacity", `is ${show(cfg.cluster.capacity)}; only one provider may have a base above 0`);
  }

  if (cfg.loadBalancer.ipAddressType !== "ipv4" && !cfg.network.ipv6) {
    fail(
      "loadBalancer.ipAddressType",
      `is ${show(cfg.loadBalancer.ipAddressType)}; a dual-stack load balancer needs IPv6 in its subnets: set network.ipv6: true`,
    );
  }

  if (cfg.network.natMode === "none" && cfg.tasks.subnets !== "public") {
    fail(
      "tasks.subnets",
      `is ${show(cfg.tasks.subnets)}; with network.natMode "none" the private subnets reach nothing (no image ` +
        'pulls): use "public", or a NAT mode ("instance", "single", "perAz")',
    );
  }
  return { ...cfg, aws };
}
