import type { NetworkRef } from "@berth/core";
import type { ClusterRef, LoadBalancerRef, ServiceArgs } from "../src/index.js";

/** Plain references a Service test runs against: no Cluster, Network or LoadBalancer needed. */
export const DIGEST = `sha256:${"a1".repeat(32)}`;
export const IMAGE = `123456789012.dkr.ecr.us-east-1.amazonaws.com/hello@${DIGEST}`;

export const cluster: ClusterRef = {
  name: "platform-dev",
  arn: "arn:aws:ecs:us-east-1:123456789012:cluster/platform-dev",
  containerInsights: true,
};

export const network: NetworkRef = {
  vpcId: "vpc-0abc",
  vpcCidrBlock: "10.0.0.0/16",
  publicSubnetIds: ["subnet-pub1", "subnet-pub2"],
  privateSubnetIds: ["subnet-priv1", "subnet-priv2"],
};

/** The same network with IPv6 blocks on the VPC and its subnets (a Network with IPv6 turned on). */
export const network6: NetworkRef = {
  ...network,
  ipv6: true,
  vpcIpv6CidrBlock: "2600:1f18:abcd:ef00::/56",
};

export const loadBalancer: LoadBalancerRef = {
  arn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shared/0123456789abcdef",
  arnSuffix: "app/shared/0123456789abcdef",
  dnsName: "shared-1234567890.us-east-1.elb.amazonaws.com",
  zoneId: "Z35SXDOTRQ7X7K",
  securityGroupId: "sg-0loadbalancer",
  listenerArn:
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shared/0123456789abcdef/1111111111111111",
  protocol: "HTTPS",
  url: "https://shared.example.com",
};

export const testListenerArn =
  "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shared/0123456789abcdef/2222222222222222";

/** A load-balanced web service with the minimum arguments. */
export function web(extra: Partial<ServiceArgs> = {}): ServiceArgs {
  return {
    cluster,
    network,
    loadBalancer,
    image: IMAGE,
    rule: { priority: 100, hosts: ["api.example.com"] },
    ...extra,
  };
}

/** A worker: no load balancer. */
export function worker(extra: Partial<ServiceArgs> = {}): ServiceArgs {
  return { cluster, network, image: IMAGE, ...extra };
}
