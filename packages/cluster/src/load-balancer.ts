import {
  checkComponent,
  checkTags,
  isIpv6Cidr,
  known,
  mergeTags,
  type NetworkRef,
  parseCidr,
  type Transform,
  transformed,
  type Validator,
} from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  type AccessLogBucketTransforms,
  bucketNameProblem,
  createAccessLogBucket,
} from "./lb-access-logs.js";
import { aliasTo, checkRuleConditions, claimListenerRule, ruleConditions } from "./listener-rules.js";
import { aliasRecordTypes, type IpAddressType, type LoadBalancerRef } from "./refs.js";

export {
  accessLogBucketPolicy,
  ELB_ACCOUNT_BY_REGION,
  ELB_LEGACY_REGIONS,
  ELB_LOG_DELIVERY_PRINCIPAL,
  elbAccountArn,
} from "./lb-access-logs.js";

const TYPE = "berth:cluster:LoadBalancer";
const RULE = "berth:cluster:ListenerRule";

/** The TLS policy Berth uses by default: TLS 1.3 and 1.2 with forward-secret ciphers. */
export const DEFAULT_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** The default action of every listener: unknown hosts and paths get a 404 and reach no service. */
const NOT_FOUND = {
  type: "fixed-response",
  fixedResponse: { contentType: "text/plain", messageBody: "Not Found", statusCode: "404" },
};

/** A DNS name for the load balancer, with its certificate and records. */
export interface LoadBalancerDomain {
  /**
   * The main host name; the certificate's domain and the URL's host.
   * @example name: "app.example.com"
   */
  name: string;
  /**
   * More names on the certificate (and, unless wildcards, alias records).
   * @default []
   * @example alternativeNames: ["www.example.com", "*.preview.example.com"]
   */
  alternativeNames?: string[];
  /**
   * Public Route 53 hosted zone to validate the certificate in and to hold the alias records.
   * @default none; give this or `hostedZoneName` to let Berth create the certificate
   * @example hostedZoneId: "Z0123456789ABCDEFGHIJ"
   */
  hostedZoneId?: pulumi.Input<string>;
  /**
   * Name of the public hosted zone, looked up instead of giving `hostedZoneId`.
   * @example hostedZoneName: "example.com"
   */
  hostedZoneName?: string;
  /**
   * Create alias records for the names in the hosted zone: `A` with `ipAddressType` `"ipv4"`,
   * `A` and `AAAA` with `"dualstack"`, `AAAA` only with `"dualstack-without-public-ipv4"` (whose
   * DNS name has no public IPv4 address).
   * @default true when a hosted zone is given
   */
  createRecords?: boolean;
}

