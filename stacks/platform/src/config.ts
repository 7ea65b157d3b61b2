/**
 * The one schema every `Pulumi.<env>.yaml` of berth-platform follows. `loadPlatformConfig()` reads
 * and checks the whole file when the program starts, before any resource exists: an unknown key (a
 * typo), a missing key or a value outside what is allowed fails with the file, the key and what is
 * allowed, e.g.
 *
 *   Pulumi.dev.yaml: berth-platform:network.natMode is "fast"; allowed: "none", "single", "perAz", "instance"
 */
import { FARGATE_CPU_VALUES, fargateMemoryOptions } from "@berth/cluster";
import {
  config,
  configFailer,
  type Field,
  type Infer,
  LOG_RETENTION_DAYS,
  parseCidr,
  readStackConfig,
  show,
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
const vpcCidr: Field<string> = {
  optional: false,
  describe: VPC_CIDR,
  parse(v, path, fail) {
    const text = config.string({ describe: VPC_CIDR }).parse(v, path, fail);
    const cidr = parseCidr(text);
    if (!cidr || cidr.mask < 16 || cidr.mask > 24)
      return fail(path, `is ${show(text)}; expected ${VPC_CIDR}`);
    return text;
  },
};

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
  /** The shared stack (registry) whose `repositoryUrls`/`repositoryArns`/`registryId` this stack reads. */
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
  hello: config.object({
    /**
     * First deploy only, before the pipeline has written the release pointer: a digest-pinned
     * image to run instead of reading `/berth/<env>/hello/image`. Remove it once the pipeline ran.
     */
    imageOverride: config.optional(
      config.string({ pattern: /^[^\s@]+@sha256:[0-9a-f]{64}$/, describe: "an image pinned by digest" }),
    ),
    cpu: config.integerIn(FARGATE_CPU_VALUES),
    memory: config.integer({ min: 512 }),
    architecture: config.withDefault(config.oneOf(["ARM64", "X86_64"]), "ARM64"),
    desiredCount: config.integer({ min: 1, max: 1000 }),
    /**
     * Where the tasks run: "private" subnets behind NAT (the default), or "public" subnets with a
     * public IP each, for a network without NAT (`network.natMode: none`, the cheapest dev).
     */
    subnets: config.withDefault(config.oneOf(["private", "public"]), "private"),
    /**
     * How long one replacement batch takes at worst (grace + 2 × interval + deregistration delay +
     * stop timeout): about 20 s in dev, under 60 s in prod. The app's own drain deadline
     * (SHUTDOWN_TIMEOUT_MS) is set 2 s inside the stop timeout, so ECS never kills a draining task.
     */
    rollout: config.defaulted(
      config.object({
        healthCheckIntervalSeconds: config.withDefault(config.integer({ min: 5, max: 300 }), 10),
        healthCheckGracePeriodSeconds: config.withDefault(config.integer({ min: 0, max: 2_147_483_647 }), 10),
        deregistrationDelaySeconds: config.withDefault(config.integer({ min: 0, max: 3600 }), 15),
        stopTimeoutSeconds: config.withDefault(config.integer({ min: 3, max: 120 }), 10),
      }),
    ),
    /** Listener rule priority on the shared load balancer. */
    priority: config.withDefault(config.integer({ min: 1, max: 50_000 }), 100),
    logRetentionInDays: retentionDays,
    deployment: config.object({
      strategy: config.oneOf(["ROLLING", "CANARY", "LINEAR"]),
      canaryPercent: config.optional(config.integer({ min: 1, max: 100 })),
      linearStepPercent: config.optional(config.integer({ min: 3, max: 100 })),
      bakeTimeMinutes: config.optional(config.integer({ min: 0, max: 1440 })),
    }),
    scaling: config.optional(
      config.object({
        min: config.integer({ min: 1, max: 1000 }),
        max: config.integer({ min: 1, max: 1000 }),
        cpuTarget: config.withDefault(config.integer({ min: 10, max: 90 }), 70),
      }),
    ),
  }),
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
export type PlatformConfig = Infer<typeof platformConfig> & { aws: Infer<typeof awsConfig> };

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

  const hello = cfg.hello;
  if (cfg.network.natMode === "none" && hello.subnets !== "public") {
    fail(
      "hello.subnets",
      `is ${show(hello.subnets)}; with network.natMode "none" the private subnets reach nothing (no image ` +
        'pulls): use "public", or a NAT mode ("instance", "single", "perAz")',
    );
  }
  const memoryOptions = fargateMemoryOptions(hello.cpu);
  if (!memoryOptions.includes(hello.memory)) {
    fail(
      "hello.memory",
      `is ${hello.memory}; with hello.cpu ${hello.cpu}, allowed: ${memoryOptions.join(", ")}`,
    );
  }
  const d = hello.deployment;
  if (d.canaryPercent !== undefined && d.strategy !== "CANARY") {
    fail(
      "hello.deployment.canaryPercent",
      `applies to strategy "CANARY" only (strategy is ${show(d.strategy)})`,
    );
  }
  if (d.linearStepPercent !== undefined && d.strategy !== "LINEAR") {
    fail(
      "hello.deployment.linearStepPercent",
      `applies to strategy "LINEAR" only (strategy is ${show(d.strategy)})`,
    );
  }
  if (d.bakeTimeMinutes !== undefined && d.strategy === "ROLLING") {
    fail("hello.deployment.bakeTimeMinutes", 'applies to strategies "CANARY" and "LINEAR" only');
  }
  const s = hello.scaling;
  if (s && !(s.min <= hello.desiredCount && hello.desiredCount <= s.max)) {
    fail("hello.scaling", `is ${show(s)}; needs min <= hello.desiredCount (${hello.desiredCount}) <= max`);
  }
  return { ...cfg, aws };
}
