import { type NetworkRef, type Transform, transformed, type Validator } from "@berth/core";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { aliasTo, checkRuleConditions, claimListenerRule, ruleConditions } from "../../listener-rules.js";
import { aliasRecordTypes, type LoadBalancerRef } from "../../refs.js";
import type { DeploymentStrategy, ServiceRuleArgs, TargetHealthCheckArgs } from "../../service-args.js";
import { childOpts, type PartScope } from "../scope.js";

/** A route on the shared Application Load Balancer: listener rule, target group(s), health check, DNS. */
export interface AlbRouteArgs {
  /**
   * The shared load balancer (`LoadBalancer` produces it): the service adds its listener rule to
   * `listenerArn` and admits traffic from `securityGroupId` only.
   * @example loadBalancer: lb.ref
   */
  loadBalancer: LoadBalancerRef;
  /**
   * The listener rule: priority (unique per listener) and hosts and/or paths.
   * @example rule: { priority: 100, hosts: ["api.example.com"], paths: ["/v1/*"] }
   */
  rule: ServiceRuleArgs;
  /**
   * Health check of the target group(s).
   * @default { path: "/health", interval: 10, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 3, matcher: "200-299" }
   * @example healthCheck: { path: "/ready", interval: 5 }
   */
  healthCheck?: TargetHealthCheckArgs;
  /**
   * Seconds a stopping task keeps serving in-flight requests (0 to 3600). AWS's default is 300.
   * @default 15
   * @example deregistrationDelaySeconds: 30
   */
  deregistrationDelaySeconds?: number;
  /**
   * Seconds a new target's share of traffic ramps up (0 = off, or 30 to 900).
   * @default 0
   * @example slowStartSeconds: 60
   */
  slowStartSeconds?: number;
  /**
   * Route 53 alias records for the service's host name, pointing to the load balancer, by the
   * load balancer ref's `ipAddressType`: `A` for `"ipv4"` (the default), `A` and `AAAA` for
   * `"dualstack"`, `AAAA` only for `"dualstack-without-public-ipv4"`.
   * @default none
   * @example dns: { zoneId: "Z0123456789ABC" } // name defaults to the first of rule.hosts
   */
  dns?: { zoneId: pulumi.Input<string>; name?: string };
}

/** Escape hatches of the route's children. */
export interface AlbRouteTransforms {
  /** The ingress rule that admits the load balancer on the container port (`aws.vpc.SecurityGroupIngressRule`). */
  ingressRule?: Transform<aws.vpc.SecurityGroupIngressRuleArgs>;
  /** The target group(s) (`aws.lb.TargetGroup`); two with blue/green, canary and linear. */
  targetGroup?: Transform<aws.lb.TargetGroupArgs>;
  /** The listener rule(s) (`aws.lb.ListenerRule`): production, and test with a test listener. */
  listenerRule?: Transform<aws.lb.ListenerRuleArgs>;
  /** The Route 53 alias record(s) (`aws.route53.Record`), with `dns`; called once per record, `args.type` tells which. */
  record?: Transform<aws.route53.RecordArgs>;
}

export interface ResolvedHealthCheck {
  path: string;
  interval: number;
  timeout: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  matcher: string;
}

/** The route with every default applied. */
export interface ResolvedAlbRoute {
  healthCheck: ResolvedHealthCheck;
  deregistrationDelay: number;
  slowStart: number;
  dnsName?: string;
}

const DNS_NAME = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}\.?$/;
const MATCHER = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/;

/** The target health check with Berth's defaults (fast, safe rollouts). */
export function targetHealthCheck(hc: TargetHealthCheckArgs = {}): ResolvedHealthCheck {
  return {
    path: hc.path ?? "/health",
    interval: hc.interval ?? 10,
    timeout: hc.timeout ?? 5,
    healthyThreshold: hc.healthyThreshold ?? 2,
    unhealthyThreshold: hc.unhealthyThreshold ?? 3,
    matcher: hc.matcher ?? "200-299",
  };
}

/** The fields only a route has: a kind without one rejects them. */
export const ALB_ROUTE_FIELDS = [
  "rule",
  "healthCheck",
  "deregistrationDelaySeconds",
  "slowStartSeconds",
  "dns",
] as const;

/**
 * Checks the rule (priority, conditions as ALB allows them), the health check, the deregistration
 * delay, slow start and DNS name, and applies the defaults.
 */
