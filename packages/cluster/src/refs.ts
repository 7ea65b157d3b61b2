import type * as pulumi from "@pulumi/pulumi";

/**
 * An ECS cluster as plain outputs. `Cluster` produces it; a stack can also build it from a
 * StackReference or an existing cluster.
 *
 * @example
 * const cluster: ClusterRef = { name: "platform-dev", arn: "arn:aws:ecs:us-east-1:123456789012:cluster/platform-dev" };
 */
export interface ClusterRef {
  name: pulumi.Input<string>;
  arn: pulumi.Input<string>;
  /**
   * The capacity provider of the cluster's EC2 capacity, when it has some; services that ask for
   * EC2 launch use it in their capacity provider strategy.
   */
  ec2CapacityProviderName?: pulumi.Input<string>;
  /**
   * The log group ECS Exec sessions are audited to. Services with `enableExecuteCommand` let their
   * task role write there (ECS Exec fails to start a session it cannot log).
   */
  execLogGroupArn?: pulumi.Input<string>;
  /** The KMS key ECS Exec sessions and their audit logs are encrypted with, when the cluster has one. */
  execKmsKeyArn?: pulumi.Input<string>;
  /**
   * Whether the cluster publishes CloudWatch Container Insights metrics (`enabled` or `enhanced`).
   * A plain boolean, so a service can decide before it creates anything: metrics such as
   * `RunningTaskCount` exist only with Container Insights, and a service creates no alarm on a
   * metric that never arrives. `Cluster` sets it; ECS leaves Container Insights off unless the
   * cluster or the account setting turns it on, so a ref built by hand without it counts as off.
   * @default false
   * @example containerInsights: true
   */
  containerInsights?: boolean;
  /**
   * ARN of the Cloud Map HTTP namespace of ECS Service Connect (`Cluster` with
   * `serviceConnectNamespace` sets it). Internal services publish `http://<name>:<port>` in it;
   * services with `calls` resolve those names through it.
   * @default none (no Service Connect)
   * @example serviceConnectNamespaceArn: "arn:aws:servicediscovery:us-east-1:123456789012:namespace/ns-abcdef0123456789"
   */
  serviceConnectNamespaceArn?: pulumi.Input<string>;
  /**
   * Name of that namespace (for documentation and outputs; services address each other by the
   * short name `<name>`, not `<name>.<namespace>`).
   * @example serviceConnectNamespaceName: "dev.internal"
   */
  serviceConnectNamespaceName?: pulumi.Input<string>;
}

/** The IP address types of an Application Load Balancer. */
export type IpAddressType = "ipv4" | "dualstack" | "dualstack-without-public-ipv4";

/**
 * The Route 53 alias record types that resolve for a load balancer of this IP address type:
 * `A` for `ipv4`, `A` and `AAAA` for `dualstack`, and `AAAA` only for
 * `dualstack-without-public-ipv4` (its DNS name has no public IPv4 address, so an `A` alias to it
 * would resolve to nothing).
 */
export function aliasRecordTypes(ipAddressType: IpAddressType = "ipv4"): ("A" | "AAAA")[] {
  switch (ipAddressType) {
    case "dualstack":
      return ["A", "AAAA"];
    case "dualstack-without-public-ipv4":
      return ["AAAA"];
    default:
      return ["A"];
  }
}

/**
 * A shared Application Load Balancer as plain outputs. `LoadBalancer` produces it; services attach
 * their own listener rules to `listenerArn` and admit traffic from `securityGroupId`.
 *
 * @example
 * const lb: LoadBalancerRef = { arn, arnSuffix, dnsName, zoneId, securityGroupId,
 *   listenerArn: httpsListenerArn, protocol: "HTTPS", url: "https://app.example.com" };
 */
export interface LoadBalancerRef {
  arn: pulumi.Input<string>;
  /** `app/<name>/<id>`: the CloudWatch dimension `LoadBalancer`. */
  arnSuffix: pulumi.Input<string>;
  dnsName: pulumi.Input<string>;
  /** Route 53 hosted zone id of the load balancer, for alias records. */
  zoneId: pulumi.Input<string>;
  /** The load balancer's security group: services admit traffic from it. */
  securityGroupId: pulumi.Input<string>;
  /** The listener services attach their rules to: HTTPS when there is a certificate, else HTTP. */
  listenerArn: pulumi.Input<string>;
  /** Protocol of `listenerArn`. */
  protocol: "HTTP" | "HTTPS";
  /** A listener for test traffic during blue/green deployments, when the load balancer has one. */
  testListenerArn?: pulumi.Input<string>;
  /** Base URL of the load balancer (`https://<domain>` or `http://<dns name>`). */
  url: pulumi.Input<string>;
  /**
   * The load balancer's IP address type, a plain value so that a service knows which alias records
   * to write for its `dns` before anything is created: `A` for `"ipv4"`, `A` and `AAAA` for
   * `"dualstack"`, `AAAA` only for `"dualstack-without-public-ipv4"`. `LoadBalancer.ref` sets it;
   * give it when building a ref by hand (for example from a `StackReference`) for a dualstack
   * load balancer.
   * @default "ipv4"
   * @example ipAddressType: "dualstack"
   */
  ipAddressType?: IpAddressType;
}