export interface LoadBalancerArgs {
  /**
   * The network: public subnets for an internet-facing load balancer, private ones for an internal one.
   * Its `vpcCidrBlock` is required (egress is limited to the VPC).
   * @example network: network.ref
   */
  network: NetworkRef;
  /**
   * Internal (reachable only inside the VPC) instead of internet-facing.
   * @default false
   */
  internal?: boolean;
  /**
   * Physical name of the load balancer (up to 32 letters, numbers and hyphens, not beginning or
   * ending with a hyphen nor beginning with `internal-`). Without it the component name must be at
   * most 20 letters, numbers and hyphens and not begin with `internal-`.
   * @default `<component name>-alb-<random suffix>`
   * @example name: "platform-prod"
   */
  name?: string;
  /**
   * Which addresses clients reach the load balancer on: `"ipv4"`; `"dualstack"` (IPv4 and IPv6);
   * or `"dualstack-without-public-ipv4"` (internet-facing only: public IPv6 addresses and no public
   * IPv4 addresses, so no public IPv4 charge; IPv4-only clients cannot connect). Both dualstack types
   * need a VPC and subnets with IPv6 blocks, so the network's ref must say `ipv6: true` (a `Network`
   * with IPv6 turned on); Berth then also opens the listener ports to `::/0` (internet-facing) and
   * writes AAAA alias records (and, with `"dualstack-without-public-ipv4"`, no A records).
   * @default "ipv4"
   * @example ipAddressType: "dualstack-without-public-ipv4"
   */
  ipAddressType?: IpAddressType;
  /**
   * IPv4 ranges allowed to reach ports 80 and 443.
   * @default ["0.0.0.0/0"] when internet-facing; [network.vpcCidrBlock] when internal
   * @example allowedCidrs: ["203.0.113.0/24"]
   */
  allowedCidrs?: pulumi.Input<string>[];
  /**
   * IPv6 ranges allowed to reach ports 80 and 443 (needs a dualstack `ipAddressType`).
   * @default ["::/0"] when internet-facing and dualstack; [network.vpcIpv6CidrBlock] when internal
   *   and dualstack (when the ref gives it); otherwise []
   * @example allowedIpv6Cidrs: ["2001:db8::/32"]
   */
  allowedIpv6Cidrs?: pulumi.Input<string>[];
  /**
   * An existing ACM certificate for the HTTPS listener.
   * @default none; with `domain` and a hosted zone Berth creates one
   * @example certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0f8fad5b-d9cb-469f-a165-70867728950e"
   */
  certificateArn?: pulumi.Input<string>;
  /**
   * Host name of the load balancer. With a hosted zone and no `certificateArn`, Berth requests an ACM
   * certificate and validates it through Route 53 DNS records.
   * @example domain: { name: "app.example.com", hostedZoneName: "example.com" }
   */
  domain?: LoadBalancerDomain;
  /**
   * TLS policy of the HTTPS listeners; must be a TLS 1.3 capable `ELBSecurityPolicy-TLS13-…` policy.
   * @default "ELBSecurityPolicy-TLS13-1-2-2021-06"
   * @example sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06"
   */
  sslPolicy?: string;
  /**
   * The explicit choice to serve plain HTTP: required when there is no certificate and
   * `deletionProtection` is on (that is, a production load balancer).
   * @default false
   */
  allowHttpOnly?: boolean;
  /**
   * Deletion protection. On by default; dev and preview stacks turn it off.
   * @default true
   */
  deletionProtection?: boolean;
  /**
   * Seconds a connection may be idle.
   * @default 60
   * @example idleTimeout: 120
   */
  idleTimeout?: number;
  /**
   * HTTP desync mitigation.
   * @default "defensive"
   */
  desyncMitigationMode?: "defensive" | "strictest";
  /**
   * Drop HTTP header fields with invalid names instead of passing them to targets.
   * @default true
   */
  dropInvalidHeaderFields?: boolean;
  /**
   * Access logs. By default Berth creates the bucket (SSE-S3, public access blocked, objects expire),
   * named `<component name>-access-logs-<random>`, so the component name then has at most 43
   * letters, numbers, dots and hyphens (S3 refuses `_`);
   * give `bucketName` to log into an existing bucket whose policy already admits ELB log delivery;
   * `false` turns them off.
   * @default {}
   * @example accessLogs: { retentionInDays: 365, prefix: "alb" }
   */
  accessLogs?:
    | false
    | {
        /** An existing bucket in the same region. @default a bucket Berth creates */
        bucketName?: pulumi.Input<string>;
        /** Key prefix (no leading or trailing slash, not containing `AWSLogs`). @default none */
        prefix?: string;
        /** Days before log objects expire (bucket Berth creates). @default 90 */
        retentionInDays?: number;
      };
  /**
   * A listener for test traffic of blue/green deployments, same protocol as the main listener, whose
   * default action is a 404. Its port is open only to `allowedCidrs` (default: the VPC).
   * @default none
   * @example testListener: { port: 8443 }
   */
  testListener?: { port: number; allowedCidrs?: pulumi.Input<string>[] };
  /**
   * Protect the access-log bucket from deletion (`protect` resource option). Prod stacks set it.
   * @default false
   */
  protect?: boolean;
  /**
   * Tags for every taggable child.
   * @default {}
   */
  tags?: Record<string, string>;
  /** Escape hatch: change any child's args before it is created. */
  transform?: AccessLogBucketTransforms & {
    securityGroup?: Transform<aws.ec2.SecurityGroupArgs>;
    ingressRule?: Transform<aws.vpc.SecurityGroupIngressRuleArgs>;
    egressRule?: Transform<aws.vpc.SecurityGroupEgressRuleArgs>;
    loadBalancer?: Transform<aws.lb.LoadBalancerArgs>;
    httpListener?: Transform<aws.lb.ListenerArgs>;
    httpsListener?: Transform<aws.lb.ListenerArgs>;
    testListener?: Transform<aws.lb.ListenerArgs>;
    certificate?: Transform<aws.acm.CertificateArgs>;
    validationRecord?: Transform<aws.route53.RecordArgs>;
    /** Called once per alias record; `args.type` (`A` or `AAAA`) and `args.name` tell which. */
    aliasRecord?: Transform<aws.route53.RecordArgs>;
  };
}