export function resolveAlbRoute(v: Validator, args: Partial<AlbRouteArgs>): ResolvedAlbRoute {
  const healthCheck = targetHealthCheck(args.healthCheck);
  const deregistrationDelay = args.deregistrationDelaySeconds ?? 15;
  const slowStart = args.slowStartSeconds ?? 0;
  v.required("rule", args.rule, "a service with a loadBalancer needs rule: { priority, hosts and/or paths }");
  const rule = args.rule!;
  v.integer("rule.priority", rule.priority, { min: 1, max: 50000 });
  checkRuleConditions(v, "rule", rule.hosts, rule.paths);
  v.matches("healthCheck.path", healthCheck.path, /^\/\S{0,1023}$/, "must start with '/'");
  v.integer("healthCheck.interval", healthCheck.interval, { min: 5, max: 300 }, " seconds");
  v.integer("healthCheck.timeout", healthCheck.timeout, { min: 2, max: 120 }, " seconds");
  v.check(
    healthCheck.timeout < healthCheck.interval,
    "healthCheck.timeout",
    healthCheck.timeout,
    `must be less than interval (${healthCheck.interval})`,
  );
  v.integer("healthCheck.healthyThreshold", healthCheck.healthyThreshold, { min: 2, max: 10 });
  v.integer("healthCheck.unhealthyThreshold", healthCheck.unhealthyThreshold, { min: 2, max: 10 });
  v.check(
    MATCHER.test(healthCheck.matcher) &&
      healthCheck.matcher.match(/\d{3}/g)!.every((c) => Number(c) >= 200 && Number(c) <= 499),
    "healthCheck.matcher",
    healthCheck.matcher,
    'HTTP codes from 200 to 499, as "200", "200,204" or "200-299"',
  );
  v.integer("deregistrationDelaySeconds", deregistrationDelay, { min: 0, max: 3600 }, " seconds");
  v.check(
    Number.isInteger(slowStart) && (slowStart === 0 || (slowStart >= 30 && slowStart <= 900)),
    "slowStartSeconds",
    slowStart,
    "must be 0 (off) or from 30 to 900 seconds",
  );
  let dnsName: string | undefined;
  if (args.dns) {
    v.required("dns.zoneId", args.dns.zoneId, "the hosted zone id is required");
    dnsName = args.dns.name ?? rule.hosts?.[0];
    v.required("dns.name", dnsName, "give dns.name or at least one rule.hosts entry");
    v.matches("dns.name", dnsName, DNS_NAME, "must be a host name without wildcards");
  }
  return { healthCheck, deregistrationDelay, slowStart, ...(dnsName !== undefined ? { dnsName } : {}) };
}

/**
 * The target groups are auto-named from the service: `<name>-tg` (and `<name>-tg-alt` for traffic
 * shifting) plus Pulumi's 8-character suffix must fit a target group name's 32 characters.
 */
export function checkRouteName(v: Validator, name: string, strategy: DeploymentStrategy): void {
  const max = strategy === "ROLLING" ? 21 : 17;
  v.check(
    name.length <= max,
    "name",
    name,
    `a load-balanced service's target groups are named after it: at most ${max} characters with strategy ${strategy}`,
  );
}

/**
 * Claims the rule's priority on the shared listener(s). Call it last in validation, once everything
 * else is valid. `owner` names the component in messages (`Service 'web'`).
 */
export function claimAlbRoute(
  v: Validator,
  owner: string,
  args: AlbRouteArgs,
  strategy: DeploymentStrategy,
): void {
  claimListenerRule(v, "rule", owner, args.loadBalancer.listenerArn, args.rule);
  if (strategy !== "ROLLING" && args.loadBalancer.testListenerArn !== undefined)
    claimListenerRule(v, "rule", `${owner} (test rule)`, args.loadBalancer.testListenerArn, args.rule);
}

/** The route's resources. */
export interface AlbRoutePart {
  targetGroups: aws.lb.TargetGroup[];
  productionRule: aws.lb.ListenerRule;
  testRule?: aws.lb.ListenerRule;
}

/**
 * Creates the ingress from the load balancer on the container port, the target group(s) and the
 * listener rule(s). With ECS-managed traffic shifting (`advanced`), two target groups and ECS owns
 * the forward weights (`ignoreChanges: ["actions"]`).
 */
