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