/** How a service's requests are routed to it: host and/or path conditions, and a priority. */
export interface ListenerRuleArgs {
  /**
   * Rule priority, 1 (evaluated first) to 50000; unique per listener.
   * @example priority: 100
   */
  priority: number;
  /**
   * Host header patterns (up to 3, and 5 hosts and paths in total; `*` and `?` wildcards).
   * @example hosts: ["api.example.com"]
   */
  hosts?: string[];
  /**
   * Path patterns starting with `/` (up to 3, and 5 hosts and paths in total; `*` and `?` wildcards).
   * @example paths: ["/api/*"]
   */
  paths?: string[];
  /** Target group the matching requests are forwarded to. */
  targetGroupArn: pulumi.Input<string>;
  /**
   * Attach to the main listener, or to the blue/green test listener.
   * @default "main"
   */
  listener?: "main" | "test";
  /** @default {} */
  tags?: Record<string, string>;
  /** Escape hatch for the rule's args. */
  transform?: Transform<aws.lb.ListenerRuleArgs>;
}

const DNS_NAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

function validateRule(name: string, lb: LoadBalancerRef, args: ListenerRuleArgs): pulumi.Input<string> {
  const v = checkComponent(RULE, name, args);
  if (!args) v.fail("args", args, "priority, hosts and/or paths and targetGroupArn are required");
  v.integer("priority", args.priority, { min: 1, max: 50000 });
  checkRuleConditions(v, "", args.hosts, args.paths);
  v.oneOf("listener", args.listener, ["main", "test"]);
  checkTags(v, "tags", args.tags);
  let listenerArn = lb.listenerArn;
  if (args.listener === "test") {
    if (lb.testListenerArn === undefined)
      v.fail("listener", "test", "the load balancer has no test listener");
    listenerArn = lb.testListenerArn!;
  }
  claimListenerRule(v, "", `ListenerRule '${name}'`, listenerArn, args);
  return listenerArn;
}

/**
 * Attaches a listener rule forwarding matching requests to a target group, given only the load
 * balancer's plain outputs (for stacks that read a `LoadBalancerRef` from another stack).
 *
 * @example
 * addListenerRule("api", lb.ref, { priority: 100, hosts: ["api.example.com"], targetGroupArn: tg.arn });
 */
export function addListenerRule(
  name: string,
  lb: LoadBalancerRef,
  args: ListenerRuleArgs,
  opts?: pulumi.CustomResourceOptions,
): aws.lb.ListenerRule {
  const listenerArn = validateRule(name, lb, args);
  const [rArgs, rOpts] = transformed(
    args.transform,
    {
      listenerArn,
      priority: args.priority,
      conditions: ruleConditions(args.hosts, args.paths),
      actions: [{ type: "forward", targetGroupArn: args.targetGroupArn }],
      tags: args.tags,
    } as aws.lb.ListenerRuleArgs,
    { ...opts } as pulumi.CustomResourceOptions,
  );
  return new aws.lb.ListenerRule(name, rArgs, rOpts);
}

interface Resolved {
  internal: boolean;
  ipAddressType: IpAddressType;
  https: boolean;
  createCertificate: boolean;
  subnets: pulumi.Input<pulumi.Input<string>[]>;
  allowedCidrs: pulumi.Input<string>[];
  allowedIpv6Cidrs: string[];
  sslPolicy: string;
  deletionProtection: boolean;
  accessLogs?: { bucketName?: pulumi.Input<string>; prefix: string; retentionInDays: number };
  certificateNames: string[];
  recordNames: string[];
  zone: "id" | "name" | undefined;
}

function checkCidrs(v: Validator, field: string, cidrs: pulumi.Input<string>[], ipv6: boolean): void {
  for (const c of cidrs) {
    const value = known(c);
    if (value === undefined) continue;
    if (ipv6) {
      if (!isIpv6Cidr(value)) v.fail(field, value, "an IPv6 block such as 2001:db8::/32");
    } else if (!parseCidr(value)) {
      v.fail(
        field,
        value,
        "an IPv4 block a.b.c.d/n (n ≤ 32) with the host bits zero, such as 203.0.113.0/24",
      );
    }
  }
  v.unique(
    field,
    cidrs.map(known).filter((c) => c !== undefined),
  );
}

