import type * as pulumi from "@pulumi/pulumi";

/**
 * The network a component runs in, as plain outputs. `Network` produces it; a stack can also build
 * it from a StackReference or from an existing VPC's ids.
 *
 * @example
 * const network: NetworkRef = { vpcId: "vpc-0abc", vpcCidrBlock: "10.0.0.0/16",
 *   publicSubnetIds: ["subnet-1", "subnet-2"], privateSubnetIds: ["subnet-3", "subnet-4"] };
 */
export interface NetworkRef {
  vpcId: pulumi.Input<string>;
  /** The VPC's IPv4 block, for rules that allow "from the VPC". */
  vpcCidrBlock?: pulumi.Input<string>;
  publicSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
  isolatedSubnetIds?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * The zones of the subnets, in the same order (each subnet list has one subnet per zone): a
   * database's reader goes to another zone than its writer.
   * @default none
   * @example availabilityZones: ["us-east-1a", "us-east-1b"]
   */
  availabilityZones?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Whether the VPC and its public and private subnets have IPv6 blocks (an Amazon-provided /56,
   * a /64 per subnet), so dual-stack load balancers and tasks can use them. A plain boolean, so
   * components can check it before creating anything.
   * @default false
   * @example ipv6: true
   */
  ipv6?: boolean;
  /** The VPC's IPv6 block, when `ipv6` is true. @example vpcIpv6CidrBlock: "2600:1f18:abcd:ef00::/56" */
  vpcIpv6CidrBlock?: pulumi.Input<string>;
}

/**
 * An ECR repository as plain outputs, as `Registry` exports it per repository.
 *
 * @example
 * const repo: RepositoryRef = { name: "hello", arn: "arn:aws:ecr:us-east-1:123456789012:repository/hello",
 *   url: "123456789012.dkr.ecr.us-east-1.amazonaws.com/hello" };
 */
export interface RepositoryRef {
  name: pulumi.Input<string>;
  arn: pulumi.Input<string>;
  url: pulumi.Input<string>;
}

/**
 * An SQS queue as plain outputs, as `Queue` (in `@berth/data`) produces it; a stack can also build
 * it from a StackReference or an existing queue. A `WorkerService` consumes it.
 *
 * @example
 * const queue: QueueRef = { name: "orders", arn: "arn:aws:sqs:us-east-1:123456789012:orders",
 *   url: "https://sqs.us-east-1.amazonaws.com/123456789012/orders" };
 */
export interface QueueRef {
  /** The queue's name: the CloudWatch dimension `QueueName`. */
  name: pulumi.Input<string>;
  /** The queue's ARN: consume permissions are scoped to it. */
  arn: pulumi.Input<string>;
  /** The queue's URL, which the SDKs take (`QUEUE_URL`). */
  url: pulumi.Input<string>;
  /**
   * The customer managed KMS key the queue is encrypted with, when it has one (SSE-KMS): consumers
   * may then decrypt with exactly this key. Leave it out for SSE-SQS (SQS-owned keys).
   * @default none
   * @example kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
   */
  kmsKeyArn?: pulumi.Input<string>;
}