export function createAlbRoute(
  scope: PartScope,
  args: AlbRouteArgs,
  r: ResolvedAlbRoute,
  network: NetworkRef,
  t: AlbRouteTransforms,
  ctx: { securityGroupId: pulumi.Input<string>; port: number; advanced: boolean },
): AlbRoutePart {
  const { name, tags } = scope;
  const lb = args.loadBalancer;
  const { port, advanced } = ctx;
  const [inArgs, inOpts] = transformed(
    t.ingressRule,
    {
      securityGroupId: ctx.securityGroupId,
      referencedSecurityGroupId: lb.securityGroupId,
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      description: "From the load balancer",
      tags,
    } as aws.vpc.SecurityGroupIngressRuleArgs,
    childOpts(scope),
  );
  new aws.vpc.SecurityGroupIngressRule(`${name}-from-lb`, inArgs, inOpts);

  const hc = r.healthCheck;
  const tgNames = advanced ? [`${name}-tg`, `${name}-tg-alt`] : [`${name}-tg`];
  const targetGroups = tgNames.map((tgName) => {
    const [tgArgs, tgOpts] = transformed(
      t.targetGroup,
      {
        vpcId: network.vpcId,
        targetType: "ip",
        protocol: "HTTP",
        port,
        deregistrationDelay: r.deregistrationDelay,
        slowStart: r.slowStart,
        healthCheck: {
          enabled: true,
          protocol: "HTTP",
          port: "traffic-port",
          path: hc.path,
          interval: hc.interval,
          timeout: hc.timeout,
          healthyThreshold: hc.healthyThreshold,
          unhealthyThreshold: hc.unhealthyThreshold,
          matcher: hc.matcher,
        },
        tags,
      } as aws.lb.TargetGroupArgs,
      childOpts(scope),
    );
    return new aws.lb.TargetGroup(tgName, tgArgs, tgOpts);
  });

  // Listener rules. With ECS-managed traffic shifting, ECS owns the forward weights.
  const rule = args.rule;
  const conditions = ruleConditions(rule.hosts, rule.paths);
  const actions = advanced
    ? [
        {
          type: "forward",
          forward: {
            targetGroups: [
              { arn: targetGroups[0]!.arn, weight: 100 },
              { arn: targetGroups[1]!.arn, weight: 0 },
            ],
          },
        },
      ]
    : [{ type: "forward", targetGroupArn: targetGroups[0]!.arn }];
  const makeRule = (ruleName: string, listenerArn: pulumi.Input<string>) => {
    const [lrArgs, lrOpts] = transformed(
      t.listenerRule,
      { listenerArn, priority: rule.priority, conditions, actions, tags } as aws.lb.ListenerRuleArgs,
      childOpts(scope, advanced ? { ignoreChanges: ["actions"] } : {}),
    );
    return new aws.lb.ListenerRule(ruleName, lrArgs, lrOpts);
  };
  const productionRule = makeRule(`${name}-rule`, lb.listenerArn);
  const testRule =
    advanced && lb.testListenerArn !== undefined
      ? makeRule(`${name}-test-rule`, lb.testListenerArn)
      : undefined;
  return { targetGroups, productionRule, ...(testRule ? { testRule } : {}) };
}

/**
 * The Route 53 alias records of `dns`, pointing at the load balancer: by its `ipAddressType`, `A`
 * (`<name>-dns`), `AAAA` (`<name>-dns-aaaa`) or both.
 */
export function createAlbDns(
  scope: PartScope,
  args: AlbRouteArgs,
  r: ResolvedAlbRoute,
  t: AlbRouteTransforms,
): void {
  if (!args.dns || !r.dnsName) return;
  for (const type of aliasRecordTypes(args.loadBalancer.ipAddressType)) {
    const [rcArgs, rcOpts] = transformed(
      t.record,
      {
        zoneId: args.dns.zoneId,
        name: r.dnsName,
        type,
        aliases: aliasTo(args.loadBalancer),
      } as aws.route53.RecordArgs,
      childOpts(scope),
    );
    // The A record keeps the name it always had, so an ipv4 service's URN does not change.
    new aws.route53.Record(type === "A" ? `${scope.name}-dns` : `${scope.name}-dns-aaaa`, rcArgs, rcOpts);
  }
}

/** Where the route answers: `<scheme>://<host><path prefix>`, or the load balancer's URL plus the path prefix. */
export function albRouteUrl(args: AlbRouteArgs, r: ResolvedAlbRoute): pulumi.Output<string> {
  const rule = args.rule;
  const lb = args.loadBalancer;
  const pathPrefix = rule?.paths?.[0]?.replace(/\*.*$/, "") ?? "";
  const plainHost = r.dnsName ?? rule?.hosts?.find((h) => !/[*?]/.test(h));
  const scheme = lb.protocol === "HTTPS" ? "https" : "http";
  return plainHost
    ? pulumi.output(`${scheme}://${plainHost}${pathPrefix}`)
    : pulumi.output(lb.url).apply((u) => `${u.replace(/\/$/, "")}${pathPrefix}`);
}