function validateLoadBalancer(name: string, args: LoadBalancerArgs): Resolved {
  const v = checkComponent(TYPE, name, args);
  if (!args?.network)
    v.fail(
      "network",
      undefined,
      "a NetworkRef ({ vpcId, vpcCidrBlock, publicSubnetIds, privateSubnetIds }) is required",
    );
  const net = args.network;
  if (net.vpcCidrBlock === undefined) {
    v.fail(
      "network.vpcCidrBlock",
      undefined,
      "the VPC's IPv4 block is required: the load balancer's egress is limited to it",
    );
  }
  const internal = args.internal ?? false;
  const subnets = internal ? net.privateSubnetIds : net.publicSubnetIds;
  const knownSubnets = known(subnets);
  if (Array.isArray(knownSubnets) && knownSubnets.length < 2) {
    v.fail(
      internal ? "network.privateSubnetIds" : "network.publicSubnetIds",
      knownSubnets,
      "an Application Load Balancer needs subnets in at least two Availability Zones",
    );
  }
  if (args.name === undefined) {
    // Auto-named `<name>-alb` plus Pulumi's 8-character suffix: an ALB name has 32 characters at most,
    // of letters, numbers and hyphens, and may not begin with `internal-`.
    v.check(
      /^[A-Za-z0-9-]+$/.test(name) && !/^internal-/i.test(name),
      "name",
      name,
      "the load balancer is named after the component (<name>-alb-<random>), and an ELB name has only letters, numbers and hyphens and may not begin with internal-: rename the component or give args.name",
    );
    v.check(
      name.length <= 20,
      "name",
      name,
      "the load balancer is named after the component: at most 20 characters (or give args.name)",
    );
  }
  if (args.name !== undefined) {
    v.matches(
      "name",
      args.name,
      /^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/,
      "up to 32 letters, numbers and hyphens, not starting or ending with a hyphen nor starting with internal-",
    );
  }
  v.oneOf("ipAddressType", args.ipAddressType, ["ipv4", "dualstack", "dualstack-without-public-ipv4"]);
  const ipAddressType = args.ipAddressType ?? "ipv4";
  const dualstack = ipAddressType !== "ipv4";
  if (dualstack && net.ipv6 !== true) {
    // ELB: "The virtual private cloud (VPC) and subnets that you specify for the load balancer must
    // have associated IPv6 CIDR blocks."
    v.fail(
      "ipAddressType",
      ipAddressType,
      "a dualstack load balancer needs a VPC and subnets with IPv6 blocks, and network.ipv6 is not true: " +
        "turn IPv6 on in the Network component (its ref then carries ipv6: true), or set ipv6: true in a hand-built NetworkRef whose VPC and subnets have IPv6 blocks",
    );
  }
  if (ipAddressType === "dualstack-without-public-ipv4" && internal) {
    v.fail(
      "ipAddressType",
      ipAddressType,
      'applies to internet-facing load balancers only (it drops their public IPv4 addresses); an internal one uses "ipv4" or "dualstack"',
    );
  }

  const allowedCidrs = args.allowedCidrs ?? (internal ? [net.vpcCidrBlock!] : ["0.0.0.0/0"]);
  checkCidrs(v, "allowedCidrs", allowedCidrs, false);
  const allowedIpv6Cidrs = (args.allowedIpv6Cidrs ??
    (!dualstack
      ? []
      : !internal
        ? ["::/0"]
        : net.vpcIpv6CidrBlock
          ? [net.vpcIpv6CidrBlock]
          : [])) as string[];
  checkCidrs(v, "allowedIpv6Cidrs", allowedIpv6Cidrs, true);
  if (allowedIpv6Cidrs.length > 0 && !dualstack) {
    v.fail(
      "allowedIpv6Cidrs",
      allowedIpv6Cidrs,
      'IPv6 ranges need ipAddressType "dualstack" or "dualstack-without-public-ipv4"',
    );
  }

  // Certificate and domain.
  v.arn("certificateArn", args.certificateArn, "acm", /^certificate\/[0-9a-f-]+$/);
  const d = args.domain;
  let zone: Resolved["zone"];
  let certificateNames: string[] = [];
  let recordNames: string[] = [];
  if (d) {
    v.matches(
      "domain.name",
      d.name,
      DNS_NAME,
      "a lowercase DNS name such as app.example.com (a leading *. is allowed)",
    );
    const alternatives = d.alternativeNames ?? [];
    for (const a of alternatives)
      v.matches("domain.alternativeNames", a, DNS_NAME, "lowercase DNS names such as www.example.com");
    v.unique("domain.alternativeNames", [d.name, ...alternatives]);
    if (alternatives.length > 9)
      v.fail("domain.alternativeNames", alternatives, "ACM allows 10 names per certificate by default");
    if (d.hostedZoneId !== undefined && d.hostedZoneName !== undefined) {
      v.fail("domain.hostedZoneName", d.hostedZoneName, "give hostedZoneId or hostedZoneName, not both");
    }
    zone = d.hostedZoneId !== undefined ? "id" : d.hostedZoneName !== undefined ? "name" : undefined;
    if (d.hostedZoneName !== undefined) {
      v.matches(
        "domain.hostedZoneName",
        d.hostedZoneName.replace(/\.$/, ""),
        DNS_NAME,
        "a DNS zone name such as example.com",
      );
      const z = d.hostedZoneName.replace(/\.$/, "");
      for (const n of [d.name, ...alternatives]) {
        const bare = n.replace(/^\*\./, "");
        if (bare !== z && !bare.endsWith(`.${z}`)) {
          v.fail(
            n === d.name ? "domain.name" : "domain.alternativeNames",
            n,
            `must be inside the hosted zone ${z}`,
          );
        }
      }
    }
    if (zone === undefined && args.certificateArn === undefined) {
      v.fail(
        "domain.hostedZoneId",
        undefined,
        `to create a certificate for ${d.name} Berth validates it in Route 53: give domain.hostedZoneId or domain.hostedZoneName, or give certificateArn`,
      );
    }
    if (d.createRecords === true && zone === undefined) {
      v.fail(
        "domain.createRecords",
        true,
        "records need a hosted zone: give domain.hostedZoneId or domain.hostedZoneName",
      );
    }
    certificateNames = [d.name, ...alternatives];
    recordNames =
      zone !== undefined && d.createRecords !== false
        ? certificateNames.filter((n) => !n.startsWith("*."))
        : [];
  }
  const createCertificate = args.certificateArn === undefined && d !== undefined;
  const https = args.certificateArn !== undefined || createCertificate;

  const sslPolicy = args.sslPolicy ?? DEFAULT_SSL_POLICY;
  v.matches(
    "sslPolicy",
    sslPolicy,
    /^ELBSecurityPolicy-TLS13-[A-Za-z0-9-]+$/,
    "a TLS 1.3 capable policy (ELBSecurityPolicy-TLS13-…), e.g. ELBSecurityPolicy-TLS13-1-2-2021-06",
  );
  if (args.sslPolicy !== undefined && !https)
    v.fail("sslPolicy", args.sslPolicy, "a TLS policy needs a certificate (certificateArn or domain)");

  const deletionProtection = args.deletionProtection ?? true;
  if (!https && deletionProtection && args.allowHttpOnly !== true) {
    v.fail(
      "allowHttpOnly",
      args.allowHttpOnly,
      "a load balancer with deletion protection (production) and no certificate serves plain HTTP: " +
        "give certificateArn or domain, set allowHttpOnly: true to choose HTTP explicitly, or set deletionProtection: false",
    );
  }
  if (args.allowHttpOnly === true && https)
    v.fail("allowHttpOnly", true, "the load balancer has a certificate; remove allowHttpOnly");

  v.integer("idleTimeout", args.idleTimeout, { min: 1, max: 4000 }, " seconds");
  checkTags(v, "tags", args.tags);
  v.oneOf("desyncMitigationMode", args.desyncMitigationMode, ["defensive", "strictest"]);

  let accessLogs: Resolved["accessLogs"];
  if (args.accessLogs !== false) {
    const a = args.accessLogs ?? {};
    const bucket = known(a.bucketName);
    if (bucket !== undefined) {
      const problem = bucketNameProblem(bucket);
      if (problem) v.fail("accessLogs.bucketName", bucket, problem);
    }
    if (a.bucketName === undefined) {
      // Pulumi auto-names the bucket `<name>-access-logs-<7 random characters>` (lowercased); S3
      // bucket names are 3 to 63 lowercase letters, numbers, dots and hyphens, without `_`.
      v.check(
        /^[A-Za-z0-9.-]{1,43}$/.test(name) && !/\.\.|\.-|-\./.test(name),
        "name",
        name,
        "the access-logs bucket is named after the component (<name>-access-logs-<random>), and S3 bucket names have only letters, numbers, dots and hyphens (no _), up to 63 characters: use at most 43 of those in the component name, give accessLogs.bucketName, or set accessLogs: false",
      );
    }
    const prefix = a.prefix ?? "";
    if (prefix !== "") {
      v.matches(
        "accessLogs.prefix",
        prefix,
        /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/,
        "a key prefix without leading or trailing slash",
      );
      if (/AWSLogs/i.test(prefix))
        v.fail("accessLogs.prefix", prefix, "the prefix may not contain AWSLogs (ELB adds it)");
    }
    const retentionInDays = a.retentionInDays ?? 90;
    v.integer("accessLogs.retentionInDays", retentionInDays, { min: 1, max: 36500 }, " days");
    if (a.bucketName !== undefined && a.retentionInDays !== undefined) {
      v.fail(
        "accessLogs.retentionInDays",
        a.retentionInDays,
        "applies only to the bucket Berth creates; set the lifecycle of your own bucket",
      );
    }
    accessLogs = { bucketName: a.bucketName, prefix, retentionInDays };
  }

  if (args.testListener) {
    const port = args.testListener.port;
    v.integer("testListener.port", port, { min: 1, max: 65535 });
    if (port === 80 || port === 443)
      v.fail(
        "testListener.port",
        port,
        "80 and 443 belong to the main listeners; pick another port such as 8443",
      );
    if (args.testListener.allowedCidrs)
      checkCidrs(v, "testListener.allowedCidrs", args.testListener.allowedCidrs, false);
  }

  return {
    internal,
    ipAddressType,
    https,
    createCertificate,
    subnets,
    allowedCidrs,
    allowedIpv6Cidrs,
    sslPolicy,
    deletionProtection,
    accessLogs,
    certificateNames,
    recordNames,
    zone,
  };
}

/**
 * One Application Load Balancer shared by many services: each service adds its own listener rules.
 * HTTPS with a TLS 1.3 policy (HTTP redirects to it), a fixed 404 for unknown hosts and paths,
 * hardened HTTP handling, access logs and a security group open only on 80/443.
 *
 * @example
 * const lb = new LoadBalancer("web", {
 *   network: network.ref,
 *   domain: { name: "app.example.com", hostedZoneName: "example.com" },
 * });
 * export const url = lb.url;
 */
export class LoadBalancer extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;
  /** `app/<name>/<id>`, the CloudWatch `LoadBalancer` dimension. */
  readonly arnSuffix: pulumi.Output<string>;
  readonly dnsName: pulumi.Output<string>;
  /** Route 53 hosted zone id of the load balancer (for alias records). */
  readonly zoneId: pulumi.Output<string>;
  /** The load balancer's security group: services admit traffic from it. */
  readonly securityGroupId: pulumi.Output<string>;
  /** The listener services attach rules to: HTTPS when there is a certificate, else HTTP. */
  readonly listenerArn: pulumi.Output<string>;
  readonly protocol: "HTTP" | "HTTPS";
  readonly httpListenerArn: pulumi.Output<string>;
  readonly httpsListenerArn: pulumi.Output<string | undefined>;
  readonly testListenerArn: pulumi.Output<string | undefined>;
  /** The certificate of the HTTPS listener (given or created), when there is one. */
  readonly certificateArn: pulumi.Output<string | undefined>;
  /** The bucket receiving access logs, when they are on. */
  readonly accessLogsBucket: pulumi.Output<string | undefined>;
  /** `https://<domain>`, `https://<dns name>` or `http://<dns name>`. */
  readonly url: pulumi.Output<string>;
  /** The load balancer as plain outputs, for services and other stacks. */
  readonly ref: LoadBalancerRef;

  constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = validateLoadBalancer(name, args);
    super(TYPE, name, {}, opts);
    const t = args.transform ?? {};
    const tags = mergeTags(args.tags);
    const parent = { parent: this } as pulumi.CustomResourceOptions;
    const net = args.network;

    // Security group: 80/443 in from the allowed ranges, out only to the VPC.
    const [sgArgs, sgOpts] = transformed(
      t.securityGroup,
      {
        description: `Load balancer ${name}: HTTP(S) in, VPC out`,
        vpcId: net.vpcId,
        tags: { ...tags, Name: `${name}-lb` },
      } as aws.ec2.SecurityGroupArgs,
      parent,
    );
    const sg = new aws.ec2.SecurityGroup(`${name}-sg`, sgArgs, sgOpts);
    const ports = r.https ? [80, 443] : [80];
    const ingress = (
      suffix: string,
      port: number,
      cidr: pulumi.Input<string>,
      v6: boolean,
      description: string,
    ) => {
      const [a, o] = transformed(
        t.ingressRule,
        {
          securityGroupId: sg.id,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          ...(v6 ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
          description,
          tags,
        } as aws.vpc.SecurityGroupIngressRuleArgs,
        parent,
      );
      return new aws.vpc.SecurityGroupIngressRule(`${name}-in-${suffix}`, a, o);
    };
    for (const port of ports) {
      const what = port === 443 ? "HTTPS clients" : "HTTP clients";
      for (const [i, c] of r.allowedCidrs.entries()) ingress(`${port}-${i}`, port, c, false, what);
      for (const [i, c] of r.allowedIpv6Cidrs.entries())
        ingress(`${port}-v6-${i}`, port, c, true, `${what} (IPv6)`);
    }
    if (args.testListener) {
      const cidrs = args.testListener.allowedCidrs ?? [net.vpcCidrBlock!];
      for (const [i, c] of cidrs.entries())
        ingress(`test-${i}`, args.testListener.port, c, false, "Blue/green test traffic");
    }
    const [egArgs, egOpts] = transformed(
      t.egressRule,
      {
        securityGroupId: sg.id,
        ipProtocol: "tcp",
        fromPort: 0,
        toPort: 65535,
        cidrIpv4: net.vpcCidrBlock!,
        description: "Targets inside the VPC only",
        tags,
      } as aws.vpc.SecurityGroupEgressRuleArgs,
      parent,
    );
    new aws.vpc.SecurityGroupEgressRule(`${name}-out-vpc`, egArgs, egOpts);

    // Access logs.
    let logBucket: pulumi.Input<string> | undefined;
    let logsReady: pulumi.Resource[] = [];
    if (r.accessLogs) {
      if (r.accessLogs.bucketName !== undefined) {
        logBucket = r.accessLogs.bucketName;
      } else {
        const created = createAccessLogBucket(
          this,
          name,
          {
            prefix: r.accessLogs.prefix,
            retentionInDays: r.accessLogs.retentionInDays,
            protect: args.protect ?? false,
            tags,
          },
          t,
        );
        logBucket = created.bucket.bucket;
        logsReady = created.ready;
      }
    }

    const [lbArgs, lbOpts] = transformed(
      t.loadBalancer,
      {
        name: args.name,
        loadBalancerType: "application",
        internal: r.internal,
        ipAddressType: r.ipAddressType,
        subnets: r.subnets,
        securityGroups: [sg.id],
        idleTimeout: args.idleTimeout ?? 60,
        desyncMitigationMode: args.desyncMitigationMode ?? "defensive",
        dropInvalidHeaderFields: args.dropInvalidHeaderFields ?? true,
        enableDeletionProtection: r.deletionProtection,
        enableHttp2: true,
        accessLogs: r.accessLogs
          ? {
              bucket: logBucket!,
              enabled: true,
              ...(r.accessLogs.prefix ? { prefix: r.accessLogs.prefix } : {}),
            }
          : undefined,
        tags,
      } as aws.lb.LoadBalancerArgs,
      // ELB checks that it may write to the bucket when access logs are turned on.
      { parent: this, dependsOn: logsReady } as pulumi.CustomResourceOptions,
    );
    const lb = new aws.lb.LoadBalancer(`${name}-alb`, lbArgs, lbOpts);

    // Certificate.
    const d = args.domain;
    const zoneId: pulumi.Input<string> | undefined =
      r.zone === "id"
        ? d!.hostedZoneId!
        : r.zone === "name"
          ? aws.route53.getZoneOutput({ name: d!.hostedZoneName!, privateZone: false }, { parent: this })
              .zoneId
          : undefined;
    let certificateArn: pulumi.Input<string> | undefined = args.certificateArn;
    if (r.createCertificate) {
      const [cArgs, cOpts] = transformed(
        t.certificate,
        {
          domainName: d!.name,
          subjectAlternativeNames: d!.alternativeNames?.length ? d!.alternativeNames : undefined,
          validationMethod: "DNS",
          tags,
        } as aws.acm.CertificateArgs,
        parent,
      );
      const cert = new aws.acm.Certificate(`${name}-cert`, cArgs, cOpts);
      // `*.x` and `x` share one validation record: create it once.
      const names = r.certificateNames.filter(
        (n) => !(n.startsWith("*.") && r.certificateNames.includes(n.slice(2))),
      );
      const fqdns = names.map((n, i) => {
        const option = cert.domainValidationOptions.apply((all) => {
          const found = all.find((o) => o.domainName === n);
          if (!found) throw new Error(`ACM returned no validation option for ${n}`);
          return found;
        });
        const [recArgs, recOpts] = transformed(
          t.validationRecord,
          {
            zoneId: zoneId!,
            name: option.resourceRecordName,
            type: option.resourceRecordType,
            records: [option.resourceRecordValue],
            ttl: 300,
            allowOverwrite: true,
          } as aws.route53.RecordArgs,
          parent,
        );
        return new aws.route53.Record(`${name}-cert-validation-${i}`, recArgs, recOpts).fqdn;
      });
      const validation = new aws.acm.CertificateValidation(
        `${name}-cert-validation`,
        { certificateArn: cert.arn, validationRecordFqdns: fqdns },
        parent,
      );
      // Listeners use the validated certificate, so they wait until ACM has issued it.
      certificateArn = validation.certificateArn;
    }

    // Listeners: every default action is a fixed 404.
    let httpsListener: aws.lb.Listener | undefined;
    if (r.https) {
      const [a, o] = transformed(
        t.httpsListener,
        {
          loadBalancerArn: lb.arn,
          port: 443,
          protocol: "HTTPS",
          sslPolicy: r.sslPolicy,
          certificateArn,
          defaultActions: [NOT_FOUND],
          tags,
        } as aws.lb.ListenerArgs,
        parent,
      );
      httpsListener = new aws.lb.Listener(`${name}-https`, a, o);
    }
    const [hArgs, hOpts] = transformed(
      t.httpListener,
      {
        loadBalancerArn: lb.arn,
        port: 80,
        protocol: "HTTP",
        defaultActions: [
          r.https
            ? { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }
            : NOT_FOUND,
        ],
        tags,
      } as aws.lb.ListenerArgs,
      parent,
    );
    const httpListener = new aws.lb.Listener(`${name}-http`, hArgs, hOpts);
    let testListener: aws.lb.Listener | undefined;
    if (args.testListener) {
      const [a, o] = transformed(
        t.testListener,
        {
          loadBalancerArn: lb.arn,
          port: args.testListener.port,
          protocol: r.https ? "HTTPS" : "HTTP",
          ...(r.https ? { sslPolicy: r.sslPolicy, certificateArn } : {}),
          defaultActions: [NOT_FOUND],
          tags,
        } as aws.lb.ListenerArgs,
        parent,
      );
      testListener = new aws.lb.Listener(`${name}-test`, a, o);
    }

    // Alias records.
    r.recordNames.forEach((n, i) => {
      for (const type of aliasRecordTypes(r.ipAddressType)) {
        const [a, o] = transformed(
          t.aliasRecord,
          {
            zoneId: zoneId!,
            name: n,
            type,
            aliases: aliasTo(lb),
          } as aws.route53.RecordArgs,
          parent,
        );
        new aws.route53.Record(`${name}-alias-${i}-${type.toLowerCase()}`, a, o);
      }
    });

    const mainListener = httpsListener ?? httpListener;
    this.arn = lb.arn;
    this.arnSuffix = lb.arnSuffix;
    this.dnsName = lb.dnsName;
    this.zoneId = lb.zoneId;
    this.securityGroupId = sg.id;
    this.protocol = r.https ? "HTTPS" : "HTTP";
    this.listenerArn = mainListener.arn;
    this.httpListenerArn = httpListener.arn;
    this.httpsListenerArn = httpsListener ? httpsListener.arn : pulumi.output(undefined);
    this.testListenerArn = testListener ? testListener.arn : pulumi.output(undefined);
    this.certificateArn = pulumi.output(certificateArn);
    this.accessLogsBucket = pulumi.output(logBucket);
    const scheme = r.https ? "https" : "http";
    this.url = d
      ? pulumi.output(`${scheme}://${d.name.replace(/^\*\./, "")}`)
      : pulumi.interpolate`${scheme}://${lb.dnsName}`;
    // The outputs a LoadBalancerRef shares with the component's registered outputs.
    const common = {
      arn: this.arn,
      arnSuffix: this.arnSuffix,
      dnsName: this.dnsName,
      zoneId: this.zoneId,
      securityGroupId: this.securityGroupId,
      listenerArn: this.listenerArn,
      url: this.url,
    };
    this.ref = {
      ...common,
      protocol: this.protocol,
      ...(testListener ? { testListenerArn: testListener.arn } : {}),
      ipAddressType: r.ipAddressType,
    };
    this.registerOutputs({
      ...common,
      httpListenerArn: this.httpListenerArn,
      httpsListenerArn: this.httpsListenerArn,
      testListenerArn: this.testListenerArn,
      certificateArn: this.certificateArn,
      accessLogsBucket: this.accessLogsBucket,
    });
  }

  /**
   * Adds a listener rule (host and/or path conditions, priority) forwarding to a target group, as a
   * child of this load balancer.
   *
   * @example
   * lb.addRule("api", { priority: 100, hosts: ["api.example.com"], targetGroupArn: tg.arn });
   */
  addRule(name: string, args: ListenerRuleArgs, opts?: pulumi.CustomResourceOptions): aws.lb.ListenerRule {
    return addListenerRule(name, this.ref, args, { parent: this, ...opts });
  }
}
